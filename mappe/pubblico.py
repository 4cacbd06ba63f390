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
  dropped; a moved row is never shown within a few metres of any sensitive row's true place
  (:data:`MARGINE_M`), so that the privacy check never takes one for the other;
- aggregates with fewer than :data:`SOGLIA_AGGREGATI` contributions are not shown;
- photos (:mod:`mappe.foto`) of reserved, no-consent or sensitive rows, and those marked
  ``foto_pubblica = no``, stay inside (:func:`foto_interne`), internal maps included, and
  wherever else the same picture is attached: "inside" wins; the caption goes with the last
  photo shown; who took a photo (``autore_foto``, private) is shown as ``credito_foto`` only
  where the row's consent covers it (:func:`crediti_pubblici`).
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
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .catalogo import Catalogo
from .errori import PrivacyError
from .testo import quanti

__all__ = ["CAMPI_ID", "SOGLIA_AGGREGATI", "arrotondate", "commenti_non_approvati",
           "con_ids_pubblici", "id_con_chiave", "id_pubblico", "indice_pubblici", "posizioni_da_evitare", "proietta", "risposte_pubbliche",
           "sposta_sensibili", "valori_segreti", "verifica"]

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


# A moved position keeps this far (metres, in both directions) from every true position of a
# sensitive row: the privacy check takes a written position within riservatezza.METRI (2 m) of a
# true one for it, and a page writes positions rounded to 5 decimals (up to 0.6 m off).
MARGINE_M = 4.0
TENTATIVI = 64  # keyed offsets tried per row before it is dropped
_GRADI_METRO = 1 / 111_320  # degrees of latitude in a metre


