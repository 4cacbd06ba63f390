"""The spreadsheet template for facilitators, built from the catalogue."""

from __future__ import annotations

import csv
from pathlib import Path

from .catalogo import Catalogo
from .errori import MappeError
from .file import scrivi_tutto_o_niente

__all__ = ["MARCA_ESEMPIO", "colonne_modello", "scrivi_modello"]

SPIEGAZIONI_COORDINATE = {
    "lon": "Longitudine in gradi decimali (per esempio 7.5378). Si può lasciare vuota se c'è il luogo.",
    "lat": "Latitudine in gradi decimali (per esempio 45.0087). Si può lasciare vuota se c'è il luogo.",
}
ESEMPI_COORDINATE = {"lon": "7.5378", "lat": "45.0087"}


# Fields mappe writes by itself: not in a template for people to fill in
CAMPI_DI_MAPPE = ("tappe",)
MARCA_ESEMPIO = "ESEMPIO"  # the id of the template's example row: import skips the row that has it


def colonne_modello(catalogo: Catalogo, strato: str = "contributi", lingue=()) -> list[str]:
    """The columns of the template: the layer's fields (translations only in ``lingue``), then lon
    and lat for located layers."""
    from .lingue import originale_di

    s = catalogo.strati[strato]
    colonne = [c for c in s.campi if c not in CAMPI_DI_MAPPE
               and (originale_di(c, strato) is None or originale_di(c, strato)[1] in lingue)]
    if s.geometria:
        colonne += ["lon", "lat"]
    return colonne


SPIEGAZIONI_LUOGO = {
    "lon": "Longitudine in gradi decimali (per esempio 7.5378): obbligatoria per un luogo.",
    "lat": "Latitudine in gradi decimali (per esempio 45.0087): obbligatoria per un luogo.",
}


def comando_importa(strato: str, file: str = "FILE.xlsx") -> str:
    """The command that imports a template of ``strato``."""
    extra = "" if strato == "contributi" else f" --strato {strato}"
    return f"mappe importa {file} --comune NOME{extra}"


def _istruzioni(catalogo: Catalogo, strato: str, lingue=()) -> list[list[str]]:
    s = catalogo.strati[strato]
    righe = [["Colonna", "Obbligatoria", "Che cosa scrivere", "Valori ammessi (codice = significato)"]]
    for nome in colonne_modello(catalogo, strato, lingue):
        if nome in s.campi:
            c = s.campi[nome]
            descr = c.descrizione + (" (Campo privato: non esce mai in pubblico.)" if c.privato and "pubblico" not in c.descrizione else "")
            if c.valori:
                valori = "; ".join(f"{k} = {v.label}" for k, v in catalogo.voci(c.valori).items())
                if c.tipo == "lista":
                    valori += " (più valori separati da |)"
            elif c.tipo == "booleano":
                valori = "sì oppure no"
            elif c.tipo == "data":
                valori = "una data, come 23/11/2026"
            elif c.tipo == "intero":
                valori = "un numero intero"
            else:
                valori = "testo libero"
            righe.append([nome, "sì" if c.obbligatorio else "no", descr, valori])
        else:
            spiega = SPIEGAZIONI_LUOGO if strato == "luoghi" else SPIEGAZIONI_COORDINATE
            righe.append([nome, "sì" if strato == "luoghi" else "no", spiega[nome],
                          "un numero con il punto o la virgola, o in gradi: 45°00'24\"N"])
    return righe


def _non_sovrascrivere(percorso: Path, sovrascrivi: bool) -> None:
    if percorso.exists() and not sovrascrivi:
        raise MappeError(
            f"Il file {percorso} esiste già (forse è un foglio già compilato): scegliere un altro nome, "
            "o aggiungere --sovrascrivi per sostituirlo."
        )


