"""Reading the territory: which needs have an answer nearby, summaries per comune and phase,
and the comparison of intervention and control comuni (difference in differences).

Distances are measured in metres in a projected CRS (the UTM zone of the data), never in
degrees.

Published figures (the summary, the territory page, the public comparison, the list of uncovered
needs) are all computed on the public projection (:func:`strati_pubblici`): no reserved rows, no
rows said without consent, only approved feedback, and sensitive rows at their *moved* position,
exactly as the public map shows them. A figure worked out from true positions would differ from
the map where a sensitive point was moved, and the difference would tell where it really is
(a need the map shows as uncovered, counted as answered, lies within walking distance of an
answer). So every public output agrees with the others, and none knows more than the map.

Published figures also keep small counts hidden even when combined: a count of 1 or 2 is
written «<3» (0 is written 0), and every figure that, with the totals, the other cells of its
row or column, a share or a rate per 1,000 inhabitants, would give a hidden one back is written
«n.d.» (secondary suppression, as official statistics do: :mod:`mappe.soppressione`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import pubblico
from .archivio import Archivio
from .errori import MappeError
from .pubblico import SOGLIA_AGGREGATI
from .seguito import STATO_INIZIALE, TIPI_CON_STATO, tappe
from .soppressione import NASCOSTO, TOTALE, nascondi_piccoli

__all__ = ["DISTANZA_M", "INDICATORI", "Confronto", "Rete", "confronta", "conta_contributi", "nascondi_piccoli",
           "rete", "riepilogo", "scoperti", "seguito_per_fase", "stati_seguito", "stato_realizzato", "strati_pubblici",
           "variazione_it"]

DISTANZA_M = 800  # walking distance: about ten minutes on foot
TIPI_RISPOSTA = ("risorsa", "proposta")


@dataclass
class Rete:
    """Links between needs and what answers them, by position in the ``contributi`` table."""

    esplicite: list[tuple[int, int]]  # (resource or proposal, need) from risponde_a
    suggerite: list[tuple[int, int, float]]  # (resource or proposal, need, metres): same theme, near
    scoperti: list[int]  # needs with no answer at all


def _metrico(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Representative points in metres (UTM zone of the data)."""
    punti = gdf.geometry.representative_point()
    crs = punti.estimate_utm_crs() if len(punti.dropna()) else "EPSG:32632"
    return punti.to_crs(crs)


def rete(contributi: gpd.GeoDataFrame, distanza: float = DISTANZA_M) -> Rete:
    """The network of needs and resources of a table of contributions.

    A need is answered by the resources and proposals that say so (``risponde_a``), and is
    near an answer when a resource or proposal of its theme is within ``distanza`` metres (the
    nearest one is the suggested link). A need with neither is "scoperto".
    """
    c = contributi.reset_index(drop=True)
    pos = {v: k for k, v in enumerate(c["id"])}
    bisogni = c.index[c["tipo"] == "bisogno"]
    risposte = c.index[c["tipo"].isin(TIPI_RISPOSTA)]
    esplicite = []
    for k in risposte:
        valore = c.at[k, "risponde_a"] if "risponde_a" in c.columns else None
        for rif in (valore if isinstance(valore, str) else "").split("|"):
            if rif in pos and c.at[pos[rif], "tipo"] == "bisogno":
                esplicite.append((int(k), int(pos[rif])))
    suggerite = []
    con_posto = c.geometry.notna() & ~c.geometry.is_empty.fillna(True)
    b = c.loc[bisogni][con_posto.loc[bisogni]]
    r = c.loc[risposte][con_posto.loc[risposte]]
    if len(b) and len(r):
        metri = _metrico(pd.concat([b, r]))
        # For each need, the nearest answer of its theme within the distance: one spatial index
        # per theme, one nearest query per need (100,000 contributions stay fast, and a dense
        # centre does not turn into millions of lines).
        for tema in set(b["tema"]) & set(r["tema"]):
            ib = b.index[b["tema"] == tema]
            ir = r.index[r["tema"] == tema]
            albero = shapely.STRtree(metri.loc[ir].values)
            (qi, qj), d = albero.query_nearest(metri.loc[ib].values, max_distance=distanza, return_distance=True,
                                              all_matches=False)
            for i, j, dist in zip(ib[qi], ir[qj], d):
                suggerite.append((int(j), int(i), round(float(dist), 1)))
    coperti = {i for _, i in esplicite} | {i for _, i, _ in suggerite}
    return Rete(esplicite, suggerite, [int(i) for i in bisogni if int(i) not in coperti])


