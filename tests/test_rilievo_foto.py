"""Issue 18 in the editor: a facilitator adds photos to a point, they survive a reload, and the
export is one zip (the GeoJSON and the photos) that `mappe importa` takes as it is."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect
from test_rilievo import PICCOLI, _telefono

from mappe.archivio import Area

PRONTA = "document.documentElement.dataset.mappePronta === '1'"
# Every preview shown has its image decoded
ANTEPRIME_PRONTE = """n => { const imgs = document.querySelectorAll('.mappe-foto-anteprima');
    return imgs.length === n && Array.from(imgs).every(i => i.complete && i.naturalWidth > 0); }"""
LARGHEZZE = "els => els.map(e => e.naturalWidth)"


def _jpeg(path, lato=(480, 320), colore=(180, 60, 40)):
    """A real JPEG from a camera: pixels with something in them, EXIF with camera, orientation and
    a GPS position."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", lato, colore)
    d = ImageDraw.Draw(img)
    for k in range(0, lato[0], 20):
        d.line([(k, 0), (lato[0] - k, lato[1])], fill=(k % 255, 120, 255 - k % 255), width=3)
    d.rectangle([20, 20, lato[0] // 3, lato[1] // 3], fill=(20, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera di prova"  # Make
    exif[0x0110] = "Modello 1"  # Model
    exif[0x0112] = 1  # Orientation
    exif[0x8825] = {1: "N", 2: (45.0, 0.0, 31.3), 3: "E", 4: (7.0, 32.0, 16.0)}  # GPS
    img.save(path, "JPEG", quality=88, exif=exif)
    return path


def _png(path, lato=(300, 200)):
    """A drawing photographed... or scanned: a PNG."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", lato, (250, 245, 230))
    ImageDraw.Draw(img).ellipse([30, 30, lato[0] - 30, lato[1] - 30], outline=(30, 30, 30), width=6)
    img.save(path, "PNG")
    return path


@pytest.fixture
def editor(cli, tmp_path, incontri_csv):
    assert cli("importa", incontri_csv, "--comune", "Orbassano", "--strato", "incontri").exit_code == 0
    uscita = tmp_path / "rilievo.html"
    r = cli("rilievo", "Orbassano", "--incontro", "FG-ORB-01", "-o", uscita)
    assert r.exit_code == 0, r.output
    return uscita


@pytest.fixture
def foto(tmp_path):
    return {"jpeg": _jpeg(tmp_path / "IMG_20261123_panchina.jpg"), "png": _png(tmp_path / "disegno.png")}


def _apri(p, uscita):
    p.goto(uscita.as_uri())
    p.wait_for_function(PRONTA)
    # the centre of the comune's box may fall outside the comune (Orbassano is not round): the points
    # "at the centre of the map" go to a street inside it, whatever the map's first fit did
    p.evaluate("window[document.querySelector('.folium-map').id].setView([45.0075, 7.5395], 16, {animate: false})")


def _punto(p, testo, tipo="bisogno"):
    """A point at the centre of the map, its form filled (not saved yet)."""
    p.locator("button[data-modo=punto]").click()
    p.locator(".mappe-centro").click()
    p.locator("#mappe-campo-tipo").select_option(tipo)
    p.locator("#mappe-campo-tema").select_option("socialita")
    p.locator("#mappe-campo-testo").fill(testo)


def _aggiungi_foto(p, *percorsi):
    """As a person does it: «Aggiungi una foto», then the files (on a tablet: the camera or the gallery)."""
    prima = p.locator(".mappe-foto-anteprima").count()
    with p.expect_file_chooser() as scelta:
        p.get_by_label("Aggiungi una foto").click()
    assert scelta.value.is_multiple()
    scelta.value.set_files([str(x) for x in percorsi])
    p.wait_for_function(ANTEPRIME_PRONTE, arg=prima + len(percorsi))


def _apri_scheda(p, testo):
    p.locator(".mappe-aggiunti li", has_text=testo).locator(".mappe-link").click()
    p.locator("#mappe-campo-tipo").wait_for()


def _esporta(p, cartella):
    with p.expect_download() as scaricato:
        p.locator(".mappe-esporta").click()
    percorso = cartella / scaricato.value.suggested_filename
    scaricato.value.save_as(percorso)
    return percorso


def test_la_scheda_ha_il_selettore_di_foto(editor, pagina_offline):
    p = pagina_offline
    html = editor.read_text(encoding="utf-8")
    assert "autore_foto" not in html  # who took a photo is private: never in the page
    _apri(p, editor)
    _punto(p, "La panchina rotta")
    campo = p.get_by_label("Aggiungi una foto")
    assert campo.evaluate("e => [e.tagName, e.type, e.accept, e.multiple]") == ["INPUT", "file", "image/*", True]
    assert campo.is_visible()
    riquadro = p.locator("fieldset.mappe-foto")
    assert riquadro.locator("legend").inner_text() == "Foto o disegni"
    nota = riquadro.locator(".mappe-foto-nota").inner_text()
    assert "posizione GPS" in nota and "tolti quando si importa" in nota and "mappa disegnata a mano" in nota
    # no photo yet: no preview, no caption to fill
    assert p.locator(".mappe-foto-anteprima").count() == 0
    assert not p.locator("#mappe-campo-didascalia").is_visible()
    assert p.errori == [] and p.richieste_rifiutate == []


def test_foto_aggiunte_restano_dopo_ricarica_e_si_tolgono(editor, foto, pagina_offline):
    p = pagina_offline
    _apri(p, editor)
    _punto(p, "La panchina rotta")
    _aggiungi_foto(p, foto["jpeg"])
    _aggiungi_foto(p, foto["png"])
    assert p.locator(".mappe-foto-anteprima").evaluate_all(LARGHEZZE) == [480, 300]
    assert p.locator(".mappe-foto-anteprima").evaluate_all("els => els.map(e => e.alt)") == ["Foto 1", "Foto 2"]
    expect(p.locator("#mappe-annuncio")).to_contain_text("Foto aggiunta")
    # with a photo, its caption and the choice to keep it internal
    p.locator("#mappe-campo-didascalia").fill("La panchina davanti alla scuola")
    p.locator(".mappe-salva").click()
    assert "2 foto" in p.locator(".mappe-aggiunti li", has_text="La panchina rotta").inner_text()

    # closing the tab does not lose the photos
    p.reload()
    p.wait_for_function(PRONTA)
    p.locator(".mappe-aggiunti li", has_text="2 foto").wait_for()
    _apri_scheda(p, "La panchina rotta")
    p.wait_for_function(ANTEPRIME_PRONTE, arg=2)
    assert p.locator(".mappe-foto-anteprima").evaluate_all(LARGHEZZE) == [480, 300]
    assert p.locator("#mappe-campo-didascalia").input_value() == "La panchina davanti alla scuola"

    # removing the first one: the drawing stays, alone, and stays so after a reload
    togli = p.get_by_role("button", name="Togli la foto 1")
    assert togli.inner_text() == "Togli"
    togli.click()
    p.wait_for_function(ANTEPRIME_PRONTE, arg=1)
    assert p.locator(".mappe-foto-anteprima").evaluate_all(LARGHEZZE) == [300]
    expect(p.locator("#mappe-annuncio")).to_contain_text("Foto tolta")
    p.reload()
    p.wait_for_function(PRONTA)
    p.locator(".mappe-aggiunti li", has_text="1 foto").wait_for()
    _apri_scheda(p, "La panchina rotta")
    p.wait_for_function(ANTEPRIME_PRONTE, arg=1)
    assert p.locator(".mappe-foto-anteprima").evaluate_all(LARGHEZZE) == [300]

    # deleting the point deletes its photos from the browser
    p.once("dialog", lambda d: d.accept())
    p.locator(".mappe-elimina").click()
    assert p.locator(".mappe-aggiunti li").count() == 0
    p.wait_for_function("""async () => {
        const dbs = await indexedDB.databases();
        const nome = dbs.map(d => d.name).find(n => n.startsWith('mappe-rilievo-foto:'));
        const db = await new Promise(f => { const r = indexedDB.open(nome); r.onsuccess = () => f(r.result); });
        const n = await new Promise(f => { const r = db.transaction('foto').objectStore('foto').count();
                                            r.onsuccess = () => f(r.result); });
        db.close();
        return n === 0;
    }""")
    assert p.errori == [] and p.richieste_rifiutate == []


def test_foto_non_immagine_rifiutata_con_un_messaggio(editor, tmp_path, pagina_offline):
    testo = tmp_path / "appunti.txt"
    testo.write_text("non sono una foto", encoding="utf-8")
    p = pagina_offline
    _apri(p, editor)
    _punto(p, "Un appunto")
    p.get_by_label("Aggiungi una foto").set_input_files(str(testo))
    assert "non è un'immagine" in p.locator(".mappe-foto-errore").inner_text()
    assert p.locator(".mappe-foto-anteprima").count() == 0


def test_sul_telefono_la_scheda_con_le_foto_si_tocca_con_un_dito(editor, foto, browser):
    contesto = _telefono(browser)
    p = contesto.new_page()
    errori = []
    p.on("pageerror", lambda e: errori.append(str(e)))
    _apri(p, editor)
    p.locator("button[data-modo=punto]").tap()
    p.locator(".mappe-centro").tap()
    p.get_by_label("Aggiungi una foto").set_input_files([str(foto["jpeg"]), str(foto["png"])])
    p.wait_for_function(ANTEPRIME_PRONTE, arg=2)
    p.get_by_label("Aggiungi una foto").scroll_into_view_if_needed()
    assert p.evaluate(PICCOLI) == []  # «Aggiungi una foto», each «Togli», the caption, the check box
    larghezza, corpo, schermo = p.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, "
                                           "innerWidth]")
    assert max(larghezza, corpo) <= schermo
    p.locator("fieldset.mappe-foto").screenshot(path="/tmp/rilievo-foto-telefono.png")
    assert errori == []
    contesto.close()


def _rilievo_con_foto(p, foto):
    """Three points: one with a photo and a drawing, one with nothing, one incomplete with a photo."""
    _punto(p, "La panchina rotta")
    _aggiungi_foto(p, foto["jpeg"], foto["png"])
    p.locator("#mappe-campo-didascalia").fill("La panchina davanti alla scuola")
    p.locator(".mappe-salva").click()
    p.locator(".mappe-aggiunti li", has_text="2 foto").wait_for()
    _punto(p, "Qui ci si trova la sera", tipo="risorsa")
    p.locator(".mappe-salva").click()
    p.locator("button[data-modo=punto]").click()
    p.locator(".mappe-centro").click()
    _aggiungi_foto(p, foto["jpeg"])  # no kind, no words: not exported, nor is its photo
    p.locator(".mappe-form-rilievo .mappe-chiudi").click()
    p.locator(".mappe-aggiunti li", has_text="1 foto").wait_for()


def test_esporta_uno_zip_con_il_geojson_e_le_foto(editor, foto, tmp_path, pagina_offline):
    p = pagina_offline
    _apri(p, editor)
    _rilievo_con_foto(p, foto)
    scaricato = _esporta(p, tmp_path)
    assert re.fullmatch(r"rilievo-orbassano-\d{4}-\d{2}-\d{2}\.zip", scaricato.name), scaricato.name
    dialogo = p.locator("dialog.mappe-esportato")
    dialogo.wait_for()
    testo = dialogo.inner_text()
    assert f"mappe importa {scaricato.name} --comune Orbassano" in testo
    assert "zip" in testo and "così com'è" in testo and "con 2 foto" in testo
    assert "1 schede incomplete non esportate" in testo

    geojson = scaricato.stem + ".geojson"
    with zipfile.ZipFile(scaricato) as z:
        assert z.testzip() is None  # every CRC right
        nomi = z.namelist()
        assert nomi[0] == geojson  # at the root
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED and info.flag_bits & 0x800, info.filename
        dati = json.loads(z.read(geojson))
        contenuti = {n: z.read(n) for n in nomi}
    assert len(dati["features"]) == 2
    per_testo = {f["properties"]["testo"]: f["properties"] for f in dati["features"]}
    con, senza = per_testo["La panchina rotta"], per_testo["Qui ci si trova la sera"]
    assert "foto" not in senza and "foto_pubblica" not in senza
    assert con["didascalia"] == "La panchina davanti alla scuola" and con["foto_pubblica"] == "si"
    file_foto = con["foto"].split("|")
    assert file_foto == [f"foto/{con['id']}-1.jpg", f"foto/{con['id']}-2.png"]
    assert sorted(nomi) == sorted([geojson, *file_foto])  # the incomplete point's photo is not there
    # the bytes as the person gave them (mappe importa cleans them)
    assert contenuti[file_foto[0]] == foto["jpeg"].read_bytes()
    assert contenuti[file_foto[1]] == foto["png"].read_bytes()
    # and nothing of the original file names goes into the zip
    assert not any("panchina" in n or "disegno" in n for n in nomi)
    assert p.errori == [] and p.richieste_rifiutate == []


def test_senza_foto_esporta_ancora_un_geojson(editor, foto, tmp_path, pagina_offline):
    p = pagina_offline
    _apri(p, editor)
    _punto(p, "Qui ci si trova la sera", tipo="risorsa")
    p.locator(".mappe-salva").click()
    # a photo on an incomplete point is not exported, and does not make the export a zip
    p.locator("button[data-modo=punto]").click()
    p.locator(".mappe-centro").click()
    _aggiungi_foto(p, foto["png"])
    p.locator(".mappe-form-rilievo .mappe-chiudi").click()
    scaricato = _esporta(p, tmp_path)
    assert scaricato.suffix == ".geojson"
    dati = json.loads(scaricato.read_text(encoding="utf-8"))
    assert [f["properties"]["testo"] for f in dati["features"]] == ["Qui ci si trova la sera"]
    assert "foto" not in dati["features"][0]["properties"]
    testo = p.locator("dialog.mappe-esportato").inner_text()
    assert f"mappe importa {scaricato.name} --comune Orbassano" in testo and "zip" not in testo
    assert p.errori == []


def test_lo_scrittore_di_zip_nomi_utf8_e_crc(editor, pagina_offline):
    """The zip writer alone: a name with accents, an empty member, a member of every byte value."""
    p = pagina_offline
    _apri(p, editor)
    byte = p.evaluate("""async () => {
        const tutti = new Uint8Array(70000);
        for (let i = 0; i < tutti.length; i++) tutti[i] = (i * 7 + (i >> 8)) & 255;
        const zip = await MappeRilievo.zip.scrivi([
            {nome: 'perché/caffè è.txt', dati: 'Così è, se vi pare'},
            {nome: 'vuoto', dati: new Uint8Array(0)},
            {nome: 'foto/tutti.bin', dati: new Blob([tutti])}]);
        return Array.from(new Uint8Array(await zip.arrayBuffer()));
    }""")
    with zipfile.ZipFile(io.BytesIO(bytes(byte))) as z:
        assert z.testzip() is None
        assert z.namelist() == ["perché/caffè è.txt", "vuoto", "foto/tutti.bin"]
        assert z.read("perché/caffè è.txt").decode("utf-8") == "Così è, se vi pare"
        assert z.read("vuoto") == b""
        assert z.read("foto/tutti.bin") == bytes((i * 7 + (i >> 8)) & 255 for i in range(70000))


def test_lo_zip_del_rilievo_si_importa_con_le_foto(editor, foto, area, cli, tmp_path, pagina_offline):
    p = pagina_offline
    _apri(p, editor)
    _rilievo_con_foto(p, foto)
    scaricato = _esporta(p, tmp_path)
    assert scaricato.suffix == ".zip"
    r = cli("importa", scaricato, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati: 2" in r.output
    c = Area(area.cartella).archivio("Orbassano").leggi("contributi").set_index("testo")
    assert len(c) == 2
    con = c.loc["La panchina rotta"]
    assert isinstance(con["foto"], str) and con["foto"].strip(), con["foto"]
    assert len(con["foto"].split("|")) == 2
    assert con["didascalia"] == "La panchina davanti alla scuola"
    senza = c.loc["Qui ci si trova la sera"]
    assert not (isinstance(senza["foto"], str) and senza["foto"].strip())


def test_una_riga_collocata_tiene_le_foto_dell_archivio_e_ne_aggiunge(cli, area, tmp_path, foto, pagina_offline):
    """A row of the store without a place, with a photo already: placed in the editor with one more
    photo, it goes back with both (the store's first), its id made safe in the zip's names."""
    from conftest import scrivi_csv

    _jpeg(tmp_path / "vecchia.jpg", colore=(10, 200, 10))
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "foto"],
                                        ["c/senza 1", "memoria", "socialita", "Il ballo in piazza", "vecchia.jpg"]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    archivio = Area(area.cartella).archivio("Orbassano")
    prima = archivio.leggi("contributi").set_index("id").loc["c/senza 1", "foto"]
    assert prima and "|" not in prima
    uscita = tmp_path / "r.html"
    assert cli("rilievo", "Orbassano", "-o", uscita).exit_code == 0
    p = pagina_offline
    _apri(p, uscita)
    p.locator(".mappe-da-collocare li", has_text="Il ballo in piazza").locator(".mappe-colloca").click()
    p.locator(".mappe-centro").click()
    assert "Foto già nell'archivio (restano): 1." in p.locator("fieldset.mappe-foto").inner_text()
    _aggiungi_foto(p, foto["png"])
    p.locator(".mappe-salva").click()
    scaricato = _esporta(p, tmp_path)
    with zipfile.ZipFile(scaricato) as z:
        assert z.namelist() == [scaricato.stem + ".geojson", "foto/c_senza_1-1.png"]
        props = json.loads(z.read(scaricato.stem + ".geojson"))["features"][0]["properties"]
    assert props["id"] == "c/senza 1" and props["foto"] == prima + "|foto/c_senza_1-1.png"
    r = cli("importa", scaricato, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    dopo = archivio.leggi("contributi").set_index("id").loc["c/senza 1", "foto"].split("|")
    assert len(dopo) == 2 and dopo[0] == prima
