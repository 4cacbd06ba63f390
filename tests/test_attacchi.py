"""Attacks on what mappe publishes and keeps, each written as the attacker or the data-protection
officer would try it (issue 12). Every test failed on the code before the fix.

Other attacks live beside this file: the privacy check of every format
(test_attacchi_privacy.py), small counts (test_attacchi_conteggi.py), hostile files
(test_attacchi_file.py), script in pages (test_attacchi_pagine.py).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from conftest import scrivi_csv, tracce_archivio
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from mappe.archivio import Area
from mappe.file import cella_csv, da_cella_csv
from mappe.importa import importa_file
from mappe.rendi import mappa as rendi_mappa

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS

TESTO_SENSIBILE = "Qui vive da sola una signora anziana che nessuno va a trovare"
SENSIBILE = (7.53612, 45.00687)  # the true position, inside Orbassano


def _dati_pagina(html: Path) -> dict:
    return json.loads(rendi_mappa.testo_dati(html.read_text(encoding="utf-8")))


def _id_come_prima(codice: str, strato: str, tipo: str, tema: str, testo: str, wkt: str | None, incontro: str = ""):
    """The id mappe used to give a row without an id: SHA-1 of its content, position included."""
    testo = re.sub(r"\s+", " ", testo).strip().lower()
    parti = [codice, strato, incontro, tipo, tema, testo]
    if wkt is not None:
        parti.append(wkt)
    return f"{strato[0]}-" + hashlib.sha1("\x1f".join(parti).encode("utf-8")).hexdigest()[:16]


def _cerca_nell_anello(centro: tuple[float, float], bersagli: set[str], codice: str, tipo: str, tema: str,
                       testo: str) -> tuple[float, float] | None:
    """The attack: every position 100-250 m around the published one, on the 1e-5 degree grid of
    the content hash, hashed as mappe did; a match gives the true position."""
    lon0, lat0 = centro
    dlat = 260 / 111_320
    dlon = 260 / (111_320 * np.cos(np.radians(lat0)))
    xs = np.round(np.arange(lon0 - dlon, lon0 + dlon, 1e-5), 5)
    ys = np.round(np.arange(lat0 - dlat, lat0 + dlat, 1e-5), 5)
    gx, gy = np.meshgrid(xs, ys)
    dx = (gx - lon0) * 111_320 * np.cos(np.radians(lat0))
    dy = (gy - lat0) * 111_320
    d = np.hypot(dx, dy)
    anello = (d >= 95) & (d <= 255)
    punti = shapely.points(gx[anello], gy[anello])
    wkt = shapely.to_wkt(shapely.set_precision(punti, 1e-5), rounding_precision=5)
    for w, p in zip(wkt, punti):
        if _id_come_prima(codice, "contributi", tipo, tema, testo, w) in bersagli:
            return p.x, p.y
    return None


@pytest.fixture
def con_sensibile(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "sensibile", "consenso", "autore", "lon", "lat"],
        ["bisogno", "societa_inclusiva", TESTO_SENSIBILE, "sì", "orale", "Zaira Quintavalle",
         str(SENSIBILE[0]), str(SENSIBILE[1])],
        ["risorsa", "socialita", "Il circolo degli anziani apre tutti i pomeriggi", "no", "orale", "",
         "7.5390", "45.0080"],
    ])
    assert importa_file(orbassano, f).importati == 2
    return orbassano


def test_la_ricerca_nell_anello_non_ritrova_la_posizione_vera_di_un_punto_sensibile(cli, con_sensibile, tmp_path):
    assert cli("mostra", "Orbassano", "-o", tmp_path / "mostra.html").exit_code == 0
    D = _dati_pagina(tmp_path / "mostra.html")
    C = D["contributi"]
    assert C["id"], "the exhibition publishes an id per contribution (visitors' feedback names it)"
    testi = C["testo"] if isinstance(C["testo"], list) else [C["testo"]["s"].get(str(k)) for k in range(C["n"])]
    k = testi.index(TESTO_SENSIBILE)
    # the published (moved) position of the sensitive point
    x = y = i = 0
    for di, ddx, ddy in zip(C["pos"]["i"], C["pos"]["x"], C["pos"]["y"]):
        i, x, y = i + di, x + ddx, y + ddy
        if i == k:
            break
    pubblicata = (x / C["pos"]["scala"], y / C["pos"]["scala"])
    assert Point(pubblicata).distance(Point(SENSIBILE)) > 0.0009  # it was moved
    codice = str(con_sensibile.info["codice_istat"])
    trovata = _cerca_nell_anello(pubblicata, set(C["id"]), codice, "bisogno", "societa_inclusiva", TESTO_SENSIBILE)
    assert trovata is None, f"la posizione vera {trovata} si ricava dall'id pubblicato"
    # and the id itself is not the store's
    assert not set(C["id"]) & set(con_sensibile.leggi("contributi")["id"])


def test_i_riscontri_esportati_non_rivelano_la_posizione_del_contributo_sensibile(cli, con_sensibile, tmp_path):
    c = con_sensibile.leggi("contributi")
    interno = c.loc[c["testo"] == TESTO_SENSIBILE, "id"].iloc[0]
    assert cli("mostra", "Orbassano", "-o", tmp_path / "mostra.html").exit_code == 0
    D = _dati_pagina(tmp_path / "mostra.html")
    testi = D["contributi"]["testo"]
    testi = testi if isinstance(testi, list) else [testi["s"].get(str(k)) for k in range(D["contributi"]["n"])]
    pubblico_id = D["contributi"]["id"][testi.index(TESTO_SENSIBILE)]
    # a visitor's reaction comes back with the public id and lands on the right row
    f = tmp_path / "riscontri.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": D["mostra_id"]},
                             "features": [{"type": "Feature", "geometry": None, "properties": {
                                 "id": "r-1", "su": pubblico_id, "comune": "orbassano", "reazione": "d_accordo",
                                 "commento": "", "data": "2026-11-30"}}]}), encoding="utf-8")
    r = cli("riscontri", "importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert con_sensibile.leggi("riscontri").iloc[0]["su"] == interno
    assert cli("riscontri", "modera", "Orbassano", "--approva", "r-1").exit_code == 0
    assert cli("esporta", "Orbassano", "--strato", "riscontri", "-o", tmp_path / "r.csv").exit_code == 0
    with open(tmp_path / "r.csv", encoding="utf-8-sig") as fh:
        su = next(csv.DictReader(fh, delimiter=";"))["su"]
    assert su != interno
    codice = str(con_sensibile.info["codice_istat"])
    assert _cerca_nell_anello(SENSIBILE, {su}, codice, "bisogno", "societa_inclusiva", TESTO_SENSIBILE) is None


def test_un_punto_spostato_non_cade_sulla_posizione_vera_di_un_altro(cli, orbassano, tmp_path):
    """Among thousands of sensitive points, one moved point lands on another's true position: the
    map would show that position (and its own check refused to write it)."""
    from pyproj import Transformer

    from mappe.pubblico import CRS_METRICO, _offset

    importa_file(orbassano, scrivi_csv(tmp_path / "a.csv", [
        ["id", "tipo", "tema", "testo", "sensibile", "consenso", "lon", "lat"],
        ["s-1", "bisogno", "lavoro", "Il primo punto sensibile", "sì", "orale", "7.53612", "45.00687"]]))
    avanti = Transformer.from_crs("EPSG:4326", CRS_METRICO, always_xy=True)
    indietro = Transformer.from_crs(CRS_METRICO, "EPSG:4326", always_xy=True)
    x, y = avanti.transform(7.53612, 45.00687)
    dx, dy = _offset(orbassano.segreto(), "s-1", 0)
    lon, lat = indietro.transform(x + dx, y + dy)
    importa_file(orbassano, scrivi_csv(tmp_path / "b.csv", [
        ["id", "tipo", "tema", "testo", "sensibile", "consenso", "lon", "lat"],
        ["s-2", "bisogno", "lavoro", "Il secondo, proprio dove cadrebbe il primo", "sì", "orale",
         f"{lon:.5f}", f"{lat:.5f}"]]))
    r = cli("mappa", "Orbassano", "-o", tmp_path / "m.html")
    assert r.exit_code == 0, r.output
    posizioni = rendi_mappa.posizioni_in_pagina((tmp_path / "m.html").read_text(encoding="utf-8"))
    assert (round(lon, 5), round(lat, 5)) not in posizioni and (7.53612, 45.00687) not in posizioni
    assert len(posizioni) == 2


def test_zone_e_percorsi_sensibili_non_si_riconoscono_dalla_forma(cli, orbassano, tmp_path):
    """Moved but intact, a house's outline or a route along the streets can be matched on a map."""
    casa = "POLYGON ((7.5361 45.0068, 7.5364 45.0068, 7.5364 45.0070, 7.5362 45.0071, 7.5361 45.0070, 7.5361 45.0068))"
    strada = ("LINESTRING (7.5300 45.0100, 7.5310 45.0102, 7.5318 45.0098, 7.5330 45.0101, 7.5341 45.0096, "
              "7.5350 45.0099, 7.5362 45.0095, 7.5371 45.0097)")
    importa_file(orbassano, scrivi_csv(tmp_path / "z.csv", [
        ["tipo", "tema", "testo", "sensibile", "consenso", "posizione"],
        ["bisogno", "abitare", "La casa dove vive da sola", "sì", "orale", casa],
        ["memoria", "socialita", "La strada che fa ogni mattina", "sì", "orale", strada]]))
    assert cli("mappa", "Orbassano", "-o", tmp_path / "m.html").exit_code == 0
    D = _dati_pagina(tmp_path / "m.html")
    forme = [shapely.geometry.shape(g) for g in D["contributi"]["pos"]["altre"].values()]
    zona = next(g for g in forme if g.geom_type == "Polygon")
    linea = next(g for g in forme if g.geom_type == "LineString")
    vera_zona, vera_linea = shapely.from_wkt(casa), shapely.from_wkt(strada)
    # the shape, brought back onto the true centre, does not match the true outline
    riportata = shapely.affinity.translate(zona, vera_zona.centroid.x - zona.centroid.x,
                                           vera_zona.centroid.y - zona.centroid.y)
    assert riportata.hausdorff_distance(vera_zona) > 0.0004  # about 30-40 m off everywhere
    assert zona.area > vera_zona.area * 5  # at least a circle of 50 m
    assert len(linea.coords) <= 3 < len(vera_linea.coords)


