"""What became of the proposals, counted in the monitoring (issue 19, point 4).

A small workspace made as a facilitator makes it (``mappe init``, ``mappe comuni aggiungi``,
``mappe importa`` of CSV files, ``mappe stato --data``), whose figures are worked out by hand below,
then read as anyone reads the published summary: counts by status, the share realised, the median
days from said to realised, initiatives and funds; nothing reserved counted, no private amount
summed, no small count shown or worked out; and the comparison on the share realised.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import scrivi_csv
from test_attacchi_conteggi import NASCOSTO, PICCOLO, leggi_csv, lettore_di

from mappe.cli import main

STATI = ("detta", "in_valutazione", "sostenuta", "in_corso", "realizzata", "non_realizzabile")

# ---------------------------------------------------------------------------------------------
# The fixture, and its figures by hand
# ---------------------------------------------------------------------------------------------
#
# Orbassano (intervention). Sessions: FG-O1 baseline 01/03/2025, FG-O2 verifica 01/10/2025.
#   Baseline: proposals P1-P6, needs B1-B4, resources R1-R3, and PR, a reserved proposal.
#     P1 in_valutazione 10/03/2025, then realizzata 10/04/2025 -> 31 + 9 = 40 days after 01/03
#     P2 realizzata 31/05/2025 -> 31 (March) + 30 (April) + 30 = 91 days
#     P3 sostenuta 01/06/2025, then realizzata 28/09/2025 -> 184 (to 01/09) + 27 = 211 days
#     B1 realizzata 31/03/2025 -> 30 days
#     P4, P5, P6 in_corso 01/07/2025; B2, B3, B4 never changed (detta)
#     PR (reserved) realizzata 02/03/2025 -> 1 day: never counted in public
#   => detta 3, in_valutazione 0, sostenuta 0, in_corso 3, realizzata 4, non_realizzabile 0
#      (10 = 6 proposals + 4 needs); share realised 4/10 = 0.4;
#      median of 30, 40, 91, 211 = (40 + 91) / 2 = 65.5 (with PR it would be 40: 1, 30, 40, 91, 211)
#   Verifica: proposals V1-V7, needs W1-W3.
#     V1 realizzata 21/10/2025 -> 20 days after 01/10; V2 realizzata 30/11/2025 -> 31 + 29 = 60;
#     V3 realizzata 09/01/2026 -> 31 + 30 + 31 + 8 = 100
#     V4 non_realizzabile 15/12/2025 (with its reason); V5, V6 sostenuta 01/12/2025;
#     V7 in_valutazione 01/11/2025; W1-W3 detta
#   => detta 3, in_valutazione 1, sostenuta 2, in_corso 0, realizzata 3, non_realizzabile 1 (10);
#      share 3/10 = 0.3; median of 20, 60, 100 = 60
#   All phases: detta 6, in_valutazione 1, sostenuta 2, in_corso 3, realizzata 7, non_realizzabile 1
#      (20); share 7/20 = 0.35; median of 20, 30, 40, 60, 91, 100, 211 = 60
#   Initiatives (counted in the earliest phase of the public proposals and needs they answer):
#     I1 -> P1, 5000 euro; I2 -> P2|V1, 3000 (baseline, the earlier); I3 -> P3, 2000: baseline 3, 10000
#     I4 -> V2, 1500: verifica 1 (a small count: «<3», its funds not written)
#     I5 answers nothing, 1000; I7 answers only PR (reserved), 500: in all phases only
#     I6 reserved (-> P1, 9999): never counted
#   => iniziative: baseline 3, verifica 1, all phases 3 + 1 + 2 = 6;
#      fondi: baseline 10000; verifica and all phases not written (one phase has fewer than 3)
#
# Volvera (control). Sessions: FG-V1 baseline 05/03/2025, FG-V2 verifica 05/10/2025.
#   Baseline: proposals Q1-Q5, needs N1-N3, all detta => detta 8, share 0/8 = 0, no median
#   Verifica: proposals Q6-Q11. Q6 realizzata 15/10/2025 -> 10 days; Q7 25/10/2025 -> 20;
#     Q8 04/11/2025 -> 26 + 4 = 30; Q9-Q11 in_corso 01/11/2025
#   => in_corso 3, realizzata 3 (6); share 3/6 = 0.5; median of 10, 20, 30 = 20
#   All phases: detta 8, in_corso 3, realizzata 3 (14); share 3/14 = 0.214; median 20
#   No initiatives: 0, and 0 euro.
#
# Comparison on the share realised (difference in differences):
#   Orbassano 0.4 -> 0.3 = -0.1; Volvera 0 -> 0.5 = +0.5; difference -0.1 - 0.5 = -0.6

INCONTRI = {
    "Orbassano": [("FG-O1", "01/03/2025", "baseline", 20), ("FG-O2", "01/10/2025", "verifica", 15)],
    "Volvera": [("FG-V1", "05/03/2025", "baseline", 12), ("FG-V2", "05/10/2025", "verifica", 14)],
}
# id, session, kind, visibility
CONTRIBUTI = {
    "Orbassano": [(f"P{k}", "FG-O1", "proposta", "pubblico") for k in range(1, 7)]
    + [(f"B{k}", "FG-O1", "bisogno", "pubblico") for k in range(1, 5)]
    + [(f"R{k}", "FG-O1", "risorsa", "pubblico") for k in range(1, 4)]
    + [("PR", "FG-O1", "proposta", "riservato")]
    + [(f"V{k}", "FG-O2", "proposta", "pubblico") for k in range(1, 8)]
    + [(f"W{k}", "FG-O2", "bisogno", "pubblico") for k in range(1, 4)],
    "Volvera": [(f"Q{k}", "FG-V1", "proposta", "pubblico") for k in range(1, 6)]
    + [(f"N{k}", "FG-V1", "bisogno", "pubblico") for k in range(1, 4)]
    + [(f"Q{k}", "FG-V2", "proposta", "pubblico") for k in range(6, 12)],
}
# comune, id, status, day (and the reason, for non_realizzabile), in this order
STATI_DATI = [
    ("Orbassano", "P1", "in_valutazione", "10/03/2025"), ("Orbassano", "P1", "realizzata", "10/04/2025"),
    ("Orbassano", "P2", "realizzata", "31/05/2025"),
    ("Orbassano", "P3", "sostenuta", "01/06/2025"), ("Orbassano", "P3", "realizzata", "28/09/2025"),
    ("Orbassano", "B1", "realizzata", "31/03/2025"),
    *[("Orbassano", p, "in_corso", "01/07/2025") for p in ("P4", "P5", "P6")],
    ("Orbassano", "PR", "realizzata", "02/03/2025"),
    ("Orbassano", "V1", "realizzata", "21/10/2025"), ("Orbassano", "V2", "realizzata", "30/11/2025"),
    ("Orbassano", "V3", "realizzata", "09/01/2026"),
    ("Orbassano", "V4", "non_realizzabile", "15/12/2025", "Manca uno spazio adatto"),
    ("Orbassano", "V5", "sostenuta", "01/12/2025"), ("Orbassano", "V6", "sostenuta", "01/12/2025"),
    ("Orbassano", "V7", "in_valutazione", "01/11/2025"),
    ("Volvera", "Q6", "realizzata", "15/10/2025"), ("Volvera", "Q7", "realizzata", "25/10/2025"),
    ("Volvera", "Q8", "realizzata", "04/11/2025"),
    *[("Volvera", q, "in_corso", "01/11/2025") for q in ("Q9", "Q10", "Q11")],
]
# id, answers, amount, visibility
INIZIATIVE = [
    ("I1", "P1", 5000, "pubblico"), ("I2", "P2|V1", 3000, "pubblico"), ("I3", "P3", 2000, "pubblico"),
    ("I4", "V2", 1500, "pubblico"), ("I5", "", 1000, "pubblico"), ("I6", "P1", 9999, "riservato"),
    ("I7", "PR", 500, "pubblico"),
]

# The published figures, by hand (above): (comune, phase, column) -> figure
ATTESI = {
    ("Orbassano", "baseline"): {"stato_detta": 3, "stato_in_valutazione": 0, "stato_sostenuta": 0,
                                "stato_in_corso": 3, "stato_realizzata": 4, "stato_non_realizzabile": 0,
                                "quota_realizzate": Fraction("0.4"), "giorni_mediani_realizzazione": Fraction("65.5"),
                                "iniziative": 3, "fondi": 10000},
    ("Orbassano", "verifica"): {"stato_detta": 3, "stato_in_valutazione": PICCOLO, "stato_sostenuta": PICCOLO,
                                "stato_in_corso": 0, "stato_realizzata": 3, "stato_non_realizzabile": PICCOLO,
                                "quota_realizzate": Fraction("0.3"), "giorni_mediani_realizzazione": 60,
                                "iniziative": PICCOLO, "fondi": NASCOSTO},
    ("Orbassano", "totale"): {"stato_detta": 6, "stato_in_valutazione": PICCOLO, "stato_sostenuta": PICCOLO,
                              "stato_in_corso": 3, "stato_realizzata": 7, "stato_non_realizzabile": PICCOLO,
                              "quota_realizzate": Fraction("0.35"), "giorni_mediani_realizzazione": 60,
                              "iniziative": 6, "fondi": NASCOSTO},
    ("Volvera", "baseline"): {"stato_detta": 8, "stato_in_valutazione": 0, "stato_sostenuta": 0, "stato_in_corso": 0,
                              "stato_realizzata": 0, "stato_non_realizzabile": 0, "quota_realizzate": 0,
                              "giorni_mediani_realizzazione": None, "iniziative": 0, "fondi": 0},
    ("Volvera", "verifica"): {"stato_detta": 0, "stato_in_valutazione": 0, "stato_sostenuta": 0, "stato_in_corso": 3,
                              "stato_realizzata": 3, "stato_non_realizzabile": 0, "quota_realizzate": Fraction("0.5"),
                              "giorni_mediani_realizzazione": 20, "iniziative": 0, "fondi": 0},
    ("Volvera", "totale"): {"stato_detta": 8, "stato_in_valutazione": 0, "stato_sostenuta": 0, "stato_in_corso": 3,
                            "stato_realizzata": 3, "stato_non_realizzabile": 0, "quota_realizzate": Fraction("0.214"),
                            "giorni_mediani_realizzazione": 20, "iniziative": 0, "fondi": 0},
}


def _mappe(cartella: Path | None = None):
    """The real CLI, on a workspace (``cartella``) or without one (``mappe init``)."""
    def esegui(*args):
        area = ["--area", str(cartella)] if cartella is not None else []
        r = CliRunner().invoke(main, [*area, *map(str, args)], catch_exceptions=False)
        return r
    return esegui


def _ok(r):
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def _area_seguito(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("seguito")
    cartella = base / "progetto"
    _ok(_mappe()("init", cartella))
    mappe = _mappe(cartella)
    _ok(mappe("comuni", "aggiungi", "Orbassano", "Volvera"))
    for comune, incontri in INCONTRI.items():
        f = scrivi_csv(base / f"incontri-{comune}.csv", [["id", "data", "fase", "partecipanti"]]
                       + [[i, d, fase, str(n)] for i, d, fase, n in incontri])
        _ok(mappe("importa", f, "--comune", comune, "--strato", "incontri"))
        f = scrivi_csv(base / f"contributi-{comune}.csv", [["id", "incontro", "tipo", "tema", "titolo", "testo",
                                                            "visibilita"]]
                       + [[i, inc, tipo, "socialita", f"Titolo {i}", f"Parole dette per {i}", vis]
                          for i, inc, tipo, vis in CONTRIBUTI[comune]])
        _ok(mappe("importa", f, "--comune", comune))
    for comune, id_, stato, giorno, *nota in STATI_DATI:
        _ok(mappe("stato", comune, id_, stato, "--data", giorno, *(["--nota", nota[0]] if nota else [])))
    f = scrivi_csv(base / "iniziative.csv", [["id", "nome", "promotore", "risponde_a", "fondo", "importo", "stato",
                                              "visibilita"]]
                   + [[i, f"Iniziativa {i}", "Associazione Orbassano Insieme", risponde, "Fondo di microcredito",
                       str(euro), "in_corso", vis] for i, risponde, euro, vis in INIZIATIVE])
    _ok(mappe("importa", f, "--comune", "Orbassano", "--strato", "iniziative"))
    return cartella


@pytest.fixture
def area_seguito(_area_seguito, tmp_path) -> Path:
    """A copy of the workspace for one test (some tests change it)."""
    cartella = tmp_path / "progetto"
    shutil.copytree(_area_seguito, cartella)
    return cartella


def _pubblicato(mappe, uscita: Path) -> dict:
    _ok(mappe("riepilogo", "-o", uscita))
    return leggi_csv(uscita)


def _vero_pubblico() -> dict:
    """The true figures of the public rows (for the reader below), from the hand-made table and
    the hidden ones worked out above."""
    vero = {}
    nascoste = {("Orbassano", "verifica"): {"stato_in_valutazione": 1, "stato_sostenuta": 2,
                                            "stato_non_realizzabile": 1, "iniziative": 1},
                ("Orbassano", "totale"): {"stato_in_valutazione": 1, "stato_sostenuta": 2,
                                          "stato_non_realizzabile": 1}}
    for (comune, fase), colonne in ATTESI.items():
        for col, v in colonne.items():
            if col.startswith("stato_") or col == "iniziative":
                vero[(comune, fase, col)] = nascoste.get((comune, fase), {}).get(col, v)
    return vero


def _lettore(pubblicato: dict):
    """What a reader of the summary works out, knowing also that the statuses of a row add up to its
    proposals and needs, that the row of all phases sums the phases (the initiatives at least), and
    that a share times its denominator is its numerator."""
    l = lettore_di(pubblicato)
    comuni = {c for c, _, _ in pubblicato}
    for c in comuni:
        fasi = sorted({f for cc, f, _ in pubblicato if cc == c and f != "totale"})
        for f in fasi + ["totale"]:
            l.relazione({(c, f, f"stato_{s}"): 1 for s in STATI} | {(c, f, "tipo_proposta"): -1,
                                                                    (c, f, "tipo_bisogno"): -1})
        for s in STATI:
            l.relazione({(c, "totale", f"stato_{s}"): 1} | {(c, f, f"stato_{s}"): -1 for f in fasi})
        l.relazione({(c, f, "iniziative"): 1 for f in fasi} | {(c, "totale", "iniziative"): -1}, al_piu=True)

        def quota(l, c=c, fasi=fasi):
            for f in fasi + ["totale"]:
                q = pubblicato.get((c, f, "quota_realizzate"))
                n = [l.valore((c, f, t)) for t in ("tipo_proposta", "tipo_bisogno")]
                if isinstance(q, Fraction) and None not in n:
                    fatte = q * sum(n)
                    l.sa((c, f, "stato_realizzata"), fatte - Fraction(1, 2), fatte + Fraction(1, 2))
        l.regole.append(quota)
    return l


def _scoperte(pubblicato: dict, vero: dict) -> list[str]:
    l = _lettore(pubblicato)
    lim = l.risolvi()
    trovate = [f"{f}: le cifre pubblicate non tornano" for f in sorted(l.contraddizioni, key=str)]
    for chiave, v in vero.items():
        lo, hi = lim.get(chiave, (None, None))
        if pubblicato[chiave] in (PICCOLO, NASCOSTO, None) and 0 < v < 3 and lo == hi:
            trovate.append(f"{chiave} = {lo} (nascosta)")
        if isinstance(pubblicato[chiave], Fraction) and 0 < pubblicato[chiave] < 3:
            trovate.append(f"{chiave} = {pubblicato[chiave]} (mostrata)")
    return trovate


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------

def test_stati_quota_mediana_e_iniziative_come_fatti_a_mano(area_seguito, tmp_path):
    mappe = _mappe(area_seguito)
    pub = _pubblicato(mappe, tmp_path / "r.csv")
    for (comune, fase), attesi in ATTESI.items():
        for col, v in attesi.items():
            assert pub[(comune, fase, col)] == v, (comune, fase, col)
    # the kinds that have a status: the statuses add up to them
    assert pub[("Orbassano", "baseline", "tipo_proposta")] == 6 and pub[("Orbassano", "baseline", "tipo_bisogno")] == 4
    # and nobody can work a hidden one out of the others
    assert _scoperte(pub, _vero_pubblico()) == []


def test_una_proposta_riservata_e_un_iniziativa_riservata_non_si_contano(area_seguito, tmp_path):
    mappe = _mappe(area_seguito)
    pub = _pubblicato(mappe, tmp_path / "r.csv")
    # PR, reserved, realised one day after the session: with it baseline would say 5 realised,
    # 5/11 and a median of 40 days
    assert pub[("Orbassano", "baseline", "stato_realizzata")] == 4
    assert pub[("Orbassano", "baseline", "quota_realizzate")] == Fraction("0.4")
    assert pub[("Orbassano", "baseline", "giorni_mediani_realizzazione")] == Fraction("65.5")
    # I6, reserved, with its 9999 euro: neither counted nor summed (3 initiatives, 10000 euro)
    assert pub[("Orbassano", "baseline", "iniziative")] == 3 and pub[("Orbassano", "baseline", "fondi")] == 10000
    testo = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "9999" not in testo
    # the same in the report for people, with its notes
    _ok(mappe("riepilogo", "-o", tmp_path / "r.md"))
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## Che fine hanno fatto le proposte e i bisogni" in md
    assert "| Orbassano | Baseline | 3 | 0 | 0 | 3 | 4 | 0 | 40% | 65,50 | 3 | 10.000 |" in md
    assert r"| Orbassano | Verifica | 3 | \<3 | \<3 | 0 | 3 | \<3 | 30% | 60 | \<3 | n.d. |" in md
    assert "diviso per tutte le proposte e i bisogni detti in quella fase" in md
    assert "contata solo in «Tutte le fasi»" in md and "almeno 3 realizzati" in md
    assert "9.999" not in md and "Parole dette per PR" not in md


def test_un_importo_privato_non_si_somma_in_pubblico(area_seguito, tmp_path):
    strati = area_seguito / "layers" / "strati.toml"
    testo = strati.read_text(encoding="utf-8")
    assert "[iniziative.campi.importo]\n" in testo
    strati.write_text(testo.replace("[iniziative.campi.importo]\n", "[iniziative.campi.importo]\nprivato = true\n"),
                      encoding="utf-8")
    mappe = _mappe(area_seguito)
    pub = _pubblicato(mappe, tmp_path / "r.csv")
    assert not any(col == "fondi" for _, _, col in pub)
    csv = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "10000" not in csv and "13000" not in csv and "fondi" not in csv
    assert pub[("Orbassano", "baseline", "iniziative")] == 3  # the initiatives are still counted
    _ok(mappe("riepilogo", "-o", tmp_path / "r.md"))
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "Fondi" not in md and "10.000" not in md and "importi delle iniziative sono privati" in md


def test_confronta_sulla_quota_realizzata(area_seguito, tmp_path):
    mappe = _mappe(area_seguito)
    uscita = tmp_path / "confronto.md"
    r = _ok(mappe("confronta", "--intervento", "Orbassano", "--controllo", "Volvera", "--indicatore",
                  "quota_realizzate", "-o", uscita))
    # Orbassano 0.4 -> 0.3 (-0.1), Volvera 0 -> 0.5 (+0.5): -0.6
    assert "differenza nelle differenze) è -0,60" in r.output
    testo = uscita.read_text(encoding="utf-8")
    assert "| Orbassano | intervento | 0,40 | 0,30 | -0,10 |" in testo
    assert "| Volvera | controllo | 0 | 0,50 | +0,50 |" in testo
    assert "USO INTERNO" not in testo
    assert "# Confronto: % proposte e bisogni realizzati" in testo
    r = mappe("confronta", "--intervento", "Orbassano", "--controllo", "Volvera", "--indicatore", "quota_sbagliata")
    assert r.exit_code == 1 and "quota_realizzate" in r.output


def test_i_numeri_piccoli_restano_nascosti_anche_nella_mediana_e_nel_confronto(area_seguito, tmp_path):
    """V3 goes back from realizzata to in_corso: the verifica of Orbassano is left with 2 realised
    (20 and 60 days), 1 in progress.

    By hand: verifica detta 3, in_valutazione 1, sostenuta 2, in_corso 1, realizzata 2,
    non_realizzabile 1; the share 2/10 = 0.2 and the median of two days (40) are not published. All
    phases: realizzata 6, in_corso 4, median of 20, 30, 40, 60, 91, 211 = (40 + 60) / 2 = 50 (six
    measured, but not published while the count of realised beside it is hidden). With the baseline's
    in_corso (3) and the total (4) both shown, the verifica's 1 would come back: one of them must be
    hidden too.
    """
    mappe = _mappe(area_seguito)
    _ok(mappe("stato", "Orbassano", "V3", "in_corso", "--data", "10/01/2026"))
    pub = _pubblicato(mappe, tmp_path / "r.csv")
    for col in ("stato_in_valutazione", "stato_sostenuta", "stato_in_corso", "stato_realizzata",
                "stato_non_realizzabile"):
        assert pub[("Orbassano", "verifica", col)] in (PICCOLO, NASCOSTO), col
    assert pub[("Orbassano", "verifica", "quota_realizzate")] == NASCOSTO
    assert pub[("Orbassano", "verifica", "giorni_mediani_realizzazione")] == NASCOSTO
    # six measured days, but the count of realised of the row is hidden: the median would say "3 or more"
    assert pub[("Orbassano", "totale", "stato_realizzata")] in (PICCOLO, NASCOSTO)
    assert pub[("Orbassano", "totale", "giorni_mediani_realizzazione")] == NASCOSTO
    assert NASCOSTO in (pub[("Orbassano", "baseline", "stato_in_corso")], pub[("Orbassano", "totale", "stato_in_corso")])
    vero = _vero_pubblico()
    vero |= {("Orbassano", "verifica", "stato_in_corso"): 1, ("Orbassano", "verifica", "stato_realizzata"): 2,
             ("Orbassano", "totale", "stato_in_corso"): 4, ("Orbassano", "totale", "stato_realizzata"): 6}
    assert _scoperte(pub, vero) == []
    # the exact figures are those by hand
    from mappe.analisi import riepilogo
    from mappe.archivio import Area

    esatto = riepilogo([Area(area_seguito).archivio("Orbassano")]).set_index("fase")
    assert [int(esatto.loc["verifica", f"stato_{s}"]) for s in STATI] == [3, 1, 2, 1, 2, 1]
    assert esatto.loc["verifica", "quota_realizzate"] == 0.2
    assert esatto.loc["verifica", "giorni_mediani_realizzazione"] == 40
    # the public comparison leaves Orbassano out, and says why; the internal one has the figures
    r = mappe("confronta", "--intervento", "Orbassano", "--controllo", "Volvera", "--indicatore", "quota_realizzate",
              "-o", tmp_path / "c.md")
    assert r.exit_code == 1 and "--interno" in r.output and "Traceback" not in r.output
    r = _ok(mappe("confronta", "--intervento", "Orbassano", "--controllo", "Volvera", "--indicatore",
                  "quota_realizzate", "-o", tmp_path / "c.md", "--interno"))
    # Orbassano 0.4 -> 0.2 (-0.2), Volvera +0.5: -0.7
    assert r.output.startswith("USO INTERNO") and "differenza nelle differenze) è -0,70" in r.output


def test_nessuna_tabella_casuale_rivela_uno_stato_o_un_iniziativa_piccoli(_area_seguito):
    """Many summaries with small statuses and initiatives everywhere (random, always the same): the
    published figures never give a hidden small one back, with everything a reader knows."""
    import random

    import pandas as pd

    from mappe.analisi import conta_contributi, nascondi_piccoli
    from mappe.archivio import Area

    catalogo = Area(_area_seguito).catalogo
    tipi, temi = list(catalogo.voci("tipo")), list(catalogo.voci("tema"))
    caso = random.Random(19)
    righe, vero, senza_fase = [], {}, {}
    for n in range(40):
        comune = f"Comune {n}"
        fasi = ["baseline", "verifica"]
        detti = [(f, caso.choice(tipi), caso.choice(temi), caso.choice([1, 1, 2, 3, 5]))
                 for f in fasi for _ in range(caso.randint(0, 8))]
        conteggi = conta_contributi(catalogo, fasi, detti)
        senza_fase[comune] = {"iniziative": caso.choice([0, 0, 1, 2, 4]), "fondi": 0}
        for f in fasi:
            r = {"comune": comune, "fase": f, "popolazione": 20000, "incontri": 1, "partecipanti": 10}
            r |= conteggi[f]
            r["contributi_per_mille"] = round(r["contributi"] * 1000 / 20000, 2)
            r["bisogni_scoperti"] = 0
            r["quota_bisogni_scoperti"] = 0.0 if r["bisogni"] else None
            r["riscontri"] = 0
            quanti = r["tipo_proposta"] + r["tipo_bisogno"]
            stati = [caso.choice(STATI) for _ in range(quanti)]
            r |= {f"stato_{s}": stati.count(s) for s in STATI}
            r["quota_realizzate"] = round(stati.count("realizzata") / quanti, 3) if quanti else None
            r["giorni_mediani_realizzazione"] = None
            r["iniziative"] = caso.choice([0, 1, 2, 3, 6])
            r["fondi"] = 0
            righe.append(r)
            vero |= {(comune, f, k): v for k, v in r.items() if k.startswith("stato_") or k == "iniziative"}
        for k in [f"stato_{s}" for s in STATI] + ["iniziative"]:
            vero[(comune, "totale", k)] = sum(vero[(comune, f, k)] for f in fasi)
        vero[(comune, "totale", "iniziative")] += senza_fase[comune]["iniziative"]
    riep = pd.DataFrame(righe)
    riep.attrs |= {"iniziative_senza_fase": senza_fase, "stato_realizzato": "realizzata"}
    pubblicato = {}
    for r in nascondi_piccoli(riep).to_dict("records"):
        for k, v in r.items():
            if k not in ("comune", "fase"):
                pubblicato[(r["comune"], r["fase"], k)] = (
                    None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                    v if isinstance(v, str) else Fraction(str(v)))
    assert sum(v == PICCOLO for k, v in pubblicato.items() if k[2].startswith("stato_")) > 100
    # rows of one proposal each in different statuses: left empty, zeros included (else each «<3» is 1)
    vuote = {(c, f) for (c, f, k), v in pubblicato.items() if k.startswith("stato_") and v is None}
    assert vuote and all(pubblicato[(c, f, f"stato_{s}")] is None for c, f in vuote for s in STATI)
    assert _scoperte(pubblicato, vero) == []


def test_la_mediana_e_la_somma_dei_fondi_non_ridanno_una_cifra_nascosta(_area_seguito):
    """A median is written only over 3 days or more: shown next to a hidden count of realised, it
    would say "at least 3" and give back the other hidden statuses. And the row of all phases less
    the phases would give the fund of one or two initiatives that answer no public proposal."""
    import pandas as pd

    from mappe.analisi import conta_contributi, nascondi_piccoli
    from mappe.archivio import Area

    catalogo = Area(_area_seguito).catalogo
    fasi = ["baseline"]
    conteggi = conta_contributi(catalogo, fasi, [("baseline", "proposta", next(iter(catalogo.voci("tema"))), 1)] * 4)
    r = {"comune": "Orbassano", "fase": "baseline", "popolazione": 20000, "incontri": 1, "partecipanti": 10}
    r |= conteggi["baseline"]
    r |= {"contributi_per_mille": 0.2, "bisogni_scoperti": 0, "quota_bisogni_scoperti": None, "riscontri": 0}
    r |= {f"stato_{s}": 0 for s in STATI} | {"stato_in_corso": 1, "stato_realizzata": 3}
    r |= {"quota_realizzate": 0.75, "giorni_mediani_realizzazione": 31.0, "iniziative": 3, "fondi": 6000}
    riep = pd.DataFrame([r])
    riep.attrs |= {"stato_realizzato": "realizzata", "giorni_realizzazione": {("Orbassano", "baseline"): [10, 31, 90]},
                   "iniziative_senza_fase": {"Orbassano": {"iniziative": 1, "fondi": 4321}}}
    pub = {x["fase"]: x for x in nascondi_piccoli(riep).to_dict("records")}
    base, tutte = pub["baseline"], next(v for k, v in pub.items() if k != "baseline")
    assert base["stato_in_corso"] == PICCOLO
    assert isinstance(base["stato_realizzata"], str)  # hidden, so that the 1 cannot be worked out
    assert base["giorni_mediani_realizzazione"] == "n.d."  # ... and the median does not say "3 or more"
    assert base["fondi"] == 6000 and tutte["iniziative"] == 4
    assert tutte["fondi"] == "n.d."  # 4 initiatives, but 10321 - 6000 would be the one without a phase
