"""What became of the proposals, on the map (issue 19): the 'seguito' view draws each proposal and
need in the colour of its status, the initiatives in their place with a line to what they answer,
their cards; the exhibition's second round (mappe mostra --dal) opens on what changed since a day.
Real CLI, real Chromium, network refused."""

import json

import pytest
from conftest import apri, scrivi_csv

from mappe.rendi import mappa as rendi_mappa

RISERVATA = "Una proposta riservata dei servizi"
ID_RISERVATA = "prop-riservata-77"
INIZIATIVA_RISERVATA = "Iniziativa riservata di accompagnamento"
REFERENTE = "Giovanna Referente 333 7654321"
NOTA = "Nota interna sulla convenzione"


def _contributi(cli, tmp_path, incontri_csv):
    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "incontro", "lon", "lat", "visibilita"],
        ["p-1", "proposta", "socialita", "Un cinema all'aperto", "Un cinema all'aperto d'estate", "FG-ORB-01",
         "7.5378", "45.0087", ""],
        ["b-1", "bisogno", "mobilita", "Autobus la sera", "Non ci sono autobus la sera", "FG-ORB-01", "7.5420",
         "45.0050", ""],
        ["p-3", "proposta", "socialita", "Un ponte sul Sangone", "Un ponte nuovo", "FG-ORB-01", "7.5300", "45.0110", ""],
        ["p-4", "proposta", "lavoro", "Una bacheca del lavoro", "In biblioteca", "FG-ORB-01", "7.5450", "45.0000", ""],
        ["r-1", "risorsa", "socialita", "Il bar", "Il bar della piazza", "FG-ORB-01", "7.5400", "45.0060", ""],
        [ID_RISERVATA, "proposta", "lavoro", RISERVATA, "Uno sportello per chi è seguito", "FG-ORB-01", "7.5390",
         "45.0070", "riservato"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output


def _iniziative(cli, tmp_path, righe):
    f = scrivi_csv(tmp_path / "i.csv", [
        ["id", "nome", "promotore", "descrizione", "risponde_a", "fondo", "importo", "stato", "esito", "inizio", "fine",
         "visibilita", "referente", "note", "lon", "lat"]] + righe)
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "iniziative")
    assert r.exit_code == 0, r.output


@pytest.fixture
def seguito(cli, tmp_path, incontri_csv):
    """Orbassano with proposals and needs at several statuses, two public initiatives (one linked also
    to a reserved proposal) and a reserved one."""
    _contributi(cli, tmp_path, incontri_csv)
    for args in (("p-1", "in_valutazione", "--data", "25/11/2026"),
                 ("p-1", "sostenuta", "--nota", "Il fondo <b>di microcredito</b> la sostiene", "--data", "27/11/2026"),
                 ("p-3", "non_realizzabile", "--nota", "Il fiume è del demanio", "--data", "26/11/2026"),
                 (ID_RISERVATA, "in_corso", "--data", "26/11/2026")):
        r = cli("stato", "Orbassano", *args)
        assert r.exit_code == 0, r.output
    _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate <b>in piazza</b>", "Associazione Cinema <i>Insieme</i>", "Film il giovedì sera",
         "p-1|b-1", "Fondo di microcredito", "2500", "in_corso", "Prime tre serate fatte", "01/11/2026", "",
         "pubblico", "Mario Referente 333 1234567", "", "7.5395", "45.0080"],
        ["i-3", "Sportello del lavoro", "Cooperativa Lavoro Insieme", "", f"p-4|{ID_RISERVATA}", "", "", "sostenuta",
         "", "", "", "pubblico", "", "", "7.5430", "45.0020"],
        ["i-9", INIZIATIVA_RISERVATA, "Servizio sociale di esempio", "", "b-1", "", "", "in_valutazione", "", "", "",
         "riservato", REFERENTE, NOTA, "7.5410", "45.0040"],
    ])


def _dati(percorso):
    return json.loads(rendi_mappa.testo_dati(percorso.read_text(encoding="utf-8")))


