"""The example territory: the six comuni of CIdiS with invented, clearly labelled contributions.

Nothing here is real focus-group content: places, sessions and words are made up to show
what mappe does. Every map of the demo carries an "example data" banner.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import random
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, Polygon

from . import territorio
from .archivio import SEGRETO_DEMO, Archivio, Area, crea_area
from .importa import Opzioni, importa_tabella

__all__ = ["COMUNI_DEMO", "crea_demo", "scrivi_indice"]

COMUNI_DEMO = ("Beinasco", "Bruino", "Orbassano", "Piossasco", "Rivalta di Torino", "Volvera")
# The demo's data are invented, so its key is fixed and published (archivio.SEGRETO_DEMO): the ids
# a reader sees in the README are the ids of every demo. A real workspace gets a random key of its
# own (mappe init), and mappe refuses real data in a workspace with this key.

LUOGHI = [
    ("Piazza del Municipio", "piazza", "luogo_significativo", "Dove ci si incontra la domenica mattina."),
    ("Municipio", "municipio", "punto_rete", ""),
    ("Biblioteca civica", "biblioteca", "antenna_sociale", "Aperta anche il sabato, con il gruppo di lettura."),
    ("Oratorio", "oratorio", "luogo_significativo", "Il cortile dove sono cresciute generazioni di ragazzi."),
    ("Bar della piazza", "bar", "antenna_sociale", "Il barista sa chi ha bisogno di una mano."),
    ("Casa del quartiere", "casa_quartiere", "punto_rete", "Sportello, corsi e cene di quartiere."),
    ("Stazione", "stazione", "da_riqualificare", "Sala d'attesa chiusa da anni."),
    ("Scuola media", "scuola", "punto_rete", ""),
    ("Parco comunale", "parco", "luogo_significativo", "Panchine, giochi e l'area cani."),
    ("Chiesa parrocchiale", "chiesa", "luogo_significativo", ""),
    ("Mercato del sabato", "mercato", "luogo_significativo", "Il momento della settimana in cui si vede tutto il paese."),
    ("Edicola di via Roma", "edicola", "antenna_sociale", "Negozio amico: ritira i pacchi e tiene le chiavi."),
]

# One example per (kind, theme): title and words. Invented, as in a real focus group.
TESTI = {
    ("bisogno", "abitare"): ("Case troppo care per i giovani", "Chi vuole andare a vivere da solo qui non trova niente sotto i 700 euro, e allora se ne va."),
    ("bisogno", "lavoro"): ("Nessuno aiuta a cercare lavoro", "Per il centro per l'impiego bisogna andare fuori paese, e con due autobus al giorno è impossibile."),
    ("bisogno", "formazione"): ("Corsi serali che non ci sono più", "Una volta c'erano i corsi di informatica la sera, adesso per imparare bisogna arrangiarsi."),
    ("bisogno", "accesso_servizi"): ("Lo sportello sociale è sempre chiuso", "Apre due mattine a settimana, e chi lavora non ci può andare mai."),
    ("bisogno", "societa_inclusiva"): ("Le famiglie straniere restano sole", "Le mamme arrivate da poco non conoscono nessuno, i bambini fanno da interpreti."),
    ("bisogno", "rete_territoriale"): ("Le associazioni non si parlano", "Ognuno fa la sua festa lo stesso giorno, e alla fine la gente si divide."),
    ("bisogno", "socialita"): ("Nessun posto dove stare la sera", "Dopo le sette non c'è un posto dove stare insieme, i ragazzi stanno in piazza al freddo."),
    ("bisogno", "mobilita"): ("Gli anziani non arrivano all'ospedale", "Senza la macchina del figlio mia madre non può andare alle visite, il pullman non passa."),
    ("bisogno", "spazi_pubblici"): ("Marciapiedi impossibili con il passeggino", "In via Roma le auto sono parcheggiate sul marciapiede e con la carrozzina si va in strada."),
    ("risorsa", "abitare"): ("Il condominio solidale", "Nel nostro palazzo ci teniamo d'occhio: se la signora del terzo non apre le tende, si bussa."),
    ("risorsa", "lavoro"): ("La bottega che prende apprendisti", "Il falegname prende sempre un ragazzo a imparare, ne ha fatti crescere tanti."),
    ("risorsa", "formazione"): ("Il doposcuola dei volontari", "Due pomeriggi a settimana i pensionati aiutano i ragazzi con i compiti, gratis."),
    ("risorsa", "accesso_servizi"): ("La farmacia che ascolta", "La farmacista ti spiega le carte dell'ASL e ti dice a chi rivolgerti."),
    ("risorsa", "societa_inclusiva"): ("La scuola di italiano per mamme", "Il martedì mattina, mentre i bambini sono a scuola, si impara l'italiano e si fa amicizia."),
    ("risorsa", "rete_territoriale"): ("Il tavolo delle associazioni", "Da quando ci troviamo una volta al mese le feste non si sovrappongono più."),
    ("risorsa", "socialita"): ("Le bocce del giovedì", "Al circolo il giovedì si gioca a bocce: è l'unico giorno in cui mio padre esce di casa."),
    ("risorsa", "mobilita"): ("Il pulmino dei volontari", "Ti portano alle visite se chiami due giorni prima. Funziona, ma i volontari sono pochi."),
    ("risorsa", "spazi_pubblici"): ("Il parco curato dai residenti", "L'abbiamo adottato noi del quartiere: tagliamo l'erba e abbiamo piantato i fiori."),
    ("memoria", "abitare"): ("Le case dei ferrovieri", "Qui c'erano le case dei ferrovieri, si viveva con le porte aperte e i bambini giocavano in cortile."),
    ("memoria", "lavoro"): ("La fabbrica che dava lavoro a tutti", "Alla fabbrica lavoravano mio padre, mio zio e mezzo paese. La sirena segnava le ore della giornata."),
    ("memoria", "formazione"): ("La scuola con la stufa", "Ognuno portava un pezzo di legna per la stufa. La maestra ci faceva cantare."),
    ("memoria", "accesso_servizi"): ("Il medico che veniva a casa", "Il dottore passava in bicicletta e conosceva tutti per nome."),
    ("memoria", "societa_inclusiva"): ("Quando arrivarono dal Sud", "Negli anni '60 arrivarono tante famiglie dal Sud: all'inizio fu difficile, poi le feste le facevamo insieme."),
    ("memoria", "rete_territoriale"): ("La festa patronale organizzata da tutti", "Tutte le borgate preparavano un carro, era una gara ma anche un modo per lavorare insieme."),
    ("memoria", "socialita"): ("Il ballo a palchetto", "D'estate montavano il palchetto in piazza e si ballava fino a tardi. Lì ho conosciuto mia moglie."),
    ("memoria", "mobilita"): ("Il tram per Torino", "C'era il tram che andava fino a Torino, ci mettevi un'ora ma passava ogni mezz'ora."),
    ("memoria", "spazi_pubblici"): ("Il lavatoio", "Le donne andavano al lavatoio e lì si sapeva tutto di tutti."),
    ("proposta", "abitare"): ("Coabitazione tra anziani e studenti", "Tante persone anziane vivono sole in case grandi: si potrebbe ospitare uno studente in cambio di compagnia."),
    ("proposta", "lavoro"): ("Una bacheca del lavoro in biblioteca", "Una bacheca con le offerte di lavoro della zona e qualcuno che aiuti a scrivere il curriculum."),
    ("proposta", "formazione"): ("Corsi di smartphone per anziani", "I ragazzi delle superiori potrebbero insegnare agli anziani a usare il telefono, e farlo valere come tirocinio."),
    ("proposta", "accesso_servizi"): ("Sportello sociale anche il sabato", "Basterebbe aprire lo sportello un sabato al mese, magari al mercato."),
    ("proposta", "societa_inclusiva"): ("Una cena dei popoli", "Una cena all'anno in cui ogni famiglia porta un piatto del suo paese."),
    ("proposta", "rete_territoriale"): ("Un calendario unico degli eventi", "Un calendario unico, appeso nei bar e in edicola, con tutte le iniziative del mese."),
    ("proposta", "socialita"): ("Riaprire la sala d'attesa della stazione", "La sala d'attesa chiusa potrebbe diventare un posto per i ragazzi, gestito da loro."),
    ("proposta", "mobilita"): ("Un bus a chiamata", "Un pulmino a chiamata per chi non guida, prenotabile anche al telefono."),
    ("proposta", "spazi_pubblici"): ("Panchine e ombra in piazza", "Mettere panchine all'ombra: gli anziani uscirebbero di più se avessero dove sedersi."),
    ("emozione", "abitare"): ("Il mio cortile", "Quando torno a casa e vedo il cortile pieno di bambini mi sento a posto."),
    ("emozione", "lavoro"): ("Il capannone vuoto", "Passare davanti al capannone chiuso mi mette tristezza, lì c'era vita."),
    ("emozione", "formazione"): ("Davanti alla scuola", "All'uscita di scuola c'è sempre festa, è il momento più bello del paese."),
    ("emozione", "accesso_servizi"): ("La coda all'ufficio", "Ogni volta che devo andare in comune mi sento persa, non capisco a chi chiedere."),
    ("emozione", "societa_inclusiva"): ("Il parco la sera", "La sera nel parco non ci passo: è buio e mi fa paura."),
    ("emozione", "rete_territoriale"): ("La festa del quartiere", "Alla festa del quartiere mi sento parte di qualcosa."),
    ("emozione", "socialita"): ("La panchina del mercato", "Su quella panchina ci siamo sempre noi del sabato: è il mio posto."),
    ("emozione", "mobilita"): ("Il sottopasso", "Il sottopasso della stazione è sporco e buio, lo evito sempre."),
    ("emozione", "spazi_pubblici"): ("Il viale dei tigli", "In primavera il viale dei tigli profuma: è il posto che amo di più."),
}
EMOZIONI_PER_TEMA = {
    "abitare": "accogliente", "lavoro": "triste", "formazione": "amato", "accesso_servizi": "indifferente",
    "societa_inclusiva": "paura", "rete_territoriale": "sicuro", "socialita": "amato", "mobilita": "abbandono",
    "spazi_pubblici": "amato",
}
EPOCHE = ["anni '50", "anni '60", "anni '70", "anni '80", "anni '90"]
# The comuni where the (invented) project acted between the two rounds; the others are the control.
INTERVENTO = ("Beinasco", "Orbassano", "Rivalta di Torino")
# What became of some proposals and needs (invented): the statuses they went through, each at a
# share of the time between the day they were said and FINE_SEGUITO, and the public note of the last.
FINE_SEGUITO = dt.date(2026, 11, 20)
SEGUITO = {
    ("proposta", "accesso_servizi"): ([("in_valutazione", .1), ("sostenuta", .3), ("in_corso", .6), ("realizzata", .9)],
                                      "Lo sportello apre il primo sabato del mese, sotto i portici del mercato."),
    ("proposta", "mobilita"): ([("in_valutazione", .1), ("sostenuta", .4), ("in_corso", .8)],
                               "Il fondo di microcredito del progetto finanzia un anno di prova."),
    ("proposta", "formazione"): ([("in_valutazione", .1), ("in_corso", .3), ("realizzata", .7)],
                                 "Dieci pomeriggi in biblioteca con i ragazzi del liceo."),
    ("proposta", "socialita"): ([("in_valutazione", .15), ("non_realizzabile", .5)],
                                "La sala è delle ferrovie e non si può usare: si cerca un altro posto per i ragazzi."),
    ("proposta", "rete_territoriale"): ([("sostenuta", .7)], "Le associazioni hanno detto di sì al tavolo del calendario."),
    ("proposta", "abitare"): ([("in_valutazione", .85)], None),
    ("bisogno", "mobilita"): ([("in_valutazione", .1), ("in_corso", .8)], "Il bus a chiamata è in prova."),
    ("bisogno", "accesso_servizi"): ([("in_corso", .6), ("realizzata", .9)], "Lo sportello ora apre anche di sabato."),
    ("bisogno", "socialita"): ([("in_valutazione", .3)], None),
}
# In the comuni where nothing was done, one need is being assessed, and that is all.
SEGUITO_CONTROLLO = {("bisogno", "socialita"): ([("in_valutazione", .3)], None)}
SIGLE = {"Beinasco": "BEI", "Bruino": "BRU", "Orbassano": "ORB", "Piossasco": "PIO",
         "Rivalta di Torino": "RIV", "Volvera": "VOL"}


def _punto_dentro(rnd: random.Random, poligono, centro: Point, raggio_gradi: float) -> Point:
    for _ in range(500):
        a = rnd.uniform(0, 2 * math.pi)
        r = raggio_gradi * math.sqrt(rnd.random())
        p = Point(centro.x + r * math.cos(a) * 1.4, centro.y + r * math.sin(a))
        if poligono.contains(p):
            return p
    return centro


def _dati_comune(archivio: Archivio, rnd: random.Random, catalogo) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    nome = archivio.nome
    sigla = SIGLE.get(nome, archivio.slug[:3].upper())
    poligono = archivio.confine().geometry.union_all()
    centro = poligono.centroid if poligono.contains(poligono.centroid) else poligono.representative_point()
    # Places of the invented centre, then the sessions held in two of them.
    luoghi = []
    for k, (nome_l, cat, ruolo, descr) in enumerate(LUOGHI):
        p = _punto_dentro(rnd, poligono, centro, 0.011)
        luoghi.append({"id": f"L-{sigla}-{k + 1:02d}", "nome": nome_l, "categoria": cat, "ruolo": ruolo,
                       "descrizione": descr or None, "referente": f"Referente di esempio {k + 1}",
                       "lon": round(p.x, 6), "lat": round(p.y, 6)})
    luoghi_df = pd.DataFrame(luoghi)
    incontri = pd.DataFrame([
        {"id": f"FG-{sigla}-01", "data": "2026-03-14", "luogo": f"L-{sigla}-06", "facilitatori": "Facilitatrice di esempio",
         "partecipanti": rnd.randint(10, 25), "fasce_eta": "giovani|adulti|anziani", "fase": "baseline",
         "note": "Incontro di esempio"},
        {"id": f"FG-{sigla}-02", "data": "2026-10-17", "luogo": f"L-{sigla}-03", "facilitatori": "Facilitatore di esempio",
         "partecipanti": rnd.randint(8, 20), "fasce_eta": "bambini|adulti|anziani", "fase": "verifica",
         "note": "Incontro di esempio"},
    ])
    tipi = list(catalogo.voci("tipo"))
    temi = list(catalogo.voci("tema"))
    fasce = list(catalogo.voci("fascia_eta"))
    righe, geometrie = [], []
    n = len(tipi) * len(temi) + 3
    for k in range(n):
        tipo, tema = tipi[k % len(tipi)], temi[k % len(temi)]
        titolo, testo = TESTI.get((tipo, tema), (f"Esempio di {tipo}", f"Un esempio di {tipo} sul tema {tema}."))
        r = {
            "id": f"C-{sigla}-{k + 1:03d}", "incontro": f"FG-{sigla}-0{1 + k % 2}", "tipo": tipo, "tema": tema,
            "titolo": titolo, "testo": testo, "fascia_eta": fasce[rnd.randrange(len(fasce))],
            "peso": rnd.choice([1, 1, 2, 3, 4, 6]), "visibilita": "pubblico", "sensibile": "no", "consenso": "orale",
            "autore": f"Partecipante {rnd.randint(1, 30)}", "note": None,
        }
        if tipo == "emozione":
            r["emozione"] = EMOZIONI_PER_TEMA.get(tema, "indifferente")
        if tipo == "memoria":
            r["epoca"] = EPOCHE[k % len(EPOCHE)]
            if sum(1 for x in righe if x.get("foto")) < FOTO_PER_COMUNE and k not in (7, 12):
                # a drawing made at the focus group, as people bring them (invented, drawn here)
                r["foto"] = f"disegno-{sigla}-{k + 1:03d}.png"
                r["didascalia"] = f"Disegno di esempio: {titolo.lower()}"
        p = _punto_dentro(rnd, poligono, centro, 0.02)
        geom = p
        if k % 11 == 4:  # a path walked by participants
            q = _punto_dentro(rnd, poligono, p, 0.004)
            mezzo = Point((p.x + q.x) / 2 + rnd.uniform(-0.001, 0.001), (p.y + q.y) / 2 + rnd.uniform(-0.001, 0.001))
            geom = LineString([p, mezzo, q])
        elif k % 11 == 8:  # a zone drawn on the map
            raggio = rnd.uniform(0.0015, 0.003)
            geom = Polygon([(p.x + raggio * 1.4 * math.cos(a), p.y + raggio * math.sin(a))
                            for a in [i * math.pi / 4 + rnd.uniform(-0.2, 0.2) for i in range(8)]])
            if not poligono.contains(geom):
                geom = p
        elif k % 9 == 5:  # said about a place: located there
            r["luogo"] = luoghi[k % len(luoghi)]["id"]
            geom = None
        if k in (n - 1, n - 2):  # about the comune as a whole
            geom = None
            r["luogo"] = None
        if k == 7:
            r["sensibile"] = "sì"
            r["note"] = "Vive da solo, la posizione è la sua casa: non mostrarla."
        if k == 12:
            r["visibilita"] = "riservato"
            r["note"] = "Segnalazione riservata per i servizi sociali."
        righe.append(r)
        geometrie.append(geom)
    # Answers: in the first round, a few resources say which need of their theme they answer.
    per_tema = {}
    for r in righe:
        if r["tipo"] == "bisogno":
            per_tema.setdefault(r["tema"], r["id"])
    for r in righe:
        if r["tipo"] == "risorsa" and r["incontro"].endswith("-01") and r["tema"] in per_tema:
            r["risponde_a"] = per_tema[r["tema"]]
    if nome in INTERVENTO:
        # In the follow-up round, new resources and proposals answer the needs of their theme,
        # close to them: the network grows and fewer needs are left alone.
        bisogni = [(r, g) for r, g in zip(righe, geometrie) if r["tipo"] == "bisogno" and g is not None]
        for k, (bisogno, g) in enumerate(bisogni):
            tipo = "risorsa" if k % 2 == 0 else "proposta"
            titolo, testo = TESTI.get((tipo, bisogno["tema"]), (f"Nuova {tipo}", f"Una nuova {tipo}."))
            vicino = _punto_dentro(rnd, poligono, g.representative_point(), 0.002)
            righe.append({
                "id": f"C-{sigla}-{200 + k:03d}", "incontro": f"FG-{sigla}-02", "tipo": tipo, "tema": bisogno["tema"],
                "titolo": f"{titolo} (nata dal progetto)", "testo": testo, "fascia_eta": fasce[k % len(fasce)],
                "peso": rnd.choice([2, 3, 4]), "visibilita": "pubblico", "sensibile": "no", "consenso": "scritto",
                "autore": f"Partecipante {rnd.randint(1, 30)}", "note": None, "risponde_a": bisogno["id"],
            })
            geometrie.append(vicino)
    date = dict(zip(incontri["id"], incontri["data"]))
    for r in righe:
        if not r["id"][-3:].startswith("2"):  # not the answers of the follow-up round
            _segna_seguito(r, dt.date.fromisoformat(date[r["incontro"]]),
                           SEGUITO if nome in INTERVENTO else SEGUITO_CONTROLLO)
    contributi = gpd.GeoDataFrame(pd.DataFrame(righe), geometry=geometrie, crs="EPSG:4326")
    contributi["_riga"] = range(2, len(contributi) + 2)
    return luoghi_df, incontri, contributi


def _giorno(detta: dt.date, quota: float) -> str:
    return (detta + dt.timedelta(days=round((FINE_SEGUITO - detta).days * quota))).isoformat()


def _segna_seguito(r: dict, detta: dt.date, piani: dict) -> None:
    """The status of an invented proposal or need, with its stages (as 'mappe stato' writes them)."""
    piano = piani.get((r["tipo"], r["tema"]))
    if piano is None:
        return
    passi, esito = piano
    tappe = [(_giorno(detta, quota), stato) for stato, quota in passi]
    r["stato"], r["data_stato"] = tappe[-1][1], tappe[-1][0]
    r["tappe"] = "|".join(f"{g} {s}" for g, s in tappe)
    r["esito"] = esito


def _iniziative(archivio: Archivio, luoghi: pd.DataFrame, contributi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Invented initiatives born from the proposals (in the comuni where the project acted): run by
    example organisations, one funded by the example micro-credit fund, one about the whole comune,
    one drawn as a zone, and one reserved (never on a public map)."""
    sigla = SIGLE.get(archivio.nome, archivio.slug[:3].upper())

    def cerca(tipo: str, tema: str) -> dict:
        c = contributi[(contributi["tipo"] == tipo) & (contributi["tema"] == tema)
                       & ~contributi["id"].str.contains(r"-2\d\d$")]
        return c.iloc[0].to_dict()

    def giorno(riga: dict, stato: str) -> str:
        return next(g for g, s in (p.split(" ", 1) for p in riga["tappe"].split("|")) if s == stato)

    def luogo(k: int) -> str:
        return luoghi["id"].iloc[k]

    bus_p, bus_b = cerca("proposta", "mobilita"), cerca("bisogno", "mobilita")
    sportello_p, sportello_b = cerca("proposta", "accesso_servizi"), cerca("bisogno", "accesso_servizi")
    corsi = cerca("proposta", "formazione")
    calendario, sera = cerca("proposta", "rete_territoriale"), cerca("bisogno", "socialita")
    biblioteca = luoghi.iloc[2]
    zona = Polygon([(biblioteca["lon"] + 0.0016 * math.cos(a), biblioteca["lat"] + 0.0011 * math.sin(a))
                    for a in [i * math.pi / 5 for i in range(10)]])
    righe = [
        {"id": f"I-{sigla}-01", "nome": "Bus a chiamata", "promotore": "Cooperativa di esempio Il Pulmino",
         "descrizione": "Un pulmino da prenotare al telefono il giorno prima, per le visite e il mercato.",
         "risponde_a": f"{bus_p['id']}|{bus_b['id']}", "luogo": luogo(6), "inizio": giorno(bus_p, "in_corso"),
         "fondo": "Fondo di microcredito di esempio", "importo": 12000, "stato": "in_corso",
         "esito": "Due corse al giorno su prenotazione.", "geometry": None},
        {"id": f"I-{sigla}-02", "nome": "Lo sportello al mercato", "promotore": "Associazione di esempio Sportello Amico",
         "descrizione": "Il primo sabato del mese lo sportello sociale si sposta al mercato.",
         "risponde_a": f"{sportello_p['id']}|{sportello_b['id']}", "luogo": luogo(10),
         "inizio": giorno(sportello_p, "in_corso"), "fine": giorno(sportello_p, "realizzata"), "stato": "realizzata",
         "esito": "Aperto ogni primo sabato del mese.", "geometry": None},
        {"id": f"I-{sigla}-03", "nome": "Smartphone facile", "promotore": "Gruppo di esempio Nonni Digitali",
         "descrizione": "I ragazzi del liceo insegnano a usare il telefono, nelle sale intorno alla biblioteca.",
         "risponde_a": corsi["id"], "inizio": giorno(corsi, "in_corso"), "fine": giorno(corsi, "realizzata"),
         "fondo": "Fondo di microcredito di esempio", "importo": 1500, "stato": "realizzata",
         "esito": "Quaranta persone hanno seguito gli incontri.", "geometry": zona},
        {"id": f"I-{sigla}-04", "nome": "Un calendario per tutte le associazioni",
         "promotore": "Consulta di esempio delle associazioni", "risponde_a": calendario["id"],
         "descrizione": "Un calendario unico degli eventi del paese, appeso nei bar e in edicola.",
         "stato": "sostenuta", "geometry": None},
        {"id": f"I-{sigla}-05", "nome": "Accompagnamento serale di esempio", "promotore": "Servizio di esempio",
         "risponde_a": sera["id"], "stato": "in_valutazione", "visibilita": "riservato",
         "referente": "Referente di esempio dell'iniziativa", "note": "Nota riservata di esempio sull'iniziativa.",
         "geometry": None},
    ]
    df = gpd.GeoDataFrame(pd.DataFrame(righe).drop(columns=["geometry"]),
                          geometry=[r["geometry"] for r in righe], crs="EPSG:4326")
    df["visibilita"] = df["visibilita"].fillna("pubblico")
    df["_riga"] = range(2, len(df) + 2)
    return df


