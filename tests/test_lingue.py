"""The languages of the people who live there (issue 20): one exhibition in several languages with
a switch, Arabic right to left, the catalogue's labels and people's words translated by people,
feedback in any script, fonts carried in the page. Real pages in headless Chromium, network refused."""

import json
import re
from pathlib import Path

import openpyxl
import pytest
import tomllib
from conftest import scrivi_csv

from mappe.lingue import LINGUE

CARTELLA_LINGUE = Path(__file__).parent.parent / "mappe" / "rendi" / "lingue"
SEGNAPOSTO = re.compile(r"\{\w+\}")
TESTO_AR = "لا يوجد مكان نلتقي فيه في المساء، الشباب يبقون في الساحة في البرد."
TITOLO_AR = "لا توجد أماكن للقاء في المساء"
TESTO_IT = "Dopo le sette non c'è un posto dove stare insieme, i ragazzi stanno in piazza al freddo."
ESITO_IT = "Il Comune ha aperto la biblioteca il giovedì sera"
ESITO_AR = "فتحت البلدية المكتبة مساء الخميس"


def _catalogo(lingua: str) -> dict:
    with open(CARTELLA_LINGUE / f"{lingua}.toml", "rb") as f:
        return tomllib.load(f)


@pytest.mark.parametrize("lingua", [x for x in LINGUE if x != "it"])
def test_ogni_catalogo_dei_messaggi_ha_tutte_le_chiavi(lingua):
    it = _catalogo("it")
    altro = _catalogo(lingua)
    assert sorted(set(it) - set(altro)) == [], f"mancano in {lingua}.toml"
    assert sorted(set(altro) - set(it)) == [], f"chiavi in più in {lingua}.toml"
    for k, v in it.items():
        assert SEGNAPOSTO.findall(v) == SEGNAPOSTO.findall(altro[k]) or \
            sorted(SEGNAPOSTO.findall(v)) == sorted(SEGNAPOSTO.findall(altro[k])), (lingua, k)
        assert altro[k].strip(), (lingua, k)
    assert altro["nome_lingua"] == LINGUE[lingua]


@pytest.fixture
def area_lingue(cli, area, tmp_path):
    """Orbassano with a translated need and an untranslated proposal, the catalogue's labels in
    Arabic (through the mediator's sheet), an approved Arabic comment."""
    righe = [["id", "tipo", "tema", "titolo", "testo", "titolo_ar", "testo_ar", "lon", "lat", "consenso", "stato",
              "esito", "esito_ar"],
             ["c-1", "bisogno", "socialita", "Mancano posti per la sera", TESTO_IT, TITOLO_AR, TESTO_AR,
              "7.5378", "45.0087", "orale", "in_corso", ESITO_IT, ESITO_AR],
             ["c-2", "proposta", "mobilita", "Un autobus la sera", "Un autobus che passi anche dopo le nove",
              "", "", "7.5420", "45.0050", "orale", "", "", ""],
             # a row with only its words translated (its title stays Italian)
             ["c-3", "risorsa", "socialita", "Il bar della piazza", "Il barista conosce tutti", "",
              "صاحب المقهى يعرف الجميع", "7.5400", "45.0060", "orale", "", "", ""]]
    # rows without a title or a note: those columns travel mostly empty in the page ({"s": ...})
    righe += [[f"c-{k}", "risorsa", "mobilita", "", f"Una risorsa numero {k}", "", "", f"{7.530 + k * 0.001:.4f}",
               "45.0040", "orale", "", "", ""] for k in range(4, 10)]
    r = cli("importa", scrivi_csv(tmp_path / "c.csv", righe), "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    foglio = tmp_path / "catalogo-ar.xlsx"
    assert cli("catalogo", "traduzioni", "--lingua", "ar", "-o", foglio).exit_code == 0
    wb = openpyxl.load_workbook(foglio)
    for riga in wb["traduzioni"].iter_rows(min_row=2):
        riga[4].value = f"ع {riga[1].value}"  # a label in Arabic letters for every value
    wb.save(foglio)
    assert cli("catalogo", "traduzioni", "importa", foglio).exit_code == 0
    commento = "\u202eرائع\u202c، نحتاج هذا"  # with a bidi override a keyboard may leave
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": [
        {"type": "Feature", "properties": {"id": "r-1", "su": "c-1", "comune": "orbassano", "reazione": "importante",
                                           "commento": commento, "data": "2026-11-26T10:00:00Z"},
         "geometry": None}]}, ensure_ascii=False), encoding="utf-8")
    assert cli("riscontri", "importa", f, "--comune", "Orbassano").exit_code == 0
    assert cli("riscontri", "modera", "Orbassano", "--approva", "r-1").exit_code == 0
    return area


