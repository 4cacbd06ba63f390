"""Whether a file gives a person away: every format mappe writes or reads, and a loose search.

``mappe verifica-privacy`` reads a file of any kind mappe writes or reads (HTML maps and
exhibitions, CSV, XLSX, ODS, GeoJSON/JSON, GeoPackage, KML, Markdown and plain text, PDF,
shapefiles and zips of them) as text and numbers, without trusting it, and looks in it for the
private values of the workspace's stores:

- **persone**: the values of person fields (``autore``, ``referente``, ``facilitatori`` and any
  field with ``persona = true``), each name of a list on its own, names of three letters as
  whole words, and the phone numbers they hold;
- **campi privati**: the values of the other private fields (notes);
- **testi riservati**: the free texts of reserved rows, of rows said without consent and of
  visitors' comments not approved;
- **posizioni**: the true positions of ``sensibile`` rows.

The search is loose, because a value can be written in disguise: both the file and the
secrets are brought to one form (:func:`normalizza`: JSON escapes, HTML entities and
URL-encoding decoded, letter case and accents dropped, every kind of space made one space),
then texts of 30 characters or more are found by any 30-character stretch, shorter ones as
runs of whole words, phone numbers by their digits, and positions as two numbers near each
other, in either order, with 4 or more decimals (or exactly the stored value). What a public
field of the same data already says (a reserved text repeating a public one) is not reported,
nor are catalogue labels and names of comuni where the file shows them whole: the maps,
exhibitions and public exports mappe makes are clean.

Speed: a page of 100,000 contributions holds millions of characters, a workspace tens of
thousands of secrets. Every 30-character stretch of the file is hashed at once (numpy, in
slices of :data:`FETTA` characters); a bit filter of the secrets' stretches lets through the
few that may be secret, which are looked up in the sorted hashes and confirmed by comparing the
text. Runs of words are hashed the same way; positions go through an R-tree.

The self-checks of public files stay strict and literal (:func:`controlla_file`): the rules of
:func:`mappe.pubblico.verifica`, applied to the text of every format, made fast for large pages
by :func:`contenuti`.
"""

from __future__ import annotations

import html
import itertools
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .contenuto import (
    DECIMALI_MIN,
    Contenuto,
    _wkb,
    decimali,
    leggi_contenuto,
    numeri_nel_testo,
)
from .testo import quanti

__all__ = [
    "FINESTRA", "Indice", "Reperto", "Segreto", "contenuti", "controlla_file", "normalizza", "normalizza_tutti",
]

FINESTRA = 30  # characters: any stretch this long of a reserved text gives it away
BIT_FILTRO = 27  # a filter has at most 2**27 bits (16 MB): it lets through its hashes and ~1-3% of others
FETTA = 4_000_000  # characters searched at once (bounded memory on files of tens of MB)
SOVRAPPOSIZIONE = 400  # characters each piece repeats of the one before (nothing is cut in two)
MIN_CARATTERI = 4  # shorter private values are not searched (a name: 3 letters, as a whole word)
MIN_NOME = 3
MIN_CIFRE_TELEFONO = 8
PAROLE_IN_MEZZO = 2  # other words there may be among the words of a name written in another order
DISTANZA_COPPIA = 80  # characters at most between the two numbers of a written position
METRI = 2.0  # a position written with 5 decimals or more is the true one when it is this near

PERSONA = "persona"
PRIVATO = "privato"
RISERVATO = "riservato"
POSIZIONE = "posizione"
FOTO = "foto"
ETICHETTE = {
    PERSONA: "nome o recapito di una persona",
    PRIVATO: "campo privato",
    RISERVATO: "testo riservato",
    POSIZIONE: "posizione vera di un contributo sensibile",
    FOTO: "foto non pubblica (di una riga riservata, senza consenso o con foto_pubblica = no)",
}


# --------------------------------------------------------------------------------------------
# One form for every way of writing a text


