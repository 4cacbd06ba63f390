"""What a file holds: its text and its numbers, whatever the format, read without trusting it.

The privacy check (:mod:`mappe.riservatezza`) reads every kind of file mappe writes or reads:
HTML maps and exhibitions (their data block opened, also when compressed), CSV (UTF-8 with or
without BOM, UTF-16, Windows-1252; any separator), XLSX, XLS and ODS (python-calamine, with
cell notes and document properties), GeoJSON/JSON, GeoPackage and any SQLite file (every real
table read-only, views never run, geometry blobs decoded), KML and XML, shapefiles, zips and
KMZ (measured before they are opened), Markdown and plain text, PDF (text, metadata,
annotations, form fields, with pypdf).

:func:`leggi_contenuto` turns any of them into a :class:`Contenuto`: the text to search, and the
numbers that may be coordinates, grouped by row or point so that a latitude and a longitude
written apart are seen together. Coordinates of a GeoPackage, GeoJSON or shapefile that declares
another reference system (UTM, Gauss-Boaga...) are also given in degrees.

Nothing is skipped in silence. Every member of a zip is read for what its bytes are, whatever
its name (zips inside zips too, within the same size limit), and checked as it is read: a member
whose CRC or sizes do not match what the archive declares is not trusted. What cannot be read
as text, numbers or a known format (an image, an unknown binary, a damaged or encrypted member)
is listed in :attr:`Contenuto.non_letti`, so that the check never calls such a file clean.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import re
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .errori import MappeError

__all__ = ["DECIMALI_MIN", "LIMITE_MB", "Contenuto", "decimali", "leggi_contenuto", "numeri_nel_testo"]

DECIMALI_MIN = 4  # a written position counts from 4 decimals (about 10 m) on, rounded or cut there
LIMITE_MB = 200  # uncompressed content of a zip (XLSX, ODS, KMZ, zips of files)
PROFONDITA_ZIP = 6  # zips inside zips: how deep they are opened
FINE_RIGA = " \u00a6"  # ends the text of a table's row: numbers of two rows are never one position


# --------------------------------------------------------------------------------------------
# What a file holds


@dataclass
class Contenuto:
    """What a file holds, as text and numbers.

    Attributes
    ----------
    testo : str
        Every text of the file, as written (pieces joined by line breaks).
    valori, decimali, gruppi : numpy.ndarray
        Numbers read from the file's structure (cells of a row, coordinates of a geometry,
        positions of a page's data block): value, decimals written, and the group (row or
        point) they belong to. Two numbers of one group may be a position.
    formato : str
        What the file was read as (``html``, ``csv``, ``xlsx``, ``pdf``...).
    non_letti : list of str
        What could not be checked, one Italian sentence each naming the file or the member and
        why (an image, an unknown binary, a damaged member). A file with any is never clean.
    immagini : list of Immagine
        The pictures met (embedded, kept in cells, members, the file itself), to compare with the
        photos of the data (:mod:`mappe.riservatezza`). The thumbnails of a page made by mappe are
        here and not in ``non_letti``: whoever checks says whether they are public photos.
    """

    testo: str
    valori: np.ndarray
    decimali: np.ndarray
    gruppi: np.ndarray
    formato: str
    non_letti: list[str] = field(default_factory=list)
    immagini: list[Immagine] = field(default_factory=list)


@dataclass
class Immagine:
    """A picture found in a file: where, its bytes, whether it is a thumbnail of a mappe page, and
    which line of ``non_letti`` it is counted in (-1: none), to be dropped when every picture it
    counts is recognised (a public photo of the data, or one reported as private)."""

    nome: str
    dati: bytes
    di_mappe: bool = False
    messaggio: int = -1


MAX_IMMAGINI = 5_000  # pictures kept for the comparison with the data's photos (the rest are listed anyway)


class _Raccolta:
    """Texts and grouped numbers, as a reader finds them."""

    def __init__(self, limite_mb: int = LIMITE_MB) -> None:
        self.limite_mb = limite_mb
        self.testi: list[str] = []
        # numbers of rows, as plain lists (arrays per row would cost more than the rows)
        self._v: list[float] = []
        self._d: list[int] = []  # -1: to compute from the binary value
        self._g: list[int] = []
        self._array: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._prossimo = 0
        self.non_letti: list[str] = []
        self.immagini: list[Immagine] = []
        self.espansi = 0  # bytes that the zips opened so far declare, nested ones too

    def testo(self, t: str | None) -> None:
        if t:
            self.testi.append(t)

    def immagine(self, nome: str, dati: bytes, di_mappe: bool = False) -> Immagine | None:
        if len(self.immagini) >= MAX_IMMAGINI:
            return None
        self.immagini.append(Immagine(nome, bytes(dati), di_mappe))
        return self.immagini[-1]

    def non_letto(self, nome: str, perche: str, immagini=()) -> None:
        """Something of the file that could not be checked: ``nome`` (file or member) and why
        (``immagini``: the pictures this line counts)."""
        self.non_letti.append(f"{nome}: {perche}")
        for i in immagini:
            if i is not None:
                i.messaggio = len(self.non_letti) - 1

    def gruppo(self, valori: list[float], decimali: list[int]) -> None:
        """Numbers that belong together (a row); a decimal count of -1 is computed from the value."""
        if len(valori) < 2:
            return
        self._v += valori
        self._d += decimali
        self._g += [self._prossimo] * len(valori)
        self._prossimo += 1

    def coppie(self, xy: np.ndarray, cifre: int | None = None) -> None:
        """Coordinates, one group per point; ``cifre``: the decimals they were written with (None:
        as many as each value needs)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            return
        g = np.repeat(np.arange(self._prossimo, self._prossimo + len(xy)), 2)
        self._prossimo += len(xy)
        v = xy.ravel()
        self._array.append((v, decimali(v) if cifre is None else np.full(len(v), cifre, dtype=np.int64), g))

    def contenuto(self, formato: str) -> Contenuto:
        v = np.asarray(self._v, dtype=float)
        d = np.asarray(self._d, dtype=np.int64)
        da_calcolare = d < 0
        d[da_calcolare] = decimali(v[da_calcolare])
        parti = [(v, d, np.asarray(self._g, dtype=np.int64)), *self._array]
        return Contenuto("\n".join(self.testi), np.concatenate([x[0] for x in parti]),
                         np.concatenate([x[1] for x in parti]).astype(np.int64),
                         np.concatenate([x[2] for x in parti]).astype(np.int64), formato, self.non_letti,
                         self.immagini)


def decimali(v: np.ndarray) -> np.ndarray:
    """How many decimals a binary number needs (15 for those that need many)."""
    d = np.full(len(v), 15, dtype=np.int64)
    finiti = np.isfinite(v)
    for k in range(14, -1, -1):
        esatti = finiti & (np.round(v, k) == v)
        d[esatti] = k
    return d


