"""Correcting and erasing: change one row, remove rows, and honour a request to be forgotten.

An erasure ("oblio") leaves nothing of what it erases anywhere in the workspace's own files:

- the rows leave the store *and* every kept version (also rows that a normal ``elimina`` had
  already removed from the store, which the versions still held), so ``annulla`` cannot bring
  them back;
- a person's name, phone or contact leaves every person field (``autore``, ``referente``,
  ``facilitatori`` and any catalogue field marked ``persona = true``): the contributions that
  person said are removed, the other values that name them are blanked; free texts that mention
  the name are listed for the user to edit (never edited automatically), and once edited in the
  store their old wording leaves the kept versions too;
- layers added to a GeoPackage by hand (a copy saved from QGIS) lose the rows that hold what is
  erased;
- the history and the registry of exported files keep no erased text or name (the history says
  that an erasure happened and how many rows, never what they said), and every file is
  compacted so that nothing is left in its free pages.

Files written for people (maps, exhibitions, exports, reports) are listed from the registry that
every export writes; with ``anche_file`` the listed files are deleted as well.
"""

from __future__ import annotations

import json
import re
import sqlite3
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from shapely.geometry import Point

from .archivio import (
    Archivio,
    Area,
    _scrivi_atomico,
    _scrivi_strato,
    _segna_lapidi,
    _sostituisci_file,
    compatta,
    conforma,
    leggi_lapidi,
    scrivi_foto,
)
from .errori import MappeError
from .pubblico import ID_CONTENUTO_VECCHIO, id_con_chiave, indice_pubblici
from .registro import esportazioni_con, file_registro, impronta_file
from .testo import normalizza, per_comando, piega, quanti, righe_per_strato

__all__ = ["STRATI_MODIFICABILI", "Eliminazione", "Tracce", "cerca_persona", "dimentica_persona", "elimina",
           "id_interno", "modifica", "riferimenti", "trova"]

STRATI_MODIFICABILI = ("contributi", "luoghi", "incontri", "riscontri", "iniziative")
# Tables of a store that belong to mappe; anything else in the GeoPackage was added by hand.
_TABELLE_MAPPE = (*STRATI_MODIFICABILI, "confine", "comune", "popolazione", "lapidi", "foto")
CANCELLATO = "[cancellato]"


def id_interno(archivio: Archivio, id_: str) -> str:
    """The store's own id for ``id_``, which may be a public id (from a public export or a map)."""
    id_ = str(id_).strip()
    ids = []
    for strato in STRATI_MODIFICABILI:
        ids += archivio.leggi(strato)["id"].tolist()
    if id_ in ids:
        return id_
    chiave = archivio.segreto()
    pubblici = indice_pubblici(chiave, ids)
    if id_ in pubblici:
        return pubblici[id_]
    if ID_CONTENUTO_VECCHIO.match(id_) and id_con_chiave(chiave, id_) in ids:
        return id_con_chiave(chiave, id_)  # a code written down before ids were keyed
    return id_


def trova(archivio: Archivio, id_: str) -> tuple[str, int]:
    """The layer and the position of the row with this id (internal or public)."""
    id_ = id_interno(archivio, id_)
    for strato in STRATI_MODIFICABILI:
        ids = archivio.leggi(strato)["id"].tolist()
        if id_ in ids:
            return strato, ids.index(id_)
    raise MappeError(
        f"In {archivio.nome} non c'è niente con il codice '{id_}': cercare il codice con "
        f"'mappe cerca {per_comando(archivio.nome)} PAROLE' (o vederli tutti con 'mappe esporta "
        f"{per_comando(archivio.nome)} -o elenco.xlsx')."
    )


