"""Inline assets: Leaflet and mappe's own JS/CSS, ready to embed.

Leaflet comes from the XStatic package installed from PyPI; its images become data URIs so
that the page needs no file and no network. Symbols that would overlap are gathered by mappe's
own code (static/mappe-gruppi.js), not by a plugin.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

__all__ = ["PARTI_MAPPA", "leaflet_css", "leaflet_js", "script", "stile"]

STATIC = Path(__file__).parent / "static"

# The script of a map or exhibition page, file by file, in the order it is inlined (after
# dati.js and utili.js, shared by every page). Each ``mappe-*.js`` is one part of the page (its
# opening comment says what it owns); they run in this order, and ``mappe.js`` last starts them.
PARTI_MAPPA = (
    "raccolta.js",          # visitors' feedback kept encrypted in the browser
    "invio.js",             # ... or sent to the server of a served exhibition (mappe servi)
    "mappe-simboli.js",     # shapes, pictograms, marker icons (paths from simboli.json)
    "mappe-decodifica.js",  # the data block back into columns; point in polygon
    "mappe-foto.js",        # the photos of a card, and a photo enlarged
    "mappe-schede.js",      # the cards of a contribution or a place, with the feedback block
    "mappe-gruppi.js",      # symbols that would overlap gathered in groups, fanned out at the last zoom
    "mappe-strati.js",      # boundaries, hatching, one group per kind, markers, the layer of groups
    "mappe-foglio.js",      # on a phone, cards open as a sheet from the bottom
    "mappe-luoghi.js",      # places and their names; visitors' approved suggestions
    "mappe-rete.js",        # the network of needs and answers
    "mappe-seguito.js",     # what became of the proposals: statuses, initiatives, what changed since a day
    "mappe-testata.js",     # title, views, contact
    "mappe-comandi.js",     # legend, filter, basemap, "senza luogo", credits, counts
    "mappe-elenco.js",      # the list beside the map
    "mappe-aggiunte.js",    # visitors add what is missing
    "mappe-personale.js",   # the staff download the feedback
    "mappe-chiosco.js",     # kiosk: back to the start after a while
    "mappe.js",             # the shared context, the state, applica(); calls the parts in order
)


def _xstatic(nome: str) -> Path:
    import xstatic.pkg.leaflet as pkg

    return Path(pkg.BASE_DIR)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images inlined."""
    base = _xstatic("leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def sostituisci(m):
        return f"url({_data_uri(base / m.group(1))})"

    return re.sub(r"url\((images/[a-z0-9\-]+\.png)\)", sostituisci, css)


@cache
def leaflet_js() -> str:
    js = (_xstatic("leaflet") / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", js)


@cache
def nostro(nome: str) -> str:
    """One of mappe's own files in ``static/``."""
    return (STATIC / nome).read_text(encoding="utf-8")


def _chiudi_script(testo: str) -> str:
    # A literal "</script" inside an inline script would end it early.
    return testo.replace("</script", "<\\/script")


def script(*testi: str) -> str:
    """One inline <script> element holding ``testi``."""
    return "<script>\n" + "\n;\n".join(_chiudi_script(t) for t in testi) + "\n</script>"


def stile(*testi: str) -> str:
    """One inline <style> element holding ``testi``."""
    return "<style>\n" + "\n".join(t.replace("</style", "<\\/style") for t in testi) + "\n</style>"
