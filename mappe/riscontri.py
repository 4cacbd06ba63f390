"""Feedback from exhibitions: import the file the staff downloaded, then moderate it.

Visitors' words are text, never markup: control characters are removed, lengths are
bounded, and every render escapes them again.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from .archivio import Archivio
from .errori import ImportaError, MappeError
from .importa import CRS_METRICO, TOLLERANZA_M, Rifiuto
from .pubblico import ID_CONTENUTO_VECCHIO, id_con_chiave, indice_pubblici
from .testo import normalizza, per_comando

__all__ = ["MAX_COMMENTO", "MAX_RISCONTRI", "RapportoRiscontri", "importa_riscontri", "in_attesa", "modera",
           "seleziona"]

MAX_COMMENTO = 500
MAX_RISCONTRI = 5000  # feedback items per file (a kiosk collects hundreds; more is a forged file)
_CONTROLLO = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
_ID = re.compile(r"[A-Za-z0-9\-_]{1,64}")  # whole: fullmatch
# Characters that show nothing and only serve to make two texts look alike or to hide words from
# a moderator: zero-width space, soft hyphen, word joiners, invisible operators, the byte order
# mark, the invisible "tag" letters (except in the flag of a region: Scotland, Wales). The
# zero-width joiner and non-joiner stay (emoji, Persian), and so do the direction marks LRM and
# RLM (an Arabic or Hebrew comment with a street name in Latin letters needs them).
_INVISIBILI = re.compile("[\u00ad\u061c\u200b\u2060-\u2064\u206a-\u206f\ufeff]")
_ETICHETTE = re.compile("[\U000e0000-\U000e007f]")
_BANDIERA = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def _senza_etichette(testo: str) -> str:
    """Tag characters removed, but where they spell a region's flag."""
    if not _ETICHETTE.search(testo):
        return testo
    pezzi, k = [], 0
    for m in _BANDIERA.finditer(testo):
        pezzi.append(_ETICHETTE.sub("", testo[k:m.start()]))
        pezzi.append(m.group(0))
        k = m.end()
    pezzi.append(_ETICHETTE.sub("", testo[k:]))
    return "".join(pezzi)


def pulisci(testo, massimo: int = MAX_COMMENTO) -> str:
    """A visitor's text: no control characters, bidirectional controls nor invisible characters,
    bounded length, trimmed."""
    testo = _CONTROLLO.sub("", str(testo or "").replace("\r\n", "\n").replace("\r", "\n"))
    return normalizza(_senza_etichette(_INVISIBILI.sub("", testo))).strip()[:massimo]


@dataclass
class RapportoRiscontri:
    """What an import of feedback did."""

    file: Path
    importati: int = 0
    gia_presenti: int = 0
    altri_comuni: dict[str, int] = field(default_factory=dict)
    respinti: list[Rifiuto] = field(default_factory=list)


