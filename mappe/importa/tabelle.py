"""Readers for spreadsheets: CSV (UTF-8, UTF-8 with BOM, Windows-1252; , ; tab) and XLSX.

They return a table of text cells (``None`` when empty) with the header as written and a
column ``_riga`` holding the row number a person sees in the spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from ..errori import ImportaError

__all__ = ["leggi_csv", "leggi_xlsx"]


def _decodifica(dati: bytes, path: Path) -> str:
    if dati.startswith(b"\xef\xbb\xbf"):
        return dati[3:].decode("utf-8")
    try:
        return dati.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return dati.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportaError(
                f"Il file {path} non è leggibile come testo (né UTF-8 né Windows-1252): "
                "salvarlo da Excel come 'CSV UTF-8'."
            )


def _separatore(testo: str) -> str:
    prima = testo.split("\n", 1)[0]
    conti = {sep: prima.count(sep) for sep in (";", "\t", ",")}
    sep = max(conti, key=conti.get)
    return sep if conti[sep] else ","


def leggi_csv(path: Path) -> pd.DataFrame:
    """Read a CSV written by Excel (Italian or not), LibreOffice or a form tool."""
    path = Path(path)
    testo = _decodifica(path.read_bytes(), path)
    if not testo.strip():
        raise ImportaError(f"Il file {path} è vuoto: non c'è niente da importare.")
    # The csv module cannot read NUL: make it a character the row check refuses, naming the row.
    testo = testo.replace("\x00", "\ufffe")
    sep = _separatore(testo)
    try:
        righe = list(csv.reader(io.StringIO(testo, newline=""), delimiter=sep))
    except csv.Error as e:
        raise ImportaError(f"Il file {path} non è un CSV leggibile ({e}): riaprirlo e salvarlo di nuovo da Excel.")
    return _tabella(righe, path, prima_riga=1)


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


def leggi_xlsx(path: Path, foglio: str | None = None) -> pd.DataFrame:
    """Read one sheet of an XLSX (the first, or ``foglio``)."""
    import openpyxl

    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportaError(
            f"Il file {path} non è un file Excel (.xlsx) leggibile: forse è un CSV o un .xls con il nome cambiato. "
            "Aprirlo con Excel e salvarlo come 'Cartella di lavoro di Excel (.xlsx)'."
        )
    try:
        if foglio is None:
            ws = wb.worksheets[0]
        elif foglio in wb.sheetnames:
            ws = wb[foglio]
        else:
            raise ImportaError(
                f"Il file {path} non ha un foglio '{foglio}': i fogli sono " + ", ".join(wb.sheetnames) + "."
            )
        righe = [[_cella(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _tabella(righe, path, prima_riga=1)


def _tabella(righe: list[list], path: Path, prima_riga: int) -> pd.DataFrame:
    # The header is the first row with two or more cells (a title row above it is skipped).
    piene = [sum(c not in (None, "") for c in r) for r in righe]
    inizio = next((i for i, k in enumerate(piene[:20]) if k >= 2), None)
    if inizio is None:
        inizio = next((i for i, k in enumerate(piene) if k >= 1), None)
    if inizio is None:
        raise ImportaError(f"Il file {path} è vuoto: non c'è niente da importare.")
    intestazione = [("" if c is None else str(c)).strip() for c in righe[inizio]]
    while intestazione and intestazione[-1] == "":
        intestazione.pop()
    n = len(intestazione)
    dati, numeri = [], []
    for i, r in enumerate(righe[inizio + 1 :], start=inizio + 1 + prima_riga):
        if len(r) != n:
            r = (list(r) + [None] * n)[:n]
        # cells are text or None here; blank cells are None, rows of blank cells are skipped
        r = [c if c and not c.isspace() else None for c in r]
        if not any(r):
            continue
        dati.append(r)
        numeri.append(i)
    nomi = []
    for j, nome in enumerate(intestazione):
        nomi.append(nome if nome else f"colonna_{j + 1}")
    visti = {}
    for j, nome in enumerate(nomi):
        chiave = nome.strip().lower()
        if chiave in visti:
            raise ImportaError(
                f"Nel file {path} la colonna '{nome}' compare due volte (colonne {visti[chiave] + 1} e {j + 1}): "
                "rinominarne o cancellarne una."
            )
        visti[chiave] = j
    df = pd.DataFrame(dati, columns=nomi, dtype=object)
    df["_riga"] = numeri
    return df
