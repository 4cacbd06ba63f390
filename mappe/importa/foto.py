"""Where the photos named in an imported file are, and what the store keeps of them.

A sheet's ``foto`` column names pictures by file name, separated by ``|``: relative to the
sheet's folder (or to ``--cartella-foto``), or a bare name found anywhere below it, which is how
KoboToolbox and ODK Central hand over their attachments (a folder per submission, or a zip of
them: the submission's uuid settles two files with the same name). The editor's export and ODK
Central's "with media" export are one zip holding the table and its pictures: the zip is the
place to look, as it is.

An id of a picture the comune's store holds already (what ``mappe esporta`` writes in the
column) is taken as it is: the correction loop never needs the files again.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from ..errori import ImportaError
from ..foto import ESTENSIONI, Foto, FotoError, prepara
from .limiti import Limiti, controlla_archivio

__all__ = ["CercaFoto"]

MAX_FILE_INDICIZZATI = 50_000  # files looked at below a folder of photos
MAX_MB_FOTO = 60  # a phone's photo is 2-12 MB, a scanned drawing a few tens


class CercaFoto:
    """Find and prepare the pictures a file names.

    Parameters
    ----------
    origine : path
        A folder or a zip holding the pictures.
    chiave : bytes
        The workspace secret (the pictures' ids are keyed with it).
    presenti : set of str
        Ids of the pictures the store holds already.
    con_gps : bool
        Read the EXIF position too (``--posizione-da-foto``).
    """

    def __init__(self, origine: Path, chiave: bytes, presenti: set[str], con_gps: bool = False,
                 limiti: Limiti | None = None, indicata: bool = False):
        self.origine = Path(origine)
        self.chiave = chiave
        self.presenti = presenti
        self.con_gps = con_gps
        self.indicata = indicata
        self.nuove: dict[str, Foto] = {}
        self._fatte: dict[str, Foto] = {}
        self._indice: dict[str, list[str]] | None = None
        self._zip: zipfile.ZipFile | None = None
        if self.origine.is_file():
            controlla_archivio(self.origine, limiti or Limiti())
            try:
                self._zip = zipfile.ZipFile(self.origine)
            except (zipfile.BadZipFile, OSError):
                raise ImportaError(f"{self.origine} non è né una cartella né un file zip: con --cartella-foto indicare "
                                   "la cartella delle foto (o lo zip degli allegati scaricato da Kobo o ODK).")
        elif not self.origine.is_dir():
            raise ImportaError(f"La cartella delle foto {self.origine} non esiste: controllare il nome (--cartella-foto).")

    def chiudi(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def dove(self) -> str:
        return f"nello zip {self.origine.name}" if self._zip else f"nella cartella {self.origine}"

    def _tutti(self) -> dict[str, list[str]]:
        """Every picture below the origin, by lowercase file name."""
        if self._indice is None:
            self._indice = {}
            if self._zip is not None:
                nomi = [i.filename for i in self._zip.infolist() if not i.is_dir()]
            else:
                nomi = []
                # a link inside the folder could lead anywhere on the computer: links are not followed
                for cartella, sottocartelle, file in os.walk(self.origine, followlinks=False):
                    for nome in file:
                        p = Path(cartella) / nome
                        if p.suffix.lower() in ESTENSIONI and not p.is_symlink() and p.is_file():
                            nomi.append(p.relative_to(self.origine).as_posix())
                    if len(nomi) >= MAX_FILE_INDICIZZATI:
                        break
            for n in nomi:
                if PurePosixPath(n).suffix.lower() in ESTENSIONI:
                    self._indice.setdefault(PurePosixPath(n).name.lower(), []).append(n)
                    # a name written without its extension ("IMG_2041" for IMG_2041.JPG)
                    self._indice.setdefault(PurePosixPath(n).stem.lower() + "\x00", []).append(n)
        return self._indice

    def _dentro(self, relativo: str) -> str | None:
        """The origin's file at this relative path, if it is there (never outside the origin)."""
        parti = [p for p in relativo.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parti or ".." in parti or ":" in parti[0]:
            return None
        rel = "/".join(parti)
        if self._zip is not None:
            try:
                self._zip.getinfo(rel)
                return rel
            except KeyError:
                return None
        p = self.origine.joinpath(*parti)
        try:
            dentro = p.is_file() and not any(self.origine.joinpath(*parti[:k + 1]).is_symlink()
                                             for k in range(len(parti)))
        except OSError:  # a name too long for the system, say
            return None
        return rel if dentro else None

    def _trova(self, nome: str, codice: str | None) -> str:
        rel = self._dentro(nome)
        if rel is not None:
            return rel
        base = nome.replace("\\", "/").rsplit("/", 1)[-1]
        candidati = self._tutti().get(base.lower(), [])
        if not candidati and not PurePosixPath(base).suffix:
            candidati = self._tutti().get(base.lower() + "\x00", [])
        if len(candidati) > 1 and codice:
            # Kobo and ODK keep each submission's attachments in a folder named by its uuid
            propri = [c for c in candidati if codice.lower().removeprefix("uuid:") in c.lower()]
            candidati = propri or candidati
        if len(candidati) == 1:
            return candidati[0]
        if not candidati:
            raise FotoError(f"non si trova {self.dove()} (cercata anche nelle sottocartelle): controllare il nome del "
                            "file" + ("" if self.indicata else ", o indicare dove sono le foto con --cartella-foto "
                                      "CARTELLA (anche lo zip degli allegati scaricato da Kobo o ODK)"))
        raise FotoError(f"ci sono {len(candidati)} file con questo nome {self.dove()} ({', '.join(candidati[:3])}): "
                        "scrivere nel foglio il percorso dalla cartella delle foto")

    def _leggi(self, rel: str) -> bytes:
        if PurePosixPath(rel).suffix.lower() in (".heic", ".heif"):
            raise FotoError("è in formato HEIC (iPhone), che mappe non legge: salvarla come JPEG (sul telefono: "
                            "Impostazioni > Fotocamera > Formati > Più compatibile) e importare di nuovo")
        try:
            if self._zip is not None:
                byte = self._zip.getinfo(rel).file_size
            else:
                byte = self.origine.joinpath(*rel.split("/")).stat().st_size
            if byte > MAX_MB_FOTO * 1024 * 1024:
                raise FotoError(f"è troppo grande ({byte // (1024 * 1024)} MB, al massimo {MAX_MB_FOTO}): ridurla "
                                "e importare di nuovo")
            if self._zip is not None:
                return self._zip.read(rel)
            return self.origine.joinpath(*rel.split("/")).read_bytes()
        except (OSError, zipfile.BadZipFile, ValueError, KeyError):
            raise FotoError("non si riesce a leggere: copiarla di nuovo e importare ancora")
        except (RuntimeError, NotImplementedError):  # an encrypted member, a method zipfile lacks
            raise FotoError(f"nello zip {self.origine.name} è cifrata o compressa in un modo che mappe non legge: "
                            "estrarre lo zip con il programma del computer e indicare la cartella con --cartella-foto")

    def foto(self, nome: str, codice: str | None = None) -> Foto | str:
        """The picture a cell names: an id the store holds already (returned as it is), or the file
        found and prepared (:class:`~mappe.foto.Foto`). Raises :class:`~mappe.foto.FotoError`."""
        nome = nome.strip()
        if nome in self.presenti:
            return nome
        chiave = nome + "\x00" + (codice or "")
        if chiave not in self._fatte:
            rel = self._trova(nome, codice)
            f = prepara(self._leggi(rel), self.chiave, self.con_gps)
            self._fatte[chiave] = f
        f = self._fatte[chiave]
        if f.id not in self.presenti:
            self.nuove[f.id] = f
        return f