def _mostra(cli, tmp_path, *lingue):
    uscita = tmp_path / f"mostra-{'-'.join(lingue)}.html"
    r = cli("mostra", "Orbassano", "-o", uscita, "--lingue", ",".join(lingue), "--pin", "8302917465")
    assert r.exit_code == 0, r.output
    return uscita, r.output


def _apri(browser, percorso, larghezza=1280, altezza=800, locale="it-IT", **altro):
    contesto = browser.new_context(viewport={"width": larghezza, "height": altezza}, locale=locale, **altro)
    pagina = contesto.new_page()
    pagina.rifiutate, pagina.errori = [], []

    def instrada(route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            pagina.rifiutate.append(route.request.url)
            route.abort()

    pagina.route("**/*", instrada)
    pagina.on("pageerror", lambda e: pagina.errori.append(str(e)))
    pagina.goto(percorso.as_uri())
    pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=20000)
    return contesto, pagina


def _in_arabo(pagina):
    pagina.locator("button[data-lingua=ar]").click()
    pagina.wait_for_function("document.documentElement.lang === 'ar' && "
                             "document.documentElement.dataset.mappePronta === '1'", timeout=20000)
    pagina.wait_for_timeout(300)


def test_il_feedback_in_arabo_si_tiene_come_scritto(area_lingue):
    r = area_lingue.archivio("Orbassano").leggi("riscontri")
    assert r["commento"].tolist() == ["رائع، نحتاج هذا"]  # letters kept, the override gone


def test_una_mostra_in_tre_lingue_in_arabo_non_resta_niente_di_italiano(cli, area_lingue, tmp_path, browser):
    uscita, output = _mostra(cli, tmp_path, "it", "ar", "en")
    assert "in arabo" not in output  # every label of the catalogue has its Arabic (the mediator's sheet)
    # a theme the project added, translated in no language: said, for the languages of the page but Italian
    with open(area_lingue.cartella / "layers" / "temi.toml", "a", encoding="utf-8") as f:
        f.write('\n[tema.orti_urbani]\nlabel = "Orti urbani"\ncolore = "#4c7a2a"\n')
    _, output = _mostra(cli, tmp_path, "it", "fr")
    avviso = next(r for r in output.splitlines() if r.startswith("Attenzione: in francese"))
    assert "in italiano" in avviso and "tema.orti_urbani" in avviso and "mappe catalogo traduzioni --lingua fr" in avviso
    contesto, p = _apri(browser, uscita)
    try:
        assert p.evaluate("document.documentElement.lang") == "it"  # the first language, on an Italian kiosk
        nomi = p.locator(".mappe-lingue button").all_inner_texts()
        assert nomi == ["Italiano", "العربية", "English"]
        _in_arabo(p)
        assert p.evaluate("document.documentElement.dir") == "rtl"
        # the map itself is not mirrored
        assert p.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).direction") == "ltr"
        # open a card of the list, so that its words count too
        p.locator("#mappe-lista .mappe-scheda").first.wait_for()
        testo = p.evaluate("document.body.innerText")
        it, ar = _catalogo("it"), _catalogo("ar")
        # (but "Italiano" on the switch: each language is named in itself)
        italiani = {v for k, v in it.items() if v != ar[k] and len(v) >= 4 and not SEGNAPOSTO.search(v)
                    and k != "nome_lingua"}
        rimasti = sorted(v for v in italiani if v in testo)
        assert rimasti == [], rimasti
        catalogo = area_lingue.catalogo
        etichette = {v.label for voci in catalogo.vocabolari.values() for v in voci.values() if len(v.label) >= 4}
        assert sorted(e for e in etichette if re.search(r"(?<!\w)" + re.escape(e) + r"(?!\w)", testo)) == []
        assert TESTO_AR in testo and TITOLO_AR in testo  # the translation a person wrote...
        assert ESITO_AR in testo and ESITO_IT not in testo  # ... also where the column is mostly empty
        # only the words of c-3 are translated: its title is Italian, and says so
        bar = p.locator("#mappe-lista .mappe-scheda", has_text="صاحب المقهى")
        assert bar.locator(".mappe-titolo").get_attribute("lang") == "it"
        assert bar.locator(".mappe-citazione").first.get_attribute("lang") is None
        assert "Un autobus che passi anche dopo le nove" in testo  # an untranslated one as it was said...
        nota = p.locator("#mappe-lista .mappe-scheda", has_text="Un autobus").locator(".mappe-lingua-nota")
        assert nota.inner_text() == ar["in_italiano"]  # ... marked as Italian
        assert p.locator("#mappe-lista blockquote[lang=it]", has_text="Un autobus").count() == 1
        assert p.rifiutate == [] and p.errori == []
    finally:
        contesto.close()