def test_la_vista_disegna_colori_degli_stati_e_linee_delle_iniziative_senza_rete(cli, seguito, tmp_path,
                                                                                 pagina_offline):
    uscita = tmp_path / "s.html"
    r = cli("mappa", "Orbassano", "--vista", "seguito", "-o", uscita)
    assert r.exit_code == 0, r.output
    p = pagina_offline
    apri(p, uscita)
    assert p.locator("h1").inner_text() == "Che fine hanno fatto le proposte"
    assert "mappe-vista-seguito" in p.evaluate("document.documentElement.className")
    # each proposal or need in the colour of its status (the catalogue's), the kind's shape kept
    riempimento = """sel => getComputedStyle(document.querySelector(sel + ' path.mappe-forma-stato')).fill"""
    assert p.evaluate(riempimento, ".mappe-simbolo-proposta.mappe-seguito-sostenuta") == "rgb(202, 111, 30)"
    assert p.evaluate(riempimento, ".mappe-simbolo-proposta.mappe-seguito-non_realizzabile") == "rgb(146, 43, 33)"
    assert p.evaluate(riempimento, ".mappe-simbolo-bisogno.mappe-seguito-detta") == "rgb(138, 133, 119)"
    # the ring reads as progress: half way for 'sostenuta', none for what is as it was said
    arco = p.locator(".mappe-seguito-sostenuta .mappe-arco-stato")
    assert arco.get_attribute("stroke-dasharray") == "50.0 100" and arco.get_attribute("stroke") == "#ca6f1e"
    assert p.locator(".mappe-seguito-detta .mappe-arco-stato").count() == 0
    assert p.locator(".mappe-simbolo-risorsa").count() == 0  # resources are not in this view
    # the legend of the statuses, in the catalogue's order, with what is in sight
    voci = p.locator(".mappe-legenda-seguito .mappe-stati li").all_inner_texts()
    assert [v.split(" (")[0] for v in voci] == ["Detta nel focus group", "In valutazione", "Sostenuta", "In corso",
                                                 "Realizzata", "Non realizzabile"]
    assert "Detta nel focus group (2)" in voci[0] and "Sostenuta (1)" in voci[2] and "In corso (0)" in voci[3]
    # the public initiatives, a star badge each, and a line to each public proposal or need they answer
    assert p.locator(".leaflet-marker-icon.mappe-iniziativa").count() == 2
    assert p.locator("path.mappe-linea-iniziativa").count() == 3  # i-1: p-1 and b-1; i-3: p-4 only
    assert p.locator(".leaflet-marker-icon.mappe-iniziativa.mappe-seguito-in_corso").count() == 1
    assert p.richieste_rifiutate == [] and p.errori == []
    # the page holds the public initiatives only, their words as they were written
    dati = _dati(uscita)
    assert dati["seguito"]["iniziative"]["nome"] == ["Cinema d'estate <b>in piazza</b>", "Sportello del lavoro"]


def test_la_scheda_ha_il_cammino_con_le_date_e_le_iniziative_che_rispondono(cli, seguito, tmp_path, pagina_offline):
    uscita = tmp_path / "s.html"
    assert cli("mappa", "Orbassano", "--vista", "seguito", "-o", uscita).exit_code == 0
    p = pagina_offline
    apri(p, uscita)
    scheda = p.locator(".mappe-elenco .mappe-scheda-proposta", has_text="Un cinema all'aperto")
    assert scheda.locator(".mappe-stato-badge").inner_text() == "A che punto è: Sostenuta"
    assert scheda.locator(".mappe-stato-esito").inner_text() == "Il fondo <b>di microcredito</b> la sostiene"
    assert scheda.locator(".mappe-cammino li").all_inner_texts() == [
        "Detta: 23/11/2026", "In valutazione: 25/11/2026", "Sostenuta: 27/11/2026"]
    assert scheda.locator("[role=progressbar]").get_attribute("aria-valuenow") == "50"
    assert scheda.locator(".mappe-risposte li").all_inner_texts() == ["Cinema d'estate <b>in piazza</b> · In corso"]
    # what is still as it was said has its badge too, and the day it was said
    # (sections of the list far from the screen are not laid out: their text is read as it is)
    detta = p.locator(".mappe-elenco .mappe-scheda-bisogno", has_text="Autobus la sera")
    assert detta.locator(".mappe-stato-badge").text_content() == "A che punto è: Detta nel focus group"
    assert detta.locator(".mappe-cammino li").all_text_contents() == ["Detta: 23/11/2026"]
    # the same card on the map, opened from the list
    scheda.locator(".mappe-sulla-mappa").click()
    popup = p.locator(".leaflet-popup-content .mappe-scheda-proposta")
    popup.wait_for()
    assert popup.locator(".mappe-cammino li").count() == 3
    assert p.errori == []