def test_un_esportazione_pubblica_si_rilegge_e_non_esce_se_contiene_un_dato_privato(orbassano, tmp_path,
                                                                                      monkeypatch):
    """A bug that let a private field through an export would be caught by the file's own check."""
    import mappe.esporta as esporta_mod
    from mappe.errori import PrivacyError

    importa_file(orbassano, scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "consenso", "autore", "lon", "lat"],
        ["bisogno", "lavoro", "Manca lavoro", "orale", "Zaira Quintavalle", "7.5378", "45.0087"]]))
    vera = esporta_mod.tabella_esportabile
    monkeypatch.setattr(esporta_mod, "tabella_esportabile",
                        lambda a, s, completo=False: vera(a, s, True) if not completo else vera(a, s, completo))
    for formato in ("csv", "xlsx", "geojson", "gpkg", "kml"):
        uscita = tmp_path / f"e.{formato}"
        with pytest.raises(PrivacyError):
            esporta_mod.esporta(orbassano, uscita)
        assert not uscita.exists()


def test_due_aree_con_gli_stessi_dati_pubblicano_id_diversi(cli, con_sensibile, tmp_path, _area_base):
    altra = tmp_path / "altra"
    shutil.copytree(_area_base, altra)
    shutil.rmtree(altra / ".mappe")  # another workspace: its own key
    assert cli("init", altra, "--nuova-chiave").exit_code == 0
    a2 = Area(altra)
    for comando in (["mostra", "Orbassano", "-o", tmp_path / "uno.html"],):
        assert cli(*comando).exit_code == 0
    importa_file(a2.archivio("Orbassano"), tmp_path / "c.csv")
    from mappe.rendi.mostra import costruisci_mostra

    html, _ = costruisci_mostra(a2, [a2.archivio("Orbassano")])
    (tmp_path / "due.html").write_text(html, encoding="utf-8")
    uno, due = _dati_pagina(tmp_path / "uno.html"), _dati_pagina(tmp_path / "due.html")
    assert len(uno["contributi"]["id"]) == len(due["contributi"]["id"]) == 2
    assert not set(uno["contributi"]["id"]) & set(due["contributi"]["id"])


def test_storia_e_registro_non_confermano_un_contenuto_cancellato(cli, con_sensibile, tmp_path):
    area = Area(con_sensibile.cartella_area)
    assert cli("mappa", "Orbassano", "--interna", "-o", tmp_path / "interna.html").exit_code == 0
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "tutto.csv").exit_code == 0
    c = con_sensibile.leggi("contributi")
    interno = c.loc[c["testo"] == TESTO_SENSIBILE, "id"].iloc[0]
    assert cli("modifica", "Orbassano", interno, "--tema", "abitare").exit_code == 0
    assert cli("elimina", "Orbassano", interno, "--oblio", "--si").exit_code == 0
    # someone who guesses the words and the place checks the guess against the workspace's files
    codice = str(con_sensibile.info["codice_istat"])
    wkt = shapely.to_wkt(shapely.set_precision(Point(SENSIBILE), 1e-5), rounding_precision=5)
    indovinato = _id_come_prima(codice, "contributi", "bisogno", "societa_inclusiva", TESTO_SENSIBILE, wkt)
    for f in area.cartella.rglob("*"):
        if f.is_file() and not f.name.endswith(".toml"):
            assert indovinato.encode() not in f.read_bytes(), f