def modifica(archivio: Archivio, id_: str, valori: dict[str, str]) -> tuple[str, dict]:
    """Change some fields of one row, with the same checks as an import. Returns the layer and the changes."""
    from .importa import _controlla_punto, _Scarto, _Validatore

    with archivio.blocco():
        strato, pos = trova(archivio, id_)
        s = archivio.catalogo.strati[strato]
        df = archivio.leggi(strato)
        id_ = df.at[pos, "id"]
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
                cambi[nome] = val.valore(s.campi[nome], normalizza(grezzo) if isinstance(grezzo, str) else grezzo)
            except ValueError as e:
                raise MappeError(f"{id_}, campo '{nome}': {e}.") from None
            if nome == "foto" and cambi[nome]:
                # here only photos the store keeps (to reorder, or to take one off); new ones are read,
                # cleaned and shrunk by 'mappe importa'
                ignote = [x for x in cambi[nome].split("|") if x not in archivio.foto_presenti()]
                if ignote:
                    raise MappeError(f"{id_}, campo 'foto': '{ignote[0]}' non è una foto dell'archivio: le foto nuove si "
                                     "aggiungono con 'mappe importa' (colonna foto) o dall'editor (mappe rilievo).")
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
        if ("stato" in cambi or "tipo" in cambi) and strato in ("contributi", "iniziative"):
            from .seguito import controlla_stato, segna_tappa

            vecchia = df.iloc[pos].to_dict()
            nuova = {**vecchia, **cambi}
            perche = controlla_stato(nuova, strato)
            if perche:
                raise MappeError(f"{id_}: {perche}.")
            if strato == "contributi":
                segna_tappa(nuova, vecchia)
            cambi.update({c: nuova.get(c) for c in ("data_stato", "tappe") if c in df.columns and
                          nuova.get(c) != vecchia.get(c)})
        if strato == "iniziative" and {"risponde_a", "promotore", "referente"} & set(cambi):
            from .importa import controlla_iniziativa, regole_iniziative

            nuova = {**df.iloc[pos].to_dict(), **cambi}
            try:
                controlla_iniziativa(nuova, *regole_iniziative(archivio))
            except _Scarto as e:
                raise MappeError(f"{id_}, campo '{e.campo}': {e.motivo}.") from None
            if "risponde_a" in cambi:
                cambi["risponde_a"] = nuova["risponde_a"]
        for nome, v in cambi.items():
            df.at[pos, nome] = v
        archivio.scrivi({strato: df}, "modifica", f"{strato} {id_}: {', '.join(sorted(cambi))}", 1)
    return strato, cambi


@dataclass
class Eliminazione:
    """What an erasure did."""

    righe: dict[str, int] = field(default_factory=dict)  # layer -> rows removed from the store
    righe_versioni: int = 0  # rows that only kept versions still held (deleted before), removed there
    versioni: int = 0  # kept versions cleaned
    esportazioni: list[dict] = field(default_factory=list)  # exported files that held the rows
    svuotati: int = 0  # person values blanked
    a_mano: dict[str, int] = field(default_factory=dict)  # layer added by hand -> rows removed
    file_cancellati: list[str] = field(default_factory=list)
    file_cambiati: list[str] = field(default_factory=list)  # listed, but changed since: not deleted
    cercati: dict[str, set] = field(default_factory=dict)  # comune -> ids whose exported files were looked for


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
    for nome in ("incontri", "iniziative"):
        for r in archivio.leggi(nome).itertuples():
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
    ini = strati.get("iniziative")
    if ini is not None and len(ini):
        ini = ini.copy()
        if "risponde_a" in ini.columns:  # an initiative stays when what it answered goes
            ini["risponde_a"] = ini["risponde_a"].map(
                lambda v: "|".join(x for x in v.split("|") if x not in ids) or None if isinstance(v, str) else v)
        if scollega and "luogo" in ini.columns:
            ini.loc[ini["luogo"].isin(ids), "luogo"] = None
        strati["iniziative"] = ini
    inc = strati.get("incontri")
    if inc is not None and scollega and "luogo" in inc.columns:
        inc = inc.copy()
        inc.loc[inc["luogo"].isin(ids), "luogo"] = None
        strati["incontri"] = inc
    return tolte


# --- Who a person is, found in any person field -------------------------------------------

def _cifre(testo) -> str:
    """The digits of a phone number, without the Italian prefix (+39, 0039)."""
    cifre = re.sub(r"\D", "", str(testo or ""))
    for prefisso in ("0039", "39"):
        if cifre.startswith(prefisso) and len(cifre) - len(prefisso) >= 9:
            return cifre[len(prefisso):]
    return cifre


