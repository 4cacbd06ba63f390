"""The catalogue in other languages: a sheet for a cultural mediator, and back.

Each value of a vocabulary (a kind, a theme, a feeling, a status...) has its Italian ``label`` and
may carry ``label_<lingua>`` (``label_ar``, ``label_uk``...): the public pages show it to a visitor
who chose that language, and fall back to Italian where it is missing.

``mappe catalogo traduzioni --lingua ar -o ar.xlsx`` writes every label with its Italian text and
the translation already there (:func:`scrivi_foglio`); the mediator fills in the last column, and
``mappe catalogo traduzioni importa ar.xlsx`` writes the translations into the workspace's
catalogue files (:func:`importa_foglio`), keeping their comments and layout. The sheet must be the
one mappe wrote: no value lost, none invented; an empty cell leaves the value as it was.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .catalogo import Catalogo, carica_catalogo, cartella_predefinita
from .errori import MappeError
from .file import da_cella_csv, scrivi_tutto_o_niente
from .lingue import LINGUE
from .testo import normalizza, quanti

__all__ = ["LINGUE", "Esito", "importa_foglio", "mancanti", "scrivi_foglio"]

_LINGUA = re.compile(r"^[a-z]{2,3}$")
# What a label cannot hold (XML refuses it in the sheet, a page would show a box) and what shows
# nothing (a label made of it falls back to Italian); the joiners that shape Arabic words stay.
_NON_AMMESSI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_INVISIBILI = re.compile("[\u00ad\u200b\u200e\u200f\u2060-\u2064\ufeff]")
COLONNE = ("vocabolario", "codice", "italiano", "spiegazione")
MAX_ETICHETTA = 120


def controlla_lingua(lingua: str) -> str:
    lingua = (lingua or "").strip().lower()
    if not _LINGUA.match(lingua):
        raise MappeError(f"'{lingua}' non è un codice di lingua: usare due lettere, per esempio ar (arabo), "
                         f"uk (ucraino), ro (rumeno); quelle già pronte per le pagine: {', '.join(LINGUE)}.")
    if lingua == "it":
        raise MappeError("L'italiano è la lingua del catalogo (label): scegliere la lingua in cui tradurlo.")
    return lingua


def _voci(catalogo: Catalogo):
    for nome, voci in catalogo.vocabolari.items():
        for codice, voce in voci.items():
            yield nome, codice, voce


def traduzione(voce, lingua: str) -> str | None:
    if lingua == "en" and voce.label_en:
        return voce.label_en
    v = voce.extra.get(f"label_{lingua}")
    return v if isinstance(v, str) and v.strip() else None


def mancanti(catalogo: Catalogo, lingua: str, vocabolari=None) -> list[str]:
    """The values without a label in ``lingua`` (``tema.lavoro``...): a page in that language shows
    them in Italian. ``vocabolari``: only those (the ones a page shows)."""
    if lingua == "it":
        return []
    return [f"{nome}.{codice}" for nome, codice, voce in _voci(catalogo)
            if (vocabolari is None or nome in vocabolari) and traduzione(voce, lingua) is None]


def scrivi_foglio(catalogo: Catalogo, lingua: str, percorso: Path | str, sovrascrivi: bool = False) -> int:
    """Write the sheet for translating the catalogue into ``lingua``. Returns how many labels."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    lingua = controlla_lingua(lingua)
    percorso = Path(percorso)
    if percorso.suffix.lower() != ".xlsx":
        raise MappeError(f"Il foglio delle traduzioni si scrive come .xlsx, non come '{percorso.suffix or percorso.name}': "
                         "cambiare il nome del file.")
    if percorso.exists() and not sovrascrivi:
        raise MappeError(f"Il file {percorso} esiste già (forse è già stato compilato): scegliere un altro nome, "
                         "o aggiungere --sovrascrivi per sostituirlo.")
    colonna = f"label_{lingua}"
    righe = [[nome, codice, voce.label, voce.descrizione or "", traduzione(voce, lingua) or ""]
             for nome, codice, voce in _voci(catalogo)]

    def scrivi(tmp: str) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "traduzioni"
        ws.append([*COLONNE, colonna])
        for r in righe:
            ws.append(r)
        grassetto = Font(bold=True)
        for c in ws[1]:
            c.font = grassetto
        giallo = PatternFill("solid", fgColor="FFF4C2")
        for (c,) in ws.iter_rows(min_row=2, min_col=5, max_col=5):
            c.fill = giallo
            c.alignment = Alignment(wrap_text=True)
        for lettera, larghezza in zip("ABCDE", (16, 22, 34, 40, 40)):
            ws.column_dimensions[lettera].width = larghezza
        ws.freeze_panes = "A2"
        info = wb.create_sheet("Istruzioni")
        for riga in (
            f"Traduzione del catalogo di mappe in: {LINGUE.get(lingua, lingua)} ({lingua})",
            "",
            ("Nel foglio 'traduzioni', una riga per ogni voce che le mappe pubbliche mostrano (tipi, temi, "
             "emozioni, stati...)."),
            (f"Scrivere la traduzione nella colonna gialla ({colonna}), accanto al testo italiano. La spiegazione "
             "aiuta a capire il senso; non va tradotta."),
            ("Non cambiare le colonne vocabolario e codice, non aggiungere né togliere righe. Una cella lasciata "
             "vuota lascia la voce com'era (la pagina la mostra in italiano)."),
            "Poi: mappe catalogo traduzioni importa " + percorso.name,
            "",
            ("Le traduzioni vanno riviste da chi parla la lingua (una mediatrice o un mediatore culturale) prima "
             "di una mostra pubblica."),
        ):
            info.append([riga])
        info.column_dimensions["A"].width = 110
        wb.save(tmp)

    scrivi_tutto_o_niente(percorso, scrivi)
    return len(righe)


