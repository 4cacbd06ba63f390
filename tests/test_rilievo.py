"""The editor: place what was said on the map, offline, and bring it back into the store."""

import json

from conftest import scrivi_csv
from shapely.geometry import Point

TESTO = 'Qui <b>ciao</b> & "virgolette" <script>alert(1)</script>'


def _clic(p, lon, lat):
    """Click the map at a position (through Leaflet's own projection)."""
    x, y = p.evaluate(
        """([lon, lat]) => {
            const el = document.querySelector('.folium-map');
            const m = window[el.id];
            const pt = m.latLngToContainerPoint([lat, lon]);
            const r = el.getBoundingClientRect();
            return [r.left + pt.x, r.top + pt.y];
        }""", [lon, lat])
    p.mouse.click(x, y)


def test_editor_aggiungi_disegna_ricarica_esporta_importa(cli, orbassano, tmp_path, incontri_csv, luoghi_csv,
                                                            pagina_offline):
    cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri")
    cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi")
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "autore"],
                                        ["c-senza", "memoria", "socialita", "Il ballo in piazza", "Nome Privato"]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "rilievo.html"
    r = cli("rilievo", "Orbassano", "--incontro", "FG-ORB-01", "-o", uscita)
    assert r.exit_code == 0, r.output
    assert "Nome Privato" not in uscita.read_text(encoding="utf-8")
    p = pagina_offline
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    # close enough that a pixel is about 2 m
    p.evaluate("window[document.querySelector('.folium-map').id].setView([45.0075, 7.5395], 16, {animate: false})")
    # a point: click the tool, click the map, fill the form
    p.locator("button[data-modo=punto]").click()
    _clic(p, 7.5378, 45.0087)
    p.locator("#mappe-campo-tipo").select_option("bisogno")
    p.locator("#mappe-campo-tema").select_option("socialita")
    p.locator("#mappe-campo-titolo").fill("Un posto per la sera")
    p.locator("#mappe-campo-testo").fill(TESTO)
    p.locator("#mappe-campo-luogo").select_option(label="Bar della piazza")
    p.locator("#mappe-campo-consenso").select_option("orale")
    p.locator(".mappe-salva").click()
    # a zone: four clicks, then finish
    p.locator("button[data-modo=zona]").click()
    for lon, lat in [(7.538, 45.008), (7.541, 45.008), (7.541, 45.011), (7.538, 45.011)]:
        _clic(p, lon, lat)
    p.locator(".mappe-fine").click()
    p.locator("#mappe-campo-tipo").select_option("proposta")
    p.locator("#mappe-campo-tema").select_option("spazi_pubblici")
    p.locator("#mappe-campo-testo").fill("Un giardino condiviso")
    p.locator(".mappe-salva").click()
    # a row "da collocare" gets its place
    p.locator(".mappe-da-collocare li", has_text="Il ballo in piazza").locator(".mappe-colloca").click()
    _clic(p, 7.5420, 45.0050)
    p.locator(".mappe-salva").click()
    assert p.locator(".mappe-aggiunti li").count() == 3
    # closing the browser tab does not lose anything
    p.reload()
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    assert p.locator(".mappe-aggiunti li").count() == 3
    assert p.locator(".mappe-da-collocare li").count() == 0
    assert p.locator(".mappe-nuova-forma").count() == 1
    assert p.locator(".mappe-aggiunti").inner_text().count("Un posto per la sera") == 1
    assert p.locator("b, script:not([id]):not([src])").evaluate_all("els => els.filter(e => e.textContent.includes('ciao')).length") == 0
    with p.expect_download() as scaricato:
        p.locator(".mappe-esporta").click()
    geojson = tmp_path / scaricato.value.suggested_filename
    scaricato.value.save_as(geojson)
    assert p.richieste_rifiutate == [] and p.errori == []
    dati = json.loads(geojson.read_text(encoding="utf-8"))
    assert len(dati["features"]) == 3
    # the exported file imports as it is
    r = cli("importa", geojson, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati: 2, aggiornati: 1" in r.output
    c = orbassano.leggi("contributi").set_index("testo")
    punto = c.loc[TESTO]
    assert (punto["tipo"], punto["tema"], punto["titolo"], punto["incontro"]) == ("bisogno", "socialita",
                                                                                  "Un posto per la sera", "FG-ORB-01")
    assert punto.geometry.distance(Point(7.5378, 45.0087)) < 1e-4
    assert punto["luogo"] == orbassano.leggi("luoghi").set_index("nome").loc["Bar della piazza", "id"]
    assert punto["consenso"] == "orale"
    zona = c.loc["Un giardino condiviso"]
    assert zona.geometry.geom_type == "Polygon" and zona["tipo"] == "proposta"
    assert abs(zona.geometry.bounds[0] - 7.538) < 1e-4 and abs(zona.geometry.bounds[3] - 45.011) < 1e-4
    ballo = c.loc["Il ballo in piazza"]
    assert ballo["id"] == "c-senza" and ballo.geometry.distance(Point(7.5420, 45.0050)) < 1e-4
    assert ballo["autore"] == "Nome Privato"  # the placement updated the row, private fields kept


def test_editor_cerca_luogo_e_incontro_inesistente(cli, orbassano, luoghi_csv, tmp_path, pagina_offline):
    cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi")
    r = cli("rilievo", "Orbassano", "--incontro", "FG-NESSUNO")
    assert r.exit_code == 1 and "L'incontro 'FG-NESSUNO' non esiste" in r.output
    uscita = tmp_path / "r.html"
    assert cli("rilievo", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    p.locator("#mappe-cerca-luogo").fill("biblioteca")
    p.keyboard.press("Enter")
    p.wait_for_timeout(400)
    assert p.evaluate("window[document.querySelector('.folium-map').id].getZoom()") == 17
    assert "Biblioteca civica" in p.locator("#mappe-annuncio").inner_text()
    # with the keyboard only: a point at the centre of the map
    p.locator("button[data-modo=punto]").focus()
    p.keyboard.press("Enter")
    p.locator(".mappe-centro").focus()
    p.keyboard.press("Enter")
    assert p.locator("#mappe-campo-tipo").evaluate("e => e === document.activeElement")
    assert p.locator(".mappe-aggiunti li").count() == 1
