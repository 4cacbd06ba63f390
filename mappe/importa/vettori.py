"""Readers for GIS files: GeoJSON, GeoPackage, Shapefile (also zipped), KML, GPX; brought to EPSG:4326.

Coordinates in Italian systems (Monte Mario / Gauss-Boaga 3003/3004, UTM 32632/32633,
RDN2008 6707/6708 and 7791/7792) are transformed by PROJ through GDAL, which reads files in
the traditional easting-northing order even where the CRS declares northing first.

The work a file can ask for is bounded (:mod:`.limiti`): a zip is measured from its directory
and its GIS file extracted with Python's ``zipfile`` into a private temporary folder (GDAL's
own ``/vsizip/`` decompresses past the size an entry declares); GDAL reads at most one
feature more than the limit; a shape with too many points is refused before any
transformation; of a GeoPackage only real tables registered in ``gpkg_contents`` are read,
never a view (a saved query, which can be endless) or a virtual table.
"""

from __future__ import annotations

import math
import re
import shutil
import sqlite3
import tempfile
import warnings
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..errori import ImportaError
from .limiti import Limiti, controlla_archivio, controlla_righe, controlla_vertici

__all__ = ["leggi_vettori"]

_DENTRO_ZIP = (".shp", ".gpkg", ".geojson", ".json", ".kml")


def _rovinato(path: Path) -> ImportaError:
    return ImportaError(
        f"Il file {path} non è un file GIS leggibile (sembra rovinato o incompleto): riesportarlo dal "
        "programma di origine (per uno shapefile servono anche .dbf e .shx, meglio tutto in uno zip)."
    )


@contextmanager
def _sorgente(path: Path, limiti: Limiti):
    """The file GDAL reads: ``path`` itself, or the GIS file of a zip with its companions, extracted.

    The zip is measured first (:func:`.limiti.controlla_archivio`); ``zipfile`` then writes no more
    than each entry declares. Files are extracted under a neutral name (``dati`` plus their
    extensions), so no name in the zip chooses where they go.
    """
    if path.suffix.lower() != ".zip":
        yield path
        return
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportaError(f"Il file {path} non è uno zip leggibile: comprimerlo di nuovo.")
    with z:
        voci = controlla_archivio(path, limiti, z)
        gis = [v for v in voci if v.filename.lower().endswith(_DENTRO_ZIP) and not v.filename.startswith("__MACOSX")]
        if not gis:
            raise ImportaError(
                f"Lo zip {path} non contiene uno shapefile (.shp con .dbf, .shx, .prj) né un altro file GIS."
            )
        scelto = PurePosixPath(gis[0].filename)
        radice = scelto.name[: len(scelto.name) - len(scelto.suffix)].lower() + "."
        # a shapefile is .shp with .dbf, .shx, .prj, .cpg beside it: the same name, other extensions
        compagni = [v for v in voci if PurePosixPath(v.filename).parent == scelto.parent
                    and PurePosixPath(v.filename).name.lower().startswith(radice)]
        with tempfile.TemporaryDirectory(prefix="mappe-") as cartella:
            for v in compagni:
                nome = "dati" + PurePosixPath(v.filename).name[len(radice) - 1:]
                try:
                    with z.open(v) as dentro, open(Path(cartella) / nome, "wb") as fuori:
                        shutil.copyfileobj(dentro, fuori, 1 << 20)
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    # among them, an entry that decompresses to more than it declares (bad CRC)
                    raise ImportaError(f"Lo zip {path} è rovinato (il file {v.filename} non si estrae): "
                                       "comprimerlo di nuovo.")
                except (RuntimeError, NotImplementedError):  # a password, or an unusual method
                    raise ImportaError(f"Lo zip {path} è protetto da password o compresso in un modo che mappe non "
                                       "legge: estrarlo e comprimerlo di nuovo senza password (tasto destro, "
                                       "Comprimi).")
            yield Path(cartella) / ("dati" + scelto.name[len(radice) - 1:])


