"""The editor for facilitators ("rilievo"): one offline HTML file to place what was said on the map.

It shows the comune's boundary and its neighbours by name, its places with their names and
pictograms, and the contributions already there (faint, not clickable); facilitators add
points, paths and zones with a form built from the catalogue, with photos (kept in the browser's
IndexedDB), and export a GeoJSON file, or a zip of the GeoJSON and the photos, that
``mappe importa`` takes as it is. The page is internal: reserved rows are shown, private fields
never enter it.

The page script is a few files of ``static/``, one per concern, joined in the order of
``PARTI``; the editor's own styles are ``static/rilievo.css``, added after the shared ones.
"""

from __future__ import annotations

import secrets

from .. import pubblico
from ..archivio import Archivio, Area
from ..errori import MappeError
from ..testo import per_comando
from . import risorse
from .mappa import (
    DECIMALI,
    TESTI,
    _colonna,
    _geojson,
    _vicini,
    _voci,
    controlla_pagina,
    pagina_generica,
)
from .simboli import simboli

__all__ = ["PARTI", "TESTI_RILIEVO", "costruisci_rilievo"]

# The page script, in the order the parts are put in the page (rilievo.js, the assembly, last).
PARTI = (
    "rilievo-sfondo.js",     # the comune, its neighbours by name, what is already on the map (faint)
    "rilievo-luoghi.js",     # the community places: pictogram, name, card, search by name
    "rilievo-elementi.js",   # what this survey added: kept in the browser, drawn on the map
    "rilievo-foto.js",       # their photos, kept in the browser (IndexedDB); the picker of the form
    "rilievo-strumenti.js",  # the header (what to tap), the tools, the drawing bar on the map
    "rilievo-disegno.js",    # drawing a point, a path or a zone; placing a row "da collocare"
    "rilievo-scheda.js",     # the form of a contribution, built from the catalogue
    "rilievo-elenco.js",     # the lists beside the map: added here, still to be placed
    "rilievo-zip.js",        # a small zip writer (stored members, CRC-32), for the export with photos
    "rilievo-esporta.js",    # the GeoJSON file (a zip with the photos) for `mappe importa`, and the dialog
    "rilievo.js",            # the assembly: MappeRilievo.avvia(map, D)
)

