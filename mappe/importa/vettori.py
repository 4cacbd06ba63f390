"""Readers for GIS files (GeoJSON, GeoPackage): features with their attributes, in EPSG:4326."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio

from ..errori import ImportaError

__all__ = ["leggi_vettori"]


def leggi_vettori(path: Path, strato: str | None = None) -> gpd.GeoDataFrame:
    """Read the first (or named) layer of a vector file and bring it to EPSG:4326.

    The ``_riga`` column numbers the features from 1, as a person counts them.
    """
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gdf = pyogrio.read_dataframe(path, layer=strato)
    except Exception as e:  # noqa: BLE001 - GDAL reports damaged files with several exception types
        raise ImportaError(f"Il file {path} non è un file GIS leggibile ({str(e).splitlines()[0]}): riesportarlo dal programma di origine.")
    if gdf.crs is None:
        if path.suffix.lower() in (".geojson", ".json"):
            gdf = gdf.set_crs("EPSG:4326")
        else:
            raise ImportaError(
                f"Il file {path} non dice in che sistema di coordinate è: riesportarlo indicando il sistema "
                "(per esempio EPSG:4326) dal programma GIS."
            )
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    gdf = gdf.reset_index(drop=True)
    gdf["_riga"] = range(1, len(gdf) + 1)
    for col in gdf.columns:
        if col not in ("geometry", "_riga"):
            gdf[col] = gdf[col].astype(object).where(gdf[col].notna(), None)
    return gdf
