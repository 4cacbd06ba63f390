"""Photos and drawings kept with the words: cleaned, shrunk, and stored by what they show.

A picture given to mappe (a file named in a sheet's ``foto`` column, a Kobo attachment, a photo
taken in the editor) is read with Pillow, turned the right way up, and kept only as two WebP
copies: a preview (at most :data:`LATO_ANTEPRIMA` px on its long side) and a thumbnail (at most
:data:`LATO_MINIATURA` px). Neither carries any metadata: no EXIF (GPS position, camera, date),
no XMP, no ICC comment. The original is never stored.

A picture is known by a keyed hash of its decoded pixels (the workspace secret, as for ids), not
of its file: the same photo sent twice, or saved again by another program, is one picture, and
nobody without the secret can tell from the id which photo it is. The position a photo's EXIF
holds is read only when the user asks for it (``--posizione-da-foto``): it can put someone in
danger.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import struct
import warnings
from dataclasses import dataclass

__all__ = ["LATO_ANTEPRIMA", "LATO_MINIATURA", "Foto", "FotoError", "posizione_gps", "prepara"]

LATO_ANTEPRIMA = 1200
LATO_MINIATURA = 400
QUALITA_ANTEPRIMA = 78
QUALITA_MINIATURA = 62
PIXEL_MASSIMI = 60_000_000  # a real photo has 12-50 megapixels; more is a file made to fill the memory
# What Pillow has raised on broken EXIF blocks (empty GPS fields, wrong counts, odd offsets)
_ERRORI_EXIF = (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError, ZeroDivisionError, SyntaxError,
                struct.error)
ESTENSIONI = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".heif")


class FotoError(ValueError):
    """A picture that cannot be read (the message is Italian, without the file's name)."""


@dataclass(frozen=True)
class Foto:
    """One picture as the store keeps it.

    Attributes
    ----------
    id : str
        Keyed hash of the decoded pixels (``f`` + 23 hex digits).
    anteprima, miniatura : bytes
        WebP preview and thumbnail, with no metadata.
    larghezza, altezza : int
        Size of the preview in pixels (the thumbnail keeps its proportions).
    gps : tuple of float or None
        (lon, lat) from the EXIF of the original, when it had one: used only on request.
    """

    id: str
    anteprima: bytes
    miniatura: bytes
    larghezza: int
    altezza: int
    gps: tuple[float, float] | None = None


def _immagine(dati: bytes):
    from PIL import Image, UnidentifiedImageError

    if dati[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise FotoError("è in formato HEIC (iPhone), che mappe non legge: salvarla come JPEG (sul telefono: "
                        "Impostazioni > Fotocamera > Formati > Più compatibile) e importare di nuovo")
    Image.MAX_IMAGE_PIXELS = PIXEL_MASSIMI
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(dati))
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FotoError(f"è troppo grande (più di {PIXEL_MASSIMI // 1_000_000} milioni di pixel): ridurla e importare di nuovo")
    except UnidentifiedImageError:
        raise FotoError("non è un'immagine che mappe sa leggere (JPEG, PNG, WebP, GIF, TIFF o BMP)")
    except (OSError, SyntaxError, ValueError):
        raise FotoError("è danneggiata o incompleta: copiarla di nuovo dal telefono o dalla macchina fotografica")
    return img


def _dritta(img):
    """The picture turned as its EXIF orientation says (guarded: Pillow has failed on odd EXIF)."""
    from PIL import ImageOps

    try:
        return ImageOps.exif_transpose(img)
    except _ERRORI_EXIF:  # a broken EXIF block: the picture as it is stored is still the picture
        return img


def _pixel(img):
    """The picture in a mode WebP keeps, with transparency only when it has any."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        if img.getchannel("A").getextrema() == (255, 255):
            img = img.convert("RGB")
        return img
    return img.convert("RGB")


def _webp(img, lato: int, qualita: int) -> tuple[bytes, int, int]:
    from PIL import Image

    copia = img.copy()
    copia.thumbnail((lato, lato), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # no exif=, no xmp=, no icc_profile=: the file holds the pixels and nothing else
    copia.save(out, format="WEBP", quality=qualita, method=6)
    return out.getvalue(), copia.width, copia.height


def id_foto(chiave: bytes, img) -> str:
    """The keyed hash of a picture's decoded pixels (after turning it the right way up)."""
    h = hmac.new(chiave, b"mappe-foto\x00" + f"{img.mode} {img.width}x{img.height}\x00".encode(), hashlib.sha256)
    h.update(img.tobytes())
    return "f" + h.hexdigest()[:23]


def prepara(dati: bytes, chiave: bytes, con_gps: bool = False) -> Foto:
    """Read a picture's bytes and make what the store keeps of it.

    Parameters
    ----------
    dati : bytes
        The file as given (JPEG, PNG, WebP, GIF, TIFF, BMP).
    chiave : bytes
        The workspace secret (:meth:`mappe.archivio.Area.segreto`).
    con_gps : bool
        Also read the position from the EXIF (``--posizione-da-foto``).

    Raises
    ------
    FotoError
        When the bytes are not a picture mappe can read (Italian, one clause).
    """
    img = _immagine(dati)
    gps = posizione_gps(img) if con_gps else None
    img = _pixel(_dritta(img))
    anteprima, larghezza, altezza = _webp(img, LATO_ANTEPRIMA, QUALITA_ANTEPRIMA)
    miniatura, _, _ = _webp(img, LATO_MINIATURA, QUALITA_MINIATURA)
    return Foto(id_foto(chiave, img), anteprima, miniatura, larghezza, altezza, gps)


def _gradi(valori, rif) -> float | None:
    try:
        g, m, s = (float(v) for v in valori)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    x = g + m / 60 + s / 3600
    return -x if str(rif).upper().startswith(("S", "W")) else x


def posizione_gps(img) -> tuple[float, float] | None:
    """(lon, lat) of the EXIF GPS block of an opened picture, or None (none, empty or broken)."""
    try:
        gps = img.getexif().get_ifd(0x8825)
    except _ERRORI_EXIF:  # an EXIF block Pillow cannot parse: no position
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lon = _gradi(gps.get(2), gps.get(1, "N")), _gradi(gps.get(4), gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lon, lat


def impronta_visiva(dati: bytes) -> int | None:
    """A 64-bit fingerprint of what a picture shows (difference hash of a 9×8 grey copy): the same
    photo saved again, shrunk or recompressed keeps nearly the same bits. None if unreadable."""
    from PIL import Image

    try:
        img = _immagine(dati)
    except FotoError:
        return None
    try:
        grigia = _dritta(img).convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    except (OSError, ValueError):
        return None
    p = grigia.tobytes()
    bit = 0
    for y in range(8):
        for x in range(8):
            bit = (bit << 1) | (p[y * 9 + x] > p[y * 9 + x + 1])
    return bit


def simili(a: int, b: int, soglia: int = 6) -> bool:
    """Whether two fingerprints (:func:`impronta_visiva`) are of the same picture."""
    return (a ^ b).bit_count() <= soglia
