"""Shared fixtures: real workspaces on disk, real CSV/XLSX files, the real CLI, real Chromium."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sys
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from mappe import postgis, territorio
from mappe.archivio import Area, crea_area
from mappe.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "strumenti"))
import cluster_pg

CHROMIUM = os.environ.get("MAPPE_CHROMIUM", "/usr/bin/chromium")
ARGOMENTI_CHROMIUM = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Inside Orbassano, a few hundred metres apart.
PUNTI_ORBASSANO = [(7.5378, 45.0087), (7.5420, 45.0050), (7.5300, 45.0110), (7.5450, 45.0000)]


@pytest.fixture(scope="session")
def _area_base(tmp_path_factory) -> Path:
    cartella = tmp_path_factory.mktemp("base") / "area"
    area = crea_area(cartella)
    area.aggiungi_comune(territorio.cerca_comune("Orbassano"))
    return cartella


@pytest.fixture(scope="session")
def cluster():
    """A throwaway PostgreSQL + PostGIS cluster for the whole session (strumenti/cluster_pg.py)."""
    if not cluster_pg.disponibile():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL 15 con PostGIS manca: apt-get install -y postgresql-15-postgis-3")
        pytest.skip("PostgreSQL 15 con PostGIS non è installato (apt-get install -y postgresql-15-postgis-3)")
    c = cluster_pg.Cluster().avvia()
    yield c
    postgis.chiudi_connessioni()
    c.ferma()


@pytest.fixture(scope="session")
def _area_base_pg(cluster, tmp_path_factory) -> tuple[Path, str]:
    cartella = tmp_path_factory.mktemp("basepg") / "area"
    url = cluster.nuovo_database("base_pg")
    area = crea_area(cartella, archivio=url)
    area.aggiungi_comune(territorio.cerca_comune("Orbassano"))
    postgis.chiudi_connessioni(url)  # a template database must have no one connected
    return cartella, "base_pg"


_DATABASE = itertools.count()


def nuova_area_pg(request, destinazione: Path) -> tuple[Path, str]:
    """A copy of the PostgreSQL workspace holding Orbassano, in its own new database."""
    cluster = request.getfixturevalue("cluster")
    base, modello = request.getfixturevalue("_area_base_pg")
    nome = f"prova_{os.getpid()}_{next(_DATABASE)}"
    with psycopg.connect(cluster._url("postgres"), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{nome}" TEMPLATE "{modello}"')
    shutil.copytree(base, destinazione)
    progetto = destinazione / "progetto.toml"
    url = cluster._url(nome)
    progetto.write_text(progetto.read_text(encoding="utf-8").replace(cluster._url(modello), url), encoding="utf-8")

    def via():
        postgis.chiudi_connessioni(url)
        with psycopg.connect(cluster._url("postgres"), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')

    request.addfinalizer(via)
    return destinazione, url


@pytest.fixture
def tipo_archivio(request) -> str:
    """Where the workspace keeps its comuni: 'gpkg' (files), or 'postgis' in the modules that run
    their tests on both (ENTRAMBI_ARCHIVI = True)."""
    return getattr(request, "param", "gpkg")


def pytest_generate_tests(metafunc):
    if getattr(metafunc.module, "ENTRAMBI_ARCHIVI", False) and "tipo_archivio" in metafunc.fixturenames \
            and not metafunc.definition.get_closest_marker("solo_gpkg"):
        metafunc.parametrize("tipo_archivio", ["gpkg", "postgis"], indirect=True)


@pytest.fixture
def area(tipo_archivio, request, tmp_path) -> Area:
    """A fresh workspace holding Orbassano, with empty layers (on GeoPackage files, or on
    PostgreSQL for the modules that test both)."""
    cartella = tmp_path / "area"
    if tipo_archivio == "postgis":
        nuova_area_pg(request, cartella)
    else:
        shutil.copytree(request.getfixturevalue("_area_base"), cartella)
    return Area(cartella)


@pytest.fixture
def orbassano(area):
    return area.archivio("Orbassano")


@pytest.fixture
def cli(area):
    """Run ``mappe`` on the workspace; returns click's Result."""
    runner = CliRunner()

    def esegui(*args, cwd: Path | None = None, input: str | None = None):
        vecchia = Path.cwd()
        os.chdir(cwd or area.cartella)
        try:
            return runner.invoke(main, ["--area", str(area.cartella), *map(str, args)], input=input,
                                 catch_exceptions=False)
        finally:
            os.chdir(vecchia)

    return esegui


def apri(pagina, percorso: Path) -> None:
    """Open a page built by mappe and wait until its script says it is ready (and settled)."""
    pagina.goto(percorso.as_uri())
    pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
    pagina.wait_for_timeout(300)


