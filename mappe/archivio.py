"""The workspace and the store: one GeoPackage per comune, written all-or-nothing.

A workspace (``area``) is a folder with ``layers/`` (the catalogue) and ``data/comuni/``;
each comune has ``data/comuni/<slug>/<slug>.gpkg`` holding the layers ``confine``,
``contributi``, ``luoghi``, ``incontri``, ``riscontri`` and the tables ``comune`` and
``popolazione``.

Every write copies the GeoPackage to a temporary file in the same folder, writes there,
fsyncs and replaces the original in one ``os.replace``: a crash or an error at any point
leaves the original file untouched.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from . import territorio
from .catalogo import Catalogo, Strato, carica_catalogo, cartella_predefinita
from .errori import AreaError, ComuneError

__all__ = ["Archivio", "Area", "conforma", "crea_area", "tabella_vuota"]

CRS = "EPSG:4326"
STRATI_GEO = ("confine", "contributi", "luoghi", "incontri", "riscontri")


def tabella_vuota(strato: Strato) -> pd.DataFrame:
    """An empty table with the columns of ``strato`` (a GeoDataFrame when it has geometry)."""
    return conforma(strato, pd.DataFrame({nome: [] for nome in strato.campi}))


def conforma(strato: Strato, df: pd.DataFrame) -> pd.DataFrame:
    """Give ``df`` exactly the columns and types of ``strato`` (missing columns become empty).

    Text, choices, lists and dates are stored as text (``None`` when empty), integers as
    nullable integers, booleans as 0/1 integers.
    """
    out = {}
    n = len(df)
    for nome, campo in strato.campi.items():
        col = df[nome] if nome in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if campo.tipo == "intero":
            out[nome] = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        elif campo.tipo == "booleano":
            out[nome] = pd.to_numeric(col, errors="coerce").fillna(0).astype("int64")
        else:
            out[nome] = pd.Series(
                [None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v) for v in col.tolist()],
                index=df.index, dtype=object,
            )
    if not strato.geometria:
        return pd.DataFrame(out, index=df.index).reset_index(drop=True)
    geom = df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries([None] * n, index=df.index)
    return gpd.GeoDataFrame(out, geometry=geom.values, crs=CRS, index=df.index).reset_index(drop=True)


def _scrivi_atomico(destinazione: Path, scrivi) -> None:
    """Call ``scrivi(tmp_path)`` on a copy of ``destinazione``, then replace it in one step."""
    destinazione.parent.mkdir(parents=True, exist_ok=True)
    fd, nome = tempfile.mkstemp(prefix=".scrittura-", suffix=".gpkg", dir=destinazione.parent)
    os.close(fd)
    tmp = Path(nome)
    try:
        if destinazione.exists():
            shutil.copy2(destinazione, tmp)
        else:
            tmp.unlink()
        scrivi(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, destinazione)
    finally:
        for p in (tmp, Path(str(tmp) + "-journal"), Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
            if p.exists():
                p.unlink()


def _scrivi_strato(path: Path, nome: str, df: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(df, gpd.GeoDataFrame):
            pyogrio.write_dataframe(
                df, path, layer=nome, driver="GPKG", geometry_type="Unknown", promote_to_multi=False
            )
        else:
            pyogrio.write_dataframe(df, path, layer=nome, driver="GPKG")


@dataclass
class Archivio:
    """The store of one comune: a GeoPackage in ``data/comuni/<slug>/``."""

    cartella: Path
    catalogo: Catalogo

    @property
    def slug(self) -> str:
        return self.cartella.name

    @property
    def gpkg(self) -> Path:
        return self.cartella / f"{self.slug}.gpkg"

    @cached_property
    def info(self) -> dict:
        """Name, ISTAT code, province, region, population total and year of the data."""
        df = pyogrio.read_dataframe(self.gpkg, layer="comune", read_geometry=False)
        return {k: (v.item() if hasattr(v, "item") else v) for k, v in df.iloc[0].to_dict().items()}

    @property
    def nome(self) -> str:
        return self.info["nome"]

    @property
    def comune(self) -> territorio.Comune:
        i = self.info
        return territorio.Comune(i["nome"], int(i["codice_istat"]), i["provincia"], i["sigla"], i["regione"], self.slug)

    def leggi(self, strato: str) -> pd.DataFrame:
        """Read one layer (``contributi``, ``luoghi``, ``incontri``, ``riscontri``, ``confine``...)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if strato in self.catalogo.strati and not self.catalogo.strati[strato].geometria:
                df = pyogrio.read_dataframe(self.gpkg, layer=strato, read_geometry=False)
            else:
                df = pyogrio.read_dataframe(self.gpkg, layer=strato)
        if strato in self.catalogo.strati:
            return conforma(self.catalogo.strati[strato], df)
        return df

    def confine(self) -> gpd.GeoDataFrame:
        return self.leggi("confine")

    def popolazione(self) -> pd.DataFrame:
        """Population by single year of age (eta, maschi, femmine, totale)."""
        return self.leggi("popolazione")

    def scrivi(self, strati: dict[str, pd.DataFrame]) -> None:
        """Replace the given layers in one all-or-nothing step."""

        def scrivi(tmp: Path) -> None:
            for nome, df in strati.items():
                if nome in self.catalogo.strati:
                    df = conforma(self.catalogo.strati[nome], df)
                _scrivi_strato(tmp, nome, df)

        _scrivi_atomico(self.gpkg, scrivi)
        self.__dict__.pop("info", None)

    def conta(self) -> dict[str, int]:
        """Number of features per layer."""
        info = pyogrio.list_layers(self.gpkg)
        out = {}
        for nome, _ in info:
            if nome in self.catalogo.strati:
                out[nome] = pyogrio.read_info(self.gpkg, layer=nome)["features"]
        return out


