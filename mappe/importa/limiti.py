"""Limits on the work one imported file may ask for: rows, points per shape, archive size.

A file handed over by someone else may be built to exhaust the computer: a zip of a few MB
that expands to millions of features, a GeoPackage "layer" that is an endless query, a shape
of millions of points, a spreadsheet whose rows never end. Each reader checks these limits as
early and as cheaply as its format allows (an archive before it is opened, rows while they
are read, points as soon as the shapes are read, before any repair or transformation), and a
file beyond them is refused with one Italian sentence that names the file, the limit and the
``mappe importa`` option that raises it. Nothing is written before the refusal.

The defaults hold every real file of a participatory project with room to spare:

- ``righe``: 200,000 rows of a spreadsheet or features of a GIS file (``--limite-righe``);
- ``vertici``: 100,000 points in one shape (``--limite-vertici``);
- ``mb``: 200 MB of uncompressed content in an archive, photos included (``--limite-mb``).

An archive that would expand more than :data:`RAPPORTO_MASSIMO` times its size is refused
whatever its size: deflate, the method of every ordinary zip, never packs more than 1,032 to
1, so such a ratio means entries that overlap or a method chosen to build a "zip bomb".
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errori import ImportaError

__all__ = ["ARCHIVI", "RAPPORTO_MASSIMO", "Limiti", "controlla_archivio", "controlla_righe", "controlla_vertici"]

# Formats that are zip archives inside (the spreadsheet ones included).
ARCHIVI = (".zip", ".xlsx", ".xlsm", ".ods", ".kmz")
RAPPORTO_MASSIMO = 1000
_MB = 1024 * 1024
# Below this an archive cannot hurt, whatever its ratio (a tiny zip of a blank file).
_MINIMO_SOSPETTO = 10 * _MB


@dataclass(frozen=True)
class Limiti:
    """How much one file may hold; every limit can be raised with an option of ``mappe importa``.

    Examples
    --------
    >>> Limiti()
    Limiti(righe=200000, vertici=100000, mb=200)
    >>> Limiti(righe=500_000).righe
    500000
    """

    righe: int = 200_000
    vertici: int = 100_000
    mb: int = 200


def numero(n: float) -> str:
    """200000 -> '200.000', as Italians write it."""
    return f"{int(n):,}".replace(",", ".")


def controlla_righe(n: int, path: Path, limiti: Limiti, cosa: str = "righe") -> None:
    """Refuse a file that holds more than ``limiti.righe`` rows (``cosa``: "righe" or "elementi")."""
    if n > limiti.righe:
        raise ImportaError(
            f"Il file {path} ha più di {numero(limiti.righe)} {cosa}, il limite per un file: dividerlo in più "
            f"file o, se va importato tutto insieme, alzare il limite con --limite-righe "
            f"(per esempio --limite-righe {limiti.righe * 2})."
        )


def controlla_vertici(punti, path: Path, limiti: Limiti, righe=None) -> None:
    """Refuse a file in which a shape has more than ``limiti.vertici`` points.

    ``punti`` holds the number of points of each shape (``shapely.get_num_coordinates``);
    ``righe`` the row numbers a person sees (1, 2, 3... when not given).
    """
    for k, n in enumerate(punti):
        if n > limiti.vertici:
            riga = righe[k] if righe is not None else k + 1
            raise ImportaError(
                f"Nel file {path} la forma della riga {riga} ha {numero(n)} punti, oltre il limite di "
                f"{numero(limiti.vertici)} per una forma: semplificarla nel programma GIS (in QGIS: Vettore > "
                f"Strumenti di geometria > Semplifica) o, se serve così, alzare il limite con --limite-vertici {n}."
            )


def controlla_archivio(path: Path, limiti: Limiti, archivio: zipfile.ZipFile | None = None) -> list[zipfile.ZipInfo]:
    """Measure an archive from its directory, before anything in it is decompressed.

    The sizes are the ones the archive declares: Python's ``zipfile`` never produces more than
    the declared size of an entry (it stops there and checks the CRC), so whoever reads the
    entries with it can trust them. GDAL's ``/vsizip/`` does not: it decompresses until the
    data ends, whatever the directory says, so :mod:`.vettori` extracts with ``zipfile``.

    Returns the entries (files only, folders left out); none for a file that is not a zip.
    """
    path = Path(path)
    try:
        if archivio is None:
            with zipfile.ZipFile(path) as z:
                voci = z.infolist()
        else:
            voci = archivio.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # not a zip at all: its reader says what it is not
    voci = [v for v in voci if not v.is_dir()]
    totale = sum(v.file_size for v in voci)
    if totale > limiti.mb * _MB:
        raise ImportaError(
            f"Il file {path} decompresso occuperebbe {numero(totale / _MB)} MB, oltre il limite di "
            f"{numero(limiti.mb)} MB per un archivio: importare i dati in file più piccoli o, se è autentico e "
            f"serve tutto, alzare il limite con --limite-mb {-(-totale // _MB)}."
        )
    compresso = max(path.stat().st_size, 1)
    if totale > _MINIMO_SOSPETTO and totale / compresso > RAPPORTO_MASSIMO:
        raise ImportaError(
            f"Il file {path} si espanderebbe {numero(totale / compresso)} volte (da {numero(compresso / 1024)} KB a "
            f"{numero(totale / _MB)} MB): oltre {numero(RAPPORTO_MASSIMO)} volte nessun archivio normale si comprime, "
            "questo sembra fatto apposta per bloccare il computer (una «bomba zip») e non viene aperto; se è "
            "autentico, estrarlo con il programma del computer e importare i file estratti."
        )
    return voci
