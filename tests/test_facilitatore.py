"""A facilitator's real files and words (issue 16): each rough edge found by trying the tool as a
new user would, on real files written by real libraries, through the real command line."""

from __future__ import annotations

import re

import pytest
from conftest import scrivi_csv

from mappe.importa.tabelle import leggi_csv


def test_il_file_degli_scarti_si_reimporta_anche_se_una_riga_e_ancora_sbagliata(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "lon", "lat"],
        ["bisogni", "lavoro", "tipo sbagliato", "7.5378", "45.0087"],
        ["risorsa", "socialitaa", "tema sbagliato", "7.5420", "45.0050"],
    ], sep=";")
    r = cli("importa", f, "--comune", "Orbassano", "--scarti", tmp_path / "da-correggere.csv")
    assert r.exit_code == 1
    # the facilitator fixes one row only, and tries the file mappe wrote, first with --prova
    scarti = leggi_csv(tmp_path / "da-correggere.csv")
    assert scarti.columns[0] == "errore"
    righe = [list(scarti.columns)] + [list(x) for x in scarti.astype(str).itertuples(index=False)]
    righe[1][righe[0].index("tipo")] = "bisogno"
    scrivi_csv(tmp_path / "da-correggere.csv", righe, encoding="utf-8-sig", sep=";")
    for prova in (["--prova"], []):
        r = cli("importa", tmp_path / "da-correggere.csv", "--comune", "Orbassano", *prova,
                "--scarti", tmp_path / "ancora.csv")
        assert r.exit_code == 1, r.output
        assert "Errore imprevisto" not in r.output and "Traceback" not in r.output
        assert "riga 3" in r.output and "socialitaa" in r.output
    # the row fixed is in, the other one is in the new file of rejects, with today's reason only
    assert list(orbassano.leggi("contributi")["testo"]) == ["tipo sbagliato"]
    ancora = leggi_csv(tmp_path / "ancora.csv")
    assert list(ancora["testo"]) == ["tema sbagliato"]
    assert list(ancora.columns).count("errore") == 1 and "socialitaa" in ancora["errore"].iloc[0]


@pytest.mark.parametrize("formato", ["ods", "xls"])
def test_libreoffice_e_il_vecchio_excel(cli, orbassano, tmp_path, formato):
    """An .ods (LibreOffice, written by odfpy) and an .xls (Excel 97-2003, written by xlwt): a title row
    above the header, a second sheet chosen with --foglio, the row numbers a person sees."""
    righe = [["Focus group del 23 novembre", None, None, None, None], [None] * 5,
             ["tipo", "tema", "testo", "lon", "lat"],
             ["bisogno", "lavoro", "Il lavoro è lontano", 7.5378, 45.0087],
             ["risorsa", "socialitaa", "Il circolo", 7.5420, 45.0050]]
    f = tmp_path / f"contributi.{formato}"
    if formato == "xls":
        import xlwt

        wb = xlwt.Workbook()
        wb.add_sheet("Copertina").write(0, 0, "Progetto")
        ws = wb.add_sheet("FG1")
        for i, riga in enumerate(righe):
            for j, v in enumerate(riga):
                if v is not None:
                    ws.write(i, j, v)
        wb.save(str(f))
    else:
        import pandas as pd

        with pd.ExcelWriter(f, engine="odf") as w:
            pd.DataFrame([["Progetto"]]).to_excel(w, sheet_name="Copertina", header=False, index=False)
            pd.DataFrame(righe).to_excel(w, sheet_name="FG1", header=False, index=False)
    r = cli("importa", f, "--comune", "Orbassano", "--foglio", "fg1")  # as typed: any case
    assert r.exit_code == 1, r.output  # one row is wrong: said, with the row number of the sheet
    assert "riga 5" in r.output and "socialitaa" in r.output and "importati: 1" in r.output
    c = orbassano.leggi("contributi")
    assert list(c["testo"]) == ["Il lavoro è lontano"]
    assert abs(c.geometry.iloc[0].x - 7.5378) < 1e-9
    r = cli("importa", f, "--comune", "Orbassano", "--foglio", "Nessuno")
    assert r.exit_code == 1 and "non ha un foglio 'Nessuno'" in r.output and "FG1" in r.output


