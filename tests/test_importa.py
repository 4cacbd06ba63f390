
import geopandas as gpd
import openpyxl
import pytest
from conftest import contenuto_archivio, scrivi_csv
from shapely.geometry import LineString, Point, Polygon

from mappe.errori import ImportaError
from mappe.importa import importa_file

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS

INTESTAZIONE = ["tipo", "tema", "titolo", "testo", "fascia_eta", "peso", "lon", "lat"]


def test_csv_utf8_importato_e_rimportato_senza_duplicati(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        INTESTAZIONE,
        ["bisogno", "socialita", "Piazza", "Non c'è un posto dove stare, la sera", "giovani", "3", "7.5378", "45.0087"],
        ["risorsa", "lavoro", "", "La bottega del falegname", "adulti", "", "7.5420", "45.0050"],
    ])
    r = importa_file(orbassano, f)
    assert (r.importati, r.gia_presenti, len(r.respinti)) == (2, 0, 0)
    c = orbassano.leggi("contributi")
    assert list(c["testo"]) == ["Non c'è un posto dove stare, la sera", "La bottega del falegname"]
    assert list(c["peso"]) == [3, 1]  # default weight
    assert list(c["visibilita"]) == ["pubblico", "pubblico"]
    assert c.geometry.iloc[0].equals(Point(7.5378, 45.0087))
    r2 = importa_file(orbassano, f)
    assert (r2.importati, r2.gia_presenti) == (0, 2)
    assert len(orbassano.leggi("contributi")) == 2


def test_csv_excel_italiano_windows_1252_punto_e_virgola_virgola_decimale(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "excel.csv", [
        INTESTAZIONE,
        ["Bisogno", "Socialità e solitudine", "Perché", "Perché la città è così?\nSeconda riga", "Anziani", "2", "7,5378", "45,0087"],
    ], encoding="cp1252", sep=";")
    r = importa_file(orbassano, f)
    assert r.importati == 1, r.respinti
    c = orbassano.leggi("contributi").iloc[0]
    assert (c["tipo"], c["tema"], c["fascia_eta"]) == ("bisogno", "socialita", "anziani")
    assert c["testo"] == "Perché la città è così?\nSeconda riga"
    assert c.geometry.equals(Point(7.5378, 45.0087))


def test_bom_non_resta_attaccato_alla_prima_colonna(orbassano, tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes("tipo;tema;testo;lon;lat\nbisogno;lavoro;Città;7,5378;45,0087\n".encode("utf-8-sig"))
    r = importa_file(orbassano, f)
    assert r.importati == 1 and not r.respinti
    assert orbassano.leggi("contributi").iloc[0]["testo"] == "Città"


def test_righe_sbagliate_respinte_con_riga_campo_e_rimedio(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        INTESTAZIONE,
        ["bisogno", "lavoro", "", "buona", "", "", "7.5378", "45.0087"],      # riga 2 ok
        ["bisogni", "lavoro", "", "tipo sbagliato", "", "", "7.5378", "45.0087"],  # riga 3
        ["risorsa", "lavoro", "", "scambiate", "", "", "45.0087", "7.5378"],   # riga 4
        ["risorsa", "lavoro", "", "fuori comune", "", "", "7.6869", "45.0703"],  # riga 5: Torino
        ["risorsa", "lavoro", "", "zero", "", "", "0", "0"],                     # riga 6
        ["risorsa", "lavoro", "", "mezza", "", "", "7.5378", ""],               # riga 7
        ["risorsa", "lavro", "", "tema", "", "", "7.5378", "45.0087"],          # riga 8
        ["risorsa", "lavoro", "", "", "", "", "7.5378", "45.0087"],             # riga 9: testo vuoto
        ["risorsa", "lavoro", "", "peso", "", "tre", "7.5378", "45.0087"],      # riga 10
    ])
    r = importa_file(orbassano, f)
    assert r.importati == 1
    per_riga = {x.riga: x for x in r.respinti}
    assert sorted(per_riga) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert per_riga[3].campo == "tipo" and "volevi dire 'bisogno'?" in per_riga[3].motivo
    assert "scambiate" in per_riga[4].motivo
    assert "fuori dal comune di Orbassano" in per_riga[5].motivo
    assert "0,0" in per_riga[6].motivo
    assert per_riga[7].campo == "lat" and "entrambe" not in per_riga[7].motivo
    assert per_riga[8].campo == "tema" and "volevi dire 'lavoro'?" in per_riga[8].motivo
    assert per_riga[9].campo == "testo" and "obbligatorio" in per_riga[9].motivo
    assert per_riga[10].campo == "peso"
    # The rejected rows were not written, the good one was.
    assert list(orbassano.leggi("contributi")["testo"]) == ["buona"]


def test_prova_non_scrive_niente(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [INTESTAZIONE, ["bisogno", "lavoro", "", "x", "", "", "7.5378", "45.0087"]])
    prima = contenuto_archivio(orbassano)
    r = importa_file(orbassano, f, prova=True)
    assert r.importati == 1
    assert contenuto_archivio(orbassano) == prima


def test_luogo_per_nome_da_la_posizione_e_senza_luogo_resta_da_collocare(orbassano, tmp_path, luoghi_csv):
    assert importa_file(orbassano, luoghi_csv, "luoghi").importati == 2
    luoghi = orbassano.leggi("luoghi")
    bar = luoghi[luoghi["nome"] == "Bar della piazza"].iloc[0]
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "luogo", "lon", "lat"],
        ["risorsa", "socialita", "Il barista ascolta", "bar della piazza", "", ""],
        ["bisogno", "lavoro", "In tutto il comune manca lavoro", "", "", ""],
        ["bisogno", "lavoro", "Un luogo che non c'è", "Il castello", "", ""],
    ])
    r = importa_file(orbassano, f)
    assert r.importati == 2
    assert r.respinti[0].riga == 4 and r.respinti[0].campo == "luogo"
    c = orbassano.leggi("contributi")
    assert c.iloc[0]["luogo"] == bar["id"]
    assert c.geometry.iloc[0].equals(bar.geometry)
    assert c.geometry.iloc[1] is None


