import subprocess
import sys

import click
import openpyxl
import pytest
from conftest import scrivi_csv

from mappe.cli import main


def _comandi(gruppo: click.Group, prefisso=()):
    for nome, cmd in gruppo.commands.items():
        yield (*prefisso, nome), cmd
        if isinstance(cmd, click.Group):
            yield from _comandi(cmd, (*prefisso, nome))


@pytest.mark.parametrize("percorso", [p for p, _ in _comandi(main)], ids=lambda p: " ".join(p))
def test_ogni_comando_ha_aiuto_italiano_con_esempio(cli, percorso):
    r = cli(*percorso, "-h")
    assert r.exit_code == 0
    assert r.output.startswith("Uso: ")
    assert "Esempi" in r.output and "mappe " in r.output.split("Esemp", 1)[1]
    assert "Mostra questo aiuto ed esce." in r.output
    assert "Show this message" not in r.output and "Usage:" not in r.output


def test_errore_di_uso_in_italiano_esce_con_2(cli):
    r = cli("importa")
    assert r.exit_code == 2
    assert "Manca l'argomento 'FILE'" in r.output and "Uso:" in r.output
    r = cli("mappa", "Orbassano", "--vista", "nessuna")
    assert r.exit_code == 2 and "non è un valore ammesso" in r.output


def test_init_crea_area(tmp_path, cli):
    r = cli("init", tmp_path / "nuova")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "nuova" / "layers" / "tipi.toml").exists()
    assert (tmp_path / "nuova" / "data" / "comuni").is_dir()


def test_comuni_aggiungi_ed_elenco(cli, area):
    r = cli("comuni", "aggiungi", "rivalta di torino", "001024")
    assert r.exit_code == 0, r.output
    assert "Rivalta di Torino (TO, ISTAT 001214): aggiunto" in r.output
    assert "Beinasco (TO, ISTAT 001024): aggiunto" in r.output
    assert (area.cartella_comuni / "rivalta-di-torino" / "rivalta-di-torino.gpkg").exists()
    r = cli("comuni", "aggiungi", "Orbassano")
    assert "era già presente" in r.output
    r = cli("comuni", "elenco")
    righe = r.output.splitlines()
    assert righe[0].split()[:3] == ["Comune", "Prov.", "ISTAT"]
    assert [x.split()[0] for x in righe[1:]] == ["Beinasco", "Orbassano", "Rivalta"]
    assert "23.061" in r.output


def test_comune_ambiguo_o_sconosciuto(cli, area):
    r = cli("comuni", "aggiungi", "Samone")
    assert r.exit_code == 1
    assert r.output.startswith("Errore: Il nome 'Samone' è ambiguo")
    assert "Traceback" not in r.output
    r = cli("comuni", "aggiungi", "Orbasano", "Beinasco")
    assert r.exit_code == 1 and "Forse cercavi: Orbassano (TO)" in r.output
    assert not (area.cartella_comuni / "beinasco").exists()  # nothing added when one name is wrong
    r = cli("comuni", "aggiungi", "Samone", "--provincia", "TN")
    assert r.exit_code == 0 and (area.cartella_comuni / "samone-tn").is_dir()


def test_modello_xlsx_con_istruzioni(cli, tmp_path):
    r = cli("modello", tmp_path / "m.xlsx")
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert wb.sheetnames[:2] == ["Contributi", "Istruzioni"]
    ws = wb["Contributi"]
    colonne = [c.value for c in ws[1]]
    assert colonne[:4] == ["id", "incontro", "tipo", "tema"] and colonne[-2:] == ["lon", "lat"]
    esempio = dict(zip(colonne, [c.value for c in ws[2]]))
    assert esempio["tipo"] == "bisogno" and esempio["testo"]
    ist = {r[0].value: r for r in wb["Istruzioni"].iter_rows(min_row=2) if r[0].value}
    assert "bisogno = Bisogno" in ist["tipo"][3].value
    assert ist["tipo"][1].value == "sì"
    assert "pubblico" in ist["autore"][2].value


