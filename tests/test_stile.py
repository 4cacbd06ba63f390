"""The look of a community map, as a person sees it (network refused)."""

from mappe.viste import VISTE


def _apri(p, percorso):
    p.goto(percorso.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)


def test_stile_comunita_senza_sfondo_con_vicini_nomi_e_pittogrammi(cli, tmp_path, luoghi_csv, pagina_offline):
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    uscita = tmp_path / "m.html"
    assert cli("mappa", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    assert p.richieste_rifiutate == []  # no tile request in the default style
    assert "mappe-stile-comunita" in p.evaluate("document.documentElement.className")
    vicini = p.locator(".mappe-vicino span").all_text_contents()
    assert "Beinasco" in vicini and "Rivalta di Torino" in vicini  # neighbours named, for orientation
    bar = p.locator(".mappe-luogo-bar")
    assert bar.locator("svg path").count() == 1  # a pictogram, not a dot
    # its name visible without a click, just right of the badge, in the pane above the symbols
    nome = p.locator(".leaflet-mappe-nomi-pane .mappe-luogo-nome", has_text="Bar della piazza")
    p.wait_for_timeout(1000)  # the map's first zoom animation has ended
    assert nome.is_visible()
    b, n = bar.locator(".mappe-luogo-punto").bounding_box(), nome.bounding_box()
    assert 0 <= n["x"] - (b["x"] + b["width"]) <= 12
    assert abs((n["y"] + n["height"] / 2) - (b["y"] + b["height"] / 2)) <= 6


def test_didascalia_di_ogni_vista_nella_mostra(cli, tmp_path, pagina_offline):
    uscita = tmp_path / "mostra.html"
    assert cli("mostra", "Orbassano", "-o", uscita, "--pin", "48213579").exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    for nome in ("bisogni-risorse", "memoria", "emozioni", "luoghi", "rete", "seguito", "tutto"):
        p.locator(f"button[data-vista={nome}]").click()
        assert p.locator(".mappe-didascalia").inner_text() == VISTE[nome].didascalia
        assert p.locator(f"button[data-vista={nome}]").inner_text() == VISTE[nome].titolo


def test_emozioni_colorate_per_emozione_con_la_legenda_in_parole(cli, tmp_path, pagina_offline):
    from conftest import scrivi_csv

    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "emozione", "lon", "lat"],
                                        ["emozione", "socialita", "La piazza", "amato", "7.5378", "45.0087"],
                                        ["emozione", "mobilita", "Il sottopasso", "paura", "7.5420", "45.0050"]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "e.html"
    assert cli("mappa", "Orbassano", "--vista", "emozioni", "-o", uscita).exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    colori = sorted(p.locator(".mappe-simbolo-emozione path").evaluate_all("els => els.map(e => e.getAttribute('fill'))"))
    assert colori == sorted(["#c0392b", "#1b4f72"])  # loved is warm, fear is cold
    assert "dal caldo" in p.locator(".mappe-legenda-emozioni").inner_text()


def test_stile_classico_accende_la_mappa_di_base(cli, tmp_path, pagina_offline):
    uscita = tmp_path / "c.html"
    assert cli("mappa", "Orbassano", "--stile", "classico", "-o", uscita).exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    p.wait_for_timeout(300)
    assert any("tile.openstreetmap.org" in u for u in p.richieste_rifiutate)
    assert "OpenStreetMap" in p.locator(".mappe-crediti").inner_text()
    assert p.locator("input[data-strato=sfondo]").is_checked()
