"""The registry of exported files: which file was written with which rows.

Every map, exhibition, editor page, export, file of rejected rows and list of uncovered needs
records what it held, so that an erasure (:mod:`mappe.correzioni`) can name the files to replace.
The registry (``.mappe/esportazioni.jsonl`` and ``.mappe/esportazioni/``, readable by the owner
only) keeps the ids sealed with the workspace's key, and for rows that have no id yet (rejected
rows of an import) keyed fingerprints of their words: nothing in it tells what a row said, nor
confirms a guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from .archivio import Area, _utente, crea_cartella_privata
from .cifratura import apri_sigillo, sigilla
from .errori import AreaError
from .migrazioni import migra_registro
from .testo import piega

__all__ = ["esportazioni_con", "file_registro", "impronta", "impronta_file", "registra_esportazione"]


def file_registro(area: Area) -> Path:
    """The registry's list (a link is refused: the registry would be written elsewhere)."""
    for p in (area.cartella / ".mappe" / "esportazioni.jsonl", area.cartella / ".mappe" / "esportazioni"):
        if p.is_symlink():
            raise AreaError(f"{p} è un collegamento simbolico: il registro dei file esportati deve stare nell'area "
                            "di lavoro. Sostituirlo con il file o la cartella vera.")
    return area.cartella / ".mappe" / "esportazioni.jsonl"


def impronta(chiave: bytes, testo: str) -> str:
    """A keyed fingerprint of a text (normalised), to recognise rows that have no id in a file."""
    return hmac.new(chiave, b"impronta\x1f" + piega(testo).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def registra_esportazione(area: Area, percorso: Path, tipo: str, contenuto: dict[str, list[str]],
                          impronte: dict[str, list[str]] | None = None) -> None:
    """Record that ``percorso`` was written with these rows ({comune slug: [internal ids]}).

    The ids are sealed with the workspace's key (:func:`mappe.cifratura.sigilla`), and rows with no
    id (rejected rows of an import) are recorded by keyed fingerprints of their texts: nothing in
    the registry tells what the rows said.
    """
    file_registro(area)  # no link anywhere in it
    migra_registro(area.cartella)
    chiave = area.segreto()
    cartella = area.cartella / ".mappe" / "esportazioni"
    crea_cartella_privata(cartella)
    quando = dt.datetime.now()
    nome = f"{quando:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}.json"
    dati = {slug: {"ids": [i for i in ids if i]} for slug, ids in contenuto.items()}
    for slug, testi in (impronte or {}).items():
        dati.setdefault(slug, {"ids": []})["impronte"] = sorted({impronta(chiave, t) for t in testi if t})
    fd = os.open(cartella / nome, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(sigilla(chiave, dati)))
    voce = {"quando": quando.isoformat(timespec="seconds"), "utente": _utente(), "tipo": tipo,
            "file": str(Path(percorso).resolve()), "comuni": {k: len(v) for k, v in contenuto.items()},
            "contenuto": nome, "sha256": impronta_file(Path(percorso))}
    fd = os.open(file_registro(area), os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps(voce, ensure_ascii=False) + "\n")


def impronta_file(percorso: Path) -> str | None:
    """The SHA-256 of a file as written, so that an erasure deletes it only if it is still that file."""
    try:
        h = hashlib.sha256()
        with open(percorso, "rb") as f:
            for pezzo in iter(lambda: f.read(1 << 20), b""):
                h.update(pezzo)
        return h.hexdigest()
    except OSError:
        return None


def esportazioni_con(area: Area, slug: str, ids: set[str], testi: list[str] = ()) -> list[dict]:
    """The recorded exports that held any of these rows of a comune (by internal id, or by the
    fingerprint of their texts for files of rejected rows)."""
    if not file_registro(area).exists():
        return []
    migra_registro(area.cartella)
    chiave = area.segreto()
    impronte = {impronta(chiave, t) for t in testi if t}
    trovate = []
    for riga in file_registro(area).read_text(encoding="utf-8").splitlines():
        try:
            voce = json.loads(riga)
            sigillato = json.loads((area.cartella / ".mappe" / "esportazioni" / voce["contenuto"]).read_text("utf-8"))
        except (ValueError, OSError, KeyError):
            continue
        contenuto = apri_sigillo(chiave, sigillato)
        if not isinstance(contenuto, dict):
            continue
        dati = contenuto.get(slug) or {}
        if set(ids) & set(dati.get("ids", [])) or impronte & set(dati.get("impronte", [])):
            trovate.append(voce)
    return trovate
