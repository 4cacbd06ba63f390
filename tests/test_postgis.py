"""The shared store on PostgreSQL + PostGIS: workspaces of a team, many writers, the same results
as GeoPackage, erasure as far as the database allows. A real cluster (strumenti/cluster_pg.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from conftest import file_delle_tabelle, scrivi_csv
from test_sicurezza import _grande_csv

from mappe.archivio import Area
from mappe.cli import main
from mappe.importa import importa_file
from mappe.rendi import mappa as rendi_mappa


def _mappe(cartella: Path, *args, input: str | None = None, env=None):
    return CliRunner().invoke(main, ["--area", str(cartella), *map(str, args)], input=input, catch_exceptions=False,
                              env=env)


@pytest.fixture
def pg(request, tmp_path) -> tuple[Area, str]:
    from conftest import nuova_area_pg

    cartella, url = nuova_area_pg(request, tmp_path / "gruppo")
    return Area(cartella), url


def test_init_su_postgresql_e_il_secondo_computer_riceve_chiave_e_catalogo(pg, tmp_path):
    gruppo, url = pg
    progetto = (gruppo.cartella / "progetto.toml").read_text(encoding="utf-8")
    assert f'url = "{url}"' in progetto and "password" in progetto  # the comment says where it goes
    assert not list((gruppo.cartella / "data" / "comuni").rglob("*.gpkg"))  # no file: the data are in the database
    # a colleague joins from another computer (another folder)
    r = CliRunner().invoke(main, ["init", str(tmp_path / "collega"), "--archivio", url])
    assert r.exit_code == 0, r.output
    assert "con i dati nel database" in r.output and "(1 comune già presente)" in r.output
    collega = Area(tmp_path / "collega")
    assert collega.segreto() == gruppo.segreto()
    for f in (gruppo.cartella / "layers").glob("*.toml"):
        assert (collega.cartella / "layers" / f.name).read_text(encoding="utf-8") == f.read_text(encoding="utf-8")
    # what one imports, the other sees
    assert importa_file(gruppo.archivio("Orbassano"), _grande_csv(tmp_path / "a.csv", 3, prefisso="A")).importati == 3
    r = _mappe(collega.cartella, "comuni", "elenco")
    assert r.exit_code == 0 and "Orbassano" in r.output and "      3 " in r.output
    # the same address given through the environment
    r = CliRunner().invoke(main, ["init", str(tmp_path / "terzo")], env={"MAPPE_ARCHIVIO": url})
    assert r.exit_code == 0 and Area(tmp_path / "terzo").url_archivio == url


def test_password_nell_indirizzo_e_indirizzi_sbagliati_rifiutati(pg, tmp_path):
    _, url = pg
    con_password = url.replace("postgres@", "postgres:segretissima@")
    r = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--archivio", con_password])
    assert r.exit_code == 1 and "~/.pgpass" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "x" / "progetto.toml").exists() or "segretissima" not in (
        tmp_path / "x" / "progetto.toml").read_text(encoding="utf-8")
    r = CliRunner().invoke(main, ["init", str(tmp_path / "y"), "--archivio", "mysql://io@server/db"])
    assert r.exit_code == 1 and "non è di PostgreSQL" in r.output
    spento = url.rsplit(":", 1)[0] + ":1/mappe"  # no server listens on port 1
    r = CliRunner().invoke(main, ["init", str(tmp_path / "z"), "--archivio", spento])
    assert r.exit_code == 1 and "Non riesco a collegarmi all'archivio PostgreSQL" in r.output
    assert "Traceback" not in r.output


def test_una_cartella_con_un_altra_chiave_non_si_collega(pg, tmp_path):
    gruppo, url = pg
    assert CliRunner().invoke(main, ["init", str(tmp_path / "mia")]).exit_code == 0
    r = CliRunner().invoke(main, ["init", str(tmp_path / "mia"), "--archivio", url])
    assert r.exit_code == 1 and "chiave" in r.output and "Traceback" not in r.output
    # a folder that lost its key takes it back from the database (ids and moved points stay the same)
    (gruppo.cartella / ".mappe" / "segreto").unlink()
    r = _mappe(gruppo.cartella, "comuni", "elenco")
    assert r.exit_code == 0, r.output
    assert Area(gruppo.cartella).segreto() == bytes.fromhex(
        Area(gruppo.cartella).postgis.leggi_meta("segreto"))


def test_dieci_importazioni_insieme_nessuna_riga_persa_ne_doppia(pg, tmp_path):
    gruppo, _url = pg
    _mappe(gruppo.cartella, "comuni", "aggiungi", "Beinasco")
    processi = []
    for k in range(10):
        comune = "Orbassano" if k % 2 == 0 else "Beinasco"
        lon = 7.530 if comune == "Orbassano" else 7.585
        righe = [["tipo", "tema", "testo", "lon", "lat"]]
        righe += [["bisogno", "lavoro", f"Importazione {k}, riga {j}", f"{lon + j * 1e-5:.5f}",
                   f"{(45.005 if comune == 'Orbassano' else 45.022) + k * 1e-4:.5f}"] for j in range(400)]
        f = scrivi_csv(tmp_path / f"f{k}.csv", righe)
        processi.append(subprocess.Popen([sys.executable, "-m", "mappe", "--area", str(gruppo.cartella), "importa",
                                          str(f), "--comune", comune], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True))
    for p in processi:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    for comune, ks in (("Orbassano", range(0, 10, 2)), ("Beinasco", range(1, 10, 2))):
        arch = gruppo.archivio(comune)
        c = arch.leggi("contributi")
        assert len(c) == 2000 and c["id"].is_unique
        assert set(c["testo"]) == {f"Importazione {k}, riga {j}" for k in ks for j in range(400)}
        assert sum(1 for v in arch.storia() if v["operazione"] == "importa") == 5
    assert _mappe(gruppo.cartella, "verifica").exit_code in (0, 1)  # runs; missing consents are said


def test_annulla_non_disfa_il_lavoro_cambiato_dopo_fuori_da_mappe(pg, tmp_path):
    gruppo, _ = pg
    arch = gruppo.archivio("Orbassano")
    assert importa_file(arch, _grande_csv(tmp_path / "a.csv", 3, prefisso="A")).importati == 3
    c = arch.leggi("contributi")
    uno = c["id"].iloc[0]
    # a colleague edits the row in QGIS, straight in the table
    arch.con().execute(f'UPDATE "{arch.schema}".contributi SET testo = %s WHERE id = %s', ("Corretto in QGIS", uno))
    r = _mappe(gruppo.cartella, "annulla", "Orbassano", "--si")
    assert r.exit_code == 1 and "Non si può annullare 'importa'" in r.output and uno in r.output
    assert "QGIS" in r.output and "I dati non sono stati toccati" in r.output
    assert arch.leggi("contributi").set_index("id").at[uno, "testo"] == "Corretto in QGIS"
    assert len(arch.leggi("contributi")) == 3


def test_stessi_risultati_che_su_geopackage(pg, tmp_path, incontri_csv, luoghi_csv):
    gruppo, _ = pg
    arch = gruppo.archivio("Orbassano")
    importa_file(arch, incontri_csv, "incontri")
    importa_file(arch, luoghi_csv, "luoghi")
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "titolo", "testo", "incontro", "sensibile", "consenso", "lon", "lat"],
        *[["bisogno" if k % 3 else "risorsa", "lavoro" if k % 2 else "socialita", f"Titolo {k}", f"Testo «{k}» è qui",
           "FG-ORB-01", "sì" if k == 4 else "", "orale", f"{7.530 + k * 0.001:.4f}", f"{45.004 + (k % 5) * 0.001:.4f}"]
          for k in range(12)]])
    assert importa_file(arch, f).importati == 12
    assert _mappe(gruppo.cartella, "modifica", "Orbassano", arch.leggi("contributi")["id"].iloc[2],
                  "--titolo", "Cambiato").exit_code == 0
    # the same data on GeoPackage files: a copy (same key, same ids)
    assert _mappe(gruppo.cartella, "copia", "Orbassano", "--in", tmp_path / "file").exit_code == 0
    file = Area(tmp_path / "file")
    uscite = {}
    for nome, a in (("pg", gruppo), ("gpkg", file)):
        for formato in ("csv", "geojson"):
            r = _mappe(a.cartella, "esporta", "Orbassano", "--formato", formato, "-o", tmp_path / f"{nome}.{formato}")
            assert r.exit_code == 0, r.output
        r = _mappe(a.cartella, "riepilogo", "-o", tmp_path / f"{nome}-riepilogo.md")
        assert r.exit_code == 0
        r2 = _mappe(a.cartella, "mappa", "Orbassano", "-o", tmp_path / f"{nome}.html")
        assert r2.exit_code == 0, r2.output
        r3 = _mappe(a.cartella, "mostra", "Orbassano", "-o", tmp_path / f"{nome}-mostra.html")
        assert r3.exit_code == 0, r3.output
        testi = [_mappe(a.cartella, *comando).output.replace(str(tmp_path), "") for comando in (
            ("comuni", "elenco"), ("cerca", "Orbassano", "Testo"), ("verifica",),
            ("riepilogo", "--formato", "csv", "-o", tmp_path / f"{nome}-riepilogo.csv"),
            ("verifica-privacy", tmp_path / f"{nome}.html", tmp_path / f"{nome}-mostra.html", tmp_path / f"{nome}.csv"))]
        assert _mappe(a.cartella, "territorio", "-o", tmp_path / f"{nome}-territorio.html").exit_code == 0
        uscite[nome] = (r.output.replace(str(tmp_path), "").replace(nome, "X"), [t.replace(nome, "X") for t in testi], *(
            rendi_mappa.posizioni_in_pagina((tmp_path / f"{nome}{s}.html").read_text(encoding="utf-8"))
            for s in ("", "-mostra")))
    for formato in ("csv", "geojson"):
        assert (tmp_path / f"pg.{formato}").read_bytes() == (tmp_path / f"gpkg.{formato}").read_bytes()
    assert "Cambiato" in uscite["pg"][1][1] and "12" in uscite["pg"][1][0]  # cerca found them; elenco counts them
    assert uscite["pg"][1][4].count("nessun dato riservato trovato") == 3
    assert uscite["pg"] == uscite["gpkg"]


def test_oblio_con_compatta_non_lascia_byte_nei_file_delle_tabelle(pg, tmp_path, cluster):
    gruppo, _url = pg
    arch = gruppo.archivio("Orbassano")
    segreto = "Parole di Ermenegilda Quaglierini da non lasciare"
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                        ["c-1", "bisogno", "lavoro", segreto, "7.5378", "45.0087"],
                                        ["c-2", "bisogno", "lavoro", "Resta", "7.5420", "45.0050"]])
    assert importa_file(arch, f).importati == 2
    assert _mappe(gruppo.cartella, "modifica", "Orbassano", "c-1", "--titolo", "Un titolo").exit_code == 0
    r = _mappe(gruppo.cartella, "elimina", "Orbassano", "c-1", "--oblio", "--compatta", "--si")
    assert r.exit_code == 0, r.output
    file = file_delle_tabelle(arch, cluster, ("contributi", "_versioni", "_storia", "_lapidi"))
    assert len(file) >= 4 and all(p.exists() for p in file)
    for p in file:
        assert b"Ermenegilda" not in p.read_bytes(), p
    assert [i for i in arch.leggi("contributi")["id"]] == ["c-2"]
    # the tombstone says it was erased, and nothing else about it
    assert arch.lapidi() and all(c for (_, i), (_, c) in arch.lapidi().items() if i == "c-1")


def test_un_archivio_irraggiungibile_e_una_frase_chiara(pg, tmp_path):
    gruppo, url = pg
    progetto = gruppo.cartella / "progetto.toml"
    progetto.write_text(progetto.read_text(encoding="utf-8").replace(url, url.rsplit(":", 1)[0] + ":1/mappe"),
                        encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mappe", "--area", str(gruppo.cartella), "comuni", "elenco"],
                       capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "3"}, check=False)
    assert r.returncode == 1
    assert "Non riesco a collegarmi all'archivio PostgreSQL" in r.stderr + r.stdout
    assert "Traceback" not in r.stderr


def test_uccisa_a_meta_scrittura_la_transazione_non_lascia_niente(pg, tmp_path):
    """The database's own transaction: a writer killed while its rows are half copied in leaves
    the tables as before (and its lock goes with its connection)."""
    gruppo, url = pg
    arch = gruppo.archivio("Orbassano")
    assert importa_file(arch, _grande_csv(tmp_path / "a.csv", 5, prefisso="A")).importati == 5
    codice = (
        "import os, signal, sys\n"
        "from mappe.archivio import Area\n"
        "from mappe import postgis\n"
        "from mappe.importa import importa_file\n"
        "originale = postgis.ArchivioPostgis._copia_dentro\n"
        "def uccidi(self, *a, **k):\n"
        "    originale(self, *a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "postgis.ArchivioPostgis._copia_dentro = uccidi\n"
        f"importa_file(Area({str(gruppo.cartella)!r}).archivio('Orbassano'), {str(_grande_csv(tmp_path / 'b.csv', 300, prefisso='B'))!r})\n"
    )
    p = subprocess.run([sys.executable, "-c", codice], capture_output=True, text=True, check=False)
    assert p.returncode == -9
    c = arch.leggi("contributi")
    assert len(c) == 5 and all(t.startswith("A ") for t in c["testo"])
    assert [v["operazione"] for v in arch.storia()][-1] == "importa" and len(arch.storia()) == 2
    # no lock left behind: the next import goes through at once
    r = _mappe(gruppo.cartella, "importa", tmp_path / "b.csv", "--comune", "Orbassano",
               env={"MAPPE_ATTESA_BLOCCO": "2"})
    assert r.exit_code == 0, r.output
    assert len(arch.leggi("contributi")) == 305
    with psycopg.connect(url) as con:
        assert con.execute(f'SELECT count(*) FROM "{arch.schema}".contributi').fetchone()[0] == 305


def test_la_mostra_servita_scrive_i_riscontri_nel_database(pg, tmp_path):
    from test_servi import Server, posta, pubblico, voce

    gruppo, _ = pg
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "titolo", "testo", "consenso", "lon", "lat"],
                                        ["c-1", "bisogno", "socialita", "Posti", "Manca un posto per la sera", "scritto",
                                         "7.5378", "45.0087"]])
    assert importa_file(gruppo.archivio("Orbassano"), f).importati == 1
    s = Server(gruppo).avvia()
    try:
        v = voce(pubblico(gruppo, "c-1"), commento="Anche noi")
        stato, r = posta(s, [v])
        assert stato == 200 and r["ricevuti"] == [v["id"]]
        assert posta(s, [v])[1]["gia"] == [v["id"]]  # sent again: acknowledged, not written twice
        ris = gruppo.archivio("Orbassano").leggi("riscontri")
        assert list(ris["id"]) == [v["id"]] and ris.iloc[0]["su"] == "c-1" and ris.iloc[0]["commento"] == "Anche noi"
        # an import while serving, undone: the feedback that came after stays
        g = scrivi_csv(tmp_path / "g.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                            ["proposta", "socialita", "Un orto insieme", "7.5380", "45.0090"]])
        assert _mappe(gruppo.cartella, "importa", g, "--comune", "Orbassano").exit_code == 0
        w = voce(pubblico(gruppo, "c-1"))
        assert posta(s, [w])[0] == 200
        assert _mappe(gruppo.cartella, "annulla", "Orbassano", "--si").exit_code == 0
        arch = gruppo.archivio("Orbassano")
        assert "Un orto insieme" not in set(arch.leggi("contributi")["testo"])
        assert set(arch.leggi("riscontri")["id"]) == {v["id"], w["id"]}
    finally:
        s.ferma()


def test_un_indirizzo_che_non_risponde_non_resta_nell_area(pg, tmp_path):
    _, url = pg
    spento = url.rsplit(":", 1)[0] + ":1/mappe"
    r = CliRunner().invoke(main, ["init", str(tmp_path / "nuova"), "--archivio", spento])
    assert r.exit_code == 1 and "Non riesco a collegarmi" in r.output
    assert not (tmp_path / "nuova").exists()  # no half-made workspace on files, nor a wrong address kept
    r = CliRunner().invoke(main, ["init", str(tmp_path / "nuova"), "--archivio", url])
    assert r.exit_code == 0, r.output
    assert Area(tmp_path / "nuova").url_archivio == url


def test_da_file_a_postgresql_con_la_stessa_chiave(cluster, tmp_path, request):
    """The way the README gives to move a workspace on files to PostgreSQL: a new folder with the
    same key, init on the database, unisci from the old one. Codes, public ids and key stay."""
    from mappe.archivio import crea_area
    from mappe.territorio import cerca_comune

    vecchia = crea_area(tmp_path / "vecchia")
    arch = vecchia.aggiungi_comune(cerca_comune("Orbassano"))[0]
    f = _grande_csv(tmp_path / "c.csv", 20, prefisso="Vecchio")
    assert importa_file(arch, f).importati == 20
    r = CliRunner().invoke(main, ["init", str(vecchia.cartella), "--archivio", cluster._url("postgres")])
    assert r.exit_code == 1 and ".mappe/segreto" in r.output  # not in place: the way is said
    url = cluster.nuovo_database(f"migrazione_{os.getpid()}")
    request.addfinalizer(lambda: __import__("mappe.postgis", fromlist=["x"]).chiudi_connessioni(url))
    (tmp_path / "nuova" / ".mappe").mkdir(parents=True)
    (tmp_path / "nuova" / ".mappe" / "segreto").write_bytes((vecchia.cartella / ".mappe" / "segreto").read_bytes())
    assert CliRunner().invoke(main, ["init", str(tmp_path / "nuova"), "--archivio", url]).exit_code == 0
    r = _mappe(tmp_path / "nuova", "unisci", vecchia.cartella)
    assert r.exit_code == 0 and "chiavi diverse" not in r.output and "20 righe nuove" in r.output
    nuova = Area(tmp_path / "nuova")
    assert sorted(nuova.archivio("Orbassano").leggi("contributi")["id"]) == sorted(arch.leggi("contributi")["id"])
    assert importa_file(nuova.archivio("Orbassano"), f).gia_presenti == 20  # the same sheet: already there


def test_un_oblio_dato_da_un_computer_nomina_i_file_esportati_dagli_altri(pg, tmp_path):
    gruppo, url = pg
    assert CliRunner().invoke(main, ["init", str(tmp_path / "anna"), "--archivio", url]).exit_code == 0
    anna = tmp_path / "anna"
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                        ["c-1", "bisogno", "lavoro", "Da dimenticare", "7.5378", "45.0087"],
                                        ["c-2", "bisogno", "lavoro", "Resta", "7.5420", "45.0050"]])
    assert _mappe(gruppo.cartella, "importa", f, "--comune", "Orbassano").exit_code == 0
    # Anna exports from her computer; Mario erases from his
    assert _mappe(anna, "esporta", "Orbassano", "--completo", "-o", tmp_path / "anna.csv").exit_code == 0
    r = _mappe(gruppo.cartella, "elimina", "Orbassano", "c-1", "--oblio", "--si")
    assert r.exit_code == 0 and "anna.csv" not in r.output  # Mario's computer does not know Anna's files
    r = _mappe(anna, "comuni", "elenco")  # Anna's next command, whatever it is, tells her
    assert r.exit_code == 0
    assert "da un altro computer sono state cancellate per sempre" in r.output and "anna.csv" in r.output
    assert "anna.csv" not in _mappe(anna, "comuni", "elenco").output  # said once
    assert "anna.csv" not in _mappe(gruppo.cartella, "comuni", "elenco").output


def test_oblio_anche_nelle_tabelle_messe_a_mano_nello_schema_del_comune(pg, tmp_path):
    """A layer saved from QGIS into the comune's schema: the person's rows go, the cells naming her
    are blanked, the rest stays."""
    gruppo, _ = pg
    arch = gruppo.archivio("Orbassano")
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "autore", "lon", "lat"],
                                        ["c-1", "bisogno", "lavoro", "Manca il lavoro per i giovani", "Ottavia Pellegrini",
                                         "7.5378", "45.0087"],
                                        ["c-2", "risorsa", "socialita", "Il circolo è aperto", "Piero", "7.5420",
                                         "45.0050"]])
    assert importa_file(arch, f).importati == 2
    s = arch.schema
    con = arch.con()
    con.execute(f'CREATE TABLE "{s}".copia_qgis AS SELECT id, testo, autore, geometry FROM "{s}".contributi')
    con.execute(f'CREATE TABLE "{s}".appunti (chi text NOT NULL, cosa text)')
    con.execute(f"""INSERT INTO "{s}".appunti VALUES ('Ottavia Pellegrini', 'ha portato le foto'), ('Piero', 'il circolo')""")
    r = _mappe(gruppo.cartella, "oblio", "--persona", "Ottavia Pellegrini", "--elenco")
    assert "orbassano: appunti" in r.output and "orbassano: copia_qgis" in r.output
    r = _mappe(gruppo.cartella, "oblio", "--persona", "Ottavia Pellegrini", "--si")
    assert r.exit_code == 0, r.output
    assert "aggiunto a mano" in r.output
    assert sorted(con.execute(f'SELECT id FROM "{s}".copia_qgis').fetchall()) == [("c-2",)]
    assert sorted(con.execute(f'SELECT chi, cosa FROM "{s}".appunti').fetchall()) == [
        ("", "ha portato le foto"), ("Piero", "il circolo")]
