"""Posters for the exhibition hall (``mappe manifesto``): the community map on paper.

One page per comune, in vector (PDF, also SVG or PNG): the title; the map in the "comunità"
look (the comune on paper, the neighbours named, places with their pictograms and names, the
symbols of the view); people's words set around the map, each joined by a thin line to its
place; the words said of the whole comune in a column; the legend in words; the sessions, the
project and the credits; with an address, a QR code that opens the live exhibition; and, when
asked, a band of a few public photos under the title (memories first, with caption and credit).

Sizes follow the page's short side ``s`` (mm), so that a poster reads from where it hangs:
body text ``max(9, 24·s/594)`` pt (24 pt on A1, read at two metres), titles three times that,
the QR code ``max(40, 100·s/594)`` mm wide (10 cm on A1) with its four modules of quiet zone,
outside the map. Fonts are matplotlib's own DejaVu, embedded as TrueType. Only the public
projection is drawn (:func:`mappe.pubblico.proietta`), as on every public output.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import pubblico
from ..archivio import Archivio, Area
from ..viste import VISTE
from . import simboli

__all__ = ["FORMATI", "Manifesto", "Misure", "costruisci_manifesto", "misure", "scrivi_manifesti"]

# ISO 216, in millimetres (width, height, upright).
FORMATI = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297),
           "A5": (148, 210), "A6": (105, 148)}
PT_MM = 25.4 / 72
CARTA = "#f4efe1"  # the comune's paper, as on the page
INCHIOSTRO = "#3d3d3d"
GRIGIO = "#8a8577"
VICINI = "#ebe6da"
LINEA_MIN_PT = 0.3  # nothing thinner than a printer can draw

TESTI = {
    "it": {
        "comune_di": "Comune di", "legenda": "Legenda", "luoghi": "Luoghi della comunità",
        "luoghi_descr": "dove le persone si incontrano", "senza_luogo": "Detto di tutto il comune",
        "invito": "Inquadra e di' la tua", "invito_2": "La mappa completa, per reagire e commentare:",
        "foto_di": "Foto di",
        "incontri": "Incontri", "del": "del", "realizzata": "Mappa realizzata con gli abitanti",
        "dati": "Dati", "esempio": "ESEMPIO – dati inventati", "contributi": "contributi",
    },
    "en": {
        "comune_di": "Municipality of", "legenda": "Key", "luoghi": "Community places",
        "luoghi_descr": "where people meet", "senza_luogo": "Said of the whole municipality",
        "invito": "Scan and have your say", "invito_2": "The full map, to react and comment:",
        "foto_di": "Photo by",
        "incontri": "Sessions", "del": "of", "realizzata": "Map made with the residents",
        "dati": "Data", "esempio": "EXAMPLE – invented data", "contributi": "contributions",
    },
}


@dataclass
class Misure:
    """The page and the sizes that follow from it (millimetres and points)."""

    formato: str
    larghezza: float
    altezza: float
    corpo: float  # body text, pt
    titolo: float  # pt
    qr: float  # width of the code without its quiet zone, mm
    margine: float  # mm

    @property
    def lato_corto(self) -> float:
        return min(self.larghezza, self.altezza)

    @property
    def verticale(self) -> bool:
        return self.altezza >= self.larghezza

    def mm(self, pt: float) -> float:
        return pt * PT_MM


def misure(formato: str = "A1", orientamento: str = "verticale") -> Misure:
    """The sizes of a poster of ``formato`` (A0…A6) upright (``verticale``) or ``orizzontale``."""
    w, h = FORMATI[formato]
    if orientamento == "orizzontale":
        w, h = h, w
    s = min(w, h)
    corpo = max(9.0, 24.0 * s / 594)
    return Misure(formato, float(w), float(h), corpo, 3 * corpo, max(40.0, 100.0 * s / 594), max(7.0, 18.0 * s / 594))


@dataclass
class Manifesto:
    """One page: the figure and what it holds (for the export registry and the tests)."""

    figura: object
    slug: str
    ids: list[str] = field(default_factory=list)  # internal ids drawn (contributions and places)
    citazioni: list[dict] = field(default_factory=list)  # the quotes set around the map
    qr_mm: tuple | None = None  # (x, y, side) of the code with its quiet zone, mm from bottom left
    richieste: int = 0  # the quotes asked for (--citazioni, or the format's number)
    con_punto: int = 0  # the public contributions of the view that have a point on the map
    foto: list[str] = field(default_factory=list)  # ids of the photos printed


# ------------------------------------------------------------------ data


def _dati(area: Area, archivio: Archivio, vista: str) -> dict:
    """The public projection of one comune for the view, in metres (EPSG:3035)."""
    catalogo = area.catalogo
    grezzi = {n: archivio.leggi(n) for n in ("contributi", "luoghi", "incontri", "riscontri")}
    confine = archivio.confine().geometry.union_all()
    strati = pubblico.proietta(grezzi, catalogo, confine, area.segreto())
    v = VISTE[vista]
    tipi = [t for t in catalogo.voci("tipo") if v.tipi is None or t in v.tipi]
    c = strati["contributi"]
    c = c[c["tipo"].isin(tipi)]
    lg = strati["luoghi"] if v.luoghi else strati["luoghi"].iloc[0:0]
    metrico = pubblico.CRS_METRICO
    import geopandas as gpd

    confine_m = gpd.GeoSeries([confine], crs="EPSG:4326").to_crs(metrico).iloc[0]
    con_punto = c[c.geometry.notna() & ~c.geometry.is_empty] if len(c) else c
    senza = c[c.geometry.isna() | c.geometry.is_empty] if len(c) else c
    return {
        "grezzi": grezzi, "tipi": tipi, "vista": v,
        "contributi": con_punto.to_crs(metrico) if len(con_punto) else con_punto,
        "senza_luogo": senza,
        "luoghi": lg[lg.geometry.notna()].to_crs(metrico) if len(lg) else lg,
        "incontri": strati["incontri"], "confine": confine_m, "codice": int(archivio.info["codice_istat"]),
    }


def _vicini(codice: int, confine_m, metrico: str) -> list[tuple[str, object]]:
    """The comuni around (name, boundary in metres)."""
    import geopandas as gpd

    from ..territorio import confini_della_regione, nomi_comuni

    tutti = confini_della_regione([codice])
    if codice not in tutti.index:
        return []
    proprio = tutti.loc[codice].geometry
    vicini = tutti.iloc[tutti.sindex.query(proprio.buffer(0.01), predicate="intersects")]
    vicini = vicini[vicini.index != codice]
    nomi = nomi_comuni(vicini.index)
    geometrie = gpd.GeoSeries(vicini.geometry.values, crs="EPSG:4326").to_crs(metrico)
    return [(nomi.get(int(k), ""), g) for k, g in zip(vicini.index, geometrie)]


def _testo_breve(testo: str, massimo: int) -> str:
    testo = " ".join(str(testo or "").split())
    if len(testo) <= massimo:
        return testo
    taglio = testo[:massimo].rsplit(" ", 1)[0]
    return taglio.rstrip(",;:.") + "…"


def scegli_citazioni(c: pd.DataFrame, tipi: list[str], n: int) -> list[int]:
    """Which contributions to quote (positions in ``c``): every kind and as many themes as can be,
    weightier and readable texts first. Round robin over the kinds; within a kind, a theme not yet
    quoted first."""
    if n <= 0 or not len(c):
        return []
    testi = c["testo"].fillna("").astype(str).str.strip()
    lunghezza = testi.str.len()
    peso = pd.to_numeric(c.get("peso"), errors="coerce").fillna(1) if "peso" in c.columns else 1
    # readable on a wall: between 40 and 220 characters is best
    punteggio = peso * 10 - (lunghezza - 120).abs() / 40
    punteggio = punteggio.where(lunghezza >= 12, -1e9)
    per_tipo = {t: [i for i in np.argsort(-punteggio.to_numpy(), kind="stable") if c["tipo"].iloc[i] == t
                    and punteggio.iloc[i] > -1e9] for t in tipi}
    scelti: list[int] = []
    temi_visti: set = set()
    while len(scelti) < n and any(per_tipo.values()):
        for t in tipi:
            if len(scelti) >= n or not per_tipo[t]:
                continue
            candidati = per_tipo[t]
            nuovo = next((i for i in candidati if c["tema"].iloc[i] not in temi_visti), candidati[0])
            candidati.remove(nuovo)
            scelti.append(int(nuovo))
            temi_visti.add(c["tema"].iloc[nuovo])
    return scelti


# ------------------------------------------------------------------ drawing


def _marcatore(d: str):
    """A symbol of simboli.json as a matplotlib marker: centred, y upwards."""
    from matplotlib.path import Path as MPath

    p = simboli.percorso(d)
    v = p.vertices.copy()
    v[:, 0] -= simboli.LATO / 2
    v[:, 1] = simboli.LATO / 2 - v[:, 1]
    return MPath(v, p.codes)


def _geometrie(ax, g, **stile) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    poligoni = getattr(g, "geoms", [g])
    for p in poligoni:
        if p.geom_type != "Polygon":
            continue
        anelli = [p.exterior, *p.interiors]
        vertici, codici = [], []
        for a in anelli:
            xy = np.asarray(a.coords)
            vertici.append(xy)
            codici += [MPath.MOVETO] + [MPath.LINETO] * (len(xy) - 2) + [MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(np.concatenate(vertici), codici), **stile))


def _moduli(url: str) -> int:
    import segno

    return len(segno.make(url, error="m", micro=False).matrix)


def _qr(pg, url: str, x: float, y: float, lato: float, gid: str) -> float:
    """The QR code of ``url`` with its bottom left corner (quiet zone included) at x, y (mm); the code
    itself ``lato`` mm wide. Returns the side with the quiet zone."""
    import segno
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    codice = segno.make(url, error="m", micro=False)
    matrice = [list(r) for r in codice.matrix]
    n = len(matrice)
    modulo = lato / n
    tutto = lato + 8 * modulo
    pg.add_patch(Rectangle((x, y), tutto, tutto, facecolor="white", edgecolor="none", zorder=5))
    vertici, codici = [], []
    for r, riga in enumerate(matrice):
        c = 0
        while c < n:  # one rectangle per run of dark modules: no seams inside a run
            if not riga[c]:
                c += 1
                continue
            inizio = c
            while c < n and riga[c]:
                c += 1
            x0 = x + (4 + inizio) * modulo
            x1 = x + (4 + c) * modulo
            y1 = y + tutto - (4 + r) * modulo
            y0 = y1 - modulo
            # a hair taller than a module: the rows touch, with no white seam between them
            y0 -= modulo * 0.02
            vertici += [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
            codici += [MPath.MOVETO, MPath.LINETO, MPath.LINETO, MPath.LINETO, MPath.CLOSEPOLY]
    patch = PathPatch(MPath(vertici, codici), facecolor="black", edgecolor="none", zorder=6)
    patch.set_gid(gid)
    pg.add_patch(patch)
    return tutto


def _righe(testo: str, larghezza_mm: float, corpo_pt: float, em: float = 0.56) -> list[str]:
    """``testo`` wrapped for a column ``larghezza_mm`` wide at ``corpo_pt`` (DejaVu Sans: about
    0.56 em a character, 0.62 in bold)."""
    caratteri = max(8, int(larghezza_mm / (corpo_pt * PT_MM * em)))
    return textwrap.wrap(testo, caratteri, break_long_words=False, break_on_hyphens=False) or [""]


def _taglia(righe: list[str], quante: int) -> list[str]:
    """The first ``quante`` lines, the last one ending with "…" when something was left out."""
    if len(righe) <= quante:
        return righe
    return righe[:quante - 1] + [righe[quante - 1].rstrip(",;:. ") + "…"]


def costruisci_manifesto(area: Area, archivio: Archivio, m: Misure, vista: str = "tutto", titolo: str | None = None,
                         url: str | None = None, lingua: str = "it", citazioni: int | None = None,
                         cartolina: bool = False, foto: int = 0) -> Manifesto:
    """Draw the poster of one comune on a new figure (not written: see :func:`scrivi_manifesti`);
    ``foto``: how many public photos to print in a band under the title (0: none)."""
    from matplotlib.figure import Figure

    T = TESTI[lingua]
    catalogo = area.catalogo
    d = _dati(area, archivio, vista)
    v = d["vista"]
    voci_tipo = catalogo.voci("tipo")
    voci_tema = catalogo.voci("tema")
    voci_cat = catalogo.voci("categoria")
    forme = simboli.simboli()["forme"]
    pitto = simboli.simboli()["pittogrammi"]

    def etichetta(voce) -> str:
        return (voce.label_en or voce.label) if lingua == "en" else voce.label

    W, H = m.larghezza, m.altezza
    fig = Figure(figsize=(W / 25.4, H / 25.4))
    pg = fig.add_axes((0, 0, 1, 1), zorder=3)
    pg.set_xlim(0, W)
    pg.set_ylim(0, H)
    pg.set_axis_off()
    pg.patch.set_alpha(0)
    corpo, piccolo = m.corpo, max(9.0, m.corpo * 0.72)  # body text; map labels and credits
    lw = max(LINEA_MIN_PT, m.corpo / 24 * 1.2)
    mg = m.margine
    ids: list[str] = []

    # ---- the title
    y = H - mg
    titolo = titolo or (v.titolo if lingua == "it" else v.titolo_en)
    # as big as the rule wants, on up to three lines; smaller only if it still does not fit (never
    # below the subtitle); a subtitle that does not fit goes on two lines
    t_titolo = m.titolo
    righe_titolo = _righe(titolo, W - 2 * mg, t_titolo, 0.62)
    while len(righe_titolo) > 3 and t_titolo > corpo * 1.3:
        t_titolo *= 0.9
        righe_titolo = _righe(titolo, W - 2 * mg, t_titolo, 0.62)
    righe_titolo = _taglia(righe_titolo, 3)
    pg.text(mg, y, "\n".join(righe_titolo), fontsize=t_titolo, fontweight="bold", va="top", ha="left",
            color=INCHIOSTRO, linespacing=1.05, gid="titolo")
    y -= m.mm(t_titolo) * (1.15 + 1.05 * (len(righe_titolo) - 1))
    sottotitolo = f"{T['comune_di']} {archivio.info['nome']} ({archivio.info['sigla']})"
    if archivio.info.get("esempio"):
        sottotitolo += f" · {T['esempio']}"
    t_sotto = max(corpo, min(corpo * 1.25, (W - 2 * mg) / (len(sottotitolo) * 0.56 * PT_MM)))
    righe_sotto = _righe(sottotitolo, W - 2 * mg, t_sotto)
    pg.text(mg, y, "\n".join(righe_sotto), fontsize=t_sotto, va="top", ha="left", color=INCHIOSTRO, linespacing=1.15)
    y -= m.mm(t_sotto) * (1.6 + 1.15 * (len(righe_sotto) - 1))
    stampate = _banda_foto(pg, archivio, d, m, y, foto, piccolo, T) if foto and not cartolina else ([], 0.0)
    y -= stampate[1]
    alto_mappa = y

    # ---- the foot: legend, words of the whole comune, QR; credits at the very bottom
    crediti = _crediti(area, d, T, date=not cartolina)
    righe_crediti = _righe(crediti, W - 2 * mg, piccolo)
    y_crediti = mg
    pg.text(mg, y_crediti, "\n".join(righe_crediti), fontsize=piccolo, va="bottom", ha="left", color=GRIGIO,
            linespacing=1.25, gid="crediti")
    base = y_crediti + m.mm(piccolo) * 1.3 * len(righe_crediti) + mg * 0.6
    # a postcard is read in the hand: the smallest code the design allows, to leave room for the map
    qr_lato = m.qr if not cartolina else max(35.0, 100.0 * m.lato_corto / 594)
    moduli = _moduli(url) if url else 0
    qr_tutto = qr_lato * (moduli + 8) / moduli if url else 0  # with the quiet zone of 4 modules a side
    legenda = [(t, voci_tipo[t]) for t in d["tipi"] if t in voci_tipo]
    n_leg = len(legenda) + (1 if v.luoghi and len(d["luoghi"]) else 0)
    alto_legenda = m.mm(corpo) * (1.6 + 2.65 * n_leg)
    alto_piede = max(alto_legenda, qr_tutto + m.mm(corpo) * 3.2 if url else 0)
    if cartolina:
        alto_piede = max(qr_tutto + m.mm(corpo) * 2 if url else 0, m.mm(corpo) * 12)
    cima_piede = base + alto_piede
    qr_info = None
    x_qr = W - mg
    if url:
        fatto = _qr(pg, url, W - mg - qr_tutto, base, qr_lato, "qr")
        x_qr = W - mg - fatto
        qr_info = (W - mg - fatto, base, fatto)
        pg.text(W - mg - fatto / 2, base + fatto + m.mm(corpo) * 0.3, T["invito"], fontsize=corpo * 1.15,
                fontweight="bold", ha="center", va="bottom", color=INCHIOSTRO, gid="invito")
    if not cartolina:
        # the legend in words
        x_leg = mg
        larg_leg = (x_qr - mg) * (0.5 if len(d["senza_luogo"]) else 1.0) - mg * 0.5
        yl = cima_piede
        pg.text(x_leg, yl, T["legenda"], fontsize=corpo * 1.1, fontweight="bold", va="top", color=INCHIOSTRO)
        yl -= m.mm(corpo) * 1.6
        lato_simbolo = m.mm(corpo) * 1.1
        conti = d["contributi"]["tipo"].value_counts() if len(d["contributi"]) else {}
        for t, voce in legenda:
            pg.scatter([x_leg + lato_simbolo / 2], [yl - m.mm(corpo) * 0.5], marker=_marcatore(forme[voce.extra.get(
                "forma", "cerchio")]), s=(corpo * 1.1) ** 2, color=voce.colore, edgecolors="white",
                linewidths=_tratto(lw * 0.6), zorder=4)
            n = int(conti.get(t, 0)) + int((d["senza_luogo"]["tipo"] == t).sum() if len(d["senza_luogo"]) else 0)
            descr = (voce.descrizione or "").split(":")[0].split(";")[0].rstrip(".") if lingua == "it" else ""
            testo = f"{etichetta(voce)} ({n})" + (f": {descr[:1].lower()}{descr[1:]}" if descr else "")
            righe = _taglia(_righe(testo, larg_leg - lato_simbolo * 1.6, corpo), 2)
            pg.text(x_leg + lato_simbolo * 1.6, yl, "\n".join(righe), fontsize=corpo, va="top", color=INCHIOSTRO,
                    linespacing=1.15)
            yl -= m.mm(corpo) * (1.45 + 1.2 * (len(righe) - 1))
        if v.luoghi and len(d["luoghi"]):
            _pittogramma(pg, x_leg + lato_simbolo / 2, yl - m.mm(corpo) * 0.5, lato_simbolo * 1.1, pitto["piazza"],
                         "#7b6a58", lw)
            righe = _taglia(_righe(f"{T['luoghi']}: {T['luoghi_descr']}", larg_leg - lato_simbolo * 1.6, corpo), 2)
            pg.text(x_leg + lato_simbolo * 1.6, yl, "\n".join(righe), fontsize=corpo, va="top", color=INCHIOSTRO,
                    linespacing=1.15)
        # what was said of the whole comune
        if len(d["senza_luogo"]):
            x_sl = mg + (x_qr - mg) * 0.5 + mg * 0.25
            larg_sl = x_qr - x_sl - mg
            ys = cima_piede
            pg.text(x_sl, ys, T["senza_luogo"], fontsize=corpo * 1.1, fontweight="bold", va="top", color=INCHIOSTRO)
            ys -= m.mm(corpo) * 1.6
            for r in d["senza_luogo"].head(6).itertuples():
                righe = _righe(f"«{_testo_breve(r.testo, 160)}»", larg_sl, corpo)[:3]
                if ys - m.mm(corpo) * 1.25 * len(righe) < base:
                    break
                pg.text(x_sl, ys, "\n".join(righe), fontsize=corpo, va="top", color=INCHIOSTRO, style="italic",
                        linespacing=1.2)
                ys -= m.mm(corpo) * 1.25 * len(righe) + m.mm(corpo) * 0.5
                ids.append(str(r.id))

    # ---- the middle: the map, with the quotes beside it (columns) or above and below it (rows),
    # whichever lets the map be bigger
    n_cit = citazioni if citazioni is not None else {"A0": 12, "A1": 10, "A2": 8, "A3": 6, "A4": 4}.get(m.formato, 2)
    if cartolina:
        n_cit = min(n_cit, 2) if citazioni is not None else 2
    richieste = n_cit
    c = d["contributi"]
    punti_c = c[c.geometry.geom_type == "Point"].reset_index(drop=True) if len(c) else c
    scelti = scegli_citazioni(punti_c, d["tipi"], n_cit) if len(punti_c) else []
    n_cit = len(scelti)  # none to quote (a view of places, no public words): the map takes the room
    basso_mezzo = cima_piede + mg * 0.6
    alto_mezzo, larg_mezzo = alto_mappa - basso_mezzo, W - 2 * mg
    confine = d["confine"]
    minx, miny, maxx, maxy = confine.bounds
    dx, dy = maxx - minx, maxy - miny
    spazio = {"disposizione": "piede" if cartolina else "nessuna"}
    riquadro = (mg, basso_mezzo, larg_mezzo, alto_mezzo)
    if n_cit and not cartolina:
        colonna = larg_mezzo * (0.24 if m.verticale else 0.2)
        larg_col = larg_mezzo - 2 * colonna - 1.2 * mg
        banda = min(alto_mezzo * 0.26, m.mm(corpo) * (1.35 + 1.22 * 7 + 0.8))
        alto_righe = alto_mezzo - 2 * banda - 1.2 * mg
        if max(dx / larg_mezzo, dy / alto_righe) < max(dx / larg_col, dy / alto_mezzo):
            riquadro = (mg, basso_mezzo + banda + 0.6 * mg, larg_mezzo, alto_righe)
            spazio = {"disposizione": "righe", "sopra": (mg, alto_mappa, larg_mezzo, banda),
                      "sotto": (mg, basso_mezzo + banda, larg_mezzo, banda)}
            # a box no narrower than 11 em: more quotes than fit are left out (and said)
            per_riga = max(1, int((larg_mezzo + mg * 0.8) / (m.mm(corpo) * 11 + mg * 0.8)))
            scelti = scelti[:2 * per_riga]
        else:
            riquadro = (mg + colonna + 0.6 * mg, basso_mezzo, larg_col, alto_mezzo)
            spazio = {"disposizione": "colonne", "sinistra": (mg, alto_mappa, colonna, alto_mezzo),
                      "destra": (W - mg - colonna, alto_mappa, colonna, alto_mezzo)}
    if cartolina:
        spazio["piede"] = (mg, cima_piede, (x_qr - mg * 1.5 if url else W - mg) - mg, cima_piede - base)
    x_mappa0, basso_mappa, larg_mappa, alto_mappa_mm = riquadro
    scala = max(dx / larg_mappa, dy / alto_mappa_mm) * 1.06  # metres per mm
    # the map as big as the comune needs, in the middle of its space: no band of neighbours only
    larg_usata = min(larg_mappa, dx * 1.16 / scala)
    alto_usato = min(alto_mappa_mm, dy * 1.16 / scala)
    x_mappa0 += (larg_mappa - larg_usata) / 2
    basso_mappa += (alto_mappa_mm - alto_usato) / 2
    larg_mappa, alto_mappa_mm = larg_usata, alto_usato
    ax = fig.add_axes((x_mappa0 / W, basso_mappa / H, larg_mappa / W, alto_mappa_mm / H), zorder=1)
    ax.set_axis_off()
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - larg_mappa * scala / 2, cx + larg_mappa * scala / 2)
    ax.set_ylim(cy - alto_mappa_mm * scala / 2, cy + alto_mappa_mm * scala / 2)
    # neighbours, faint and named
    from shapely.geometry import box

    finestra = box(*ax.get_xlim()[:1], ax.get_ylim()[0], ax.get_xlim()[1], ax.get_ylim()[1])
    for nome, g in _vicini(d["codice"], confine, pubblico.CRS_METRICO):
        _geometrie(ax, g, facecolor=VICINI, edgecolor="#c9c2b0", linewidth=lw, zorder=1)
        # the name whole, inside its comune and inside the frame, or not at all
        largo_nome = len(nome) * m.mm(piccolo) * 0.62 * scala
        alto_nome = m.mm(piccolo) * 1.3 * scala
        posto = g.intersection(finestra.buffer(-largo_nome / 2 - alto_nome / 2)).buffer(-alto_nome / 2)
        if nome and not posto.is_empty:
            p = posto.representative_point()
            riquadro_nome = box(p.x - largo_nome / 2, p.y - alto_nome / 2, p.x + largo_nome / 2, p.y + alto_nome / 2)
            if g.buffer(alto_nome * 0.1).contains(riquadro_nome):
                ax.text(p.x, p.y, nome, fontsize=piccolo, color=GRIGIO, style="italic", ha="center", va="center",
                        zorder=2, clip_on=True)
    _geometrie(ax, confine, facecolor=CARTA, edgecolor=INCHIOSTRO, linewidth=lw * 2.2, zorder=3)
    # contributions: lines and zones first, then points, one layer per kind
    # many points: smaller symbols, so that one kind does not cover the others (down to a third)
    n_punti = int((c.geometry.geom_type == "Point").sum()) if len(c) else 0
    densita = max(0.35, min(1.0, (300 / max(n_punti, 1)) ** 0.5))
    for t in d["tipi"]:
        sel = c[c["tipo"] == t] if len(c) else c
        if not len(sel):
            continue
        voce = voci_tipo[t]
        punti = sel[sel.geometry.geom_type == "Point"]
        altre = sel[sel.geometry.geom_type != "Point"]
        for g in altre.geometry:
            if g.geom_type in ("Polygon", "MultiPolygon"):
                _geometrie(ax, g, facecolor=voce.colore, alpha=0.22, edgecolor=voce.colore, linewidth=lw, zorder=4)
            else:
                for parte in getattr(g, "geoms", [g]):
                    xy = np.asarray(parte.coords)
                    ax.plot(xy[:, 0], xy[:, 1], color=voce.colore, linewidth=lw * 2, zorder=4,
                            solid_capstyle="round")
        if len(punti):
            ax.scatter(punti.geometry.x, punti.geometry.y, marker=_marcatore(forme[voce.extra.get("forma", "cerchio")]),
                       s=(corpo * 0.8 * densita) ** 2, color=voce.colore, edgecolors="white",
                       linewidths=_tratto(lw * 0.5 * densita), zorder=6)
        ids += [str(x) for x in sel["id"]]
    # places: pictogram in a disc of their category's colour, and their name
    lg = d["luoghi"]
    if len(lg):
        raggio = m.mm(corpo) * 0.75 * scala
        occupati: list[tuple] = []  # boxes of the names already written (metres)
        alto_nome = m.mm(piccolo) * scala * 1.2
        for r in lg.itertuples():
            p = r.geometry.representative_point()
            voce = voci_cat.get(r.categoria)
            colore = voce.colore if voce else "#7b6a58"
            icona = pitto.get((voce.extra.get("icona") if voce else None) or "punto", pitto["punto"])
            _pittogramma(ax, p.x, p.y, raggio * 2, icona, colore, lw, zorder=7)
            occupati.append((p.x - raggio, p.y - raggio, p.x + raggio, p.y + raggio))
            ids.append(str(r.id))
        if not cartolina:
            # names where they do not cover another name or a place: right, else left, else none
            for r in lg.itertuples():
                p = r.geometry.representative_point()
                nome = _testo_breve(r.nome, 40)
                largo = len(nome) * m.mm(piccolo) * 0.58 * scala
                for verso in (1, -1):
                    x0 = p.x + raggio * 1.3 if verso == 1 else p.x - raggio * 1.3 - largo
                    riquadro = (x0, p.y - alto_nome / 2, x0 + largo, p.y + alto_nome / 2)
                    fuori = riquadro[0] < finestra.bounds[0] or riquadro[2] > finestra.bounds[2]
                    if not fuori and not any(_sovrapposti(riquadro, o) for o in occupati):
                        ax.text(x0, p.y, nome, fontsize=piccolo, color=INCHIOSTRO, va="center", ha="left",
                                zorder=8, clip_on=True)
                        occupati.append(riquadro)
                        break

    # ---- the quotes
    if spazio["disposizione"] == "nessuna":
        scelti = []
    fatte = _cita(pg, ax, m, punti_c, scelti, voci_tipo, voci_tema, etichetta, lw, spazio, area.segreto())
    # the symbols quoted, drawn again above the places' discs: a line never ends on a hidden symbol
    citati = {f["id"] for f in fatte}
    for t in d["tipi"]:
        sopra = punti_c[(punti_c["tipo"] == t) & punti_c["id"].astype(str).isin(citati)] if len(punti_c) else punti_c
        if len(sopra):
            voce = voci_tipo[t]
            ax.scatter(sopra.geometry.x, sopra.geometry.y, marker=_marcatore(forme[voce.extra.get("forma", "cerchio")]),
                       s=(corpo * 0.8) ** 2, color=voce.colore, edgecolors="white", linewidths=_tratto(lw * 0.5),
                       zorder=9)
    return Manifesto(fig, archivio.slug, ids, fatte, qr_info, richieste=richieste, con_punto=len(punti_c),
                     foto=stampate[0])


def _banda_foto(pg, archivio: Archivio, d: dict, m: Misure, cima: float, quante: int, piccolo: float,
                T: dict) -> tuple[list[str], float]:
    """A row of up to ``quante`` public photos under the title, memories first, each with its caption
    and (by consent) who took it. Returns the photo ids printed and the height used (mm)."""
    import io

    from PIL import Image

    righe = []
    for df in (d["contributi"], d["senza_luogo"], d["luoghi"]):
        if len(df) and "foto" in df.columns:
            for r in df[df["foto"].notna()].itertuples():
                prima = 0 if getattr(r, "tipo", None) == "memoria" else 1
                dida = getattr(r, "didascalia", None)
                dida = str(dida).split("|")[0].strip() if isinstance(dida, str) else ""
                righe.append((prima, str(r.foto).split("|")[0], dida, getattr(r, "credito_foto", None)))
    righe.sort(key=lambda x: x[0])
    scelte, viste = [], set()
    for _, fid, dida, credito in righe:
        if fid not in viste:
            viste.add(fid)
            scelte.append((fid, dida, credito))
        if len(scelte) == quante:
            break
    if not scelte:
        return [], 0.0
    anteprime = archivio.leggi_foto([f for f, _, _ in scelte], "anteprima")
    W, mg = m.larghezza, m.margine
    gap = mg * 0.5
    colonne = max(len(scelte), min(quante, 3))  # one photo alone is no banner across the page
    larga = (W - 2 * mg - gap * (colonne - 1)) / colonne
    alta_testo = m.mm(piccolo) * 1.25 * 3
    alta_foto = min(larga * 0.75, (cima - mg) * 0.22)
    stampate = []
    for k, (fid, dida, credito) in enumerate(scelte):
        dati = anteprime.get(fid)
        if dati is None:
            continue
        with Image.open(io.BytesIO(dati)) as img:
            pixel = np.asarray(img.convert("RGB"))
        h, w = pixel.shape[:2]
        s = min(larga / w, alta_foto / h)
        x0 = mg + k * (larga + gap) + (larga - w * s) / 2
        y0 = cima - alta_foto + (alta_foto - h * s)
        pg.imshow(pixel, extent=(x0, x0 + w * s, y0, y0 + h * s), zorder=2, interpolation="antialiased",
                  aspect="auto")
        testo = " · ".join(x for x in (dida, f"{T['foto_di']} {credito}" if isinstance(credito, str) and credito
                                       else "") if x)
        if testo:
            righe_t = _taglia(_righe(testo, larga, piccolo), 2)
            pg.text(mg + k * (larga + gap), cima - alta_foto - m.mm(piccolo) * 0.4, "\n".join(righe_t),
                    fontsize=piccolo, va="top", ha="left", color=INCHIOSTRO, linespacing=1.2)
        stampate.append(fid)
    pg.set_xlim(0, W)
    pg.set_ylim(0, m.altezza)
    return stampate, alta_foto + alta_testo + mg * 0.4


def _tratto(pt: float) -> float:
    """A line's width: never thinner than a printer draws (LINEA_MIN_PT)."""
    return max(LINEA_MIN_PT, pt)


