"""What became of proposals and needs: their status, the note that goes with it, and its stages.

A proposal or a need said in a focus group starts as ``detta`` (an empty ``stato``) and goes on
through the statuses of the catalogue's ``seguito`` vocabulary (``in_valutazione``, ``sostenuta``,
``in_corso``, then ``realizzata`` or ``non_realizzabile``: a project may rename them or add its
own). Each change keeps its day: ``data_stato`` is the day of the last one, and ``tappe`` lists
them all (``AAAA-MM-GG stato``, separated by ``|``), so that a card can draw the way from the day
it was said to today. A status is public, as its note (``esito``) is, unless the catalogue marks
the field private; a reserved row's status never leaves the store with it.

A status changes with ``mappe stato`` (:func:`cambia_stato`), with ``mappe modifica --stato``, or
in a spreadsheet through the correction loop (``esporta --completo`` → ``importa``): the same rule
(:func:`segna_tappa`) writes the stage in every case.
"""

from __future__ import annotations

import datetime as dt

from .archivio import Archivio
from .errori import MappeError

__all__ = ["STATO_INIZIALE", "TIPI_CON_STATO", "cambia_stato", "controlla_stato", "controlla_tappa", "segna_tappa",
           "tappe"]

STATO_INIZIALE = "detta"  # an empty status means this
TIPI_CON_STATO = ("proposta", "bisogno")
VOCABOLARIO = "seguito"


def tappe(valore) -> list[tuple[str, str]]:
    """The stages of a ``tappe`` cell as (day ISO, status)."""
    out = []
    for parte in str(valore or "").split("|"):
        giorno, _, stato = parte.strip().partition(" ")
        if giorno and stato:
            out.append((giorno, stato.strip()))
    return out


def controlla_stato(riga: dict, strato: str = "contributi") -> str | None:
    """Why a row cannot have the status it has (None: it can). Among contributions only proposals
    and needs have one; a proposal or an initiative that cannot be done says why. (The ``stato`` of
    ``riscontri`` is their moderation, another vocabulary.)"""
    stato = riga.get("stato")
    if strato == "riscontri" or not stato:
        return None
    if strato == "iniziative":
        if stato == STATO_INIZIALE:
            return "'detta' vale per proposte e bisogni: per un'iniziativa lasciare vuoto o scrivere a che punto è"
        if stato == "non_realizzabile" and not riga.get("esito"):
            return "per un'iniziativa non realizzabile scrivere il perché nella colonna esito"
        return None
    if stato == STATO_INIZIALE:
        return None
    if riga.get("tipo") not in TIPI_CON_STATO:
        return f"lo stato vale per proposte e bisogni, e questo è un contributo di tipo '{riga.get('tipo')}'"
    if stato == "non_realizzabile" and not riga.get("esito"):
        cosa = "un bisogno non realizzabile" if riga.get("tipo") == "bisogno" else "una proposta non realizzabile"
        return f"per {cosa} scrivere il perché nella colonna esito"
    return None


def _leggibile(iso: str) -> str:
    g = str(iso)[:10].split("-")
    return "/".join(reversed(g)) if len(g) == 3 else str(iso)


def controlla_tappa(nuova: dict, vecchia: dict | None, detto_il: str | None, oggi: str | None = None) -> str | None:
    """Why the day of a status change cannot be (None: it can): not in the future, not before the
    day it was said (``detto_il``, the date of its session), not before the stage it follows."""
    prima = (vecchia or {}).get("stato") or STATO_INIZIALE
    dopo = nuova.get("stato") or STATO_INIZIALE
    giorno = nuova.get("data_stato")
    if not giorno or (dopo == prima and giorno == (vecchia or {}).get("data_stato")):
        return None
    giorno = str(giorno)[:10]
    oggi = oggi or dt.date.today().isoformat()
    if giorno > oggi:
        return f"la data {_leggibile(giorno)} è nel futuro: lo stato si segna quando cambia"
    if detto_il and giorno < str(detto_il)[:10]:
        return (f"la data {_leggibile(giorno)} è prima dell'incontro in cui è stato detto ({_leggibile(detto_il)}): "
                "correggere la data")
    passate = tappe((vecchia or {}).get("tappe"))
    if dopo == prima and passate:
        passate = passate[:-1]  # the date of the last stage is being corrected
    if passate and giorno < passate[-1][0]:
        return (f"la data {_leggibile(giorno)} è prima della tappa precedente ({_leggibile(passate[-1][0])}, "
                f"{passate[-1][1]}): correggere la data")
    return None


def segna_tappa(nuova: dict, vecchia: dict | None, oggi: str | None = None) -> None:
    """Write in ``nuova`` the stage of a status change from ``vecchia`` (None: a new row): the day
    is the ``data_stato`` given with it, else today. The stages of a row are mappe's to keep: a
    file's ``tappe`` never replaces them, and an empty ``data_stato`` keeps the stored one."""
    if vecchia is not None:
        nuova["tappe"] = vecchia.get("tappe")
        if not nuova.get("data_stato"):
            nuova["data_stato"] = vecchia.get("data_stato")
    prima = (vecchia or {}).get("stato") or STATO_INIZIALE
    dopo = nuova.get("stato") or STATO_INIZIALE
    if dopo == prima:
        # the same status with another day: the day of its stage is being corrected
        passate = tappe((vecchia or {}).get("tappe"))
        giorno = nuova.get("data_stato")
        if vecchia is not None and giorno and giorno != vecchia.get("data_stato") and passate \
                and passate[-1][1] == dopo:
            passate[-1] = (str(giorno)[:10], dopo)
            nuova["tappe"] = "|".join(f"{g} {s}" for g, s in passate)
        return
    data_data = nuova.get("data_stato")
    giorno = data_data if data_data and data_data != (vecchia or {}).get("data_stato") else None
    giorno = giorno or oggi or dt.date.today().isoformat()
    nuova["data_stato"] = giorno
    passate = tappe((vecchia or {}).get("tappe")) if vecchia else tappe(nuova.get("tappe"))
    passate.append((giorno, dopo))
    nuova["tappe"] = "|".join(f"{g} {s}" for g, s in passate)


