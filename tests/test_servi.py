"""The exhibition served (mappe servi): a real server in a subprocess on 127.0.0.1, a phone in
Chromium sending feedback, an HTTP client sending what an attacker would, the network dropping."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import scrivi_csv

from mappe.archivio import Area
from mappe.cli import main
from mappe.pubblico import id_pubblico
from mappe.rendi.mappa import testo_dati as dati_pagina

RADICE = Path(__file__).resolve().parents[1]


def _cli(cartella: Path, *args, input: str | None = None, codice: int = 0):
    vecchia = Path.cwd()
    os.chdir(cartella)
    try:
        r = CliRunner().invoke(main, ["--area", str(cartella), *map(str, args)], input=input, catch_exceptions=False)
    finally:
        os.chdir(vecchia)
    assert r.exit_code == codice, r.output
    return r


@pytest.fixture(scope="module")
def _area_servita(_area_base, tmp_path_factory) -> Path:
    """Orbassano with a few contributions (one reserved, one sensitive) and two places."""
    base = tmp_path_factory.mktemp("servita")
    cartella = base / "area"
    shutil.copytree(_area_base, cartella)
    f = scrivi_csv(base / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "visibilita", "sensibile", "consenso", "lon", "lat"],
        ["c-1", "bisogno", "socialita", "Posti per stare insieme", "Manca un posto dove stare la sera",
         "pubblico", "no", "scritto", "7.5378", "45.0087"],
        ["c-2", "risorsa", "lavoro", "La bottega", "Il falegname prende apprendisti", "pubblico", "no", "orale",
         "7.5450", "45.0000"],
        ["c-3", "bisogno", "abitare", "Segnalazione delicata", "Famiglia in difficoltà", "riservato", "no",
         "scritto", "7.5420", "45.0050"],
        ["c-4", "memoria", "socialita", "La vecchia piazza", "Qui ballavamo d'estate", "pubblico", "no", "scritto",
         "7.5300", "45.0110"],
    ])
    _cli(cartella, "importa", f, "--comune", "Orbassano")
    luoghi = scrivi_csv(base / "l.csv", [
        ["nome", "categoria", "lon", "lat"],
        ["Biblioteca civica", "biblioteca", "7.5410", "45.0095"],
    ])
    _cli(cartella, "importa", luoghi, "--comune", "Orbassano", "--strato", "luoghi")
    return cartella


@pytest.fixture
def area_servita(_area_servita, tmp_path) -> Area:
    cartella = tmp_path / "area"
    shutil.copytree(_area_servita, cartella)
    return Area(cartella)


def porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``mappe servi`` in a subprocess, as a user starts it from a terminal."""

    def __init__(self, area: Area, *opzioni, porta: int = 0, comuni=("Orbassano",)):
        self.area, self.opzioni, self.comuni = area, opzioni, comuni
        self.porta = porta
        self.proc = None
        self.righe: list[str] = []

    def avvia(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mappe", "--area", str(self.area.cartella), "servi", *self.comuni,
             "--indirizzo", "127.0.0.1", "--porta", str(self.porta), *self.opzioni],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", env=env, cwd=RADICE,
        )
        self.righe = []
        leggi = threading.Thread(target=self._leggi, daemon=True)
        leggi.start()
        fine = time.monotonic() + 90
        while time.monotonic() < fine:
            for r in list(self.righe):
                m = re.search(r"Mostra servita.*?(http://127\.0\.0\.1:(\d+)/)", r)
                if m:
                    self.url, self.porta = m.group(1), int(m.group(2))
                    # the terminal's QR code and the last line come right after
                    while time.monotonic() < fine and not any("Ctrl-C" in x for x in self.righe):
                        time.sleep(0.05)
                    return self
            if self.proc.poll() is not None:
                time.sleep(0.2)
                raise AssertionError("il server non è partito:\n" + "".join(self.righe))
            time.sleep(0.1)
        raise AssertionError("il server non ha detto dove aprirlo:\n" + "".join(self.righe))

    def _leggi(self) -> None:
        for riga in self.proc.stdout:
            self.righe.append(riga)

    @property
    def uscita(self) -> str:
        return "".join(self.righe)

    def ferma(self, segnale=signal.SIGINT) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(segnale)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        time.sleep(0.1)
        return self.proc.returncode

    def origine(self) -> str:
        return f"http://127.0.0.1:{self.porta}"


@pytest.fixture
def server(area_servita):
    s = Server(area_servita).avvia()
    yield s
    s.ferma()


def richiesta(porta: int, metodo: str, percorso: str, corpo=None, intestazioni: dict | None = None,
              a_pezzi: bool = False):
    """One HTTP request; returns (status, headers, body bytes)."""
    con = http.client.HTTPConnection("127.0.0.1", porta, timeout=20)
    try:
        h = dict(intestazioni or {})
        if a_pezzi:
            con.request(metodo, percorso, body=corpo, headers=h, encode_chunked=True)
        else:
            con.request(metodo, percorso, body=corpo, headers=h)
        r = con.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        con.close()


def dispositivo() -> str:
    return uuid.uuid4().hex


def voce(su: str | None = None, **altro) -> dict:
    v = {"id": str(uuid.uuid4()), "su": su or "", "comune": "orbassano", "reazione": "importante", "commento": "",
         "data": "2026-11-28T18:00:00.000Z"}
    v.update(altro)
    return v


def posta(server: Server, voci: list, disp: str | None = None, intestazioni: dict | None = None,
          **campi) -> tuple[int, dict]:
    corpo = {"dispositivo": disp or dispositivo(), "sito": "", "riscontri": voci, **campi}
    h = {"Content-Type": "application/json", "Origin": server.origine()}
    h.update(intestazioni or {})
    stato, _, dati = richiesta(server.porta, "POST", "/riscontri", json.dumps(corpo).encode("utf-8"), h)
    try:
        return stato, json.loads(dati)
    except json.JSONDecodeError:
        return stato, {}


def riscontri(area: Area):
    return area.archivio("Orbassano").leggi("riscontri")


def pubblico(area: Area, id_: str) -> str:
    return id_pubblico(area.segreto(), id_)


# ---------------------------------------------------------------- serving: what, and only that


