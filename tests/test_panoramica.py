"""The overview of a territory: every comune drawn, figures per 1,000 inhabitants, small counts hidden."""

import pytest
from conftest import scrivi_csv

from mappe.rendi.territorio import classi, conteggi


@pytest.fixture
def territorio_tre(cli, area, tmp_path):
    assert cli("comuni", "aggiungi", "Beinasco", "Bruino").exit_code == 0
    righe = [["tipo", "tema", "testo", "visibilita"]] + \
        [["bisogno", "lavoro", f"Bisogno {k}", "pubblico"] for k in range(11)] + \
        [["risorsa", "socialita", f"Risorsa {k}", "pubblico"] for k in range(2)] + \
        [["bisogno", "abitare", "Riservato", "riservato"]]  # not counted: it is not public
    f = scrivi_csv(tmp_path / "o.csv", righe)
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    g = scrivi_csv(tmp_path / "b.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Uno"], ["bisogno", "lavoro", "Due"]])
    assert cli("importa", g, "--comune", "Beinasco").exit_code == 0
    return area


def test_conteggi_per_mille_e_soglia(territorio_tre):
    o = conteggi(territorio_tre.archivio("Orbassano"))
    assert o["tutti"] == 13 and o["tipo"] == {"bisogno": 11, "risorsa": 2}
    assert o["popolazione"] == territorio_tre.archivio("Orbassano").popolazione()["totale"].sum()


def test_classi_leggibili():
    c = classi([0.12, 0.5, 0.9, 1.7, 2.2, 0.3, 0.8])
    assert len(c) == 5 and c == sorted(set(c)) and c[-1] == 2.2  # quantiles, two significant digits
    assert classi([5.51, 5.58]) == [5.6]
    assert classi([]) == []


def test_panoramica_nel_browser(cli, territorio_tre, tmp_path, pagina_offline):
    uscita = tmp_path / "territorio.html"
    r = cli("mappa", "Orbassano", "-o", tmp_path / "orbassano.html")
    assert r.exit_code == 0, r.output
    r = cli("territorio", "-o", uscita)
    assert r.exit_code == 0 and "3 comuni" in r.output
    p = pagina_offline
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    assert p.richieste_rifiutate == [] and p.errori == []
    nomi = sorted(p.locator("path.mappe-comune").evaluate_all("els => els.map(e => e.getAttribute('data-comune'))"))
    assert nomi == ["Beinasco", "Bruino", "Orbassano"]
    assert p.locator(".leaflet-overlay-pane path").count() > 3  # the neighbours, in grey
    tabella = {r.locator("th").inner_text(): r.locator("td").all_inner_texts()
               for r in p.locator(".mappe-tabella tbody tr").all()}
    pop = territorio_tre.archivio("Orbassano").info["popolazione"]
    assert tabella["Orbassano"][1] == "13"
    assert tabella["Orbassano"][2] == f"{13 * 1000 / pop:.2f}".replace(".", ",").rstrip("0").rstrip(",")
    assert tabella["Beinasco"][1] == "meno di 3" and tabella["Bruino"][1] == "0"  # 0 is shown as 0
    # by kind: Orbassano's 2 resources are fewer than 3 too
    p.select_option("select[data-filtro=indicatore]", label="Risorsa")
    assert p.locator(".mappe-tabella tbody tr", has_text="Orbassano").locator("td").nth(1).inner_text() == "meno di 3"
    # a click on a comune shows its figures and opens its map rendered next to it
    p.select_option("select[data-filtro=indicatore]", label="Tutti i contributi")
    p.locator(".mappe-tabella button", has_text="Orbassano").click()
    popup = p.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Orbassano (TO)" in popup.inner_text() and "13" in popup.inner_text()
    assert popup.locator("a.mappe-apri").get_attribute("href") == "orbassano.html"
    p.locator(".mappe-tabella button", has_text="Bruino").click()
    bruino = p.locator(".leaflet-popup-content", has_text="Bruino (TO)")
    bruino.wait_for()
    assert bruino.locator("a.mappe-apri").count() == 0  # no map of Bruino next to the overview


def test_i_confini_semplificati_restano_combacianti():
    import shapely

    from mappe import territorio
    from mappe.rendi.territorio import semplifica_confini

    codici = [territorio.cerca_comune(n).codice for n in ("Orbassano", "Rivalta di Torino", "Beinasco", "Bruino")]
    originali = territorio.confine(codici).geometry.values
    semplici = semplifica_confini(originali)
    assert sum(len(shapely.get_coordinates(g)) for g in semplici) < sum(len(shapely.get_coordinates(g)) for g in originali)
    # neighbours still share their border: no gap, no overlap between them
    unione = shapely.union_all(semplici)
    assert abs(unione.area - sum(g.area for g in semplici)) < 1e-9  # no overlaps
    def buchi(g):
        parti = getattr(g, "geoms", [g])
        return sum(len(p.interiors) for p in parti), len(parti)

    assert buchi(unione) == buchi(shapely.union_all(originali))  # no slivers opened between comuni
    assert semplici[0].intersection(semplici[1]).length > 0.5 * originali[0].intersection(originali[1]).length


def test_un_comune_solo_al_singolare(cli, area, tmp_path):
    from test_attacchi_conteggi import dati_pagina

    r = cli("territorio", "-o", tmp_path / "t.html")
    assert r.exit_code == 0 and "Mappa del territorio (1 comune) scritta in" in r.output
    assert dati_pagina(tmp_path / "t.html")["sottotitolo"] == "1 comune nel progetto"
    r = cli("territorio", "--lingua", "en", "-o", tmp_path / "en.html")
    assert dati_pagina(tmp_path / "en.html")["sottotitolo"] == "1 municipality in the project"
