import geopandas as gpd
import pyogrio
import pytest
from conftest import contenuto_archivio
from shapely.geometry import Point

from mappe.archivio import Area, crea_area
from mappe.errori import AreaError, ComuneError

ENTRAMBI_ARCHIVI = True  # the store, import, correction and erasure tests run on GeoPackage and on PostGIS


def test_comune_aggiunto_ha_tutti_gli_strati_e_i_dati_istat(orbassano):
    nomi = set(orbassano.strati_presenti())
    assert {"confine", "contributi", "luoghi", "incontri", "riscontri", "comune", "popolazione"} <= nomi
    info = orbassano.info
    assert (info["nome"], info["codice_istat"], info["provincia"], info["sigla"]) == ("Orbassano", "001171", "Torino", "TO")
    assert info["popolazione"] == orbassano.popolazione()["totale"].sum() > 20000
    assert orbassano.conta() == {"contributi": 0, "luoghi": 0, "incontri": 0, "riscontri": 0, "iniziative": 0}
    if orbassano.su_file:
        assert orbassano.gpkg == orbassano.cartella / "orbassano.gpkg"
        assert orbassano.cartella.parent.name == "comuni"
        assert set(pyogrio.list_layers(orbassano.gpkg)[:, 0]) == nomi


def test_scrittura_e_rilettura(orbassano):
    c = orbassano.leggi("contributi")
    nuovo = gpd.GeoDataFrame(
        {"id": ["c-1"], "tipo": ["bisogno"], "tema": ["lavoro"], "testo": ["Perché è così? «virgolette» e 日本"],
         "peso": [3], "sensibile": [1], "visibilita": ["pubblico"]},
        geometry=[Point(7.5378, 45.0087)], crs="EPSG:4326",
    )
    orbassano.scrivi({"contributi": gpd.GeoDataFrame(__import__("pandas").concat([c, nuovo]), crs="EPSG:4326")})
    letto = orbassano.leggi("contributi")
    r = letto.iloc[0]
    assert r["testo"] == "Perché è così? «virgolette» e 日本"
    assert r["peso"] == 3 and r["sensibile"] == 1
    assert r.geometry.equals(Point(7.5378, 45.0087))


def test_scrittura_fallita_lascia_il_file_come_era(orbassano, monkeypatch):
    c = orbassano.leggi("contributi")
    nuovo = gpd.GeoDataFrame({"id": ["c-1", "c-2"], "tipo": ["bisogno"] * 2, "tema": ["lavoro"] * 2,
                              "testo": ["uno", "due"]}, geometry=[Point(7.5378, 45.0087)] * 2, crs="EPSG:4326")
    orbassano.scrivi({"contributi": gpd.GeoDataFrame(__import__("pandas").concat([c, nuovo]), crs="EPSG:4326")})
    prima = contenuto_archivio(orbassano)
    rotto = orbassano.leggi("contributi").iloc[1:].copy()  # one row removed, one changed, one added
    rotto.loc[rotto.index[0], "testo"] = "cambiato"
    rotto = gpd.GeoDataFrame(__import__("pandas").concat([rotto, nuovo.iloc[:1].assign(id="c-3")]), crs="EPSG:4326")

    class Esplode(Exception):
        pass

    def scrivi_rotto(*a, **k):
        raise Esplode()

    # the last step of a write on each store: on PostgreSQL after the rows removed and changed have gone
    import mappe.archivio as arch
    from mappe import postgis

    if orbassano.su_file:
        monkeypatch.setattr(arch, "_scrivi_strato", scrivi_rotto)
    else:
        monkeypatch.setattr(postgis.ArchivioPostgis, "_copia_dentro", scrivi_rotto)
    with pytest.raises(Esplode):
        orbassano.scrivi({"contributi": rotto})
    monkeypatch.undo()
    assert contenuto_archivio(orbassano) == prima
    assert list(orbassano.leggi("contributi")["testo"]) == ["uno", "due"]
    if orbassano.su_file:
        assert not [p.name for p in orbassano.cartella.iterdir() if p.name.startswith(".scrittura")]


def test_archivio_per_nome_codice_o_cartella(area):
    for testo in ("Orbassano", "orbassano", "001171", "1171"):
        assert area.archivio(testo).slug == "orbassano"


def test_comune_non_nell_area(area):
    with pytest.raises(ComuneError, match=r"Beinasco.*non è ancora nell'area.*mappe comuni aggiungi"):
        area.archivio("Beinasco")


def test_cartella_che_non_e_un_area(tmp_path):
    with pytest.raises(AreaError, match="mappe init"):
        Area(tmp_path)


def test_init_non_tocca_un_catalogo_esistente(tmp_path):
    crea_area(tmp_path)
    f = tmp_path / "layers" / "temi.toml"
    f.write_text(f.read_text(encoding="utf-8") + '\n[tema.cura]\nlabel = "Cura"\ncolore = "#123456"\n', encoding="utf-8")
    area = crea_area(tmp_path)
    assert "cura" in area.catalogo.voci("tema")


def test_parole_come_na_e_null_restano_parole(orbassano):
    """What people write is kept as written: 'NA', 'null', 'N/A'... are not empty values (an id too)."""
    parole = ["NA", "N/A", "null", "NULL", "nan", "NaN", "-NaN", "#N/A", "None", "n/a", "", "\\N", '"', "a,b\nc"]
    df = gpd.GeoDataFrame({"id": [f"x{k}" if k else "NA" for k in range(len(parole))], "tipo": ["bisogno"] * len(parole),
                           "tema": ["lavoro"] * len(parole), "titolo": parole, "note": parole[::-1]},
                          geometry=[Point(7.5378, 45.0087)] * len(parole), crs="EPSG:4326")
    orbassano.scrivi({"contributi": df})
    letto = orbassano.leggi("contributi")
    attesi = [p if p != "" else None for p in parole]
    assert list(letto["titolo"]) == attesi and list(letto["note"]) == attesi[::-1]
    assert letto["id"].iloc[0] == "NA"
    # written again as read: nothing changes, and the history can undo the first write
    orbassano.scrivi({"contributi": letto})
    assert list(orbassano.leggi("contributi")["titolo"]) == attesi