class Persona:
    """How a name (or a phone number) given by the user is recognised in the data.

    A name matches a value that holds all its words as whole words, in any order ("Rossignoli
    Maria" as registers write it matches "Maria Rossignoli"); letter case and accents do not count.
    A phone number matches by its digits, with or without spaces and the +39 prefix.
    """

    def __init__(self, chi: str):
        self.chi = str(chi).strip()
        self.norm = piega(chi)
        self.cifre = _cifre(chi)
        if len(self.norm) < 2:
            raise MappeError("Scrivere il nome (o la sigla, o il telefono) della persona, almeno 2 lettere.")
        self.telefono = len(self.cifre) >= 6 and len(self.cifre) * 2 >= len(self.norm.replace(" ", ""))
        parole = [p for p in re.split(r"[^\w]+", self.norm) if p] or [self.norm]
        self._parole = [re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)") for p in parole]
        self.una_parola = len(parole) == 1 and not self.telefono

    def in_valore(self, valore) -> bool:
        """Whether a value names this person (every word of the name, or the phone number)."""
        if not isinstance(valore, str) or not valore.strip():
            return False
        if self.telefono:
            return self.cifre in _cifre(valore) or self.cifre in re.sub(r"\D", "", valore)
        piegato = piega(valore)
        return all(p.search(piegato) for p in self._parole)

    in_testo = in_valore


def _campi_persona(archivio: Archivio, strato: str) -> list[str]:
    return archivio.catalogo.strati[strato].persone if strato in archivio.catalogo.strati else []


def _campi_liberi(archivio: Archivio, strato: str) -> list[str]:
    """Free texts of a layer (words of people and notes), where a name may be mentioned."""
    s = archivio.catalogo.strati[strato]
    persone = set(s.persone)
    return [c.nome for c in s.campi.values() if c.tipo == "testo" and c.nome not in persone
            and c.nome not in ("id", "incontro", "luogo", "risponde_a", "su", "mostra")]


@dataclass
class Tracce:
    """Where a person appears in the workspace (what :func:`dimentica_persona` would erase)."""

    persona: Persona
    detti: list[dict] = field(default_factory=list)  # contributions said by the person: removed
    campi: list[dict] = field(default_factory=list)  # person values naming them: blanked
    menzioni: list[dict] = field(default_factory=list)  # free texts naming them: to edit by hand
    solo_versioni: int = 0  # rows of kept versions only (deleted before) that still name them
    storia: int = 0  # comuni whose history names them
    a_mano: list[str] = field(default_factory=list)  # layers added by hand that name them

    @property
    def vuote(self) -> bool:
        return not (self.detti or self.campi or self.menzioni or self.solo_versioni or self.storia or self.a_mano)


def _leggi_strati(archivio: Archivio, path: Path) -> dict[str, pd.DataFrame]:
    """The layers of mappe held by a store file (the current one or a kept version)."""
    strati = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        presenti = {n for n, _ in pyogrio.list_layers(path)}
        for nome in STRATI_MODIFICABILI:
            if nome in presenti:
                df = pyogrio.read_dataframe(path, layer=nome, use_arrow=True,
                                            read_geometry=archivio.catalogo.strati[nome].geometria)
                strati[nome] = conforma(archivio.catalogo.strati[nome], df)
    return strati


def _versioni(archivio: Archivio) -> list:
    return archivio.versioni_conservate()


def _nomina(archivio: Archivio, strati: dict, persona: Persona):
    """Rows of a file's layers that name the person: (layer, id, field, kind, value)."""
    for nome, df in strati.items():
        for campo in _campi_persona(archivio, nome):
            if campo in df.columns:
                for id_, v in zip(df["id"].tolist(), df[campo].tolist()):
                    if persona.in_valore(v):
                        yield nome, id_, campo, "detto" if campo == "autore" else "campo", v
        for campo in _campi_liberi(archivio, nome):
            if campo in df.columns:
                for id_, v in zip(df["id"].tolist(), df[campo].tolist()):
                    if persona.in_testo(v):
                        yield nome, id_, campo, "menzione", v


