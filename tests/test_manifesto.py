"""Posters (mappe manifesto): real PDFs read back with pypdf, rendered with pypdfium2, QR codes
decoded with zxing-cpp, SVG parsed to see where the lines of the quotes end."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import scrivi_csv

from mappe.archivio import Area
from mappe.cli import main
from mappe.rendi.manifesto import FORMATI

URL = "http://192.168.1.20:8000/"


@pytest.fixture(scope="module")
def _demo(tmp_path_factory) -> Path:
    cartella = tmp_path_factory.mktemp("manifesti") / "area"
    r = CliRunner().invoke(main, ["demo", str(cartella)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return cartella


@pytest.fixture
def demo(_demo, tmp_path) -> Area:
    cartella = tmp_path / "area"
    shutil.copytree(_demo, cartella)
    return Area(cartella)


def mappe(area: Area, *args, codice: int = 0):
    vecchia = Path.cwd()
    os.chdir(area.cartella)
    try:
        r = CliRunner().invoke(main, ["--area", str(area.cartella), *map(str, args)], catch_exceptions=False)
    finally:
        os.chdir(vecchia)
    assert r.exit_code == codice, r.output
    return r


def leggi_testo_pdf(percorso: Path) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() for p in PdfReader(percorso).pages]


def qr_letti(percorso: Path, pagina: int = 0, dpi: int = 150):
    import pypdfium2 as pdfium
    import zxingcpp

    immagine = pdfium.PdfDocument(str(percorso))[pagina].render(scale=dpi / 72).to_pil()
    return zxingcpp.read_barcodes(immagine), immagine


@pytest.mark.parametrize("formato", ["A0", "A1", "A2", "A3", "A4"])
@pytest.mark.parametrize("orientamento", ["verticale", "orizzontale"])
def test_misure_iso_esatte(demo, tmp_path, formato, orientamento):
    from pypdf import PdfReader

    f = tmp_path / "m.pdf"
    r = mappe(demo, "manifesto", "Orbassano", "--formato", formato, "--orientamento", orientamento, "-o", f)
    assert f"{formato} {orientamento}, 1 pagina" in r.output
    box = PdfReader(f).pages[0].mediabox
    w, h = FORMATI[formato] if orientamento == "verticale" else FORMATI[formato][::-1]
    assert abs(float(box.width) * 25.4 / 72 - w) < 0.2 and abs(float(box.height) * 25.4 / 72 - h) < 0.2


def _dimensioni(percorso: Path) -> dict[str, float]:
    """Each piece of text of the first page and the size it is set in (pt)."""
    from pypdf import PdfReader

    dimensioni: dict[str, float] = {}

    def visita(testo, cm, tm, font, corpo):
        if testo.strip():
            scala = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            dimensioni[testo.strip()] = corpo * scala

    PdfReader(percorso).pages[0].extract_text(visitor_text=visita)
    return dimensioni


def test_leggibile_da_due_metri_con_caratteri_inclusi(demo, tmp_path):
    """A1: title at least 72 pt, the people's words and the legend at least 24 pt; fonts embedded as
    TrueType; the title, the legend and a quote can be read back as text."""
    from pypdf import PdfReader

    f = tmp_path / "a1.pdf"
    mappe(demo, "manifesto", "Orbassano", "--url", URL, "-o", f)
    testo = leggi_testo_pdf(f)[0]
    assert "Mappa della comunità" in testo and "Legenda" in testo and "Comune di Orbassano" in testo
    for parola in ("Bisogno", "Risorsa", "Memoria", "Proposta", "Emozione", "Luoghi della comunità"):
        assert parola in testo, parola
    assert "Inquadra e di' la tua" in testo
    # a quote of the people, with its «»
    citazioni = re.findall(r"«[^»]{10,}", testo.replace("\n", " "))
    assert len(citazioni) >= 6
    frasi = set(Area(demo.cartella).archivio("Orbassano").leggi("contributi")["testo"].dropna())
    inizio = citazioni[0][1:25]
    assert any(x.startswith(inizio) for x in frasi), inizio
    dimensioni = _dimensioni(f)
    assert max(dimensioni.values()) >= 72 - 0.1
    assert dimensioni["Mappa della comunità"] >= 72 - 0.1
    corpo = [v for k, v in dimensioni.items() if k.startswith("«")]
    assert corpo and min(corpo) >= 24 - 0.1
    assert dimensioni["Legenda"] >= 24 - 0.1
    # every font is embedded as TrueType
    font = PdfReader(f).pages[0]["/Resources"]["/Font"]
    assert font
    for nome in font:
        descrittore = font[nome].get_object()
        discendenti = descrittore.get("/DescendantFonts")
        d = (discendenti[0].get_object() if discendenti else descrittore)["/FontDescriptor"].get_object()
        assert "/FontFile2" in d, nome
        assert "DejaVu" in str(d["/FontName"])


@pytest.mark.parametrize("formato,minimo_mm", [("A1", 100), ("A4", 40)])
def test_il_codice_qr_si_legge_e_ha_la_sua_misura(demo, tmp_path, formato, minimo_mm):
    f = tmp_path / "q.pdf"
    mappe(demo, "manifesto", "Orbassano", "--formato", formato, "--url", URL, "-o", f)
    letti, immagine = qr_letti(f, dpi=150)
    assert [b.text for b in letti] == [URL]
    p = letti[0].position
    lato_px = ((p.top_right.x - p.top_left.x) ** 2 + (p.top_right.y - p.top_left.y) ** 2) ** 0.5
    dpi = 150
    assert lato_px / dpi * 25.4 >= minimo_mm - 1.5  # the code's own width, quiet zone apart
    # outside the map, with its quiet zone: the 4 modules around it are white
    moduli = lato_px / 25
    x0 = int(min(p.top_left.x, p.bottom_left.x) - 3.5 * moduli)
    y0 = int(min(p.top_left.y, p.top_right.y) - 3.5 * moduli)
    bordo = immagine.convert("L").crop((x0, y0, x0 + int(moduli * 3), int(p.bottom_left.y)))
    assert bordo.getextrema()[0] > 230


def test_solo_dati_pubblici(area, tmp_path):
    """A private note, a reserved contribution and its words never reach the poster; a title made of a
    private note is refused and nothing is written."""
    demo = area  # a real workspace (the demo's key is public: no real data go in)
    righe = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "visibilita", "sensibile", "consenso", "note", "autore", "lon",
         "lat"],
        ["C-1", "bisogno", "socialita", "Sera", "Manca un posto dove stare la sera tutti insieme in piazza",
         "pubblico", "no", "scritto", "Nota privatissima del facilitatore", "Giuseppina Bianchi", "7.5378",
         "45.0087"],
        ["C-2", "bisogno", "abitare", "Delicato", "Segnalazione riservata sulla famiglia del terzo piano", "riservato",
         "no", "scritto", "", "", "7.5420", "45.0050"],
        ["C-3", "risorsa", "lavoro", "Bottega", "Il falegname prende apprendisti e insegna il mestiere", "pubblico",
         "no", "orale", "", "", "7.5450", "45.0000"],
        ["C-4", "memoria", "socialita", "Piazza", "Qui ballavamo d'estate con la fisarmonica", "pubblico", "sì",
         "scritto", "", "", "7.5300", "45.0110"],
    ])
    mappe(demo, "importa", righe, "--comune", "Orbassano")
    f = tmp_path / "p.pdf"
    mappe(demo, "manifesto", "Orbassano", "--citazioni", "30", "-o", f)
    testo = leggi_testo_pdf(f)[0]
    assert "«Manca un posto dove stare" in testo.replace("\n", " ")  # the public words are there
    for segreto in ("Nota privatissima", "Giuseppina", "Bianchi", "famiglia del terzo piano", "C-1", "C-2"):
        assert segreto not in testo
    r = mappe(demo, "verifica-privacy", f, "--comune", "Orbassano")
    assert "nessun dato riservato trovato" in r.output
    brutto = tmp_path / "brutto.pdf"
    for titolo in ("Nota privatissima del facilitatore", "Segnalazione riservata sulla famiglia del terzo",
                   "La mappa di Giuseppina Bianchi"):
        r = mappe(demo, "manifesto", "Orbassano", "--titolo", titolo, "-o", brutto, codice=1)
        assert "Il titolo contiene un dato riservato" in r.output and "Niente è stato scritto" in r.output
        assert "Traceback" not in r.output
        assert not brutto.exists() and not list(tmp_path.glob(".mappe-*"))


def test_le_linee_delle_citazioni_finiscono_sui_loro_luoghi(demo, tmp_path):
    """In the SVG, each quote's line ends on a symbol of that quote's kind, drawn on the map."""
    f = tmp_path / "m.svg"
    mappe(demo, "manifesto", "Orbassano", "--formato", "A2", "-o", f)
    ns = {"s": "http://www.w3.org/2000/svg", "x": "http://www.w3.org/1999/xlink"}
    radice = ET.parse(f).getroot()
    simboli = []  # (x, y, colour) of every symbol of a contribution
    for u in radice.iter("{http://www.w3.org/2000/svg}use"):
        colore = re.search(r"fill: (#[0-9a-f]{6})", u.get("style", ""))
        if colore:
            simboli.append((float(u.get("x")), float(u.get("y")), colore.group(1)))
    colori = {v.colore: k for k, v in demo.catalogo.voci("tipo").items()}
    linee = [g for g in radice.iter("{http://www.w3.org/2000/svg}g") if (g.get("id") or "").startswith("linea-")]
    assert len(linee) >= 6
    for g in linee:
        percorso = g.find("s:path", ns)
        numeri = [float(x) for x in re.findall(r"-?\d+\.?\d*", percorso.get("d"))]
        fine = numeri[-2:]
        colore = re.search(r"stroke: (#[0-9a-f]{6})", percorso.get("style")).group(1)
        vicini = [s for s in simboli if abs(s[0] - fine[0]) < 0.5 and abs(s[1] - fine[1]) < 0.5]
        assert any(s[2] == colore for s in vicini), (g.get("id"), fine)
        assert colore in colori
        # named by its public id: no internal id in a public file
        assert re.fullmatch(r"linea-p[0-9a-f]{15}", g.get("id"))
    assert "C-ORB-" not in f.read_text(encoding="utf-8")


def _incrociate(linee: list[tuple]) -> int:
    def verso(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    n = 0
    for i in range(len(linee)):
        for j in range(i + 1, len(linee)):
            p1, p2 = linee[i]
            q1, q2 = linee[j]
            if verso(p1, p2, q1) * verso(p1, p2, q2) < 0 and verso(q1, q2, p1) * verso(q1, q2, p2) < 0:
                n += 1
    return n


@pytest.mark.parametrize("comune", ["Orbassano", "Volvera", "Rivalta di Torino"])
@pytest.mark.parametrize("orientamento", ["verticale", "orizzontale"])
def test_le_linee_non_si_incrociano(demo, comune, orientamento):
    from mappe.rendi.manifesto import costruisci_manifesto, misure

    fatto = costruisci_manifesto(demo, demo.archivio(comune), misure("A1", orientamento), url=URL)
    linee = [(c["attacco_mm"], c["punto_mm"]) for c in fatto.citazioni]
    assert len(linee) >= 6
    assert _incrociate(linee) == 0


def test_tutti_i_comuni_un_foglio_ciascuno(demo, tmp_path):
    from pypdf import PdfReader

    f = tmp_path / "mostra.pdf"
    r = mappe(demo, "manifesto", "--tutti", "--formato", "A3", "--url", "https://mappe.esempio.it/{comune}", "-o", f)
    assert "6 pagine" in r.output
    pagine = leggi_testo_pdf(f)
    nomi = ["Beinasco", "Bruino", "Orbassano", "Piossasco", "Rivalta di Torino", "Volvera"]
    assert len(pagine) == 6 == len(PdfReader(f).pages)
    for testo, nome in zip(pagine, nomi):
        assert f"Comune di {nome}" in testo
    letti, _ = qr_letti(f, pagina=2, dpi=100)
    assert [b.text for b in letti] == ["https://mappe.esempio.it/orbassano"]


def test_cartoline(demo, tmp_path):
    from pypdf import PdfReader

    f = tmp_path / "cartoline.pdf"
    mappe(demo, "manifesto", "Orbassano", "Volvera", "--cartolina", "--url", "https://mappe.esempio.it/{comune}",
          "-o", f)
    lettore = PdfReader(f)
    assert len(lettore.pages) == 2
    box = lettore.pages[0].mediabox
    assert abs(float(box.width) * 25.4 / 72 - 105) < 0.2 and abs(float(box.height) * 25.4 / 72 - 148) < 0.2
    testo = leggi_testo_pdf(f)[1]
    assert "Comune di Volvera" in testo and len(re.findall("«", testo)) == 2
    letti, _ = qr_letti(f, pagina=1, dpi=200)
    assert [b.text for b in letti] == ["https://mappe.esempio.it/volvera"]


def test_svg_e_png(demo, tmp_path):
    from PIL import Image

    mappe(demo, "manifesto", "Orbassano", "--formato", "A4", "--url", URL, "-o", tmp_path / "m.png")
    with Image.open(tmp_path / "m.png") as img:
        assert abs(img.size[0] - 210 / 25.4 * 150) <= 2 and abs(img.size[1] - 297 / 25.4 * 150) <= 2
    mappe(demo, "manifesto", "Orbassano", "-o", tmp_path / "m.svg")
    svg = (tmp_path / "m.svg").read_text(encoding="utf-8")
    assert "Mappa della comunità" in svg  # text, not outlines: what is written can be read and checked


def test_errori_in_italiano(demo, tmp_path):
    r = mappe(demo, "manifesto", codice=1)
    assert "Indicare il comune" in r.output
    r = mappe(demo, "manifesto", "--tutti", "-o", tmp_path / "x.svg", codice=2)
    assert "PDF di più pagine" in r.output
    r = mappe(demo, "manifesto", "Orbassano", "--url", "ftp://x", codice=2)
    assert "http://" in r.output
    r = mappe(demo, "manifesto", "Orbassano", "-o", tmp_path / "x.docx", codice=2)
    assert ".pdf, .svg o .png" in r.output
    r = mappe(demo, "manifesto", "Atlantide", codice=1)
    assert "Traceback" not in r.output


def test_registrato_per_la_cancellazione(demo, tmp_path):
    """The poster is in the export registry: erasing a contribution drawn on it names the file."""
    f = tmp_path / "manifesto.pdf"
    mappe(demo, "manifesto", "Orbassano", "-o", f)
    r = mappe(demo, "elimina", "Orbassano", "C-ORB-001", "--oblio", "--si")
    assert "manifesto.pdf" in r.output


def test_crediti_con_progetto_incontri_e_licenza(demo, tmp_path):
    (demo.cartella / "progetto.toml").write_text('[progetto]\nnome = "Progetto Reti"\nlicenza = "CC BY-SA 4.0"\n',
                                                 encoding="utf-8")
    f = tmp_path / "c.pdf"
    mappe(demo, "manifesto", "Orbassano", "--formato", "A3", "-o", f)
    testo = " ".join(leggi_testo_pdf(f)[0].split())
    date = sorted(Area(demo.cartella).archivio("Orbassano").leggi("incontri")["data"].dropna())
    assert "Progetto Reti – Mappa realizzata con gli abitanti" in testo
    assert "Dati: CC BY-SA 4.0" in testo and "ISTAT (CC BY 3.0)" in testo
    g, m_, a = date[0][8:10], date[0][5:7], date[0][:4]
    assert f"Incontri: {g}/{m_}/{a}" in testo


_TRATTI = {b"S", b"s", b"B", b"B*", b"b", b"b*"}


def _tratti(flusso: bytes, larghezza: float | None, disegni: dict) -> list[float]:
    """The widths every stroke of a content stream is drawn with (pt); ``disegni``: the reused
    drawings (XObjects) by name, as streams."""
    fatti, pila, precedenti = [], [], []
    for parola in re.findall(rb"/[^\s/\[\]()<>]+|[^\s/\[\]()<>]+", flusso):
        if parola == b"w" and precedenti:
            larghezza = float(precedenti[-1])
        elif parola == b"q":
            pila.append(larghezza)
        elif parola == b"Q" and pila:
            larghezza = pila.pop()
        elif parola in _TRATTI:
            fatti.append(larghezza)
        elif parola == b"Do" and precedenti and precedenti[-1] in disegni:
            fatti += _tratti(disegni[precedenti[-1]], larghezza, {})
        precedenti = (precedenti + [parola])[-2:]
    return [1.0 if x is None else x for x in fatti]  # PDF's own default width is 1


def _spessori(percorso: Path) -> list[float]:
    """The width of every stroke drawn on the first page (pt), in reused drawings too."""
    from pypdf import PdfReader

    pagina = PdfReader(percorso).pages[0]
    oggetti = pagina["/Resources"].get("/XObject") or {}
    disegni = {nome.encode(): oggetti[nome].get_object().get_data() for nome in oggetti}
    return _tratti(pagina.get_contents().get_data(), None, disegni)


@pytest.mark.parametrize("formato", ["A4", "A1"])
def test_nessuna_linea_troppo_sottile_e_testo_in_proporzione(demo, tmp_path, formato):
    f = tmp_path / "s.pdf"
    mappe(demo, "manifesto", "Orbassano", "--formato", formato, "--url", URL, "-o", f)
    spessori = _spessori(f)
    assert spessori and min(spessori) >= 0.25
    corpo = [v for k, v in _dimensioni(f).items() if k.startswith("«")]
    assert min(corpo) >= (9 if formato == "A4" else 24) - 0.1


def test_un_titolo_lungo_va_a_capo_e_le_frasi_troppe_si_dicono(demo, tmp_path):
    from pypdf import PdfReader

    lungo = ("Mappa partecipata dei bisogni, delle risorse e delle memorie del territorio raccolte negli incontri "
             "di quartiere nella biblioteca civica")
    f = tmp_path / "t.pdf"
    r = mappe(demo, "manifesto", "Orbassano", "--formato", "A4", "--titolo", lungo, "--citazioni", "30", "-o", f)
    assert "frasi messe sulle 30 chieste" in r.output
    testo = " ".join(leggi_testo_pdf(f)[0].split())
    assert lungo in testo  # whole, on its lines
    larghezza = float(PdfReader(f).pages[0].mediabox.width)
    pezzi = []

    def visita(t, cm, tm, font, corpo):
        if t.strip():
            pezzi.append((t.strip(), tm[4] + cm[4], corpo * (tm[0] ** 2 + tm[1] ** 2) ** 0.5))

    PdfReader(f).pages[0].extract_text(visitor_text=visita)
    titolo = [p for p in pezzi if p[0] and p[0] in lungo and len(p[0]) > 10]
    assert titolo and min(p[2] for p in titolo) >= 9 * 1.25  # not smaller than the subtitle
    for t, x, corpo in titolo:  # every line inside the page (0.62 em a bold character, at most)
        assert x + len(t) * corpo * 0.62 <= larghezza + 1, t
    # a view with no words to quote: the map takes the room, and the command says why there are none
    r = mappe(demo, "manifesto", "Orbassano", "--vista", "luoghi", "-o", tmp_path / "l.pdf")
    assert "nessun contributo pubblico con un luogo per questa vista" in r.output