def test_serve_la_pagina_con_le_intestazioni_di_sicurezza_e_nient_altro(server, area_servita):
    stato, h, corpo = richiesta(server.porta, "GET", "/", intestazioni={"Accept-Encoding": "gzip"})
    assert stato == 200 and h["content-encoding"] == "gzip"
    import gzip

    html = gzip.decompress(corpo).decode("utf-8")
    assert "Mostra delle mappe di comunità" in html and "Posti per stare insieme" in (dati_pagina(html) or "")
    # the reserved contribution is not in the public page
    assert "Segnalazione delicata" not in (dati_pagina(html) or "") and "Segnalazione delicata" not in html
    csp = h["content-security-policy"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert re.search(r"script-src( 'sha256-[A-Za-z0-9+/=]+')+;", csp)
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
    # the same page uncompressed, and not again when the browser has it
    stato, h2, corpo2 = richiesta(server.porta, "GET", "/")
    assert stato == 200 and corpo2.decode("utf-8") == html and "content-encoding" not in h2
    stato, _, _ = richiesta(server.porta, "GET", "/", intestazioni={"If-None-Match": h["etag"]})
    assert stato == 304
    # a browser that refuses gzip gets it plain
    stato, h3, corpo3 = richiesta(server.porta, "GET", "/", intestazioni={"Accept-Encoding": "gzip;q=0, br"})
    assert stato == 200 and "content-encoding" not in h3 and corpo3.decode("utf-8") == html
    # no redirect (its address would be built from the Host header the client sent)
    stato, h4, _ = richiesta(server.porta, "POST", "/riscontri/", b"{}", {"Host": "sito-cattivo.example"})
    assert stato == 404 and "location" not in h4
    # nothing else: no file of the workspace, no listing, no other method
    for percorso in ("/data/", "/data/comuni/orbassano/orbassano.gpkg", "/progetto.toml", "/.mappe/segreto",
                     "/../progetto.toml", "/%2e%2e/progetto.toml", "/index.html", "/static/mappe.js", "/favicon.ico"):
        stato, h, corpo = richiesta(server.porta, "GET", percorso)
        assert stato == 404, percorso
        assert h["x-content-type-options"] == "nosniff"
    assert richiesta(server.porta, "GET", "/riscontri")[0] == 405
    assert richiesta(server.porta, "PUT", "/", b"x")[0] == 405
    assert richiesta(server.porta, "DELETE", "/riscontri")[0] == 405


def test_stampa_l_indirizzo_e_il_suo_codice_qr(server):
    """The QR code drawn in the terminal opens the address printed above it."""
    import zxingcpp
    from PIL import Image

    righe = server.uscita.splitlines()
    qr = [r for r in righe if r and set(r) <= set("█▀▄ ")]
    assert len(qr) >= 10, server.uscita
    # each character is two modules, one above the other: full block light/light, space dark/dark
    alto = {"█": 1, "▀": 1, "▄": 0, " ": 0}
    basso = {"█": 1, "▀": 0, "▄": 1, " ": 0}
    larghezza = max(len(r) for r in qr)
    moduli = []
    for k, r in enumerate(qr):
        r = r.ljust(larghezza)
        moduli.append([alto[c] for c in r])
        if k < len(qr) - 1 or any(c in "█▄" for c in r):
            moduli.append([basso[c] for c in r])
    scala, margine = 8, 32
    img = Image.new("L", (larghezza * scala + 2 * margine, len(moduli) * scala + 2 * margine), 255)
    for y, riga in enumerate(moduli):
        for x, chiaro in enumerate(riga):
            if not chiaro:
                img.paste(0, (margine + x * scala, margine + y * scala, margine + (x + 1) * scala,
                              margine + (y + 1) * scala))
    letti = zxingcpp.read_barcodes(img)
    assert [b.text for b in letti] == [server.url]


def test_ctrl_c_ferma_il_server_in_modo_pulito(area_servita):
    s = Server(area_servita).avvia()
    assert posta(s, [voce(pubblico(area_servita, "c-1"))])[0] == 200
    assert s.ferma(signal.SIGINT) == 0
    assert "Traceback" not in s.uscita
    assert "Mostra fermata. Riscontri ricevuti: 1, in attesa di moderazione." in s.uscita
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.porta), timeout=2).close()


def test_porta_occupata_una_frase_chiara(area_servita):
    with socket.socket() as occupata:
        occupata.bind(("127.0.0.1", 0))
        occupata.listen(1)
        porta = occupata.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "mappe", "--area", str(area_servita.cartella), "servi", "Orbassano",
             "--indirizzo", "127.0.0.1", "--porta", str(porta)],
            check=False, capture_output=True, text=True, timeout=120, cwd=RADICE)
    assert r.returncode == 1
    assert f"La porta {porta} è già usata da un altro programma" in r.stderr and "--porta" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


# ---------------------------------------------------------------- feedback over HTTP


def test_un_riscontro_arriva_una_volta_sola_anche_se_mandato_due_volte(server, area_servita):
    disp = dispositivo()
    v = voce(pubblico(area_servita, "c-1"))
    c = voce(pubblico(area_servita, "c-4"), reazione="", commento="Anche noi ballavamo qui")
    luogo = voce("", reazione="manca_un_luogo", commento="Qui serve una panchina", lon=7.5390, lat=45.0080)
    stato, r = posta(server, [v, c, luogo], disp)
    assert stato == 200 and sorted(r["ricevuti"]) == sorted([v["id"], c["id"], luogo["id"]]) and r["gia"] == []
    # the page did not get the answer and sends them again: acknowledged, not written again
    stato, r = posta(server, [v, c], disp)
    assert stato == 200 and r["ricevuti"] == [] and sorted(r["gia"]) == sorted([v["id"], c["id"]])
    ris = riscontri(area_servita)
    assert len(ris) == 3 and ris["id"].is_unique
    assert set(ris["stato"]) == {"in_attesa"}
    per_id = ris.set_index("id")
    assert per_id.loc[v["id"], "su"] == "c-1" and per_id.loc[v["id"], "reazione"] == "importante"
    assert per_id.loc[c["id"], "commento"] == "Anche noi ballavamo qui"
    g = per_id.loc[luogo["id"], "geometry"]
    assert g.geom_type == "Point" and abs(g.x - 7.5390) < 1e-9 and abs(g.y - 45.0080) < 1e-9
    # moderation works on them as on imported ones
    r = _cli(area_servita.cartella, "riscontri", "modera", "Orbassano", "--elenco")
    assert "3 riscontri in attesa" in r.output and "«Qui serve una panchina»" in r.output
    # one line of history per submission, none for the repeated one
    storia = [x for x in area_servita.archivio("Orbassano").storia() if x["operazione"] == "riscontri ricevuti"]
    assert len(storia) == 1 and storia[0]["righe"] == 3
    # no copy of the file, no kept version per item
    versioni = area_servita.archivio("Orbassano").cartella_versioni
    prima = sorted(versioni.iterdir())
    assert posta(server, [voce(pubblico(area_servita, "c-2"))], disp)[0] == 200
    assert sorted(versioni.iterdir()) == prima


def _niente_scritto(area: Area, n_prima: int = 0) -> None:
    assert len(riscontri(area)) == n_prima


