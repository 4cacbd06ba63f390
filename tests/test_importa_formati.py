"""Real-world files in: every input of the trustworthy-data issue, each on a real file."""

import zipfile

import geopandas as gpd
import openpyxl
import pytest
from conftest import contenuto_archivio, scrivi_csv
from shapely.geometry import LineString, Point, Polygon

from mappe.errori import ImportaError
from mappe.importa import Opzioni, importa_file, scrivi_scarti
from mappe.importa.tabelle import leggi_csv

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS

PUNTO = Point(7.5378, 45.0087)  # inside Orbassano


def _vicino(g, x=PUNTO.x, y=PUNTO.y, tol=1e-5):
    return abs(g.x - x) < tol and abs(g.y - y) < tol


def test_csv_separato_da_tabulazioni(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "t.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                        ["bisogno", "lavoro", "uno, due; tre", "7.5378", "45.0087"]], sep="\t")
    assert importa_file(orbassano, f).importati == 1
    assert orbassano.leggi("contributi").iloc[0]["testo"] == "uno, due; tre"


def test_bom_non_si_attacca_alla_prima_colonna(tmp_path):
    f = tmp_path / "b.csv"
    f.write_bytes("\ufefftipo;tema\nbisogno;lavoro\n".encode("utf-8"))
    assert list(leggi_csv(f).columns)[:2] == ["tipo", "tema"]


def test_xlsx_con_piu_fogli_e_intestazione_unita(orbassano, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Copertina"
    wb.active.append(["Progetto di prova"])
    ws = wb.create_sheet("Contributi FG1")
    ws.append(["Focus group del 23 novembre"])
    ws.merge_cells("A1:E1")
    ws.append(["tipo", "tema", "testo", "lon", "lat"])
    ws.append(["risorsa", "socialita", "Il circolo", 7.5378, 45.0087])
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(ImportaError):  # the first sheet is the cover
        importa_file(orbassano, tmp_path / "f.xlsx")
    r = importa_file(orbassano, tmp_path / "f.xlsx", opzioni=Opzioni(foglio="Contributi FG1"))
    assert r.importati == 1 and not r.respinti
    with pytest.raises(ImportaError, match="i fogli sono Copertina, Contributi FG1"):
        importa_file(orbassano, tmp_path / "f.xlsx", opzioni=Opzioni(foglio="Nessuno"))


def test_esportazione_kobo_con_geopoint_gruppi_e_uuid(orbassano, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["start", "end", "dati/tipo", "dati/tema", "dati/testo", "posizione", "_posizione_latitude",
               "_posizione_longitude", "_posizione_altitude", "_posizione_precision", "_uuid", "_submission_time"])
    ws.append(["2026-11-23T18:00", "2026-11-23T18:05", "bisogno", "mobilita", "Il pullman non passa",
               "45.0087 7.5378 250 5", 45.0087, 7.5378, 250, 5, "a1b2c3d4-0000-4000-8000-000000000001", "2026-11-23"])
    ws.append(["", "", "risorsa", "socialita", "Il circolo", "", 45.0050, 7.5420, "", "",
               "a1b2c3d4-0000-4000-8000-000000000002", "2026-11-23"])
    wb.save(tmp_path / "kobo.xlsx")
    r = importa_file(orbassano, tmp_path / "kobo.xlsx")
    assert r.importati == 2, r.respinti
    c = orbassano.leggi("contributi")
    assert list(c["id"]) == ["a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"]
    assert _vicino(c.geometry.iloc[0]) and _vicino(c.geometry.iloc[1], 7.5420, 45.0050)
    assert not any("start" in a.motivo for a in r.avvisi)  # form metadata is not reported as lost


def test_kobo_geotrace_e_geoshape(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "odk.csv", [
        ["tipo", "tema", "testo", "percorso", "zona"],
        ["memoria", "socialita", "La processione", "45.0087 7.5378 0 0;45.0050 7.5420 0 0", ""],
        ["proposta", "spazi_pubblici", "Un giardino", "",
         "45.008 7.538 0 0;45.008 7.540 0 0;45.010 7.540 0 0;45.010 7.538 0 0;45.008 7.538 0 0"],
    ], sep=";")
    assert importa_file(orbassano, f).importati == 2
    g = orbassano.leggi("contributi").geometry
    assert g.iloc[0].equals(LineString([(7.5378, 45.0087), (7.5420, 45.0050)]))
    assert g.iloc[1].geom_type == "Polygon" and g.iloc[1].equals(
        Polygon([(7.538, 45.008), (7.540, 45.008), (7.540, 45.010), (7.538, 45.010)]))


def test_xlsform_dal_catalogo_e_la_sua_esportazione_si_importa_senza_mappatura(cli, orbassano, tmp_path):
    f = tmp_path / "modulo.xlsx"
    r = cli("modello", "--xlsform", f)
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["survey", "choices", "settings"]
    survey = {row[1].value: row[0].value for row in wb["survey"].iter_rows(min_row=2)}
    assert survey["tipo"] == "select_one tipo" and survey["posizione"] == "geopoint"
    assert survey["sensibile"] == "select_one si_no" and survey["peso"] == "integer"
    scelte = {(row[0].value, row[1].value) for row in wb["choices"].iter_rows(min_row=2)}
    assert ("tipo", "bisogno") in scelte and ("tema", "socialita") in scelte
    # what KoboToolbox exports from it: the question names as headers, the choice names as values
    domande = [n for n in survey if n]
    esportazione = openpyxl.Workbook()
    ws = esportazione.active
    ws.append(["start", *domande, "_posizione_latitude", "_posizione_longitude", "_uuid", "_index"])
    valori = {"tipo": "emozione", "tema": "socialita", "testo": "La piazza la sera", "emozione": "amato",
              "fascia_eta": "giovani", "peso": 3, "visibilita": "pubblico", "sensibile": "no",
              "posizione": "45.0087 7.5378 0 4"}
    ws.append(["2026-11-23", *[valori.get(d) for d in domande], 45.0087, 7.5378, "uuid-1", 1])
    esportazione.save(tmp_path / "risposte.xlsx")
    r = importa_file(orbassano, tmp_path / "risposte.xlsx")
    assert r.importati == 1, r.respinti
    riga = orbassano.leggi("contributi").iloc[0]
    assert (riga["id"], riga["tipo"], riga["emozione"], riga["peso"]) == ("uuid-1", "emozione", "amato", 3)


@pytest.mark.parametrize("lon, lat", [
    ("7°32'16\"E", "45°00'31\"N"),
    ("7°32'16,08\"E", "45°00'31,32\"N"),
    ("7° 32' 16.08\" E", "N 45° 0' 31.32\""),
])
def test_gradi_primi_secondi(orbassano, tmp_path, lon, lat):
    f = scrivi_csv(tmp_path / "dms.csv", [["tipo", "tema", "testo", "lon", "lat"], ["bisogno", "lavoro", "x", lon, lat]])
    r = importa_file(orbassano, f)
    assert r.importati == 1, r.respinti
    assert _vicino(orbassano.leggi("contributi").geometry.iloc[0], 7.5378, 45.0087, 1e-3)


def test_coppia_in_gradi_in_una_colonna(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "dms.csv", [["tipo", "tema", "testo", "coordinate"],
                                          ["bisogno", "lavoro", "x", "45°00'31\"N 7°32'16\"E"]])
    assert importa_file(orbassano, f).importati == 1


def _gdf(solo_punti=False):
    seconda = Point(7.5420, 45.0050) if solo_punti else LineString([(7.5378, 45.0087), (7.5420, 45.0050)])
    return gpd.GeoDataFrame(
        {"tipo": ["bisogno", "memoria"], "tema": ["lavoro", "socialita"], "testo": ["Un bisogno", "Un ricordo"]},
        geometry=[PUNTO, seconda], crs="EPSG:4326",
    )


@pytest.mark.parametrize("epsg", [4326, 3003, 3004, 32632, 32633, 7791, 7792, 6707, 6708])
@pytest.mark.parametrize("formato", ["gpkg", "shp.zip", "geojson"])
def test_file_gis_nei_sistemi_italiani(orbassano, tmp_path, epsg, formato):
    g = _gdf(solo_punti=formato.startswith("shp")).to_crs(epsg)  # a shapefile holds one kind of shape
    if formato == "gpkg":
        f = tmp_path / "c.gpkg"
        g.to_file(f, driver="GPKG")
    elif formato == "geojson":
        f = tmp_path / "c.geojson"
        g.to_file(f, driver="GeoJSON")
    else:
        (tmp_path / "shp").mkdir()
        g.to_file(tmp_path / "shp" / "c.shp")
        f = tmp_path / "c.zip"
        with zipfile.ZipFile(f, "w") as z:
            for p in (tmp_path / "shp").iterdir():
                z.write(p, p.name)
    r = importa_file(orbassano, f)
    assert r.importati == 2, r.respinti
    geoms = orbassano.leggi("contributi").geometry
    assert _vicino(geoms.iloc[0], tol=2e-5)  # Gauss-Boaga's Helmert shift is a few metres at most
    assert geoms.iloc[1].geom_type == ("Point" if formato.startswith("shp") else "LineString")


def test_kml(orbassano, tmp_path):
    _gdf().to_file(tmp_path / "c.kml", driver="KML")
    r = importa_file(orbassano, tmp_path / "c.kml")
    assert r.importati == 2, r.respinti


def test_shapefile_senza_prj_rifiutato_con_spiegazione_e_crs_esplicito(orbassano, tmp_path):
    _gdf(solo_punti=True).to_crs(3003).to_file(tmp_path / "c.shp")
    (tmp_path / "c.prj").unlink()
    with pytest.raises(ImportaError, match=r"non dice in che sistema di coordinate.*--crs"):
        importa_file(orbassano, tmp_path / "c.shp")
    assert importa_file(orbassano, tmp_path / "c.shp", opzioni=Opzioni(crs="EPSG:3003")).importati == 2


def test_crs_dichiarato_sbagliato_rifiutato_con_suggerimento(orbassano, tmp_path):
    g = _gdf().to_crs(3003).set_crs(32632, allow_override=True)  # Gauss-Boaga numbers labelled as UTM
    g.to_file(tmp_path / "c.gpkg", driver="GPKG")
    prima = contenuto_archivio(orbassano)
    with pytest.raises(ImportaError, match=r"cadono a .* km dal comune di Orbassano.*EPSG:32632.*--crs EPSG:3003"):
        importa_file(orbassano, tmp_path / "c.gpkg")
    assert contenuto_archivio(orbassano) == prima


def test_colonne_con_altri_nomi(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["Tipo ", "Area", "descrizione"], ["bisogno", "lavoro", "Manca lavoro"]])
    with pytest.raises(ImportaError, match=r"manca la colonna 'tema'"):
        importa_file(orbassano, f)
    r = importa_file(orbassano, f, opzioni=Opzioni(colonne={"tema": "Area", "testo": "descrizione"}))
    assert r.importati == 1
    with pytest.raises(ImportaError, match=r"non ha una colonna 'Nessuna'"):
        importa_file(orbassano, f, opzioni=Opzioni(colonne={"testo": "Nessuna"}))


def test_scambia_coordinate_e_fuori_comune(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                        ["bisogno", "lavoro", "scambiate", "45.0087", "7.5378"]])
    r = importa_file(orbassano, f)
    assert r.respinti and "--scambia-coordinate" in r.respinti[0].motivo
    assert importa_file(orbassano, f, opzioni=Opzioni(scambia_coordinate=True)).importati == 1
    fuori = scrivi_csv(tmp_path / "f.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                            ["bisogno", "lavoro", "a Torino", "7.6869", "45.0703"]])
    r = importa_file(orbassano, fuori)
    assert r.respinti and "--fuori-comune accetta" in r.respinti[0].motivo
    assert importa_file(orbassano, fuori, opzioni=Opzioni(fuori_comune="accetta")).importati == 1


def test_coordinate_nan_respinte(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "lon", "lat"], ["bisogno", "lavoro", "x", "NaN", "NaN"]])
    r = importa_file(orbassano, f)
    assert r.respinti and r.respinti[0].campo == "lon"