_NUMERO = re.compile(r"(?<!\d)-?\d{1,3}[.,](\d+)(?!\d)")
# Scanning millions of characters, a pattern that starts with a literal is fast: the decimal
# separator is found first, and the digits before it are looked at only there.
_DOPO_PUNTO = re.compile(r"\.(\d+)")
_DOPO_VIRGOLA = re.compile(r",(\d{4,})")
_INTERA = re.compile(r"(?<!\d)(-?\d{1,3})$")


def numeri_nel_testo(testo: str, esatti: frozenset | None = None) -> tuple[list[float], list[int], list[tuple]]:
    """Decimal numbers of a text (point or comma) with their decimals and where they are.

    Without ``esatti`` (a cell): every one. With ``esatti`` (a whole file): those with 4
    decimals or more, and those that are exactly one of ``esatti`` (written with a point); a
    decimal comma counts only where it cannot be a list of integers (``[12,3456,7]``).
    """
    valori, decimali, posti = [], [], []
    if esatti is None:
        for m in _NUMERO.finditer(testo):
            t = m.group(0)
            valori.append(float(t.replace(",", ".")))
            decimali.append(len(m.group(1)))
            posti.append(m.span())
        return valori, decimali, posti
    trovati = []
    for separatore, rx in ((".", _DOPO_PUNTO), (",", _DOPO_VIRGOLA)):
        for m in rx.finditer(testo):
            k, fine = m.start(), m.end()
            if fine < len(testo) and (testo[fine].isdigit() or (separatore == "," and testo[fine] == ","
                                                               and testo[fine + 1:fine + 2].isdigit())):
                continue
            intera = _INTERA.search(testo, max(0, k - 5), k)
            if intera is None:
                continue
            inizio = intera.start()
            if separatore == "," and inizio > 0 and testo[inizio - 1] in ",[":
                continue
            v = float(f"{intera.group(1)}.{m.group(1)}")
            d = fine - k - 1
            if d >= DECIMALI_MIN or (esatti and abs(v) in esatti):
                trovati.append((inizio, fine, v, d))
    trovati.sort()
    for inizio, fine, v, d in trovati:
        valori.append(v)
        decimali.append(d)
        posti.append((inizio, fine))
    return valori, decimali, posti


def cifre_viste(numero: float) -> str | None:
    """A number as a person sees it in a cell: ``3475551212``, ``45.00311`` (never ``.0`` nor an
    exponent); None for what is no number to read (infinite, not a number, too long)."""
    if isinstance(numero, (int, np.integer)):
        return str(int(numero)) if abs(int(numero)) < 10**20 else None
    v = float(numero)
    if not np.isfinite(v) or abs(v) >= 1e20:
        return None
    if v == int(v):
        return str(int(v))
    return np.format_float_positional(v, trim="-")


def _riga(r: _Raccolta, celle) -> None:
    """A row of a table: its texts (numbers too, as a person sees them: a phone number may be
    stored as a number), and its numbers as one group (positions sit in two cells)."""
    testi, valori, decimali = [], [], []
    for c in celle:
        if c is None or isinstance(c, bool):
            continue
        if isinstance(c, (int, float, np.integer, np.floating)):
            valori.append(float(c))
            decimali.append(-1)
            cifre = cifre_viste(c)
            if cifre is not None:
                testi.append(cifre)
            continue
        t = c if isinstance(c, str) else str(c)
        if t:
            testi.append(t)
            if "." in t or "," in t:
                v, d, _ = numeri_nel_testo(t)
                valori += v
                decimali += d
    if testi:
        r.testo(" ; ".join(testi) + FINE_RIGA)
    r.gruppo(valori, decimali)


# --------------------------------------------------------------------------------------------
# Readers, one per format


_BOM = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_TAG = re.compile(r"<[^<>]*>")
_SCRIPT_STILE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(r"data:([a-z0-9.+/-]*)((?:;[a-z0-9=._+-]*)*);base64,([A-Za-z0-9+/=\s]+)", re.IGNORECASE)


class _OltreIlLimite(MappeError):
    """A compressed content beyond the limit: the whole file is refused, not one member."""


def _utf16_senza_bom(dati: bytes) -> str | None:
    """The UTF-16 of a text written without a BOM (every other byte zero), if it is one."""
    campione = dati[:4096]
    if len(campione) < 8:
        return None
    pari, dispari = campione[0::2], campione[1::2]
    if dispari.count(0) > 0.4 * len(dispari) and pari.count(0) < 0.02 * len(pari):
        return "utf-16-le"
    if pari.count(0) > 0.4 * len(pari) and dispari.count(0) < 0.02 * len(dispari):
        return "utf-16-be"
    return None


_CONTROLLI = bytes([*range(9), 11, *range(14, 26), *range(28, 32), 127])


def _binario(dati: bytes) -> bool:
    """Are these bytes something else than text (NUL bytes, or many control characters)?"""
    if dati.startswith(tuple(b for b, _ in _BOM)) or _utf16_senza_bom(dati):
        return False
    campione = dati[:65536]
    controlli = len(campione) - len(campione.translate(None, _CONTROLLI))
    return b"\x00" in campione or controlli > 0.01 * len(campione)


def _testo_da_byte(dati: bytes) -> str:
    """Bytes as text, in any encoding mappe reads (UTF-8 with or without BOM, UTF-16, Windows-1252)."""
    for bom, codifica in _BOM:
        if dati.startswith(bom):
            return dati[len(bom):].decode(codifica, errors="replace")
    codifica = _utf16_senza_bom(dati)
    if codifica:
        return dati.decode(codifica, errors="replace")
    try:
        return dati.decode("utf-8")
    except UnicodeDecodeError:
        return dati.decode("cp1252", errors="replace")


def _senza_tag(testo: str) -> str:
    return _TAG.sub(" ", testo)


@cache
def _risorse_di_mappe() -> tuple[str, ...]:
    """The scripts and styles mappe puts in every page, as written there: text of no person."""
    from .rendi import risorse

    testi = [risorse.leaflet_js(), risorse.leaflet_css()]
    for p in sorted(risorse.STATIC.iterdir()):
        if p.suffix in (".js", ".css"):
            testi.append(p.read_text(encoding="utf-8"))
    forme = set()
    for t in testi:  # as risorse.script() and risorse.stile() write them inside the page
        forme.add(t.replace("</script", "<\\/script"))
        forme.add(t.replace("</style", "<\\/style"))
    return tuple(sorted((f for f in forme if len(f) > 200), key=len, reverse=True))


_BLOCCO_DATI = re.compile(
    r'<script type="application/(?:json|octet-stream)" id="mappe-dati"( data-codifica="gzip-base64")?>')


