"""Issue 12, point 2: every page escapes like every other page.

Two attacks, written as an attacker would try them:

* statically, every script of ``mappe/rendi/static/`` is parsed (esprima) and every call that
  would turn a string into HTML is refused unless its argument is provably a DOM node: popups,
  tooltips, ``L.divIcon({html})``, ``innerHTML``/``outerHTML``, ``insertAdjacentHTML``,
  ``document.write``;
* in Chromium, with the network refused, every tooltip and popup of every page kind is opened
  on a workspace whose names and texts are script payloads (one place name promoted from a
  visitor's suggestion with ``mappe riscontri promuovi --come luogo --nome``): no script may run
  and every payload must be read as text.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import esprima
import pytest
from click.testing import CliRunner
from conftest import scrivi_csv
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mappe.cli import main
from mappe.rendi import mappa as rendi_mappa
from mappe.viste import VISTE

STATIC = Path(__file__).resolve().parent.parent / "mappe" / "rendi" / "static"

# ---------------------------------------------------------------------------------------------
# The static check: which arguments are DOM nodes
# ---------------------------------------------------------------------------------------------

# Leaflet methods that take the content of a popup or tooltip (a string would be HTML)
CONTENUTI = {"bindPopup", "bindTooltip", "setContent", "setPopupContent", "setTooltipContent"}
# Calls that only take HTML strings: never allowed
SEMPRE_HTML = {"insertAdjacentHTML", "createContextualFragment", "setHTMLUnsafe"}
PROPRIETA_HTML = {"innerHTML", "outerHTML"}
CREA_NODI = {"createElement", "createElementNS", "createTextNode", "createDocumentFragment"}
# utili.js's helpers that return a node whatever they are given (the page scripts take them from
# window.MappeUtili)
AIUTI_NODI = {"el", "elSvg", "bottone", "comeNodo"}
FUNZIONI = ("FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression")


def _figli(n):
    for k, v in n.items():
        if k in ("range", "loc"):
            continue
        if isinstance(v, dict) and "type" in v:
            yield v
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict) and "type" in x:
                    yield x


def _nome_proprieta(m) -> str | None:
    """The name of a member expression's property (a.b, a['b']), None when computed."""
    p = m["property"]
    if not m.get("computed") and p["type"] == "Identifier":
        return p["name"]
    if p["type"] == "Literal" and isinstance(p.get("value"), str):
        return p["value"]
    return None


