"""Correcting and erasing: change one row, remove rows, and honour a request to be forgotten.

An erasure ("oblio") removes the rows from the store *and* from every kept version, compacts
the files so that the words are not left in free pages, and lists the files exported while
those rows existed, so that staff can replace them. The history records that it happened and
how many rows, never what they said.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from shapely.geometry import Point

from .archivio import Archivio, Area, _scrivi_atomico, _scrivi_strato, _utente, conforma
from .errori import MappeError

__all__ = ["STRATI_MODIFICABILI", "Eliminazione", "cerca_autore", "elimina", "esportazioni_con", "modifica",
           "registra_esportazione", "riferimenti", "trova"]

STRATI_MODIFICABILI = ("contributi", "luoghi", "incontri", "riscontri")


def trova(archivio: Archivio, id_: str) -> tuple[str, int]:
    """The layer and the position of the row with this id."""
    for strato in STRATI_MODIFICABILI:
        ids = archivio.leggi(strato)["id"].tolist()
        if id_ in ids:
            return strato, ids.index(id_)
    raise MappeError(
        f"In {archivio.nome} non c'è niente con il codice '{id_}': i codici si vedono con "
        f"'mappe esporta {archivio.slug} -o elenco.xlsx'."
    )


def modifica(archivio: Archivio, id_: str, valori: dict[str, str]) -> tuple[str, dict]:
    """Change some fields of one row, with the same checks as an import. Returns the layer and the changes."""
    from .importa import _controlla_punto, _Scarto, _Validatore

    with archivio.blocco():
        strato, pos = trova(archivio, id_)
        s = archivio.catalogo.strati[strato]
        df = archivio.leggi(strato)
        val = _Validatore(archivio.catalogo, s)
        cambi = {}
        lon, lat = valori.pop("lon", None), valori.pop("lat", None)
        for nome, grezzo in valori.items():
            if nome == "id" or nome not in s.campi:
                raise MappeError(
                    f"Il campo '{nome}' non si può cambiare: i campi di {strato} sono "
                    f"{', '.join(c for c in s.campi if c != 'id')}."
                )
            try:
                cambi[nome] = val.valore(s.campi[nome], grezzo)
            except ValueError as e:
                raise MappeError(f"{id_}, campo '{nome}': {e}.") from None
        if (lon is None) != (lat is None):
            raise MappeError("Per spostare servono sia --lon sia --lat.")
        if lon is not None:
            if not s.geometria:
                raise MappeError(f"Lo strato {strato} non ha posizioni.")
            try:
                x, y = float(str(lon).replace(",", ".")), float(str(lat).replace(",", "."))
                _controlla_punto(x, y)
            except (ValueError, _Scarto) as e:
                raise MappeError(f"{id_}: le coordinate non vanno bene ({getattr(e, 'motivo', e)}).") from None
            cambi["geometry"] = Point(x, y)
        if not cambi:
            raise MappeError("Niente da cambiare: indicare almeno un campo, per esempio --tema lavoro.")
        for nome, v in cambi.items():
            df.at[pos, nome] = v
        archivio.scrivi({strato: df}, "modifica", f"{strato} {id_}: {', '.join(sorted(cambi))}", 1)
    return strato, cambi


@dataclass
class Eliminazione:
    """What an erasure did."""

    righe: dict[str, int] = field(default_factory=dict)  # layer -> rows removed
    versioni: int = 0  # kept versions cleaned
    esportazioni: list[dict] = field(default_factory=list)  # exported files that held the rows


def riferimenti(archivio: Archivio, ids: set[str]) -> dict[str, list[str]]:
    """Which rows refer to the rows being removed: {id removed: [ids that refer to it]}."""
    c = archivio.leggi("contributi")
    ref: dict[str, list[str]] = {}
    for r in c.itertuples():
        if r.id in ids:
            continue
        for campo in ("luogo", "incontro"):
            v = getattr(r, campo)
            if v in ids:
                ref.setdefault(v, []).append(r.id)
    inc = archivio.leggi("incontri")
    for r in inc.itertuples():
        if r.luogo in ids and r.id not in ids:
            ref.setdefault(r.luogo, []).append(r.id)
    return ref


def _togli(strati: dict[str, pd.DataFrame], ids: set[str], scollega: bool) -> dict[str, int]:
    """Remove rows by id from a set of layers (as read from a store); unlink what pointed to them."""
    tolte = {}
    for nome, df in strati.items():
        if nome not in STRATI_MODIFICABILI or "id" not in df.columns:
            continue
        via = df["id"].isin(ids)
        if nome == "riscontri" and "su" in df.columns:
            via |= df["su"].isin(ids)  # feedback about a removed row goes with it
        if via.any():
            tolte[nome] = int(via.sum())
            strati[nome] = df[~via].reset_index(drop=True)
    c = strati.get("contributi")
    if c is not None:
        c = c.copy()
        if "risponde_a" in c.columns:
            c["risponde_a"] = c["risponde_a"].map(
                lambda v: "|".join(x for x in v.split("|") if x not in ids) or None if isinstance(v, str) else v)
        if scollega:
            for campo in ("luogo", "incontro"):
                if campo in c.columns:
                    c.loc[c[campo].isin(ids), campo] = None
        strati["contributi"] = c
    inc = strati.get("incontri")
    if inc is not None and scollega and "luogo" in inc.columns:
        inc = inc.copy()
        inc.loc[inc["luogo"].isin(ids), "luogo"] = None
        strati["incontri"] = inc
    return tolte


def _compatta(path: Path) -> None:
    """Rewrite the SQLite file so that removed rows leave no trace in free pages."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA secure_delete=ON")
        con.execute("VACUUM")
    finally:
        con.close()


