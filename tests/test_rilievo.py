"""The editor: place what was said on the map, offline, and bring it back into the store."""

import json

import pytest
from conftest import scrivi_csv
from shapely.geometry import Point

from mappe.rendi.simboli import simboli

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


# ---------------------------------------------------------------------------------------------
# Issue 13: the editor orients people, and works on a phone
# ---------------------------------------------------------------------------------------------

ATTACCO = "<img src=x onerror=alert(1)>"


def _pronta(p, uscita):
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")


@pytest.fixture
def rilievo_con_dati(cli, tmp_path, luoghi_csv, incontri_csv):
    """An editor of Orbassano with places (one named like an attack), three points and a zone
    already in the store, and a row to be placed."""
    from conftest import PUNTI_ORBASSANO

    cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri")
    cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi")
    attacco = scrivi_csv(tmp_path / "attacco.csv", [["nome", "categoria", "ruolo", "lon", "lat"],
                                                    [ATTACCO, "piazza", "punto_rete", "7.5330", "45.0120"]])
    assert cli("importa", attacco, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    righe = [["id", "tipo", "tema", "testo", "lon", "lat"]]
    righe += [[f"c-{k}", tipo, "socialita", f"Detto {k}", str(x), str(y)]
              for k, ((x, y), tipo) in enumerate(zip(PUNTI_ORBASSANO[:3], ("bisogno", "risorsa", "memoria")))]
    righe += [["c-senza", "memoria", "socialita", "Il ballo in piazza", "", ""]]
    assert cli("importa", scrivi_csv(tmp_path / "c.csv", righe), "--comune", "Orbassano").exit_code == 0
    zona = tmp_path / "zona.geojson"
    zona.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "id": "c-zona", "tipo": "proposta", "tema": "spazi_pubblici", "testo": "Un giardino"},
        "geometry": {"type": "Polygon", "coordinates": [[[7.538, 45.008], [7.541, 45.008], [7.541, 45.011],
                                                          [7.538, 45.008]]]}}]}), encoding="utf-8")
    assert cli("importa", zona, "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "r.html"
    assert cli("rilievo", "Orbassano", "--incontro", "FG-ORB-01", "-o", uscita).exit_code == 0
    return uscita


def test_editor_mostra_vicini_luoghi_e_quello_che_ce_gia(rilievo_con_dati, area, pagina_offline):
    p = pagina_offline
    dialoghi = []
    p.on("dialog", lambda d: (dialoghi.append(d.message), d.dismiss()))
    _pronta(p, rilievo_con_dati)

    # the neighbours by name (the text; the page shows it in capitals)
    assert {"Beinasco", "Rivalta di Torino", "Volvera"} <= set(p.locator(".mappe-vicino").all_text_contents())

    # each place: its name, always there, and the pictogram of its category
    pittogrammi = simboli()["pittogrammi"]
    categorie = area.catalogo.voci("categoria")
    for nome, categoria in (("Bar della piazza", "bar"), ("Biblioteca civica", "biblioteca"), (ATTACCO, "piazza")):
        icona = p.locator(".leaflet-marker-icon.mappe-luogo").filter(
            has=p.locator(".mappe-luogo-nome", has_text=nome))
        assert icona.count() == 1, nome
        assert icona.locator(".mappe-luogo-nome").text_content() == nome
        d = icona.locator(".mappe-luogo-punto svg path").get_attribute("d")
        assert d == pittogrammi[categorie[categoria].extra["icona"]], nome
    # the place named like an attack stays text everywhere: on the map, in its card, in the search, in the form
    assert p.locator("img").count() == 0 and dialoghi == []
    p.locator(".leaflet-marker-icon.mappe-luogo", has=p.locator(".mappe-luogo-nome", has_text=ATTACCO)).focus()
    p.keyboard.press("Enter")
    assert p.locator(".leaflet-popup-content h3").text_content() == ATTACCO
    assert ATTACCO in p.locator("#mappe-luoghi-nomi option").evaluate_all("os => os.map(o => o.value)")

    # what is already in the store: faint, not interactive, drawn where it is
    gia = p.evaluate("""() => {
        const map = window[document.querySelector('.folium-map').id];
        const strati = [];
        map.eachLayer(l => { if (l.options.pane === 'mappe-esistenti' && (l._point || l.feature)) strati.push(l); });
        const pannello = map.getPane('mappe-esistenti');
        const stile = getComputedStyle(pannello);
        const disegnati = strati.filter(l => l._point).map(l => {
            const r = l._renderer, m = L.Browser.retina ? 2 : 1;
            const pt = l._point.subtract(r._bounds.min);
            return r._ctx.getImageData(Math.round(pt.x * m), Math.round(pt.y * m), 1, 1).data[3] > 0;
        });
        return {punti: strati.filter(l => l._point).length, forme: strati.filter(l => l.feature).length,
                interattivi: strati.filter(l => l.options.interactive !== false).length,
                opacita: parseFloat(stile.opacity), tocchi: stile.pointerEvents, disegnati: disegnati};
    }""")
    assert gia["punti"] == 3 and gia["forme"] == 1 and gia["interattivi"] == 0
    assert gia["opacita"] <= 0.6 and gia["tocchi"] == "none" and all(gia["disegnati"])

    # the header speaks to the person holding the tablet; the command is in the export dialog
    testata = p.locator("#mappe-testata").inner_text()
    assert "mappe importa" not in testata and "Tocca" in testata
    p.keyboard.press("Escape")
    p.evaluate("window[document.querySelector('.folium-map').id].setView([45.0075, 7.5395], 16, {animate: false})")
    p.locator("button[data-modo=punto]").click()
    _clic(p, 7.5378, 45.0087)
    p.locator("#mappe-campo-tipo").select_option("bisogno")
    p.locator("#mappe-campo-tema").select_option("socialita")
    p.locator("#mappe-campo-testo").fill("Manca un posto per la sera")
    p.locator("#mappe-campo-luogo").select_option(label=ATTACCO)
    p.locator(".mappe-salva").click()
    with p.expect_download() as scaricato:
        p.locator(".mappe-esporta").click()
    nome = scaricato.value.suggested_filename
    dialogo = p.locator("dialog.mappe-esportato")
    dialogo.wait_for()
    assert f"mappe importa {nome} --comune Orbassano" in dialogo.inner_text()
    assert "mappe importa" not in p.locator("#mappe-testata").inner_text()
    dialogo.locator(".mappe-chiudi").click()
    assert not dialogo.is_visible()
    assert p.locator("img").count() == 0 and dialoghi == [] and p.errori == [] and p.richieste_rifiutate == []


def _telefono(browser, schermo="Pixel 7"):
    """A phone (Playwright's profile, or a size with touch) with the network refused."""
    if isinstance(schermo, str):
        opzioni = dict(browser.dispositivi[schermo])
    else:
        opzioni = {"viewport": {"width": schermo[0], "height": schermo[1]}, "has_touch": True,
                   "is_mobile": schermo[0] < 1000}
    contesto = browser.new_context(**opzioni)
    contesto.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
    return contesto


LARGO = """() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]"""
# Every control a finger may need, visible now, smaller than 44 x 44 CSS pixels
PICCOLI = """() => Array.from(document.querySelectorAll(
        'button, select, input:not([type=checkbox]), textarea, .mappe-casella, .leaflet-control-zoom a'))
    .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden')
    .map(e => [e.className || e.tagName, e.getBoundingClientRect()])
    .filter(([, r]) => r.width < 44 || r.height < 44)
    .map(([n, r]) => `${n}: ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def test_editor_sul_telefono_si_tocca_la_mappa_e_non_si_allarga(rilievo_con_dati, browser):
    contesto = _telefono(browser)
    p = contesto.new_page()
    errori = []
    p.on("pageerror", lambda e: errori.append(str(e)))
    _pronta(p, rilievo_con_dati)
    larghezza, corpo, schermo = p.evaluate(LARGO)
    assert max(larghezza, corpo) <= schermo
    assert p.evaluate(PICCOLI) == []
    # what to tap, on the map itself (the header sentence does not fit a phone)
    assert "Punto" in p.locator(".mappe-stato-rilievo").inner_text()
    p.locator("button[data-modo=punto]").tap()
    assert "Tocca la mappa" in p.locator(".mappe-stato-rilievo").inner_text()
    assert p.evaluate(PICCOLI) == []  # the drawing bar's buttons too
    # a finger on the map, away from the places
    x, y = p.evaluate("""() => {
        const el = document.querySelector('.folium-map');
        const m = window[el.id];
        m.setView([45.0000, 7.5450], 16, {animate: false});
        const pt = m.latLngToContainerPoint([45.0000, 7.5450]);
        const r = el.getBoundingClientRect();
        return [r.left + pt.x, r.top + pt.y];
    }""")
    p.touchscreen.tap(x, y)
    p.locator("#mappe-campo-tipo").wait_for()
    assert p.locator(".mappe-nuovo-punto").count() == 1
    p.locator("#mappe-campo-tipo").select_option("risorsa")
    p.locator("#mappe-campo-tema").select_option("socialita")
    p.locator("#mappe-campo-testo").fill("La panchina dove ci si trova")
    assert p.evaluate(PICCOLI) == []  # the form's fields and buttons
    p.locator(".mappe-salva").tap()
    assert p.locator(".mappe-aggiunti li").count() == 1
    punto = p.evaluate("JSON.parse(localStorage.getItem(Object.keys(localStorage)[0]))[0].geometry.coordinates")
    assert abs(punto[0] - 7.5450) < 1e-4 and abs(punto[1] - 45.0000) < 1e-4
    assert max(p.evaluate(LARGO)[:2]) <= schermo
    assert errori == []
    contesto.close()


@pytest.mark.parametrize("schermo", [(320, 656), (360, 740), (430, 932), (844, 390), (1080, 1920)],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_editor_non_e_piu_largo_dello_schermo(rilievo_con_dati, browser, schermo):
    contesto = _telefono(browser, schermo)
    p = contesto.new_page()
    _pronta(p, rilievo_con_dati)
    larghezza, corpo, largo = p.evaluate(LARGO)
    assert max(larghezza, corpo) <= largo
    assert p.evaluate(PICCOLI) == []
    # the four tools are all on screen, not scrolled away
    for b in p.locator(".mappe-strumenti button").all():
        r = b.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= largo, b.inner_text()
    contesto.close()