class Controllo:
    """Finds the places of one script where a string could become HTML.

    Refused: any assignment to ``innerHTML``/``outerHTML``; any ``insertAdjacentHTML``,
    ``createContextualFragment``, ``setHTMLUnsafe``, ``document.write``/``writeln``; a popup or
    tooltip content (``bindPopup``, ``bindTooltip``, ``setContent``, ``setPopupContent``,
    ``setTooltipContent``, the ``content`` option of ``L.popup``/``L.tooltip``, a method kept in a
    variable and called with ``.call``) that is not provably a node or a function returning one;
    an ``html`` option of ``L.divIcon``/``new L.DivIcon`` (or ``modello`` of ``IconaNodo``) that
    is not provably a node, or options that cannot be read.

    Provably a node: ``document.createElement``/``createElementNS``/``createTextNode``/
    ``createDocumentFragment``, ``x.cloneNode()``, utili.js's helpers (``el``, ``elSvg``,
    ``bottone``, ``comeNodo``), a call of a function of the script whose every ``return`` is a
    node, a variable whose every assignment in its scope is a node, or a ``?:``/``||`` of nodes.
    Literals, concatenations, templates, parameters, globals and anything else are not.
    """

    def __init__(self, codice: str):
        self.albero = esprima.parseScript(codice, {"loc": True, "range": True}).toDict()
        self.padre: dict[int, dict] = {}
        self._visita(self.albero, None)
        self.dichiarati: dict[int, set] = {}  # scope -> names
        self.valori: dict[tuple, list] = {}  # (scope, name) -> values (None: unknown)
        self._raccogli(self.albero)
        self._in_corso: set = set()  # (node, kind) being proved: a cycle proves nothing
        self._assegnati: dict = {}

    def _visita(self, n, padre):
        if padre is not None:
            self.padre[id(n)] = padre
        for f in _figli(n):
            self._visita(f, n)

    # ---------- scopes: functions (var hoisting); let/const are treated the same ----------
    def _ambito_di(self, n):
        """The function (or program) a node belongs to."""
        p = self.padre.get(id(n))
        while p is not None and p["type"] not in FUNZIONI:
            p = self.padre.get(id(p))
        return p if p is not None else self.albero

    def _dichiara(self, ambito, nome, valore):
        self.dichiarati.setdefault(id(ambito), set()).add(nome)
        self.valori.setdefault((id(ambito), nome), []).append(valore)

    def _raccogli(self, n):
        t = n["type"]
        if t in FUNZIONI:
            for p in n["params"]:
                if p["type"] == "Identifier":
                    self._dichiara(n, p["name"], None)
            if t == "FunctionDeclaration" and n.get("id"):
                self._dichiara(self._ambito_di(n), n["id"]["name"], n)
            elif t == "FunctionExpression" and n.get("id"):
                self._dichiara(n, n["id"]["name"], n)
        elif t == "VariableDeclarator" and n["id"]["type"] == "Identifier":
            ambito = self._ambito_di(n)
            self.dichiarati.setdefault(id(ambito), set()).add(n["id"]["name"])
            if n.get("init") is not None:
                self._dichiara(ambito, n["id"]["name"], n["init"])
            padre = self.padre.get(id(self.padre.get(id(n))))
            if padre and padre["type"] in ("ForInStatement", "ForOfStatement"):
                self._dichiara(ambito, n["id"]["name"], None)
        for f in _figli(n):
            self._raccogli(f)

    def _assegnazioni(self, ambito, nome):
        """Values assigned to ``nome`` (of ``ambito``) by assignments anywhere below it."""
        chiave = (id(ambito), nome)
        if chiave not in self._assegnati:
            self._assegnati[chiave] = self._cerca_assegnazioni(ambito, nome)
        return self._assegnati[chiave]

    def _cerca_assegnazioni(self, ambito, nome):
        out = []

        def scritto(n):
            """The identifier a node writes, and the value written (None: not known)."""
            t = n["type"]
            if t == "AssignmentExpression":
                return n["left"], (n["right"] if n["operator"] == "=" else None)
            if t == "UpdateExpression":
                return n["argument"], None
            if t in ("ForInStatement", "ForOfStatement"):
                return n["left"], None
            return None, None

        def giu(n):
            bersaglio, valore = scritto(n)
            if bersaglio is not None and bersaglio["type"] == "Identifier" and bersaglio["name"] == nome \
                    and self._risolvi(bersaglio) is ambito:
                out.append(valore)
            for f in _figli(n):
                giu(f)

        giu(ambito)
        return out

    def _risolvi(self, ident):
        """The scope that declares an identifier, None for a global."""
        nome = ident["name"]
        a = self._ambito_di(ident)
        while True:
            if nome in self.dichiarati.get(id(a), ()):
                return a
            if a is self.albero:
                return None
            a = self._ambito_di(a)

    def _legami(self, ident):
        """Every value an identifier can hold (None for unknown); None when it is global."""
        ambito = self._risolvi(ident)
        if ambito is None:
            return None
        return self.valori.get((id(ambito), ident["name"]), []) + self._assegnazioni(ambito, ident["name"])

    # ---------- what an expression is ----------
    def _aiuto(self, e) -> bool:
        """``U.el``, ``MappeUtili.el``, ``window.MappeUtili.el``: one of utili.js's node helpers."""
        if e["type"] != "MemberExpression" or _nome_proprieta(e) not in AIUTI_NODI:
            return False
        o = e["object"]
        if o["type"] == "Identifier":
            if o["name"] == "MappeUtili":
                return True
            legami = self._legami(o)
            return bool(legami) and all(v is not None and self._e_utili(v) for v in legami)
        return self._e_utili(o)

    def _e_utili(self, e) -> bool:
        return e["type"] == "MemberExpression" and _nome_proprieta(e) == "MappeUtili" \
            and e["object"]["type"] == "Identifier" and e["object"]["name"] == "window"

    def _ritorni(self, f):
        """The returned expressions of a function (its own, not of nested functions)."""
        if f["type"] == "ArrowFunctionExpression" and f.get("expression"):
            return [f["body"]]
        out = []

        def giu(n):
            if n["type"] == "ReturnStatement":
                out.append(n.get("argument"))
            for x in _figli(n):
                if x["type"] not in FUNZIONI:
                    giu(x)

        giu(f["body"])
        return out

    def restituisce(self, f, tipo) -> bool:
        """Every return of function ``f`` is of ``tipo`` ('nodo' or 'funzione')."""
        chiave = (id(f), tipo)
        if chiave in self._in_corso:
            return False  # recursion: not proved
        self._in_corso.add(chiave)
        try:
            r = self._ritorni(f)
            return bool(r) and all(x is not None and self.e(x, tipo) for x in r)
        finally:
            self._in_corso.discard(chiave)

    def _funzioni_chiamate(self, callee):
        """The functions a callee can be (None: unknown)."""
        if callee["type"] in FUNZIONI:
            return [callee]
        if callee["type"] == "Identifier":
            legami = self._legami(callee)
            if not legami or any(v is None or v["type"] not in FUNZIONI for v in legami):
                return None
            return legami
        return None

    def e(self, x, tipo) -> bool:
        """Is ``x`` a DOM node ('nodo'), a function returning one ('funzione'), or either one
        ('sicuro': what Leaflet takes as the content of a popup or tooltip)?"""
        t = x["type"]
        if tipo == "sicuro" and t not in ("SequenceExpression", "ConditionalExpression", "LogicalExpression",
                                          "Identifier", "CallExpression"):
            return self.e(x, "nodo") or self.e(x, "funzione")
        if t == "SequenceExpression":
            return self.e(x["expressions"][-1], tipo)
        if t == "ConditionalExpression":
            return self.e(x["consequent"], tipo) and self.e(x["alternate"], tipo)
        if t == "LogicalExpression" and x["operator"] == "||":
            return self.e(x["left"], tipo) and self.e(x["right"], tipo)
        if t == "Identifier":
            legami = self._legami(x)
            if not legami:
                return False
            if tipo == "funzione" and all(v is not None and v["type"] in FUNZIONI for v in legami):
                return all(self.restituisce(v, "nodo") for v in legami)
            chiave = (id(x), tipo)
            if chiave in self._in_corso:
                return False
            self._in_corso.add(chiave)
            try:
                return all(v is not None and self.e(v, tipo) for v in legami)
            finally:
                self._in_corso.discard(chiave)
        if t in FUNZIONI:
            return tipo == "funzione" and self.restituisce(x, "nodo")
        if t == "CallExpression":
            c = x["callee"]
            if c["type"] == "MemberExpression":
                nome = _nome_proprieta(c)
                if tipo in ("nodo", "sicuro"):
                    if nome in CREA_NODI and c["object"]["type"] == "Identifier" and c["object"]["name"] == "document":
                        return True
                    if nome == "cloneNode":
                        return True
                    if self._aiuto(c):
                        return True
                return False
            if c["type"] == "Identifier" and tipo in ("nodo", "sicuro"):
                legami = self._legami(c)
                if legami and all(v is not None and (self._aiuto(v) or self._e_aiuto_stesso(v, c["name"]))
                                  for v in legami):
                    return True
            funzioni = self._funzioni_chiamate(c)
            return bool(funzioni) and all(self.restituisce(f, tipo) for f in funzioni)
        if tipo == "sicuro":
            return self.e(x, "nodo") or self.e(x, "funzione")
        return False

    @staticmethod
    def _e_aiuto_stesso(v, nome) -> bool:
        """The helper's own declaration (inside utili.js)."""
        return v["type"] == "FunctionDeclaration" and v["id"]["name"] == nome and nome in AIUTI_NODI

    def sicuro(self, x) -> bool:
        return self.e(x, "sicuro")

    # ---------- the calls to look at ----------
    def problemi(self) -> list[str]:
        out = []

        def riga(n):
            return n["loc"]["start"]["line"]

        def giu(n):
            t = n["type"]
            if t in ("CallExpression", "NewExpression"):
                self._chiamata(n, out, riga)
            elif t == "AssignmentExpression" and n["left"]["type"] == "MemberExpression":
                nome = _nome_proprieta(n["left"])
                if nome in PROPRIETA_HTML:
                    out.append(f"riga {riga(n)}: assegnazione a {nome}")
                elif nome == "html" and not self.e(n["right"], "nodo"):
                    out.append(f"riga {riga(n)}: opzione html di un'icona che non è un nodo")
            for f in _figli(n):
                giu(f)

        giu(self.albero)
        return out

    def _chiamata(self, n, out, riga):
        c = n["callee"]
        args = n["arguments"]
        nome = None
        if c["type"] == "MemberExpression":
            nome = _nome_proprieta(c)
        elif c["type"] == "Identifier":
            nome = c["name"]
        if nome in ("call", "apply") and c["type"] == "MemberExpression":
            # a method kept aside and called later: var originale = X.setContent; originale.call(this, c)
            alias = self._alias_di(c["object"])
            if alias in CONTENUTI:
                if nome == "apply" or len(args) < 2 or not self.sicuro(args[1]):
                    out.append(f"riga {riga(n)}: {alias} (chiamato con {nome}) con un contenuto che non è un nodo")
            elif alias in SEMPRE_HTML or alias in ("write", "writeln"):
                out.append(f"riga {riga(n)}: {alias}")
            return
        if nome in CONTENUTI and c["type"] == "MemberExpression":
            if not args or not self.sicuro(args[0]):
                out.append(f"riga {riga(n)}: {nome} con un contenuto che non è un nodo")
        elif nome in SEMPRE_HTML:
            out.append(f"riga {riga(n)}: {nome} (prende solo HTML)")
        elif nome in ("write", "writeln") and c["type"] == "MemberExpression" \
                and c["object"]["type"] == "Identifier" and c["object"]["name"] == "document":
            out.append(f"riga {riga(n)}: document.{nome}")
        elif nome in ("divIcon", "DivIcon"):
            self._opzioni(n, args, "html", out, riga, solo_nodo=True)
        elif nome == "IconaNodo":
            self._opzioni(n, args, "modello", out, riga, solo_nodo=True)
        elif nome in ("popup", "tooltip", "Popup", "Tooltip"):
            self._opzioni(n, args, "content", out, riga, solo_nodo=False)

    def _alias_di(self, e):
        """The method name a variable was taken from (var f = X.prototype.setContent), if any."""
        if e["type"] == "MemberExpression":
            return _nome_proprieta(e)
        if e["type"] != "Identifier":
            return None
        legami = self._legami(e) or []
        nomi = {_nome_proprieta(v) for v in legami if v is not None and v["type"] == "MemberExpression"}
        return next(iter(nomi & (CONTENUTI | SEMPRE_HTML)), None)

    def _opzioni(self, n, args, chiave, out, riga, solo_nodo):
        """The options object of L.divIcon / L.popup: its ``chiave`` must be a node."""
        oggetti = []
        for a in args:
            if a["type"] == "ObjectExpression":
                oggetti.append(a)
            elif a["type"] == "Identifier":
                legami = self._legami(a)
                if legami is None or any(v is None for v in legami):
                    if solo_nodo:
                        out.append(f"riga {riga(n)}: opzioni di un'icona che non si possono verificare")
                    continue
                oggetti += [v for v in legami if v["type"] == "ObjectExpression"]
            elif solo_nodo:
                out.append(f"riga {riga(n)}: opzioni di un'icona che non si possono verificare")
        for o in oggetti:
            for p in o["properties"]:
                k = p.get("key") or {}
                nome = k.get("name") if k.get("type") == "Identifier" else k.get("value")
                if nome == chiave:
                    ok = self.e(p["value"], "nodo") if solo_nodo else self.sicuro(p["value"])
                    if not ok:
                        out.append(f"riga {riga(p)}: opzione {chiave} che non è un nodo")


