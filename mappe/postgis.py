"""The store on PostgreSQL + PostGIS: one schema per comune, every write one transaction.

A workspace whose ``progetto.toml`` has ``[archivio] url = "postgresql://utente@host/db"`` keeps
its comuni in that database; the folder keeps only what each computer needs locally (the
catalogue, read from the database when the workspace is made, and the settings). The database
holds, in the schema ``mappe``, the workspace's key, catalogue and identity, and one schema per
comune (``mappe_c_<slug>``) with:

- the layers of the catalogue (``contributi``, ``luoghi``, ``incontri``, ``riscontri``), one
  column per field, the geometry in EPSG:4326, plus ``_impronta`` (a hash of the row, to find
  what a write changes without reading it all) and ``_ordine`` (the order the rows were written
  in, so that every command sees them as on GeoPackage);
- ``confine``, ``comune``, ``popolazione`` (geopandas ``to_postgis``/``to_sql``);
- ``_storia``: the history, one row per operation;
- ``_versioni``: the before-image of each operation, only of the rows it touched (the row as it
  was, and the hash of the row it wrote): ``annulla`` applies the inverse when those rows are
  unchanged since, and otherwise names what changed (many writers: never revert someone else's
  work);
- ``_lapidi``: the tombstones of deleted rows (layer, id, when, erased or not; no content).

Writers of one comune take a PostgreSQL advisory lock for the time of their read-modify-write
(it dies with the connection: a killed process never leaves it behind); each write is one
transaction, so a failure or a kill leaves the old content or the new, never half.

Passwords are never written by mappe: libpq takes them from ``PGPASSWORD``, ``~/.pgpass`` or a
service file (``PGSERVICE``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import threading
import time
import warnings
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .archivio import VERSIONI_TENUTE, impronte
from .errori import AreaError, MappeError

__all__ = ["MagazzinoPostgis", "controlla_url", "url_senza_password"]

CRS = "EPSG:4326"
SCHEMA = "mappe"


# --- Addresses and connections --------------------------------------------------------------

def url_senza_password(url: str) -> str:
    """The address as it may be printed (a password, if any, replaced by ***)."""
    parti = urlsplit(url)
    if parti.password:
        netloc = parti.netloc.replace(":" + parti.password + "@", ":***@")
        return urlunsplit(parti._replace(netloc=netloc))
    return url


def controlla_url(url: str) -> str:
    """A PostgreSQL address as mappe keeps it, or a clear refusal."""
    url = (url or "").strip()
    parti = urlsplit(url)
    if parti.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise AreaError(
            f"L'indirizzo dell'archivio '{url}' non è di PostgreSQL: scriverlo come "
            "postgresql://utente@server/database (per esempio postgresql://mario@192.168.1.10/mappe)."
        )
    if parti.password:
        raise AreaError(
            "L'indirizzo dell'archivio contiene una password: mappe non la scrive mai nell'area di lavoro. "
            "Toglierla dall'indirizzo e metterla in ~/.pgpass (o nella variabile PGPASSWORD)."
        )
    if not parti.path.strip("/"):
        raise AreaError(f"Nell'indirizzo '{url}' manca il nome del database (dopo l'ultima /).")
    return urlunsplit(parti._replace(scheme="postgresql"))


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise AreaError(
            "Quest'area di lavoro tiene i dati su PostgreSQL, ma mancano i pacchetti per usarlo: "
            "installarli con 'pip install \"mappe[postgis]\"'."
        ) from None
    return psycopg


_CONNESSIONI = threading.local()


def _errore_collegamento(url: str, e: Exception) -> AreaError:
    """One Italian sentence for a connection refused (the server's own words are English)."""
    testo = str(e).lower()
    if "does not exist" in testo and "database" in testo:
        perche, cosa = "il database non esiste", "il nome del database nell'indirizzo (o chiederlo all'amministratore)"
    elif "password" in testo or "authentication" in testo:
        perche, cosa = "utente o password rifiutati", "l'utente nell'indirizzo e la password in ~/.pgpass o PGPASSWORD"
    elif "role" in testo and "does not exist" in testo:
        perche, cosa = "l'utente non esiste sul server", "il nome dell'utente nell'indirizzo"
    else:
        perche, cosa = "il server non risponde", "che il server sia acceso e raggiungibile (rete, indirizzo, porta)"
    return AreaError(
        f"Non riesco a collegarmi all'archivio PostgreSQL {url_senza_password(url)}: {perche}. Controllare {cosa}; "
        "l'indirizzo dell'area è in progetto.toml, alla voce [archivio]."
    )


def connessione(url: str):
    """This thread's connection to ``url`` (made again after a fork or when it was lost)."""
    psycopg = _psycopg()
    tenute = getattr(_CONNESSIONI, "tenute", None)
    if tenute is None:
        tenute = _CONNESSIONI.tenute = {}
    con = tenute.get(url)
    if con is not None and (con.closed or con.broken or con.info.backend_pid is None or con._mappe_pid != os.getpid()):
        con = None
    if con is None:
        try:
            con = psycopg.connect(url, autocommit=True, connect_timeout=15, application_name="mappe")
        except psycopg.Error as e:
            raise _errore_collegamento(url, e) from None
        con._mappe_pid = os.getpid()
        tenute[url] = con
        with _TUTTE_MUTEX:
            _TUTTE.append((url, con))
    return con


_TUTTE: list = []
_TUTTE_MUTEX = threading.Lock()


def chiudi_connessioni(url: str | None = None) -> None:
    """Close the connections this process holds (to ``url``, or all)."""
    with _TUTTE_MUTEX:
        restano = []
        for u, con in _TUTTE:
            if url is None or u == url:
                with contextlib.suppress(Exception):
                    con.close()
            else:
                restano.append((u, con))
        _TUTTE[:] = restano


def motore(url: str):
    """A SQLAlchemy engine on ``url`` with psycopg 3, for geopandas' to_postgis/read_postgis."""
    import sqlalchemy

    motori = getattr(_CONNESSIONI, "motori", None)
    if motori is None:
        motori = _CONNESSIONI.motori = {}
    chiave = (url, os.getpid())
    if chiave not in motori:
        motori[chiave] = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                                                  poolclass=sqlalchemy.pool.NullPool)
    return motori[chiave]


def schema_di(slug: str) -> str:
    return "mappe_c_" + slug.replace("-", "_")


def _q(nome: str) -> str:
    return '"' + nome.replace('"', '""') + '"'


def _chiave_blocco(url: str, slug: str) -> int:
    h = hashlib.blake2b(f"mappe:{slug}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big", signed=True)


def _riga_json(riga: dict, geom) -> str:
    dati = {k: v for k, v in riga.items() if k != "geometry"}
    if geom is not None:
        dati["geometry"] = shapely.to_wkb(geom, hex=True, output_dimension=2)
    return json.dumps(dati, ensure_ascii=False, default=_json_valore)


