"""The store never loses data: killed imports, concurrent imports, versions, checks, exports."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pyogrio
import pytest
from conftest import scrivi_csv

from mappe.esporta import esporta
from mappe.importa import importa_file
from mappe.pubblico import id_pubblico

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS


def _grande_csv(path, n, seme=1, prefisso="Contributo"):
    r = random.Random(seme)
    righe = [["tipo", "tema", "testo", "lon", "lat"]]
    for k in range(n):
        righe.append(["bisogno", "lavoro", f"{prefisso} {k}: un testo di prova lungo come una frase detta davvero",
                      f"{7.530 + r.random() * 0.015:.5f}", f"{45.000 + r.random() * 0.012:.5f}"])
    return scrivi_csv(path, righe)


def _mappe(area, *args, **kw):
    return subprocess.Popen([sys.executable, "-m", "mappe", "--area", str(area.cartella), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _integro(arch) -> bool:
    """The store is sound: SQLite's own check of the file, or on PostgreSQL every row with its
    hash and no id twice."""
    if not arch.su_file:
        n, ids, senza = arch.con().execute(
            f'SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE _impronta IS NULL) FROM "{arch.schema}".contributi'
        ).fetchone()
        return n == ids and senza == 0
    con = sqlite3.connect(arch.gpkg)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def _conta(arch) -> int:
    if arch.su_file:
        return pyogrio.read_info(arch.gpkg, layer="contributi")["features"]
    return arch.conta()["contributi"]


def test_sigkill_durante_un_import_lascia_il_prima_o_il_dopo(area, orbassano, tmp_path):
    importa_file(orbassano, _grande_csv(tmp_path / "base.csv", 10, seme=9, prefisso="Base"))
    prima = _conta(orbassano)
    grande = _grande_csv(tmp_path / "grande.csv", 50_000)
    # How long a whole import takes here, on a copy
    inizio = time.monotonic()
    p = _mappe(area, "importa", grande, "--comune", "Orbassano", "--prova")
    p.communicate()
    durata = max(time.monotonic() - inizio, 2.0)
    esiti = set()
    for k in range(1, 9):
        p = _mappe(area, "importa", grande, "--comune", "Orbassano")
        time.sleep(durata * k / 8)
        p.send_signal(signal.SIGKILL)
        p.communicate()
        assert _integro(orbassano)
        n = _conta(orbassano)
        assert n in (prima, prima + 50_000)
        esiti.add(n)
        if n != prima:  # it went through: go back, to kill the next one too
            orbassano.annulla()
            assert _conta(orbassano) == prima
    # the store itself has no sidecar left (a killed write may leave its own temporary files,
    # which the next write removes: checked below)
    if orbassano.su_file:
        assert not (orbassano.cartella / (orbassano.gpkg.name + "-journal")).exists()
        assert not (orbassano.cartella / (orbassano.gpkg.name + "-wal")).exists()
    # the next import works: no stale lock, leftovers cleaned
    r = importa_file(orbassano, grande)
    assert r.importati == 50_000 and _conta(orbassano) == prima + 50_000
    assert not orbassano.su_file or not list(orbassano.cartella.glob(".scrittura-*"))
    assert prima in esiti  # at least one kill hit mid-import


def test_due_import_insieme_entrano_entrambi(area, orbassano, tmp_path):
    a = _grande_csv(tmp_path / "a.csv", 3000, seme=1, prefisso="A")
    b = _grande_csv(tmp_path / "b.csv", 3000, seme=2, prefisso="B")
    pa = _mappe(area, "importa", a, "--comune", "Orbassano")
    pb = _mappe(area, "importa", b, "--comune", "Orbassano")
    _, ea = pa.communicate()
    _, eb = pb.communicate()
    assert pa.returncode == 0, ea
    assert pb.returncode == 0, eb
    assert _conta(orbassano) == 6000
    assert _integro(orbassano)


def test_import_bloccato_troppo_a_lungo_si_ferma_con_un_messaggio(area, orbassano, tmp_path, monkeypatch):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "x"]])
    tenitore = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from mappe.archivio import Area;"
        f"a = Area({str(area.cartella)!r}).archivio('Orbassano');"
        "b = a.blocco(); b.__enter__(); print('preso', flush=True); time.sleep(30)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert tenitore.stdout.readline().strip() == "preso"
        p = _mappe(area, "importa", f, "--comune", "Orbassano", env={**os.environ, "MAPPE_ATTESA_BLOCCO": "1"})
        _, err = p.communicate()
        assert p.returncode == 1
        assert "Un'altra operazione sta scrivendo sui dati di orbassano" in err and "Traceback" not in err
    finally:
        tenitore.kill()
        tenitore.wait()
    assert _conta(orbassano) == 0


def test_storia_e_annulla(cli, orbassano, tmp_path):
    a = scrivi_csv(tmp_path / "a.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "primo"]])
    b = scrivi_csv(tmp_path / "b.csv", [["tipo", "tema", "testo"], ["risorsa", "lavoro", "secondo"]])
    cli("importa", a, "--comune", "Orbassano")
    cli("importa", b, "--comune", "Orbassano")
    r = cli("annulla", "Orbassano", input="n\n")
    assert r.exit_code == 1 and "annullare 'importa'" in r.output and "Niente è stato annullato" in r.output
    r = cli("storia", "Orbassano")
    assert r.exit_code == 0
    righe = r.output.splitlines()
    assert "importa, 1 riga" in righe[1] and "b.csv (contributi): 1 importato" in righe[2]
    assert "a.csv" in r.output and "comune aggiunto" in r.output
    r = cli("annulla", "Orbassano", "--si")
    assert r.exit_code == 0 and "annullata l'operazione 'importa'" in r.output
    assert list(orbassano.leggi("contributi")["testo"]) == ["primo"]
    cli("annulla", "Orbassano", "--si")
    assert orbassano.conta()["contributi"] == 0
    r = cli("annulla", "Orbassano", "--si")
    assert r.exit_code == 1 and "Non c'è niente da annullare" in r.output
    assert "[annullata]" in cli("storia", "Orbassano").output


def test_verifica_trova_i_problemi(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "consenso", "lon", "lat"],
                                        ["c-1", "bisogno", "lavoro", "x", "orale", "7.5378", "45.0087"]])
    importa_file(orbassano, f)
    r = cli("verifica", "Orbassano")
    assert r.exit_code == 0 and "tutto a posto" in r.output
    # damage the store behind mappe's back: an unknown theme, a broken reference, a duplicate id
    c = orbassano.leggi("contributi")
    c.loc[0, "tema"] = "inventato"
    c.loc[0, "incontro"] = "FG-NESSUNO"
    import pandas as pd
    if orbassano.su_file:
        orbassano.scrivi({"contributi": pd.concat([c, c], ignore_index=True)})
    else:  # a second program writing into the tables (a unique index keeps ids single there)
        orbassano.con().execute(f"""UPDATE "{orbassano.schema}".contributi SET tema = 'inventato', incontro = 'FG-NESSUNO'""")
    r = cli("verifica", "Orbassano")
    assert r.exit_code == 1
    assert "il valore 'inventato' di 'tema' non è nel catalogo" in r.output
    assert "l'incontro 'FG-NESSUNO' non esiste" in r.output
    assert ("l'id 'c-1' compare più volte" in r.output) == orbassano.su_file


@pytest.mark.parametrize("formato", ["csv", "geojson", "gpkg", "kml", "xlsx"])
def test_esporta_e_reimporta_da_gli_stessi_dati(orbassano, tmp_path, formato, luoghi_csv, incontri_csv):
    importa_file(orbassano, incontri_csv, "incontri")
    importa_file(orbassano, luoghi_csv, "luoghi")
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "titolo", "testo", "incontro", "peso", "sensibile", "luogo", "percorso"],
        ["bisogno", "lavoro", "Città", "Perché «così»? Ünïcödé 日本 🙂", "FG-ORB-01", "3", "sì", "Bar della piazza", ""],
        ["memoria", "socialita", "", "Righe\nandate a capo; e virgole, e \"virgolette\"", "", "", "", "",
         "45.0087 7.5378 0 0;45.0050 7.5420 0 0"],
        ["proposta", "lavoro", "", "Senza luogo", "", "", "", "", ""],
    ])
    assert importa_file(orbassano, f).importati == 3
    prima = orbassano.leggi("contributi")
    uscita = esporta(orbassano, tmp_path / f"e.{formato}", completo=True)
    r = importa_file(orbassano, uscita)
    assert (r.importati, r.aggiornati, r.gia_presenti, r.respinti) == (0, 0, 3, [])
    dopo = orbassano.leggi("contributi")
    assert dopo.drop(columns="geometry").equals(prima.drop(columns="geometry"))


def test_esporta_senza_completo_lascia_fuori_cio_che_non_e_pubblico(orbassano, tmp_path, cli):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "testo", "visibilita", "sensibile", "consenso", "autore", "lon", "lat"],
        ["c-pub", "bisogno", "lavoro", "Pubblico", "pubblico", "no", "orale", "Anna", "7.5378", "45.0087"],
        ["c-ris", "bisogno", "lavoro", "Riservato davvero", "riservato", "no", "orale", "", "7.5378", "45.0087"],
        ["c-sen", "bisogno", "lavoro", "Casa sua", "pubblico", "sì", "orale", "", "7.5300", "45.0110"],
        ["c-no", "bisogno", "lavoro", "Senza consenso", "pubblico", "no", "nessuno", "", "7.5420", "45.0050"],
    ])
    assert importa_file(orbassano, f).importati == 4
    assert cli("esporta", "Orbassano", "-o", tmp_path / "e.geojson").exit_code == 0
    testo = (tmp_path / "e.geojson").read_text(encoding="utf-8")
    # a public file carries public ids, not the store's own
    assert id_pubblico(orbassano.segreto(), "c-pub") in testo and "c-pub" not in testo
    for segreto in ("c-ris", "Riservato davvero", "c-sen", "7.53,", "c-no", "Anna"):
        assert segreto not in testo
    # importing it back changes nothing, also for what was left out
    r = importa_file(orbassano, tmp_path / "e.geojson")
    assert (r.importati, r.aggiornati, r.gia_presenti) == (0, 0, 1)
    assert len(orbassano.leggi("contributi")) == 4
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "t.geojson").exit_code == 0
    assert "Riservato davvero" in (tmp_path / "t.geojson").read_text(encoding="utf-8")


def test_xlsx_esportato_non_esegue_formule(orbassano, tmp_path):
    import openpyxl

    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", '=HYPERLINK("http://x","y")']])
    importa_file(orbassano, f)
    esporta(orbassano, tmp_path / "e.xlsx")
    cella = next(c for c in openpyxl.load_workbook(tmp_path / "e.xlsx").active[2] if c.value and str(c.value).startswith("="))
    assert cella.data_type == "s"


def test_si_tengono_le_ultime_venti_versioni(cli, orbassano, tmp_path):
    from mappe.archivio import VERSIONI_TENUTE

    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo"], ["c-1", "bisogno", "lavoro", "versione 0"]])
    importa_file(orbassano, f)
    for k in range(1, VERSIONI_TENUTE + 2):
        assert cli("modifica", "Orbassano", "c-1", "--testo", f"versione {k}").exit_code == 0
    for k in range(VERSIONI_TENUTE + 1, 1, -1):  # the last twenty go back one by one
        r = cli("annulla", "Orbassano", "--si")
        assert r.exit_code == 0, r.output
        assert orbassano.leggi("contributi").iloc[0]["testo"] == f"versione {k - 1}"
    r = cli("annulla", "Orbassano", "--si")
    assert r.exit_code == 1 and "non è più conservata (si tengono le ultime 20)" in r.output
    assert orbassano.leggi("contributi").iloc[0]["testo"] == "versione 1"
