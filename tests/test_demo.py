"""The README's first command: the demo workspace, its maps and its index."""

import re

import pytest
from click.testing import CliRunner

from mappe.archivio import Area
from mappe.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    cartella = tmp_path_factory.mktemp("demo") / "mappe-demo"
    r = CliRunner().invoke(main, ["demo", str(cartella)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return cartella, r.output


def test_sei_comuni_con_luoghi_incontri_e_almeno_40_contributi(demo):
    cartella, output = demo
    area = Area(cartella)
    nomi = [a.nome for a in area.archivi()]
    assert nomi == ["Beinasco", "Bruino", "Orbassano", "Piossasco", "Rivalta di Torino", "Volvera"]
    tipi, temi = set(area.catalogo.voci("tipo")), set(area.catalogo.voci("tema"))
    for a in area.archivi():
        c = a.leggi("contributi")
        assert len(c) >= 40
        assert set(c["tipo"]) == tipi and set(c["tema"]) == temi
        forme = set(c.geometry.dropna().geom_type)
        assert {"Point", "LineString", "Polygon"} <= forme
        assert a.conta()["luoghi"] >= 8 and a.conta()["incontri"] >= 2
        assert a.info["esempio"] == 1
    assert "Aprire con il browser" in output and "index.html" in output


def test_indice_collega_tutte_le_mappe(demo):
    cartella, _ = demo
    indice = (cartella / "index.html").read_text(encoding="utf-8")
    link = re.findall(r'href="([^"]+)"', indice)
    # the six maps, and what else the tool makes: the exhibition and the territory overview
    assert len(link) == 8 and "mostra.html" in link and "territorio.html" in link
    for l in link:
        assert (cartella / l).exists()
    assert "DATI DI ESEMPIO" in indice
    assert re.search(r"codice del personale: \d{10}", indice)
    assert 'id="mappe-dati"' in (cartella / "mostra.html").read_text(encoding="utf-8")


def test_demo_rilanciata_non_duplica(demo):
    cartella, _ = demo
    prima = {a.slug: a.conta() for a in Area(cartella).archivi()}
    r = CliRunner().invoke(main, ["demo", str(cartella)], catch_exceptions=False)
    assert r.exit_code == 0
    assert {a.slug: a.conta() for a in Area(cartella).archivi()} == prima


def test_mappa_demo_nel_browser_segnata_come_esempio(demo, pagina_offline):
    cartella, _ = demo
    p = pagina_offline
    p.goto((cartella / "orbassano.html").as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
    assert p.richieste_rifiutate == [] and p.errori == []
    assert "DATI DI ESEMPIO" in p.locator(".mappe-esempio").inner_text()
    assert p.locator(".leaflet-marker-pane .mappe-simbolo").count() >= 30
    # the reserved row and the private notes of the demo are not in the public map
    html = (cartella / "orbassano.html").read_text(encoding="utf-8")
    assert "Segnalazione riservata" not in html and "Vive da solo" not in html and "Referente di esempio" not in html
