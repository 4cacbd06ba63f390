"""The map as a person sees it: real HTML in Debian's Chromium, with the network cable pulled."""

import random

import pytest
from conftest import apri as _apri
from conftest import scrivi_csv

CITAZIONE = '<b>ciao</b> & "virgolette"'


@pytest.fixture
def mappa_orbassano(cli, tmp_path, incontri_csv, luoghi_csv):
    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "titolo", "testo", "incontro", "fascia_eta", "luogo", "lon", "lat"],
        ["bisogno", "socialita", "Un titolo <i>corsivo</i>", CITAZIONE, "FG-ORB-01", "giovani", "", "7.5378", "45.0087"],
        ["risorsa", "lavoro", "La bottega", "Il falegname prende apprendisti", "FG-ORB-01", "adulti", "", "7.5420", "45.0050"],
        ["memoria", "socialita", "Il ballo", "Si ballava in piazza", "", "anziani", "Biblioteca civica", "", ""],
        ["proposta", "lavoro", "In tutto il comune", "Una bacheca del lavoro", "", "", "", "", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    gj = tmp_path / "forme.geojson"
    gj.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"tipo":"emozione","tema":"mobilita","testo":"Il sottopasso fa paura","emozione":"paura"},'
        '"geometry":{"type":"LineString","coordinates":[[7.536,45.007],[7.540,45.009]]}},'
        '{"type":"Feature","properties":{"tipo":"bisogno","tema":"spazi_pubblici","testo":"Zona senza panchine"},'
        '"geometry":{"type":"Polygon","coordinates":[[[7.538,45.010],[7.541,45.010],[7.541,45.012],[7.538,45.012],[7.538,45.010]]]}}]}',
        encoding="utf-8",
    )
    assert cli("importa", gj, "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "orbassano.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    return uscita


def test_mappa_offline_disegna_confine_simboli_luoghi_forme(pagina_offline, mappa_orbassano):
    p = pagina_offline
    _apri(p, mappa_orbassano)
    assert p.richieste_rifiutate == []
    assert p.errori == []
    # boundary + the line + the zone, drawn as SVG paths
    assert p.locator(".leaflet-overlay-pane path").count() >= 3
    assert p.locator(".mappe-forma-emozione").count() == 1
    assert p.locator(".mappe-forma-bisogno").count() == 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count() == 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-risorsa").count() == 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-memoria").count() == 1  # placed at the library
    assert p.locator(".mappe-luogo-nome", has_text="Bar della piazza").count() == 1
    assert "Mappa della comunità" in p.locator(".mappe-titolo-mappa h1").inner_text()
    crediti = p.locator(".mappe-crediti").inner_text()
    assert "ISTAT" in crediti and "openpolis" in crediti and "23/11/2026" in crediti
    assert "OpenStreetMap" not in crediti  # no tiles shown, no tile credit
    assert p.locator(".mappe-senza-luogo summary").inner_text() == "Senza luogo (1)"


def test_la_citazione_resta_testo(pagina_offline, mappa_orbassano):
    p = pagina_offline
    _apri(p, mappa_orbassano)
    p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").click()
    popup = p.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("blockquote").inner_text() == CITAZIONE
    assert popup.locator("h3").inner_text() == "Un titolo <i>corsivo</i>"
    assert popup.locator("b, i").count() == 0
    testo = popup.text_content()
    assert "Socialità e solitudine" in testo and "Giovani (14-29)" in testo and "23/11/2026" in testo


def test_la_legenda_accende_e_spegne_uno_strato(pagina_offline, mappa_orbassano):
    p = pagina_offline
    _apri(p, mappa_orbassano)
    simboli = p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno")
    zone = p.locator(".mappe-forma-bisogno")
    assert simboli.count() == 1 and zone.count() == 1
    p.locator(".mappe-voce-bisogno").click()
    assert simboli.count() == 0 and zone.count() == 0
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-risorsa").count() == 1
    p.locator(".mappe-voce-bisogno").click()
    assert simboli.count() == 1 and zone.count() == 1
    p.locator(".mappe-voce-luoghi").click()
    assert p.locator(".mappe-luogo-nome").count() == 0


