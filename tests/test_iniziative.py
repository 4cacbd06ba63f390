"""Initiatives (issue 19): what grew from the proposals and needs of the focus groups, who runs it
(an organisation, never a private person), with which fund. A layer of the store like the others:
template, import with its links, export, correction loop, erasure, on both backends."""

import csv
import sqlite3

import openpyxl
from conftest import scrivi_csv

ENTRAMBI_ARCHIVI = True


def _contributi(cli, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "lon", "lat", "visibilita", "autore", "consenso"],
        ["p-1", "proposta", "socialita", "Un cinema all'aperto", "Un cinema all'aperto d'estate", "7.5378", "45.0087",
         "", "Giuseppina Verdi", "orale"],
        ["b-1", "bisogno", "mobilita", "Autobus la sera", "Non ci sono autobus la sera", "7.5420", "45.0050", "", "",
         "orale"],
        ["r-1", "risorsa", "socialita", "Il bar", "Il bar della piazza", "7.5400", "45.0060", "", "", "orale"],
        ["p-2", "proposta", "lavoro", "Uno sportello riservato", "Uno sportello per il lavoro", "7.5390", "45.0070",
         "riservato", "", "orale"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output


INTESTAZIONE = ["id", "nome", "promotore", "risponde_a", "inizio", "fondo", "importo", "stato", "esito", "lon", "lat",
                "referente", "visibilita"]


def _iniziative(cli, tmp_path, righe, nome="i.csv"):
    return cli("importa", scrivi_csv(tmp_path / nome, [INTESTAZIONE, *righe]), "--comune", "Orbassano",
               "--strato", "iniziative")


def _leggi_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_le_iniziative_si_importano_con_i_collegamenti_e_gli_ignoti_sono_respinti(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    r = _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "01/06/2026", "Fondo di microcredito", "3500",
         "in_corso", "Prima proiezione a luglio", "7.5379", "45.0086", "Carla Neri 333 1234567", ""],
        ["i-2", "Navetta serale", "Cooperativa Il Ponte", "b-1|p-99", "", "", "", "", "", "", "", "", ""],
        ["i-3", "Bus della sera", "Consulta dei giovani", "Autobus la sera|Un cinema all'aperto", "", "", "", "", "",
         "", "", "", ""],
        ["i-4", "Caffè sospeso", "Associazione Il Bar", "r-1", "", "", "", "", "", "", "", "", ""],
        ["i-5", "Cineforum", "Giuseppina Verdi", "p-1", "", "", "", "", "", "", "", "", ""],
        ["i-6", "Sportello chiuso", "Comune di Orbassano", "b-1", "", "", "", "non_realizzabile", "", "", "", "", ""],
    ])
    assert r.exit_code == 1
    out = " ".join(r.output.split())
    assert "importati: 2" in out and "respinti: 4" in out
    assert "riga 3, campo 'risponde_a': la proposta o il bisogno 'p-99' non esiste in questo comune" in out
    assert "riga 5, campo 'risponde_a': 'r-1' è un contributo di tipo risorsa" in out
    assert "riga 6, campo 'promotore': 'Giuseppina Verdi' è il nome di una persona (compare nel campo autore)" in out
    assert "riga 7, campo 'esito'" in out and "scrivere il perché" in out
    assert "Traceback" not in r.output
    ini = orbassano.leggi("iniziative").set_index("id")
    assert sorted(ini.index) == ["i-1", "i-3"]  # a rejected row is never written
    uno = ini.loc["i-1"]
    assert uno["risponde_a"] == "p-1" and uno["importo"] == 3500 and uno["fondo"] == "Fondo di microcredito"
    assert uno["inizio"] == "2026-06-01" and uno["stato"] == "in_corso" and uno["visibilita"] == "pubblico"
    assert uno.geometry.x == 7.5379
    assert ini.loc["i-3", "risponde_a"] == "b-1|p-1"  # exact titles become codes
    assert "i-3" in cli("cerca", "Orbassano", "consulta", "giovani").output
    assert cli("verifica", "Orbassano").exit_code == 0