def test_l_originale_si_apre_dalla_traduzione(cli, area_lingue, tmp_path, browser):
    uscita, _ = _mostra(cli, tmp_path, "ar", "it")
    contesto, p = _apri(browser, uscita, locale="de-DE")  # a browser in a language the page does not offer
    try:
        assert p.evaluate("document.documentElement.lang") == "ar"  # the first language
        scheda = p.locator("#mappe-lista .mappe-scheda", has_text=TITOLO_AR)
        originale = scheda.locator("details.mappe-originale")
        assert originale.locator("summary").inner_text() == _catalogo("ar")["originale"]
        assert not originale.locator("blockquote").is_visible()
        originale.locator("summary").click()
        citazione = originale.locator("blockquote")
        assert citazione.is_visible() and citazione.inner_text() == TESTO_IT
        assert citazione.get_attribute("lang") == "it" and citazione.get_attribute("dir") == "ltr"
        assert ESITO_IT in originale.inner_text()  # the note's original too
        # the comment written in Arabic is shown in its own direction
        commento = scheda.locator(".mappe-commenti li", has_text="رائع")
        assert commento.get_attribute("dir") == "auto"
        assert p.evaluate("(e) => getComputedStyle(e).direction", commento.element_handle()) == "rtl"
    finally:
        contesto.close()


def test_la_lingua_del_browser_e_scelta_se_c_e(cli, area_lingue, tmp_path, browser):
    uscita, _ = _mostra(cli, tmp_path, "it", "ar", "en")
    for locale, attesa in (("ar-MA", "ar"), ("en-GB", "en"), ("de-DE", "it"), ("uk-UA", "it")):
        contesto, p = _apri(browser, uscita, locale=locale)
        try:
            assert p.evaluate("document.documentElement.lang") == attesa, locale
        finally:
            contesto.close()


@pytest.mark.parametrize("larghezza,altezza", [(320, 640), (390, 844), (430, 932), (1280, 800)])
def test_in_arabo_niente_esce_dai_bordi(cli, area_lingue, tmp_path, browser, larghezza, altezza):
    uscita, _ = _mostra(cli, tmp_path, "ar", "it")
    telefono = larghezza < 500
    contesto, p = _apri(browser, uscita, larghezza, altezza, locale="ar-SY", is_mobile=telefono, has_touch=telefono)
    try:
        assert p.evaluate("document.documentElement.dir") == "rtl"
        largo = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert largo <= 0, f"{largo}px oltre il bordo a {larghezza}px"
        fuori = p.evaluate("""() => Array.from(document.querySelectorAll('.mappe-testata *, .mappe-elenco *'))
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 &&
                (r.right > document.documentElement.clientWidth + 1 || r.left < -1); })
            .map(e => e.className || e.tagName).slice(0, 5)""")
        assert fuori == []
    finally:
        contesto.close()