def test_il_filtro_per_tema(pagina_offline, mappa_orbassano):
    p = pagina_offline
    _apri(p, mappa_orbassano)
    p.select_option("select[data-filtro=tema]", "lavoro")
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-risorsa").count() == 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count() == 0
    assert p.locator(".mappe-forma-emozione").count() == 0
    assert "(1)" in p.locator(".mappe-voce-risorsa").inner_text()
    p.select_option("select[data-filtro=tema]", "")
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count() == 1


def test_la_mappa_di_base_online_si_accende_solo_a_richiesta(pagina_offline, mappa_orbassano):
    p = pagina_offline
    _apri(p, mappa_orbassano)
    assert p.richieste_rifiutate == []
    p.locator(".mappe-voce-sfondo input").check()
    p.wait_for_timeout(500)
    assert any("tile.openstreetmap.org" in u for u in p.richieste_rifiutate)
    assert "OpenStreetMap" in p.locator(".mappe-crediti").inner_text()


def test_tanti_punti_si_raggruppano(pagina_offline, cli, tmp_path):
    rnd = random.Random(1)
    righe = [["tipo", "tema", "testo", "lon", "lat"]]
    for k in range(600):
        righe.append(["bisogno", "lavoro", f"Contributo numero {k}",
                      f"{7.530 + rnd.random() * 0.015:.5f}", f"{45.000 + rnd.random() * 0.012:.5f}"])
    assert cli("importa", scrivi_csv(tmp_path / "tanti.csv", righe), "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "tanti.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    p.wait_for_selector(".mappe-cluster-bisogno")
    assert 0 < p.locator(".leaflet-marker-pane > *").count() < 200  # not one element per point
    totale = sum(int(t) for t in p.locator(".mappe-cluster-bisogno span").all_inner_texts()) + \
        p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count()
    assert totale == 600
    assert p.errori == []


def test_mappa_grande_compressa_contiene_tutto(pagina_offline, cli, tmp_path, orbassano):
    """A map whose data block travels compressed: every contribution drawn, the right words in popups."""
    import numpy as np
    import shapely

    confine = orbassano.confine().geometry.iloc[0].buffer(-0.002)
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.uniform(confine.bounds[0], confine.bounds[2], 4 * n)
    y = rng.uniform(confine.bounds[1], confine.bounds[3], 4 * n)
    dentro = shapely.contains_xy(confine, x, y)
    x, y = x[dentro][:n], y[dentro][:n]
    righe = [["id", "tipo", "tema", "testo", "lon", "lat"]]
    for k in range(n):
        righe.append([f"c-{k}", ["bisogno", "risorsa", "memoria"][k % 3], "lavoro",
                      f"Contributo {k}: " + "parole dette in un focus group " * 3, f"{x[k]:.5f}", f"{y[k]:.5f}"])
    assert cli("importa", scrivi_csv(tmp_path / "tanti.csv", righe), "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "grande.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    html = uscita.read_text(encoding="utf-8")
    assert 'data-codifica="gzip-base64"' in html and "Contributo 19999" not in html
    p = pagina_offline
    _apri(p, uscita)
    p.wait_for_function("document.documentElement.dataset.mappeDisegnata === '1'", timeout=30000)
    assert p.errori == [] and p.richieste_rifiutate == []
    # groups gather every kind (a ring coloured by kind); each symbol is in a group or on its own
    totale = sum(int(t) for t in p.locator(".mappe-cluster span").all_inner_texts())
    totale += p.locator(".leaflet-marker-pane .mappe-simbolo").count()
    assert totale == n
    assert p.locator(".mappe-cluster-misto").count() > 0
    # the list shows the words of the contribution the map opens
    p.locator("#mappe-elenco .mappe-sulla-mappa").first.click()
    popup = p.locator(".leaflet-popup-content blockquote")
    popup.wait_for(timeout=15000)
    primo = p.locator("#mappe-elenco blockquote").first.inner_text()
    assert popup.inner_text() == primo and primo.startswith("Contributo ")
    r = cli("verifica-privacy", uscita, "--comune", "Orbassano")
    assert r.exit_code == 0