TESTI_RILIEVO = {
    "rilievo": "Rilievo",
    "rilievo_spiega": "Tocca «Punto», «Percorso» o «Zona», poi tocca la mappa e compila la scheda. "
    "Quello che aggiungi resta su questo dispositivo, anche chiudendo la pagina.",
    "aiuto_inizio": "Scegli «Punto», «Percorso» o «Zona», poi tocca la mappa.",
    "strumenti": "Strumenti di disegno", "punto": "Punto", "percorso": "Percorso", "zona": "Zona",
    "fine_disegno": "Fine disegno", "esporta": "Esporta", "esporta_spiega": "Scarica il rilievo in un file GeoJSON (con le foto, in uno zip)",
    "cerca_luogo": "Cerca un luogo, o l'indirizzo di una riga da collocare", "vai": "Vai",
    "luogo_non_trovato": "Nessun luogo con questo nome, né una riga da collocare con questo indirizzo.", "clic_punto": "Tocca la mappa dove va il punto.",
    "clic_percorso": "Tocca i punti del percorso, poi «Fine disegno».",
    "clic_zona": "Tocca i vertici della zona, poi «Fine disegno».", "servono_2": "Servono almeno 2 punti.",
    "servono_3": "Servono almeno 3 punti.", "nuovo": "Nuovo contributo", "spostato": "Posizione aggiornata.",
    "modulo": "Scheda del contributo", "tipo": "Tipo", "tema_campo": "Tema", "titolo_campo": "Titolo",
    "parole": "Le parole dei partecipanti", "visibilita": "Visibilità",
    "sensibile": "Posizione sensibile (in pubblico viene spostata)", "salva": "Salva", "elimina": "Elimina",
    "conferma_elimina": "Eliminare questo contributo dal rilievo?", "eliminato": "Eliminato.",
    "obbligatori": "Tipo, tema e parole sono obbligatori.", "salvato": "Salvato su questo dispositivo.",
    "aggiunti": "Aggiunti in questo rilievo", "da_compilare": "da compilare", "da_collocare": "Da collocare",
    "colloca": "Colloca sulla mappa", "clic_colloca": "Tocca la mappa dove va questo contributo.",
    "niente_da_esportare": "Niente da esportare: compilare almeno una scheda (tipo, tema, parole).",
    "esportati": "contributi esportati in", "esportato": "contributo esportato in", "incompleti": "schede incomplete non esportate",
    "al_centro": "Aggiungi al centro della mappa",
    "consenso": "Consenso dato (scritto, orale o nessuno)",
    "qui": "Un contributo su questo luogo",
    "gia_raccolti": "Sbiaditi sulla mappa: i contributi già nell'archivio (qui non si modificano). "
    "Con il nome: i luoghi della comunità e i comuni vicini.",
    "esportato_titolo": "Rilievo esportato",
    "esportato_dove": "Il file è nella cartella dei download di questo dispositivo:",
    "esportato_importa": "Per portarlo nell'archivio del progetto, chi tiene l'area di lavoro copia il file "
    "sul computer e, nella cartella dell'area, dà il comando:",
    "esportato_ancora": "Quello che è stato aggiunto resta anche qui: si può continuare e riesportare; "
    "importando di nuovo, le schede già importate si aggiornano, non si duplicano.",
    "foto": "Foto o disegni", "aggiungi_foto": "Aggiungi una foto", "foto_aggiunte": "Foto aggiunte",
    "foto_n": "Foto", "togli": "Togli", "togli_foto": "Togli la foto",
    "foto_spiega": "Dal tablet si può scattare una foto o sceglierne una già fatta; va bene anche la foto di "
    "una mappa disegnata a mano. I dati nascosti della foto (posizione GPS, macchina fotografica) vengono "
    "tolti quando si importa.",
    "foto_solo_qui": "Questo browser non riesce a tenere le foto: restano solo finché la pagina è aperta; "
    "esportare prima di chiuderla.",
    "foto_archivio": "Foto già nell'archivio (restano)",
    "didascalia": "Didascalia: che cosa mostra la foto",
    "foto_interna": "Foto solo per uso interno, non in mostra (per esempio se si vedono minori)",
    "foto_aggiunta": "Foto aggiunta.", "foto_aggiunte_n": "foto aggiunte.", "foto_tolta": "Foto tolta.",
    "foto_non_immagine": "Un file scelto non è un'immagine e non è stato aggiunto: scegliere una foto.",
    "foto_non_salvata": "La foto non si riesce a tenere su questo dispositivo (forse la memoria è piena): "
    "esportare il rilievo e liberare spazio.",
    "foto_conto": "foto", "foto_conto_1": "foto", "zip_in_preparazione": "Preparo lo zip con le foto…",
    "con_una_foto": "con 1 foto", "con_foto": "con {n} foto",
    "esportato_zip": "Con le foto, il rilievo è un file zip (le schede e le foto insieme): non serve aprirlo, "
    "si importa così com'è.",
    "zip_non_riuscito": "Non si è riusciti a preparare lo zip con le foto: riprovare; se non va, togliere "
    "qualche foto e riesportare.",
}
TESTI_RILIEVO_EN = {
    **TESTI_RILIEVO,
    "rilievo": "Survey",
    "rilievo_spiega": "Tap «Point», «Path» or «Zone», then tap the map and fill in the form. What you add "
    "stays on this device, even if the page is closed.",
    "aiuto_inizio": "Choose «Point», «Path» or «Zone», then tap the map.",
    "strumenti": "Drawing tools", "punto": "Point", "percorso": "Path", "zona": "Zone", "fine_disegno": "Finish",
    "esporta": "Export", "esporta_spiega": "Download the survey as a GeoJSON file (with the photos, in a zip)",
    "cerca_luogo": "Find a place, or the address of a row to be placed", "vai": "Go",
    "luogo_non_trovato": "No place with this name, nor a row to be placed at this address.",
    "clic_punto": "Tap the map where the point goes.", "clic_percorso": "Tap the points of the path, then «Finish».",
    "clic_zona": "Tap the corners of the zone, then «Finish».", "servono_2": "At least 2 points are needed.",
    "servono_3": "At least 3 points are needed.", "nuovo": "New contribution", "spostato": "Position updated.",
    "modulo": "Contribution form", "tipo": "Kind", "tema_campo": "Theme", "titolo_campo": "Title",
    "parole": "The participants' words", "visibilita": "Visibility",
    "sensibile": "Sensitive position (moved in public)", "salva": "Save", "elimina": "Delete",
    "conferma_elimina": "Delete this contribution from the survey?", "eliminato": "Deleted.",
    "obbligatori": "Kind, theme and words are required.", "salvato": "Saved on this device.",
    "aggiunti": "Added in this survey", "da_compilare": "to be filled in", "da_collocare": "To be placed",
    "colloca": "Place on the map", "clic_colloca": "Tap the map where this contribution goes.",
    "niente_da_esportare": "Nothing to export: fill in at least one form (kind, theme, words).",
    "esportati": "contributions exported to", "esportato": "contribution exported to", "incompleti": "incomplete forms not exported",
    "al_centro": "Add at the centre of the map", "consenso": "Consent given (written, oral or none)",
    "qui": "A contribution about this place",
    "gia_raccolti": "Faint on the map: the contributions already in the store (not changed here). "
    "With their names: the community places and the neighbouring municipalities.",
    "esportato_titolo": "Survey exported",
    "esportato_dove": "The file is in the downloads folder of this device:",
    "esportato_importa": "To bring it into the project's store, whoever keeps the workspace copies the file to "
    "the computer and, in the workspace folder, runs:",
    "esportato_ancora": "What was added stays here too: you can go on and export again; importing again updates "
    "the forms already imported, it does not duplicate them.",
    "foto": "Photos or drawings", "aggiungi_foto": "Add a photo", "foto_aggiunte": "Photos added",
    "foto_n": "Photo", "togli": "Remove", "togli_foto": "Remove photo",
    "foto_spiega": "On a tablet you can take a photo or choose one already taken; a photo of a hand-drawn map "
    "is fine too. The hidden data of the photo (GPS position, camera) are removed when it is imported.",
    "foto_solo_qui": "This browser cannot keep the photos: they stay only while the page is open; export "
    "before closing it.",
    "foto_archivio": "Photos already in the store (they stay)",
    "didascalia": "Caption: what the photo shows",
    "foto_interna": "Photo for internal use only, not in the exhibition (for instance if children can be seen)",
    "foto_aggiunta": "Photo added.", "foto_aggiunte_n": "photos added.", "foto_tolta": "Photo removed.",
    "foto_non_immagine": "A chosen file is not an image and was not added: choose a photo.",
    "foto_non_salvata": "The photo cannot be kept on this device (perhaps the memory is full): export the "
    "survey and free some space.",
    "foto_conto": "photos", "foto_conto_1": "photo", "zip_in_preparazione": "Making the zip with the photos…",
    "con_una_foto": "with 1 photo", "con_foto": "with {n} photos",
    "esportato_zip": "With the photos, the survey is a zip file (the forms and the photos together): there is no "
    "need to open it, it is imported as it is.",
    "zip_non_riuscito": "The zip with the photos could not be made: try again; if it still fails, remove a few "
    "photos and export again.",
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
    if incontro and incontro not in set(strati["incontri"]["id"]):
        raise MappeError(
            f"L'incontro '{incontro}' non esiste in {archivio.nome}: importarlo prima "
            f"(mappe importa FILE --comune {per_comando(archivio.nome)} --strato incontri) o correggere il codice."
        )
    c = strati["contributi"]
    lg = strati["luoghi"]
    lg = lg[lg.geometry.notna()]
    if contenuto is not None:
        contenuto[archivio.slug] = c["id"].tolist() + lg["id"].tolist()
    lp = lg.geometry.representative_point()
    T = {**TESTI[lingua], **(TESTI_RILIEVO if lingua == "it" else TESTI_RILIEVO_EN)}
    sim = simboli()
    dati = {
        "titolo": f"{T['rilievo']} – {archivio.nome}",
        "sottotitolo": (f"{T['incontro']}: {incontro}" if incontro else T["comune_di"] + " " + archivio.nome),
        "testi": T,
        "voci": _voci(catalogo, lingua),
        "simboli": {"forme": sim["forme"], "pittogrammi": sim["pittogrammi"]},
        "confine": _geojson(confine),
        "vicini": _vicini([int(archivio.info["codice_istat"])]),
        "esistenti": _esistenti(c),
        "luoghi": {"id": _colonna(lg, "id"), "nome": _colonna(lg, "nome"), "categoria": _colonna(lg, "categoria"),
                   "ruolo": _colonna(lg, "ruolo"),
                   "x": [round(float(p.x), DECIMALI) for p in lp], "y": [round(float(p.y), DECIMALI) for p in lp]},
        "da_collocare": _da_collocare(c[c.geometry.isna()]),
        "incontro": incontro or "",
        "slug": archivio.slug,
        "comune_comando": per_comando(archivio.nome),  # as the command that imports the file names it
        "id_file": secrets.token_hex(6),
        "campi_foto": _campi_foto(catalogo),
    }
    js = "\n;\n".join(risorse.nostro(nome) for nome in PARTI)
    html = pagina_generica(dati, dati["titolo"], lingua, js, "MappeRilievo.avvia", TESTI[lingua]["salta"])
    html = _con_stile(html, risorse.stile(risorse.nostro("rilievo.css")))
    controlla_pagina(html, area, [grezzi], interna=True)
    return html


def _esistenti(c) -> dict:
    """What is already on the map, for the faint layer: points as [x, y, tipo], lines and zones whole."""
    con_posto = c[c.geometry.notna()]
    tipi = _colonna(con_posto, "tipo")
    punti, forme = [], []
    for g, t in zip(con_posto.geometry, tipi):
        if g.geom_type in ("Point", "MultiPoint"):
            p = g.representative_point()
            punti.append([round(float(p.x), DECIMALI), round(float(p.y), DECIMALI), t])
        else:
            forme.append({"tipo": t, "g": _geojson(g)})
    return {"punti": punti, "forme": forme}


_CAMPI_FOTO = ("foto", "didascalia", "foto_pubblica")


def _campi_foto(catalogo) -> list[str]:
    """The photo fields of a contribution the form shows: those of the catalogue, never a private one
    (who took the photo stays out of the page)."""
    campi = catalogo.strati["contributi"].campi
    return [n for n in _CAMPI_FOTO if n in campi and not campi[n].privato]


_CAMPI_DA_COLLOCARE = ("id", "incontro", "tipo", "tema", "titolo", "testo", "emozione", "epoca", "fascia_eta",
                       "peso", "luogo", "visibilita", "consenso", "indirizzo", *_CAMPI_FOTO)


def _da_collocare(senza) -> list[dict]:
    """The rows without a place, whole, so that placing one exports it with its fields unchanged (the
    photos the store has for it as ``foto_archivio``: the export with new photos names them first)."""
    out = []
    for rec in senza.to_dict("records"):
        r = {k: (None if rec.get(k) is None or rec.get(k) != rec.get(k) else rec.get(k)) for k in _CAMPI_DA_COLLOCARE}
        r["peso"] = int(r["peso"]) if r["peso"] is not None else 1
        r["sensibile"] = bool(rec.get("sensibile"))
        r["foto_archivio"] = r.pop("foto")
        out.append({k: ("" if v is None else v) for k, v in r.items()})
    return out


def _con_stile(html: str, stile: str) -> str:
    """The editor's own styles, after the shared ones (the end of <head>, before any data)."""
    prima, fine, dopo = html.partition("</head>")
    if not fine:
        raise RuntimeError("folium changed how it writes the page head")
    return prima + stile + "\n" + fine + dopo
