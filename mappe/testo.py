"""Text written by people: stored clean, printed so that nobody can be fooled by it.

Stored texts keep every letter of every script (right-to-left ones included) but lose the
invisible characters that change how a text is shown: carriage returns become plain line
breaks, and the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which can
make a text read differently from what it says, are removed.

Everything printed on a terminal from data (comments, names, file contents, history) goes
through :func:`per_terminale`: control characters, ANSI escape sequences, C1 codes and the
same bidirectional controls are shown as visible codes (``\\x1b``, ``\\u202e``), so a moderator
sees exactly what would be published, and no text can move the cursor, change colours, hide
itself or forge another line of output.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalizza", "per_comando", "per_terminale", "piega", "quanti", "riga_terminale", "righe_per_strato"]

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Everything a terminal would act on instead of showing, or would not show at all: C0 (but tab and
# line feed), DEL, C1, zero-width characters, the line and paragraph separators, the bidirectional
# controls.
_INVISIBILI = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064"
                         "\u2066-\u2069\ufeff]")


def normalizza(testo: str) -> str:
    """A text as it is stored: ``\\r\\n`` and ``\\r`` become ``\\n``, bidirectional controls go."""
    if "\r" in testo:
        testo = testo.replace("\r\n", "\n").replace("\r", "\n")
    if _BIDI.search(testo):
        testo = _BIDI.sub("", testo)
    return testo


def _codice(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def per_terminale(testo) -> str:
    """``testo`` made safe to print: what a terminal would act on is shown as a visible code.

    Line feeds and tabs stay (messages have several lines); use :func:`riga_terminale` for a
    value that must stay on one line.
    """
    testo = str(testo)
    return _INVISIBILI.sub(_codice, testo) if _INVISIBILI.search(testo) else testo


def riga_terminale(testo) -> str:
    """A value from data on one line: line breaks shown as ``⏎``, tabs as spaces, the rest as
    :func:`per_terminale` (a comment cannot pretend to be the next line of the output)."""
    testo = str(testo).replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", " ")
    return per_terminale(testo)


def piega(testo) -> str:
    """A text folded for comparing names: no letter case, no accents, spaces collapsed
    ("Niccolò  ROSSI" and "niccolo rossi" fold the same)."""
    s = str(testo or "")
    if s.isascii():
        return " ".join(s.casefold().split())
    s = unicodedata.normalize("NFKD", s)
    return " ".join("".join(c for c in s if not unicodedata.combining(c)).casefold().split())


def per_comando(nome: str) -> str:
    """A comune's name as it is typed in a command: between double quotes when it has spaces or
    apostrophes (they work in every shell, Windows' too)."""
    return f'"{nome}"' if re.search(r"[^\w.-]", nome) else nome


def quanti(n: int, singolare: str, plurale: str) -> str:
    """'1 bisogno', '3 bisogni': Italian agrees the noun with the number."""
    return f"{n} {singolare if n == 1 else plurale}"


_SINGOLARI = {"contributi": "contributo", "luoghi": "luogo", "incontri": "incontro", "riscontri": "riscontro",
              "iniziative": "iniziativa"}


def righe_per_strato(righe: dict[str, int]) -> str:
    """{'contributi': 1, 'riscontri': 2} -> '1 contributo, 2 riscontri'."""
    return ", ".join(quanti(n, _SINGOLARI.get(strato, strato), strato) for strato, n in righe.items())