def strati_pubblici(archivio: Archivio, nomi=("contributi",)) -> dict[str, pd.DataFrame]:
    """Layers of a comune as the public sees them (:func:`mappe.pubblico.proietta`, as the public map
    does): no reserved rows, no rows said without consent, only approved feedback, sensitive rows at
    their moved position (and dropped when they cannot be moved inside the comune). Ids stay
    internal: public outputs turn them into public ids when they write them."""
    grezzi = {n: archivio.leggi(n) for n in nomi}
    confine = archivio.confine().geometry.union_all()
    return pubblico.proietta(grezzi, archivio.catalogo, confine, archivio.segreto())


def scoperti(archivio: Archivio, distanza: float = DISTANZA_M) -> pd.DataFrame:
    """The needs of a comune with no answer within ``distanza``, with the nearest answer of their theme.

    The list may be shared with partners: it holds only what the public projection holds (no
    reserved rows, no rows said without consent, sensitive rows at their moved position) and
    public ids (:func:`mappe.pubblico.id_pubblico`). The internal ids of the rows it names are
    in ``attrs["id_interni"]``, for the export registry.
    """
    chiave = archivio.segreto()
    c = strati_pubblici(archivio)["contributi"]
    rr = rete(c, distanza)
    righe, interni = [], []
    risposte = c[c["tipo"].isin(TIPI_RISPOSTA) & c.geometry.notna()]
    metri = _metrico(c[c.geometry.notna()]) if c.geometry.notna().any() else None
    for i in rr.scoperti:
        riga = {"id": pubblico.id_pubblico(chiave, c.at[i, "id"]), "tema": c.at[i, "tema"], "titolo": c.at[i, "titolo"],
                "testo": c.at[i, "testo"], "risorsa_piu_vicina": None, "titolo_risorsa": None, "distanza_m": None}
        interni.append(c.at[i, "id"])
        stesso = risposte[risposte["tema"] == c.at[i, "tema"]]
        if metri is not None and c.geometry.iloc[i] is not None and len(stesso):
            d = metri.loc[stesso.index].distance(metri.loc[i])
            j = d.idxmin()
            riga.update(risorsa_piu_vicina=pubblico.id_pubblico(chiave, c.at[j, "id"]),
                        titolo_risorsa=c.at[j, "titolo"] or c.at[j, "testo"], distanza_m=round(d.loc[j]))
            interni.append(c.at[j, "id"])
        righe.append(riga)
    tab = pd.DataFrame(righe, columns=["id", "tema", "titolo", "testo", "risorsa_piu_vicina", "titolo_risorsa",
                                       "distanza_m"])
    tab.attrs["id_interni"] = sorted(set(interni))
    return tab


# ---------------------------------------------------------------------------------------------
# The summary per comune and phase

SENZA_FASE = "senza fase"


def fase_di(fasi_incontri: dict, incontro) -> str:
    """The phase of a contribution: that of its session, or "senza fase"."""
    return (fasi_incontri.get(incontro) or SENZA_FASE) if incontro else SENZA_FASE


def ordina_fasi(catalogo, fasi_incontri: set, fasi_contributi: set) -> list[str]:
    """The phases of a comune in catalogue order (then the others, by name)."""
    fasi = [f for f in catalogo.voci("fase") if f in fasi_incontri | fasi_contributi]
    fasi += sorted(set(fasi_contributi) - set(fasi))
    return fasi or [SENZA_FASE]


def colonne_contributi(catalogo) -> list[str]:
    """The columns that count contributions: all, by kind, by theme, needs."""
    return (["contributi"] + [f"tipo_{t}" for t in catalogo.voci("tipo")] + [f"tema_{t}" for t in catalogo.voci("tema")]
            + ["bisogni"])