def controlla(codice: str) -> list[str]:
    """The places of a script where a string could become HTML ("riga N: ...")."""
    return Controllo(codice).problemi()


# ---------------------------------------------------------------------------------------------
# The static check on the page scripts
# ---------------------------------------------------------------------------------------------

SCRIPT = sorted(STATIC.glob("*.js"))

# The editor as it was: place names into a tooltip as a string, a colour into an icon's HTML.
RILIEVO_COM_ERA = """
(function () {
  var U = window.MappeUtili;
  var el = U.el;
  function avvia(map, D) {
    var marcatoriLuoghi = D.luoghi.nome.map(function (nome, j) {
      var m = L.circleMarker([D.luoghi.y[j], D.luoghi.x[j]], { radius: 6 });
      m.bindTooltip(nome, { permanent: false, direction: 'top' });
      return m;
    });
    function disegna(e, c) {
      return L.marker([0, 0], { icon: L.divIcon({ className: 'mappe-nuovo-punto',
        html: '<span style="background:' + c + '"></span>', iconSize: [22, 22] }) });
    }
  }
  window.MappeRilievo = { avvia: avvia };
})();
"""

CATTIVI = {
    "stringa": "m.bindPopup('<b>ciao</b>');",
    "concatenazione": "var el = window.MappeUtili.el; m.bindPopup('<b>' + el('b') + '</b>');",
    "template": "var t = 1; m.setContent(`<b>${t}</b>`);",
    "funzione_che_da_una_stringa": "m.bindPopup(function () { return '<b>' + x + '</b>'; });",
    "variabile_stringa": "var c = '<i>'; m.bindTooltip(c);",
    "variabile_riassegnata": "var el = window.MappeUtili.el; var c = el('div'); c = '<i>'; m.bindTooltip(c);",
    "parametro": "function f(nome) { m.setTooltipContent(nome); }",
    "sconosciuto": "m.setPopupContent(qualcosa);",
    "metà_stringa": "var el = window.MappeUtili.el; m.bindPopup(a ? el('b') : '<b>');",
    "ricorsione": "function f() { return f(); } m.bindPopup(f());",
    "divicon": "L.divIcon({ className: 'x', html: '<span></span>' });",
    "new_divicon": "new L.DivIcon({ html: nome });",
    "divicon_opzioni_ignote": "L.divIcon(opzioni);",
    "icona_modello": "new U.IconaNodo({ modello: '<b>' });",
    "opzione_html": "icona.options.html = '<b>';",
    "popup_content": "L.popup({ content: '<b>x</b>' });",
    "innerhtml": "document.body.innerHTML = '';",
    "innerhtml_calcolato": "x['innerHTML'] = y;",
    "outerhtml": "x.outerHTML += y;",
    "adjacent": "x.insertAdjacentHTML('beforeend', y);",
    "write": "document.write(y);",
    "writeln": "document.writeln(y);",
    "metodo_messo_da_parte": "var f = L.Popup.prototype.setContent; f.call(p, '<b>');",
}

