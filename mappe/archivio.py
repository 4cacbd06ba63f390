"""The workspace and the store: one GeoPackage per comune, written all-or-nothing.

A workspace (``area``) is a folder with ``layers/`` (the catalogue) and ``data/comuni/``;
each comune has ``data/comuni/<slug>/<slug>.gpkg`` holding the layers ``confine``,
``contributi``, ``luoghi``, ``incontri``, ``riscontri`` and the tables ``comune`` and
``popolazione``.

Every write copies the GeoPackage to a temporary file in the same folder, writes there,
fsyncs and replaces the original in one ``os.replace``: a crash or an error at any point
leaves the original file untouched. The one exception is feedback arriving at a served
exhibition (:meth:`Archivio.aggiungi`): it is appended in place in one SQLite transaction,
which is just as all-or-nothing (:mod:`mappe.gpkg`), without copying the file for each item.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from . import gpkg, territorio
from .catalogo import (
    STRATI_CON_FOTO,
    STRATI_NUOVI,
    Catalogo,
    Strato,
    carica_catalogo,
    cartella_predefinita,
)
from .errori import AreaError, ComuneError, MappeError
from .testo import quanti

__all__ = ["Archivio", "Area", "conforma", "crea_area", "tabella_vuota"]

CRS = "EPSG:4326"
STRATI_GEO = ("confine", "contributi", "luoghi", "incontri", "riscontri", "iniziative")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
VERSIONI_TENUTE = 20  # how many previous versions of a store are kept for 'mappe annulla'
ATTESA_BLOCCO_S = float(os.environ.get("MAPPE_ATTESA_BLOCCO", "60"))


def tabella_vuota(strato: Strato) -> pd.DataFrame:
    """An empty table with the columns of ``strato`` (a GeoDataFrame when it has geometry)."""
    return conforma(strato, pd.DataFrame({nome: [] for nome in strato.campi}))


def conforma(strato: Strato, df: pd.DataFrame) -> pd.DataFrame:
    """Give ``df`` exactly the columns and types of ``strato`` (missing columns become empty).

    Text, choices, lists and dates are stored as text (``None`` when empty), integers as
    nullable integers, booleans as 0/1 integers.
    """
    out = {}
    n = len(df)
    for nome, campo in strato.campi.items():
        col = df[nome] if nome in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if campo.tipo == "intero":
            out[nome] = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        elif campo.tipo == "booleano":
            out[nome] = pd.to_numeric(col, errors="coerce").fillna(0).astype("int64")
        else:
            out[nome] = _testi(col)
    if not strato.geometria:
        return pd.DataFrame(out, index=df.index).reset_index(drop=True)
    geom = df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries([None] * n, index=df.index)
    return gpd.GeoDataFrame(out, geometry=geom.values, crs=CRS, index=df.index).reset_index(drop=True)


def impronte(df: pd.DataFrame) -> list[str]:
    """A hash of each row of a conformed layer (its values and geometry), the same on every
    backend: what tells a changed row from an unchanged one."""
    if not len(df):
        return []
    valori = pd.DataFrame({c: df[c] for c in df.columns if c != "geometry"})
    h = pd.util.hash_pandas_object(valori, index=False).to_numpy().astype(np.uint64)
    if isinstance(df, gpd.GeoDataFrame):
        wkb = shapely.to_wkb(np.asarray(df.geometry.values, dtype=object), hex=True, output_dimension=2)
        hg = pd.util.hash_pandas_object(pd.Series(wkb, dtype=object), index=False).to_numpy().astype(np.uint64)
        with np.errstate(over="ignore"):
            h = h * np.uint64(1000003) ^ hg
    return [f"{int(x):016x}" for x in h]


def conforma_righe(strato: Strato, righe: list[dict]) -> list[dict]:
    """The same as :func:`conforma` for a few rows as dictionaries (no pandas: the append of a
    served exhibition's feedback takes milliseconds)."""
    out = []
    for r in righe:
        riga = {}
        for nome, campo in strato.campi.items():
            v = r.get(nome)
            if v is not None and not isinstance(v, str) and pd.isna(v):
                v = None
            if campo.tipo == "intero":
                v = None if v in (None, "") else round(float(v))
            elif campo.tipo == "booleano":
                v = 0 if v in (None, "") else int(float(v))
            else:
                v = None if v is None or str(v) == "" else str(v)
            riga[nome] = v
        out.append(riga)
    return out


def _testi(col: pd.Series) -> pd.Series:
    """A column as Python strings, None where empty (vectorised: this runs on 100,000 rows)."""
    vuoti = col.isna().to_numpy().copy()
    valori = col.astype(object).to_numpy(copy=True)
    if not vuoti.all():
        pieni = ~vuoti
        testi = valori[pieni]
        if not all(type(v) is str for v in testi[:50]):
            testi = np.array([str(v) for v in testi], dtype=object)
        vuoti[pieni] = testi == ""
        valori[pieni] = testi
    valori[vuoti] = None
    return pd.Series(valori, index=col.index, dtype=object)


def _scrivi_atomico(destinazione: Path, scrivi, versioni: Path | None = None) -> str | None:
    """Call ``scrivi(tmp_path)`` on a copy of ``destinazione``, then replace it in one step.

    The previous file is kept in ``versioni`` (a hard link, or a copy where links are not
    possible). Returns the name of the kept version, if any.
    """
    crea_cartella_privata(destinazione.parent)
    # Leftovers of a write that was killed: nobody else writes here (we hold the lock).
    for vecchio in destinazione.parent.glob(".scrittura-*"):
        with contextlib.suppress(OSError):
            vecchio.unlink()
    fd, nome = tempfile.mkstemp(prefix=".scrittura-", suffix=".gpkg", dir=destinazione.parent)
    os.close(fd)
    tmp = Path(nome)
    versione = None
    try:
        if destinazione.exists():
            gpkg.recupera(destinazione)  # an append killed half way: roll it back before copying
            shutil.copy2(destinazione, tmp)
        else:
            tmp.unlink()
        scrivi(tmp)
        _chiudi_sqlite(tmp)
        if os.name == "posix":
            os.chmod(tmp, 0o600)  # it holds personal data: its owner only (a copy would keep a wider mode)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if versioni is not None and destinazione.exists():
            crea_cartella_privata(versioni)
            versione = dt.datetime.now().strftime("%Y%m%dT%H%M%S-%f") + ".gpkg"
            try:
                os.link(destinazione, versioni / versione)
            except OSError:
                shutil.copy2(destinazione, versioni / versione)
            if os.name == "posix":
                os.chmod(versioni / versione, 0o600)
        os.replace(tmp, destinazione)
        _fsync_cartella(destinazione.parent)
    finally:
        for p in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
            if p.exists():
                p.unlink()
    return versione


def _chiudi_sqlite(path: Path) -> None:
    """Leave a self-contained file: no write-ahead log beside it."""
    con = sqlite3.connect(path)
    try:
        modo = con.execute("PRAGMA journal_mode").fetchone()[0]
        if str(modo).lower() == "wal":
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


def _fsync_cartella(cartella: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(cartella, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def crea_cartella_privata(cartella: Path) -> None:
    """Make ``cartella`` (and missing parents) readable by its owner only: it holds personal data."""
    cartella = Path(cartella)
    if not cartella.exists():
        cartella.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and not cartella.is_symlink():
        with contextlib.suppress(OSError):
            if cartella.stat().st_mode & 0o077:
                os.chmod(cartella, 0o700)


# What a comune's folder may hold; none of it may be a symbolic link.
_FILE_DEL_COMUNE = ("versioni", "storia.jsonl", ".blocco")


def controlla_collegamenti(cartella: Path) -> None:
    """Refuse a comune's folder that is, or holds, a symbolic link where mappe writes or deletes.

    A link would send a write, a cleanup of old versions or an erasure to files outside the
    workspace (mappe once deleted unrelated files through a linked ``versioni``).
    """
    cartella = Path(cartella)
    sospetti = [cartella] + [cartella / n for n in (*_FILE_DEL_COMUNE, f"{cartella.name}.gpkg")]
    versioni = cartella / "versioni"
    if versioni.is_dir() and not versioni.is_symlink():
        sospetti += list(versioni.iterdir())
    for p in sospetti:
        if p.is_symlink():
            raise AreaError(
                f"{p} è un collegamento simbolico: mappe non scrive né cancella attraverso un collegamento "
                "(potrebbe toccare file fuori dall'area di lavoro). Sostituirlo con la cartella o il file vero, "
                "poi riprovare; i dati non sono stati toccati."
            )


def proteggi(cartella: Path) -> None:
    """Make a comune's folder and the files in it readable by their owner only (a store written by
    an earlier mappe, or copied in, may be readable by every user of the computer)."""
    if os.name != "posix":
        return
    cartella = Path(cartella)
    da_vedere = [cartella, cartella / "versioni", cartella / "storia.jsonl", cartella / f"{cartella.name}.gpkg"]
    if (cartella / "versioni").is_dir():
        da_vedere += list((cartella / "versioni").iterdir())
    for p in da_vedere:
        with contextlib.suppress(OSError):
            if p.is_symlink() or not p.exists():
                continue
            modo = p.stat().st_mode
            if modo & 0o077:
                os.chmod(p, 0o700 if p.is_dir() else 0o600)


# The key of the demo's invented data (mappe.demo): fixed and published, so never the key of real data.
SEGRETO_DEMO = "6d617070652d64656d6f2d64617469696e76656e74617469000000000000002a"


def segreto_area(cartella_area: Path, nuovo: bool = False) -> bytes:
    """The secret key of a workspace (``.mappe/segreto``), readable by its owner only.

    A new workspace gets a random one. A workspace that already has stores and has lost its key
    is an error, never silently given a new one: public ids, moved positions of sensitive rows and
    the feedback kept by kiosks all depend on it. ``nuovo`` makes a new key where none is (after
    the user has been told what that means: ``mappe init --nuova-chiave``).
    """
    cartella_area = Path(cartella_area)
    path = cartella_area / ".mappe" / "segreto"
    if path.is_symlink() or path.parent.is_symlink():
        raise AreaError(f"{path} è un collegamento simbolico: la chiave dell'area deve essere un file vero.")
    if not path.exists() and not nuovo and (url := leggi_url_archivio(cartella_area / "progetto.toml")):
        # a workspace on PostgreSQL: the team's key is in the database
        from .postgis import MagazzinoPostgis

        nel_db = MagazzinoPostgis(None, url).leggi_meta("segreto")
        if nel_db:
            crea_cartella_privata(path.parent)
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(nel_db)
    if not path.exists():
        if not nuovo and any((cartella_area / "data" / "comuni").glob("*/*.gpkg")):
            raise AreaError(
                f"Manca la chiave dell'area di lavoro ({path}), ma ci sono già i dati dei comuni: forse la cartella "
                "nascosta .mappe non è stata copiata. Rimetterla al suo posto da dove è stata presa. Se è persa per "
                "sempre: 'mappe init --nuova-chiave' ne crea una nuova (i codici pubblici e le posizioni spostate "
                "dei contributi sensibili cambieranno, e i riscontri ancora nei chioschi non si potranno leggere)."
            )
        crea_cartella_privata(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by another process in the meantime
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(secrets.token_hex(32))
    testo = path.read_text(encoding="utf-8", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-fA-F]{64}", testo):
        raise AreaError(
            f"La chiave dell'area di lavoro ({path}) è rovinata (deve essere di 64 cifre esadecimali): rimetterla da "
            "una copia dell'area."
        )
    return bytes.fromhex(testo)


def chiave_della_demo(cartella_area: Path) -> bool:
    """Whether a workspace uses the demo's published key (its data are examples, not real)."""
    path = Path(cartella_area) / ".mappe" / "segreto"
    return path.is_file() and path.read_text(encoding="utf-8", errors="replace").strip().lower() == SEGRETO_DEMO


_BLOCCHI: dict[str, list] = {}
_BLOCCHI_MUTEX = threading.Lock()


@contextlib.contextmanager
def _rientro(chiave: str):
    """Whether this thread holds the lock ``chiave`` already (then it is taken again, re-entrant)."""
    with _BLOCCHI_MUTEX:
        tenuto = _BLOCCHI.get(chiave)
        rientro = tenuto is not None and tenuto[1] == threading.get_ident()
        if rientro:
            tenuto[2] += 1
    if not rientro:
        yield False
        return
    try:
        yield True
    finally:
        with _BLOCCHI_MUTEX:
            _BLOCCHI[chiave][2] -= 1


@contextlib.contextmanager
def _tenuto(chiave: str, f=None):
    """Mark the lock ``chiave`` as held by this thread for the block."""
    with _BLOCCHI_MUTEX:
        _BLOCCHI[chiave] = [f, threading.get_ident(), 1]
    try:
        yield
    finally:
        with _BLOCCHI_MUTEX:
            _BLOCCHI.pop(chiave, None)


@contextlib.contextmanager
def blocco(cartella: Path, nome: str, attesa_s: float | None = None):
    """Hold the write lock of a comune's store (re-entrant within this process).

    Another process holding it makes us wait up to ``attesa_s`` seconds, then stop with a
    clear message. The lock dies with its process: a killed import never leaves it behind.
    """
    chiave = str(Path(cartella).resolve())
    with _rientro(chiave) as gia:
        if gia:
            yield
            return
        attesa_s = ATTESA_BLOCCO_S if attesa_s is None else attesa_s
        crea_cartella_privata(Path(cartella))
        controlla_collegamenti(Path(cartella))
        fd = os.open(Path(cartella) / ".blocco", os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        f = os.fdopen(fd, "a+b")  # held for the whole block
        inizio = time.monotonic()
        try:
            while True:
                try:
                    _blocca(f)
                    break
                except OSError:
                    if time.monotonic() - inizio > attesa_s:
                        raise MappeError(
                            f"Un'altra operazione sta scrivendo sui dati di {nome} da più di {int(attesa_s)} secondi "
                            "(un'altra importazione?): aspettare che finisca e riprovare. I dati non sono stati toccati."
                        ) from None
                    time.sleep(0.1)
            try:
                with _tenuto(chiave, f):
                    yield
            finally:
                _sblocca(f)
        finally:
            f.close()


def _blocca(f) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _sblocca(f) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _utente() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in some containers
        return "sconosciuto"


def _scrivi_strato(path: Path, nome: str, df: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(df, gpd.GeoDataFrame):
            pyogrio.write_dataframe(
                df, path, layer=nome, driver="GPKG", geometry_type="Unknown", promote_to_multi=False, use_arrow=True
            )
        else:
            pyogrio.write_dataframe(df, path, layer=nome, driver="GPKG", use_arrow=True)


@dataclass
class Archivio:
    """The store of one comune: a GeoPackage in ``data/comuni/<slug>/``."""

    cartella: Path
    catalogo: Catalogo

    @property
    def slug(self) -> str:
        return self.cartella.name

    @property
    def gpkg(self) -> Path:
        return self.cartella / f"{self.slug}.gpkg"

    @cached_property
    def info(self) -> dict:
        """Name, ISTAT code, province, region, population total and year of the data."""
        df = pyogrio.read_dataframe(self.gpkg, layer="comune", read_geometry=False)
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in df.iloc[0].to_dict().items()}

    @property
    def nome(self) -> str:
        """The comune's name as lists and messages show it: with its province when another comune of
        Italy has the same name ("Castro (BG)"); ``info["nome"]`` is the bare name."""
        i = self.info
        if i.get("sigla") and territorio.omonimo(int(i["codice_istat"])):
            return f"{i['nome']} ({i['sigla']})"
        return i["nome"]

    @property
    def comune(self) -> territorio.Comune:
        i = self.info
        return territorio.Comune(i["nome"], int(i["codice_istat"]), i["provincia"], i["sigla"], i["regione"], self.slug)

    def leggi(self, strato: str, dove: str | None = None) -> pd.DataFrame:
        """Read one layer (``contributi``, ``luoghi``, ``incontri``, ``riscontri``, ``confine``...);
        ``dove``: only the rows that meet an SQL condition on its columns."""
        if strato in STRATI_NUOVI and strato in self.catalogo.strati and strato not in self._strati_nel_file():
            return tabella_vuota(self.catalogo.strati[strato])  # a comune made before the layer existed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if strato in self.catalogo.strati and not self.catalogo.strati[strato].geometria:
                df = pyogrio.read_dataframe(self.gpkg, layer=strato, read_geometry=False, use_arrow=True, where=dove)
            else:
                df = pyogrio.read_dataframe(self.gpkg, layer=strato, use_arrow=True, where=dove)
        if strato in self.catalogo.strati:
            return conforma(self.catalogo.strati[strato], df)
        return df

    def confine(self) -> gpd.GeoDataFrame:
        return self.leggi("confine")

    def popolazione(self) -> pd.DataFrame:
        """Population by single year of age (eta, maschi, femmine, totale)."""
        return self.leggi("popolazione")

    @property
    def cartella_area(self) -> Path:
        """The workspace this store belongs to (``<area>/data/comuni/<slug>``)."""
        return self.cartella.parent.parent.parent

    def segreto(self) -> bytes:
        """The secret key of the workspace this store belongs to."""
        return segreto_area(self.cartella_area)

    @property
    def cartella_versioni(self) -> Path:
        return self.cartella / "versioni"

    @property
    def file_storia(self) -> Path:
        return self.cartella / "storia.jsonl"

    def blocco(self):
        """The write lock of this store (see :func:`blocco`)."""
        return blocco(self.cartella, self.slug)

    def scrivi(self, strati: dict[str, pd.DataFrame], operazione: str = "scrittura", dettagli: str = "",
               righe: int | None = None, conformi: bool = False, foto: dict | None = None) -> None:
        """Replace the given layers in one all-or-nothing step, keeping the previous version.

        ``operazione``, ``dettagli`` and ``righe`` go to the store's history (``mappe storia``);
        ``conformi`` says the tables already have the catalogue's columns and types; ``foto``:
        pictures the rows name (:class:`mappe.foto.Foto` by id), kept in the same step; a picture no
        row names any more goes.
        """

        def scrivi(tmp: Path) -> None:
            tolti, tornati = {}, {}
            presenti = {n for n, _ in pyogrio.list_layers(tmp)} if tmp.exists() else set()
            for nome, df in strati.items():
                if nome in self.catalogo.strati and not conformi:
                    df = conforma(self.catalogo.strati[nome], df)
                if nome in self.catalogo.strati and nome in presenti:
                    prima = set(pyogrio.read_dataframe(tmp, layer=nome, columns=["id"], read_geometry=False)["id"])
                    dopo = set(df["id"])
                    tolti[nome], tornati[nome] = prima - dopo, dopo - prima
                _scrivi_strato(tmp, nome, df)
            _segna_lapidi(tmp, tolti, tornati)
            if foto or any(n in STRATI_CON_FOTO for n in strati):
                scrivi_foto(tmp, foto or {})

        with self.blocco():
            versione = _scrivi_atomico(self.gpkg, scrivi, self.cartella_versioni)
            self._registra(operazione, dettagli, righe, versione)
            self._sfoltisci()
        self.__dict__.pop("info", None)

    def aggiungi(self, strato: str, righe: list[dict], geometrie: list | None = None, operazione: str = "aggiunta",
                 dettagli: str = "") -> list[str]:
        """Append rows to one layer in place, in one transaction: no copy of the file, no kept version.

        For feedback arriving at a served exhibition, one submission at a time (so: without pandas,
        a few milliseconds). A row whose id the layer holds already is left out (looked up in the
        same transaction). The history gets one line with the ids added, so that 'mappe annulla'
        of an earlier operation keeps them. Returns the ids added.

        Once the rows are committed they are written, whatever happens next: a history line that
        cannot be written (a full disk) is said on stderr, not raised as if nothing had been.
        """
        if not righe:
            return []
        righe = conforma_righe(self.catalogo.strati[strato], righe)
        with self.blocco():
            gpkg.recupera(self.gpkg)
            geometrie = geometrie if geometrie is not None else [None] * len(righe)
            dentro = gpkg.inserisci(self.gpkg, strato, righe, geometrie, unici="id")
            ids = [str(righe[k]["id"]) for k in dentro]
            if ids:
                try:
                    self._registra(operazione, dettagli, len(ids), None, aggiunta=strato, ids=ids)
                except OSError as e:
                    print(f"mappe: {quanti(len(ids), 'riga aggiunta', 'righe aggiunte')} a {self.nome}, ma la storia non si è potuta scrivere "
                          f"({'disco pieno' if e.errno == 28 else 'errore del sistema'}).", file=sys.stderr, flush=True)
        return ids

    def _registra(self, operazione: str, dettagli: str, righe: int | None, versione: str | None, **altro) -> None:
        voce = {
            "quando": dt.datetime.now().isoformat(timespec="seconds"),
            "utente": _utente(),
            "operazione": operazione,
            "dettagli": dettagli,
            "righe": righe,
            "versione": versione,
            **altro,
        }
        fd = os.open(self.file_storia, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(voce, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def storia(self) -> list[dict]:
        """The history of this store, oldest first (every write, who, when, what)."""
        if not self.file_storia.exists():
            return []
        voci = []
        for riga in self.file_storia.read_text(encoding="utf-8").splitlines():
            try:
                voci.append(json.loads(riga))
            except json.JSONDecodeError:
                continue  # a line cut by a crash
        annullate = {v.get("annulla") for v in voci if v.get("operazione") == "annulla"}
        for k, v in enumerate(voci):
            v["n"] = k + 1
            v["annullata"] = v.get("versione") in annullate and v.get("versione") is not None
            v["ripristinabile"] = bool(v.get("versione")) and (self.cartella_versioni / v["versione"]).exists()
        return voci

    def _sfoltisci(self) -> None:
        if not self.cartella_versioni.exists():
            return
        file = sorted(self.cartella_versioni.glob("*.gpkg"))
        for vecchio in file[:-VERSIONI_TENUTE]:
            with contextlib.suppress(OSError):
                vecchio.unlink()

    def da_annullare(self) -> dict:
        """The history entry 'mappe annulla' would undo (the last one not undone), or why there is none."""
        candidati = [v for v in self.storia() if v.get("versione") and not v["annullata"]
                     and v["operazione"] != "annulla"]
        if not candidati:
            raise MappeError(f"Non c'è niente da annullare per {self.nome}: nessuna modifica salvata.")
        ultima = candidati[-1]
        if not ultima["ripristinabile"]:
            raise MappeError(
                f"La versione precedente a '{ultima['operazione']}' del {ultima['quando']} non è più "
                f"conservata (si tengono le ultime {VERSIONI_TENUTE}): non si può annullare."
            )
        return ultima

    def annulla(self) -> dict:
        """Go back to the state before the last operation that was not undone already.

        Returns the history entry that was undone.
        """
        with self.blocco():
            ultima = self.da_annullare()
            sorgente = self.cartella_versioni / ultima["versione"]
            # Rows appended after it (feedback of a served exhibition) are not part of it: they stay.
            voci = self.storia()
            aggiunte: dict[str, set] = {}
            for v in voci[ultima["n"]:]:
                if v.get("aggiunta") and isinstance(v.get("ids"), list):
                    aggiunte.setdefault(v["aggiunta"], set()).update(map(str, v["ids"]))
            restano = {nome: df[df["id"].isin(ids)] for nome, ids in aggiunte.items()
                       if len(df := self.leggi(nome))}

            cancellati: dict[str, set] = {}
            for (strato, id_), (_, erased) in self.lapidi().items():
                if erased:
                    cancellati.setdefault(strato, set()).add(id_)

            def ripristina(tmp: Path) -> None:
                shutil.copyfile(sorgente, tmp)
                # an erased row stays erased: its tombstone survives going back to an older version
                _segna_lapidi(tmp, cancellati, {}, cancellati=True)
                for nome, df in restano.items():
                    gia = set(pyogrio.read_dataframe(tmp, layer=nome, columns=["id"], read_geometry=False)["id"])
                    df = df[~df["id"].isin(gia)]
                    geometrie = list(df.geometry) if isinstance(df, gpd.GeoDataFrame) else None
                    righe = conforma_righe(self.catalogo.strati[nome], pd.DataFrame(df).drop(
                        columns=["geometry"], errors="ignore").to_dict("records"))
                    gpkg.inserisci(tmp, nome, righe, geometrie)

            _scrivi_atomico(self.gpkg, ripristina, None)
            self._registra("annulla", f"annullata l'operazione '{ultima['operazione']}' del {str(ultima['quando']).replace('T', ' ')}",
                           None, None, annulla=ultima["versione"])
        self.__dict__.pop("info", None)
        return ultima

    # ---------- What the commands ask of any store (see mappe.postgis for the other one) ----------
    su_file = True

    def firma(self) -> tuple:
        """Something that changes whenever the store is written (a served exhibition rebuilds its page)."""
        st = self.gpkg.stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def integrita(self) -> str | None:
        """None when the store is sound, else what is wrong with it."""
        con = sqlite3.connect(f"file:{self.gpkg}?mode=ro", uri=True)
        try:
            esito = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        return None if esito == "ok" else f"il file {self.gpkg} è danneggiato ({esito})"

    def _strati_nel_file(self) -> set[str]:
        con = sqlite3.connect(f"file:{self.gpkg}?mode=ro", uri=True)
        try:
            return {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        finally:
            con.close()

    def strati_presenti(self) -> dict[str, set[str]]:
        """Each layer of the store with its columns."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {nome: set(pyogrio.read_info(self.gpkg, layer=nome)["fields"])
                    for nome, _ in pyogrio.list_layers(self.gpkg)}

    def colonna_geometria(self, tabella: str) -> str | None:
        con = sqlite3.connect(f"file:{self.gpkg}?mode=ro", uri=True)
        try:
            r = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (tabella,)).fetchone()
        finally:
            con.close()
        return r[0] if r else None

    def interroga(self, domande: list[str]) -> list[list[tuple]]:
        """The rows of a few read-only SQL queries on the store's tables, in one reading."""
        con = sqlite3.connect(f"file:{self.gpkg}?mode=ro", uri=True)
        try:
            return [con.execute(q).fetchall() for q in domande]
        finally:
            con.close()

    def righe_delle_versioni(self) -> dict[str, pd.DataFrame]:
        """Rows that only the kept versions hold (deleted or changed since), by layer."""
        from .riservatezza import _righe_delle_versioni

        return _righe_delle_versioni(self, self.catalogo)

    def lapidi(self) -> dict[tuple[str, str], tuple[str, bool]]:
        """The tombstones of deleted rows: (layer, id) -> (when, erased with oblio)."""
        return leggi_lapidi(self.gpkg)

    def aggiungi_lapidi(self, lapidi: dict[tuple[str, str], tuple[str, bool]]) -> None:
        """Tombstones taken from another store (a copy), keeping an erasure already known here."""
        if not lapidi:
            return

        def scrivi(tmp: Path) -> None:
            tutte = leggi_lapidi(tmp)
            for k, (quando, cancellato) in lapidi.items():
                tutte[k] = (quando, bool(cancellato) or tutte.get(k, ("", False))[1])
            _scrivi_lapidi(tmp, tutte)

        with self.blocco():
            _scrivi_atomico(self.gpkg, scrivi, None)

    def segna_cancellati(self, voci: dict[str, set[str]]) -> None:
        """Mark rows as erased (oblio): a merge never brings them back."""
        if any(voci.values()):
            _scrivi_atomico(self.gpkg, lambda tmp: _segna_lapidi(tmp, voci, {}, cancellati=True), None)

    def strati_correnti(self) -> dict[str, pd.DataFrame]:
        """The layers people's words and names live in, as they are now."""
        from .correzioni import _leggi_strati

        return _leggi_strati(self, self.gpkg)

    def versioni_conservate(self) -> list:
        """The kept versions (for 'mappe annulla'), oldest first."""
        c = self.cartella_versioni
        return sorted(v for v in c.glob("*.gpkg") if v.is_file() and not v.is_symlink()) \
            if c.is_dir() and not c.is_symlink() else []

    def strati_versione(self, versione) -> dict[str, pd.DataFrame]:
        from .correzioni import _leggi_strati

        return _leggi_strati(self, versione)

    def testo_storia(self) -> str:
        return self.file_storia.read_text(encoding="utf-8") if self.file_storia.exists() else ""

    def tabelle_a_mano(self) -> list[str]:
        from .correzioni import _tabelle_a_mano

        return _tabelle_a_mano(self.gpkg)

    def righe_a_mano(self, tabella: str, testi: list[str], ids: set[str], persona) -> tuple[list, list]:
        """Rows and cells of a table made by hand that hold what is erased (see correzioni.scegli_a_mano)."""
        from .correzioni import _righe_a_mano

        return _righe_a_mano(self.gpkg, tabella, testi, ids, persona)

    def cancella_ovunque(self, piano, esito, applica, pulisci_testo) -> None:
        """Apply an erasure to the store, every kept version and the history (the caller holds the lock)."""
        from .correzioni import _pulisci_file, _pulisci_testo_file

        # the store and its tombstones in one write: a merge never misses an erasure half done
        _pulisci_file(self, self.gpkg, piano, esito, versione=False)
        for v in self.versioni_conservate():
            if _pulisci_file(self, v, piano, esito, versione=True):
                esito.versioni += 1
        _pulisci_testo_file(self.file_storia, piano.testi, piano.persona)
        self.__dict__.pop("info", None)

    def foto_presenti(self) -> set[str]:
        """The ids of the pictures the store keeps."""
        return set(leggi_foto(self.gpkg, cosa="miniatura"))

    def leggi_foto(self, ids=None, cosa: str = "miniatura") -> dict[str, bytes]:
        """WebP thumbnails (``cosa="anteprima"``: previews) by id (``ids``: only those)."""
        return leggi_foto(self.gpkg, ids, cosa)

    def conta(self) -> dict[str, int]:
        """Number of features per layer."""
        info = pyogrio.list_layers(self.gpkg)
        out = {}
        for nome, _ in info:
            if nome in self.catalogo.strati:
                out[nome] = pyogrio.read_info(self.gpkg, layer=nome)["features"]
        return out


class Area:
    """A workspace: ``layers/`` (catalogue), ``data/comuni/`` (stores), ``.mappe/`` (secrets)."""

    def __init__(self, cartella: Path | str):
        self.cartella = Path(cartella).resolve()
        self.esclusi: list[Path] = []  # comune folders that are symbolic links: never opened
        if not (self.cartella / "layers").is_dir() or not (self.cartella / "data" / "comuni").is_dir():
            raise AreaError(
                f"La cartella {self.cartella} non è un'area di lavoro di mappe (mancano layers/ e "
                "data/comuni/): crearla con 'mappe init CARTELLA' oppure indicarla con --area."
            )
        self.url_archivio = leggi_url_archivio(self.cartella / "progetto.toml")

    @cached_property
    def postgis(self):
        """Where the comuni live when the workspace is on PostgreSQL (None: GeoPackage files)."""
        if not self.url_archivio:
            return None
        from .postgis import MagazzinoPostgis

        return MagazzinoPostgis(self, self.url_archivio)

    @property
    def tipo_archivio(self) -> str:
        return "PostgreSQL" if self.url_archivio else "GeoPackage"

    def identita(self) -> str:
        """A random name of this workspace (the same for every computer that shares its database),
        by which another workspace remembers what the two had in common at their last merge."""
        if self.postgis is not None:
            return self.postgis.scrivi_meta("identita", secrets.token_hex(8), solo_se_manca=True)
        path = self.cartella / ".mappe" / "identita"
        if not path.exists():
            crea_cartella_privata(path.parent)
            with contextlib.suppress(FileExistsError):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(secrets.token_hex(8))
        return path.read_text(encoding="utf-8").strip()

    def leggi_meta(self, chiave: str) -> str | None:
        """A piece of the workspace's own bookkeeping (what it had in common with another at the last merge)."""
        if self.postgis is not None:
            return self.postgis.leggi_meta(chiave)
        path = self.cartella / ".mappe" / "unioni" / f"{chiave}.json"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def scrivi_meta(self, chiave: str, valore: str) -> None:
        if self.postgis is not None:
            self.postgis.scrivi_meta(chiave, valore)
            return
        cartella = self.cartella / ".mappe" / "unioni"
        crea_cartella_privata(cartella)
        path = cartella / f"{chiave}.json"
        _sostituisci_file(path, lambda tmp: Path(tmp).write_text(valore, encoding="utf-8"))
        if os.name == "posix":
            os.chmod(path, 0o600)

    @property
    def cartella_comuni(self) -> Path:
        return self.cartella / "data" / "comuni"

    @cached_property
    def catalogo(self) -> Catalogo:
        return carica_catalogo(self.cartella / "layers")

    @cached_property
    def progetto(self) -> dict:
        """The project's settings from ``progetto.toml`` (name, contact, privacy notice)."""
        return leggi_progetto(self.cartella / "progetto.toml")

    def segreto(self) -> bytes:
        """The workspace's secret key (public ids, keyed content ids, moved sensitive points)."""
        return segreto_area(self.cartella)

    @property
    def di_esempio(self) -> bool:
        """Whether this is the demo (its key is published: no real data may go in)."""
        return chiave_della_demo(self.cartella)

    def solo_dati_veri(self) -> None:
        """Refuse to put real data into the demo, whose published key protects nothing."""
        if self.di_esempio:
            raise AreaError(
                f"L'area {self.cartella} è la demo: la sua chiave è pubblica (i suoi dati sono inventati), quindi non "
                "protegge i dati veri, i codici pubblici né i riscontri. Per lavorare con dati veri crearne una nuova "
                "con 'mappe init CARTELLA' e usare quella."
            )

    def archivi(self) -> list[Archivio]:
        """Every comune of the workspace, by name."""
        from .migrazioni import migra_registro

        migra_registro(self.cartella)
        out = []
        self.esclusi = []
        if self.postgis is not None:
            out = [self.postgis.apri(slug, self.catalogo) for slug in self.postgis.slugs()]
            return sorted(out, key=lambda a: territorio.normalizza(a.nome))
        for p in sorted(self.cartella_comuni.iterdir()):
            if p.is_symlink():
                # not opened (see controlla_collegamenti); the other comuni keep working
                self.esclusi.append(p)
            elif p.is_dir() and (p / f"{p.name}.gpkg").exists():
                out.append(self._apri(p))
        return sorted(out, key=lambda a: territorio.normalizza(a.nome))

    def archivi_di(self, nomi) -> list[Archivio]:
        """The stores of the comuni named (by slug, name or ISTAT code), each once, in the order given."""
        archivi: list[Archivio] = []
        for nome in nomi:
            a = self.archivio(nome)
            if a.slug not in [x.slug for x in archivi]:
                archivi.append(a)
        return archivi

    def _apri(self, cartella: Path) -> Archivio:
        """A store of this workspace, checked (no symbolic links), readable by its owner only, and
        with keyed ids (:func:`mappe.migrazioni.migra_ids`)."""
        controlla_collegamenti(cartella)
        proteggi(cartella)
        arch = Archivio(cartella, self.catalogo)
        if Path(str(arch.gpkg) + "-journal").exists():
            with arch.blocco():  # an append killed half way (a served exhibition): roll it back
                gpkg.recupera(arch.gpkg)
        if not arch.info.get("id_chiave"):
            from .migrazioni import migra_ids

            migra_ids(arch)
        return arch

    def archivio(self, testo: str, provincia: str | None = None) -> Archivio:
        """The store of a comune given by slug, name or ISTAT code.

        Raises
        ------
        ComuneError
            When the comune exists in Italy but is not in this workspace, or does not exist.
        """
        testo = str(testo).strip()
        # A folder name is taken as it is only when it is a plain slug: "../altro" never leaves the workspace.
        from .migrazioni import migra_registro

        migra_registro(self.cartella)
        if _SLUG.match(testo) and self.postgis is not None:
            if self.postgis.esiste(testo):
                return self.postgis.apri(testo, self.catalogo)
        elif _SLUG.match(testo):
            diretto = self.cartella_comuni / testo
            if (diretto / f"{testo}.gpkg").exists() and diretto.parent.resolve() == self.cartella_comuni.resolve():
                return self._apri(diretto)
        try:
            comune = territorio.cerca_comune(testo, provincia)
        except ComuneError as e:
            # "Castro" names two comuni of Italy, but this workspace holds only one of them: that one
            candidati = getattr(e, "candidati", None)
            presenti = [a for a in self.archivi() if candidati and int(a.info["codice_istat"]) in candidati]
            if len(presenti) == 1:
                return presenti[0]
            raise
        for a in self.archivi():
            if int(a.info["codice_istat"]) == comune.codice:
                return a
        omonimo = comune.slug.endswith(f"-{comune.sigla.lower()}")
        comando = f'mappe comuni aggiungi "{comune.nome}"' + (f" --provincia {comune.sigla}" if omonimo else "")
        raise ComuneError(
            f"Il comune di {comune.nome} ({comune.sigla}) non è ancora nell'area di lavoro "
            f"{self.cartella}: aggiungerlo con '{comando}'."
        )

    def aggiungi_comune(self, comune: territorio.Comune) -> tuple[Archivio, bool]:
        """Create the store of ``comune`` (boundary, population, empty layers).

        Returns the store and whether it was created now (False when it existed already).
        """
        cartella = self.cartella_comuni / comune.slug
        if self.postgis is not None:
            if self.postgis.esiste(comune.slug):
                return self.postgis.apri(comune.slug, self.catalogo), False
        else:
            arch = Archivio(cartella, self.catalogo)
            if arch.gpkg.exists():
                return arch, False
        confine = territorio.confine([comune.codice]).reset_index(drop=True)
        confine = gpd.GeoDataFrame(
            {"codice_istat": [comune.codice_istat], "nome": [comune.nome]},
            geometry=confine.geometry.values, crs=CRS,
        )
        pop = territorio.popolazione(comune.codice)
        info = pd.DataFrame(
            [{
                "nome": comune.nome,
                "codice_istat": comune.codice_istat,
                "provincia": comune.provincia,
                "sigla": comune.sigla,
                "regione": comune.regione,
                "popolazione": int(pop["totale"].sum()),
                "anno_dati": territorio.anno_dati(),
                "fonte": territorio.FONTE,
                "id_chiave": 1,  # ids made from content are keyed (see migra_ids)
            }]
        )
        strati = {"confine": confine, "comune": info, "popolazione": pop}
        for nome, s in self.catalogo.strati.items():
            strati[nome] = tabella_vuota(s)
        if self.postgis is not None:
            return self.postgis.crea(comune.slug, self.catalogo, strati,
                                     f"{comune.nome}: confine e popolazione ISTAT {territorio.anno_dati()}")

        def scrivi(tmp: Path) -> None:
            for nome, df in strati.items():
                _scrivi_strato(tmp, nome, df)

        with arch.blocco():
            if arch.gpkg.exists():
                return arch, False
            _scrivi_atomico(arch.gpkg, scrivi)
            arch._registra("comune aggiunto", f"{comune.nome}: confine e popolazione ISTAT {territorio.anno_dati()}",
                           None, None)
        return arch, True


PROGETTO_PREDEFINITO = {
    "nome": "",
    "contatto": "",
    "licenza": "",
    "informativa_en": (
        "Feedback is anonymous: do not write names, addresses or phone numbers. The project's staff read it "
        "before publishing it, and use it only to improve the maps and the actions on the territory."
    ),
    "informativa": (
        "I riscontri sono anonimi: non scrivere nomi, indirizzi o numeri di telefono. "
        "Li leggono gli operatori del progetto prima di pubblicarli, e servono solo a migliorare "
        "le mappe e le azioni sul territorio."
    ),
}
PROGETTO_TOML = """# Le informazioni del progetto, usate nelle mappe e nelle mostre.
[progetto]
# Il nome del progetto, che compare nei crediti di ogni mappa.
nome = ""
# Come raggiungere il progetto (mostrato nelle mappe pubblicate sul web, al posto dei riscontri).
contatto = ""
# La licenza dei dati, stampata nei crediti dei manifesti (per esempio: "CC BY-SA 4.0, Consorzio CIdiS").
licenza = ""
# L'informativa mostrata ai visitatori di una mostra prima di inviare un riscontro
# (informativa_en, informativa_ar, informativa_uk...: la stessa nelle altre lingue della mostra;
# senza, una mostra in un'altra lingua mostra la traduzione di quella predefinita, o questa).
informativa = "I riscontri sono anonimi: non scrivere nomi, indirizzi o numeri di telefono. Li leggono gli operatori del progetto prima di pubblicarli, e servono solo a migliorare le mappe e le azioni sul territorio."
"""


def leggi_url_archivio(path: Path) -> str | None:
    """The PostgreSQL address of ``[archivio] url`` in ``progetto.toml`` (None: GeoPackage files)."""
    from .catalogo import tomllib

    if not path.exists():
        return None
    try:
        dati = tomllib.loads(path.read_text(encoding="utf-8")).get("archivio", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None  # said by leggi_progetto when the settings are read
    url = dati.get("url") if isinstance(dati, dict) else None
    if not isinstance(url, str) or not url.strip():
        return None
    from .postgis import controlla_url

    return controlla_url(url)


def leggi_progetto(path: Path) -> dict:
    """Read ``progetto.toml``; missing keys take their defaults."""
    from .catalogo import tomllib

    dati = dict(PROGETTO_PREDEFINITO)
    if path.exists():
        try:
            letto = tomllib.loads(path.read_text(encoding="utf-8")).get("progetto", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            dove = re.search(r"line (\d+), column (\d+)", str(e))
            dove = f" (riga {dove.group(1)}, colonna {dove.group(2)})" if dove else ""
            raise AreaError(f"Il file {path} non è scritto bene{dove}: correggerlo o cancellarlo.") from None
        for k, v in letto.items():
            if k in dati and not isinstance(v, str):
                raise AreaError(f"Nel file {path}, la chiave '{k}' deve essere un testo tra virgolette.")
            if isinstance(v, str) and (v.strip() or not k.startswith("informativa")):
                dati[k] = v.strip()
    return dati


def crea_area(cartella: Path | str, segreto: str | None = None, nuova_chiave: bool = False,
              archivio: str | None = None) -> Area:
    """Create a workspace in ``cartella`` (the default catalogue and an empty ``data/comuni/``).

    An existing catalogue, and an existing secret, are left as they are. ``segreto`` (64 hex
    digits) is for the demo only, whose invented data use a fixed, published key. ``nuova_chiave``
    makes a new key for a workspace that has stores but lost its own (see :func:`segreto_area`).
    """
    cartella = Path(cartella)
    if archivio is not None:
        from .postgis import MagazzinoPostgis, controlla_url

        archivio = controlla_url(archivio)
        gia = leggi_url_archivio(cartella / "progetto.toml")
        if gia and gia != archivio:
            raise AreaError(f"L'area {cartella} usa già l'archivio {gia}: non si può cambiare con 'mappe init'.")
        if not gia and any((cartella / "data" / "comuni").glob("*/*.gpkg")):
            raise AreaError(
                f"L'area {cartella} ha già i dati dei comuni in file GeoPackage: per portarli su PostgreSQL creare "
                "una cartella nuova con la stessa chiave (copiarvi il file nascosto .mappe/segreto), poi dare "
                "'mappe init NUOVA --archivio INDIRIZZO' e lì 'mappe unisci "
                f"{cartella}' (con la stessa chiave i codici pubblici e i riscontri dei chioschi restano validi).")
        MagazzinoPostgis(None, archivio).prepara()  # a database that does not answer: no folder made
    layers = cartella / "layers"
    layers.mkdir(parents=True, exist_ok=True)
    for file in sorted(cartella_predefinita().glob("*.toml")):
        dest = layers / file.name
        if not dest.exists():
            shutil.copyfile(file, dest)
    crea_cartella_privata(cartella / "data")
    crea_cartella_privata(cartella / "data" / "comuni")
    if not (cartella / "progetto.toml").exists():
        (cartella / "progetto.toml").write_text(PROGETTO_TOML, encoding="utf-8")
    chiavi = cartella / ".mappe"
    nuova = not (chiavi / "segreto").exists()
    if nuova and segreto is not None:
        crea_cartella_privata(chiavi)
        fd = os.open(chiavi / "segreto", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(bytes.fromhex(segreto).hex())
    if archivio is not None:
        # the database first: an address that does not answer leaves the settings as they were
        _condividi_area(cartella, archivio, segreto)
        testo = (cartella / "progetto.toml").read_text(encoding="utf-8")
        if leggi_url_archivio(cartella / "progetto.toml") is None:
            testo = testo.rstrip("\n") + ("\n\n# Dove stanno i dati dei comuni: un database PostgreSQL con PostGIS (la password "
                                          "non va mai scritta qui:\n# metterla in ~/.pgpass o in PGPASSWORD).\n"
                                          f"[archivio]\nurl = \"{archivio}\"\n")
            (cartella / "progetto.toml").write_text(testo, encoding="utf-8")
    area = Area(cartella)
    segreto_area(area.cartella, nuovo=nuova_chiave)
    if area.postgis is not None:
        area.postgis.controlla_chiave()
    if nuova and not (chiavi / "esportazioni.jsonl").exists():
        # a new workspace records public ids in its registry from the start
        from .migrazioni import MARCA_REGISTRO

        (chiavi / MARCA_REGISTRO).touch(mode=0o600)
    return area


def _condividi_area(cartella: Path, url: str, segreto: str | None) -> None:
    """A workspace on a database shares its key and catalogue with every computer that uses it:
    the first one puts them in the database, the others take them from there."""
    from .postgis import MagazzinoPostgis

    mag = MagazzinoPostgis(None, url)
    mag.prepara()
    path = cartella / ".mappe" / "segreto"
    nel_db = mag.leggi_meta("segreto")
    if nel_db is None:
        if not path.exists():
            crea_cartella_privata(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(segreto or secrets.token_hex(32))
        mag.scrivi_meta("segreto", path.read_text(encoding="utf-8").strip(), solo_se_manca=True)
        for file in sorted((cartella / "layers").glob("*.toml")):
            mag.scrivi_meta(f"catalogo/{file.name}", file.read_text(encoding="utf-8"), solo_se_manca=True)
        nel_db = mag.leggi_meta("segreto")
    if path.exists() and path.read_text(encoding="utf-8").strip() != nel_db:
        raise AreaError(
            f"La cartella {cartella} ha già una sua chiave (.mappe/segreto), diversa da quella dell'archivio "
            f"{url}: usare una cartella nuova per collegarsi a quell'archivio.")
    if not path.exists():
        crea_cartella_privata(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(nel_db)
    # the catalogue shared by the team
    for chiave in [r for r in mag.chiavi("catalogo/")]:
        (cartella / "layers" / chiave.split("/", 1)[1]).write_text(mag.leggi_meta(chiave), encoding="utf-8")


TABELLA_LAPIDI = "lapidi"


def leggi_lapidi(path: Path) -> dict[tuple[str, str], tuple[str, bool]]:
    """The tombstones a GeoPackage store holds (none in a store written before they existed)."""
    if TABELLA_LAPIDI not in {n for n, _ in pyogrio.list_layers(path)}:
        return {}
    df = pyogrio.read_dataframe(path, layer=TABELLA_LAPIDI, read_geometry=False)
    return {(s, i): (q, bool(c)) for s, i, q, c in zip(df["strato"], df["id"], df["quando"], df["cancellato"])}


def _segna_lapidi(path: Path, tolti: dict[str, set], tornati: dict[str, set], cancellati: bool = False) -> None:
    """Leave a tombstone (layer, id, when, erased or not; no content) for each row removed, and take
    it away from rows that came back (not from erased ones: an erased row never comes back)."""
    if not any(tolti.values()) and not any(tornati.values()):
        return
    lapidi = leggi_lapidi(path) if path.exists() else {}
    quando = dt.datetime.now().isoformat(timespec="seconds")
    for strato, ids in tornati.items():
        for i in ids:
            if (strato, i) in lapidi and not lapidi[(strato, i)][1]:
                del lapidi[(strato, i)]
    for strato, ids in tolti.items():
        for i in ids:
            lapidi[(strato, i)] = (quando, cancellati or lapidi.get((strato, i), ("", False))[1])
    _scrivi_lapidi(path, lapidi)


def _scrivi_lapidi(path: Path, lapidi: dict) -> None:
    df = pd.DataFrame({"strato": [k[0] for k in lapidi], "id": [k[1] for k in lapidi],
                       "quando": [v[0] for v in lapidi.values()], "cancellato": [int(v[1]) for v in lapidi.values()]},
                      columns=["strato", "id", "quando", "cancellato"])
    df = df.astype({"strato": object, "id": object, "quando": object, "cancellato": "int64"})
    _scrivi_strato(path, TABELLA_LAPIDI, df)


# --------------------------------------------------------------------------------------------
# The pictures of a GeoPackage store (mappe.foto): a plain SQLite table, not a layer of the
# GeoPackage (GIS programs need not see it), written in the same atomic write as the rows.

TABELLA_FOTO = "foto"


def ids_in_celle(valori) -> set[str]:
    """The picture ids a ``foto`` column holds (cells of ids separated by '|')."""
    return {x for v in valori if isinstance(v, str) and v for x in v.split("|") if x}


def _con_foto(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABELLA_FOTO,)).fetchone() is not None


def _foto_riferite(con: sqlite3.Connection) -> set[str]:
    usate: set[str] = set()
    for strato in STRATI_CON_FOTO:
        colonne = {r[1] for r in con.execute(f'PRAGMA table_info("{strato}")')}
        if "foto" in colonne:
            usate |= ids_in_celle(v for (v,) in con.execute(f'SELECT foto FROM "{strato}" WHERE foto IS NOT NULL'))
    return usate


def scrivi_foto(path: Path, nuove: dict) -> None:
    """Add pictures (:class:`mappe.foto.Foto` by id) to a store file, then remove those that no row
    uses any more: a picture goes with the last row that shows it."""
    con = sqlite3.connect(path)
    try:
        with con:
            if nuove or _con_foto(con):
                con.execute(f"CREATE TABLE IF NOT EXISTS {TABELLA_FOTO} (id TEXT PRIMARY KEY, anteprima BLOB NOT NULL, "
                            "miniatura BLOB NOT NULL, larghezza INTEGER, altezza INTEGER)")
            if nuove:
                con.executemany(f"INSERT OR IGNORE INTO {TABELLA_FOTO} VALUES (?, ?, ?, ?, ?)",
                                [(f.id, f.anteprima, f.miniatura, f.larghezza, f.altezza) for f in nuove.values()])
            if _con_foto(con):
                usate = _foto_riferite(con)
                via = [i for (i,) in con.execute(f"SELECT id FROM {TABELLA_FOTO}") if i not in usate]
                con.executemany(f"DELETE FROM {TABELLA_FOTO} WHERE id = ?", [(i,) for i in via])
    finally:
        con.close()


def leggi_foto(path: Path, ids=None, cosa: str = "miniatura") -> dict[str, bytes]:
    """The WebP thumbnails (or previews, ``cosa="anteprima"``) of a store file, by id (``ids``: only
    those; None: all)."""
    if cosa not in ("miniatura", "anteprima"):
        raise ValueError(cosa)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not _con_foto(con):
            return {}
        righe = con.execute(f"SELECT id, {cosa} FROM {TABELLA_FOTO}").fetchall()
    finally:
        con.close()
    voluti = None if ids is None else set(ids)
    return {i: bytes(b) for i, b in righe if voluti is None or i in voluti}


def compatta(path: Path) -> None:
    """Rewrite an SQLite file so that removed rows leave no trace in its free pages."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA secure_delete=ON")
        con.execute("VACUUM")
    finally:
        con.close()


def _sostituisci_file(path: Path, scrivi) -> None:
    """Rewrite a workspace file all at once, readable by its owner only."""
    fd, nome = tempfile.mkstemp(prefix=".scrittura-", dir=path.parent)
    os.close(fd)
    try:
        scrivi(nome)
        with open(nome, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(nome, path)
    finally:
        if os.path.exists(nome):
            os.unlink(nome)
