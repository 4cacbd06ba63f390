"""The catalogue in other languages (issue 20, point 4): a sheet for a cultural mediator with every
label and its Italian text, read back into the workspace's catalogue without losing a value or
inventing one, comments and layout of the files kept."""

import hashlib

import openpyxl

from mappe.archivio import Area

ARABO = {"bisogno": "حاجة", "risorsa": "مورد", "memoria": "ذكرى", "proposta": "اقتراح", "emozione": "شعور"}


def _impronta(cartella):
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted((cartella / "layers").glob("*.toml"))}


def _senza(area, lingua):
    """The workspace's catalogue without the labels mappe ships in ``lingua`` (a catalogue copied
    before they existed, or a project that wrote its own values)."""
    for f in (area.cartella / "layers").glob("*.toml"):
        righe = f.read_text(encoding="utf-8").splitlines(keepends=True)
        f.write_text("".join(r for r in righe if not r.startswith(f"label_{lingua} ")), encoding="utf-8")


def _foglio(cli, area, tmp_path, lingua="ar"):
    f = tmp_path / f"catalogo-{lingua}.xlsx"
    r = cli("catalogo", "traduzioni", "--lingua", lingua, "-o", f)
    assert r.exit_code == 0, r.output
    return f


def _compila(f, traduzioni: dict, vocabolario="tipo"):
    wb = openpyxl.load_workbook(f)
    ws = wb["traduzioni"]
    for riga in ws.iter_rows(min_row=2):
        if riga[0].value == vocabolario and riga[1].value in traduzioni:
            riga[4].value = traduzioni[riga[1].value]
    wb.save(f)
    return wb


def test_il_foglio_delle_traduzioni_va_e_torna(cli, area, tmp_path):
    _senza(area, "ar")
    f = _foglio(cli, area, tmp_path)
    ws = openpyxl.load_workbook(f)["traduzioni"]
    testa = [c.value for c in ws[1]]
    assert testa == ["vocabolario", "codice", "italiano", "spiegazione", "label_ar"]
    righe = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    voci = {(n, c) for n, v in area.catalogo.vocabolari.items() for c in v}
    assert set(righe) == voci  # every label, once
    assert righe[("tipo", "bisogno")][2] == "Bisogno" and righe[("tipo", "bisogno")][4] is None
    assert righe[("seguito", "realizzata")][2] == area.catalogo.vocabolari["seguito"]["realizzata"].label
    prima = (area.cartella / "layers" / "tipi.toml").read_text(encoding="utf-8")
    commenti = [r for r in prima.splitlines() if r.startswith("#")]
    # the mediator's text, with a stray bidi control a keyboard left in it
    _compila(f, {**ARABO, "proposta": "\u202bاقتراح\u202c"})
    r = cli("catalogo", "traduzioni", "importa", f)
    assert r.exit_code == 0, r.output
    assert "5 scritte" in r.output and "tipi.toml" in r.output and "le pagine le mostrano in italiano" in r.output
    dopo = (area.cartella / "layers" / "tipi.toml").read_text(encoding="utf-8")
    assert [r for r in dopo.splitlines() if r.startswith("#")] == commenti  # comments kept
    assert 'label_ar = "حاجة"' in dopo
    catalogo = Area(area.cartella).catalogo
    tipi = catalogo.vocabolari["tipo"]
    assert {c: v.etichetta("ar") for c, v in tipi.items()} == ARABO
    assert tipi["bisogno"].etichetta("it") == "Bisogno" and tipi["bisogno"].etichetta("uk") == "Потреба"  # (shipped)
    assert tipi["bisogno"].etichetta("bn") == "Bisogno"  # a language without labels: Italian
    # written again, the sheet holds what is there; imported again, nothing changes
    f2 = tmp_path / "di-nuovo.xlsx"
    assert cli("catalogo", "traduzioni", "--lingua", "ar", "-o", f2).exit_code == 0
    righe = {(r[0], r[1]): r[4] for r in openpyxl.load_workbook(f2)["traduzioni"].iter_rows(min_row=2, values_only=True)}
    assert righe[("tipo", "risorsa")] == "مورد" and righe[("tema", next(iter(catalogo.vocabolari["tema"])))] is None
    impronta = _impronta(area.cartella)
    r = cli("catalogo", "traduzioni", "importa", f2)
    assert r.exit_code == 0 and "0 scritte, 5 già uguali" in r.output
    assert _impronta(area.cartella) == impronta