BUONI = {
    "el": "var el = window.MappeUtili.el; m.bindTooltip(el('span', null, nome));",
    "funzione": "var U = window.MappeUtili; var el = U.el; m.bindPopup(function () { return el('b', null, x); });",
    "funzione_in_una_funzione": "var el = window.MappeUtili.el; function scheda(k) { var c = el('article'); "
                                "c.appendChild(el('p', null, k)); return c; } "
                                "m.bindPopup((function (k) { return function () { return scheda(k); }; })(1));",
    "createElement": "m.setContent(document.createElement('div'));",
    "cloneNode": "m.setContent(modello.cloneNode(true));",
    "testo": "m.bindTooltip(document.createTextNode(nome));",
    "divicon_senza_html": "L.divIcon({ className: 'x', iconSize: [1, 1] });",
    "icona_nodo": "var el = window.MappeUtili.el; new U.IconaNodo({ modello: el('span', null, nome) });",
    "popup_con_opzioni": "var o = { maxWidth: 3 }; L.popup(o).setContent(document.createElement('form'));",
    "textContent": "x.textContent = '<b>';",
}


@pytest.mark.parametrize("script", SCRIPT, ids=[s.name for s in SCRIPT])
def test_nessuno_script_delle_pagine_passa_una_stringa_come_html(script):
    problemi = controlla(script.read_text(encoding="utf-8"))
    assert problemi == [], f"{script.name}: " + "; ".join(problemi)


def test_il_controllo_trova_il_tooltip_del_vecchio_editor():
    problemi = controlla(RILIEVO_COM_ERA)
    assert any(p.startswith("riga 8: bindTooltip") for p in problemi), problemi
    assert any(p.startswith("riga 13: opzione html") for p in problemi), problemi
    assert len(problemi) == 2


