"""Correcting and erasing: spreadsheet round trip, change, delete and undo, the right to be forgotten."""

import openpyxl
import pytest
from conftest import contenuto_archivio, scrivi_csv, tracce_archivio

from mappe.importa import importa_file
from mappe.pubblico import id_pubblico

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS

SEGRETO = "Testo da dimenticare: abito in via Verdi 12"


@pytest.fixture
def tre(orbassano, tmp_path, luoghi_csv):
    importa_file(orbassano, luoghi_csv, "luoghi")
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "luogo", "consenso", "autore", "lon", "lat"],
        ["c-1", "bisogno", "lavoro", "Uno", "Manca lavoro", "", "orale", "Maria R.", "7.5378", "45.0087"],
        ["c-2", "risorsa", "socialita", "Due", "Il bar", "Bar della piazza", "scritto", "Piero", "", ""],
        ["c-3", "memoria", "socialita", "Tre", SEGRETO, "", "orale", "Maria R.", "7.5420", "45.0050"],
    ])
    assert importa_file(orbassano, f).importati == 3
    return orbassano


def test_esporta_in_xlsx_correggi_reimporta_aggiorna_solo_le_righe_cambiate(cli, tre, tmp_path):
    x = tmp_path / "corretto.xlsx"
    assert cli("esporta", "Orbassano", "--formato", "xlsx", "-o", x).exit_code == 0
    wb = openpyxl.load_workbook(x)
    ws = wb.active
    colonne = [c.value for c in ws[1]]
    # the file is public: it carries public ids, which the import maps back to the store's
    uno, due = (id_pubblico(tre.segreto(), i) for i in ("c-1", "c-2"))
    for riga in ws.iter_rows(min_row=2):
        valori = dict(zip(colonne, riga))
        if valori["id"].value == uno:
            valori["tema"].value = "formazione"
        if valori["id"].value == due:
            valori["testo"].value = "Il bar della piazza, aperto fino a tardi"
    wb.save(x)
    r = cli("importa", x, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati: 0, aggiornati: 2, già presenti: 1" in r.output
    c = tre.leggi("contributi").set_index("id")
    assert c.loc["c-1", "tema"] == "formazione" and c.loc["c-2", "testo"].endswith("fino a tardi")
    assert c.loc["c-1", "autore"] == "Maria R."  # private fields were not in the file, and stay


def test_modifica_ed_errori(cli, tre):
    r = cli("modifica", "Orbassano", "c-1", "--tema", "abitare", "--titolo", "Casa")
    assert r.exit_code == 0 and "cambiati i campi tema, titolo" in r.output
    assert tre.leggi("contributi").set_index("id").loc["c-1", "tema"] == "abitare"
    r = cli("modifica", "Orbassano", "c-1", "--tema", "abitar")
    assert r.exit_code == 1 and "volevi dire 'abitare'" in r.output
    r = cli("modifica", "Orbassano", "c-9", "--tema", "lavoro")
    assert r.exit_code == 1 and "non c'è niente con il codice 'c-9'" in r.output
    r = cli("modifica", "Orbassano", "c-1", "--lon", "7.5400", "--lat", "45.0060")
    assert r.exit_code == 0
    assert tre.leggi("contributi").set_index("id").loc["c-1"].geometry.x == pytest.approx(7.54)
    assert "modifica" in cli("storia", "Orbassano").output


def test_elimina_e_annulla(cli, tre):
    r = cli("elimina", "Orbassano", "c-1", "--si")
    assert r.exit_code == 0 and "eliminato 1 contributo" in r.output
    assert "c-1" not in set(tre.leggi("contributi")["id"])
    assert cli("annulla", "Orbassano", "--si").exit_code == 0
    assert "c-1" in set(tre.leggi("contributi")["id"])


def test_eliminare_un_luogo_citato_chiede_che_fare(cli, tre):
    bar = tre.leggi("luoghi").set_index("nome").loc["Bar della piazza", "id"]
    r = cli("elimina", "Orbassano", bar, "--si")
    assert r.exit_code == 1 and "citato da: c-2" in r.output and "--scollega" in r.output
    assert bar in set(tre.leggi("luoghi")["id"])
    r = cli("elimina", "Orbassano", bar, input="n\n")
    assert r.exit_code == 1 and "Niente è stato eliminato" in r.output
    r = cli("elimina", "Orbassano", bar, input="s\ns\n")
    assert r.exit_code == 0, r.output
    c = tre.leggi("contributi").set_index("id")
    assert c.loc["c-2", "luogo"] is None and bar not in set(tre.leggi("luoghi")["id"])


def test_oblio_cancella_anche_le_versioni_e_dice_quali_file_lo_contenevano(cli, tre, tmp_path):
    # more versions of the store, each holding the text
    for k in range(3):
        importa_file(tre, scrivi_csv(tmp_path / f"x{k}.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", f"altro {k}"]]))
    assert cli("mappa", "Orbassano", "-o", tmp_path / "mappa.html").exit_code == 0
    assert cli("esporta", "Orbassano", "-o", tmp_path / "tutto.csv").exit_code == 0
    assert cli("mappa", "Beinasco", "-o", tmp_path / "b.html").exit_code == 1  # not in the area: not recorded
    assert cli("modifica", "Orbassano", "c-3", "--titolo", "Tre, corretto").exit_code == 0
    versioni = tre.versioni_conservate()
    # GeoPackage keeps whole files; PostgreSQL the rows each operation touched (here: the correction)
    assert len(versioni) >= (5 if tre.su_file else 1)
    assert any(SEGRETO in " ".join(df["testo"].dropna()) for v in versioni for df in
               [tre.strati_versione(v).get("contributi")] if df is not None)
    r = cli("oblio", "--persona", "maria r.", "--elenco")
    assert r.exit_code == 0 and "2 contributi detti da 'maria r.'" in r.output
    assert "orbassano  c-1" in r.output and "orbassano  c-3" in r.output
    assert SEGRETO.encode() in contenuto_archivio(tre)  # --elenco changes nothing
    r = cli("elimina", "Orbassano", "c-3", "--oblio", "--si")
    assert r.exit_code == 0, r.output
    assert "cancellato per sempre 1 contributo" in r.output
    assert str((tmp_path / "mappa.html").resolve()) in r.output and str((tmp_path / "tutto.csv").resolve()) in r.output
    segreto = SEGRETO.encode()
    assert segreto not in contenuto_archivio(tre)
    for dove, dati in tracce_archivio(tre):
        assert segreto not in dati, dove
    # undo cannot bring it back
    cli("annulla", "Orbassano", "--si")
    assert "c-3" not in set(tre.leggi("contributi")["id"])
    storia = cli("storia", "Orbassano").output
    assert "oblio" in storia and "1 riga cancellata per sempre" in storia and "via Verdi" not in storia


def test_senza_consenso_mai_in_pubblico_e_verifica_lo_dice(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "consenso"],
                                        ["bisogno", "lavoro", "Detto senza consenso", "nessuno"],
                                        ["bisogno", "lavoro", "Detto con consenso", "scritto"],
                                        ["bisogno", "lavoro", "Consenso non annotato", ""]])
    assert importa_file(orbassano, f).importati == 3
    for comando in (["mappa", "Orbassano", "-o", tmp_path / "m.html"], ["mostra", "Orbassano", "-o", tmp_path / "s.html"]):
        assert cli(*comando).exit_code == 0
    for nome in ("m.html", "s.html"):
        html = (tmp_path / nome).read_text(encoding="utf-8")
        assert "Detto senza consenso" not in html and "Detto con consenso" in html
    r = cli("verifica", "Orbassano")
    assert r.exit_code == 1
    assert "senza consenso: non esce mai in pubblico" in r.output and "manca il consenso" in r.output
    # the template and the editor ask for it
    cli("modello", tmp_path / "m.xlsx")
    assert "consenso" in [c.value for c in openpyxl.load_workbook(tmp_path / "m.xlsx").active[1]]
