"""Take the README's picture: a real demo map opened in headless Chromium.

Usage: python strumenti/schermata.py MAPPA.html docs/mappa-demo.png
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main(mappa: str, png: str) -> None:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        pagina = b.new_page(viewport={"width": 1280, "height": 800})
        pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        pagina.goto(Path(mappa).resolve().as_uri())
        pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
        simbolo = pagina.locator(".leaflet-marker-pane .mappe-simbolo-bisogno").first
        simbolo.click()
        pagina.wait_for_timeout(600)
        pagina.screenshot(path=png)
        b.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
