"""What the languages cost: the demo's exhibition of three comuni in Italian alone and in the eight
languages of the public pages (size, time to write it, time until drawn in Chromium, in Italian and
in Arabic), and the translation columns at 100,000 contributions (import and map).

Run by hand, not by the tests:

    python bench/lingue.py
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

TUTTE = "it,ar,fr,ro,sq,uk,en,es"
CHROMIUM = "/usr/bin/chromium"


def mappe(*args) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mappe", *map(str, args)], check=True, capture_output=True)
    return time.perf_counter() - t


def disegnata(browser, pagina: Path, locale: str) -> float:
    contesto = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
    p = contesto.new_page()
    p.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    t = time.perf_counter()
    p.goto(pagina.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=60000)
    dt = time.perf_counter() - t
    contesto.close()
    return dt


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mappe-bench-lingue-") as tmp:
        tmp = Path(tmp)
        mappe("demo", tmp / "demo")
        comuni = ["Orbassano", "Beinasco", "Rivalta di Torino"]
        righe = []
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM,
                                   args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for lingue in ("it", TUTTE):
                out = tmp / f"mostra-{len(lingue)}.html"
                t = mappe("--area", tmp / "demo", "mostra", *comuni, "--lingue", lingue, "-o", out)
                it = min(disegnata(b, out, "it-IT") for _ in range(3))
                ar = min(disegnata(b, out, "ar") for _ in range(3)) if "ar" in lingue else None
                righe.append((lingue, out.stat().st_size // 1024, t, it, ar))
            b.close()
        print("Mostra della demo (3 comuni)")
        print(f"{'lingue':<26} {'kB':>6} {'scritta':>9} {'disegnata it':>13} {'disegnata ar':>13}")
        for lingue, kb, t, it, ar in righe:
            print(f"{lingue:<26} {kb:>6} {t:>8.2f}s {it:>12.2f}s {'' if ar is None else f'{ar:.2f}s':>13}")

        # the translation columns at 100,000 contributions: a file with and without them
        mappe("init", tmp / "area")
        mappe("--area", tmp / "area", "comuni", "aggiungi", "Orbassano")
        rnd = random.Random(1)
        f = tmp / "c.csv"
        with open(f, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["tipo", "tema", "testo", "testo_ar", "lon", "lat"])
            for i in range(100_000):
                w.writerow([rnd.choice(["bisogno", "risorsa", "proposta"]), "socialita", f"testo {i} " + "x" * 90,
                            "نص مترجم" if i % 10 == 0 else "", f"{7.525 + rnd.random() * 0.02:.5f}",
                            f"{45.0 + rnd.random() * 0.012:.5f}"])
        t_imp = mappe("--area", tmp / "area", "importa", f, "--comune", "Orbassano", "--fuori-comune", "accetta")
        t_map = mappe("--area", tmp / "area", "mappa", "Orbassano", "-o", tmp / "m.html", "--lingue", "it,ar")
        print("\n100.000 contributi, 10.000 con la traduzione araba del testo")
        print(f"importa {t_imp:.2f} s, mappa in it e ar {t_map:.2f} s ({(tmp / 'm.html').stat().st_size // 1024} kB)")


if __name__ == "__main__":
    main()
