import shutil

import pytest

from mappe.catalogo import carica_catalogo, cartella_predefinita
from mappe.errori import CatalogoError


@pytest.fixture
def copia(tmp_path):
    dest = tmp_path / "layers"
    shutil.copytree(cartella_predefinita(), dest)
    return dest


def test_catalogo_predefinito_ha_tipi_temi_luoghi_emozioni_fasce():
    k = carica_catalogo()
    assert list(k.voci("tipo")) == ["bisogno", "risorsa", "memoria", "proposta", "emozione"]
    temi = k.voci("tema")
    for t in ("abitare", "lavoro", "formazione", "accesso_servizi", "societa_inclusiva", "rete_territoriale", "socialita"):
        assert t in temi
    assert temi["socialita"].label == "Socialità e solitudine"
    for c in ("casa_quartiere", "negozio_amico", "edicola", "bar", "sala_comunale", "oratorio", "biblioteca",
              "scuola", "piazza", "parco", "bene_comune", "chiesa", "stazione", "municipio", "mercato"):
        assert c in k.voci("categoria")
    assert {"luogo_significativo", "antenna_sociale", "punto_rete", "da_riqualificare"} <= set(k.voci("ruolo"))
    assert k.voci("emozione")["amato"].extra["valenza"] > 0 > k.voci("emozione")["paura"].extra["valenza"]
    assert k.voci("fascia_eta")["anziani"].extra["da"] == 65
    assert k.voci("tipo")["bisogno"].etichetta("en") == "Need"


def test_campi_privati_dichiarati_nel_catalogo():
    k = carica_catalogo()
    assert set(k.strati["contributi"].privati) == {"autore", "note", "autore_foto"}
    assert "referente" in k.strati["luoghi"].privati
    assert not k.strati["incontri"].geometria


def test_colore_sbagliato_dice_file_chiave_e_problema(copia):
    f = copia / "temi.toml"
    f.write_text(f.read_text(encoding="utf-8").replace('colore = "#1f618d"', 'colore = "blu"'), encoding="utf-8")
    with pytest.raises(CatalogoError) as e:
        carica_catalogo(copia)
    msg = str(e.value)
    assert "temi.toml" in msg and "tema.lavoro.colore" in msg and "'blu'" in msg


def test_toml_rotto_indica_il_file(copia):
    (copia / "tipi.toml").write_text("[tipo.bisogno\nlabel = 'x'\n", encoding="utf-8")
    with pytest.raises(CatalogoError, match=r"tipi\.toml non è TOML corretto"):
        carica_catalogo(copia)


def test_manca_un_tipo_che_mappe_usa(copia):
    f = copia / "tipi.toml"
    testo = f.read_text(encoding="utf-8")
    f.write_text(testo[: testo.index("[tipo.memoria]")] + testo[testo.index("[tipo.proposta]"):], encoding="utf-8")
    with pytest.raises(CatalogoError, match=r"manca il valore 'memoria'"):
        carica_catalogo(copia)


def test_tipo_di_campo_sconosciuto(copia):
    f = copia / "strati.toml"
    f.write_text(f.read_text(encoding="utf-8").replace('tipo = "intero"', 'tipo = "numerone"', 1), encoding="utf-8")
    with pytest.raises(CatalogoError, match=r"contributi\.campi\.peso\.tipo.*numerone"):
        carica_catalogo(copia)


def test_valore_definito_due_volte(copia):
    (copia / "altri_temi.toml").write_text('[tema.lavoro]\nlabel = "Lavoro bis"\ncolore = "#000000"\n', encoding="utf-8")
    with pytest.raises(CatalogoError, match=r"tema\.lavoro.*già definito"):
        carica_catalogo(copia)


def test_un_progetto_aggiunge_i_suoi_temi(copia):
    (copia / "progetto.toml").write_text('[tema.cura]\nlabel = "Cura e assistenza"\ncolore = "#123456"\n', encoding="utf-8")
    assert carica_catalogo(copia).voci("tema")["cura"].label == "Cura e assistenza"


def test_emozione_senza_valenza(copia):
    f = copia / "persone.toml"
    f.write_text(f.read_text(encoding="utf-8").replace("valenza = 1.0", ""), encoding="utf-8")
    with pytest.raises(CatalogoError, match=r"emozione\.amato\.valenza"):
        carica_catalogo(copia)