def test_il_modello_delle_iniziative_ha_le_sue_colonne_e_si_reimporta(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    modello = tmp_path / "iniziative.xlsx"
    r = cli("modello", modello, "--strato", "iniziative")
    assert r.exit_code == 0 and "--strato iniziative" in r.output
    foglio = openpyxl.load_workbook(modello).worksheets[0]
    colonne = [c.value for c in foglio[1]]
    for c in ("nome", "promotore", "risponde_a", "inizio", "fine", "fondo", "importo", "stato", "referente"):
        assert c in colonne
    foglio.append([{"nome": "Orto condiviso", "promotore": "Legambiente Orbassano", "risponde_a": "p-1",
                    "fondo": "Fondo di microcredito", "importo": 1200}.get(c) for c in colonne])
    wb = foglio.parent
    wb.save(modello)
    r = cli("importa", modello, "--comune", "Orbassano", "--strato", "iniziative")
    assert r.exit_code == 0, r.output
    ini = orbassano.leggi("iniziative")
    assert ini["nome"].tolist() == ["Orto condiviso"] and ini["importo"].tolist() == [1200]


def test_il_foglio_corretto_cambia_solo_quelle_iniziative(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    assert _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "01/06/2026", "", "", "sostenuta", "", "", "", "", ""],
        ["i-2", "Navetta serale", "Cooperativa Il Ponte", "b-1", "", "", "", "", "", "", "", "", ""],
    ]).exit_code == 0
    prima = orbassano.leggi("iniziative").set_index("id")
    completo = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--strato", "iniziative", "--completo", "-o", completo).exit_code == 0
    righe = _leggi_csv(completo)
    for r in righe:
        if r["id"] == "i-1":
            r["stato"], r["esito"], r["importo"] = "realizzata", "Dieci serate in piazza", "2000"
    with open(completo, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(righe[0]), delimiter=";")
        w.writeheader()
        w.writerows(righe)
    r = cli("importa", completo, "--comune", "Orbassano", "--strato", "iniziative")
    assert r.exit_code == 0, r.output
    assert "aggiornati: 1" in r.output and "già presenti: 1" in r.output
    dopo = orbassano.leggi("iniziative").set_index("id")
    assert dopo.loc["i-1", "stato"] == "realizzata" and dopo.loc["i-1", "importo"] == 2000
    assert dopo.loc["i-1", "esito"] == "Dieci serate in piazza"
    assert dopo.loc["i-2"].drop("geometry").equals(prima.loc["i-2"].drop("geometry"))
    # the status of an initiative also changes from the command line, and is undone
    r = cli("stato", "Orbassano", "i-2", "in_corso", "--nota", "Il primo giro è partito")
    assert r.exit_code == 0, r.output
    assert orbassano.leggi("iniziative").set_index("id").loc["i-2", "stato"] == "in_corso"
    assert "i-2: detta → in_corso" in cli("storia", "Orbassano").output
    assert cli("annulla", "Orbassano", "--si").exit_code == 0
    assert orbassano.leggi("iniziative").set_index("id").loc["i-2", "stato"] is None