def test_la_scheda_di_un_iniziativa_dice_chi_la_porta_avanti_e_con_quale_fondo(cli, seguito, tmp_path,
                                                                            pagina_offline):
    uscita = tmp_path / "s.html"
    assert cli("mappa", "Orbassano", "--vista", "seguito", "-o", uscita).exit_code == 0
    p = pagina_offline
    apri(p, uscita)
    p.locator(".leaflet-marker-icon.mappe-iniziativa.mappe-seguito-in_corso").click()
    scheda = p.locator(".leaflet-popup-content .mappe-scheda-iniziativa")
    scheda.wait_for()
    assert scheda.locator(".mappe-titolo").inner_text() == "Cinema d'estate <b>in piazza</b>"
    assert scheda.locator(".mappe-meta-promotore").inner_text() == "Chi la porta avanti: Associazione Cinema <i>Insieme</i>"
    assert scheda.locator(".mappe-meta-fondo").inner_text() == "Fondo: Fondo di microcredito"
    assert scheda.locator(".mappe-meta-importo").inner_text() == "Importo: 2.500 €"
    assert scheda.locator(".mappe-stato-badge").inner_text() == "A che punto è: In corso"
    assert scheda.locator(".mappe-meta-inizio").inner_text() == "Inizio: 01/11/2026"
    assert scheda.locator(".mappe-stato-esito").inner_text() == "Prime tre serate fatte"
    assert scheda.locator(".mappe-risponde-a li").all_inner_texts() == [
        "Proposta: Un cinema all'aperto · Sostenuta", "Bisogno: Autobus la sera · Detta nel focus group"]
    assert scheda.locator("b, i").count() == 0  # people's words stay words
    # from the initiative to a proposal it answers
    scheda.locator(".mappe-risponde-a .mappe-link", has_text="Autobus la sera").click()
    p.locator(".leaflet-popup-content .mappe-scheda-bisogno").wait_for()
    # the card of a proposal whose initiative has no fund says nothing of funds
    altra = p.locator(".mappe-elenco .mappe-scheda-iniziativa", has_text="Sportello del lavoro")
    assert altra.locator(".mappe-meta-fondo, .mappe-meta-importo").count() == 0
    assert altra.locator(".mappe-meta-promotore").inner_text() == "Chi la porta avanti: Cooperativa Lavoro Insieme"
    assert p.errori == [] and p.richieste_rifiutate == []


def test_in_inglese(cli, seguito, tmp_path, pagina_offline):
    uscita = tmp_path / "en.html"
    assert cli("mappa", "Orbassano", "--vista", "seguito", "--lingua", "en", "-o", uscita).exit_code == 0
    p = pagina_offline
    apri(p, uscita)
    assert p.locator("h1").inner_text() == "What became of the proposals"
    assert p.locator(".mappe-legenda-seguito h2").inner_text() == "Where they stand"
    scheda = p.locator(".mappe-elenco .mappe-scheda-iniziativa").first
    assert scheda.locator(".mappe-meta-promotore").inner_text().startswith("Run by: ")
    assert scheda.locator(".mappe-meta-importo").inner_text() == "Amount: €2,500"
    assert scheda.locator(".mappe-stato-badge").inner_text() == "Where it stands: Under way"


@pytest.mark.parametrize("comando", [["mappa", "Orbassano", "--vista", "seguito"], ["mostra", "Orbassano", "--web"],
                                     ["mostra", "Orbassano", "--pin", "48213579", "--dal", "20/11/2026"]])
def test_un_iniziativa_riservata_e_un_legame_a_una_proposta_riservata_non_escono(cli, seguito, tmp_path, comando):
    uscita = tmp_path / "p.html"
    r = cli(*comando, "-o", uscita)
    assert r.exit_code == 0, r.output
    html = rendi_mappa.testo_da_verificare(uscita.read_text(encoding="utf-8"))
    for segreto in (INIZIATIVA_RISERVATA, REFERENTE, NOTA, "Mario Referente", RISERVATA, ID_RISERVATA):
        assert segreto not in html
    dati = _dati(uscita)
    I = dati["seguito"]["iniziative"]
    C = rendi_mappa.decodifica_contributi(dati)
    collegati = {C["titolo"][i] for lista in I["risponde"] for i in lista}
    assert collegati == {"Un cinema all'aperto", "Autobus la sera", "Una bacheca del lavoro"}
    assert I["risponde"][I["nome"].index("Sportello del lavoro")] == [C["titolo"].index("Una bacheca del lavoro")]
    assert "referente" not in I and "note" not in I
    # the reserved proposal's change is not among what changed
    if "--dal" in comando:
        assert "1 proposta si è fermata" in r.output and "2 proposte" not in r.output