@pytest.mark.solo_gpkg
def test_un_vecchio_archivio_passa_agli_id_con_chiave_e_ritrova_le_sue_righe(area, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                        ["bisogno", "lavoro", "Manca lavoro per i giovani", "7.5378", "45.0087"],
                                        ["risorsa", "lavoro", "Lo sportello lavoro", "7.5420", "45.0050"]])
    importa_file(orbassano, f)
    importa_file(orbassano, scrivi_csv(tmp_path / "d.csv", [["tipo", "tema", "testo"], ["bisogno", "abitare", "Affitti"]]))
    # Make it an archive as mappe wrote it before: unkeyed content ids everywhere, no mark.
    codice = str(orbassano.info["codice_istat"])
    vecchi = {}
    c = orbassano.leggi("contributi")
    for r in c.itertuples():
        wkt = shapely.to_wkt(shapely.set_precision(r.geometry, 1e-5), rounding_precision=5) if r.geometry else None
        vecchi[r.id] = _id_come_prima(codice, "contributi", r.tipo, r.tema, r.testo, wkt)
    c["id"] = c["id"].map(vecchi)
    info = orbassano.leggi("comune").drop(columns=["id_chiave"])
    for path in [orbassano.gpkg, *orbassano.cartella_versioni.glob("*.gpkg")]:
        pyogrio.write_dataframe(c, path, layer="contributi", driver="GPKG", geometry_type="Unknown",
                                promote_to_multi=False)
        pyogrio.write_dataframe(info, path, layer="comune", driver="GPKG")
    storia = orbassano.file_storia.read_text(encoding="utf-8")
    orbassano.file_storia.write_text(storia + json.dumps({"operazione": "modifica", "dettagli":
                                                          f"contributi {next(iter(vecchi.values()))}: tema"}) + "\n")
    (area.cartella / ".mappe" / "registro-con-chiave").unlink(missing_ok=True)
    reg = area.cartella / ".mappe" / "esportazioni"
    reg.mkdir(exist_ok=True)
    (reg / "vecchio.json").write_text(json.dumps({"orbassano": list(vecchi.values())}), encoding="utf-8")
    (area.cartella / ".mappe" / "esportazioni.jsonl").write_text(json.dumps(
        {"quando": "2026-11-01T10:00:00", "utente": "x", "tipo": "mappa", "file": str(tmp_path / "vecchia.html"),
         "comuni": {"orbassano": 3}, "contenuto": "vecchio.json"}) + "\n", encoding="utf-8")
    # opened by the new mappe
    nuova = Area(area.cartella)
    arch = nuova.archivio("Orbassano")
    assert arch.info.get("id_chiave")
    ids = set(arch.leggi("contributi")["id"])
    assert len(ids) == 3 and not ids & set(vecchi.values())
    for file in area.cartella.rglob("*"):
        if file.is_file():
            dati = file.read_bytes()
            for v in vecchi.values():
                assert v.encode() not in dati, (file, v)
    # the same file imported again finds its rows, and an erasure still finds the old map
    r = importa_file(arch, f)
    assert (r.importati, r.gia_presenti) == (0, 2)
    from mappe.registro import esportazioni_con

    assert esportazioni_con(nuova, "orbassano", ids)


def test_un_area_nata_dalla_demo_non_accoglie_dati_veri(cli, tmp_path):
    """The demo's key is published: real data in a demo workspace would be protected by nothing."""
    demo = tmp_path / "demo"
    assert cli("demo", demo).exit_code == 0
    r = cli("--area", demo, "comuni", "aggiungi", "Torino")
    assert r.exit_code == 1 and "la sua chiave è pubblica" in r.output and "mappe init" in r.output
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Un bisogno vero"]])
    r = cli("--area", demo, "importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "la sua chiave è pubblica" in r.output
    r = cli("--area", demo, "mostra", "Orbassano", "--chiosco", "-o", tmp_path / "m.html")
    assert r.exit_code == 0 and "non sono protetti" in r.output and "solo questa area" not in r.output


@pytest.mark.solo_gpkg
def test_una_chiave_persa_non_viene_sostituita_in_silenzio(cli, con_sensibile, tmp_path):
    area = Area(con_sensibile.cartella_area)
    assert cli("mappa", "Orbassano", "-o", tmp_path / "prima.html").exit_code == 0
    (area.cartella / ".mappe" / "segreto").rename(tmp_path / "chiave-altrove")
    r = cli("mappa", "Orbassano", "-o", tmp_path / "dopo.html")
    assert r.exit_code == 1 and "Manca la chiave" in r.output and "--nuova-chiave" in r.output
    assert not (tmp_path / "dopo.html").exists() and not (area.cartella / ".mappe" / "segreto").exists()
    (area.cartella / ".mappe" / "segreto").write_text("non è una chiave", encoding="utf-8")
    r = cli("mappa", "Orbassano", "-o", tmp_path / "dopo.html")
    assert r.exit_code == 1 and "rovinata" in r.output and "Errore imprevisto" not in r.output
    (tmp_path / "chiave-altrove").replace(area.cartella / ".mappe" / "segreto")
    assert cli("mappa", "Orbassano", "-o", tmp_path / "dopo.html").exit_code == 0
    prima, dopo = (rendi_mappa.posizioni_in_pagina((tmp_path / n).read_text(encoding="utf-8"))
                   for n in ("prima.html", "dopo.html"))
    assert prima == dopo  # the same moved positions: nothing to triangulate


@pytest.mark.solo_gpkg
def test_nessun_file_esportato_sostituisce_un_archivio_o_la_chiave(cli, con_sensibile, tmp_path):
    area = Area(con_sensibile.cartella_area)
    prima = {p: p.read_bytes() for p in (con_sensibile.gpkg, con_sensibile.file_storia,
                                          area.cartella / ".mappe" / "segreto")}
    for uscita, formato in ((con_sensibile.gpkg, "gpkg"), (con_sensibile.file_storia, "csv"),
                            (area.cartella / ".mappe" / "segreto", "csv"),
                            (con_sensibile.cartella_versioni / "nuova.gpkg", "gpkg")):
        r = cli("esporta", "Orbassano", "-o", uscita, "--formato", formato)
        assert r.exit_code == 1 and "archivi dell'area" in r.output, r.output
    r = cli("mappa", "Orbassano", "-o", con_sensibile.cartella / "mappa.html")
    assert r.exit_code == 1
    assert {p: p.read_bytes() for p in prima} == prima
    assert not (con_sensibile.cartella_versioni / "nuova.gpkg").exists()


def test_un_collegamento_come_uscita_si_scrive_attraverso(cli, con_sensibile, tmp_path):
    vero = tmp_path / "chiavetta" / "mappa.html"
    vero.parent.mkdir()
    vero.write_text("vecchia", encoding="utf-8")
    link = tmp_path / "link.html"
    link.symlink_to(vero)
    assert cli("mappa", "Orbassano", "-o", link).exit_code == 0
    assert link.is_symlink() and "<html" in vero.read_text(encoding="utf-8")
    dispositivo = tmp_path / "uscita"
    dispositivo.symlink_to("/dev/null")
    r = cli("esporta", "Orbassano", "-o", dispositivo, "--formato", "csv")
    assert r.exit_code == 1 and "non è un file normale" in r.output
    assert Path("/dev/null").is_char_device() and dispositivo.is_symlink()


def test_i_file_con_dati_privati_sono_leggibili_solo_dal_proprietario(cli, con_sensibile, tmp_path):
    if os.name != "posix":
        pytest.skip("permessi POSIX")
    privati = {"completo.csv": ["esporta", "Orbassano", "--completo", "-o"],
               "interna.html": ["mappa", "Orbassano", "--interna", "-o"],
               "rilievo.html": ["rilievo", "Orbassano", "-o"]}
    vecchia = os.umask(0)
    try:
        for nome, comando in privati.items():
            assert cli(*comando, tmp_path / nome).exit_code == 0
        assert cli("mappa", "Orbassano", "-o", tmp_path / "pubblica.html").exit_code == 0
    finally:
        os.umask(vecchia)
    for nome in privati:
        assert stat.S_IMODE((tmp_path / nome).stat().st_mode) == 0o600, nome
    assert stat.S_IMODE((tmp_path / "pubblica.html").stat().st_mode) & 0o044  # a file meant to be shared


# --- Erasure leaves nothing ---------------------------------------------------------------

def _nessun_byte(area: Area, *testi: str) -> None:
    """No file of the workspace (store, versions, history, registries, keys) holds any of these, nor
    any table of a comune kept on PostgreSQL (history and before-images included)."""
    tracce = [(str(f), f.read_bytes()) for f in area.cartella.rglob("*") if f.is_file()]
    if area.postgis is not None:
        tracce += [t for a in area.archivi() for t in tracce_archivio(a)]
    for dove, dati in tracce:
        for t in testi:
            for forma in {t, t.lower(), t.upper()}:
                assert forma.encode("utf-8") not in dati, f"{dove} contiene ancora «{t}»"


@pytest.fixture
def persone(orbassano, tmp_path):
    scrivi_csv(tmp_path / "incontri.csv", [
        ["id", "data", "fase", "partecipanti", "facilitatori", "note"],
        ["FG-1", "23/11/2026", "baseline", "12", "Ottavia Pellegrini|Marco Bianchi", "Serata tranquilla"]])
    scrivi_csv(tmp_path / "luoghi.csv", [
        ["nome", "categoria", "referente", "lon", "lat"],
        ["Bar del mercato", "bar", "Ottavia Pellegrini 333 7654321", "7.5390", "45.0080"]])
    scrivi_csv(tmp_path / "c.csv", [
        ["id", "incontro", "tipo", "tema", "testo", "autore", "note", "lon", "lat"],
        ["c-1", "FG-1", "bisogno", "lavoro", "Lavoro che manca da anni nel quartiere", "Ottavia Pellegrini", "",
         "7.5378", "45.0087"],
        ["c-2", "FG-1", "memoria", "socialita", "Il ballo del sabato al circolo, una volta", "Piero", "",
         "7.5420", "45.0050"],
        ["c-3", "FG-1", "risorsa", "socialita", "La sala civica è sempre aperta", "Piero",
         "Ne ha parlato anche Ottavia Pellegrini", "7.5300", "45.0110"],
    ])
    importa_file(orbassano, tmp_path / "incontri.csv", "incontri")
    importa_file(orbassano, tmp_path / "luoghi.csv", "luoghi")
    assert importa_file(orbassano, tmp_path / "c.csv").importati == 3
    return orbassano


def test_oblio_di_una_riga_gia_eliminata_la_toglie_anche_dalle_versioni(cli, persone, tmp_path):
    area = Area(persone.cartella_area)
    assert cli("elimina", "Orbassano", "c-1", "--si").exit_code == 0  # deleted normally, before the request
    testo = "Lavoro che manca da anni nel quartiere"
    assert any(testo in " ".join(df["testo"].dropna()) for v in persone.versioni_conservate()
               for df in [persone.strati_versione(v).get("contributi")] if df is not None)
    r = cli("oblio", "--persona", "ottavia pellegrini", "--elenco")
    assert r.exit_code == 0 and "versioni conservate" in r.output
    r = cli("elimina", "Orbassano", "c-1", "--oblio", "--si")
    assert r.exit_code == 0, r.output
    _nessun_byte(area, testo)
    for _ in range(5):
        cli("annulla", "Orbassano", "--si")
        assert "c-1" not in set(persone.leggi("contributi")["id"])


def test_oblio_di_una_persona_svuota_autore_referente_facilitatori_e_telefono(cli, persone, tmp_path):
    area = Area(persone.cartella_area)
    # a copy of the contributions saved into the store from QGIS, by hand
    copia = persone.leggi("contributi")
    if persone.su_file:
        pyogrio.write_dataframe(copia, persone.gpkg, layer="contributi_copia_qgis", driver="GPKG",
                                geometry_type="Unknown", promote_to_multi=False)
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "tutto.xlsx").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", input="s\n")
    assert r.exit_code == 0, r.output
    assert "1 contributo detto da 'Ottavia Pellegrini'" in r.output
    assert ("contributi_copia_qgis" in r.output) == persone.su_file
    assert "c-3 --note" in r.output  # a note that names her: listed, to be edited by hand
    assert str((tmp_path / "tutto.xlsx").resolve()) in r.output
    assert "c-1" not in set(persone.leggi("contributi")["id"])
    lg = persone.leggi("luoghi").iloc[0]
    assert lg["nome"] == "Bar del mercato" and lg["referente"] is None
    assert persone.leggi("incontri").iloc[0]["facilitatori"] == "Marco Bianchi"
    # the note still names her until it is edited; then a second pass cleans the kept versions too
    assert cli("modifica", "Orbassano", "c-3", "--note", "Ne hanno parlato in due").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si")
    assert r.exit_code == 0, r.output
    _nessun_byte(area, "Ottavia Pellegrini", "Pellegrini", "333 7654321", "Lavoro che manca da anni")
    assert "Marco Bianchi" in str(persone.leggi("incontri").iloc[0]["facilitatori"])


