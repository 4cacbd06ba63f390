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
written apart are seen together.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .errori import MappeError

__all__ = ["DECIMALI_MIN", "LIMITE_MB", "Contenuto", "decimali", "leggi_contenuto", "numeri_nel_testo"]

DECIMALI_MIN = 4  # a written position counts from 4 decimals (about 10 m) on, rounded or cut there
LIMITE_MB = 200  # uncompressed content of a zip (XLSX, ODS, KMZ, zips of files)


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
    """

    testo: str
    valori: np.ndarray
    decimali: np.ndarray
    gruppi: np.ndarray
    formato: str


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

    def testo(self, t: str | None) -> None:
        if t:
            self.testi.append(t)

    def gruppo(self, valori: list[float], decimali: list[int]) -> None:
        """Numbers that belong together (a row); a decimal count of -1 is computed from the value."""
        if len(valori) < 2:
            return
        self._v += valori
        self._d += decimali
        self._g += [self._prossimo] * len(valori)
        self._prossimo += 1

    def coppie(self, xy: np.ndarray) -> None:
        """Coordinates, one group per point."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            return
        g = np.repeat(np.arange(self._prossimo, self._prossimo + len(xy)), 2)
        self._prossimo += len(xy)
        v = xy.ravel()
        self._array.append((v, decimali(v), g))

    def contenuto(self, formato: str) -> Contenuto:
        v = np.asarray(self._v, dtype=float)
        d = np.asarray(self._d, dtype=np.int64)
        da_calcolare = d < 0
        d[da_calcolare] = decimali(v[da_calcolare])
        parti = [(v, d, np.asarray(self._g, dtype=np.int64)), *self._array]
        return Contenuto("\n".join(self.testi), np.concatenate([x[0] for x in parti]),
                         np.concatenate([x[1] for x in parti]).astype(np.int64),
                         np.concatenate([x[2] for x in parti]).astype(np.int64), formato)


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


def _riga(r: _Raccolta, celle) -> None:
    """A row of a table: its texts, and its numbers as one group (positions sit in two cells)."""
    testi, valori, decimali = [], [], []
    for c in celle:
        if c is None or isinstance(c, bool):
            continue
        if isinstance(c, (int, float, np.integer, np.floating)):
            valori.append(float(c))
            decimali.append(-1)
            continue
        t = c if isinstance(c, str) else str(c)
        if t:
            testi.append(t)
            if "." in t or "," in t:
                v, d, _ = numeri_nel_testo(t)
                valori += v
                decimali += d
    if testi:
        r.testo(" ; ".join(testi))
    r.gruppo(valori, decimali)


# --------------------------------------------------------------------------------------------
# Readers, one per format


_BOM = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_TAG = re.compile(r"<[^<>]*>")
_SCRIPT_STILE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(r"data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+")


def _testo_da_byte(dati: bytes) -> str:
    """Bytes as text, in any encoding mappe reads (UTF-8 with or without BOM, UTF-16, Windows-1252)."""
    for bom, codifica in _BOM:
        if dati.startswith(bom):
            return dati[len(bom):].decode(codifica, errors="replace")
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

    testi = [risorse.leaflet_js(), risorse.markercluster_js(), risorse.leaflet_css(), risorse.markercluster_css()]
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
        raise MappeError(
            f"I dati compressi della pagina {nome} superano il limite di {limite_mb} MB: controllarla dopo "
            "averla rifatta con mappe, oppure alzare il limite con --limite-mb se il file è fidato."
        )
    return dati.decode("utf-8", errors="replace"), m.end(), fine


def _leggi_html(testo: str, r: _Raccolta, nome: str = "") -> None:
    from .rendi.mappa import posizioni_pubblicate

    # The data block of a page made by mappe: opened (it may be gzip + base64) and decoded.
    blocco, inizio, fine = _blocco_dati(testo, nome, r.limite_mb)
    if blocco is not None:
        try:
            r.coppie(np.array(sorted(posizioni_pubblicate(json.loads(blocco)))))
        except Exception:  # noqa: BLE001, S110 - a block made by hand: its text is searched all the same
            pass
    if fine > inizio and blocco is not None and blocco != testo[inizio:fine]:
        testo = testo[:inizio] + testo[fine:]  # the base64 goes, its content is searched instead
        r.testo(blocco)
    for risorsa in _risorse_di_mappe():
        if risorsa in testo:
            testo = testo.replace(risorsa, " ")
    testo = _DATA_URI.sub(" ", testo)
    r.testo(testo)
    # What a reader sees: the words between the tags, whatever the tags around them.
    r.testo(_senza_tag(_SCRIPT_STILE.sub(" ", testo)))


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


