"""Symbols gathered into groups, as a visitor with a phone and a planner with a mouse meet them.

mappe gathers the symbols that would overlap on the screen with its own code (part "gruppi" of
the page): only the zoom being looked at is grouped, only what is on the screen is drawn. These
tests open real maps built by the CLI in Chromium: every contribution is counted once, whatever
the zoom and after panning; contributions said at one same spot fan out and each opens by a tap;
the list's "Sulla mappa" finds a contribution inside such a crowd; a group opens from the
keyboard too.
"""

from __future__ import annotations

import random

import pytest
from conftest import apri as _apri
from conftest import scrivi_csv

MAPPA = "window[document.querySelector('.folium-map').id]"
CONTA = """() => {
  const pane = document.querySelector('.leaflet-marker-pane');
  let n = 0;
  pane.querySelectorAll('.mappe-cluster').forEach(e => { n += parseInt(e.textContent, 10); });
  return n + pane.querySelectorAll('.mappe-simbolo').length;
}"""
PIAZZA = (7.53610, 45.00870)  # one spot where twelve people said something


@pytest.fixture
def mappa_affollata(cli, tmp_path):
    """Orbassano with 400 scattered contributions and 12 said at the very same spot."""
    rnd = random.Random(3)
    righe = [["tipo", "tema", "titolo", "testo", "lon", "lat"]]
    tipi = ["bisogno", "risorsa", "memoria", "proposta"]
    for k in range(400):
        righe.append([tipi[k % 4], "lavoro", f"Sparso {k}", f"Detto altrove, numero {k}",
                      f"{7.530 + rnd.random() * 0.015:.5f}", f"{45.000 + rnd.random() * 0.012:.5f}"])
    for k in range(12):
        righe.append([tipi[k % 4], "socialita", f"In piazza {k}", f"Detto in piazza, numero {k}",
                      f"{PIAZZA[0]:.5f}", f"{PIAZZA[1]:.5f}"])
    assert cli("importa", scrivi_csv(tmp_path / "c.csv", righe), "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "affollata.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    return uscita


def _telefono(browser):
    contesto = browser.new_context(**browser.dispositivi["Pixel 7"])
    contesto.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "about:"))
                   else r.abort())
    return contesto