def _blocco_dati(testo: str, nome: str, limite_mb: int) -> tuple[str | None, int, int]:
    """The JSON of the data block of a page made by mappe (opened if compressed, never beyond
    ``limite_mb``), and where the block's content starts and ends in the page."""
    m = _BLOCCO_DATI.search(testo)
    if not m:
        return None, 0, 0
    fine = testo.find("</script>", m.end())
    fine = len(testo) if fine < 0 else fine
    if not m.group(1):
        return testo[m.end():fine], m.end(), fine
    try:
        compresso = base64.b64decode(testo[m.end():fine])
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        dati = d.decompress(compresso, limite_mb * 1024 * 1024)
    except (ValueError, zlib.error):
        return None, m.end(), fine
    if d.unconsumed_tail:
        raise _OltreIlLimite(
            f"I dati compressi della pagina {nome} superano il limite di {limite_mb} MB: controllarla dopo "
            "averla rifatta con mappe, oppure alzare il limite con --limite-mb se il file è fidato."
        )
    return dati.decode("utf-8", errors="replace"), m.end(), fine


def _miniature_del_blocco(dati: dict, blocco: str, nome: str, r: _Raccolta) -> str:
    """The photo thumbnails of a mappe page's data block, taken apart as pictures (their base64 is no
    text to search); returns the block without them."""
    foto = dati.get("foto") if isinstance(dati, dict) else None
    b = foto.get("b") if isinstance(foto, dict) else None
    if not isinstance(b, list):
        return blocco
    for k, testo in enumerate(b):
        if not isinstance(testo, str):
            continue
        try:
            r.immagine(f"{nome}:(foto {k + 1} della pagina)", base64.b64decode(testo, validate=True), di_mappe=True)
        except ValueError:
            r.non_letto(nome, f"la foto {k + 1} della pagina non è un'immagine leggibile: non si può controllare")
            continue
        blocco = blocco.replace(testo, " ")
    return blocco


def _leggi_html(testo: str, r: _Raccolta, nome: str = "", profondita: int = 0) -> None:
    from .rendi.mappa import posizioni_pubblicate

    # The data block of a page made by mappe: opened (it may be gzip + base64) and decoded.
    blocco, inizio, fine = _blocco_dati(testo, nome, r.limite_mb)
    if blocco is not None:
        try:
            dati = json.loads(blocco)
            # the block's positions are integers on a scale (10**5: 5 decimals, 44.98900 and not 44.989)
            scala = dati.get("contributi", {}).get("pos", {}).get("scala")
            cifre = round(math.log10(scala)) if isinstance(scala, int) and scala > 1 else None
            r.coppie(np.array(sorted(posizioni_pubblicate(dati))), cifre)
            blocco = _miniature_del_blocco(dati, blocco, nome, r)
        except Exception:  # noqa: BLE001, S110 - a block made by hand: its text is searched all the same
            pass
    if fine > inizio and blocco is not None and blocco != testo[inizio:fine]:
        testo = testo[:inizio] + testo[fine:]  # the base64 goes, its content is searched instead
        r.testo(blocco)
    for risorsa in _risorse_di_mappe():
        if risorsa in testo:
            testo = testo.replace(risorsa, " ")
    testo = _leggi_data_uri(testo, r, nome, profondita)
    r.testo(testo)
    # What a reader sees: the words between the tags, whatever the tags around them.
    r.testo(_senza_tag(_SCRIPT_STILE.sub(" ", testo)))


@cache
def _immagini_di_mappe() -> frozenset[bytes]:
    """The pictures mappe itself puts in its pages (Leaflet's icons), byte for byte."""
    from .rendi import risorse

    immagini = set()
    for m in re.finditer(r"url\((images/[a-z0-9\-]+\.png)\)", (risorse._xstatic("leaflet") / "leaflet.css").read_text(
            encoding="utf-8")):
        p = risorse._xstatic("leaflet") / m.group(1)
        if p.is_file():
            immagini.add(p.read_bytes())
    return frozenset(immagini)


@cache
def _caratteri_di_mappe() -> frozenset[bytes]:
    """The fonts mappe itself puts in the pages that offer Arabic (rendi/caratteri.py), byte for byte."""
    from .rendi.caratteri import caratteri_incorporati

    return frozenset(caratteri_incorporati())


def _leggi_data_uri(testo: str, r: _Raccolta, nome: str, profondita: int) -> str:
    """The text without its base64 ``data:`` URIs, each read for what it holds: an SVG or a text
    is searched, an image is listed among what cannot be checked."""
    if "base64," not in testo:
        return testo
    immagini: dict[str, int] = {}
    trovate: list = []

    def una(m: re.Match) -> str:
        tipo = m.group(1).lower()
        try:
            dati = base64.b64decode(re.sub(r"\s+", "", m.group(3)) + "==", validate=False)
        except ValueError:
            return " "
        if dati in _immagini_di_mappe():
            return " "  # Leaflet's own icons, as mappe puts them in every page: no picture of anyone
        if tipo.startswith("font/") and dati in _caratteri_di_mappe():
            return " "  # the Arabic letters mappe carries: no text of anyone
        if tipo.startswith("image/") and tipo != "image/svg+xml" or _immagine(dati):
            immagini[tipo or "image"] = immagini.get(tipo or "image", 0) + 1
            trovate.append(r.immagine(f"{nome}:(data URI {tipo or 'immagine'})", dati))
        else:
            _leggi_membro(dati, f"{nome}:(data URI {tipo or 'senza tipo'})", r, profondita + 1)
        return " "

    testo = _DATA_URI.sub(una, testo)
    if immagini:
        quante = sum(immagini.values())
        quali = "un'immagine incorporata" if quante == 1 else f"{quante} immagini incorporate"
        r.non_letto(nome, f"contiene {quali} ({', '.join(sorted(immagini))}): quello che mostrano non si può "
                          "leggere, quindi non si può controllare; guardarle prima di diffondere il file", trovate)
    return testo


_COORDINATE_KML = re.compile(r"<(?:\w+:)?coordinates[^>]*>(.*?)</(?:\w+:)?coordinates>", re.DOTALL)


_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_COMMENTO = re.compile(r"<!--(.*?)-->", re.DOTALL)
_ATTRIBUTO = re.compile(r"""=\s*(?:"([^"<>]*)"|'([^'<>]*)')""")


def _testo_xml(testo: str) -> str:
    """The words of an XML file: text, CDATA and comments (tags gone, entities decoded, and the
    escaped HTML that KML descriptions hold stripped too), then every distinct attribute value."""
    testo = _CDATA.sub(lambda m: html.escape(m.group(1)), testo)
    testo = _COMMENTO.sub(lambda m: " " + html.escape(m.group(1)) + " ", testo)
    attributi = {a or b for a, b in _ATTRIBUTO.findall(testo)}
    return _senza_tag(html.unescape(_senza_tag(testo))) + "\n" + " ; ".join(sorted(attributi))


def _leggi_kml(testo: str, r: _Raccolta) -> None:
    r.testo(_testo_xml(testo))
    for blocco in _COORDINATE_KML.findall(testo):
        for tupla in blocco.split():
            parti = tupla.split(",")
            try:
                valori = [float(p) for p in parti[:2]]
            except ValueError:
                continue
            r.gruppo(valori, [len(p.partition(".")[2]) for p in parti[:2]])


class _Numero(float):
    """A number of a JSON file that remembers how many decimals were written."""

    decimali = 0

    @classmethod
    def da_testo(cls, testo: str) -> _Numero:
        n = cls(testo)
        n.decimali = len(testo.partition(".")[2].lower().partition("e")[0])
        return n


