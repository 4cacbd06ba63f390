"""What became of the proposals, on the map: the data of the ``seguito`` view.

The view colours each proposal and need by its status (the catalogue's ``seguito`` vocabulary,
with its colour and its ``avanzamento``), draws the initiatives (layer ``iniziative``) in their
place with a line to each proposal or need they answer, and, for the second round of an
exhibition (``mappe mostra --dal``), says what changed since the day of the previous one.

Everything here comes after the public projection: reserved initiatives are not there, and an
initiative's links (``risponde_a``) become indices into the contributions of the page, so a link
to a contribution that is not in the page (reserved, or of a kind the page does not show) is not
drawn and no id travels. ``static/mappe-seguito.js`` draws it all in the browser.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import shapely

from .. import pubblico
from ..errori import MappeError
from ..seguito import STATO_INIZIALE, TIPI_CON_STATO, VOCABOLARIO, tappe

__all__ = ["FERMATA", "data_dal", "dati_seguito", "frase_novita"]

FERMATA = "non_realizzabile"  # the status where the way ends without the thing done



def data_dal(testo: str, oggi: dt.date | None = None) -> str:
    """The day of ``--dal`` (GG/MM/AAAA, or AAAA-MM-GG) as ISO.

    Raises
    ------
    MappeError
        Not a date, or a day still to come.
    """
    oggi = oggi or dt.date.today()
    giorno = None
    for formato in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            giorno = dt.datetime.strptime(str(testo).strip(), formato).date()
            break
        except ValueError:
            continue
    if giorno is None:
        raise MappeError(f"--dal '{testo}' non è una data: scriverla come 12/03/2026, il giorno della mostra "
                         "precedente.")
    if giorno > oggi:
        raise MappeError(f"--dal {testo} è una data nel futuro: scrivere il giorno della mostra precedente, da cui "
                         "contare quello che è cambiato.")
    return giorno.isoformat()


def _leggibile(iso) -> str | None:
    if not isinstance(iso, str) or not iso:
        return None
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def _valori(df: pd.DataFrame, nome: str) -> list:
    if nome not in df.columns:
        return [None] * len(df)
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in df[nome].tolist()]


def _importo(valore, lingua: str) -> str | None:
    if valore is None:
        return None
    try:
        euro = int(valore)
    except (TypeError, ValueError):
        return None
    cifre = f"{euro:,}"
    return f"{cifre.replace(',', '.')} €" if lingua == "it" else f"€{cifre}"


# What happened, by kind and by way: (one, many), in the message catalogues of the pages.
_MODI = [("proposta", "avanti"), ("proposta", "fermata"), ("proposta", "cambiata"), ("bisogno", "avanti"),
         ("bisogno", "fermata"), ("bisogno", "cambiata"), ("iniziativa", "cominciata"), ("iniziativa", "conclusa")]


def _frasi(lingua: str) -> dict:
    from ..lingue import testi_pagine

    T = testi_pagine().get(lingua, testi_pagine()["it"])
    out = {k: (T[f"novita_{k[0]}_{k[1]}_1"], T[f"novita_{k[0]}_{k[1]}_n"]) for k in _MODI}
    out |= {"dal": T["novita_dal"], "e": T["novita_e"], "niente": T["novita_niente"], "virgola": T["novita_virgola"]}
    return out


ORDINE_FRASI = _MODI


def frase_novita(conti: dict[tuple[str, str], int], dal_leggibile: str, lingua: str = "it") -> str:
    """The sentence that opens the second round: "Dal 12/03/2026: 3 proposte sono andate avanti e
    1 iniziativa è cominciata." ``conti``: {(kind, way): how many}."""
    F = _frasi(lingua)
    parti = []
    for chiave in ORDINE_FRASI:
        n = conti.get(chiave, 0)
        if n:
            uno, molti = F[chiave]
            parti.append(uno if n == 1 else molti.format(n=n))
    if not parti:
        return F["niente"].format(d=dal_leggibile)
    testo = parti[0] if len(parti) == 1 else F["virgola"].join(parti[:-1]) + F["e"] + parti[-1]
    return F["dal"].format(d=dal_leggibile) + testo + "."


def _verso(prima: str, dopo: str, voci: dict) -> str:
    if dopo == FERMATA:
        return "fermata"

    def avanzamento(s):
        v = voci.get(s)
        try:
            return float(v.extra.get("avanzamento", 0)) if v is not None else 0.0
        except (TypeError, ValueError):
            return 0.0

    return "avanti" if avanzamento(dopo) > avanzamento(prima) else "cambiata"