def posizioni_da_evitare(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Every true coordinate (lon, lat) of the sensitive rows of a layer, reserved rows included:
    where no moved row may be shown (:func:`sposta_sensibili`). The same secrets the privacy check
    looks for (:mod:`mappe.riservatezza`)."""
    if "sensibile" not in gdf.columns or "geometry" not in gdf.columns:
        return np.empty((0, 2))
    sens = gdf[(gdf["sensibile"] == 1) & gdf.geometry.notna()]
    return shapely.get_coordinates(np.asarray(sens.geometry.values, dtype=object))


def _vicine(gradi: np.ndarray, albero) -> np.ndarray:
    """Which geometries (lon, lat) have a coordinate within :data:`MARGINE_M` of a point of ``albero``."""
    vicine = np.zeros(len(gradi), dtype=bool)
    if albero is None or not len(gradi):
        return vicine
    xy, quale = shapely.get_coordinates(gradi, return_index=True)
    if not len(xy):
        return vicine
    hy = MARGINE_M * _GRADI_METRO
    hx = hy / np.maximum(np.cos(np.radians(np.clip(np.abs(xy[:, 1]), 0, 89))), 0.01)
    scatole = shapely.box(xy[:, 0] - hx, xy[:, 1] - hy, xy[:, 0] + hx, xy[:, 1] + hy)
    colpite, _ = albero.query(scatole)
    vicine[quale[colpite]] = True
    return vicine


def sposta_sensibili(gdf: gpd.GeoDataFrame, confine, chiave: bytes, evita=None) -> gpd.GeoDataFrame:
    """Move the geometries of the rows with ``sensibile`` = 1 by a stable keyed offset (zones and
    paths generalised first: :func:`_generalizza`).

    A row takes the first of its keyed offsets (:data:`TENTATIVI`) that keeps it inside the comune
    and keeps every coordinate it is shown at :data:`MARGINE_M` away from each position of
    ``evita`` (default: the true coordinates of the sensitive rows of ``gdf``; the public projection
    passes those of the whole layer, :func:`posizioni_da_evitare`): among thousands of sensitive
    rows some moved point would otherwise land, by chance, within the privacy check's 2 m of another
    row's true place. Which offset a row takes depends only on its id, the key, its geometry, the
    boundary and ``evita``, never on the other rows moved with it (the privacy check recomputes a
    few rows alone). Rows that cannot be moved inside the comune are dropped (never shown at the
    true place).
    """
    mask = (gdf["sensibile"] == 1) & gdf.geometry.notna()
    if not mask.any():
        return gdf
    gdf = gdf.copy()
    conf_m = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0]
    shapely.prepare(conf_m)
    righe = gdf.index[mask]
    ids = [str(i) for i in gdf.loc[mask, "id"].tolist()]
    metri = np.array([_generalizza(g) for g in gdf.loc[mask].geometry.to_crs(CRS_METRICO).values], dtype=object)
    evita = posizioni_da_evitare(gdf) if evita is None else np.asarray(evita, dtype=float).reshape(-1, 2)
    albero = shapely.STRtree(shapely.points(evita)) if len(evita) else None
    indietro = Transformer.from_crs(CRS_METRICO, "EPSG:4326", always_xy=True)
    nuove = np.full(len(righe), None, dtype=object)
    da_fare = np.flatnonzero(~shapely.is_empty(metri))
    for tentativo in range(TENTATIVI):
        if not len(da_fare):
            break
        spostamenti = np.array([_offset(chiave, ids[k], tentativo) for k in da_fare.tolist()])
        forme = metri[da_fare]
        xy, quale = shapely.get_coordinates(forme, return_index=True)
        spostate = shapely.set_coordinates(forme.copy(), xy + spostamenti[quale])
        dentro = shapely.contains(conf_m, shapely.point_on_surface(spostate)) & \
            shapely.contains(conf_m, shapely.centroid(spostate))
        # in degrees, exactly as they will be shown (and checked)
        xy = shapely.get_coordinates(spostate)
        lon, lat = indietro.transform(xy[:, 0], xy[:, 1])
        gradi = shapely.set_coordinates(spostate.copy(), np.column_stack([lon, lat]))
        buone = dentro & ~_vicine(gradi, albero)
        nuove[da_fare[buone]] = gradi[buone]
        da_fare = da_fare[~buone]
    mosse = np.array([g is not None for g in nuove], dtype=bool)
    if mosse.any():
        gdf.loc[righe[mosse], "geometry"] = gpd.GeoSeries(nuove[mosse], index=righe[mosse], crs="EPSG:4326").values
    if "luogo" in gdf.columns:
        gdf.loc[mask, "luogo"] = None
    return gdf.drop(index=righe[~mosse])


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
    interne = foto_interne(strati)
    for nome, df in strati.items():
        strato = catalogo.strati.get(nome)
        if strato is None:
            out[nome] = df
            continue
        if "foto" in df.columns:
            df = _foto_pubbliche(df, catalogo, interne)
        df = df.drop(columns=[c for c in strato.privati if c in df.columns])
        if not interna:
            # before reserved rows go: a moved row must not be shown at their true place either
            evita = posizioni_da_evitare(df) if isinstance(df, gpd.GeoDataFrame) else None
            df = df[~non_pubblici(df)]
            if nome == "riscontri" and "stato" in df.columns:
                df = df[df["stato"] == "approvato"]
            if "sensibile" in df.columns and isinstance(df, gpd.GeoDataFrame):
                if confine is None or chiave is None:
                    raise ValueError("sensitive rows need the boundary and the workspace key")
                df = sposta_sensibili(df, confine, chiave, evita)
            if "sensibile" in df.columns and "indirizzo" in df.columns and (df["sensibile"] == 1).any():
                # the address in words would give back the place that was moved
                df = df.copy()
                df.loc[df["sensibile"] == 1, "indirizzo"] = None
            if nome == "iniziative" and "contributi" in strati:
                df = risposte_pubbliche(df, strati["contributi"])
        out[nome] = df.reset_index(drop=True)
    return out


def risposte_pubbliche(iniziative: pd.DataFrame, contributi: pd.DataFrame) -> pd.DataFrame:
    """Initiatives whose ``risponde_a`` names only public contributions: a link to a reserved or
    no-consent proposal would say that it exists (and where the line ends)."""
    if "risponde_a" not in iniziative.columns or not len(iniziative):
        return iniziative
    visibili = set(contributi.loc[~non_pubblici(contributi), "id"])
    out = iniziative.copy()
    out["risponde_a"] = pd.Series(
        ["|".join(x for x in v.split("|") if x in visibili) or None if isinstance(v, str) else None
         for v in out["risponde_a"].tolist()], index=out.index, dtype=object)
    return out


def foto_nascoste(df: pd.DataFrame) -> pd.Series:
    """Rows whose photos stay inside: ``foto_pubblica = no``, reserved or no-consent rows, and
    sensitive ones (a photo would show the true place that the map moves)."""
    fuori = non_pubblici(df)
    if "foto_pubblica" in df.columns:
        fuori |= df["foto_pubblica"] == "no"
    if "sensibile" in df.columns:
        fuori |= df["sensibile"] == 1
    return fuori


def foto_interne(strati: dict[str, pd.DataFrame]) -> set[str]:
    """The photos of a comune that never leave the store: those of any row whose photos stay
    inside (:func:`foto_nascoste`), also where another row shows the same picture."""
    from .archivio import ids_in_celle

    interne: set[str] = set()
    for df in strati.values():
        if isinstance(df, pd.DataFrame) and "foto" in df.columns:
            interne |= ids_in_celle(df.loc[foto_nascoste(df), "foto"].tolist())
    return interne


def foto_mostrabili(celle, interne: set[str]) -> list:
    """The cells of a ``foto`` column without the photos that stay inside (None when none is left)."""
    out = []
    for v in celle:
        if isinstance(v, str) and v:
            restano = [x for x in v.split("|") if x and x not in interne]
            out.append("|".join(restano) or None)
        else:
            out.append(None)
    return out


def crediti_pubblici(df: pd.DataFrame, catalogo: Catalogo, interne: set[str] | None = None) -> pd.Series:
    """Rows whose photo's author may be named: a public row with a photo shown (not among
    ``interne``, :func:`foto_interne`), whose consent covers the name (``nomina`` in the
    catalogue: written consent by default)."""
    from .catalogo import nomina

    if not {"foto", "autore_foto", "consenso"} <= set(df.columns):
        return pd.Series(False, index=df.index)
    copre = {c: nomina(catalogo, c) for c in df["consenso"].dropna().unique()}
    foto = df["foto"] if not interne else pd.Series(foto_mostrabili(df["foto"].tolist(), interne), index=df.index,
                                                     dtype=object)
    return (foto.notna() & df["autore_foto"].notna() & ~foto_nascoste(df)
            & df["consenso"].map(lambda c: copre.get(c, False)).astype(bool))


def _foto_pubbliche(df: pd.DataFrame, catalogo: Catalogo, interne: set[str]) -> pd.DataFrame:
    df = df.copy()
    prima = df["foto"].tolist()
    df["foto"] = pd.Series(foto_mostrabili(prima, interne), index=df.index, dtype=object)
    senza = df["foto"].isna()
    if "didascalia" in df.columns:
        df.loc[senza, "didascalia"] = None
        # one caption per photo ("a | b"): those of the photos that stay inside go with them
        for k, (cella, dida) in enumerate(zip(prima, df["didascalia"].tolist())):
            if isinstance(dida, str) and "|" in dida and isinstance(cella, str):
                ids, parti = cella.split("|"), dida.split("|")
                if len(ids) == len(parti):
                    restano = [p.strip() for i, p in zip(ids, parti) if i not in interne]
                    df.iat[k, df.columns.get_loc("didascalia")] = "|".join(restano) or None
    credito = pd.Series(None, index=df.index, dtype=object)
    if "autore_foto" in df.columns:
        ok = crediti_pubblici(df, catalogo, interne)
        credito[ok] = df.loc[ok, "autore_foto"]
    df["credito_foto"] = credito
    return df


def valori_crediti(strati: dict[str, pd.DataFrame], catalogo: Catalogo) -> set[str]:
    """The names of photo authors shown by consent (not secrets, though ``autore_foto`` is private)."""
    out = set()
    interne = foto_interne(strati)
    for df in strati.values():
        if isinstance(df, pd.DataFrame) and "autore_foto" in df.columns:
            out |= {str(v) for v in df.loc[crediti_pubblici(df, catalogo, interne), "autore_foto"].dropna()}
    return out


def non_pubblici(df: pd.DataFrame) -> pd.Series:
    """Rows that never reach the public: reserved, or said without consent."""
    fuori = pd.Series(False, index=df.index)
    if "visibilita" in df.columns:
        fuori |= df["visibilita"] == "riservato"
    if "consenso" in df.columns:
        fuori |= df["consenso"] == "nessuno"
    return fuori


def valori_segreti(strati: dict[str, pd.DataFrame], catalogo: Catalogo, commenti: bool = True) -> list[str]:
    """Texts that must never appear in a public file (4+ characters).

    They are the values of private fields, and the free texts of reserved rows that no
    public row also holds. Codes and references (ids, sessions, places) are not secrets.
    ``commenti=False`` leaves out the visitors' comments not approved (see
    :func:`commenti_non_approvati`): anyone can write those, so they are looked for whole.
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
        if "sensibile" in df.columns and "indirizzo" in df.columns:
            # the address of a sensitive row is its true place, in words
            sensibili = df["sensibile"] == 1
            visti = set(df.loc[~sensibili & ~non_pubblici(df), "indirizzo"].dropna().astype(str))
            segreti.update(str(v) for v in df.loc[sensibili, "indirizzo"].dropna() if str(v) not in visti)
        if commenti and nome == "riscontri":
            segreti.update(commenti_non_approvati({nome: df}))
    segreti -= valori_crediti(strati, catalogo)
    return sorted(s for s in segreti if len(s.strip()) >= LUNGHEZZA_MIN_SEGRETO)