def _leggi_json(testo: str, r: _Raccolta) -> None:
    r.testo(testo)
    try:
        dati = json.loads(testo, parse_float=_Numero.da_testo)
    except (ValueError, RecursionError):
        return
    if isinstance(dati, dict) and isinstance(dati.get("crs"), dict):
        # a GeoJSON in another reference system (an old GDAL writes it so): its points in degrees too
        proprieta = dati["crs"].get("properties")
        crs = _crs(proprieta.get("name") if isinstance(proprieta, dict) else None)
        if crs is not None:
            r.coppie(_in_gradi(_coordinate_geojson(dati), crs))
    pila = [dati]
    while pila:
        x = pila.pop()
        figli = x.values() if isinstance(x, dict) else x if isinstance(x, list) else ()
        numeri = []
        for v in figli:
            if isinstance(v, (dict, list)):
                pila.append(v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                numeri.append(v)
        if len(numeri) >= 2:
            r.gruppo([float(v) for v in numeri], [getattr(v, "decimali", -1) for v in numeri])


def _coordinate_geojson(dati) -> np.ndarray:
    """Every position (x, y) under a ``coordinates`` member of a GeoJSON."""
    punti: list[tuple[float, float]] = []
    pila = [dati]
    while pila:
        x = pila.pop()
        if isinstance(x, dict):
            for k, v in x.items():
                pila.append(("coordinate", v) if k == "coordinates" else v)
        elif isinstance(x, tuple):  # a coordinates member: nested lists of positions
            v = x[1]
            if isinstance(v, list) and len(v) >= 2 and all(isinstance(c, (int, float)) for c in v[:2]) \
                    and not any(isinstance(c, bool) for c in v[:2]):
                punti.append((float(v[0]), float(v[1])))
            elif isinstance(v, list):
                pila += [("coordinate", w) for w in v]
        elif isinstance(x, list):
            pila += x
    return np.array(punti, dtype=float).reshape(-1, 2)


def _crs(definizione):
    """The reference system a file declares (an EPSG code, a URN, WKT), when it is not plain
    longitude and latitude in WGS 84 (those need no change); None also when it is not understood."""
    if not definizione:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(definizione)
    except (CRSError, TypeError, ValueError):
        return None
    return None if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True) else crs


