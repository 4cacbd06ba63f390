"""The symbols of the maps, defined once as data: the shapes of the kinds and the place pictograms.

``simboli.json`` holds each symbol as one SVG path in a 24×24 box (y grows downwards, as in
SVG), written with the absolute commands M, L, C, Q and Z only and filled with the nonzero
rule: a hole runs the opposite way round from its outline. matplotlib has no SVG arc and no
even-odd fill, so with these two limits the page (``static/mappe-simboli.js``, which receives
the same file inlined as ``window.MappeSimboli``) and a poster drawn with matplotlib show the
same symbols.

Examples
--------
>>> from mappe.rendi.simboli import simboli, percorso
>>> sorted(simboli()["forme"])[:2]
['cerchio', 'cuore']
>>> percorso(simboli()["pittogrammi"]["piazza"]).vertices.shape
(19, 2)
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

__all__ = ["COMANDI", "LATO", "comandi", "percorso", "simboli"]

FILE = Path(__file__).with_name("simboli.json")
LATO = 24
# Each command and how many numbers it takes.
COMANDI = {"M": 2, "L": 2, "C": 6, "Q": 4, "Z": 0}

_PEZZO = re.compile(r"\s*(?:([A-Za-z])|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))\s*,?")


@cache
def simboli() -> dict:
    """The symbols: ``{"lato": 24, "forme": {kind shape: path}, "pittogrammi": {icon: path}}``.

    The same dictionary is returned at every call: read it, do not change it.
    """
    dati = json.loads(FILE.read_text(encoding="utf-8"))
    for gruppo in ("forme", "pittogrammi"):
        for d in dati[gruppo].values():
            comandi(d)  # a broken path fails here, not in a browser
    return dati


def comandi(d: str) -> list[tuple[str, tuple[float, ...]]]:
    """A path as a list of ``(command, numbers)``.

    Raises
    ------
    ValueError
        For a command other than M, L, C, Q, Z, or numbers that do not fit their command.

    Examples
    --------
    >>> comandi("M1 2 L3 4 Z")
    [('M', (1.0, 2.0)), ('L', (3.0, 4.0)), ('Z', ())]
    """
    out: list[tuple[str, tuple[float, ...]]] = []
    numeri: list[float] = []
    comando = None

    def chiudi():
        if comando is None:
            return
        k = COMANDI[comando]
        if len(numeri) != k:
            raise ValueError(f"percorso {d!r}: {comando} vuole {k} numeri, ne ha {len(numeri)}")
        out.append((comando, tuple(numeri)))

    pos = 0
    testo = d.strip()
    while pos < len(testo):
        m = _PEZZO.match(testo, pos)
        if not m or m.end() == pos:
            raise ValueError(f"percorso {d!r}: non leggibile alla posizione {pos}")
        pos = m.end()
        if m.group(1):
            chiudi()
            comando = m.group(1)
            if comando not in COMANDI:
                raise ValueError(f"percorso {d!r}: il comando {comando} non è ammesso (solo M, L, C, Q, Z)")
            numeri = []
        else:
            if comando is None:
                raise ValueError(f"percorso {d!r}: deve cominciare con M")
            numeri.append(float(m.group(2)))
    chiudi()
    if not out or out[0][0] != "M":
        raise ValueError(f"percorso {d!r}: deve cominciare con M")
    return out


def percorso(d: str):
    """The path as a ``matplotlib.path.Path``, in the symbol's 24×24 box (y downwards).

    Draw it on axes with an inverted y axis, or flip it with
    ``matplotlib.transforms.Affine2D().scale(1, -1)``; fill it with any patch (matplotlib fills
    with the nonzero rule, as the page does).
    """
    from matplotlib.path import Path as MPath

    vertici: list[tuple[float, float]] = []
    codici: list[int] = []
    inizio = (0.0, 0.0)
    for comando, n in comandi(d):
        if comando == "M":
            inizio = (n[0], n[1])
            vertici.append(inizio)
            codici.append(MPath.MOVETO)
        elif comando == "L":
            vertici.append((n[0], n[1]))
            codici.append(MPath.LINETO)
        elif comando == "Q":
            vertici += [(n[0], n[1]), (n[2], n[3])]
            codici += [MPath.CURVE3] * 2
        elif comando == "C":
            vertici += [(n[0], n[1]), (n[2], n[3]), (n[4], n[5])]
            codici += [MPath.CURVE4] * 3
        else:  # Z: matplotlib ignores the vertex of CLOSEPOLY; the subpath's start is explicit
            vertici.append(inizio)
            codici.append(MPath.CLOSEPOLY)
    return MPath(vertici, codici)