def conta_contributi(catalogo, fasi: list[str], righe) -> dict[str, dict[str, int]]:
    """Public contributions by phase, kind and theme. ``righe``: (fase, tipo, tema, quanti).

    The summary and the territory page both count with this function, so that they publish
    the same figures with the same cells hidden.
    """
    colonne = colonne_contributi(catalogo)
    out = {f: dict.fromkeys(colonne, 0) for f in fasi}
    for fase, tipo, tema, n in righe:
        r = out[fase]
        r["contributi"] += n
        for chiave in (f"tipo_{tipo}", f"tema_{tema}"):
            if chiave in r:
                r[chiave] += n
        if tipo == "bisogno":
            r["bisogni"] += n
    return out


def riepilogo(archivi: list[Archivio], distanza: float = DISTANZA_M) -> pd.DataFrame:
    """Per comune and phase: sessions, participants, contributions by kind and theme, rates per
    1,000 inhabitants, share of needs without an answer, approved feedback from exhibitions, and
    what became of the proposals and needs (:func:`seguito_per_fase`: their status today, the share
    realised, the median days from said to realised, the initiatives and their funds).

    Computed on the public projection (:func:`strati_pubblici`), as the public map and
    :func:`scoperti` are: no reserved rows, no rows said without consent, only approved feedback,
    and needs without an answer found with sensitive rows at their moved position (the map and
    the list of uncovered needs say the same). Counts are exact: :func:`nascondi_piccoli` gives
    the table as it may be published. What the phase rows cannot hold is in ``attrs``
    (``giorni_realizzazione``: (comune, phase) -> the days behind each median;
    ``iniziative_senza_fase``: comune -> initiatives and funds answering no public contribution),
    for the row of all phases, and ``stato_realizzato``, the status that means done.
    """
    righe = []
    giorni_tutti: dict = {}
    senza_fase_tutti: dict = {}
    for a in archivi:
        catalogo = a.catalogo
        nomi = ("contributi", "riscontri") + (("iniziative",) if "iniziative" in catalogo.strati else ())
        pubblici = strati_pubblici(a, nomi)
        c, ris = pubblici["contributi"], pubblici["riscontri"]
        incontri = a.leggi("incontri")
        fasi_incontri = dict(zip(incontri["id"], incontri["fase"]))
        c["fase"] = [fase_di(fasi_incontri, x) for x in c["incontro"]]
        popolazione = int(a.info["popolazione"])
        fasi = ordina_fasi(catalogo, set(incontri["fase"].dropna()), set(c["fase"]))
        conteggi = conta_contributi(catalogo, fasi, zip(c["fase"], c["tipo"], c["tema"], [1] * len(c)))
        seguito, giorni, senza_fase = seguito_per_fase(catalogo, fasi, c, incontri, pubblici.get("iniziative"))
        giorni_tutti |= {(a.nome, f): v for f, v in giorni.items()}
        if senza_fase is not None:
            senza_fase_tutti[a.nome] = senza_fase
        for n_fase, fase in enumerate(fasi):
            # The network as it stood at this phase: what was said until then (this phase included).
            finora = c[c["fase"].isin(fasi[: n_fase + 1])]
            rr = rete(finora, distanza) if len(finora) else Rete([], [], [])
            posizioni = finora.index.tolist()
            scop = {posizioni[i] for i in rr.scoperti}
            inc = incontri[incontri["fase"] == fase]
            cf = c[c["fase"] == fase]
            n = conteggi[fase]
            riga = {"comune": a.nome, "fase": fase, "popolazione": popolazione, "incontri": len(inc),
                    "partecipanti": int(inc["partecipanti"].fillna(0).sum())}
            for fascia in catalogo.voci("fascia_eta"):
                riga[f"incontri_con_{fascia}"] = int(inc["fasce_eta"].fillna("").str.split("|").map(
                    lambda x, f=fascia: f in x).sum()) if len(inc) else 0
            riga["contributi"] = n["contributi"]
            riga["contributi_per_mille"] = round(n["contributi"] * 1000 / popolazione, 2) if popolazione else None
            riga.update({k: v for k, v in n.items() if k.startswith(("tipo_", "tema_"))})
            riga["bisogni"] = n["bisogni"]
            # uncovered at this phase, among all the needs said until then
            bisogni_finora = finora.index[finora["tipo"] == "bisogno"].tolist()
            riga["bisogni_scoperti"] = sum(1 for i in bisogni_finora if i in scop)
            riga["quota_bisogni_scoperti"] = (round(riga["bisogni_scoperti"] / len(bisogni_finora), 3)
                                              if bisogni_finora else None)
            riga["riscontri"] = int(ris["su"].isin(set(cf["id"])).sum()) if len(ris) and len(cf) else 0
            riga.update(seguito[fase])
            righe.append(riga)
    out = pd.DataFrame(righe)
    out.attrs["giorni_realizzazione"] = giorni_tutti
    out.attrs["iniziative_senza_fase"] = senza_fase_tutti
    out.attrs["stato_realizzato"] = stato_realizzato(archivi[0].catalogo) if archivi else None
    return out