def _leggi(path: Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise ImportaError(f"Il file {path} non esiste: controllare il nome e la cartella.")
    try:
        dati = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportaError(
            f"Il file {path} non è un file di riscontri leggibile (è rovinato o non è un .geojson della mostra): "
            "scaricarlo di nuovo dalla mostra con «Scarica di nuovo tutto»."
        )
    if not isinstance(dati, dict) or "mappe_riscontri" not in dati or not isinstance(dati.get("features"), list):
        raise ImportaError(
            f"Il file {path} non è un file di riscontri di una mostra di mappe: è quello scaricato "
            "con il codice del personale (riscontri-....geojson)?"
        )
    return dati


_NON_DECIFRABILE = "non_decifrabile"


def _decifra(path: Path, dati: dict, segreto: bytes) -> dict:
    """The items of a file downloaded from a kiosk, decrypted with the workspace's key.

    (Files written before feedback was encrypted, and files of a served exhibition, hold items in
    clear: they are read as they are, and go through the same checks.)
    """
    from .cifratura import decifra

    testa = dati["mappe_riscontri"] if isinstance(dati["mappe_riscontri"], dict) else {}
    if not testa.get("cifrati"):
        return dati
    mostra = str(testa.get("mostra") or "")
    voci, illeggibili = [], 0
    for f in dati["features"]:
        p = f.get("properties") if isinstance(f, dict) else None
        voce = decifra(segreto, mostra, p.get("cifrato")) if isinstance(p, dict) else None
        if voce is None:
            illeggibili += 1
            voci.append({"type": "Feature", "geometry": None, "properties": {_NON_DECIFRABILE: True}})
            continue
        geom = None
        if isinstance(voce.get("lon"), (int, float)) and isinstance(voce.get("lat"), (int, float)):
            geom = {"type": "Point", "coordinates": [voce["lon"], voce["lat"]]}
        voci.append({"type": "Feature", "geometry": geom, "properties": voce})
    if voci and illeggibili == len(voci):
        raise ImportaError(
            f"I riscontri del file {path} non si possono leggere: la mostra è stata fatta da un'altra area di "
            "lavoro (solo quella ha la chiave per decifrarli), oppure il file è rovinato. Importarlo "
            "nell'area di lavoro che ha fatto la mostra."
        )
    return {**dati, "features": voci}


def importa_riscontri(archivio: Archivio, path: Path | str, limite: int = MAX_RISCONTRI) -> RapportoRiscontri:
    """Add the feedback of one comune from a file downloaded at an exhibition, as awaiting moderation.

    Feedback about other comuni of the same exhibition is counted and left for their own
    import; the same file imported twice adds nothing. A file with more than ``limite`` items
    is refused whole (a kiosk collects hundreds: thousands are a forged file).
    """
    path = Path(path)
    dati = _leggi(path)
    if len(dati["features"]) > limite:
        n, lim = (f"{x:,}".replace(",", ".") for x in (len(dati["features"]), limite))
        raise ImportaError(
            f"Il file {path} ha {n} riscontri, più del limite di {lim} per file: una mostra non ne raccoglie "
            "tanti, il file potrebbe essere stato fabbricato. Se è davvero di una vostra mostra, importarlo con "
            "--limite N (un numero più alto)."
        )
    dati = _decifra(path, dati, archivio.segreto())
    with archivio.blocco():
        return _importa(archivio, path, dati)


class Respinto(Exception):
    """One feedback item refused: the field and why (in Italian, for the user or the log)."""

    def __init__(self, campo: str, motivo: str):
        super().__init__(motivo)
        self.campo, self.motivo = campo, motivo


@dataclass
class Regole:
    """What a feedback item of one comune is checked against: the same for a file of a kiosk
    (``riscontri importa``) and for a served exhibition (:mod:`mappe.servi`)."""

    slug: str
    nome: str
    reazioni: set
    suggerimenti: set
    ids: set  # the ids of the comune's contributions and places
    pubblici: dict  # public id -> internal id
    chiave: bytes
    zona: object  # the comune's boundary, in metres, widened by TOLLERANZA_M (prepared)
    trasforma: object  # lon/lat -> metres
    ammessi: set | None = None  # internal ids a visitor may react to (those on the page); None: all

    @classmethod
    def di(cls, archivio: Archivio, ammessi: set | None = None) -> Regole:
        from pyproj import Transformer
        from shapely import prepare

        catalogo = archivio.catalogo
        ids = set(archivio.leggi("contributi")["id"]) | set(archivio.leggi("luoghi")["id"])
        ids |= set(archivio.leggi("iniziative")["id"])  # visitors also say what they think of an initiative
        chiave = archivio.segreto()
        confine = archivio.confine().geometry.union_all()
        zona = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(CRS_METRICO).iloc[0].buffer(TOLLERANZA_M)
        prepare(zona)
        return cls(
            slug=archivio.slug, nome=archivio.nome, reazioni=set(catalogo.voci("reazione")),
            suggerimenti={k for k, v in catalogo.voci("reazione").items() if v.extra.get("suggerimento")},
            ids=ids, pubblici=indice_pubblici(chiave, ids), chiave=chiave, zona=zona,
            trasforma=Transformer.from_crs("EPSG:4326", CRS_METRICO, always_xy=True), ammessi=ammessi,
        )


_DATA = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]{5,15}(Z|[+-]\d{2}:?\d{2})?)?")  # whole: fullmatch


def _e_una_data(testo: str) -> bool:
    """An ISO date or time that exists (not 2026-99-99), of this century."""
    import datetime as dt

    if not _DATA.fullmatch(testo):
        return False
    try:
        quando = dt.datetime.fromisoformat(testo.replace("Z", "+00:00"))
    except ValueError:
        return False
    return 2000 <= quando.year <= 2100


