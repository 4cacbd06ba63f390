"""Every public page on a phone, a tablet held either way and a portrait kiosk screen.

The pages are the demo's, built by the real CLI, opened by Chromium with Playwright's device
profiles (touch, mobile viewport) and the network refused. What is checked is what a visitor
with a phone in hand would notice: a page wider than the screen, a map that is not on the first
screen, a header that eats it, a control too small for a finger, a symbol that cannot be picked,
a card that does not fit, a page that cannot be scrolled past the map.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mappe.cli import main

LARGHEZZE = (320, 360, 375, 390, 412, 430)
# portrait phones (about 19.5:9), a phone held sideways, a kiosk screen on a stand
SCHERMI = [(w, round(w * 2.05)) for w in LARGHEZZE] + [(844, 390), (1080, 1920)]
PIN = "4821337790"


def _cli(cartella: Path, *args) -> None:
    vecchia = Path.cwd()
    os.chdir(cartella)
    try:
        r = CliRunner().invoke(main, ["--area", str(cartella), *map(str, args)], catch_exceptions=False)
    finally:
        os.chdir(vecchia)
    assert r.exit_code == 0, r.output


@pytest.fixture(scope="module")
def pagine(tmp_path_factory) -> dict[str, Path]:
    """The pages people open: a comune map in every view and both styles, the exhibition
    (plain, for the web, at a kiosk), the territory, the editor, the demo's index."""
    base = tmp_path_factory.mktemp("telefono")
    area = base / "mappe-demo"
    r = CliRunner().invoke(main, ["demo", str(area)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = base / "pagine"
    out.mkdir()
    comuni = ("Orbassano", "Beinasco", "Bruino")
    _cli(area, "mappa", "Orbassano", "-o", out / "mappa.html")
    _cli(area, "mappa", "Orbassano", "--stile", "classico", "-o", out / "mappa-classico.html")
    _cli(area, "mostra", *comuni, "--pin", PIN, "-o", out / "mostra.html")
    _cli(area, "mostra", *comuni, "--web", "-o", out / "mostra-web.html")
    _cli(area, "mostra", *comuni, "--chiosco", "--pin", PIN, "-o", out / "mostra-chiosco.html")
    _cli(area, "territorio", "-o", out / "territorio.html")
    _cli(area, "rilievo", "Orbassano", "-o", out / "rilievo.html")
    pagine = {p.stem: p for p in out.glob("*.html")}
    pagine["indice"] = area / "index.html"
    return pagine


def _contesto(browser, playwright_devices, schermo):
    if isinstance(schermo, str):
        opzioni = dict(playwright_devices[schermo])
    else:
        w, h = schermo
        opzioni = {"viewport": {"width": w, "height": h}, "has_touch": True, "is_mobile": w < 1000,
                   "device_scale_factor": 1}
    contesto = browser.new_context(**opzioni)
    contesto.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
    return contesto


@pytest.fixture(scope="module")
def dispositivi(browser):
    return browser.dispositivi


def _apri(pagina, percorso: Path) -> None:
    pagina.goto(percorso.as_uri())
    if percorso.name != "index.html":
        try:
            pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=20000)
        except Exception as e:
            raise AssertionError(f"{percorso.name}: la pagina non è pronta") from e
        pagina.wait_for_timeout(300)  # the map settles its size after the header is filled


def _misure(pagina) -> dict:
    return pagina.evaluate("""() => {
      const m = document.querySelector('.leaflet-container');
      const t = document.querySelector('.mappe-testata');
      const r = m ? m.getBoundingClientRect() : null;
      const visibile = r ? Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)) : 0;
      return {larghezza: document.documentElement.scrollWidth, corpo: document.body.scrollWidth,
              schermo: innerWidth, altezza: innerHeight, mappa: visibile,
              testata: t ? t.getBoundingClientRect().height : 0};
    }""")


PAGINE_CON_MAPPA = ("mappa", "mappa-classico", "mostra", "mostra-web", "mostra-chiosco", "territorio", "rilievo")


@pytest.mark.parametrize("schermo", SCHERMI, ids=[f"{w}x{h}" for w, h in SCHERMI])
def test_ogni_pagina_sta_nello_schermo(browser, dispositivi, pagine, schermo):
    """Never wider than the screen; the map has at least half of the first screen; the header at
    most a fifth."""
    contesto = _contesto(browser, dispositivi, schermo)
    pagina = contesto.new_page()
    troppo = []
    for nome in (*PAGINE_CON_MAPPA, "indice"):
        _apri(pagina, pagine[nome])
        m = _misure(pagina)
        if max(m["larghezza"], m["corpo"]) > m["schermo"]:
            troppo.append(f"{nome}: larga {m['larghezza']} px su {m['schermo']}")
        if nome == "indice":
            continue
        if m["mappa"] < m["altezza"] / 2:
            troppo.append(f"{nome}: mappa di {m['mappa']:.0f} px su {m['altezza']}")
        if m["testata"] > m["altezza"] / 5 + 0.5:
            troppo.append(f"{nome}: testata di {m['testata']:.0f} px su {m['altezza']}")
    contesto.close()
    assert troppo == []


def test_ogni_vista_della_mostra_sta_nello_schermo(browser, dispositivi, pagine):
    """Each view of the exhibition, chosen by a finger on the narrowest phone."""
    contesto = _contesto(browser, dispositivi, (320, 656))
    pagina = contesto.new_page()
    _apri(pagina, pagine["mostra"])
    nomi = pagina.evaluate("Array.from(document.querySelectorAll('.mappe-vista')).map(b => b.dataset.vista)")
    assert len(nomi) >= 5
    for nome in nomi:
        _scegli_vista(pagina, nome)
        m = _misure(pagina)
        assert m["larghezza"] <= m["schermo"], nome
        assert pagina.locator(f'.mappe-vista[data-vista="{nome}"]').get_attribute("aria-pressed") == "true"
    contesto.close()


def _scegli_vista(pagina, nome: str) -> None:
    """As a visitor would: the view menu when the phone layout shows one, else the button."""
    scelta = pagina.locator("select.mappe-viste-scelta")
    if scelta.count() and scelta.is_visible():
        scelta.select_option(nome)
    else:
        pagina.locator(f'.mappe-vista[data-vista="{nome}"]').tap()
    pagina.wait_for_function("document.documentElement.dataset.mappeDisegnata === '1'")


@pytest.mark.parametrize("nome", PAGINE_CON_MAPPA)
def test_il_viewport_e_valido_e_si_puo_ingrandire(browser, dispositivi, pagine, nome):
    contesto = _contesto(browser, dispositivi, "Pixel 7")
    pagina = contesto.new_page()
    avvisi = []
    pagina.on("console", lambda m: avvisi.append(m.text) if "viewport" in m.text.lower() else None)
    _apri(pagina, pagine[nome])
    contenuti = pagina.evaluate(
        "Array.from(document.querySelectorAll('meta[name=viewport]')).map(m => m.content)")
    contesto.close()
    assert contenuti == ["width=device-width, initial-scale=1"]  # one, valid, and no user-scalable=no
    assert avvisi == []


@pytest.mark.parametrize("nome", ("mappa", "mostra", "territorio"))
def test_si_scorre_oltre_la_mappa_con_un_dito(browser, dispositivi, pagine, nome):
    """A strip of page stays below the map on the first screen: a swipe there scrolls the page;
    a swipe on the map moves the map, not the page."""
    contesto = _contesto(browser, dispositivi, "Pixel 7")
    pagina = contesto.new_page()
    _apri(pagina, pagine[nome])
    r = pagina.locator(".leaflet-container").bounding_box()
    altezza = pagina.evaluate("innerHeight")
    assert altezza - (r["y"] + r["height"]) >= 48  # the strip below the map
    cdp = contesto.new_cdp_session(pagina)

    def scorri(x, y0, y1, passi=10):  # one finger: down, ten moves, up
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y0}]})
        for k in range(1, passi + 1):
            cdp.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": [{"x": x, "y": y0 + (y1 - y0) * k / passi}]})
            pagina.wait_for_timeout(16)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        pagina.wait_for_timeout(400)

    centro_prima = pagina.evaluate("document.querySelector('.leaflet-map-pane').style.transform")
    scorri(r["x"] + r["width"] / 2, r["y"] + r["height"] * 0.7, r["y"] + r["height"] * 0.3)
    assert pagina.evaluate("scrollY") == 0  # the map took the swipe
    assert pagina.evaluate("document.querySelector('.leaflet-map-pane').style.transform") != centro_prima
    striscia = (r["y"] + r["height"] + altezza) / 2
    scorri(r["x"] + r["width"] / 2, striscia, striscia - 300)
    assert pagina.evaluate("scrollY") > 100  # the page scrolled past the map
    contesto.close()