def _controlla_zip(z: zipfile.ZipFile, nome: str, limite_mb: int) -> None:
    """Measure a zip before opening it: a few compressed MB can expand to gigabytes."""
    totale = sum(i.file_size for i in z.infolist())
    if totale > limite_mb * 1024 * 1024:
        raise MappeError(
            f"Il file {nome} contiene {totale // (1024 * 1024)} MB di dati compressi, oltre il limite di {limite_mb} MB: "
            "dividerlo in file più piccoli, oppure alzare il limite con --limite-mb se il file è fidato."
        )


_DATI_FOGLIO = re.compile(r"<sheetData\b.*?</sheetData>", re.DOTALL)


def _leggi_foglio(dati: bytes, nome: str, r: _Raccolta) -> None:
    """XLSX, XLSM, ODS and XLS: every cell of every sheet, and (zips) every XML part: comments,
    document properties and all that a spreadsheet program keeps beside the cells."""
    import python_calamine

    if dati.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(dati)) as z:
            _controlla_zip(z, nome, r.limite_mb)
            for parte in z.infolist():
                n = parte.filename.lower()
                if not n.endswith((".xml", ".rels")) or n.endswith("sharedstrings.xml"):
                    continue  # the cells are read below
                xml = _testo_da_byte(z.read(parte))
                if n.startswith("xl/worksheets/"):
                    xml = _DATI_FOGLIO.sub(" ", xml)  # what is around the cells: headers, footers...
                r.testo(_testo_xml(xml))
    try:
        libro = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(dati))
        for foglio in libro.sheet_names:
            for riga in libro.get_sheet_by_name(foglio).to_python(skip_empty_area=False):
                _riga(r, riga)
    except Exception as e:  # noqa: BLE001 - calamine raises many kinds for a damaged file
        if not dati.startswith(b"PK"):
            raise MappeError(
                f"Il file {nome} non si riesce a leggere come foglio di calcolo ({type(e).__name__}): "
                "aprirlo e salvarlo di nuovo come .xlsx o .ods, poi ricontrollarlo."
            )


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
        for pagina in pdf.pages:
            r.testo(pagina.extract_text() or "")
            for annotazione in pagina.get("/Annots") or []:
                a = annotazione.get_object()
                for campo in ("/Contents", "/T", "/TU", "/V"):
                    if isinstance(a.get(campo), str):
                        r.testo(a[campo])
    except MappeError:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        raise MappeError(
            f"Il file {nome} non si riesce a leggere come PDF ({type(e).__name__}): forse è danneggiato; "
            "esportarlo di nuovo e ricontrollarlo."
        )


def _wkb(blob: bytes) -> bytes | None:
    """The WKB inside a GeoPackage geometry (after its header); None for any other blob."""
    if blob[:2] == b"GP" and len(blob) >= 8:
        busta = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((blob[3] >> 1) & 0x07)
        return None if busta is None else blob[8 + busta:]
    return None


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