# ---------------------------------------------------------------------------------------------
# What became of the proposals and needs, per phase

def stati_seguito(catalogo) -> list[str]:
    """The statuses of the catalogue's ``seguito`` vocabulary, in its order (none: an old catalogue)."""
    return list(catalogo.vocabolari.get("seguito", {}))


def stato_realizzato(catalogo) -> str | None:
    """The status that means "done": ``realizzata``, or, in a catalogue that renamed it, the first
    final status whose progress is complete (``finale = true``, ``avanzamento = 1``)."""
    voci = catalogo.vocabolari.get("seguito", {})
    if "realizzata" in voci:
        return "realizzata"
    return next((k for k, v in voci.items() if v.extra.get("finale") and float(v.extra.get("avanzamento", 0)) >= 1),
                None)


def _giorno(v) -> dt.date | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def giorno_realizzata(riga, realizzato: str) -> dt.date | None:
    """The day a contribution became ``realizzato``: the last stage with that status (a status
    may be reached again after a step back), else the day of its last change."""
    giorni = [g for g, s in tappe(riga.get("tappe")) if s == realizzato]
    return _giorno(giorni[-1]) if giorni else _giorno(riga.get("data_stato"))


def seguito_per_fase(catalogo, fasi: list[str], contributi: pd.DataFrame, incontri: pd.DataFrame,
                     iniziative: pd.DataFrame | None) -> tuple[dict, dict, dict | None]:
    """What became of the proposals and needs of one comune, per phase (that of the session where
    they were said, as every count of the summary).

    Returns (per phase: the columns of the summary; per phase: the days from said to realised behind
    the median; the initiatives and funds that answer no public contribution, or None without the
    layer). Columns:

    - ``stato_<status>``: proposals and needs by their status *today*, one column per status of the
      catalogue (an empty status is the first one, ``detta``);
    - ``quota_realizzate``: those realised (:func:`stato_realizzato`) over all the proposals and
      needs of the phase, whatever their status (``detta`` and ``non_realizzabile`` included);
    - ``giorni_mediani_realizzazione``: the median of the days from the day it was said (the date of
      its session) to the day it was realised (its stage in ``tappe``), over the realised ones with
      both days;
    - ``iniziative``: initiatives, counted in the earliest phase (catalogue order) of the public
      proposals and needs they answer; one that answers none is counted in the comune's row of
      all phases only;
    - ``fondi``: the euros of those initiatives (``importo``), only when the field is public (the
      public projection drops a private field).

    ``contributi`` and ``iniziative`` are public projections, ``contributi`` with its ``fase``.
    """
    stati = stati_seguito(catalogo)
    realizzato = stato_realizzato(catalogo)
    iniziale = STATO_INIZIALE if STATO_INIZIALE in stati or not stati else stati[0]
    con_iniziative = iniziative is not None
    con_fondi = con_iniziative and "importo" in iniziative.columns
    out = {f: {} for f in fasi}
    giorni: dict = {f: [] for f in fasi}
    if not stati and not con_iniziative:
        return out, giorni, None
    detto_il = {i: _giorno(d) for i, d in zip(incontri["id"], incontri["data"])} if "data" in incontri.columns else {}
    colonna_stato = contributi["stato"] if "stato" in contributi.columns else pd.Series(None, index=contributi.index)
    for f in fasi:
        cf = contributi[(contributi["fase"] == f) & contributi["tipo"].isin(TIPI_CON_STATO)]
        stato = [v if isinstance(v, str) and v else iniziale for v in colonna_stato.loc[cf.index]]
        riga = {f"stato_{s}": sum(1 for x in stato if x == s) for s in stati}
        if stati:
            fatte = sum(1 for x in stato if x == realizzato) if realizzato else 0
            riga["quota_realizzate"] = round(fatte / len(cf), 3) if len(cf) and realizzato else None
            for r, x in zip(cf.to_dict("records"), stato):
                if x != realizzato:
                    continue
                detto, fatto = detto_il.get(r.get("incontro")), giorno_realizzata(r, realizzato)
                if detto and fatto and fatto >= detto:  # (a day of realisation before the session is a typo)
                    giorni[f].append((fatto - detto).days)
            riga["giorni_mediani_realizzazione"] = float(np.median(giorni[f])) if giorni[f] else None
        out[f] = riga
    if not con_iniziative:
        return out, giorni, None
    ordine = {f: k for k, f in enumerate(fasi)}
    fase_contributo = dict(zip(contributi["id"], contributi["fase"]))
    for f in fasi:
        out[f]["iniziative"] = 0
        if con_fondi:
            out[f]["fondi"] = 0
    senza_fase = {"iniziative": 0} | ({"fondi": 0} if con_fondi else {})
    for r in iniziative.to_dict("records"):
        risponde = r.get("risponde_a")
        fasi_r = {fase_contributo[x] for x in (risponde.split("|") if isinstance(risponde, str) else [])
                  if x in fase_contributo}
        dove = out[min(fasi_r, key=ordine.__getitem__)] if fasi_r else senza_fase
        dove["iniziative"] += 1
        if con_fondi:
            importo = r.get("importo")
            dove["fondi"] += 0 if importo is None or pd.isna(importo) else int(importo)
    return out, giorni, senza_fase


