"""What became of the proposals (issue 19): the status of proposals and needs, with its day, its note
and its stages, set from the command line or through the correction loop; undone like any change."""

import csv
import datetime as dt

import pytest
from conftest import scrivi_csv

ENTRAMBI_ARCHIVI = True  # the status is a field of the store: both backends

OGGI = dt.date.today().isoformat()


def _contributi(cli, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "lon", "lat", "visibilita"],
        ["p-1", "proposta", "socialita", "Un cinema all'aperto", "Un cinema all'aperto d'estate", "7.5378", "45.0087", ""],
        ["b-1", "bisogno", "mobilita", "Autobus la sera", "Non ci sono autobus la sera", "7.5420", "45.0050", ""],
        ["r-1", "risorsa", "socialita", "Il bar", "Il bar della piazza", "7.5400", "45.0060", ""],
        ["p-2", "proposta", "lavoro", "Uno sportello", "Uno sportello per il lavoro", "7.5390", "45.0070", "riservato"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output


def test_lo_stato_si_segna_con_data_e_nota_e_si_annulla(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    r = cli("stato", "Orbassano", "p-1", "in_valutazione", "--data", "02/12/2026" if OGGI >= "2026-12-02" else
            "/".join(reversed(OGGI.split("-"))))
    assert r.exit_code == 0, r.output
    assert "da «Detta nel focus group» a «In valutazione»" in r.output and "mappe annulla" in r.output
    r = cli("stato", "Orbassano", "p-1", "sostenuta", "--nota", "Il fondo di microcredito la finanzia")
    assert r.exit_code == 0, r.output
    riga = orbassano.leggi("contributi").set_index("id").loc["p-1"]
    assert riga["stato"] == "sostenuta" and riga["esito"] == "Il fondo di microcredito la finanzia"
    assert riga["data_stato"] == OGGI
    passi = riga["tappe"].split("|")
    assert len(passi) == 2 and passi[1] == f"{OGGI} sostenuta" and passi[0].endswith(" in_valutazione")
    storia = cli("storia", "Orbassano").output
    assert "p-1: in_valutazione → sostenuta" in storia
    assert cli("annulla", "Orbassano", "--si").exit_code == 0
    riga = orbassano.leggi("contributi").set_index("id").loc["p-1"]
    assert riga["stato"] == "in_valutazione" and riga["esito"] is None and len(riga["tappe"].split("|")) == 1


def test_uno_stato_sbagliato_e_rifiutato_e_niente_cambia(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    prima = orbassano.leggi("contributi")
    r = cli("stato", "Orbassano", "p-1", "finita")
    assert r.exit_code == 1
    assert "Lo stato 'finita' non è nel catalogo: usare uno di detta, in_valutazione, sostenuta, in_corso, " \
           "realizzata, non_realizzabile" in r.output
    r = cli("stato", "Orbassano", "r-1", "sostenuta")
    assert r.exit_code == 1 and "vale per proposte e bisogni" in r.output
    r = cli("stato", "Orbassano", "p-1", "non_realizzabile")
    assert r.exit_code == 1 and "aggiungere il perché con --nota" in r.output
    r = cli("stato", "Orbassano", "p-1", "in_corso", "--data", "31/12/2999")
    assert r.exit_code == 1 and "nel futuro" in r.output
    r = cli("stato", "Orbassano", "p-1", "in_corso", "--data", "ieri")
    assert r.exit_code == 1 and "non è una data" in r.output
    assert "Traceback" not in r.output
    assert orbassano.leggi("contributi").equals(prima)


def test_il_foglio_corretto_cambia_lo_stato_di_quelle_righe(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    esportato = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--completo", "-o", esportato).exit_code == 0
    with open(esportato, encoding="utf-8-sig", newline="") as f:
        righe = list(csv.reader(f, delimiter=";"))
    testa = righe[0]
    i_id, i_stato, i_esito, i_data = (testa.index(c) for c in ("id", "stato", "esito", "data_stato"))
    for r in righe[1:]:
        if r[i_id] == "p-1":
            r[i_stato] = "in_corso"
            r[i_esito] = "I lavori sono cominciati"
        if r[i_id] == "b-1":
            r[i_stato] = "Realizzata"  # the label, as a person writes it
            r[i_data] = "15/11/2026"
    with open(esportato, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, delimiter=";").writerows(righe)
    prima = orbassano.leggi("contributi").set_index("id")
    r = cli("importa", esportato, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "aggiornati: 2" in r.output
    dopo = orbassano.leggi("contributi").set_index("id")
    assert dopo.at["p-1", "stato"] == "in_corso" and dopo.at["p-1", "tappe"] == f"{OGGI} in_corso"
    assert dopo.at["p-1", "esito"] == "I lavori sono cominciati"
    assert dopo.at["b-1", "stato"] == "realizzata" and dopo.at["b-1", "data_stato"] == "2026-11-15"
    assert dopo.at["b-1", "tappe"] == "2026-11-15 realizzata"
    for i in ("r-1", "p-2"):  # the other rows exactly as they were
        assert dopo.loc[i].drop("geometry").equals(prima.loc[i].drop("geometry"))
    # the same file again changes nothing (no new stage)
    r = cli("importa", esportato, "--comune", "Orbassano")
    assert "aggiornati: 0" in r.output and orbassano.leggi("contributi").set_index("id").at["p-1", "tappe"] == \
        f"{OGGI} in_corso"


def test_un_foglio_con_lo_stato_e_le_sue_regole(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "s.csv", [
        ["tipo", "tema", "testo", "lon", "lat", "stato", "esito", "data_stato"],
        ["proposta", "socialita", "Una panchina nuova", "7.5378", "45.0087", "sostenuta", "", "10/11/2026"],
        ["risorsa", "socialita", "Il circolo", "7.5378", "45.0087", "sostenuta", "", ""],
        ["proposta", "socialita", "Un ponte sul Sangone", "7.5378", "45.0087", "non_realizzabile", "", ""],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1
    assert "riga 3, campo 'stato': lo stato vale per proposte e bisogni" in r.output
    assert "riga 4, campo 'esito': per una proposta non realizzabile scrivere il perché" in r.output
    c = orbassano.leggi("contributi")
    assert len(c) == 1 and c["tappe"].iloc[0] == "2026-11-10 sostenuta"


def test_lo_stato_e_pubblico_tranne_che_per_le_righe_riservate(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    assert cli("stato", "Orbassano", "p-1", "sostenuta", "--nota", "Con il fondo del progetto").exit_code == 0
    assert cli("stato", "Orbassano", "p-2", "in_corso", "--nota", "Nota di una proposta riservata").exit_code == 0
    pubblico = tmp_path / "pubblico.csv"
    assert cli("esporta", "Orbassano", "-o", pubblico).exit_code == 0
    testo = pubblico.read_text(encoding="utf-8-sig")
    assert "Con il fondo del progetto" in testo and "sostenuta" in testo
    assert "Nota di una proposta riservata" not in testo
    r = cli("verifica-privacy", pubblico)
    assert r.exit_code == 0, r.output


@pytest.mark.solo_gpkg
def test_la_scheda_dice_a_che_punto_e_con_le_date(cli, orbassano, tmp_path, pagina_offline, incontri_csv):
    from conftest import apri

    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "incontro", "lon", "lat"],
        ["p-1", "proposta", "socialita", "Un cinema all'aperto", "Un cinema all'aperto d'estate", "FG-ORB-01",
         "7.5378", "45.0087"],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    assert cli("stato", "Orbassano", "p-1", "in_valutazione", "--data", "25/11/2026").exit_code == 0
    assert cli("stato", "Orbassano", "p-1", "sostenuta", "--nota", "Il fondo <b>di microcredito</b> la finanzia",
               "--data", "27/11/2026").exit_code == 0
    uscita = tmp_path / "m.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    apri(p, uscita)
    scheda = p.locator(".mappe-elenco .mappe-scheda-proposta").first
    scheda.wait_for()
    assert scheda.locator(".mappe-stato-badge").inner_text() == "A che punto è: Sostenuta"
    assert scheda.locator(".mappe-stato-esito").inner_text() == "Il fondo <b>di microcredito</b> la finanzia"
    passi = scheda.locator(".mappe-cammino li").all_inner_texts()
    assert passi == ["Detta: 23/11/2026", "In valutazione: 25/11/2026", "Sostenuta: 27/11/2026"]
    assert p.richieste_rifiutate == [] and p.errori == []


def test_le_date_degli_stati_si_controllano_anche_dal_foglio(cli, orbassano, tmp_path, incontri_csv):
    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "incontro", "tipo", "tema", "titolo", "testo", "lon", "lat"],
        ["p-1", "FG-ORB-01", "proposta", "socialita", "Un cinema", "Un cinema all'aperto", "7.5378", "45.0087"],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    # before the session it was said in (23/11/2026), from the command line and from the sheet
    r = cli("stato", "Orbassano", "p-1", "in_valutazione", "--data", "01/01/2026")
    assert r.exit_code == 1 and "prima dell'incontro in cui è stato detto (23/11/2026)" in r.output

    def foglio(nome, stato, data):
        esportato = tmp_path / nome
        assert cli("esporta", "Orbassano", "--completo", "-o", esportato).exit_code == 0
        with open(esportato, encoding="utf-8-sig", newline="") as fh:
            righe = list(csv.reader(fh, delimiter=";"))
        testa = righe[0]
        righe[1][testa.index("stato")] = stato
        righe[1][testa.index("data_stato")] = data
        with open(esportato, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows(righe)
        return cli("importa", esportato, "--comune", "Orbassano")

    r = foglio("a.csv", "in_valutazione", "01/01/2026")
    assert r.exit_code == 1 and "campo 'data_stato'" in r.output and "prima dell'incontro" in r.output
    r = foglio("b.csv", "in_valutazione", "10/02/2999")
    assert r.exit_code == 1 and "nel futuro" in r.output
    assert orbassano.leggi("contributi").set_index("id").loc["p-1", "tappe"] is None  # nothing was written
    r = foglio("c.csv", "in_valutazione", "")
    assert r.exit_code == 0, r.output
    # the day of that stage corrected in the sheet: the stage follows
    r = foglio("d.csv", "in_valutazione", "/".join(reversed(OGGI.split("-"))))
    riga = orbassano.leggi("contributi").set_index("id").loc["p-1"]
    assert riga["tappe"] == f"{OGGI} in_valutazione"
    # a later stage dated before the one it follows is refused
    if OGGI > "2026-11-24":
        r = foglio("e.csv", "sostenuta", "24/11/2026")
        assert r.exit_code == 1 and "prima della tappa precedente" in r.output


def test_lo_stato_si_scrive_come_viene(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    r = cli("stato", "Orbassano", "p-1", "in", "corso")  # without quotes
    assert r.exit_code == 0, r.output
    assert orbassano.leggi("contributi").set_index("id").loc["p-1", "stato"] == "in_corso"
    r = cli("stato", "Orbassano", "p-1", "In-valutazione")
    assert r.exit_code == 0 and orbassano.leggi("contributi").set_index("id").loc["p-1", "stato"] == "in_valutazione"
    r = cli("stato", "Orbassano", "p-1", "realizata")
    assert r.exit_code == 1 and "(volevi dire realizzata?)" in r.output