def test_modello_csv_per_excel_italiano(cli, tmp_path):
    cli("modello", tmp_path / "l.csv", "--strato", "luoghi")
    dati = (tmp_path / "l.csv").read_bytes()
    assert dati.startswith(b"\xef\xbb\xbf")
    assert dati.decode("utf-8-sig").splitlines()[0] == ("id;nome;categoria;ruolo;descrizione;indirizzo;foto;didascalia;"
                                                        "autore_foto;foto_pubblica;referente;lon;lat")


def test_importa_righe_respinte_esce_con_1_e_reimporta(cli, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "lon", "lat"],
        ["bisogno", "lavoro", "Manca lavoro", "7.5378", "45.0087"],
        ["bisogni", "lavoro", "Tipo sbagliato", "7.5378", "45.0087"],
    ])
    r = cli("importa", f, "--comune", "orbassano")
    assert r.exit_code == 1
    assert "importati: 1, aggiornati: 0, già presenti: 0, respinti: 1" in r.output
    assert "c.csv, riga 3, campo 'tipo': il valore 'bisogni' non è ammesso; volevi dire 'bisogno'?" in r.output
    scrivi_csv(f, [["tipo", "tema", "testo", "lon", "lat"], ["bisogno", "lavoro", "Manca lavoro", "7.5378", "45.0087"]])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0
    assert "importati: 0, aggiornati: 0, già presenti: 1, respinti: 0" in r.output


def test_importa_file_inesistente_o_comune_assente(cli, tmp_path):
    r = cli("importa", tmp_path / "nessuno.csv", "--comune", "Orbassano")
    assert r.exit_code == 1 and "non esiste" in r.output and "Traceback" not in r.output
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "x"]])
    r = cli("importa", f, "--comune", "Beinasco")
    assert r.exit_code == 1 and "mappe comuni aggiungi \"Beinasco\"" in r.output


def test_importa_prova(cli, tmp_path, orbassano):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "x"]])
    r = cli("importa", f, "--comune", "Orbassano", "--prova")
    assert r.exit_code == 0 and "Prova (niente è stato scritto)" in r.output and "da importare: 1" in r.output
    assert orbassano.conta()["contributi"] == 0


def test_mappa_scrive_il_file_nella_cartella_corrente(cli, tmp_path):
    r = cli("mappa", "Orbassano", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    html = (tmp_path / "orbassano.html").read_text(encoding="utf-8")
    assert "Comune di Orbassano" in html and '<html lang="it">' in html
    r = cli("mappa", "Orbassano", "--vista", "memoria", "--lingua", "en", "-o", tmp_path / "m.html")
    html = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "Map of memory" in html and '<html lang="en">' in html


def test_area_da_variabile_di_ambiente(area, tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["comuni", "elenco"], env={"MAPPE_AREA": str(area.cartella)})
    assert r.exit_code == 0 and "Orbassano" in r.output
    r = CliRunner().invoke(main, ["comuni", "elenco"], env={"MAPPE_AREA": ""})
    assert r.exit_code == 1 and "non è un'area di lavoro" in r.output


def test_il_comando_installato_funziona(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mappe", "init", str(tmp_path / "a")], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and "Area di lavoro pronta" in r.stdout


def test_il_modello_compilato_si_importa_e_la_riga_di_esempio_e_ignorata(cli, tmp_path, orbassano):
    f = tmp_path / "m.xlsx"
    cli("modello", f)
    wb = openpyxl.load_workbook(f)
    ws = wb["Contributi"]
    colonne = [c.value for c in ws[1]]
    riga = {"tipo": "risorsa", "tema": "socialita", "testo": "Il circolo delle bocce", "lon": 7.5378, "lat": 45.0087}
    ws.append([riga.get(c) for c in colonne])
    wb.save(f)
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati: 1" in r.output and "riga 2: è la riga di esempio del modello: ignorata" in r.output
    assert list(orbassano.leggi("contributi")["testo"]) == ["Il circolo delle bocce"]