@pytest.mark.parametrize("codice", CATTIVI.values(), ids=CATTIVI.keys())
def test_il_controllo_rifiuta_stringhe_e_ignoti(codice):
    assert controlla(codice) != []


@pytest.mark.parametrize("codice", BUONI.values(), ids=BUONI.keys())
def test_il_controllo_accetta_i_nodi(codice):
    assert controlla(codice) == []


# ---------------------------------------------------------------------------------------------
# The attack in the browser: a workspace full of payloads, every page kind, every popup
# ---------------------------------------------------------------------------------------------

PAYLOAD = [
    '<img src=x onerror="window.__attacco=1">',
    "<script>window.__attacco=2</script>",
    '"><svg onload="window.__attacco=3;alert(3)">',
    "`${window.__attacco=4}` ${alert(4)}",
    '</script><img src=x onerror="window.__attacco=5;alert(5)"> fine',
]
TIPI = ["bisogno", "risorsa", "memoria", "emozione", "proposta"]
CATEGORIE = ["bar", "biblioteca", "piazza", "parco", "chiesa"]
TITOLO = f"{PAYLOAD[1]} titolo della pagina"
SALA = f"{PAYLOAD[4]} sala"
PROMOSSO = f"{PAYLOAD[0]} luogo promosso"  # the name a moderator gives a visitor's suggestion
SEGNALAZIONE = f"{PAYLOAD[2]} segnalazione"
INFORMATIVA = f"{PAYLOAD[3]} informativa"
CONTATTO = f"{PAYLOAD[4]} contatto"
PROGETTO = f"{PAYLOAD[2]} progetto"


def _contributi() -> list[dict]:
    """What the workspace holds: one contribution of each kind, one at a place, one without a
    place, a path and a zone; every text a payload."""
    out = []
    for k, tipo in enumerate(TIPI):
        out.append({"id": f"c-{k}", "tipo": tipo, "titolo": f"{PAYLOAD[k]} titolo {k}",
                    "testo": f"{PAYLOAD[k]} testo {k}", "epoca": f"{PAYLOAD[k]} epoca {k}" if tipo == "memoria" else "",
                    "emozione": "paura" if tipo == "emozione" else "", "lon": f"{7.530 + 0.004 * k:.3f}",
                    "lat": "45.0087", "luogo": ""})
    out.append({"id": "c-5", "tipo": "memoria", "titolo": f"{PAYLOAD[1]} detto del luogo", "testo": f"{PAYLOAD[1]} qui",
                "epoca": "", "emozione": "", "lon": "", "lat": "", "luogo": f"{PAYLOAD[2]} luogo 2"})
    out.append({"id": "c-6", "tipo": "bisogno", "titolo": f"{PAYLOAD[3]} senza luogo",
                "testo": f"{PAYLOAD[3]} tutto il comune", "epoca": "", "emozione": "", "lon": "", "lat": "",
                "luogo": ""})
    return out


FORME = [  # a path and a zone
    {"id": "c-7", "tipo": "emozione", "emozione": "paura", "titolo": f"{PAYLOAD[0]} percorso",
     "testo": f"{PAYLOAD[0]} il sottopasso", "geometry": {"type": "LineString", "coordinates": [[7.534, 45.013],
                                                                                             [7.538, 45.015]]}},
    {"id": "c-8", "tipo": "proposta", "titolo": f"{PAYLOAD[2]} zona", "testo": f"{PAYLOAD[2]} un giardino",
     "geometry": {"type": "Polygon", "coordinates": [[[7.540, 45.012], [7.544, 45.012], [7.544, 45.014],
                                                       [7.540, 45.014], [7.540, 45.012]]]}},
]
# initiatives (the 'seguito' view): a place and a zone, every text a payload, answering proposals and needs
INIZIATIVE = [
    {"id": "i-0", "nome": f"{PAYLOAD[0]} iniziativa 0", "promotore": f"{PAYLOAD[1]} promotore 0",
     "descrizione": f"{PAYLOAD[2]} descrizione dell'iniziativa 0", "fondo": f"{PAYLOAD[3]} fondo 0",
     "esito": f"{PAYLOAD[4]} esito 0", "stato": "in_corso", "risponde_a": "c-0|c-4",
     "geometry": {"type": "Point", "coordinates": [7.536, 45.010]}},
    {"id": "i-1", "nome": f"{PAYLOAD[3]} iniziativa 1", "promotore": f"{PAYLOAD[4]} promotore 1",
     "descrizione": f"{PAYLOAD[0]} descrizione dell'iniziativa 1", "fondo": f"{PAYLOAD[1]} fondo 1",
     "esito": f"{PAYLOAD[2]} esito 1", "stato": "realizzata", "risponde_a": "c-8|c-6",
     "geometry": {"type": "Polygon", "coordinates": [[[7.537, 45.0115], [7.5395, 45.0115], [7.5395, 45.0125],
                                                      [7.537, 45.0125], [7.537, 45.0115]]]}},
]
LUOGHI = [{"nome": f"{PAYLOAD[k]} luogo {k}", "categoria": CATEGORIE[k], "descrizione": f"{PAYLOAD[k]} descrizione {k}",
           "lon": f"{7.530 + 0.004 * k:.3f}", "lat": "45.0050"} for k in range(len(PAYLOAD))]


