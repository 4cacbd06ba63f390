"""Reading the territory: which needs have an answer nearby, summaries per comune and phase,
and the comparison of intervention and control comuni (difference in differences).

Distances are measured in metres in a projected CRS (the UTM zone of the data), never in
degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .archivio import Archivio
from .errori import MappeError
from .pubblico import SOGLIA_AGGREGATI

__all__ = ["DISTANZA_M", "INDICATORI", "Confronto", "Rete", "confronta", "rete", "riepilogo", "scoperti"]

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


def scoperti(archivio: Archivio, distanza: float = DISTANZA_M) -> pd.DataFrame:
    """The needs of a comune with no answer within ``distanza``, with the nearest resource of their theme."""
    c = archivio.leggi("contributi")
    c = c[c["visibilita"] != "riservato"].reset_index(drop=True)
    rr = rete(c, distanza)
    righe = []
    risposte = c[c["tipo"].isin(TIPI_RISPOSTA) & c.geometry.notna()]
    metri = _metrico(c[c.geometry.notna()]) if c.geometry.notna().any() else None
    for i in rr.scoperti:
        riga = {"id": c.at[i, "id"], "tema": c.at[i, "tema"], "titolo": c.at[i, "titolo"], "testo": c.at[i, "testo"],
                "risorsa_piu_vicina": None, "titolo_risorsa": None, "distanza_m": None}
        stesso = risposte[risposte["tema"] == c.at[i, "tema"]]
        if metri is not None and c.geometry.iloc[i] is not None and len(stesso):
            d = metri.loc[stesso.index].distance(metri.loc[i])
            j = d.idxmin()
            riga.update(risorsa_piu_vicina=c.at[j, "id"], titolo_risorsa=c.at[j, "titolo"] or c.at[j, "testo"],
                        distanza_m=round(d.loc[j]))
        righe.append(riga)
    return pd.DataFrame(righe, columns=["id", "tema", "titolo", "testo", "risorsa_piu_vicina", "titolo_risorsa",
                                        "distanza_m"])


def _fase_di(c: pd.DataFrame, incontri: pd.DataFrame) -> pd.Series:
    fasi = dict(zip(incontri["id"], incontri["fase"]))
    return c["incontro"].map(lambda x: fasi.get(x) or "senza fase" if x else "senza fase")


def riepilogo(archivi: list[Archivio], distanza: float = DISTANZA_M) -> pd.DataFrame:
    """Per comune and phase: sessions, participants, contributions by kind and theme, rates per
    1,000 inhabitants, share of needs without an answer, feedback received at exhibitions.

    Counts are true counts: hide the small ones (:func:`nascondi_piccoli`) before publishing.
    """
    righe = []
    for a in archivi:
        catalogo = a.catalogo
        c = a.leggi("contributi")
        c = c[c["visibilita"] != "riservato"].reset_index(drop=True)
        incontri = a.leggi("incontri")
        ris = a.leggi("riscontri")
        c["fase"] = _fase_di(c, incontri) if len(c) else pd.Series(dtype=object)
        popolazione = int(a.info["popolazione"])
        fasi = [f for f in catalogo.voci("fase") if f in set(incontri["fase"].dropna()) | set(c.get("fase", []))]
        fasi += sorted(set(c.get("fase", [])) - set(fasi))
        for n_fase, fase in enumerate(fasi or ["senza fase"]):
            # The network as it stood at this phase: what was said until then (this phase included).
            finora = c[c["fase"].isin(fasi[: n_fase + 1])] if len(c) else c
            rr = rete(finora, distanza) if len(finora) else Rete([], [], [])
            posizioni = finora.index.tolist()
            scop = {posizioni[i] for i in rr.scoperti}
            inc = incontri[incontri["fase"] == fase]
            cf = c[c["fase"] == fase] if len(c) else c
            riga = {"comune": a.nome, "fase": fase, "popolazione": popolazione, "incontri": len(inc),
                    "partecipanti": int(inc["partecipanti"].fillna(0).sum())}
            for fascia in catalogo.voci("fascia_eta"):
                riga[f"incontri_con_{fascia}"] = int(inc["fasce_eta"].fillna("").str.split("|").map(
                    lambda x, f=fascia: f in x).sum()) if len(inc) else 0
            riga["contributi"] = len(cf)
            riga["contributi_per_mille"] = round(len(cf) * 1000 / popolazione, 2) if popolazione else None
            for tipo in catalogo.voci("tipo"):
                riga[f"tipo_{tipo}"] = int((cf["tipo"] == tipo).sum()) if len(cf) else 0
            for tema in catalogo.voci("tema"):
                riga[f"tema_{tema}"] = int((cf["tema"] == tema).sum()) if len(cf) else 0
            bisogni = [i for i in cf.index if cf.at[i, "tipo"] == "bisogno"]
            riga["bisogni"] = len(bisogni)
            # uncovered at this phase, among all the needs said until then
            bisogni_finora = [i for i in finora.index if finora.at[i, "tipo"] == "bisogno"] if len(finora) else []
            riga["bisogni_scoperti"] = sum(1 for i in bisogni_finora if i in scop)
            riga["quota_bisogni_scoperti"] = (round(riga["bisogni_scoperti"] / len(bisogni_finora), 3)
                                              if bisogni_finora else None)
            ids = set(cf["id"]) if len(cf) else set()
            riga["riscontri"] = int(ris["su"].isin(ids).sum()) if len(ris) else 0
            righe.append(riga)
    return pd.DataFrame(righe)


# Columns that count contributions: fewer than 3 is not shown in a published summary.
def _colonne_conteggio(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c == "contributi" or c.startswith(("tipo_", "tema_")) or c in ("bisogni", "bisogni_scoperti")]


def nascondi_piccoli(df: pd.DataFrame) -> pd.DataFrame:
    """The summary as it may be published: counts of 1 or 2 become "<3" (and so do their rates)."""
    out = df.astype(object).copy()
    for col in _colonne_conteggio(df):
        piccoli = (df[col] > 0) & (df[col] < SOGLIA_AGGREGATI)
        out.loc[piccoli, col] = f"<{SOGLIA_AGGREGATI}"
        if col == "contributi":
            out.loc[piccoli, "contributi_per_mille"] = f"<{SOGLIA_AGGREGATI}"
        if col in ("bisogni", "bisogni_scoperti"):
            # the share would give the hidden count back (5 needs at 0.4 = 2): hide it too
            out.loc[piccoli, "quota_bisogni_scoperti"] = f"<{SOGLIA_AGGREGATI}"
    return out


INDICATORI = ("contributi_per_mille", "contributi", "incontri", "partecipanti", "quota_bisogni_scoperti",
              "bisogni_scoperti", "riscontri")


@dataclass
class Confronto:
    """The difference in differences of an indicator, with the figures behind it."""

    indicatore: str
    prima: str
    dopo: str
    tabella: pd.DataFrame  # comune, gruppo, prima, dopo, variazione
    variazione_intervento: float
    variazione_controllo: float
    differenza: float

    def spiegazione(self) -> str:
        """What the figure means, and what it cannot prove, in plain Italian."""
        n_i = int((self.tabella["gruppo"] == "intervento").sum())
        n_c = int((self.tabella["gruppo"] == "controllo").sum())
        verso = "più in alto" if self.differenza > 0 else "più in basso"
        return (
            f"Tra {self.prima} e {self.dopo}, l'indicatore '{self.indicatore}' è cambiato in media di "
            f"{self.variazione_intervento:+.2f} nei comuni dove il progetto è intervenuto e di "
            f"{self.variazione_controllo:+.2f} nei comuni di controllo. La differenza tra le due variazioni "
            f"(differenza nelle differenze) è {self.differenza:+.2f}: nei comuni dell'intervento l'indicatore "
            f"è arrivato {abs(self.differenza):.2f} {verso} di quanto ci si aspetterebbe guardando i comuni "
            f"di controllo.\n\n"
            f"Che cosa non dimostra: i comuni sono pochi ({n_i} di intervento, {n_c} di controllo) e i numeri "
            "piccoli, quindi la differenza può essere dovuta al caso; il confronto regge solo se, senza il "
            "progetto, i due gruppi sarebbero cambiati allo stesso modo (andamenti paralleli), cosa che con due "
            "sole rilevazioni non si può verificare; e gli incontri non sono un campione casuale della "
            "popolazione. Va letto come un indizio da discutere, non come la prova di un effetto."
        )


def confronta(riep: pd.DataFrame, intervento: list[str], controllo: list[str], indicatore: str,
              prima: str = "baseline", dopo: str = "verifica") -> Confronto:
    """Difference in differences of ``indicatore`` between two phases and two groups of comuni."""
    if indicatore not in riep.columns:
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
    if prima == dopo:
        raise MappeError(f"La fase di partenza e quella di verifica sono la stessa ('{prima}'): indicarne due diverse.")
    righe = []
    for gruppo, nomi in (("intervento", intervento), ("controllo", controllo)):
        for nome in nomi:
            r = riep[riep["comune"] == nome].set_index("fase")[indicatore]
            if prima not in r.index or dopo not in r.index:
                raise MappeError(
                    f"Per {nome} mancano dati della fase '{prima}' o '{dopo}': servono incontri di entrambe le fasi."
                )
            a, b = r.loc[prima], r.loc[dopo]
            a = float(a) if a is not None and not pd.isna(a) else np.nan
            b = float(b) if b is not None and not pd.isna(b) else np.nan
            righe.append({"comune": nome, "gruppo": gruppo, "prima": a, "dopo": b, "variazione": b - a})
    tab = pd.DataFrame(righe)
    vi = float(tab[tab["gruppo"] == "intervento"]["variazione"].mean())
    vc = float(tab[tab["gruppo"] == "controllo"]["variazione"].mean())
    if np.isnan(vi) or np.isnan(vc):
        raise MappeError(f"L'indicatore '{indicatore}' non ha valori in entrambe le fasi per tutti i comuni.")
    return Confronto(indicatore, prima, dopo, tab, round(vi, 4), round(vc, 4), round(vi - vc, 4))