# ---------------------------------------------------------------------------------------------
# Small counts stay hidden, alone and combined

INDICATORI = ("contributi_per_mille", "contributi", "incontri", "partecipanti", "quota_bisogni_scoperti",
              "bisogni_scoperti", "riscontri", "quota_realizzate")


@dataclass
class Confronto:
    """The difference in differences of an indicator, with the figures behind it.

    In the public form (``pubblico``) the figures are those of the published summary: a comune
    with a hidden figure is left out of the averages (``esclusi``), which are then worked out
    from shown figures only and give nothing hidden back.
    """

    indicatore: str
    prima: str
    dopo: str
    tabella: pd.DataFrame  # comune, gruppo, prima, dopo, variazione
    variazione_intervento: float
    variazione_controllo: float
    differenza: float
    pubblico: bool = False
    esclusi: list = field(default_factory=list)

    def caso(self) -> tuple[int, int]:
        """How often chance alone gives a difference as large: over every way of dividing the comuni
        used into two groups of the same sizes (3 + 3 comuni: 20 ways), in how many the difference in
        differences is at least as large as this one, either way (an exact permutation test).
        Returns (as large, ways); beyond 200,000 ways, 200,000 drawn at random (seeded)."""
        from itertools import combinations
        from math import comb

        usati = self.tabella[~self.tabella["comune"].isin(self.esclusi)]
        valori = [float(v) for v in usati["variazione"]]
        gruppi = usati["gruppo"].tolist()
        n, k = len(valori), gruppi.count("intervento")
        if k == 0 or k == n:
            return 0, 0
        totale = sum(valori)

        def differenza(scelti) -> float:
            somma = sum(valori[j] for j in scelti)
            return somma / k - (totale - somma) / (n - k)

        # the observed one, from the same figures (not from the rounded difference)
        osservata = abs(differenza([j for j, g in enumerate(gruppi) if g == "intervento"]))

        modi = comb(n, k)
        if modi <= 200_000:
            tutte = combinations(range(n), k)
        else:
            rng = np.random.default_rng(0)
            modi = 200_000
            tutte = (rng.choice(n, k, replace=False) for _ in range(modi))
        # "at least as large": a hair of tolerance, the sums being floating point
        grandi = sum(1 for scelti in tutte if abs(differenza(scelti)) >= osservata - 1e-9)
        return grandi, modi

    def spiegazione(self) -> str:
        """What the figure means, and what it cannot prove, in plain Italian."""
        usati = self.tabella[~self.tabella["comune"].isin(self.esclusi)]
        n_i = int((usati["gruppo"] == "intervento").sum())
        n_c = int((usati["gruppo"] == "controllo").sum())
        esclusi = ""
        if self.esclusi:
            esclusi = (
                f"\n\nNon entrano nelle medie {', '.join(self.esclusi)}: una delle due cifre è nascosta nel "
                f"riepilogo pubblicabile (meno di {SOGLIA_AGGREGATI}, o nascosta perché non se ne possa ricalcolare "
                "una piccola), e una media che la comprendesse la rivelerebbe. Con 'mappe confronta --interno' si "
                "ottiene il rapporto con tutte le cifre esatte, solo per uso interno."
            )
        if self.differenza == 0:
            differenza = (
                "La differenza tra le due variazioni (differenza nelle differenze) è zero: nei comuni "
                "dell'intervento l'indicatore è cambiato quanto nei comuni di controllo, né più né meno."
            )
        else:
            verso = "più in alto" if self.differenza > 0 else "più in basso"
            differenza = (
                f"La differenza tra le due variazioni (differenza nelle differenze) è "
                f"{variazione_it(self.differenza)}: nei comuni dell'intervento l'indicatore è arrivato "
                f"{variazione_it(abs(self.differenza)).lstrip('+')} {verso} di quanto ci si aspetterebbe guardando "
                "i comuni di controllo."
            )
        vi, vc = self.variazione_intervento, self.variazione_controllo
        if vi == 0 and vc == 0:
            variazioni = "è rimasto in media uguale sia nei comuni dove il progetto è intervenuto sia in quelli di controllo"
        else:
            intervento = f"è cambiato in media di {variazione_it(vi)}" if vi else "è rimasto in media uguale"
            controllo = ("ed è rimasto uguale" if not vc else f"e di {variazione_it(vc)}" if vi
                         else f"ed è cambiato di {variazione_it(vc)}")
            variazioni = f"{intervento} nei comuni dove il progetto è intervenuto {controllo} nei comuni di controllo"
        grandi, modi = self.caso()
        caso = ""
        if modi:
            quota = grandi / modi
            caso = (
                f" Quanto il caso: dividendo a caso questi {n_i + n_c} comuni in due gruppi di {n_i} e {n_c}, ci "
                f"sono {_migliaia(modi)} modi di farlo, e in {_migliaia(grandi)} la differenza viene grande almeno "
                f"così (in un verso o nell'altro), cioè {_percento(quota)} delle volte"
                + (": più di una volta su venti, quindi questa differenza il caso la produce facilmente."
                   if quota > 0.05 else ": meno di una volta su venti.")
            )
        return (
            f"Tra {self.prima} e {self.dopo}, l'indicatore '{self.indicatore}' {variazioni}. {differenza}{esclusi}\n\n"
            f"Che cosa non dimostra: i comuni sono pochi ({n_i} di intervento, {n_c} di controllo) e i numeri "
            f"piccoli, quindi la differenza può essere dovuta al caso.{caso} Il confronto regge solo se, senza il "
            "progetto, i due gruppi sarebbero cambiati allo stesso modo (andamenti paralleli), cosa che con due "
            "sole rilevazioni non si può verificare; e gli incontri non sono un campione casuale della "
            "popolazione. Va letto come un indizio da discutere, non come la prova di un effetto."
        )


