"""Load test of a served exhibition (mappe servi): a busy evening, and a crash in the middle of it.

The demo's exhibition of three comuni is served on 127.0.0.1; locust (bench/locust_mostra.py)
sends 200 visitors for 60 s, each a phone with its own address and device token, opening the
page and then reacting, commenting and adding places. Afterwards every submission the server
acknowledged is looked for in the stores (counted; none may be missing, none may be there twice),
the 95th percentile of the answers to submissions is compared with 200 ms, and the server's
resident memory, sampled every 5 s, shows whether it grows.

Then the same again, but the server is killed with SIGKILL halfway (no chance to tidy up) and
started again at once on the same port: every acknowledged submission must still be in the store,
once, and 'mappe verifica' must find the stores sound.

Run by hand (about three minutes):

    python bench/servi.py
    python bench/servi.py --visitatori 50 --durata 20     # a quick look
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

QUI = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
COMUNI = ("Orbassano", "Beinasco", "Bruino")


def porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, area: Path, porta: int):
        self.area, self.porta, self.proc, self.righe = area, porta, None, []

    def avvia(self) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [str(BIN / "mappe"), "--area", str(self.area), "servi", *COMUNI, "--indirizzo", "127.0.0.1",
             "--porta", str(self.porta)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.righe = []
        threading.Thread(target=lambda: self.righe.extend(self.proc.stdout), daemon=True).start()
        fine = time.monotonic() + 120
        while time.monotonic() < fine and not any("Ctrl-C" in r for r in self.righe):
            if self.proc.poll() is not None:
                raise SystemExit("Il server non è partito:\n" + "".join(self.righe))
            time.sleep(0.1)

    def memoria_mb(self) -> float:
        try:
            for riga in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if riga.startswith("VmRSS:"):
                    return int(riga.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def ferma(self, segnale=signal.SIGINT) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(segnale)
            self.proc.wait(60)


def dati_per_locust(porta: int, destinazione: Path) -> dict:
    """Public ids and points of the served page, as a phone gets them."""
    from mappe.rendi.mappa import decodifica_contributi, testo_dati

    richiesta = urllib.request.Request(f"http://127.0.0.1:{porta}/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(richiesta, timeout=30) as r:
        html = gzip.decompress(r.read()).decode("utf-8")
    D = json.loads(testo_dati(html))
    C = decodifica_contributi(D)
    comuni, punti = {}, {}
    for k, (id_, g) in enumerate(zip(C["id"], C["g"])):
        slug = D["comuni"][C["comune"][k] or 0]["slug"]
        comuni.setdefault(slug, []).append(id_)
        if g and isinstance(g, list) and isinstance(g[0], float):
            punti.setdefault(slug, []).append(g)
    dati = {"mostra_id": D["mostra_id"], "comuni": comuni, "punti": punti}
    destinazione.write_text(json.dumps(dati), encoding="utf-8")
    return dati


def locust(porta: int, dati: Path, confermati: Path, visitatori: int, durata: int, prefisso: Path):
    env = {**os.environ, "MAPPE_BENCH_DATI": str(dati), "MAPPE_BENCH_CONFERMATI": str(confermati)}
    return subprocess.Popen(
        [str(BIN / "locust"), "-f", str(QUI / "locust_mostra.py"), "--headless", "-u", str(visitatori),
         "-r", str(max(1, visitatori // 10)), "-t", f"{durata}s", "--host", f"http://127.0.0.1:{porta}",
         "--csv", str(prefisso), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def percentili(prefisso: Path) -> dict[str, dict]:
    out = {}
    with open(f"{prefisso}_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out[r["Name"]] = r
    return out


def nel_archivio(area: Path, mostra_id: str) -> list[str]:
    from mappe.archivio import Area

    a = Area(area)
    ids = []
    for nome in COMUNI:
        r = a.archivio(nome).leggi("riscontri")
        ids += r.loc[r["mostra"] == mostra_id, "id"].tolist()
    return ids


def verifica(area: Path) -> str:
    r = subprocess.run([str(BIN / "mappe"), "--area", str(area), "verifica", *COMUNI], capture_output=True,
                       text=True, check=False)
    return (r.stdout + r.stderr).strip()


def giro(area: Path, cartella: Path, visitatori: int, durata: int, uccidi: bool) -> dict:
    nome = "uccisione" if uccidi else "carico"
    porta = porta_libera()
    server = Server(area, porta)
    server.avvia()
    dati = dati_per_locust(porta, cartella / "dati.json")
    prima = set(nel_archivio(area, dati["mostra_id"]))  # an earlier run's
    confermati = cartella / f"confermati-{nome}.txt"
    prefisso = cartella / nome
    memoria = [(0.0, server.memoria_mb())]
    inizio = time.monotonic()
    proc = locust(porta, cartella / "dati.json", confermati, visitatori, durata, prefisso)
    ucciso = False
    while proc.poll() is None:
        time.sleep(1)
        t = time.monotonic() - inizio
        if uccidi and not ucciso and t >= durata / 2:
            server.ferma(signal.SIGKILL)
            ucciso = True
            server.avvia()  # at once, on the same port, as staff would
        if int(t) % 5 == 0:
            memoria.append((round(t), server.memoria_mb()))
    uscita = proc.stdout.read()
    server.ferma()
    stats = percentili(prefisso)
    if "riscontri" not in stats:
        raise SystemExit("locust non ha mandato niente:\n" + uscita)
    ack = [x for x in confermati.read_text(encoding="utf-8").splitlines() if x]
    presenti = [x for x in nel_archivio(area, dati["mostra_id"]) if x not in prima]
    return {
        "nome": nome, "stats": stats, "confermati": ack, "presenti": presenti, "memoria": memoria,
        "verifica": verifica(area), "uscita": uscita,
    }


def rapporto(g: dict) -> bool:
    s, p = g["stats"]["riscontri"], g["stats"]["pagina"]
    ack, presenti = set(g["confermati"]), g["presenti"]
    mancanti = ack - set(presenti)
    doppi = len(presenti) - len(set(presenti))
    mem = [m for _, m in g["memoria"]]
    meta = len(mem) // 2
    print(f"\n== {g['nome']} ==")
    print(f"invii contati da locust: {s['Request Count']} (falliti {s['Failure Count']}), al secondo {float(s['Requests/s']):.1f}; "
          f"tempi di risposta ms: mediana {s['50%']}, p95 {s['95%']}, p99 {s['99%']}, massimo {float(s['Max Response Time']):.0f}")
    print(f"pagina: {p['Request Count']} aperture, mediana {p['50%']} ms, p95 {p['95%']} ms "
          f"(dimensione {float(p['Average Content Size']) / 1024:.0f} kB compressa)")
    print(f"confermati dal server: {len(ack)}; nei dati: {len(presenti)}; confermati e mancanti: {len(mancanti)}; "
          f"doppi: {doppi}")
    print(f"memoria del server (MB, ogni 5 s): {', '.join(f'{m:.0f}' for m in mem)}")
    print("mappe verifica: " + " ".join(g["verifica"].splitlines()))
    ok = not mancanti and not doppi and "problem" not in g["verifica"]
    if g["nome"] == "carico":
        ok = ok and float(s["95%"]) < 200 and len(presenti) == len(ack)
        crescita = max(mem[meta:]) - max(mem[:meta]) if meta else 0
        print(f"crescita della memoria nella seconda metà: {crescita:+.0f} MB")
    print("esito:", "OK" if ok else "NON SUPERATO")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitatori", type=int, default=200)
    parser.add_argument("--durata", type=int, default=60, help="secondi")
    parser.add_argument("--cartella", type=Path)
    a = parser.parse_args()
    cartella = a.cartella or Path(tempfile.mkdtemp(prefix="mappe-servi-"))
    cartella.mkdir(parents=True, exist_ok=True)
    area = cartella / "area"
    if not area.exists():
        subprocess.run([str(BIN / "mappe"), "demo", str(area)], check=True, capture_output=True)
    print(f"{a.visitatori} visitatori per {a.durata} s sulla mostra di {', '.join(COMUNI)} (cartella {cartella})")
    esiti = [rapporto(giro(area, cartella, a.visitatori, a.durata, uccidi)) for uccidi in (False, True)]
    sys.exit(0 if all(esiti) else 1)


if __name__ == "__main__":
    main()