def cerca_persona(area: Area, chi: str) -> Tracce:
    """Every trace of a person (by name, initials or phone) in every comune: store, kept
    versions, history, layers added by hand. Nothing is changed."""
    persona = Persona(chi)
    tracce = Tracce(persona)
    for a in area.archivi():
        correnti = a.strati_correnti()
        visti = set()
        for nome, id_, campo, tipo, v in _nomina(a, correnti, persona):
            voce = {"comune": a.slug, "strato": nome, "id": id_, "campo": campo, "valore": v}
            if tipo == "detto" and nome == "contributi":
                riga = correnti[nome].set_index("id").loc[id_]
                voce.update(tipo=riga["tipo"], tema=riga["tema"], inizio=(riga["titolo"] or riga["testo"] or "")[:50])
                tracce.detti.append(voce)
            elif tipo == "menzione":
                tracce.menzioni.append(voce)
            else:
                tracce.campi.append(voce)
            visti.add((nome, id_, campo))
        attuali = correnti.get("contributi")
        attuali = attuali.set_index("id") if attuali is not None else None
        for v in _versioni(a):
            for nome, id_, campo, tipo, valore in _nomina(a, a.strati_versione(v), persona):
                if (nome, id_, campo) in visti:
                    continue
                visti.add((nome, id_, campo))
                if tipo == "detto" and nome == "contributi" and attuali is not None and id_ in attuali.index:
                    # the author was changed since: the words are still theirs, and go
                    riga = attuali.loc[id_]
                    tracce.detti.append({"comune": a.slug, "strato": nome, "id": id_, "campo": campo,
                                         "valore": valore, "tipo": riga["tipo"], "tema": riga["tema"],
                                         "inizio": (riga["titolo"] or riga["testo"] or "")[:50]})
                else:
                    tracce.solo_versioni += 1
        if persona.in_testo(a.testo_storia()):
            tracce.storia += 1
        for tabella in a.tabelle_a_mano():
            if any(a.righe_a_mano(tabella, [persona.chi], set(), persona)):
                tracce.a_mano.append(f"{a.slug}: {tabella}")
    return tracce


# --- Applying an erasure to one file ------------------------------------------------------

@dataclass
class _Piano:
    """What to erase from every file of one comune."""

    ids: set[str] = field(default_factory=set)  # rows removed
    persona: Persona | None = None  # person values blanked, and what they said removed
    correnti: dict | None = None  # the store's layers after the erasure (for kept versions)
    testi: list[str] = field(default_factory=list)  # exact texts that must leave no trace
    solo_versioni: set = field(default_factory=set)  # ids removed that only kept versions held
    ids_correnti: set = field(default_factory=set)  # ids the store held before the erasure
    compatta: bool = False  # on PostgreSQL: VACUUM FULL (rewrites the tables) rather than VACUUM


def _applica(archivio: Archivio, strati: dict, piano: _Piano, versione: bool, esito: Eliminazione) -> bool:
    """Apply ``piano`` to the layers of one file, in place. Returns whether anything changed."""
    cambiato = False
    ids = set(piano.ids)
    persona = piano.persona
    if persona is not None:
        c = strati.get("contributi")
        if c is not None and "autore" in c.columns:
            ids |= {i for i, v in zip(c["id"].tolist(), c["autore"].tolist()) if persona.in_valore(v)}
    if ids:
        if versione:
            nel_file = set().union(*(set(df["id"][df["id"].isin(ids)]) for df in strati.values() if "id" in df))
            piano.solo_versioni |= nel_file - piano.ids_correnti
        tolte = _togli(strati, ids, scollega=True)
        if tolte:
            cambiato = True
            if not versione:
                for k, v in tolte.items():
                    esito.righe[k] = esito.righe.get(k, 0) + v
    if persona is not None:
        for nome, df in strati.items():
            for campo in _campi_persona(archivio, nome):
                if campo not in df.columns:
                    continue
                lista = archivio.catalogo.strati[nome].campi[campo].tipo == "lista"
                nuovi, n = [], 0
                for v in df[campo].tolist():
                    if not persona.in_valore(v):
                        nuovi.append(v)
                        continue
                    n += 1
                    if lista:  # the other people of the list stay
                        resto = [x for x in v.split("|") if x and not persona.in_valore(x)]
                        nuovi.append("|".join(resto) or None)
                    else:  # the whole value: a name and a phone often share one cell
                        nuovi.append(None)
                if n:
                    df = df.copy()
                    df[campo] = nuovi
                    strati[nome] = df
                    cambiato = True
                    if not versione:
                        esito.svuotati += n
        if versione and piano.correnti is not None:
            # Texts that named the person and were edited since: the old wording goes; rows that
            # the store no longer has and that name the person go.
            for nome, df in strati.items():
                liberi = [c for c in _campi_liberi(archivio, nome) if c in df.columns]
                if not liberi:
                    continue
                attuale = piano.correnti.get(nome)
                attuale = attuale.set_index("id") if attuale is not None else pd.DataFrame()
                colonne = {c: df[c].tolist() for c in liberi}
                via, nuovi = [], {}
                for k, id_ in enumerate(df["id"].tolist()):
                    nominata = [c for c in liberi if persona.in_testo(colonne[c][k])]
                    if not nominata:
                        continue
                    if id_ not in attuale.index:
                        via.append(k)
                        continue
                    for c in nominata:
                        nuovo = attuale.at[id_, c] if c in attuale.columns else None
                        if not persona.in_testo(nuovo):
                            nuovi[(k, c)] = nuovo
                if nuovi or via:
                    df = df.copy()
                    for (k, c), v in nuovi.items():
                        df.iat[k, df.columns.get_loc(c)] = v
                    df = df.drop(index=df.index[via]).reset_index(drop=True)
                    strati[nome] = df
                    cambiato = True
    return cambiato