def _esegui(cartella: Path):
    """The real command line on the workspace (as the ``cli`` fixture, for a whole module)."""
    runner = CliRunner()

    def esegui(*args):
        vecchia = Path.cwd()
        os.chdir(cartella)
        try:
            r = runner.invoke(main, ["--area", str(cartella), *map(str, args)], catch_exceptions=False)
        finally:
            os.chdir(vecchia)
        assert r.exit_code == 0, r.output
        return r

    return esegui


@pytest.fixture(scope="module")
def pagine(_area_base, tmp_path_factory) -> dict[str, Path]:
    """Every page kind, built by the CLI from a workspace of payloads."""
    base = tmp_path_factory.mktemp("attacchi")
    cartella = base / "area"
    shutil.copytree(_area_base, cartella)
    cli = _esegui(cartella)
    (cartella / "progetto.toml").write_text(
        "[progetto]\n" + "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in
                                 (("nome", PROGETTO), ("contatto", CONTATTO), ("informativa", INFORMATIVA))),
        encoding="utf-8")
    cli("importa", scrivi_csv(base / "incontri.csv", [["id", "data", "luogo"], ["FG-ATT-01", "23/11/2026", SALA]]),
        "--comune", "Orbassano", "--strato", "incontri")
    cli("importa", scrivi_csv(base / "luoghi.csv", [["nome", "categoria", "ruolo", "descrizione", "lon", "lat"]] + [
        [x["nome"], x["categoria"], "luogo_significativo", x["descrizione"], x["lon"], x["lat"]] for x in LUOGHI]),
        "--comune", "Orbassano", "--strato", "luoghi")
    campi = ["id", "tipo", "titolo", "testo", "epoca", "emozione", "lon", "lat", "luogo"]
    cli("importa", scrivi_csv(base / "contributi.csv", [campi + ["tema", "incontro"]] + [
        [c[k] for k in campi] + ["socialita", "FG-ATT-01"] for c in _contributi()]), "--comune", "Orbassano")
    forme = base / "forme.geojson"
    forme.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": f["geometry"],
         "properties": {k: v for k, v in f.items() if k != "geometry"} | {"tema": "mobilita", "incontro": "FG-ATT-01"}}
        for f in FORME]}), encoding="utf-8")
    cli("importa", forme, "--comune", "Orbassano")
    iniziative = base / "iniziative.geojson"
    iniziative.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": x["geometry"], "properties": {k: v for k, v in x.items() if k != "geometry"}}
        for x in INIZIATIVE]}), encoding="utf-8")
    cli("importa", iniziative, "--comune", "Orbassano", "--strato", "iniziative")

    # Visitors' feedback, about the ids the exhibition publishes, approved by the staff
    prima = base / "prima.html"
    cli("mostra", "Orbassano", "-o", prima, "--pin", "48213579")
    dati = json.loads(rendi_mappa.testo_dati(prima.read_text(encoding="utf-8")))
    C = rendi_mappa.decodifica_contributi(dati)
    id_di = dict(zip(C["titolo"], C["id"])) | dict(zip(dati["luoghi"]["nome"], dati["luoghi"]["id"]))
    riscontri = [{"id": f"r-{k}", "su": id_di[f"{PAYLOAD[k]} titolo {k}"], "reazione": "importante",
                  "commento": f"{PAYLOAD[k]} commento {k}", "geometry": None} for k in range(len(PAYLOAD))]
    riscontri += [
        {"id": "r-luogo", "su": id_di[LUOGHI[0]["nome"]], "reazione": "", "commento": f"{PAYLOAD[0]} commento al luogo",
         "geometry": None},
        {"id": "s-1", "su": "", "reazione": "manca_un_luogo", "commento": SEGNALAZIONE,
         "geometry": {"type": "Point", "coordinates": [7.550, 45.000]}},
        {"id": "s-2", "su": "", "reazione": "manca_un_luogo", "commento": f"{PAYLOAD[1]} qui manca un posto",
         "geometry": {"type": "Point", "coordinates": [7.556, 44.996]}},
    ]
    file = base / "riscontri.geojson"
    file.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": dati["mostra_id"]},
                                "features": [{"type": "Feature", "geometry": r.pop("geometry"), "properties": r | {
                                    "comune": "orbassano", "data": "2026-11-26T10:00:00Z"}} for r in riscontri]}),
                    encoding="utf-8")
    cli("riscontri", "importa", file, "--comune", "Orbassano")
    cli("riscontri", "modera", "Orbassano", *[x for r in riscontri for x in ("--approva", r["id"])])
    cli("riscontri", "promuovi", "Orbassano", "s-2", "--come", "luogo", "--nome", PROMOSSO, "--categoria", "piazza")

    uscite = {}
    for vista in VISTE:
        for stile in ("comunita", "classico"):
            uscite[f"mappa-{vista}-{stile}"] = base / f"mappa-{vista}-{stile}.html"
            cli("mappa", "Orbassano", "--vista", vista, "--stile", stile, "--titolo", TITOLO,
                "-o", uscite[f"mappa-{vista}-{stile}"])
    for nome, opzioni in (("mostra", []), ("chiosco", ["--chiosco"]), ("web", ["--web"])):
        uscite[nome] = base / f"{nome}.html"
        cli("mostra", "Orbassano", "--titolo", TITOLO, "--pin", "48213579", *opzioni, "-o", uscite[nome])
    uscite["territorio"] = base / "territorio.html"
    cli("territorio", "--titolo", TITOLO, "-o", uscite["territorio"])
    uscite["rilievo"] = base / "rilievo.html"
    cli("rilievo", "Orbassano", "--incontro", "FG-ATT-01", "-o", uscite["rilievo"])
    return uscite


