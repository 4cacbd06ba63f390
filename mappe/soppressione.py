"""Small counts stay hidden when combined: the suppression of published tables.

A published table (the monitoring summary, the territory page, the public comparison) shows no
count of people or contributions of 1 or 2: it is written «<3» (0 is written 0). That is not
enough: with the totals, the other cells of the same row or column, a share or a rate per 1,000
inhabitants, a reader could work a hidden count out again. So every figure that would give a
hidden one back is hidden too, as «n.d.» (secondary suppression, as official statistics do).

- :class:`Tabella` holds the figures about to be published and the relations between them that a
  reader knows (:class:`Vincolo`: sums of rows and columns, "at most" relations);
- :func:`limiti_lettore` is that reader: exact elimination and integer bounds, what can be
  worked out of the hidden figures from what is shown;
- :func:`proteggi` hides figures until the reader can work out no hidden count below 3;
- :func:`nascondi_piccoli` applies it to the summary of :func:`mappe.analisi.riepilogo`, one
  comune at a time, with a total row per comune (the territory page shows that row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from .pubblico import SOGLIA_AGGREGATI

__all__ = ["NASCOSTO", "PICCOLO", "SPIEGAZIONE_NASCOSTI", "TOTALE", "VUOTO", "Tabella", "Vincolo",
           "limiti_lettore", "nascondi_piccoli", "proteggi", "tabella_contributi"]

TOTALE = "totale"  # the row of a comune that sums its phases
PICCOLO = f"<{SOGLIA_AGGREGATI}"  # a count of 1 or 2 (0 is written 0)
NASCOSTO = "n.d."  # a figure hidden so that a small one cannot be worked out from it
# A figure left empty: any number, 0 included. Only the statuses of a row whose proposals and needs
# are all of different statuses, one each, and known to be no more than that (zeros shown would
# give every «<3» of the row back as 1): there the whole row of statuses is left empty.
VUOTO = "vuoto"

SPIEGAZIONE_NASCOSTI = (
    f"Alcune cifre sono nascoste perché riguardano meno di {SOGLIA_AGGREGATI} persone o contributi: «{PICCOLO}» "
    f"vuol dire 1 o 2 (lo zero è scritto 0). Altre, scritte «{NASCOSTO}», sono nascoste perché con i totali, le altre "
    "cifre della stessa riga o colonna, le percentuali o i contributi ogni 1.000 abitanti permetterebbero di "
    f"ricalcolare una cifra piccola; «{NASCOSTO}» può stare per qualunque numero diverso da zero, anche per una "
    f"cifra piccola quando «{PICCOLO}» la rivelerebbe. Il metodo è quello della statistica ufficiale "
    "(soppressione secondaria): dove una cifra piccola resterebbe l'unica nascosta della sua riga o colonna se ne "
    "nasconde un'altra, la più piccola diversa da zero; poi si controlla, combinando righe, colonne e totali, che "
    "nessuna cifra piccola si possa ricostruire, e si ripete finché è così. Le percentuali e i tassi di una cifra "
    "nascosta sono nascosti anch'essi. Si contano solo i contributi pubblici: non quelli riservati né quelli "
    "detti senza consenso."
)


@dataclass
class Vincolo:
    """A relation between figures that a reader knows or can guess:
    sum(coefficient × figure) equals ``costante`` (is at most ``costante`` with ``al_piu``)."""

    termini: dict
    costante: int = 0
    al_piu: bool = False


@dataclass
class Tabella:
    """Figures about to be published, with the relations between them that a reader knows.

    Figures are keys of ``valori`` (here: (row, column)); ``latenti`` are never published but a
    reader may reason on them (the needs said up to a phase); ``decise`` were already decided by
    an earlier table (figure -> sign, or None when shown): they are not changed here.
    """

    valori: dict
    vincoli: list
    sensibili: set = field(default_factory=set)
    latenti: set = field(default_factory=set)
    decise: dict = field(default_factory=dict)


def _limiti_iniziali(tab: Tabella, nascoste: dict) -> dict:
    lim = {v: (0, None) for v in tab.latenti}
    for v, segno in nascoste.items():
        # «<3» is 1 or 2; «n.d.» any number but 0 (zeros are always shown; a small count may be
        # «n.d.» too, where «<3» would give it away); an empty figure any number at all
        lim[v] = (0, None) if segno == VUOTO else (1, SOGLIA_AGGREGATI - 1 if segno == PICCOLO else None)
    return lim


def _riduci(righe: list) -> list:
    """Gauss-Jordan elimination of equalities ({figure: coefficient}, constant), in whole numbers
    (fraction-free: a row is multiplied, never divided, then brought back by its common divisor)."""
    def combina(t, b, pt, pb, v):
        p, f = pt[v], t[v]
        nuovi = {x: p * t.get(x, 0) - f * pt.get(x, 0) for x in t.keys() | pt.keys()}
        nuovi = {x: a for x, a in nuovi.items() if a}
        b = p * b - f * pb
        g = math.gcd(b, *nuovi.values()) if nuovi else 1
        return ({x: a // g for x, a in nuovi.items()}, b // g) if g > 1 else (nuovi, b)

    ridotte: list = []  # [pivot, terms, constant]
    for t, b in righe:
        for pivot, pt, pb in ridotte:
            if t.get(pivot):
                t, b = combina(t, b, pt, pb, pivot)
        if not t:
            continue
        pivot = min(t)
        for riga in ridotte:
            if riga[1].get(pivot):
                riga[1], riga[2] = combina(riga[1], riga[2], t, b, pivot)
        ridotte.append([pivot, t, b])
    return [(t, b) for _, t, b in ridotte]


def _stringi(termini: dict, b: int, al_piu: bool, lim: dict) -> bool:
    """Narrow the bounds of the figures of one relation (whole numbers); True when something changed."""
    bassi, alti = {}, {}
    for v, a in termini.items():
        lo, hi = lim[v]
        bassi[v] = a * lo if a > 0 else (None if hi is None else a * hi)
        alti[v] = (None if hi is None else a * hi) if a > 0 else a * lo
    inf_b = sum(1 for x in bassi.values() if x is None)
    inf_a = sum(1 for x in alti.values() if x is None)
    somma_b = sum(x for x in bassi.values() if x is not None)
    somma_a = sum(x for x in alti.values() if x is not None)
    cambiato = False
    for v, a in termini.items():
        resto_min = None if inf_b - (bassi[v] is None) else somma_b - (bassi[v] or 0)
        resto_max = None if inf_a - (alti[v] is None) else somma_a - (alti[v] or 0)
        sopra = None if resto_min is None else b - resto_min  # a·v at most this
        sotto = None if al_piu or resto_max is None else b - resto_max  # a·v at least this
        lo, hi = lim[v]
        if a > 0:
            nuovo_lo = None if sotto is None else -(-sotto // a)
            nuovo_hi = None if sopra is None else sopra // a
        else:
            nuovo_lo = None if sopra is None else -(-sopra // a)
            nuovo_hi = None if sotto is None else sotto // a
        if nuovo_lo is not None and nuovo_lo > lo:
            lo, cambiato = nuovo_lo, True
        if nuovo_hi is not None and (hi is None or nuovo_hi < hi):
            hi, cambiato = nuovo_hi, True
        lim[v] = (lo, hi)
    return cambiato


def limiti_lettore(tab: Tabella, nascoste: dict) -> dict:
    """What a reader of the published figures can work out of each hidden one: its lowest and
    highest possible value (None: no upper bound).

    The reader knows every shown figure, what each sign means, and the relations of the table;
    combines them by exact elimination (totals minus visible cells, across rows and columns) and
    narrows the bounds of each figure until nothing changes.
    """
    ignote = set(nascoste) | set(tab.latenti)
    lim = _limiti_iniziali(tab, nascoste)
    base = []
    for vin in tab.vincoli:
        termini, b = {}, int(vin.costante)
        for v, a in vin.termini.items():
            if v in ignote:
                termini[v] = termini.get(v, 0) + int(a)
            else:
                b -= int(a) * int(tab.valori[v])
        termini = {v: a for v, a in termini.items() if a}
        if termini:
            base.append((termini, b, vin.al_piu))
    for _ in range(50):
        uguali = []
        for t, b, al_piu in base:
            if not al_piu:
                fissi = [v for v in t if lim[v][0] == lim[v][1]]
                uguali.append(({v: a for v, a in t.items() if v not in fissi},
                               b - sum(t[v] * lim[v][0] for v in fissi)))
        cambiato = False
        derivate = []
        for t, b in _riduci([(t, b) for t, b in uguali if t]):
            if len(t) == 1:
                (v, a), = t.items()
                valore = b // a if b % a == 0 else Fraction(b, a)  # always whole with true figures
                if lim[v] != (valore, valore):
                    lim[v], cambiato = (valore, valore), True
            else:
                derivate.append((t, b, False))
        tutti = base + derivate
        for _ in range(100):
            if not sum(_stringi(t, b, al_piu, lim) for t, b, al_piu in tutti):  # every relation, each round
                break
            cambiato = True
        if not cambiato:
            break
    return lim


def _gemelle(tab: Tabella, dove: dict, figura, nascoste: dict) -> set:
    """The figures that the relations, with what is shown, make equal to ``figura`` (needs and
    contributions of kind "bisogno"; a phase and the total of a comune with one phase; a row
    whose other figures are 0): they are hidden together, or hiding one would be for nothing."""
    out, da_vedere = {figura}, [figura]
    while da_vedere:
        for k in dove.get(da_vedere.pop(), ()):
            vin = tab.vincoli[k]
            if vin.al_piu:
                continue
            ignote = {v: a for v, a in vin.termini.items() if v in out or v in nascoste or v in tab.latenti}
            note = {v: a * tab.valori[v] for v, a in vin.termini.items() if v not in ignote}
            resto = vin.costante - sum(note.values())
            nuove = set()
            if len(ignote) == 2 and sum(ignote.values()) == 0 and resto == 0:
                nuove = set(ignote)
            elif len(ignote) == 1:  # a shown figure that would say the same number
                (a,) = ignote.values()
                nuove = {w for w, x in note.items() if vin.termini[w] == -a and resto + x == 0}
            nuove -= out | tab.latenti
            out |= nuove
            da_vedere += nuove
    return out - {figura}


def _segno(tab: Tabella, figura) -> str:
    return PICCOLO if figura in tab.sensibili and tab.valori[figura] < SOGLIA_AGGREGATI else NASCOSTO


def _da_nascondere(tab: Tabella, nascoste: dict, libere: set, dove: dict, figura) -> dict:
    """What to hide next so that ``figura`` cannot be worked out.

    Around it (in its relations, and in those of the hidden figures they lead to): first a «<3»
    written «n.d.» instead, when it is the bounds of several «<3» that give it away (1 + 1 = «<3»);
    then the smallest non-zero figure still shown that stops the reader; if no single change
    does, the smallest shown figure of the nearest relations, and the search goes on from there.
    """
    visti, visitati, frontiera = {figura: 0}, set(), [figura]
    candidate: list = []
    strato = 0
    while frontiera:  # outwards, through the hidden figures, as far as the relations go
        strato += 1
        intorno = {k for f in frontiera for k in dove.get(f, ())} - visitati
        visitati |= intorno
        nuove = {v for k in intorno for v in tab.vincoli[k].termini
                 if v in libere and v not in nascoste and tab.valori[v] > 0} - {c for _, _, _, c in candidate}
        candidate += [(tab.valori[v], strato, repr(v), v) for v in nuove]
        frontiera = []
        for k in intorno:
            for v in tab.vincoli[k].termini:
                if v not in visti and (v in nascoste or v in tab.latenti):
                    visti[v] = strato
                    frontiera.append(v)
    candidate.sort(key=lambda x: x[:3])
    piccole = sorted((visti[v], repr(v), v) for v in visti if v in libere and nascoste.get(v) == PICCOLO)
    prove = [{v: NASCOSTO} | {g: NASCOSTO for g in _gemelle(tab, dove, v, nascoste)
                              if nascoste.get(g) == PICCOLO and g in libere} for _, _, v in piccole[:12]]
    prove += [{v: _segno(tab, v)} | {g: _segno(tab, g) for g in _gemelle(tab, dove, v, nascoste)
                                     if g in libere and g not in nascoste} for _, _, _, v in candidate[:12]]
    for prova in prove:
        lo, hi = limiti_lettore(tab, nascoste | prova)[figura]
        if lo != hi:
            return prova
    if not candidate:
        return {}
    v = min(candidate, key=lambda x: (x[1], x[0], x[2]))[3]  # no single change is enough: the nearest smallest
    return {v: _segno(tab, v)} | {g: _segno(tab, g) for g in _gemelle(tab, dove, v, nascoste)
                                  if g in libere and g not in nascoste}


def proteggi(tab: Tabella) -> dict:
    """The figures to hide, with their sign («<3» or «n.d.»): see :data:`SPIEGAZIONE_NASCOSTI`.

    Primary suppression hides every sensitive count of 1 or 2. Then, as long as a reader could
    work out a hidden figure below 3 (:func:`limiti_lettore`), one more change is made around the
    figure given away (:func:`_da_nascondere`), and the table is checked again. Figures decided
    by an earlier table are never changed.
    """
    libere = {v for v in tab.valori if v not in tab.latenti and v not in tab.decise}
    nascoste = {v: s for v, s in tab.decise.items() if s}
    for v in libere:
        if v in tab.sensibili and 0 < tab.valori[v] < SOGLIA_AGGREGATI:
            nascoste[v] = PICCOLO
    dove: dict = {}
    for k, vin in enumerate(tab.vincoli):
        for v in vin.termini:
            dove.setdefault(v, []).append(k)
    while nascoste:
        lim = limiti_lettore(tab, nascoste)
        scoperte = sorted((v for v in nascoste if 0 < tab.valori[v] < SOGLIA_AGGREGATI and lim[v][0] == lim[v][1]),
                          key=repr)
        if not scoperte:
            break
        nuove = next((x for x in (_da_nascondere(tab, nascoste, libere, dove, v) for v in scoperte) if x), None)
        if not nuove:
            # nothing left to change around it (never seen with real tables): hide every figure
            # of this table that is not 0, as «n.d.», rather than publish one that gives a person away
            nascoste |= {v: NASCOSTO for v in libere if tab.valori[v] > 0}
            break
        nascoste |= nuove
    return {v: s for v, s in nascoste.items() if v in libere}


def tabella_contributi(righe: dict[str, dict[str, int]]) -> Tabella:
    """The contributions of one comune by phase (and all phases: :data:`TOTALE`), kind and theme,
    as :func:`conta_contributi` gives them, with the sums a reader knows."""
    fasi = list(righe)
    colonne = list(righe[fasi[0]])
    tipi = [c for c in colonne if c.startswith("tipo_")]
    temi = [c for c in colonne if c.startswith("tema_")]
    valori = {(f, c): int(righe[f][c]) for f in fasi for c in colonne}
    valori |= {(TOTALE, c): sum(valori[(f, c)] for f in fasi) for c in colonne}
    vincoli, latenti = [], set()
    for f in fasi + [TOTALE]:
        for gruppo, altro in ((tipi, "~altro tipo"), (temi, "~altro tema")):
            termini = {(f, "contributi"): 1} | {(f, c): -1 for c in gruppo}
            resto = valori[(f, "contributi")] - sum(valori[(f, c)] for c in gruppo)
            if resto:  # values no longer in the catalogue: a reader does not see them
                valori[(f, altro)] = resto
                latenti.add((f, altro))
                termini[(f, altro)] = -1
            vincoli.append(Vincolo(termini))
        if "tipo_bisogno" in colonne:
            vincoli.append(Vincolo({(f, "bisogni"): 1, (f, "tipo_bisogno"): -1}))
    for c in colonne + ["~altro tipo", "~altro tema"]:
        if (TOTALE, c) in valori:
            vincoli.append(Vincolo({(TOTALE, c): 1} | {(f, c): -1 for f in fasi if (f, c) in valori}))
    sensibili = {v for v in valori if v not in latenti}
    return Tabella(valori, vincoli, sensibili, latenti)


COLONNE_SOMMATE = ("incontri", "partecipanti", "riscontri")


def _tabella_persone(righe: dict[str, dict], contributi: Tabella, decise: dict) -> Tabella:
    """Sessions, participants, age groups, needs without an answer and feedback of one comune,
    linked to the contributions already decided (:func:`tabella_contributi`)."""
    fasi = list(righe)
    colonne = [c for c in righe[fasi[0]] if c in COLONNE_SOMMATE or c.startswith("incontri_con_")]
    valori = dict(contributi.valori)
    vincoli = list(contributi.vincoli)
    for c in colonne:
        for f in fasi:
            valori[(f, c)] = int(righe[f][c])
        valori[(TOTALE, c)] = sum(valori[(f, c)] for f in fasi)
        vincoli.append(Vincolo({(TOTALE, c): 1} | {(f, c): -1 for f in fasi}))
        if c.startswith("incontri_con_") and "incontri" in colonne:  # at most all the sessions
            vincoli += [Vincolo({(f, c): 1, (f, "incontri"): -1}, al_piu=True) for f in fasi + [TOTALE]]
    latenti = set(contributi.latenti)
    for k, f in enumerate(fasi):
        valori[(f, "bisogni_scoperti")] = int(righe[f]["bisogni_scoperti"])
        # needs said up to this phase: the denominator of the share, never published
        valori[(f, "~bisogni finora")] = sum(valori[(g, "bisogni")] for g in fasi[: k + 1])
        latenti.add((f, "~bisogni finora"))
        vincoli.append(Vincolo({(f, "~bisogni finora"): 1} | {(g, "bisogni"): -1 for g in fasi[: k + 1]}))
        vincoli.append(Vincolo({(f, "bisogni_scoperti"): 1, (f, "~bisogni finora"): -1}, al_piu=True))
        if k:  # a need answered stays answered: the uncovered ones grow at most by the new needs
            vincoli.append(Vincolo({(f, "bisogni_scoperti"): 1, (fasi[k - 1], "bisogni_scoperti"): -1,
                                    (f, "bisogni"): -1}, al_piu=True))
    sensibili = contributi.sensibili | {v for v in valori if v[1] != "incontri" and v not in latenti}
    return Tabella(valori, vincoli, sensibili, latenti, decise)


# The statuses of proposals and needs are counted by the kinds that have one: their sum is known
TIPI_CON_STATO = ("tipo_proposta", "tipo_bisogno")


def _tabella_seguito(righe: dict[str, dict], prima: Tabella, decise: dict, senza_fase: int) -> Tabella:
    """Proposals and needs by status, and initiatives, of one comune, linked to the figures already
    decided (:func:`tabella_contributi`, :func:`_tabella_persone`).

    A reader knows that the statuses of a phase add up to its proposals and needs (statuses no
    longer in the catalogue are a latent rest), that the row of all phases sums the phases, and that
    the initiatives of all phases are those of the phases plus those that answer no public
    contribution (``senza_fase``: a latent figure, never published)."""
    fasi = list(righe)
    colonne = list(righe[fasi[0]])
    stati = [c for c in colonne if c.startswith("stato_")]
    valori = dict(prima.valori)
    vincoli = list(prima.vincoli)
    latenti = set(prima.latenti)
    nuove = set()
    for c in stati + [c for c in ("iniziative",) if c in colonne]:
        for f in fasi:
            valori[(f, c)] = int(righe[f][c])
        valori[(TOTALE, c)] = sum(valori[(f, c)] for f in fasi)
        nuove |= {(f, c) for f in fasi + [TOTALE]}
        termini = {(TOTALE, c): 1} | {(f, c): -1 for f in fasi}
        if c == "iniziative":
            valori[(TOTALE, c)] += int(senza_fase)
            valori[(TOTALE, "~iniziative senza fase")] = int(senza_fase)
            latenti.add((TOTALE, "~iniziative senza fase"))
            termini[(TOTALE, "~iniziative senza fase")] = -1
        vincoli.append(Vincolo(termini))
    tipi = [c for c in TIPI_CON_STATO if (fasi[0], c) in valori]
    if stati and tipi:
        for f in fasi + [TOTALE]:
            termini = {(f, c): 1 for c in stati} | {(f, c): -1 for c in tipi}
            resto = sum(valori[(f, c)] for c in tipi) - sum(valori[(f, c)] for c in stati)
            if resto:  # statuses no longer in the catalogue: a reader does not see them
                valori[(f, "~altro stato")] = resto
                latenti.add((f, "~altro stato"))
                termini[(f, "~altro stato")] = 1
            vincoli.append(Vincolo(termini))
    return Tabella(valori, vincoli, prima.sensibili | nuove, latenti, decise)


def _proteggi_stati(tab: Tabella, nascoste: dict, fasi: list[str], stati: list[str]) -> dict:
    """:func:`proteggi` for the statuses and initiatives, whose proposals and needs are already
    decided: where a row's statuses would be given back whatever is hidden (its proposals and needs
    are known to be at most as many as its statuses that are not 0: each is then 1), the row's
    statuses are left empty (:data:`VUOTO`), and the rest is protected around them."""
    decise = dict(tab.decise)
    vuote: dict = {}
    righe = fasi + [TOTALE]
    # what a reader knows of the proposals and needs before the statuses are published
    ignote = {v: VUOTO for v in tab.valori if v not in decise and v not in tab.latenti}
    lim = limiti_lettore(tab, {v: s for v, s in decise.items() if s} | ignote)
    for f in righe:
        alti = [lim.get((f, c), (None, None))[1] if decise.get((f, c)) else tab.valori.get((f, c))
                for c in TIPI_CON_STATO if (f, c) in tab.valori]
        non_zero = sum(1 for c in stati if tab.valori[(f, c)] > 0)
        if alti and None not in alti and non_zero > 1 and non_zero >= sum(alti):
            vuote |= {(f, c): VUOTO for c in stati}
    scelte: dict = {}
    for _ in range(len(righe) + 1):
        tab.decise = decise | vuote
        scelte = proteggi(tab) | vuote
        tutte = {v: s for v, s in tab.decise.items() if s} | scelte
        lim = limiti_lettore(tab, tutte)
        date_via = {v[0] for v, s in tutte.items() if v[1] in stati and 0 < tab.valori[v] < SOGLIA_AGGREGATI
                    and lim[v][0] == lim[v][1] and v not in vuote}
        if not date_via:
            break
        vuote |= {(f, c): VUOTO for f in date_via for c in stati}
    tab.decise = decise
    return scelte


def _mediana(giorni: list, fasi: list[str], f: str, esatta):
    """The median of the days from said to realised as it may be published: only over at least
    :data:`SOGLIA_AGGREGATI` of them (else «n.d.»); the row of all phases pools the phases'."""
    valori = giorni.get(f) if f != TOTALE else (
        None if any(g not in giorni for g in fasi) else [x for g in fasi for x in giorni[g]])
    if valori is None:  # the days are not known (a summary made by hand): shown only when there is none
        return None if esatta is None or pd.isna(esatta) else NASCOSTO
    if not valori:
        return None
    if len(valori) < SOGLIA_AGGREGATI:
        return NASCOSTO
    return float(pd.Series(valori).median())