def _json_valore(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if v is pd.NA:
        return None
    raise TypeError(type(v))


# --- The workspace's side in the database ----------------------------------------------------

class MagazzinoPostgis:
    """The comuni of a workspace kept in a PostgreSQL database."""

    def __init__(self, area, url: str):
        self.area = area
        self.url = url

    def con(self):
        return connessione(self.url)

    @cached_property
    def _pronto(self) -> bool:
        self.prepara()
        if self.area is not None:
            self.controlla_chiave()
        return True

    def prepara(self) -> None:
        """The schema ``mappe`` and PostGIS (made once, by the first workspace on the database)."""
        con = self.con()
        psycopg = _psycopg()
        try:
            c = con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
            if not c:
                try:
                    con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except psycopg.Error:
                    raise AreaError(
                        f"Il database {url_senza_password(self.url)} non ha PostGIS e l'utente non può attivarlo: "
                        "chiedere all'amministratore del server di dare 'CREATE EXTENSION postgis' in quel database."
                    ) from None
            with con.transaction():
                con.execute("SELECT pg_advisory_xact_lock(7261727)")
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.area (chiave text PRIMARY KEY, valore text)")
                con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.comuni (slug text PRIMARY KEY, schema text NOT NULL)")
        except psycopg.OperationalError as e:
            raise _errore_collegamento(self.url, e) from None

    def chiavi(self, prefisso: str) -> list[str]:
        assert self._pronto
        return [r[0] for r in self.con().execute(f"SELECT chiave FROM {SCHEMA}.area WHERE chiave LIKE %s ORDER BY 1",
                                                 (prefisso + "%",))]

    def controlla_chiave(self) -> None:
        """The folder's key must be the database's (ids, moved points and kiosks depend on it)."""
        from .archivio import segreto_area

        r = self.con().execute(f"SELECT valore FROM {SCHEMA}.area WHERE chiave = 'segreto'").fetchone()
        nel_db = r[0] if r else None
        if nel_db is not None and bytes.fromhex(nel_db) != segreto_area(self.area.cartella):
            raise AreaError(
                f"La chiave di {self.area.cartella} (.mappe/segreto) non è quella dell'archivio "
                f"{url_senza_password(self.url)}: prendere la cartella da chi l'ha creata, oppure crearne una nuova "
                "con 'mappe init CARTELLA --archivio INDIRIZZO'.")

    # key-value settings of the workspace kept in the database
    def leggi_meta(self, chiave: str) -> str | None:
        assert self._pronto
        r = self.con().execute(f"SELECT valore FROM {SCHEMA}.area WHERE chiave = %s", (chiave,)).fetchone()
        return r[0] if r else None

    def scrivi_meta(self, chiave: str, valore: str, solo_se_manca: bool = False) -> str:
        """Write a setting; with ``solo_se_manca`` keep one already there. Returns the value kept."""
        assert self._pronto
        con = self.con()
        if solo_se_manca:
            con.execute(f"INSERT INTO {SCHEMA}.area VALUES (%s, %s) ON CONFLICT (chiave) DO NOTHING", (chiave, valore))
            return self.leggi_meta(chiave)
        con.execute(f"INSERT INTO {SCHEMA}.area VALUES (%s, %s) ON CONFLICT (chiave) DO UPDATE SET valore = "
                    "excluded.valore", (chiave, valore))
        return valore

    def annota_oblio(self, comuni: dict[str, list[str]]) -> str:
        """Leave word in the database that these rows were erased (ids only: keyed, no content), so that
        every computer of the team can name its own exported files that held them. Returns the note's key,
        which this computer has seen already."""
        import secrets

        chiave = f"oblio/{dt.datetime.now().isoformat(timespec='microseconds')}-{secrets.token_hex(4)}"
        self.scrivi_meta(chiave, json.dumps(comuni, ensure_ascii=False))
        if self.area is not None:
            visto = self.area.cartella / ".mappe" / "oblii-visti"
            visto.write_text(chiave, encoding="utf-8")
        return chiave

    def oblii_dopo(self, visto: str) -> list[tuple[str, dict]]:
        """The erasure notes written after ``visto`` (oldest first)."""
        assert self._pronto
        return [(k, json.loads(v)) for k, v in self.con().execute(
            f"SELECT chiave, valore FROM {SCHEMA}.area WHERE chiave LIKE 'oblio/%%' AND chiave > %s ORDER BY chiave",
            (visto or "oblio/",))]

    def slugs(self) -> list[str]:
        assert self._pronto
        return [r[0] for r in self.con().execute(f"SELECT slug FROM {SCHEMA}.comuni ORDER BY slug")]

    def esiste(self, slug: str) -> bool:
        assert self._pronto
        return self.con().execute(f"SELECT 1 FROM {SCHEMA}.comuni WHERE slug = %s", (slug,)).fetchone() is not None

    def apri(self, slug: str, catalogo):
        return ArchivioPostgis(self.area.cartella_comuni / slug, catalogo, magazzino=self)

    def crea(self, slug: str, catalogo, strati: dict[str, pd.DataFrame], dettagli: str):
        """Make the schema of a new comune with its tables, in one transaction. Returns the
        store and whether it was made now."""
        assert self._pronto
        arch = self.apri(slug, catalogo)
        schema = schema_di(slug)
        with arch.blocco():
            if self.esiste(slug):
                return arch, False
            with motore(self.url).begin() as sa:
                pg = sa.connection.driver_connection
                pg.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)}")
                pg.execute(f"CREATE TABLE {_q(schema)}._storia (n bigserial PRIMARY KEY, quando text, utente text, "
                           "operazione text, dettagli text, righe bigint, versione text, altro jsonb)")
                pg.execute(f"CREATE TABLE {_q(schema)}._versioni (op bigint, strato text, id text, prima jsonb, "
                           "dopo text, ordine double precision)")
                pg.execute(f"CREATE INDEX ON {_q(schema)}._versioni (op)")
                pg.execute(f"CREATE TABLE {_q(schema)}._lapidi (strato text, id text, quando text, cancellato "
                           "boolean NOT NULL DEFAULT false, PRIMARY KEY (strato, id))")
                for nome, s in catalogo.strati.items():
                    arch._crea_strato(pg, s)
                for nome, df in strati.items():
                    if nome not in catalogo.strati:
                        arch._sostituisci_tabella(sa, nome, df)
                pg.execute(f"INSERT INTO {SCHEMA}.comuni VALUES (%s, %s)", (slug, schema))
                arch._registra_in(pg, "comune aggiunto", dettagli, None, None)
        return arch, True


# --- One comune -----------------------------------------------------------------------------

def _archivio_base():
    from .archivio import Archivio

    return Archivio


