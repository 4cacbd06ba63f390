"""The public projection: the only place where privacy rules apply.

Everything that leaves the workspace for the public (a map, an exhibition, a poster) goes
through :func:`proietta` first, and its output is checked by :func:`verifica`.

Rules
-----
- fields marked ``privato`` in the catalogue are dropped (also for internal maps);
- ``riservato`` rows and rows said without consent (``consenso = nessuno``) are dropped
  (internal maps keep them, under a banner);
- ``sensibile`` rows are moved by a keyed offset of 100-250 m that stays inside the comune:
  the same row gets the same shown position on every export (no fresh jitter to average
  away), and the key stays in the workspace (``.mappe/segreto``); their ``luogo`` link is
  dropped;
- aggregates with fewer than :data:`SOGLIA_AGGREGATI` contributions are not shown.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import html
import json
import math
import re
import struct

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import affinity

from .catalogo import Catalogo
from .errori import PrivacyError

__all__ = ["CAMPI_ID", "SOGLIA_AGGREGATI", "con_ids_pubblici", "id_con_chiave", "id_pubblico", "indice_pubblici", "proietta", "sposta_sensibili", "valori_segreti",
           "verifica"]

SOGLIA_AGGREGATI = 3
DISTANZA_MIN_M = 100
DISTANZA_MAX_M = 250
CRS_METRICO = "EPSG:3035"
LUNGHEZZA_MIN_SEGRETO = 4
# Fields that hold codes or links, not words of people.
RIFERIMENTI = {"id", "incontro", "luogo", "risponde_a", "su", "mostra", "epoca"}


def id_pubblico(chiave: bytes, id_interno) -> str | None:
    """The id a public output carries for an internal id (None stays None).

    A keyed function (HMAC-SHA-256 with the workspace secret: ``p`` and 15 hex digits) of the
    internal id: nothing about the row can be recomputed or confirmed from it, and two workspaces holding
    the same data publish different ids. Everything that reads ids back maps them with
    :func:`indice_pubblici`.
    """
    if id_interno is None or (isinstance(id_interno, float) and math.isnan(id_interno)) or id_interno == "":
        return None
    h = _hmac_pronto(chiave, b"id-pubblico\x1f").copy()
    h.update(str(id_interno).encode("utf-8"))
    # a letter first: a spreadsheet never takes it for a number (16 digits would lose the last ones)
    return "p" + h.hexdigest()[:15]


@functools.lru_cache(maxsize=16)
def _hmac_pronto(chiave: bytes, dominio: bytes):
    """An HMAC-SHA-256 with its key and domain already absorbed: copying it costs a third less
    than a new one, which counts at 100,000 ids per map."""
    return hmac.new(chiave, dominio, hashlib.sha256)


# What an id made from a row's content looked like before it was keyed (see id_con_chiave).
ID_CONTENUTO_VECCHIO = re.compile(r"^[a-z]-[0-9a-f]{16}$")


def id_con_chiave(chiave: bytes, id_senza_chiave: str) -> str:
    """The keyed form of a content hash (``c-`` + 16 hex digits): without the workspace secret
    nobody can recompute it from a guess of a row's words and position, and so confirm the guess.

    Ids made from content before they were keyed are replaced by this form, once, in every
    store, kept version, history and registry (:func:`mappe.archivio.migra_ids`).
    """
    h = _hmac_pronto(chiave, b"id-contenuto\x1f").copy()
    h.update(id_senza_chiave.encode("utf-8"))
    return f"{id_senza_chiave[:2]}{h.hexdigest()[:16]}"


# Figures about people of one session (how many took part, which age groups were there): they are
# published only as protected aggregates (mappe.soppressione), never session by session, where a
# session of two would be a small count.
SOLO_AGGREGATI = {"incontri": ("partecipanti", "fasce_eta")}

# Fields that hold ids (lists separated by "|" in risponde_a): public outputs carry public ids there.
CAMPI_ID = ("id", "incontro", "luogo", "risponde_a", "su")


def con_ids_pubblici(df: pd.DataFrame, chiave: bytes) -> pd.DataFrame:
    """A copy of a table whose id fields (:data:`CAMPI_ID`) hold public ids instead of internal ones."""
    df = df.copy()
    for campo in CAMPI_ID:
        if campo not in df.columns:
            continue
        if campo == "risponde_a":
            df[campo] = [
                "|".join(id_pubblico(chiave, x) for x in v.split("|") if x) or None if isinstance(v, str) else None
                for v in df[campo].tolist()
            ]
        else:
            df[campo] = [id_pubblico(chiave, v) if isinstance(v, str) else None for v in df[campo].tolist()]
    return df


def indice_pubblici(chiave: bytes, ids) -> dict[str, str]:
    """Public id -> internal id, for the ids of a store (to map back what comes from outside)."""
    out = {}
    for i in ids:
        p = id_pubblico(chiave, i)
        if p is not None:
            out[p] = str(i)
    return out


def _offset(chiave: bytes, id_: str, tentativo: int) -> tuple[float, float]:
    d = hmac.new(chiave, f"{id_}\x1f{tentativo}".encode(), hashlib.sha256).digest()
    u1, u2 = struct.unpack(">QQ", d[:16])
    angolo = 2 * math.pi * (u1 / 2**64)
    distanza = DISTANZA_MIN_M + (DISTANZA_MAX_M - DISTANZA_MIN_M) * (u2 / 2**64)
    return distanza * math.cos(angolo), distanza * math.sin(angolo)


def _generalizza(g):
    """A sensitive zone or path as it may be shown (in metres): its shape would give it away even
    moved (a house's outline, a route along the streets can be matched on any map within 250 m).

    A zone becomes a circle of about its size (radius rounded up to 25 m, at least 50 m) around its
    centre; a path keeps only its general course (simplified to a tolerance of at least 50 m).
    """
    if g.geom_type in ("Polygon", "MultiPolygon"):
        raggio = max(50.0, math.ceil(math.sqrt(g.area / math.pi) / 25) * 25)
        return g.centroid.buffer(raggio, quad_segs=6)
    if g.geom_type in ("LineString", "MultiLineString"):
        semplice = shapely.simplify(g, max(50.0, g.length / 8), preserve_topology=False)
        return g if semplice.is_empty else semplice
    return g


def sposta_sensibili(gdf: gpd.GeoDataFrame, confine, chiave: bytes) -> gpd.GeoDataFrame:
    """Move the geometries of the rows with ``sensibile`` = 1 by a stable keyed offset (zones and
    paths generalised first: :func:`_generalizza`).

    Rows that cannot be moved inside the comune are dropped (never shown at the true place).
    """
    mask = (gdf["sensibile"] == 1) & gdf.geometry.notna()
    if not mask.any():
        return gdf
    gdf = gdf.copy()
    conf_m = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0]
    shapely.prepare(conf_m)
    metri = gdf.loc[mask].geometry.to_crs(CRS_METRICO)
    # A moved point must not land (to ~1 m) on the true position of another sensitive point: the
    # page would then show that secret position (rare, but certain among thousands).
    veri = {(round(g.x, 5), round(g.y, 5)) for g in gdf.loc[mask].geometry if g.geom_type == "Point"}
    indietro = Transformer.from_crs(CRS_METRICO, "EPSG:4326", always_xy=True)
    nuove, da_togliere = {}, []
    for idx, g in metri.items():
        id_ = str(gdf.at[idx, "id"])
        g = _generalizza(g)
        for tentativo in range(64):
            dx, dy = _offset(chiave, id_, tentativo)
            spostata = affinity.translate(g, dx, dy)
            if not (conf_m.contains(spostata.representative_point()) and conf_m.contains(spostata.centroid)):
                continue
            if g.geom_type == "Point" and len(veri) > 1:
                x, y = indietro.transform(spostata.x, spostata.y)
                if (round(x, 5), round(y, 5)) in veri:
                    continue
            nuove[idx] = spostata
            break
        else:
            da_togliere.append(idx)
    if nuove:
        serie = gpd.GeoSeries(list(nuove.values()), index=list(nuove.keys()), crs=CRS_METRICO).to_crs("EPSG:4326")
        gdf.loc[serie.index, "geometry"] = serie.values
    if "luogo" in gdf.columns:
        gdf.loc[mask, "luogo"] = None
    return gdf.drop(index=da_togliere)


def proietta(
    strati: dict[str, pd.DataFrame],
    catalogo: Catalogo,
    confine=None,
    chiave: bytes | None = None,
    interna: bool = False,
) -> dict[str, pd.DataFrame]:
    """Apply the privacy rules to the layers of one comune.

    Parameters
    ----------
    strati : dict
        Layer name -> table as read from the store.
    confine : shapely geometry
        The comune's boundary (where sensitive rows must stay).
    chiave : bytes
        The workspace secret (``Area.segreto()``).
    interna : bool
        For internal maps: keep reserved rows and true positions; private fields still go.
    """
    out = {}
    for nome, df in strati.items():
        strato = catalogo.strati.get(nome)
        if strato is None:
            out[nome] = df
            continue
        df = df.drop(columns=[c for c in strato.privati if c in df.columns])
        if not interna:
            df = df[~non_pubblici(df)]
            if nome == "riscontri" and "stato" in df.columns:
                df = df[df["stato"] == "approvato"]
            if "sensibile" in df.columns and isinstance(df, gpd.GeoDataFrame):
                if confine is None or chiave is None:
                    raise ValueError("sensitive rows need the boundary and the workspace key")
                df = sposta_sensibili(df, confine, chiave)
        out[nome] = df.reset_index(drop=True)
    return out


def non_pubblici(df: pd.DataFrame) -> pd.Series:
    """Rows that never reach the public: reserved, or said without consent."""
    fuori = pd.Series(False, index=df.index)
    if "visibilita" in df.columns:
        fuori |= df["visibilita"] == "riservato"
    if "consenso" in df.columns:
        fuori |= df["consenso"] == "nessuno"
    return fuori


def valori_segreti(strati: dict[str, pd.DataFrame], catalogo: Catalogo) -> list[str]:
    """Texts that must never appear in a public file (4+ characters).

    They are the values of private fields, and the free texts of reserved rows that no
    public row also holds. Codes and references (ids, sessions, places) are not secrets.
    """
    segreti = set()
    for nome, df in strati.items():
        strato = catalogo.strati.get(nome)
        if strato is None:
            continue
        for c in strato.privati:
            if c in df.columns:
                segreti.update(str(v) for v in df[c].dropna())
        if "visibilita" in df.columns or "consenso" in df.columns:
            liberi = [
                c.nome for c in strato.campi.values()
                if c.tipo == "testo" and not c.privato and c.nome not in RIFERIMENTI and c.nome in df.columns
            ]
            riservati = non_pubblici(df)
            pubblici = set()
            for c in liberi:
                pubblici.update(str(v) for v in df.loc[~riservati, c].dropna())
            for c in liberi:
                segreti.update(str(v) for v in df.loc[riservati, c].dropna() if str(v) not in pubblici)
        if nome == "riscontri" and "stato" in df.columns and "commento" in df.columns:
            # Comments not (yet) approved by the staff never reach the public.
            approvati = df["stato"] == "approvato"
            visti = set(df.loc[approvati, "commento"].dropna().astype(str))
            segreti.update(str(v) for v in df.loc[~approvati, "commento"].dropna() if str(v) not in visti)
    return sorted(s for s in segreti if len(s.strip()) >= LUNGHEZZA_MIN_SEGRETO)


def _forme(valore: str) -> set[str]:
    """The ways a text can be written into an HTML page."""
    j = json.dumps(valore, ensure_ascii=False)[1:-1]
    j_html = j.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return {valore, html.escape(valore), html.escape(valore, quote=False), j, j_html,
            json.dumps(valore)[1:-1]}


def coordinate_segrete(contributi: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """True positions of sensitive points, which a public file must not contain.

    A position that a public line or zone also passes through is not a secret (and would
    make every map fail): it is already public.
    """
    if "sensibile" not in contributi.columns:
        return []
    presenti = contributi.geometry.notna()
    sens = contributi[(contributi["sensibile"] == 1) & presenti]
    punti = [(g.x, g.y) for g in sens.geometry if g.geom_type == "Point"]
    if not punti:
        return []
    pubblici = contributi[(contributi["sensibile"] != 1) & presenti]
    pubblici = pubblici[~non_pubblici(pubblici)]
    noti = {(round(float(x), 5), round(float(y), 5))
            for x, y in shapely.get_coordinates(pubblici.geometry.values)}
    return [(x, y) for x, y in punti if (round(x, 5), round(y, 5)) not in noti]


def verifica(testo_html: str, segreti: list[str], coordinate: list[tuple[float, float]] = (),
             posizioni: set | None = None) -> list[str]:
    """What of ``segreti`` (and of true sensitive coordinates) appears in a public HTML text.

    ``posizioni`` are the positions decoded from a page's data block (maps store points as
    compact integers, which a text search would not see). Returns the leaked values (empty
    when the file is clean).
    """
    from .riservatezza import contenuti

    forme = [sorted(_forme(s)) for s in segreti]
    # Maps write positions as "lon,lat" pairs rounded to 5 decimals (about 1 m).
    scritte = [f"{round(x, 5)!r},{round(y, 5)!r}" for x, y in coordinate]
    # every form of every secret at once: a page of millions of characters, tens of thousands of secrets
    presenti = contenuti(testo_html, [f for ff in forme for f in ff] + scritte)
    trovati, k = [], 0
    for s, ff in zip(segreti, forme):
        if any(presenti[k:k + len(ff)]):
            trovati.append(s)
        k += len(ff)
    for (x, y), scritta in zip(coordinate, presenti[k:]):
        if scritta or (posizioni and (round(x, 5), round(y, 5)) in posizioni):
            trovati.append(f"{y:.5f}, {x:.5f}")
    return trovati


def controlla(testo_html: str, segreti: list[str], coordinate=(), posizioni: set | None = None) -> None:
    """Raise :class:`PrivacyError` when a public file leaks anything."""
    trovati = verifica(testo_html, segreti, coordinate, posizioni)
    if trovati:
        esempio = trovati[0][:30]
        raise PrivacyError(
            f"Il file conterrebbe {len(trovati)} dati riservati (per esempio '{esempio}...'): "
            "non è stato scritto. Segnalare il problema a chi mantiene mappe."
        )