def _testo(p: dict, campo: str, massimo: int, rigoroso: bool) -> str:
    """A text field of a visitor, cleaned; a served exhibition refuses instead of cleaning (its page
    cleans before sending: anything else is not its page)."""
    v = p.get(campo)
    if not rigoroso:
        return pulisci(v, massimo)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise Respinto(campo, f"il campo '{campo}' deve essere un testo")
    if len(v) > massimo:
        raise Respinto(campo, f"il campo '{campo}' è più lungo di {massimo} caratteri")
    if _CONTROLLO.search(v):
        raise Respinto(campo, f"il campo '{campo}' contiene caratteri di controllo")
    return pulisci(v, massimo)


def valuta(regole: Regole, p: dict, geometria, mostra: str = "", rigoroso: bool = False) -> tuple[dict, Point | None]:
    """Check one feedback item and make its row (awaiting moderation) and point.

    ``p`` holds id, su (a public id), reazione, commento, data, mostra; ``geometria`` is a GeoJSON
    point (for a suggestion tapped on the map) or None. ``rigoroso`` (a served exhibition) also
    refuses texts that are too long or hold control characters, ids that are not on the page, and
    dates that are not dates. Raises :class:`Respinto`.
    """
    id_ = p.get("id")
    if not isinstance(id_, str) or not _ID.fullmatch(id_):
        raise Respinto("id", "il codice del riscontro manca o non è valido")
    su = _testo(p, "su", 64, rigoroso)
    if su in regole.pubblici:
        su = regole.pubblici[su]
    elif not rigoroso and ID_CONTENUTO_VECCHIO.match(su) and id_con_chiave(regole.chiave, su) in regole.ids:
        su = id_con_chiave(regole.chiave, su)  # an exhibition made before ids were keyed
    elif su and rigoroso:
        su = "?"  # a served page sends public ids only
    reazione = _testo(p, "reazione", 40, rigoroso)
    commento = _testo(p, "commento", MAX_COMMENTO, rigoroso)
    if reazione and reazione not in regole.reazioni:
        raise Respinto("reazione", f"la reazione '{reazione}' non è nel catalogo")
    if not reazione and not commento:
        raise Respinto("commento", "riscontro vuoto: né reazione né commento")
    geom = None
    if su:
        if su not in regole.ids or (regole.ammessi is not None and su not in regole.ammessi):
            raise Respinto("su", f"il contributo, luogo o iniziativa '{p.get('su')}' non esiste in {regole.nome}"
                           + ("" if rigoroso else ": la mostra è stata fatta con dati poi cancellati?"))
        if reazione and reazione in regole.suggerimenti:
            raise Respinto("reazione", "una segnalazione va messa sulla mappa, non su un contributo")
    else:
        try:
            lon, lat = (float(x) for x in geometria["coordinates"][:2])
            if not (math.isfinite(lon) and math.isfinite(lat)):
                raise ValueError
            geom = Point(lon, lat)
        except (TypeError, KeyError, ValueError, IndexError, OverflowError):
            raise Respinto("geometria", "una segnalazione sulla mappa deve avere il punto") from None
        x, y = regole.trasforma.transform(lon, lat)
        if not (math.isfinite(x) and math.isfinite(y)) or not regole.zona.contains(Point(x, y)):
            raise Respinto("geometria", f"il punto è fuori dal comune di {regole.nome}")
        if reazione and reazione not in regole.suggerimenti:
            raise Respinto("reazione", "una segnalazione sulla mappa non è una reazione")
    data = _testo(p, "data", 32, rigoroso)
    if rigoroso and data and not _e_una_data(data):
        raise Respinto("data", "la data non è una data (AAAA-MM-GG)")
    riga = {
        "id": id_, "su": su or None, "reazione": reazione or None, "commento": commento or None,
        "data": data or None, "mostra": _testo(p, "mostra", 64, rigoroso) or pulisci(mostra, 64) or None,
        "stato": "in_attesa",
    }
    return riga, geom