def test_oblio_per_telefono(cli, persone):
    area = Area(persone.cartella_area)
    r = cli("oblio", "--persona", "3337654321", "--si")
    assert r.exit_code == 0, r.output
    _nessun_byte(area, "333 7654321", "7654321")
    assert persone.leggi("luoghi").iloc[0]["referente"] is None


def test_oblio_trova_anche_le_parole_di_chi_ha_cambiato_autore_e_i_file_di_allora(cli, persone, tmp_path):
    """The author was changed (to initials) before the request: the words are still hers."""
    area = Area(persone.cartella_area)
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "prima.csv").exit_code == 0
    assert cli("modifica", "Orbassano", "c-1", "--autore", "O.P.").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--elenco")
    assert "c-1" in r.output and "1 contributo detto" in r.output
    r = cli("oblio", "--persona", "Pellegrini Ottavia", "--si")  # surname first, as registers write it
    assert r.exit_code == 0, r.output
    assert "c-1" not in set(persone.leggi("contributi")["id"])
    assert str((tmp_path / "prima.csv").resolve()) in r.output
    assert cli("modifica", "Orbassano", "c-3", "--note", "-").exit_code == 0
    assert cli("oblio", "--persona", "Ottavia Pellegrini", "--si").exit_code == 0
    _nessun_byte(area, "Ottavia Pellegrini", "Lavoro che manca da anni")


def test_oblio_di_righe_eliminate_prima_nomina_i_file_e_accetta_il_codice_pubblico(cli, persone, tmp_path):
    from mappe.pubblico import id_pubblico

    area = Area(persone.cartella_area)
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "completo.xlsx").exit_code == 0
    assert cli("mappa", "Orbassano", "--interna", "-o", tmp_path / "interna.html").exit_code == 0
    assert cli("elimina", "Orbassano", "c-1", "--si").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si")
    assert r.exit_code == 0, r.output
    assert "1 riga già eliminata prima tolta" in r.output
    for f in ("completo.xlsx", "interna.html"):
        assert str((tmp_path / f).resolve()) in r.output
    # and by the public code of a row deleted before
    assert cli("elimina", "Orbassano", "c-2", "--si").exit_code == 0
    r = cli("elimina", "Orbassano", id_pubblico(persone.segreto(), "c-2"), "--oblio", "--si")
    assert r.exit_code == 0 and "già eliminat" in r.output, r.output
    _nessun_byte(area, "Il ballo del sabato al circolo")


def test_oblio_per_telefono_con_prefisso(cli, persone):
    area = Area(persone.cartella_area)
    r = cli("oblio", "--persona", "+39 333 765 4321", "--si")
    assert r.exit_code == 0 and "1 valore svuotato" in r.output, r.output
    _nessun_byte(area, "7654321")


