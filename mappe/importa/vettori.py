"""Readers for GIS files: GeoJSON, GeoPackage, Shapefile (also zipped), KML; brought to EPSG:4326.

Coordinates in Italian systems (Monte Mario / Gauss-Boaga 3003/3004, UTM 32632/32633,
RDN2008 6707/6708 and 7791/7792) are transformed by PROJ through GDAL, which reads files in
the traditional easting-northing order even where the CRS declares northing first.
"""

from __future__ import annotations

import math
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..errori import ImportaError

__all__ = ["leggi_vettori"]

_DENTRO_ZIP = (".shp", ".gpkg", ".geojson", ".json", ".kml")


def _sorgente(path: Path) -> str:
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as z:
            nomi = [n for n in z.namelist() if n.lower().endswith(_DENTRO_ZIP) and not n.startswith("__MACOSX")]
    except zipfile.BadZipFile:
        raise ImportaError(f"Il file {path} non è uno zip leggibile: comprimerlo di nuovo.")
    if not nomi:
        raise ImportaError(
            f"Lo zip {path} non contiene uno shapefile (.shp con .dbf, .shx, .prj) né un altro file GIS."
        )
    return f"/vsizip/{path.resolve()}/{nomi[0]}"


def _crs(testo: str) -> CRS:
    try:
        return CRS.from_user_input(testo)
    except CRSError:
        raise ImportaError(f"Il sistema di coordinate '{testo}' non esiste: scriverlo come EPSG:3003.")


def leggi_vettori(path: Path, strato: str | None = None, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read the features of a vector file and bring them to EPSG:4326.

    The ``_riga`` column numbers the features from 1, as a person counts them. ``crs``
    replaces the file's own coordinate system (for files that lack it or declare it wrong).
    """
    path = Path(path)
    sorgente = _sorgente(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if strato is None and path.suffix.lower() == ".kml":
                parti = [pyogrio.read_dataframe(sorgente, layer=nome) for nome, _ in pyogrio.list_layers(sorgente)]
                parti = [p for p in parti if len(p)]
                gdf = gpd.GeoDataFrame(pd.concat(parti, ignore_index=True), crs=parti[0].crs) if parti else \
                    pyogrio.read_dataframe(sorgente)
            else:
                gdf = pyogrio.read_dataframe(sorgente, layer=strato)
    except ImportaError:
        raise
    except Exception:  # noqa: BLE001 - GDAL reports damaged files with several exception types
        raise ImportaError(
            f"Il file {path} non è un file GIS leggibile (sembra rovinato o incompleto): riesportarlo dal "
            "programma di origine (per uno shapefile servono anche .dbf e .shx, meglio tutto in uno zip)."
        )
    if path.suffix.lower() == ".kml" and "id2" in gdf.columns and "id" in gdf.columns:
        # GDAL names the Placemark's own id "id" and ours (from ExtendedData) "id2".
        gdf = gdf.drop(columns=["id"]).rename(columns={"id2": "id"})
    originale = gdf.crs
    if crs:
        gdf = gdf.set_crs(_crs(crs), allow_override=True)
    elif gdf.crs is None:
        if path.suffix.lower() in (".geojson", ".json", ".kml"):
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
        if col not in ("geometry", "_riga"):
            gdf[col] = pd.Series(
                [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in gdf[col].tolist()],
                index=gdf.index, dtype=object,
            )
    return gdf
