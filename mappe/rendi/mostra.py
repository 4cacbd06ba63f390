"""The exhibition ("mostra"): one offline HTML file for one or more comuni, with every view,
an accessible list, feedback from visitors kept in the browser, and a kiosk mode.
"""

from __future__ import annotations

import hashlib
import hmac

from ..archivio import Archivio, Area
from ..cifratura import chiave_pubblica, hash_pin, nuovo_pin
from ..viste import VISTE
from .mappa import Opzioni, costruisci_pagina

__all__ = ["VISTE_MOSTRA", "costruisci_mostra"]

# The order in which the views of the exhibition are offered.
VISTE_MOSTRA = ("bisogni-risorse", "memoria", "emozioni", "luoghi", "rete", "seguito", "tutto")


def id_mostra(area: Area, archivi: list[Archivio], titolo: str | None, lingua: str) -> str:
    """The same id for every rebuild of the same exhibition (same comuni, title and language).

    Feedback is kept in the browser under this id: a rebuilt file on the same kiosk still finds
    what visitors left with the previous one.
    """
    chiave = "|".join(sorted(a.slug for a in archivi)) + "|" + (titolo or "") + "|" + lingua
    return hmac.new(area.segreto(), chiave.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def costruisci_mostra(
    area: Area,
    archivi: list[Archivio],
    titolo: str | None = None,
    lingua: str | list = "it",
    chiosco: bool = False,
    pin: str | None = None,
    web: bool = False,
    attesa_s: int = 180,
    contenuto: dict | None = None,
    stile: str = "comunita",
    invio: str = "",
    foto_massimo: int | None = None,
    foto: dict | None = None,
    foto_ids: list | None = None,
    dal: str | None = None,
    novita: dict | None = None,
) -> tuple[str, str]:
    """The HTML of an exhibition and the staff code that downloads the feedback.

    Without ``pin`` a ten-digit code is drawn. Feedback is stored in the browser encrypted with
    the exhibition's public key (:mod:`mappe.cifratura`): the code only opens the download. A
    ``web`` exhibition collects no feedback and shows the project's contact instead. A served one
    (``invio``: the address of the feedback endpoint, relative to the page) sends each item there
    instead of keeping it, and has no staff code. ``foto_massimo``: bytes of photo thumbnails per
    comune (default :data:`~mappe.rendi.mappa.FOTO_MASSIMO`); ``foto`` receives, per comune, the
    photos put in and those left out; ``foto_ids``, the (comune, photo id) of each photo of the page
    in its order (a served exhibition serves their previews).

    ``dal`` (an ISO day, the previous exhibition's): the second round. The exhibition opens on the
    view of what became of the proposals, with what changed since that day; ``novita`` receives
    the sentence that says it (``frase``, in the page's language, and ``frase_it``).
    """
    lingue = list(lingua) if isinstance(lingua, (list, tuple)) else [lingua]
    lingua = lingue[0]
    pin = pin or nuovo_pin()
    mostra_id = id_mostra(area, archivi, titolo, lingua)
    # the second round opens on what became of the proposals
    ordine = ("seguito",) + tuple(v for v in VISTE_MOSTRA if v != "seguito") if dal else VISTE_MOSTRA
    opzioni = Opzioni(
        viste=[VISTE[v] for v in ordine],
        lingua=lingua,
        lingue=lingue,
        titolo=titolo,
        titolo_chiave="titolo_mostra",
        raccolta=not web,
        chiosco=chiosco,
        attesa_s=attesa_s,
        mostra_id=mostra_id,
        pin=hash_pin(pin),
        chiave_pubblica=chiave_pubblica(area.segreto(), mostra_id),
        web=web,
        stile=stile,
        invio=invio,
        dal=dal,
    )
    if foto_massimo is not None:
        opzioni.foto_massimo = foto_massimo
    html = costruisci_pagina(area, archivi, opzioni)
    if contenuto is not None:
        contenuto.update(opzioni.contenuto)
    if foto is not None:
        foto.update(opzioni.foto)
    if foto_ids is not None:
        foto_ids.extend(opzioni.foto_ids)
    if novita is not None:
        novita.update(opzioni.novita)
    return html, pin
