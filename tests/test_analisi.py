"""Reading the territory: distances in metres, rates per 1,000, small counts, difference in differences."""

import re

import geopandas as gpd
import pandas as pd
import pytest
from conftest import scrivi_csv
from pyproj import Geod
from shapely.geometry import Point

from mappe.analisi import confronta, nascondi_piccoli, rete, riepilogo, scoperti
from mappe.errori import MappeError
from mappe.importa import importa_file
from mappe.pubblico import id_pubblico

GEOD = Geod(ellps="WGS84")
A = (7.5378, 45.0087)  # in Orbassano


def _a_metri(punto, metri, azimut=90):
    lon, lat, _ = GEOD.fwd(punto[0], punto[1], azimut, metri)
    return lon, lat


def _tabella(righe):
    return gpd.GeoDataFrame(pd.DataFrame([r[:5] for r in righe], columns=["id", "tipo", "tema", "risponde_a", "testo"]),
                            geometry=[Point(r[5]) if r[5] else None for r in righe], crs="EPSG:4326")


def test_due_punti_a_700_m_collegati_a_800_non_a_500():
    b = _a_metri(A, 700)
    c = _tabella([["n", "bisogno", "lavoro", None, "x", A], ["r", "risorsa", "lavoro", None, "y", b]])
    assert GEOD.inv(*A, *b)[2] == pytest.approx(700)
    r800 = rete(c, 800)
    assert len(r800.suggerite) == 1 and r800.suggerite[0][:2] == (1, 0)
    assert r800.suggerite[0][2] == pytest.approx(700, abs=3)  # metres in UTM, not degrees
    assert r800.scoperti == []
    r500 = rete(c, 500)
    assert r500.suggerite == [] and r500.scoperti == [0]


def test_tema_diverso_non_risponde_e_la_risposta_dichiarata_si():
    vicino = _a_metri(A, 100)
    lontano = _a_metri(A, 5000)
    c = _tabella([["n", "bisogno", "lavoro", None, "x", A],
                  ["r1", "risorsa", "abitare", None, "vicina ma di altro tema", vicino],
                  ["r2", "proposta", "socialita", "n", "lontana ma dichiarata", lontano]])
    r = rete(c, 800)
    assert r.suggerite == [] and r.esplicite == [(2, 0)] and r.scoperti == []


def test_scoperti_con_la_risorsa_piu_vicina(orbassano, tmp_path, cli):
    b = _a_metri(A, 1200)
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "lon", "lat"],
        ["n1", "bisogno", "lavoro", "Manca lavoro", "x", A[0], A[1]],
        ["r1", "risorsa", "lavoro", "La bottega", "y", f"{b[0]:.6f}", f"{b[1]:.6f}"],
    ])
    assert importa_file(orbassano, f).importati == 2
    tab = scoperti(orbassano, 800)
    chiave = orbassano.segreto()  # a list for partners: public ids
    assert list(tab["id"]) == [id_pubblico(chiave, "n1")] and tab.iloc[0]["risorsa_piu_vicina"] == id_pubblico(chiave, "r1")
    assert tab.iloc[0]["distanza_m"] == pytest.approx(1200, abs=5)
    assert scoperti(orbassano, 1500).empty
    r = cli("scoperti", "Orbassano")
    assert r.exit_code == 0 and "1 bisogno senza risposta entro 800 m" in r.output and "«La bottega», a 120" in r.output
    r = cli("scoperti", "Orbassano", "-o", tmp_path / "s.csv")
    assert id_pubblico(chiave, "n1") in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    assert "1 bisogno senza risposta entro 800 m, scritto in" in r.output  # singular, all of it
    r = cli("scoperti", "Orbassano", "--distanza", "1500", "-o", tmp_path / "s0.csv")
    assert "0 bisogni senza risposta entro 1500 m, scritti in" in r.output


