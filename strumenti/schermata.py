"""Take the README's pictures: a real demo page opened in headless Chromium.

Usage:
    python strumenti/schermata.py MAPPA.html docs/mappa-demo.png
    python strumenti/schermata.py MAPPA.html docs/telefono-mappa.png --telefono
    python strumenti/schermata.py MOSTRA.html docs/telefono-mostra.png --telefono --senza-scheda

On a desktop the first need's card is opened with a click; with ``--telefono`` the page is
opened as on a Pixel 7 (Chromium's device profile, touch) and a symbol is tapped, so that its
card shows as a sheet (unless ``--senza-scheda``).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pagina")
    parser.add_argument("png")
    parser.add_argument("--telefono", action="store_true", help="come su un telefono (Pixel 7)")
    parser.add_argument("--senza-scheda", action="store_true", help="non aprire nessuna scheda")
    args = parser.parse_args()
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        if args.telefono:
            contesto = b.new_context(**p.devices["Pixel 7"])
        else:
            contesto = b.new_context(viewport={"width": 1280, "height": 800})
        pagina = contesto.new_page()
        pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        pagina.goto(Path(args.pagina).resolve().as_uri())
        pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
        pagina.wait_for_timeout(1200)  # names settle after the first layout
        if not args.senza_scheda:
            # on a phone the needs may all be in groups: any symbol on its own
            simbolo = pagina.locator(".leaflet-marker-pane .mappe-simbolo" + ("" if args.telefono else "-bisogno")).first
            if args.telefono:
                # all gathered: a tap on the biggest group brings them apart, as a visitor would do
                for _ in range(5):
                    if simbolo.count():
                        break
                    gruppi = pagina.locator(".leaflet-marker-pane .mappe-cluster")
                    numeri = [int(t) for t in gruppi.all_inner_texts()]
                    g = gruppi.nth(numeri.index(max(numeri))).bounding_box()
                    pagina.touchscreen.tap(g["x"] + g["width"] / 2, g["y"] + g["height"] / 2)
                    pagina.wait_for_timeout(1200)
                r = simbolo.bounding_box()
                pagina.touchscreen.tap(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)
            else:
                simbolo.click()
            pagina.wait_for_timeout(600)
        pagina.screenshot(path=args.png)
        b.close()


if __name__ == "__main__":
    main()
