"""Locust visitors of a served exhibition (run by bench/servi.py, which says what they need).

Each simulated visitor is a phone on the hall's network: its own address (127.0.0.2, .3...: the
whole 127.0.0.0/8 block is this computer's), its own device token; it opens the page, then reacts
to contributions, comments, and now and then adds a missing place, pausing between one and four
seconds as a person reading the map would. Every item the server acknowledges is written to a
file at the end, for bench/servi.py to look for in the store.

Environment: MAPPE_BENCH_DATI (JSON: mostra_id, comuni {slug: [public ids]}, punti {slug: [[lon,
lat]]}) and MAPPE_BENCH_CONFERMATI (the file where acknowledged ids go, one per line).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

DATI = json.loads(Path(os.environ["MAPPE_BENCH_DATI"]).read_text(encoding="utf-8"))
CONFERMATI: list[str] = []
_MUTEX = threading.Lock()
_CONTA = itertools.count(2)


class _DaIndirizzo(HTTPAdapter):
    """Connections from one address of the loopback block: one phone, one address."""

    def __init__(self, indirizzo: str, **kw):
        self.indirizzo = indirizzo
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.indirizzo, 0)
        return super().init_poolmanager(*args, **kw)


class Visitatore(HttpUser):
    wait_time = between(1, 4)

    def on_start(self):
        k = next(_CONTA)
        indirizzo = f"127.0.{k // 250}.{k % 250 + 2}"
        self.client.mount("http://", _DaIndirizzo(indirizzo))
        self.dispositivo = uuid.uuid4().hex
        self.origine = self.host.rstrip("/")
        self.rnd = random.Random(k)
        self.client.get("/", headers={"Accept-Encoding": "gzip"}, name="pagina")

    def _invia(self, voce: dict) -> None:
        corpo = {"dispositivo": self.dispositivo, "sito": "", "riscontri": [voce]}
        with self.client.post("/riscontri", json=corpo, headers={"Origin": self.origine}, name="riscontri",
                              catch_response=True) as r:
            if r.status_code == 200:
                with _MUTEX:
                    CONFERMATI.extend(r.json()["ricevuti"])
                r.success()
            else:
                r.failure(f"{r.status_code} {r.text[:120]}")

    def _voce(self, **campi) -> dict:
        comune = self.rnd.choice(sorted(DATI["comuni"]))
        v = {"id": str(uuid.uuid4()), "comune": comune, "mostra": DATI["mostra_id"], "su": "", "reazione": "",
             "commento": "", "data": "2026-11-28T21:00:00.000Z"}
        v.update(campi)
        if "su" not in campi and "lon" not in campi:
            v["su"] = self.rnd.choice(DATI["comuni"][comune])
        return v

    @task(6)
    def reagisci(self):
        self._invia(self._voce(reazione=self.rnd.choice(["d_accordo", "importante", "mi_preoccupa", "ho_un_idea"])))

    @task(3)
    def commenta(self):
        self._invia(self._voce(commento="Un commento della sera: " + "la piazza " * self.rnd.randint(1, 20)))

    @task(1)
    def aggiungi_un_luogo(self):
        comune = self.rnd.choice(sorted(DATI["punti"]))
        lon, lat = self.rnd.choice(DATI["punti"][comune])
        v = self._voce(reazione="manca_un_luogo", commento="Qui manca una panchina", lon=lon, lat=lat)
        v["comune"], v["su"] = comune, ""
        self._invia(v)

    @task(1)
    def riapri(self):
        self.client.get("/", headers={"Accept-Encoding": "gzip"}, name="pagina")


@events.quitting.add_listener
def _scrivi_confermati(environment, **_):
    with _MUTEX, open(os.environ["MAPPE_BENCH_CONFERMATI"], "w", encoding="utf-8") as f:
        f.write("\n".join(CONFERMATI))