@pytest.mark.parametrize("caso", [
    "json_rotto", "non_oggetto", "senza_dispositivo", "elenco_vuoto", "troppi", "id_ignoto", "id_riservato",
    "id_interno", "punto_fuori", "punto_mancante", "caratteri_di_controllo", "commento_lungo", "reazione_ignota",
    "campo_ignoto", "altro_comune", "altra_mostra", "vuoto", "miele", "data_falsa", "coordinate_testo",
    "una_buona_una_no", "comune_non_testo", "lon_enorme", "intero_gigante", "nan", "id_a_capo", "dispositivo_a_capo",
    "data_impossibile", "stesso_id_due_volte", "surrogato",
])
def test_richieste_ostili_4xx_e_niente_scritto(server, area_servita, caso):
    buona = voce(pubblico(area_servita, "c-1"))
    casi = {
        "non_oggetto": [buona],
        "senza_dispositivo": None,
        "elenco_vuoto": [],
        "troppi": [voce(pubblico(area_servita, "c-1")) for _ in range(21)],
        "id_ignoto": [voce("p0123456789abcde")],
        "id_riservato": [voce(pubblico(area_servita, "c-3"))],  # exists, but not public
        "id_interno": [voce("c-1")],  # the store's own id: pages carry public ids only
        "punto_fuori": [voce("", reazione="manca_un_luogo", commento="A Torino", lon=7.6869, lat=45.0703)],
        "punto_mancante": [voce("", reazione="manca_un_luogo", commento="Dove?")],
        "caratteri_di_controllo": [voce(pubblico(area_servita, "c-1"), reazione="", commento="ciao\u0007\u001b[31m")],
        "commento_lungo": [voce(pubblico(area_servita, "c-1"), reazione="", commento="x" * 501)],
        "reazione_ignota": [voce(pubblico(area_servita, "c-1"), reazione="<script>")],
        "campo_ignoto": [{**buona, "stato": "approvato"}],
        "altro_comune": [voce(pubblico(area_servita, "c-1"), comune="beinasco")],
        "altra_mostra": [voce(pubblico(area_servita, "c-1"), mostra="abcdef123456")],
        "vuoto": [voce(pubblico(area_servita, "c-1"), reazione="", commento="   ")],
        "data_falsa": [voce(pubblico(area_servita, "c-1"), data="<img src=x>")],
        "coordinate_testo": [voce("", reazione="manca_un_luogo", commento="Qui", lon="7.53", lat="45.0")],
        "una_buona_una_no": [buona, voce("p0123456789abcde")],
        "comune_non_testo": [voce(pubblico(area_servita, "c-1"), comune={"orbassano": 1})],
        "lon_enorme": [voce("", reazione="manca_un_luogo", commento="Qui", lon=10 ** 400, lat=45.0)],
        "id_a_capo": [voce(pubblico(area_servita, "c-1"), id="abc\n")],
        "data_impossibile": [voce(pubblico(area_servita, "c-1"), data="2026-99-99")],
        "stesso_id_due_volte": [buona, {**buona, "reazione": "d_accordo"}],
    }
    h = {"Content-Type": "application/json", "Origin": server.origine()}
    if caso == "json_rotto":
        stato, _, _ = richiesta(server.porta, "POST", "/riscontri", b'{"riscontri": [', h)
    elif caso == "non_oggetto":
        stato, _, _ = richiesta(server.porta, "POST", "/riscontri", json.dumps(casi[caso]).encode(), h)
    elif caso == "senza_dispositivo":
        stato, _, _ = richiesta(server.porta, "POST", "/riscontri", json.dumps({"riscontri": [buona]}).encode(), h)
    elif caso == "miele":
        stato, _ = posta(server, [buona], sito="http://compra-qui.example")
    elif caso in ("intero_gigante", "nan"):  # what Python's json reads but is not JSON, or costs too much
        numero = "7" * 5000 if caso == "intero_gigante" else "NaN"
        corpo = json.dumps({"dispositivo": dispositivo(), "riscontri": [buona]})[:-3] + ', "lon": ' + numero + "}]}"
        stato, _, _ = richiesta(server.porta, "POST", "/riscontri", corpo.encode(), h)
        assert stato == 400
    elif caso == "surrogato":  # a lone surrogate, echoed back in the answer, must not break it
        corpo = json.dumps({"dispositivo": dispositivo(), "riscontri": [{**buona, "id": "\ud800", "\udfff": 1}]})
        stato, _, risposta = richiesta(server.porta, "POST", "/riscontri", corpo.encode(), h)
        assert stato == 422 and json.loads(risposta)["respinti"]
    elif caso == "dispositivo_a_capo":
        stato, _ = posta(server, [buona], disp=dispositivo() + "\n")
    else:
        stato, risposta = posta(server, casi[caso])
        if caso in ("id_ignoto", "id_riservato", "punto_fuori", "caratteri_di_controllo", "una_buona_una_no",
                    "comune_non_testo", "lon_enorme", "id_a_capo", "data_impossibile", "stesso_id_due_volte"):
            assert stato == 422 and risposta["respinti"][-1]["id"] == casi[caso][-1]["id"], risposta
            assert "niente è stato scritto" in risposta["errore"]
    assert 400 <= stato < 500, caso
    _niente_scritto(area_servita)
    assert "Traceback" not in server.uscita and "riscontri non scritti" not in server.uscita


def test_un_riscontro_importato_da_file_e_uno_servito_seguono_le_stesse_regole(server, area_servita, tmp_path):
    """The same item refused by 'riscontri importa' is refused by the server (one function checks both)."""
    fuori = voce("", reazione="manca_un_luogo", commento="A Torino", lon=7.6869, lat=45.0703)
    f = tmp_path / "riscontri.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [fuori["lon"], fuori["lat"]]},
         "properties": {k: v for k, v in fuori.items() if k not in ("lon", "lat")}}]}), encoding="utf-8")
    r = _cli(area_servita.cartella, "riscontri", "importa", f, "--comune", "Orbassano", codice=1)
    assert "il punto è fuori dal comune di Orbassano" in r.output
    stato, risposta = posta(server, [fuori])
    assert stato == 422 and risposta["respinti"][0]["motivo"] == "il punto è fuori dal comune di Orbassano"
    _niente_scritto(area_servita)


def test_corpo_troppo_grande_anche_senza_lunghezza_dichiarata(server, area_servita):
    enorme = json.dumps({"dispositivo": dispositivo(), "sito": "", "riscontri": [
        voce(pubblico(area_servita, "c-1"), reazione="", commento="y" * 400) for _ in range(20)]
        + [{"x": "z" * 20000}]}).encode()
    h = {"Content-Type": "application/json", "Origin": server.origine()}
    stato, _, _ = richiesta(server.porta, "POST", "/riscontri", enorme, h)
    assert stato == 413

    def pezzi():  # chunked: no Content-Length, the server counts as it reads
        for k in range(0, len(enorme), 1000):
            yield enorme[k:k + 1000]

    stato, _, _ = richiesta(server.porta, "POST", "/riscontri", pezzi(), h, a_pezzi=True)
    assert stato == 413
    # a Content-Length that lies (small) does not let more through either
    stato, _, _ = richiesta(server.porta, "POST", "/riscontri", b"{}", {**h, "Content-Type": "text/plain"})
    assert stato == 415
    _niente_scritto(area_servita)