def _pubblica_comune(righe: list[dict], colonne: list[str], giorni: dict | None = None,
                     senza_fase: dict | None = None, realizzato: str | None = "realizzata") -> list[dict]:
    fasi = [r["fase"] for r in righe]
    per_fase = {r["fase"]: r for r in righe}
    giorni = giorni or {}
    senza_fase = senza_fase or {}
    col_contributi = [c for c in colonne if c in ("contributi", "bisogni") or c.startswith(("tipo_", "tema_"))]
    tab1 = tabella_contributi({f: {c: per_fase[f][c] for c in col_contributi} for f in fasi})
    nascoste = proteggi(tab1)
    altre = [c for c in colonne if c in COLONNE_SOMMATE or c.startswith("incontri_con_") or c == "bisogni_scoperti"]
    decise = {v: nascoste.get(v) for v in tab1.valori if v not in tab1.latenti}
    tab2 = _tabella_persone({f: {c: per_fase[f][c] for c in altre} for f in fasi}, tab1, decise)
    nascoste |= proteggi(tab2)
    valori = tab2.valori
    col_seguito = [c for c in colonne if c.startswith("stato_") or c == "iniziative"]
    if col_seguito:
        decise = {v: nascoste.get(v) for v in tab2.valori if v not in tab2.latenti}
        tab3 = _tabella_seguito({f: {c: per_fase[f][c] for c in col_seguito} for f in fasi}, tab2, decise,
                                senza_fase.get("iniziative", 0))
        nascoste |= _proteggi_stati(tab3, nascoste, fasi, [c for c in col_seguito if c.startswith("stato_")])
        valori = tab3.valori
    realizzate = f"stato_{realizzato}" if realizzato and f"stato_{realizzato}" in colonne else None
    fondi_nascosti = "fondi" in colonne and any((f, "iniziative") in nascoste for f in fasi + [TOTALE])
    out = []
    for f in fasi + [TOTALE]:
        riga = {"comune": righe[0]["comune"], "fase": f, "popolazione": righe[0]["popolazione"]}
        for c in colonne:
            if (f, c) in valori:
                riga[c] = nascoste.get((f, c), valori[(f, c)])
                riga[c] = None if riga[c] == VUOTO else riga[c]
        pop = riga["popolazione"]
        if "contributi_per_mille" in colonne:
            riga["contributi_per_mille"] = (
                NASCOSTO if isinstance(riga["contributi"], str) else
                (round(riga["contributi"] * 1000 / pop, 2) if pop else None))
        if "quota_bisogni_scoperti" in colonne:
            quota = per_fase[f]["quota_bisogni_scoperti"] if f != TOTALE else None
            quota = None if quota is None or pd.isna(quota) else quota
            finora = fasi[: fasi.index(f) + 1] if f != TOTALE else []
            # the share with the uncovered needs gives back the needs said until then
            if quota is not None and ((f, "bisogni_scoperti") in nascoste or any((g, "bisogni") in nascoste
                                                                                  for g in finora)):
                quota = NASCOSTO
            riga["quota_bisogni_scoperti"] = quota
        if "quota_realizzate" in colonne:
            riga["quota_realizzate"] = _quota_realizzate(per_fase, valori, nascoste, f, realizzate)
        if "giorni_mediani_realizzazione" in colonne:
            riga["giorni_mediani_realizzazione"] = _mediana(
                giorni, fasi, f, per_fase[f]["giorni_mediani_realizzazione"] if f != TOTALE else None)
            if realizzate and (f, realizzate) in nascoste and riga["giorni_mediani_realizzazione"] is not None:
                # a median shown says "at least 3 realised": with the realised hidden, it would give
                # back the other hidden statuses of the row
                riga["giorni_mediani_realizzazione"] = NASCOSTO
        if "fondi" in colonne:
            # a sum over fewer than 3 initiatives is not written; and with one phase hidden, the
            # row of all phases would give it back
            pochi_senza_fase = 0 < senza_fase.get("iniziative", 0) < SOGLIA_AGGREGATI
            if (f, "iniziative") in nascoste or (f == TOTALE and (fondi_nascosti or pochi_senza_fase)):
                riga["fondi"] = NASCOSTO
            else:
                fondi = per_fase[f]["fondi"] if f != TOTALE else (
                    sum(per_fase[g]["fondi"] for g in fasi) + senza_fase.get("fondi", 0))
                riga["fondi"] = None if fondi is None or pd.isna(fondi) else int(fondi)
        out.append({c: riga.get(c) for c in colonne})
    return out