def _crs(testo: str) -> CRS:
    try:
        return CRS.from_user_input(testo)
    except CRSError:
        raise ImportaError(f"Il sistema di coordinate '{testo}' non esiste: scriverlo come EPSG:3003.")


def _tabelle_vere(sorgente: Path, path: Path) -> tuple[set[str], set[str]]:
    """The layers of a GeoPackage that are real tables, and those that are not (views, virtual tables).

    Only the SQLite catalogue is read, never the layers: a view is a query, and a recursive one
    never ends. A table with virtual generated columns is treated as a view (each read computes them).
    """
    try:
        con = sqlite3.connect(f"{sorgente.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise _rovinato(path)
    try:
        oggetti = {str(nome).lower(): (tipo, sql or "") for tipo, nome, sql in
                   con.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'view')")}
        if oggetti.get("gpkg_contents", ("",))[0] != "table":
            raise _rovinato(path)
        vere, altre = set(), set()
        registrate = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')")
        for (nome,) in registrate.fetchall():
            tipo, sql = oggetti.get(str(nome).lower(), ("", ""))
            calcolate = tipo == "table" and con.execute(
                "SELECT count(*) FROM pragma_table_xinfo(?) WHERE hidden = 2", (nome,)).fetchone()[0]
            if tipo == "table" and not sql.lstrip().upper().startswith("CREATE VIRTUAL") and not calcolate:
                vere.add(str(nome))
            else:
                altre.add(str(nome))
        return vere, altre
    except sqlite3.Error:
        raise _rovinato(path)
    finally:
        con.close()


_STRATI_GPX = ("waypoints", "routes", "tracks")
# What a GPS receiver writes beside the name and the description: nobody's words.
_TECNICHE_GPX = re.compile(r"^(ele|time|magvar|geoidheight|src|link\d*_.*|sym|type|fix|sat|hdop|vdop|pdop|"
                           r"ageofdgpsdata|dgpsid|number|course|speed)$")


def _strati(sorgente: Path, path: Path, strato: str | None, avvisi: list[str]) -> list[str | None]:
    """Which layers to read: ``strato``; every layer of a KML; the first real table of a GeoPackage; else the first."""
    formato = sorgente.suffix.lower()
    if strato is None and formato == ".kml":
        return [nome for nome, _ in pyogrio.list_layers(sorgente)]
    if strato is None and formato == ".gpx":
        # the places marked on a walk and the walk itself (not every fix of the receiver)
        return [nome for nome, _ in pyogrio.list_layers(sorgente) if nome in _STRATI_GPX]
    if formato != ".gpkg":
        return [strato]
    vere, altre = _tabelle_vere(sorgente, path)  # before GDAL opens it
    nomi = [strato] if strato is not None else [str(nome) for nome, _ in pyogrio.list_layers(sorgente)]
    leggibili = [n for n in nomi if n in vere]
    # the views GDAL would have read first
    saltate = [n for n in nomi[: nomi.index(leggibili[0]) if leggibili else len(nomi)] if n in altre]
    quali = ", ".join(f"'{n}'" for n in saltate)
    plurale = len(saltate) > 1
    if not leggibili and saltate:
        raise ImportaError(
            f"Nel GeoPackage {path} {'gli strati' if plurale else 'lo strato'} {quali} "
            f"{'non sono tabelle' if plurale else 'non è una tabella'} di dati ma {'viste' if plurale else 'una vista'} "
            "(query salvate, o valori calcolati a ogni lettura, che possono non finire mai) e mappe non le legge: in "
            "QGIS salvare lo strato come nuovo GeoPackage (tasto destro sullo strato, Esporta, Salva elementi "
            "come...) e importare quello."
        )
    if not leggibili:
        if strato is not None:
            return [strato]  # GDAL says it does not exist
        raise ImportaError(f"Il GeoPackage {path} non ha strati di dati da importare.")
    if saltate:
        avvisi.append(f"{'gli strati' if plurale else 'lo strato'} {quali} del GeoPackage "
                      f"{'sono viste' if plurale else 'è una vista'} (query salvate), non tabelle di dati: "
                      f"non {'sono stati letti' if plurale else 'è stato letto'}, è stato importato lo strato "
                      f"'{leggibili[0]}'")
    return [leggibili[0]]


def _leggi(sorgente: Path, path: Path, strato: str | None, limiti: Limiti) -> gpd.GeoDataFrame:
    """Read the features, at most one more than the limit (enough to know the file is beyond it)."""
    avvisi: list[str] = []
    parti = []
    letti = 0
    for nome in _strati(sorgente, path, strato, avvisi):
        parte = pyogrio.read_dataframe(sorgente, layer=nome, max_features=limiti.righe + 1 - letti)
        letti += len(parte)
        controlla_righe(letti, path, limiti, "elementi")
        parti.append(parte)
    piene = [p for p in parti if len(p)]
    if len(parti) == 1 or not piene:
        gdf = parti[0] if parti else pyogrio.read_dataframe(sorgente, max_features=1)
    else:
        gdf = gpd.GeoDataFrame(pd.concat(piene, ignore_index=True), crs=piene[0].crs)
    gdf.attrs["avvisi"] = avvisi
    return gdf


def _da_gpx(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A walk recorded with a phone: waypoints are points, a track of one segment is a path (a
    track of several, the path of its segments joined where they touch)."""
    tecniche = [c for c in gdf.columns if c != "geometry" and (_TECNICHE_GPX.match(str(c)) or gdf[c].isna().all())]
    gdf = gdf.drop(columns=tecniche)
    # a point or a track with a name only (OsmAnd, Strava): the name is its words too
    if "name" in gdf.columns:
        descrizioni = gdf["desc"] if "desc" in gdf.columns else pd.Series([None] * len(gdf), index=gdf.index)
        commenti = gdf["cmt"] if "cmt" in gdf.columns else pd.Series([None] * len(gdf), index=gdf.index)
        gdf = gdf.copy()
        gdf["desc"] = [d if isinstance(d, str) and d.strip() else (c if isinstance(c, str) and c.strip() else n)
                       for d, c, n in zip(descrizioni, commenti, gdf["name"])]
        gdf = gdf.drop(columns=[c for c in ("cmt",) if c in gdf.columns])
    forme = []
    for g in gdf.geometry:
        if g is not None and g.geom_type == "MultiLineString":
            g = shapely.line_merge(g) if len(g.geoms) > 1 else g.geoms[0]
        forme.append(g)
    return gdf.set_geometry(gpd.GeoSeries(forme, index=gdf.index, crs=gdf.crs))


def _geojson_riga_per_riga(sorgente: Path, path: Path, limiti: Limiti) -> gpd.GeoDataFrame:
    """A GeoJSON that GDAL refuses whole, read feature by feature: a shape that is wrong (a zone whose
    border does not close, as uMap has written) refuses its own row, with its number, not the file."""
    import json

    from shapely.geometry import shape

    from .tabelle import COLONNA_ERRORE

    try:
        dati = json.loads(Path(sorgente).read_text(encoding="utf-8-sig"))
        elementi = dati["features"] if isinstance(dati, dict) else None
    except (ValueError, KeyError, UnicodeDecodeError, OSError):
        raise _rovinato(path) from None
    if not isinstance(elementi, list):
        raise _rovinato(path)
    controlla_righe(len(elementi), path, limiti, "elementi")
    righe, forme, errori = [], [], []
    for f in elementi:
        proprieta = f.get("properties") if isinstance(f, dict) else None
        righe.append({str(k): v for k, v in proprieta.items()} if isinstance(proprieta, dict) else {})
        g = f.get("geometry") if isinstance(f, dict) else None
        errore, forma = None, None
        if g is not None:
            try:
                for anello in _anelli(g):
                    if len(anello) < 4 or list(anello[0]) != list(anello[-1]):
                        raise ValueError("aperta")
                forma = shape(g)
            except ValueError as e:
                errore = ("la zona non è chiusa (il primo e l'ultimo punto del bordo sono diversi, o i punti sono "
                          "meno di quattro): chiuderla nel programma da cui viene, o toglierla"
                          if str(e) == "aperta" else "la forma non è scritta bene: ridisegnarla")
            except (TypeError, KeyError, IndexError, AttributeError):
                errore = "la forma non è scritta bene: ridisegnarla"
        forme.append(forma)
        errori.append(errore)
    gdf = gpd.GeoDataFrame(pd.DataFrame(righe), geometry=forme, crs="EPSG:4326")
    if any(errori):
        gdf[COLONNA_ERRORE] = pd.Series(errori, index=gdf.index, dtype=object)
    gdf.attrs["avvisi"] = []
    return gdf


def _anelli(g: dict) -> list:
    """The rings of a GeoJSON polygon or multipolygon (none for other shapes)."""
    if g.get("type") == "Polygon":
        return list(g["coordinates"])
    if g.get("type") == "MultiPolygon":
        return [a for p in g["coordinates"] for a in p]
    return []


def leggi_vettori(path: Path, strato: str | None = None, crs: str | None = None,
                  limiti: Limiti | None = None) -> gpd.GeoDataFrame:
    """Read the features of a vector file and bring them to EPSG:4326.

    The ``_riga`` column numbers the features from 1, as a person counts them. ``crs``
    replaces the file's own coordinate system (for files that lack it or declare it wrong).
    A file beyond ``limiti`` (default :class:`.limiti.Limiti`) is refused; a layer that could not
    be read (a view of a GeoPackage) is named in ``attrs["avvisi"]``.
    """
    path = Path(path)
    limiti = limiti or Limiti()
    try:
        with warnings.catch_warnings(), _sorgente(path, limiti) as sorgente:
            warnings.simplefilter("ignore")
            formato = sorgente.suffix.lower()  # of the file inside a zip, too
            try:
                gdf = _leggi(sorgente, path, strato, limiti)
            except ImportaError:
                raise
            except Exception:  # GDAL refuses a whole GeoJSON for one bad shape
                if formato not in (".geojson", ".json"):
                    raise
                gdf = _geojson_riga_per_riga(sorgente, path, limiti)
    except ImportaError:
        raise
    except Exception:  # noqa: BLE001 - GDAL reports damaged files with several exception types
        raise _rovinato(path)
    # Before any repair, transformation or check: each of them costs in proportion to the points.
    controlla_vertici(shapely.get_num_coordinates(gdf.geometry.values), path, limiti)
    avvisi = gdf.attrs.get("avvisi", [])
    if formato == ".gpx":
        gdf = _da_gpx(gdf)
    if formato == ".kml" and "id2" in gdf.columns and "id" in gdf.columns:
        # GDAL names the Placemark's own id "id" and ours (from ExtendedData) "id2".
        gdf = gdf.drop(columns=["id"]).rename(columns={"id2": "id"})
    originale = gdf.crs
    if crs:
        gdf = gdf.set_crs(_crs(crs), allow_override=True)
    elif gdf.crs is None:
        if formato in (".geojson", ".json", ".kml", ".gpx"):
            gdf = gdf.set_crs("EPSG:4326")
        else:
            raise ImportaError(
                f"Il file {path} non dice in che sistema di coordinate è (manca il file .prj?): riesportarlo "
                "dal programma GIS indicando il sistema, o dirlo con --crs (per esempio --crs EPSG:3003)."
            )
    gdf.attrs["crs_originale"] = gdf.crs.to_string() if gdf.crs is not None else None
    gdf.attrs["geometrie_originali"] = gdf.geometry.values.copy()
    if originale is not None and crs:
        gdf.attrs["crs_originale"] = CRS.from_user_input(crs).to_string()
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    gdf = gdf.reset_index(drop=True)
    gdf["_riga"] = range(1, len(gdf) + 1)
    for col in gdf.columns:
        if col not in ("geometry", "_riga") and str(col) != "_errore_riga":
            gdf[col] = pd.Series(
                [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in gdf[col].tolist()],
                index=gdf.index, dtype=object,
            )
    gdf.attrs["avvisi"] = avvisi
    return gdf
