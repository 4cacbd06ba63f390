"""Benchmark of mappe at the size of a consortium, against geopandas' explore() in the same run.

For 1,000, 10,000 and 100,000 synthetic contributions (100-character texts, every kind and
theme, inside a real comune) it times ``mappe importa`` of a CSV, ``mappe mappa`` and
``mappe mostra``, and ``GeoDataFrame.explore()`` on the same points; it opens every HTML file
in headless Chromium and measures the time until the map is fully drawn; it reports bytes and
peak memory, then the overview of the 312 comuni of the Città Metropolitana di Torino.

On a phone: every page again with Chromium's Pixel 7 profile and the CPU slowed 4x (Lighthouse's
mid-range phone), timed by the page's own clock from the start of the navigation until two frames
after it is drawn (median of three); the demo's exhibition of three comuni; the web exhibition of
1,000 contributions from a local server over a slow 4G network, gzip-compressed (as web hosts
serve HTML) and not, with its layout shift score.

Run by hand, not by the tests (a whole run takes some minutes, explore() in the browser most
of them):

    python bench/prestazioni.py                      # everything
    python bench/prestazioni.py --dimensioni 1000    # a quick look
    python bench/prestazioni.py --senza-explore      # only mappe

explore() asks for scripts and styles from CDNs; the browser gets local copies instead (from
the XStatic packages on PyPI: Leaflet, jQuery, Bootstrap, Font Awesome), so that the
comparison is about drawing, not about the network. Leaflet.awesome-markers and the
glyphicons CSS have no such package: they are served empty (explore's circle markers do not
use them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import shapely

CHROMIUM = os.environ.get("MAPPE_CHROMIUM", "/usr/bin/chromium")
ARGOMENTI_CHROMIUM = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COMUNE = "Orbassano"
PAROLE = ["la", "piazza", "il", "bar", "la", "sera", "i", "ragazzi", "gli", "anziani", "il", "pullman", "la", "scuola", "il", "lavoro", "la", "casa", "il", "parco", "la", "biblioteca", "il", "mercato", "la", "festa", "il", "quartiere", "la", "stazione"]


def esegui(argomenti: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Run a command; return wall seconds, peak memory in MB (resident), and its output."""
    inizio = time.perf_counter()
    p = subprocess.Popen(argomenti, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    uscita = p.stdout.read()
    _, stato, uso = os.wait4(p.pid, 0)
    secondi = time.perf_counter() - inizio
    if os.waitstatus_to_exitcode(stato) != 0:
        raise SystemExit(f"Il comando {' '.join(argomenti)} è fallito:\n{uscita}")
    return secondi, uso.ru_maxrss / 1024, uscita


def testo_di_100(rnd: random.Random, k: int) -> str:
    parole = []
    while len(" ".join(parole)) < 100:
        parole.append(rnd.choice(PAROLE))
    return f"{k}: {' '.join(parole)}"[:100]


def scrivi_csv(path: Path, n: int, poligono, catalogo) -> None:
    """n contributions with 100-character texts, every kind and theme, inside the comune."""
    rnd = random.Random(n)
    rng = np.random.default_rng(n)
    minx, miny, maxx, maxy = poligono.bounds
    shapely.prepare(poligono)
    xs, ys = [], []
    while len(xs) < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        dentro = shapely.contains_xy(poligono, x, y)
        xs.extend(x[dentro])
        ys.extend(y[dentro])
    tipi = list(catalogo.voci("tipo"))
    temi = list(catalogo.voci("tema"))
    import csv

    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tipo", "tema", "testo", "lon", "lat"])
        for k in range(n):
            w.writerow([tipi[k % len(tipi)], temi[(k // len(tipi)) % len(temi)], testo_di_100(rnd, k),
                        f"{xs[k]:.6f}", f"{ys[k]:.6f}"])


def prepara(cartella: Path, n: int, mappe: list[str], poligono, catalogo) -> tuple[Path, Path, Path]:
    """A new workspace with the comune, and the CSV of n synthetic contributions beside it (not imported).
    Returns the folder of this size, the workspace and the CSV."""
    base = cartella / f"n{n}"
    if base.exists():
        shutil.rmtree(base)
    area = base / "area"
    esegui(mappe + ["init", str(area)])
    esegui(mappe + ["--area", str(area), "comuni", "aggiungi", COMUNE])
    csv = base / "contributi.csv"
    scrivi_csv(csv, n, poligono, catalogo)
    return base, area, csv


EXPLORE = textwrap.dedent("""
    import sys, time
    import geopandas as gpd, pandas as pd
    df = pd.read_csv(sys.argv[1])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")
    inizio = time.perf_counter()
    m = gdf.explore()
    m.save(sys.argv[2])
    print(time.perf_counter() - inizio)
""")


def copie_locali() -> dict[str, tuple[bytes, str]]:
    """What explore()'s CDN links point to, from local packages: URL fragment -> (bytes, type)."""
    import xstatic.pkg.font_awesome as fa
    from xstatic.pkg import bootstrap, jquery, leaflet

    def leggi(base, *parti):
        return Path(base, *parti).read_bytes()

    copie = {
        "leaflet.js": (leggi(leaflet.BASE_DIR, "leaflet.js"), "application/javascript"),
        "leaflet.css": (leggi(leaflet.BASE_DIR, "leaflet.css"), "text/css"),
        "jquery": (leggi(jquery.BASE_DIR, "jquery.min.js"), "application/javascript"),
        "bootstrap.bundle.min.js": (leggi(bootstrap.BASE_DIR, "js", "bootstrap.bundle.min.js"), "application/javascript"),
        "bootstrap.min.css": (leggi(bootstrap.BASE_DIR, "css", "bootstrap.min.css"), "text/css"),
        "all.min.css": (leggi(fa.BASE_DIR, "css", "all.min.css"), "text/css"),
        "awesome-markers": (b"", "application/javascript"),
        "awesome.rotate": (b"", "text/css"),
        "glyphicons": (b"", "text/css"),
    }
    for font in Path(fa.BASE_DIR, "webfonts").iterdir():
        copie[font.name] = (font.read_bytes(), "font/woff2")
    return copie


def misura_browser(browser, html: Path, quale: str, n: int, copie: dict) -> tuple[float, int]:
    """Seconds from navigation to a fully drawn map, and the requests that left the page."""
    pagina = browser.new_page(viewport={"width": 1280, "height": 800})
    uscite = []

    def instrada(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            return route.continue_()
        uscite.append(url)
        for frammento, (corpo, tipo) in copie.items():
            if frammento in url:
                return route.fulfill(status=200, body=corpo, content_type=tipo)
        return route.abort()

    pagina.route("**/*", instrada)
    inizio = time.perf_counter()
    pagina.goto(html.as_uri(), wait_until="domcontentloaded", timeout=600_000)
    if quale == "mappe":
        pagina.wait_for_function("document.documentElement.dataset.mappeDisegnata === '1'", timeout=600_000)
    else:
        # explore() draws one SVG circle per point: drawn when all of them are in the page
        pagina.wait_for_function(f"document.querySelectorAll('.leaflet-overlay-pane path').length >= {n}",
                                 timeout=600_000, polling=500)
    pagina.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    secondi = time.perf_counter() - inizio
    pagina.close()
    return secondi, len([u for u in uscite if quale == "mappe"])


# Lighthouse's mobile settings: a mid-range phone's CPU (4x slower) and a slow 4G network.
RALLENTAMENTO_CPU = 4
RETE_MOBILE = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
SPOSTAMENTI = """
window.__mappeCLS = 0;
new PerformanceObserver(function (l) {
  l.getEntries().forEach(function (e) { if (!e.hadRecentInput) window.__mappeCLS += e.value; });
}).observe({ type: 'layout-shift', buffered: true });
// the moment the page says it is drawn, and two frames later (painted), in milliseconds from the
// start of the navigation: measured by the page's own clock, not by the polling of Playwright
new MutationObserver(function (l, o) {
  if (document.documentElement.getAttribute('data-mappe-disegnata') !== '1') return;
  o.disconnect();
  requestAnimationFrame(function () { requestAnimationFrame(function () { window.__mappeDipinta = performance.now(); }); });
}).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-mappe-disegnata'] });
"""


def misura_telefono(p, browser, indirizzo: str, rete: bool = False, volte: int = 3) -> tuple[float, float]:
    """The median of ``volte`` runs of misura_telefono_una (a shared machine is noisy)."""
    import statistics

    prove = sorted(misura_telefono_una(p, browser, indirizzo, rete) for _ in range(volte))
    return statistics.median(t for t, _ in prove), max(c for _, c in prove)


def misura_telefono_una(p, browser, indirizzo: str, rete: bool = False) -> tuple[float, float]:
    """Seconds from the start of the navigation until the page is fully drawn and painted (the
    first view's symbols or clusters and the first page of the list, two frames later) on a
    Pixel 7 with the CPU slowed 4x (and the network of a slow 4G phone when ``rete``), and the
    layout shift score until then."""
    contesto = browser.new_context(**p.devices["Pixel 7"])
    contesto.add_init_script(SPOSTAMENTI)
    pagina = contesto.new_page()
    pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "http://127.0.0.1"))
                 else r.abort())
    cdp = contesto.new_cdp_session(pagina)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": RALLENTAMENTO_CPU})
    if rete:
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", RETE_MOBILE)
    pagina.goto(indirizzo, wait_until="commit", timeout=600_000)
    pagina.wait_for_function("window.__mappeDipinta !== undefined", timeout=600_000, polling=200)
    secondi = pagina.evaluate("window.__mappeDipinta") / 1000
    cls = pagina.evaluate("window.__mappeCLS")
    contesto.close()
    return secondi, cls


def servi(cartella: Path, gzip: bool = False):
    """A local web server for ``cartella`` (the exhibition 'for the web', as a site would serve it):
    with ``gzip``, pages are sent compressed to a browser that accepts it, as web hosts do by
    default (GitHub Pages, Netlify, nginx for text/html)."""
    import functools
    import gzip as gz
    import http.server
    import threading

    class Silenzioso(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            percorso = Path(self.translate_path(self.path))
            if not (gzip and percorso.is_file() and "gzip" in self.headers.get("Accept-Encoding", "")):
                return super().do_GET()
            corpo = gz.compress(percorso.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(percorso)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(corpo)))
            self.end_headers()
            self.wfile.write(corpo)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Silenzioso, directory=str(cartella)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def riga(colonne: list, larghezze: list[int]) -> str:
    return "  ".join(str(c).rjust(w) for c, w in zip(colonne, larghezze))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dimensioni", default="1000,10000,100000")
    parser.add_argument("--senza-explore", action="store_true")
    parser.add_argument("--senza-panoramica", action="store_true")
    parser.add_argument("--cartella", type=Path, help="dove lasciare i file (predefinito: una cartella temporanea)")
    args = parser.parse_args()
    dimensioni = [int(x) for x in args.dimensioni.split(",")]
    cartella = args.cartella or Path(tempfile.mkdtemp(prefix="mappe-bench-"))
    cartella.mkdir(parents=True, exist_ok=True)
    mappe = [sys.executable, "-m", "mappe"]

    from playwright.sync_api import sync_playwright

    from mappe import territorio
    from mappe.catalogo import carica_catalogo

    catalogo = carica_catalogo()
    comune = territorio.cerca_comune(COMUNE)
    poligono = territorio.confine([comune.codice]).geometry.iloc[0]
    copie = copie_locali() if not args.senza_explore else {}
    risultati = []
    print(f"File di lavoro in {cartella}", flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGOMENTI_CHROMIUM)
        for n in dimensioni:
            base, area, csv = prepara(cartella, n, mappe, poligono, catalogo)
            r = {"n": n}
            r["importa_s"], r["importa_mb"], out = esegui(mappe + ["--area", str(area), "importa", str(csv), "--comune", COMUNE])
            assert f"importati: {n}," in out, out
            html = base / "mappa.html"
            r["mappa_s"], r["mappa_mb"], _ = esegui(mappe + ["--area", str(area), "mappa", COMUNE, "-o", str(html)])
            r["mappa_bytes"] = html.stat().st_size
            mostra = base / "mostra.html"
            r["mostra_s"], r["mostra_mb"], _ = esegui(mappe + ["--area", str(area), "mostra", COMUNE, "-o", str(mostra)])
            r["mostra_bytes"] = mostra.stat().st_size
            r["mappa_browser_s"], r["mappa_richieste"] = misura_browser(browser, html, "mappe", n, copie)
            r["mostra_browser_s"], _ = misura_browser(browser, mostra, "mappe", n, copie)
            r["mappa_telefono_s"], _ = misura_telefono(p, browser, html.as_uri())
            r["mostra_telefono_s"], _ = misura_telefono(p, browser, mostra.as_uri())
            if n == 1000:  # the exhibition for the web, downloaded on a slow 4G phone
                esegui(mappe + ["--area", str(area), "mostra", COMUNE, "--web", "-o", str(base / "web.html")])
                for gzip, chiave in ((False, "web"), (True, "web_gzip")):
                    server = servi(base, gzip=gzip)
                    try:
                        r[chiave + "_telefono_s"], r[chiave + "_cls"] = misura_telefono(
                            p, browser, f"http://127.0.0.1:{server.server_port}/web.html", rete=True)
                    finally:
                        server.shutdown()
                r["web_bytes"] = (base / "web.html").stat().st_size
            if not args.senza_explore:
                ex = base / "explore.html"
                script = base / "explore.py"
                script.write_text(EXPLORE, encoding="utf-8")
                r["explore_s"], r["explore_mb"], out = esegui([sys.executable, str(script), str(csv), str(ex)])
                r["explore_chiamata_s"] = float(out.strip().splitlines()[-1])
                r["explore_bytes"] = ex.stat().st_size
                r["explore_browser_s"], _ = misura_browser(browser, ex, "explore", n, copie)
            risultati.append(r)
            print(json.dumps(r), flush=True)
        demo = cartella / "demo"
        if demo.exists():
            shutil.rmtree(demo)
        esegui(mappe + ["demo", str(demo / "mappe-demo")])
        esegui(mappe + ["--area", str(demo / "mappe-demo"), "mostra", "Orbassano", "Beinasco", "Bruino", "-o",
                        str(demo / "mostra.html")])
        demo_telefono, _ = misura_telefono(p, browser, (demo / "mostra.html").as_uri())
        browser.close()

    print()
    print("Contributi: tempi in secondi, dimensioni in MB, memoria di picco in MB")
    intest = ["n", "importa", "mappa", "mostra", "explore", "rapp.", "HTML mappa", "HTML explore", "rapp.",
              "disegno mappa", "disegno mostra", "disegno explore", "mem. mappa", "mem. explore"]
    larghezze = [7, 8, 6, 7, 8, 6, 11, 13, 6, 14, 15, 16, 11, 13]
    print(riga(intest, larghezze))
    for r in risultati:
        ex = r.get("explore_s")
        print(riga([
            r["n"], f"{r['importa_s']:.2f}", f"{r['mappa_s']:.2f}", f"{r['mostra_s']:.2f}",
            f"{ex:.2f}" if ex else "-", f"{r['mappa_s'] / ex:.2f}" if ex else "-",
            f"{r['mappa_bytes'] / 1e6:.1f}", f"{r['explore_bytes'] / 1e6:.1f}" if ex else "-",
            f"{r['mappa_bytes'] / r['explore_bytes']:.2f}" if ex else "-",
            f"{r['mappa_browser_s']:.2f}", f"{r['mostra_browser_s']:.2f}",
            f"{r['explore_browser_s']:.2f}" if ex else "-",
            f"{r['mappa_mb']:.0f}", f"{r['explore_mb']:.0f}" if ex else "-",
        ], larghezze))
    print("rapp. = mappe / explore (tempo di costruzione; byte dell'HTML). Tutti i tempi di costruzione sono del")
    print("comando intero lanciato da una shell, avvio di Python compreso (per explore(): leggere il CSV, explore(),")
    print("save()). Solo la chiamata explore() + save(): " + ", ".join(
        f"{r['n']}: {r['explore_chiamata_s']:.2f} s" for r in risultati if "explore_chiamata_s" in r))
    print()
    print(f"Sul telefono (profilo Pixel 7 di Chromium, CPU rallentata {RALLENTAMENTO_CPU} volte): secondi fino alla pagina")
    print("disegnata (simboli o gruppi della prima vista e prima pagina dell'elenco), mediana di 3 aperture")
    print(riga(["n", "mappa", "mostra"], [7, 8, 8]))
    for r in risultati:
        print(riga([r["n"], f"{r['mappa_telefono_s']:.2f}", f"{r['mostra_telefono_s']:.2f}"], [7, 8, 8]))
    print(f"Mostra della demo (tre comuni): {demo_telefono:.2f} s")
    for r in risultati:
        if "web_telefono_s" in r:
            print(f"Mostra --web di {r['n']} contributi ({r['web_bytes'] / 1e3:.0f} kB) da un server, rete 4G lenta "
                  f"(1,6 Mbit/s, 150 ms), fino alla mappa disegnata: con gzip (come i servizi di hosting) "
                  f"{r['web_gzip_telefono_s']:.2f} s, CLS {r['web_gzip_cls']:.3f}; senza compressione "
                  f"{r['web_telefono_s']:.2f} s, CLS {r['web_cls']:.3f}")
    if any(r["mappa_richieste"] for r in risultati):
        print("ATTENZIONE: le pagine di mappe hanno fatto richieste di rete.")

    if not args.senza_panoramica:
        panoramica(cartella, mappe)


def panoramica(cartella: Path, mappe: list[str]) -> None:
    """The 312 comuni of the Città Metropolitana di Torino in one overview map."""
    from mappe import territorio

    torino = [c for c in territorio.tutti_i_comuni() if c.sigla == "TO"]
    area = cartella / "torino"
    if area.exists():
        shutil.rmtree(area)
    esegui(mappe + ["init", str(area)])
    secondi_aggiunta, _, _ = esegui(mappe + ["--area", str(area), "comuni", "aggiungi", *[c.codice_istat for c in torino]])
    html = cartella / "torino.html"
    secondi, memoria, _ = esegui(mappe + ["--area", str(area), "territorio", "-o", str(html)])
    print()
    print(f"Panoramica di {len(torino)} comuni della Città Metropolitana di Torino: costruita in {secondi:.2f} s, "
          f"{html.stat().st_size / 1e6:.2f} MB, memoria di picco {memoria:.0f} MB "
          f"(aggiunta dei comuni all'area: {secondi_aggiunta:.1f} s).")


if __name__ == "__main__":
    main()