class Area:
    """A workspace: ``layers/`` (catalogue), ``data/comuni/`` (stores), ``.mappe/`` (secrets)."""

    def __init__(self, cartella: Path | str):
        self.cartella = Path(cartella).resolve()
        if not (self.cartella / "layers").is_dir() or not (self.cartella / "data" / "comuni").is_dir():
            raise AreaError(
                f"La cartella {self.cartella} non è un'area di lavoro di mappe (mancano layers/ e "
                "data/comuni/): crearla con 'mappe init CARTELLA' oppure indicarla con --area."
            )

    @property
    def cartella_comuni(self) -> Path:
        return self.cartella / "data" / "comuni"

    @cached_property
    def catalogo(self) -> Catalogo:
        return carica_catalogo(self.cartella / "layers")

    @cached_property
    def progetto(self) -> dict:
        """The project's settings from ``progetto.toml`` (name, contact, privacy notice)."""
        return leggi_progetto(self.cartella / "progetto.toml")

    def segreto(self) -> bytes:
        """The workspace's secret key (for the stable displacement of sensitive points)."""
        path = self.cartella / ".mappe" / "segreto"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="utf-8")
        return bytes.fromhex(path.read_text(encoding="utf-8").strip())

    def archivi(self) -> list[Archivio]:
        """Every comune of the workspace, by name."""
        out = [
            Archivio(p, self.catalogo)
            for p in sorted(self.cartella_comuni.iterdir())
            if p.is_dir() and (p / f"{p.name}.gpkg").exists()
        ]
        return sorted(out, key=lambda a: territorio.normalizza(a.nome))

    def archivio(self, testo: str, provincia: str | None = None) -> Archivio:
        """The store of a comune given by slug, name or ISTAT code.

        Raises
        ------
        ComuneError
            When the comune exists in Italy but is not in this workspace, or does not exist.
        """
        testo = str(testo).strip()
        diretto = self.cartella_comuni / testo
        if testo and (diretto / f"{testo}.gpkg").exists():
            return Archivio(diretto, self.catalogo)
        comune = territorio.cerca_comune(testo, provincia)
        for a in self.archivi():
            if int(a.info["codice_istat"]) == comune.codice:
                return a
        raise ComuneError(
            f"Il comune di {comune.nome} ({comune.sigla}) non è ancora nell'area di lavoro "
            f"{self.cartella}: aggiungerlo con 'mappe comuni aggiungi \"{comune.nome}\"'."
        )

    def aggiungi_comune(self, comune: territorio.Comune) -> tuple[Archivio, bool]:
        """Create the store of ``comune`` (boundary, population, empty layers).

        Returns the store and whether it was created now (False when it existed already).
        """
        cartella = self.cartella_comuni / comune.slug
        arch = Archivio(cartella, self.catalogo)
        if arch.gpkg.exists():
            return arch, False
        confine = territorio.confine([comune.codice]).reset_index(drop=True)
        confine = gpd.GeoDataFrame(
            {"codice_istat": [comune.codice_istat], "nome": [comune.nome]},
            geometry=confine.geometry.values, crs=CRS,
        )
        pop = territorio.popolazione(comune.codice)
        info = pd.DataFrame(
            [{
                "nome": comune.nome,
                "codice_istat": comune.codice_istat,
                "provincia": comune.provincia,
                "sigla": comune.sigla,
                "regione": comune.regione,
                "popolazione": int(pop["totale"].sum()),
                "anno_dati": territorio.anno_dati(),
                "fonte": territorio.FONTE,
            }]
        )
        strati = {"confine": confine, "comune": info, "popolazione": pop}
        for nome, s in self.catalogo.strati.items():
            strati[nome] = tabella_vuota(s)

        def scrivi(tmp: Path) -> None:
            for nome, df in strati.items():
                _scrivi_strato(tmp, nome, df)

        _scrivi_atomico(arch.gpkg, scrivi)
        return arch, True