def test_la_seconda_tornata_si_apre_su_quello_che_e_cambiato_dal_giorno_dato(cli, tmp_path, pagina_offline):
    # the session before every stage ('mappe stato' refuses a stage before the day it was said)
    _contributi(cli, tmp_path, scrivi_csv(tmp_path / "incontri-1.csv", [["id", "data", "fase", "partecipanti"],
                                                                        ["FG-ORB-01", "01/11/2026", "baseline", "12"]]))
    for args in (("p-1", "in_valutazione", "--data", "10/11/2026"),   # before the day: not new...
                 ("p-1", "sostenuta", "--data", "20/11/2026"),        # ...but it moved on after it
                 ("b-1", "in_corso", "--data", "05/11/2026"),         # only before: not new
                 ("p-3", "non_realizzabile", "--nota", "Il fiume è del demanio", "--data", "18/11/2026"),
                 (ID_RISERVATA, "in_corso", "--data", "19/11/2026")):  # reserved: never counted
        assert cli("stato", "Orbassano", *args).exit_code == 0
    _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Associazione Cinema Insieme", "", "p-1", "", "", "in_corso", "", "16/11/2026", "",
         "pubblico", "", "", "7.5395", "45.0080"],
        ["i-2", "Bacheca in biblioteca", "Biblioteca civica", "", "p-4", "", "", "realizzata", "", "10/10/2026",
         "20/11/2026", "pubblico", "", "", "7.5440", "45.0010"],
        ["i-3", "Tavolo del trasporto", "Consulta dei trasporti", "", "b-1", "", "", "in_corso", "", "01/11/2026", "",
         "pubblico", "", "", "7.5425", "45.0045"],
        ["i-9", INIZIATIVA_RISERVATA, "Servizio sociale di esempio", "", "b-1", "", "", "in_corso", "", "17/11/2026",
         "", "riservato", REFERENTE, "", "7.5410", "45.0040"],
    ])
    uscita = tmp_path / "mostra.html"
    r = cli("mostra", "Orbassano", "--pin", "48213579", "--dal", "15/11/2026", "-o", uscita)
    assert r.exit_code == 0, r.output
    frase = ("Dal 15/11/2026: 1 proposta è andata avanti, 1 proposta si è fermata, 1 iniziativa è cominciata e "
             "1 iniziativa si è conclusa.")
    assert frase in r.output
    p = pagina_offline
    apri(p, uscita)
    # it opens on the view of what became of the proposals, first among the views
    assert p.locator("button[data-vista]").first.get_attribute("data-vista") == "seguito"
    assert p.locator("button[data-vista=seguito]").get_attribute("aria-pressed") == "true"
    assert p.locator(".mappe-novita-frase").inner_text() == frase
    assert p.locator(".mappe-novita .mappe-novita-testo").inner_text() == frase
    voci = p.locator(".mappe-novita-elenco li").all_inner_texts()
    assert voci == ["Proposta: Un cinema all'aperto → Sostenuta (20/11/2026)",
                    "Proposta: Un ponte sul Sangone → Non realizzabile (18/11/2026)",
                    "Iniziativa: Bacheca in biblioteca → Conclusa (20/11/2026)",
                    "Iniziativa: Cinema d'estate → Cominciata (16/11/2026)"]
    # highlighted on the map: exactly those
    cambiati = p.locator(".leaflet-marker-icon.mappe-cambiato").evaluate_all("els => els.map(e => e.title)")
    assert sorted(cambiati) == sorted(["Un cinema all'aperto", "Un ponte sul Sangone", "Bacheca in biblioteca",
                                       "Cinema d'estate"])
    # an item of the list opens its card on the map
    p.locator(".mappe-novita-elenco .mappe-link", has_text="Un ponte sul Sangone").click()
    scheda = p.locator(".leaflet-popup-content .mappe-scheda-proposta")
    scheda.wait_for()
    assert scheda.locator(".mappe-nota-novita").inner_text() == "Cambiato dopo il 15/11/2026"
    # another view: the banner goes, and comes back with the view
    p.locator("button[data-vista=memoria]").click()
    assert not p.locator(".mappe-novita-frase").is_visible()
    assert p.locator(".leaflet-marker-icon.mappe-iniziativa").count() == 0
    assert p.locator("path.mappe-linea-iniziativa").count() == 0
    p.locator("button[data-vista=seguito]").click()
    assert p.locator(".mappe-novita-frase").is_visible()
    assert p.richieste_rifiutate == [] and p.errori == []