@pytest.mark.parametrize("origine", [None, "http://sito-cattivo.example", "null", "http://127.0.0.1:1"])
def test_solo_dalla_pagina_della_mostra(server, area_servita, origine):
    h = {"Origin": origine} if origine else {"Origin": ""}
    stato, r = posta(server, [voce(pubblico(area_servita, "c-1"))], intestazioni=h)
    assert stato == 403 and "solo dalla pagina della mostra" in r["errore"]
    # a page elsewhere whose name points to this computer (DNS rebinding): its Host is not ours
    stato, _, _ = richiesta(server.porta, "POST", "/riscontri", json.dumps({
        "dispositivo": dispositivo(), "riscontri": [voce(pubblico(area_servita, "c-1"))]}).encode(),
        {"Content-Type": "application/json", "Host": "sito-cattivo.example", "Origin": "http://sito-cattivo.example"})
    assert stato == 403
    stato, r = posta(server, [voce(pubblico(area_servita, "c-1"))], intestazioni={"Sec-Fetch-Site": "cross-site"})
    assert stato == 403
    _niente_scritto(area_servita)


def test_dietro_un_sito_con_origine(area_servita):
    """Behind a reverse proxy with HTTPS: the public origin is the only one accepted, and the visitor's
    address comes from the proxy's X-Forwarded-For (the proxy itself is one address for everybody)."""
    s = Server(area_servita, "--origine", "https://mappe.esempio.it/").avvia()
    try:
        assert "per il sito: aprire https://mappe.esempio.it/" in s.uscita
        ok = {"Origin": "https://mappe.esempio.it", "Host": "mappe.esempio.it", "X-Forwarded-For": "203.0.113.7"}
        assert posta(s, [voce(pubblico(area_servita, "c-1"))], intestazioni=ok)[0] == 200
        assert posta(s, [voce(pubblico(area_servita, "c-1"))])[0] == 403  # its own http origin is not the site's
        # one visitor flooding through the proxy is stopped; another visitor behind the same proxy is not
        esiti = []
        for _ in range(400):
            esiti.append(posta(s, [voce(pubblico(area_servita, "c-1"))], intestazioni=ok)[0])
            if esiti[-1] == 429:
                break
        assert esiti[-1] == 429
        altro = {**ok, "X-Forwarded-For": "198.51.100.23"}
        assert posta(s, [voce(pubblico(area_servita, "c-2"))], intestazioni=altro)[0] == 200
    finally:
        s.ferma()


def test_un_dispositivo_che_inonda_viene_fermato(server, area_servita):
    disp = dispositivo()
    esiti = [posta(server, [voce(pubblico(area_servita, "c-1"))], disp)[0] for _ in range(45)]
    accettati = esiti.count(200)
    assert 25 <= accettati <= 35 and set(esiti) == {200, 429}
    assert esiti[-1] == 429
    # what was accepted is written, what was refused is not
    assert len(riscontri(area_servita)) == accettati
    # the history has a line per submission; 'mappe storia' shows the evening's run as one
    r = _cli(area_servita.cartella, "storia", "Orbassano")
    assert f"riscontri ricevuti, {accettati} righe in {accettati} invii" in r.output
    assert r.output.count("riscontri ricevuti") == 1
    # another device (another visitor at another kiosk) is not stopped by it
    assert posta(server, [voce(pubblico(area_servita, "c-2"))])[0] == 200
    stato, h, _ = richiesta(server.porta, "POST", "/riscontri", json.dumps({
        "dispositivo": disp, "sito": "", "riscontri": [voce(pubblico(area_servita, "c-1"))]}).encode(),
        {"Content-Type": "application/json", "Origin": server.origine()})
    assert stato == 429 and int(h["retry-after"]) >= 1


def test_un_indirizzo_che_inonda_viene_fermato_anche_cambiando_dispositivo(server, area_servita):
    esiti = []
    inizio = time.monotonic()
    for _ in range(1000):
        esiti.append(posta(server, [voce(pubblico(area_servita, "c-1"))])[0])
        if esiti[-1] == 429:
            break
    durata = time.monotonic() - inizio
    # 300 at once, then 5 a second
    assert esiti[-1] == 429 and 300 <= len(esiti) - 1 <= 300 + 5 * durata + 1
    assert len(riscontri(area_servita)) == esiti.count(200)


def test_la_mostra_si_rifa_dopo_la_moderazione(server, area_servita):
    c = voce(pubblico(area_servita, "c-1"), reazione="", commento="Un posto per i ragazzi, la sera")
    assert posta(server, [c])[0] == 200
    _, h, _ = richiesta(server.porta, "GET", "/")
    # a pending comment does not rebuild nor show
    time.sleep(3)
    _, h2, corpo = richiesta(server.porta, "GET", "/")
    assert h2["etag"] == h["etag"] and "Un posto per i ragazzi" not in (dati_pagina(corpo.decode()) or "")
    _cli(area_servita.cartella, "riscontri", "modera", "Orbassano", "--approva", c["id"])
    fine = time.monotonic() + 60
    while time.monotonic() < fine:
        _, h3, corpo = richiesta(server.porta, "GET", "/")
        if h3["etag"] != h["etag"]:
            break
        time.sleep(0.5)
    assert "Un posto per i ragazzi, la sera" in (dati_pagina(corpo.decode()) or "")
    assert "la mostra è stata rifatta" in server.uscita
    # and feedback keeps arriving after the rebuild
    assert posta(server, [voce(pubblico(area_servita, "c-2"))])[0] == 200
    assert len(riscontri(area_servita)) == 2
    # a contribution erased while the exhibition is served leaves the page, and takes no more feedback
    assert "Qui ballavamo" in (dati_pagina(corpo.decode()) or "")
    _cli(area_servita.cartella, "elimina", "Orbassano", "c-4", "--oblio", "--si")
    etag = h3["etag"]
    fine = time.monotonic() + 60
    while time.monotonic() < fine:
        _, h4, corpo = richiesta(server.porta, "GET", "/")
        if h4["etag"] != etag:
            break
        time.sleep(0.5)
    assert "Qui ballavamo" not in corpo.decode() and "Qui ballavamo" not in (dati_pagina(corpo.decode()) or "")
    assert posta(server, [voce(pubblico(area_servita, "c-4"))])[0] == 422


