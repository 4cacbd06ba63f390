"""Attacks on ``mappe verifica-privacy`` that the first review found open.

Each test builds the hostile file for real on disk (a zip, an XLSX written by openpyxl, a
GeoPackage or a shapefile written by GDAL, a page with an embedded picture...) and runs the
real command on it: what a user sees is exit 1 and a message naming the file, the part and the
kind of data. A file that cannot be checked (a picture, a damaged or lying archive) is never
called clean. The public files mappe makes itself stay clean (exit 0).
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib

import geopandas as gpd
import pytest
from conftest import scrivi_csv
from shapely.geometry import Point
from test_attacchi_privacy import RISERVATO, VERA, _frase, _pulito, _segnalato, _verifica
from test_attacchi_privacy import dati as _dati_privacy

NON_CONTROLLABILE = "non si può dire pulito"
TELEFONO = "3331234567"  # the phone of the bar's referente (luoghi.referente), digits only

# A real 1x1 PNG (red pixel).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def _non_controllabile(r, *parti):
    """Exit 1, no traceback, the file not called clean, and the parts named."""
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output
    assert "nessun dato riservato trovato" not in r.output, r.output
    assert "non si può controllare" in r.output or "non si possono controllare" in r.output, r.output
    for p in parti:
        assert p in r.output, (p, r.output)


@pytest.fixture
def dati(cli, area, orbassano, tmp_path):
    """Orbassano with names, notes, reserved texts, a sensitive point (as in test_attacchi_privacy)."""
    return _dati_privacy.__wrapped__(cli, area, orbassano, tmp_path)


# -- 1. every member of a zip, read for what its bytes are


def test_un_csv_travestito_da_foto_dentro_uno_zip(cli, dati):
    f = dati / "foto.zip"
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("leggimi.txt", "Le foto della serata.")
        z.writestr("foto/IMG_0001.JPG", "nome;ruolo\nGIOVANNA BIANCHI;partecipante\n")
    _segnalato(_verifica(cli, f), "«Giovanna Bianchi»", "contributi.autore")


def test_uno_zip_dentro_uno_zip_dentro_uno_zip_con_un_nome_qualunque(cli, dati):
    interno = io.BytesIO()
    with zipfile.ZipFile(interno, "w") as z:
        z.writestr("x", f"appunti: {_frase(RISERVATO, 10).upper()} e poi basta")
    medio = io.BytesIO()
    with zipfile.ZipFile(medio, "w") as z:
        z.writestr("backup.dat", interno.getvalue())
    f = dati / "consegna.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("leggimi.md", "Consegna.")
        z.writestr("vecchio.bak", medio.getvalue())
    _segnalato(_verifica(cli, f), "testo riservato (Orbassano, contributi.testo)")


def test_un_membro_binario_che_non_si_sa_leggere_rende_lo_zip_non_controllabile(cli, dati):
    f = dati / "consegna.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("leggimi.md", "Consegna per il comune.")
        z.writestr("dati/archivio.bin", bytes(range(256)) * 8)
    r = _verifica(cli, f)
    _non_controllabile(r, NON_CONTROLLABILE, f"{f}:dati/archivio.bin", "dati binari")


def test_un_membro_cifrato_con_password_non_e_controllabile(cli, dati):
    f = dati / "cifrato.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("nomi.txt", "niente da vedere")
    dati_zip = bytearray(f.read_bytes())
    # the 'encrypted' flag, in the local header and in the central directory
    dati_zip[6] |= 0x01
    centro = dati_zip.find(b"PK\x01\x02")
    dati_zip[centro + 8] |= 0x01
    f.write_bytes(bytes(dati_zip))
    _non_controllabile(_verifica(cli, f), f"{f}:nomi.txt", "password")


def test_un_file_che_non_si_riesce_a_leggere_non_ferma_gli_altri(cli, dati):
    rotto = dati / "rotto.zip"
    rotto.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    buono = dati / "buono.txt"
    buono.write_text("Nessun segreto qui.\n", encoding="utf-8")
    r = _verifica(cli, rotto, buono)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert str(rotto) in r.output and f"{buono}: nessun dato riservato trovato" in r.output


# -- 2. archives that lie


def _zip_memorizzato(nome: str, testo: bytes) -> bytearray:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(nome, testo)
    return bytearray(b.getvalue())


def test_uno_zip_con_il_crc_che_non_torna_non_e_fidato(cli, dati):
    # bytes changed after the archive was written: another program may show what the check never saw
    zz = _zip_memorizzato("nota.txt", b"Tutto in ordine, nessun nome.")
    k = zz.find(b"nessun nome")
    zz[k:k + 11] = b"Gio Bianchi"
    f = dati / "manomesso.zip"
    f.write_bytes(bytes(zz))
    _non_controllabile(_verifica(cli, f), f"{f}:nota.txt", "manomesso", "CRC")


def test_uno_zip_con_dimensioni_che_mentono_non_e_fidato(cli, dati):
    # the central directory says 5 bytes, the local header and the data say more
    testo = b"ciao " + RISERVATO.encode()
    zz = _zip_memorizzato("nota.txt", testo)
    centro = zz.find(b"PK\x01\x02")
    struct.pack_into("<III", zz, centro + 16, zlib.crc32(b"ciao "), 5, 5)
    f = dati / "bugiardo.zip"
    f.write_bytes(bytes(zz))
    _non_controllabile(_verifica(cli, f), f"{f}:nota.txt", "manomesso")


def test_uno_zip_con_un_nome_diverso_accanto_ai_dati_non_e_fidato(cli, dati):
    # the directory says 'leggimi.txt', the header beside the data says another name
    zz = _zip_memorizzato("leggimi.txt", b"Istruzioni per la mostra.")
    zz[30:30 + len("leggimi.txt")] = b"segreti.txt"
    f = dati / "nomi.zip"
    f.write_bytes(bytes(zz))
    _non_controllabile(_verifica(cli, f), f"{f}:leggimi.txt", "manomesso")


def test_un_nome_di_persona_nel_nome_di_un_membro(cli, dati):
    f = dati / "consegna.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("interviste/Giovanna Bianchi - racconto.txt", "Il racconto di una sera.")
    _segnalato(_verifica(cli, f), "«Giovanna Bianchi»")


def test_byte_nascosti_tra_i_membri_di_uno_zip(cli, dati):
    f = dati / "nascosto.zip"
    with open(f, "wb") as fp, zipfile.ZipFile(fp, "w") as z:
        z.writestr("a.txt", "Prima parte.")
        fp.write(b"     " + _frase(RISERVATO, 10).encode() + b"     ")  # between two members: no program lists it
        z.start_dir = fp.tell()
        z.writestr("b.txt", "Seconda parte.")
    with zipfile.ZipFile(f) as z:
        assert z.namelist() == ["a.txt", "b.txt"] and _frase(RISERVATO, 10) not in "".join(
            z.read(n).decode() for n in z.namelist())
    r = _verifica(cli, f)
    _segnalato(r, "testo riservato (Orbassano, contributi.testo)")
    _non_controllabile(r, "fuori dai file")


def test_byte_innocui_tra_i_membri_rendono_lo_zip_non_fidato(cli, dati):
    f = dati / "nascosto.zip"
    with open(f, "wb") as fp, zipfile.ZipFile(fp, "w") as z:
        z.writestr("a.txt", "Prima parte.")
        fp.write(b"nulla di speciale, ma qui non dovrebbe esserci niente")
        z.start_dir = fp.tell()
        z.writestr("b.txt", "Seconda parte.")
    _non_controllabile(_verifica(cli, f), f"{f}", "fuori dai file")


def test_byte_nascosti_dopo_la_fine_di_uno_zip(cli, dati):
    f = dati / "coda.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("a.txt", "Una parte.")
    f.write_bytes(f.read_bytes() + b"\n" + b"Giovanna Bianchi" + b"\n")
    with zipfile.ZipFile(f) as z:
        assert z.namelist() == ["a.txt"]
    r = _verifica(cli, f)
    _segnalato(r, "«Giovanna Bianchi»")


# -- 3. pictures


def test_una_foto_in_uno_zip_non_e_controllabile(cli, dati):
    f = dati / "foto.zip"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("leggimi.txt", "Le foto della serata.")
        z.writestr("serata.png", PNG)
    _non_controllabile(_verifica(cli, f), f"{f}:serata.png", "immagine (PNG)")


def test_un_immagine_in_un_data_uri_di_una_pagina_non_e_controllabile(cli, dati):
    f = dati / "pagina.html"
    f.write_text('<!doctype html><html><body><p>Benvenuti</p>'
                 f'<img alt="" src="data:image/png;base64,{base64.b64encode(PNG).decode()}"></body></html>',
                 encoding="utf-8")
    _non_controllabile(_verifica(cli, f), str(f), "immagine incorporata", "image/png")


def test_un_testo_in_un_data_uri_di_una_pagina_e_letto(cli, dati):
    f = dati / "pagina.html"
    nascosto = base64.b64encode(f"<p>{_frase(RISERVATO, 10)}</p>".encode()).decode()
    f.write_text(f'<!doctype html><html><body><iframe src="data:text/html;base64,{nascosto}"></iframe></body></html>',
                 encoding="utf-8")
    _segnalato(_verifica(cli, f), "testo riservato")


def test_un_immagine_dentro_un_xlsx_non_e_controllabile_la_miniatura_si(cli, dati):
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image

    wb = Workbook()
    ws = wb.active
    ws.append(["tema", "testo"])
    ws.append(["abitare", "Manca un posto dove stare la sera"])
    f = dati / "pulito.xlsx"
    wb.save(f)
    # a spreadsheet program's thumbnail of the first sheet is not a picture to look at
    with zipfile.ZipFile(f, "a") as z:
        z.writestr("docProps/thumbnail.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    _pulito(_verifica(cli, f))
    ws.add_image(Image(io.BytesIO(PNG)), "D2")
    g = dati / "foto.xlsx"
    wb.save(g)
    _non_controllabile(_verifica(cli, g), f"{g}:xl/media/image1.png", "immagine (PNG)")


def test_una_foto_in_una_tabella_di_un_geopackage_non_e_controllabile(cli, dati):
    import sqlite3

    f = dati / "copia.gpkg"
    assert cli("esporta", "Orbassano", "-o", f).exit_code == 0
    _pulito(_verifica(cli, f))  # its spatial index holds binary cells: they are no picture
    con = sqlite3.connect(f)
    con.execute("CREATE TABLE allegati (nome TEXT, foto BLOB)")
    con.execute("INSERT INTO allegati VALUES ('serata', ?)", (PNG,))
    con.commit()
    con.close()
    _non_controllabile(_verifica(cli, f), f"{f}:allegati", "un'immagine")


def test_una_pagina_di_mappe_ritoccata_a_mano_non_e_non_controllabile_per_le_icone_di_leaflet(cli, dati):
    f = dati / "mostra.html"
    assert cli("mostra", "Orbassano", "-o", f).exit_code == 0
    pagina = f.read_text(encoding="utf-8")
    assert ".leaflet-container" in pagina and "data:image/png" in pagina
    # a retouched style: mappe's resources are no longer whole, their icons are still mappe's
    f.write_text(pagina.replace(".leaflet-container", ".leaflet-container ", 1), encoding="utf-8")
    _pulito(_verifica(cli, f))
    f.write_text(pagina.replace("</body>", f'<img src="data:image/png;base64,{base64.b64encode(PNG).decode()}">'
                                           "</body>"), encoding="utf-8")
    _non_controllabile(_verifica(cli, f), "un'immagine incorporata (image/png)")


# -- 4, 5. spreadsheets: numbers, headers, footers, formulas


@pytest.mark.parametrize("valore", [int(TELEFONO), float(TELEFONO), int("39" + TELEFONO)], ids=["int", "float", "+39"])
def test_un_telefono_scritto_come_numero_in_una_cella_xlsx(cli, dati, valore):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["luogo", "contatto"])
    wb.active.append(["Bar della piazza", valore])
    f = dati / "contatti.xlsx"
    wb.save(f)
    _segnalato(_verifica(cli, f), "luoghi.referente")


@pytest.mark.parametrize("dove", ["intestazione", "pie_di_pagina", "formula"])
def test_un_nome_in_intestazione_pie_di_pagina_o_formula_di_un_xlsx(cli, dati, dove):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["tema", "testo"])
    ws.append(["socialita", "Manca un posto dove stare la sera"])
    if dove == "intestazione":
        ws.oddHeader.center.text = "Giovanna Bianchi"  # written '&C&KFF0000Giovanna Bianchi'
        ws.oddHeader.center.color = "FF0000"
    elif dove == "pie_di_pagina":
        ws.oddFooter.right.text = "&BGiovanna Bianchi&B - pagina &P"
    else:
        ws["C2"] = '=CONCATENATE("Giovanna ";"Bianchi")'
    f = dati / "foglio.xlsx"
    wb.save(f)
    _segnalato(_verifica(cli, f), "«Giovanna Bianchi»")


# -- 6. names written another way


@pytest.mark.parametrize("scritto", [
    "Bianchi Giovanna", "BIANCHI, Giovanna", "Giovanna detta Gianna Bianchi", "G. Bianchi", "Bianchi G.",
    "Bianchi, G.",
])
def test_un_nome_scritto_in_un_altro_modo(cli, dati, scritto):
    f = dati / "resoconto.md"
    f.write_text(f"# Resoconto\n\nHa preso la parola {scritto}, poi si è votato.\n", encoding="utf-8")
    # the excerpt shows the words as the search reads them (letter case and accents dropped)
    _segnalato(_verifica(cli, f), "(Orbassano, contributi.autore): «Giovanna Bianchi»", scritto.lower())


def test_nomi_sparsi_troppo_lontani_o_parole_comuni_non_sono_un_allarme(cli, dati):
    f = dati / "resoconto.md"
    f.write_text("Giovanna ha portato le sedie, poi con calma abbiamo dipinto i muri bianchi.\n"
                 "E poi è arrivata la signora L. Bianchi? No: era a Bianchi e a Piossasco.\n", encoding="utf-8")
    _pulito(_verifica(cli, f))


@pytest.fixture
def maria_rossi(cli, dati):
    """An author (a person field) called Maria Rossi, and public texts with 'Maria' and 'Rossi' on their own
    (and one that says 'Rossi Maria', a name the project made public)."""
    f = scrivi_csv(dati / "altri.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "visibilita", "consenso", "autore", "lon", "lat"],
        ["c-10", "risorsa", "socialita", "La festa", "Alla festa di Santa Maria viene tutto il paese", "pubblico",
         "orale", "Maria Rossi", "7.5380", "45.0090"],
        ["c-11", "risorsa", "socialita", "Il circolo", "Il circolo Rossi organizza la tombola", "pubblico", "orale",
         "", "7.5385", "45.0092"],
        ["c-12", "memoria", "socialita", "Memoria", "La maestra Rossi Maria insegnò qui per trent'anni", "pubblico",
         "orale", "", "7.5390", "45.0094"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    return dati


def test_le_mappe_e_le_esportazioni_pubbliche_di_mappe_restano_pulite(cli, maria_rossi):
    cartella = maria_rossi
    file = [cartella / "mostra.html", cartella / "mappa.html", cartella / "contributi.xlsx",
            cartella / "contributi.gpkg", cartella / "contributi.geojson", cartella / "contributi.csv",
            cartella / "luoghi.kml"]
    assert cli("mostra", "Orbassano", "-o", file[0]).exit_code == 0
    assert cli("mappa", "Orbassano", "-o", file[1]).exit_code == 0
    for g in file[2:]:
        strato = g.stem
        r = cli("esporta", "Orbassano", "--strato", strato, "-o", g)
        assert r.exit_code == 0, r.output
    # mappe's own pictures (Leaflet's icons, as data URIs) are no picture to look at
    assert "data:image/" in file[0].read_text(encoding="utf-8")
    r = _verifica(cli, *file)
    assert r.exit_code == 0, r.output
    assert r.output.count("nessun dato riservato trovato") == len(file)
    # the author's name is still found, whole, in another order, as initial and surname; 'Rossi
    # Maria' is what a public text says (another person, or the same one made public): no finding
    g = cartella / "lettera.txt"
    for scritto in ("Maria Rossi", "M. Rossi", "Rossi M.", "Rossi, la Maria"):
        g.write_text(f"Per le chiavi sentire {scritto}, dopo le sei.\n", encoding="utf-8")
        _segnalato(_verifica(cli, g), "(Orbassano, contributi.autore): «Maria Rossi»")
    g.write_text("Per le chiavi sentire Rossi Maria, dopo le sei.\n", encoding="utf-8")
    _pulito(_verifica(cli, g))


def test_un_nome_che_i_dati_pubblici_dicono_gia_non_e_un_allarme_in_nessun_ordine(cli, dati):
    # the place's referente is also named in the place's public description
    f = scrivi_csv(dati / "luoghi2.csv", [
        ["nome", "categoria", "ruolo", "descrizione", "referente", "lon", "lat"],
        ["Farmacia", "negozio_amico", "antenna_sociale", "La farmacia di Elvira Sant", "Elvira Sant", "7.5395",
         "45.0085"],
    ])
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "luoghi")
    assert r.exit_code == 0, r.output
    g = dati / "lettera.txt"
    g.write_text("Grazie alla dottoressa Sant, Elvira e a E. Sant.\n", encoding="utf-8")
    _pulito(_verifica(cli, g))


def test_un_nome_che_sta_in_un_testo_fisso_non_e_un_allarme(cli, dati):
    # a person called like two words of a comune's name: the comune's name, whole, is public
    f = scrivi_csv(dati / "c.csv", [
        ["tipo", "tema", "testo", "autore", "lon", "lat"],
        ["bisogno", "socialita", "Serve una panchina", "Torino Rivalta", "7.5380", "45.0090"],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    g = dati / "note.txt"
    g.write_text("Il progetto lavora a Rivalta di Torino e a Orbassano.\n", encoding="utf-8")
    _pulito(_verifica(cli, g))
    g.write_text("Ne ha parlato Rivalta, Torino, alla riunione.\n", encoding="utf-8")
    _segnalato(_verifica(cli, g), "«Torino Rivalta»")


# -- 7. what only the kept versions still hold


@pytest.mark.parametrize("tipo_archivio", ["gpkg", "postgis"], indirect=True)  # kept versions on both stores
def test_un_nome_tolto_con_modifica_resta_nelle_versioni_e_si_cerca(cli, dati):
    r = cli("modifica", "Orbassano", "c-1", "--autore", "Giovanna B.")
    assert r.exit_code == 0, r.output
    f = dati / "vecchio.csv"
    f.write_text("autore\nGiovanna Bianchi\n", encoding="utf-8")
    r = _verifica(cli, f)
    _segnalato(r, "«Giovanna Bianchi»", "(in una versione conservata)")


@pytest.mark.parametrize("tipo_archivio", ["gpkg", "postgis"], indirect=True)  # kept versions on both stores
def test_un_testo_di_una_riga_eliminata_resta_nelle_versioni_e_si_cerca(cli, dati):
    r = cli("elimina", "Orbassano", "c-3", "--si")
    assert r.exit_code == 0, r.output
    f = dati / "vecchio.txt"
    f.write_text(_frase(RISERVATO, 10) + "\n", encoding="utf-8")
    _segnalato(_verifica(cli, f), "testo riservato (Orbassano, contributi.testo (in una versione conservata))")


@pytest.mark.parametrize("tipo_archivio", ["gpkg", "postgis"], indirect=True)  # kept versions on both stores
def test_una_riga_dimenticata_con_oblio_non_resta_nelle_versioni(cli, dati):
    r = cli("elimina", "Orbassano", "c-3", "--oblio", "--si")
    assert r.exit_code == 0, r.output
    f = dati / "vecchio.txt"
    f.write_text(_frase(RISERVATO, 10) + "\n", encoding="utf-8")
    _pulito(_verifica(cli, f))


# -- 8. the true position of a sensitive point, written another way


def _punto_vero_in(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"nome": ["casa"]}, geometry=[Point(*VERA)], crs="EPSG:4326").to_crs(crs)


@pytest.mark.parametrize("crs", ["EPSG:32632", "EPSG:3003", "EPSG:3857"])
def test_la_posizione_vera_in_un_geopackage_in_un_altro_sistema(cli, dati, crs):
    f = dati / "punti.gpkg"
    g = _punto_vero_in(crs)
    assert abs(g.geometry.iloc[0].x - VERA[0]) > 1000  # metres, not degrees
    g.to_file(f, driver="GPKG", engine="pyogrio")
    _segnalato(_verifica(cli, f), "posizione vera di un contributo sensibile (Orbassano, contributi)")


def test_la_posizione_vera_in_uno_shapefile_utm_zippato(cli, dati):
    cartella = dati / "shp"
    cartella.mkdir()
    _punto_vero_in("EPSG:32632").to_file(cartella / "punti.shp", engine="pyogrio")
    f = dati / "punti.zip"
    with zipfile.ZipFile(f, "w") as z:
        for p in sorted(cartella.iterdir()):
            z.write(p, f"consegna/{p.name}")
    _segnalato(_verifica(cli, f), "posizione vera di un contributo sensibile")
    _segnalato(_verifica(cli, cartella / "punti.shp"), "posizione vera di un contributo sensibile")


def test_la_posizione_vera_in_un_geojson_che_dichiara_utm(cli, dati):
    g = _punto_vero_in("EPSG:32632")
    x, y = g.geometry.iloc[0].x, g.geometry.iloc[0].y
    f = dati / "punti.geojson"
    f.write_text('{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
                 '"urn:ogc:def:crs:EPSG::32632"}}, "features": [{"type": "Feature", "properties": {"nome": "casa"}, '
                 f'"geometry": {{"type": "Point", "coordinates": [{x:.2f}, {y:.2f}]}}}}]}}', encoding="utf-8")
    _segnalato(_verifica(cli, f), "posizione vera di un contributo sensibile")


def _gms(v: float, pos: str, neg: str) -> str:
    emisfero = pos if v >= 0 else neg
    v = abs(v)
    g = int(v)
    m = int((v - g) * 60)
    s = (v - g - m / 60) * 3600
    return f"{g}°{m:02d}'{s:04.1f}\"{emisfero}"


@pytest.mark.parametrize("forma", ["lat_lon", "lon_lat", "spazi"])
def test_la_posizione_vera_in_gradi_primi_secondi(cli, dati, forma):
    lat, lon = _gms(VERA[1], "N", "S"), _gms(VERA[0], "E", "W")
    testo = {"lat_lon": f"{lat} {lon}", "lon_lat": f"{lon}, {lat}",
             "spazi": f"{lat} {lon}".replace("°", "° ").replace("'", "' ")}[forma]
    f = dati / "punto.txt"
    f.write_text(f"La casa è a {testo}.\n", encoding="utf-8")
    _segnalato(_verifica(cli, f), "posizione vera di un contributo sensibile")


def test_gradi_primi_secondi_lontani_non_sono_un_allarme(cli, dati):
    f = dati / "punto.txt"
    # 0.2 minutes of latitude away: about 370 m
    f.write_text(f"La casa è a {_gms(VERA[1] + 0.0033, 'N', 'S')} {_gms(VERA[0], 'E', 'W')}.\n", encoding="utf-8")
    _pulito(_verifica(cli, f))


def test_la_posizione_vera_spostata_di_un_metro_e_mezzo_con_sei_decimali(cli, dati):
    f = dati / "punto.csv"
    vicino = (VERA[0] + 0.000012, VERA[1] - 0.000009)  # about 0.9 m east, 1 m south
    f.write_text(f"luogo;lon;lat\ncasa;{vicino[0]:.6f};{vicino[1]:.6f}\n", encoding="utf-8")
    _segnalato(_verifica(cli, f), "posizione vera di un contributo sensibile")
    lontano = (VERA[0] + 0.00008, VERA[1])  # about 6 m
    f.write_text(f"luogo;lon;lat\ncasa;{lontano[0]:.6f};{lontano[1]:.6f}\n", encoding="utf-8")
    _pulito(_verifica(cli, f))


def test_un_esportazione_pubblica_in_utm_resta_pulita(cli, dati):
    f = dati / "pubblico.gpkg"
    assert cli("esporta", "Orbassano", "-o", f).exit_code == 0
    g = dati / "pubblico-utm.gpkg"
    gpd.read_file(f).to_crs("EPSG:32632").to_file(g, driver="GPKG", engine="pyogrio")
    _pulito(_verifica(cli, f, g))


# -- 9. speed


def test_la_ricerca_dei_nomi_in_ogni_ordine_resta_veloce():
    """A page of 1,500,000 words, all of them common first names, surnames or short words, checked
    against 23,000 names of persons and 20,000 notes: the search of names written in any order
    (vectorised) stays within seconds, with every name found."""
    import random
    import time

    import numpy as np

    from mappe.contenuto import Contenuto
    from mappe.riservatezza import PERSONA, PRIVATO, Indice, Segreto

    rnd = random.Random(3)
    nomi = ["Maria", "Anna", "Giuseppe", "Luca", "Francesca", "Marco", "Giovanna", "Paolo", "Elena", "Sara", "Rosa"]
    cognomi = ["Rossi", "Bianchi", "Ferrero", "Gallo", "Costa", "Bruno", "Conti", "Ricci", "Marino", "Greco"]
    parole = ["la", "piazza", "il", "bar", "sera", "i", "ragazzi", "gli", "anziani", "pullman", "scuola", "casa",
              "parco", "m", "g", "a", "e", *nomi, *cognomi]
    segreti = [Segreto(f"{n} {c}", PERSONA, "x") for n in nomi for c in cognomi]
    segreti += [Segreto(f"{rnd.choice(nomi)} {rnd.choice(nomi)} {rnd.choice(cognomi)}{k}", PERSONA, "x")
                for k in range(23_000)]
    segreti += [Segreto(f"nota {k}: " + " ".join(rnd.choice(parole) for _ in range(8)), PRIVATO, "x")
                for k in range(20_000)]
    comuni = [w for w in parole if w not in nomi and w not in cognomi]
    pubblici = [" ".join(rnd.choice(comuni) for _ in range(16)) for _ in range(5_000)]
    indice = Indice(segreti, pubblici, ["Orbassano"], np.empty((0, 2)))
    testo = " ".join(rnd.choice(parole) + ("." if rnd.random() < 0.05 else "") for _ in range(1_500_000))
    vuoto = np.empty(0, dtype=np.int64)
    inizio = time.perf_counter()
    reperti = indice.cerca(Contenuto(testo, np.empty(0), vuoto, vuoto, "testo"))
    assert time.perf_counter() - inizio < 15  # about 3 s here; one lookup per pair of words took twice as long
    trovati = {r.segreto.valore for r in reperti}
    assert {f"{n} {c}" for n in nomi for c in cognomi} <= trovati