def test_un_foglio_con_voci_inventate_o_perse_non_cambia_niente(cli, area, tmp_path):
    f = _foglio(cli, area, tmp_path)
    wb = _compila(f, ARABO)
    ws = wb["traduzioni"]
    ws.append(["tipo", "sogno", "Sogno", "", "حلم"])  # a key the catalogue does not have
    invento = tmp_path / "inventato.xlsx"
    wb.save(invento)
    impronta = _impronta(area.cartella)
    r = cli("catalogo", "traduzioni", "importa", invento)
    assert r.exit_code == 1
    testo = " ".join(r.output.split())
    assert f"riga {ws.max_row}: la voce 'sogno' del vocabolario 'tipo' non è nel catalogo" in testo
    assert "nessuna traduzione è stata scritta" in testo and "Traceback" not in r.output
    wb = openpyxl.load_workbook(f)
    ws = wb["traduzioni"]
    ws.delete_rows(3, 2)  # two values lost
    perso = tmp_path / "perso.xlsx"
    wb.save(perso)
    r = cli("catalogo", "traduzioni", "importa", perso)
    assert r.exit_code == 1 and "mancano 2 voci del catalogo" in " ".join(r.output.split())
    altro = tmp_path / "altro.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["nome", "testo"])
    wb.active.append(["x", "y"])
    wb.save(altro)
    r = cli("catalogo", "traduzioni", "importa", altro)
    assert r.exit_code == 1 and "non è un foglio di traduzioni di mappe" in r.output
    r = cli("catalogo", "traduzioni", "--lingua", "arabo", "-o", tmp_path / "x.xlsx")
    assert r.exit_code == 1 and "non è un codice di lingua" in r.output
    assert _impronta(area.cartella) == impronta


def test_un_vocabolario_preso_dal_catalogo_di_mappe_si_traduce_in_un_file_dell_area(cli, area, tmp_path):
    # an older workspace: its catalogue predates statuses and initiatives, mappe lends its own
    (area.cartella / "layers" / "seguito.toml").unlink()
    strati = area.cartella / "layers" / "strati.toml"
    testo = strati.read_text(encoding="utf-8")
    testo = testo[:testo.index("[iniziative]")] + testo[testo.index("[incontri]"):]
    for campo in ("stato", "esito", "data_stato", "tappe"):
        inizio = testo.index(f"[contributi.campi.{campo}]")
        testo = testo[:inizio] + testo[testo.index("\n[", inizio) + 1:]
    strati.write_text(testo, encoding="utf-8")
    assert "seguito" in Area(area.cartella).catalogo.vocabolari
    f = _foglio(cli, area, tmp_path, "uk")
    _compila(f, {"realizzata": "Зроблено"}, "seguito")  # the mediator prefers another word
    r = cli("catalogo", "traduzioni", "importa", f)
    assert r.exit_code == 0, r.output
    nuovo = area.cartella / "layers" / "seguito.toml"
    assert nuovo.exists() and "Зроблено" in nuovo.read_text(encoding="utf-8")
    catalogo = Area(area.cartella).catalogo
    assert catalogo.vocabolari["seguito"]["realizzata"].etichetta("uk") == "Зроблено"
    assert set(catalogo.vocabolari["seguito"]) == {"detta", "in_valutazione", "sostenuta", "in_corso", "realizzata",
                                                   "non_realizzabile"}


def test_controlli_note_e_invisibili_nel_foglio(cli, area, tmp_path):
    import csv

    _senza(area, "ar")
    f = _foglio(cli, area, tmp_path)
    ws = openpyxl.load_workbook(f)["traduzioni"]
    righe = [list(r) for r in ws.iter_rows(values_only=True)]
    impronta = _impronta(area.cartella)

    def prova(nome, cambia):
        copia = [list(r) for r in righe]
        cambia(copia)
        p = tmp_path / nome
        with open(p, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows([["" if v is None else v for v in r] for r in copia])
        return cli("catalogo", "traduzioni", "importa", p)

    def controllo(c):
        c[1][4] = "ab\x07\x1bcd"

    r = prova("controllo.csv", controllo)
    assert r.exit_code == 1 and "riga 2" in r.output and "caratteri di controllo" in r.output

    def nota(c):
        c.append(["", "", "", "", "Da rivedere con Samira"])

    r = prova("nota.csv", nota)
    assert r.exit_code == 1 and "una riga senza vocabolario e codice" in r.output
    assert _impronta(area.cartella) == impronta

    def invisibili_e_apostrofo(c):
        for riga in c[1:]:
            if riga[0] == "tipo" and riga[1] == "bisogno":
                riga[4] = "\ufeff\u200b\u00ad"  # shows nothing: stays Italian
            if riga[0] == "tipo" and riga[1] == "risorsa":
                riga[4] = "'=مورد"  # mappe's own guard against formulas, taken away

    r = prova("invisibili.csv", invisibili_e_apostrofo)
    assert r.exit_code == 0, r.output
    tipi = Area(area.cartella).catalogo.vocabolari["tipo"]
    assert tipi["bisogno"].etichetta("ar") == "Bisogno" and tipi["risorsa"].etichetta("ar") == "=مورد"