def test_annulla_non_perde_i_riscontri_arrivati_dopo(server, area_servita, tmp_path):
    """'mappe annulla' of an import done while the exhibition is served keeps the feedback that came after."""
    f = scrivi_csv(tmp_path / "nuovi.csv", [
        ["tipo", "tema", "titolo", "testo", "visibilita", "sensibile", "consenso", "lon", "lat"],
        ["proposta", "socialita", "Un orto", "Facciamo un orto insieme", "pubblico", "no", "scritto", "7.5380",
         "45.0090"],
    ])
    _cli(area_servita.cartella, "importa", f, "--comune", "Orbassano")
    v = voce(pubblico(area_servita, "c-1"))
    assert posta(server, [v])[0] == 200
    r = _cli(area_servita.cartella, "annulla", "Orbassano", "--si")
    assert "annullata" in r.output
    arch = area_servita.archivio("Orbassano")
    assert "Un orto" not in set(arch.leggi("contributi")["titolo"])
    assert v["id"] in set(arch.leggi("riscontri")["id"])


def test_sigkill_durante_gli_invii_non_perde_niente_di_confermato(area_servita):
    """Several visitors send at once; the server is killed without warning: everything it acknowledged is
    in the store, once, and the store is sound when restarted."""
    s = Server(area_servita).avvia()
    confermati, lock, ferma = [], threading.Lock(), threading.Event()
    ids_pubblici = [pubblico(area_servita, x) for x in ("c-1", "c-2", "c-4")]

    def visitatore(k: int) -> None:
        disp = dispositivo()
        for n in range(200):
            if ferma.is_set():
                return
            v = voce(ids_pubblici[n % 3], reazione="", commento=f"commento {k}-{n}")
            try:
                stato, r = posta(s, [v], disp)
            except OSError:
                return
            if stato == 200:
                with lock:
                    confermati.extend(r["ricevuti"])
            time.sleep(0.15)

    fili = [threading.Thread(target=visitatore, args=(k,)) for k in range(8)]
    for f in fili:
        f.start()
    time.sleep(3)
    s.ferma(signal.SIGKILL)
    ferma.set()
    for f in fili:
        f.join(30)
    assert len(confermati) >= 20
    s2 = Server(area_servita).avvia()  # opening the store rolls back what was half written
    try:
        ris = riscontri(area_servita)
        assert ris["id"].is_unique
        assert set(confermati) <= set(ris["id"])
        r = _cli(area_servita.cartella, "verifica", "Orbassano")
        assert "tutto a posto" in r.output
        assert posta(s2, [voce(ids_pubblici[0])])[0] == 200
    finally:
        s2.ferma()


# ---------------------------------------------------------------- a visitor's phone


def _telefono(browser):
    contesto = browser.new_context(**browser.dispositivi["Pixel 7"])
    pagina = contesto.new_page()
    pagina.errori = []
    pagina.on("pageerror", lambda e: pagina.errori.append(str(e)))
    pagina.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                           "(window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));")
    return contesto, pagina


def _apri_servita(pagina, url: str) -> None:
    pagina.goto(url)
    pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=20000)
    pagina.wait_for_timeout(300)


def _tocca(pagina, locator) -> None:
    for _ in range(2):
        locator.evaluate("e => e.scrollIntoView({block: 'nearest'})")
        pagina.wait_for_timeout(100)
    r = locator.bounding_box()
    pagina.touchscreen.tap(r["x"] + r["width"] / 2, r["y"] + r["height"] / 2)


def _aspetta(condizione, secondi: float = 30, passo: float = 0.25):
    fine = time.monotonic() + secondi
    while time.monotonic() < fine:
        esito = condizione()
        if esito:
            return esito
        time.sleep(passo)
    return condizione()


def _commenta_nell_elenco(pagina, testo: str) -> None:
    scheda = pagina.locator("#mappe-elenco section[data-tema=socialita] li").first
    _tocca(pagina, scheda.locator(".mappe-commenta summary"))
    scheda.locator("textarea").fill(testo)
    _tocca(pagina, scheda.locator(".mappe-commenta .mappe-invia"))


def test_un_telefono_reagisce_commenta_e_aggiunge_un_luogo(browser, server, area_servita):
    from axe_playwright_python.sync_playwright import Axe

    contesto, pagina = _telefono(browser)
    _apri_servita(pagina, server.url)
    # served: no staff door (there is nothing to download), feedback goes straight to the server
    assert pagina.locator(".mappe-personale").count() == 0
    scheda = pagina.locator("#mappe-elenco section[data-tema=socialita] li").first
    reazione = scheda.locator("button[data-reazione=d_accordo]")
    _tocca(pagina, reazione)
    assert reazione.locator(".mappe-reazione-conto").inner_text() == "1"
    _tocca(pagina, scheda.locator(".mappe-commenta summary"))
    scheda.locator("textarea").wait_for()
    # the field for bots is there, out of sight and out of reach of the keyboard and screen readers
    miele = scheda.locator("input[name=sito]")
    assert miele.count() == 1 and (miele.bounding_box()["x"] < -1000 or miele.bounding_box()["y"] < -1000)
    assert miele.evaluate("e => e.closest('[aria-hidden=true]') !== null && e.tabIndex === -1")
    gravi = [v for v in Axe().run(pagina).response["violations"] if v["impact"] in ("serious", "critical")]
    assert gravi == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in gravi]
    scheda.locator("textarea").fill("Anche per gli anziani <b>serve</b> un posto")
    _tocca(pagina, scheda.locator(".mappe-commenta .mappe-invia"))
    # a missing place: "+ Aggiungi", then a tap on the map inside the comune
    pagina.evaluate("window.scrollTo(0, 0)")
    _tocca(pagina, pagina.locator(".mappe-aggiungi"))
    x, y = pagina.evaluate("""() => { const m = window[document.querySelector('.folium-map').id];
      const b = document.querySelector('.leaflet-container').getBoundingClientRect();
      m.setView([45.0087, 7.5378], 16, {animate: false});
      return [b.left + b.width / 2, b.top + b.height / 2]; }""")
    pagina.touchscreen.tap(x, y)
    modulo = pagina.locator(".mappe-suggerimento")
    modulo.wait_for(state="visible", timeout=5000)
    modulo.locator("textarea").fill("Qui manca un campetto")
    _tocca(pagina, modulo.locator(".mappe-invia"))
    assert _aspetta(lambda: len(riscontri(area_servita)) >= 3)
    ris = riscontri(area_servita)
    assert len(ris) == 3 and set(ris["stato"]) == {"in_attesa"}
    assert set(ris["su"].dropna()) == {"c-1"}
    assert set(ris["commento"].dropna()) == {"Anche per gli anziani <b>serve</b> un posto", "Qui manca un campetto"}
    luogo = ris[ris["su"].isna()].iloc[0]
    assert luogo["reazione"] == "manca_un_luogo"
    assert abs(luogo.geometry.x - 7.5378) < 0.001 and abs(luogo.geometry.y - 45.0087) < 0.001
    # acknowledged: nothing waits in the browser any more
    assert pagina.evaluate("window.localStorage.getItem(Object.keys(localStorage).find(k => "
                           "k.endsWith(':da-inviare')))") == "[]"
    assert pagina.evaluate("window.__csp || []") == [] and pagina.errori == []
    contesto.close()


