"""Readers for spreadsheets: CSV (UTF-8, UTF-8 with BOM, UTF-16, Windows-1252; , ; tab) and the
sheets of Excel (.xlsx, .xls) and LibreOffice (.ods).

They return a table of text cells (``None`` when empty) with the header as written and a
column ``_riga`` holding the row number a person sees in the spreadsheet.

Both read row by row and stop one row past the limit (:mod:`.limiti`), so a file of millions
of rows is refused in seconds and in bounded memory; an XLSX is an archive, measured before it
is opened, and its rows are taken as wide as the header (a cell in the last column of a sheet
would otherwise widen every row to 16,384 cells).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path

import pandas as pd

from ..errori import ImportaError
from .limiti import Limiti, controlla_archivio, controlla_righe, controlla_vertici, numero

__all__ = ["COLONNA_ERRORE", "FOGLI", "leggi_csv", "leggi_foglio", "leggi_xlsx"]

RIGHE_TITOLO = 20  # the header is looked for in the first rows (a title may come above it)
RIGHE_EXCEL = 1_048_576  # the last row of a sheet: nothing beyond it comes from a spreadsheet program
CELLE_PER_RIGA = 100  # a file of many columns may have fewer rows: at most righe x 100 cells


def _vuoto(path: Path) -> ImportaError:
    return ImportaError(f"Il file {path} è vuoto: non c'è niente da importare.")


def _separatore(prima: str) -> str:
    conti = {sep: prima.count(sep) for sep in (";", "\t", ",")}
    sep = max(conti, key=conti.get)
    return sep if conti[sep] else ","


def leggi_csv(path: Path, limiti: Limiti | None = None) -> pd.DataFrame:
    """Read a CSV written by Excel (Italian or not), LibreOffice or a form tool.

    The encoding is UTF-8 (with or without BOM) or, when that fails, Windows-1252: the file is
    read again from the start, which costs little since both readings stop at the row limit.
    """
    path = Path(path)
    limiti = limiti or Limiti()
    with open(path, "rb") as f:
        inizio = f.read(3)
    if inizio[:2] in (b"\xff\xfe", b"\xfe\xff"):
        codifiche: tuple = ("utf-16",)  # Excel's "Testo Unicode": UTF-16 with its mark, tab-separated
    elif inizio == b"\xef\xbb\xbf":
        codifiche = ("utf-8-sig",)
    else:
        codifiche = ("utf-8", "cp1252")
    for codifica in codifiche:
        try:
            with open(path, encoding=codifica, newline="") as f:
                return _leggi_testo(f, path, limiti)
        except UnicodeDecodeError:
            continue
    raise ImportaError(
        f"Il file {path} non è leggibile come testo (né UTF-8, né UTF-16, né Windows-1252): salvarlo da Excel come "
        "'CSV UTF-8'."
    )


def _leggi_testo(f, path: Path, limiti: Limiti) -> pd.DataFrame:
    prima = f.readline()
    lunghe = []

    def righe():
        for riga in chain([prima], f):
            if len(riga) > limiti.vertici:
                lunghe.append(True)
            # The csv module cannot read NUL: make it a character the row check refuses, naming the row.
            yield riga.replace("\x00", "\ufffe")

    try:
        separatore = _separatore(prima)
        df = _tabella(csv.reader(righe(), delimiter=separatore), path, limiti, separatore)
    except csv.Error:
        raise ImportaError(f"Il file {path} non è un CSV leggibile (una cella troppo lunga o virgolette non chiuse): "
                           "riaprirlo e salvarlo di nuovo da Excel.") from None
    if lunghe:
        _controlla_celle(df, path, limiti)
    return df


def _controlla_celle(df: pd.DataFrame, path: Path, limiti: Limiti) -> None:
    """Refuse a cell that holds a shape (WKT, a Kobo geoshape) of more points than the limit.

    Counted on the text, before any shape is made of it: each point but one takes a separator.
    Only cells longer than the limit can exceed it, so the others are not counted.
    """
    for col in df.columns:
        if col == "_riga":
            continue
        valori = df[col].tolist()
        if max(map(len, filter(None, valori)), default=0) <= limiti.vertici:  # C loops: the usual case
            continue
        for k, c in enumerate(valori):
            if c is not None and len(c) > limiti.vertici:
                controlla_vertici([max(c.count(","), c.count(";")) + 1], path, limiti, [df["_riga"].iat[k]])


def _cella(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return "sì" if v else "no"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


FOGLI = (".xlsx", ".xlsm", ".xls", ".ods")
_NOMI_FOGLI = {".xlsx": "Excel (.xlsx)", ".xlsm": "Excel (.xlsm)", ".xls": "Excel 97-2003 (.xls)",
               ".ods": "LibreOffice (.ods)"}


def leggi_foglio(path: Path, foglio: str | None = None, limiti: Limiti | None = None) -> pd.DataFrame:
    """Read one sheet (the first, or ``foglio``) of a spreadsheet: Excel ``.xlsx``, old Excel
    ``.xls`` or LibreOffice ``.ods``, all through one reader (python-calamine)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    limiti = limiti or Limiti()
    controlla_archivio(path, limiti)  # .xlsx and .ods are zips: measured before they are opened
    tipo = _NOMI_FOGLI.get(path.suffix.lower(), "Excel (.xlsx)")
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - calamine raises its own kinds for a damaged file
        raise ImportaError(
            f"Il file {path} non è un file {tipo} leggibile: forse è un CSV o un altro formato con il nome "
            "cambiato. Aprirlo con Excel o LibreOffice e salvarlo di nuovo (.xlsx o .ods)."
        )
    try:
        nomi = list(wb.sheet_names)
        if not nomi:
            raise _vuoto(path)
        if foglio is None:
            nome = nomi[0]
        elif foglio in nomi:
            nome = foglio
        elif [n for n in nomi if n.strip().casefold() == foglio.strip().casefold()]:
            nome = next(n for n in nomi if n.strip().casefold() == foglio.strip().casefold())  # "luoghi": Luoghi
        else:
            raise ImportaError(f"Il file {path} non ha un foglio '{foglio}': i fogli sono " + ", ".join(nomi) + ".")
        try:
            ws = wb.get_sheet_by_name(nome)
            righe_foglio = ws.iter_rows()
        except Exception:  # noqa: BLE001
            raise ImportaError(f"Il foglio '{nome}' del file {path} non si può leggere: è rovinato. Salvarlo di "
                               "nuovo con Excel o LibreOffice.")
        # calamine starts at the first used cell: the row numbers a person sees start from there
        inizio = (ws.start or (0, 0))[0] + 1 if hasattr(ws, "start") else 1

        def righe() -> Iterator[list]:
            for r in righe_foglio:
                yield [_cella(v if v != "" else None) for v in r]

        numerate = enumerate(islice(righe(), RIGHE_EXCEL), start=inizio)
        _, intestazione, dopo = _intestazione(numerate, path)
        larghe = ((i, r[:len(intestazione)]) for i, r in chain(dopo, numerate))
        df = _tabella_da(intestazione, larghe, path, limiti)
    finally:
        wb.close()
    _controlla_celle(df, path, limiti)
    return df


