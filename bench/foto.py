"""Benchmark of photos: importing a focus group's pictures, and the exhibition that holds them.

It makes N phone-sized JPEGs (4000×3000, with EXIF: GPS, camera, orientation), a sheet of N
contributions each naming one, on top of 10,000 contributions without photos; then times, with the
real command line: the import of the N rows with their photos (each read, turned, stripped and
shrunk to a WebP preview and thumbnail), ``mappe mostra`` of the comune (thumbnails within the
default budget), and ``mappe verifica-privacy`` of that exhibition (which compares every picture
met with the photos of the data).

Run by hand, not by the tests (about a minute):

    python bench/foto.py
    python bench/foto.py --foto 300
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from prestazioni import COMUNE, esegui, scrivi_csv


def jpeg_di_telefono(path: Path, seme: int) -> None:
    from PIL import Image

    r = random.Random(seme)
    img = Image.effect_noise((500, 375), 50).convert("RGB").resize((4000, 3000))
    for _ in range(200):
        x, y = r.randrange(4000), r.randrange(3000)
        img.paste((r.randrange(256), r.randrange(256), r.randrange(256)), (x, y, x + r.randrange(50, 400),
                                                                               y + r.randrange(50, 400)))
    exif = img.getexif()
    exif[0x0112] = 6
    exif[0x010F] = "Telefono"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (45.0, 0.0, 31.0), "E", (7.0, 32.0, 16.0)
    img.save(path, "JPEG", quality=85, exif=exif)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--foto", type=int, default=100, help="quante foto (predefinito: 100)")
    parser.add_argument("--senza-foto", type=int, default=10_000, help="contributi senza foto già nell'archivio")
    parser.add_argument("--cartella", type=Path, help="dove lasciare i file (predefinito: una cartella temporanea)")
    args = parser.parse_args()
    cartella = args.cartella or Path(tempfile.mkdtemp(prefix="mappe-bench-foto-"))
    cartella.mkdir(parents=True, exist_ok=True)
    mappe = [sys.executable, "-m", "mappe"]
    from mappe import territorio
    from mappe.catalogo import carica_catalogo

    poligono = territorio.confine([territorio.cerca_comune(COMUNE).codice]).geometry.iloc[0]
    base = cartella / "base.csv"
    scrivi_csv(base, args.senza_foto, poligono, carica_catalogo())
    foto = cartella / "foto"
    foto.mkdir(exist_ok=True)
    print(f"Preparo {args.foto} foto 4000×3000 in {foto}...", flush=True)
    mb = 0
    for k in range(args.foto):
        jpeg_di_telefono(foto / f"IMG_{k:04d}.jpg", k)
        mb += (foto / f"IMG_{k:04d}.jpg").stat().st_size
    foglio = cartella / "memorie.csv"
    with open(foglio, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["tipo", "tema", "testo", "lon", "lat", "foto", "didascalia", "consenso"])
        for k in range(args.foto):
            w.writerow(["memoria" if k % 3 == 0 else "bisogno", "socialita", f"Ricordo numero {k}", "7.5378",
                        "45.0087", f"foto/IMG_{k:04d}.jpg", f"Foto {k}", "orale"])
    area = cartella / "area"
    esegui(mappe + ["init", str(area)])
    esegui(mappe + ["--area", str(area), "comuni", "aggiungi", COMUNE])
    esegui(mappe + ["--area", str(area), "importa", str(base), "--comune", COMUNE])
    s, m, uscita = esegui(mappe + ["--area", str(area), "importa", str(foglio), "--comune", COMUNE])
    print(f"importa {args.foto} righe con foto ({mb / 1e6:.0f} MB di JPEG) su {args.senza_foto:,} contributi: "
          f"{s:.1f} s ({args.foto / s:.1f} foto/s), picco {m:.0f} MB".replace(",", "."))
    archivio = area / "data" / "comuni" / COMUNE.lower() / f"{COMUNE.lower()}.gpkg"
    print(f"  archivio del comune: {archivio.stat().st_size / 1e6:.1f} MB")
    mostra = cartella / "mostra.html"
    s, m, uscita = esegui(mappe + ["--area", str(area), "mostra", COMUNE, "-o", str(mostra)])
    righe = [r for r in uscita.splitlines() if r.startswith(("Foto", "Lasciate"))]
    print(f"mostra: {s:.1f} s, picco {m:.0f} MB, {mostra.stat().st_size / 1e6:.1f} MB; " + " ".join(righe))
    s, m, _ = esegui(mappe + ["--area", str(area), "verifica-privacy", str(mostra)])
    print(f"verifica-privacy della mostra: {s:.1f} s, picco {m:.0f} MB")


if __name__ == "__main__":
    main()
