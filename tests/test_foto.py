"""Photos and drawings with the words (issue 18): imported clean, kept small, shown within a budget,
never leaving the store when they must not, erased to the last byte.

The photos are real JPEGs made here with Pillow, with the EXIF a phone writes (GPS position,
camera, orientation) and an XMP packet; what the store keeps is read back as the bytes it holds.
"""

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import apri, contenuto_archivio, file_delle_tabelle, scrivi_csv, tracce_archivio
from PIL import Image

from mappe.archivio import Area
from mappe.rendi.mappa import testo_dati as dati_della_pagina

ENTRAMBI_ARCHIVI = True  # import, correction and erasure of photos run on GeoPackage and on PostGIS

GPS = (7.53778, 45.00869)  # inside Orbassano
CAMERA = "FotocameraDiProva-XZ9"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Autore segreto Ermenegildo</rdf:Description></x:xmpmeta>'


def _gradi(x: float):
    g = int(x)
    m = int((x - g) * 60)
    s = round(((x - g) * 60 - m) * 60, 2)
    return (float(g), float(m), s)


def foto_jpeg(path: Path, colore=(200, 30, 30), larghezza=3000, altezza=2000, orientamento=6, gps=GPS,
              rumore=8, seme=0) -> bytes:
    """A phone's JPEG as it arrives: the picture a person sees is ``larghezza`` × ``altezza`` with a
    block of ``colore`` in its top-left quarter; stored sideways with an EXIF orientation that turns
    it right, the GPS position, the camera, and an XMP packet."""
    import random

    vista = Image.new("RGB", (larghezza, altezza), (30, 60, 160))
    vista.paste(colore, (0, 0, larghezza // 2, altezza // 2))
    if rumore:
        r = random.Random(seme)
        macchie = Image.effect_noise((larghezza // 8, altezza // 8), 60).convert("RGB").resize((larghezza, altezza))
        vista = Image.blend(vista, macchie, rumore / 100)
        for _ in range(40):
            x, y = r.randrange(larghezza), r.randrange(altezza)
            vista.paste((r.randrange(256), r.randrange(256), r.randrange(256)), (x, y, x + 40, y + 40))
    # orientation 6: the file holds the picture turned left, the viewer turns it right
    salvata = vista.transpose(Image.Transpose.ROTATE_90) if orientamento == 6 else vista
    exif = salvata.getexif()
    exif[0x0112] = orientamento
    exif[0x010F] = CAMERA
    exif[0x0110] = CAMERA
    if gps:
        g = exif.get_ifd(0x8825)
        g[1], g[2], g[3], g[4] = "N", _gradi(gps[1]), "E", _gradi(gps[0])
    salvata.save(path, "JPEG", quality=88, exif=exif, xmp=XMP)
    return path.read_bytes()


def _pezzi(dati: bytes, n=4, lunghezza=48) -> list[bytes]:
    """A few stretches from the middle of a file's bytes (the pixels, not the headers)."""
    passo = len(dati) // (n + 2)
    return [dati[passo * (k + 1):passo * (k + 1) + lunghezza] for k in range(n)]


def _foglio(tmp_path: Path, righe: list[list], nome="contributi.csv") -> Path:
    return scrivi_csv(tmp_path / nome, [["id", "tipo", "tema", "titolo", "testo", "lon", "lat", "foto", "didascalia",
                                         "autore_foto", "consenso", "visibilita", "foto_pubblica"], *righe])


def test_la_foto_entra_senza_metadati_dritta_e_ridotta(cli, orbassano, tmp_path):
    (tmp_path / "foto").mkdir()
    originale = foto_jpeg(tmp_path / "foto" / "piazza.jpg")
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "La piazza", "Si ballava in piazza", "7.5378", "45.0087", "foto/piazza.jpg",
         "La piazza nel 1962", "Mario Fotografo", "scritto", "", ""],
        # the same photo, by its bare name, on a row with no position: the photo's GPS is not used
        ["c-2", "memoria", "socialita", "Il mercato", "Il mercato del giovedì", "", "", "piazza.jpg", "", "", "orale",
         "", ""],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "Foto conservate: 1" in r.output
    assert "--posizione-da-foto" in r.output  # said, not done
    c = orbassano.leggi("contributi").set_index("id")
    fid = c.at["c-1", "foto"]
    assert re.fullmatch(r"f[0-9a-f]{23}", fid) and c.at["c-2", "foto"] == fid
    assert c.at["c-2", "geometry"] is None
    assert orbassano.foto_presenti() == {fid}
    for cosa, lato in (("anteprima", 1200), ("miniatura", 400)):
        dati = orbassano.leggi_foto([fid], cosa)[fid]
        assert dati[:4] == b"RIFF" and dati[8:12] == b"WEBP"
        for traccia in (b"Exif", b"XMP", b"xmpmeta", CAMERA.encode(), b"Ermenegildo", b"GPS"):
            assert traccia not in dati, (cosa, traccia)
        img = Image.open(io.BytesIO(dati))
        assert not img.getexif() and "xmp" not in img.info and "icc_profile" not in img.info
        # the right way up (landscape, as the person saw it), shrunk to the long side, proportions kept
        assert img.size == (lato, round(lato * 2 / 3)), (cosa, img.size)
        rgb = img.convert("RGB")
        alto_sx, basso_dx = rgb.getpixel((lato // 8, lato // 12)), rgb.getpixel((lato * 7 // 8, lato * 7 // 12))
        assert alto_sx[0] > 120 and alto_sx[2] < 100, alto_sx  # the red quarter is top-left
        assert basso_dx[2] > 100 and basso_dx[0] < 100, basso_dx
    # the original is nowhere in the store: neither its pixels nor its metadata
    tutto = contenuto_archivio(orbassano)
    assert all(p not in tutto for p in _pezzi(originale))
    assert CAMERA.encode() not in tutto and b"Ermenegildo" not in tutto


def test_la_posizione_della_foto_solo_se_chiesta(cli, orbassano, tmp_path):
    foto_jpeg(tmp_path / "orto.jpg", gps=GPS)
    f = _foglio(tmp_path, [["c-9", "memoria", "socialita", "L'orto", "Gli orti di guerra", "", "", "orto.jpg", "", "",
                            "orale", "", ""]])
    assert cli("importa", f, "--comune", "Orbassano", "--prova").exit_code == 0
    r = cli("importa", f, "--comune", "Orbassano", "--posizione-da-foto")
    assert r.exit_code == 0, r.output
    g = orbassano.leggi("contributi").set_index("id").at["c-9", "geometry"]
    assert g is not None and abs(g.x - GPS[0]) < 1e-4 and abs(g.y - GPS[1]) < 1e-4


def test_una_foto_mancante_o_rovinata_respinge_la_sua_riga(cli, orbassano, tmp_path):
    foto_jpeg(tmp_path / "buona.jpg")
    (tmp_path / "rotta.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"non sono un'immagine" * 20)
    (tmp_path / "testo.png").write_text("solo testo", encoding="utf-8")
    f = _foglio(tmp_path, [
        ["c-1", "bisogno", "lavoro", "", "Va bene", "7.5378", "45.0087", "buona.jpg", "", "", "", "", ""],
        ["c-2", "bisogno", "lavoro", "", "Manca", "7.5378", "45.0087", "manca.jpg", "", "", "", "", ""],
        ["c-3", "bisogno", "lavoro", "", "Rotta", "7.5378", "45.0087", "rotta.jpg", "", "", "", "", ""],
        ["c-4", "bisogno", "lavoro", "", "Testo", "7.5378", "45.0087", "buona.jpg|testo.png", "", "", "", "", ""],
    ])
    prima = contenuto_archivio(orbassano)
    r = cli("importa", f, "--comune", "Orbassano", "--prova")
    assert r.exit_code == 1 and contenuto_archivio(orbassano) == prima
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1
    assert "riga 3, campo 'foto': la foto 'manca.jpg' non si trova nella cartella" in r.output
    assert "riga 4, campo 'foto': la foto 'rotta.jpg' è danneggiata o incompleta" in r.output
    assert "riga 5, campo 'foto': la foto 'testo.png' non è un'immagine che mappe sa leggere" in r.output
    assert "Traceback" not in r.output
    assert orbassano.leggi("contributi")["id"].tolist() == ["c-1"]
    assert len(orbassano.foto_presenti()) == 1


def test_il_giro_di_correzione_tiene_le_foto(cli, orbassano, tmp_path, tipo_archivio):
    foto_jpeg(tmp_path / "a.jpg", seme=1)
    foto_jpeg(tmp_path / "b.jpg", colore=(20, 160, 40), seme=2)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "Uno", "Il primo", "7.5378", "45.0087", "a.jpg|b.jpg", "Due foto", "", "", "", ""],
        ["c-2", "risorsa", "lavoro", "Due", "Il secondo", "7.5420", "45.0050", "a.jpg", "", "", "", "", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    prima = orbassano.leggi("contributi").set_index("id")["foto"].to_dict()
    assert len(prima["c-1"].split("|")) == 2 and prima["c-2"] == prima["c-1"].split("|")[0]
    assert len(orbassano.foto_presenti()) == 2  # the same photo on two rows is kept once
    # the same sheet again adds nothing
    r = cli("importa", f, "--comune", "Orbassano")
    assert "già presenti: 2" in r.output and "Foto conservate" not in r.output
    # the facilitator exports everything, corrects a word, imports: the photos stay as they were
    esportato = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--completo", "-o", esportato).exit_code == 0
    testo = esportato.read_text(encoding="utf-8-sig").replace("Il secondo", "Il secondo, corretto")
    esportato.write_text(testo, encoding="utf-8-sig")
    r = cli("importa", esportato, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "aggiornati: 1" in r.output and "respinti: 0" in r.output
    assert orbassano.leggi("contributi").set_index("id")["foto"].to_dict() == prima
    # a photo taken off a row goes from the store when no row shows it any more (on PostgreSQL once
    # no kept before-image names it either: until then 'mappe annulla' can bring it back)
    testo = esportato.read_text(encoding="utf-8-sig").replace(prima["c-1"], prima["c-2"])
    esportato.write_text(testo, encoding="utf-8-sig")
    assert cli("importa", esportato, "--comune", "Orbassano").exit_code == 0
    if tipo_archivio == "gpkg":
        assert orbassano.foto_presenti() == {prima["c-2"]}
    r = cli("annulla", "Orbassano", "--si")
    assert r.exit_code == 0, r.output
    dopo = orbassano.leggi("contributi").set_index("id")["foto"].to_dict()
    assert dopo == prima and set(orbassano.leggi_foto(prima["c-1"].split("|"))) == set(prima["c-1"].split("|"))


def test_un_export_di_kobo_con_gli_allegati(cli, orbassano, tmp_path):
    """KoboToolbox: the sheet names each photo by the file the phone gave it; the attachments come
    as a zip with a folder per submission, where two phones may have used the same file name."""
    uuid_a, uuid_b = "8f2c1d4e-0000-4a1b-9c3d-aaaaaaaaaaaa", "8f2c1d4e-0000-4a1b-9c3d-bbbbbbbbbbbb"
    allegati = tmp_path / "allegati-kobo.zip"
    with zipfile.ZipFile(allegati, "w") as z:
        for uuid, colore, seme in ((uuid_a, (210, 20, 20), 3), (uuid_b, (20, 200, 20), 4)):
            dati = foto_jpeg(tmp_path / "x.jpg", colore=colore, seme=seme, orientamento=1)
            z.writestr(f"utente/attachments/a8Fq2/{uuid}/1700000000001.jpg", dati)
    f = scrivi_csv(tmp_path / "kobo.csv", [
        ["start", "end", "tipo", "tema", "testo", "foto", "foto_URL", "_geolocation_latitude",
         "_geolocation_longitude", "_uuid", "_submission_time"],
        ["2026-11-20T10:00", "2026-11-20T10:05", "memoria", "socialita", "Il vecchio lavatoio", "1700000000001.jpg",
         "https://kf.kobotoolbox.org/media/1700000000001.jpg", "45.0087", "7.5378", uuid_a, "2026-11-20T10:06"],
        ["2026-11-20T11:00", "2026-11-20T11:05", "bisogno", "spazi_pubblici", "Il parco è al buio",
         "1700000000001.jpg", "https://kf.kobotoolbox.org/media/1700000000001.jpg", "45.0050", "7.5420", uuid_b,
         "2026-11-20T11:06"],
    ], sep=";")
    r = cli("importa", f, "--comune", "Orbassano", "--cartella-foto", allegati)
    assert r.exit_code == 0, r.output
    assert "Foto conservate: 2" in r.output and "foto_URL" not in r.output
    c = orbassano.leggi("contributi").set_index("testo")
    for testo, rosso in (("Il vecchio lavatoio", True), ("Il parco è al buio", False)):
        fid = c.at[testo, "foto"]
        img = Image.open(io.BytesIO(orbassano.leggi_foto([fid])[fid])).convert("RGB")
        r_, g_, _ = img.getpixel((20, 20))
        assert (r_ > g_) == rosso, (testo, img.getpixel((20, 20)))


def test_lo_zip_con_il_foglio_e_le_foto_si_importa_com_e(cli, orbassano, tmp_path):
    """The editor's export (and ODK Central's "with media"): the table and its photos in one zip."""
    dati = foto_jpeg(tmp_path / "x.jpg", orientamento=1)
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "tipo": "proposta", "tema": "spazi_pubblici", "testo": "Un murale sul muro della scuola",
        "foto": "foto/el-1-1.jpg", "didascalia": "Il muro oggi"},
        "geometry": {"type": "Point", "coordinates": [7.5378, 45.0087]}}]}
    pacchetto = tmp_path / "rilievo-orbassano-2026-11-30.zip"
    with zipfile.ZipFile(pacchetto, "w") as z:
        z.writestr("rilievo-orbassano-2026-11-30.geojson", json.dumps(gj))
        z.writestr("foto/el-1-1.jpg", dati)
    r = cli("importa", pacchetto, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    c = orbassano.leggi("contributi")
    assert c["didascalia"].tolist() == ["Il muro oggi"] and c["foto"].iloc[0] in orbassano.foto_presenti()


def test_l_oblio_non_lascia_un_byte_della_foto(cli, area, orbassano, tmp_path, tipo_archivio, request):
    foto_jpeg(tmp_path / "sola.jpg", seme=5)
    foto_jpeg(tmp_path / "condivisa.jpg", colore=(240, 200, 0), seme=6)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "Da dimenticare", "Parole da dimenticare", "7.5378", "45.0087",
         "sola.jpg|condivisa.jpg", "Una didascalia da dimenticare", "", "", "", ""],
        ["c-2", "memoria", "socialita", "Resta", "Parole che restano", "7.5420", "45.0050", "condivisa.jpg", "", "", "",
         "", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    ids = orbassano.leggi("contributi").set_index("id")["foto"].to_dict()
    sola, condivisa = ids["c-1"].split("|")
    tracce = [p for cosa in ("miniatura", "anteprima") for p in _pezzi(orbassano.leggi_foto([sola], cosa)[sola])]
    # a correction first: the store keeps a version (or a before-image) that holds the photo too
    assert cli("modifica", "Orbassano", "c-1", "--titolo", "Da dimenticare, corretto").exit_code == 0
    r = cli("elimina", "Orbassano", "c-1", "--oblio", "--compatta", "--si")
    assert r.exit_code == 0, r.output
    assert orbassano.foto_presenti() == {condivisa}  # the other row's photo stays
    for nome, dati in tracce_archivio(orbassano):
        assert all(p not in dati for p in tracce), nome
    if tipo_archivio == "gpkg":
        for p in area.cartella.rglob("*"):
            if p.is_file():
                dati = p.read_bytes()
                assert all(t not in dati for t in tracce), p
    else:
        file = file_delle_tabelle(orbassano, request.getfixturevalue("cluster"), ("_foto", "_versioni", "contributi"))
        assert len(file) >= 3
        for p in file:
            dati = p.read_bytes()
            assert all(t not in dati for t in tracce), p


def _mostra(cli, tmp_path, *opzioni) -> tuple[dict, str]:
    uscita = tmp_path / "mostra.html"
    r = cli("mostra", "Orbassano", "-o", uscita, *opzioni)
    assert r.exit_code == 0, r.output
    html = uscita.read_text(encoding="utf-8")
    return json.loads(dati_della_pagina(html)), r.output


@pytest.mark.solo_gpkg
def test_la_mostra_tiene_solo_miniature_pubbliche_nel_limite(cli, orbassano, tmp_path):
    righe, originali = [], {}
    for k in range(9):
        tipo = "memoria" if k < 3 else "bisogno"
        nome = f"foto{k}.jpg"
        originali[nome] = foto_jpeg(tmp_path / nome, seme=10 + k, rumore=30)
        righe.append([f"c-{k}", tipo, "socialita", f"Titolo {k}", f"Testo numero {k}", "7.5378", "45.0087", nome,
                      f"Didascalia {k}", "Gianna Scattini" if k == 0 else "Piero Nascosto", "scritto" if k == 0
                      else "orale", "", ""])
    for k, (vis, cons, pubblica) in enumerate((("riservato", "orale", ""), ("", "nessuno", ""), ("", "orale", "no"))):
        nome = f"privata{k}.jpg"
        originali[nome] = foto_jpeg(tmp_path / nome, colore=(0, 0, 0), seme=50 + k, rumore=30)
        righe.append([f"p-{k}", "memoria", "socialita", f"Privata {k}", f"Testo privato numero {k}", "7.5378", "45.0087",
                      nome, f"Didascalia privata {k}", "", cons, vis, pubblica])
    assert cli("importa", _foglio(tmp_path, righe), "--comune", "Orbassano").exit_code == 0
    c = orbassano.leggi("contributi").set_index("id")
    miniature = orbassano.leggi_foto()
    dimensioni = sorted(len(miniature[c.at[f"c-{k}", "foto"]]) for k in range(9))
    limite_kb = (sum(dimensioni[:4]) + 512) // 1024  # room for about four of the nine
    dati, uscita = _mostra(cli, tmp_path, "--foto-massimo", str(limite_kb))
    messe = [base64.b64decode(b) for b in dati["foto"]["b"]]
    assert 1 <= len(messe) < 9
    assert sum(map(len, messe)) <= limite_kb * 1024
    assert f"Lasciate fuori {9 - len(messe)} foto" in uscita and "--foto-massimo" in uscita
    # the memories come first
    for k in range(min(3, len(messe))):
        assert miniature[c.at[f"c-{k}", "foto"]] in messe
    # never a reserved, no-consent or inside-only photo; never an original or a preview
    html = (tmp_path / "mostra.html").read_bytes()
    for k in range(3):
        privata = miniature[c.at[f"p-{k}", "foto"]]
        assert privata not in messe and base64.b64encode(privata)[:200] not in html
    anteprime = orbassano.leggi_foto(cosa="anteprima")
    for a in anteprime.values():
        assert base64.b64encode(a)[:200] not in html
    for o in originali.values():
        assert all(base64.b64encode(p)[:60] not in html for p in _pezzi(o))
    # who took the photo: named only where the written consent covers it
    testo = html.decode("utf-8")
    assert "Gianna Scattini" in testo and "Piero Nascosto" not in testo
    assert "Didascalia privata" not in testo
    # and the privacy check knows these thumbnails for public photos of the data
    r = cli("verifica-privacy", tmp_path / "mostra.html")
    assert r.exit_code == 0, r.output
    # no photos at all when asked
    dati, _ = _mostra(cli, tmp_path, "--foto-massimo", "0")
    assert dati["foto"]["b"] == []


@pytest.mark.solo_gpkg
def test_la_verifica_trova_una_foto_riservata_messa_in_un_file_pubblico(cli, orbassano, tmp_path):
    foto_jpeg(tmp_path / "pubblica.jpg", seme=20, rumore=30)
    foto_jpeg(tmp_path / "riservata.jpg", colore=(10, 10, 10), seme=21, rumore=30)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "Pubblica", "La festa", "7.5378", "45.0087", "pubblica.jpg", "", "", "", "", ""],
        ["c-2", "memoria", "socialita", "Riservata", "La casa di Lucia", "7.5378", "45.0087", "riservata.jpg",
         "Lucia davanti a casa", "", "", "riservato", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    fid = orbassano.leggi("contributi").set_index("id").at["c-2", "foto"]
    miniatura = orbassano.leggi_foto([fid])[fid]
    anteprima = orbassano.leggi_foto([fid], "anteprima")[fid]
    _mostra(cli, tmp_path)
    html = (tmp_path / "mostra.html").read_text(encoding="utf-8")
    assert cli("verifica-privacy", tmp_path / "mostra.html").exit_code == 0
    # 1. the reserved thumbnail pasted into the exhibition as a picture
    piantata = tmp_path / "mostra-ritoccata.html"
    piantata.write_text(html.replace("</body>", '<img src="data:image/webp;base64,'
                                     + base64.b64encode(miniatura).decode() + '"></body>'), encoding="utf-8")
    r = cli("verifica-privacy", piantata)
    assert r.exit_code == 1
    assert "foto non pubblica" in r.output and "Lucia davanti a casa" in r.output
    # 2. the preview saved again as a smaller JPEG, in a zip of pictures for the press
    ridotta = io.BytesIO()
    Image.open(io.BytesIO(anteprima)).convert("RGB").resize((600, 400)).save(ridotta, "JPEG", quality=70)
    cartella = tmp_path / "per-la-stampa.zip"
    with zipfile.ZipFile(cartella, "w") as z:
        z.writestr("immagini/festa.jpg", ridotta.getvalue())
    r = cli("verifica-privacy", cartella)
    assert r.exit_code == 1 and "salvata di nuovo" in r.output
    # 3. a thumbnail swapped into the page's own photos, where only public ones belong
    dati = json.loads(dati_della_pagina(html))
    dati["foto"]["b"][0] = base64.b64encode(miniatura).decode()
    blocco = re.search(r'(<script type="application/json" id="mappe-dati">)(.*?)(</script>)', html, re.DOTALL)
    scambiata = tmp_path / "mostra-scambiata.html"
    scambiata.write_text(html[:blocco.start(2)] + json.dumps(dati) + html[blocco.end(2):], encoding="utf-8")
    r = cli("verifica-privacy", scambiata)
    assert r.exit_code == 1 and "foto non pubblica" in r.output


@pytest.mark.solo_gpkg
def test_la_scheda_mostra_la_miniatura_e_la_ingrandisce_senza_rete(cli, orbassano, tmp_path, pagina_offline,
                                                                    luoghi_csv):
    foto_jpeg(tmp_path / "piazza.jpg", seme=30)
    foto_jpeg(tmp_path / "mappa-disegnata.jpg", colore=(240, 240, 220), orientamento=1, seme=31)
    assert cli("importa", luoghi_csv, "--comune", "Orbassano", "--strato", "luoghi").exit_code == 0
    f = _foglio(tmp_path, [["c-1", "memoria", "socialita", "La piazza", "Si ballava in piazza", "7.5378", "45.0087",
                            "piazza.jpg|mappa-disegnata.jpg", "La piazza nel 1962 <b>e</b> la mappa disegnata",
                            "Gianna Scattini", "scritto", "", ""]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    _mostra(cli, tmp_path)
    p = pagina_offline
    apri(p, tmp_path / "mostra.html")
    p.get_by_role("button", name="Mappa della memoria").click()
    scheda = p.locator(".mappe-elenco .mappe-scheda-memoria").first
    scheda.wait_for()
    miniature = scheda.locator(".mappe-foto-apri img")
    assert miniature.count() == 2
    miniature.first.scroll_into_view_if_needed()
    p.wait_for_function("[...document.querySelectorAll('.mappe-elenco .mappe-foto-apri img')]"
                        ".every(i => i.complete && i.naturalWidth > 0)")
    assert miniature.first.evaluate("i => i.naturalWidth") == 400
    didascalia = "La piazza nel 1962 <b>e</b> la mappa disegnata"
    assert miniature.first.get_attribute("alt") == didascalia  # people's words stay text
    assert scheda.locator("figcaption").inner_text() == f"{didascalia} · Foto di Gianna Scattini"
    # the memory's photo comes before its words
    assert scheda.evaluate("s => s.querySelector('figure').compareDocumentPosition(s.querySelector('h4')) & 4") == 4
    piccola = miniature.first.bounding_box()
    scheda.locator(".mappe-foto-apri").first.click()
    dialogo = p.locator("dialog.mappe-foto-dialogo[open]")
    dialogo.wait_for()
    grande = dialogo.locator("img.mappe-foto-grande")
    assert grande.evaluate("i => i.complete && i.naturalWidth") == 400
    box = grande.bounding_box()
    assert box["width"] > piccola["width"] * 1.5
    assert dialogo.locator(".mappe-foto-testo-grande").inner_text().startswith("La piazza nel 1962")
    p.screenshot(path=str(tmp_path / "foto-ingrandita.png"))
    from axe_playwright_python.sync_playwright import Axe

    gravi = [v for v in Axe().run(p).response["violations"] if v["impact"] in ("serious", "critical")]
    assert gravi == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in gravi]
    p.keyboard.press("Escape")
    assert p.locator("dialog.mappe-foto-dialogo[open]").count() == 0
    assert p.evaluate("document.activeElement.classList.contains('mappe-foto-apri')")
    assert p.richieste_rifiutate == [] and p.errori == []


def test_un_area_con_il_catalogo_di_prima_prende_le_foto(cli, area, orbassano, tmp_path):
    """A workspace whose catalogue predates the photo fields: they come from the shipped one."""
    strati = area.cartella / "layers" / "strati.toml"
    testo = strati.read_text(encoding="utf-8")
    for campo in ("foto", "didascalia", "autore_foto", "foto_pubblica"):
        testo = re.sub(rf"\[(contributi|luoghi)\.campi\.{campo}\]\n(?:[^\[\n].*\n|\n)*", "", testo)
    strati.write_text(testo, encoding="utf-8")
    assert "foto" not in testo
    foto_jpeg(tmp_path / "a.jpg", orientamento=1)
    f = _foglio(tmp_path, [["c-1", "bisogno", "lavoro", "", "Una parola", "7.5378", "45.0087", "a.jpg", "", "", "",
                            "", "no"]])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    c = Area(area.cartella).archivio("Orbassano").leggi("contributi")
    assert c["foto"].iloc[0] and c["foto_pubblica"].iloc[0] == "no"


def test_le_foto_vanno_nella_copia_e_tornano_con_l_unione(cli, area, orbassano, tmp_path):
    """The laptop's copy carries the photos; what the evening adds comes back to the team with them."""
    foto_jpeg(tmp_path / "ufficio.jpg", seme=40, orientamento=1)
    f = _foglio(tmp_path, [["c-1", "memoria", "socialita", "Ufficio", "Dall'ufficio", "7.5378", "45.0087",
                            "ufficio.jpg", "", "", "", "", ""]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    portatile = tmp_path / "portatile"
    r = cli("copia", "Orbassano", "--in", portatile)
    assert r.exit_code == 0, r.output
    copia = Area(portatile).archivio("Orbassano")
    assert copia.foto_presenti() == orbassano.foto_presenti()
    fid = next(iter(copia.foto_presenti()))
    assert copia.leggi_foto([fid], "anteprima") == orbassano.leggi_foto([fid], "anteprima")
    # the evening: a new memory with its photo, imported on the laptop
    foto_jpeg(tmp_path / "sera.jpg", colore=(250, 120, 0), seme=41, orientamento=1)
    g = _foglio(tmp_path, [["c-2", "memoria", "socialita", "Sera", "Detto la sera", "7.5420", "45.0050", "sera.jpg",
                            "La sera", "", "", "", ""]], nome="sera.csv")
    assert cli("--area", portatile, "importa", g, "--comune", "Orbassano").exit_code == 0
    r = cli("unisci", portatile)
    assert r.exit_code == 0, r.output
    c = orbassano.leggi("contributi").set_index("id")
    nuova = c.at["c-2", "foto"]
    assert nuova in orbassano.foto_presenti()
    assert orbassano.leggi_foto([nuova]) == copia.leggi_foto([nuova])


@pytest.mark.solo_gpkg
def test_la_mostra_servita_ingrandisce_con_l_anteprima(cli, area, orbassano, tmp_path, browser):
    import http.client

    from test_servi import Server

    foto_jpeg(tmp_path / "piazza.jpg", seme=60, orientamento=1)
    f = _foglio(tmp_path, [["c-1", "memoria", "socialita", "La piazza", "Si ballava", "7.5378", "45.0087",
                            "piazza.jpg", "La piazza", "", "", "", ""]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    fid = orbassano.leggi("contributi")["foto"].iloc[0]
    anteprima = orbassano.leggi_foto([fid], "anteprima")[fid]
    s = Server(area).avvia()
    try:
        con = http.client.HTTPConnection("127.0.0.1", s.porta, timeout=10)
        con.request("GET", "/")
        pagina_servita = con.getresponse().read().decode("utf-8")
        h = json.loads(dati_della_pagina(pagina_servita))["foto"]["h"][0]
        con.request("GET", f"/foto/{h}")
        r = con.getresponse()
        assert r.status == 200 and r.getheader("Content-Type") == "image/webp" and r.read() == anteprima
        con.request("GET", "/foto/0123456789abcdef")
        r = con.getresponse()
        assert r.status == 404
        r.read()
        pagina = browser.new_page()
        pagina.goto(s.url)
        pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
        pagina.get_by_role("button", name="Mappa della memoria").click()
        pagina.locator(".mappe-elenco .mappe-foto-apri").first.click()
        grande = pagina.locator("dialog.mappe-foto-dialogo[open] img.mappe-foto-grande")
        grande.wait_for()
        pagina.wait_for_function("document.querySelector('img.mappe-foto-grande').naturalWidth > 400")
        assert grande.evaluate("i => i.naturalWidth") == 1200
        pagina.close()
    finally:
        s.ferma()


def test_un_luogo_con_la_sua_foto(cli, orbassano, tmp_path):
    foto_jpeg(tmp_path / "bar.jpg", seme=70, orientamento=1)
    f = scrivi_csv(tmp_path / "luoghi.csv", [
        ["nome", "categoria", "lon", "lat", "foto", "didascalia", "autore_foto"],
        ["Bar della piazza", "bar", "7.5390", "45.0080", "bar.jpg", "Il bancone", "Chi lo gestisce"],
        ["Biblioteca civica", "biblioteca", "7.5410", "45.0095", "", "", ""],
    ])
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "luoghi")
    assert r.exit_code == 0, r.output
    dati, _ = _mostra(cli, tmp_path)
    lg = dati["luoghi"]
    k = lg["nome"].index("Bar della piazza")
    assert lg["foto"][k] == [0] and lg["didascalia"][k] == "Il bancone"
    assert lg["foto"][lg["nome"].index("Biblioteca civica")] is None
    # a place has no consent of its own: who took its photo stays inside
    assert lg["credito"][k] is None
    assert "Chi lo gestisce" not in (tmp_path / "mostra.html").read_text(encoding="utf-8")


@pytest.mark.solo_gpkg
def test_una_foto_interna_resta_interna_ovunque_sia_attaccata(cli, orbassano, tmp_path):
    """'Inside' wins: the same picture kept inside on one row (foto_pubblica = no, reserved, sensitive)
    stays out of every page and public export, also where a public row shows it."""
    foto_jpeg(tmp_path / "bambini.jpg", seme=80, rumore=30)
    (tmp_path / "copia.jpg").write_bytes((tmp_path / "bambini.jpg").read_bytes())
    foto_jpeg(tmp_path / "portone.jpg", colore=(0, 120, 0), seme=81, rumore=30)
    foto_jpeg(tmp_path / "festa.jpg", colore=(250, 250, 0), seme=82, rumore=30)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "Bambini", "Il gioco", "7.5378", "45.0087", "bambini.jpg",
         "Marco e Giulia di 8 anni", "", "scritto", "", "no"],
        ["c-2", "memoria", "socialita", "Di nuovo", "Lo stesso gioco", "7.5378", "45.0087", "copia.jpg|festa.jpg",
         "La festa", "Gianna Scattini", "scritto", "", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    s = scrivi_csv(tmp_path / "s.csv", [["id", "tipo", "tema", "testo", "lon", "lat", "foto", "didascalia", "sensibile"],
                                        ["c-3", "bisogno", "abitare", "Vive da solo", "7.5400", "45.0090", "portone.jpg",
                                         "Il portone verde con il citofono rotto", "sì"]])
    assert cli("importa", s, "--comune", "Orbassano").exit_code == 0
    c = orbassano.leggi("contributi").set_index("id")
    interna, portone = c.at["c-1", "foto"], c.at["c-3", "foto"]
    festa = c.at["c-2", "foto"].split("|")[1]
    assert c.at["c-2", "foto"].split("|")[0] == interna  # one picture, two rows
    miniature = orbassano.leggi_foto()
    for opzioni in ((), ("--interna",)):
        uscita = tmp_path / "m.html"
        r = cli("mappa", "Orbassano", "-o", uscita, *opzioni)
        assert r.exit_code == 0, r.output  # a credit by consent is no leak, on internal maps too
        dati = json.loads(dati_della_pagina(uscita.read_text(encoding="utf-8")))
        messe = [base64.b64decode(b) for b in dati["foto"]["b"]]
        assert messe == [miniature[festa]], opzioni
        testo = uscita.read_text(encoding="utf-8")
        assert "Marco e Giulia" not in testo and "portone verde" not in testo
        assert "Gianna Scattini" in testo
    # the public export leaves them out with their captions; importing it back keeps them in the store
    esportato = tmp_path / "pubblico.csv"
    assert cli("esporta", "Orbassano", "-o", esportato).exit_code == 0
    testo = esportato.read_text(encoding="utf-8-sig")
    assert interna not in testo and portone not in testo and festa in testo and "Marco e Giulia" not in testo
    r = cli("importa", esportato, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    dopo = orbassano.leggi("contributi").set_index("id")
    assert dopo.at["c-1", "foto"] == interna and dopo.at["c-1", "didascalia"] == "Marco e Giulia di 8 anni"
    assert dopo.at["c-2", "foto"] == c.at["c-2", "foto"]
    assert orbassano.foto_presenti() == {interna, portone, festa}


@pytest.mark.solo_gpkg
def test_la_verifica_guarda_le_immagini_dei_pdf_e_non_confonde_le_pagine_scritte(cli, orbassano, tmp_path):
    from PIL import ImageDraw

    def pagina_scritta(path: Path, seme: int) -> None:
        import random

        r = random.Random(seme)
        img = Image.new("RGB", (1600, 2200), (235, 230, 220))
        d = ImageDraw.Draw(img)
        for y in range(120, 2100, 60):
            d.text((100, y), " ".join(str(r.random()) for _ in range(4)), fill=(40, 40, 40))
        img.save(path, "JPEG", quality=85)

    pagina_scritta(tmp_path / "verbale-pubblico.jpg", 1)
    pagina_scritta(tmp_path / "lettera-riservata.jpg", 2)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "Il verbale", "Il verbale della festa", "7.5378", "45.0087",
         "verbale-pubblico.jpg", "", "", "", "", ""],
        ["c-2", "bisogno", "abitare", "La lettera", "La lettera del padrone di casa", "7.5378", "45.0087",
         "lettera-riservata.jpg", "La lettera di sfratto", "", "", "riservato", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    c = orbassano.leggi("contributi").set_index("id")
    pubblica = orbassano.leggi_foto([c.at["c-1", "foto"]], "anteprima")[c.at["c-1", "foto"]]
    privata = orbassano.leggi_foto([c.at["c-2", "foto"]], "anteprima")[c.at["c-2", "foto"]]

    def pdf_con(dati: bytes, path: Path) -> Path:
        Image.open(io.BytesIO(dati)).convert("RGB").resize((800, 1100)).save(path, "PDF")
        return path

    # the public page of text saved again in a PDF: alike at a glance to the private one, not the same
    r = cli("verifica-privacy", pdf_con(pubblica, tmp_path / "verbale.pdf"))
    assert "foto non pubblica" not in r.output
    r = cli("verifica-privacy", pdf_con(privata, tmp_path / "lettera.pdf"))
    assert r.exit_code == 1 and "foto non pubblica" in r.output and "La lettera di sfratto" in r.output


def test_le_foto_si_cercano_bene_nella_cartella(cli, orbassano, tmp_path):
    """A name written without its extension or in other letters is found; a link that leads out of the
    folder is not followed; an iPhone's HEIC gets its own advice."""
    cartella = tmp_path / "foto"
    (cartella / "sera").mkdir(parents=True)
    foto_jpeg(cartella / "sera" / "IMG_2041.JPG", orientamento=1, seme=90)
    fuori = tmp_path / "altrove"
    fuori.mkdir()
    foto_jpeg(fuori / "segreta.jpg", orientamento=1, seme=91)
    (cartella / "segreta.jpg").symlink_to(fuori / "segreta.jpg")
    (cartella / "IMG_0001.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "", "Senza estensione", "7.5378", "45.0087", "img_2041", "", "", "", "", ""],
        ["c-2", "memoria", "socialita", "", "Un collegamento", "7.5378", "45.0087", "segreta.jpg", "", "", "", "", ""],
        ["c-3", "memoria", "socialita", "", "Da un iPhone", "7.5378", "45.0087", "IMG_0001.HEIC", "", "", "", "", ""],
    ])
    r = cli("importa", f, "--comune", "Orbassano", "--cartella-foto", cartella)
    assert r.exit_code == 1
    assert "riga 3, campo 'foto': la foto 'segreta.jpg' non si trova" in r.output
    assert "riga 4, campo 'foto': la foto 'IMG_0001.HEIC' è in formato HEIC (iPhone)" in r.output
    assert "salvarla come JPEG" in r.output
    c = orbassano.leggi("contributi")
    assert c["id"].tolist() == ["c-1"] and c["foto"].iloc[0] in orbassano.foto_presenti()


@pytest.mark.solo_gpkg
def test_una_didascalia_per_foto_e_quello_che_si_dice_togliendole(cli, orbassano, tmp_path):
    foto_jpeg(tmp_path / "oggi.jpg", seme=100, orientamento=1)
    foto_jpeg(tmp_path / "ieri.jpg", colore=(90, 90, 90), seme=101, orientamento=1)
    f = _foglio(tmp_path, [["c-1", "memoria", "socialita", "Il lavatoio", "Le donne al lavatoio", "7.5378", "45.0087",
                            "oggi.jpg|ieri.jpg", "Il lavatoio oggi, chiuso | Il lavatoio nel 1958", "", "", "", ""]])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    dati, _ = _mostra(cli, tmp_path)
    assert dati["contributi"]["didascalia"] == [["Il lavatoio oggi, chiuso", "Il lavatoio nel 1958"]]
    # a photo taken off in the correction loop: said, with the way back
    esportato = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--completo", "-o", esportato).exit_code == 0
    fid = orbassano.leggi("contributi")["foto"].iloc[0]
    esportato.write_text(esportato.read_text(encoding="utf-8-sig").replace(fid, fid.split("|")[0]), encoding="utf-8-sig")
    r = cli("importa", esportato, "--comune", "Orbassano")
    assert r.exit_code == 0 and "1 foto non è più in nessuna riga e esce dall'archivio" in r.output
    assert "mappe annulla" in r.output
    # modifica takes only photos the store keeps
    r = cli("modifica", "Orbassano", "c-1", "--foto", "nuova.jpg")
    assert r.exit_code == 1 and "non è una foto dell'archivio" in r.output
    assert cli("modifica", "Orbassano", "c-1", "--didascalia", "Il lavatoio oggi").exit_code == 0
    # forgetting the row: the photo is named in what was erased, and the originals are the user's to delete
    r = cli("elimina", "Orbassano", "c-1", "--oblio", "--si")
    assert r.exit_code == 0 and "con 1 foto" in r.output and "Le foto originali" in r.output


def test_il_modulo_kobo_chiede_la_foto_alla_fotocamera(cli, tmp_path):
    from openpyxl import load_workbook

    modulo = tmp_path / "modulo.xlsx"
    r = cli("modello", "--xlsform", modulo)
    assert r.exit_code == 0, r.output
    wb = load_workbook(modulo)
    domande = {riga[1]: riga for riga in wb["survey"].iter_rows(min_row=2, values_only=True)}
    assert domande["foto"][0] == "image"
    assert domande["didascalia"][5] == "${foto} != ''"
    scelte = [(r[0], r[1]) for r in wb["choices"].iter_rows(min_row=2, values_only=True)]
    assert len(scelte) == len(set(scelte))  # every choice once (Kobo refuses a list with doubles)
    assert ("si_no", "si") in scelte


@pytest.mark.solo_gpkg
def test_il_manifesto_stampa_qualche_foto_pubblica(cli, orbassano, tmp_path):
    from pypdf import PdfReader

    foto_jpeg(tmp_path / "festa.jpg", seme=110, orientamento=1)
    foto_jpeg(tmp_path / "riservata.jpg", colore=(0, 0, 0), seme=111, orientamento=1)
    f = _foglio(tmp_path, [
        ["c-1", "memoria", "socialita", "La festa", "La festa di San Giovanni", "7.5378", "45.0087", "festa.jpg",
         "Il falò del 1970", "Gianna Scattini", "scritto", "", ""],
        ["c-2", "memoria", "socialita", "La casa", "La casa di Lucia", "7.5400", "45.0090", "riservata.jpg",
         "Lucia davanti a casa", "", "", "riservato", ""],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    uscita = tmp_path / "manifesto.pdf"
    r = cli("manifesto", "Orbassano", "--vista", "memoria", "--foto", "3", "-o", uscita)
    assert r.exit_code == 0, r.output
    pdf = PdfReader(uscita)
    immagini = [i.data for i in pdf.pages[0].images]
    assert len(immagini) == 1  # the public photo only
    testo = pdf.pages[0].extract_text()
    assert "Il falò del 1970" in testo and "Foto di Gianna Scattini" in testo and "Lucia" not in testo
    # the privacy check knows the printed photo for a public one, and finds the other if it were there
    assert cli("verifica-privacy", uscita).exit_code == 0
    # without --foto the poster is as before: no picture
    assert cli("manifesto", "Orbassano", "--vista", "memoria", "-o", uscita).exit_code == 0
    assert list(PdfReader(uscita).pages[0].images) == []
