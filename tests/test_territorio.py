import pytest

from mappe.errori import ComuneError
from mappe.territorio import cerca_comune, confine, popolazione, slug


@pytest.mark.parametrize("testo", ["Rivalta di Torino", "rivalta di torino", "RIVALTA DI TORINO", "001214", "1214"])
def test_nome_o_codice(testo):
    c = cerca_comune(testo)
    assert (c.nome, c.codice_istat, c.sigla, c.slug) == ("Rivalta di Torino", "001214", "TO", "rivalta-di-torino")


def test_senza_accenti():
    assert cerca_comune("Aglie").nome == "Agliè"


def test_nome_esatto_vince_su_quello_senza_accento():
    assert cerca_comune("Paternò").sigla == "CT"
    assert cerca_comune("Paterno").sigla == "PZ"


def test_omonimo_rifiutato_con_i_candidati():
    with pytest.raises(ComuneError) as e:
        cerca_comune("Samone")
    msg = str(e.value)
    assert "ambiguo" in msg and "(TO" in msg and "(TN" in msg and "--provincia" in msg


def test_omonimo_con_provincia_e_slug_con_sigla():
    c = cerca_comune("samone", provincia="tn")
    assert (c.provincia, c.slug) == ("Trento", "samone-tn")
    assert cerca_comune("samone-to").sigla == "TO"


def test_sconosciuto_suggerisce_i_vicini():
    with pytest.raises(ComuneError, match=r"Forse cercavi: .*Orbassano \(TO\)"):
        cerca_comune("Orbasano")


def test_codice_inesistente():
    with pytest.raises(ComuneError, match="999999"):
        cerca_comune("999999")


def test_confine_e_popolazione():
    c = cerca_comune("Orbassano")
    g = confine([c.codice]).geometry.iloc[0]
    assert g.geom_type in ("Polygon", "MultiPolygon")
    assert g.contains(__import__("shapely").Point(7.5378, 45.0087))
    p = popolazione(c.codice)
    assert 20000 < p["totale"].sum() < 26000
    assert (p["maschi"] + p["femmine"] == p["totale"]).all()


def test_slug():
    assert slug("Sant'Antonino di Susa") == "sant-antonino-di-susa"