def _importa(archivio: Archivio, path: Path, dati: dict) -> RapportoRiscontri:
    rapporto = RapportoRiscontri(path)
    # Pages carry public ids: map them back to the store's (and codes of an exhibition made before
    # ids were keyed to their keyed form).
    regole = Regole.di(archivio)
    esistenti = archivio.leggi("riscontri")
    gia = set(esistenti["id"])
    mostra_file = str(dati["mappe_riscontri"].get("mostra", "")) if isinstance(dati["mappe_riscontri"], dict) else ""
    nuovi, geometrie = [], []
    for numero, f in enumerate(dati["features"], start=1):
        p = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(p, dict):
            rapporto.respinti.append(Rifiuto(numero, "", "non è un riscontro (manca properties)"))
            continue
        if p.get(_NON_DECIFRABILE):
            rapporto.respinti.append(Rifiuto(numero, "", "non si può decifrare (rovinato, o cifrato per un'altra "
                                             "area di lavoro)"))
            continue
        comune = pulisci(p.get("comune"), 64)
        if comune and comune != archivio.slug:
            rapporto.altri_comuni[comune] = rapporto.altri_comuni.get(comune, 0) + 1
            continue
        if isinstance(p.get("id"), str) and p["id"] in gia:
            rapporto.gia_presenti += 1
            continue
        try:
            riga, geom = valuta(regole, {**p, "id": str(p.get("id") or "")}, f.get("geometry"), mostra_file)
        except Respinto as e:
            rapporto.respinti.append(Rifiuto(numero, e.campo, e.motivo))
            continue
        nuovi.append(riga)
        geometrie.append(geom)
        gia.add(riga["id"])
    rapporto.importati = len(nuovi)
    if nuovi:
        agg = gpd.GeoDataFrame(pd.DataFrame(nuovi), geometry=geometrie, crs="EPSG:4326")
        tabella = gpd.GeoDataFrame(pd.concat([esistenti, agg], ignore_index=True), crs="EPSG:4326")
        archivio.scrivi({"riscontri": tabella}, "riscontri importati",
                        f"{path.name}: {len(nuovi)} riscontri in attesa di moderazione", len(nuovi))
    return rapporto


def in_attesa(archivio: Archivio) -> pd.DataFrame:
    """The feedback awaiting moderation, with what it refers to."""
    r = archivio.leggi("riscontri")
    r = r[r["stato"].fillna("in_attesa") == "in_attesa"].copy()
    c = archivio.leggi("contributi").set_index("id")
    lg = archivio.leggi("luoghi").set_index("id")
    ini = archivio.leggi("iniziative").set_index("id")

    def oggetto(su):
        if not su:
            return "(nuova segnalazione sulla mappa)"
        if su in c.index:
            x = c.loc[su]
            return f"{x['tipo']}: {x['titolo'] or (x['testo'] or '')[:60]}"
        if su in lg.index:
            return f"luogo: {lg.loc[su, 'nome']}"
        if su in ini.index:
            return f"iniziativa: {ini.loc[su, 'nome']}"
        return su

    r["oggetto"] = [oggetto(s) for s in r["su"]]
    return r


def seleziona(archivio: Archivio, file: Path | str | None = None, dal: str | None = None, al: str | None = None,
              mostra: str | None = None) -> list[str]:
    """The ids of the feedback awaiting moderation that came with ``file``, was left between ``dal``
    and ``al`` (ISO dates, both included) or at exhibition ``mostra``: for moderation in bulk."""
    r = archivio.leggi("riscontri")
    r = r[r["stato"].fillna("in_attesa") == "in_attesa"]
    if file is not None:
        dati = _decifra(Path(file), _leggi(Path(file)), archivio.segreto())
        ids = {str((f.get("properties") or {}).get("id") or "") for f in dati["features"] if isinstance(f, dict)}
        r = r[r["id"].isin(ids)]
    if mostra:
        r = r[r["mostra"] == mostra]
    giorni = r["data"].fillna("").str[:10]
    if dal:
        r = r[giorni.loc[r.index] >= dal]
    if al:
        r = r[giorni.loc[r.index] <= al]
    return r["id"].tolist()


def modera(archivio: Archivio, approva=(), respingi=()) -> tuple[int, int]:
    """Approve and reject feedback by id, in one write. Returns (approved, rejected)."""
    approva, respingi = list(approva), list(respingi)
    doppi = set(approva) & set(respingi)
    if doppi:
        raise MappeError(f"Il riscontro {min(doppi)} è sia da approvare sia da respingere: sceglierne una.")
    with archivio.blocco():
        return _modera(archivio, approva, respingi)


def _interni(archivio: Archivio, ids: list) -> list:
    """Feedback ids as the store has them (a public id, from a public export, is mapped back)."""
    noti = set(archivio.leggi("riscontri")["id"])
    pubblici = indice_pubblici(archivio.segreto(), noti) if any(i not in noti for i in ids) else {}
    return [i if i in noti else pubblici.get(i, i) for i in ids]