@pytest.mark.parametrize("nome", ("mappa", "mostra", "mostra-chiosco", "territorio", "rilievo"))
def test_accessibile_anche_sul_telefono(browser, dispositivi, pagine, nome):
    from axe_playwright_python.sync_playwright import Axe

    contesto = _contesto(browser, dispositivi, "iPhone SE")
    pagina = contesto.new_page()
    _apri(pagina, pagine[nome])
    risultato = Axe().run(pagina)
    contesto.close()
    gravi = [v for v in risultato.response["violations"] if v["impact"] in ("serious", "critical")]
    assert gravi == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in gravi]


SIMBOLI_SULLO_SCHERMO = """() => {
  const m = document.querySelector('.leaflet-container').getBoundingClientRect();
  const dentro = (r) => r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= Math.min(m.bottom, innerHeight);
  return Array.from(document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon.leaflet-interactive'))
    .filter(e => !e.classList.contains('mappe-luogo'))
    .map(e => { const r = e.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2, sopra = document.elementFromPoint(x, y);
      return {x: x, y: y, w: r.width, h: r.height, gruppo: e.classList.contains('mappe-cluster'),
              numero: e.classList.contains('mappe-cluster') ? parseInt(e.textContent, 10) : 1,
              libero: !!sopra && (sopra === e || e.contains(sopra)), dentro: dentro(r),
              nome: e.getAttribute('title') || e.textContent,
              sopra: sopra ? String(sopra.className.baseVal !== undefined ? sopra.className.baseVal : sopra.className) : ''}; })
    .filter(s => s.dentro);
}"""