def _tabelle_a_mano(path: Path) -> list[str]:
    """Tables of a store file that mappe did not make (a layer saved into it from QGIS, say), and
    the GeoPackage's metadata (where QGIS writes a layer's description)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        nomi = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        con.close()
    return [n for n in nomi if n not in _TABELLE_MAPPE and (n == "gpkg_metadata" or not n.lower().startswith(
            ("gpkg_", "rtree_", "sqlite_")))]


def _righe_a_mano(path: Path, tabella: str, testi: list[str], ids: set[str], persona: Persona | None):
    """In a hand-made table of a GeoPackage: the rowids of rows that hold an erased id or an erased
    row's words (to remove), and the cells that only name the person (to blank: the rest of the row is
    someone else's). See :func:`scegli_a_mano`."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = con.execute(f'SELECT rowid, * FROM "{tabella.replace(chr(34), chr(34) * 2)}"')
        colonne = [d[0] for d in cur.description][1:]
        return scegli_a_mano(tabella, colonne, cur, testi, ids, persona)
    finally:
        con.close()


def scegli_a_mano(tabella: str, colonne: list[str], righe, testi: list[str], ids: set[str],
                  persona: Persona | None) -> tuple[list, list]:
    """Of rows (a key, then the values of ``colonne``) of a table made by hand (in a GeoPackage or in a
    comune's schema on PostgreSQL): the keys of rows to remove and the (key, column) cells to blank."""
    minuscoli = [t.casefold() for t in testi if t and len(t.strip()) >= 3]
    via, svuota = [], []
    for riga in righe:
        celle = []
        for col, v in zip(colonne, riga[1:]):
            if isinstance(v, (bytes, memoryview)):
                v = bytes(v)
                if v[:2] == b"GP":  # a GeoPackage geometry: no words in it
                    continue
                v = v.decode("utf-8", errors="ignore")
            if isinstance(v, str):
                celle.append((col, v))
        if any(v in ids for _, v in celle) or any(t in v.casefold() for _, v in celle for t in minuscoli
                                                  if persona is None or not persona.in_testo(t)):
            via.append(riga[0])
        elif persona is not None:
            nominate = [(riga[0], col) for col, v in celle if persona.in_testo(v)]
            if tabella == "gpkg_metadata" and nominate:
                via.append(riga[0])  # a description of a layer: it goes whole
            else:
                svuota += nominate
    return via, svuota


def _pulisci_a_mano(path: Path, piano: _Piano, esito: Eliminazione | None) -> bool:
    """Remove from the hand-made tables of a file what holds what is erased (see :func:`_righe_a_mano`)."""
    cambiato = False
    for tabella in _tabelle_a_mano(path):
        via, svuota = _righe_a_mano(path, tabella, piano.testi, piano.ids | piano.solo_versioni, piano.persona)
        if not via and not svuota:
            continue
        con = sqlite3.connect(path)
        try:
            with con:
                # GeoPackage triggers may call spatial functions that plain SQLite lacks: they only
                # keep the spatial index in step, which is put right below.
                definizioni = con.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (tabella,)).fetchall()
                for nome_t, _ in definizioni:
                    con.execute(f'DROP TRIGGER "{nome_t}"')
                nome = tabella.replace('"', '""')
                con.executemany(f'DELETE FROM "{nome}" WHERE rowid = ?', [(r,) for r in via])
                for rowid, col in svuota:
                    colonna = col.replace('"', '""')
                    try:
                        con.execute(f'UPDATE "{nome}" SET "{colonna}" = NULL WHERE rowid = ?', (rowid,))
                    except sqlite3.IntegrityError:  # a column that cannot be empty: an empty text then
                        con.execute(f'UPDATE "{nome}" SET "{colonna}" = \'\' WHERE rowid = ?', (rowid,))
                if tabella == "gpkg_metadata" and via:
                    con.executemany("DELETE FROM gpkg_metadata_reference WHERE md_file_id = ?", [(r,) for r in via])
                for t in [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                    "AND name LIKE ? AND sql LIKE 'CREATE VIRTUAL TABLE%'",
                                                    (f"rtree_{tabella}_%",))]:
                    t = t.replace('"', '""')
                    con.execute(f'DELETE FROM "{t}" WHERE id NOT IN (SELECT rowid FROM "{nome}")')
                for _, sql in definizioni:
                    if sql:
                        con.execute(sql)
        finally:
            con.close()
        cambiato = True
        if esito is not None:
            esito.a_mano[tabella] = esito.a_mano.get(tabella, 0) + len(via) + len(svuota)
    return cambiato