def scrivi_modello(catalogo: Catalogo, percorso: Path | str, strato: str = "contributi",
                   sovrascrivi: bool = False, lingue=()) -> Path:
    """Write an empty template with one example row (XLSX: plus an 'Istruzioni' sheet).

    A CSV template is written for Italian Excel: UTF-8 with BOM and ';' as separator. ``lingue``:
    the languages whose translation columns it has (``testo_ar``...; none by default).
    """
    percorso = Path(percorso)
    est = percorso.suffix.lower()
    if est not in (".xlsx", ".csv"):
        raise MappeError(f"Il modello si scrive come .xlsx o .csv, non come '{est or percorso.name}': cambiare il nome del file.")
    if strato not in catalogo.strati:
        raise MappeError(f"Lo strato '{strato}' non esiste: usare uno di {', '.join(catalogo.strati)}.")
    _non_sovrascrivere(percorso, sovrascrivi)
    s = catalogo.strati[strato]
    colonne = colonne_modello(catalogo, strato, lingue)
    esempio = [s.campi[c].esempio if c in s.campi else ESEMPI_COORDINATE[c] for c in colonne]
    if "id" in colonne:  # the mark that tells the example row from a real one (a real id is never this)
        esempio[colonne.index("id")] = MARCA_ESEMPIO

    def scrivi(tmp: str) -> None:
        if est == ".csv":
            with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f, delimiter=";")
                w.writerow(colonne)
                w.writerow(esempio)
        else:
            _scrivi_xlsx(tmp, catalogo, strato, colonne, esempio, lingue)

    return scrivi_tutto_o_niente(percorso, scrivi)


def _scrivi_xlsx(tmp: str, catalogo: Catalogo, strato: str, colonne, esempio, lingue=()) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    s = catalogo.strati[strato]
    wb = Workbook()
    ws = wb.active
    ws.title = s.label[:31]
    ws.append(colonne)
    ws.append(esempio)
    for cella in ws[1]:
        cella.font = Font(bold=True)
        cella.fill = PatternFill("solid", fgColor="F5E6C8")
    for cella in ws[2]:
        cella.font = Font(italic=True, color="7F7F7F")
    for j, nome in enumerate(colonne, start=1):
        larghezza = 40 if nome in ("testo", "descrizione") else max(12, len(nome) + 4)
        ws.column_dimensions[ws.cell(1, j).column_letter].width = larghezza
    ws.freeze_panes = "A2"
    # Drop-down menus for the choice fields, from the catalogue.
    valori_ws = wb.create_sheet("Valori")
    col_valori = 1
    for j, nome in enumerate(colonne, start=1):
        c = s.campi.get(nome)
        if c is None or c.tipo != "scelta":
            continue
        codici = list(catalogo.voci(c.valori))
        if strato == "iniziative" and nome == "stato":
            codici = [k for k in codici if k != "detta"]  # said in a focus group: proposals and needs only
        valori_ws.cell(1, col_valori, nome).font = Font(bold=True)
        for k, cod in enumerate(codici, start=2):
            valori_ws.cell(k, col_valori, cod)
        lettera = valori_ws.cell(1, col_valori).column_letter
        dv = DataValidation(
            type="list", formula1=f"=Valori!${lettera}$2:${lettera}${len(codici) + 1}", allow_blank=True,
            showErrorMessage=True, errorTitle="Valore non ammesso",
            error=f"Per '{nome}' scegliere un valore dall'elenco.",
        )
        colonna = ws.cell(1, j).column_letter
        dv.add(f"{colonna}2:{colonna}5000")
        ws.add_data_validation(dv)
        col_valori += 1
    ist = wb.create_sheet("Istruzioni", 1)
    for riga in _istruzioni(catalogo, strato, lingue):
        ist.append(riga)
    for cella in ist[1]:
        cella.font = Font(bold=True)
    for lettera, w in zip("ABCD", (16, 12, 60, 70)):
        ist.column_dimensions[lettera].width = w
    for row in ist.iter_rows(min_row=2):
        for cella in row:
            cella.alignment = Alignment(wrap_text=True, vertical="top")
    ist.append([])
    cosa = {"contributi": "Una riga per ogni cosa detta nel focus group.", "luoghi": "Una riga per ogni luogo.",
            "incontri": "Una riga per ogni incontro.",
            "iniziative": "Una riga per ogni iniziativa nata da proposte e bisogni: chi la porta avanti (un'organizzazione, "
                          "mai una persona privata), a che cosa risponde, con quale fondo."}.get(strato, "")
    come = (f"{cosa} La riga in grigio è un esempio: sostituirla o lasciarla, viene ignorata. "
            f"Poi: {comando_importa(strato)}. Per correggere dopo righe già importate: "
            "mappe esporta NOME --completo --formato xlsx -o corretto.xlsx, correggere lì (la colonna id resta) "
            "e importarlo.")
    ist.append(["Come si usa", "", come, ""])
    wb.save(tmp)


