"""The exhibition served (``mappe servi``): visitors' phones and the hall's tablets send feedback in.

Two things are served, nothing else: the exhibition page (the same page as ``mappe mostra``
builds, from the public projection, rebuilt when a store changes from outside, e.g. after a
moderation) and one feedback endpoint. Each submission is checked with the same rules as
``mappe riscontri importa`` (:func:`mappe.riscontri.valuta`, in its strict form), appended to the
comune's store in its own transaction (:meth:`mappe.archivio.Archivio.aggiungi`) and acknowledged
only once written; an item that arrives again (a page retrying after a dropped connection) is
acknowledged and not written twice.

Built for a public network: the body is read 16 KB at most whatever the client says, submissions
must come from the page's own origin, a device (a token the page keeps) and an address may send
only so much, a field that people never see must stay empty, and every answer carries security
headers (the page's Content-Security-Policy allows its own scripts only, by hash).

Starlette and uvicorn (pure Python, also on Windows) do the HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import gzip
import hashlib
import ipaddress
import json
import logging
import re
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .archivio import Archivio, Area
from .errori import MappeError
from .riscontri import Regole, Respinto, valuta

__all__ = ["LIMITE_CORPO", "Limiti", "MostraServita", "app", "csp", "indirizzi_locali", "origine_valida"]

LIMITE_CORPO = 16 * 1024  # bytes of one submission
MAX_PER_RICHIESTA = 20  # items in one submission (the page sends 5 at most)
PERCORSO_RISCONTRI = "riscontri"  # the endpoint, relative to the page
PERCORSO_FOTO = "foto"  # GET foto/H: the preview of the page's photo whose thumbnail has the hash H
CHIAVI = {"id", "su", "comune", "reazione", "commento", "data", "mostra", "lon", "lat"}
_DISPOSITIVO = re.compile(r"[0-9a-f]{32}")  # whole: fullmatch
CONTROLLO_S = 2.0  # how often the stores are looked at for changes made from outside
# A connection must have sent a whole request's headers within this time (from its opening, or
# from the end of its previous answer), and a request its body: a client that sends a byte now
# and then would otherwise hold a connection for ever, and a thousand of them the server.
TEMPO_INTESTAZIONI_S = 10.0
TEMPO_CORPO_S = 10.0
VITA_CONNESSIONE_S = 120.0  # a connection that reads answers slowly, or never, is closed after this
CONNESSIONI_PER_INDIRIZZO = 32  # a browser opens 6 at most

# Token buckets: (capacity, refill per second). A device (a kiosk is one device for many
# visitors, one after the other) may leave 30 items at once and one every 2 s after that; an
# address (a hall's network behind one router, or a mobile operator's) ten times as much.
LIMITE_DISPOSITIVO = (30, 0.5)
LIMITE_INDIRIZZO = (300, 5.0)


class Limiti:
    """Token buckets by key (a device's token, an address), thread-safe and bounded in memory."""

    def __init__(self, capacita: float, al_secondo: float, massimo_chiavi: int = 20000):
        self.capacita, self.al_secondo, self.massimo = float(capacita), float(al_secondo), massimo_chiavi
        self._secchi: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._mutex = threading.Lock()

    def prendi(self, chiave: str, n: float = 1, ora: float | None = None) -> float:
        """Take ``n`` tokens: 0 when allowed, else the seconds to wait before asking again."""
        ora = time.monotonic() if ora is None else ora
        with self._mutex:
            livello, quando = self._secchi.pop(chiave, (self.capacita, ora))
            livello = min(self.capacita, livello + (ora - quando) * self.al_secondo)
            if n > livello:
                attesa = (n - livello) / self.al_secondo if n <= self.capacita else 3600.0
                self._secchi[chiave] = (livello, ora)
                return max(1.0, attesa)
            self._secchi[chiave] = (livello - n, ora)
            while len(self._secchi) > self.massimo:  # the least recently seen go first
                self._secchi.popitem(last=False)
            return 0.0

    def __len__(self) -> int:
        return len(self._secchi)


def chiave_indirizzo(indirizzo: str) -> str:
    """The key an address is limited by: itself, or its /64 for IPv6 (one home, one phone, has
    a whole /64 and can take any address in it)."""
    try:
        ip = ipaddress.ip_address(indirizzo)
    except ValueError:
        return indirizzo
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def accetta_gzip(accept_encoding: str) -> bool:
    """Whether a browser's Accept-Encoding allows gzip (``gzip;q=0`` does not)."""
    for parte in accept_encoding.lower().split(","):
        nome, _, parametri = parte.strip().partition(";")
        if nome.strip() in ("gzip", "*"):
            q = re.search(r"q\s*=\s*([0-9.]+)", parametri)
            try:
                return q is None or float(q.group(1)) > 0
            except ValueError:
                return False
    return False


def csp(html: str, stile: str = "comunita") -> str:
    """The Content-Security-Policy of a page: its own inline scripts only (by SHA-256 hash), its
    own styles, images from itself (and the basemap's server for the classic style), requests
    to itself only; no frames, no plugins, no base or form elsewhere."""
    hash_script = []
    for m in re.finditer(r"<script(\s[^>]*)?>(.*?)</script>", html, re.DOTALL):
        attributi = m.group(1) or ""
        if re.search(r'type="application/(json|octet-stream)"', attributi):
            continue  # data, not run
        d = base64.b64encode(hashlib.sha256(m.group(2).encode("utf-8")).digest()).decode("ascii")
        hash_script.append(f"'sha256-{d}'")
    hash_stile = []
    for m in re.finditer(r"<style(\s[^>]*)?>(.*?)</style>", html, re.DOTALL):
        d = base64.b64encode(hashlib.sha256(m.group(2).encode("utf-8")).digest()).decode("ascii")
        hash_stile.append(f"'sha256-{d}'")
    immagini = "'self' data:"
    if stile == "classico":
        from .rendi.mappa import TILE_URL

        p = urlsplit(TILE_URL)
        immagini += f" {p.scheme}://{p.netloc}"
    return "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(hash_script),
        "style-src " + " ".join(hash_stile),
        f"img-src {immagini}",
        "font-src data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


INTESTAZIONI = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


def _nome_ammesso(host: str) -> bool:
    """Whether a Host header names this computer: an IP address, localhost, or its own name.

    (A name of someone else's that points to this computer is how a page elsewhere would get a
    visitor's browser to post here: refused unless it is the origin given with --origine.)
    """
    nome = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    nome = nome.strip("[]").lower().rstrip(".")
    try:
        ipaddress.ip_address(nome)
        return True
    except ValueError:
        pass
    proprio = socket.gethostname().lower()
    return nome in ("localhost", proprio, proprio.split(".")[0] + ".local")


def origine_valida(origin: str | None, host: str | None, origine: str | None, sito: str | None) -> bool:
    """The same-origin check of a submission (Origin and Sec-Fetch-Site headers)."""
    if sito and sito not in ("same-origin", "none"):
        return False
    if not origin:
        return False
    if origine:
        return origin.rstrip("/") == origine
    if not host or not _nome_ammesso(host):
        return False
    return origin in (f"http://{host}", f"https://{host}")


@dataclass
class Pagina:
    html: bytes
    compressa: bytes
    etag: str
    csp: str


@dataclass
class MostraServita:
    """What a running ``mappe servi`` holds: the page, and what checks and writes the feedback."""

    area: Area
    slugs: list[str]
    titolo: str | None = None
    lingua: str | list = "it"  # or the page's languages, the first the default
    chiosco: bool = False
    attesa_s: int = 180
    stile: str = "comunita"
    origine: str | None = None  # the public origin behind a reverse proxy (--origine)
    pagina: Pagina | None = None
    mostra_id: str = ""
    archivi: dict[str, Archivio] = field(default_factory=dict)
    regole: dict[str, Regole] = field(default_factory=dict)
    gia: dict[str, set] = field(default_factory=dict)  # feedback ids in each store
    firme: dict[str, tuple] = field(default_factory=dict)  # the store files as last seen
    sporchi: set = field(default_factory=set)  # comuni written from outside since the page was built
    blocchi: dict[str, threading.Lock] = field(default_factory=dict)
    ricevuti: dict[str, int] = field(default_factory=dict)  # written since the start, by comune
    limiti_dispositivo: Limiti = field(default_factory=lambda: Limiti(*LIMITE_DISPOSITIVO))
    limiti_indirizzo: Limiti = field(default_factory=lambda: Limiti(*LIMITE_INDIRIZZO))
    costruzioni: int = 0
    anteprime: dict = field(default_factory=dict)  # the previews of the page's photos, by their thumbnail's hash
    _in_costruzione: threading.Lock = field(default_factory=threading.Lock)
    _scrittura: threading.Lock = field(default_factory=threading.Lock)  # one submission written at a time

    def __post_init__(self):
        if self.origine:
            self.origine = self.origine.rstrip("/")
        for s in self.slugs:
            self.blocchi[s] = threading.Lock()
            self.gia[s] = set()
            self.ricevuti[s] = 0

    # ---------- The page ----------
    def _firma(self, slug: str) -> tuple:
        return self.archivi[slug].firma()

    def costruisci(self) -> None:
        """Build (again) the page and the rules from the stores as they are now.

        When the build fails (a store being rewritten, a page the privacy check refuses), the page
        stays as it was and every comune is marked to be built again at the next look.
        """
        with self._in_costruzione:
            archivi = [self.area.archivio(s) for s in self.slugs]
            for a in archivi:
                self.archivi[a.slug] = a
                with self.blocchi[a.slug]:
                    # what changed until now is in what is read below
                    self.sporchi.discard(a.slug)
                    self.firme[a.slug] = self._firma(a.slug)
            try:
                self._costruisci(archivi)
            except BaseException:
                self.sporchi.update(self.slugs)
                raise

    def _costruisci(self, archivi: list[Archivio]) -> None:
        from .rendi.mappa import testo_dati
        from .rendi.mostra import costruisci_mostra, id_mostra

        contenuto: dict = {}
        foto_ids: list = []
        html, _ = costruisci_mostra(self.area, archivi, self.titolo, self.lingua, self.chiosco, None, False,
                                    self.attesa_s, contenuto, self.stile, invio=PERCORSO_RISCONTRI, foto_ids=foto_ids)
        per_comune = {a.slug: a for a in archivi}
        lette: dict[str, dict] = {}
        for slug in {s for s, _ in foto_ids}:
            lette[slug] = per_comune[slug].leggi_foto({f for s, f in foto_ids if s == slug}, "anteprima")
        hash_pagina = json.loads(testo_dati(html) or "{}").get("foto", {}).get("h", [])
        anteprime = {h: lette[s][f] for h, (s, f) in zip(hash_pagina, foto_ids) if f in lette[s]}
        regole = {a.slug: Regole.di(a, set(contenuto.get(a.slug, []))) for a in archivi}
        gia = {a.slug: set(a.leggi("riscontri")["id"]) for a in archivi}
        dati = html.encode("utf-8")
        pagina = Pagina(dati, gzip.compress(dati, compresslevel=6, mtime=0),
                        '"' + hashlib.sha256(dati).hexdigest()[:32] + '"', csp(html, self.stile))
        for s in self.slugs:
            with self.blocchi[s]:
                self.gia[s] |= gia[s]
                self.regole[s] = regole[s]
        prima = self.lingua[0] if isinstance(self.lingua, (list, tuple)) else self.lingua
        self.mostra_id = id_mostra(self.area, archivi, self.titolo, prima)
        self.anteprime = anteprime
        self.pagina = pagina
        self.costruzioni += 1

    def cambiati(self) -> list[str]:
        """The comuni whose store was written from outside since the page was built.

        Every write of mappe but this server's appends replaces the file (a new inode) or at least
        changes it while this server was not writing: the file's identity, time and size are
        compared with what this server saw last.
        """
        for s in self.slugs:
            with self.blocchi[s]:
                try:
                    firma = self._firma(s)
                except OSError:
                    continue  # being replaced this very moment: next time
                if firma != self.firme.get(s):
                    self.sporchi.add(s)
                    self.firme[s] = firma
        return sorted(self.sporchi)

    # ---------- Feedback ----------
    def ricevi(self, corpo: dict) -> tuple[int, dict]:
        """Check and write one submission. Returns the HTTP status and the JSON answer."""
        if corpo.get("sito"):
            return 400, {"errore": "Richiesta rifiutata."}
        voci = corpo.get("riscontri")
        if not isinstance(voci, list) or not voci or len(voci) > MAX_PER_RICHIESTA:
            return 400, {"errore": f"'riscontri' deve essere un elenco da 1 a {MAX_PER_RICHIESTA} riscontri."}
        respinti, buoni, per_id = [], [], {}
        adesso = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        for v in voci:
            id_ = v.get("id") if isinstance(v, dict) else None
            try:
                if not isinstance(v, dict):
                    raise Respinto("", "un riscontro deve essere un oggetto")
                altre = set(v) - CHIAVI
                if altre:
                    raise Respinto(min(altre)[:40], "campo sconosciuto")
                comune = v.get("comune")
                if not isinstance(comune, str) or comune not in self.regole:
                    raise Respinto("comune", "il comune non è in questa mostra")
                if not isinstance(v.get("mostra"), (str, type(None))) or v.get("mostra") not in (None, "", self.mostra_id):
                    raise Respinto("mostra", "il riscontro è di un'altra mostra")
                geometria = None
                if v.get("lon") is not None or v.get("lat") is not None:
                    if not all(isinstance(v.get(k), (int, float)) and not isinstance(v.get(k), bool)
                               for k in ("lon", "lat")):
                        raise Respinto("geometria", "lon e lat devono essere numeri")
                    geometria = {"type": "Point", "coordinates": [v["lon"], v["lat"]]}
                    if v.get("su"):
                        raise Respinto("geometria", "una reazione a un contributo non ha un punto")
                riga, geom = valuta(self.regole[comune], v, geometria, self.mostra_id, rigoroso=True)
                riga["data"] = riga["data"] if _vicina(riga["data"]) else adesso
                riga["mostra"] = self.mostra_id
                if riga["id"] in per_id:
                    raise Respinto("id", "due riscontri con lo stesso codice nella stessa richiesta")
                altrove = [c for c in self.slugs if c != comune and riga["id"] in self.gia[c]]
                if altrove:
                    raise Respinto("id", "il codice è di un riscontro già ricevuto per un altro comune")
                per_id[riga["id"]] = comune
                buoni.append((comune, riga, geom))
            except Respinto as e:
                respinti.append({"id": id_ if isinstance(id_, str) else None, "campo": e.campo, "motivo": e.motivo})
        if respinti:
            return 422, {"errore": "Riscontri non accettati: niente è stato scritto.", "respinti": respinti}
        with self._scrittura:
            # again under the lock: two requests at once must not write one id into two comuni
            for c, r, _ in buoni:
                if any(r["id"] in self.gia[altro] for altro in self.slugs if altro != c):
                    return 422, {"errore": "Riscontri non accettati: niente è stato scritto.", "respinti": [
                        {"id": r["id"], "campo": "id", "motivo": "il codice è di un riscontro già ricevuto per un "
                                                               "altro comune"}]}
            return self._scrivi(buoni)

    def _scrivi(self, buoni: list) -> tuple[int, dict]:
        ricevuti, gia = [], []
        for s in self.slugs:
            mie = [(r, g) for c, r, g in buoni if c == s]
            if not mie:
                continue
            with self.blocchi[s]:
                nuove, visti = [], set()
                for r, g in mie:
                    if r["id"] in self.gia[s] or r["id"] in visti:
                        gia.append(r["id"])
                    else:
                        visti.add(r["id"])
                        nuove.append((r, g))
                if nuove:
                    a = self.archivi[s]
                    with a.blocco():
                        if self._firma(s) != self.firme.get(s):
                            self.sporchi.add(s)  # written from outside before: the page is rebuilt
                        # (an id written meanwhile from outside, e.g. by an import, is left out)
                        scritti = a.aggiungi("riscontri", [r for r, _ in nuove], [g for _, g in nuove],
                                             "riscontri ricevuti", f"mostra servita: {len(nuove)} in attesa di "
                                             "moderazione")
                        self.gia[s] |= visti
                        self.firme[s] = self._firma(s)  # our own write: the page stays as it is
                    self.ricevuti[s] += len(scritti)
                    ricevuti += scritti
                    gia += [r["id"] for r, _ in nuove if r["id"] not in set(scritti)]
        return 200, {"ricevuti": ricevuti, "gia": gia}


GIORNI_INDIETRO = 30  # a page keeps items while the network is down: not for months


def _vicina(data: str | None) -> bool:
    """Whether a date a page sent is near the day it arrived (within GIORNI_INDIETRO days before, a
    day after): else the server's time is kept, so that nobody spreads items over the years to slip
    past a moderation by dates."""
    if not data:
        return False
    try:
        quando = dt.datetime.fromisoformat(data.replace("Z", "+00:00"))
    except ValueError:
        return False
    if quando.tzinfo is None:
        quando = quando.replace(tzinfo=dt.timezone.utc)
    adesso = dt.datetime.now(dt.timezone.utc)
    return adesso - dt.timedelta(days=GIORNI_INDIETRO) <= quando <= adesso + dt.timedelta(days=1)


def _json(stato: int, dati: dict, intestazioni: dict | None = None):
    from starlette.responses import Response

    h = {"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
    h.update(intestazioni or {})
    # ASCII: a lone surrogate echoed back (an id, a key) cannot break the encoding of the answer
    return Response(json.dumps(dati, ensure_ascii=True), status_code=stato, media_type="application/json",
                    headers=h)


class _Troppo(Exception):
    pass


def _non_numero(nome: str):
    raise ValueError(f"{nome} non è un numero")  # NaN, Infinity: not JSON, though Python reads them


def app(mostra: MostraServita):
    """The ASGI application: GET / (the page), POST /riscontri (feedback), GET /foto/H (the preview of a
    photo of the page); nothing else."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response
    from starlette.routing import Route

    async def pagina(request):
        p = mostra.pagina
        if p is None:
            return Response("La mostra si sta preparando: riprovare tra poco.", 503,
                            headers={"Retry-After": "5"}, media_type="text/plain; charset=utf-8")
        h = {"Content-Security-Policy": p.csp, "Cache-Control": "no-cache", "ETag": p.etag,
             "Vary": "Accept-Encoding"}
        if p.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=h)
        if accetta_gzip(request.headers.get("accept-encoding", "")):
            return Response(p.compressa, headers={**h, "Content-Encoding": "gzip"}, media_type="text/html; charset=utf-8")
        return Response(p.html, headers=h, media_type="text/html; charset=utf-8")

    async def foto(request):
        # the preview of a photo of the page as it was built (named by its thumbnail's hash, so that
        # a page opened before a rebuild never gets another photo): nothing else of the store
        dati = mostra.anteprime.get(request.path_params["h"])
        if dati is None:
            return Response("Foto non trovata.", 404, media_type="text/plain; charset=utf-8")
        etag = '"' + hashlib.sha256(dati).hexdigest()[:32] + '"'
        h = {"Cache-Control": "no-cache", "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=h)
        return Response(dati, headers=h, media_type="image/webp")

    async def riscontri(request):
        indirizzo = chiave_indirizzo(request.client.host if request.client else "?")
        attesa = mostra.limiti_indirizzo.prendi(indirizzo)
        if attesa:
            return _json(429, {"errore": "Troppe richieste da questo indirizzo: riprovare tra poco."},
                         {"Retry-After": str(int(attesa + 0.99))})
        if not origine_valida(request.headers.get("origin"), request.headers.get("host"), mostra.origine,
                              request.headers.get("sec-fetch-site")):
            return _json(403, {"errore": "Si possono inviare riscontri solo dalla pagina della mostra."})
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return _json(415, {"errore": "I riscontri si inviano in JSON."})
        dichiarata = request.headers.get("content-length")
        if dichiarata is not None and (not dichiarata.isdigit() or int(dichiarata) > LIMITE_CORPO):
            return _json(413, {"errore": f"Richiesta troppo grande (al massimo {LIMITE_CORPO // 1024} KB)."})
        corpo = bytearray()
        try:
            async with asyncio.timeout(TEMPO_CORPO_S):
                async for pezzo in request.stream():
                    corpo += pezzo
                    if len(corpo) > LIMITE_CORPO:
                        raise _Troppo
        except _Troppo:
            return _json(413, {"errore": f"Richiesta troppo grande (al massimo {LIMITE_CORPO // 1024} KB)."})
        except TimeoutError:
            return _json(408, {"errore": "Richiesta troppo lenta."}, {"Connection": "close"})
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            dati = json.loads(bytes(corpo).decode("utf-8"), parse_constant=_non_numero)
        except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: also an int of 5,000 digits
            return _json(400, {"errore": "La richiesta non è JSON valido."})
        if not isinstance(dati, dict):
            return _json(400, {"errore": "La richiesta deve essere un oggetto JSON."})
        dispositivo = dati.get("dispositivo")
        if not isinstance(dispositivo, str) or not _DISPOSITIVO.fullmatch(dispositivo):
            return _json(400, {"errore": "Manca il codice del dispositivo."})
        n = max(1, min(len(dati["riscontri"]) if isinstance(dati.get("riscontri"), list) else 1, MAX_PER_RICHIESTA))
        # the address pays for every item (one was paid at the door), the device too
        attesa = mostra.limiti_indirizzo.prendi(indirizzo, n - 1) if n > 1 else 0
        if attesa:
            return _json(429, {"errore": "Troppe richieste da questo indirizzo: riprovare tra poco."},
                         {"Retry-After": str(int(attesa + 0.99))})
        attesa = mostra.limiti_dispositivo.prendi(dispositivo, n)
        if attesa:
            return _json(429, {"errore": "Troppi riscontri da questo dispositivo: riprovare tra poco."},
                         {"Retry-After": str(int(attesa + 0.99))})
        try:
            stato, risposta = await run_in_threadpool(mostra.ricevi, dati)
        except MappeError as e:
            print(f"mappe servi: riscontri non scritti ({e})", file=sys.stderr, flush=True)
            return _json(503, {"errore": "Non si riesce a scrivere ora: riprovare tra poco."}, {"Retry-After": "5"})
        except Exception as e:  # noqa: BLE001 - the page will send again; the log says what happened
            print(f"mappe servi: riscontri non scritti ({type(e).__name__}: {e})", file=sys.stderr, flush=True)
            return _json(500, {"errore": "Errore del server: i riscontri non sono stati scritti, riprovare."})
        return _json(stato, risposta)

    async def controlla():
        """Rebuild the page when a store changed from outside (a moderation, an import, an erasure).
        A rebuild that fails is tried again, less and less often (up to once a minute)."""
        pausa = CONTROLLO_S
        while True:
            await asyncio.sleep(pausa)
            try:
                if await run_in_threadpool(mostra.cambiati):
                    await run_in_threadpool(mostra.costruisci)
                    print(f"{dt.datetime.now():%H:%M} la mostra è stata rifatta: i dati sono cambiati.", flush=True)
                pausa = CONTROLLO_S
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - keep serving the page as it was
                if pausa == CONTROLLO_S:
                    print(f"mappe servi: la mostra non si è potuta rifare ({e if isinstance(e, MappeError) else type(e).__name__}); "
                          "resta quella di prima, si riprova da sola.", file=sys.stderr, flush=True)
                pausa = min(60.0, pausa * 2)

    class Durata:
        def __init__(self, applicazione):
            self.applicazione = applicazione

        async def __call__(self, scope, receive, send):
            if scope["type"] == "lifespan":
                compito = None

                async def ricevi_ciclo():
                    nonlocal compito
                    messaggio = await receive()
                    if messaggio["type"] == "lifespan.startup":
                        compito = asyncio.get_running_loop().create_task(controlla())
                    elif messaggio["type"] == "lifespan.shutdown" and compito:
                        compito.cancel()
                    return messaggio

                return await self.applicazione(scope, ricevi_ciclo, send)
            if scope["type"] != "http":
                return await self.applicazione(scope, receive, send)

            iniziata = False

            async def manda(messaggio):
                nonlocal iniziata
                if messaggio["type"] == "http.response.start":
                    iniziata = True
                    messaggio.setdefault("headers", [])
                    messaggio["headers"] = list(messaggio["headers"]) + INTESTAZIONI
                await send(messaggio)

            try:
                return await self.applicazione(scope, receive, manda)
            except asyncio.CancelledError:
                # stopped (Ctrl-C) while a request was under way: the page keeps its items and sends
                # them again to the next server (what was written already is not written twice)
                print("mappe servi: un invio in corso è stato interrotto dalla chiusura: la pagina lo rimanderà, "
                      "senza doppioni.", file=sys.stderr, flush=True)
                if not iniziata:
                    with contextlib.suppress(Exception):
                        await send({"type": "http.response.start", "status": 503,
                                    "headers": [(b"retry-after", b"5"), (b"connection", b"close"), *INTESTAZIONI]})
                        await send({"type": "http.response.body", "body": b""})
                return None

    rotte = [Route("/", pagina, methods=["GET"]), Route("/" + PERCORSO_RISCONTRI, riscontri, methods=["POST"]),
             Route("/" + PERCORSO_FOTO + "/{h}", foto, methods=["GET"])]
    applicazione = Starlette(routes=rotte)
    applicazione.router.redirect_slashes = False  # no redirect built from the Host header: a 404
    return Durata(applicazione)


def _locale(ip: str) -> bool:
    """Whether an address is this computer's own (the reverse proxy's, with --origine)."""
    try:
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def protocollo(dietro_un_sito: bool = False):
    """uvicorn's HTTP protocol (h11, pure Python) with two guards against clients that hold
    connections: a whole request's headers within TEMPO_INTESTAZIONI_S, and at most
    CONNESSIONI_PER_INDIRIZZO connections from one address (not for the reverse proxy's own,
    which speaks for everybody: it has its own timeouts)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    aperte: dict[str, int] = {}

    class Protocollo(H11Protocol):
        _mappe_chiave = None
        _mappe_timer = None
        _mappe_fine = None

        def connection_made(self, transport):
            super().connection_made(transport)
            ip = self.client[0] if self.client else None
            if ip is not None and not (dietro_un_sito and _locale(ip)):
                chiave = chiave_indirizzo(ip)
                if aperte.get(chiave, 0) >= CONNESSIONI_PER_INDIRIZZO:
                    transport.close()  # the page's browser never needs so many
                    return
                aperte[chiave] = aperte.get(chiave, 0) + 1
                self._mappe_chiave = chiave
            self._mappe_arma()
            # whatever it does, no connection lives for ever (a client that asks and never reads)
            self._mappe_fine = self.loop.call_later(VITA_CONNESSIONE_S, self._mappe_chiudi)

        def _mappe_chiudi(self):
            if not self.transport.is_closing():
                self.transport.close()

        def _mappe_arma(self):
            if self._mappe_timer is not None:
                self._mappe_timer.cancel()
            self._mappe_timer = self.loop.call_later(TEMPO_INTESTAZIONI_S, self._mappe_scaduto)

        def _mappe_scaduto(self):
            self._mappe_timer = None
            # no request under way (none begun, or the last one answered): too slow
            if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
                self.transport.close()

        def on_response_complete(self):
            super().on_response_complete()
            if not self.transport.is_closing():
                self._mappe_arma()

        def connection_lost(self, exc):
            if self._mappe_fine is not None:
                self._mappe_fine.cancel()
                self._mappe_fine = None
            if self._mappe_timer is not None:
                self._mappe_timer.cancel()
                self._mappe_timer = None
            if self._mappe_chiave is not None:
                rimaste = aperte.get(self._mappe_chiave, 1) - 1
                if rimaste > 0:
                    aperte[self._mappe_chiave] = rimaste
                else:
                    aperte.pop(self._mappe_chiave, None)
                self._mappe_chiave = None
            super().connection_lost(exc)

    return Protocollo


def indirizzi_locali() -> list[str]:
    """This computer's IPv4 addresses on the local network (the hall's Wi-Fi), best first."""
    trovati = []
    try:  # the address the system would use to reach a private network (no packet is sent)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            trovati.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            trovati.append(info[4][0])
    except OSError:
        pass
    out = []
    for a in trovati:
        if a not in out and not a.startswith("127.") and a != "0.0.0.0":
            out.append(a)
    return out


def apri_porta(indirizzo: str, porta: int) -> socket.socket:
    """The listening socket, or a clear error when the port is taken or the address is not ours."""
    famiglia = socket.AF_INET6 if ":" in indirizzo else socket.AF_INET
    s = socket.socket(famiglia, socket.SOCK_STREAM)
    if sys.platform != "win32":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((indirizzo, porta))
    except OSError as e:
        s.close()
        if e.errno in (98, 48, 10048):
            raise MappeError(f"La porta {porta} è già usata da un altro programma (un'altra mostra servita?): "
                             f"fermarlo, o sceglierne un'altra con --porta {porta + 1}.") from None
        if e.errno in (13, 10013):
            raise MappeError(f"Non c'è il permesso di usare la porta {porta}: sceglierne una sopra 1024, per "
                             "esempio --porta 8000.") from None
        raise MappeError(f"L'indirizzo {indirizzo} non è di questo computer: usare --indirizzo "
                         "0.0.0.0 per tutta la rete, o 127.0.0.1 per questo computer soltanto.") from None
    s.listen(512)
    s.set_inheritable(True)
    return s


class _SenzaAvvisoDiChiusura(logging.Filter):
    """uvicorn's English line on the requests cut at the end: mappe says it in Italian, per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Cancel ")


def servi(mostra: MostraServita, indirizzo: str, porta: int, annuncia=print) -> None:
    """Build the page, open the port, tell where to go, serve until Ctrl-C."""
    import uvicorn

    mostra.costruisci()
    sock = apri_porta(indirizzo, porta)
    porta = sock.getsockname()[1]
    annuncia(("apri", porta))
    config = uvicorn.Config(
        app(mostra), http=protocollo(bool(mostra.origine)), log_level="warning", access_log=False, lifespan="on",
        proxy_headers=bool(mostra.origine), forwarded_allow_ips="127.0.0.1,::1",
        timeout_keep_alive=5, limit_concurrency=1000, timeout_graceful_shutdown=5, server_header=False,
        date_header=True,
    )
    server = uvicorn.Server(config)
    logging.getLogger("uvicorn.error").addFilter(_SenzaAvvisoDiChiusura())
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn stops cleanly on Ctrl-C, then raises it again for whoever called it: that is us
    finally:
        sock.close()