def test_in_arabo_axe_non_trova_violazioni_gravi_e_il_carattere_e_dentro(cli, area_lingue, tmp_path, browser):
    from axe_playwright_python.sync_playwright import Axe

    uscita, _ = _mostra(cli, tmp_path, "ar", "it")
    html = uscita.read_text(encoding="utf-8")
    assert "@font-face" in html and "Mappe Noto Sans Arabic" in html
    contesto, p = _apri(browser, uscita, locale="ar")
    try:
        assert p.evaluate("document.documentElement.dir") == "rtl"
        assert p.evaluate("document.fonts.check('16px \"Mappe Noto Sans Arabic\"', 'ع')")
        p.wait_for_function("document.fonts.status === 'loaded'")
        usati = p.evaluate("Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)")
        assert any("Mappe Noto Sans Arabic" in f for f in usati)
        p.locator("#mappe-elenco .mappe-commenta summary").first.click()
        risultato = Axe().run(p)
        gravi = [v for v in risultato.response["violations"] if v["impact"] in ("serious", "critical")]
        assert gravi == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in gravi]
    finally:
        contesto.close()


def test_una_lingua_che_non_c_e_e_rifiutata(cli, area_lingue, tmp_path):
    r = cli("mostra", "Orbassano", "-o", tmp_path / "x.html", "--lingue", "it,klingon")
    assert r.exit_code == 2 and "non è tra quelle delle pagine" in r.output
    assert not (tmp_path / "x.html").exists()



def test_il_chiosco_torna_alla_prima_lingua_per_il_visitatore_dopo(cli, area_lingue, tmp_path, browser):
    uscita = tmp_path / "chiosco.html"
    r = cli("mostra", "Orbassano", "-o", uscita, "--lingue", "it,ar", "--chiosco", "--attesa", "2",
            "--pin", "8302917465")
    assert r.exit_code == 0, r.output
    contesto, p = _apri(browser, uscita)
    try:
        _in_arabo(p)
        assert p.evaluate("document.documentElement.dir") == "rtl"
        # nobody touches the screen: the next visitor finds the kiosk in its first language
        p.wait_for_function("document.documentElement.lang === 'it' && "
                            "document.documentElement.dataset.mappePronta === '1'", timeout=15000)
        assert p.evaluate("document.documentElement.dir") == "ltr"
    finally:
        contesto.close()


def test_la_mappa_d_insieme_in_arabo(cli, area_lingue, tmp_path, browser):
    uscita = tmp_path / "territorio.html"
    r = cli("territorio", "-o", uscita, "--lingue", "ar,it")
    assert r.exit_code == 0, r.output
    contesto, p = _apri(browser, uscita, locale="ar")
    try:
        assert p.evaluate("document.documentElement.dir") == "rtl"
        assert p.locator("h1").inner_text() == _catalogo("ar")["panoramica"]
        assert p.locator(".mappe-lingue button").all_inner_texts() == ["العربية", "Italiano"]
        assert p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        assert p.errori == []
    finally:
        contesto.close()


def test_senza_memoria_nel_browser_la_lingua_si_cambia_lo_stesso(cli, area_lingue, tmp_path, browser):
    uscita, _ = _mostra(cli, tmp_path, "it", "ar")
    contesto, p = _apri(browser, uscita)
    try:
        # a browser that keeps nothing (private mode, a locked-down kiosk): the address carries the choice
        p.add_init_script("Object.defineProperty(window, 'sessionStorage', {get() { throw new Error('no'); }});")
        p.reload()
        p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
        _in_arabo(p)
        assert "lingua=ar" in p.url
    finally:
        contesto.close()


def test_la_pagina_in_arabo_e_pulita_per_verifica_privacy(cli, area_lingue, tmp_path):
    uscita, _ = _mostra(cli, tmp_path, "ar", "it")
    r = cli("verifica-privacy", uscita)
    assert r.exit_code == 0, r.output  # the embedded font is mappe's own, not something to look at
    assert "nessun dato riservato trovato" in r.output


def test_lingua_e_lingue_insieme_sono_un_errore_d_uso(cli, area_lingue, tmp_path):
    r = cli("mostra", "Orbassano", "-o", tmp_path / "x.html", "--lingua", "fr", "--lingue", "it,ar")
    assert r.exit_code == 2 and "non tutte e due" in r.output