def _pulisci_versione(archivio: Archivio, versione: Path, ids: set[str]) -> bool:
    """Remove the rows from one kept version, in place but all-or-nothing."""
    strati = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for nome in STRATI_MODIFICABILI:
            try:
                strati[nome] = pyogrio.read_dataframe(versione, layer=nome, use_arrow=True,
                                                      read_geometry=archivio.catalogo.strati[nome].geometria)
            except Exception:  # noqa: BLE001, S112 - an old version without this layer
                continue
    presenti = any(df["id"].isin(ids).any() or ("su" in df.columns and df["su"].isin(ids).any())
                   for df in strati.values() if "id" in df.columns)
    if not presenti:
        return False
    _togli(strati, ids, scollega=True)

    def scrivi(tmp: Path) -> None:
        for nome, df in strati.items():
            _scrivi_strato(tmp, nome, conforma(archivio.catalogo.strati[nome], df))
        _compatta(tmp)

    _scrivi_atomico(versione, scrivi, None)
    return True


def elimina(area: Area, archivio: Archivio, ids: list[str], scollega: bool = False, oblio: bool = False) -> Eliminazione:
    """Remove rows (contributions, places, sessions, feedback) by id.

    A place or session that contributions refer to is removed only with ``scollega`` (the
    contributions stay, without the link). With ``oblio`` the rows also leave every kept
    version of the store, and the files exported with them are listed.
    """
    ids_set = set(ids)
    with archivio.blocco():
        strati = {n: archivio.leggi(n) for n in STRATI_MODIFICABILI}
        noti = set().union(*(set(df["id"]) for df in strati.values()))
        ignoti = [i for i in ids if i not in noti]
        if ignoti:
            raise MappeError(f"In {archivio.nome} non c'è niente con il codice '{ignoti[0]}': niente è stato eliminato.")
        ref = riferimenti(archivio, ids_set)
        if ref and not scollega:
            primo, chi = next(iter(ref.items()))
            raise MappeError(
                f"'{primo}' è citato da {len(chi)} contributi o incontri ({', '.join(chi[:5])}"
                f"{'...' if len(chi) > 5 else ''}): per eliminarlo lo stesso, e lasciarli senza quel "
                "collegamento, aggiungere --scollega."
            )
        esito = Eliminazione()
        esito.righe = _togli(strati, ids_set, scollega)
        n = sum(esito.righe.values())
        dettagli = ", ".join(f"{k}: {v}" for k, v in esito.righe.items())

        def scrivi(tmp: Path) -> None:
            for nome, df in strati.items():
                _scrivi_strato(tmp, nome, conforma(archivio.catalogo.strati[nome], df))
            if oblio:
                _compatta(tmp)

        if oblio:
            # The current file is rewritten without them, and so is every kept version: `annulla`
            # cannot bring them back.
            _scrivi_atomico(archivio.gpkg, scrivi, None)
            for versione in sorted(archivio.cartella_versioni.glob("*.gpkg")) if archivio.cartella_versioni.exists() else []:
                if _pulisci_versione(archivio, versione, ids_set):
                    esito.versioni += 1
            archivio._registra("oblio", f"{n} righe cancellate per sempre ({dettagli}), anche da {esito.versioni} "
                               "versioni conservate", n, None)
            esito.esportazioni = esportazioni_con(area, archivio.slug, ids_set)
        else:
            archivio.scrivi(strati, "elimina", f"{n} righe ({dettagli})", n)
    archivio.__dict__.pop("info", None)
    return esito