def _forma(testo: str) -> str:
    return "_".join(str(testo).strip().lower().replace("-", " ").split())


def codice_stato(voci: dict, stato: str) -> str | None:
    """The code of a status as a person writes it: the code, its label, "in corso", "in-corso"."""
    forma = _forma(stato)
    return next((c for c, v in voci.items() if forma in (c, _forma(v.label))), None)


def _detto_il(archivio: Archivio, riga: dict) -> str | None:
    """The day a contribution was said: the date of its session."""
    if not riga.get("incontro"):
        return None
    inc = archivio.leggi("incontri")
    giorni = dict(zip(inc["id"], inc["data"]))
    return giorni.get(riga["incontro"])


def cambia_stato(archivio: Archivio, id_: str, stato: str, nota: str | None = None,
                 data: str | None = None) -> tuple[str, str, str]:
    """Change the status of a proposal or a need (``mappe stato``). Returns the row's id, the status
    it had and the day written.

    Raises
    ------
    MappeError
        An unknown id or status (with the allowed values), a row that is not a proposal or a need,
        ``non_realizzabile`` without a note, a date that is not one.
    """
    from .correzioni import trova
    from .importa import _data
    from .testo import normalizza

    voci = archivio.catalogo.vocabolari.get(VOCABOLARIO, {})
    codice = codice_stato(voci, stato)
    if codice is None:
        import difflib

        vicini = difflib.get_close_matches(_forma(stato), list(voci), n=1, cutoff=0.7)
        consiglio = f" (volevi dire {vicini[0]}?)" if vicini else ""
        raise MappeError(f"Lo stato '{stato}' non è nel catalogo{consiglio}: usare uno di {', '.join(voci)} "
                         f"(layers/{VOCABOLARIO}.toml).")
    giorno = None
    if data:
        try:
            giorno = _data(data)
        except ValueError:
            raise MappeError(f"'{data}' non è una data: scriverla come 23/11/2026.") from None
        if giorno > dt.date.today().isoformat():
            raise MappeError(f"La data {data} è nel futuro: lo stato si segna quando cambia.")
    with archivio.blocco():
        strato, pos = trova(archivio, id_)
        if strato not in ("contributi", "iniziative"):
            raise MappeError(f"'{id_}' non è un contributo né un'iniziativa: lo stato vale per proposte, "
                             "bisogni e iniziative.")
        if strato == "iniziative" and codice == STATO_INIZIALE:
            raise MappeError(f"'{stato}' vale per proposte e bisogni: per un'iniziativa usare uno di "
                             f"{', '.join(c for c in voci if c != STATO_INIZIALE)}.")
        if strato == "iniziative" and giorno:
            raise MappeError("Un'iniziativa non tiene le tappe con la data: togliere --data (le sue date sono "
                             f"l'inizio e la fine: mappe modifica COMUNE {id_} --inizio GG/MM/AAAA --fine GG/MM/AAAA).")
        df = archivio.leggi(strato)
        vecchia = df.iloc[pos].to_dict()
        nuova = {**vecchia, "stato": None if codice == STATO_INIZIALE and strato == "contributi" else codice}
        if nota is not None:
            nuova["esito"] = normalizza(nota).strip() or None
        if giorno:
            nuova["data_stato"] = giorno
        perche = controlla_stato(nuova, strato)
        if perche:
            if "esito" in perche:  # on the command line the reason is given with --nota
                perche = perche.replace("scrivere il perché nella colonna esito", "aggiungere il perché con --nota")
            raise MappeError(f"{vecchia['id']}: {perche}.")
        prima = vecchia.get("stato") or STATO_INIZIALE
        if prima == codice and nuova.get("esito") == vecchia.get("esito") and not giorno:
            raise MappeError(f"{vecchia['id']} è già «{voci[codice].label}»: niente da cambiare.")
        if prima == codice and not giorno:  # only the note changes: no new stage
            nuova["data_stato"] = vecchia.get("data_stato")
        if strato == "contributi":
            perche = controlla_tappa(nuova, vecchia, _detto_il(archivio, vecchia))
            if perche:
                raise MappeError(f"{vecchia['id']}: {perche}.")
            segna_tappa(nuova, vecchia)
        for c in ("stato", "esito", "data_stato", "tappe"):
            if c in df.columns:
                df.at[df.index[pos], c] = nuova.get(c)
        archivio.scrivi({strato: df}, "stato",
                        f"{vecchia['id']}: {prima} → {codice}" + (f" ({nuova['esito']})" if nota else ""), 1)
    return vecchia["id"], prima, nuova.get("data_stato") or ""
