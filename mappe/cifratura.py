"""Feedback kept in a kiosk's browser is ciphertext: only the workspace can read it.

An exhibition page opened as a file keeps visitors' feedback in the browser's storage until the
staff download it, and every page opened from a file shares that storage: any other local HTML
file could read it. So the page encrypts each item before storing it, with a public key embedded
in the page, and only ``mappe riscontri importa``, holding the private key, can decrypt it.

The key pair belongs to one exhibition of one workspace: the private key is derived from the
workspace secret (``.mappe/segreto``) and the exhibition id, so nothing more is kept on disk, and a
copy of the workspace can decrypt too. The scheme (version 1) is ECIES on P-256 with WebCrypto:

- the page makes an ephemeral ECDH key pair per item and derives 256 bits with the exhibition's
  public key;
- HKDF-SHA-256 (salt: the ephemeral public key, raw; info: ``mappe-riscontri-1``) turns them into
  an AES-256-GCM key;
- the item's JSON is encrypted with a random 96-bit IV, the exhibition id as additional data.

The staff PIN only gates the download button: it is checked with PBKDF2 (many iterations) and
repeated wrong attempts are slowed down by the page.

The workspace's own lists of ids (the registry of exported files) are sealed too
(:func:`sigilla`, AES-256-GCM with a key derived from the secret): without the key they say
nothing, and sealing 100,000 ids costs milliseconds, where a keyed hash of each would cost a
noticeable part of a map's build.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["ITERAZIONI_PIN", "apri_sigillo", "chiave_pubblica", "cifra", "decifra", "hash_pin", "nuovo_pin",
           "sigilla"]

INFO = b"mappe-riscontri-1"
ITERAZIONI_PIN = 200_000
_ORDINE_P256 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _b64(dati: bytes) -> str:
    return base64.urlsafe_b64encode(dati).rstrip(b"=").decode("ascii")


def _da_b64(testo: str) -> bytes:
    testo = str(testo)
    return base64.urlsafe_b64decode(testo + "=" * (-len(testo) % 4))


def chiave_privata(segreto: bytes, mostra_id: str) -> ec.EllipticCurvePrivateKey:
    """The exhibition's private key, derived from the workspace secret (never written anywhere)."""
    d = hmac.new(segreto, b"chiosco\x1f" + mostra_id.encode("utf-8"), hashlib.sha512).digest()
    return ec.derive_private_key(int.from_bytes(d, "big") % (_ORDINE_P256 - 1) + 1, ec.SECP256R1())


def chiave_pubblica(segreto: bytes, mostra_id: str) -> dict:
    """The exhibition's public key as a JWK, for the page (WebCrypto ``importKey('jwk', ...)``)."""
    numeri = chiave_privata(segreto, mostra_id).public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64(numeri.x.to_bytes(32, "big")),
            "y": _b64(numeri.y.to_bytes(32, "big")), "ext": True}


def _chiave_simmetrica(condiviso: bytes, epk: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk, info=INFO).derive(condiviso)


def cifra(segreto: bytes, mostra_id: str, voce: dict) -> dict:
    """Encrypt an item as the page does (for tests and for tools that write feedback)."""
    from cryptography.hazmat.primitives import serialization

    effimera = ec.generate_private_key(ec.SECP256R1())
    pubblica = chiave_privata(segreto, mostra_id).public_key()
    epk = effimera.public_key().public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
    chiave = _chiave_simmetrica(effimera.exchange(ec.ECDH(), pubblica), epk)
    iv = secrets.token_bytes(12)
    ct = AESGCM(chiave).encrypt(iv, json.dumps(voce, ensure_ascii=False).encode("utf-8"), mostra_id.encode("utf-8"))
    return {"v": 1, "epk": _b64(epk), "iv": _b64(iv), "ct": _b64(ct)}


def decifra(segreto: bytes, mostra_id: str, cifrato: dict) -> dict | None:
    """The item inside ``cifrato``, or None when it cannot be decrypted (another workspace's
    exhibition, a damaged or forged item)."""
    try:
        if not isinstance(cifrato, dict) or cifrato.get("v") != 1:
            return None
        epk = _da_b64(cifrato["epk"])
        effimera = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), epk)
        condiviso = chiave_privata(segreto, mostra_id).exchange(ec.ECDH(), effimera)
        chiave = _chiave_simmetrica(condiviso, epk)
        chiaro = AESGCM(chiave).decrypt(_da_b64(cifrato["iv"]), _da_b64(cifrato["ct"]), mostra_id.encode("utf-8"))
        voce = json.loads(chiaro.decode("utf-8"))
        return voce if isinstance(voce, dict) else None
    except (KeyError, TypeError, ValueError, InvalidTag, UnicodeDecodeError):
        return None


def nuovo_pin() -> str:
    """A staff code of ten digits (a six-digit PIN falls in half a second to a script)."""
    return f"{secrets.randbelow(10**10):010d}"


def hash_pin(pin: str, sale: bytes | None = None, iterazioni: int = ITERAZIONI_PIN) -> dict:
    """What the page keeps instead of the PIN: PBKDF2-HMAC-SHA-256 of the digits, with its salt."""
    sale = sale or secrets.token_bytes(16)
    cifre = "".join(c for c in str(pin) if c.isdigit())
    dk = hashlib.pbkdf2_hmac("sha256", cifre.encode("ascii"), sale, iterazioni)
    return {"sale": _b64(sale), "iterazioni": iterazioni, "hash": _b64(dk)}


def _chiave_sigillo(segreto: bytes) -> bytes:
    return hmac.new(segreto, b"sigillo\x1fmappe-1", hashlib.sha256).digest()


def sigilla(segreto: bytes, dati) -> dict:
    """``dati`` (anything JSON can hold) sealed with the workspace's key: ``{"v": 1, "dati": ...}``."""
    iv = secrets.token_bytes(12)
    ct = AESGCM(_chiave_sigillo(segreto)).encrypt(iv, json.dumps(dati).encode("utf-8"), b"mappe-sigillo-1")
    return {"v": 1, "dati": _b64(iv + ct)}


def apri_sigillo(segreto: bytes, sigillato) -> object | None:
    """What :func:`sigilla` sealed, or None (another workspace's key, a damaged file)."""
    try:
        grezzo = _da_b64(sigillato["dati"])
        chiaro = AESGCM(_chiave_sigillo(segreto)).decrypt(grezzo[:12], grezzo[12:], b"mappe-sigillo-1")
        return json.loads(chiaro.decode("utf-8"))
    except (KeyError, TypeError, ValueError, InvalidTag, UnicodeDecodeError):
        return None
