"""Take the README's pictures from the real output: one map per view of the demo, in Chromium.

Usage: python strumenti/schermate.py [AREA] [CARTELLA_PNG]
(defaults: the repository's demo territory, docs/)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

VISTE = ["bisogni-risorse", "memoria", "emozioni", "luoghi", "rete", "seguito", "tutto"]
COMUNE = "Rivalta di Torino"


def main(area: Path, uscita: Path) -> None:
    uscita.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for vista in VISTE:
            html = Path(tmp) / f"{vista}.html"
            subprocess.run([sys.executable, "-m", "mappe", "--area", str(area), "mappa", COMUNE, "--vista", vista,
                            "-o", str(html)], check=True, capture_output=True)
            pagina = b.new_page(viewport={"width": 1200, "height": 760})
            pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            pagina.goto(html.as_uri())
            pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
            pagina.wait_for_timeout(400)
            pagina.screenshot(path=str(uscita / f"vista-{vista}.png"))
            pagina.close()
        # the exhibition in Arabic (right to left), on a computer and on a phone
        html = Path(tmp) / "mostra-ar.html"
        subprocess.run([sys.executable, "-m", "mappe", "--area", str(area), "mostra", COMUNE, "Orbassano",
                        "--lingue", "ar,it,fr,ro,sq,uk,en", "-o", str(html)], check=True, capture_output=True)
        for nome, dimensioni, telefono in (("mostra-ar", {"width": 1200, "height": 760}, False),
                                           ("mostra-ar-telefono", {"width": 390, "height": 844}, True)):
            contesto = b.new_context(viewport=dimensioni, locale="ar", is_mobile=telefono, has_touch=telefono,
                                     device_scale_factor=2 if telefono else 1)
            pagina = contesto.new_page()
            pagina.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            pagina.goto(html.as_uri())
            pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
            pagina.wait_for_timeout(600)
            pagina.screenshot(path=str(uscita / f"{nome}.png"))
            contesto.close()
        b.close()


if __name__ == "__main__":
    radice = Path(__file__).resolve().parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else radice,
         Path(sys.argv[2]) if len(sys.argv) > 2 else radice / "docs")