def test_zone_non_valide_riparate_solo_se_poco_cambiate(orbassano, tmp_path):
    # a tiny spike crossing its own edge: the repair keeps a polygon of the same area
    piccolo_difetto = Polygon([(7.538 + x * 0.0002, 45.008 + y * 0.0002)
                               for x, y in [(0, 0), (10, 0), (10, 10), (5, 10), (5, 9.9), (5.1, 10.1), (0, 10)]])
    farfalla = Polygon([(7.538, 45.008), (7.540, 45.010), (7.540, 45.008), (7.538, 45.010)])
    gdf = gpd.GeoDataFrame({"tipo": ["bisogno", "bisogno"], "tema": ["lavoro", "lavoro"], "testo": ["ok", "farfalla"]},
                           geometry=[piccolo_difetto, farfalla], crs=4326)
    assert not piccolo_difetto.is_valid and not farfalla.is_valid
    gdf.to_file(tmp_path / "z.geojson", driver="GeoJSON")
    r = importa_file(orbassano, tmp_path / "z.geojson")
    assert r.importati == 1
    assert r.respinti[0].riga == 2 and r.respinti[0].campo == "geometria"
    g = orbassano.leggi("contributi").geometry.iloc[0]
    assert g.is_valid and g.geom_type == "Polygon"