def _quota_realizzate(per_fase: dict, valori: dict, nascoste: dict, f: str, realizzate: str | None):
    """The share realised of a row: hidden when its numerator or its denominator is (the share
    with one of them gives the other back)."""
    if f != TOTALE:
        quota = per_fase[f]["quota_realizzate"]
        if quota is None or pd.isna(quota):
            return None
    if realizzate is None or (f, realizzate) not in valori:
        return None if f == TOTALE else NASCOSTO
    tipi = [(f, c) for c in TIPI_CON_STATO if (f, c) in valori]
    stati = [v for v in valori if v[0] == f and str(v[1]).startswith("stato_")]
    denominatore = tipi or stati
    if any(v in nascoste for v in [(f, realizzate), *denominatore]):
        return NASCOSTO
    if f != TOTALE:
        return quota
    n = sum(valori[v] for v in denominatore)
    return round(valori[(TOTALE, realizzate)] / n, 3) if n else None


def nascondi_piccoli(riep: pd.DataFrame) -> pd.DataFrame:
    """The summary as it may be published, from :func:`riepilogo`: for each comune its phases and
    their total (fase = "totale"), with counts of 1 or 2 written «<3» and the figures that would
    give them back written «n.d.» (:func:`proteggi`, :data:`SPIEGAZIONE_NASCOSTI`).

    Each comune is protected on its own (no figure links two comuni), so the figures of a comune
    are hidden in the same way whichever comuni a report holds; the territory page shows the
    same "totale" figures.
    """
    colonne = list(riep.columns)
    giorni = riep.attrs.get("giorni_realizzazione", {})
    senza_fase = riep.attrs.get("iniziative_senza_fase", {})
    out: list[dict] = []
    for comune, gruppo in riep.groupby("comune", sort=False):
        out += _pubblica_comune(gruppo.to_dict("records"), colonne,
                                {f: v for (c, f), v in giorni.items() if c == comune}, senza_fase.get(comune),
                                riep.attrs.get("stato_realizzato", "realizzata"))
    return pd.DataFrame(out, columns=colonne)