def _leggi_sqlite(percorso: Path, nome: str, r: _Raccolta) -> None:
    """Every real table of a GeoPackage (views are not run): text cells, numbers by row, and the
    coordinates of the geometries, read with SQLite alone and nothing of the file trusted."""
    try:
        con = sqlite3.connect(f"{Path(percorso).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise MappeError(f"Il file {nome} non si riesce ad aprire come GeoPackage ({e}).")
    geometrie: list[bytes] = []
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
                                geometrie.append(wkb)
                            else:
                                t = c.decode("utf-8", errors="replace")
                                if t.count("\ufffd") * 20 < len(t):
                                    celle.append(t)
                        else:
                            celle.append(c)
                    _riga(r, celle)
            except sqlite3.Error:
                continue  # a virtual table of a module this SQLite lacks, a damaged page
    except sqlite3.DatabaseError as e:
        raise MappeError(
            f"Il file {nome} non si riesce a leggere come GeoPackage ({e}): forse è danneggiato o non è un "
            "GeoPackage; esportarlo di nuovo e ricontrollarlo."
        )
    finally:
        con.close()
    if geometrie:
        r.coppie(_coordinate_wkb(geometrie))


def _leggi_vettori(sorgente: str, r: _Raccolta) -> None:
    """A shapefile (also inside a zip), through GDAL: every column and every coordinate."""
    import warnings

    import pyogrio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for strato, _ in pyogrio.list_layers(sorgente):
            df = pyogrio.read_dataframe(sorgente, layer=strato)
            if "geometry" in df.columns:
                r.coppie(shapely.get_coordinates(df.geometry.values[df.geometry.notna().values]))
                df = pd.DataFrame(df.drop(columns="geometry"))
            for riga in df.itertuples(index=False):
                _riga(r, [None if isinstance(v, float) and np.isnan(v) else v for v in riga])


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
        except zipfile.BadZipFile:
            return "testo"
        return "zip"
    if estensione == ".shp" or dati[:4] == b"\x00\x00\x27\x0a":
        return "shp"
    if estensione in (".html", ".htm", ".xhtml", ".svg"):
        return "html"
    if estensione in (".kml",):
        return "kml"
    if estensione in (".geojson", ".json"):
        return "json"
    if estensione in (".csv", ".tsv"):
        return "csv"
    inizio = _testo_da_byte(dati[:2000]).lstrip().lower()
    if inizio.startswith(("<!doctype html", "<html")):
        return "html"
    if inizio.startswith("<?xml") and "<kml" in inizio:
        return "kml"
    if estensione in (".xml", ".gpx") or inizio.startswith("<?xml"):
        return "xml"
    if inizio.startswith(("{", "[")):
        return "json"
    return "testo"


_LEGGIBILI_IN_ZIP = (".html", ".htm", ".kml", ".geojson", ".json", ".csv", ".tsv", ".txt", ".md", ".xml", ".pdf",
                     ".xlsx", ".xlsm", ".ods", ".xls", ".gpkg")


def _leggi_byte(dati: bytes, nome: str, r: _Raccolta, percorso: Path | None = None, dentro_zip: bool = False) -> str:
    formato = _formato(dati, nome)
    if formato == "pdf":
        _leggi_pdf(dati, nome, r)
    elif formato == "foglio":
        _leggi_foglio(dati, nome, r)
    elif formato == "gpkg":
        if percorso is not None:
            _leggi_sqlite(percorso, nome, r)
        else:
            with tempfile.TemporaryDirectory(prefix="mappe-verifica-") as cartella:
                tmp = Path(cartella) / "file.gpkg"
                tmp.write_bytes(dati)
                _leggi_sqlite(tmp, nome, r)
    elif formato == "shp":
        _leggi_vettori(str(percorso), r)
    elif formato == "zip" and not dentro_zip:
        _leggi_zip(dati, nome, r, percorso)
    else:
        testo = _testo_da_byte(dati)
        if formato == "html":
            _leggi_html(testo, r, nome)
        else:
            {"kml": _leggi_kml, "json": _leggi_json, "csv": _leggi_csv,
             "xml": lambda t, rr: rr.testo(_testo_xml(t))}.get(formato, lambda t, rr: rr.testo(t))(testo, r)
    return formato


def _leggi_zip(dati: bytes, nome: str, r: _Raccolta, percorso: Path | None) -> None:
    """A zip (a KMZ, an archive of exports, a zipped shapefile): every member mappe can read."""
    try:
        z = zipfile.ZipFile(io.BytesIO(dati))
    except zipfile.BadZipFile:
        r.testo(_testo_da_byte(dati))
        return
    with z:
        _controlla_zip(z, nome, r.limite_mb)
        shp = [n for n in z.namelist() if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
        for parte in z.infolist():
            n = parte.filename
            if parte.is_dir() or n.startswith("__MACOSX") or not n.lower().endswith(_LEGGIBILI_IN_ZIP):
                continue
            _leggi_byte(z.read(parte), f"{nome}:{n}", r, dentro_zip=True)
    if shp and percorso is not None:
        for n in shp:
            _leggi_vettori(f"/vsizip/{Path(percorso).resolve()}/{n}", r)


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
        raise MappeError(f"Il file {nome} non si riesce a leggere ({e.strerror}): controllare il percorso e i permessi.")
    r = _Raccolta(limite_mb)
    formato = _leggi_byte(dati, nome, r, percorso)
    return r.contenuto(formato)