def test_ogni_contributo_contato_una_volta_a_ogni_zoom(pagina_offline, mappa_affollata):
    """On the first view the groups and the symbols add up to every contribution; zoomed in and
    moved about, nothing is drawn twice; back at the start, the sum is whole again."""
    p = pagina_offline
    _apri(p, mappa_affollata)
    assert p.evaluate(CONTA) == 412
    inizio = p.evaluate(f"[{MAPPA}.getCenter(), {MAPPA}.getZoom()]")
    for passo in ("setZoom(m.getZoom() + 2)", "panBy([300, 200])", "panBy([-600, -100])", "setZoom(m.getZoom() + 2)"):
        p.evaluate(f"new Promise(r => {{ const m = {MAPPA}; m.once('moveend', () => setTimeout(r, 50)); m.{passo}; }})")
        disegnati = p.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-marker-pane .mappe-simbolo'))
          .map(e => e.getAttribute('title'))""")
        assert len(disegnati) == len(set(disegnati)), passo  # no symbol twice
        assert p.evaluate(CONTA) <= 412
    p.evaluate(f"""new Promise(r => {{ const m = {MAPPA}; m.once('moveend', () => setTimeout(r, 50));
      m.setView([{inizio[0]['lat']}, {inizio[0]['lng']}], {inizio[1]}); }})""")
    assert p.evaluate(CONTA) == 412
    assert p.errori == []


def test_detti_nello_stesso_punto_si_aprono_a_ventaglio(browser, mappa_affollata):
    """On a phone: the twelve said at one spot stay gathered however far one zooms; a tap on
    their group fans them out, each one a target of 44 px that nothing covers, and a tap on each
    opens its own card."""
    contesto = _telefono(browser)
    p = contesto.new_page()
    _apri(p, mappa_affollata)
    p.evaluate(f"""new Promise(r => {{ const m = {MAPPA}; m.once('moveend', () => setTimeout(r, 100));
      m.setView([{PIAZZA[1]}, {PIAZZA[0]}], m.getMaxZoom()); }})""")
    gruppo = p.locator(".leaflet-marker-pane .mappe-cluster").filter(has_text="12")
    assert gruppo.count() == 1
    r = gruppo.bounding_box()
    p.touchscreen.tap(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)
    p.wait_for_timeout(300)
    simboli = p.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-marker-pane .mappe-simbolo'))
      .filter(e => (e.getAttribute('title') || '').startsWith('In piazza'))
      .map(e => { const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const sopra = document.elementFromPoint(x, y);
        return {titolo: e.getAttribute('title'), x: x, y: y, w: r.width, h: r.height,
                libero: !!sopra && (sopra === e || e.contains(sopra))}; })""")
    assert sorted(s["titolo"] for s in simboli) == sorted(f"In piazza {k}" for k in range(12))
    assert all(s["w"] >= 44 and s["h"] >= 44 and s["libero"] for s in simboli), simboli
    assert p.locator(".mappe-gamba").count() == 12  # each joined to the spot it was said at
    foglio = p.locator(".mappe-foglio")
    for s in simboli:
        p.wait_for_timeout(400)  # a person's pace: two quick taps would be a double tap (a zoom)
        r = p.locator(f".leaflet-marker-pane .mappe-simbolo[title='{s['titolo']}']").bounding_box()
        p.touchscreen.tap(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)
        foglio.wait_for(state="visible", timeout=5000)
        assert foglio.locator(".mappe-titolo").first.inner_text().strip() == s["titolo"]
        chiudi = foglio.locator(".mappe-chiudi-foglio").bounding_box()
        p.touchscreen.tap(chiudi["x"] + chiudi["width"] / 2, chiudi["y"] + chiudi["height"] / 2)
        foglio.wait_for(state="hidden", timeout=5000)
    # a tap on the map puts them back in their group
    mappa = p.locator(".leaflet-container").bounding_box()
    p.touchscreen.tap(mappa["x"] + 20, mappa["y"] + mappa["height"] - 60)
    p.wait_for_timeout(300)
    assert p.locator(".mappe-gamba").count() == 0
    assert p.locator(".leaflet-marker-pane .mappe-simbolo[title^='In piazza']").count() == 0
    contesto.close()


def test_sulla_mappa_trova_chi_sta_nella_folla(pagina_offline, mappa_affollata):
    """From the list, "Sulla mappa" of a contribution said in the crowded spot opens its card
    on the map (its group fanned out)."""
    p = pagina_offline
    _apri(p, mappa_affollata)
    carta = p.locator("#mappe-elenco article").filter(has_text="Detto in piazza, numero 7")
    carta.locator(".mappe-sulla-mappa").click()
    popup = p.locator(".leaflet-popup-content blockquote")
    popup.wait_for(timeout=10000)
    assert popup.inner_text() == "Detto in piazza, numero 7"
    assert p.errori == []


def test_un_gruppo_si_apre_dalla_tastiera(pagina_offline, mappa_affollata):
    """A group is reached with Tab and opened with Enter; the focus goes to what is drawn next to it."""
    p = pagina_offline
    _apri(p, mappa_affollata)
    prima = p.evaluate(f"{MAPPA}.getZoom()")
    gruppo = p.locator(".leaflet-marker-pane .mappe-cluster").first
    assert gruppo.get_attribute("tabindex") == "0"
    # a screen reader hears what it is, not only a number
    numero = gruppo.inner_text().strip()
    assert gruppo.get_attribute("aria-label") == f"{numero} contributi qui: ingrandisci per vederli"
    gruppo.focus()
    p.keyboard.press("Enter")
    # it zooms in on what the group gathers (or, said all at one spot, fans them out)
    p.wait_for_function(f"{MAPPA}.getZoom() > {prima} || document.querySelectorAll('.mappe-gamba').length > 1",
                        timeout=5000)
    # the focus stays on the map, on a group or a symbol, for the next Enter
    p.wait_for_function("document.activeElement.matches('.leaflet-marker-pane .leaflet-marker-icon')", timeout=5000)