@pytest.mark.solo_gpkg
def test_oblio_nei_file_aggiunti_a_mano_toglie_solo_quello_che_la_riguarda(cli, persone, tmp_path):
    import sqlite3

    area = Area(persone.cartella_area)
    con = sqlite3.connect(persone.gpkg)
    with con:
        con.execute("CREATE TABLE appunti (chi TEXT, nota TEXT)")
        con.executemany("INSERT INTO appunti VALUES (?, ?)", [
            ("Ada", "Vicina gentile, conosce anche Ottavia Pellegrini"),
            ("Ottavia Pellegrini", "Lavoro che manca da anni nel quartiere")])
        # where QGIS writes a layer's description
        con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                    "md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, "
                    "mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '')")
        con.execute("CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL, "
                    "table_name TEXT, column_name TEXT, row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT "
                    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')), md_file_id INTEGER NOT NULL, md_parent_id INTEGER)")
        con.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES "
                    "('dataset', 'http://x', 'text/plain', 'Curato da Ottavia Pellegrini, tel. 333 7654321')")
    con.close()
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si")
    assert r.exit_code == 0, r.output
    con = sqlite3.connect(persone.gpkg)
    righe = con.execute("SELECT chi, nota FROM appunti").fetchall()
    con.close()
    assert righe == [("Ada", None)]  # her row goes; in Ada's row only the cell naming her
    assert cli("modifica", "Orbassano", "c-3", "--note", "-").exit_code == 0
    assert cli("oblio", "--persona", "Ottavia Pellegrini", "--si").exit_code == 0
    _nessun_byte(area, "Ottavia Pellegrini", "7654321")


def test_oblio_con_un_nome_solo_e_si_non_cancella_alla_cieca(cli, persone):
    r = cli("oblio", "--persona", "Ottavia", "--si")
    assert r.exit_code == 1 and "nome solo" in r.output
    assert "c-1" in set(persone.leggi("contributi")["id"])


def test_anche_file_non_cancella_un_file_cambiato_dopo(cli, persone, tmp_path):
    f = tmp_path / "completo.csv"
    assert cli("esporta", "Orbassano", "--completo", "-o", f).exit_code == 0
    f.write_text("un altro file, di qualcun altro", encoding="utf-8")
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si", "--anche-file")
    assert r.exit_code == 0 and "non cancellato" in r.output
    assert f.read_text(encoding="utf-8") == "un altro file, di qualcun altro"


def test_l_esportazione_pubblica_nomina_solo_i_file_con_le_righe_della_persona(cli, persone, tmp_path):
    assert cli("modifica", "Orbassano", "c-1", "--visibilita", "riservato").exit_code == 0
    assert cli("esporta", "Orbassano", "-o", tmp_path / "pubblico.csv").exit_code == 0  # without her row
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si")
    assert str((tmp_path / "pubblico.csv").resolve()) not in r.output


def test_oblio_con_anche_file_cancella_gli_esportati(cli, persone, tmp_path):
    area = Area(persone.cartella_area)
    dentro = area.cartella / "esportati"
    assert cli("esporta", "Orbassano", "--completo", "-o", dentro / "tutto.csv").exit_code == 0
    assert cli("mappa", "Orbassano", "--interna", "-o", dentro / "interna.html").exit_code == 0
    assert cli("mappa", "Orbassano", "-o", dentro / "pubblica.html").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si", "--anche-file")
    assert r.exit_code == 0, r.output
    assert not (dentro / "tutto.csv").exists() and not (dentro / "interna.html").exists()
    assert cli("modifica", "Orbassano", "c-3", "--note", "-").exit_code == 0
    assert cli("oblio", "--persona", "Ottavia Pellegrini", "--si").exit_code == 0
    _nessun_byte(area, "Ottavia Pellegrini", "Lavoro che manca da anni")


def test_oblio_nomina_anche_il_file_delle_righe_respinte(cli, orbassano, tmp_path):
    area = Area(orbassano.cartella_area)
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "autore", "lon", "lat"],
                                        ["bisogno", "lavor", "Nessuno assume chi ha più di cinquant'anni",
                                         "Ottavia Pellegrini", "7.5378", "45.0087"]])
    scarti = area.cartella / "da-correggere.csv"
    assert cli("importa", f, "--comune", "Orbassano", "--scarti", scarti).exit_code == 1
    corretto = scarti.read_text(encoding="utf-8-sig").replace(";lavor;", ";lavoro;")
    (tmp_path / "corretto.csv").write_text(corretto, encoding="utf-8-sig")
    assert cli("importa", tmp_path / "corretto.csv", "--comune", "Orbassano").exit_code == 0
    r = cli("oblio", "--persona", "Ottavia Pellegrini", "--si", "--anche-file")
    assert r.exit_code == 0, r.output
    assert "righe respinte" in r.output and str(scarti.resolve()) in r.output
    assert not scarti.exists()
    _nessun_byte(area, "Ottavia Pellegrini", "cinquant'anni")


def test_le_esportazioni_pubbliche_di_incontri_e_riscontri_non_rivelano_piccoli_numeri(cli, con_sensibile,
                                                                                    tmp_path):
    importa_file(con_sensibile, scrivi_csv(tmp_path / "i.csv", [
        ["id", "data", "fase", "partecipanti", "fasce_eta", "facilitatori"],
        ["FG-1", "01/10/2026", "baseline", "2", "anziani", "Anna"]]), "incontri")
    assert cli("esporta", "Orbassano", "--strato", "incontri", "-o", tmp_path / "i.csv").exit_code == 0
    with open(tmp_path / "i.csv", encoding="utf-8-sig") as fh:
        riga = next(csv.DictReader(fh, delimiter=";"))
    assert "partecipanti" not in riga and "fasce_eta" not in riga and riga["data"] == "2026-10-01"
    # feedback about a row that is no longer public stays out; the day, not the time
    c = con_sensibile.leggi("contributi")
    risorsa = c.loc[c["tipo"] == "risorsa", "id"].iloc[0]
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "m"}, "features": [
        {"type": "Feature", "geometry": None, "properties": {"id": f"r-{k}", "su": risorsa, "comune": "orbassano",
                                                             "reazione": "d_accordo", "commento": f"Commento {k}",
                                                             "data": "2026-12-01T10:41:22.969Z"}}
        for k in range(2)]}), encoding="utf-8")
    assert cli("riscontri", "importa", f, "--comune", "Orbassano").exit_code == 0
    assert cli("riscontri", "modera", "Orbassano", "--approva-tutti", "--si").exit_code == 0
    assert cli("esporta", "Orbassano", "--strato", "riscontri", "-o", tmp_path / "r1.csv").exit_code == 0
    testo = (tmp_path / "r1.csv").read_text(encoding="utf-8-sig")
    assert "Commento 0" in testo and "2026-12-01" in testo and "10:41" not in testo
    assert cli("modifica", "Orbassano", risorsa, "--visibilita", "riservato").exit_code == 0
    assert cli("esporta", "Orbassano", "--strato", "riscontri", "-o", tmp_path / "r2.csv").exit_code == 0
    assert "Commento" not in (tmp_path / "r2.csv").read_text(encoding="utf-8-sig")


def test_i_codici_pubblici_restano_testo_in_un_foglio_di_calcolo(cli, con_sensibile, tmp_path):
    from mappe.pubblico import id_pubblico

    chiave = con_sensibile.segreto()
    for k in range(2000):
        p = id_pubblico(chiave, f"c-{k}")
        assert p[0].isalpha() and not re.fullmatch(r"[0-9.eE+-]+", p)


# --- Files handed to other programs are inert ------------------------------------------------

FORMULE = ['=HYPERLINK("http://x.example","clic")', "+39 333 1234567", "-3 gradi d'inverno", "@SOMMA(A1)",
           "'=già con apostrofo", "'normale con apostrofo", "=\tcon tabulazione"]