def test_senza_niente_di_nuovo_lo_dice(cli, tmp_path, incontri_csv):
    _contributi(cli, tmp_path, incontri_csv)
    uscita = tmp_path / "mostra.html"
    r = cli("mostra", "Orbassano", "--pin", "48213579", "--dal", "2026-11-20", "-o", uscita)
    assert r.exit_code == 0, r.output
    assert "Dal 20/11/2026 non è cambiato niente, per ora." in r.output
    assert _dati(uscita)["viste"][0]["nome"] == "seguito"
    # without --dal the exhibition opens as always, and the view is among the others
    r = cli("mostra", "Orbassano", "--pin", "48213579", "-o", uscita)
    nomi = [v["nome"] for v in _dati(uscita)["viste"]]
    assert nomi[0] == "bisogni-risorse" and "seguito" in nomi and _dati(uscita)["seguito"]["novita"] is None


@pytest.mark.parametrize("data, attesa", [("32/13/2026", "non è una data: scriverla come 12/03/2026"),
                                          ("ieri", "non è una data"),
                                          ("01/01/2999", "è una data nel futuro")])
def test_una_data_sbagliata_e_una_frase_in_italiano(cli, tmp_path, data, attesa):
    uscita = tmp_path / "mostra.html"
    r = cli("mostra", "Orbassano", "--dal", data, "-o", uscita)
    assert r.exit_code == 1
    righe = [x for x in r.output.splitlines() if x.strip()]
    assert len(righe) == 1 and righe[0].startswith("Errore: --dal") and attesa in righe[0]
    assert "Traceback" not in r.output and not uscita.exists()


# ---------- What a facilitator met at the trial: cards cut off, piles of symbols, a squeezed box ----------

SCHEDA_INTERA = """() => {
  const pp = document.querySelector('.leaflet-popup');  // the one open (a closed one fades for 0.2 s)
  if (!pp || document.querySelectorAll('.leaflet-popup').length !== 1) return false;
  const m = document.querySelector('.leaflet-container').getBoundingClientRect(), r = pp.getBoundingClientRect();
  const dentro = r.top >= m.top - 0.5 && r.bottom <= m.bottom + 0.5 && r.left >= m.left - 0.5 && r.right <= m.right + 0.5;
  const sotto = Array.from(document.querySelectorAll('.leaflet-control-container .leaflet-control'))
    .map(c => c.getBoundingClientRect())
    .filter(q => q.width && q.height && q.left < r.right && r.left < q.right && q.top < r.bottom && r.top < q.bottom);
  const t = pp.querySelector('.mappe-titolo').getBoundingClientRect();
  const sopra = document.elementFromPoint(t.left + 4, t.top + t.height / 2);
  return dentro && sotto.length === 0 && !!sopra && pp.contains(sopra);
}"""
MAPPA_JS = "window[document.querySelector('.folium-map').id]"