def test_il_conto_torna_e_gli_scarti_si_correggono_e_reimportano(orbassano, tmp_path, cli):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "lon", "lat"],
        ["bisogno", "lavoro", "buona", "7.5378", "45.0087"],
        ["bisogni", "lavoro", "tipo sbagliato", "7.5378", "45.0087"],
        ["bisogno", "lavoro", "buona", "7.5378", "45.0087"],
        ["risorsa", "socialita", "scambiata", "45.0050", "7.5420"],
    ], sep=";")
    r = cli("importa", f, "--comune", "Orbassano", "--scarti", tmp_path / "scarti.csv")
    assert r.exit_code == 1
    assert "importati: 1, aggiornati: 0, già presenti: 1, respinti: 2 (righe nel file: 4)" in r.output
    scarti = leggi_csv(tmp_path / "scarti.csv")
    assert list(scarti["testo"]) == ["tipo sbagliato", "scambiata"]
    assert "volevi dire 'bisogno'" in scarti["errore"].iloc[0]
    # the facilitator fixes the two rows in Excel and imports the file of rejects
    scrivi_csv(tmp_path / "scarti.csv", [
        ["errore", "tipo", "tema", "testo", "lon", "lat"],
        ["", "bisogno", "lavoro", "tipo sbagliato", "7.5378", "45.0087"],
        ["", "risorsa", "socialita", "scambiata", "7.5420", "45.0050"],
    ], encoding="utf-8-sig", sep=";")
    r = cli("importa", tmp_path / "scarti.csv", "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert len(orbassano.leggi("contributi")) == 3


def test_scarti_di_un_file_gis_hanno_la_forma_in_wkt(orbassano, tmp_path):
    gdf = gpd.GeoDataFrame({"tipo": ["bisogni"], "tema": ["lavoro"], "testo": ["x"]}, geometry=[PUNTO], crs=4326)
    gdf.to_file(tmp_path / "c.geojson", driver="GeoJSON")
    r = importa_file(orbassano, tmp_path / "c.geojson")
    scrivi_scarti(r, tmp_path / "s.csv")
    s = leggi_csv(tmp_path / "s.csv")
    assert s["wkt"].iloc[0].startswith("POINT (7.5378 45.0087")


def test_colonna_ripetuta_e_file_rinominato(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "tipo"], ["bisogno", "lavoro", "x", "risorsa"]])
    with pytest.raises(ImportaError, match="la colonna 'tipo' compare due volte"):
        importa_file(orbassano, f)
    falso = tmp_path / "falso.xlsx"
    falso.write_text("tipo;tema\n", encoding="utf-8")
    with pytest.raises(ImportaError, match="forse è un CSV"):
        importa_file(orbassano, falso)
    rotto = tmp_path / "rotto.geojson"
    rotto.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(ImportaError, match="sembra rovinato o incompleto"):
        importa_file(orbassano, rotto)