@given(st.text(max_size=30))
def test_una_cella_csv_non_parte_mai_come_formula_e_torna_uguale(testo):
    cella = cella_csv(testo)
    assert cella[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert da_cella_csv(cella) == testo


def test_csv_esportato_non_ha_formule_e_torna_uguale(cli, orbassano, tmp_path):
    # texts that a spreadsheet would run, as they came from a GIS file (taken exactly as written)
    f = tmp_path / "formule.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.535 + k * 0.001, 45.006]},
         "properties": {"tipo": "bisogno", "tema": "lavoro", "testo": t, "consenso": "orale"}}
        for k, t in enumerate(FORMULE)]}), encoding="utf-8")
    assert importa_file(orbassano, f).importati == len(FORMULE)
    assert set(orbassano.leggi("contributi")["testo"]) == set(FORMULE)
    for completo in ([], ["--completo"]):
        out = tmp_path / f"e{len(completo)}.csv"
        assert cli("esporta", "Orbassano", "-o", out, *completo).exit_code == 0
        with open(out, encoding="utf-8-sig", newline="") as fh:
            celle = [r["testo"] for r in csv.DictReader(fh, delimiter=";")]
        for c in celle:
            assert c[:1] not in "=+-@\t\r", f"«{c}» partirebbe come formula"
        r = cli("importa", out, "--comune", "Orbassano")
        assert r.exit_code == 0 and "importati: 0, aggiornati: 0" in r.output, r.output
        assert set(orbassano.leggi("contributi")["testo"]) == set(FORMULE)


def test_scarti_senza_formule_e_correggibili(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                        ["bisogno", "lavor", "=1+1 non è una formula", "7.5378", "45.0087"]])
    r = cli("importa", f, "--comune", "Orbassano", "--scarti", tmp_path / "scarti.csv")
    assert r.exit_code == 1
    testo = (tmp_path / "scarti.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1 non è una formula" in testo
    corretto = testo.replace(";lavor;", ";lavoro;")
    (tmp_path / "corretto.csv").write_text(corretto, encoding="utf-8-sig")
    r = cli("importa", tmp_path / "corretto.csv", "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert orbassano.leggi("contributi")["testo"].tolist() == ["=1+1 non è una formula"]


def test_un_xlsx_torna_identico_anche_con_l_apostrofo_davanti(cli, orbassano, tmp_path):
    f = tmp_path / "a.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [7.5378, 45.0087]},
         "properties": {"tipo": "bisogno", "tema": "lavoro", "testo": "'=doppio, come scritto", "consenso": "orale"}}]}),
        encoding="utf-8")
    importa_file(orbassano, f)
    assert cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "x.xlsx").exit_code == 0
    r = cli("importa", tmp_path / "x.xlsx", "--comune", "Orbassano")
    assert r.exit_code == 0 and "aggiornati: 0" in r.output
    assert orbassano.leggi("contributi")["testo"].tolist() == ["'=doppio, come scritto"]


def test_kml_descrizioni_sono_testo(cli, orbassano, tmp_path):
    payload = '<a href="javascript:alert(1)">clicca</a><script>alert(2)</script>'
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "consenso", "lon", "lat"],
                                        ["bisogno", "lavoro", payload, "orale", "7.5378", "45.0087"]])
    importa_file(orbassano, f)
    scrivi_csv(tmp_path / "l.csv", [["nome", "categoria", "descrizione", "lon", "lat"],
                                    ["Bar", "bar", "<img src=x onerror=alert(3)>", "7.5390", "45.0080"]])
    importa_file(orbassano, tmp_path / "l.csv", "luoghi")
    for strato in ("contributi", "luoghi"):
        out = tmp_path / f"{strato}.kml"
        assert cli("esporta", "Orbassano", "--strato", strato, "-o", out).exit_code == 0
        import xml.etree.ElementTree as ET

        ns = {"k": "http://www.opengis.net/kml/2.2"}
        descr = [d.text for d in ET.parse(out).getroot().iter("{http://www.opengis.net/kml/2.2}description")]
        assert descr, ns
        for d in descr:  # what Google Earth reads as HTML holds no tag
            assert "<" not in (d or "") and ">" not in (d or "")
    importa_file(orbassano, scrivi_csv(tmp_path / "a.csv", [["tipo", "tema", "testo", "consenso", "lon", "lat"],
                                                            ["bisogno", "lavoro", "C'è l'asilo", "orale", "7.54", "45.005"]]))
    assert cli("esporta", "Orbassano", "-o", tmp_path / "a.kml").exit_code == 0
    assert "C'è l'asilo" in (tmp_path / "a.kml").read_text(encoding="utf-8")  # apostrophes as they are


# --- Terminal and stored text are clean ------------------------------------------------------

def _riscontri_ostili(path: Path, mostra: str = "m1") -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": mostra}, "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "id": "ostile-1", "su": "", "comune": "orbassano", "reazione": "", "data": "2026-11-30",
            "commento": "Bello\x1b[2J\x1b[31m APPROVATO DAL COMUNE\x9b31m\u202eotseT\nr-9  su luogo: finto"}},
        {"type": "Feature", "geometry": None, "properties": {
            "id": "ostile-2", "su": "", "comune": "altro\x1b]0;titolo finto\x07\x1b[1A", "reazione": "",
            "commento": "x"}},
    ]}), encoding="utf-8")
    return path


