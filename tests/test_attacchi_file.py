"""Issue 12, point 9: hostile files handed to `mappe importa`, each written as the attack.

A file built to exhaust the computer (a small zip of millions of features, a GeoPackage layer
that is an endless query, a shape of millions of points, a spreadsheet that never ends) must be
refused within seconds and a few hundred MB, with one Italian sentence naming the file, the
limit and the option that raises it, exit code 1, and the store untouched. The heaviest attacks
run the real CLI in its own process, measured (wall time, peak memory) and killed if it hangs.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyogrio
import pytest
import shapely
from conftest import PUNTI_ORBASSANO, scrivi_csv
from shapely.geometry import Point, Polygon

from mappe.importa.limiti import Limiti

SECONDI_MAX = 20
MB_MAX = 600
CENTRO = PUNTI_ORBASSANO[0]
RIGA_GEOJSON = ('{"type":"Feature","properties":{"tipo":"bisogno","tema":"lavoro","testo":"Il pullman non passa"},'
                '"geometry":{"type":"Point","coordinates":[7.5378,45.0087]}},\n')


# Runs a command, kills it after a time limit, and reports its exit code, wall time and peak memory.
# It stands between pytest and mappe because Linux hands a child the peak memory of the process
# it was started from: started from pytest (hundreds of MB) the figure would be pytest's.
_MISURA = """
import os, subprocess, sys, time
limite = float(sys.argv[1])
inizio = time.perf_counter()
p = subprocess.Popen(sys.argv[2:])
while True:
    pid, stato, uso = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    if time.perf_counter() - inizio > limite:
        p.kill()
        pid, stato, uso = os.wait4(p.pid, 0)
        break
    time.sleep(0.02)