def test_senza_rete_i_riscontri_aspettano_e_arrivano_una_volta(browser, area_servita):
    """The Wi-Fi drops, the server stops while the page sends, an answer is lost on the way: every
    item arrives, once."""
    s = Server(area_servita, porta=porta_libera()).avvia()
    contesto, pagina = _telefono(browser)
    try:
        _apri_servita(pagina, s.url)
        # 1. the phone loses the network: the items wait in the browser
        contesto.set_offline(True)
        scheda = pagina.locator("#mappe-elenco section[data-tema=socialita] li").first
        _tocca(pagina, scheda.locator("button[data-reazione=importante]"))
        _commenta_nell_elenco(pagina, "Scritto senza rete")
        pagina.locator(".mappe-annuncio-visibile").wait_for()
        coda = "() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.endsWith(':da-inviare'))) || '[]').length"
        assert pagina.evaluate(coda) == 2
        assert len(riscontri(area_servita)) == 0
        contesto.set_offline(False)  # the browser says "online": they go
        assert _aspetta(lambda: len(riscontri(area_servita)) == 2)
        assert _aspetta(lambda: pagina.evaluate(coda) == 0, 10)
        # 2. the server stops while the page sends; it comes back on the same port
        s.ferma()
        _tocca(pagina, scheda.locator("button[data-reazione=mi_preoccupa]"))
        _commenta_nell_elenco(pagina, "Scritto a server spento")
        pagina.wait_for_timeout(1000)
        assert pagina.evaluate(coda) == 2
        s.avvia()
        assert _aspetta(lambda: pagina.evaluate(coda) == 0, 40)
        assert len(riscontri(area_servita)) == 4
        # 3. the server writes an item but its answer is lost: the page sends it again, it is written once
        perse = []

        def perdi_la_risposta(route):
            if not perse:
                risposta = route.fetch()
                perse.append(risposta.status)
                route.abort()
            else:
                route.continue_()

        pagina.route("**/riscontri", perdi_la_risposta)
        _tocca(pagina, scheda.locator("button[data-reazione=ho_un_idea]"))
        assert _aspetta(lambda: pagina.evaluate(coda) == 0, 40)
        assert perse == [200]
        ris = riscontri(area_servita)
        assert len(ris) == 5 and ris["id"].is_unique
        assert set(ris["reazione"].dropna()) == {"importante", "mi_preoccupa", "ho_un_idea"}
        assert set(ris["commento"].dropna()) == {"Scritto senza rete", "Scritto a server spento"}
    finally:
        contesto.close()
        s.ferma()


def test_la_pagina_salvata_come_file_non_raccoglie(browser, server, tmp_path):
    """A served page saved to a file (Ctrl-S) shows the map and collects nothing (nowhere to send it)."""
    _, _, corpo = richiesta(server.porta, "GET", "/")
    f = tmp_path / "salvata.html"
    f.write_bytes(corpo)
    contesto = browser.new_context()
    pagina = contesto.new_page()
    pagina.goto(f.as_uri())
    pagina.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=20000)
    assert pagina.locator(".mappe-reazione").count() == 0 and pagina.locator(".mappe-aggiungi").count() == 0
    assert pagina.locator("#mappe-elenco li").count() >= 3
    contesto.close()


# ---------------------------------------------------------------- what a visitor cannot break


def test_un_commento_in_attesa_non_blocca_la_mostra(server, area_servita, tmp_path):
    """Visitors' comments awaiting moderation are never shown; written as words the page holds anyway
    (its own code, a public title) they do not stop the page from being rebuilt, restarted or exported."""
    trappole = ["function", "della", "dash", "Posti per stare insieme", "leaflet-container"]
    assert posta(server, [voce(pubblico(area_servita, "c-1"), reazione="", commento=t) for t in trappole])[0] == 200
    buono = voce(pubblico(area_servita, "c-4"), reazione="", commento="Ci ballava anche mia nonna")
    assert posta(server, [buono])[0] == 200
    _, h, _ = richiesta(server.porta, "GET", "/")
    _cli(area_servita.cartella, "riscontri", "modera", "Orbassano", "--approva", buono["id"])

    def rifatta():
        _, h2, corpo = richiesta(server.porta, "GET", "/")
        return h2["etag"] != h["etag"] and corpo

    corpo = _aspetta(rifatta, 60)
    assert corpo, server.uscita
    dati = json.loads(dati_pagina(corpo.decode()))
    mostrati = {c for k in ("riscontri_c", "riscontri_l") for v in dati[k].values() for c in v["c"]}
    assert mostrati == {"Ci ballava anche mia nonna"}
    assert "non si è potuta rifare" not in server.uscita
    # the exhibition and an export are written as well
    _cli(area_servita.cartella, "mostra", "Orbassano", "-o", tmp_path / "mostra.html")
    assert "Posti per stare insieme" in dati_pagina((tmp_path / "mostra.html").read_text(encoding="utf-8"))
    for strato in ("contributi", "riscontri"):
        _cli(area_servita.cartella, "esporta", "Orbassano", "--strato", strato, "-o", tmp_path / f"{strato}.geojson")
    esportati = json.loads((tmp_path / "riscontri.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["commento"] for f in esportati["features"]] == ["Ci ballava anche mia nonna"]
    # and the server starts again with them pending
    server.ferma()
    server.avvia()
    assert richiesta(server.porta, "GET", "/")[0] == 200


def test_un_commento_in_attesa_che_finisse_nella_pagina_la_ferma(area_servita):
    """The check behind the page still refuses a pending comment that a mistake would put on it."""
    from mappe.errori import PrivacyError
    from mappe.rendi.mappa import controlla_pagina

    arch = area_servita.archivio("Orbassano")
    v = voce("", reazione="manca_un_luogo", commento="Il cortile dei Rossi", lon=7.5390, lat=45.0080)
    from mappe.riscontri import Regole, valuta

    riga, geom = valuta(Regole.di(arch), v, {"type": "Point", "coordinates": [v["lon"], v["lat"]]})
    arch.aggiungi("riscontri", [riga], [geom])
    grezzi = {n: arch.leggi(n) for n in ("contributi", "luoghi", "incontri", "riscontri")}
    html = "<html><body>pagina</body></html>"
    controlla_pagina(html, area_servita, [grezzi], commenti={"Ci ballava anche mia nonna"})
    with pytest.raises(PrivacyError, match="1 commento di visitatori non approvati"):
        controlla_pagina(html, area_servita, [grezzi], commenti={"Il cortile dei Rossi"})


def test_caratteri_invisibili_tolti(server, area_servita):
    """Characters that show nothing (used to slip a word past a moderator) are taken out."""
    scozia = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    c = voce(pubblico(area_servita, "c-1"), reazione="",
             commento=f"Gra\u200bzie\u00ad per\u2060 il\ufeff posto\U000E0041\U000E0042 👨\u200d👩\u200d👧 {scozia}")
    # Arabic with a street name in Latin letters keeps its direction mark; Persian its ZWNJ
    arabo = voce(pubblico(area_servita, "c-2"), reazione="", commento="أسكن في \u200fVia Roma 12\u200f منذ سنتين")
    persiano = voce(pubblico(area_servita, "c-4"), reazione="", commento="می\u200cخواهم اینجا بمانم")
    assert posta(server, [c, arabo, persiano])[0] == 200
    per_id = riscontri(area_servita).set_index("id")
    assert per_id.loc[c["id"], "commento"] == f"Grazie per il posto 👨\u200d👩\u200d👧 {scozia}"
    assert per_id.loc[arabo["id"], "commento"] == arabo["commento"]
    assert per_id.loc[persiano["id"], "commento"] == persiano["commento"]


def test_un_codice_gia_scritto_da_fuori_non_si_scrive_due_volte(server, area_servita, tmp_path):
    """An item imported from a kiosk's file while the exhibition is served, then sent by a page: once."""
    v = voce(pubblico(area_servita, "c-1"))
    f = tmp_path / "chiosco.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "x"}, "features": [
        {"type": "Feature", "geometry": None, "properties": v}]}), encoding="utf-8")
    _cli(area_servita.cartella, "riscontri", "importa", f, "--comune", "Orbassano")
    stato, r = posta(server, [v])
    assert stato == 200 and r["gia"] == [v["id"]] and r["ricevuti"] == []
    assert list(riscontri(area_servita)["id"]) == [v["id"]]