class ArchivioPostgis(_archivio_base()):
    """The store of one comune in the schema ``mappe_c_<slug>`` (see the module docstring)."""

    def __init__(self, cartella: Path, catalogo, magazzino: MagazzinoPostgis):
        super().__init__(cartella, catalogo)
        self.magazzino = magazzino

    # identity
    @property
    def schema(self) -> str:
        return schema_di(self.slug)

    @property
    def url(self) -> str:
        return self.magazzino.url

    def con(self):
        return self.magazzino.con()

    def _t(self, nome: str) -> str:
        return f"{_q(self.schema)}.{_q(nome)}"

    @property
    def gpkg(self) -> Path:  # no file: whoever asks for one gets a clear answer
        raise MappeError(f"I dati di {self.slug} sono su PostgreSQL, non in un file GeoPackage.")

    su_file = False

    @cached_property
    def info(self) -> dict:
        df = self._leggi_tabella("comune")
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in df.iloc[0].to_dict().items()}

    # ---------- the lock ----------
    @contextlib.contextmanager
    def blocco(self, attesa_s: float | None = None):
        from . import archivio as A

        chiave = f"pg:{self.url}:{self.slug}"
        with A._rientro(chiave) as gia:
            if gia:
                yield
                return
            attesa_s = A.ATTESA_BLOCCO_S if attesa_s is None else attesa_s
            psycopg = _psycopg()
            try:
                con = psycopg.connect(self.url, autocommit=True, connect_timeout=15, application_name="mappe blocco")
            except psycopg.Error as e:
                raise _errore_collegamento(self.url, e) from None
            try:
                k = _chiave_blocco(self.url, self.slug)
                inizio = time.monotonic()
                while not con.execute("SELECT pg_try_advisory_lock(%s)", (k,)).fetchone()[0]:
                    if time.monotonic() - inizio > attesa_s:
                        raise MappeError(
                            f"Un'altra operazione sta scrivendo sui dati di {self.slug} da più di {int(attesa_s)} "
                            "secondi (un'altra importazione?): aspettare che finisca e riprovare. I dati non sono "
                            "stati toccati."
                        )
                    time.sleep(0.1)
                with A._tenuto(chiave):
                    yield
            finally:
                con.close()  # the lock goes with the session

    # ---------- tables ----------
    def _crea_strato(self, pg, strato) -> None:
        colonne = []
        for nome, campo in strato.campi.items():
            tipo = "bigint" if campo.tipo in ("intero", "booleano") else "text"
            colonne.append(f"{_q(nome)} {tipo}")
        if strato.geometria:
            colonne.append("geometry geometry(Geometry, 4326)")
        colonne += ["_impronta text", "_ordine double precision"]
        pg.execute(f"CREATE TABLE {self._t(strato.nome)} ({', '.join(colonne)})")
        pg.execute(f"CREATE UNIQUE INDEX ON {self._t(strato.nome)} (id)")
        pg.execute(f"CREATE INDEX ON {self._t(strato.nome)} (_ordine)")
        if strato.geometria:
            pg.execute(f"CREATE INDEX ON {self._t(strato.nome)} USING gist (geometry)")

    def _colonne(self, pg, nome: str) -> list[str]:
        return [r[0] for r in pg.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position", (self.schema, nome))]

    def _allinea(self, pg, strato) -> None:
        """Columns (and layers) the catalogue gained since the table was made."""
        presenti = set(self._colonne(pg, strato.nome))
        if not presenti:  # a layer added by a later version (iniziative) to a comune made before it
            self._crea_strato(pg, strato)
            return
        for nome, campo in strato.campi.items():
            if nome not in presenti:
                tipo = "bigint" if campo.tipo in ("intero", "booleano") else "text"
                pg.execute(f"ALTER TABLE {self._t(strato.nome)} ADD COLUMN {_q(nome)} {tipo}")

    def _sostituisci_tabella(self, sa, nome: str, df: pd.DataFrame) -> None:
        """A small table written whole (boundary, the comune's data, population) with geopandas."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if isinstance(df, gpd.GeoDataFrame):
                gpd.GeoDataFrame(df).to_postgis(nome, sa, schema=self.schema, if_exists="replace", index=False)
            else:
                pd.DataFrame(df).to_sql(nome, sa, schema=self.schema, if_exists="replace", index=False)

    def _leggi_tabella(self, nome: str) -> pd.DataFrame:
        """A small table written whole (boundary, the comune's data, population), with psycopg alone
        (reading needs neither SQLAlchemy nor its import time)."""
        pg = self.con()
        geo = self.colonna_geometria(nome)
        colonne = self._colonne(pg, nome)
        scelta = ", ".join(f"ST_AsBinary({_q(c)}) AS {_q(c)}" if c == geo else _q(c) for c in colonne)
        righe = pg.execute(f"SELECT {scelta} FROM {self._t(nome)}").fetchall()
        df = pd.DataFrame.from_records(righe, columns=colonne)
        if geo:
            geom = shapely.from_wkb(np.array([None if g is None else bytes(g) for g in df.pop(geo)], dtype=object))
            return gpd.GeoDataFrame(df, geometry=gpd.array.GeometryArray(geom, crs=CRS), crs=CRS)
        return df

    def _leggi_strato(self, pg, strato, dove: str = "", parametri=()) -> pd.DataFrame:
        """A layer as the GeoPackage reader gives it, through one COPY in CSV read by Arrow: points as
        their two numbers (exact: PostgreSQL writes the shortest form that reads back the same),
        other shapes as WKB (100,000 rows in about 0.2 s, like pyogrio's reading of a file)."""
        import io

        import pyarrow as pa
        import pyarrow.csv as pacsv

        from .archivio import conforma

        presenti = set(self._colonne(pg, strato.nome))
        if not presenti:  # a layer added by a later version, not written yet in this comune
            from .archivio import tabella_vuota

            return tabella_vuota(strato)
        nomi = [c for c in strato.campi if c in presenti]
        scelta = [_q(c) for c in nomi]
        extra = []
        if strato.geometria:
            punto = "GeometryType(geometry) = 'POINT' AND NOT ST_IsEmpty(geometry)"
            scelta += [f"CASE WHEN {punto} THEN ST_X(geometry) END AS _x",
                       f"CASE WHEN {punto} THEN ST_Y(geometry) END AS _y",
                       (f"CASE WHEN geometry IS NULL OR {punto} THEN NULL "
                       "ELSE encode(ST_AsBinary(geometry), 'hex') END AS _g")]
            extra = ["_x", "_y", "_g"]
        if not scelta:
            scelta = ["1"]
            extra = ["_uno"]
        sql = (f"SELECT {', '.join(scelta)} FROM {self._t(strato.nome)} {dove} ORDER BY _ordine")
        if parametri:
            sql = _psycopg().ClientCursor(pg).mogrify(sql, parametri)
        buf = io.BytesIO()
        with pg.cursor().copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as cp:
            for pezzo in cp:
                buf.write(pezzo)
        buf.seek(0)
        tutte = nomi + extra
        tipi = {c: pa.string() for c in tutte}
        tipi.update({"_x": pa.float64(), "_y": pa.float64()})
        if buf.getbuffer().nbytes:
            tab = pacsv.read_csv(
                buf, read_options=pacsv.ReadOptions(column_names=tutte),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                # only an unquoted empty field is NULL: "NA", "null", "N/A" are words people write
                convert_options=pacsv.ConvertOptions(column_types=tipi, strings_can_be_null=True, null_values=[""],
                                                     quoted_strings_can_be_null=False))
        else:
            tab = pa.table({c: pa.array([], type=tipi[c]) for c in tutte})
        df = tab.select(nomi).to_pandas(types_mapper=pd.ArrowDtype) if nomi else pd.DataFrame(index=range(tab.num_rows))
        if strato.geometria:
            x = tab.column("_x").to_numpy(zero_copy_only=False)
            y = tab.column("_y").to_numpy(zero_copy_only=False)
            g = tab.column("_g").to_numpy(zero_copy_only=False)
            geom = shapely.points(x, y)
            altre = np.flatnonzero(pd.notna(g))
            if len(altre):
                geom[altre] = shapely.from_wkb(g[altre])
            nulle = np.isnan(x) & pd.isna(g)
            geom[nulle] = None
            df = gpd.GeoDataFrame(df, geometry=gpd.array.GeometryArray(geom, crs=CRS), crs=CRS)
        return conforma(strato, df)

    def leggi(self, strato: str, dove: str | None = None) -> pd.DataFrame:
        if strato in self.catalogo.strati:
            return self._leggi_strato(self.con(), self.catalogo.strati[strato], f"WHERE {dove}" if dove else "")
        return self._leggi_tabella(strato)

    def conta(self) -> dict[str, int]:
        con = self.con()
        presenti = self.strati_presenti()
        return {nome: con.execute(f"SELECT count(*) FROM {self._t(nome)}").fetchone()[0]
                for nome in self.catalogo.strati if nome in presenti}

    def firma(self) -> tuple:
        return tuple(self.con().execute(f"SELECT count(*), max(n) FROM {self._t('_storia')}").fetchone())

    def strati_presenti(self) -> dict[str, set[str]]:
        """Each table of the comune with its columns (for 'mappe verifica')."""
        con = self.con()
        out: dict[str, set[str]] = {}
        for tabella, colonna in con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s",
                (self.schema,)):
            out.setdefault(tabella, set()).add(colonna)
        return out

    def colonna_geometria(self, tabella: str) -> str | None:
        r = self.con().execute("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = %s AND "
                               "f_table_name = %s", (self.schema, tabella)).fetchone()
        return r[0] if r else None

    def interroga(self, domande: list[str]) -> list[list[tuple]]:
        con = self.con()
        with con.transaction():
            con.execute(f"SET LOCAL search_path TO {_q(self.schema)}, public")
            return [con.execute(q).fetchall() for q in domande]

    def righe_delle_versioni(self) -> dict[str, pd.DataFrame]:
        """Rows that only the kept before-images hold (deleted or changed since), by layer."""
        out: dict[str, list] = {}
        ora = {n: dict(self.con().execute(f"SELECT id, _impronta FROM {self._t(n)}").fetchall())
               for n in self.catalogo.strati}
        for op in self.versioni_conservate():
            for nome, df in self.strati_versione(op).items():
                diverse = [h != ora[nome].get(i) for i, h in zip(df["id"], impronte(df))]
                if any(diverse):
                    out.setdefault(nome, []).append(df[diverse])
        return {n: pd.concat(d, ignore_index=True) for n, d in out.items()}

    def integrita(self) -> str | None:
        return None  # the database keeps its own pages sound

    # ---------- writing ----------
    def scrivi(self, strati: dict[str, pd.DataFrame], operazione: str = "scrittura", dettagli: str = "",
               righe: int | None = None, conformi: bool = False, foto: dict | None = None) -> None:
        from .archivio import STRATI_CON_FOTO, conforma

        with self.blocco(), motore(self.url).begin() as sa:
            pg = sa.connection.driver_connection
            n = self._registra_in(pg, operazione, dettagli, righe, versione=True)
            for nome, df in strati.items():
                if nome in self.catalogo.strati:
                    s = self.catalogo.strati[nome]
                    self._scrivi_righe(pg, n, s, df if conformi else conforma(s, df))
                else:
                    self._scrivi_intera(sa, pg, n, nome, df)
            self._sfoltisci_in(pg)
            if foto or any(n in STRATI_CON_FOTO for n in strati):
                self._scrivi_foto(pg, foto or {})
        self.__dict__.pop("info", None)

    # ---------- pictures (mappe.foto) ----------
    def _con_foto(self, pg) -> bool:
        return pg.execute("SELECT to_regclass(%s)", (f"{_q(self.schema)}._foto",)).fetchone()[0] is not None

    def _scrivi_foto(self, pg, nuove: dict) -> None:
        """Add pictures, then remove those that neither a row nor a kept before-image names (an
        undone operation finds its pictures again; an erased row's go, with its before-images)."""
        from .archivio import STRATI_CON_FOTO

        if nuove or self._con_foto(pg):
            pg.execute(f"CREATE TABLE IF NOT EXISTS {self._t('_foto')} (id text PRIMARY KEY, anteprima bytea NOT NULL, "
                       "miniatura bytea NOT NULL, larghezza integer, altezza integer)")
        with pg.cursor() as cur:
            if nuove:
                cur.executemany(f"INSERT INTO {self._t('_foto')} VALUES (%s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                                [(f.id, f.anteprima, f.miniatura, f.larghezza, f.altezza) for f in nuove.values()])
        if not self._con_foto(pg):
            return
        fonti = [f"SELECT unnest(string_to_array(foto, '|')) FROM {self._t(s)} WHERE foto IS NOT NULL"
                 for s in STRATI_CON_FOTO if s in self.catalogo.strati and "foto" in self._colonne(pg, s)]
        fonti.append(f"SELECT unnest(string_to_array(prima->>'foto', '|')) FROM {self._t('_versioni')} "
                     "WHERE prima ? 'foto'")
        pg.execute(f"DELETE FROM {self._t('_foto')} f WHERE NOT EXISTS (SELECT 1 FROM ({' UNION '.join(fonti)}) u(id) "
                   "WHERE u.id = f.id)")

    def foto_presenti(self) -> set[str]:
        pg = self.con()
        if not self._con_foto(pg):
            return set()
        return {r[0] for r in pg.execute(f"SELECT id FROM {self._t('_foto')}").fetchall()}

    def leggi_foto(self, ids=None, cosa: str = "miniatura") -> dict[str, bytes]:
        if cosa not in ("miniatura", "anteprima"):
            raise ValueError(cosa)
        pg = self.con()
        if not self._con_foto(pg):
            return {}
        if ids is None:
            righe = pg.execute(f"SELECT id, {cosa} FROM {self._t('_foto')}").fetchall()
        else:
            righe = pg.execute(f"SELECT id, {cosa} FROM {self._t('_foto')} WHERE id = ANY(%s)", (sorted(set(ids)),)).fetchall()
        return {i: bytes(b) for i, b in righe}

    def _scrivi_intera(self, sa, pg, n: int, nome: str, df: pd.DataFrame) -> None:
        prima = self._leggi_tabella(nome)
        righe = []
        for k, r in enumerate(pd.DataFrame(prima).drop(columns=["geometry"], errors="ignore").to_dict("records")):
            g = prima.geometry.iloc[k] if isinstance(prima, gpd.GeoDataFrame) else None
            righe.append(json.loads(_riga_json(r, g)))
        dopo = hashlib.sha256(pd.util.hash_pandas_object(pd.DataFrame(df).astype(str), index=False)
                              .to_numpy().tobytes()).hexdigest()
        pg.execute(f"INSERT INTO {self._t('_versioni')} (op, strato, id, prima, dopo) VALUES (%s, %s, '*', %s, %s)",
                   (n, nome, json.dumps({"righe": righe, "geo": isinstance(prima, gpd.GeoDataFrame)}, ensure_ascii=False,
                                        default=_json_valore), dopo))
        self._sostituisci_tabella(sa, nome, df)

    def _scrivi_righe(self, pg, n: int | None, strato, df: pd.DataFrame, lapidi: bool = True) -> dict:
        """Write a whole layer as a difference from what the table holds: the rows removed or
        changed go (their before-image kept in ``_versioni`` of operation ``n``), the rows added or
        changed come in. Returns the ids by kind of change."""
        ids = df["id"].tolist()
        if any(i is None for i in ids) or len(set(ids)) != len(ids):
            doppi = sorted({str(i) for i in pd.Series(ids)[pd.Series(ids).duplicated()].dropna()})
            raise MappeError(
                f"Lo strato {strato.nome} di {self.slug} ha " + (f"l'id '{doppi[0]}' più volte" if doppi else
                                                                "righe senza id") +
                ": niente è stato scritto. Correggere gli id e riprovare.")
        self._allinea(pg, strato)
        nuove = impronte(df)
        vecchi = {i: (h, o) for i, h, o in pg.execute(f"SELECT id, _impronta, _ordine FROM {self._t(strato.nome)}")}
        posto = {i: k for k, i in enumerate(ids)}
        tolti = [i for i in vecchi if i not in posto]
        cambiati = [i for i, h in zip(ids, nuove) if i in vecchi and vecchi[i][0] != h]
        aggiunti = [i for i in ids if i not in vecchi]
        ordini = np.array([vecchi[i][1] if i in vecchi else np.nan for i in ids], dtype=float)
        noti = ordini[~np.isnan(ordini)]
        rinumera = bool(len(noti) > 1 and not np.all(np.diff(noti) > 0))
        if not rinumera and np.isnan(ordini).any():
            ordini = _riempi(ordini)
            rinumera = ordini is None
        if rinumera:
            ordini = np.arange(len(ids), dtype=float)
        esito = {"tolti": tolti, "cambiati": cambiati, "aggiunti": aggiunti}
        via = tolti + cambiati
        if n is not None and (via or aggiunti):
            prima = self._righe_json(pg, strato, via) if via else {}
            with pg.cursor().copy(f"COPY {self._t('_versioni')} (op, strato, id, prima, dopo, ordine) FROM STDIN") as cp:
                for i in tolti:
                    cp.write_row((n, strato.nome, i, prima[i][0], None, prima[i][1]))
                for i in cambiati:
                    cp.write_row((n, strato.nome, i, prima[i][0], nuove[posto[i]], prima[i][1]))
                for i in aggiunti:
                    cp.write_row((n, strato.nome, i, None, nuove[posto[i]], None))
        if via:
            pg.execute(f"DELETE FROM {self._t(strato.nome)} WHERE id = ANY(%s)", (via,))
        entrano = [posto[i] for i in cambiati + aggiunti]
        if entrano:
            self._copia_dentro(pg, strato, df.iloc[entrano], [nuove[k] for k in entrano], ordini[entrano])
        if rinumera:
            restano = [k for k, i in enumerate(ids) if i in vecchi and i not in set(cambiati)]
            if restano:
                pg.execute(f"UPDATE {self._t(strato.nome)} t SET _ordine = v.o FROM unnest(%s::text[], %s::float8[]) "
                           "AS v(id, o) WHERE t.id = v.id", ([ids[k] for k in restano], [float(ordini[k]) for k in restano]))
        if lapidi:
            quando = dt.datetime.now().isoformat(timespec="seconds")
            if tolti:
                pg.execute(f"INSERT INTO {self._t('_lapidi')} (strato, id, quando) SELECT %s, x, %s FROM unnest(%s::text[]) x "
                           "ON CONFLICT (strato, id) DO UPDATE SET quando = excluded.quando", (strato.nome, quando, tolti))
            if aggiunti:
                pg.execute(f"DELETE FROM {self._t('_lapidi')} WHERE strato = %s AND id = ANY(%s) AND NOT cancellato",
                           (strato.nome, aggiunti))
        return esito

    def _righe_json(self, pg, strato, ids: list[str]) -> dict[str, tuple[str, float]]:
        """The rows ``ids`` as JSON (the geometry as WKB in hex), with their place in the order."""
        presenti = set(self._colonne(pg, strato.nome))
        if not presenti:  # a layer added by a later version, not written yet in this comune
            from .archivio import tabella_vuota

            return tabella_vuota(strato)
        nomi = [c for c in strato.campi if c in presenti]
        scelta = ", ".join(_q(c) for c in nomi)
        geo = ", ST_AsBinary(geometry)" if strato.geometria else ""
        out = {}
        for r in pg.execute(f"SELECT {scelta}{geo}, _ordine FROM {self._t(strato.nome)} WHERE id = ANY(%s)", (ids,)):
            riga = dict(zip(nomi, r))
            if strato.geometria and r[-2] is not None:
                riga["geometry"] = bytes(r[-2]).hex()
            out[riga["id"]] = (json.dumps(riga, ensure_ascii=False), r[-1])
        return out

    def _copia_dentro(self, pg, strato, df: pd.DataFrame, hash_: list[str], ordini) -> None:
        nomi = list(strato.campi)
        self._allinea(pg, strato)
        colonne = [*nomi, *(["geometry"] if strato.geometria else []), "_impronta", "_ordine"]
        valori = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in nomi}
        for c, campo in strato.campi.items():
            if campo.tipo in ("intero", "booleano"):
                valori[c] = [None if v is None else int(v) for v in valori[c]]
        if strato.geometria:
            g = np.asarray(df.geometry.values, dtype=object)
            ewkb = shapely.to_wkb(shapely.set_srid(g, 4326), hex=True, include_srid=True, output_dimension=2)
        elenco = ", ".join(_q(c) for c in colonne)
        with pg.cursor().copy(f"COPY {self._t(strato.nome)} ({elenco}) FROM STDIN") as cp:
            for k in range(len(df)):
                riga = [valori[c][k] for c in nomi]
                if strato.geometria:
                    riga.append(ewkb[k])
                riga += [hash_[k], float(ordini[k])]
                cp.write_row(riga)

    def aggiungi(self, strato: str, righe: list[dict], geometrie: list | None = None, operazione: str = "aggiunta",
                 dettagli: str = "") -> list[str]:
        from .archivio import conforma, conforma_righe

        if not righe:
            return []
        s = self.catalogo.strati[strato]
        righe = conforma_righe(s, righe)
        with self.blocco(), motore(self.url).begin() as sa:
            if True:
                pg = sa.connection.driver_connection
                self._allinea(pg, s)
                presenti = {r[0] for r in pg.execute(f"SELECT id FROM {self._t(strato)} WHERE id = ANY(%s)",
                                                      ([r["id"] for r in righe],))}
                visti: set = set()
                dentro = [k for k, r in enumerate(righe) if r["id"] not in presenti
                          and not (r["id"] in visti or visti.add(r["id"]))]
                if not dentro:
                    return []
                df = pd.DataFrame([righe[k] for k in dentro])
                if s.geometria:
                    geometrie = geometrie if geometrie is not None else [None] * len(righe)
                    df = gpd.GeoDataFrame(df, geometry=[geometrie[k] for k in dentro], crs=CRS)
                df = conforma(s, df)
                massimo = pg.execute(f"SELECT coalesce(max(_ordine), -1) FROM {self._t(strato)}").fetchone()[0]
                self._copia_dentro(pg, s, df, impronte(df), massimo + 1 + np.arange(len(df)))
                ids = [str(righe[k]["id"]) for k in dentro]
                pg.execute(f"DELETE FROM {self._t('_lapidi')} WHERE strato = %s AND id = ANY(%s) AND NOT cancellato",
                           (strato, ids))
                self._registra_in(pg, operazione, dettagli, len(ids), None, aggiunta=strato, ids=ids)
        return ids

    # ---------- history ----------
    def _registra_in(self, pg, operazione: str, dettagli: str, righe: int | None, versione, **altro) -> int:
        import socket

        from .archivio import _utente

        chi = f"{_utente()}@{socket.gethostname()}"  # many computers share one database: which one
        n = pg.execute(f"INSERT INTO {self._t('_storia')} (quando, utente, operazione, dettagli, righe, altro) "
                       "VALUES (%s, %s, %s, %s, %s, %s) RETURNING n",
                       (dt.datetime.now().isoformat(timespec="seconds"), chi, operazione, dettagli, righe,
                        json.dumps(altro, ensure_ascii=False))).fetchone()[0]
        if versione is True:
            pg.execute(f"UPDATE {self._t('_storia')} SET versione = %s WHERE n = %s", (str(n), n))
        return n

    def _registra(self, operazione: str, dettagli: str, righe: int | None, versione: str | None, **altro) -> None:
        with self.con().transaction():
            self._registra_in(self.con(), operazione, dettagli, righe, None, **altro)

    def storia(self) -> list[dict]:
        con = self.con()
        voci = []
        for n, quando, utente, operazione, dettagli, righe, versione, altro in con.execute(
                f"SELECT n, quando, utente, operazione, dettagli, righe, versione, altro FROM {self._t('_storia')} "
                "ORDER BY n"):
            voce = {"quando": quando, "utente": utente, "operazione": operazione, "dettagli": dettagli,
                    "righe": righe, "versione": versione, **(altro or {})}
            voci.append(voce)
        annullate = {v.get("annulla") for v in voci if v.get("operazione") == "annulla"}
        for k, v in enumerate(voci):
            v["n"] = k + 1
            v["annullata"] = v.get("versione") in annullate and v.get("versione") is not None
            v["ripristinabile"] = bool(v.get("versione")) and not v.pop("non_conservata", False)
        return voci

    def testo_storia(self) -> str:
        return "\n".join(json.dumps(v, ensure_ascii=False) for v in self.storia())

    def _sfoltisci_in(self, pg) -> None:
        """Keep the before-images of the last 20 operations (as GeoPackage keeps 20 versions)."""
        ops = [int(r[0]) for r in pg.execute(
            f"SELECT n FROM {self._t('_storia')} WHERE versione IS NOT NULL AND NOT coalesce((altro->>'non_conservata')::boolean, false) "
            "ORDER BY n DESC")]
        if len(ops) > VERSIONI_TENUTE:
            limite = ops[VERSIONI_TENUTE]
            pg.execute(f"DELETE FROM {self._t('_versioni')} WHERE op <= %s", (limite,))
            pg.execute(f"""UPDATE {self._t('_storia')} SET altro = coalesce(altro, '{{}}'::jsonb) || '{{"non_conservata": true}}'::jsonb """
                       "WHERE versione IS NOT NULL AND n <= %s", (limite,))

    def annulla(self) -> dict:
        with self.blocco():
            ultima = self.da_annullare()
            op = int(ultima["versione"])
            with motore(self.url).begin() as sa:
                pg = sa.connection.driver_connection
                toccate = pg.execute(f"SELECT strato, id, prima, dopo, ordine FROM {self._t('_versioni')} WHERE op = %s",
                                     (op,)).fetchall()
                per_strato: dict[str, list] = {}
                for strato, id_, prima, dopo, ordine in toccate:
                    per_strato.setdefault(strato, []).append((id_, prima, dopo, ordine))
                cambiate = []
                for strato, voci in per_strato.items():
                    if strato not in self.catalogo.strati:
                        continue
                    # the rows as they are (not their stored hash: QGIS may have edited the table)
                    ora_df = self._leggi_strato(pg, self.catalogo.strati[strato], "WHERE id = ANY(%s)",
                                                ([v[0] for v in voci],))
                    ora = dict(zip(ora_df["id"].tolist(), impronte(ora_df)))
                    cambiate += [(strato, i) for i, _, dopo, _ in voci if ora.get(i) != dopo]
                if cambiate:
                    esempi = ", ".join(i for _, i in cambiate[:5]) + ("..." if len(cambiate) > 5 else "")
                    quando = str(ultima["quando"]).replace("T", " ")
                    dopo_op = pg.execute(
                        f"SELECT s.operazione, s.utente, s.quando FROM {self._t('_versioni')} v JOIN {self._t('_storia')} s "
                        "ON s.n = v.op WHERE v.op > %s AND v.id = ANY(%s) ORDER BY v.op DESC LIMIT 1",
                        (op, [i for _, i in cambiate])).fetchone()
                    if dopo_op:
                        chi = f" con '{dopo_op[0]}' da {dopo_op[1]} il {str(dopo_op[2]).replace('T', ' ')}"
                        cosa = "Annullare prima quella modifica, o correggere a mano con 'mappe modifica'."
                    else:
                        chi = " fuori da mappe (per esempio con QGIS)"
                        cosa = "Correggere a mano con 'mappe modifica', se serve."
                    uno = len(cambiate) == 1
                    raise MappeError(
                        f"Non si può annullare '{ultima['operazione']}' del {quando} in {self.nome}: "
                        f"{'1 riga che aveva toccato è stata cambiata' if uno else f'{len(cambiate)} righe che aveva toccato sono state cambiate'}"
                        f" dopo{chi} ({esempi}). {cosa} I dati non sono stati toccati.")
                for strato, voci in per_strato.items():
                    if strato not in self.catalogo.strati:
                        dati = voci[0][1]
                        df = pd.DataFrame(dati["righe"])
                        if dati.get("geo"):
                            g = df.pop("geometry") if "geometry" in df else pd.Series([None] * len(df))
                            df = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(
                                [shapely.from_wkb(x) if x else None for x in g], crs=CRS), crs=CRS)
                        self._sostituisci_tabella(sa, strato, df)
                        continue
                    s = self.catalogo.strati[strato]
                    via = [i for i, _, dopo, _ in voci if dopo is not None]
                    if via:
                        pg.execute(f"DELETE FROM {self._t(strato)} WHERE id = ANY(%s)", (via,))
                    tornano = [(p, o) for _, p, _, o in voci if p is not None]
                    if tornano:
                        df = _da_json(s, [p for p, _ in tornano])
                        self._copia_dentro(pg, s, df, impronte(df), np.array([o for _, o in tornano], dtype=float))
                        pg.execute(f"DELETE FROM {self._t('_lapidi')} WHERE strato = %s AND id = ANY(%s) AND NOT "
                                   "cancellato", (strato, [p["id"] for p, _ in tornano]))
                    # rows the operation had added go without a tombstone, as on GeoPackage (going back to
                    # an older version): undoing a merge must not delete the other side's rows there too
                pg.execute(f"DELETE FROM {self._t('_versioni')} WHERE op = %s", (op,))
                self._registra_in(pg, "annulla", f"annullata l'operazione '{ultima['operazione']}' del {str(ultima['quando']).replace('T', ' ')}",
                                  None, None, annulla=ultima["versione"])
        self.__dict__.pop("info", None)
        return ultima

    # ---------- tombstones ----------
    def lapidi(self) -> dict[tuple[str, str], tuple[str, bool]]:
        return {(s, i): (q, bool(c)) for s, i, q, c in
                self.con().execute(f"SELECT strato, id, quando, cancellato FROM {self._t('_lapidi')}")}

    def aggiungi_lapidi(self, lapidi: dict[tuple[str, str], tuple[str, bool]]) -> None:
        """Tombstones taken from another store (a copy), keeping an erasure already known here."""
        if not lapidi:
            return
        con = self.con()
        with con.transaction():
            con.execute("CREATE TEMP TABLE IF NOT EXISTS _nuove_lapidi (strato text, id text, quando text, "
                        "cancellato boolean) ON COMMIT DROP")
            with con.cursor().copy("COPY _nuove_lapidi FROM STDIN") as cp:
                for (strato, id_), (quando, cancellato) in lapidi.items():
                    cp.write_row((strato, id_, quando, bool(cancellato)))
            con.execute(f"INSERT INTO {self._t('_lapidi')} SELECT * FROM _nuove_lapidi ON CONFLICT (strato, id) DO "
                        "UPDATE SET cancellato = _lapidi.cancellato OR excluded.cancellato")

    def segna_cancellati(self, voci: dict[str, set[str]]) -> None:
        """Mark rows as erased (oblio): their tombstones say so, and a merge never brings them back."""
        quando = dt.datetime.now().isoformat(timespec="seconds")
        con = self.con()
        with con.transaction():
            for strato, ids in voci.items():
                if ids:
                    con.execute(f"INSERT INTO {self._t('_lapidi')} (strato, id, quando, cancellato) SELECT %s, x, %s, "
                                "true FROM unnest(%s::text[]) x ON CONFLICT (strato, id) DO UPDATE SET cancellato = true, "
                                "quando = excluded.quando", (strato, quando, sorted(ids)))

    # ---------- erasure ----------
    def versioni_conservate(self) -> list:
        return [r[0] for r in self.con().execute(
            f"SELECT DISTINCT op FROM {self._t('_versioni')} WHERE prima IS NOT NULL AND id <> '*' ORDER BY op")]

    def strati_versione(self, v) -> dict[str, pd.DataFrame]:
        """The rows a kept before-image holds (the rows an operation removed or changed), by layer."""
        out = {}
        per: dict[str, list] = {}
        for strato, prima in self.con().execute(
                f"SELECT strato, prima FROM {self._t('_versioni')} WHERE op = %s AND prima IS NOT NULL AND id <> '*'",
                (v,)):
            per.setdefault(strato, []).append(prima)
        for strato, righe in per.items():
            if strato in self.catalogo.strati:
                out[strato] = _da_json(self.catalogo.strati[strato], righe)
        return out

    def strati_correnti(self) -> dict[str, pd.DataFrame]:
        from .correzioni import STRATI_MODIFICABILI

        return {n: self.leggi(n) for n in STRATI_MODIFICABILI if n in self.catalogo.strati}

    _TABELLE_MAPPE = ("confine", "comune", "popolazione", "_storia", "_versioni", "_lapidi")

    def tabelle_a_mano(self) -> list[str]:
        """Tables of the comune's schema that mappe did not make (a layer saved there from QGIS, say)."""
        fatte = {*self.catalogo.strati, *self._TABELLE_MAPPE}
        return [r[0] for r in self.con().execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE' "
            "ORDER BY 1", (self.schema,)) if r[0] not in fatte]

    def righe_a_mano(self, tabella: str, testi: list[str], ids: set[str], persona, pg=None) -> tuple[list, list]:
        from .correzioni import scegli_a_mano

        pg = pg or self.con()
        colonne = [c for c, tipo in pg.execute(
            "SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position", (self.schema, tabella)) if tipo not in ("geometry", "geography")]
        if not colonne:
            return [], []
        scelta = ", ".join(f"{_q(c)}::text" for c in colonne)
        righe = pg.execute(f"SELECT ctid::text, {scelta} FROM {self._t(tabella)}").fetchall()
        return scegli_a_mano(tabella, colonne, righe, testi, ids, persona)

    def _pulisci_a_mano(self, pg, piano, esito) -> None:
        """Remove from the hand-made tables what holds what is erased; blank the cells naming the person."""
        for tabella in self.tabelle_a_mano():
            via, svuota = self.righe_a_mano(tabella, piano.testi, piano.ids | piano.solo_versioni, piano.persona, pg)
            if via:
                pg.execute(f"DELETE FROM {self._t(tabella)} WHERE ctid = ANY(%s::tid[])", (via,))
            per_riga: dict[str, list[str]] = {}
            for ctid, col in svuota:
                per_riga.setdefault(ctid, []).append(col)
            for ctid, colonne in per_riga.items():  # one update per row: an update moves the row (new ctid)
                for vuoto in ("NULL", "''"):  # a column that cannot be empty: an empty text then
                    try:
                        with pg.transaction():
                            pg.execute(f"UPDATE {self._t(tabella)} SET "
                                       + ", ".join(f"{_q(c)} = {vuoto}" for c in colonne) + " WHERE ctid = %s::tid",
                                       (ctid,))
                        break
                    except _psycopg().errors.NotNullViolation:
                        continue
            if via or svuota:
                esito.a_mano[tabella] = esito.a_mano.get(tabella, 0) + len(via) + len(svuota)

    def cancella_ovunque(self, piano, esito, applica, pulisci_testo) -> None:
        """Apply an erasure to the tables, every kept before-image and the history, in one
        transaction; then VACUUM the tables, so that the freed space is reused (the caller holds the lock)."""
        with motore(self.url).begin() as sa:
            pg = sa.connection.driver_connection
            strati = self.strati_correnti()
            piano.ids_correnti = set().union(*(set(df["id"]) for df in strati.values() if "id" in df))
            prima_ids = {n: set(df["id"]) for n, df in strati.items()}
            cambiato = applica(strati, False)
            piano.correnti = strati
            cancellati: dict[str, set] = {}
            if cambiato:
                for nome, df in strati.items():
                    s = self.catalogo.strati[nome]
                    from .archivio import conforma

                    df = conforma(s, df)
                    self._scrivi_righe(pg, None, s, df, lapidi=False)
                    cancellati[nome] = prima_ids[nome] - set(df["id"])
            for op in self.versioni_conservate():
                vstrati = self.strati_versione(op)
                if not applica(vstrati, True):
                    continue
                esito.versioni += 1
                for nome, df in vstrati.items():
                    restano = set(df["id"])
                    pg.execute(f"DELETE FROM {self._t('_versioni')} WHERE op = %s AND strato = %s AND prima IS NOT NULL "
                               "AND NOT (id = ANY(%s))", (op, nome, sorted(restano)))
                    for k, riga in enumerate(pd.DataFrame(df).drop(columns=["geometry"], errors="ignore").to_dict("records")):
                        g = df.geometry.iloc[k] if isinstance(df, gpd.GeoDataFrame) else None
                        pg.execute(f"UPDATE {self._t('_versioni')} SET prima = %s WHERE op = %s AND strato = %s AND id = %s",
                                   (_riga_json(riga, g), op, nome, riga["id"]))
            # rows erased that only before-images held: a tombstone was left when they were removed
            for (strato, id_) in self.lapidi():
                if id_ in piano.ids:
                    cancellati.setdefault(strato, set()).add(id_)
            self._pulisci_a_mano(pg, piano, esito)
            tutti = sorted(set().union(*cancellati.values())) if cancellati else []
            if tutti:  # not even the hash of what an erased row said stays
                pg.execute(f"DELETE FROM {self._t('_versioni')} WHERE id = ANY(%s)", (tutti,))
            self._scrivi_foto(pg, {})  # a picture goes with the last row (or before-image) that showed it
            quando = dt.datetime.now().isoformat(timespec="seconds")
            for strato, ids in cancellati.items():
                if ids:
                    pg.execute(f"INSERT INTO {self._t('_lapidi')} (strato, id, quando, cancellato) SELECT %s, x, %s, "
                               "true FROM unnest(%s::text[]) x ON CONFLICT (strato, id) DO UPDATE SET cancellato = true, "
                               "quando = excluded.quando", (strato, quando, sorted(ids)))
            for n, dettagli, altro in pg.execute(f"SELECT n, dettagli, altro::text FROM {self._t('_storia')}").fetchall():
                nuovi = pulisci_testo(dettagli or "")
                nuovo_altro = pulisci_testo(altro or "{}")
                if nuovi != (dettagli or "") or nuovo_altro != (altro or "{}"):
                    try:
                        json.loads(nuovo_altro)
                    except json.JSONDecodeError:
                        nuovo_altro = "{}"
                    pg.execute(f"UPDATE {self._t('_storia')} SET dettagli = %s, altro = %s WHERE n = %s",
                               (nuovi, nuovo_altro, n))
        self.compatta(completa=True if getattr(piano, "compatta", False) else None)
        self.__dict__.pop("info", None)

    def compatta(self, completa: bool | None = None) -> None:
        """VACUUM the comune's tables: the space of removed rows is marked free and reused. With
        ``completa`` (or MAPPE_VACUUM_FULL=1) VACUUM FULL rewrites them (it locks the tables)."""
        if completa is None:
            completa = os.environ.get("MAPPE_VACUUM_FULL") == "1"
        con = self.con()
        for nome in [*self.catalogo.strati, "_versioni", "_storia", "_lapidi", *(["_foto"] if self._con_foto(con) else [])]:
            con.execute(f"VACUUM {'FULL ' if completa else ''}{self._t(nome)}")


