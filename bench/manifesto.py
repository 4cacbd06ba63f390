"""Benchmark of posters: an A0 poster of a comune with 10,000 contributions (and, for scale, 1,000
and the six comuni of the demo in one PDF), time, peak memory and size of the file.

Run by hand, not by the tests:

    python bench/manifesto.py
    python bench/manifesto.py --dimensioni 1000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from prestazioni import COMUNE, esegui, prepara, riga


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dimensioni", default="1000,10000")
    parser.add_argument("--cartella", type=Path, help="dove lasciare i file (predefinito: una cartella temporanea)")
    args = parser.parse_args()
    cartella = args.cartella or Path(tempfile.mkdtemp(prefix="mappe-bench-manifesto-"))
    cartella.mkdir(parents=True, exist_ok=True)
    mappe = [sys.executable, "-m", "mappe"]

    from mappe import territorio
    from mappe.catalogo import carica_catalogo

    catalogo = carica_catalogo()
    poligono = territorio.confine([territorio.cerca_comune(COMUNE).codice]).geometry.iloc[0]
    print(f"File di lavoro in {cartella}", flush=True)
    righe = []
    for n in [int(x) for x in args.dimensioni.split(",")]:
        base, area, csv = prepara(cartella, n, mappe, poligono, catalogo)
        esegui(mappe + ["--area", str(area), "importa", str(csv), "--comune", COMUNE])
        for formato, estensione in (("A0", "pdf"), ("A1", "pdf"), ("A0", "png")):
            f = base / f"manifesto-{formato}.{estensione}"
            s, mb, _ = esegui(mappe + ["--area", str(area), "manifesto", COMUNE, "--formato", formato, "--url",
                                       "http://192.168.1.20:8000/", "-o", str(f)])
            righe.append([f"{n:,}".replace(",", "."), f"{formato} {estensione.upper()}", f"{s:.1f}", f"{mb:.0f}",
                          f"{f.stat().st_size / 1e6:.1f}"])
            print(riga(righe[-1], [10, 8, 8, 8, 8]), flush=True)
    demo = cartella / "demo"
    if demo.exists():
        shutil.rmtree(demo)
    esegui(mappe + ["demo", str(demo)])
    f = demo / "mostra.pdf"
    s, mb, _ = esegui(mappe + ["--area", str(demo), "manifesto", "--tutti", "--formato", "A1", "--url",
                               "https://mappe.esempio.it/{comune}", "-o", str(f)])
    righe.append(["demo, 6", "A1 PDF", f"{s:.1f}", f"{mb:.0f}", f"{f.stat().st_size / 1e6:.1f}"])
    print()
    print(riga(["contributi", "foglio", "secondi", "MB RAM", "MB file"], [10, 8, 8, 8, 8]))
    for r in righe:
        print(riga(r, [10, 8, 8, 8, 8]))


if __name__ == "__main__":
    main()
