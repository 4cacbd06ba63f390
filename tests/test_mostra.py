"""The exhibition: offline, private-safe, collecting feedback that flows back into the data."""

import json
import re

import geopandas as gpd
import pytest
from conftest import scrivi_csv
from playwright.sync_api import expect
from shapely.geometry import Point

from mappe.pubblico import id_pubblico
from mappe.rendi.mappa import decodifica_contributi

PIN = "4821 3377 90"
MALEVOLI = [
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "`${alert(1)}`",
    "javascript:alert(1)",
]


def _apri(p, percorso):
    p.goto(percorso.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)


def _dati(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="mappe-dati">(.*?)</script>', html, re.DOTALL)
    return json.loads(m.group(1))


@pytest.fixture
def comune_con_dati(cli, tmp_path, incontri_csv, luoghi_csv):
    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "incontro", "visibilita", "sensibile", "autore", "note", "lon", "lat"],
        ["c-1", "bisogno", "socialita", "Posti per stare insieme", "Manca un posto dove stare la sera",
         "FG-ORB-01", "pubblico", "no", "Giovanna Bianchi", "nota riservata del facilitatore", "7.5378", "45.0087"],
        ["c-2", "risorsa", "lavoro", "La bottega", "Il falegname prende apprendisti", "FG-ORB-01", "pubblico", "no",
         "", "", "7.5450", "45.0000"],
        ["c-3", "bisogno", "abitare", "Segnalazione delicata", "Famiglia in difficoltà in via Roma 3", "", "riservato",
         "no", "", "", "7.5420", "45.0050"],
        ["c-4", "memoria", "socialita", "Casa mia", "Vivo qui da solo da vent'anni", "", "pubblico", "sì", "", "",
         "7.5300", "45.0110"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    return tmp_path


def _mostra(cli, cartella, *opzioni):
    uscita = cartella / "mostra.html"
    r = cli("mostra", "Orbassano", "-o", uscita, "--pin", PIN, *opzioni)
    assert r.exit_code == 0, r.output
    return uscita


def test_mostra_offline_con_mappa_ed_elenco(cli, comune_con_dati, pagina_offline):
    uscita = _mostra(cli, comune_con_dati, "--titolo", "La mostra di Orbassano")
    p = pagina_offline
    _apri(p, uscita)
    assert p.richieste_rifiutate == [] and p.errori == []
    assert p.locator("h1").inner_text() == "La mostra di Orbassano"
    assert p.locator(".leaflet-overlay-pane path").count() >= 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo").count() == 2  # view "bisogni e risorse"
    # the list: the same contributions, grouped by theme, with headings
    elenco = p.locator("#mappe-elenco")
    assert elenco.locator("section[data-tema=socialita] h3").inner_text() == "Socialità e solitudine (1)"
    assert "Manca un posto dove stare la sera" in elenco.inner_text()
    # the other views
    p.locator("button[data-vista=memoria]").click()
    assert p.locator("button[data-vista=memoria]").get_attribute("aria-pressed") == "true"
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-memoria").count() == 1
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count() == 0
    # the list is filled again for the view (on a busy machine, a moment after the map)
    expect(elenco).to_contain_text("Vivo qui da solo")
    assert "Manca un posto" not in elenco.inner_text()
    assert p.richieste_rifiutate == []


def test_elenco_usabile_da_tastiera(cli, comune_con_dati, pagina_offline):
    uscita = _mostra(cli, comune_con_dati)
    p = pagina_offline
    _apri(p, uscita)
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.className") == "mappe-salta"
    p.keyboard.press("Enter")
    # from the list, a button moves the map to the contribution and opens it
    bottone = p.locator("#mappe-elenco .mappe-sulla-mappa").first
    bottone.focus()
    p.keyboard.press("Enter")
    p.locator(".leaflet-popup-content").wait_for()
    assert p.locator(".leaflet-popup-content h3").count() == 1


def test_reazione_e_commento_sopravvivono_al_ricaricamento_e_tornano_nei_dati(
        cli, comune_con_dati, pagina_offline, orbassano):
    uscita = _mostra(cli, comune_con_dati)
    p = pagina_offline
    _apri(p, uscita)
    scheda = p.locator("#mappe-elenco section[data-tema=socialita] li").first
    scheda.locator("button[data-reazione=d_accordo]").click()
    assert scheda.locator("button[data-reazione=d_accordo] .mappe-reazione-conto").inner_text() == "1"
    scheda.locator(".mappe-commenta summary").click()
    scheda.locator("textarea").fill("Anche per gli anziani <b>serve</b>\u0007 un posto")
    scheda.locator(".mappe-commenta button[type=submit]").click()
    assert scheda.locator("button[data-reazione=d_accordo] .mappe-reazione-conto").inner_text() == "1"
    assert "1 commento lasciato qui" in scheda.inner_text()
    # kept in the browser (encrypted: after a reload the page itself cannot read them, the download has them)
    p.reload()
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    # a visitor taps the map to add a missing place
    p.locator(".mappe-aggiungi").click()
    p.locator(".mappe-area-mappa .leaflet-container").click(position={"x": 120, "y": 120})
    form = p.locator(".mappe-suggerimento")
    if not form.count():  # the first tap may fall outside the comune; tap on a marker's spot
        box = p.locator(".leaflet-marker-pane .mappe-simbolo-risorsa").bounding_box()
        p.mouse.click(box["x"] - 30, box["y"] + 5)
    form.wait_for()
    form.locator("input[value=manca_un_luogo]").check()
    form.locator("textarea").fill("Qui serve una panchina")
    form.locator("button[type=submit]").click()
    # the staff download them with their code; a wrong one makes the next attempt wait
    p.locator(".mappe-personale").click()
    p.locator(".mappe-dialogo input").fill("00000000")
    p.locator(".mappe-dialogo .mappe-scarica").click()
    p.wait_for_function("document.querySelector('.mappe-esito').textContent.indexOf('sbagliato') >= 0")
    assert p.locator(".mappe-esito").inner_text() == "Codice sbagliato. Attendere 1 s prima di riprovare."
    p.wait_for_timeout(1100)
    p.locator(".mappe-dialogo input").fill(PIN)
    with p.expect_download() as scaricato:
        p.locator(".mappe-dialogo .mappe-scarica").click()
    file = comune_con_dati / scaricato.value.suggested_filename
    scaricato.value.save_as(file)
    assert "3 riscontri scaricati" in p.locator(".mappe-esito").inner_text()
    # a second download has nothing new
    p.locator(".mappe-dialogo .mappe-scarica").click()
    p.wait_for_function("document.querySelector('.mappe-esito').textContent.indexOf('Nessun') >= 0")
    # the file holds ciphertext only
    testo_file = file.read_text(encoding="utf-8")
    assert "panchina" not in testo_file and "anziani" not in testo_file and "d_accordo" not in testo_file

    r = cli("riscontri", "importa", file, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati 3 (in attesa di moderazione), già presenti 0" in r.output
    r = cli("riscontri", "importa", file, "--comune", "Orbassano")
    assert "importati 0 (in attesa di moderazione), già presenti 3" in r.output
    r = cli("riscontri", "modera", "Orbassano", "--elenco")
    assert r.exit_code == 0 and "3 riscontri in attesa" in r.output and "«Qui serve una panchina»" in r.output
    ris = orbassano.leggi("riscontri")
    assert set(ris["stato"]) == {"in_attesa"}
    commento = ris[ris["su"] == "c-1"].dropna(subset=["commento"]).iloc[0]["commento"]
    assert commento == "Anche per gli anziani <b>serve</b> un posto"  # control character removed
    segn = ris[ris["su"].isna()].iloc[0]
    assert segn["reazione"] == "manca_un_luogo" and segn.geometry.geom_type == "Point"
    assert orbassano.confine().geometry.iloc[0].buffer(0.003).contains(segn.geometry)

    # moderation, interactively: approve all but the suggestion
    risposte = "".join("r\n" if i == segn["id"] else "a\n" for i in ris["id"])
    r = cli("riscontri", "modera", "Orbassano", input=risposte)
    assert r.exit_code == 0, r.output
    assert "(nuova segnalazione sulla mappa)" in r.output and "commento: «Anche per gli anziani" in r.output
    assert "approvati 2, respinti 1" in r.output
    # approved reactions and comments appear in the next exhibition; the rejected one does not
    uscita2 = comune_con_dati / "mostra2.html"
    assert cli("mostra", "Orbassano", "-o", uscita2, "--pin", PIN).exit_code == 0
    html = uscita2.read_text(encoding="utf-8")
    assert "Qui serve una panchina" not in html
    p2 = p.context.new_page()
    p2.goto(uscita2.as_uri())
    p2.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    scheda = p2.locator("#mappe-elenco section[data-tema=socialita] li").first
    assert scheda.locator("button[data-reazione=d_accordo] .mappe-reazione-conto").inner_text() == "1"
    assert scheda.locator(".mappe-commenti li").inner_text() == "Anche per gli anziani <b>serve</b> un posto"
    assert scheda.locator(".mappe-commenti b").count() == 0


def test_chiosco_torna_all_inizio_dopo_l_attesa(cli, comune_con_dati, pagina_offline):
    uscita = _mostra(cli, comune_con_dati, "--chiosco", "--attesa", "2")
    p = pagina_offline
    _apri(p, uscita)
    assert "mappe-chiosco" in p.evaluate("document.documentElement.className")
    altezza = p.locator(".mappe-vista").first.bounding_box()["height"]
    assert altezza >= 44  # large touch targets
    p.locator("button[data-vista=emozioni]").click()
    p.locator("select[data-filtro=tema]").select_option("socialita")
    p.locator("#mappe-elenco .mappe-commenta summary").first.click()
    p.wait_for_function("document.documentElement.dataset.mappeRipristini === '1'", timeout=8000)
    assert p.locator("button[data-vista=bisogni-risorse]").get_attribute("aria-pressed") == "true"
    assert p.locator("select[data-filtro=tema]").input_value() == ""
    assert p.locator(".leaflet-popup").count() == 0 and p.locator("details[open]").count() == 0
    assert p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").count() == 1


def test_chiosco_chiude_la_scheda_rimasta_aperta(cli, comune_con_dati, pagina_offline):
    """A card left open on the first view is closed when the kiosk goes back to the start."""
    uscita = _mostra(cli, comune_con_dati, "--chiosco", "--attesa", "2")
    p = pagina_offline
    _apri(p, uscita)
    p.locator("#mappe-elenco .mappe-sulla-mappa").first.click()
    p.locator(".leaflet-popup").wait_for(timeout=5000)
    p.wait_for_function("document.documentElement.dataset.mappeRipristini === '1'", timeout=8000)
    p.wait_for_timeout(400)  # a closed popup fades out
    assert p.locator(".leaflet-popup").count() == 0


def test_testi_malevoli_restano_testo(cli, tmp_path, pagina_offline, orbassano):
    righe = [["id", "tipo", "tema", "titolo", "testo", "lon", "lat"]]
    for k, m in enumerate(MALEVOLI):
        righe.append([f"c-{k}", "bisogno", "lavoro", m, f"Testo {m} fine", f"{7.535 + k * 0.002:.4f}", "45.0087"])
    assert cli("importa", scrivi_csv(tmp_path / "c.csv", righe), "--comune", "Orbassano").exit_code == 0
    luoghi = [["nome", "categoria", "lon", "lat"]] + [[m, "bar", f"{7.535 + k * 0.002:.4f}", "45.0050"] for k, m in enumerate(MALEVOLI)]
    assert cli("importa", scrivi_csv(tmp_path / "l.csv", luoghi), "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    # approved comments carrying the same strings
    features = [{"type": "Feature", "properties": {"id": f"r-{k}", "su": f"c-{k}", "comune": "orbassano",
                 "reazione": "importante", "commento": m, "data": "2026-11-26T10:00:00Z"}, "geometry": None}
                for k, m in enumerate(MALEVOLI)]
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": features}))
    assert cli("riscontri", "importa", f, "--comune", "Orbassano").exit_code == 0
    approva = [x for k in range(len(MALEVOLI)) for x in ("--approva", f"r-{k}")]
    assert cli("riscontri", "modera", "Orbassano", *approva).exit_code == 0
    uscita = tmp_path / "m.html"
    assert cli("mostra", "Orbassano", "-o", uscita, "--titolo", MALEVOLI[1], "--pin", PIN).exit_code == 0
    html = uscita.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "</script><script>alert" not in html
    p = pagina_offline
    dialoghi = []
    p.on("dialog", lambda d: (dialoghi.append(d.message), d.dismiss()))
    _apri(p, uscita)
    script_prima = p.locator("script").count()
    p.locator("button[data-vista=tutto]").click()
    for k in range(len(MALEVOLI)):  # open every popup with the keyboard
        p.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").nth(k).focus()
        p.keyboard.press("Enter")
        titolo = p.locator(".leaflet-popup-content h3").last
        titolo.wait_for()
        assert titolo.inner_text() in MALEVOLI
    testo = p.locator("#mappe-elenco").inner_text()
    for m in MALEVOLI:
        assert m in testo
    assert p.locator("h1").inner_text() == MALEVOLI[1]
    assert p.locator("img").count() == 0
    assert p.locator("script").count() == script_prima
    assert p.locator("#mappe-elenco .mappe-commenti li").count() == len(MALEVOLI)
    assert p.locator("a[href^='javascript']").count() == 0
    assert sorted(p.locator(".mappe-luogo-nome").all_text_contents()) == sorted(MALEVOLI)
    assert dialoghi == [] and p.errori == []


def test_privacy_della_mostra(cli, comune_con_dati, orbassano, area):
    a = _mostra(cli, comune_con_dati)
    html = a.read_text(encoding="utf-8")
    for segreto in ("Giovanna Bianchi", "nota riservata del facilitatore", "Famiglia in difficoltà in via Roma 3",
                    "Anna Facilitatrice", "Note private della sera", "Mario Rossi 333 1234567"):
        assert segreto not in html
    d = _dati(html)
    C = decodifica_contributi(d)
    chiave = orbassano.segreto()
    assert id_pubblico(chiave, "c-3") not in C["id"] and "c-3" not in C["id"]
    mostrato = C["g"][C["id"].index(id_pubblico(chiave, "c-4"))]
    vero = gpd.GeoSeries([Point(7.5300, 45.0110)], crs=4326).to_crs(3035).iloc[0]
    spostato = gpd.GeoSeries([Point(*mostrato)], crs=4326).to_crs(3035).iloc[0]
    assert vero.distance(spostato) >= 100
    assert orbassano.confine().geometry.iloc[0].contains(Point(*mostrato))
    # the same shown place on a second export
    b = comune_con_dati / "altra.html"
    assert cli("mostra", "Orbassano", "-o", b).exit_code == 0
    d2 = _dati(b.read_text(encoding="utf-8"))
    C2 = decodifica_contributi(d2)
    assert C2["g"][C2["id"].index(id_pubblico(chiave, "c-4"))] == mostrato
    # the same exhibition rebuilt keeps its id: feedback left in the browser is not stranded
    assert d2["mostra_id"] == d["mostra_id"]
    assert cli("mostra", "Orbassano", "-o", comune_con_dati / "altra2.html", "--titolo", "Un'altra").exit_code == 0
    assert _dati((comune_con_dati / "altra2.html").read_text(encoding="utf-8"))["mostra_id"] != d["mostra_id"]
    r = cli("verifica-privacy", a, "--comune", "Orbassano")
    assert r.exit_code == 0 and "nessun dato riservato" in r.output


def test_verifica_privacy_trova_un_file_che_perde(cli, comune_con_dati):
    f = comune_con_dati / "fatto-a-mano.html"
    f.write_text("<html><body><p>Giovanna Bianchi</p><p>[7.53,45.011]</p></body></html>", encoding="utf-8")
    r = cli("verifica-privacy", f, "--comune", "Orbassano")
    assert r.exit_code == 1
    assert "contiene 2 dati riservati" in r.output and "Giovanna Bianchi" in r.output


def test_mostra_web_non_raccoglie_e_mostra_il_contatto(cli, comune_con_dati, area, pagina_offline):
    (area.cartella / "progetto.toml").write_text(
        '[progetto]\nnome = "Progetto Prova"\ncontatto = "mappe@comune.example, tel. 011 000000"\n', encoding="utf-8")
    uscita = comune_con_dati / "web.html"
    r = cli("mostra", "Orbassano", "--web", "-o", uscita)
    assert r.exit_code == 0 and "PIN" not in r.output
    p = pagina_offline
    _apri(p, uscita)
    assert p.locator(".mappe-reazione").count() == 0 and p.locator(".mappe-aggiungi").count() == 0
    assert p.locator(".mappe-personale").count() == 0
    assert "mappe@comune.example" in p.locator(".mappe-contatto").inner_text()
    assert "Progetto Prova" in p.locator(".mappe-crediti").inner_text()


@pytest.mark.parametrize("chiosco", [False, True], ids=["normale", "chiosco"])
def test_accessibilita_axe(cli, comune_con_dati, pagina_offline, chiosco):
    from axe_playwright_python.sync_playwright import Axe

    uscita = _mostra(cli, comune_con_dati, *(["--chiosco"] if chiosco else []))
    p = pagina_offline
    _apri(p, uscita)
    p.locator("#mappe-elenco .mappe-commenta summary").first.click()
    risultato = Axe().run(p)
    gravi = [v for v in risultato.response["violations"] if v["impact"] in ("serious", "critical")]
    assert gravi == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in gravi]


def test_promuovere_una_segnalazione_approvata(cli, orbassano, tmp_path):
    import json as _json

    f = tmp_path / "r.geojson"
    f.write_text(_json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": [
        {"type": "Feature", "properties": {"id": "s-1", "su": "", "comune": "orbassano", "reazione": "manca_un_luogo",
                                           "commento": "Una panchina all'ombra", "data": "2026-11-26"},
         "geometry": {"type": "Point", "coordinates": [7.5378, 45.0087]}}]}), encoding="utf-8")
    assert cli("riscontri", "importa", f, "--comune", "Orbassano").exit_code == 0
    r = cli("riscontri", "promuovi", "Orbassano", "s-1")
    assert r.exit_code == 1 and "non è approvato" in r.output
    cli("riscontri", "modera", "Orbassano", "--approva", "s-1")
    r = cli("riscontri", "promuovi", "Orbassano", "s-1", "--nome", "Panchina del viale", "--categoria", "parco")
    assert r.exit_code == 0, r.output
    luogo = orbassano.leggi("luoghi").set_index("nome").loc["Panchina del viale"]
    assert luogo["categoria"] == "parco" and luogo.geometry.x == 7.5378
    assert orbassano.leggi("riscontri").set_index("id").loc["s-1", "su"] == luogo["id"]
    assert cli("riscontri", "promuovi", "Orbassano", "s-1").exit_code == 1  # now it is a link, not a suggestion
