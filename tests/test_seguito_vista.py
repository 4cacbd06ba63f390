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


def test_la_seconda_tornata_si_apre_su_quello_che_e_cambiato_dal_giorno_dato(cli, tmp_path, incontri_csv,
                                                                            pagina_offline):
    _contributi(cli, tmp_path, incontri_csv)
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
