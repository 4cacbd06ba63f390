"""Rows added to a GeoPackage in place, in one SQLite transaction (no copy of the file).

Most writes of mappe rewrite a comune's store through a copy (:mod:`mappe.archivio`); feedback
arriving at a served exhibition is appended instead: hundreds of small items in an evening must
not copy the file each time. SQLite's own transaction makes the append all-or-nothing: a
process killed in the middle leaves a "hot" journal beside the file, and the next connection
that may write rolls it back (:func:`recupera`, called whenever a store is opened).

A GeoPackage keeps a spatial index (an R-tree) filled by triggers that call the functions
``ST_IsEmpty``, ``ST_MinX``... which GDAL defines in its own connections: a plain SQLite
connection defines them here, reading the envelope that :func:`blob` writes.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import shapely

__all__ = ["blob", "inserisci", "recupera"]

ATTESA_S = 30.0  # how long a connection waits for another one that holds the file


def blob(geom, srs_id: int) -> bytes | None:
    """A geometry in the GeoPackage binary format: header with the envelope, then WKB."""
    if geom is None:
        return None
    if geom.is_empty:
        flags = 0b00010001  # little endian, no envelope, empty
        return b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1)
    minx, miny, maxx, maxy = geom.bounds
    flags = 0b00000011  # little endian, envelope [minx, maxx, miny, maxy]
    return (b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy)
            + shapely.to_wkb(geom, byte_order=1, output_dimension=2))


_LUNGHEZZA_BUSTA = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _busta(dati) -> tuple[float, float, float, float] | None:
    """(minx, maxx, miny, maxy) of a GeoPackage geometry, None when empty or unreadable."""
    if dati is None or len(dati) < 8 or dati[:2] != b"GP":
        return None
    flags = dati[3]
    if flags & 0b00010000:
        return None
    tipo = (flags >> 1) & 0b111
    ordine = "<" if flags & 1 else ">"
    if tipo:
        return struct.unpack(ordine + "4d", dati[8:40])
    try:
        g = shapely.from_wkb(bytes(dati[8 + _LUNGHEZZA_BUSTA.get(tipo, 0):]))
    except shapely.errors.GEOSException:
        return None
    if g is None or g.is_empty:
        return None
    minx, miny, maxx, maxy = g.bounds
    return minx, maxx, miny, maxy


def _funzioni(con: sqlite3.Connection) -> None:
    """The functions the spatial index's triggers call."""
    con.create_function("ST_IsEmpty", 1, lambda g: None if g is None else int(_busta(g) is None), deterministic=True)
    for k, nome in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(nome, 1, lambda g, k=k: (b[k] if (b := _busta(g)) else None), deterministic=True)


def recupera(path: Path) -> None:
    """Roll back what a killed append left half done (a hot journal beside the file).

    A read-only opening (GDAL's, or ``mappe verifica``'s) cannot roll it back and would fail;
    a writable connection does it as soon as it reads. Nothing to do without a journal.
    """
    path = Path(path)
    if not Path(str(path) + "-journal").exists() or not path.exists():
        return
    con = sqlite3.connect(path, timeout=ATTESA_S)
    try:
        con.execute("PRAGMA schema_version").fetchone()
    finally:
        con.close()


def inserisci(path: Path, tabella: str, righe: list[dict], geometrie: list | None = None,
              unici: str | None = None) -> list[int]:
    """Insert ``righe`` (column -> value; columns the table lacks are left out) with their
    ``geometrie`` (shapely, or None) into the GeoPackage ``path``, in one transaction. With
    ``unici`` (a column, e.g. ``id``), a row whose value the table holds already is left out,
    looked up inside the same transaction. Returns the positions of the rows inserted."""
    if not righe:
        return []
    con = sqlite3.connect(path, timeout=ATTESA_S, isolation_level=None)
    try:
        _funzioni(con)
        con.execute("PRAGMA synchronous=FULL")
        geo = con.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                          (tabella,)).fetchone()
        colonne_tabella = {r[1] for r in con.execute(f'PRAGMA table_info("{tabella}")')}
        nomi = [c for c in righe[0] if c in colonne_tabella and c != "fid" and (not geo or c != geo[0])]
        valori = [[r.get(c) for c in nomi] for r in righe]
        if geo:
            geometrie = geometrie if geometrie is not None else [None] * len(righe)
            for v, g in zip(valori, geometrie):
                v.append(blob(g, int(geo[1])))
            nomi.append(geo[0])
        segnaposti = ", ".join("?" * len(nomi))
        elenco = ", ".join(f'"{n}"' for n in nomi)
        posizioni = list(range(len(valori)))
        con.execute("BEGIN IMMEDIATE")
        try:
            if unici is not None:
                chiavi = [r.get(unici) for r in righe]
                presenti = set()
                for k in range(0, len(chiavi), 500):
                    pezzo = chiavi[k:k + 500]
                    presenti |= {x for (x,) in con.execute(
                        f'SELECT "{unici}" FROM "{tabella}" WHERE "{unici}" IN ({", ".join("?" * len(pezzo))})',
                        pezzo)}
                visti: set = set()
                posizioni = [k for k, c in enumerate(chiavi) if c not in presenti and not (c in visti or visti.add(c))]
                valori = [valori[k] for k in posizioni]
            con.executemany(f'INSERT INTO "{tabella}" ({elenco}) VALUES ({segnaposti})', valori)
            con.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                        "WHERE lower(table_name) = lower(?)", (tabella,))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return posizioni