def _sovrapposti(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pittogramma(ax, x, y, lato, d, colore, lw, zorder=4) -> None:
    """A place: a disc of ``colore`` ``lato`` wide (in the axes' units) with the pictogram in white."""
    from matplotlib.patches import Circle, PathPatch
    from matplotlib.transforms import Affine2D

    ax.add_patch(Circle((x, y), lato / 2, facecolor=colore, edgecolor="white", linewidth=_tratto(lw * 0.6),
                          zorder=zorder))
    s = lato * 0.62 / simboli.LATO
    percorso = _marcatore(d).transformed(Affine2D().scale(s).translate(x, y))
    ax.add_patch(PathPatch(percorso, facecolor="white", edgecolor="none", zorder=zorder + 0.1))


def _crediti(area: Area, d: dict, T: dict, date: bool = True) -> str:
    from ..territorio import FONTE
    from .mappa import FONTE_EN, _data_leggibile

    progetto = area.progetto
    pezzi = []
    date = sorted({x for x in d["incontri"]["data"].dropna()}) if len(d["incontri"]) and date else []
    chi = progetto.get("nome") or ""
    pezzi.append(f"{chi} – {T['realizzata']}" if chi else T["realizzata"])
    if date:
        pezzi.append(f"{T['incontri']}: " + ", ".join(_data_leggibile(x) for x in date))
    if progetto.get("licenza"):
        pezzi.append(f"{T['dati']}: {progetto['licenza']}")
    pezzi.append(FONTE if T is TESTI["it"] else FONTE_EN)
    return " · ".join(pezzi)


def _cita(pg, ax, m: Misure, c: pd.DataFrame, scelti: list[int], voci_tipo, voci_tema, etichetta, lw,
          spazio: dict, chiave: bytes) -> list[dict]:
    """Set the chosen quotes around the map, each with a thin line to its place.

    Beside the map (columns), each side takes the quotes of its half in the order of their height;
    above and below it (rows), in the order of their distance along the map: either way the
    lines of one side never cross, and a box sits as near its point as the others let it."""
    from matplotlib.lines import Line2D

    if not scelti:
        return []
    corpo = m.corpo
    a_pagina = ax.transData + pg.transData.inverted()
    xy = np.array([a_pagina.transform((g.x, g.y)) for g in c.geometry.iloc[scelti]])
    n = len(scelti)
    disposizione = spazio["disposizione"]
    if disposizione == "colonne":
        ordine = [int(i) for i in np.argsort(xy[:, 0], kind="stable")]
        lati = {"sinistra": ordine[: (n + 1) // 2], "destra": ordine[(n + 1) // 2:]}
    elif disposizione == "righe":
        ordine = [int(i) for i in np.argsort(-xy[:, 1], kind="stable")]
        lati = {"sopra": ordine[: (n + 1) // 2], "sotto": ordine[(n + 1) // 2:]}
    else:
        lati = {"piede": list(range(n))}
    fatte = []
    riga_mm = m.mm(corpo) * 1.22

    def blocco(i: int, larghezza: float, max_righe: int) -> dict:
        r = c.iloc[scelti[i]]
        voce, tema = voci_tipo.get(r["tipo"]), voci_tema.get(r["tema"])
        testa = " · ".join(x for x in (etichetta(voce) if voce else "", etichetta(tema) if tema else "") if x)
        righe = _righe(f"«{_testo_breve(r['testo'], 200)}»", larghezza, corpo)
        if len(righe) > max_righe:
            righe = _righe(f"«{_testo_breve(r['testo'], max(20, int(len(' '.join(righe)) * max_righe / len(righe)) - 6))}»",
                           larghezza, corpo)
            righe = _taglia(righe, max_righe)
        teste = _taglia(_righe(testa, larghezza, corpo, 0.62), 2)
        sotto_testa = m.mm(corpo) * (1.4 + 1.15 * (len(teste) - 1))
        return {"i": i, "riga": r, "voce": voce, "testa": "\n".join(teste), "righe": righe, "sotto_testa": sotto_testa,
                "alto": sotto_testa + riga_mm * len(righe) + m.mm(corpo) * 0.8}

    for lato, quali in lati.items():
        if not quali:
            continue
        x0, y_alto, larghezza, altezza = spazio[lato]
        if lato in ("sinistra", "destra"):
            # top to bottom by their points' height; two lines that still cross swap their quotes
            ordine, migliore = sorted(quali, key=lambda i: -xy[i, 1]), None
            for _ in range(3 * len(ordine) + 1):
                blocchi = _disponi([blocco(i, larghezza, 6) for i in ordine], xy, y_alto - altezza, y_alto)
                for b in blocchi:
                    b["x"], b["larghezza"] = x0, larghezza
                incroci = [(a, b) for a in range(len(blocchi)) for b in range(a + 1, len(blocchi))
                           if _si_incrociano(_attacco(blocchi[a], lato, m), xy[blocchi[a]["i"]],
                                             _attacco(blocchi[b], lato, m), xy[blocchi[b]["i"]])]
                if migliore is None or len(incroci) < migliore[0]:
                    migliore = (len(incroci), blocchi)
                if not incroci:
                    break
                a, b = incroci[0]
                ia, ib = ordine.index(blocchi[a]["i"]), ordine.index(blocchi[b]["i"])
                ordine[ia], ordine[ib] = ordine[ib], ordine[ia]
            blocchi = migliore[1]
        elif lato in ("sopra", "sotto"):
            k = len(quali)
            passo = m.margine * 0.8
            larg_b = (larghezza - passo * (k - 1)) / k
            max_righe = max(2, int((altezza - m.mm(corpo) * 2.15) / riga_mm))
            blocchi = [blocco(i, larg_b, max_righe) for i in sorted(quali, key=lambda i: xy[i, 0])]
            for j, b in enumerate(blocchi):
                b["x"], b["larghezza"] = x0 + j * (larg_b + passo), larg_b
                b["y"] = y_alto
            _sciogli(blocchi, xy, lato, m)
        else:  # a postcard: one under the other, beside the code, the higher point first
            blocchi, y = [], y_alto
            for i in sorted(quali, key=lambda i: -xy[i, 1]):
                b = blocco(i, larghezza, 4)
                if y - b["alto"] < y_alto - altezza:
                    break
                b["x"], b["y"], b["larghezza"] = x0, y, larghezza
                y -= b["alto"] + m.margine * 0.3
                blocchi.append(b)
        for n_b, b in enumerate(blocchi, start=1):
            r, voce = b["riga"], b["voce"]
            pubblico_id = pubblico.id_pubblico(chiave, str(r["id"]))  # a public file names rows by public ids
            colore = voce.colore if voce else INCHIOSTRO
            if lato == "piede":  # small: a number on the map and before the words, no line across them
                b["testa"] = f"{n_b} · {b['testa']}"
            pg.text(b["x"], b["y"], b["testa"], fontsize=corpo, fontweight="bold", color=colore, va="top",
                    linespacing=1.1)
            pg.text(b["x"], b["y"] - b["sotto_testa"], "\n".join(b["righe"]), fontsize=corpo, color=INCHIOSTRO,
                    va="top", style="italic", linespacing=1.22, gid=f"citazione-{pubblico_id}")
            px, py = xy[b["i"]]
            ax_, ay_ = _attacco(b, lato, m)
            if lato == "piede":
                ax_, ay_ = px, py
                pg.scatter([px], [py], s=(corpo * 1.5) ** 2, facecolor="white", edgecolors=colore,
                           linewidths=_tratto(lw * 1.5), zorder=6)
                pg.text(px, py, str(n_b), fontsize=corpo, fontweight="bold", color=colore, ha="center",
                        va="center", zorder=7)
            else:
                linea = Line2D([ax_, px], [ay_, py], color=colore, linewidth=_tratto(lw * 0.8), zorder=5)
                linea.set_gid(f"linea-{pubblico_id}")
                pg.add_line(linea)
                pg.scatter([px], [py], s=(corpo * 0.45) ** 2, facecolor="none", edgecolors=colore, linewidths=lw,
                           zorder=6)
            fatte.append({"id": str(r["id"]), "id_pubblico": pubblico_id, "tipo": r["tipo"], "testo": "\n".join(b["righe"]), "punto_mm": (float(px), float(py)),
                          "attacco_mm": (float(ax_), float(ay_))})
    return fatte


def _attacco(b: dict, lato: str, m: Misure) -> tuple[float, float]:
    """Where the line of a quote's box starts (mm): the side of the box that faces the map."""
    if lato == "sinistra":
        return b["x"] + b["larghezza"] + m.margine * 0.2, b["y"] - m.mm(m.corpo) * 0.5
    if lato == "destra":
        return b["x"] - m.margine * 0.2, b["y"] - m.mm(m.corpo) * 0.5
    if lato == "sopra":
        return b["x"] + b["larghezza"] / 2, b["y"] - b["alto"] + m.mm(m.corpo) * 0.3
    if lato == "sotto":
        return b["x"] + b["larghezza"] / 2, b["y"] + m.mm(m.corpo) * 0.3
    return b["x"], b["y"]  # a postcard's box: its top left (it has a number, not a line)


def _si_incrociano(p1, p2, q1, q2) -> bool:
    def verso(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    return verso(p1, p2, q1) * verso(p1, p2, q2) < 0 and verso(q1, q2, p1) * verso(q1, q2, p2) < 0


def _sciogli(blocchi: list[dict], xy: np.ndarray, lato: str, m: Misure) -> None:
    """Swap the places of two boxes of a row whose lines cross (each swap shortens the lines, so it
    ends), until no two cross."""
    for _ in range(len(blocchi) ** 2):
        fatto = False
        for a in range(len(blocchi)):
            for b in range(a + 1, len(blocchi)):
                A, B = blocchi[a], blocchi[b]
                if _si_incrociano(_attacco(A, lato, m), xy[A["i"]], _attacco(B, lato, m), xy[B["i"]]):
                    A["x"], B["x"] = B["x"], A["x"]
                    fatto = True
        if not fatto:
            return


def _disponi(blocchi: list[dict], xy: np.ndarray, basso: float, alto: float) -> list[dict]:
    """Heights of the boxes of one column (top first): each wants its point's height, none overlaps
    another, all stay between ``basso`` and ``alto``. Boxes that do not fit are left out."""
    spazio = alto - basso
    while blocchi and sum(b["alto"] for b in blocchi) > spazio:
        blocchi = blocchi[:-1] if len(blocchi) > 1 else []
    if not blocchi:
        return []
    y = alto
    for b in blocchi:  # downwards: as high as its point wants, below the one above
        voluto = xy[b["i"], 1] + b["alto"] / 2
        b["y"] = min(y, voluto)
        y = b["y"] - b["alto"]
    y = basso
    for b in reversed(blocchi):  # upwards: nothing below the bottom
        if b["y"] - b["alto"] < y:
            b["y"] = y + b["alto"]
        y = b["y"]
    return blocchi


# ------------------------------------------------------------------ writing


def _controlla_titolo(area: Area, archivi: list[Archivio], titolo: str) -> None:
    """A title typed by hand is checked with the loose search of 'mappe verifica-privacy' (a part of a
    reserved text, a name written otherwise), before anything is drawn."""
    from ..contenuto import Contenuto
    from ..errori import PrivacyError
    from ..riservatezza import Indice

    vuoto = np.array([], dtype=float)
    reperti = Indice.da_archivi(area, archivi).cerca(
        Contenuto(titolo, vuoto, vuoto.astype(np.int64), vuoto.astype(np.int64), "testo"))
    if reperti:
        r = reperti[0]
        raise PrivacyError(f"Il titolo contiene un dato riservato ({r.etichetta.lower()}: "
                           f"'{r.segreto.valore[:40]}'): sceglierne un altro. Niente è stato scritto.")


def scrivi_manifesti(area: Area, archivi: list[Archivio], uscita: Path, m: Misure, vista: str = "tutto",
                     titolo: str | None = None, url: str | None = None, lingua: str = "it",
                     citazioni: int | None = None, cartolina: bool = False, foto: int = 0) -> list[Manifesto]:
    """Draw one page per comune and write them to ``uscita`` (PDF, or SVG/PNG for one comune), whole
    or not at all, after the privacy check has read the file back."""
    import matplotlib

    from ..file import scrivi_tutto_o_niente
    from ..riservatezza import controlla_file

    uscita = Path(uscita)
    formato = uscita.suffix.lower().lstrip(".")
    if titolo:
        _controlla_titolo(area, archivi, titolo)
    stile = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none", "font.family": "DejaVu Sans",
             "savefig.dpi": 150, "pdf.compression": 6,
             "image.composite_image": False}  # each photo a picture of its own (the privacy check knows it)
    fatti: list[Manifesto] = []
    with matplotlib.rc_context(stile):
        for a in archivi:
            indirizzo = url.replace("{comune}", a.slug) if url else None
            fatti.append(costruisci_manifesto(area, a, m, vista, titolo, indirizzo, lingua, citazioni, cartolina,
                                              foto))

        def scrivi(tmp: str) -> None:
            meta_titolo = titolo or "Mappa della comunità"
            if formato == "pdf":
                from matplotlib.backends.backend_pdf import PdfPages

                with PdfPages(tmp, metadata={"Title": meta_titolo, "Creator": "mappe", "Producer": "mappe"}) as pdf:
                    for f in fatti:
                        pdf.savefig(f.figura)
            else:
                fatti[0].figura.savefig(tmp, format=formato, dpi=150 if formato == "png" else None,
                                        metadata={"Title": meta_titolo} if formato == "svg" else None)
            controlla_file(tmp, area, archivi, nome=str(uscita))

        scrivi_tutto_o_niente(uscita, scrivi)
    return fatti
