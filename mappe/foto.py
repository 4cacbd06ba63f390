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
# What Pillow may decode: the formats of cameras, phones and scanners, and nothing else (Pillow
# knows dozens; EPS would even call Ghostscript). MPO is a phone's JPEG with a second picture.
FORMATI = ["JPEG", "MPO", "PNG", "WEBP", "GIF", "TIFF", "BMP"]
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
            Image.init()  # every plugin registered, so that the list below means what it says
            img = Image.open(io.BytesIO(dati), formats=[x for x in FORMATI if x in Image.OPEN])
            if img.format in ("JPEG", "MPO"):
                # a phone's 12-50 megapixels, decoded at the largest 1/2, 1/4, 1/8 scale that still
                # covers the preview: the same pixels every time, four to sixty times less work
                img.draft(None, (LATO_ANTEPRIMA, LATO_ANTEPRIMA))
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


def _srgb(img):
    """The picture in sRGB, when it carries a colour profile (a phone's Display P3, a scanner's):
    the profile itself is not kept, so its colours are converted first."""
    profilo = img.info.get("icc_profile")
    if not profilo or img.mode not in ("RGB", "RGBA", "CMYK"):
        return img
    from PIL import ImageCms

    try:
        origine = ImageCms.ImageCmsProfile(io.BytesIO(profilo))
        modo = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(img, origine, ImageCms.createProfile("sRGB"), outputMode=modo)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return img  # a broken profile: the pixels as they are


def _pixel(img):
    """The picture in a mode WebP keeps (8 bits per channel), with transparency only when it has any."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        # 16-bit and 32-bit greys (scans): scaled to 8 bits, not clipped to white
        import numpy as np

        a = np.asarray(img, dtype=np.float64)
        alto = 65535.0 if img.mode.startswith("I;16") or (a.size and a.max() > 255) else 255.0
        if img.mode in ("I", "F") and a.size and a.max() > 65535:
            alto = float(a.max())
        img = _grigia_da_array(np.clip(a / alto * 255.0 + 0.5, 0, 255).astype(np.uint8))
    img = _srgb(img)
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        if img.getchannel("A").getextrema() == (255, 255):
            img = img.convert("RGB")
        return img
    return img.convert("RGB")


def _grigia_da_array(a):
    from PIL import Image

    return Image.fromarray(a)  # 8-bit grey


def _webp(img, lato: int, qualita: int) -> tuple[bytes, int, int]:
    from PIL import Image

    copia = img.copy()
    copia.thumbnail((lato, lato), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    # no exif=, no xmp=, no icc_profile=: the file holds the pixels and nothing else
    copia.save(out, format="WEBP", quality=qualita, method=4)
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


LATO_CONFRONTO = 512  # long side of the grey copy two pictures are compared at
CORRELAZIONE_MINIMA = 0.9  # of the grey levels of two copies of one picture


@dataclass(frozen=True)
class Impronta:
    """What a picture shows, to find it again after it was saved again, shrunk or recompressed: a
    grey copy (long side at most :data:`LATO_CONFRONTO`), its size and proportions."""

    grigia: object  # PIL image, mode L
    rapporto: float  # width / height


def impronta_visiva(dati: bytes) -> Impronta | None:
    """The :class:`Impronta` of a picture's bytes (None if it cannot be read)."""
    from PIL import Image

    try:
        img = _dritta(_immagine(dati)).convert("L")
        img.thumbnail((LATO_CONFRONTO, LATO_CONFRONTO), Image.Resampling.BOX)
    except (FotoError, OSError, ValueError):
        return None
    return Impronta(img, img.width / max(img.height, 1))


def simili(a: Impronta, b: Impronta) -> bool:
    """Whether two pictures show the same thing: same proportions, and grey levels that go up and
    down together (correlation of at least :data:`CORRELAZIONE_MINIMA`) when both are brought to
    the size of the smaller. Two pages of text look alike at a glance, not letter by letter."""
    import numpy as np
    from PIL import Image

    if abs(a.rapporto - b.rapporto) > 0.03 * max(a.rapporto, b.rapporto):
        return False
    larghezza = min(a.grigia.width, b.grigia.width)
    altezza = max(1, round(larghezza / a.rapporto))
    x = np.asarray(a.grigia.resize((larghezza, altezza), Image.Resampling.BOX), dtype=np.float64).ravel()
    y = np.asarray(b.grigia.resize((larghezza, altezza), Image.Resampling.BOX), dtype=np.float64).ravel()
    x -= x.mean()
    y -= y.mean()
    norma = float(np.sqrt((x * x).sum() * (y * y).sum()))
    if norma == 0:  # a plain picture: nothing to tell it by
        return False
    return float((x * y).sum()) / norma >= CORRELAZIONE_MINIMA