def test_ogni_simbolo_si_raggiunge_con_un_dito(browser, dispositivi, pagine):
    """On the demo's comune map on a phone: every symbol or group on the first screen is a target
    of at least 44 x 44 px that nothing covers; a tap on a symbol opens its card as a sheet that
    fits the screen and closes with one tap; a tap on a group shows what it gathers."""
    contesto = _contesto(browser, dispositivi, "Pixel 7")
    pagina = contesto.new_page()
    _apri(pagina, pagine["mappa"])
    simboli = pagina.evaluate(SIMBOLI_SULLO_SCHERMO)
    assert len(simboli) >= 3
    assert [s for s in simboli if s["w"] < 44 or s["h"] < 44] == []
    coperti = [(s["nome"], s["sopra"], s["x"], s["y"]) for s in simboli if not s["libero"]]
    assert coperti == []  # nothing on top: a finger picks each one
    singoli = [s for s in simboli if not s["gruppo"]]
    gruppi = sorted((s for s in simboli if s["gruppo"]), key=lambda s: -s["numero"])
    assert gruppi, "the demo is dense: some symbols must be gathered"
    schermo = pagina.viewport_size
    for s in singoli[:6]:
        pagina.touchscreen.tap(s["x"], s["y"])
        foglio = pagina.locator(".mappe-foglio")
        foglio.wait_for(state="visible", timeout=5000)
        r = foglio.bounding_box()
        assert r["x"] >= 0 and r["x"] + r["width"] <= schermo["width"] + 0.5
        assert r["y"] >= 0 and r["y"] + r["height"] <= schermo["height"] + 0.5
        assert foglio.locator(".mappe-titolo").first.inner_text().strip()
        assert pagina.locator(".leaflet-popup:visible").count() == 0  # not a popup cut by the screen as well
        chiudi = foglio.locator(".mappe-chiudi-foglio").bounding_box()
        assert chiudi["width"] >= 44 and chiudi["height"] >= 44
        pagina.touchscreen.tap(chiudi["x"] + chiudi["width"] / 2, chiudi["y"] + chiudi["height"] / 2)
        foglio.wait_for(state="hidden", timeout=5000)
    # the biggest group: a tap brings its symbols apart (zoom, or a fan at the last zoom)
    prima = pagina.evaluate("window[document.querySelector('.folium-map').id].getZoom()")
    g = gruppi[0]
    pagina.touchscreen.tap(g["x"], g["y"])
    pagina.wait_for_timeout(1200)
    dopo = pagina.evaluate(SIMBOLI_SULLO_SCHERMO)
    zoom = pagina.evaluate("window[document.querySelector('.folium-map').id].getZoom()")
    assert zoom > prima or pagina.locator(".leaflet-marker-pane .mappe-simbolo").count() > len(singoli)
    assert [(s["nome"], s["sopra"], s["x"], s["y"]) for s in dopo if not s["libero"]] == []
    contesto.close()


def test_i_nomi_dei_luoghi_non_stanno_sotto_i_simboli(browser, dispositivi, pagine):
    """Names are drawn above the symbols, and two names never overlap (the later waits for a zoom)."""
    contesto = _contesto(browser, dispositivi, "iPhone SE")
    pagina = contesto.new_page()
    _apri(pagina, pagine["mostra"])
    pagina.wait_for_timeout(1200)
    esito = pagina.evaluate("""() => {
      const nomi = Array.from(document.querySelectorAll('.mappe-luogo-nome'))
        .filter(n => n.style.visibility !== 'hidden').map(n => n.getBoundingClientRect());
      let sovrapposti = 0;
      for (let i = 0; i < nomi.length; i++) for (let j = i + 1; j < nomi.length; j++) {
        const a = nomi[i], b = nomi[j];
        if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) sovrapposti++;
      }
      const pNomi = document.querySelector('.leaflet-mappe-nomi-pane');
      const pSimboli = document.querySelector('.leaflet-marker-pane');
      return {visibili: nomi.length, sovrapposti: sovrapposti,
              sopra: +getComputedStyle(pNomi).zIndex > +getComputedStyle(pSimboli).zIndex,
              passano: getComputedStyle(pNomi).pointerEvents === 'none'};
    }""")
    contesto.close()
    assert esito["visibili"] >= 1 and esito["sovrapposti"] == 0 and esito["sopra"] and esito["passano"]