def scrivi_csv(path: Path, righe: list[list], encoding="utf-8", sep=",") -> Path:
    """Write a CSV as a spreadsheet program would (quotes where needed)."""
    import csv

    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=sep).writerows(righe)
    return path


@pytest.fixture
def incontri_csv(tmp_path) -> Path:
    return scrivi_csv(tmp_path / "incontri.csv", [
        ["id", "data", "fase", "partecipanti", "facilitatori", "note"],
        ["FG-ORB-01", "23/11/2026", "baseline", "12", "Anna Facilitatrice", "Note private della sera"],
    ])


@pytest.fixture
def luoghi_csv(tmp_path) -> Path:
    return scrivi_csv(tmp_path / "luoghi.csv", [
        ["nome", "categoria", "ruolo", "descrizione", "referente", "lon", "lat"],
        ["Bar della piazza", "bar", "antenna_sociale", "Il barista sa tutto", "Mario Rossi 333 1234567", "7.5390", "45.0080"],
        ["Biblioteca civica", "biblioteca", "punto_rete", "", "", "7.5410", "45.0095"],
    ])


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium non trovato in {CHROMIUM}: installarlo con 'apt-get install -y chromium'.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGOMENTI_CHROMIUM)
        b.dispositivi = p.devices  # Playwright's device profiles (Pixel 7, iPhone SE...)
        yield b
        b.close()


@pytest.fixture
def pagina_offline(browser):
    """A page with every network request refused; records refused requests and JS errors."""
    contesto = browser.new_context(viewport={"width": 1280, "height": 800})
    pagina = contesto.new_page()
    pagina.richieste_rifiutate = []
    pagina.errori = []

    def instrada(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            pagina.richieste_rifiutate.append(url)
            route.abort()

    pagina.route("**/*", instrada)
    pagina.on("pageerror", lambda e: pagina.errori.append(str(e)))
    pagina.on("console", lambda m: pagina.errori.append(m.text) if m.type == "error" else None)
    pagina.on("requestfailed", lambda r: pagina.errori.append("richiesta fallita: " + r.url))
    yield pagina
    contesto.close()


# Nothing mappe or click prints is English: every command run by the tests through click's runner is
# read for English sentences (words that Italian never uses), whatever the test checks besides.
_INGLESE = re.compile(r"\b(the|is not|does not|requires|must be|cannot|can't|Usage:|Error:|Invalid|invalid value|"
                      r"Missing|No such|not found|expected|unexpected|Aborted|Try '|Traceback|[Ss]how this|"
                      r"Did you mean|too many|at least|only one|already exists)\b")


@pytest.fixture(autouse=True)
def _niente_inglese(monkeypatch):
    originale = CliRunner.invoke

    def invoca(self, *args, **kwargs):
        r = originale(self, *args, **kwargs)
        trovato = _INGLESE.search(r.output or "")
        assert trovato is None, f"un messaggio in inglese ({trovato.group(0)!r}):\n{r.output}"
        return r

    monkeypatch.setattr(CliRunner, "invoke", invoca)


def contenuto_archivio(arch) -> bytes:
    """Everything a comune's store holds, as bytes: the GeoPackage file, or a dump of every table of
    the comune's schema on PostgreSQL (the history and the kept before-images included)."""
    if arch.su_file:
        return arch.gpkg.read_bytes()
    con = arch.con()
    parti = []
    for (tabella,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                                  "ORDER BY 1", (arch.schema,)):
        parti.append(f"-- {tabella}\n".encode())
        with con.cursor().copy(f'COPY (SELECT * FROM "{arch.schema}"."{tabella}" ORDER BY 1) TO STDOUT') as cp:
            for pezzo in cp:
                parti.append(bytes(pezzo))
    return b"".join(parti)


def tracce_archivio(arch) -> list[tuple[str, bytes]]:
    """Every file of a comune's folder (store, kept versions, history), or every table of its schema."""
    if arch.su_file:
        return [(str(f), f.read_bytes()) for f in arch.cartella.rglob("*") if f.is_file()]
    return [(arch.schema, contenuto_archivio(arch))]


def file_delle_tabelle(arch, cluster, tabelle) -> list[Path]:
    """The data files (and TOAST files) of some tables of a comune's schema on the test cluster, after
    a CHECKPOINT: where the bytes of what was written lie on disk."""
    con = arch.con()
    con.execute("CHECKPOINT")
    file = []
    for tabella in tabelle:
        for (rel,) in con.execute(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s UNION SELECT pg_relation_filepath(c.reltoastrelid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
                "AND c.reltoastrelid <> 0", (arch.schema, tabella, arch.schema, tabella)):
            file.append(Path(cluster.cartella) / "dati" / rel)
    return file