def _in_gradi(xy: np.ndarray, crs) -> np.ndarray:
    """Coordinates of ``crs`` as longitude and latitude in WGS 84 (those that do not convert go)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if not len(xy):
        return xy
    from pyproj import Transformer

    try:
        lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(xy[:, 0], xy[:, 1])
    except Exception:  # noqa: BLE001 - a system PROJ cannot convert: its numbers are searched as written
        return np.empty((0, 2))
    out = np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])
    return out[np.isfinite(out).all(axis=1)]


def _separatore(testo: str) -> str:
    prima = testo.split("\n", 1)[0]
    conti = {sep: prima.count(sep) for sep in (";", "\t", ",")}
    sep = max(conti, key=conti.get)
    return sep if conti[sep] else ","


def _leggi_csv(testo: str, r: _Raccolta) -> None:
    try:
        righe = list(csv.reader(io.StringIO(testo.replace("\x00", " "), newline=""), delimiter=_separatore(testo)))
    except csv.Error:
        r.testo(testo)
        return
    for riga in righe:
        _riga(r, riga)


def _controlla_zip(z: zipfile.ZipFile, nome: str, r: _Raccolta) -> None:
    """Measure a zip before opening it: a few compressed MB can expand to gigabytes. The zips
    inside it count in the same total (what a member declares is all that is read of it)."""
    r.espansi += sum(i.file_size for i in z.infolist())
    if r.espansi > r.limite_mb * 1024 * 1024:
        raise _OltreIlLimite(
            f"Il file {nome} contiene {r.espansi // (1024 * 1024)} MB di dati compressi, oltre il limite di "
            f"{r.limite_mb} MB: dividerlo in file più piccoli, oppure alzare il limite con --limite-mb se il file "
            "è fidato."
        )


def _apri_zip(dati: bytes, nome: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(dati))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise MappeError(
            f"Il file {nome} non si riesce ad aprire come archivio zip: forse è danneggiato; rifarlo e "
            "ricontrollarlo."
        )


_INTESTAZIONE_LOCALE = struct.Struct("<4sHHHHHIIIHH")


def _estrai(z: zipfile.ZipFile, info: zipfile.ZipInfo, dati: bytes, nome: str, r: _Raccolta) -> bytes | None:
    """A member of a zip, checked as it is read: what its local header, the directory, the
    compressed stream and the CRC say must agree (otherwise a program may show a text that the
    check never saw). None, and the member listed among what cannot be checked, when they do not."""
    if info.flag_bits & 0x1:
        r.non_letto(nome, "è cifrato con una password: non si può leggere né controllare")
        return None
    try:
        if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            testa = _INTESTAZIONE_LOCALE.unpack_from(dati, info.header_offset)
            firma, _, bandiere, metodo, _, _, crc, compresso, espanso, lung_nome, lung_extra = testa
            if firma != b"PK\x03\x04" or metodo != info.compress_type:
                raise zipfile.BadZipFile("intestazione locale diversa")
            nome_locale = dati[info.header_offset + _INTESTAZIONE_LOCALE.size:][:lung_nome]
            if nome_locale != info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437",
                                                         errors="replace"):
                raise zipfile.BadZipFile("nome diverso")
            if not bandiere & 0x8 and compresso != 0xFFFFFFFF and (
                    crc, compresso, espanso) != (info.CRC, info.compress_size, info.file_size):
                raise zipfile.BadZipFile("dimensioni diverse")
            inizio = info.header_offset + _INTESTAZIONE_LOCALE.size + lung_nome + lung_extra
            grezzi = dati[inizio:inizio + info.compress_size]
            if len(grezzi) != info.compress_size:
                raise zipfile.BadZipFile("dati tronchi")
            if info.compress_type == zipfile.ZIP_STORED:
                contenuto = grezzi
            else:
                d = zlib.decompressobj(-15)
                contenuto = d.decompress(grezzi, info.file_size + 1)
                if d.unconsumed_tail or not d.eof or d.unused_data:
                    raise zipfile.BadZipFile("dimensioni diverse")
        else:
            with z.open(info) as f:
                contenuto = f.read(info.file_size + 1)
        if len(contenuto) != info.file_size:
            raise zipfile.BadZipFile("dimensioni diverse")
        if zlib.crc32(contenuto) != info.CRC:
            raise zipfile.BadZipFile("CRC")
    except NotImplementedError:
        r.non_letto(nome, "è compresso con un metodo che mappe non sa aprire: non si può controllare")
        return None
    except (zipfile.BadZipFile, zlib.error, struct.error, EOFError, OSError, RuntimeError, ValueError) as e:
        perche = {"CRC": "il suo controllo (CRC) non torna",
                  "dimensioni diverse": "le dimensioni dichiarate non tornano con i dati",
                  "nome diverso": "il nome nell'elenco dei file non è quello scritto accanto ai dati",
                  "intestazione locale diversa": "l'elenco dei file non torna con i dati"}.get(
                      str(e), "i dati compressi non si leggono")
        r.non_letto(nome, f"è danneggiato o manomesso ({perche}): non si può controllare; rifare l'archivio")
        return None
    return contenuto


_FIRME_ZIP64 = (b"PK\x06\x06", b"PK\x06\x07")  # the zip64 end records sit between the directory and its end


def _fuori_dai_membri(z: zipfile.ZipFile, dati: bytes, nome: str, r: _Raccolta, profondita: int) -> None:
    """What an archive holds outside its members: before, between and after them, after its
    directory; its comments and the names and extra fields of its members. Nothing a program
    shows as a file, but bytes that travel with it all the same: the names, comments and extra
    fields are searched; any other byte outside the members is read too, and the archive is not
    trusted (an archive made by a program has none)."""
    if z.comment:
        r.testo(_testo_da_byte(z.comment))
    occupati = []
    for info in z.infolist():
        r.testo(info.filename)
        if info.comment:
            r.testo(_testo_da_byte(info.comment))
        if info.extra:
            r.testo(" ".join(t.decode("latin-1") for t in re.findall(rb"[\x20-\x7e\xa0-\xff]{4,}", info.extra)))
        try:
            testa = _INTESTAZIONE_LOCALE.unpack_from(dati, info.header_offset)
        except struct.error:
            continue
        inizio_extra = info.header_offset + _INTESTAZIONE_LOCALE.size + testa[9]
        extra = dati[inizio_extra:inizio_extra + testa[10]]
        if extra:
            r.testo(" ".join(t.decode("latin-1") for t in re.findall(rb"[\x20-\x7e\xa0-\xff]{4,}", extra)))
        fine = inizio_extra + testa[10] + info.compress_size
        occupati.append((info.header_offset, fine + (24 if info.flag_bits & 0x8 else 0)))
    inizio_elenco = getattr(z, "start_dir", len(dati))
    occupati.sort()
    fino = 0
    buchi = []
    for a, b in occupati + [(inizio_elenco, inizio_elenco)]:
        if a > fino and dati[fino:a].strip(b"\x00 \r\n\t"):
            buchi.append((fino, min(a, inizio_elenco)))
        fino = max(fino, b)
    for a, b in buchi:
        descrittore = dati[a:a + 24]
        if b - a <= 24 and (descrittore.startswith(b"PK\x07\x08") or b - a <= 16):
            continue  # a data descriptor
        _fuori(dati[a:b], f"{nome}:(byte {a}-{b} fuori dai file)", r, profondita)
    # after the directory: the zip64 records, the end record and its comment, and nothing else
    fine_elenco = dati.rfind(b"PK\x05\x06")
    if fine_elenco < 0 or fine_elenco + 22 > len(dati):
        return
    _, _, _, _, _, dimensione, _, lunghezza_commento = struct.unpack_from("<4s4H2LH", dati, fine_elenco)
    if dimensione != 0xFFFFFFFF:
        a = inizio_elenco + dimensione
        tra = dati[a:fine_elenco]
        if tra.strip(b"\x00 \r\n\t") and not tra.startswith(_FIRME_ZIP64):
            _fuori(tra, f"{nome}:(byte {a}-{fine_elenco} dopo l'elenco dei file)", r, profondita)
    a = fine_elenco + 22 + lunghezza_commento
    if dati[a:].strip(b"\x00 \r\n\t"):
        _fuori(dati[a:], f"{nome}:(byte {a}-{len(dati)} dopo la fine dell'archivio)", r, profondita)


def _fuori(dati: bytes, nome: str, r: _Raccolta, profondita: int) -> None:
    """Bytes of an archive outside its members: read for what they are, and said untrusted."""
    prima = len(r.non_letti)
    _leggi_membro(dati, nome, r, profondita + 1)
    if len(r.non_letti) == prima:  # once per stretch: a binary stretch is listed already
        r.non_letto(nome, "sono dati che nessun file dell'archivio dichiara (un archivio fatto da un programma non "
                          "ne ha): non ci si può fidare dell'archivio, quindi non si può controllare; rifarlo")


_MINIATURE = ("thumbnails/thumbnail.png", "docprops/thumbnail.jpeg", "docprops/thumbnail.jpg", "docprops/thumbnail.wmf",
              "docprops/thumbnail.emf", "docprops/thumbnail.png")


def _documento_office(nomi: set[str]) -> bool:
    return "[Content_Types].xml" in nomi or "mimetype" in nomi


_DATI_FOGLIO = re.compile(r"<(?:\w+:)?sheetData\b.*?</(?:\w+:)?sheetData>", re.DOTALL)
_INTESTAZIONI = re.compile(r"<(?:\w+:)?(?:odd|even|first)(?:Header|Footer)\b[^>]*>(.*?)</", re.DOTALL)
_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>/]*>(.*?)</(?:\w+:)?f>", re.DOTALL)
# the codes of a header or footer: &L &C &R (where), &P &N &D &T &F &A (fields), &"font", &12, &K00FF00
_CODICI_INTESTAZIONE = re.compile(r'&(?:"[^"]*"|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|\d+|[LCRPNDTZFABIUEXYSOGH&])')


def _intestazioni_e_formule(xml: str) -> str:
    """The words of a sheet's headers and footers (their codes taken out: ``&CMario`` is Mario)
    and of its formulas (``=CONCATENATE("Maria ";"Rossi")``)."""
    testi = [_CODICI_INTESTAZIONE.sub(lambda m: "&" if m.group(0) == "&&" else " ", html.unescape(t))
             for t in _INTESTAZIONI.findall(xml)]
    testi += [html.unescape(f) for f in _FORMULA.findall(xml)]
    return "\n".join(testi)


def _leggi_foglio(dati: bytes, nome: str, r: _Raccolta, profondita: int = 0) -> None:
    """XLSX, XLSM, ODS and XLS: every cell of every sheet, and (zips) every part: comments,
    headers and footers, formulas, document properties and all that a spreadsheet program keeps
    beside the cells; pictures and other binary parts are read as members of a zip."""
    import python_calamine

    celle_xml: list[str] = []
    if dati.startswith(b"PK"):
        with _apri_zip(dati, nome) as z:
            _controlla_zip(z, nome, r)
            for parte in z.infolist():
                n = parte.filename.lower()
                if parte.is_dir() or n in _MINIATURE:
                    continue  # a thumbnail: the picture of the first sheet, whose cells are read below
                contenuto = _estrai(z, parte, dati, f"{nome}:{parte.filename}", r)
                if contenuto is None:
                    continue
                if n.endswith((".xml", ".rels", ".vml")):
                    xml = _testo_da_byte(contenuto)
                    if n.startswith("xl/worksheets/"):
                        r.testo(_intestazioni_e_formule(xml))
                        celle_xml += _DATI_FOGLIO.findall(xml)
                        xml = _DATI_FOGLIO.sub(" ", xml)  # the cells are read below
                    r.testo(_testo_xml(xml))
                elif re.fullmatch(r"xl/printersettings/printersettings\d*\.bin", n):
                    # a printer's settings: its name and the paper's, in UTF-16, and numbers
                    r.testo(" ".join(re.findall(r"[^\x00-\x1f]{4,}", contenuto.decode("utf-16-le", errors="replace"))))
                else:
                    _leggi_membro(contenuto, f"{nome}:{parte.filename}", r, profondita + 1)
            _fuori_dai_membri(z, dati, nome, r, profondita)
    try:
        libro = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(dati))
        for foglio in libro.sheet_names:
            for riga in libro.get_sheet_by_name(foglio).to_python(skip_empty_area=False):
                _riga(r, riga)
    except Exception:  # noqa: BLE001 - calamine raises many kinds for a damaged file
        if not dati.startswith(b"PK"):
            raise MappeError(
                f"Il file {nome} non si riesce a leggere come foglio di calcolo: "
                "aprirlo e salvarlo di nuovo come .xlsx o .ods, poi ricontrollarlo."
            )
        for xml in celle_xml:  # the cells as XML, then: their words are all there
            r.testo(_testo_xml(xml))


def _leggi_pdf(dati: bytes, nome: str, r: _Raccolta) -> None:
    from pypdf import PdfReader

    try:
        pdf = PdfReader(io.BytesIO(dati))
        if pdf.is_encrypted and not pdf.decrypt(""):
            raise MappeError(f"Il PDF {nome} è protetto da una password: controllare la versione senza password.")
        for chiave, valore in (pdf.metadata or {}).items():
            r.testo(f"{chiave} {valore}")
        for campo in (pdf.get_fields() or {}).values():  # a form's fields
            r.testo(" ".join(str(campo.get(k, "")) for k in ("/T", "/TU", "/V")))
        for n, pagina in enumerate(pdf.pages, start=1):
            r.testo(pagina.extract_text() or "")
            trovate = []
            try:
                immagini = list(pagina.images)
            except Exception:  # noqa: BLE001 - an image pypdf cannot take out: counted, not read
                immagini = None
            if immagini is None:
                r.non_letto(f"{nome}, pagina {n}", "ha immagini che non si riescono a estrarre: quello che mostrano "
                                                   "non si può controllare; guardarle prima di diffondere il file")
            for immagine in immagini or ():
                trovate.append(r.immagine(f"{nome}, pagina {n} ({immagine.name})", immagine.data))
            if trovate:
                quali = "un'immagine" if len(trovate) == 1 else f"{len(trovate)} immagini"
                r.non_letto(f"{nome}, pagina {n}", f"contiene {quali}: quello che mostrano non si può leggere, quindi "
                                                   "non si può controllare; guardarle prima di diffondere il file",
                            trovate)
            for annotazione in pagina.get("/Annots") or []:
                a = annotazione.get_object()
                for campo in ("/Contents", "/T", "/TU", "/V"):
                    if isinstance(a.get(campo), str):
                        r.testo(a[campo])
    except MappeError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        raise MappeError(
            f"Il file {nome} non si riesce a leggere come PDF: forse è danneggiato; "
            "esportarlo di nuovo e ricontrollarlo."
        )


def _wkb(blob: bytes) -> bytes | None:
    """The WKB inside a GeoPackage geometry (after its header); None for any other blob."""
    if blob[:2] == b"GP" and len(blob) >= 8:
        busta = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0x07)
        return None if busta is None else blob[8 + busta:]
    return None


def _srs_gp(blob: bytes) -> int:
    """The reference system's id that a GeoPackage geometry's header names."""
    return int.from_bytes(blob[4:8], "little" if blob[3] & 0x01 else "big", signed=True)


def _coordinate_wkb(geometrie: list[bytes]) -> np.ndarray:
    """The coordinates of WKB geometries; those shapely cannot read (curves, damaged) are skipped."""
    try:
        forme = shapely.from_wkb(np.array(geometrie, dtype=object), on_invalid="ignore")
    except Exception:  # noqa: BLE001 - GEOS refuses some types for the whole array: one by one, then
        forme = []
        for g in geometrie:
            try:
                forme.append(shapely.from_wkb(g, on_invalid="ignore"))
            except Exception:  # noqa: BLE001 - a curve or a damaged blob: nothing to read in it
                forme.append(None)
        forme = np.array(forme, dtype=object)
    return shapely.get_coordinates(forme[~shapely.is_missing(forme)])


def _crs_geopackage(con: sqlite3.Connection, srs_id: int):
    """The reference system a GeoPackage names ``srs_id`` (None: degrees of WGS 84, or unknown)."""
    if srs_id in (4326, 0, -1):
        return None
    try:
        riga = con.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                           "WHERE srs_id = ?", (srs_id,)).fetchone()
    except sqlite3.Error:
        riga = None
    if riga is None:
        return _crs(f"EPSG:{srs_id}")  # no table to say it: GeoPackages number systems by their EPSG code
    organizzazione, codice, definizione = riga
    if str(organizzazione).upper() == "EPSG" and isinstance(codice, int):
        crs = _crs(f"EPSG:{codice}")
        if crs is not None or codice == 4326:
            return crs
    return _crs(definizione) if isinstance(definizione, str) and definizione.strip() not in ("", "undefined") else None


def _leggi_sqlite(percorso: Path, nome: str, r: _Raccolta) -> None:
    """Every real table of a GeoPackage (views are not run): text cells, numbers by row, and the
    coordinates of the geometries (also in degrees, when a table is in another reference system),
    read with SQLite alone and nothing of the file trusted."""
    try:
        con = sqlite3.connect(f"{Path(percorso).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise MappeError(f"Il file {nome} non si riesce ad aprire come GeoPackage: forse è danneggiato o non è un "
                         "GeoPackage; esportarlo di nuovo e ricontrollarlo.")
    geometrie: dict[int, list[bytes]] = {}
    immagini: dict[str, int] = {}  # pictures kept in cells (tiles of a raster, attachments), by table
    trovate: dict[str, list] = {}
    try:
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("PRAGMA query_only = ON")
        con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, r.limite_mb * 1024 * 1024)  # no cell made to fill the memory
        tabelle = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for tabella in tabelle:
            try:
                cursore = con.execute('SELECT * FROM "' + tabella.replace('"', '""') + '"')
                for riga in cursore:
                    celle = []
                    for c in riga:
                        if isinstance(c, bytes):
                            wkb = _wkb(c)
                            if wkb is not None:
                                geometrie.setdefault(_srs_gp(c), []).append(wkb)
                            elif _immagine(c):
                                immagini[tabella] = immagini.get(tabella, 0) + 1
                                trovate.setdefault(tabella, []).append(r.immagine(f"{nome}:{tabella}", c))
                            elif c.startswith((b"PK\x03\x04", b"%PDF", b"SQLite format 3\x00")):
                                _leggi_membro(c, f"{nome}:{tabella}", r, 1)  # a file kept in a cell
                            else:
                                t = _testo_da_byte(c)
                                if t.count("\ufffd") * 20 < len(t):
                                    celle.append(t)
                        else:
                            celle.append(c)
                    _riga(r, celle)
            except sqlite3.Error:
                continue  # a virtual table of a module this SQLite lacks, a damaged page
        for tabella, quante in immagini.items():
            quali = "un'immagine" if quante == 1 else f"{quante} immagini"
            r.non_letto(f"{nome}:{tabella}", f"contiene {quali}: quello che mostrano non si può leggere, quindi non si "
                                             "può controllare; guardarle prima di diffondere il file",
                        trovate.get(tabella, ()))
        for srs_id, blob in geometrie.items():
            xy = _coordinate_wkb(blob)
            r.coppie(xy)
            crs = _crs_geopackage(con, srs_id)
            if crs is not None:
                r.coppie(_in_gradi(xy, crs))
    except sqlite3.DatabaseError:
        raise MappeError(
            f"Il file {nome} non si riesce a leggere come GeoPackage: forse è danneggiato o non è un "
            "GeoPackage; esportarlo di nuovo e ricontrollarlo."
        )
    finally:
        con.close()


def _leggi_vettori(sorgente: str, r: _Raccolta, nome: str = "") -> None:
    """A shapefile or a lone DBF table, through GDAL: every column and every coordinate (also in
    degrees, when a ``.prj`` names another reference system)."""
    import warnings

    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for strato, _ in pyogrio.list_layers(sorgente):
                df = pyogrio.read_dataframe(sorgente, layer=strato)
                if "geometry" in df.columns:
                    xy = shapely.get_coordinates(df.geometry.values[df.geometry.notna().values])
                    r.coppie(xy)
                    crs = _crs(df.crs.to_wkt()) if df.crs is not None else None
                    if crs is not None:
                        r.coppie(_in_gradi(xy, crs))
                    df = pd.DataFrame(df.drop(columns="geometry"))
                for riga in df.itertuples(index=False):
                    _riga(r, [None if isinstance(v, float) and np.isnan(v) else v for v in riga])
    except Exception:  # noqa: BLE001 - GDAL raises many kinds for a damaged file
        raise MappeError(
            f"Il file {nome or sorgente} non si riesce a leggere come shapefile o tabella DBF: "
            "forse è danneggiato o gli mancano dei file (.shp, .shx, .dbf insieme); esportarlo di nuovo e "
            "ricontrollarlo."
        )


def _in_una_cartella(file: dict[str, bytes], leggi) -> None:
    """Write ``file`` (name: bytes) in a temporary folder of their own and read them there."""
    with tempfile.TemporaryDirectory(prefix="mappe-verifica-") as cartella:
        for n, dati in file.items():
            (Path(cartella) / n).write_bytes(dati)
        leggi(Path(cartella))


_IMMAGINI = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
             (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"\xd7\xcd\xc6\x9a", "WMF"), (b"\x00\x00\x01\x00", "ICO"),
             (b"\xff\x0a", "JPEG XL"), (b"\x00\x00\x00\x0cJXL ", "JPEG XL"))


def _immagine(dati: bytes) -> str | None:
    """Which kind of picture these bytes are (None: not a picture)."""
    for magia, tipo in _IMMAGINI:
        if dati.startswith(magia):
            return tipo
    if dati[:4] == b"RIFF" and dati[8:12] == b"WEBP":
        return "WebP"
    if dati[4:8] == b"ftyp" and dati[8:12] in (b"heic", b"heix", b"hevc", b"mif1", b"msf1", b"avif", b"avis"):
        return "HEIC/AVIF"
    if dati[:2] == b"BM" and len(dati) > 26 and int.from_bytes(dati[2:6], "little") == len(dati):
        return "BMP"
    if dati[40:44] == b" EMF":
        return "EMF"
    return None


def _testi_immagine(dati: bytes, tipo: str) -> list[str]:
    """The texts a picture carries beside its pixels: PNG text chunks, JPEG comments, XMP and
    EXIF strings (an author, a caption, a place)."""
    testi: list[str] = []
    if tipo == "PNG":
        k = 8
        while k + 12 <= len(dati):
            lunghezza = int.from_bytes(dati[k:k + 4], "big")
            genere, corpo = dati[k + 4:k + 8], dati[k + 8:k + 8 + lunghezza]
            k += 12 + lunghezza
            try:
                if genere == b"tEXt":
                    testi.append(corpo.replace(b"\x00", b" ").decode("latin-1"))
                elif genere == b"zTXt":
                    chiave, _, resto = corpo.partition(b"\x00")
                    testi.append(chiave.decode("latin-1") + " " + zlib.decompressobj().decompress(resto[1:], 10_000_000)
                                 .decode("latin-1"))
                elif genere == b"iTXt":
                    chiave, _, resto = corpo.partition(b"\x00")
                    compresso, resto = resto[0], resto[2:]
                    _, _, resto = resto.partition(b"\x00")  # the language
                    tradotta, _, testo = resto.partition(b"\x00")
                    if compresso:
                        testo = zlib.decompressobj().decompress(testo, 10_000_000)
                    testi.append(b" ".join((chiave, tradotta, testo)).decode("utf-8", errors="replace"))
            except (zlib.error, IndexError):
                continue
    elif tipo == "JPEG":
        k = 2
        while k + 4 <= len(dati) and dati[k] == 0xFF:
            segnale, lunghezza = dati[k + 1], int.from_bytes(dati[k + 2:k + 4], "big")
            corpo = dati[k + 4:k + 2 + lunghezza]
            k += 2 + lunghezza
            if segnale == 0xDA:  # the pixels start here
                break
            if segnale == 0xFE:
                testi.append(_testo_da_byte(corpo))
            elif segnale == 0xE1 and corpo.startswith(b"Exif"):
                testi += [t.decode("latin-1") for t in re.findall(rb"[\x20-\x7e\xa0-\xff]{4,}", corpo)]
            elif segnale == 0xE1:
                testi.append(_testo_xml(_testo_da_byte(corpo)))
    return testi


def _formato(dati: bytes, nome: str) -> str:
    estensione = Path(nome).suffix.lower()
    if dati.startswith(b"%PDF"):
        return "pdf"
    if dati.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if dati.startswith(b"\xd0\xcf\x11\xe0"):
        return "foglio"
    if dati.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if estensione in (".xlsx", ".xlsm", ".ods"):
            return "foglio"
        try:
            with zipfile.ZipFile(io.BytesIO(dati)) as z:
                nomi = set(z.namelist())
                if "xl/workbook.xml" in nomi:
                    return "foglio"
                if "mimetype" in nomi and z.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return "foglio"
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
            pass
        return "zip"
    if _immagine(dati):
        return "immagine"
    if estensione in (".shp", ".shx") or dati[:4] == b"\x00\x00\x27\x0a":
        return "shp"
    if estensione == ".dbf":
        return "dbf"
    if _binario(dati):
        return "binario"
    if estensione in (".html", ".htm", ".xhtml", ".svg"):
        return "html"
    if estensione in (".kml",):
        return "kml"
    if estensione in (".geojson", ".json"):
        return "json"
    if estensione in (".csv", ".tsv"):
        return "csv"
    inizio = _testo_da_byte(dati[:2000]).lstrip().lower()
    if inizio.startswith(("<!doctype html", "<html", "<svg")):
        return "html"
    if inizio.startswith("<?xml") and "<kml" in inizio:
        return "kml"
    if inizio.startswith("<?xml") and "<svg" in inizio:
        return "html"
    if estensione in (".xml", ".gpx", ".rels", ".vml") or inizio.startswith("<?xml"):
        return "xml"
    if inizio.startswith(("{", "[")):
        return "json"
    return "testo"


def _leggi_byte(dati: bytes, nome: str, r: _Raccolta, percorso: Path | None = None, profondita: int = 0) -> str:
    formato = _formato(dati, nome)
    if formato == "pdf":
        _leggi_pdf(dati, nome, r)
    elif formato == "foglio":
        _leggi_foglio(dati, nome, r, profondita)
    elif formato == "gpkg":
        if percorso is not None:
            _leggi_sqlite(percorso, nome, r)
        else:
            _in_una_cartella({"file.gpkg": dati}, lambda c: _leggi_sqlite(c / "file.gpkg", nome, r))
    elif formato == "zip":
        if profondita >= PROFONDITA_ZIP:
            r.non_letto(nome, f"è un archivio dentro altri {profondita}: mappe non ne apre di più profondi, quindi "
                              "non si può controllare")
        else:
            _leggi_zip(dati, nome, r, profondita)
    elif formato in ("shp", "dbf"):
        if percorso is not None:
            _leggi_vettori(str(percorso), r, nome)
        else:
            file = "strato" + (Path(nome).suffix.lower() if Path(nome).suffix.lower() in (".shp", ".shx", ".dbf")
                               else ".shp" if formato == "shp" else ".dbf")
            _in_una_cartella({file: dati}, lambda c: _leggi_vettori(str(c / file), r, nome))
    elif formato == "immagine":
        tipo = _immagine(dati)
        immagine = r.immagine(nome, dati)
        for t in _testi_immagine(dati, tipo):
            r.testo(t)
        r.non_letto(nome, f"è un'immagine ({tipo}): quello che mostra non si può leggere, quindi non si può "
                          "controllare; guardarla prima di diffonderla", [immagine])
    elif formato == "binario":
        r.non_letto(nome, "non è un formato che mappe sa leggere (sono dati binari): non si può controllare")
    else:
        testo = _testo_da_byte(dati)
        if formato == "html":
            _leggi_html(testo, r, nome, profondita)
        else:
            {"kml": _leggi_kml, "json": _leggi_json, "csv": _leggi_csv,
             "xml": lambda t, rr: rr.testo(_testo_xml(t))}.get(formato, lambda t, rr: rr.testo(t))(testo, r)
    return formato


def _leggi_membro(dati: bytes, nome: str, r: _Raccolta, profondita: int) -> None:
    """A member of an archive (or bytes found inside a file): read for what it is; when it cannot
    be read, said among what was not checked (a limit that is passed refuses the whole file)."""
    try:
        _leggi_byte(dati, nome, r, None, profondita)
    except _OltreIlLimite:
        raise
    except MappeError as e:
        r.non_letti.append(str(e))


_SHAPEFILE = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def _leggi_zip(dati: bytes, nome: str, r: _Raccolta, profondita: int = 0) -> None:
    """An archive (a KMZ, a zip of exports, a zipped shapefile, a document): every member, whatever
    its name, read for what its bytes are; each shapefile whole, with the files beside it."""
    with _apri_zip(dati, nome) as z:
        _controlla_zip(z, nome, r)
        parti = [p for p in z.infolist() if not p.is_dir()]
        ufficio = _documento_office({p.filename for p in parti})
        per_nome = {p.filename.lower(): p for p in parti}
        letti: set[str] = set()
        for p in parti:
            base, estensione = p.filename[:-4], p.filename[-4:].lower()
            if estensione != ".shp":
                continue
            insieme = {e: per_nome[(base + e).lower()] for e in _SHAPEFILE if (base + e).lower() in per_nome}
            file = {}
            for e, info in insieme.items():
                contenuto = _estrai(z, info, dati, f"{nome}:{info.filename}", r)
                letti.add(info.filename)
                if contenuto is not None:
                    file["strato" + e] = contenuto
            if "strato.shp" in file:
                _in_una_cartella(file, lambda c, n=f"{nome}:{p.filename}": _leggi_membro_vettori(c, n, r))
        for p in parti:
            n = p.filename
            if n in letti or (ufficio and n.lower() in _MINIATURE):
                continue  # a document's thumbnail: the picture of its first page, whose words are read
            contenuto = _estrai(z, p, dati, f"{nome}:{n}", r)
            if contenuto is None:
                continue
            if n.startswith("__MACOSX/") and contenuto.startswith(b"\x00\x05\x16\x07"):
                continue  # what a Mac keeps of a file's attributes (AppleDouble), not a file
            _leggi_membro(contenuto, f"{nome}:{n}", r, profondita + 1)
        _fuori_dai_membri(z, dati, nome, r, profondita)


def _leggi_membro_vettori(cartella: Path, nome: str, r: _Raccolta) -> None:
    try:
        _leggi_vettori(str(cartella / "strato.shp"), r, nome)
    except MappeError as e:
        r.non_letti.append(str(e))


def leggi_contenuto(percorso: Path | str, nome: str | None = None, limite_mb: int = LIMITE_MB) -> Contenuto:
    """Read any file mappe writes or reads as text and numbers (see :class:`Contenuto`).

    The format comes from the file's first bytes (PDF, SQLite, zip, OLE) and then from its
    extension, so a temporary file or a renamed one is read for what it is. Nothing in the file
    is run or trusted: a GeoPackage is read table by table with SQLite (views are not queried),
    zips are measured before they are opened (:data:`LIMITE_MB`).

    Parameters
    ----------
    percorso : path
        The file.
    nome : str, optional
        How messages name the file (default: ``percorso``).
    limite_mb : int
        The most a compressed file (XLSX, ODS, zip) may hold once expanded.

    Raises
    ------
    MappeError
        When the file cannot be read; the message says which file and what to do.
    """
    percorso = Path(percorso)
    nome = nome or str(percorso)
    try:
        dati = percorso.read_bytes()
    except OSError as e:
        motivo = {2: "non esiste", 13: "non c'è il permesso di leggerlo", 21: "è una cartella"}.get(e.errno,
                                                                                             "errore del sistema")
        raise MappeError(f"Il file {nome} non si riesce a leggere ({motivo}): controllare il percorso e i permessi.")
    r = _Raccolta(limite_mb)
    formato = _leggi_byte(dati, nome, r, percorso)
    return r.contenuto(formato)