@pytest.fixture
def seguito_affollato(cli, tmp_path, luoghi_csv):
    """Orbassano: a need and a proposal said at the bar (the same spot) with the initiative that answers
    them there, a proposal about the whole comune, eight proposals that moved after 15/11/2026 (one of
    them stopped), and a long card (several stages, an initiative that answers it)."""
    incontri = scrivi_csv(tmp_path / "incontri.csv", [["id", "data", "fase", "partecipanti"],
                                                      ["FG-ORB-01", "01/11/2026", "baseline", "14"]])
    assert cli("importa", incontri, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    righe = [["id", "tipo", "tema", "titolo", "testo", "incontro", "luogo", "lon", "lat"],
             ["b-bar", "bisogno", "socialita", "Un posto per la sera", "Di sera non c'è un posto dove stare insieme",
              "FG-ORB-01", "Bar della piazza", "", ""],
             ["p-bar", "proposta", "socialita", "Serate al bar", "Serate di giochi al bar della piazza", "FG-ORB-01",
              "Bar della piazza", "", ""],
             ["p-ovunque", "proposta", "mobilita", "Una navetta per tutto il comune", "Una navetta il sabato",
              "FG-ORB-01", "", "", ""]]
    for k in range(8):
        righe.append([f"p-{k}", "proposta", "lavoro", f"Proposta numero {k}", f"Detta al focus group, numero {k}",
                      "FG-ORB-01", "", f"{7.5300 + k * 0.0022:.4f}", f"{45.0000 + (k % 3) * 0.0030:.4f}"])
    r = cli("importa", scrivi_csv(tmp_path / "c.csv", righe), "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    passi = [("p-bar", "in_valutazione", "16/11/2026"), ("p-bar", "sostenuta", "18/11/2026"),
             ("p-bar", "in_corso", "20/11/2026"), ("p-0", "in_valutazione", "10/11/2026"),
             ("p-0", "non_realizzabile", "20/11/2026")]
    passi += [(f"p-{k}", "sostenuta", f"{17 + k}/11/2026") for k in range(1, 8)]
    for ident, stato, giorno in passi:
        r = cli("stato", "Orbassano", ident, stato, "--nota", f"Nota pubblica su {ident}", "--data", giorno)
        assert r.exit_code == 0, r.output
    _iniziative(cli, tmp_path, [
        ["i-bar", "Le serate della piazza", "Associazione di esempio", "Una sera alla settimana di giochi al bar",
         "p-bar|b-bar", "Fondo di microcredito", "900", "in_corso", "Prime serate fatte", "16/11/2026", "", "pubblico",
         "", "", "7.5390", "45.0080"],
    ])


def _costruisci(cli, tmp_path, *args):
    uscita = tmp_path / "pagina.html"
    r = cli(*args, "-o", uscita)
    assert r.exit_code == 0, r.output
    return uscita


def test_una_scheda_aperta_da_un_link_si_vede_intera(cli, seguito_affollato, tmp_path, pagina_offline):
    """Desktop: every card opened from "Che cosa è cambiato" (and from the list of the plain map) opens
    whole inside the map, its title in sight, under no control (zoom, "Senza luogo", credits)."""
    p = pagina_offline
    apri(p, _costruisci(cli, tmp_path, "mostra", "Orbassano", "--pin", "48213579", "--dal", "15/11/2026"))
    assert p.locator(".leaflet-control-container .mappe-senza-luogo").is_visible()  # on the map, top left
    p.locator(".mappe-novita-tutte").click()
    link = p.locator(".mappe-novita-elenco .mappe-link")
    assert link.count() >= 9
    for k in range(link.count()):
        p.evaluate(f"{MAPPA_JS}.closePopup()")
        p.wait_for_timeout(250)
        testo = link.nth(k).inner_text()
        link.nth(k).click()
        p.wait_for_function(SCHEDA_INTERA, timeout=6000)
        assert p.locator(".leaflet-popup .mappe-titolo").inner_text() == testo
        if p.locator(".leaflet-popup .mappe-reazione").count():  # the buttons to react are in sight too
            b = p.locator(".leaflet-popup .mappe-reazione").first
            b.scroll_into_view_if_needed()
            r = b.bounding_box()
            assert p.evaluate("([x, y]) => !!document.elementFromPoint(x, y).closest('.leaflet-popup')",
                              [r["x"] + r["width"] / 2, r["y"] + r["height"] / 2])
    # the plain map, from the list beside it
    apri(p, _costruisci(cli, tmp_path, "mappa", "Orbassano", "--vista", "seguito"))
    for titolo in ("Serate al bar", "Proposta numero 0", "Proposta numero 7"):
        scheda = p.locator(".mappe-elenco .mappe-scheda-proposta", has_text=titolo)
        p.evaluate(f"{MAPPA_JS}.closePopup()")
        p.wait_for_timeout(250)
        scheda.locator(".mappe-sulla-mappa").click()
        p.wait_for_function(SCHEDA_INTERA, timeout=6000)
        assert p.locator(".leaflet-popup .mappe-titolo").inner_text() == titolo
    assert p.errori == [] and p.richieste_rifiutate == []


SIMBOLI = """() => Array.from(document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon.leaflet-interactive'))
  .filter(e => !e.classList.contains('mappe-luogo'))
  .map(e => { const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    const sopra = document.elementFromPoint(x, y);
    return {x: x, y: y, titolo: e.getAttribute('title') || '', gruppo: e.classList.contains('mappe-cluster'),
            libero: !!sopra && (sopra === e || e.contains(sopra))}; })"""


def test_bisogno_e_proposta_nello_stesso_luogo_si_raggiungono_entrambi(cli, seguito_affollato, tmp_path, browser,
                                                                       pagina_offline):
    """A need and a proposal said at the bar, and the initiative there: with a mouse they stand apart
    around the bar, each free and each opening its own card; on a phone the initiative joins the group
    (never a star on top of it) and the group fans out: a tap on each opens its own card."""
    pagina = _costruisci(cli, tmp_path, "mappa", "Orbassano", "--vista", "seguito")
    titoli = ["Un posto per la sera", "Serate al bar", "Le serate della piazza"]
    p = pagina_offline
    apri(p, pagina)
    for zoom in (None, 19):
        if zoom:
            p.evaluate(f"{MAPPA_JS}.setView([45.0080, 7.5390], {zoom}, {{animate: false}})")
            p.wait_for_timeout(300)
        simboli = {s["titolo"]: s for s in p.evaluate(SIMBOLI)}
        for t in titoli:
            assert simboli[t]["libero"], (t, zoom)
        punti = [(simboli[t]["x"], simboli[t]["y"]) for t in titoli]
        assert min(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for a in punti for b in punti if a != b) >= 30
    for t in titoli:
        p.evaluate(f"{MAPPA_JS}.closePopup()")
        p.wait_for_timeout(400)  # the card framed before has moved the map: where is each one now
        s = {s["titolo"]: s for s in p.evaluate(SIMBOLI)}[t]
        p.mouse.click(s["x"], s["y"])
        p.wait_for_function(SCHEDA_INTERA, timeout=6000)
        assert p.locator(".leaflet-popup .mappe-titolo").inner_text() == t
    # a phone: symbols are gathered; no initiative sits on a group or a symbol
    contesto = browser.new_context(**browser.dispositivi["Pixel 7"])
    contesto.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
    t = contesto.new_page()
    apri(t, pagina)
    simboli = t.evaluate(SIMBOLI)
    assert [s["titolo"] for s in simboli if not s["libero"]] == []
    assert t.locator(".leaflet-marker-icon.mappe-iniziativa").count() == 0  # the initiative at the bar is in a group
    assert t.locator(".mappe-cluster .mappe-gruppo-iniziative").count() >= 1
    for titolo in titoli:
        for _ in range(25):  # tap the group holding it until it stands alone or fans out
            s = {s["titolo"]: s for s in t.evaluate(SIMBOLI)}
            if titolo in s:
                break
            gruppo = next(g for g in t.evaluate(SIMBOLI) if g["gruppo"] and "Iniziative" in g["titolo"])
            t.touchscreen.tap(gruppo["x"], gruppo["y"])
            t.wait_for_timeout(700)
        s = {s["titolo"]: s for s in t.evaluate(SIMBOLI)}[titolo]
        assert s["libero"]
        t.touchscreen.tap(s["x"], s["y"])
        foglio = t.locator(".mappe-foglio")
        foglio.wait_for(state="visible", timeout=5000)
        assert foglio.locator(".mappe-titolo").first.inner_text() == titolo
        foglio.locator(".mappe-chiudi-foglio").click()
        foglio.wait_for(state="hidden", timeout=5000)
        t.evaluate(f"{MAPPA_JS}.closePopup()")
    contesto.close()
    assert p.errori == []


def test_sul_telefono_le_novita_non_si_sovrappongono_e_si_vedono_tutte(cli, seguito_affollato, tmp_path, browser):
    """A phone: the "Senza luogo" box and "Che cosa è cambiato" one above the other, the heading of the
    box whole; no list scrolling inside the page: the first changes, and a button that says how many."""
    pagina = _costruisci(cli, tmp_path, "mostra", "Orbassano", "--pin", "48213579", "--dal", "15/11/2026")
    contesto = browser.new_context(**browser.dispositivi["Pixel 7"])
    contesto.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
    t = contesto.new_page()
    apri(t, pagina)
    senza = t.locator(".mappe-elenco .mappe-senza-luogo").bounding_box()
    box = t.locator(".mappe-novita")
    novita = box.bounding_box()
    assert senza and novita
    assert senza["y"] + senza["height"] <= novita["y"] or novita["y"] + novita["height"] <= senza["y"]
    h = box.locator("h2").bounding_box()
    assert h["width"] >= novita["width"] - 40 and h["height"] < 40  # one line, the box's width
    elenco = box.locator(".mappe-novita-elenco")
    assert elenco.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && getComputedStyle(e).overflowY !== 'auto'")
    tutte = elenco.locator("li").count()
    assert elenco.locator("li:visible").count() == 5
    bottone = box.locator(".mappe-novita-tutte")
    assert bottone.inner_text() == f"Vedi tutte le {tutte} novità"
    bottone.click()
    assert elenco.locator("li:visible").count() == tutte and bottone.count() == 0
    contesto.close()


def test_non_realizzabile_e_cambiato_si_distinguono_nella_legenda(cli, seguito_affollato, tmp_path, pagina_offline):
    """'Non realizzabile' is no full bar: filled as far as the way went (in valutazione: a quarter), the
    rest struck through, in the cards and the legend, which says so. What changed since the day given
    has its own mark (not the yellow of 'In valutazione'), explained in the legend with --dal only."""
    p = pagina_offline
    apri(p, _costruisci(cli, tmp_path, "mostra", "Orbassano", "--pin", "48213579", "--dal", "15/11/2026"))
    larghezza = "e => e.firstElementChild.getBoundingClientRect().width / e.getBoundingClientRect().width"
    scheda = p.locator(".mappe-elenco .mappe-scheda-proposta", has_text="Proposta numero 0")
    barra = scheda.locator("[role=progressbar]")
    assert "mappe-barra-fermata" in barra.get_attribute("class")
    assert barra.get_attribute("aria-valuenow") == "25" and barra.get_attribute("aria-valuetext") == "Non realizzabile"
    assert 0.2 < barra.evaluate(larghezza) < 0.35
    legenda = p.locator(".mappe-legenda-seguito")
    fermata = legenda.locator(".mappe-stato-voce-non_realizzabile .mappe-barra-avanzamento")
    fatta = legenda.locator(".mappe-stato-voce-realizzata .mappe-barra-avanzamento")
    assert fatta.evaluate(larghezza) > 0.99 and fermata.evaluate(larghezza) < 0.75
    assert "gradient" in fermata.evaluate("e => getComputedStyle(e).backgroundImage")
    assert "la barra si ferma" in legenda.locator(".mappe-legenda-fermata").inner_text()
    # the mark of what changed: not the colour of a status, and explained
    segno = p.locator(".leaflet-marker-icon.mappe-cambiato .mappe-segno").first
    colore = segno.evaluate("e => getComputedStyle(e, '::before').borderTopColor")
    assert colore == "rgb(194, 24, 91)"
    dati = _dati(tmp_path / "pagina.html")
    stati = {k: v["colore"].lower() for k, v in dati["voci"]["seguito"].items()}
    assert "#c2185b" not in stati.values()
    assert segno.evaluate("e => getComputedStyle(e, '::before').backgroundColor") in ("rgba(0, 0, 0, 0)", "transparent")
    voce = legenda.locator(".mappe-voce-cambiato")
    assert voce.inner_text() == "Cambiato dopo il 15/11/2026"
    assert voce.locator(".mappe-cambiato .mappe-segno").evaluate(
        "e => getComputedStyle(e, '::before').borderTopColor") == colore
    # an initiative's card: its day once, what it is as plain words (not a participant's quote)
    iniz = p.locator(".mappe-elenco .mappe-scheda-iniziativa", has_text="Le serate della piazza")
    assert iniz.locator(".mappe-meta-inizio").inner_text() == "Inizio: 16/11/2026 Cominciata"
    assert not any("16/11/2026" in x for x in iniz.locator(".mappe-nota").all_inner_texts())
    assert iniz.locator("blockquote, .mappe-citazione").count() == 0
    assert iniz.locator(".mappe-descrizione").inner_text() == "Una sera alla settimana di giochi al bar"
    # without --dal: no mark to explain
    apri(p, _costruisci(cli, tmp_path, "mappa", "Orbassano", "--vista", "seguito"))
    assert p.locator(".mappe-voce-cambiato").count() == 0
    assert p.locator(".mappe-legenda-fermata").count() == 1
    assert p.errori == []