def _attesi(pagina: str) -> set[str]:
    """The payload texts a person must be able to read, literally, in a page's popups and tooltips."""
    if pagina == "territorio":
        return set()  # its popups hold ISTAT names and figures; the title is checked on its own
    luoghi = {x["nome"] for x in LUOGHI} | {PROMOSSO}
    if pagina == "rilievo":
        return luoghi  # the tooltips of the places
    viste = [pagina.split("-", 1)[1].rsplit("-", 1)[0]] if pagina.startswith("mappa-") else list(VISTE)
    attesi = {SEGNALAZIONE}
    for vista in viste:
        v = VISTE[vista]
        for c in _contributi() + FORME:
            if (v.tipi is None or c["tipo"] in v.tipi) and c["id"] != "c-6":  # c-6 has no place: no popup
                attesi |= {c["titolo"], c["testo"], SALA} | ({c["epoca"]} if c.get("epoca") else set())
                k = int(c["id"][2:])
                if k < len(PAYLOAD):
                    attesi.add(f"{PAYLOAD[k]} commento {k}")
        if v.seguito:
            attesi |= {x[k] for x in INIZIATIVE for k in ("nome", "promotore", "descrizione", "fondo", "esito")}
        if v.luoghi:
            attesi |= luoghi | {x["descrizione"] for x in LUOGHI}
            attesi |= {f"{PAYLOAD[0]} commento al luogo", f"{PAYLOAD[1]} qui manca un posto"}
    return attesi


# Every layer with a popup or a tooltip, opened one by one (the exhaustive pass)
APRI_TUTTO = """async () => {
    const map = window[document.querySelector('.folium-map').id];
    const strati = [];
    map.eachLayer(l => strati.push(l));
    const testi = [];
    const attendi = () => new Promise(r => setTimeout(r, 20));
    for (const l of strati) {
        if (l.getPopup && l.getPopup()) {
            l.openPopup();
            await attendi();
            const c = Array.from(document.querySelectorAll('.leaflet-popup-content')).pop();
            testi.push(c ? c.textContent : '');
            map.closePopup();
        }
        if (l.getTooltip && l.getTooltip()) {
            l.openTooltip();
            await attendi();
            const t = Array.from(document.querySelectorAll('.leaflet-tooltip')).pop();
            testi.push(t ? t.textContent : '');
            l.closeTooltip();
        }
    }
    return testi;
}"""

TRACCE = """() => ({
    attacco: window.__attacco === undefined ? null : String(window.__attacco),
    img: document.querySelectorAll('img:not(.leaflet-tile)').length,
    iframe: document.querySelectorAll('iframe').length,
    gestori: document.querySelectorAll('[onerror], [onload]').length,
    script: Array.from(document.querySelectorAll('script:not(#mappe-dati)'))
        .filter(s => s.textContent.indexOf('__attacco') >= 0).length,
})"""
PULITO = {"attacco": None, "img": 0, "iframe": 0, "gestori": 0, "script": 0}


def _come_una_persona(p, testi: list[str]) -> None:
    """Hover the places of the editor, open every marker with the keyboard, every card from the list."""
    luoghi = p.locator(".mappe-luogo-rilievo")
    for k in range(luoghi.count()):
        luoghi.nth(k).hover()
        tooltip = p.locator(".leaflet-tooltip").last  # the one closing may still be fading out
        tooltip.wait_for(timeout=5000)
        testi.append(tooltip.text_content())
    popup = p.locator(".leaflet-popup-content").last
    # (a group opens by zooming in, not with a card: what it gathers is reached from the list)
    marcatori = p.locator(".leaflet-marker-pane .leaflet-marker-icon.leaflet-interactive:not(.mappe-cluster)")
    for k in range(marcatori.count()):
        marcatori.nth(k).focus()
        p.keyboard.press("Enter")
        popup.wait_for(timeout=5000)
        testi.append(popup.text_content())
    bottoni = p.locator("#mappe-elenco .mappe-sulla-mappa")
    aperte = """() => Array.from(document.querySelectorAll('.leaflet-popup'))
        .filter(e => getComputedStyle(e).opacity === '1')
        .map(e => e.querySelector('.leaflet-popup-content').textContent)"""
    for k in range(bottoni.count()):
        # the card of this contribution, not the last one fading out (a zoom may come first)
        p.evaluate("window[document.querySelector('.folium-map').id].closePopup()")
        p.wait_for_function(f"({aperte})().length === 0")
        bottoni.nth(k).click()
        testi.append(p.wait_for_function(f"(({aperte})()).pop() || false", timeout=5000).json_value())
    senza = p.locator(".mappe-senza-luogo:not([open]) > summary")
    if senza.count() and senza.is_visible():
        senza.click()


def _clic_sulla_mappa(p, lon: float, lat: float) -> None:
    x, y = p.evaluate("""([lon, lat]) => {
        const el = document.querySelector('.folium-map');
        el.scrollIntoView({block: 'center'});
        const pt = window[el.id].latLngToContainerPoint([lat, lon]);
        const r = el.getBoundingClientRect();
        return [r.left + pt.x, r.top + pt.y];
    }""", [lon, lat])
    p.mouse.click(x, y)


