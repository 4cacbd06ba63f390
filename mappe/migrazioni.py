"""Changes of format, applied once to a workspace made by an earlier mappe.

- :func:`migra_ids`: ids made from a row's content used to be an unkeyed hash of its words and
  position, which let anybody confirm a guess about a row (an erased one included): each store
  gets their keyed form, in every kept version, reference and history line too;
- :func:`migra_registro`: the registry of exported files keeps public ids instead of internal ones.

Each runs at most once (a mark in the store, a file in ``.mappe/``) when a store is opened.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pyogrio

from .archivio import (
    Archivio,
    _scrivi_atomico,
    _scrivi_strato,
    _sostituisci_file,
    compatta,
    conforma,
    crea_cartella_privata,
    segreto_area,
)

__all__ = ["MARCA_REGISTRO", "migra_ids", "migra_registro"]

# Present in .mappe/ once the export registry holds sealed, keyed ids only (see mappe.registro).
MARCA_REGISTRO = "registro-con-chiave"


def migra_registro(cartella_area: Path) -> None:
    """Once per workspace: the ids in the registry of exported files are sealed with the
    workspace's key (old content ids in their keyed form first): they confirm no guess about
    what a row said, and an erasure still finds the files by them."""
    from .cifratura import sigilla
    from .pubblico import ID_CONTENUTO_VECCHIO, id_con_chiave

    chiavi = Path(cartella_area) / ".mappe"
    marca = chiavi / MARCA_REGISTRO
    if marca.exists():
        return
    chiave = segreto_area(cartella_area)
    cartella = chiavi / "esportazioni"
    for f in sorted(cartella.glob("*.json")) if cartella.is_dir() and not cartella.is_symlink() else []:
        try:
            contenuto = json.loads(f.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if not isinstance(contenuto, dict) or contenuto.get("v") == 1:
            continue
        nuovo = {}
        for slug, ids in contenuto.items():
            if isinstance(ids, list):
                nuovo[slug] = {"ids": [id_con_chiave(chiave, i) if ID_CONTENUTO_VECCHIO.match(str(i)) else i
                                       for i in ids]}
        testo = json.dumps(sigilla(chiave, nuovo))
        _sostituisci_file(f, lambda tmp, t=testo: Path(tmp).write_text(t, encoding="utf-8"))
    crea_cartella_privata(chiavi)
    marca.touch(mode=0o600)


def migra_ids(arch: Archivio) -> None:
    """Once per store: give ids made from content before they were keyed their keyed form.

    Such ids (``c-`` + the first 16 hex digits of an unkeyed SHA-1 of a row's words and position)
    let anybody confirm a guess about a row, an erased one included. Each is replaced by
    :func:`mappe.pubblico.id_con_chiave` of itself, in the store, in every kept version (so that
    ``annulla`` brings back no old id), in the references between rows and in the history; the
    files are compacted so that no old id is left in their free pages. A file imported again
    computes the same keyed ids, so it still finds its rows.
    """
    from .pubblico import CAMPI_ID, ID_CONTENUTO_VECCHIO, id_con_chiave

    with arch.blocco():
        arch.__dict__.pop("info", None)
        if arch.info.get("id_chiave"):
            return
        chiave = arch.segreto()
        memo: dict[str, str] = {}

        def nuovo(v):
            if not isinstance(v, str) or not ID_CONTENUTO_VECCHIO.match(v):
                return v
            if v not in memo:
                memo[v] = id_con_chiave(chiave, v)
            return memo[v]

        def rinnova(path: Path, segna: bool) -> None:
            strati = {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                presenti = {n for n, _ in pyogrio.list_layers(path)}
                for nome, st in arch.catalogo.strati.items():
                    if nome in presenti:
                        strati[nome] = pyogrio.read_dataframe(path, layer=nome, read_geometry=st.geometria,
                                                              use_arrow=True)
            for nome, df in strati.items():
                for campo in CAMPI_ID:
                    if campo in df.columns:
                        df[campo] = [("|".join(nuovo(x) for x in v.split("|")) if campo == "risponde_a" else nuovo(v))
                                     if isinstance(v, str) else v for v in df[campo].tolist()]
            info = None
            if segna:
                info = pyogrio.read_dataframe(path, layer="comune", read_geometry=False)
                info["id_chiave"] = 1

            def scrivi(tmp: Path) -> None:
                for nome, df in strati.items():
                    _scrivi_strato(tmp, nome, conforma(arch.catalogo.strati[nome], df))
                if info is not None:
                    _scrivi_strato(tmp, "comune", info)
                compatta(tmp)

            _scrivi_atomico(path, scrivi, None)

        if arch.cartella_versioni.is_dir():
            for versione in sorted(arch.cartella_versioni.glob("*.gpkg")):
                rinnova(versione, False)
        rinnova(arch.gpkg, True)
        if arch.file_storia.exists():
            testo = arch.file_storia.read_text(encoding="utf-8")
            rinnovato = re.sub(r"\b[a-z]-[0-9a-f]{16}\b", lambda m: nuovo(m.group()), testo)

            def storia(tmp: str) -> None:
                Path(tmp).write_text(rinnovato, encoding="utf-8")

            _sostituisci_file(arch.file_storia, storia)
        arch._registra("chiavi", "gli id costruiti dal contenuto sono ora cifrati con la chiave dell'area", None, None)
        arch.__dict__.pop("info", None)