@dataclass
class Esito:
    lingua: str
    cambiate: int = 0
    uguali: int = 0
    vuote: list[str] = field(default_factory=list)  # values still without a translation
    file: list[Path] = field(default_factory=list)  # catalogue files written


def _leggi(percorso: Path):
    from .importa.tabelle import leggi_csv, leggi_foglio

    if not percorso.is_file():
        raise MappeError(f"Il file {percorso} non esiste: indicare il foglio scritto da 'mappe catalogo traduzioni'.")
    if percorso.suffix.lower() in (".csv", ".txt", ".tsv"):
        return leggi_csv(percorso)
    try:
        return leggi_foglio(percorso, "traduzioni")
    except MappeError as e:
        if "non ha un foglio" not in str(e):
            raise
        return leggi_foglio(percorso)  # the sheet renamed: the first one


def importa_foglio(cartella: Path, percorso: Path | str, prova: bool = False) -> Esito:
    """Write the translations of a filled sheet into the catalogue in ``cartella`` (the workspace's
    ``layers``). Everything is checked before any file changes; a refused sheet changes nothing."""
    percorso = Path(percorso)
    cartella = Path(cartella)
    if cartella.resolve() == cartella_predefinita().resolve():
        raise MappeError("Il catalogo di mappe non si cambia: le traduzioni vanno nel catalogo di un'area di lavoro "
                         "(eseguire il comando dentro l'area, o con --area).")
    catalogo = carica_catalogo(cartella)
    df = _leggi(percorso)
    colonne = {str(c).strip().lower(): c for c in df.columns}
    lingue = [c[len("label_"):] for c in colonne if c.startswith("label_")]
    manca = [c for c in ("vocabolario", "codice") if c not in colonne]
    if manca or len(lingue) != 1:
        raise MappeError(f"Il file {percorso} non è un foglio di traduzioni di mappe: servono le colonne vocabolario, "
                         "codice e una colonna label_<lingua> (per esempio label_ar). Scriverlo con 'mappe catalogo "
                         "traduzioni --lingua ar -o ar.xlsx'.")
    lingua = controlla_lingua(lingue[0])
    col = colonne[f"label_{lingua}"]
    attese = {(n, c) for n, c, _ in _voci(catalogo)}
    viste: dict[tuple[str, str], int] = {}
    nuove: dict[tuple[str, str], str] = {}
    csv = percorso.suffix.lower() in (".csv", ".txt", ".tsv")
    for r in df.to_dict("records"):
        riga = int(r["_riga"])
        chiave = (str(r[colonne["vocabolario"]] or "").strip(), str(r[colonne["codice"]] or "").strip())
        if not chiave[0] and not chiave[1]:
            raise MappeError(f"{percorso.name}, riga {riga}: una riga senza vocabolario e codice (forse una nota "
                             "scritta sotto la tabella): toglierla, le note vanno altrove (nessuna traduzione è stata "
                             "scritta).")
        if chiave not in attese:
            raise MappeError(f"{percorso.name}, riga {riga}: la voce '{chiave[1]}' del vocabolario '{chiave[0]}' non è "
                             "nel catalogo: non aggiungere righe e non cambiare le colonne vocabolario e codice "
                             "(nessuna traduzione è stata scritta).")
        if chiave in viste:
            raise MappeError(f"{percorso.name}, riga {riga}: la voce {chiave[0]}.{chiave[1]} compare già alla riga "
                             f"{viste[chiave]}: tenerne una sola (nessuna traduzione è stata scritta).")
        viste[chiave] = riga
        testo = r[col]
        if testo is None:
            continue
        testo = da_cella_csv(str(testo)) if csv else str(testo)
        if _NON_AMMESSI.search(testo):
            raise MappeError(f"{percorso.name}, riga {riga}, colonna {col}: la traduzione contiene caratteri di "
                             "controllo: riscriverla a mano (nessuna traduzione è stata scritta).")
        testo = " ".join(_INVISIBILI.sub("", normalizza(testo)).split())
        if not testo:
            continue
        if len(testo) > MAX_ETICHETTA:
            raise MappeError(f"{percorso.name}, riga {riga}, colonna {col}: la traduzione è lunga {len(testo)} "
                             f"caratteri, più di {MAX_ETICHETTA}: un'etichetta va scritta breve (nessuna traduzione "
                             "è stata scritta).")
        nuove[chiave] = testo
    perse = sorted(attese - set(viste))
    if perse:
        elenco = ", ".join(f"{n}.{c}" for n, c in perse[:8]) + ("..." if len(perse) > 8 else "")
        raise MappeError(f"Nel file {percorso.name} mancano {quanti(len(perse), 'voce', 'voci')} del catalogo "
                         f"({elenco}): usare il foglio scritto da 'mappe catalogo traduzioni --lingua {lingua}' senza "
                         "togliere righe (nessuna traduzione è stata scritta).")
    esito = Esito(lingua)
    voci = catalogo.vocabolari
    da_scrivere = {}
    for (nome, codice), testo in nuove.items():
        if traduzione(voci[nome][codice], lingua) == testo:
            esito.uguali += 1
        else:
            da_scrivere[(nome, codice)] = testo
    esito.cambiate = len(da_scrivere)
    esito.vuote = [f"{n}.{c}" for n, c in sorted(attese) if (n, c) not in nuove
                   and traduzione(voci[n][c], lingua) is None]
    if da_scrivere and not prova:
        esito.file = _scrivi_nel_catalogo(cartella, lingua, da_scrivere)
    return esito


