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

from .archivio import Archivio, Area, crea_area
from .catalogo import carica_catalogo
from .errori import MappeError
from .importa import importa_file
from .rendi.mappa import costruisci_mappa, scrivi_mappa

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
