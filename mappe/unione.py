"""A workspace for the laptop, and the changes of two workspaces brought together.

``copia`` makes an offline GeoPackage workspace of some comuni from any workspace (the same key,
catalogue and ids), for a focus-group evening without network. ``unisci`` brings another
workspace's changes into this one, either kind in either direction, row by row on the rows' ids:

- a row only the other side has is added (unless this side deleted it since the last merge:
  then the deletion stands, or, if the other side changed it meanwhile, it is a conflict);
- a row changed on one side only since the last merge takes that side's values;
- a row changed on both sides since the last merge (or present on both with different values
  and never merged) is a *conflict*: listed, left as it is, for the user to choose with
  ``--prendi ID`` (take the other side's) or ``--tieni ID`` (keep this one);
- a row deleted on the other side and unchanged here is deleted here;
- a row erased there with ``oblio`` is erased here too, and never comes back from a copy;
- the photos that the rows brought here show come with them (erased ones go with their rows).

What the two sides had in common at their last merge (or at the copy) is kept by both as the
hash of every row (``Area.scrivi_meta``): the *base* of the next merge. Running ``unisci`` twice
changes nothing the second time. Every change is one operation of the store (``mappe storia``,
``mappe annulla``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .archivio import (
    PROGETTO_TOML,
    STRATI_CON_FOTO,
    Area,
    conforma,
    crea_area,
    ids_in_celle,
    impronte,
    leggi_progetto,
)
from .correzioni import STRATI_MODIFICABILI, elimina
from .errori import AreaError, MappeError
from .testo import quanti

__all__ = ["Conflitto", "EsitoUnione", "copia", "unisci"]


def _chiave_base(altra: Area) -> str:
    return f"unione-{altra.identita()}"


def _leggi_base(qui: Area, la: Area) -> dict:
    """What the two workspaces had in common at the last merge: slug -> layer -> id -> hash."""
    for a, b in ((qui, la), (la, qui)):
        testo = a.leggi_meta(_chiave_base(b))
        if testo:
            try:
                base = json.loads(testo)
            except json.JSONDecodeError:
                continue
            if isinstance(base, dict):  # a file spoilt by hand counts as no common ground
                return base
    return {}


def _scrivi_base(qui: Area, la: Area, base: dict) -> None:
    testo = json.dumps(base, ensure_ascii=False, sort_keys=True)
    qui.scrivi_meta(_chiave_base(la), testo)
    la.scrivi_meta(_chiave_base(qui), testo)


def _strati(arch, catalogo) -> dict[str, pd.DataFrame]:
    """The layers of a store, with this workspace's catalogue's columns (to compare like with like)."""
    out = {}
    for nome in STRATI_MODIFICABILI:
        if nome in catalogo.strati:
            df = arch.leggi(nome)
            out[nome] = conforma(catalogo.strati[nome], df)
    return out


def _impronte_di(strati: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    return {nome: dict(zip(df["id"].tolist(), impronte(df))) for nome, df in strati.items()}


# --- copia -----------------------------------------------------------------------------------

def copia(area: Area, nomi: list[str], destinazione: Path) -> list:
    """A GeoPackage workspace in ``destinazione`` with the comuni ``nomi`` of ``area`` (same key,
    catalogue and ids). Returns the stores copied."""
    destinazione = Path(destinazione)
    if destinazione.exists() and any(destinazione.iterdir()):
        raise AreaError(
            f"La cartella {destinazione} esiste già e non è vuota: indicare con --in una cartella nuova "
            "(la copia non si mescola con altri dati).")
    archivi = area.archivi_di(nomi)
    try:
        copia_area = crea_area(destinazione, segreto=area.segreto().hex())
        for file in sorted((area.cartella / "layers").glob("*.toml")):
            shutil.copyfile(file, copia_area.cartella / "layers" / file.name)
        progetto = leggi_progetto(area.cartella / "progetto.toml")
        testo = PROGETTO_TOML
        for chiave in ("nome", "contatto", "licenza", "informativa"):
            if progetto.get(chiave):
                testo = _imposta(testo, chiave, progetto[chiave])
        (copia_area.cartella / "progetto.toml").write_text(testo, encoding="utf-8")
        copia_area = Area(copia_area.cartella)
        base = _leggi_base(area, copia_area)
        for a in archivi:
            nuovo, _ = copia_area.aggiungi_comune(a.comune)
            strati = _strati(a, copia_area.catalogo)
            strati.update({"comune": a.leggi("comune"), "popolazione": a.leggi("popolazione"), "confine": a.confine()})
            n = sum(len(df) for nome, df in strati.items() if nome in STRATI_MODIFICABILI)
            nuovo.scrivi(strati, "copia", f"copiato da {area.cartella} ({area.tipo_archivio})", n,
                         foto=_foto_da(a, strati, set()))
            # what was deleted or erased there stays so here: a merge of two copies never brings it back
            nuovo.aggiungi_lapidi(a.lapidi())
            base[a.slug] = _impronte_di({k: v for k, v in strati.items() if k in STRATI_MODIFICABILI})
        base["_ultima"] = dt.datetime.now().isoformat(timespec="seconds")
        _scrivi_base(area, copia_area, base)
        (copia_area.cartella / ".mappe" / "origine").write_text(json.dumps(
            {"area": str(area.cartella), "comuni": [a.slug for a in archivi]}, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(destinazione, ignore_errors=True)
        raise
    return archivi


def _imposta(testo: str, chiave: str, valore: str) -> str:
    righe = []
    for riga in testo.splitlines():
        if riga.startswith(f"{chiave} = "):
            riga = f"{chiave} = {json.dumps(valore, ensure_ascii=False)}"
        righe.append(riga)
    return "\n".join(righe) + "\n"


# --- unisci ----------------------------------------------------------------------------------

@dataclass
class Conflitto:
    comune: str
    strato: str
    id: str
    motivo: str  # 'entrambi', 'cambiato_qui', 'cambiato_la'
    campi: list[tuple[str, object, object]] = field(default_factory=list)  # (field, here, there)


@dataclass
class EsitoUnione:
    per_comune: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> what changed -> count
    conflitti: list[Conflitto] = field(default_factory=list)
    comuni_nuovi: list[str] = field(default_factory=list)
    chiavi_diverse: bool = False
    scelte: int = 0  # conflicts settled with --prendi / --tieni
    avvisi: list[str] = field(default_factory=list)
    esportazioni: list[dict] = field(default_factory=list)  # exported files that held rows erased here

    @property
    def cambiato(self) -> bool:
        return any(sum(v.values()) for v in self.per_comune.values()) or bool(self.comuni_nuovi)


def _vuoto(v) -> object:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def _campi_diversi(strato, riga_a, riga_b) -> list[tuple[str, object, object]]:
    """The fields in which two versions of a row differ: (field, here, there)."""
    out = [(c, _vuoto(riga_a.get(c)), _vuoto(riga_b.get(c))) for c in strato.campi
           if _vuoto(riga_a.get(c)) != _vuoto(riga_b.get(c))]
    ga, gb = riga_a.get("geometry"), riga_b.get("geometry")
    if strato.geometria and not ((ga is None and gb is None) or (ga is not None and gb is not None and ga.equals(gb))):
        out.append(("posizione", ga, gb))
    return out


def origine(area: Area) -> tuple[Path, list[str]] | None:
    """The workspace a copy was made from, and its comuni (None: not a copy)."""
    path = area.cartella / ".mappe" / "origine"
    if not path.is_file():
        return None
    testo = path.read_text(encoding="utf-8").strip()
    try:
        dati = json.loads(testo)
    except json.JSONDecodeError:
        return Path(testo), []
    return Path(dati["area"]), list(dati.get("comuni", []))


@dataclass
class _Piano:
    """What a merge will do in one comune (computed before anything is written)."""

    a: object
    b: object
    impronte_a: dict
    impronte_b: dict
    strati: dict = field(default_factory=dict)  # layer -> new table
    da_cancellare: list = field(default_factory=list)  # ids erased there, to erase here
    conta: dict = field(default_factory=dict)


def _avvisi(qui: Area, la: Area, base: dict) -> list[str]:
    """What the user must know before trusting a merge."""
    avvisi = []
    if qui.segreto() != la.segreto():
        avvisi.append("le due aree hanno chiavi diverse (non sono una la copia dell'altra): le stesse righe importate "
                      "da tutte e due hanno codici diversi e compaiono due volte.")
    diversi = sorted(f.name for f in (la.cartella / "layers").glob("*.toml")
                     if not (qui.cartella / "layers" / f.name).is_file()
                     or (qui.cartella / "layers" / f.name).read_bytes() != f.read_bytes())
    if diversi:
        avvisi.append(f"i cataloghi delle due aree sono diversi ({', '.join(diversi)}): i campi che quest'area non ha "
                      "non vengono portati, e valori diversi nei campi che solo una delle due ha possono sembrare "
                      "conflitti. Conviene copiare lo stesso catalogo in tutte e due.")
    ultima = base.get("_ultima", "")
    dimenticate = sum(1 for a in la.archivi() for v in a.storia()
                      if v.get("operazione") == "oblio" and str(v.get("dettagli", "")).startswith("una persona dimenticata")
                      and str(v.get("quando", "")) >= ultima)
    if dimenticate:
        avvisi.append("nell'altra area è stata dimenticata una persona dopo l'ultima unione ('mappe oblio --persona'): "
                      "quello che ha detto si cancella anche qui, ma il suo nome può restare nelle versioni conservate "
                      "di quest'area. Dare anche qui lo stesso 'mappe oblio --persona NOME' (mappe non copia il nome, "
                      "per non lasciarne traccia).")
    return avvisi


def unisci(qui: Area, la: Area, comuni: list[str] | None = None, prendi: set[str] | None = None,
           tieni: set[str] | None = None, prova: bool = False) -> EsitoUnione:
    """Bring ``la``'s changes into ``qui`` (see the module docstring).

    Everything is decided first, for every comune, without writing; a wrong --prendi/--tieni stops
    the merge before anything is written. Then each comune is written in one operation (under its
    lock, after checking that nobody changed it meanwhile)."""
    prendi, tieni = set(prendi or ()), set(tieni or ())
    if qui.cartella == la.cartella or (qui.url_archivio and qui.url_archivio == la.url_archivio):
        raise AreaError("L'area da unire è questa stessa: indicare l'altra (per esempio la cartella della copia).")
    if prendi & tieni:
        raise MappeError(f"Il codice '{min(prendi & tieni)}' è sia in --prendi sia in --tieni: sceglierne uno.")
    esito = EsitoUnione(chiavi_diverse=qui.segreto() != la.segreto())
    base = _leggi_base(qui, la)
    esito.avvisi = _avvisi(qui, la, base)
    catalogo = qui.catalogo
    archivi_la = [la.archivio(c) for c in comuni] if comuni else la.archivi()
    slugs_qui = {a.slug: a for a in qui.archivi()}
    usati: set[str] = set()
    piani: list[_Piano] = []
    for b in archivi_la:
        a = slugs_qui.get(b.slug)
        if a is None:
            esito.comuni_nuovi.append(b.nome)
            piani.append(_Piano(None, b, {}, {}))
            continue
        piani.append(_decidi(a, b, catalogo, base.get(b.slug, {}), prendi, tieni, usati, esito))
    ignoti = (prendi | tieni) - usati
    if ignoti:
        raise MappeError(f"Il codice '{min(ignoti)}' di --prendi/--tieni non è in nessuna delle due aree: "
                         "copiarlo dall'elenco dei conflitti. Niente è stato cambiato.")
    esito.scelte = len(prendi | tieni)
    if prova:
        return esito
    for piano in piani:
        if piano.a is None:  # a comune only the other side has: made here, then merged like the others
            piano.a, _ = qui.aggiungi_comune(piano.b.comune)
            piano.a.aggiungi_lapidi(piano.b.lapidi())
            piano = _decidi(piano.a, piano.b, catalogo, {}, prendi, tieni, set(), esito)
        a, b = piano.a, piano.b
        with a.blocco():
            if piano.impronte_a and _impronte_di(_strati(a, catalogo)) != piano.impronte_a:
                raise MappeError(f"Mentre si preparava l'unione qualcuno ha cambiato i dati di {a.nome}: rilanciare "
                                 "'mappe unisci'. I dati di questo comune non sono stati toccati.")
            if piano.strati:
                c = piano.conta
                n = c["nuove"] + c["aggiornate"] + c["eliminate"]
                a.scrivi(piano.strati, "unisci",
                         f"da {la.cartella} ({la.tipo_archivio}): {quanti(c['nuove'], 'riga nuova', 'righe nuove')}, "
                         f"{quanti(c['aggiornate'], 'aggiornata', 'aggiornate')}, "
                         f"{quanti(c['eliminate'], 'eliminata', 'eliminate')}", n, conformi=True,
                         foto=_foto_da(b, piano.strati, a.foto_presenti()))
            if piano.da_cancellare:
                ignoti_qui: list = []
                e = elimina(qui, a, piano.da_cancellare, scollega=True, oblio=True, ignoti=ignoti_qui)
                esito.esportazioni += [x for x in e.esportazioni if x not in esito.esportazioni]
                if ignoti_qui:  # never here (or gone from every kept version): remembered as erased
                    voci: dict[str, set] = {}
                    for (st, i), (_, cancellato) in b.lapidi().items():
                        if cancellato and i in ignoti_qui:
                            voci.setdefault(st, set()).add(i)
                    a.segna_cancellati(voci)
            base[b.slug] = _nuova_base(_impronte_di(_strati(a, catalogo)), piano.impronte_b,
                                       base.get(b.slug, {}), tieni)
    base["_ultima"] = dt.datetime.now().isoformat(timespec="seconds")
    _scrivi_base(qui, la, base)
    return esito


def _foto_da(sorgente, strati: dict[str, pd.DataFrame], gia: set[str]) -> dict:
    """The photos that the rows of ``strati`` show and the store being written lacks, read whole
    (preview and thumbnail) from ``sorgente``."""
    import io

    from PIL import Image

    from .foto import Foto

    ids = set()
    for nome in STRATI_CON_FOTO:
        if nome in strati and "foto" in strati[nome].columns:
            ids |= ids_in_celle(strati[nome]["foto"].tolist())
    ids -= gia
    if not ids:
        return {}
    miniature, anteprime = sorgente.leggi_foto(ids), sorgente.leggi_foto(ids, "anteprima")
    out = {}
    for i in ids & set(miniature) & set(anteprime):
        with Image.open(io.BytesIO(anteprime[i])) as img:
            larghezza, altezza = img.size
        out[i] = Foto(i, anteprime[i], miniature[i], larghezza, altezza)
    return out


def _nuova_base(dopo_a: dict, hb: dict, base_comune: dict, tieni: set) -> dict:
    """The new common ground: rows now equal on both sides (and, for --tieni, the other side's
    version, which this one has seen and chosen not to take)."""
    nuova = {}
    for nome, dopo in dopo_a.items():
        o = base_comune.get(nome, {})
        riga = {}
        for i in set(dopo) | set(hb.get(nome, {})) | set(o):
            x, y = dopo.get(i), hb.get(nome, {}).get(i)
            if x is not None and x == y:
                riga[i] = x
            elif i in tieni and (x is not None or y is not None):
                # against a deletion there, '+': the row stays, and the other side takes it back
                riga[i] = y if y is not None else "+" + x
            elif i in o and (x is not None or y is not None):
                riga[i] = o[i]
        nuova[nome] = riga
    return nuova


def _decidi(a, b, catalogo, base_comune: dict, prendi: set, tieni: set, usati: set, esito: EsitoUnione) -> _Piano:
    """What merging ``b`` into ``a`` does, row by row (nothing written)."""
    righe_a, righe_b = _strati(a, catalogo), _strati(b, catalogo)
    ha, hb = _impronte_di(righe_a), _impronte_di(righe_b)
    lap_a, lap_b = a.lapidi(), b.lapidi()
    stessa_chiave = a.segreto() == b.segreto()
    piano = _Piano(a, b, ha, hb)
    conta = {"nuove": 0, "aggiornate": 0, "eliminate": 0, "cancellate": 0}
    for nome, s in catalogo.strati.items():
        if nome not in righe_a:
            continue
        A, B = righe_a[nome], righe_b[nome]
        o = base_comune.get(nome, {})
        pos_a = {i: k for k, i in enumerate(A["id"].tolist())}
        pos_b = {i: k for k, i in enumerate(B["id"].tolist())}
        ids = list(dict.fromkeys([*A["id"].tolist(), *B["id"].tolist(),
                                  *(i for (st, i) in lap_b if st == nome), *(i for (st, i) in lap_a if st == nome)]))
        prendere, togliere, aggiungere = [], [], []
        for i in ids:
            usati.add(i)
            x, y, z = ha[nome].get(i), hb[nome].get(i), o.get(i)
            if x == y:
                continue
            if y is None:
                lap = lap_b.get((nome, i))
                if lap is None:
                    continue  # new here: the other side gets it when it merges from here
                if lap[1]:  # erased there with oblio
                    if lap_a.get((nome, i), ("", False))[1]:
                        continue
                    if x is None or z is not None or stessa_chiave or i in prendi:
                        # the same row (in common at the last merge, or in two copies of one workspace, whose
                        # codes are one project's): erased here too, whatever changed since
                        piano.da_cancellare.append(i)
                    elif i not in tieni:
                        # unrelated workspaces, never merged: a row of this side that only has the same code
                        esito.conflitti.append(Conflitto(a.nome, nome, i, "cancellato_la"))
                    continue
                if x is None or z == "+" + x:  # '+': kept here on purpose (--tieni)
                    continue
                if x == z or i in prendi:
                    togliere.append(i)
                elif i not in tieni:
                    esito.conflitti.append(Conflitto(a.nome, nome, i, "cambiato_qui"))
                continue
            if x is None:
                lap = lap_a.get((nome, i))
                if lap is not None and lap[1]:
                    continue  # erased here: never back
                if lap is None or i in prendi or z == "+" + y:
                    aggiungere.append(i)
                elif y != z and i not in tieni:
                    esito.conflitti.append(Conflitto(a.nome, nome, i, "cambiato_la"))
                continue
            if x == z or i in prendi:
                prendere.append(i)
            elif y == z or i in tieni:
                continue
            else:
                ra = A.iloc[pos_a[i]].to_dict()
                rb = B.iloc[pos_b[i]].to_dict()
                esito.conflitti.append(Conflitto(a.nome, nome, i, "entrambi", _campi_diversi(s, ra, rb)))
        if prendere or togliere or aggiungere:
            nuovo = A.copy()
            for i in prendere:
                nuovo.iloc[pos_a[i]] = B.iloc[pos_b[i]]
            if togliere:
                nuovo = nuovo[~nuovo["id"].isin(togliere)]
            if aggiungere:
                nuovo = pd.concat([nuovo, B.iloc[[pos_b[i] for i in aggiungere]]], ignore_index=True)
                if s.geometria:
                    nuovo = gpd.GeoDataFrame(nuovo, geometry="geometry", crs=A.crs)
            piano.strati[nome] = nuovo.reset_index(drop=True)
            conta["nuove"] += len(aggiungere)
            conta["aggiornate"] += len(prendere)
            conta["eliminate"] += len(togliere)
    conta["cancellate"] = len(piano.da_cancellare)
    piano.conta = conta
    esito.per_comune[a.nome] = conta
    return piano


def descrivi(esito: EsitoUnione) -> list[str]:
    """What a merge did, in Italian, a line each."""
    righe = []
    for nome, c in esito.per_comune.items():
        parti = [quanti(c["nuove"], "riga nuova", "righe nuove"), quanti(c["aggiornate"], "aggiornata", "aggiornate"),
                 quanti(c["eliminate"], "eliminata", "eliminate")]
        if c["cancellate"]:
            parti.append(quanti(c["cancellate"], "cancellata per sempre (oblio)", "cancellate per sempre (oblio)"))
        n = sum(1 for x in esito.conflitti if x.comune == nome)
        parti.append(quanti(n, "conflitto", "conflitti"))
        righe.append(f"  {nome}: " + ", ".join(parti) + ".")
    return righe