def _pulisci_file(archivio: Archivio, path: Path, piano: _Piano, esito: Eliminazione, versione: bool) -> bool:
    """Erase from one store file (all or nothing), then compact it. Returns whether it changed."""
    strati = _leggi_strati(archivio, path)
    prima = {n: set(df["id"]) for n, df in strati.items() if "id" in df}
    if not versione:
        piano.ids_correnti = set().union(*prima.values())
    cambiato = _applica(archivio, strati, piano, versione, esito)
    if not versione:
        piano.correnti = strati

    def scrivi(tmp: Path) -> None:
        if cambiato:
            for nome, df in strati.items():
                _scrivi_strato(tmp, nome, conforma(archivio.catalogo.strati[nome], df))
        if not versione:
            # tombstones that say "erased": a merge with a copy never brings these rows back
            cancellati = {n: ids - set(strati[n]["id"]) for n, ids in prima.items()}
            for (strato, id_) in leggi_lapidi(tmp):
                if id_ in piano.ids:
                    cancellati.setdefault(strato, set()).add(id_)
            _segna_lapidi(tmp, cancellati, {}, cancellati=True)
        _pulisci_a_mano(tmp, piano, esito if not versione else None)
        scrivi_foto(tmp, {})  # a picture goes with the last row that showed it
        compatta(tmp)

    _scrivi_atomico(path, scrivi, None)
    return cambiato


def _testi_di(archivio: Archivio, strati: dict, ids: set[str]) -> list[str]:
    """The words and person values of the rows being erased (to look for anywhere else)."""
    testi = []
    for nome, df in strati.items():
        if "id" not in df.columns:
            continue
        righe = df[df["id"].isin(ids)]
        campi = _campi_liberi(archivio, nome) + _campi_persona(archivio, nome)
        for c in campi:
            if c in righe.columns:
                for v in righe[c].dropna().tolist():
                    testi += [x for x in str(v).split("|") if len(x.strip()) >= 4]
    return testi


def _cancella_da_testo(testo: str, testi: list[str], persona: Persona | None) -> str:
    """Replace erased texts and names in a text file's content (history, registry) by [cancellato]."""
    for t in sorted(set(testi), key=len, reverse=True):
        if len(t.strip()) >= 3:
            testo = re.sub(re.escape(t), CANCELLATO, testo, flags=re.IGNORECASE)
            testo = re.sub(re.escape(json.dumps(t, ensure_ascii=True)[1:-1]), CANCELLATO, testo, flags=re.IGNORECASE)
    if persona is not None:
        testo = re.sub(r"(?<!\w)" + re.escape(persona.chi) + r"(?!\w)", CANCELLATO, testo, flags=re.IGNORECASE)
    return testo


def _pulisci_testo_file(path: Path, testi: list[str], persona: Persona | None) -> None:
    if not path.is_file() or path.is_symlink():
        return
    prima = path.read_text(encoding="utf-8")
    dopo = _cancella_da_testo(prima, testi, persona)
    if dopo != prima:
        _sostituisci_file(path, lambda tmp: Path(tmp).write_text(dopo, encoding="utf-8"))


def _cancella_ovunque(area: Area, archivio: Archivio, piano: _Piano, esito: Eliminazione) -> None:
    """Apply an erasure to the store, every kept version, the history (caller holds the lock)."""
    archivio.cancella_ovunque(
        piano, esito,
        applica=lambda strati, versione: _applica(archivio, strati, piano, versione, esito),
        pulisci_testo=lambda testo: _cancella_da_testo(testo, piano.testi, piano.persona))


def _vecchie_righe(archivio: Archivio) -> dict[str, pd.DataFrame]:
    """Every row the kept versions hold (rows deleted or changed since), by layer."""
    vecchi: dict[str, list] = {}
    for v in _versioni(archivio):
        for nome, df in archivio.strati_versione(v).items():
            vecchi.setdefault(nome, []).append(df)
    return {n: pd.concat(dfs, ignore_index=True) for n, dfs in vecchi.items()}


