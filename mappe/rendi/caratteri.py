"""Fonts carried inside a page, so that Arabic reads well on a kiosk with no network.

Computers, tablets and phones of every kind show Latin and Cyrillic letters with their own fonts
(DejaVu on Linux, Arial and Segoe on Windows, Roboto and San Francisco on phones); Arabic is not
always there, or only in a poor fallback, on a minimal Linux kiosk. A page that offers Arabic
therefore carries the Arabic letters of Noto Sans Arabic (SIL Open Font License 1.1, from the
``fontpkg-noto-sans-arabic`` package on PyPI), regular and bold, cut down with fontTools to the
Arabic blocks and stored as WOFF inside the page's CSS (about 55 kB): ``unicode-range`` makes the
browser use it for Arabic letters only.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

__all__ = ["FAMIGLIA_ARABA", "caratteri_incorporati", "css_caratteri"]

FAMIGLIA_ARABA = "Mappe Noto Sans Arabic"
# The Arabic block, its supplement, and the joiners that shape words.
INTERVALLI_ARABI = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x200C, 0x200D))
BUDGET = 160 * 1024  # bytes of base64 a page may spend on fonts


def _file_arabo():
    from importlib.resources import files

    cartella = files("fontpkg_noto_sans_arabic") / "files"
    return next(f for f in cartella.iterdir() if f.name.endswith((".ttf", ".otf")))


@lru_cache(maxsize=4)
def _woff(peso: int) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    with _file_arabo().open("rb") as f:
        carattere = TTFont(io.BytesIO(f.read()))
    if "fvar" in carattere:
        assi = {a.axisTag: a for a in carattere["fvar"].axes}
        posizione = {"wght": peso} if "wght" in assi else {}
        if "wdth" in assi:
            posizione["wdth"] = 100
        carattere = instancer.instantiateVariableFont(carattere, posizione)
    opzioni = subset.Options()
    opzioni.layout_features = ["*"]  # Arabic letters change shape with their place in the word
    opzioni.flavor = "woff"
    opzioni.notdef_outline = True
    s = subset.Subsetter(opzioni)
    s.populate(unicodes=[c for a, b in INTERVALLI_ARABI for c in range(a, b + 1)])
    s.subset(carattere)
    carattere.flavor = "woff"
    carattere.recalcTimestamp = False  # the same bytes in every run: verifica-privacy knows them
    uscita = io.BytesIO()
    carattere.save(uscita)
    return uscita.getvalue()


def css_caratteri(lingue) -> str:
    """The ``@font-face`` rules a page in ``lingue`` needs (empty when none)."""
    if "ar" not in lingue:
        return ""
    intervallo = ", ".join(f"U+{a:04X}-{b:04X}" for a, b in INTERVALLI_ARABI)
    regole = []
    for peso in (400, 700):
        dati = base64.b64encode(_woff(peso)).decode("ascii")
        regole.append(
            f'@font-face{{font-family:"{FAMIGLIA_ARABA}";font-style:normal;font-weight:{peso};font-display:swap;'
            f'src:url(data:font/woff;base64,{dati}) format("woff");unicode-range:{intervallo}}}')
    css = "\n".join(regole)
    assert len(css) <= BUDGET, "the Arabic font outgrew its budget"
    return css


def caratteri_incorporati() -> list[bytes]:
    """The font files a page may carry (for verifica-privacy, which knows them as mappe's own)."""
    return [_woff(peso) for peso in (400, 700)]