def test_foglio_di_luoghi_importato_come_contributi(orbassano, luoghi_csv):
    with pytest.raises(ImportaError, match="sembra un foglio di luoghi.*--strato luoghi"):
        importa_file(orbassano, luoghi_csv)


def test_risponde_a_con_il_titolo_del_bisogno(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "titolo", "testo"], ["bisogno", "lavoro", "Manca lavoro", "x"]])
    importa_file(orbassano, f)
    g = scrivi_csv(tmp_path / "r.csv", [["tipo", "tema", "testo", "risponde_a"],
                                        ["risorsa", "lavoro", "La bottega", "manca lavoro"]])
    assert importa_file(orbassano, g).importati == 1
    c = orbassano.leggi("contributi")
    assert c.iloc[1]["risponde_a"] == c.iloc[0]["id"]


def test_riga_con_piu_errori_li_dice_tutti(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "i.csv", [["id", "data", "partecipanti", "fasce_eta"], ["FG-1", "31/02/2026", "dieci", "ragazzi"]])
    r = importa_file(orbassano, f, "incontri")
    m = r.respinti[0].motivo
    assert r.respinti[0].campo == "data" and "'partecipanti'" in m and "'fasce_eta'" in m


def test_colonne_sconosciute_e_doppioni_segnalati(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "partecipante"],
                                        ["bisogno", "lavoro", "x", "Maria"], ["bisogno", "lavoro", "x", "Maria"]])
    r = importa_file(orbassano, f)
    testi = [str(a) for a in r.avvisi]
    assert any("'partecipante'" in t for t in testi)
    assert any(t.startswith("riga 3") and "uguale a un'altra riga" in t for t in testi)


def test_correzione_senza_id_avvisata(orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo"], ["bisogno", "lavoro", "La sera non c'è niente da fare per i ragazzi"]])
    importa_file(orbassano, f)
    scrivi_csv(f, [["tipo", "tema", "testo"], ["bisogno", "socialita", "La sera non c'è niente da fare per i ragazzi"]])
    r = importa_file(orbassano, f)
    assert any("sembra una correzione" in a.motivo for a in r.avvisi)


def test_esportazione_parziale_reimportata_non_cancella_i_campi_privati(orbassano, tmp_path, cli):
    f = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "autore", "lon", "lat"],
                                        ["bisogno", "lavoro", "x", "Giovanna", "7.5378", "45.0087"]])
    importa_file(orbassano, f)
    assert cli("esporta", "Orbassano", "-o", tmp_path / "e.csv").exit_code == 0
    assert "Giovanna" not in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    r = cli("importa", tmp_path / "e.csv", "--comune", "Orbassano")
    assert "già presenti: 1" in r.output
    assert orbassano.leggi("contributi").iloc[0]["autore"] == "Giovanna"