@pytest.mark.parametrize("pagina", [f"mappa-{v}-{s}" for v in VISTE for s in ("comunita", "classico")] +
                         ["mostra", "chiosco", "web", "territorio", "rilievo"])
def test_nomi_e_testi_malevoli_restano_testo_in_ogni_popup(pagine, pagina, pagina_offline):
    p = pagina_offline
    dialoghi, eccezioni = [], []
    p.on("dialog", lambda d: (dialoghi.append(d.message), d.dismiss()))
    p.on("pageerror", lambda e: eccezioni.append(str(e)))
    p.goto(pagine[pagina].as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
    testi: list[str] = []
    viste = p.locator("button[data-vista]")
    for k in range(max(1, viste.count())):  # an exhibition: every view
        if viste.count():
            viste.nth(k).click()
        _come_una_persona(p, testi)
        testi += p.evaluate(APRI_TUTTO)
    if pagina in ("mostra", "chiosco"):
        # a visitor adds a place: the form in the popup carries the project's notice
        p.keyboard.press("Escape")
        p.evaluate("window[document.querySelector('.folium-map').id].setView([45.02, 7.57], 14, {animate: false})")
        p.locator(".mappe-aggiungi").click()
        _clic_sulla_mappa(p, 7.570, 45.020)
        modulo = p.locator(".leaflet-popup-content .mappe-suggerimento").last
        try:
            modulo.wait_for(timeout=3000)
        except PlaywrightTimeout:
            # the finger landed on a symbol or a name (big ones on a kiosk): tap the map itself there
            p.evaluate("""() => window[document.querySelector('.folium-map').id]
                .fire('click', {latlng: L.latLng(45.020, 7.570)})""")
            modulo.wait_for(timeout=5000)
        testi.append(modulo.text_content())
        assert INFORMATIVA in modulo.locator(".mappe-informativa").text_content()
    p.wait_for_timeout(300)  # an <img src=x> that was created has failed to load by now
    corpo = p.locator("body").text_content()

    assert dialoghi == [] and eccezioni == []
    assert p.evaluate(TRACCE) == PULITO
    tutto = "\n".join(testi)
    assert sorted(x for x in _attesi(pagina) if x not in tutto) == []
    if pagina == "rilievo":
        # the place promoted from a visitor's suggestion, as the attack
        assert any(t == PROMOSSO for t in testi)
        assert f"{PAYLOAD[3]} senza luogo" in corpo  # to be placed
    else:
        assert p.locator("h1").text_content() == TITOLO and TITOLO in p.title()
    if pagina == "web":
        assert CONTATTO in p.locator(".mappe-contatto").text_content()
        assert PROGETTO in p.locator(".mappe-crediti").text_content()


# Leaflet handed strings directly, as a future change to a page script might: text, not HTML.
STRINGHE_A_LEAFLET = """(P) => {
    const map = window[document.querySelector('.folium-map').id];
    const c = map.getCenter();
    const ultimo = (sel) => Array.from(document.querySelectorAll(sel)).pop().textContent;
    const letti = {};
    const m = L.marker(c, {icon: L.divIcon({html: P, className: 'prova-icona'})}).addTo(map);
    letti.divIcon = document.querySelector('.prova-icona').textContent;
    m.bindPopup(P).openPopup();
    letti.bindPopup = ultimo('.leaflet-popup-content');
    m.setPopupContent(P + ' 2');
    letti.setPopupContent = ultimo('.leaflet-popup-content');
    m.bindPopup(() => P + ' 3').openPopup();
    letti.funzione = ultimo('.leaflet-popup-content');
    map.closePopup();
    m.bindTooltip(P).openTooltip();
    letti.bindTooltip = ultimo('.leaflet-tooltip');
    m.getTooltip().setContent(P + ' 4');
    letti.setContent = ultimo('.leaflet-tooltip');
    m.closeTooltip();
    L.popup({content: P + ' 5'}).setLatLng(c).openOn(map);
    letti.opzioneContent = ultimo('.leaflet-popup-content');
    map.openPopup(P + ' 6', c);
    letti.openPopup = ultimo('.leaflet-popup-content');
    return letti;
}"""


@pytest.mark.parametrize("pagina", ["mappa-tutto-comunita", "territorio", "rilievo"])
def test_leaflet_mostra_come_testo_le_stringhe_che_riceve(pagine, pagina, pagina_offline):
    p = pagina_offline
    dialoghi = []
    p.on("dialog", lambda d: (dialoghi.append(d.message), d.dismiss()))
    p.goto(pagine[pagina].as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'", timeout=15000)
    carico = '<img src=x onerror="window.__attacco=9;alert(9)">'
    letti = p.evaluate(STRINGHE_A_LEAFLET, carico)
    p.wait_for_timeout(300)
    assert letti == {"divIcon": carico, "bindPopup": carico, "setPopupContent": carico + " 2",
                     "funzione": carico + " 3", "bindTooltip": carico, "setContent": carico + " 4",
                     "opzioneContent": carico + " 5", "openPopup": carico + " 6"}
    assert dialoghi == [] and p.evaluate(TRACCE) == PULITO
