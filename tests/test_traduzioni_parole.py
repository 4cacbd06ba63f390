"""What people said, translated by people (issue 20, point 5): the template offers translation
columns for the languages asked, the import keeps them (right-to-left letters included, bidi
controls removed), exports carry only the languages someone wrote in, and a reserved row's
translation is as secret as its Italian words."""

import csv

import openpyxl
from conftest import scrivi_csv

from mappe.pubblico import valori_segreti

ENTRAMBI_ARCHIVI = True

ARABO = "لا يوجد مكان نلتقي فيه في المساء"


def test_il_modello_ha_le_colonne_delle_lingue_chieste(cli, tmp_path):
    senza = tmp_path / "senza.xlsx"
    assert cli("modello", senza).exit_code == 0
    colonne = [c.value for c in openpyxl.load_workbook(senza).worksheets[0][1]]
    assert "testo" in colonne and not [c for c in colonne if c.endswith(("_ar", "_uk"))]
    con = tmp_path / "con.xlsx"
    r = cli("modello", con, "--lingue", "ar,uk")
    assert r.exit_code == 0, r.output
    colonne = [c.value for c in openpyxl.load_workbook(con).worksheets[0][1]]
    for c in ("titolo_ar", "testo_ar", "titolo_uk", "testo_uk"):
        assert c in colonne
    assert "testo_fr" not in colonne
    r = cli("modello", tmp_path / "x.xlsx", "--lingue", "klingon")
    assert r.exit_code == 1 and "non è una delle lingue" in r.output


def test_le_traduzioni_si_importano_e_si_esportano_solo_dove_ci_sono(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "titolo_ar", "testo_ar", "lon", "lat", "visibilita", "consenso"],
        ["c-1", "bisogno", "socialita", "Posti per la sera", "Non c'è un posto dove stare la sera",
         "أماكن للمساء", "\u202b" + ARABO + "\u202c", "7.5378", "45.0087", "", "orale"],
        ["c-2", "bisogno", "socialita", "Segreto", "Parole riservate della signora", "", "كلمات سرية للسيدة",
         "7.5420", "45.0050", "riservato", "orale"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    c = orbassano.leggi("contributi").set_index("id")
    assert c.loc["c-1", "testo_ar"] == ARABO  # letters kept, the embedding controls gone
    assert c.loc["c-1", "titolo_ar"] == "أماكن للمساء" and c.loc["c-1", "testo_uk"] is None
    completo = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--completo", "-o", completo).exit_code == 0
    with open(completo, encoding="utf-8-sig", newline="") as fh:
        testa = next(csv.reader(fh, delimiter=";"))
    assert "testo_ar" in testa and "titolo_ar" in testa and "testo_uk" not in testa and "testo_en" not in testa
    pubblico = tmp_path / "pubblico.csv"
    assert cli("esporta", "Orbassano", "-o", pubblico).exit_code == 0
    testo = pubblico.read_text(encoding="utf-8-sig")
    assert ARABO in testo and "كلمات سرية للسيدة" not in testo
    # the reserved row's translation is one of the secrets the privacy checks look for
    strati = {"contributi": orbassano.leggi("contributi")}
    assert "كلمات سرية للسيدة" in valori_segreti(strati, orbassano.catalogo)
    # the complete file imported back changes nothing
    r = cli("importa", completo, "--comune", "Orbassano")
    assert r.exit_code == 0 and "già presenti: 2" in r.output
    assert cli("verifica", "Orbassano").exit_code == 0