PROGETTO_PREDEFINITO = {
    "nome": "",
    "contatto": "",
    "informativa": (
        "I riscontri sono anonimi: non scrivere nomi, indirizzi o numeri di telefono. "
        "Li leggono gli operatori del progetto prima di pubblicarli, e servono solo a migliorare "
        "le mappe e le azioni sul territorio."
    ),
}
PROGETTO_TOML = """# Le informazioni del progetto, usate nelle mappe e nelle mostre.
[progetto]
# Il nome del progetto, che compare nei crediti di ogni mappa.
nome = ""
# Come raggiungere il progetto (mostrato nelle mappe pubblicate sul web, al posto dei riscontri).
contatto = ""
# L'informativa mostrata ai visitatori di una mostra prima di inviare un riscontro.
informativa = "I riscontri sono anonimi: non scrivere nomi, indirizzi o numeri di telefono. Li leggono gli operatori del progetto prima di pubblicarli, e servono solo a migliorare le mappe e le azioni sul territorio."
"""


def leggi_progetto(path: Path) -> dict:
    """Read ``progetto.toml``; missing keys take their defaults."""
    from .catalogo import tomllib

    dati = dict(PROGETTO_PREDEFINITO)
    if path.exists():
        try:
            letto = tomllib.loads(path.read_text(encoding="utf-8")).get("progetto", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise AreaError(f"Il file {path} non è scritto bene ({e}): correggerlo o cancellarlo.")
        for k, v in letto.items():
            if k in dati and not isinstance(v, str):
                raise AreaError(f"Nel file {path}, la chiave '{k}' deve essere un testo tra virgolette.")
            if isinstance(v, str) and (v.strip() or k != "informativa"):
                dati[k] = v.strip()
    return dati


def crea_area(cartella: Path | str) -> Area:
    """Create a workspace in ``cartella`` (the default catalogue and an empty ``data/comuni/``).

    An existing catalogue is left as it is.
    """
    cartella = Path(cartella)
    layers = cartella / "layers"
    layers.mkdir(parents=True, exist_ok=True)
    for file in sorted(cartella_predefinita().glob("*.toml")):
        dest = layers / file.name
        if not dest.exists():
            shutil.copyfile(file, dest)
    (cartella / "data" / "comuni").mkdir(parents=True, exist_ok=True)
    if not (cartella / "progetto.toml").exists():
        (cartella / "progetto.toml").write_text(PROGETTO_TOML, encoding="utf-8")
    area = Area(cartella)
    area.segreto()
    return area
