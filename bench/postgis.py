"""Benchmark of the two stores: GeoPackage files against PostgreSQL + PostGIS on the same machine.

For each store it times, with the real command line: importing 10,000 contributions into an empty
comune, ``mappe mappa`` of them, importing 100,000 more (a consortium's size), ``mappe mappa`` of
the 110,000, and importing 10,000 more on top of them; then the ratio PostGIS / GeoPackage.
The PostgreSQL cluster is a throwaway one (strumenti/cluster_pg.py) with its durable settings
(fsync on), as a real server has them; GeoPackage writes fsync too.

Run by hand, not by the tests (some minutes):

    python bench/postgis.py
    python bench/postgis.py --grande 20000     # a quick look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "strumenti"))

import cluster_pg
from prestazioni import COMUNE, esegui, riga, scrivi_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--piccolo", type=int, default=10_000)
    parser.add_argument("--grande", type=int, default=100_000)
    parser.add_argument("--cartella", type=Path, help="dove lasciare i file (predefinito: una cartella temporanea)")
    args = parser.parse_args()
    cartella = args.cartella or Path(tempfile.mkdtemp(prefix="mappe-bench-postgis-"))
    cartella.mkdir(parents=True, exist_ok=True)
    mappe = [sys.executable, "-m", "mappe"]

    from mappe import territorio
    from mappe.catalogo import carica_catalogo

    catalogo = carica_catalogo()
    poligono = territorio.confine([territorio.cerca_comune(COMUNE).codice]).geometry.iloc[0]
    piccolo, grande, ancora = cartella / "piccolo.csv", cartella / "grande.csv", cartella / "ancora.csv"
    scrivi_csv(piccolo, args.piccolo, poligono, catalogo)
    scrivi_csv(grande, args.grande, poligono, catalogo)
    scrivi_csv(ancora, args.piccolo + 1, poligono, catalogo)  # other texts: new rows
    print(f"File di lavoro in {cartella}", flush=True)

    risultati: dict[str, dict[str, tuple[float, float]]] = {}
    with cluster_pg.Cluster(veloce=False) as cluster:
        for nome, opzioni in (("GeoPackage", []), ("PostGIS", ["--archivio", cluster.url])):
            area = cartella / nome
            esegui(mappe + ["init", str(area), *opzioni])
            esegui(mappe + ["--area", str(area), "comuni", "aggiungi", COMUNE])
            r = risultati[nome] = {}
            r[f"importa {args.piccolo:,}"] = esegui(mappe + ["--area", str(area), "importa", str(piccolo),
                                                             "--comune", COMUNE])[:2]
            r[f"mappa {args.piccolo:,}"] = esegui(mappe + ["--area", str(area), "mappa", COMUNE, "-o",
                                                           str(cartella / f"{nome}-1.html")])[:2]
            r[f"importa {args.grande:,} (su {args.piccolo:,})"] = esegui(
                mappe + ["--area", str(area), "importa", str(grande), "--comune", COMUNE])[:2]
            totale = args.piccolo + args.grande
            r[f"mappa {totale:,}"] = esegui(mappe + ["--area", str(area), "mappa", COMUNE, "-o",
                                                     str(cartella / f"{nome}-2.html")])[:2]
            r[f"importa {args.piccolo + 1:,} (su {totale:,})"] = esegui(
                mappe + ["--area", str(area), "importa", str(ancora), "--comune", COMUNE])[:2]
            r[f"esporta {totale + args.piccolo + 1:,} (csv)"] = esegui(
                mappe + ["--area", str(area), "esporta", COMUNE, "-o", str(cartella / f"{nome}.csv")])[:2]
            print(f"{nome}: fatto", flush=True)
    larghezze = [36, 16, 16, 8]
    print()
    print(riga(["operazione", "GeoPackage s (MB)", "PostGIS s (MB)", "rapporto"], larghezze))
    for operazione in risultati["GeoPackage"]:
        g, p = risultati["GeoPackage"][operazione], risultati["PostGIS"][operazione]
        print(riga([operazione, f"{g[0]:.1f} ({g[1]:.0f})", f"{p[0]:.1f} ({p[1]:.0f})", f"{p[0] / g[0]:.2f}"],
                   larghezze))


if __name__ == "__main__":
    main()