def dati_seguito(c: pd.DataFrame, iniziative: list[pd.DataFrame], nomi_luoghi: list[dict], catalogo,
                 chiave: bytes, lingua: str, dal: str | None = None, oggi: str | None = None) -> dict:
    """The ``seguito`` block of a page's data.

    ``c``: the contributions of the page, in their order (public projection done, with their
    ``indice_comune``); ``iniziative``: per comune, its initiatives after the projection (with
    ``indice_comune``); ``nomi_luoghi``: per comune, place id -> name; ``dal``: an ISO day, for the
    changes since then (``novita``).
    """
    from .mappa import DECIMALI, _geojson

    oggi = oggi or dt.date.today().isoformat()
    voci = catalogo.vocabolari.get(VOCABOLARIO, {})
    tipi_c = _valori(c, "tipo")
    pos = {v: k for k, v in enumerate(_valori(c, "id"))}
    ini = pd.concat(iniziative, ignore_index=True) if iniziative else pd.DataFrame()
    indice = [int(x) for x in _valori(ini, "indice_comune")] if len(ini) else []
    luoghi = [nomi_luoghi[k].get(v, None) if v else None for k, v in zip(indice, _valori(ini, "luogo"))]
    x, y, g = [], [], []
    geometrie = ini.geometry.tolist() if len(ini) and "geometry" in ini.columns else [None] * len(ini)
    for geom in geometrie:
        if geom is None or geom.is_empty:
            x.append(None)
            y.append(None)
            g.append(None)
            continue
        p = geom if geom.geom_type == "Point" else geom.representative_point()
        x.append(round(float(p.x), DECIMALI))
        y.append(round(float(p.y), DECIMALI))
        g.append(None if geom.geom_type == "Point" else _geojson(shapely.force_2d(geom)))
    risponde = []
    for v in _valori(ini, "risponde_a"):
        ids = [s for s in str(v or "").split("|") if s]
        risponde.append([pos[s] for s in dict.fromkeys(ids) if s in pos and tipi_c[pos[s]] in TIPI_CON_STATO])
    stati = _valori(ini, "stato")
    dati = {
        "tipi": [t for t in TIPI_CON_STATO if t in set(tipi_c)],
        "iniziale": STATO_INIZIALE,
        "fermata": FERMATA,
        "iniziative": {
            "id": [pubblico.id_pubblico(chiave, v) for v in _valori(ini, "id")],
            "nome": _valori(ini, "nome"),
            "descrizione": _valori(ini, "descrizione"),
            "promotore": _valori(ini, "promotore"),
            "fondo": _valori(ini, "fondo"),
            "importo": [_importo(v, lingua) for v in _valori(ini, "importo")],
            "euro": [None if v is None else int(v) for v in _valori(ini, "importo")],
            "inizio_iso": [v[:10] if isinstance(v, str) else None for v in _valori(ini, "inizio")],
            "fine_iso": [v[:10] if isinstance(v, str) else None for v in _valori(ini, "fine")],
            "stato": stati,
            "esito": _valori(ini, "esito"),
            "inizio": [_leggibile(v) for v in _valori(ini, "inizio")],
            "fine": [_leggibile(v) for v in _valori(ini, "fine")],
            "indirizzo": _valori(ini, "indirizzo"),
            "luogo": luoghi,
            "comune": indice,
            "x": x, "y": y, "g": g,
            "risponde": risponde,
        },
        "novita": None,
    }
    if dal:
        dati["novita"] = _novita(c, ini, tipi_c, voci, dal, oggi, lingua)
    return dati


def _novita(c, ini, tipi_c, voci, dal: str, oggi: str, lingua: str) -> dict:
    """What changed since ``dal``: the proposals and needs with a stage from that day on (and how
    they moved), the initiatives that started or ended since then (until today)."""
    contributi, conti = [], {}
    for i, (tipo, v, stato) in enumerate(zip(tipi_c, _valori(c, "tappe"), _valori(c, "stato"))):
        if tipo not in TIPI_CON_STATO or not v:
            continue
        passi = sorted(tappe(v))
        prima = [s for giorno, s in passi if giorno < dal]
        dopo = [(giorno, s) for giorno, s in passi if dal <= giorno <= oggi]
        if not dopo:
            continue
        da = prima[-1] if prima else STATO_INIZIALE
        giorno, a = dopo[-1]
        if a == da:
            continue  # gone and come back
        verso = _verso(da, a, voci)
        conti[(tipo, verso)] = conti.get((tipo, verso), 0) + 1
        contributi.append([i, a, _leggibile(giorno), verso, giorno])
    contributi.sort(key=lambda r: (r[4], r[0]), reverse=True)
    eventi = []
    for j, (inizio, fine) in enumerate(zip(_valori(ini, "inizio"), _valori(ini, "fine"))):
        for evento, giorno in (("cominciata", inizio), ("conclusa", fine)):
            if isinstance(giorno, str) and dal <= giorno[:10] <= oggi:
                conti[("iniziativa", evento)] = conti.get(("iniziativa", evento), 0) + 1
                eventi.append([j, evento, _leggibile(giorno), giorno[:10]])
    eventi.sort(key=lambda r: (r[3], -r[0]), reverse=True)
    d = _leggibile(dal)
    return {
        "dal": d,
        "frase": frase_novita(conti, d, lingua),
        "frase_it": frase_novita(conti, d, "it"),
        "_conti": conti,  # for the sentence in the page's other languages (taken out by dati_mappa)
        "contributi": [r[:4] for r in contributi],
        "iniziative": [r[:3] for r in eventi],
    }