def _a_cascata(strati: list[dict], ids: set[str]) -> set[str]:
    """Feedback about the rows being removed, which goes with them (its files are listed too)."""
    out = set()
    for s in strati:
        r = s.get("riscontri")
        if r is not None and "su" in r.columns:
            out |= set(r.loc[r["su"].isin(ids), "id"])
    return out


def _riassunto(esito: Eliminazione) -> tuple:
    return (sum(esito.righe.values()), esito.righe_versioni, esito.svuotati, esito.versioni,
            sum(esito.a_mano.values()))


def elimina(area: Area, archivio: Archivio, ids: list[str], scollega: bool = False, oblio: bool = False,
            anche_file: bool = False, compatta: bool = False, ignoti: list | None = None) -> Eliminazione:
    """Remove rows (contributions, places, sessions, feedback) by id (internal or public).

    A place or session that contributions refer to is removed only with ``scollega`` (the
    contributions stay, without the link). With ``oblio`` the rows also leave every kept
    version of the store (also rows that were already removed from the store and that only
    the versions still hold: their internal or public id is enough), the history and the layers
    added by hand, and the files exported with them are listed (and deleted, with ``anche_file``).
    """
    with archivio.blocco():
        strati = {n: archivio.leggi(n) for n in STRATI_MODIFICABILI}
        noti = set().union(*(set(df["id"]) for df in strati.values()))
        vecchi: dict[str, pd.DataFrame] = {}
        interni = [id_interno(archivio, i) for i in ids]
        if oblio and any(i not in noti for i in interni):
            # rows removed earlier without oblio: only the kept versions still hold them
            vecchi = _vecchie_righe(archivio)
            nelle_versioni = set().union(*(set(df["id"]) for df in vecchi.values())) if vecchi else set()
            pubblici = indice_pubblici(archivio.segreto(), nelle_versioni)
            interni = [i if i in noti or i in nelle_versioni else pubblici.get(i, i) for i in interni]
            noti |= nelle_versioni
        non_trovati = [i for i in interni if i not in noti]
        if ignoti is not None:  # the caller wants the ids found nowhere, not a refusal (a merge)
            ignoti.extend(non_trovati)
            interni = [i for i in interni if i in noti]
            if not interni:
                return Eliminazione()
        elif non_trovati:
            raise MappeError(f"In {archivio.nome} non c'è niente con il codice '{non_trovati[0]}': niente è stato eliminato.")
        ids_set = set(interni)
        ref = riferimenti(archivio, ids_set)
        if ref and not scollega:
            primo, chi = next(iter(ref.items()))
            raise MappeError(
                f"'{primo}' è citato da {quanti(len(chi), 'contributo, incontro o iniziativa', 'contributi, incontri o iniziative')} ({', '.join(chi[:5])}"
                f"{'...' if len(chi) > 5 else ''}): per eliminarlo lo stesso, e lasciarli senza quel "
                "collegamento, aggiungere --scollega."
            )
        esito = Eliminazione()
        if not oblio:
            esito.righe = _togli(strati, ids_set, scollega)
            n = sum(esito.righe.values())
            archivio.scrivi(strati, "elimina", righe_per_strato(esito.righe), n)
            archivio.__dict__.pop("info", None)
            return esito
        testi = _testi_di(archivio, strati, ids_set) + _testi_di(archivio, vecchi, ids_set)
        piano = _Piano(ids=ids_set, testi=testi, compatta=compatta)
        cercati = ids_set | _a_cascata([strati, vecchi], ids_set)
        esito.cercati[archivio.slug] = cercati
        esito.esportazioni = esportazioni_con(area, archivio.slug, cercati, testi)
        _cancella_ovunque(area, archivio, piano, esito)
        esito.righe_versioni = len(piano.solo_versioni)
        archivio._registra("oblio", _dettagli_oblio(esito, esito_prima=None), sum(esito.righe.values()), None)
    _dopo_oblio(area, esito, testi, None, anche_file)
    return esito


