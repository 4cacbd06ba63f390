"""Inline assets: Leaflet, Leaflet.markercluster and mappe's own JS/CSS, ready to embed.

Leaflet and markercluster come from the XStatic packages installed from PyPI; their images
become data URIs so that the page needs no file and no network.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

__all__ = ["leaflet_css", "leaflet_js", "script", "stile"]

STATIC = Path(__file__).parent / "static"


def _xstatic(nome: str) -> Path:
    if nome == "leaflet":
        import xstatic.pkg.leaflet as pkg
    else:
        import xstatic.pkg.leaflet_markercluster as pkg
    return Path(pkg.BASE_DIR)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images inlined."""
    base = _xstatic("leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def sostituisci(m):
        return f"url({_data_uri(base / m.group(1))})"

    return re.sub(r"url\((images/[a-z0-9\-]+\.png)\)", sostituisci, css)


@cache
def leaflet_js() -> str:
    js = (_xstatic("leaflet") / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", js)


@cache
def markercluster_js() -> str:
    js = (_xstatic("markercluster") / "leaflet.markercluster.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", js)


@cache
def markercluster_css() -> str:
    base = _xstatic("markercluster")
    return (base / "MarkerCluster.css").read_text(encoding="utf-8")


@cache
def nostro(nome: str) -> str:
    """One of mappe's own files in ``static/``."""
    return (STATIC / nome).read_text(encoding="utf-8")


def _chiudi_script(testo: str) -> str:
    # A literal "</script" inside an inline script would end it early.
    return testo.replace("</script", "<\\/script")


def script(*testi: str) -> str:
    """One inline <script> element holding ``testi``."""
    return "<script>\n" + "\n;\n".join(_chiudi_script(t) for t in testi) + "\n</script>"


def stile(*testi: str) -> str:
    """One inline <style> element holding ``testi``."""
    return "<style>\n" + "\n".join(t.replace("</style", "<\\/style") for t in testi) + "\n</style>"