def leggi_xlsx(path: Path, foglio: str | None = None, limiti: Limiti | None = None) -> pd.DataFrame:
    """Read one sheet of an XLSX (the first, or ``foglio``): :func:`leggi_foglio`."""
    return leggi_foglio(path, foglio, limiti)


def _tabella(righe: Iterable[list], path: Path, limiti: Limiti, separatore: str | None = None) -> pd.DataFrame:
    numerate = enumerate(righe, start=1)
    _, intestazione, dopo = _intestazione(numerate, path)
    return _tabella_da(intestazione, chain(dopo, numerate), path, limiti, separatore)


def _intestazione(numerate: Iterator[tuple[int, list]], path: Path) -> tuple[int, list[str], list]:
    """The header: the first row with two or more cells among the first ones (a title row above it
    is skipped), else the first row with one. Returns its number, its names and the rows read after it."""
    testa = list(islice(numerate, RIGHE_TITOLO))
    piene = [sum(c not in (None, "") for c in r) for _, r in testa]
    k = next((i for i, n in enumerate(piene) if n >= 2), None)
    if k is None:
        k = next((i for i, n in enumerate(piene) if n >= 1), None)
    if k is not None:
        posto, riga = testa[k]
        dopo = testa[k + 1:]
    else:
        posto, riga = next(((i, r) for i, r in numerate if any(c not in (None, "") for c in r)), (0, None))
        dopo = []
    intestazione = [("" if c is None else str(c)).strip() for c in riga or []]
    while intestazione and intestazione[-1] == "":
        intestazione.pop()
    if not intestazione:
        raise _vuoto(path)
    return posto, intestazione, dopo


