"""Reading positions written by people and by form tools.

- decimal degrees, with a point or a comma (``7,5378``);
- degrees-minutes-seconds (``45°00'24"N``, ``7°32'11,5"E``, also ``O`` for west);
- KoboToolbox / ODK geopoints (``"45.0087 7.5378 250 5"``: latitude first), geotraces and
  geoshapes (such points joined by ``;``);
- WKT (``POINT (7.5378 45.0087)``, ``LINESTRING (...)``) as written by ``mappe esporta``.
"""

from __future__ import annotations

import re

import shapely
from shapely.geometry import LineString, Point, Polygon

__all__ = ["coppia", "geometria_odk", "geometria_wkt", "gradi", "numero"]

_DMS = re.compile(
    r"""^\s*(?P<emi1>[NSEWO])?\s*
    (?P<g>\d{1,3}(?:[.,]\d+)?)\s*(?:°|º|d|\s)\s*
    (?:(?P<m>\d{1,2}(?:[.,]\d+)?)\s*(?:['’′]|m|\s)\s*)?
    (?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*(?:["”″]|''|s)?\s*)?
    (?P<emi2>[NSEWO])?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_NUMERO_ODK = r"-?\d+(?:\.\d+)?"
_PUNTO_ODK = re.compile(rf"^\s*({_NUMERO_ODK})\s+({_NUMERO_ODK})(?:\s+{_NUMERO_ODK}){{0,2}}\s*$")
_WKT = re.compile(r"^\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON)\s*(Z\s*)?\(", re.IGNORECASE)


def numero(s: str) -> float:
    """A decimal number written the Italian or the English way: ``7,5378`` or ``7.5378``."""
    s = s.strip().replace(" ", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    return float(s)


def gradi(s: str) -> tuple[float, str | None]:
    """Degrees from decimal or DMS text; returns the value and the hemisphere letter, if any.

    Examples
    --------
    >>> gradi("45°00'24\\"N")
    (45.00666666666667, 'N')
    >>> gradi("7,5378")
    (7.5378, None)
    """
    try:
        return numero(s), None
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m or (m.group("m") is None and m.group("s") is None and not (m.group("emi1") or m.group("emi2"))):
        raise ValueError(s)
    g = numero(m.group("g"))
    minuti = numero(m.group("m")) if m.group("m") else 0.0
    secondi = numero(m.group("s")) if m.group("s") else 0.0
    if minuti >= 60 or secondi >= 60:
        raise ValueError(s)
    valore = g + minuti / 60 + secondi / 3600
    emisfero = (m.group("emi1") or m.group("emi2") or "").upper() or None
    if emisfero in ("S", "W", "O"):
        valore = -valore
    return valore, emisfero


def coppia(s: str) -> tuple[float, float] | None:
    """A ``lat lon`` pair in one cell (DMS or decimal, latitude first): returns (lon, lat).

    ``45°00'24"N 7°32'11"E``, ``45.0087, 7.5378``, ``45,0087 7,5378`` (a Kobo geopoint is
    handled by :func:`geometria_odk`).
    """
    s = s.strip()
    # DMS pairs: split after the first hemisphere letter
    m = re.match(r"^(.+?[NS])\s*[,;]?\s*(.+?[EWO])$", s, re.IGNORECASE)
    if m:
        lat, _ = gradi(m.group(1))
        lon, _ = gradi(m.group(2))
        return lon, lat
    parti = re.split(r"\s*;\s*|\s*,\s+|\s+", s)
    if len(parti) == 2:
        lat, lon = numero(parti[0]), numero(parti[1])
        return lon, lat
    return None


def geometria_odk(s: str):
    """A KoboToolbox/ODK geopoint, geotrace or geoshape as a shapely geometry (or None).

    Points are ``lat lon [alt [accuracy]]``, joined by ``;`` in traces and shapes; a shape
    closes on its first point.
    """
    pezzi = [p for p in s.strip().strip(";").split(";") if p.strip()]
    punti = []
    for p in pezzi:
        m = _PUNTO_ODK.match(p)
        if not m:
            return None
        punti.append((float(m.group(2)), float(m.group(1))))
    if not punti:
        return None
    if len(punti) == 1:
        return Point(punti[0])
    if len(punti) >= 4 and punti[0] == punti[-1]:
        return Polygon(punti)
    return LineString(punti)


def geometria_wkt(s: str):
    """A WKT geometry (or None when the text is not WKT)."""
    if not _WKT.match(s):
        return None
    try:
        return shapely.from_wkt(s)
    except shapely.errors.GEOSException:
        raise ValueError(s)