def test_storia_che_non_si_scrive_non_annulla_i_riscontri_scritti(area_servita, capfd):
    """Rows committed are written: a history line that cannot be written is said, not raised."""
    from mappe.riscontri import Regole, valuta

    arch = area_servita.archivio("Orbassano")
    riga, geom = valuta(Regole.di(arch), voce(pubblico(area_servita, "c-1")), None)
    storia = arch.file_storia
    storia.unlink()
    storia.mkdir()  # a history that cannot be opened for writing
    try:
        assert arch.aggiungi("riscontri", [riga], [geom]) == [riga["id"]]
    finally:
        storia.rmdir()
    assert "la storia non si è potuta scrivere" in capfd.readouterr().err
    assert list(arch.leggi("riscontri")["id"]) == [riga["id"]]
    # sent again: not written twice
    assert arch.aggiungi("riscontri", [riga], [geom]) == []
    assert len(arch.leggi("riscontri")) == 1


def test_una_costruzione_fallita_si_ritenta(area_servita, monkeypatch):
    """A rebuild that fails (here: once, on purpose) is tried again at the next look, even if the
    store does not change again."""
    import mappe.rendi.mostra as mostra_mod
    from mappe.servi import MostraServita

    m = MostraServita(area_servita, ["orbassano"])
    m.costruisci()
    c = voce(pubblico(area_servita, "c-1"), reazione="", commento="Serve una panchina all'ombra")
    assert m.ricevi({"riscontri": [c]})[0] == 200
    _cli(area_servita.cartella, "riscontri", "modera", "Orbassano", "--approva", c["id"])
    assert m.cambiati() == ["orbassano"]
    vera = mostra_mod.costruisci_mostra
    guasti = []

    def una_volta_no(*a, **k):
        if not guasti:
            guasti.append(1)
            raise OSError("disco occupato")
        return vera(*a, **k)

    monkeypatch.setattr(mostra_mod, "costruisci_mostra", una_volta_no)
    with pytest.raises(OSError):
        m.costruisci()
    assert m.cambiati() == ["orbassano"]  # still to do
    m.costruisci()
    assert "Serve una panchina all'ombra" in dati_pagina(m.pagina.html.decode())
    assert m.cambiati() == []


def test_chiave_di_un_indirizzo():
    from mappe.servi import accetta_gzip, chiave_indirizzo

    # a phone on IPv6 has a whole /64: any address in it is the same visitor
    assert chiave_indirizzo("2001:db8:1:2::1") == chiave_indirizzo("2001:db8:1:2:ffff:ffff:ffff:fffe")
    assert chiave_indirizzo("2001:db8:1:2::1") != chiave_indirizzo("2001:db8:1:3::1")
    assert chiave_indirizzo("::ffff:192.0.2.7") == chiave_indirizzo("192.0.2.7") == "192.0.2.7"
    assert accetta_gzip("gzip, deflate, br") and accetta_gzip("*") and not accetta_gzip("gzip;q=0")
    assert not accetta_gzip("") and not accetta_gzip("br") and accetta_gzip("br, gzip;q=0.5")


def test_un_indirizzo_paga_ogni_riscontro_non_ogni_richiesta(server, area_servita):
    """Sending 5 items a request, with a new device each time, does not multiply what an address may send."""
    inviati = 0
    inizio = time.monotonic()
    for _ in range(200):
        stato, _ = posta(server, [voce(pubblico(area_servita, "c-1")) for _ in range(5)])
        if stato == 429:
            break
        assert stato == 200
        inviati += 5
    durata = time.monotonic() - inizio
    assert stato == 429 and 290 <= inviati <= 300 + 5 * durata + 5
    assert len(riscontri(area_servita)) == inviati


def _apri_lenta(porta: int, sorgente: str = "127.0.0.1") -> socket.socket:
    s = socket.socket()
    s.bind((sorgente, 0))
    s.connect(("127.0.0.1", porta))
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the end of the headers
    return s


