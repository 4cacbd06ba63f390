"""The languages of the public pages, and which words people said may be translated by a person.

The command line stays Italian; the public pages (maps, exhibition) speak these languages, each
named in itself for the visitor's switch. People's words are never translated by a machine: a
facilitator or a cultural mediator writes the translation in the ``<campo>_<lingua>`` columns
(``testo_ar``, ``titolo_uk``...), which every layer below has for each language but Italian.
"""

from __future__ import annotations

from functools import cache

__all__ = ["CAMPI_TRADUCIBILI", "LINGUE", "LINGUE_DESTRA_SINISTRA", "NOMI_IT", "campo_tradotto", "lingue_pagine",
           "originale_di", "testi_pagine"]

LINGUE = {
    "it": "Italiano", "en": "English", "fr": "Français", "ar": "العربية", "ro": "Română", "sq": "Shqip",
    "uk": "Українська", "es": "Español",
}
# For Italian messages: "la traduzione in arabo".
NOMI_IT = {"it": "italiano", "en": "inglese", "fr": "francese", "ar": "arabo", "ro": "rumeno", "sq": "albanese",
           "uk": "ucraino", "es": "spagnolo"}
LINGUE_DESTRA_SINISTRA = ("ar",)
# The fields whose words a person may translate, per layer (place names and people's names are not).
CAMPI_TRADUCIBILI = {
    "contributi": ("titolo", "testo", "esito"),
    "luoghi": ("descrizione",),
    "iniziative": ("nome", "descrizione", "esito"),
}


def campo_tradotto(campo: str, lingua: str) -> str:
    return f"{campo}_{lingua}"


def originale_di(nome: str, strato: str) -> tuple[str, str] | None:
    """(field, language) when ``nome`` is the translation column of a field of ``strato``."""
    base, _, lingua = nome.rpartition("_")
    if lingua in LINGUE and lingua != "it" and base in CAMPI_TRADUCIBILI.get(strato, ()):
        return base, lingua
    return None


@cache
def testi_pagine() -> dict[str, dict[str, str]]:
    """The message catalogues of the public pages (``mappe/rendi/lingue/<lingua>.toml``), one per
    language that has one; a key missing in a language falls back to the Italian (a test makes
    sure none is missing in the shipped ones)."""
    from importlib.resources import files

    from .catalogo import tomllib

    cartella = files("mappe.rendi") / "lingue"
    letti = {}
    for lingua in LINGUE:
        f = cartella / f"{lingua}.toml"
        if f.is_file():
            letti[lingua] = tomllib.loads(f.read_text(encoding="utf-8"))
    base = letti["it"]
    return {lingua: {**base, **d} for lingua, d in letti.items()}


def lingue_pagine() -> list[str]:
    """The languages a public page can be written in."""
    return list(testi_pagine())