def commenti_non_approvati(strati: dict[str, pd.DataFrame]) -> set[str]:
    """The visitors' comments not (yet) approved by the staff, which never reach the public.

    Anyone at an exhibition can write one, and make it a word that a public file holds anyway
    ("della", "function", a public title): searched for as a part of the text, such a comment
    would stop every page and export until moderated. The checks look for them whole, where a
    comment is written (see :func:`mappe.rendi.mappa.controlla_pagina`).
    """
    df = strati.get("riscontri")
    if df is None or "stato" not in df.columns or "commento" not in df.columns:
        return set()
    approvati = df["stato"] == "approvato"
    visti = {str(v).strip() for v in df.loc[approvati, "commento"].dropna()}
    return {str(v).strip() for v in df.loc[~approvati, "commento"].dropna()
            if str(v).strip() not in visti and len(str(v).strip()) >= LUNGHEZZA_MIN_SEGRETO}


def _forme(valore: str) -> set[str]:
    """The ways a text can be written into an HTML page."""
    j = json.dumps(valore, ensure_ascii=False)[1:-1]
    j_html = j.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return {valore, html.escape(valore), html.escape(valore, quote=False), j, j_html,
            json.dumps(valore)[1:-1]}


def arrotondate(x: float, y: float) -> set[tuple[float, float]]:
    """The ways a page can write (x, y) to 5 decimals: Python's ``round`` (lines, zones) and
    numpy's (points, as scaled integers) differ on ties such as 7.123455; each number either way."""
    return {(a, b) for a in {round(x, 5), float(np.round(x, 5))} for b in {round(y, 5), float(np.round(y, 5))}}