def _pulito(testo: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", testo), repr(testo)


def test_comandi_non_stampano_caratteri_di_controllo(cli, con_sensibile, tmp_path):
    f = _riscontri_ostili(tmp_path / "ostili.geojson")
    r = cli("riscontri", "importa", f, "--comune", "Orbassano")
    _pulito(r.output)  # the comune named by the file is printed: its escapes are gone
    # a suggestion without a point is rejected; the reaction to a place is kept for moderation
    righe = con_sensibile.leggi("riscontri")
    for t in righe["commento"].dropna():
        assert "\u202e" not in t
    luogo = con_sensibile.leggi("contributi")["id"].iloc[1]
    f2 = tmp_path / "su.geojson"
    f2.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "m2"}, "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "id": "ostile-3", "su": luogo, "comune": "orbassano", "reazione": "d_accordo", "data": "2026-11-30",
            "commento": "Bello\x1b[2J\x1b[31m APPROVATO\x9b31m \u202eotseT\r\n[2/2] r-9 approvato"}}]}),
        encoding="utf-8")
    assert cli("riscontri", "importa", f2, "--comune", "Orbassano").exit_code == 0
    salvato = con_sensibile.leggi("riscontri").set_index("id").loc["ostile-3", "commento"]
    assert "\r" not in salvato and "\u202e" not in salvato
    r = cli("riscontri", "modera", "Orbassano", "--elenco")
    _pulito(r.output)
    assert "⏎" in r.output and r.output.count("\n") == 2  # the comment cannot fake a line of its own
    r = cli("riscontri", "modera", "Orbassano", input="s\n")
    _pulito(r.output)
    # a file whose name carries an escape sequence, in the history
    strano = tmp_path / "c\x1b[31mrosso.csv"
    scrivi_csv(strano, [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Valore \x9b con C1"]])
    r = cli("importa", strano, "--comune", "Orbassano")
    _pulito(r.output)
    r = cli("storia", "Orbassano")
    _pulito(r.output)
    r = cli("importa", scrivi_csv(tmp_path / "e.csv", [["tipo", "tema", "testo"], ["bisogno", "zz\x9bzz", "x"]]),
            "--comune", "Orbassano")
    assert r.exit_code == 1
    _pulito(r.output)
    assert "\\x9b" in r.output  # the value quoted in the message, shown as it is


def test_un_nome_di_file_non_falsifica_una_riga_dei_messaggi(cli, orbassano, tmp_path):
    strano = tmp_path / "c\nImportazione riuscita: 99 righe\u200b.csv"
    scrivi_csv(strano, [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Un bisogno"]])
    r = cli("importa", strano, "--comune", "Orbassano")
    assert r.exit_code == 0
    assert not any(riga.startswith("Importazione riuscita") for riga in r.output.splitlines())
    assert "⏎" in r.output and "\\u200b" in r.output


def test_registro_come_collegamento_rifiutato_in_italiano(cli, orbassano, tmp_path):
    area = Area(orbassano.cartella_area)
    altrove = tmp_path / "altrove"
    altrove.mkdir()
    (area.cartella / ".mappe" / "esportazioni").mkdir(exist_ok=True)
    shutil.rmtree(area.cartella / ".mappe" / "esportazioni")
    (area.cartella / ".mappe" / "esportazioni").symlink_to(altrove, target_is_directory=True)
    r = cli("mappa", "Orbassano", "-o", tmp_path / "m.html")
    assert r.exit_code == 1 and "collegamento simbolico" in r.output and "Errore imprevisto" not in r.output
    assert list(altrove.iterdir()) == []


@pytest.mark.solo_gpkg
def test_un_comune_collegato_non_blocca_gli_altri(cli, orbassano, tmp_path):
    area = Area(orbassano.cartella_area)
    fuori = tmp_path / "beinasco"
    shutil.copytree(orbassano.cartella, fuori)
    (fuori / "orbassano.gpkg").rename(fuori / "beinasco.gpkg")
    (area.cartella_comuni / "beinasco").symlink_to(fuori, target_is_directory=True)
    r = cli("comuni", "elenco")
    assert r.exit_code == 0 and "Orbassano" in r.output and "collegamento simbolico" in r.output
    assert cli("mappa", "Orbassano", "-o", tmp_path / "m.html").exit_code == 0
    r = cli("mappa", "beinasco", "-o", tmp_path / "b.html")
    assert r.exit_code == 1 and "collegamento simbolico" in r.output


def test_riscontri_tutti_di_un_altro_comune_escono_con_1(cli, con_sensibile, tmp_path):
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "m"}, "features": [
        {"type": "Feature", "geometry": None, "properties": {"id": "r-1", "su": "x", "comune": "beinasco",
                                                             "reazione": "d_accordo", "commento": ""}}]}))
    r = cli("riscontri", "importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "importarlo con --comune beinasco" in r.output


def test_testi_salvati_senza_ritorni_a_capo_e_controlli_bidirezionali(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "titolo", "testo"],
                                        ["bisogno", "lavoro", "Titolo\u202egnaro", "riga uno\r\nriga due\rtre \u2066x\u2069"]])
    importa_file(orbassano, f)
    r = orbassano.leggi("contributi").iloc[0]
    assert r["testo"] == "riga uno\nriga due\ntre x" and r["titolo"] == "Titologna" + "ro"
    # letters of right-to-left scripts stay
    importa_file(orbassano, scrivi_csv(tmp_path / "a.csv", [["tipo", "tema", "testo"],
                                                            ["bisogno", "lavoro", "نحتاج إلى مكان للقاء"]]))
    assert "نحتاج إلى مكان للقاء" in set(orbassano.leggi("contributi")["testo"])


# --- Bounded work: forged feedback -----------------------------------------------------------

def test_ventimila_riscontri_fabbricati_rifiutati_o_respinti_in_blocco(cli, con_sensibile, tmp_path):
    luogo = con_sensibile.leggi("contributi")["id"].iloc[1]
    f = tmp_path / "falsi.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "falsa"}, "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "id": f"falso-{k}", "su": luogo, "comune": "orbassano", "reazione": "d_accordo", "commento": "spam",
            "data": "2026-12-01"}} for k in range(20_000)]}), encoding="utf-8")
    r = cli("riscontri", "importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "ha 20.000 riscontri, più del limite di 5.000 per file" in r.output
    assert "--limite" in r.output
    assert len(con_sensibile.leggi("riscontri")) == 0
    r = cli("riscontri", "importa", f, "--comune", "Orbassano", "--limite", "30000")
    assert r.exit_code == 0, r.output
    r = cli("riscontri", "modera", "Orbassano", "--respingi-tutti", "--file", f, "--si")
    assert r.exit_code == 0 and "respinti 20000" in r.output
    r = cli("riscontri", "modera", "Orbassano", "--elenco")
    assert "nessun riscontro in attesa" in r.output


def test_moderazione_in_blocco_per_data(cli, con_sensibile, tmp_path):
    luogo = con_sensibile.leggi("contributi")["id"].iloc[1]
    f = tmp_path / "r.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "mappe_riscontri": {"mostra": "m"}, "features": [
        {"type": "Feature", "geometry": None, "properties": {
            "id": f"r-{g}", "su": luogo, "comune": "orbassano", "reazione": "d_accordo", "commento": "",
            "data": f"2026-12-0{g}T10:00:00Z"}} for g in range(1, 6)]}), encoding="utf-8")
    assert cli("riscontri", "importa", f, "--comune", "Orbassano").exit_code == 0
    r = cli("riscontri", "modera", "Orbassano", "--approva-tutti", "--dal", "02/12/2026", "--al", "03/12/2026", "--si")
    assert r.exit_code == 0 and "approvati 2" in r.output
    stati = con_sensibile.leggi("riscontri").set_index("id")["stato"]
    assert stati["r-2"] == stati["r-3"] == "approvato" and stati["r-1"] == "in_attesa"


# --- The workspace protects itself ------------------------------------------------------------

@pytest.mark.solo_gpkg
def test_archivi_leggibili_solo_dal_proprietario(cli, con_sensibile):
    if os.name != "posix":
        pytest.skip("permessi POSIX")
    area = Area(con_sensibile.cartella_area)
    controllati = [con_sensibile.cartella, con_sensibile.gpkg, con_sensibile.file_storia, con_sensibile.cartella_versioni,
                   area.cartella / ".mappe", area.cartella / ".mappe" / "segreto", area.cartella / "data"]
    controllati += list(con_sensibile.cartella_versioni.glob("*.gpkg"))
    for p in controllati:
        assert p.exists(), p
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, f"{p} è leggibile da altri"


@pytest.mark.solo_gpkg
def test_un_archivio_leggibile_da_tutti_torna_privato_appena_aperto(cli, con_sensibile):
    if os.name != "posix":
        pytest.skip("permessi POSIX")
    # as an earlier mappe, or a copy, left it: readable by every user of the computer
    for p in [con_sensibile.cartella, con_sensibile.cartella_versioni, con_sensibile.gpkg, con_sensibile.file_storia,
              *con_sensibile.cartella_versioni.glob("*.gpkg")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    assert cli("storia", "Orbassano").exit_code == 0  # any command that opens it
    for p in [con_sensibile.cartella, con_sensibile.cartella_versioni, con_sensibile.gpkg, con_sensibile.file_storia,
              *con_sensibile.cartella_versioni.glob("*.gpkg")]:
        assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, p


@pytest.mark.solo_gpkg
def test_un_collegamento_simbolico_in_versioni_e_rifiutato(cli, con_sensibile, tmp_path):
    estranei = tmp_path / "documenti-di-altri"
    estranei.mkdir()
    for k in range(30):
        (estranei / f"2020010{k:02d}T000000-000000.gpkg").write_text("non toccare")
    shutil.rmtree(con_sensibile.cartella_versioni)
    con_sensibile.cartella_versioni.symlink_to(estranei, target_is_directory=True)
    f = scrivi_csv(tmp_path / "n.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Un altro bisogno"]])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "collegamento simbolico" in r.output and "Traceback" not in r.output
    assert len(list(estranei.iterdir())) == 30
    con_sensibile.cartella_versioni.unlink()
    fuori = tmp_path / "storia-altrui.txt"
    fuori.write_text("mia")
    con_sensibile.file_storia.unlink()
    con_sensibile.file_storia.symlink_to(fuori)
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "collegamento simbolico" in r.output
    assert fuori.read_text() == "mia"


