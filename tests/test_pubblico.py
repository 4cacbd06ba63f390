import pytest
from conftest import scrivi_csv

from mappe import pubblico
from mappe.errori import PrivacyError
from mappe.importa import importa_file
from mappe.rendi.mappa import costruisci_mappa, posizioni_in_pagina

CRS_M = "EPSG:3035"


@pytest.fixture
def dati(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "testo", "visibilita", "sensibile", "autore", "note", "lon", "lat"],
        ["c-pub", "bisogno", "lavoro", "Frase pubblica", "pubblico", "no", "Giovanna Bianchi", "nota segreta uno", "7.5378", "45.0087"],
        ["c-ris", "bisogno", "lavoro", "Frase riservata sul vicino", "riservato", "no", "", "", "7.5420", "45.0050"],
        ["c-sen", "risorsa", "socialita", "Vivo qui da solo", "pubblico", "sì", "", "", "7.5300", "45.0110"],
    ])
    assert importa_file(orbassano, f).importati == 3
    return orbassano


def _proietta(area, arch):
    grezzi = {n: arch.leggi(n) for n in ("contributi", "luoghi", "incontri")}
    conf = arch.confine().geometry.union_all()
    return grezzi, pubblico.proietta(grezzi, area.catalogo, conf, area.segreto()), conf


def test_campi_privati_e_righe_riservate_tolti(area, dati):
    _, pub, _ = _proietta(area, dati)
    c = pub["contributi"]
    assert "autore" not in c.columns and "note" not in c.columns
    assert set(c["id"]) == {"c-pub", "c-sen"}


def test_sensibile_spostato_stabile_100_250_m_dentro_il_comune(area, dati):
    grezzi, pub, conf = _proietta(area, dati)
    vero = grezzi["contributi"].set_index("id").loc[["c-sen"]].geometry.to_crs(CRS_M).iloc[0]
    mostrato = pub["contributi"].set_index("id").loc[["c-sen"]].geometry
    m = mostrato.to_crs(CRS_M).iloc[0]
    assert 100 <= vero.distance(m) <= 250
    assert conf.contains(mostrato.iloc[0])
    _, pub2, _ = _proietta(area, dati)
    assert pub2["contributi"].set_index("id").loc["c-sen"].geometry.equals(mostrato.iloc[0])
    # the public row did not move
    assert pub["contributi"].set_index("id").loc["c-pub"].geometry.equals(
        grezzi["contributi"].set_index("id").loc["c-pub"].geometry)


def test_altra_area_altro_segreto_altra_posizione(area, dati, tmp_path):
    grezzi, pub, conf = _proietta(area, dati)
    altro = pubblico.proietta(grezzi, area.catalogo, conf, b"un-altro-segreto-di-32-byte-.....")
    a = pub["contributi"].set_index("id").loc["c-sen"].geometry
    b = altro["contributi"].set_index("id").loc["c-sen"].geometry
    assert not a.equals(b)


def test_la_mappa_pubblica_non_contiene_niente_di_privato(area, dati):
    html = costruisci_mappa(area, dati)
    for segreto in ("Giovanna Bianchi", "nota segreta uno", "Frase riservata sul vicino"):
        assert segreto not in html
    posizioni = posizioni_in_pagina(html)
    assert (7.5378, 45.0087) in posizioni  # the public point is there
    assert (7.53, 45.011) not in posizioni  # the sensitive one is not, at its true place
    assert "Frase pubblica" in html and "Vivo qui da solo" in html
    assert pubblico.verifica(html, pubblico.valori_segreti({"contributi": dati.leggi("contributi")}, area.catalogo)) == []


def test_mappa_interna_mostra_i_riservati_ma_non_i_campi_personali(area, dati, cli, tmp_path):
    html = costruisci_mappa(area, dati, interna=True)
    assert "Frase riservata sul vicino" in html and "USO INTERNO" in html
    assert "Giovanna Bianchi" not in html and "nota segreta uno" not in html
    assert (7.53, 45.011) in posizioni_in_pagina(html)
    # the check of any file finds what an internal map must not take outside
    f = tmp_path / "interna.html"
    f.write_text(html, encoding="utf-8")
    r = cli("verifica-privacy", f, "--comune", "Orbassano")
    assert r.exit_code == 1
    assert "Frase riservata sul vicino" in r.output and "45.01100, 7.53000" in r.output


def test_verifica_trova_un_valore_privato_anche_se_scritto_in_json():
    html = '<script type="application/json">{"t":"Maria \\u003cb\\u003eRossi"}</script>'
    assert pubblico.verifica(html, ["Maria <b>Rossi"]) == ["Maria <b>Rossi"]
    with pytest.raises(PrivacyError, match="non è stato scritto"):
        pubblico.controlla(html, ["Maria <b>Rossi"])
    assert pubblico.verifica(html, ["Giuseppe"]) == []


def test_verifica_trova_le_coordinate_vere():
    assert pubblico.verifica("[7.53,45.011]", [], [(7.53, 45.011)])
