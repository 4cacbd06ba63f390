"""The editor for facilitators ("rilievo"): one offline HTML file to place what was said on the map.

It shows the comune's boundary, its places and the contributions already there (faded);
facilitators add points, paths and zones with a form built from the catalogue, and export a
GeoJSON file that ``mappe importa`` takes as it is. Private fields never enter the page.
"""

from __future__ import annotations

import secrets

from .. import pubblico
from ..archivio import Archivio, Area
from . import risorse
from .mappa import DECIMALI, TESTI, _colonna, _geojson, _voci, controlla_pagina, pagina_generica

__all__ = ["TESTI_RILIEVO", "costruisci_rilievo"]

TESTI_RILIEVO = {
    "rilievo": "Rilievo", "rilievo_spiega": "Scegliere uno strumento, toccare la mappa, compilare la scheda. "
    "Tutto resta in questo browser finché non si esporta; poi: mappe importa FILE --comune NOME.",
    "strumenti": "Strumenti di disegno", "punto": "Punto", "percorso": "Percorso", "zona": "Zona",
    "fine_disegno": "Fine disegno", "esporta": "Esporta (GeoJSON)", "cerca_luogo": "Cerca un luogo", "vai": "Vai",
    "luogo_non_trovato": "Nessun luogo con questo nome.", "clic_punto": "Toccare la mappa dove va il punto.",
    "clic_percorso": "Toccare i punti del percorso, poi «Fine disegno».",
    "clic_zona": "Toccare i vertici della zona, poi «Fine disegno».", "servono_2": "Servono almeno 2 punti.",
    "servono_3": "Servono almeno 3 punti.", "nuovo": "Nuovo contributo", "spostato": "Posizione aggiornata.",
    "modulo": "Scheda del contributo", "tipo": "Tipo", "tema_campo": "Tema", "titolo_campo": "Titolo",
    "parole": "Le parole dei partecipanti", "visibilita": "Visibilità",
    "sensibile": "Posizione sensibile (in pubblico viene spostata)", "salva": "Salva", "elimina": "Elimina",
    "conferma_elimina": "Eliminare questo contributo dal rilievo?", "eliminato": "Eliminato.",
    "obbligatori": "Tipo, tema e parole sono obbligatori.", "salvato": "Salvato nel browser.",
    "aggiunti": "Aggiunti in questo rilievo", "da_compilare": "da compilare", "da_collocare": "Da collocare",
    "colloca": "Colloca sulla mappa", "clic_colloca": "Toccare la mappa dove va questo contributo.",
    "niente_da_esportare": "Niente da esportare: compilare almeno una scheda (tipo, tema, parole).",
    "esportati": "contributi esportati in", "incompleti": "schede incomplete non esportate",
    "al_centro": "Aggiungi al centro della mappa",
    "consenso": "Consenso dato (scritto, orale o nessuno)",
}
TESTI_RILIEVO_EN = {
    **TESTI_RILIEVO,
    "rilievo": "Survey", "rilievo_spiega": "Pick a tool, tap the map, fill the form. Everything stays in this "
    "browser until exported; then: mappe importa FILE --comune NAME.",
    "punto": "Point", "percorso": "Path", "zona": "Zone", "fine_disegno": "Finish", "esporta": "Export (GeoJSON)",
    "cerca_luogo": "Find a place", "vai": "Go", "salva": "Save", "elimina": "Delete", "nuovo": "New contribution",
}


def costruisci_rilievo(area: Area, archivio: Archivio, incontro: str | None = None, lingua: str = "it",
                       contenuto: dict | None = None) -> str:
    """The HTML of the editor for one comune (``incontro``: the session the new rows belong to).

    ``contenuto``, if given, receives {comune slug: ids of the rows in the page}.
    """
    catalogo = area.catalogo
    grezzi = {n: archivio.leggi(n) for n in ("contributi", "luoghi", "incontri")}
    confine = archivio.confine().geometry.union_all()
    # Internal tool: reserved rows are listed, private fields never enter the page.
    strati = pubblico.proietta(grezzi, catalogo, confine, area.segreto(), interna=True)
    c = strati["contributi"]
    con_posto = c[c.geometry.notna()]
    punti = con_posto.geometry.representative_point()
    senza = c[c.geometry.isna()]
    campi = ["id", "incontro", "tipo", "tema", "titolo", "testo", "emozione", "epoca", "fascia_eta", "peso", "luogo",
             "visibilita", "consenso"]
    da_collocare = []
    for rec in senza.to_dict("records"):
        r = {k: (None if rec.get(k) is None or rec.get(k) != rec.get(k) else rec.get(k)) for k in campi}
        r["peso"] = int(r["peso"]) if r["peso"] is not None else 1
        r["sensibile"] = bool(rec.get("sensibile"))
        da_collocare.append({k: ("" if v is None else v) for k, v in r.items()})
    lg = strati["luoghi"]
    lg = lg[lg.geometry.notna()]
    if contenuto is not None:
        contenuto[archivio.slug] = c["id"].tolist() + lg["id"].tolist()
    lp = lg.geometry.representative_point()
    T = {**TESTI[lingua], **(TESTI_RILIEVO if lingua == "it" else TESTI_RILIEVO_EN)}
    if incontro and incontro not in set(strati["incontri"]["id"]):
        from ..errori import MappeError

        raise MappeError(
            f"L'incontro '{incontro}' non esiste in {archivio.nome}: importarlo prima "
            f"(mappe importa FILE --comune {archivio.slug} --strato incontri) o correggere il codice."
        )
    dati = {
        "titolo": f"{T['rilievo']} – {archivio.nome}",
        "sottotitolo": (f"{T['incontro']}: {incontro}" if incontro else T["comune_di"] + " " + archivio.nome),
        "testi": T,
        "voci": _voci(catalogo, lingua),
        "confine": _geojson(confine),
        "esistenti": [[round(float(p.x), DECIMALI), round(float(p.y), DECIMALI), t]
                      for p, t in zip(punti, _colonna(con_posto, "tipo"))],
        "luoghi": {"id": _colonna(lg, "id"), "nome": _colonna(lg, "nome"),
                   "x": [round(float(p.x), DECIMALI) for p in lp], "y": [round(float(p.y), DECIMALI) for p in lp]},
        "da_collocare": da_collocare,
        "incontro": incontro or "",
        "slug": archivio.slug,
        "id_file": secrets.token_hex(6),
    }
    html = pagina_generica(dati, dati["titolo"], lingua, risorse.nostro("rilievo.js"), "MappeRilievo.avvia",
                           TESTI[lingua]["salta"])
    controlla_pagina(html, area, [grezzi], interna=True)
    return html