def _tocca(pagina, locator) -> None:
    """A finger's tap in the middle of what it shows (brought into sight first, as a thumb would)."""
    for _ in range(2):  # sections of the list are laid out as they come near: a second look
        locator.evaluate("e => e.scrollIntoView({block: 'nearest'})")
        pagina.wait_for_timeout(100)
    r = locator.bounding_box()
    pagina.touchscreen.tap(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)


def _un_simbolo_solo(pagina) -> dict:
    """A symbol on its own on the screen: where all are gathered, a tap on the biggest group
    brings them apart first, as a visitor would do."""
    for _ in range(6):
        simboli = pagina.evaluate(SIMBOLI_SULLO_SCHERMO)
        soli = [s for s in simboli if not s["gruppo"]]
        if soli:
            return soli[0]
        g = max(simboli, key=lambda s: s["numero"])
        pagina.touchscreen.tap(g["x"], g["y"])
        pagina.wait_for_timeout(800)
    raise AssertionError("nessun simbolo si separa dagli altri")


def test_i_riscontri_col_dito_dall_inizio_alla_fine(browser, dispositivi, pagine):
    """A visitor with a phone reacts, comments (the box stays in sight above the keyboard), adds a
    missing place by tapping the map; the staff download what was left."""
    contesto = _contesto(browser, dispositivi, "Pixel 7")
    pagina = contesto.new_page()
    _apri(pagina, pagine["mostra"])
    simbolo = _un_simbolo_solo(pagina)
    pagina.touchscreen.tap(simbolo["x"], simbolo["y"])
    foglio = pagina.locator(".mappe-foglio")
    foglio.wait_for(state="visible")
    reazione = foglio.locator(".mappe-reazione").first
    _tocca(pagina, reazione)
    assert reazione.locator(".mappe-reazione-conto").inner_text() == "1"
    _tocca(pagina, foglio.locator(".mappe-commenta summary"))
    area = foglio.locator("textarea")
    _tocca(pagina, area)
    assert area.evaluate("e => e === document.activeElement")
    # the on-screen keyboard: half of the screen is gone; the box being written stays in sight
    schermo = pagina.viewport_size
    pagina.set_viewport_size({"width": schermo["width"], "height": schermo["height"] // 2})
    pagina.wait_for_timeout(400)
    r = area.bounding_box()
    assert r["y"] >= 0 and r["y"] + r["height"] <= schermo["height"] // 2 + 0.5
    area.fill("Serve una panchina all'ombra")
    _tocca(pagina, foglio.locator(".mappe-commenta .mappe-invia"))
    pagina.locator(".mappe-annuncio-visibile").wait_for()
    pagina.set_viewport_size(schermo)
    _tocca(pagina, foglio.locator(".mappe-chiudi-foglio"))
    foglio.wait_for(state="hidden")
    # a missing place: "+ Aggiungi", then a tap on the map inside a comune
    pagina.evaluate("window.scrollTo(0, 0)")
    _tocca(pagina, pagina.locator(".mappe-aggiungi"))
    x, y = pagina.evaluate("""() => { const m = window[document.querySelector('.folium-map').id];
      const b = document.querySelector('.leaflet-container').getBoundingClientRect();
      m.setView([45.0087, 7.5378], 16, {animate: false});
      return [b.left + b.width / 2, b.top + b.height / 2]; }""")
    pagina.touchscreen.tap(x, y)  # on whatever is there: a symbol or a name does not get in the way
    modulo = foglio.locator(".mappe-suggerimento")
    modulo.wait_for(state="visible", timeout=5000)
    modulo.locator("textarea").fill("Qui manca un campetto")
    _tocca(pagina, modulo.locator(".mappe-invia"))
    foglio.wait_for(state="hidden", timeout=5000)
    # the staff: the door is under the list on a phone
    _tocca(pagina, pagina.locator(".mappe-personale"))
    dialogo = pagina.locator(".mappe-dialogo")
    dialogo.wait_for()
    dialogo.locator("input").fill(PIN)
    with pagina.expect_download() as scaricato:
        _tocca(pagina, dialogo.locator(".mappe-scarica"))
    import json

    voci = json.loads(Path(scaricato.value.path()).read_text(encoding="utf-8"))["features"]
    contesto.close()
    assert len(voci) == 3  # the reaction, the comment, the new place (encrypted, for 'riscontri importa')
