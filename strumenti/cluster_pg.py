"""A throwaway PostgreSQL + PostGIS cluster, for the tests and the benchmarks.

Debian's ``postgresql-15-postgis-3`` puts the programs in ``/usr/lib/postgresql/15/bin``.
``initdb`` and ``pg_ctl`` refuse to run as root: as root they run as the ``postgres`` user, in a
folder outside pytest's private (0700) temporary folders, owned by that user. The cluster listens
on 127.0.0.1 on a free port and on a socket in its own folder; the database ``mappe`` has PostGIS.

    with Cluster() as c:
        c.url  # postgresql://postgres@127.0.0.1:PORT/mappe
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from typing_extensions import Self

BIN = Path(os.environ.get("MAPPE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def disponibile() -> bool:
    """Whether PostgreSQL's programs are installed here."""
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


def _porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, veloce: bool = True, database: str = "mappe"):
        self.veloce = veloce  # fsync off: a test cluster need not survive a power cut
        self.database = database
        self.cartella: Path | None = None
        self.porta = 0

    def _come(self, comando: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *comando]
        return comando

    def avvia(self) -> Cluster:
        self.cartella = Path(tempfile.mkdtemp(prefix="mappe-pg-", dir="/tmp"))
        os.chmod(self.cartella, 0o755)
        dati = self.cartella / "dati"
        if os.geteuid() == 0:
            shutil.chown(self.cartella, "postgres", "postgres")
        subprocess.run(self._come([str(BIN / "initdb"), "-D", str(dati), "-A", "trust", "-U", "postgres",
                                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True)
        self.porta = _porta_libera()
        opzioni = f"-p {self.porta} -k {self.cartella} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if self.veloce:
            opzioni += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(self._come([str(BIN / "pg_ctl"), "-D", str(dati), "-o", opzioni, "-l",
                                   str(self.cartella / "registro.txt"), "-w", "start"]),
                       check=True, capture_output=True)
        import psycopg

        fine = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(self._url("postgres"), autocommit=True) as con:
                    con.execute(f'CREATE DATABASE "{self.database}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > fine:
                    raise
                time.sleep(0.2)
        with psycopg.connect(self.url, autocommit=True) as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self

    def _url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.porta}/{database}"

    @property
    def url(self) -> str:
        return self._url(self.database)

    def nuovo_database(self, nome: str) -> str:
        """Another empty database with PostGIS in this cluster; returns its address."""
        import psycopg

        with psycopg.connect(self._url("postgres"), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{nome}"')
        with psycopg.connect(self._url(nome), autocommit=True) as con:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self._url(nome)

    def ferma(self) -> None:
        if self.cartella is None:
            return
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            subprocess.run(self._come([str(BIN / "pg_ctl"), "-D", str(self.cartella / "dati"), "-m", "immediate",
                                       "-w", "stop"]), check=True, capture_output=True)
        shutil.rmtree(self.cartella, ignore_errors=True)
        self.cartella = None

    def __enter__(self) -> Self:
        return self.avvia()

    def __exit__(self, *_):
        self.ferma()
