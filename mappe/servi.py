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
import datetime as dt
import gzip
import hashlib
import ipaddress
import json
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
CHIAVI = {"id", "su", "comune", "reazione", "commento", "data", "mostra", "lon", "lat"}
_DISPOSITIVO = re.compile(r"^[0-9a-f]{32}$")
CONTROLLO_S = 2.0  # how often the stores are looked at for changes made from outside

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
    lingua: str = "it"
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
    _in_costruzione: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        if self.origine:
            self.origine = self.origine.rstrip("/")
        for s in self.slugs:
            self.blocchi[s] = threading.Lock()
            self.gia[s] = set()
            self.ricevuti[s] = 0

    # ---------- The page ----------
    def _firma(self, slug: str) -> tuple:
        st = self.archivi[slug].gpkg.stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def costruisci(self) -> None:
        """Build (again) the page and the rules from the stores as they are now."""
        from .rendi.mostra import costruisci_mostra, id_mostra

        with self._in_costruzione:
            archivi = [self.area.archivio(s) for s in self.slugs]
            for a in archivi:
                self.archivi[a.slug] = a
                with self.blocchi[a.slug]:
                    # what changed until now is in what is read below
                    self.sporchi.discard(a.slug)
                    self.firme[a.slug] = self._firma(a.slug)
            contenuto: dict = {}
            html, _ = costruisci_mostra(self.area, archivi, self.titolo, self.lingua, self.chiosco, None, False,
                                        self.attesa_s, contenuto, self.stile, invio=PERCORSO_RISCONTRI)
            regole = {a.slug: Regole.di(a, set(contenuto.get(a.slug, []))) for a in archivi}
            gia = {a.slug: set(a.leggi("riscontri")["id"]) for a in archivi}
            dati = html.encode("utf-8")
            pagina = Pagina(dati, gzip.compress(dati, compresslevel=6, mtime=0),
                            '"' + hashlib.sha256(dati).hexdigest()[:32] + '"', csp(html, self.stile))
            for s in self.slugs:
                with self.blocchi[s]:
                    self.gia[s] |= gia[s]
                    self.regole[s] = regole[s]
            self.mostra_id = id_mostra(self.area, archivi, self.titolo, self.lingua)
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
        respinti, buoni = [], []
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
                if comune not in self.regole:
                    raise Respinto("comune", "il comune non è in questa mostra")
                if v.get("mostra") not in (None, "", self.mostra_id):
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
                riga["data"] = riga["data"] or adesso
                riga["mostra"] = self.mostra_id
                buoni.append((comune, riga, geom))
            except Respinto as e:
                respinti.append({"id": id_ if isinstance(id_, str) else None, "campo": e.campo, "motivo": e.motivo})
        if respinti:
            return 422, {"errore": "Riscontri non accettati: niente è stato scritto.", "respinti": respinti}
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
                        a.aggiungi("riscontri", [r for r, _ in nuove], [g for _, g in nuove], "riscontri ricevuti",
                                   f"mostra servita: {len(nuove)} in attesa di moderazione")
                        self.firme[s] = self._firma(s)  # our own write: the page stays as it is
                    self.gia[s] |= visti
                    self.ricevuti[s] += len(nuove)
                    ricevuti += [r["id"] for r, _ in nuove]
        return 200, {"ricevuti": ricevuti, "gia": gia}


def _json(stato: int, dati: dict, intestazioni: dict | None = None):
    from starlette.responses import Response

    h = {"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}
    h.update(intestazioni or {})
    return Response(json.dumps(dati, ensure_ascii=False), status_code=stato, media_type="application/json",
                    headers=h)


class _Troppo(Exception):
    pass


def app(mostra: MostraServita):
    """The ASGI application: GET / (the page) and POST /riscontri (feedback); nothing else."""
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
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(p.compressa, headers={**h, "Content-Encoding": "gzip"}, media_type="text/html; charset=utf-8")
        return Response(p.html, headers=h, media_type="text/html; charset=utf-8")

    async def riscontri(request):
        indirizzo = request.client.host if request.client else "?"
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
            async for pezzo in request.stream():
                corpo += pezzo
                if len(corpo) > LIMITE_CORPO:
                    raise _Troppo
        except _Troppo:
            return _json(413, {"errore": f"Richiesta troppo grande (al massimo {LIMITE_CORPO // 1024} KB)."})
        except ClientDisconnect:
            return Response(status_code=400)
        try:
            dati = json.loads(bytes(corpo).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return _json(400, {"errore": "La richiesta non è JSON valido."})
        if not isinstance(dati, dict):
            return _json(400, {"errore": "La richiesta deve essere un oggetto JSON."})
        dispositivo = dati.get("dispositivo")
        if not isinstance(dispositivo, str) or not _DISPOSITIVO.match(dispositivo):
            return _json(400, {"errore": "Manca il codice del dispositivo."})
        n = len(dati["riscontri"]) if isinstance(dati.get("riscontri"), list) else 1
        attesa = mostra.limiti_dispositivo.prendi(dispositivo, max(1, min(n, MAX_PER_RICHIESTA)))
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
        """Rebuild the page when a store changed from outside (a moderation, an import, an erasure)."""
        while True:
            await asyncio.sleep(CONTROLLO_S)
            try:
                if await run_in_threadpool(mostra.cambiati):
                    await run_in_threadpool(mostra.costruisci)
                    print(f"{dt.datetime.now():%H:%M} la mostra è stata rifatta: i dati sono cambiati.", flush=True)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - keep serving the page as it was
                print(f"mappe servi: la mostra non si è potuta rifare ({type(e).__name__}: {e}); resta quella di "
                      "prima, si riprova tra poco.", file=sys.stderr, flush=True)

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

            async def manda(messaggio):
                if messaggio["type"] == "http.response.start":
                    messaggio.setdefault("headers", [])
                    messaggio["headers"] = list(messaggio["headers"]) + INTESTAZIONI
                await send(messaggio)

            return await self.applicazione(scope, receive, manda)

    rotte = [Route("/", pagina, methods=["GET"]), Route("/" + PERCORSO_RISCONTRI, riscontri, methods=["POST"])]
    return Durata(Starlette(routes=rotte))


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
        raise MappeError(f"L'indirizzo {indirizzo} non è di questo computer ({e.strerror}): usare --indirizzo "
                         "0.0.0.0 per tutta la rete, o 127.0.0.1 per questo computer soltanto.") from None
    s.listen(512)
    s.set_inheritable(True)
    return s


def servi(mostra: MostraServita, indirizzo: str, porta: int, annuncia=print) -> None:
    """Build the page, open the port, tell where to go, serve until Ctrl-C."""
    import uvicorn

    mostra.costruisci()
    sock = apri_porta(indirizzo, porta)
    porta = sock.getsockname()[1]
    annuncia(("apri", porta))
    config = uvicorn.Config(
        app(mostra), log_level="warning", access_log=False, lifespan="on",
        proxy_headers=bool(mostra.origine), forwarded_allow_ips="127.0.0.1,::1",
        timeout_keep_alive=5, limit_concurrency=1000, timeout_graceful_shutdown=5, server_header=False,
        date_header=True,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn stops cleanly on Ctrl-C, then raises it again for whoever called it: that is us
    finally:
        sock.close()