def test_in_pubblico_niente_iniziative_riservate_referenti_ne_collegamenti_a_proposte_riservate(
        cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    assert _iniziative(cli, tmp_path, [
        ["i-1", "Sportello del sabato", "Cooperativa Il Ponte", "p-1|p-2", "", "Fondo di microcredito", "3500",
         "in_corso", "", "7.5379", "45.0086", "Carla Neri 333 1234567", ""],
        ["i-2", "Progetto in incubazione", "Caritas", "b-1", "", "", "", "", "", "", "", "", "riservato"],
    ]).exit_code == 0
    pubblico = tmp_path / "pubblico.csv"
    assert cli("esporta", "Orbassano", "--strato", "iniziative", "-o", pubblico).exit_code == 0
    testo = pubblico.read_text(encoding="utf-8-sig")
    assert "Carla Neri" not in testo and "referente" not in testo.splitlines()[0]
    assert "Progetto in incubazione" not in testo and "i-1" not in testo  # public ids only
    righe = _leggi_csv(pubblico)
    assert len(righe) == 1 and righe[0]["importo"] == "3500" and righe[0]["fondo"] == "Fondo di microcredito"
    # the link to the reserved proposal p-2 is not in the file: only one public id is
    assert len(righe[0]["risponde_a"].split("|")) == 1 and righe[0]["risponde_a"].startswith("p")
    # the public file imported back changes nothing (the hidden link stays)
    prima = orbassano.leggi("iniziative")
    r = cli("importa", pubblico, "--comune", "Orbassano", "--strato", "iniziative")
    assert r.exit_code == 0, r.output
    assert "già presenti: 1" in r.output
    dopo = orbassano.leggi("iniziative")
    assert dopo.drop(columns="geometry").equals(prima.drop(columns="geometry"))
    assert dopo.set_index("id").loc["i-1", "risponde_a"] == "p-1|p-2"


def test_cancellare_una_proposta_lascia_l_iniziativa_e_l_oblio_svuota_il_referente(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    assert _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1|b-1", "", "", "", "", "", "", "", "Carla Neri", ""],
    ]).exit_code == 0
    r = cli("elimina", "Orbassano", "p-1", "--si")
    assert r.exit_code == 0, r.output
    ini = orbassano.leggi("iniziative").set_index("id")
    assert ini.loc["i-1", "risponde_a"] == "b-1"
    assert cli("verifica", "Orbassano").exit_code == 0
    r = cli("oblio", "--persona", "Carla Neri", "--si")
    assert r.exit_code == 0, r.output
    assert orbassano.leggi("iniziative").set_index("id").loc["i-1", "referente"] is None
    r = cli("elimina", "Orbassano", "i-1", "--si")
    assert r.exit_code == 0, r.output
    assert len(orbassano.leggi("iniziative")) == 0


def test_un_area_di_prima_delle_iniziative_le_riceve_senza_toccare_i_suoi_file(
        cli, area, orbassano, tipo_archivio, tmp_path):
    _contributi(cli, tmp_path)
    # a catalogue written before the layer existed, and a store made without its table
    strati = area.cartella / "layers" / "strati.toml"
    testo = strati.read_text(encoding="utf-8")
    inizio = testo.index("[iniziative]")
    fine = testo.index("[incontri]")
    strati.write_text(testo[:inizio] + testo[fine:], encoding="utf-8")
    if tipo_archivio == "postgis":
        con = orbassano.con()
        con.execute(f'DROP TABLE "{orbassano.schema}".iniziative')
        con.commit()
    else:
        con = sqlite3.connect(orbassano.gpkg)
        with con:
            for (nome,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                       "AND name LIKE '%iniziative%'").fetchall():
                con.execute(f'DROP TRIGGER "{nome}"')
            con.execute("DROP TABLE IF EXISTS rtree_iniziative_geometry")
            con.execute("DROP TABLE iniziative")
            for t in ("gpkg_contents", "gpkg_geometry_columns"):
                con.execute(f"DELETE FROM {t} WHERE table_name = 'iniziative'")
            con.execute("DELETE FROM gpkg_extensions WHERE table_name = 'iniziative'")
        con.close()
    r = cli("verifica", "Orbassano")
    assert r.exit_code == 0, r.output
    assert cli("esporta", "Orbassano", "--strato", "iniziative", "-o", tmp_path / "vuoto.csv").exit_code == 0
    r = _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "", "", "", "", "", "7.5379", "45.0086", "", ""],
    ])
    assert r.exit_code == 0, r.output
    assert "[iniziative]" not in strati.read_text(encoding="utf-8")  # the user's file is not touched
    from mappe.archivio import Area

    assert Area(area.cartella).archivio("Orbassano").leggi("iniziative")["id"].tolist() == ["i-1"]
    assert cli("verifica", "Orbassano").exit_code == 0


def test_i_visitatori_possono_dire_la_loro_su_un_iniziativa(cli, orbassano, tmp_path):
    import json

    _contributi(cli, tmp_path)
    assert _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "", "", "", "", "", "7.5379", "45.0086", "", ""],
    ]).exit_code == 0
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": [
        {"type": "Feature", "properties": {"id": "r-1", "su": "i-1", "comune": "orbassano", "reazione": "importante",
                                           "commento": "Finalmente, ci andremo", "data": "2026-11-26T10:00:00Z"},
         "geometry": None},
        {"type": "Feature", "properties": {"id": "r-2", "su": "i-9", "comune": "orbassano", "reazione": "importante",
                                           "commento": "Su niente", "data": "2026-11-26T10:00:00Z"},
         "geometry": None}]}))
    r = cli("riscontri", "importa", f, "--comune", "Orbassano")
    assert "il contributo, luogo o iniziativa 'i-9' non esiste" in " ".join(r.output.split())
    assert orbassano.leggi("riscontri")["su"].tolist() == ["i-1"]
    r = cli("riscontri", "modera", "Orbassano")
    assert "iniziativa: Cinema d'estate" in r.output
    r = cli("verifica", "Orbassano")
    assert r.exit_code == 0, r.output  # feedback about an initiative is about something that exists


