"""mappe: participatory maps of needs and resources for Italian generative-welfare projects.

The Python API follows the flow: a workspace (:class:`Area`), the store of a comune
(:class:`Archivio`), import (:func:`importa_file`), and the map (:func:`costruisci_mappa`).

Examples
--------
>>> from mappe import Area
>>> area = Area("mappe-demo")                         # doctest: +SKIP
>>> orbassano = area.archivio("Orbassano")            # doctest: +SKIP
>>> orbassano.leggi("contributi").groupby("tema").size()  # doctest: +SKIP
"""

from importlib import import_module

__all__ = [
    "Archivio",
    "Area",
    "MappeError",
    "carica_catalogo",
    "costruisci_mappa",
    "crea_area",
    "importa_file",
    "scrivi_mappa",
]

# Loaded on first use: a command that only needs the store does not pay for the renderer.
_DOVE = {
    "Area": ".archivio", "Archivio": ".archivio", "crea_area": ".archivio",
    "carica_catalogo": ".catalogo", "MappeError": ".errori", "importa_file": ".importa",
    "costruisci_mappa": ".rendi.mappa", "scrivi_mappa": ".rendi.mappa",
}


def __getattr__(nome: str):
    if nome in _DOVE:
        return getattr(import_module(_DOVE[nome], __name__), nome)
    raise AttributeError(f"module 'mappe' has no attribute {nome!r}")