def _scrivi_nel_catalogo(cartella: Path, lingua: str, nuove: dict[tuple[str, str], str]) -> list[Path]:
    """Put ``label_<lingua>`` into the TOML files where each value is defined (comments and layout
    kept). A vocabulary the workspace took from mappe's own catalogue (an older workspace) gets a
    file of its own. The catalogue is loaded from the changed files before any is replaced."""
    import tomlkit

    chiave_lingua = "en" if lingua == "en" else lingua
    campo = "label_en" if chiave_lingua == "en" else f"label_{lingua}"
    documenti: dict[Path, object] = {}
    dove: dict[tuple[str, str], Path] = {}
    for file in sorted(cartella.glob("*.toml")):
        doc = tomlkit.parse(file.read_text(encoding="utf-8"))
        documenti[file] = doc
        for nome, tabella in doc.items():
            if isinstance(tabella, dict) and "campi" not in tabella:
                for codice in tabella:
                    dove.setdefault((nome, str(codice)), file)
    base = None
    for (nome, codice), testo in nuove.items():
        file = dove.get((nome, codice))
        if file is None:  # the vocabulary came from mappe's catalogue: copy it into the workspace
            if base is None:
                base = {f: tomlkit.parse(f.read_text(encoding="utf-8")) for f in cartella_predefinita().glob("*.toml")}
            origine = next(f for f, d in base.items() if nome in d and "campi" not in d[nome])
            file = cartella / f"{nome}.toml"
            if file not in documenti:
                doc = tomlkit.document()
                doc.add(tomlkit.comment(f"Il vocabolario {nome}, copiato dal catalogo di mappe ({origine.name}) per "
                                        "tenerne le traduzioni."))
                doc[nome] = base[origine][nome]
                documenti[file] = doc
            for c in documenti[file][nome]:
                dove[(nome, str(c))] = file
        documenti[file][nome][codice][campo] = testo
    cambiati = {dove[k] for k in nuove}
    # check the whole catalogue as it will be, in a copy, before touching the workspace's files
    with tempfile.TemporaryDirectory(prefix="mappe-catalogo-") as tmp:
        prova = Path(tmp)
        for f in cartella.glob("*.toml"):
            shutil.copy2(f, prova / f.name)
        for f in cambiati:
            (prova / f.name).write_text(tomlkit.dumps(documenti[f]), encoding="utf-8")
        carica_catalogo(prova)
    for f in sorted(cambiati):
        testo = tomlkit.dumps(documenti[f])
        scrivi_tutto_o_niente(f, lambda tmp, t=testo: Path(tmp).write_text(t, encoding="utf-8"))
    return sorted(cambiati)
