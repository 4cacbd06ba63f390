import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from mappe.archivio import Area, crea_area
from mappe.errori import AreaError, ComuneError


def test_comune_aggiunto_ha_tutti_gli_strati_e_i_dati_istat(orbassano):
    nomi = {n for n, _ in pyogrio.list_layers(orbassano.gpkg)}
    assert {"confine", "contributi", "luoghi", "incontri", "riscontri", "comune", "popolazione"} <= nomi
    info = orbassano.info
    assert (info["nome"], info["codice_istat"], info["provincia"], info["sigla"]) == ("Orbassano", "001171", "Torino", "TO")
    assert info["popolazione"] == orbassano.popolazione()["totale"].sum() > 20000
    assert orbassano.conta() == {"contributi": 0, "luoghi": 0, "incontri": 0, "riscontri": 0}
    assert orbassano.gpkg == orbassano.cartella / "orbassano.gpkg"
    assert orbassano.cartella.parent.name == "comuni"


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


def test_scrittura_fallita_lascia_il_file_come_era(orbassano):
    prima = orbassano.gpkg.read_bytes()
    rotto = orbassano.leggi("contributi").copy()

    class Esplode(Exception):
        pass

    def scrivi_rotto(*a, **k):
        raise Esplode()

    import mappe.archivio as arch

    originale = arch._scrivi_strato
    arch._scrivi_strato = scrivi_rotto
    try:
        with pytest.raises(Esplode):
            orbassano.scrivi({"contributi": rotto})
    finally:
        arch._scrivi_strato = originale
    assert orbassano.gpkg.read_bytes() == prima
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