def test_modifica_e_stato_controllano_un_iniziativa_come_l_importazione(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    assert _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "", "", "", "in_corso", "", "", "", "", ""],
    ]).exit_code == 0
    prima = orbassano.leggi("iniziative")
    # a person's name in another order is still a person
    r = _iniziative(cli, tmp_path, [
        ["i-2", "Cineforum", "Verdi Giuseppina", "p-1", "", "", "", "", "", "", "", "", ""]], "i2.csv")
    assert r.exit_code == 1 and "è il nome di una persona" in r.output
    r = cli("modifica", "Orbassano", "i-1", "--promotore", "Giuseppina Verdi")
    assert r.exit_code == 1 and "campo 'promotore'" in r.output and "è il nome di una persona" in r.output
    r = cli("modifica", "Orbassano", "i-1", "--risponde_a", "p-1|p-99")
    assert r.exit_code == 1 and "'p-99' non esiste" in r.output
    r = cli("modifica", "Orbassano", "i-1", "--risponde_a", "r-1")
    assert r.exit_code == 1 and "tipo risorsa" in r.output
    r = cli("stato", "Orbassano", "i-1", "realizzata", "--data", "01/03/2026")
    assert r.exit_code == 1 and "togliere --data" in r.output
    r = cli("stato", "Orbassano", "i-1", "detta")
    assert r.exit_code == 1 and "per un'iniziativa usare uno di" in r.output
    assert orbassano.leggi("iniziative").drop(columns="geometry").equals(prima.drop(columns="geometry"))
    r = cli("modifica", "Orbassano", "i-1", "--risponde_a", "Autobus la sera|p-1")
    assert r.exit_code == 0, r.output
    assert orbassano.leggi("iniziative").set_index("id").loc["i-1", "risponde_a"] == "b-1|p-1"


def test_importi_all_italiana_titoli_quasi_giusti_e_nomi_di_persona(cli, orbassano, tmp_path):
    _contributi(cli, tmp_path)
    r = _iniziative(cli, tmp_path, [
        ["i-1", "Cinema d'estate", "Pro Loco Orbassano", "p-1", "", "Fondo di microcredito", "3.500", "", "", "",
         "", "", ""],
        ["i-2", "Navetta", "Cooperativa Il Ponte", "b-1", "", "", "€ 5000", "", "", "", "", "", ""],
        ["i-3", "Bus", "Consulta dei giovani", "Autobus la seraa", "", "", "", "", "", "", "", "", ""],
        ["i-4", "Cineforum", "Giorgio Pautasso", "p-1", "", "", "", "", "", "", "", "", ""],
        ["i-5", "Sportello", "Caritas", "b-1", "", "", "", "detta", "", "", "", "", ""],
        ["i-6", "Orto", "Legambiente Orbassano", "b-1", "", "", "mille", "", "", "", "", "", ""],
    ])
    out = " ".join(r.output.split())
    assert "importati: 3" in out and "respinti: 3" in out
    ini = orbassano.leggi("iniziative").set_index("id")
    assert ini.loc["i-1", "importo"] == 3500 and ini.loc["i-2", "importo"] == 5000  # as Italians write amounts
    assert "riga 4, campo 'risponde_a'" in out and "titolo quasi uguale a quello di b-1" in out
    # a name and surname: imported, but the facilitator is warned that it goes public
    assert "riga 5, campo 'promotore': 'Giorgio Pautasso' sembra il nome di una persona" in out
    assert "Legambiente Orbassano' sembra" not in out
    assert "riga 6, campo 'stato': 'detta' vale per proposte e bisogni" in out
    assert "riga 7, campo 'importo': 'mille' non è un numero intero: scrivere solo il numero, per esempio 3500" in out