p.returncode = os.waitstatus_to_exitcode(stato)
print("\\nMISURA", p.returncode, time.perf_counter() - inizio, uso.ru_maxrss / 1024, file=sys.stderr)
"""


def _mappe(area, *argomenti, limite_s: float = 60) -> tuple[int, str, float, float]:
    """Run ``python -m mappe`` in its own process: exit code, output, wall seconds, peak MB.

    A process still running after ``limite_s`` is killed (it would have hung the suite).
    """
    comando = [sys.executable, "-m", "mappe", "--area", str(area.cartella), *map(str, argomenti)]
    with tempfile.TemporaryFile() as uscita:
        subprocess.run([sys.executable, "-c", _MISURA, str(limite_s), *comando], stdout=uscita,
                       stderr=subprocess.STDOUT, cwd=area.cartella, timeout=limite_s + 30, check=True)
        uscita.seek(0)
        testo, misura = uscita.read().decode("utf-8", "replace").rsplit("\nMISURA ", 1)
    codice, secondi, mb = int(misura.split()[0]), float(misura.split()[1]), float(misura.split()[2])
    print(f"\n  mappe importa {Path(str(argomenti[1])).name}: uscita {codice}, {secondi:.1f} s, {mb:.0f} MB di memoria")
    return codice, testo, secondi, mb


def _impronta(area) -> dict:
    """Every file of the workspace and its hash: the store untouched means this unchanged."""
    return {p.relative_to(area.cartella): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(area.cartella.rglob("*")) if p.is_file()}


def _un_solo_messaggio(testo: str, *parti: str) -> None:
    """The refusal is one Italian sentence that holds every part."""
    righe = [r for r in testo.splitlines() if r.startswith("Errore: ")]
    assert len(righe) == 1, testo
    for parte in parti:
        assert parte in righe[0], righe[0]
    assert "Traceback" not in testo


def _geojson(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        f.write(RIGA_GEOJSON * (n - 1))
        f.write(RIGA_GEOJSON.rstrip(",\n") + "\n]}\n")
    return path


# --- 1. A zip of 1.6 MB that expands to 3 million features -------------------------------------


def _bomba(path: Path, **zip64) -> Path:
    """A zip of 1.6 MB holding one GeoJSON of 3 million features (417 MB): one line repeated."""
    blocco = RIGA_GEOJSON.encode() * 10_000
    with (zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
          z.open("contributi.geojson", "w", **zip64) as f):
        f.write(b'{"type":"FeatureCollection","features":[\n')
        for _ in range(300):
            f.write(blocco)
        f.write(RIGA_GEOJSON.rstrip(",\n").encode() + b"\n]}\n")
    assert path.stat().st_size < 2_000_000
    return path


def test_zip_di_pochi_mb_con_3_milioni_di_elementi_rifiutato_in_pochi_secondi(area, tmp_path):
    bomba = _bomba(tmp_path / "contributi.zip", force_zip64=True)
    prima = _impronta(area)
    codice, testo, secondi, mb = _mappe(area, "importa", bomba, "--comune", "Orbassano")
    assert codice == 1, testo
    _un_solo_messaggio(testo, str(bomba), "oltre il limite di 200 MB", "--limite-mb")
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)
    assert _impronta(area) == prima


def test_zip_che_dichiara_pochi_kb_ma_ne_contiene_417_mb_non_si_espande(area, tmp_path):
    # The same bomb, its directory saying the GeoJSON is 2,000 bytes: a check of the declared
    # size passes, and a reader that trusts the data (GDAL's /vsizip/) expands all of it.
    bomba = _bomba(tmp_path / "contributi.zip")
    dati = bytearray(bomba.read_bytes())
    centrale = dati.rindex(b"PK\x01\x02")
    for posto in (22, centrale + 24):  # the uncompressed size, in the entry's header and in the directory
        dati[posto:posto + 4] = (2000).to_bytes(4, "little")
    bomba.write_bytes(bytes(dati))
    assert zipfile.ZipFile(bomba).infolist()[0].file_size == 2000
    prima = _impronta(area)
    codice, testo, secondi, mb = _mappe(area, "importa", bomba, "--comune", "Orbassano")
    assert codice == 1, testo
    _un_solo_messaggio(testo, str(bomba), "è rovinato", "contributi.geojson")
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)
    assert _impronta(area) == prima


def test_zip_a_rapporto_di_compressione_assurdo_rifiutato_senza_aprirlo(cli, area, tmp_path):
    # 50 MB packed into a few hundred bytes: no ordinary zip does that (deflate stops at 1,032 to 1)
    bomba = tmp_path / "rilievo.zip"
    with zipfile.ZipFile(bomba, "w", zipfile.ZIP_BZIP2) as z, z.open("rilievo.geojson", "w") as f:
        for _ in range(50):
            f.write(b" " * 1_000_000)
    prima = _impronta(area)
    inizio = time.perf_counter()
    r = cli("importa", bomba, "--comune", "Orbassano")
    assert time.perf_counter() - inizio < SECONDI_MAX
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(bomba), "bomba zip", "oltre 1.000 volte", "estrarlo")
    assert _impronta(area) == prima


def test_xlsx_che_si_espande_oltre_200_mb_rifiutato_prima_di_aprirlo(area, tmp_path):
    modello = tmp_path / "modello.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["tipo", "tema", "testo"])
    wb.save(modello)
    bomba = tmp_path / "contributi.xlsx"
    riga = (b'<row><c t="inlineStr"><is><t>bisogno</t></is></c><c t="inlineStr"><is><t>lavoro</t></is></c>'
            b'<c t="inlineStr"><is><t>Il pullman non passa</t></is></c></row>')
    with zipfile.ZipFile(modello) as dentro, zipfile.ZipFile(bomba, "w", zipfile.ZIP_DEFLATED) as fuori:
        for voce in dentro.infolist():
            if voce.filename != "xl/worksheets/sheet1.xml":
                fuori.writestr(voce, dentro.read(voce))
                continue
            with fuori.open(voce.filename, "w", force_zip64=True) as f:
                f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
                f.write(b'<row><c t="inlineStr"><is><t>tipo</t></is></c><c t="inlineStr"><is><t>tema</t></is></c>'
                        b'<c t="inlineStr"><is><t>testo</t></is></c></row>')
                for _ in range(210):
                    f.write(riga * 10_000)
                f.write(b"</sheetData></worksheet>")
    assert bomba.stat().st_size < 5_000_000
    prima = _impronta(area)
    codice, testo, secondi, mb = _mappe(area, "importa", bomba, "--comune", "Orbassano")
    assert codice == 1, testo
    _un_solo_messaggio(testo, str(bomba), "oltre il limite di 200 MB", "--limite-mb")
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)
    assert _impronta(area) == prima


def test_limite_mb_conta_anche_le_foto_e_si_alza_con_l_opzione(cli, area, tmp_path):
    (tmp_path / "shp").mkdir()
    gpd.GeoDataFrame({"tipo": ["bisogno"], "tema": ["lavoro"], "testo": ["Il pullman"]},
                     geometry=[Point(CENTRO)], crs=4326).to_file(tmp_path / "shp" / "rilievo.shp")
    archivio = tmp_path / "rilievo.zip"
    with zipfile.ZipFile(archivio, "w", zipfile.ZIP_DEFLATED) as z:
        for p in (tmp_path / "shp").iterdir():
            z.write(p, p.name)
        z.writestr("foto/piazza.jpg", os.urandom(1_500_000))  # a photo does not compress
    prima = _impronta(area)
    r = cli("importa", archivio, "--comune", "Orbassano", "--limite-mb", "1")
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(archivio), "oltre il limite di 1 MB", "--limite-mb 2")
    assert _impronta(area) == prima
    r = cli("importa", archivio, "--comune", "Orbassano", "--limite-mb", "2")
    assert r.exit_code == 0, r.output
    assert "importati: 1," in r.output


# --- 2. A GeoPackage layer that is an endless query --------------------------------------------


def _geopackage(path: Path, *, vera: bool, ostile: str) -> Path:
    """A GeoPackage with a real table ``vera`` (registered or not) and a hostile layer ``a_infinita``."""
    gpd.GeoDataFrame({"tipo": ["bisogno"], "tema": ["lavoro"], "testo": ["Una riga vera"]},
                     geometry=[Point(CENTRO)], crs=4326).to_file(path, layer="vera", driver="GPKG")
    con = sqlite3.connect(path)
    if ostile == "vista ricorsiva":
        con.execute("CREATE VIEW a_infinita AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                    "SELECT x AS fid, v.geom AS geom, v.tipo, v.tema, 'copia ' || x AS testo FROM n, vera v")
    else:  # a table whose column is computed at every read: 300 MB of zeros per row
        con.execute("CREATE TABLE a_infinita (fid INTEGER PRIMARY KEY, geom POINT, tipo TEXT, tema TEXT, "
                    "testo BLOB AS (zeroblob(300000000)))")
        con.execute("INSERT INTO a_infinita (geom, tipo, tema) SELECT geom, tipo, tema FROM vera, "
                    "(SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
                "VALUES ('a_infinita', 'features', 'a_infinita', 4326)")
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('a_infinita', 'geom', 'POINT', 4326, 0, 0)")
    # registered before the real table, and first by name too: GDAL lists it first either way
    for tabella in ("gpkg_contents", "gpkg_geometry_columns"):
        righe = con.execute(f"SELECT * FROM {tabella} WHERE table_name = 'vera'").fetchall()
        con.execute(f"DELETE FROM {tabella} WHERE table_name = 'vera'")
        if vera:
            con.executemany(f"INSERT INTO {tabella} VALUES ({', '.join('?' * len(righe[0]))})", righe)
    if not vera:
        con.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = 'vera'")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("ostile", ["vista ricorsiva", "colonna calcolata"])
def test_geopackage_con_uno_strato_senza_fine_rifiutato_in_pochi_secondi(area, tmp_path, ostile):
    gpkg = _geopackage(tmp_path / "rilievo.gpkg", vera=False, ostile=ostile)
    assert next(n for n, _ in pyogrio.list_layers(gpkg)) == "a_infinita"  # what GDAL reads first
    prima = _impronta(area)
    codice, testo, secondi, mb = _mappe(area, "importa", gpkg, "--comune", "Orbassano")
    assert codice == 1, testo
    _un_solo_messaggio(testo, str(gpkg), "lo strato 'a_infinita'", "vista", "Salva elementi come")
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)
    assert _impronta(area) == prima


def test_geopackage_con_una_vista_prima_della_tabella_importa_la_tabella_e_lo_dice(area, tmp_path):
    gpkg = _geopackage(tmp_path / "rilievo.gpkg", vera=True, ostile="vista ricorsiva")
    assert next(n for n, _ in pyogrio.list_layers(gpkg)) == "a_infinita"  # what GDAL reads first
    codice, testo, secondi, _ = _mappe(area, "importa", gpkg, "--comune", "Orbassano")
    assert codice == 0, testo
    assert "importati: 1," in testo
    assert "lo strato 'a_infinita' del GeoPackage è una vista" in testo and "importato lo strato 'vera'" in testo
    assert secondi < SECONDI_MAX
    assert list(area.archivio("Orbassano").leggi("contributi")["testo"]) == ["Una riga vera"]


# --- 3. More rows or features than any real file -----------------------------------------------


@pytest.mark.parametrize("formato", ["csv", "geojson"])
def test_file_di_200_001_righe_rifiutato_prima_di_controllarle(cli, area, tmp_path, formato):
    if formato == "csv":
        f = tmp_path / "contributi.csv"
        f.write_text("tipo;tema;testo;lon;lat\n" + "bisogno;lavoro;Il pullman non passa;7,5378;45,0087\n" * 200_001,
                     encoding="utf-8")
        cosa = "righe"
    else:
        f = _geojson(tmp_path / "contributi.geojson", 200_001)
        cosa = "elementi"
    prima = _impronta(area)
    inizio = time.perf_counter()
    r = cli("importa", f, "--comune", "Orbassano")
    secondi = time.perf_counter() - inizio
    print(f"\n  {f.name}, 200.001 {cosa}: rifiutato in {secondi:.1f} s")
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(f), f"più di 200.000 {cosa}", "--limite-righe")
    assert secondi < SECONDI_MAX
    assert _impronta(area) == prima


def _gdf(n: int, forma=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"tipo": ["bisogno"] * n, "tema": ["lavoro"] * n, "testo": [f"Riga {k}" for k in range(n)]},
                            geometry=[forma or Point(PUNTI_ORBASSANO[k % 4]) for k in range(n)], crs=4326)


def _scrivi(gdf: gpd.GeoDataFrame, tmp_path: Path, formato: str) -> Path:
    """The same rows in each format a facilitator brings (shapes as WKT in a spreadsheet)."""
    if formato in ("csv", "xlsx", "csv kobo"):
        if formato == "csv kobo":  # a Kobo geoshape: "lat lon alt acc;..."
            posizioni = [";".join(f"{y} {x} 0 0" for x, y in (g.exterior.coords if g.geom_type == "Polygon"
                                                             else g.coords)) for g in gdf.geometry]
            intestazione = "geoshape"
        else:
            posizioni, intestazione = [g.wkt for g in gdf.geometry], "wkt"
        righe = [["tipo", "tema", "testo", intestazione]] + [
            [r.tipo, r.tema, r.testo, p] for r, p in zip(gdf.itertuples(), posizioni)]
        if formato == "xlsx":
            wb = openpyxl.Workbook()
            for riga in righe:
                wb.active.append(riga)
            wb.save(tmp_path / "c.xlsx")
            return tmp_path / "c.xlsx"
        return scrivi_csv(tmp_path / "c.csv", righe, sep=";")
    if formato == "shp.zip":
        (tmp_path / "shp").mkdir()
        gdf.to_file(tmp_path / "shp" / "c.shp")
        with zipfile.ZipFile(tmp_path / "c.zip", "w") as z:
            for p in (tmp_path / "shp").iterdir():
                z.write(p, p.name)
        return tmp_path / "c.zip"
    driver = {"geojson": "GeoJSON", "gpkg": "GPKG", "kml": "KML"}[formato]
    gdf.to_file(tmp_path / f"c.{formato}", driver=driver)
    return tmp_path / f"c.{formato}"


@pytest.mark.parametrize("formato", ["csv", "xlsx", "geojson", "gpkg", "shp.zip", "kml"])
def test_limite_righe_vale_per_ogni_formato_e_si_alza_con_l_opzione(cli, area, tmp_path, formato):
    f = _scrivi(_gdf(3), tmp_path, formato)
    prima = _impronta(area)
    r = cli("importa", f, "--comune", "Orbassano", "--limite-righe", "2")
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(f), "più di 2 ", "--limite-righe 4")
    assert _impronta(area) == prima
    r = cli("importa", f, "--comune", "Orbassano", "--limite-righe", "3")
    assert r.exit_code == 0, r.output
    assert "importati: 3," in r.output


def test_csv_di_ventimila_colonne_rifiutato_prima_di_riempire_le_righe(area, tmp_path):
    # 2,000 short rows under a header of 20,000 columns: 40 million cells from a file of 200 KB
    f = tmp_path / "largo.csv"
    f.write_text(",".join(["tipo", "tema", "testo"] + [f"c{k}" for k in range(20_000)]) + "\n"
                 + "bisogno,lavoro,x\n" * 2_000, encoding="utf-8")
    prima = _impronta(area)
    codice, testo, secondi, mb = _mappe(area, "importa", f, "--comune", "Orbassano")
    assert codice == 1, testo
    _un_solo_messaggio(testo, str(f), "20.003 colonne", "--limite-righe")
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)
    assert _impronta(area) == prima


def test_xlsx_che_dichiara_righe_larghe_16_384_colonne_si_legge_per_quello_che_ha(area, tmp_path):
    # 20,000 rows of 3 cells in a sheet that declares A1:XFD20001: each row would become 16,384 cells
    wb = openpyxl.Workbook()
    wb.active.append(["tipo", "tema", "testo"])
    for k in range(20_000):
        wb.active.append(["bisogno", "lavoro", f"Riga {k}"])
    wb.save(tmp_path / "modello.xlsx")
    ostile = tmp_path / "contributi.xlsx"
    with zipfile.ZipFile(tmp_path / "modello.xlsx") as dentro, \
            zipfile.ZipFile(ostile, "w", zipfile.ZIP_DEFLATED) as fuori:
        for voce in dentro.infolist():
            dati = dentro.read(voce)
            if voce.filename == "xl/worksheets/sheet1.xml":
                dati, quante = re.subn(rb'<dimension ref="A1:C20001"\s*/>', b'<dimension ref="A1:XFD20001"/>', dati)
                assert quante == 1
            fuori.writestr(voce, dati)
    codice, testo, secondi, mb = _mappe(area, "importa", ostile, "--comune", "Orbassano", "--prova")
    assert codice == 0, testo
    assert "da importare: 20000," in testo
    assert secondi < SECONDI_MAX and mb < MB_MAX, (secondi, mb)


# --- 4. A shape of more points than any real one ------------------------------------------------


def _cerchio(punti: int) -> Polygon:
    """A zone of ``punti`` points (the first repeated at the end), 300 m across, inside Orbassano."""
    angoli = np.linspace(0, 2 * np.pi, punti - 1, endpoint=False)
    return Polygon(np.column_stack([CENTRO[0] + 0.002 * np.cos(angoli), CENTRO[1] + 0.002 * np.sin(angoli)]))


def test_forma_di_100_001_punti_rifiutata_prima_di_ripararla_o_spostarla(cli, area, tmp_path):
    zona = _cerchio(100_001)
    assert shapely.get_num_coordinates(zona) == 100_001
    f = tmp_path / "zona.geojson"
    _gdf(1, zona).to_file(f, driver="GeoJSON")
    prima = _impronta(area)
    inizio = time.perf_counter()
    r = cli("importa", f, "--comune", "Orbassano")
    assert time.perf_counter() - inizio < SECONDI_MAX
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(f), "riga 1 ha 100.001 punti", "oltre il limite di 100.000",
                       "--limite-vertici 100001")
    assert _impronta(area) == prima
    r = cli("importa", f, "--comune", "Orbassano", "--limite-vertici", "100001", "--prova")
    assert r.exit_code == 0, r.output
    assert "da importare: 1," in r.output


@pytest.mark.parametrize("formato", ["geojson", "gpkg", "shp.zip", "kml", "csv", "xlsx", "csv kobo"])
def test_limite_vertici_vale_per_ogni_formato_e_si_alza_con_l_opzione(cli, area, tmp_path, formato):
    f = _scrivi(_gdf(2, _cerchio(41)), tmp_path, formato)
    prima = _impronta(area)
    r = cli("importa", f, "--comune", "Orbassano", "--limite-vertici", "30")
    assert r.exit_code == 1
    _un_solo_messaggio(r.output, str(f), "ha 41 punti", "oltre il limite di 30", "--limite-vertici 41")
    assert _impronta(area) == prima
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "importati: 2," in r.output


def test_l_aiuto_di_importa_spiega_i_limiti_con_un_esempio(cli):
    r = cli("importa", "-h")
    assert r.exit_code == 0
    testo = " ".join(r.output.split())
    predefiniti = Limiti()
    assert f"--limite-righe N Quante righe (o elementi di un file GIS) può avere al massimo il file (predefinito: " \
           f"{predefiniti.righe:,}).".replace(",", ".") in testo
    assert f"(predefinito: {predefiniti.vertici:,})".replace(",", ".") in testo
    assert f"--limite-mb MB Quanti MB può occupare al massimo, decompresso, un file compresso: zip, xlsx, foto " \
           f"comprese (predefinito: {predefiniti.mb})." in testo
    assert "mappe importa catasto.zip --comune Orbassano --limite-mb 500 --limite-righe 400000" in r.output