def _modera(archivio: Archivio, approva: list, respingi: list) -> tuple[int, int]:
    approva, respingi = _interni(archivio, approva), _interni(archivio, respingi)
    r = archivio.leggi("riscontri")
    noti = set(r["id"])
    ignoti = [i for i in approva + respingi if i not in noti]
    if ignoti:
        raise MappeError(
            f"Il riscontro '{ignoti[0]}' non esiste in {archivio.nome}: vedere i codici con "
            f"'mappe riscontri modera {per_comando(archivio.nome)}'."
        )
    if not approva and not respingi:
        return 0, 0
    r.loc[r["id"].isin(approva), "stato"] = "approvato"
    r.loc[r["id"].isin(respingi), "stato"] = "respinto"
    archivio.scrivi({"riscontri": r}, "moderazione", f"{len(approva)} approvati, {len(respingi)} respinti",
                    len(approva) + len(respingi))
    return len(approva), len(respingi)


def promuovi(archivio: Archivio, id_: str, come: str | None = None, tema: str | None = None,
             nome: str | None = None, categoria: str = "altro") -> tuple[str, str]:
    """Turn an approved suggestion tapped on the map into a proposal or a place.

    The feedback stays, now pointing at what it became (``su``). Returns the layer and the new id.
    """
    import uuid

    with archivio.blocco():
        id_ = _interni(archivio, [id_])[0]
        ris = archivio.leggi("riscontri")
        righe = ris.index[ris["id"] == id_]
        if not len(righe):
            raise MappeError(f"Il riscontro '{id_}' non esiste in {archivio.nome}: vedere i codici con "
                             f"'mappe riscontri modera {per_comando(archivio.nome)} --elenco'.")
        k = righe[0]
        r = ris.loc[k]
        if r["su"]:
            raise MappeError(f"Il riscontro '{id_}' è una reazione a '{r['su']}', non una segnalazione sulla mappa: "
                             "non c'è niente da promuovere.")
        if r["stato"] != "approvato":
            raise MappeError(f"Il riscontro '{id_}' non è approvato: approvarlo prima con "
                             f"'mappe riscontri modera {per_comando(archivio.nome)} --approva {id_}'.")
        if r.geometry is None:
            raise MappeError(f"Il riscontro '{id_}' non ha un punto sulla mappa.")
        come = come or ("luogo" if r["reazione"] == "manca_un_luogo" else "proposta")
        catalogo = archivio.catalogo
        nuovo = f"{come[0]}-{uuid.uuid4().hex[:16]}"
        if come == "proposta":
            if not tema or tema not in catalogo.voci("tema"):
                raise MappeError("Per farne una proposta serve il tema: --tema, uno di " + ", ".join(catalogo.voci("tema")) + ".")
            c = archivio.leggi("contributi")
            riga = {"id": nuovo, "tipo": "proposta", "tema": tema, "titolo": None, "testo": r["commento"],
                    "peso": 1, "visibilita": "pubblico", "sensibile": 0, "consenso": "scritto",
                    "note": f"Dalla segnalazione {id_} di una mostra"}
            nuova = gpd.GeoDataFrame(pd.DataFrame([riga]), geometry=[r.geometry], crs="EPSG:4326")
            strati = {"contributi": gpd.GeoDataFrame(pd.concat([c, nuova], ignore_index=True), crs="EPSG:4326")}
        elif come == "luogo":
            if categoria not in catalogo.voci("categoria"):
                raise MappeError("La categoria non esiste: usare una di " + ", ".join(catalogo.voci("categoria")) + ".")
            lg = archivio.leggi("luoghi")
            riga = {"id": nuovo, "nome": nome or (r["commento"] or "Luogo segnalato")[:60], "categoria": categoria,
                    "descrizione": r["commento"]}
            nuova = gpd.GeoDataFrame(pd.DataFrame([riga]), geometry=[r.geometry], crs="EPSG:4326")
            strati = {"luoghi": gpd.GeoDataFrame(pd.concat([lg, nuova], ignore_index=True), crs="EPSG:4326")}
        else:
            raise MappeError("--come vuole 'proposta' oppure 'luogo'.")
        ris.at[k, "su"] = nuovo
        strati["riscontri"] = ris
        archivio.scrivi(strati, "promuovi", f"segnalazione {id_} diventata {come} {nuovo}", 1)
    return ("contributi" if come == "proposta" else "luoghi"), nuovo