# What is wrong with a row that the reader could read only in part (a CSV row with more fields
# than the header, a GeoJSON feature whose zone does not close): the row is refused with it.
COLONNA_ERRORE = "_errore_riga"


def _tabella_da(intestazione: list[str], numerate: Iterable[tuple[int, list]], path: Path,
                limiti: Limiti, separatore: str | None = None) -> pd.DataFrame:
    n = len(intestazione)
    nomi = [nome if nome else f"colonna_{j + 1}" for j, nome in enumerate(intestazione)]
    visti = {}
    for j, nome in enumerate(nomi):
        chiave = nome.strip().lower()
        if chiave in visti:
            raise ImportaError(
                f"Nel file {path} la colonna '{nome}' compare due volte (colonne {visti[chiave] + 1} e {j + 1}): "
                "rinominarne o cancellarne una."
            )
        visti[chiave] = j
    # Short rows are filled up to the header: a very wide header would make every row that wide.
    massimo = min(limiti.righe, limiti.righe * CELLE_PER_RIGA // n)
    dati, numeri, in_piu = [], [], {}
    for i, r in numerate:
        if len(r) != n:
            extra = [c for c in r[n:] if c and not c.isspace()] if separatore else []
            if extra:
                nome_sep = {";": "';'", ",": "','", "\t": "tabulazione"}.get(separatore, repr(separatore))
                in_piu[len(dati)] = (
                    f"ha {len(r)} campi e l'intestazione {n}: c'è un separatore ({nome_sep}) in più dentro un "
                    f"testo senza virgolette, e i campi dopo sono scivolati a destra (in più: "
                    + ", ".join(f"'{c[:30]}'" for c in extra[:3]) + "). Mettere quel testo tra virgolette o "
                    "togliere il separatore")
            r = (list(r) + [None] * n)[:n]
        # cells are text or None here; blank cells are None, rows of blank cells are skipped
        r = [c if c and not c.isspace() else None for c in r]
        if not any(r):
            continue
        if len(dati) == massimo:
            _troppe(path, limiti, n)
        dati.append(r)
        numeri.append(i)
    df = pd.DataFrame(dati, columns=nomi, dtype=object)
    df["_riga"] = numeri
    if in_piu:
        df[COLONNA_ERRORE] = [in_piu.get(k) for k in range(len(df))]
    return df


def _troppe(path: Path, limiti: Limiti, colonne: int) -> None:
    if colonne <= CELLE_PER_RIGA:
        controlla_righe(limiti.righe + 1, path, limiti)
    raise ImportaError(
        f"Il file {path} ha {numero(colonne)} colonne e troppe righe per tante colonne (più di "
        f"{numero(limiti.righe * CELLE_PER_RIGA)} celle, {CELLE_PER_RIGA} per ognuna delle {numero(limiti.righe)} "
        "righe ammesse): togliere le colonne che non servono o dividerlo in più file o, se va importato così, "
        f"alzare il limite con --limite-righe (per esempio --limite-righe {limiti.righe * 2})."
    )