def _chiusa(s: socket.socket, secondi: float) -> bool:
    s.settimeout(secondi)
    try:
        return s.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_connessioni_lente_non_fermano_la_mostra(server, area_servita):
    """Slowloris: connections that never finish their headers are closed after a while, and one address
    cannot hold more than a browser needs; other visitors are served meanwhile."""
    from mappe.servi import CONNESSIONI_PER_INDIRIZZO, TEMPO_INTESTAZIONI_S

    lente = [_apri_lenta(server.porta) for _ in range(CONNESSIONI_PER_INDIRIZZO)]
    try:
        # one more from the same address is closed at once
        in_piu = _apri_lenta(server.porta)
        assert _chiusa(in_piu, 3)
        in_piu.close()
        # another visitor (another address) is served
        altro = http.client.HTTPConnection("127.0.0.1", server.porta, timeout=10, source_address=("127.0.0.2", 0))
        altro.request("GET", "/")
        assert altro.getresponse().status == 200
        altro.close()
        # the slow ones are closed once their time is up
        assert all(_chiusa(s, TEMPO_INTESTAZIONI_S + 5) for s in lente[:3])
        assert all(_chiusa(s, 2) for s in lente[3:])
    finally:
        for s in lente:
            s.close()
    # a body that never comes whole: 408, nothing written
    s = socket.socket()
    s.connect(("127.0.0.1", server.porta))
    s.sendall(f"POST /riscontri HTTP/1.1\r\nHost: 127.0.0.1:{server.porta}\r\nOrigin: {server.origine()}\r\n"
              "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"dispositivo\"".encode())
    s.settimeout(20)
    risposta = s.recv(200).decode()
    s.close()
    assert risposta.startswith("HTTP/1.1 408")
    _niente_scritto(area_servita)
    # and the server is still there for everybody
    assert richiesta(server.porta, "GET", "/")[0] == 200



def test_un_commento_in_attesa_qui_e_approvato_altrove_non_ferma_la_mostra(area_servita, tmp_path):
    """Two comuni served together: "Grazie!" pending in one and approved in the other is shown
    rightly (it is the approved one): the page is rebuilt; two requests at once never write one id
    into both comuni; a date years away is replaced by the day of receipt."""
    _cli(area_servita.cartella, "comuni", "aggiungi", "Beinasco")
    f = scrivi_csv(tmp_path / "b.csv", [["id", "tipo", "tema", "testo", "visibilita", "consenso", "lon", "lat"],
                                        ["b-1", "risorsa", "socialita", "Il mercato del sabato", "pubblico", "scritto",
                                         "7.5817", "45.0152"]])
    _cli(area_servita.cartella, "importa", f, "--comune", "Beinasco")
    s = Server(area_servita, comuni=("Orbassano", "Beinasco")).avvia()
    try:
        qui = voce(pubblico(area_servita, "c-1"), reazione="", commento="Grazie di tutto!")
        altrove = voce(pubblico(area_servita, "b-1"), comune="beinasco", reazione="", commento="Grazie di tutto!")
        assert posta(s, [qui, altrove])[0] == 200
        _, h, _ = richiesta(s.porta, "GET", "/")
        _cli(area_servita.cartella, "riscontri", "modera", "Beinasco", "--approva", altrove["id"])

        def rifatta():
            _, h2, corpo = richiesta(s.porta, "GET", "/")
            return h2["etag"] != h["etag"] and corpo

        assert _aspetta(rifatta, 60), s.uscita
        assert "non si è potuta rifare" not in s.uscita
        # one id, two comuni, at the same moment: written once at most
        def manda(esiti: list, stesso: str, comune: str, su: str) -> None:
            esiti.append(posta(s, [voce(su, id=stesso, comune=comune)])[0])

        for _ in range(10):
            stesso, esiti = str(uuid.uuid4()), []
            fili = [threading.Thread(target=manda, args=(esiti, stesso, c, su))
                    for c, su in (("orbassano", pubblico(area_servita, "c-2")), ("beinasco", pubblico(area_servita, "b-1")))]
            for t in fili:
                t.start()
            for t in fili:
                t.join(30)
            scritti = sum(stesso in set(area_servita.archivio(n).leggi("riscontri")["id"]) for n in ("Orbassano", "Beinasco"))
            assert scritti == 1 and sorted(esiti) == [200, 422], esiti
        # a date from another decade: the server's day instead
        vecchia = voce(pubblico(area_servita, "c-4"), data="2003-05-01T10:00:00.000Z")
        assert posta(s, [vecchia])[0] == 200
        data = riscontri(area_servita).set_index("id").loc[vecchia["id"], "data"]
        assert data[:4] == time.strftime("%Y", time.gmtime())
    finally:
        s.ferma()


def test_le_esportazioni_non_si_fermano_per_un_commento_e_fermano_una_fuga(server, area_servita, tmp_path):
    """A pending comment equal to a public id or to a date does not stop an export; a file that
    writes a pending comment is refused."""
    from mappe.errori import PrivacyError
    from mappe.riservatezza import controlla_file

    oggi = time.strftime("%Y-%m-%d")
    trappole = [pubblico(area_servita, "c-1"), oggi, "Posti per stare insieme", "pubblico"]
    buono = voce(pubblico(area_servita, "c-4"), reazione="", commento="Ci ballava anche mia nonna")
    assert posta(server, [voce(pubblico(area_servita, "c-1"), reazione="", commento=t) for t in trappole] + [buono])[0] == 200
    _cli(area_servita.cartella, "riscontri", "modera", "Orbassano", "--approva", buono["id"])
    for strato in ("contributi", "luoghi", "riscontri"):
        for formato in ("geojson", "csv", "xlsx", "gpkg"):
            _cli(area_servita.cartella, "esporta", "Orbassano", "--strato", strato, "-o", tmp_path / f"{strato}.{formato}")
    arch = area_servita.archivio("Orbassano")
    f = tmp_path / "riscontri.csv"
    controlla_file(f, area_servita, [arch], commenti_scritti=["Ci ballava anche mia nonna"])
    with pytest.raises(PrivacyError, match="non approvati"):
        controlla_file(f, area_servita, [arch], commenti_scritti=["Ci ballava anche mia nonna", oggi])


def test_la_mostra_servita_in_arabo_riceve_un_commento_scritto_in_arabo(browser, area_servita):
    s = Server(area_servita, "--lingue", "it,ar").avvia()
    try:
        contesto = browser.new_context(**{**browser.dispositivi["Pixel 7"], "locale": "ar-EG"})
        pagina = contesto.new_page()
        pagina.errori = []
        pagina.on("pageerror", lambda e: pagina.errori.append(str(e)))
        _apri_servita(pagina, s.url)
        # the phone's language is offered: the page opens in it, right to left
        assert pagina.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        assert pagina.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        commento = "\u202eنحتاج\u202c مكانًا للشباب في المساء"  # with a bidi override a keyboard may leave
        _commenta_nell_elenco(pagina, commento)
        assert _aspetta(lambda: len(riscontri(area_servita)) >= 1)
        assert riscontri(area_servita)["commento"].tolist() == ["نحتاج مكانًا للشباب في المساء"]  # letters kept
        assert pagina.errori == []
        contesto.close()
    finally:
        s.ferma()