@pytest.mark.solo_gpkg
def test_comune_non_esce_dall_area(cli, con_sensibile, tmp_path):
    area = Area(con_sensibile.cartella_area)
    # a store outside the workspace, reachable with a relative path
    fuori = tmp_path / "fuori"
    shutil.copytree(con_sensibile.cartella, fuori)
    (fuori / "orbassano.gpkg").rename(fuori / "fuori.gpkg")
    relativo = os.path.relpath(fuori, area.cartella_comuni)
    prima = (fuori / "fuori.gpkg").read_bytes()
    f = scrivi_csv(tmp_path / "n.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "Scritto fuori"]])
    for nome in (relativo, str(fuori), "../../../fuori"):
        r = cli("importa", f, "--comune", nome)
        assert r.exit_code == 1, r.output
    assert (fuori / "fuori.gpkg").read_bytes() == prima


@pytest.mark.solo_gpkg
def test_una_versione_collegata_altrove_non_viene_toccata_dall_oblio(con_sensibile, tmp_path):
    # the same refusal from a real process, with no traceback, and the linked file untouched
    area = Area(con_sensibile.cartella_area)
    altrove = tmp_path / "altrove.gpkg"
    shutil.copy(con_sensibile.gpkg, altrove)
    prima = altrove.read_bytes()
    v = min(con_sensibile.cartella_versioni.glob("*.gpkg"))
    v.unlink()
    v.symlink_to(altrove)
    p = subprocess.run([sys.executable, "-m", "mappe", "--area", str(area.cartella), "elimina", "Orbassano",
                        con_sensibile.leggi("contributi")["id"].iloc[0], "--oblio", "--si"],
                       capture_output=True, text=True, check=False)
    assert p.returncode == 1 and "collegamento simbolico" in p.stderr and "Traceback" not in p.stderr
    assert altrove.read_bytes() == prima


# --- Kiosk feedback is confidential at rest ---------------------------------------------------

SPIA = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>spia</title></head><body><script>
var tutto = {};
for (var k = 0; k < localStorage.length; k++) { var n = localStorage.key(k); tutto[n] = localStorage.getItem(n); }
document.body.setAttribute('data-rubato', JSON.stringify(tutto));
</script></body></html>"""


def _pronta(p):
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")


def test_un_altra_pagina_locale_trova_solo_testo_cifrato(cli, con_sensibile, tmp_path, pagina_offline, _area_base):
    codice = "5566 7788 9900"
    uscita = tmp_path / "mostra.html"
    assert cli("mostra", "Orbassano", "-o", uscita, "--pin", codice, "--chiosco").exit_code == 0
    D = _dati_pagina(uscita)
    assert "pin_hash" not in D and D["pin"]["iterazioni"] >= 100_000  # no fast hash of a short PIN
    p = pagina_offline
    # a previous build of the same exhibition left an item in clear on this kiosk
    p.goto(uscita.as_uri())
    _pronta(p)
    p.evaluate("""id => localStorage.setItem('mappe:' + id + ':riscontri', JSON.stringify([{id: 'vecchio-1',
        su: '', comune: 'orbassano', reazione: 'manca_un_luogo', commento: 'Lasciato in chiaro da una vecchia mostra',
        data: '2026-11-01T10:00:00Z', mostra: id, lon: 7.5378, lat: 45.0087}]))""", D["mostra_id"])
    p.reload()
    _pronta(p)
    scheda = p.locator("#mappe-elenco li").first
    scheda.locator("button[data-reazione=importante]").click()
    scheda.locator(".mappe-commenta summary").click()
    scheda.locator("textarea").fill("La mia vicina Zelinda resta sola tutto il giorno")
    scheda.locator(".mappe-commenta button[type=submit]").click()
    p.wait_for_function("id => JSON.parse(localStorage.getItem('mappe:' + id + ':riscontri') || '[]').length === 3",
                        arg=D["mostra_id"])
    # another HTML file opened in the same browser reads everything it can
    spia = tmp_path / "spia.html"
    spia.write_text(SPIA, encoding="utf-8")
    p2 = p.context.new_page()
    p2.goto(spia.as_uri())
    rubato = json.loads(p2.locator("body").get_attribute("data-rubato"))
    voci = json.loads(rubato[f"mappe:{D['mostra_id']}:riscontri"])
    assert len(voci) == 3
    for v in voci:
        assert set(v) == {"v", "epk", "iv", "ct"}
    tutto = json.dumps(rubato, ensure_ascii=False)
    for chiaro in ("Zelinda", "vicina", "importante", "manca_un_luogo", "vecchia mostra", "orbassano",
                   *D["contributi"]["id"]):
        assert chiaro not in tutto, chiaro
    # the staff download it; the file is ciphertext, and only this workspace reads it
    p.bring_to_front()
    p.locator(".mappe-personale").click()
    p.locator(".mappe-dialogo input").fill(codice)
    with p.expect_download() as scaricato:
        p.locator(".mappe-dialogo .mappe-scarica").click()
    file = tmp_path / scaricato.value.suggested_filename
    scaricato.value.save_as(file)
    assert "Zelinda" not in file.read_text(encoding="utf-8")
    altra = tmp_path / "altra-area"
    shutil.copytree(_area_base, altra)
    shutil.rmtree(altra / ".mappe")
    assert cli("init", altra, "--nuova-chiave").exit_code == 0
    r = cli("--area", altra, "riscontri", "importa", file, "--comune", "Orbassano")
    assert r.exit_code == 1 and "non si possono leggere" in r.output
    r = cli("riscontri", "importa", file, "--comune", "Orbassano")
    assert r.exit_code == 0 and "importati 3" in r.output, r.output
    commenti = set(con_sensibile.leggi("riscontri")["commento"].dropna())
    assert {"La mia vicina Zelinda resta sola tutto il giorno", "Lasciato in chiaro da una vecchia mostra"} <= commenti


def test_codice_del_personale_rallenta_i_tentativi(cli, con_sensibile, tmp_path, pagina_offline):
    uscita = tmp_path / "mostra.html"
    r = cli("mostra", "Orbassano", "-o", uscita)
    codice = re.search(r"riscontri: (\d{10}) ", r.output).group(1)  # a new code of ten digits
    for facile in ("4821", "00000000", "12345678", "9876 5432"):
        assert cli("mostra", "Orbassano", "-o", tmp_path / "x.html", "--pin", facile).exit_code == 2
    p = pagina_offline
    p.goto(uscita.as_uri())
    _pronta(p)
    p.locator(".mappe-personale").click()
    esito = p.locator(".mappe-esito")
    for atteso in (1, 2):
        p.locator(".mappe-dialogo input").fill("1234567890")
        p.locator(".mappe-dialogo .mappe-scarica").click()
        p.wait_for_function("document.querySelector('.mappe-esito').textContent.indexOf('sbagliato') >= 0")
        assert f"Attendere {atteso} s" in esito.inner_text()
        p.wait_for_timeout(atteso * 1000 + 100)
    # the wait survives a reload, and an attempt during it is not even checked
    p.locator(".mappe-dialogo input").fill("1234567890")
    p.locator(".mappe-dialogo .mappe-scarica").click()
    p.wait_for_function("document.querySelector('.mappe-esito').textContent.indexOf('sbagliato') >= 0")
    p.reload()
    _pronta(p)
    p.locator(".mappe-personale").click()
    p.locator(".mappe-dialogo input").fill(codice)
    p.locator(".mappe-dialogo .mappe-scarica").click()
    assert "Attendere" in esito.inner_text() and "sbagliato" not in esito.inner_text()