def test_incontro_inesistente_respinto(orbassano, tmp_path, incontri_csv):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "incontro"], ["bisogno", "lavoro", "x", "FG-ORB-01"]])
    r = importa_file(orbassano, f)
    assert r.respinti and "importare prima gli incontri" in r.respinti[0].motivo
    assert importa_file(orbassano, incontri_csv, "incontri").importati == 1
    assert orbassano.leggi("incontri").iloc[0]["data"] == "2026-11-23"
    assert importa_file(orbassano, f).importati == 1


def test_id_noto_con_contenuto_cambiato_aggiorna(orbassano, tmp_path):
    riga = ["c-mia-1", "bisogno", "lavoro", "testo con un refuso", "7.5378", "45.0087"]
    f = scrivi_csv(tmp_path / "c.csv", [["id", "tipo", "tema", "testo", "lon", "lat"], riga])
    assert importa_file(orbassano, f).importati == 1
    riga[3] = "testo corretto"
    scrivi_csv(f, [["id", "tipo", "tema", "testo", "lon", "lat"], riga])
    r = importa_file(orbassano, f)
    assert (r.importati, r.aggiornati, r.gia_presenti) == (0, 1, 0)
    c = orbassano.leggi("contributi")
    assert list(c["testo"]) == ["testo corretto"]


def test_testo_rovinato_da_doppia_codifica_segnalato(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "PerchÃ© cosÃ¬"]])
    r = importa_file(orbassano, f)
    assert r.importati == 1 and r.avvisi and "codifica" in r.avvisi[0].motivo


def test_carattere_nullo_respinto(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "a\x00b"]])
    r = importa_file(orbassano, f)
    assert r.respinti and r.respinti[0].campo == "testo"


def test_xlsx_con_date_excel_e_titolo_sopra(orbassano, tmp_path):
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Incontri del progetto"])
    ws.append([])
    ws.append(["id", "data", "fase", "partecipanti"])
    ws.append(["FG-1", dt.datetime(2026, 11, 23), "baseline", 14])
    ws.append(["FG-2", "30/11/2026", "verifica", 9.0])
    wb.save(tmp_path / "i.xlsx")
    r = importa_file(orbassano, tmp_path / "i.xlsx", "incontri")
    assert r.importati == 2, r.respinti
    i = orbassano.leggi("incontri")
    assert list(i["data"]) == ["2026-11-23", "2026-11-30"]
    assert list(i["partecipanti"]) == [14, 9]


def test_geojson_con_punti_linee_e_zone(orbassano, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"tipo": ["bisogno", "memoria", "proposta"], "tema": ["mobilita", "socialita", "spazi_pubblici"],
         "testo": ["Il sottopasso", "Il percorso della processione", "Un giardino condiviso"]},
        geometry=[Point(7.5378, 45.0087), LineString([(7.5378, 45.0087), (7.5420, 45.0050)]),
                  Polygon([(7.538, 45.008), (7.540, 45.008), (7.540, 45.010), (7.538, 45.010)])],
        crs="EPSG:4326",
    )
    gdf.to_file(tmp_path / "c.geojson", driver="GeoJSON")
    r = importa_file(orbassano, tmp_path / "c.geojson")
    assert r.importati == 3, r.respinti
    tipi = list(orbassano.leggi("contributi").geometry.geom_type)
    assert tipi == ["Point", "LineString", "Polygon"]


def test_geopackage_in_un_altro_sistema_di_coordinate(orbassano, tmp_path):
    gdf = gpd.GeoDataFrame({"nome": ["Oratorio"], "categoria": ["oratorio"]}, geometry=[Point(7.5378, 45.0087)], crs="EPSG:4326")
    gdf.to_crs("EPSG:32632").to_file(tmp_path / "l.gpkg", driver="GPKG")
    r = importa_file(orbassano, tmp_path / "l.gpkg", "luoghi")
    assert r.importati == 1
    g = orbassano.leggi("luoghi").geometry.iloc[0]
    assert abs(g.x - 7.5378) < 1e-6 and abs(g.y - 45.0087) < 1e-6


def test_file_senza_colonna_obbligatoria(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "osservazioni"], ["bisogno", "lavoro", "x"]])
    with pytest.raises(ImportaError, match=r"manca la colonna 'testo'.*Colonne trovate: tipo, tema, osservazioni"):
        importa_file(orbassano, f)
    # a column named as another program names it is read, and the report says so
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "descrizione"], ["bisogno", "lavoro", "x"]])
    r = importa_file(orbassano, f)
    assert r.importati == 1 and any("'descrizione' è stata letta come 'testo'" in a.motivo for a in r.avvisi)


def test_formato_non_letto(orbassano, tmp_path):
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    with pytest.raises(ImportaError, match=r"formato che mappe non legge"):
        importa_file(orbassano, tmp_path / "c.pdf")


def test_colonne_con_maiuscole_e_spazi(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["Tipo ", " Tema", "Testo", "Longitudine", "Latitudine"],
                                        ["bisogno", "lavoro", "x", "7.5378", "45.0087"]])
    assert importa_file(orbassano, f).importati == 1