def _migliaia(n: int) -> str:
    return f"{int(n):,}".replace(",", ".")


def _percento(q: float) -> str:
    return (f"{q * 100:.0f}%" if q >= 0.1 or q == 0 else f"{q * 100:.1f}%").replace(".", ",")


def variazione_it(v: float) -> str:
    """A change as Italians write it, with its sign: +1,33, -0,50, 0.

    Two decimals; more (up to four) when two would write a change that is not zero as 0,00.
    """
    if v == 0:
        return "0"
    decimali = next((d for d in (2, 3) if round(abs(v), d) != 0), 4)
    return f"{v:+,.{decimali}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _numero(v):
    return float(v) if v is not None and not isinstance(v, str) and not pd.isna(v) else np.nan


def confronta(riep: pd.DataFrame, intervento: list[str], controllo: list[str], indicatore: str,
              prima: str = "baseline", dopo: str = "verifica", pubblico: bool = False) -> Confronto:
    """Difference in differences of ``indicatore`` between two phases and two groups of comuni.

    ``riep`` is the exact summary (:func:`riepilogo`). With ``pubblico`` the comparison uses the
    published figures (:func:`nascondi_piccoli`) and leaves out the comuni with a hidden one.
    """
    if indicatore not in riep.columns or indicatore in ("comune", "fase"):
        raise MappeError(
            f"L'indicatore '{indicatore}' non esiste: usare uno di {', '.join(INDICATORI)} "
            "(o un'altra colonna del riepilogo, come tema_lavoro)."
        )
    comuni = set(riep["comune"])
    for nome in intervento + controllo:
        if nome not in comuni:
            raise MappeError(f"Il comune '{nome}' non è nel riepilogo: controllare il nome.")
    if set(intervento) & set(controllo):
        raise MappeError("Un comune non può essere sia di intervento sia di controllo.")
    for gruppo, nomi in (("--intervento", intervento), ("--controllo", controllo)):
        doppi = sorted({n for n in nomi if nomi.count(n) > 1})
        if doppi:
            raise MappeError(f"Il comune {doppi[0]} è scritto due volte in {gruppo}: scriverlo una volta sola.")
    if prima == dopo:
        raise MappeError(f"La fase di partenza e quella di verifica sono la stessa ('{prima}'): indicarne due diverse.")
    cifre = nascondi_piccoli(riep) if pubblico else riep
    righe, esclusi = [], []
    for gruppo, nomi in (("intervento", intervento), ("controllo", controllo)):
        for nome in nomi:
            r = cifre[cifre["comune"] == nome].set_index("fase")[indicatore]
            if prima not in r.index or dopo not in r.index or TOTALE in (prima, dopo):
                raise MappeError(
                    f"Per {nome} mancano dati della fase '{prima}' o '{dopo}': servono incontri di entrambe le fasi."
                )
            a, b = r.loc[prima], r.loc[dopo]
            if isinstance(a, str) or isinstance(b, str):  # a hidden figure: shown as it is, left out
                esclusi.append(nome)
                righe.append({"comune": nome, "gruppo": gruppo, "prima": a, "dopo": b, "variazione": NASCOSTO})
                continue
            a, b = _numero(a), _numero(b)
            righe.append({"comune": nome, "gruppo": gruppo, "prima": a, "dopo": b, "variazione": b - a})
    tab = pd.DataFrame(righe)
    usati = tab[~tab["comune"].isin(esclusi)]
    medie = {}
    for gruppo in ("intervento", "controllo"):
        valori = [v for v in usati.loc[usati["gruppo"] == gruppo, "variazione"] if not pd.isna(v)]
        if not valori:
            if pubblico and esclusi:
                raise MappeError(
                    f"Nei comuni di {gruppo} l'indicatore '{indicatore}' ha cifre nascoste (meno di "
                    f"{SOGLIA_AGGREGATI}, o nascoste perché non se ne ricalcoli una piccola): un confronto pubblicabile "
                    "non si può fare. Scegliere un indicatore con numeri più grandi, o usare 'mappe confronta "
                    "--interno' per un rapporto ad uso interno."
                )
            raise MappeError(f"L'indicatore '{indicatore}' non ha valori in entrambe le fasi per tutti i comuni.")
        medie[gruppo] = float(np.mean(valori))
    vi, vc = medie["intervento"], medie["controllo"]
    return Confronto(indicatore, prima, dopo, tab, round(vi, 4), round(vc, 4), round(vi - vc, 4), pubblico, esclusi)