_JSON_ESC = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')
_JSON_SEMPLICI = {'"': '"', "\\": "\\", "/": "/", "b": " ", "f": " ", "n": "\n", "r": "\n", "t": "\t"}
# combining accents, soft hyphen, zero-width and bidirectional marks: invisible, so dropped
_INVISIBILI = re.compile("[\u0300-\u036f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_UNIFORMI = re.compile("[\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc`\u201c\u201d\u201e\u00ab\u00bb"
                       "\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_UNIFORME = {**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u02bc`", "'"),
             **dict.fromkeys("\u201c\u201d\u201e\u00ab\u00bb", '"'),
             **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-")}
_PAROLA = re.compile(r"\w+")


def _da_json(testo: str) -> str:
    surrogati = False

    def uno(m: re.Match) -> str:
        nonlocal surrogati
        g = m.group(1)
        if g[0] != "u":
            return _JSON_SEMPLICI[g]
        c = int(g[1:], 16)
        surrogati = surrogati or 0xD800 <= c <= 0xDFFF
        return chr(c)

    testo = _JSON_ESC.sub(uno, testo)
    if surrogati:  # characters beyond U+FFFF travel as two escapes: join them
        testo = testo.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return testo


_ESADECIMALI = frozenset("0123456789abcdefABCDEF")


def _da_url(testo: str) -> str:
    """``%XX`` sequences decoded (as UTF-8, else Windows-1252); a lone ``%`` stays."""
    parti = testo.split("%")
    out, byte = [parti[0]], bytearray()

    def svuota() -> None:
        if byte:
            try:
                out.append(byte.decode("utf-8"))
            except UnicodeDecodeError:
                out.append(byte.decode("cp1252", errors="replace"))
            byte.clear()

    for parte in parti[1:]:
        if len(parte) >= 2 and parte[0] in _ESADECIMALI and parte[1] in _ESADECIMALI:
            byte.append(int(parte[:2], 16))
            if len(parte) > 2:
                svuota()
                out.append(parte[2:])
        else:
            svuota()
            out.append("%" + parte)
    svuota()
    return "".join(out)


def normalizza(testo: str) -> str:
    """The one form in which a file and the secrets are compared.

    JSON escapes (``\\u00e0``, ``\\"``), HTML entities (``&#39;``, ``&agrave;``, also escaped
    twice) and URL-encoding (``%20``, ``+``) are decoded; letter case, accents and invisible
    characters go; typographic quotes and dashes become plain ones; any run of spaces (NBSP,
    line breaks, tabs) becomes one space.

    Examples
    --------
    >>> normalizza("Nicol&ograve;\\u00a0 ROSSI%20e+figli")
    'nicolo rossi e figli'
    """
    if "\\" in testo:
        testo = _da_json(testo)
    for _ in range(2):
        if "&" in testo:
            testo = html.unescape(testo)
    if "+" in testo:
        testo = testo.replace("+", " ")
    if "%" in testo:
        testo = _da_url(testo)
    testo = testo.casefold()
    if not testo.isascii():
        testo = _INVISIBILI.sub("", unicodedata.normalize("NFKD", testo))
        testo = _UNIFORMI.sub(lambda m: _UNIFORME[m.group(0)], testo)
    return " ".join(testo.split())


def normalizza_tutti(testi: list[str]) -> list[str]:
    """:func:`normalizza` of many short texts at once (one pass instead of one call each)."""
    if not testi:
        return []
    parti = normalizza("\n\x00\n".join(t.replace("\x00", " ") for t in testi)).split("\x00")
    if len(parti) != len(testi):  # a decoding joined two texts: one by one, then
        return [normalizza(t) for t in testi]
    return [p.strip() for p in parti]


# --------------------------------------------------------------------------------------------
# Hashes of stretches of text and of runs of words (vectorised: pages hold millions of them)


_B = np.uint64(0x100000001B3)


def _codici(testo: str) -> np.ndarray:
    return np.frombuffer(testo.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _hash_finestre(codici: np.ndarray, w: int) -> np.ndarray:
    """A hash of every stretch of ``w`` items (characters or words)."""
    n = len(codici) - w + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = codici[:n].astype(np.uint64)
    for k in range(1, w):
        h *= _B
        h += codici[k:k + n]
    return h


def _hash_parole(parole: list[str]) -> np.ndarray:
    return np.fromiter(map(hash, parole), dtype=np.int64, count=len(parole)).view(np.uint64)


class _Filtro:
    """A set of hashes that answers "maybe" for its members and for about 1% of the rest, for
    millions of hashes at once (the exact answer comes after, on the few that pass)."""

    def __init__(self, hashes: np.ndarray):
        # about 32 bits per hash, so that a small filter stays in the processor's cache
        self._n = min(BIT_FILTRO, max(16, int(len(hashes) * 32).bit_length()))
        self._bit = np.zeros(1 << (self._n - 3), dtype=np.uint8)
        i = _unici((hashes >> np.uint64(64 - self._n)).astype(np.int64))
        if len(i):
            byte = i >> 3
            inizi = np.flatnonzero(np.diff(byte, prepend=-1))
            self._bit[byte[inizi]] = np.bitwise_or.reduceat((1 << (i & 7)).astype(np.uint8), inizi)

    def forse(self, hashes: np.ndarray) -> np.ndarray:
        i = (hashes >> np.uint64(64 - self._n)).astype(np.int64)
        return (self._bit[i >> 3] >> (i & 7).astype(np.uint8)) & 1 == 1


def _finestre_a_fette(codici: np.ndarray, w: int):
    """(start, hashes of the windows starting there) for every slice of a long text."""
    for da in range(0, max(len(codici) - w + 1, 0), FETTA):
        yield da, _hash_finestre(codici[da:da + FETTA + w - 1], w)


_MASCHERA = (1 << 64) - 1
_PREFISSI = (4, 8, 16)  # every text is looked for by its first 4, 8 or 16 characters, hashed


def _hash_testo(testo: str) -> int:
    """The same hash as :func:`_hash_finestre` gives a window holding ``testo``."""
    h = 0
    for c in testo:
        h = (h * int(_B) + ord(c)) & _MASCHERA
    return h


def contenuti(testo: str, cercati: list[str]) -> list[bool]:
    """Which of ``cercati`` occur in ``testo``, exactly as ``c in testo`` says, also for tens of
    thousands of texts in a text of millions of characters.

    Each text is looked up first by a hash of its first characters (4, 8 or 16, by its length)
    among the hashes of every window of ``testo``; only those found are confirmed with ``in``.
    """
    if len(cercati) * len(testo) <= 50_000_000:
        return [c in testo for c in cercati]
    risposta = [False] * len(cercati)
    codici = _codici(testo)
    for k, lunghezza in enumerate(_PREFISSI):
        fino = _PREFISSI[k + 1] if k + 1 < len(_PREFISSI) else None
        gruppo = [i for i, c in enumerate(cercati) if len(c) >= lunghezza and (fino is None or len(c) < fino)]
        if not gruppo:
            continue
        prefissi = np.array([_hash_testo(cercati[i][:lunghezza]) for i in gruppo], dtype=np.uint64)
        ordinati = _unici(prefissi)
        filtro = _Filtro(ordinati)
        visti = np.zeros(len(ordinati), dtype=bool)
        for _, h in _finestre_a_fette(codici, lunghezza):
            presenti, dove = _cerca_ordinati(ordinati, h[filtro.forse(h)])
            visti[dove[presenti]] = True
        trovati = _cerca_ordinati(ordinati[visti], prefissi)[0]
        for i, forse in zip(gruppo, trovati.tolist()):
            risposta[i] = forse and cercati[i] in testo
    for i, c in enumerate(cercati):
        if len(c) < _PREFISSI[0]:
            risposta[i] = c in testo
    return risposta


def _unici(valori: np.ndarray) -> np.ndarray:
    """Sorted distinct values (numpy's own unique is slow on hashes)."""
    v = np.sort(valori)
    return v[np.concatenate(([True], v[1:] != v[:-1]))] if len(v) else v


def _cerca_ordinati(ordinati: np.ndarray, valori: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``valori`` are in the sorted array ``ordinati``, and where."""
    if not len(ordinati) or not len(valori):
        return np.zeros(len(valori), dtype=bool), np.zeros(len(valori), dtype=np.int64)
    i = np.searchsorted(ordinati, valori)
    np.minimum(i, len(ordinati) - 1, out=i)
    return ordinati[i] == valori, i


# --------------------------------------------------------------------------------------------
# The secrets of a workspace, and the search


@dataclass(frozen=True)
class Segreto:
    """A private value of the data: what it is, of which kind, from where.

    ``tipo`` is one of ``persona``, ``privato``, ``riservato``, ``posizione``; ``origine`` says
    the comune and the field (``Orbassano, contributi.autore``).
    """

    valore: str
    tipo: str
    origine: str


@dataclass(frozen=True)
class Reperto:
    """A private value found in a file, with a short excerpt of the file around it."""

    segreto: Segreto
    estratto: str

    @property
    def etichetta(self) -> str:
        """The kind of value, in Italian."""
        return ETICHETTE[self.segreto.tipo]

    def descrizione(self) -> str:
        """One line for the terminal: the kind, where the value comes from, the value, the excerpt."""
        from .testo import riga_terminale

        valore = self.segreto.valore
        valore = valore if len(valore) <= 60 else valore[:59] + "…"
        return riga_terminale(f"{self.etichetta} ({self.segreto.origine}): «{valore}», nel file: «{self.estratto}»")


_TELEFONO_TIPO = "telefono"  # a phone number inside a person field (reported as a person)
_TELEFONO = re.compile(r"(?<![\d])(?:\+|00)?\d[\d .\-/]{5,}\d(?![\d])")
# words that sit beside a name in a contact, and are no one's name
_NON_NOMI = frozenset({"tel", "tel.", "telefono", "cell", "cellulare", "mob", "email", "e-mail", "mail", "sig",
                       "sig.ra", "sigra", "signor", "signora", "dott", "dott.ssa", "dr", "prof", "n", "nr", "presso"})
_SEPARATORI_ELENCO = re.compile(r"[|;,/\n]+")


def _cifre_telefono(testo: str) -> str:
    cifre = re.sub(r"\D", "", testo)
    if cifre.startswith("0039"):
        cifre = cifre[4:]
    elif cifre.startswith("39") and len(cifre) >= 11:
        cifre = cifre[2:]
    return cifre


def _lettera(c: str) -> bool:
    return c.isalnum() or c == "_"


def _pezzi(testo: str):
    """``testo`` in pieces of about :data:`FETTA` characters, cut where there is a space."""
    inizio = 0
    while inizio < len(testo):
        fine = inizio + FETTA
        if fine < len(testo):
            taglio = max(testo.rfind("\n", inizio + FETTA // 2, fine), testo.rfind(" ", inizio + FETTA // 2, fine))
            fine = taglio + 1 if taglio > 0 else fine
        yield testo[inizio:fine]
        inizio = fine


def _chiave_coppia(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One hash for two words' hashes, whatever their order."""
    return np.minimum(a, b) * np.uint64(0x9E3779B97F4A7C15) + np.maximum(a, b)


def _posti_delle_parole(testo: str, indici: set[int]) -> dict[int, tuple[int, int]]:
    """Where some words (by their index among the text's words) are in the text."""
    cercati = sorted(indici)
    posti, k = {}, 0
    for indice, m in enumerate(_PAROLA.finditer(testo)):
        if indice == cercati[k]:
            posti[indice] = m.span()
            k += 1
            if k == len(cercati):
                break
    return posti


def _estratto(testo: str, inizio: int, fine: int) -> str:
    a, b = max(0, inizio - 25), min(len(testo), fine + 25)
    return ("…" if a else "") + testo[a:b] + ("…" if b < len(testo) else "")


class Indice:
    """The private values of some stores, prepared for a fast loose search in many files.

    Build it with :meth:`da_archivi`, then :meth:`cerca` in a :class:`Contenuto`. What the
    public data hold (public fields of public rows) is exempt wherever it appears; fixed texts
    (catalogue labels, names of comuni, the pages' own words) are exempt where the file shows
    them whole; a written position is exempt when a public point is at least as near.
    """

    def __init__(self, segreti: list[Segreto], pubblici: list[str], fissi: list[str],
                 coordinate_pubbliche: np.ndarray, sensibili: list[tuple] = (), chiave: bytes = b""):
        self.segreti: list[Segreto] = []
        # photos that must not leave the store: (index in segreti, their bytes, fingerprints); and the
        # thumbnails a public page may hold (see _prepara_foto)
        self._foto: list[tuple[int, set[bytes], list[int]]] = []
        self._foto_pubbliche: set[bytes] = set()
        self._pubblici = pubblici
        self._pubblico_norm: str | None = None
        self._ngrammi_pubblici: dict[int, np.ndarray] = {}
        self._parole_pubbliche: np.ndarray | None = None
        # fixed texts hold common words and saints' names ("Sant'Anna"): only whole ones count
        self._fissi: dict[str, list[tuple[tuple, int]]] = {}
        fissi = normalizza_tutti(fissi)
        self._fissi_norm = "\n".join(fissi)  # a stretch of 30 characters of these is no secret
        for frase in {tuple(_PAROLA.findall(t)) for t in fissi}:
            for o, parola in enumerate(frase):
                self._fissi.setdefault(parola, []).append((frase, o))
        visti: set[str] = set()
        lunghi: list[tuple[str, int]] = []
        corti: dict[int, dict[tuple, int]] = {}
        self._telefoni: dict[str, int] = {}
        posizioni: list[tuple[float, float, int]] = []
        testuali = [s for s in segreti if s.tipo != POSIZIONE]
        for s, norm in zip(testuali, normalizza_tutti([s.valore for s in testuali])):
            chiave_vista = ("tel:" if s.tipo == _TELEFONO_TIPO else "") + norm
            if not norm or chiave_vista in visti:
                continue
            if s.tipo == _TELEFONO_TIPO:
                cifre = _cifre_telefono(s.valore)
                if len(cifre) >= MIN_CIFRE_TELEFONO and cifre not in self._telefoni:
                    visti.add(chiave_vista)
                    self.segreti.append(Segreto(s.valore, PERSONA, s.origine))
                    self._telefoni[cifre] = len(self.segreti) - 1
                continue
            parole = tuple(_PAROLA.findall(norm))
            if not parole or sum(map(len, parole)) < (MIN_NOME if s.tipo == PERSONA else MIN_CARATTERI):
                continue
            if len(norm) < FINESTRA and parole in corti.get(len(parole), {}):
                continue
            visti.add(chiave_vista)
            self.segreti.append(s)
            if len(norm) >= FINESTRA:
                lunghi.append((norm, len(self.segreti) - 1))
            else:
                corti.setdefault(len(parole), {})[parole] = len(self.segreti) - 1
        for s in segreti:
            if s.tipo == POSIZIONE:
                x, y = (float(v) for v in s.valore.split())
                self.segreti.append(Segreto(f"{y:.5f}, {x:.5f}", POSIZIONE, s.origine))
                posizioni.append((x, y, len(self.segreti) - 1))
        self._indicizza_lunghi(lunghi)
        # shorter texts and names: runs of whole words, hashed
        self._ngrammi: dict[int, tuple[np.ndarray, list[tuple], list[int]]] = {}
        for n, voci in corti.items():
            chiavi = list(voci)
            # the hash of each run, as _hash_finestre gives it, for all the runs of n words at once
            parole = _hash_parole([w for k in chiavi for w in k]).reshape(-1, n)
            hh = parole[:, 0].copy()
            for k in range(1, n):
                hh *= _B
                hh += parole[:, k]
            ordine = np.argsort(hh, kind="stable")
            self._ngrammi[n] = (hh[ordine], [chiavi[i] for i in ordine], [voci[chiavi[i]] for i in ordine])
        self._indicizza_nomi(corti)
        # true positions, and the public ones
        p = np.array(posizioni, dtype=float).reshape(-1, 3)
        self._pos = p
        self._albero = shapely.STRtree(shapely.points(p[:, :2])) if len(p) else None
        self._componenti = np.unique(np.concatenate([p[:, 0], p[:, 1]])) if len(p) else np.empty(0)
        # a metre in degrees of longitude where it is longest (the secret farthest from the equator)
        lat_max = float(np.abs(p[:, 1]).max()) if len(p) else 0.0
        self._gradi_metro_x = _GRADI_METRO / max(np.cos(np.radians(min(lat_max, 89.0))), 0.01)
        # true coordinates with few decimals (7.53) count only written exactly so
        self._esatti = frozenset(abs(v) for v in self._componenti[decimali(self._componenti) < DECIMALI_MIN].tolist())
        c = np.asarray(coordinate_pubbliche, dtype=float).reshape(-1, 2)
        self._albero_pubblico = shapely.STRtree(shapely.points(c)) if len(c) else None
        # where the public outputs show the sensitive rows: computed only near a position found
        self._sensibili = [(s[0], s[1], s[2] if len(s) > 2 else None) for s in sensibili if len(s[0])]
        self._chiave = chiave
        veri = [shapely.get_coordinates(shapely.centroid(s[0].geometry.values)) for s in self._sensibili]
        self._albero_sensibili = shapely.STRtree(shapely.points(np.concatenate(veri))) if veri else None
        self._mostrate: dict[int, np.ndarray] = {}

    def _indicizza_nomi(self, corti: dict[int, dict[tuple, int]]) -> None:
        """People's names of 2 or 3 words, for :meth:`_cerca_nomi_sparsi`: by each pair of their
        words, and by their surname (the last word) with the initials of the others."""
        self._nomi: list[tuple[tuple[str, ...], int]] = []
        self._nome_di: dict[int, tuple[str, ...]] = {}
        self._nomi_pubblici: dict[int, bool] = {}
        self._coppie: dict[int, list[int]] = {}
        self._cognomi: dict[int, list[tuple[int, str]]] = {}
        parole: set[int] = set()
        for n in (2, 3):
            for nome, i in corti.get(n, {}).items():
                if self.segreti[i].tipo != PERSONA or len(set(nome)) != n or \
                        not all(len(w) >= 2 and w.isalpha() for w in nome):
                    continue
                k = len(self._nomi)
                self._nomi.append((nome, i))
                self._nome_di[i] = nome
                hh = _hash_parole(list(nome))
                parole.update(hh.tolist())
                for a, b in itertools.combinations(range(n), 2):
                    self._coppie.setdefault(int(_chiave_coppia(hh[a:a + 1], hh[b:b + 1])[0]), []).append(k)
                self._cognomi.setdefault(int(hh[-1]), []).append((k, "".join(w[0] for w in nome[:-1])))
        self._parole_dei_nomi = _unici(np.array(sorted(parole), dtype=np.uint64))
        self._chiavi_coppie = _unici(np.array(list(self._coppie), dtype=np.uint64))
        self._hash_cognomi = _unici(np.array(list(self._cognomi), dtype=np.uint64))
        self._hash_lettere = _unici(_hash_parole(list("abcdefghijklmnopqrstuvwxyz")))

    # -- texts of 30 characters or more

    def _indicizza_lunghi(self, lunghi: list[tuple[str, int]]) -> None:
        """The stretches of 30 characters of the long secrets that no public text holds, hashed
        and sorted, with a filter in front (a file's stretches are all hashed, and only those that
        pass the filter are looked up)."""
        self._lunghi = "\x00".join(t for t, _ in lunghi)
        self._s30 = np.empty(0, dtype=np.uint64)
        self._s30_pos = self._di = np.empty(0, dtype=np.int64)
        self._filtro = None
        if not lunghi:
            return
        inizi = np.cumsum([0] + [len(t) + 1 for t, _ in lunghi])
        codici = _codici(self._lunghi)
        pos = np.arange(len(codici))
        quale = np.searchsorted(inizi, pos, side="right")  # 1 + which text each position is in
        self._di = np.array([i for _, i in lunghi], dtype=np.int64)[quale - 1]
        h30 = _hash_finestre(codici, FINESTRA)
        validi = pos[:len(h30)] + FINESTRA <= inizi[quale[:len(h30)]] - 1  # inside one text
        unici = _unici(h30[validi])
        if self._pubblici or self._fissi_norm:
            # a stretch that a public text holds is no secret
            filtro = _Filtro(unici)
            pubblici = np.zeros(len(unici), dtype=bool)
            testo = _codici(self._norm_pubblico() + "\n" + self._fissi_norm)
            for _, hp in _finestre_a_fette(testo, FINESTRA):
                presenti, dove = _cerca_ordinati(unici, np.sort(hp[filtro.forse(hp)]))
                pubblici[dove[presenti]] = True
            validi &= ~_cerca_ordinati(unici[pubblici], h30)[0]
            unici = unici[~pubblici]
        ordine = np.argsort(h30[validi], kind="stable")
        self._s30 = h30[validi][ordine]
        self._s30_pos = np.flatnonzero(validi)[ordine]
        self._filtro = _Filtro(unici) if len(unici) else None

    def _cerca_lunghi(self, testo: str, trovati: dict) -> None:
        if self._filtro is None or len(testo) < FINESTRA:
            return
        codici = _codici(testo)
        for da, h in _finestre_a_fette(codici, FINESTRA):
            forse = np.flatnonzero(self._filtro.forse(h))
            presenti, dove = _cerca_ordinati(self._s30, h[forse])
            for q, k in zip((forse[presenti] + da).tolist(), dove[presenti].tolist()):
                b = int(self._s30_pos[k])
                i = int(self._di[b])
                if (i not in trovati and testo[q:q + FINESTRA] == self._lunghi[b:b + FINESTRA]
                        and not self._nucleo_pubblico(testo, q)):
                    trovati[i] = _estratto(testo, q, q + FINESTRA)

    def _nucleo_pubblico(self, testo: str, q: int) -> bool:
        """Do the public data hold the whole words of the stretch at ``q``? (The end of a public
        text and the start of the next field can make a stretch that is in no text.)"""
        a, z = q, q + FINESTRA
        if a > 0 and _lettera(testo[a - 1]):
            while a < z and _lettera(testo[a]):
                a += 1
        if z < len(testo) and _lettera(testo[z]):
            while z > a and _lettera(testo[z - 1]):
                z -= 1
        parole = _PAROLA.findall(testo, a, z)
        if not parole:
            return True
        return self._ngramma_pubblico(len(parole), int(_hash_finestre(_hash_parole(parole), len(parole))[0]))

    # -- what the public data say

    def _norm_pubblico(self) -> str:
        if self._pubblico_norm is None:
            self._pubblico_norm = normalizza("\n".join(self._pubblici))
        return self._pubblico_norm

    def _ngrammi_pubblici_di(self, n: int) -> np.ndarray:
        """The sorted hashes of every run of ``n`` words of the public data."""
        if n not in self._ngrammi_pubblici:
            if self._parole_pubbliche is None:
                self._parole_pubbliche = _hash_parole(_PAROLA.findall(self._norm_pubblico()))
            self._ngrammi_pubblici[n] = np.sort(_hash_finestre(self._parole_pubbliche, n))
        return self._ngrammi_pubblici[n]

    def _ngramma_pubblico(self, n: int, h: int) -> bool:
        """Do the public data hold these words (hash ``h`` of ``n`` words) anywhere?"""
        return bool(_cerca_ordinati(self._ngrammi_pubblici_di(n), np.array([h], dtype=np.uint64))[0][0])

    def _in_un_testo_fisso(self, parole: list[str], p: int, n: int) -> bool:
        """Do the words at ``p`` sit inside a whole fixed text (a comune's name, a label)?"""
        cercate = tuple(parole[p:p + n])
        for frase, o in self._fissi.get(cercate[0], ()):
            if frase[o:o + n] == cercate and p - o >= 0 and tuple(parole[p - o:p - o + len(frase)]) == frase:
                return True
        return False

    # -- building from the stores

    @classmethod
    def da_archivi(cls, area, archivi) -> Indice:
        """The private values of ``archivi`` (stores of ``area``), and what is public beside them."""
        from .pubblico import non_pubblici, posizioni_da_evitare

        catalogo = area.catalogo
        segreti: list[Segreto] = []
        pubblici: list[str] = []
        coordinate: list[np.ndarray] = []
        sensibili: list[tuple] = []
        for arch in archivi:
            confine = _strato(arch, "confine")
            if confine is not None:
                coordinate.append(shapely.get_coordinates(confine.geometry.values))
            for nome, strato in catalogo.strati.items():
                df = _strato(arch, nome)
                if df is None:
                    continue
                segreti += _segreti_strato(arch.nome, nome, strato, df, non_pubblici)
                pubblici += _pubblici_strato(nome, strato, df, non_pubblici, catalogo)
                coordinate += _coordinate_pubbliche(nome, df, non_pubblici)
                if confine is not None and isinstance(df, gpd.GeoDataFrame) and "sensibile" in df.columns:
                    sens = df[(df["sensibile"] == 1) & df.geometry.notna() & ~non_pubblici(df)]
                    # moved as the public projection moves them: away from every sensitive true place
                    sensibili.append((sens[["id", "sensibile", "geometry"]], confine.geometry.union_all(),
                                      posizioni_da_evitare(df)))
            # rows deleted (not erased) or changed since: their values stay in the kept versions
            for nome, df in arch.righe_delle_versioni().items():
                segreti += _segreti_strato(arch.nome, nome, catalogo.strati[nome], df, non_pubblici, DOVE_VERSIONI)
        # persons first, then private fields, then reserved texts: a value is reported once, as its
        # most telling kind
        ordine = {PERSONA: 0, _TELEFONO_TIPO: 0, PRIVATO: 1, RISERVATO: 2, POSIZIONE: 3}
        segreti.sort(key=lambda s: ordine[s.tipo])
        indice = cls(segreti, pubblici, _testi_pubblici(area),
                     np.concatenate(coordinate) if coordinate else np.empty((0, 2)), sensibili, area.segreto())
        indice._prepara_foto(catalogo, archivi)
        return indice

    # -- the photos

    def _prepara_foto(self, catalogo, archivi) -> None:
        """The photos that must not leave the store (of rows not public, or kept inside with
        foto_pubblica = no, and not also shown by a public row), by bytes and by what they show;
        and the thumbnails a public page may hold."""
        from .archivio import STRATI_CON_FOTO, ids_in_celle
        from .foto import impronta_visiva
        from .pubblico import foto_interne, foto_nascoste

        for arch in archivi:
            strati = {n: df for n in STRATI_CON_FOTO if (df := _strato(arch, n)) is not None and "foto" in df.columns}
            interne = foto_interne(strati)
            private: dict[str, str] = {}
            pubbliche: set[str] = set()
            for nome, df in strati.items():
                pubbliche |= ids_in_celle(df["foto"].tolist()) - interne
                for riga in df.loc[foto_nascoste(df) & df["foto"].notna()].itertuples():
                    for fid in ids_in_celle([riga.foto]):
                        descrizione = getattr(riga, "didascalia", None) or getattr(riga, "titolo", None) \
                            or getattr(riga, "nome", None) or "senza didascalia"
                        private.setdefault(fid, f"{nome} {riga.id}: {descrizione}")
            if pubbliche:
                self._foto_pubbliche |= set(arch.leggi_foto(pubbliche).values())
            if not private:
                continue
            miniature, anteprime = arch.leggi_foto(private), arch.leggi_foto(private, "anteprima")
            for fid, descrizione in private.items():
                copie = {x for x in (miniature.get(fid), anteprime.get(fid)) if x}
                if not copie:
                    continue
                impronte = [i for i in (impronta_visiva(x) for x in copie) if i is not None]
                self.segreti.append(Segreto(descrizione, FOTO, f"{arch.nome}, foto"))
                self._foto.append((len(self.segreti) - 1, copie, impronte))

    def _cerca_foto(self, contenuto: Contenuto, trovati: dict) -> None:
        """The private photos among the pictures of ``contenuto``: the same bytes, or the same picture
        saved again (by what it shows, unless it looks as much like a public photo)."""
        from .foto import impronta_visiva, simili

        self._riconosciute: set[int] = set()
        if not contenuto.immagini:
            return
        impronte_pubbliche = None
        for k, imm in enumerate(contenuto.immagini):
            if imm.dati in self._foto_pubbliche:
                self._riconosciute.add(k)
                continue
            uguali = [i for i, copie, _ in self._foto if imm.dati in copie]
            for i in uguali:
                trovati.setdefault(i, f"immagine {imm.nome}")
            if uguali:
                self._riconosciute.add(k)
                continue
            if not self._foto and not self._foto_pubbliche:
                continue
            impronta = impronta_visiva(imm.dati)
            if impronta is None:
                continue
            if impronte_pubbliche is None:
                impronte_pubbliche = [x for x in (impronta_visiva(b) for b in self._foto_pubbliche) if x is not None]
            if any(simili(impronta, x) for x in impronte_pubbliche):
                # a public photo saved again (printed on a poster, say): nothing to hide, nothing to look at
                self._riconosciute.add(k)
                continue
            for i, _, impronte in self._foto:
                if any(simili(impronta, x) for x in impronte):
                    self._riconosciute.add(k)
                    trovati.setdefault(i, f"immagine {imm.nome} (la stessa foto, salvata di nuovo)")

    def non_controllabili(self, contenuto: Contenuto) -> list[str]:
        """What of ``contenuto`` could not be checked, after :meth:`cerca`: its ``non_letti`` without
        the lines about pictures all recognised (public photos of the data, or private ones already
        reported), and the thumbnails of a mappe page that are no public photo of the data."""
        riconosciute = getattr(self, "_riconosciute", set())
        per_riga: dict[int, list[int]] = {}
        for k, imm in enumerate(contenuto.immagini):
            if imm.messaggio >= 0:
                per_riga.setdefault(imm.messaggio, []).append(k)
        via = {m for m, immagini in per_riga.items() if all(k in riconosciute for k in immagini)}
        righe = [x for m, x in enumerate(contenuto.non_letti) if m not in via]
        ignote = [imm.nome for k, imm in enumerate(contenuto.immagini)
                  if imm.di_mappe and k not in riconosciute]
        if ignote:
            quali = f"{', '.join(ignote[:3])}{'…' if len(ignote) > 3 else ''}"
            righe.append(f"{quanti(len(ignote), 'foto della pagina non è', 'foto della pagina non sono')} tra le "
                         f"foto pubbliche di questi dati ({quali}): quello che mostrano non si può controllare; "
                         "guardarle prima di diffondere il file")
        return righe

    # -- the search

    def cerca(self, contenuto: Contenuto) -> list[Reperto]:
        """The private values that ``contenuto`` holds, once each, in the order of the data."""
        trovati: dict[int, str] = {}
        coda = ""
        for pezzo in _pezzi(contenuto.testo):
            testo = coda + " " + normalizza(pezzo) if coda else normalizza(pezzo)
            self._cerca_lunghi(testo, trovati)
            parole = _PAROLA.findall(testo) if self._ngrammi else []
            th = _hash_parole(parole)
            self._cerca_corti(testo, parole, th, trovati)
            self._cerca_nomi_sparsi(testo, parole, th, trovati)
            self._cerca_telefoni(testo, trovati)
            self._cerca_posizioni_scritte(testo, trovati)
            coda = testo[-SOVRAPPOSIZIONE:]
        self._cerca_posizioni_della_struttura(contenuto, trovati)
        self._cerca_foto(contenuto, trovati)
        return [Reperto(self.segreti[i], trovati[i]) for i in sorted(trovati)]

    def _cerca_corti(self, testo: str, parole: list[str], th: np.ndarray, trovati: dict) -> None:
        if not self._ngrammi:
            return
        colpi: list[tuple[int, int, int]] = []  # (word index, n, secret)
        for n, (hh, chiavi, di) in self._ngrammi.items():
            g = _hash_finestre(th, n)
            presenti, dove = _cerca_ordinati(hh, g)
            for p in np.flatnonzero(presenti).tolist():
                k = int(dove[p])
                i = di[k]
                if i in trovati or tuple(parole[p:p + n]) != chiavi[k]:
                    continue
                if self._ngramma_pubblico(n, int(g[p])) or self._in_un_testo_fisso(parole, p, n):
                    continue
                colpi.append((p, n, i))
                trovati[i] = ""
        self._estratti(testo, colpi, trovati)

    @staticmethod
    def _estratti(testo: str, colpi: list[tuple[int, int, int]], trovati: dict) -> None:
        """The excerpt of each hit (word index, words, secret), found only now: most files have none."""
        if not colpi:
            return
        posti = _posti_delle_parole(testo, {p for p, n, _ in colpi} | {p + n - 1 for p, n, _ in colpi})
        for p, n, i in colpi:
            trovati[i] = _estratto(testo, posti[p][0], posti[p + n - 1][1])

    def _cerca_nomi_sparsi(self, testo: str, parole: list[str], th: np.ndarray, trovati: dict) -> None:
        """A person's name of 2 or 3 words written another way: its words in any order, with at
        most :data:`PAROLE_IN_MEZZO` other words among them (``Rossignoli Maria``, ``Rossignoli,
        Maria``, ``Maria Teresa Rossignoli``), or the surname with the initial of the name
        (``M. Rossignoli``, ``Rossignoli M.``). What the public data or a fixed text say is exempt.

        Vectorised: pages of 100,000 texts hold the commonest first names (and Rosa, Serena,
        Bianchi are also words) hundreds of thousands of times.
        """
        if not self._nomi or not len(th):
            return
        dove = np.flatnonzero(_cerca_ordinati(self._parole_dei_nomi, th)[0])
        if not len(dove):
            return
        forse: list[tuple[int, int, int]] = []  # (first word, words, secret)
        # two words of a name near each other (any two: a name of 3 words is then looked at whole)
        for d in range(1, 2 + PAROLE_IN_MEZZO + 1):
            p = dove[_cerca_ordinati(dove, dove + d)[0]]
            if not len(p):
                continue
            chiavi = _chiave_coppia(th[p], th[p + d])
            presenti, _ = _cerca_ordinati(self._chiavi_coppie, chiavi)
            for a, chiave in zip(p[presenti].tolist(), chiavi[presenti].tolist()):
                b = a + d
                for k in self._coppie.get(chiave, ()):
                    nome, i = self._nomi[k]
                    massimo = len(nome) + PAROLE_IN_MEZZO  # words from the first to the last
                    if i in trovati or d >= massimo:
                        continue
                    if len(nome) == 2:
                        forse.append((a, d + 1, i))
                        continue
                    terza = next(w for w in nome if w not in (parole[a], parole[b]))
                    for r in range(max(0, b - massimo + 1), min(len(parole), a + massimo)):
                        if parole[r] == terza and max(b, r) - min(a, r) < massimo:
                            forse.append((min(a, r), max(b, r) - min(a, r) + 1, i))
                            break
        # a surname with a single letter beside it, one of the initials of the name's other words
        cognomi = dove[_cerca_ordinati(self._hash_cognomi, th[dove])[0]]
        lettere = []
        for o in (-2, -1, 1):
            q = cognomi + o
            q = q[(q >= 0) & (q < len(th))]
            singole = _cerca_ordinati(self._hash_lettere, th[q])[0]
            if o == -2:  # M. T. Rossignoli
                singole &= _cerca_ordinati(self._hash_lettere, th[q + 1])[0]
            lettere += list(zip(q[singole].tolist(), (q[singole] - o).tolist()))
        if lettere:
            posti = _posti_delle_parole(testo, {q for q, _ in lettere})
            for q, c in lettere:
                dopo = testo[posti[q][1]:posti[q][1] + 1]
                # 'e', 'a', 'o', 'i' are words of their own: as initials only with their full stop;
                # a letter before an apostrophe is an article (l'Anna)
                if dopo == "'" or (parole[q] in "aeio" and dopo != "."):
                    continue
                for k, iniziali in self._cognomi.get(int(th[c]), ()):
                    i = self._nomi[k][1]
                    if i not in trovati and parole[q] in iniziali:
                        forse.append((min(q, c), abs(q - c) + 1, i))
        colpi = []
        for a, n, i in self._non_pubblici(parole, th, forse):
            if i not in trovati:
                colpi.append((a, n, i))
                trovati[i] = ""
        self._estratti(testo, colpi, trovati)

    def _non_pubblici(self, parole: list[str], th: np.ndarray, forse: list[tuple[int, int, int]]):
        """The runs (first word, words, secret) whose words neither the public data hold nor a
        fixed text (a comune's name, a label) holds whole."""
        if not forse:
            return []
        f = np.array(forse, dtype=np.int64)
        fuori = np.ones(len(f), dtype=bool)
        for n in np.unique(f[:, 1]).tolist():
            qui = np.flatnonzero(f[:, 1] == n)
            h = th[f[qui, 0]].copy()
            for k in range(1, n):
                h *= _B
                h += th[f[qui, 0] + k]
            fuori[qui] = ~_cerca_ordinati(self._ngrammi_pubblici_di(n), h)[0]
        return [(a, n, i) for (a, n, i), x in zip(forse, fuori.tolist())
                if x and not self._nome_pubblico(i) and not self._in_un_testo_fisso(parole, a, n)]

    def _nome_pubblico(self, i: int) -> bool:
        """Do the public data hold the name of secret ``i`` as it is stored? Then no other way
        of writing it (another order, an initial) says more than they do."""
        if i not in self._nomi_pubblici:
            nome = self._nome_di[i]
            h = int(_hash_finestre(_hash_parole(list(nome)), len(nome))[0])
            self._nomi_pubblici[i] = self._ngramma_pubblico(len(nome), h)
        return self._nomi_pubblici[i]

    def _cerca_telefoni(self, testo: str, trovati: dict) -> None:
        if not self._telefoni:
            return
        lunghezze = sorted({len(c) for c in self._telefoni})
        for m in _TELEFONO.finditer(testo):
            cifre = _cifre_telefono(m.group(0))
            for n in lunghezze:
                for pezzo in {cifre[:n], cifre[-n:]}:
                    i = self._telefoni.get(pezzo)
                    if i is not None and i not in trovati:
                        trovati[i] = _estratto(testo, *m.span())

    # -- positions

    def _cerca_posizioni_scritte(self, testo: str, trovati: dict) -> None:
        """Numbers written in the text: two in a row (no digit nor bracket between) may be a position."""
        if self._albero is None:
            return
        v, d, posti = numeri_nel_testo(testo, self._esatti)
        v, d = np.asarray(v, dtype=float), np.asarray(d, dtype=np.int64)
        a_b, dove = [], []
        vicini = np.flatnonzero(self._vicino_a_un_componente(v, d)).tolist()
        for a, b in itertools.pairwise(vicini):
            tra = testo[posti[a][1]:posti[b][0]]
            if len(tra) <= DISTANZA_COPPIA and not _SEPARA_PUNTI.search(tra):
                a_b += [(a, b), (b, a)]  # lon, lat and lat, lon
                dove += [(posti[a][0], posti[b][1])] * 2
        if a_b:
            ab = np.array(a_b)
            x, y = v[ab[:, 0]], v[ab[:, 1]]
            tx, ty = self._tolleranze(d[ab[:, 0]], d[ab[:, 1]], y)
            self._verifica_coppie(x, tx, y, ty, lambda k: _estratto(testo, *dove[k]), trovati)
        self._cerca_gradi_primi_secondi(testo, trovati)

    def _cerca_gradi_primi_secondi(self, testo: str, trovati: dict) -> None:
        """Positions in degrees, minutes and seconds (``45°00'11.2"N 7°31'48.4"E``), as ``mappe
        importa`` reads them: two in a row, in either order unless N/S and E/W/O say which."""
        if "°" not in testo:
            return
        letti = []
        for m in _GMS.finditer(testo):
            valore, unita = _gms(m)
            if unita is not None:
                emisfero = m.group("e1") or m.group("e2") or ""
                letti.append((m.start(), m.end(), -valore if emisfero in ("s", "w", "o") else valore, unita, emisfero))
        x, tx, y, ty, dove = [], [], [], [], []
        for (a0, a1, va, ua, ea), (b0, b1, vb, ub, eb) in itertools.pairwise(letti):
            tra = testo[a1:b0]
            if len(tra) > DISTANZA_COPPIA or _SEPARA_PUNTI.search(tra):
                continue
            prima_lat = ea in ("n", "s") or eb in ("e", "w", "o")
            prima_lon = ea in ("e", "w", "o") or eb in ("n", "s")
            ordini = [(vb, ub, va, ua)] if prima_lat and not prima_lon else \
                [(va, ua, vb, ub)] if prima_lon and not prima_lat else [(va, ua, vb, ub), (vb, ub, va, ua)]
            for lon, ulon, lat, ulat in ordini:
                x.append(lon)
                y.append(lat)
                tx.append(ulon)
                ty.append(ulat)
                dove.append((a0, b1))
        if x:
            x, y = np.array(x), np.array(y)
            mx, my = self._tolleranze(np.full(len(x), 15), np.full(len(x), 15), y)  # about 2 m, as metres
            self._verifica_coppie(x, np.maximum(np.array(tx), mx), y, np.maximum(np.array(ty), my),
                                  lambda k: _estratto(testo, *dove[k]), trovati)

    def _cerca_posizioni_della_struttura(self, contenuto: Contenuto, trovati: dict) -> None:
        """Numbers of the file's structure, by group (a row, a point): the pairs within a group."""
        if self._albero is None:
            return
        vicini = np.flatnonzero(self._vicino_a_un_componente(contenuto.valori, contenuto.decimali))
        vicini = vicini[np.argsort(contenuto.gruppi[vicini], kind="stable")]
        g = contenuto.gruppi[vicini]
        confini = np.flatnonzero(np.diff(g, prepend=-1, append=-1) != 0)
        lunghezze = np.diff(confini)
        due = confini[:-1][lunghezze == 2]  # most groups: a point, a row with lon and lat
        strutturali = [np.stack([vicini[due], vicini[due + 1]], axis=1)]
        for inizio, n in zip(confini[:-1][lunghezze > 2].tolist(), lunghezze[lunghezze > 2].tolist()):
            strutturali.append(np.array(list(itertools.combinations(vicini[inizio:inizio + n].tolist(), 2))))
        ab = np.concatenate(strutturali).reshape(-1, 2)
        ab = np.concatenate([ab, ab[:, ::-1]])  # either order
        if not len(ab):
            return
        val, dec = contenuto.valori, contenuto.decimali
        x, y = val[ab[:, 0]], val[ab[:, 1]]
        tx, ty = self._tolleranze(dec[ab[:, 0]], dec[ab[:, 1]], y)
        self._verifica_coppie(x, tx, y, ty, lambda k: f"{float(x[k])!r} {float(y[k])!r}", trovati)

    def _tolleranze(self, dx: np.ndarray, dy: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How far (degrees of longitude, of latitude) a written pair may be from a true position
        and still be it: 4 decimals, rounded or cut; 5 or more, :data:`METRI` (or the rounding)."""
        tx, ty = _tolleranza(dx), _tolleranza(dy)
        metro_x = _GRADI_METRO / np.maximum(np.cos(np.radians(np.clip(np.abs(y), 0, 89))), 0.01)
        return (np.where(dx > DECIMALI_MIN, np.maximum(tx, METRI * metro_x), tx),
                np.where(dy > DECIMALI_MIN, np.maximum(ty, METRI * _GRADI_METRO), ty))

    def _verifica_coppie(self, x: np.ndarray, tx: np.ndarray, y: np.ndarray, ty: np.ndarray, estratto,
                         trovati: dict) -> None:
        """Which pairs (longitude x, latitude y, each with how far it may be) are a true position."""
        if not len(x):
            return
        scatole = shapely.box(x - tx, y - ty, x + tx, y + ty)
        candidate, segreti = self._albero.query(scatole)
        for k, s in zip(candidate.tolist(), segreti.tolist()):
            px, py, i = self._pos[s]
            i = int(i)
            ex, ey = abs(px - x[k]), abs(py - y[k])
            # a public point within the written precision: the pair may be that one, it proves nothing
            if i in trovati or ex > tx[k] or ey > ty[k] or self._posizione_pubblica(x[k], y[k], tx[k], ty[k]):
                continue
            trovati[i] = estratto(k)

    def _vicino_a_un_componente(self, v: np.ndarray, d: np.ndarray) -> np.ndarray:
        if not len(v):
            return np.zeros(0, dtype=bool)
        c = self._componenti
        i = np.clip(np.searchsorted(c, v), 1, len(c) - 1) if len(c) > 1 else np.zeros(len(v), dtype=np.int64)
        distanza = np.minimum(np.abs(c[i] - v), np.abs(c[np.maximum(i - 1, 0)] - v))
        return distanza <= np.where(d > DECIMALI_MIN, np.maximum(_tolleranza(d), METRI * self._gradi_metro_x),
                                    _tolleranza(d))

    def _posizione_pubblica(self, x: float, y: float, rx: float, ry: float) -> bool:
        """Is a public point within ``rx``, ``ry`` of (x, y)?

        Public points are those of public rows and the places where the public outputs show the
        sensitive rows (moved): one of those can land by chance near another's true place.

        The box is never smaller than a unit of the 5th decimal: pages write positions rounded
        there, either way on a tie, and drop the zeros at the end (a public point at 44.989004 is
        written 44.989, which alone would have to be exactly 44.989).
        """
        rx, ry = max(rx, _UNITA_PAGINA), max(ry, _UNITA_PAGINA)
        vicino = shapely.box(x - rx, y - ry, x + rx, y + ry)
        if self._albero_pubblico is not None and len(self._albero_pubblico.query(vicino)):
            return True
        if self._albero_sensibili is None:
            return False
        # rows whose shown place can be here: those within the largest offset (250 m)
        r = 0.004 + max(rx, ry)
        vicine = self._albero_sensibili.query(shapely.box(x - r, y - r, x + r, y + r)).tolist()
        self._calcola_mostrate([k for k in vicine if k not in self._mostrate])
        for k in vicine:
            xy = self._mostrate[k]
            if len(xy) and ((np.abs(xy[:, 0] - x) <= rx) & (np.abs(xy[:, 1] - y) <= ry)).any():
                return True
        return False

    def _calcola_mostrate(self, righe: list[int]) -> None:
        """Where the public outputs show these sensitive rows (numbered across the stores)."""
        from .pubblico import sposta_sensibili

        inizio = 0
        for gdf, confine, evita in self._sensibili:
            mie = [k - inizio for k in righe if inizio <= k < inizio + len(gdf)]
            if mie:
                mosse = sposta_sensibili(gdf.iloc[mie], confine, self._chiave, evita)
                per_id = dict(zip(mosse["id"], mosse.geometry.values))
                for k, id_ in zip(mie, gdf["id"].iloc[mie]):
                    g = per_id.get(id_)
                    self._mostrate[inizio + k] = shapely.get_coordinates(g) if g is not None else np.empty((0, 2))
            inizio += len(gdf)


_UNITA_PAGINA = 1e-5 * (1 + 1e-6)  # pages write positions to 5 decimals (rendi.mappa.DECIMALI)
_SEPARA_PUNTI = re.compile(r"[\d\[\](){}\u00a6]")  # ¦ ends a table's row (contenuto.FINE_RIGA)
_GRADI_METRO = 1 / 111_320  # degrees of latitude in a metre
# degrees, minutes, seconds as normalizza() leaves them: 45°00'11.2"n, n 45° 0' 11,2'', 45°00.186'n
_GMS = re.compile(r"""(?:\b(?P<e1>[nsewo])\s?)?(?P<g>\d{1,3})\s?°\s?(?P<m>\d{1,2}(?:[.,]\d+)?)\s?'(?!')
                      (?:\s?(?P<s>\d{1,2}(?:[.,]\d+)?)\s?(?:"|'')?)?(?:\s?(?P<e2>[nsewo])\b)?""", re.VERBOSE)


def _gms(m: re.Match) -> tuple[float, float | None]:
    """The degrees of a match of :data:`_GMS`, and how precise they are (None: too rough to be a
    place, whole minutes are 1.8 km)."""
    minuti, secondi = m.group("m").replace(",", "."), (m.group("s") or "").replace(",", ".")
    if float(minuti) >= 60 or (secondi and float(secondi) >= 60):
        return 0.0, None
    valore = int(m.group("g")) + float(minuti) / 60 + (float(secondi) / 3600 if secondi else 0.0)
    if secondi:
        unita = 10.0 ** -len(secondi.partition(".")[2]) / 3600
    elif "." in minuti:
        unita = 10.0 ** -len(minuti.partition(".")[2]) / 60
    else:
        return valore, None
    return valore, unita * (1 + 1e-9)


def _tolleranza(decimali: np.ndarray) -> np.ndarray:
    """How far a written number may be from the true one and still be it: a number with 4 or more
    decimals is the true one rounded or cut there; with fewer, only the very same number."""
    d = np.asarray(decimali, dtype=float)
    return np.where(d >= DECIMALI_MIN, 10.0 ** -np.minimum(d, 15) * (1 + 1e-9), 1e-9) + 1e-12


def _testi_pubblici(area) -> list[str]:
    """What every page or file may say: catalogue labels and codes, the pages' own texts, the names
    of every comune, the project's settings and the credits."""
    from . import territorio
    from .rendi.mappa import FONTE_EN, TESTI
    from .viste import VISTE

    catalogo = area.catalogo
    testi = [territorio.FONTE, FONTE_EN]
    for voci in catalogo.vocabolari.values():
        for codice, v in voci.items():
            testi += [x for x in (codice, v.label, v.label_en, v.descrizione) if x]
            testi += [x for k, x in v.extra.items() if k.startswith("label_") and isinstance(x, str)]
    for strato in catalogo.strati.values():
        testi += [x for x in (strato.nome, strato.label, strato.label_en) if x]
        testi += list(strato.campi)
    for lingua in TESTI.values():
        testi += [str(x) for x in lingua.values()]
    for v in VISTE.values():
        testi += [str(x) for x in vars(v).values() if isinstance(x, str)]
    testi += [str(v) for v in area.progetto.values() if isinstance(v, str)]
    testi += [c.nome for c in territorio.tutti_i_comuni()]
    for a in area.archivi():
        testi += [str(v) for v in a.info.values() if isinstance(v, str)]
    return testi


def _strato(arch, nome: str) -> pd.DataFrame | None:
    """A layer of a store, or None when the store has no such layer (an old store)."""
    try:
        return arch.leggi(nome)
    except Exception:  # noqa: BLE001 - pyogrio's error for a missing layer varies with GDAL
        return None


def _valori(serie: pd.Series) -> list[str]:
    return [str(v) for v in serie.dropna().tolist() if str(v).strip()]


def _segreti_strato(comune: str, nome: str, strato, df: pd.DataFrame, non_pubblici, dove: str = "") -> list[Segreto]:
    """The secrets of a layer's rows; ``dove`` follows the origin (rows of a kept version)."""
    from .pubblico import RIFERIMENTI

    out: list[Segreto] = []
    persone = set(strato.persone)
    for c in strato.privati + [p for p in strato.persone if p not in strato.privati]:
        if c not in df.columns:
            continue
        origine = f"{comune}, {nome}.{c}{dove}"
        for valore in set(_valori(df[c])):
            if c in persone:
                out.append(Segreto(valore, PERSONA, origine))
                # each name of a list on its own, and the phone numbers apart from the names
                for parte in _SEPARATORI_ELENCO.split(valore):
                    for tel in _TELEFONO.findall(parte):
                        out.append(Segreto(tel.strip(), _TELEFONO_TIPO, origine))
                    nome_solo = " ".join(p for p in _TELEFONO.sub(" ", parte).split()
                                         if p.strip(".:,-").casefold() not in _NON_NOMI)
                    if nome_solo:
                        out.append(Segreto(nome_solo, PERSONA, origine))
            else:
                out.append(Segreto(valore, PRIVATO, origine))
    if "indirizzo" in df.columns and "sensibile" in df.columns:
        # the address of a sensitive row says where it is
        sens = df["sensibile"] == 1
        out += [Segreto(v, PRIVATO, f"{comune}, {nome}.indirizzo{dove}") for v in set(_valori(df.loc[sens, "indirizzo"]))]
    liberi = [c.nome for c in strato.campi.values()
              if c.tipo == "testo" and not c.privato and c.nome not in RIFERIMENTI and c.nome in df.columns]
    if "visibilita" in df.columns or "consenso" in df.columns:
        fuori = non_pubblici(df)
        for c in liberi:
            out += [Segreto(v, RISERVATO, f"{comune}, {nome}.{c}{dove}") for v in set(_valori(df.loc[fuori, c]))]
    if nome == "riscontri" and "stato" in df.columns and "commento" in df.columns:
        fuori = df["stato"] != "approvato"
        out += [Segreto(v, RISERVATO, f"{comune}, riscontri.commento{dove}")
                for v in set(_valori(df.loc[fuori, "commento"]))]
    if "sensibile" in df.columns and "geometry" in df.columns:
        sens = df[(df["sensibile"] == 1) & df.geometry.notna()]
        if len(sens):
            xy = np.unique(shapely.get_coordinates(sens.geometry.values), axis=0)
            out += [Segreto(f"{x!r} {y!r}", POSIZIONE, f"{comune}, {nome}{dove}") for x, y in xy.tolist()]
    return out


DOVE_VERSIONI = " (in una versione conservata)"


def _righe_delle_versioni(arch, catalogo) -> dict[str, pd.DataFrame]:
    """The rows of each layer that only the kept versions of a store hold: deleted since (not
    erased: erasure takes them out of the versions too), or with other values than today.

    Each version is compared with the store in SQLite, row by row on the row's ``id``, only in
    the rows and columns that may hold a secret; the versions are shared among a few threads
    (SQLite works without Python's lock), so that 20 versions of 100,000 rows take about a second.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    cartella = arch.cartella_versioni
    versioni = sorted(v for v in cartella.glob("*.gpkg") if v.is_file() and not v.is_symlink()) \
        if cartella.is_dir() and not cartella.is_symlink() else []
    if not versioni:
        return {}
    n = max(1, min(len(versioni), os.cpu_count() or 1, 4))
    with ThreadPoolExecutor(n) as esecutore:
        parti = list(esecutore.map(lambda k: _confronta_versioni(arch.gpkg, versioni[k::n], catalogo), range(n)))
    righe: dict[str, list[pd.DataFrame]] = {}
    for parte in parti:
        for nome, dd in parte.items():
            righe.setdefault(nome, []).extend(dd)
    return {nome: pd.concat(dd, ignore_index=True) for nome, dd in righe.items()}


def _confronta_versioni(gpkg: Path, versioni: list[Path], catalogo) -> dict[str, list[pd.DataFrame]]:
    """:func:`_righe_delle_versioni` for some of the versions (one thread, one connection)."""
    from .archivio import conforma

    con = sqlite3.connect("file::memory:", uri=True, check_same_thread=False)  # uri: files attached read-only
    righe: dict[str, list[pd.DataFrame]] = {}
    try:
        con.execute("PRAGMA temp_store = MEMORY")
        con.execute("PRAGMA trusted_schema = OFF")
        con.execute("ATTACH DATABASE ? AS oggi", (f"{Path(gpkg).resolve().as_uri()}?mode=ro",))
        oggi = {n: _colonne(con, "oggi", n) for n in catalogo.strati}
        copie: dict[tuple, str] = {}  # columns compared -> temporary copy of today's layer, by id
        for versione in versioni:
            try:
                con.execute("ATTACH DATABASE ? AS v", (f"{versione.resolve().as_uri()}?mode=ro",))
            except sqlite3.Error:
                continue
            try:
                for nome, strato in catalogo.strati.items():
                    df = _righe_diverse(con, nome, strato, oggi[nome], copie)
                    if df is not None and len(df):
                        righe.setdefault(nome, []).append(conforma(strato, df))
            except sqlite3.Error:
                pass  # a damaged version: 'mappe annulla' cannot use it either
            finally:
                con.execute("DETACH DATABASE v")
    except sqlite3.Error:
        pass  # no store to compare with (an old or damaged one): what it holds was read already
    finally:
        con.close()
    return righe


def _colonne(con: sqlite3.Connection, schema: str, tabella: str) -> tuple[list[str], str | None, str | None]:
    """The columns of a table (empty: no such table), its primary key, its geometry column."""
    colonne, chiave, geometria = [], None, None
    try:
        for _, nome, _, _, _, pk in con.execute(f'PRAGMA {schema}.table_info("{tabella.replace(chr(34), "")}")'):
            colonne.append(nome)
            chiave = nome if pk else chiave
        riga = con.execute(f"SELECT column_name FROM {schema}.gpkg_geometry_columns WHERE table_name = ?",
                           (tabella,)).fetchone()
        geometria = riga[0] if riga else None
    except sqlite3.Error:
        pass
    return colonne, chiave, geometria


def _q(nome: str) -> str:
    return '"' + nome.replace('"', '""') + '"'


def _righe_diverse(con: sqlite3.Connection, nome: str, strato, oggi: tuple, copie: dict) -> pd.DataFrame | None:
    """The rows of layer ``nome`` of the attached version ``v`` that may hold a secret (as
    :func:`_segreti_strato` finds them) and that today's store does not hold as they are, in the
    columns that tell (None: the version has no such layer)."""
    from .pubblico import RIFERIMENTI

    colonne, chiave, geometria = _colonne(con, "v", nome)
    if not colonne:
        return None
    persone = [c for c in dict.fromkeys(strato.privati + strato.persone) if c in colonne]
    liberi = [c.nome for c in strato.campi.values() if c.tipo == "testo" and not c.privato and c.nome not in RIFERIMENTI]
    rivelatrici = {"id", geometria, "indirizzo", "visibilita", "consenso", "sensibile", "stato", "commento",
                   *persone, *liberi}
    # the rows that may hold a secret: a person or a private value, reserved or said without consent
    # (as pubblico.non_pubblici says), sensitive, a comment not approved
    forse = [f"(v.{_q(c)} IS NOT NULL AND v.{_q(c)} != '')" for c in persone]
    forse += [f"v.{c} = {v}" for c, v in (("visibilita", "'riservato'"), ("consenso", "'nessuno'"), ("sensibile", "1"))
              if c in colonne]
    if nome == "riscontri" and "stato" in colonne:
        forse.append("v.stato IS NOT 'approvato'")
    if not forse:
        return None
    colonne_oggi = set(oggi[0])
    confronto = tuple(c for c in colonne if c != chiave and c in colonne_oggi and c in rivelatrici)
    filtro = " OR ".join(forse)
    if "id" in confronto:
        if confronto not in copie:
            copia = f"oggi_{len(copie)}"
            con.execute(f"CREATE TEMP TABLE {copia} AS SELECT {', '.join(map(_q, confronto))} FROM oggi.{_q(nome)}")
            con.execute(f"CREATE INDEX temp.{copia}_id ON {copia}(id)")
            copie[confronto] = copia
        copia = copie[confronto]
        diverse = " OR ".join(f"v.{_q(c)} IS NOT o.{_q(c)}" for c in confronto if c != "id")
        sql = (f"SELECT v.* FROM v.{_q(nome)} AS v LEFT JOIN temp.{copia} AS o ON o.id = v.id "
               f"WHERE ({filtro}) AND (o.id IS NULL{' OR ' + diverse if diverse else ''})")
    else:
        sql = f"SELECT * FROM v.{_q(nome)} AS v WHERE {filtro}"
    cursore = con.execute(sql)
    nomi = [d[0] for d in cursore.description]
    df = pd.DataFrame.from_records(cursore.fetchall(), columns=nomi)
    if not len(df):
        return df
    if geometria in df.columns:
        wkb = [_wkb(g) if isinstance(g, bytes) else None for g in df[geometria]]
        forme = [shapely.from_wkb(w, on_invalid="ignore") if w else None for w in wkb]
        df = gpd.GeoDataFrame(df.drop(columns=geometria), geometry=forme, crs="EPSG:4326")
    return df


def _righe_pubbliche(nome: str, df: pd.DataFrame, non_pubblici) -> pd.Series:
    dentro = ~non_pubblici(df)
    if nome == "riscontri" and "stato" in df.columns:
        dentro &= df["stato"] == "approvato"
    return dentro


def _pubblici_strato(nome: str, strato, df: pd.DataFrame, non_pubblici, catalogo=None, interne=None) -> list[str]:
    dentro = _righe_pubbliche(nome, df, non_pubblici)
    privati = set(strato.privati) | set(strato.persone)
    out = []
    for c in df.columns:
        if c in privati or c == "geometry" or c.startswith("_"):
            continue
        if nome == "contributi" and c == "indirizzo" and "sensibile" in df.columns:
            out += _valori(df.loc[dentro & (df["sensibile"] != 1), c])
            continue
        if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
            out += _valori(df.loc[dentro, c])
    if catalogo is not None and "autore_foto" in df.columns:  # a photo's author named by consent, under the photo
        from .pubblico import crediti_pubblici

        out += _valori(df.loc[crediti_pubblici(df, catalogo, interne), "autore_foto"])
    return out


def _coordinate_pubbliche(nome: str, df: pd.DataFrame, non_pubblici) -> list[np.ndarray]:
    if "geometry" not in df.columns:
        return []
    dentro = _righe_pubbliche(nome, df, non_pubblici) & df.geometry.notna()
    if "sensibile" in df.columns:
        dentro &= df["sensibile"] != 1
    return [shapely.get_coordinates(df.loc[dentro].geometry.values)]


# --------------------------------------------------------------------------------------------
# The strict, literal self-check of a public file


def controlla_file(percorso: Path | str, area, archivi, nome: str | None = None,
                   commenti_scritti=()) -> None:
    """Refuse a public file (an export, before it is put in place) that holds a private value.

    The check is strict and literal, the same as the one every public page makes (the values of
    private fields and the free texts of reserved rows, 4 characters or more, as written or
    escaped; the true positions of sensitive rows to 5 decimals, rounded either way on a tie),
    applied to the text and the coordinates of any format :func:`leggi_contenuto` reads. Catalogue
    labels, names of comuni and values that a public field of the same data holds are not secrets,
    nor is a position written where a public point is (within a unit of the 5th decimal).

    Parameters
    ----------
    percorso : path
        The file written (its format comes from its content and its extension).
    area : mappe.archivio.Area or None
        The workspace (None: the one of the first store).
    archivi : list of mappe.archivio.Archivio
        The stores whose data the file holds.
    nome : str, optional
        How the message names the file.
    commenti_scritti : iterable of str
        The visitors' comments the file writes (an export of feedback): none may be one that is
        not approved.

    Raises
    ------
    PrivacyError
        When the file holds a private value (the message is Italian, one sentence).
    MappeError
        When the file cannot be read.
    """
    from . import pubblico
    from .archivio import Area
    from .errori import PrivacyError

    area = area if area is not None else Area(archivi[0].cartella_area)
    contenuto = leggi_contenuto(percorso, nome)
    catalogo = area.catalogo
    segreti: set[str] = set()
    commenti: set[str] = set()
    coordinate: list[tuple[float, float]] = []
    pubbliche: list[np.ndarray] = []
    noti = {t.strip().casefold() for t in _testi_pubblici(area)}
    for arch in archivi:
        strati = {}
        for n, strato in catalogo.strati.items():
            df = _strato(arch, n)
            if df is None:
                continue
            strati[n] = df
            noti |= {t.strip().casefold() for t in _pubblici_strato(n, strato, strati[n], pubblico.non_pubblici, catalogo)}
            pubbliche += _coordinate_pubbliche(n, df, pubblico.non_pubblici)
        segreti.update(pubblico.valori_segreti(strati, catalogo, commenti=False))
        commenti |= pubblico.commenti_non_approvati(strati)
        if "contributi" in strati:
            coordinate += pubblico.coordinate_segrete(strati["contributi"])
    segreti = {s for s in segreti if s.strip().casefold() not in noti}
    # Visitors' comments not approved are checked against the comments the file writes (anyone can
    # write one, and make it a word, an id or a date the file holds anyway: searched in its text,
    # such a comment would stop every export until moderated).
    approvati = set()
    for arch in archivi:
        ris = _strato(arch, "riscontri")
        if ris is not None and "stato" in ris.columns and "commento" in ris.columns:
            approvati |= {str(v).strip() for v in ris.loc[ris["stato"] == "approvato", "commento"].dropna()}
    scritti = {str(c).strip() for c in (commenti_scritti or ())}
    trapelati = sorted((commenti - approvati) & scritti)
    if trapelati:
        raise PrivacyError(
            f"Il file conterrebbe {quanti(len(trapelati), 'commento', 'commenti')} di visitatori non approvati (per esempio "
            f"'{trapelati[0][:30]}...'): non è stato scritto. Segnalare il problema a chi mantiene mappe.")
    posizioni = set()
    if coordinate:
        posizioni = _coppie_segrete(contenuto, coordinate, pubbliche)
    pubblico.controlla(contenuto.testo, sorted(segreti), coordinate, posizioni)


def _coppie_segrete(contenuto: Contenuto, coordinate: list[tuple[float, float]],
                    pubbliche: list[np.ndarray]) -> set[tuple[float, float]]:
    """The pairs of numbers of one group (a row, a point) that are a secret position to 5 decimals
    (rounded either way), as (lon, lat) rounded, unless a public point is where they are written.

    A public point written as it is stored, or a little off (a GeoPackage's spatial index holds
    each point as a box of 32-bit numbers, up to 0.4 m wider), can round to where a sensitive
    point 1 m away rounds: within a unit of the 5th decimal of what is written, a public point
    explains it.
    """
    from . import pubblico

    componenti = np.array(sorted({c for x, y in coordinate for xy in pubblico.arrotondate(x, y) for c in xy}))
    grezzi = contenuto.valori
    v = np.round(grezzi, 5)
    dentro = _cerca_ordinati(componenti, v)[0]
    per_gruppo: dict[int, list[tuple[float, float]]] = {}
    for gruppo, valore, grezzo in zip(contenuto.gruppi[dentro].tolist(), v[dentro].tolist(), grezzi[dentro].tolist()):
        per_gruppo.setdefault(gruppo, []).append((valore, grezzo))
    coppie = [(a, b) for valori in per_gruppo.values() for a in valori for b in valori]
    if not coppie:
        return set()
    spiegate = np.zeros(len(coppie), dtype=bool)
    xy = np.concatenate([np.empty((0, 2)), *[np.asarray(p, dtype=float).reshape(-1, 2) for p in pubbliche]])
    if len(xy):
        gx = np.array([a[1] for a, _ in coppie])
        gy = np.array([b[1] for _, b in coppie])
        u = _UNITA_PAGINA
        colpite, _ = shapely.STRtree(shapely.points(xy)).query(shapely.box(gx - u, gy - u, gx + u, gy + u))
        spiegate[colpite] = True
    return {(a[0], b[0]) for (a, b), s in zip(coppie, spiegate.tolist()) if not s}