def test_testo_unicode_di_excel_utf16(cli, orbassano, tmp_path):
    f = tmp_path / "testo-unicode.txt"
    f.write_bytes("tipo\ttema\ttesto\tlon\tlat\r\nbisogno\tlavoro\tÈ lontano, però\t7.5378\t45.0087\r\n"
                  .encode("utf-16"))
    assert f.read_bytes()[:2] == b"\xff\xfe"
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert list(orbassano.leggi("contributi")["testo"]) == ["È lontano, però"]


def test_un_separatore_in_piu_dice_quale_riga_e_non_cinque_errori(cli, orbassano, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("tipo;tema;testo;lon;lat\n"
                 "bisogno;lavoro;Il lavoro; è lontano;7.5378;45.0087\n"
                 "risorsa;socialita;Il circolo;7.5420;45.0050\n", encoding="utf-8")
    r = cli("importa", f, "--comune", "Orbassano", "--scarti", tmp_path / "scarti.csv")
    assert r.exit_code == 1
    righe_riga2 = [x for x in r.output.splitlines() if "riga 2" in x]
    assert len(righe_riga2) == 1, r.output
    assert "ha 6 campi e l'intestazione 5" in righe_riga2[0] and "';'" in righe_riga2[0]
    assert "'45.0087'" in righe_riga2[0]
    assert list(orbassano.leggi("contributi")["testo"]) == ["Il circolo"]
    scarti = leggi_csv(tmp_path / "scarti.csv")
    assert "_errore_riga" not in scarti.columns and "ha 6 campi" in scarti["errore"].iloc[0]


def test_una_riga_vera_uguale_all_esempio_del_modello_si_importa(cli, orbassano, tmp_path):
    """The template's example row is known by its mark, not by its words: a real "Bar della piazza" at
    the example's position is imported, and so is the contribution that cites it."""
    import openpyxl

    f = tmp_path / "luoghi.xlsx"
    cli("modello", f, "--strato", "luoghi")
    wb = openpyxl.load_workbook(f)
    ws = wb.worksheets[0]
    colonne = [c.value for c in ws[1]]
    esempio = [c.value for c in ws[2]]
    assert esempio[colonne.index("id")] == "ESEMPIO"
    vero = list(esempio)
    vero[colonne.index("id")] = None  # the same words and place, a real row
    ws.append(vero)
    wb.save(f)
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "luoghi")
    assert r.exit_code == 0, r.output
    assert "riga 2: è la riga di esempio del modello: ignorata" in r.output
    assert list(orbassano.leggi("luoghi")["nome"]) == ["Bar della piazza"]
    c = scrivi_csv(tmp_path / "c.csv", [["tipo", "tema", "testo", "luogo"],
                                        ["risorsa", "socialita", "Ci si trova al bar", "Bar della piazza"]])
    r = cli("importa", c, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert len(orbassano.leggi("contributi")) == 1


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="OsmAnd Maps 4.6" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:osmand="https://osmand.net">
  <metadata><name>Passeggiata di quartiere</name><time>2026-10-17T15:00:00Z</time></metadata>
  <wpt lat="45.0087" lon="7.5378"><ele>262.4</ele><time>2026-10-17T15:05:00Z</time><name>La panchina rotta</name>
    <desc>Qui gli anziani si sedevano, ora è rotta da un anno</desc>
    <extensions><osmand:icon>special_star</osmand:icon></extensions></wpt>
  <wpt lat="45.0050" lon="7.5420"><ele>260.1</ele><time>2026-10-17T15:20:00Z</time><name>Il murale</name>
    <desc>I ragazzi l'hanno dipinto insieme</desc></wpt>
  <trk><name>Giro del quartiere</name><desc>Il percorso fatto con il gruppo di cammino</desc><trkseg>
    <trkpt lat="45.0087" lon="7.5378"><ele>262</ele><time>2026-10-17T15:05:00Z</time></trkpt>
    <trkpt lat="45.0070" lon="7.5400"><ele>261</ele><time>2026-10-17T15:10:00Z</time></trkpt>
    <trkpt lat="45.0050" lon="7.5420"><ele>260</ele><time>2026-10-17T15:20:00Z</time></trkpt>
  </trkseg></trk>
</gpx>
"""


def test_una_passeggiata_registrata_con_il_telefono(cli, orbassano, tmp_path):
    """GPX of a walking interview: the marked places are points, the walk is a path; the kind and
    theme, which a GPS app does not know, are given with --imposta."""
    f = tmp_path / "passeggiata.gpx"
    f.write_text(GPX, encoding="utf-8")
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 1 and "manca la colonna 'tipo'" in r.output and "--imposta tipo=" in r.output
    r = cli("importa", f, "--comune", "Orbassano", "--imposta", "tipo=memoria", "--imposta", "tema=socialita")
    assert r.exit_code == 0, r.output
    assert "importati: 3" in r.output and "la colonna 'name' è stata letta come 'titolo'" in r.output
    assert "'ele'" not in r.output and "'time'" not in r.output  # what the receiver adds is not the people's
    c = orbassano.leggi("contributi").set_index("titolo")
    assert set(c["tipo"]) == {"memoria"} and set(c["tema"]) == {"socialita"}
    assert c.loc["La panchina rotta", "testo"] == "Qui gli anziani si sedevano, ora è rotta da un anno"
    assert c.loc["La panchina rotta"].geometry.geom_type == "Point"
    percorso = c.loc["Giro del quartiere"].geometry
    assert percorso.geom_type == "LineString" and len(percorso.coords) == 3


def test_una_mappa_di_umap_con_name_e_una_zona_non_chiusa(cli, orbassano, tmp_path):
    """A uMap export: 'name' and 'description', no 'categoria' (given with --imposta), and one zone whose
    ring does not close: that row is refused with its number, the others are imported."""
    import json

    f = tmp_path / "umap.geojson"
    f.write_text(json.dumps({"type": "FeatureCollection", "_umap_options": {"name": "Mappa del quartiere"},
                             "features": [
        {"type": "Feature", "properties": {"name": "Bar Sport", "description": "Si gioca a carte"},
         "geometry": {"type": "Point", "coordinates": [7.5378, 45.0087]}},
        {"type": "Feature", "properties": {"name": "Giardinetti", "description": "La zona verde"},
         "geometry": {"type": "Polygon", "coordinates": [[[7.538, 45.008], [7.539, 45.008], [7.539, 45.009]]]}},
        {"type": "Feature", "properties": {"name": "Campo", "description": "Il campo da calcio"},
         "geometry": {"type": "Point", "coordinates": [7.5420, 45.0050]}},
    ]}), encoding="utf-8")
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "luoghi", "--imposta", "categoria=altro")
    assert r.exit_code == 1
    assert "riga 2: la zona non è chiusa" in r.output and "rovinato" not in r.output
    assert "la colonna 'name' è stata letta come 'nome'" in r.output
    lg = orbassano.leggi("luoghi").set_index("nome")
    assert list(lg.index) == ["Bar Sport", "Campo"] and set(lg["categoria"]) == {"altro"}
    assert lg.loc["Bar Sport", "descrizione"] == "Si gioca a carte"
    # --imposta fills only what the file does not say, and only fields that exist
    r = cli("importa", f, "--comune", "Orbassano", "--strato", "luoghi", "--imposta", "colore=rosso")
    assert r.exit_code == 1 and "'colore' non è un campo dello strato luoghi" in r.output
    r = cli("importa", f, "--comune", "Orbassano", "--imposta", "tipo")
    assert r.exit_code == 2 and "campo=valore" in r.output


def test_piccoli_difetti_dell_uscita(cli, orbassano, tmp_path):
    """scoperti without 'nan'; an export without an extension asks for one; --crs with a sheet is said
    to be ignored."""
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "lon", "lat"],
        ["bisogno", "lavoro", "Il lavoro è lontano e non c'è un autobus", "7.5378", "45.0087"],
    ])
    r = cli("importa", f, "--comune", "Orbassano", "--crs", "EPSG:3003")
    assert r.exit_code == 0 and "--crs vale solo per i file GIS ed è stato ignorato" in r.output
    r = cli("scoperti", "Orbassano")
    assert "1 bisogno senza risposta" in r.output and "nan" not in r.output
    assert "Il lavoro è lontano" in r.output
    r = cli("esporta", "Orbassano", "-o", tmp_path / "elenco")
    assert r.exit_code == 1 and "non ha un'estensione" in r.output and "elenco.xlsx" in r.output
    assert "Il formato ''" not in r.output
    r = cli("esporta", "Orbassano", "-o", tmp_path / "elenco", "--formato", "csv")
    assert r.exit_code == 0, r.output


def test_esportazioni_e_scarti_come_li_legge_excel_italiano(cli, orbassano, tmp_path):
    """An export says sì/no as the template does, and imports back; the rejects of a sheet are written
    with a decimal comma (Italian Excel reads 45.0087 as 450.087)."""
    import openpyxl

    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "testo", "sensibile", "lon", "lat"],
        ["bisogno", "lavoro", "Il lavoro è lontano", "no", "7.5378", "45.0087"],
        ["memoria", "socialita", "La casa della nonna", "sì", "7.5420", "45.0050"],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    r = cli("esporta", "Orbassano", "--completo", "-o", tmp_path / "tutto.csv")
    assert r.exit_code == 0, r.output
    tutto = leggi_csv(tmp_path / "tutto.csv")
    assert dict(zip(tutto["testo"], tutto["sensibile"])) == {"Il lavoro è lontano": "no", "La casa della nonna": "sì"}
    r = cli("importa", tmp_path / "tutto.csv", "--comune", "Orbassano")
    assert r.exit_code == 0 and "già presenti: 2" in r.output, r.output
    # a sheet with one wrong row: the file of rejects keeps the coordinates readable for Italian Excel
    wb = openpyxl.Workbook()
    wb.active.append(["tipo", "tema", "testo", "lon", "lat"])
    wb.active.append(["bisogni", "lavoro", "Tipo sbagliato", 7.5378, 45.0087])
    wb.save(tmp_path / "foglio.xlsx")
    cli("importa", tmp_path / "foglio.xlsx", "--comune", "Orbassano", "--scarti", tmp_path / "scarti.csv")
    testo = (tmp_path / "scarti.csv").read_text(encoding="utf-8-sig")
    assert "7,5378;45,0087" in testo and "45.0087" not in testo


def test_comuni_con_lo_stesso_nome_bilingui_e_forme_brevi(cli, area, tmp_path):
    r = cli("comuni", "aggiungi", "Castro", "--provincia", "BG")
    assert r.exit_code == 0, r.output
    # the workspace holds one Castro: the name alone finds it
    r = cli("mappa", "Castro", "-o", tmp_path / "castro.html")
    assert r.exit_code == 0, r.output
    # the other one is not there: the hint is a command that works
    r = cli("mappa", "Castro (LE)", "-o", tmp_path / "x.html")
    assert r.exit_code == 1 and "mappe comuni aggiungi \"Castro\" --provincia LE" in r.output
    r = cli("comuni", "aggiungi", "Castro", "--provincia", "LE")
    assert r.exit_code == 0
    r = cli("mappa", "Castro", "-o", tmp_path / "x.html")
    assert r.exit_code == 1 and "ambiguo" in r.output
    # lists and checks name it with its province
    r = cli("verifica")
    assert "Castro (BG): tutto a posto" in r.output and "Castro (LE): tutto a posto" in r.output
    r = cli("riepilogo", "-o", tmp_path / "r.csv")
    assert r.exit_code == 0
    assert "Castro (BG);" in (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    r = cli("territorio", "-o", tmp_path / "t.html")
    assert r.exit_code == 0 and "Castro (LE)" in (tmp_path / "t.html").read_text(encoding="utf-8")
    # bilingual names by either part; the common short form of an official name
    for nome, ufficiale in (("Bozen", "Bolzano/Bozen"), ("Bolzano", "Bolzano/Bozen"), ("Brixen", "Bressanone/Brixen"),
                            ("Reggio Emilia", "Reggio nell'Emilia"), ("Reggio Calabria", "Reggio di Calabria")):
        r = cli("comuni", "aggiungi", nome)
        assert r.exit_code == 0 and r.output.startswith(ufficiale), (nome, r.output)
    assert cli("mappa", "Bozen", "-o", tmp_path / "bz.html").exit_code == 0


def test_cerca_trova_il_codice_da_usare(cli, orbassano, tmp_path):
    f = scrivi_csv(tmp_path / "c.csv", [
        ["tipo", "tema", "titolo", "testo", "lon", "lat"],
        ["risorsa", "socialita", "Il circolo delle bocce", "Il giovedì si gioca a bocce", "7.5378", "45.0087"],
        ["bisogno", "lavoro", "", "Il lavoro è lontano", "7.5420", "45.0050"],
    ])
    assert cli("importa", f, "--comune", "Orbassano").exit_code == 0
    r = cli("cerca", "Orbassano", "CIRCOLO", "bocce")
    assert r.exit_code == 0 and "1 risultato" in r.output
    codice = re.search(r"\b(c-[0-9a-f]{16})\b", r.output).group(1)
    assert "Risorsa · Socialità" in r.output and "Il circolo delle bocce" in r.output
    r = cli("modifica", "Orbassano", codice, "--titolo", "Il circolo")
    assert r.exit_code == 0, r.output
    assert "Il circolo" in set(orbassano.leggi("contributi")["titolo"])
    r = cli("cerca", "Orbassano", "nessuno")
    assert "niente che contenga «nessuno»" in r.output
    r = cli("modifica", "-h")
    assert "COMUNE ID" in r.output and "tema, titolo, testo" in r.output


def test_il_territorio_di_comuni_lontani_ha_l_italia_intorno(cli, area, tmp_path):
    import json

    from mappe.rendi.mappa import testo_dati

    r = cli("territorio", "-o", tmp_path / "vicini.html")  # Orbassano alone: its neighbours are enough
    assert r.exit_code == 0
    assert json.loads(testo_dati((tmp_path / "vicini.html").read_text(encoding="utf-8"))).get("regioni") is None
    assert cli("comuni", "aggiungi", "Castro", "--provincia", "LE").exit_code == 0  # 900 km away
    r = cli("territorio", "-o", tmp_path / "lontani.html")
    assert r.exit_code == 0
    dati = json.loads(testo_dati((tmp_path / "lontani.html").read_text(encoding="utf-8")))
    assert len(dati["regioni"]["g"]) == 20 and "Puglia" in dati["regioni"]["nome"]
    assert "Piemonte" in dati["regioni"]["nome"]


def _clic_mappa(p, lon, lat):
    x, y = p.evaluate("""([lon, lat]) => { const el = document.querySelector('.folium-map'); const m = window[el.id];
        const pt = m.latLngToContainerPoint([lat, lon]); const r = el.getBoundingClientRect();
        return [r.left + pt.x, r.top + pt.y]; }""", [lon, lat])
    p.mouse.click(x, y)


def test_gli_indirizzi_non_si_perdono(cli, orbassano, tmp_path, pagina_offline):
    """An address in words is kept and shown in the card; a row with an address and no position is
    listed as to be placed, and the editor finds it by its address and places it with a tap. The
    address of a sensitive row never reaches the public (it is the place that was moved)."""
    import json

    from mappe.rendi.mappa import testo_dati

    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "testo", "address", "sensibile", "lon", "lat"],
        ["c-1", "bisogno", "mobilita", "Il marciapiede è rotto davanti alla farmacia", "Via Roma 12", "no", "", ""],
        ["c-2", "risorsa", "socialita", "Il circolo delle bocce", "Piazza Umberto I", "no", "7.5378", "45.0087"],
        ["c-3", "bisogno", "abitare", "Una famiglia vive in un garage", "Via dei Mulini 7", "sì", "7.5420", "45.0050"],
    ])
    r = cli("importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0, r.output
    assert "la colonna 'address' è stata letta come 'indirizzo'" in r.output
    assert "Da collocare: 1 riga con l'indirizzo ma senza coordinate" in r.output and "riga 2: Via Roma 12" in r.output
    c = orbassano.leggi("contributi").set_index("id")
    assert c.loc["c-1", "indirizzo"] == "Via Roma 12" and c.loc["c-1"].geometry is None
    # the public map: the address in the card, never the sensitive one
    mappa = tmp_path / "mappa.html"
    assert cli("mappa", "Orbassano", "-o", mappa).exit_code == 0
    html = mappa.read_text(encoding="utf-8")
    assert "Via dei Mulini" not in html
    assert "Piazza Umberto I" in json.dumps(json.loads(testo_dati(html))["contributi"]["indirizzo"])
    p = pagina_offline
    p.goto(mappa.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    assert "Indirizzo: Piazza Umberto I" in p.locator("#mappe-elenco").inner_text()
    # the editor: found by its address, placed with a tap
    editor = tmp_path / "rilievo.html"
    assert cli("rilievo", "Orbassano", "-o", editor).exit_code == 0
    p.goto(editor.as_uri())
    p.wait_for_function("document.documentElement.dataset.mappePronta === '1'")
    assert "(Via Roma 12)" in p.locator(".mappe-da-collocare").inner_text()
    p.evaluate("window[document.querySelector('.folium-map').id].setView([45.0075, 7.5395], 16, {animate: false})")
    p.locator("#mappe-cerca-luogo").fill("via roma")
    p.keyboard.press("Enter")
    _clic_mappa(p, 7.5400, 45.0070)
    p.locator(".mappe-salva").click()
    assert p.locator(".mappe-da-collocare li").count() == 0 and p.locator(".mappe-aggiunti li").count() == 1
    with p.expect_download() as scaricato:
        p.locator(".mappe-esporta").click()
    geojson = tmp_path / "rilievo.geojson"
    scaricato.value.save_as(geojson)
    assert p.errori == [] and p.richieste_rifiutate == []
    r = cli("importa", geojson, "--comune", "Orbassano")
    assert r.exit_code == 0 and "aggiornati: 1" in r.output, r.output
    c = orbassano.leggi("contributi").set_index("id")
    assert c.loc["c-1"].geometry is not None and c.loc["c-1", "indirizzo"] == "Via Roma 12"


def test_una_traccia_di_strava_con_il_solo_nome(cli, orbassano, tmp_path):
    f = tmp_path / "strava.gpx"
    f.write_text("""<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
 <metadata><time>2026-10-17T15:00:00Z</time></metadata>
 <trk><name>Camminata del giovedì</name><type>walking</type><trkseg>
  <trkpt lat="45.0087" lon="7.5378"><ele>262.0</ele><time>2026-10-17T15:05:00Z</time></trkpt>
  <trkpt lat="45.0050" lon="7.5420"><ele>260.0</ele><time>2026-10-17T15:20:00Z</time></trkpt>
 </trkseg></trk>
</gpx>""", encoding="utf-8")
    r = cli("importa", f, "--comune", "Orbassano", "--imposta", "tipo=risorsa", "--imposta", "tema=socialita")
    assert r.exit_code == 0, r.output
    c = orbassano.leggi("contributi")
    assert list(c["testo"]) == ["Camminata del giovedì"] and c.geometry.iloc[0].geom_type == "LineString"
    # homonyms of a comparison written twice: one clear sentence
    assert cli("comuni", "aggiungi", "Volvera").exit_code == 0
    r = cli("confronta", "--intervento", "Orbassano,Orbassano", "--controllo", "Volvera")
    assert r.exit_code == 1 and "scritto due volte" in r.output
    r = cli("comuni", "aggiungi", "Sgonico")
    assert r.exit_code == 0 and r.output.startswith("Sgonico-Zgonik")