def _dettagli_oblio(esito: Eliminazione, esito_prima: tuple | None, persona: bool = False) -> str:
    """What the history says of an erasure: how many rows and values, never what they said."""
    dati = _riassunto(esito) if esito_prima is None else tuple(
        a - b for a, b in zip(_riassunto(esito), esito_prima))
    righe, solo_versioni, svuotati, versioni, a_mano = dati
    parti = [f"{righe} {'riga cancellata' if righe == 1 else 'righe cancellate'} per sempre dai dati"]
    if solo_versioni:
        parti.append(f"{solo_versioni} {'riga' if solo_versioni == 1 else 'righe'} già eliminate prima, "
                     "tolte dalle versioni conservate")
    if persona:
        parti.append(f"{svuotati} {'valore svuotato' if svuotati == 1 else 'valori svuotati'}")
    if a_mano:
        parti.append(f"{a_mano} {'riga' if a_mano == 1 else 'righe'} di strati aggiunti a mano")
    parti.append(f"{versioni} {'versione conservata pulita' if versioni == 1 else 'versioni conservate pulite'}")
    return ("una persona dimenticata: " if persona else "") + ", ".join(parti)


def dimentica_persona(area: Area, chi: str, anche_file: bool = False, compatta: bool = False) -> Eliminazione:
    """Erase a person everywhere: what they said, their name and contacts in every person field,
    in every comune, kept version, history and layer added by hand (see the module docstring).

    What they said is found by the author field in the store and in every kept version (a row
    whose author was changed since is still theirs). Free texts that still mention them in the
    store are left for the user to edit (they are listed by :func:`cerca_persona`); run again after
    editing to clean the kept versions too.
    """
    persona = Persona(chi)
    esito = Eliminazione()
    testi_tutti = [persona.chi]
    for a in area.archivi():
        with a.blocco():
            strati = a.strati_correnti()
            vecchi = _vecchie_righe(a)
            detti, nominati, valori = set(), set(), []
            for tabelle in (strati, vecchi):
                c = tabelle.get("contributi")
                if c is not None and "autore" in c.columns:
                    detti |= {i for i, v in zip(c["id"].tolist(), c["autore"].tolist()) if persona.in_valore(v)}
                for _, id_, _, tipo, v in _nomina(a, tabelle, persona):
                    if tipo != "menzione":
                        nominati.add(id_)
                        valori.append(v)
            testi = [persona.chi, *valori, *_testi_di(a, strati, detti), *_testi_di(a, vecchi, detti)]
            testi_tutti += testi
            cercati = detti | nominati | _a_cascata([strati, vecchi], detti)
            esito.cercati[a.slug] = cercati
            esito.esportazioni += [e for e in esportazioni_con(area, a.slug, cercati, testi)
                                   if e not in esito.esportazioni]
            prima = _riassunto(esito)
            piano = _Piano(ids=detti, persona=persona, testi=testi, compatta=compatta)
            _cancella_ovunque(area, a, piano, esito)
            esito.righe_versioni += len(piano.solo_versioni)
            if _riassunto(esito) != prima:
                a._registra("oblio", _dettagli_oblio(esito, prima, persona=True),
                            _riassunto(esito)[0] - prima[0], None)
    _dopo_oblio(area, esito, testi_tutti, persona, anche_file)
    return esito


def _dopo_oblio(area: Area, esito: Eliminazione, testi: list[str], persona: Persona | None, anche_file: bool) -> None:
    """The registry keeps no erased name (the files were listed first); listed files go on request."""
    if anche_file:
        for e in esito.esportazioni:
            p = Path(e["file"])
            if not p.is_file() or p.is_symlink():
                continue
            # only the file as it was written: whatever is at that path now may be someone else's
            if e.get("sha256") and impronta_file(p) == e["sha256"]:
                p.unlink()
                esito.file_cancellati.append(str(p))
            else:
                esito.file_cambiati.append(str(p))
    _pulisci_testo_file(file_registro(area), testi, persona)
    if area.postgis is not None and any(esito.cercati.values()):
        # the colleagues' computers have their own exported files: each is told at its next command
        area.postgis.annota_oblio({k: sorted(v) for k, v in esito.cercati.items() if v})


def avvisi_oblio_altrove(area: Area) -> list[dict]:
    """On a shared database: files exported from this computer that held rows erased from another
    one since this computer last looked (each erasure is looked at once)."""
    if area.postgis is None:
        return []
    visto_path = area.cartella / ".mappe" / "oblii-visti"
    visto = visto_path.read_text(encoding="utf-8").strip() if visto_path.is_file() else ""
    nuovi = area.postgis.oblii_dopo(visto)
    if not nuovi:
        return []
    trovati: list[dict] = []
    for _, comuni in nuovi:
        for slug, ids in comuni.items():
            trovati += [e for e in esportazioni_con(area, slug, set(ids)) if e not in trovati]
    _sostituisci_file(visto_path, lambda tmp: Path(tmp).write_text(nuovi[-1][0], encoding="utf-8"))
    return trovati
