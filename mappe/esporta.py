"""Export a comune's layers for QGIS, uMap or a spreadsheet; the file imports back unchanged."""

from __future__ import annotations

import csv
import html
import math
import os
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from .archivio import Archivio
from .errori import MappeError
from .file import cella_csv, scrivi_tutto_o_niente

__all__ = ["FORMATI", "esporta", "tabella_esportabile"]

FORMATI = ("csv", "geojson", "gpkg", "kml", "xlsx")
# Per layer: the field that names a KML placemark and the one that describes it.
_KML = {"contributi": ("titolo", "testo"), "luoghi": ("nome", "descrizione"), "riscontri": ("reazione", "commento"),
        "iniziative": ("nome", "descrizione")}


def _senza_traduzioni_vuote(df: pd.DataFrame, strato: str) -> pd.DataFrame:
    """The translation columns (``testo_ar``...) that hold something: a sheet with fourteen empty
    columns of languages nobody wrote in is no help to a facilitator."""
    from .lingue import originale_di

    vuote = [c for c in df.columns if originale_di(c, strato) and df[c].isna().all()]
    return df.drop(columns=vuote) if vuote else df


def tabella_esportabile(archivio: Archivio, strato: str, completo: bool = False) -> pd.DataFrame:
    """The layer as stored (``completo``), or what may leave the workspace.

    Without ``completo``: no private field, no reserved row or row without consent, no
    sensitive row (whose true position is the secret), no feedback awaiting moderation nor about a
    row that is not public (and feedback carries its day, not its time), no figures about the
    people of one session (:data:`mappe.pubblico.SOLO_AGGREGATI`), no photo that stays inside nor
    its caption (:func:`mappe.pubblico.foto_interne`), public ids only. Rows left out
    are simply not in the file: importing it back leaves them as they are.
    """
    from .pubblico import SOLO_AGGREGATI, con_ids_pubblici, non_pubblici

    if strato not in archivio.catalogo.strati:
        raise MappeError(f"Lo strato '{strato}' non esiste: usare uno di {', '.join(archivio.catalogo.strati)}.")
    df = archivio.leggi(strato)
    if completo:
        df = _senza_traduzioni_vuote(df, strato)
        df.attrs["id_interni"] = df["id"].tolist()
        return df
    # (after the rows that stay inside: an empty column would say that one of them was translated)
    df = df[~non_pubblici(df)]
    if "sensibile" in df.columns:
        df = df[df["sensibile"] != 1]
    df = _senza_traduzioni_vuote(df, strato)
    if strato == "riscontri" and "stato" in df.columns:
        df = df[df["stato"] == "approvato"]
        # feedback follows what it is about: none about a reserved or no-consent row; the day, not the time
        nascosti = set()
        for nome in ("contributi", "iniziative"):
            c = archivio.leggi(nome)
            nascosti |= set(c.loc[non_pubblici(c), "id"])
        df = df[~df["su"].isin(nascosti)].copy()
        df["data"] = [d[:10] if isinstance(d, str) else d for d in df["data"]]
    if strato == "iniziative":  # links to what the public may see only
        from .pubblico import risposte_pubbliche

        df = risposte_pubbliche(df, archivio.leggi("contributi"))
    if "foto" in df.columns:
        # photos that stay inside (here or on another row showing the same picture) and their captions
        from .archivio import STRATI_CON_FOTO
        from .pubblico import foto_interne, foto_mostrabili

        interne = foto_interne({n: archivio.leggi(n) for n in STRATI_CON_FOTO if n in archivio.catalogo.strati})
        df = df.copy()
        df["foto"] = pd.Series(foto_mostrabili(df["foto"].tolist(), interne), index=df.index, dtype=object)
        if "didascalia" in df.columns:
            df.loc[df["foto"].isna(), "didascalia"] = None
    togliere = list(archivio.catalogo.strati[strato].privati) + list(SOLO_AGGREGATI.get(strato, ()))
    df = df.drop(columns=[c for c in togliere if c in df.columns])
    # Public ids, never the internal ones (importing the file maps them back).
    interni = df["id"].tolist()
    df = con_ids_pubblici(df, archivio.segreto()).reset_index(drop=True)
    df.attrs["id_interni"] = interni  # what the file holds, for the registry of exports
    return df


def _righe_tabellari(df: pd.DataFrame, booleani: tuple = ()) -> tuple[list[str], list[list]]:
    """Columns and rows for CSV/XLSX: points as lon/lat, lines and zones as WKT; yes/no fields
    (``booleani``) as the template writes them, sì and no."""
    geo = isinstance(df, gpd.GeoDataFrame)
    colonne = [c for c in df.columns if c != "geometry"]
    if booleani:
        df = df.copy()
        for c in booleani:
            if c in df.columns:
                df[c] = pd.Series([None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                                   else ("sì" if int(v) else "no") for v in df[c].tolist()], index=df.index,
                                  dtype=object)
    if geo:
        colonne += ["lon", "lat", "wkt"]
    righe = []
    for rec in df.to_dict("records"):
        riga = [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
                for v in (rec[c] for c in colonne if c in rec)]
        if geo:
            g = rec.get("geometry")
            if g is None or g.is_empty:
                riga += [None, None, None]
            elif g.geom_type == "Point":
                riga += [g.x, g.y, None]
            else:
                riga += [None, None, g.wkt]
        righe.append(riga)
    return colonne, righe