@pytest.fixture
def con_fasi(orbassano, tmp_path):
    scrivi_csv(tmp_path / "i.csv", [["id", "data", "fase", "partecipanti", "fasce_eta"],
                                    ["FG-1", "01/03/2026", "baseline", "10", "adulti|anziani"],
                                    ["FG-2", "01/10/2026", "verifica", "14", "giovani"]])
    importa_file(orbassano, tmp_path / "i.csv", "incontri")
    righe = [["tipo", "tema", "testo", "incontro", "visibilita"]]
    righe += [["bisogno", "lavoro", f"b{k}", "FG-1", "pubblico"] for k in range(4)]
    righe += [["risorsa", "socialita", f"r{k}", "FG-1", "pubblico"] for k in range(2)]
    righe += [["bisogno", "lavoro", f"v{k}", "FG-2", "pubblico"] for k in range(7)]
    righe += [["bisogno", "lavoro", "riservato", "FG-2", "riservato"]]
    importa_file(orbassano, scrivi_csv(tmp_path / "c.csv", righe))
    return orbassano


def test_riepilogo_per_fase_e_per_mille(con_fasi):
    r = riepilogo([con_fasi]).set_index("fase")
    pop = con_fasi.popolazione()["totale"].sum()
    assert r.loc["baseline", "popolazione"] == pop
    assert r.loc["baseline", "contributi"] == 6 and r.loc["verifica", "contributi"] == 7  # reserved not counted
    assert r.loc["baseline", "contributi_per_mille"] == round(6 * 1000 / pop, 2)
    assert r.loc["baseline", "partecipanti"] == 10 and r.loc["baseline", "incontri_con_anziani"] == 1
    assert r.loc["baseline", "tipo_risorsa"] == 2 and r.loc["verifica", "tema_lavoro"] == 7
    assert r.loc["verifica", "quota_bisogni_scoperti"] == 1.0  # no positions: nothing nearby


def test_conteggi_piccoli_nascosti(con_fasi):
    pub = nascondi_piccoli(riepilogo([con_fasi])).set_index("fase")
    assert pub.loc["baseline", "tipo_risorsa"] == "<3"
    # 6 contributions minus 4 needs would give the 2 resources back: the 4 is hidden too
    assert pub.loc["baseline", "contributi"] == 6 and pub.loc["baseline", "tipo_bisogno"] == "n.d."
    assert pub.loc["baseline", "tema_abitare"] == 0  # 0 is shown as 0
    assert pub.loc["totale", "contributi"] == 13 and pub.loc["verifica", "tipo_bisogno"] == 7


def test_riepilogo_e_confronto_da_riga_di_comando(cli, con_fasi, tmp_path):
    r = cli("riepilogo", "--formato", "md", "-o", tmp_path / "r" / "riepilogo.md")
    assert r.exit_code == 0, r.output
    testo = (tmp_path / "r" / "riepilogo.md").read_text(encoding="utf-8")
    assert "| Orbassano | Baseline |" in testo and "<3" in testo and "Contributi ogni 1.000 ab." in testo
    assert (tmp_path / "r" / "riepilogo-temi.png").stat().st_size > 1000
    r = cli("riepilogo", "--formato", "xlsx", "-o", tmp_path / "r.xlsx")
    assert r.exit_code == 0 and (tmp_path / "r.xlsx").exists()
    r = cli("confronta", "--intervento", "Orbassano", "--controllo", "Orbassano")
    assert r.exit_code == 1 and "sia di intervento sia di controllo" in r.output