FOTO_PER_COMUNE = 2


def _disegno(seme: int, percorso: Path) -> None:
    """An invented drawing of a square, as a participant might sketch it: streets, houses, trees."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seme)
    larghezza, altezza = 1200, 900
    img = Image.new("RGB", (larghezza, altezza), (243, 234, 215))
    d = ImageDraw.Draw(img)
    matita = (70, 60, 50)
    for _ in range(3):  # streets
        y = rnd.randrange(100, altezza - 100)
        d.line([(0, y), (larghezza, y + rnd.randrange(-120, 120))], fill=(150, 140, 130), width=rnd.randrange(30, 60))
    cx, cy = rnd.randrange(400, 800), rnd.randrange(300, 600)
    d.rectangle([cx - 180, cy - 120, cx + 180, cy + 120], outline=matita, width=6)  # the square
    d.ellipse([cx - 40, cy - 40, cx + 40, cy + 40], outline=(40, 90, 160), width=8)  # its fountain
    for _ in range(14):  # houses with their roofs
        x, y = rnd.randrange(40, larghezza - 120), rnd.randrange(40, altezza - 120)
        w, h = rnd.randrange(60, 110), rnd.randrange(50, 90)
        colore = rnd.choice([(196, 120, 90), (214, 180, 120), (170, 150, 130)])
        d.rectangle([x, y + 30, x + w, y + 30 + h], fill=colore, outline=matita, width=4)
        d.polygon([(x - 8, y + 30), (x + w // 2, y - 10), (x + w + 8, y + 30)], fill=(160, 60, 50), outline=matita)
    for _ in range(18):  # trees
        x, y = rnd.randrange(20, larghezza - 20), rnd.randrange(20, altezza - 20)
        r = rnd.randrange(18, 34)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(90, 140, 70), outline=matita, width=3)
    img.save(percorso, "PNG")


def crea_demo(cartella: Path | str, avanzamento=None) -> tuple[Area, list[Archivio]]:
    """Build the example workspace in ``cartella``: six comuni with places, sessions and contributions.

    Re-running it on the same folder adds nothing new (every row has a stable id).
    """
    area = crea_area(cartella, SEGRETO_DEMO)
    rnd = random.Random(2026)
    archivi = []
    disegni = tempfile.TemporaryDirectory(prefix="mappe-demo-")
    try:
        _comuni_demo(area, rnd, archivi, Path(disegni.name), avanzamento)
    finally:
        disegni.cleanup()
    return area, archivi


def _comuni_demo(area: Area, rnd: random.Random, archivi: list, disegni: Path, avanzamento) -> None:
    for nome in COMUNI_DEMO:
        comune = territorio.cerca_comune(nome)
        arch, _ = area.aggiungi_comune(comune)
        info = arch.leggi("comune")
        if not int(info.get("esempio", pd.Series([0])).iloc[0] or 0):
            info["esempio"] = 1
            arch.scrivi({"comune": info}, "demo", "comune segnato come dati di esempio")
        luoghi, incontri, contributi = _dati_comune(arch, rnd, area.catalogo)
        luoghi["_riga"] = range(2, len(luoghi) + 2)
        incontri["_riga"] = range(2, len(incontri) + 2)
        for k, f in enumerate(contributi["foto"].dropna() if "foto" in contributi.columns else []):
            if not (disegni / f).exists():
                _disegno(sum(map(ord, f)) + k, disegni / f)
        strati = [("luoghi", luoghi), ("incontri", incontri), ("contributi", contributi)]
        if nome in INTERVENTO:
            strati.append(("iniziative", _iniziative(arch, luoghi, contributi)))
        for strato, df in strati:
            r = importa_tabella(arch, df, Path(f"esempio-{strato}"), strato, opzioni=Opzioni(cartella_foto=disegni))
            if r.respinti:  # the demo must be clean: a rejection here is a bug
                raise RuntimeError(f"demo {nome} {strato}: {r.respinti[0]}")
        archivi.append(arch)
        if avanzamento:
            avanzamento(arch)


def scrivi_indice(percorso: Path, voci: list[tuple[str, str, dict]], titolo: str = "Mappe dei comuni",
                  altre: list[tuple[str, str, str]] = ()) -> Path:
    """A small offline page linking the maps: (name, file name, counts per layer); ``altre``: the
    other pages made with them (title, file name, what it is), such as the exhibition."""
    altre_righe = "\n".join(
        f'<li><a href="{html.escape(file)}">{html.escape(nome)}</a> <span>{html.escape(cosa)}</span></li>'
        for nome, file, cosa in altre
    )
    sezione_altre = f"<h2>E inoltre</h2>\n<ul>\n{altre_righe}\n</ul>" if altre else ""
    righe = "\n".join(
        f'<li><a href="{html.escape(file)}">{html.escape(nome)}</a> '
        f'<span>{conti.get("contributi", 0)} contributi, {conti.get("luoghi", 0)} luoghi, '
        f'{conti.get("incontri", 0)} incontri</span></li>'
        for nome, file, conti in voci
    )
    testo = f"""<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(titolo)}</title>
<style>
body {{ font-family: "Segoe UI", "Noto Sans", "DejaVu Sans", Arial, sans-serif; background: #efe9da; color: #222;
  max-width: 760px; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.6rem; }}
h2 {{ font-size: 1.25rem; margin-top: 1.6rem; }}
.esempio {{ background: #f5cba7; color: #4a2300; font-weight: 700; padding: 4px 10px; border-radius: 4px; display: inline-block; }}
li {{ margin: .6rem 0; font-size: 1.1rem; }}
li span {{ color: #555; font-size: .95rem; margin-left: .5rem; }}
a {{ color: #1a5276; font-weight: 600; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #555; }}
</style>
</head>
<body>
<p class="esempio">DATI DI ESEMPIO – non sono contenuti reali di focus group</p>
<h1>{html.escape(titolo)}</h1>
<p>Le mappe di bisogni, risorse, memorie, proposte, emozioni e luoghi dei comuni del territorio.
Ogni mappa è un unico file che funziona anche senza internet.</p>
<ul>
{righe}
</ul>
{sezione_altre}
<footer>Realizzato con mappe. {html.escape(territorio.FONTE)}.</footer>
</body>
</html>
"""
    percorso.write_text(testo, encoding="utf-8")
    return percorso