def _tipo_xlsform(campo) -> str:
    if campo.nome == "foto":
        return "image"  # the phone's camera or gallery: Kobo and ODK export the file's name, and the file
    if campo.tipo == "scelta":
        return f"select_one {campo.valori}"
    if campo.tipo == "lista":
        return f"select_multiple {campo.valori}" if campo.valori else "text"
    if campo.tipo == "booleano":
        return "select_one si_no"
    return {"intero": "integer", "data": "date"}.get(campo.tipo, "text")


def scrivi_xlsform(catalogo: Catalogo, percorso: Path | str, strato: str = "contributi",
                   sovrascrivi: bool = False) -> Path:
    """Write an XLSForm (KoboToolbox, ODK Collect) built from the catalogue.

    Its question names are the catalogue's field names and its choices the catalogue's
    codes, so the form's exports import with no column mapping; the position is a
    ``geopoint`` (or a ``geotrace`` / ``geoshape``).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    percorso = Path(percorso)
    if percorso.suffix.lower() != ".xlsx":
        raise MappeError(f"Un XLSForm è un file .xlsx, non '{percorso.name}': cambiare il nome del file.")
    _non_sovrascrivere(percorso, sovrascrivi)
    s = catalogo.strati[strato]
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "hint", "required", "relevant", "constraint", "default", "appearance"])
    usati = []
    from .catalogo import CAMPI_SEGUITO
    from .lingue import originale_di

    for nome, c in s.campi.items():
        if nome == "id":
            continue  # Kobo and ODK give every submission its own _uuid, used as the id
        if nome in CAMPI_SEGUITO:
            continue  # what became of a proposal is not asked in the focus group
        if originale_di(nome, strato):
            continue  # translations are written later, by a person, in the spreadsheet
        rilevante = ""
        if nome == "emozione":
            rilevante = "${tipo} = 'emozione'"
        elif nome == "epoca":
            rilevante = "${tipo} = 'memoria'"
        elif nome == "risponde_a":
            rilevante = "${tipo} = 'risorsa' or ${tipo} = 'proposta'"
        elif nome in ("didascalia", "autore_foto", "foto_pubblica") and "foto" in s.campi:
            rilevante = "${foto} != ''"
        vincolo = ". >= 1" if nome == "peso" else ""
        predefinito = {"peso": "1", "visibilita": "pubblico", "sensibile": "no"}.get(nome, "")
        aspetto = "multiline" if nome in ("testo", "descrizione", "note") else ""
        etichetta = nome.replace("_", " ").capitalize()
        survey.append([_tipo_xlsform(c), nome, etichetta, c.descrizione, "yes" if c.obbligatorio else "",
                       rilevante, vincolo, predefinito, aspetto])
        if c.valori and c.valori not in usati:
            usati.append(c.valori)
    if s.geometria:
        survey.append(["geopoint", "posizione", "Dove?", "Il punto sulla mappa (vuoto se si indica il luogo).",
                       "", "", "", "", ""])
        if strato == "contributi":
            survey.append(["geotrace", "percorso", "Oppure un percorso", "Per i contributi che seguono una strada.",
                           "", "", "", "", ""])
            survey.append(["geoshape", "zona", "Oppure una zona", "Per i contributi su un'area.", "", "", "", "", ""])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for vocabolario in usati:
        for codice, voce in catalogo.voci(vocabolario).items():
            if vocabolario == "reazione" and voce.extra.get("suggerimento"):
                continue
            choices.append([vocabolario, codice, voce.label])
    if "si_no" not in usati:  # the yes/no questions (booleano fields)
        choices.append(["si_no", "si", "Sì"])
        choices.append(["si_no", "no", "No"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append([f"mappe – {s.label.lower()}", f"mappe_{strato}", "Italiano (it)"])
    for ws in (survey, choices, settings):
        for cella in ws[1]:
            cella.font = Font(bold=True)
    return scrivi_tutto_o_niente(percorso, wb.save)