def test_differenza_nelle_differenze_su_una_tabella_fatta_a_mano():
    riep = pd.DataFrame([
        {"comune": "A", "fase": "baseline", "x": 10.0}, {"comune": "A", "fase": "verifica", "x": 16.0},
        {"comune": "B", "fase": "baseline", "x": 20.0}, {"comune": "B", "fase": "verifica", "x": 24.0},
        {"comune": "C", "fase": "baseline", "x": 5.0}, {"comune": "C", "fase": "verifica", "x": 7.0},
        {"comune": "D", "fase": "baseline", "x": 8.0}, {"comune": "D", "fase": "verifica", "x": 8.0},
    ])
    c = confronta(riep, ["A", "B"], ["C", "D"], "x")
    # intervention: (6 + 4) / 2 = 5; control: (2 + 0) / 2 = 1; difference in differences: 4
    assert (c.variazione_intervento, c.variazione_controllo, c.differenza) == (5.0, 1.0, 4.0)
    assert "differenza nelle differenze" in c.spiegazione() and "non dimostra" in c.spiegazione()
    with pytest.raises(MappeError, match="indicatore 'y' non esiste"):
        confronta(riep, ["A"], ["C"], "y")


def test_vista_rete_nel_browser(cli, orbassano, tmp_path, pagina_offline):
    b = _a_metri(A, 300)
    lontano = _a_metri(A, 200, azimut=180)  # near, but nothing answers its theme
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "risponde_a", "lon", "lat"],
        ["n1", "bisogno", "lavoro", "Manca lavoro", "x", "", A[0], A[1]],
        ["r1", "risorsa", "lavoro", "La bottega", "y", "", f"{b[0]:.6f}", f"{b[1]:.6f}"],
        ["n2", "bisogno", "abitare", "Case care", "z", "", f"{lontano[0]:.6f}", f"{lontano[1]:.6f}"],
        ["p1", "proposta", "lavoro", "Bacheca", "w", "n1", f"{b[0]:.6f}", f"{b[1] - 0.002:.6f}"],
    ])
    assert importa_file(orbassano, f).importati == 4
    uscita = tmp_path / "rete.html"
    assert cli("mappa", "Orbassano", "--vista", "rete", "-o", uscita).exit_code == 0
    p = pagina_offline
    p.goto(uscita.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    assert p.locator("h1").inner_text() == "Mappa della rete"
    assert p.locator(".mappe-collegamento-dichiarato").count() == 1
    assert p.locator(".mappe-collegamento-vicino").count() == 1  # the nearest of r1 and p1 (same theme as n1)
    assert p.locator(".mappe-scoperto").count() == 1  # n2
    assert p.errori == [] and p.richieste_rifiutate == []


def test_riepilogo_rifiuta_un_file_di_cui_non_sa_il_formato(cli, con_fasi, tmp_path):
    """Markdown in a file named .pdf would open as a broken PDF: the command refuses, and says the formats."""
    for nome in ("riepilogo.pdf", "riepilogo"):
        r = cli("riepilogo", "-o", tmp_path / nome)
        assert r.exit_code == 2, r.output
        assert ".md" in r.output and ".csv" in r.output and ".xlsx" in r.output and "--formato" in r.output
        assert not (tmp_path / nome).exists() and list(tmp_path.glob("riepilogo*.png")) == []
    # a format that the name contradicts: refused too
    r = cli("riepilogo", "--formato", "csv", "-o", tmp_path / "r.xlsx")
    assert r.exit_code == 2 and "--formato" in r.output and not (tmp_path / "r.xlsx").exists()
    # asked for explicitly, any name will do; a known extension decides by itself
    assert cli("riepilogo", "--formato", "csv", "-o", tmp_path / "r.txt").exit_code == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8-sig").startswith("comune;fase;")
    r = cli("riepilogo", "-o", tmp_path / "r.XLSX")
    assert r.exit_code == 0 and (tmp_path / "r.XLSX").read_bytes()[:2] == b"PK"
    assert "Riepilogo di 1 comune scritto in" in r.output  # singular


def test_il_confronto_scrive_i_numeri_all_italiana(tmp_path):
    from mappe.rapporti import scrivi_confronto

    riep = pd.DataFrame([
        {"comune": "A", "fase": "baseline", "x": 1.0}, {"comune": "A", "fase": "verifica", "x": 2.5},
        {"comune": "B", "fase": "baseline", "x": 1.0}, {"comune": "B", "fase": "verifica", "x": 2.0},
        {"comune": "C", "fase": "baseline", "x": 1000.0}, {"comune": "C", "fase": "verifica", "x": 1000.25},
    ])
    c = confronta(riep, ["A", "B"], ["C"], "x")
    assert (c.variazione_intervento, c.variazione_controllo, c.differenza) == (1.25, 0.25, 1.0)
    testo = c.spiegazione()
    assert ("è cambiato in media di +1,25 nei comuni dove il progetto è intervenuto e di +0,25 nei comuni di "
            "controllo") in testo
    assert "è +1,00: nei comuni dell'intervento l'indicatore è arrivato 1,00 più in alto" in testo
    scrivi_confronto(c, tmp_path / "c.md")
    rapporto = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "intervento: +1,25; controllo: +0,25; differenza nelle differenze: +1,00." in rapporto
    assert "| C | controllo | 1.000 | 1.000,25 | +0,25 |" in rapporto
    for t in (testo, rapporto):
        assert re.search(r"\d\.\d(?!\d\d)", t) is None, t  # no decimal point (1.000 is a thousand)


def test_una_differenza_nulla_si_dice_in_parole():
    riep = pd.DataFrame([
        {"comune": "A", "fase": "baseline", "x": 4.0}, {"comune": "A", "fase": "verifica", "x": 6.0},
        {"comune": "C", "fase": "baseline", "x": 3.0}, {"comune": "C", "fase": "verifica", "x": 5.0},
        {"comune": "D", "fase": "baseline", "x": 7.0}, {"comune": "D", "fase": "verifica", "x": 7.0},
    ])
    testo = confronta(riep, ["A"], ["C"], "x").spiegazione()
    assert "è zero" in testo and "quanto nei comuni di controllo" in testo
    assert "0,00" not in testo and "0.00" not in testo and "più in basso" not in testo and "più in alto" not in testo
    testo = confronta(riep, ["D"], ["A"], "x").spiegazione()  # no change where the project acted
    assert ("è rimasto in media uguale nei comuni dove il progetto è intervenuto ed è cambiato di +2,00 nei comuni "
            "di controllo") in testo and "2,00 più in basso" in testo
    testo = confronta(riep, ["A"], ["D"], "x").spiegazione()
    assert "di +2,00 nei comuni dove il progetto è intervenuto ed è rimasto uguale nei comuni di controllo" in testo
    testo = confronta(riep.assign(x=1.0), ["A"], ["D"], "x").spiegazione()
    assert "è rimasto in media uguale sia nei comuni dove il progetto è intervenuto sia in quelli di controllo" in testo
    assert "è zero" in testo


def test_quanto_il_caso_test_esatto_di_permutazione():
    """3 + 3 comuni: 20 ways of dividing them. The largest possible difference comes out in 2 of them
    (the observed split and its mirror): 10%; a middling one, more often."""
    righe = []
    for nome, variazione in zip("ABCDEF", (5.0, 4.0, 3.0, 2.0, 1.0, 0.0)):
        righe += [{"comune": nome, "fase": "baseline", "x": 10.0}, {"comune": nome, "fase": "verifica",
                                                                     "x": 10.0 + variazione}]
    riep = pd.DataFrame(righe)
    c = confronta(riep, ["A", "B", "C"], ["D", "E", "F"], "x")
    assert c.caso() == (2, 20)
    testo = c.spiegazione()
    assert "ci sono 20 modi di farlo, e in 2 la differenza viene grande almeno così" in testo and "10%" in testo
    # by hand: |mean(3 of them) - mean(the other 3)| >= |mean(A,C,E) - mean(B,D,F)| = 1
    from itertools import combinations

    valori = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    attese = sum(1 for s in combinations(range(6), 3)
                 if abs(sum(valori[j] for j in s) / 3 - (15 - sum(valori[j] for j in s)) / 3) >= 1 - 1e-9)
    assert confronta(riep, ["A", "C", "E"], ["B", "D", "F"], "x").caso() == (attese, 20)