def _riempi(ordini: np.ndarray) -> np.ndarray | None:
    """Places in the order for new rows between the rows around them (None when the gaps are too
    small: then the layer is numbered again)."""
    out = ordini.copy()
    n = len(out)
    k = 0
    while k < n:
        if not np.isnan(out[k]):
            k += 1
            continue
        fine = k
        while fine < n and np.isnan(out[fine]):
            fine += 1
        m = fine - k
        prima = out[k - 1] if k > 0 else None
        dopo = out[fine] if fine < n else None
        if prima is None and dopo is None:
            out[k:fine] = np.arange(m)
        elif dopo is None:
            out[k:fine] = prima + 1 + np.arange(m)
        elif prima is None:
            out[k:fine] = dopo - m + np.arange(m)
        else:
            out[k:fine] = prima + (dopo - prima) * (np.arange(1, m + 1) / (m + 1))
        k = fine
    if len(out) > 1 and not np.all(np.diff(out) > 0):
        return None
    return out


def _da_json(strato, righe: list) -> pd.DataFrame:
    from .archivio import conforma

    righe = [json.loads(r) if isinstance(r, str) else r for r in righe]
    df = pd.DataFrame(righe)
    if strato.geometria:
        g = df.pop("geometry").tolist() if "geometry" in df.columns else [None] * len(df)
        geom = [shapely.from_wkb(bytes.fromhex(x)) if isinstance(x, str) and x else None for x in g]
        df = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, crs=CRS).values, crs=CRS)
    return conforma(strato, df)

