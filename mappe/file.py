"""Files handed to people (maps, exports, reports, templates): written whole or not at all,
and inert when another program opens them.

A CSV cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) would
run in a spreadsheet: :func:`cella_csv` writes it with a leading ``'`` and :func:`da_cella_csv`
takes that ``'`` away again on import, so that an export imported back is exactly what it was.
"""

from __future__ import annotations

import csv
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errori import MappeError

__all__ = ["cella_csv", "da_cella_csv", "scrivi_csv", "scrivi_tutto_o_niente"]

# A text that a spreadsheet would run: its first character after any apostrophes starts a formula.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def cella_csv(valore):
    """A value as a CSV cell that no spreadsheet runs: formula-like text gets a leading ``'``.

    Numbers are left alone (a negative number is a number, not a formula).
    """
    if isinstance(valore, str) and _FORMULA.match(valore):
        return "'" + valore
    return valore


def da_cella_csv(valore):
    """The inverse of :func:`cella_csv`: the ``'`` it added is taken away, nothing else."""
    if isinstance(valore, str) and valore[:1] == "'" and _FORMULA.match(valore[1:]):
        return valore[1:]
    return valore


def _testo_cella(valore) -> str:
    if valore is None or (isinstance(valore, float) and math.isnan(valore)):
        return ""
    if valore.__class__.__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(valore, bool):
        return "1" if valore else "0"
    if isinstance(valore, float):
        # Italian Excel: decimal comma
        return repr(valore).replace(".", ",") if not valore.is_integer() else str(int(valore))
    if isinstance(valore, str):
        return cella_csv(valore)
    return cella_csv(str(valore))


def scrivi_csv(percorso: Path | str, colonne: Iterable, righe: Iterable[Iterable], privato: bool = False) -> Path:
    """Write a CSV for Italian Excel (UTF-8 with BOM, ``;``, decimal comma), whole or not at all.

    Text cells that a spreadsheet would run as a formula are neutralised (:func:`cella_csv`).
    ``privato``: see :func:`scrivi_tutto_o_niente`.
    """

    def scrivi(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f, delimiter=";")
            w.writerow([_testo_cella(str(c)) for c in colonne])
            for riga in righe:
                w.writerow([_testo_cella(v) for v in riga])

    return scrivi_tutto_o_niente(percorso, scrivi, privato)


def scrivi_tutto_o_niente(percorso: Path | str, scrivi: Callable[[str], None], privato: bool = False) -> Path:
    """Call ``scrivi(tmp)`` on a temporary file beside ``percorso``, then put it in place in one step.

    An error or an interruption leaves ``percorso`` as it was (or absent). The file gets the
    usual permissions (these files are meant to be shared), or, with ``privato`` (a file with
    private fields: an internal map, a complete export, rejected rows), its owner's only.

    A link is written through (the file it points to is replaced), never replaced by a file; what
    is not a plain file (a device, a pipe, a folder) is refused, and so is a place inside a
    workspace's own stores or keys (``data/comuni/``, ``.mappe/``): an export named like a store
    would replace it.
    """
    percorso = Path(percorso)
    if percorso.is_symlink():
        percorso = percorso.resolve()
    if percorso.exists() and not percorso.is_file():
        raise MappeError(f"{percorso} non è un file normale (è una cartella, un dispositivo o simile): "
                         "indicare il nome di un file da scrivere.")
    _fuori_dagli_archivi(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mappe-", suffix=percorso.suffix, dir=percorso.parent)
    os.close(fd)
    try:
        scrivi(tmp)
        if privato:
            modo = 0o600
        else:
            maschera = os.umask(0)
            os.umask(maschera)
            modo = 0o666 & ~maschera
        os.chmod(tmp, modo)
        os.replace(tmp, percorso)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return percorso


def _fuori_dagli_archivi(percorso: Path) -> None:
    """Refuse to write a file for people into a workspace's stores or keys."""
    vero = percorso.resolve()
    for cartella in vero.parents:
        if (cartella / ".mappe").is_dir() and (cartella / "data" / "comuni").is_dir():
            for riservata in (cartella / "data" / "comuni", cartella / ".mappe"):
                if vero == riservata or riservata in vero.parents:
                    raise MappeError(
                        f"{percorso} è dentro la cartella degli archivi dell'area di lavoro ({riservata}): lì mappe "
                        "tiene i dati dei comuni e le chiavi, e il file li sostituirebbe. Scegliere un'altra cartella."
                    )
            return