def coordinate_segrete(contributi: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """True positions of sensitive points, which a public file must not contain.

    A position that a public point, line or zone also has (to 5 decimals, rounded either way) is
    not a secret (and would make every map fail): the page shows it anyway.
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
    xy = shapely.get_coordinates(np.asarray(pubblici.geometry.values, dtype=object))
    noti = set(zip(np.round(xy[:, 0], 5).tolist(), np.round(xy[:, 1], 5).tolist()))
    noti.update((round(x, 5), round(y, 5)) for x, y in xy.tolist())
    return [(x, y) for x, y in punti if not (arrotondate(x, y) & noti)]


def verifica(testo_html: str, segreti: list[str], coordinate: list[tuple[float, float]] = (),
             posizioni: set | None = None) -> list[str]:
    """What of ``segreti`` (and of true sensitive coordinates) appears in a public HTML text.

    ``posizioni`` are the positions decoded from a page's data block (maps store points as
    compact integers, which a text search would not see). Returns the leaked values (empty
    when the file is clean).
    """
    from .riservatezza import contenuti

    forme = [sorted(_forme(s)) for s in segreti]
    # Maps write positions as "lon,lat" pairs rounded to 5 decimals (about 1 m), either way on a tie.
    arrotondamenti = [sorted(arrotondate(x, y)) for x, y in coordinate]
    scritte = [[f"{a!r},{b!r}" for a, b in aa] for aa in arrotondamenti]
    # every form of every secret at once: a page of millions of characters, tens of thousands of secrets
    presenti = contenuti(testo_html, [f for ff in forme for f in ff] + [t for tt in scritte for t in tt])
    trovati, k = [], 0
    for s, ff in zip(segreti, forme):
        if any(presenti[k:k + len(ff)]):
            trovati.append(s)
        k += len(ff)
    for (x, y), aa, tt in zip(coordinate, arrotondamenti, scritte):
        scritta = any(p and _numeri_interi(testo_html, t) for p, t in zip(presenti[k:k + len(aa)], tt))
        if scritta or (posizioni and any(a in posizioni for a in aa)):
            trovati.append(f"{y:.5f}, {x:.5f}")
        k += len(aa)
    return trovati


def _numeri_interi(testo: str, scritta: str) -> bool:
    """Is ``scritta`` ("7.54941,45.0") in ``testo`` as whole numbers, not as the start or the end
    of longer ones ("7.54941,45.000749" is another place, 80 m away)?"""
    return re.search(r"(?<![\d.\-])" + re.escape(scritta) + r"(?![\d])", testo) is not None


def controlla(testo_html: str, segreti: list[str], coordinate=(), posizioni: set | None = None) -> None:
    """Raise :class:`PrivacyError` when a public file leaks anything."""
    trovati = verifica(testo_html, segreti, coordinate, posizioni)
    if trovati:
        esempio = trovati[0][:30]
        raise PrivacyError(
            f"Il file conterrebbe {quanti(len(trovati), 'dato riservato', 'dati riservati')} (per esempio '{esempio}...'): "
            "non è stato scritto. Segnalare il problema a chi mantiene mappe."
        )