def _cella(v) -> str:
    """A CSV cell for Italian Excel: decimal comma in numbers, formula-like text neutralised."""
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v).replace(".", ",")
    return cella_csv(v) if isinstance(v, str) else v


def _solo_testo(ws) -> None:
    """Cells that start like a formula (=, +, -, @, tab, CR) stay text: words of people never run in Excel."""
    for riga in ws.iter_rows(min_row=2):
        for cella in riga:
            if isinstance(cella.value, str) and cella.value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                cella.data_type = "s"


def esporta(archivio: Archivio, percorso: Path | str, formato: str | None = None, strato: str = "contributi",
            completo: bool = False, contenuto: dict | None = None) -> Path:
    """Write one layer of ``archivio`` to ``percorso`` (format from ``formato`` or the extension).

    CSV is written for Italian Excel (UTF-8 with BOM, ``;``, decimal comma in lon/lat); lines
    and zones travel as WKT. The file is written whole or not at all. ``contenuto`` receives the
    internal ids of the rows written (for the registry of exports).
    """
    percorso = Path(percorso)
    formato = (formato or percorso.suffix.lstrip(".")).lower()
    if formato == "json":
        formato = "geojson"
    if not formato:
        raise MappeError(f"Il file {percorso.name} non ha un'estensione che dica il formato: chiamarlo per esempio "
                         f"{percorso.name}.xlsx (oppure {', '.join('.' + f for f in FORMATI)}), o indicare --formato.")
    if formato not in FORMATI:
        raise MappeError(f"Il formato '{formato}' non è tra quelli di mappe: usare uno di {', '.join(FORMATI)}.")
    df = tabella_esportabile(archivio, strato, completo)
    if contenuto is not None:  # the rows the file holds: {comune: internal ids}
        contenuto[archivio.slug] = list(df.attrs.get("id_interni", []))
    geo = isinstance(df, gpd.GeoDataFrame)
    if formato in ("geojson", "kml") and not geo:
        raise MappeError(f"Lo strato {strato} non ha posizioni: esportarlo in csv, xlsx o gpkg.")

    booleani = tuple(c.nome for c in archivio.catalogo.strati[strato].campi.values() if c.tipo == "booleano")

    def scrivi(tmp: str) -> None:
        if formato == "csv":
            colonne, righe = _righe_tabellari(df, booleani)
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f, delimiter=";")
                w.writerow(colonne)
                for r in righe:
                    w.writerow([_cella(v) for v in r])
        elif formato == "xlsx":
            from openpyxl import Workbook

            colonne, righe = _righe_tabellari(df, booleani)
            wb = Workbook()
            ws = wb.active
            ws.title = archivio.catalogo.strati[strato].label[:31]
            ws.append(colonne)
            for r in righe:
                ws.append(r)
            _solo_testo(ws)
            ws.freeze_panes = "A2"
            wb.save(tmp)
        else:
            driver = {"geojson": "GeoJSON", "gpkg": "GPKG", "kml": "KML"}[formato]
            tabella = df
            if formato == "kml":
                # What Google Earth and uMap show as the name and the text of a placemark. Google
                # Earth reads a description as HTML: people's words go in as text, escaped (and
                # every placemark has one, so no balloon is built from the raw fields).
                tabella = df.copy()
                nome, testo = _KML.get(strato, ("id", None))
                nomi = df["titolo"].fillna(df["tipo"]) if strato == "contributi" else df[nome]
                testi = df[testo] if testo in df.columns else pd.Series([""] * len(df), index=df.index)
                tabella.insert(0, "Name", nomi)
                tabella.insert(1, "Description", [html.escape(t, quote=False) if isinstance(t, str) else ""
                                                  for t in testi])
            os.unlink(tmp)  # GDAL creates its own file
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if geo:
                    pyogrio.write_dataframe(tabella, tmp, layer=strato, driver=driver, geometry_type="Unknown",
                                            promote_to_multi=False)
                else:
                    pyogrio.write_dataframe(tabella, tmp, layer=strato, driver=driver)
    def scrivi_e_controlla(tmp: str) -> None:
        scrivi(tmp)
        if not completo:
            # A public file is read back, whatever its format, before it is put in place: a private
            # value in it means a bug, and the file is not written.
            from .riservatezza import controlla_file

            scritti = df["commento"].dropna().tolist() if "commento" in df.columns else []
            controlla_file(tmp, None, [archivio], nome=str(percorso), commenti_scritti=scritti)

    if os.path.exists(percorso) and os.path.isdir(percorso):
        raise MappeError(f"{percorso} è una cartella: indicare il nome del file da scrivere.")
    return scrivi_tutto_o_niente(percorso, scrivi_e_controlla, privato=completo)