# --- Which files hold which rows: every export records it ----------------------------------

def _registro(area: Area) -> Path:
    return area.cartella / ".mappe" / "esportazioni.jsonl"


def registra_esportazione(area: Area, percorso: Path, tipo: str, contenuto: dict[str, list[str]]) -> None:
    """Record that ``percorso`` was written with these rows ({comune slug: [ids]})."""
    cartella = area.cartella / ".mappe" / "esportazioni"
    cartella.mkdir(parents=True, exist_ok=True)
    quando = dt.datetime.now()
    nome = f"{quando:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}.json"
    (cartella / nome).write_text(json.dumps(contenuto), encoding="utf-8")
    voce = {"quando": quando.isoformat(timespec="seconds"), "utente": _utente(), "tipo": tipo,
            "file": str(Path(percorso).resolve()), "comuni": {k: len(v) for k, v in contenuto.items()},
            "contenuto": nome}
    with open(_registro(area), "a", encoding="utf-8") as f:
        f.write(json.dumps(voce, ensure_ascii=False) + "\n")


def esportazioni_con(area: Area, slug: str, ids: set[str]) -> list[dict]:
    """The recorded exports that held any of these rows of a comune."""
    if not _registro(area).exists():
        return []
    trovate = []
    for riga in _registro(area).read_text(encoding="utf-8").splitlines():
        try:
            voce = json.loads(riga)
            contenuto = json.loads((area.cartella / ".mappe" / "esportazioni" / voce["contenuto"]).read_text("utf-8"))
        except (ValueError, OSError, KeyError):
            continue
        if ids & set(contenuto.get(slug, [])):
            trovate.append(voce)
    return trovate


def _norm(testo) -> str:
    s = unicodedata.normalize("NFKD", str(testo or ""))
    return " ".join("".join(c for c in s if not unicodedata.combining(c)).lower().split())


def cerca_autore(area: Area, autore: str) -> pd.DataFrame:
    """Every contribution of one participant (by the private ``autore`` field), across comuni."""
    chi = _norm(autore)
    if len(chi) < 2:
        raise MappeError("Scrivere il nome (o la sigla) della persona, almeno 2 lettere.")
    righe = []
    for a in area.archivi():
        c = a.leggi("contributi")
        if "autore" not in c.columns:
            continue
        for r in c[c["autore"].map(_norm) == chi].itertuples():
            righe.append({"comune": a.slug, "id": r.id, "tipo": r.tipo, "tema": r.tema,
                          "inizio": (r.titolo or r.testo or "")[:50]})
    return pd.DataFrame(righe, columns=["comune", "id", "tipo", "tema", "inizio"])

