"""The symbols are data (``mappe/rendi/simboli.json``) that the page and matplotlib draw the same.

Checked as a person preparing a poster would: every symbol is written with the commands both
can draw (M, L, C, Q, Z), every kind and place icon of a new workspace's catalogue has one, and
the same path drawn by Chromium and by matplotlib at 96×96 pixels covers the same pixels, holes
included (nonzero winding: a hole runs the other way round from its outline).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from mappe.catalogo import FORME, carica_catalogo
from mappe.rendi import simboli as modulo
from mappe.rendi.simboli import comandi, percorso, simboli

PIXEL = 96  # 4 pixels per unit of the 24×24 box
TUTTI = [(g, nome) for g in ("forme", "pittogrammi") for nome in sorted(simboli()[g])]
# A point inside each hole, in the 24×24 box: the square of the piazza, the train's window,
# the inside of the cup's handle.
BUCHI = [("piazza", (12, 12)), ("treno", (12, 8.5)), ("tazza", (18, 11.5))]


def _ids(x):
    return f"{x[0]}-{x[1]}"


# ---------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------

def test_ogni_percorso_usa_solo_comandi_assoluti_m_l_c_q_z():
    dati = json.loads(modulo.FILE.read_text(encoding="utf-8"))
    assert dati["lato"] == 24
    for gruppo in ("forme", "pittogrammi"):
        for nome, d in dati[gruppo].items():
            lettere = set(re.findall(r"[A-Za-z]", d))
            assert lettere <= set("MLCQZ"), f"{nome}: {sorted(lettere - set('MLCQZ'))}"
            assert d.startswith("M"), nome
            assert comandi(d)  # and the numbers fit their commands


@pytest.mark.parametrize("sbagliato", [
    "M12 2 A10 10 0 1 1 11.99 2 Z",  # an arc: matplotlib has none
    "M3 3 H21 V21 H3 Z",  # H and V
    "M3 3 l18 0 L3 21 Z",  # a relative command
    "M3 3 L21 Z",  # a number missing
    "L3 3 L21 3 Z",  # no M first
])
def test_un_percorso_che_matplotlib_non_saprebbe_disegnare_e_rifiutato(sbagliato):
    with pytest.raises(ValueError):
        comandi(sbagliato)


def test_ogni_tipo_e_ogni_icona_del_catalogo_di_una_nuova_area_ha_il_suo_simbolo(area):
    catalogo = carica_catalogo(area.cartella / "layers")  # the catalogue 'mappe init' writes
    forme, pittogrammi = simboli()["forme"], simboli()["pittogrammi"]
    for codice, voce in catalogo.voci("tipo").items():
        assert voce.extra.get("forma", "cerchio") in forme, codice
    assert set(FORME) <= set(forme)  # every shape the catalogue accepts
    icone = {codice: voce.extra["icona"] for codice, voce in catalogo.voci("categoria").items() if "icona" in voce.extra}
    assert icone, "le categorie dei luoghi hanno un'icona"
    for codice, icona in icone.items():
        assert icona in pittogrammi, f"{codice}: {icona}"
    assert "punto" in pittogrammi  # what a place without an icon gets


# ---------------------------------------------------------------------------------------------
# Chromium and matplotlib draw the same pixels
# ---------------------------------------------------------------------------------------------

def _maschera_matplotlib(d: str) -> np.ndarray:
    fig = Figure(figsize=(1, 1), dpi=PIXEL)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 24)
    ax.set_ylim(24, 0)  # y downwards, as in SVG
    ax.set_axis_off()
    ax.add_patch(PathPatch(percorso(d), facecolor="black", edgecolor="none"))
    tela = FigureCanvasAgg(fig)
    tela.draw()
    rgba = np.asarray(tela.buffer_rgba())
    assert rgba.shape[:2] == (PIXEL, PIXEL)
    return rgba[..., 0] < 128


@pytest.fixture(scope="module")
def maschere_chromium(browser):
    """Every symbol drawn by Chromium as the page draws it (inline SVG, nonzero fill), offline."""
    from io import BytesIO

    from PIL import Image

    contesto = browser.new_context(viewport={"width": 800, "height": 600}, device_scale_factor=1)
    pagina = contesto.new_page()
    pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("about:", "data:")) else r.abort())
    svg = "".join(
        f'<svg id="s{k}" width="{PIXEL}" height="{PIXEL}" viewBox="0 0 24 24" style="display:block">'
        f'<path d="{simboli()[g][nome]}" fill="#000" fill-rule="nonzero"/></svg>'
        for k, (g, nome) in enumerate(TUTTI))
    pagina.set_content(f'<!doctype html><html><body style="margin:0;background:#fff">{svg}</body></html>')
    out = {}
    for k, chiave in enumerate(TUTTI):
        png = pagina.locator(f"#s{k}").screenshot()
        rgb = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
        assert rgb.shape[:2] == (PIXEL, PIXEL)
        out[chiave] = rgb[..., 0] < 128
    contesto.close()
    return out


@pytest.mark.parametrize("chiave", TUTTI, ids=_ids)
def test_chromium_e_matplotlib_riempiono_gli_stessi_pixel(chiave, maschere_chromium):
    gruppo, nome = chiave
    a = maschere_chromium[chiave]
    b = _maschera_matplotlib(simboli()[gruppo][nome])
    iou = (a & b).sum() / (a | b).sum()
    assert a.sum() > 0.05 * PIXEL * PIXEL  # something is drawn
    assert iou > 0.9, f"{nome}: IoU {iou:.3f}"


def _pixel(punto):
    x, y = punto
    return int(y * PIXEL / 24), int(x * PIXEL / 24)


@pytest.mark.parametrize(("nome", "punto"), BUCHI, ids=[b[0] for b in BUCHI])
def test_i_buchi_dei_pittogrammi_restano_vuoti_in_tutti_e_due(nome, punto, maschere_chromium):
    riga, colonna = _pixel(punto)
    assert not maschere_chromium[("pittogrammi", nome)][riga, colonna]
    assert not _maschera_matplotlib(simboli()["pittogrammi"][nome])[riga, colonna]


def test_un_buco_girato_come_il_contorno_si_riempirebbe():
    # The check above would see a hole drawn the wrong way round: with nonzero winding it fills.
    contorno, buco = simboli()["pittogrammi"]["piazza"].split(" M", 1)
    pezzi = comandi("M" + buco)  # M, four cubics, Z
    punti = [pezzi[0][1]] + [n[4:] for c, n in pezzi if c == "C"]
    curve = [n for c, n in pezzi if c == "C"]
    # the same circle run the other way: the cubics in reverse order, each from its end to its start
    inverso = "M{} {}".format(*punti[-1])
    for n, fine in zip(reversed(curve), reversed(punti[:-1])):
        inverso += " C{} {} {} {} {} {}".format(n[2], n[3], n[0], n[1], *fine)
    riga, colonna = _pixel((12, 12))
    assert not _maschera_matplotlib(contorno + " M" + buco)[riga, colonna]
    assert _maschera_matplotlib(contorno + " " + inverso + " Z")[riga, colonna]


# ---------------------------------------------------------------------------------------------
# The page draws with these paths
# ---------------------------------------------------------------------------------------------

def test_la_mappa_disegna_con_i_percorsi_del_file_e_la_regola_nonzero(cli, tmp_path, luoghi_csv, pagina_offline):
    from conftest import scrivi_csv

    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                        ["bisogno", "mobilita", "Il sottopasso", "7.5420", "45.0050"]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    uscita = tmp_path / "m.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
    assert p.errori == []
    triangolo = p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno path").get_attribute("d")
    assert triangolo == simboli()["forme"]["triangolo"]
    biblioteca = p.locator(".mappe-luogo-biblioteca svg path")
    assert biblioteca.get_attribute("d") == simboli()["pittogrammi"]["libro"]
    assert biblioteca.evaluate("e => getComputedStyle(e).fillRule") == "nonzero"
