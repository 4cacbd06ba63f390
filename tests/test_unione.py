"""mappe copia and mappe unisci: a laptop copy for an evening without network, and back.

The team's workspace is on GeoPackage files or on PostGIS (both, by the parametrised fixture);
the copy is always on files. Everything goes through the real command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import contenuto_archivio, scrivi_csv, tracce_archivio

from mappe.archivio import Area, crea_area
from mappe.cli import main
from mappe.importa import importa_file
from mappe.territorio import cerca_comune

ENTRAMBI_ARCHIVI = True  # the team's workspace on GeoPackage and on PostGIS


def _mappe(cartella: Path, *args, input: str | None = None):
    return CliRunner().invoke(main, ["--area", str(cartella), *map(str, args)], input=input, catch_exceptions=False)


def _righe(area: Area, comune: str = "Orbassano") -> dict[str, tuple]:
    c = area.archivio(comune).leggi("contributi")
    return {i: (ti, te) for i, ti, te in zip(c["id"], c["titolo"], c["testo"])}


@pytest.fixture
def gruppo(area, tmp_path):
    """The team's workspace with three contributions in Orbassano."""
    f = scrivi_csv(tmp_path / "c.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "autore", "lon", "lat"],
        ["c-1", "bisogno", "mobilita", "Autobus", "Il 43 passa ogni ora", "", "7.5378", "45.0087"],
        ["c-2", "risorsa", "socialita", "Il bar", "Ci si trova la sera", "", "7.5420", "45.0050"],
        ["c-3", "memoria", "socialita", "Il ballo", "Si ballava in piazza il sabato", "Teodolinda Vascotto",
         "7.5300", "45.0110"],
    ])
    assert importa_file(area.archivio("Orbassano"), f).importati == 3
    return area


@pytest.fixture
def portatile(gruppo, tmp_path) -> Area:
    r = _mappe(gruppo.cartella, "copia", "Orbassano", "--in", tmp_path / "portatile")
    assert r.exit_code == 0, r.output
    assert "Copiati in" in r.output and "mappe unisci" in r.output
    return Area(tmp_path / "portatile")


def test_la_copia_e_un_area_su_file_con_gli_stessi_dati_e_la_stessa_chiave(gruppo, portatile):
    assert portatile.postgis is None and portatile.archivio("Orbassano").su_file
    assert _righe(portatile) == _righe(gruppo)
    assert portatile.segreto() == gruppo.segreto()  # the same public ids and moved points
    assert "copia" in _mappe(portatile.cartella, "storia", "Orbassano").output
    # it works without the team's workspace
    r = _mappe(portatile.cartella, "mappa", "Orbassano", "-o", portatile.cartella / "m.html")
    assert r.exit_code == 0, r.output
    # nothing to bring either way right after the copy
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0 and "è già aggiornata" in r.output
    # a copy is never made over existing data
    r = _mappe(gruppo.cartella, "copia", "Orbassano", "--in", portatile.cartella)
    assert r.exit_code == 1 and "non è vuota" in r.output and "Traceback" not in r.output


def test_modifiche_da_entrambe_le_parti_conflitti_elencati_e_niente_perso(gruppo, portatile, tmp_path):
    # the evening on the laptop: c-1 corrected, c-2 deleted, a new contribution
    assert _mappe(portatile.cartella, "modifica", "Orbassano", "c-1", "--titolo", "Autobus (portatile)").exit_code == 0
    assert _mappe(portatile.cartella, "elimina", "Orbassano", "c-2", "--si").exit_code == 0
    nuovo_p = scrivi_csv(tmp_path / "p.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                              ["p-1", "proposta", "mobilita", "Detto la sera", "7.5390", "45.0080"]])
    assert importa_file(portatile.archivio("Orbassano"), nuovo_p).importati == 1
    # meanwhile in the office: c-1 corrected otherwise, c-3 corrected, a new contribution
    assert _mappe(gruppo.cartella, "modifica", "Orbassano", "c-1", "--titolo", "Autobus (ufficio)").exit_code == 0
    assert _mappe(gruppo.cartella, "modifica", "Orbassano", "c-3", "--tema", "spazi_pubblici").exit_code == 0
    nuovo_u = scrivi_csv(tmp_path / "u.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                              ["u-1", "bisogno", "lavoro", "Detto in ufficio", "7.5400", "45.0070"]])
    assert importa_file(gruppo.archivio("Orbassano"), nuovo_u).importati == 1

    prova = _mappe(gruppo.cartella, "unisci", portatile.cartella, "--prova")
    assert prova.exit_code == 0 and "niente è stato cambiato" in prova.output
    assert set(_righe(gruppo)) == {"c-1", "c-2", "c-3", "u-1"}

    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0, r.output
    assert "Orbassano: 1 riga nuova, 0 aggiornate, 1 eliminata, 1 conflitto." in r.output
    assert "c-1: titolo: qui «Autobus (ufficio)», di là «Autobus (portatile)»" in r.output
    assert "--prendi c-1" in r.output
    righe = _righe(gruppo)
    assert set(righe) == {"c-1", "c-3", "u-1", "p-1"}  # p-1 came, c-2 went, ids kept
    assert righe["c-1"][0] == "Autobus (ufficio)"  # the conflict: nothing overwritten
    assert gruppo.archivio("Orbassano").leggi("contributi").set_index("id").at["c-3", "tema"] == "spazi_pubblici"
    assert _righe(portatile)["c-1"][0] == "Autobus (portatile)"  # the other side is only read

    # running it again changes nothing: same content, no new line in the history
    arch = gruppo.archivio("Orbassano")
    prima, storia = contenuto_archivio(arch), len(arch.storia())
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0 and "0 righe nuove, 0 aggiornate, 0 eliminate, 1 conflitto" in r.output
    assert contenuto_archivio(arch) == prima and len(arch.storia()) == storia

    # the other direction: the laptop gets the office's work, the same conflict seen from there
    r = _mappe(portatile.cartella, "unisci")  # a copy knows where it came from
    assert r.exit_code == 0, r.output
    assert "1 riga nuova, 1 aggiornata, 0 eliminate, 1 conflitto" in r.output
    assert "qui «Autobus (portatile)», di là «Autobus (ufficio)»" in r.output
    # the facilitator chooses the office's wording on the laptop
    r = _mappe(portatile.cartella, "unisci", "--prendi", "c-1")
    assert r.exit_code == 0 and "1 conflitto risolto" in r.output
    for a, b in ((gruppo, portatile), (portatile, gruppo)):
        r = _mappe(a.cartella, "unisci", b.cartella)
        assert r.exit_code == 0 and "conflitt" not in r.output.split("\n", 1)[1].replace("0 conflitti", ""), r.output
    assert _righe(gruppo) == _righe(portatile)
    # every merge is an operation of the store: it can be undone
    assert "unisci" in _mappe(portatile.cartella, "storia", "Orbassano").output
    assert _mappe(portatile.cartella, "annulla", "Orbassano", "--si").exit_code == 0
    assert _righe(portatile)["c-1"][0] == "Autobus (portatile)"


def test_tieni_questa_versione_e_l_altra_parte_la_prende(gruppo, portatile):
    assert _mappe(portatile.cartella, "modifica", "Orbassano", "c-1", "--titolo", "Dal portatile").exit_code == 0
    assert _mappe(gruppo.cartella, "modifica", "Orbassano", "c-1", "--titolo", "Dall'ufficio").exit_code == 0
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella, "--tieni", "c-1")
    assert r.exit_code == 0 and "1 conflitto risolto" in r.output
    assert _righe(gruppo)["c-1"][0] == "Dall'ufficio"
    r = _mappe(portatile.cartella, "unisci", gruppo.cartella)
    assert r.exit_code == 0 and "1 aggiornata" in r.output and "0 conflitti" in r.output
    assert _righe(portatile)["c-1"][0] == "Dall'ufficio"
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella, "--prendi", "nessuno")
    assert r.exit_code == 1 and "non è in nessuna delle due aree" in r.output


def test_eliminato_da_una_parte_e_cambiato_dall_altra_e_un_conflitto(gruppo, portatile):
    assert _mappe(gruppo.cartella, "elimina", "Orbassano", "c-2", "--si").exit_code == 0
    assert _mappe(portatile.cartella, "modifica", "Orbassano", "c-2", "--testo", "Ci si trova anche la domenica"
                  ).exit_code == 0
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0 and "c-2: eliminato qui, cambiato di là" in r.output
    assert "c-2" not in _righe(gruppo)
    r = _mappe(portatile.cartella, "unisci", gruppo.cartella)
    assert "c-2: cambiato qui, eliminato di là" in r.output and "c-2" in _righe(portatile)
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella, "--prendi", "c-2")
    assert r.exit_code == 0 and _righe(gruppo)["c-2"][1] == "Ci si trova anche la domenica"


def test_una_riga_cancellata_con_l_oblio_non_torna_dalla_copia_e_sparisce_anche_li(gruppo, portatile):
    # the person asked to be forgotten after the laptop copy was made
    r = _mappe(gruppo.cartella, "oblio", "--persona", "Teodolinda Vascotto", "--si")
    assert r.exit_code == 0, r.output
    assert "c-3" not in _righe(gruppo)
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0 and "c-3" not in _righe(gruppo)  # the laptop cannot bring it back
    # even edited on the laptop meanwhile
    assert _mappe(portatile.cartella, "modifica", "Orbassano", "c-3", "--titolo", "Il ballo, di nuovo").exit_code == 0
    assert _mappe(gruppo.cartella, "unisci", portatile.cartella).exit_code == 0
    assert "c-3" not in _righe(gruppo)
    # and the laptop erases it too, with no byte left in its files
    r = _mappe(portatile.cartella, "unisci", gruppo.cartella)
    assert r.exit_code == 0 and "1 cancellata per sempre (oblio)" in r.output
    assert "c-3" not in _righe(portatile)
    for dove, dati in tracce_archivio(portatile.archivio("Orbassano")):
        assert b"Teodolinda" not in dati and b"Si ballava" not in dati, dove
    for dove, dati in tracce_archivio(gruppo.archivio("Orbassano")):
        assert b"Teodolinda" not in dati and b"Si ballava" not in dati, dove


def test_un_comune_che_qui_manca_arriva_con_le_sue_righe(gruppo, portatile, tmp_path):
    beinasco = portatile.aggiungi_comune(cerca_comune("Beinasco"))[0]
    f = scrivi_csv(tmp_path / "b.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                        ["b-1", "bisogno", "lavoro", "Detto a Beinasco", "7.5870", "45.0230"]])
    assert importa_file(beinasco, f).importati == 1
    r = _mappe(gruppo.cartella, "unisci", portatile.cartella)
    assert r.exit_code == 0 and "Beinasco: comune nuovo in quest'area, aggiunto." in r.output
    assert list(gruppo.archivio("Beinasco").leggi("contributi")["id"]) == ["b-1"]


@pytest.mark.solo_gpkg
def test_due_facilitatori_con_aree_separate_le_uniscono(tmp_path):
    aree = []
    for k, (testo, lon) in enumerate((("Detto da Anna", "7.5378"), ("Detto da Bruno", "7.5420"))):
        a = crea_area(tmp_path / f"area{k}")
        arch = a.aggiungi_comune(cerca_comune("Orbassano"))[0]
        f = scrivi_csv(tmp_path / f"f{k}.csv", [["tipo", "tema", "testo", "lon", "lat"],
                                                ["bisogno", "lavoro", testo, lon, "45.0087"]])
        assert importa_file(arch, f).importati == 1
        aree.append(a)
    r = _mappe(aree[0].cartella, "unisci", aree[1].cartella)
    assert r.exit_code == 0, r.output
    assert "chiavi diverse" in r.output and "1 riga nuova" in r.output
    assert sorted(t for _, t in _righe(aree[0]).values()) == ["Detto da Anna", "Detto da Bruno"]
    r = _mappe(aree[1].cartella, "unisci", aree[0].cartella)
    assert r.exit_code == 0 and _righe(aree[0]) == _righe(aree[1])
    r = _mappe(aree[0].cartella, "unisci", aree[0].cartella)
    assert r.exit_code == 1 and "è questa stessa" in r.output


@pytest.mark.solo_gpkg
def test_un_codice_uguale_di_una_riga_diversa_non_si_cancella_da_solo(tmp_path):
    """Two facilitators used the same code for different rows: an erasure on one side is a
    conflict on the other, not a silent erasure of someone else's words."""
    aree = []
    for k, testo in enumerate(("Il mercato del martedì", "La fermata dell'autobus")):
        a = crea_area(tmp_path / f"u{k}")
        arch = a.aggiungi_comune(cerca_comune("Orbassano"))[0]
        f = scrivi_csv(tmp_path / f"f{k}.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                                ["C-ORB-001", "bisogno", "lavoro", testo, "7.5378", "45.0087"]])
        assert importa_file(arch, f).importati == 1
        aree.append(a)
    assert _mappe(aree[0].cartella, "elimina", "Orbassano", "C-ORB-001", "--oblio", "--si").exit_code == 0
    r = _mappe(aree[1].cartella, "unisci", aree[0].cartella)
    assert r.exit_code == 0 and "C-ORB-001: di là una riga con questo codice è stata cancellata con l'oblio" in r.output
    assert _righe(aree[1])["C-ORB-001"][1] == "La fermata dell'autobus"
    r = _mappe(aree[1].cartella, "unisci", aree[0].cartella, "--prendi", "C-ORB-001")
    assert r.exit_code == 0 and "C-ORB-001" not in _righe(aree[1])


def test_una_scelta_sbagliata_non_scrive_niente(gruppo, portatile):
    assert _mappe(portatile.cartella, "modifica", "Orbassano", "c-2", "--titolo", "Il bar nuovo").exit_code == 0
    arch = gruppo.archivio("Orbassano")
    prima, storia = contenuto_archivio(arch), len(arch.storia())
    for scelte in (["--prendi", "g-nessuno"], ["--prendi", "c-1", "--tieni", "c-1"]):
        r = _mappe(gruppo.cartella, "unisci", portatile.cartella, *scelte)
        assert r.exit_code == 1 and "Traceback" not in r.output, r.output
        assert contenuto_archivio(arch) == prima and len(arch.storia()) == storia
    assert "non è in nessuna delle due aree" in _mappe(gruppo.cartella, "unisci", portatile.cartella, "--prendi",
                                                        "g-nessuno").output


def test_le_lapidi_passano_nelle_copie_e_una_copia_non_riporta_un_cancellato_nell_altra(gruppo, portatile, tmp_path):
    assert _mappe(gruppo.cartella, "elimina", "Orbassano", "c-2", "--oblio", "--si").exit_code == 0
    assert _mappe(gruppo.cartella, "copia", "Orbassano", "--in", tmp_path / "seconda").exit_code == 0
    seconda = Area(tmp_path / "seconda")
    r = _mappe(seconda.cartella, "unisci", portatile.cartella)  # two copies, one older than the erasure
    assert r.exit_code == 0, r.output
    assert "c-2" not in _righe(seconda)
    assert "1 cancellata per sempre (oblio)" in _mappe(portatile.cartella, "unisci", seconda.cartella).output
    assert "c-2" not in _righe(portatile)


def test_la_copia_riprende_solo_i_suoi_comuni(gruppo, portatile, tmp_path):
    beinasco = gruppo.aggiungi_comune(cerca_comune("Beinasco"))[0]
    f = scrivi_csv(tmp_path / "b.csv", [["tipo", "tema", "testo", "autore", "lon", "lat"],
                                        ["bisogno", "lavoro", "Detto a Beinasco", "Ada Rossi", "7.5870", "45.0230"]])
    assert importa_file(beinasco, f).importati == 1
    r = _mappe(portatile.cartella, "unisci")
    assert r.exit_code == 0 and "Beinasco" not in r.output
    assert [a.nome for a in portatile.archivi()] == ["Orbassano"]
    # asked for by name, it comes
    r = _mappe(portatile.cartella, "unisci", gruppo.cartella, "--comune", "Beinasco")
    assert r.exit_code == 0 and "Beinasco: comune nuovo in quest'area, aggiunto." in r.output


def test_l_oblio_portato_da_un_unione_nomina_i_file_esportati_e_avvisa_per_le_persone(gruppo, portatile, tmp_path):
    assert _mappe(portatile.cartella, "esporta", "Orbassano", "-o", tmp_path / "sera.csv").exit_code == 0
    r = _mappe(gruppo.cartella, "oblio", "--persona", "Teodolinda Vascotto", "--si")
    assert r.exit_code == 0, r.output
    r = _mappe(portatile.cartella, "unisci")
    assert r.exit_code == 0, r.output
    assert "1 cancellata per sempre (oblio)" in r.output
    assert "Questi file esportati contenevano righe cancellate" in r.output and "sera.csv" in r.output
    assert "è stata dimenticata una persona dopo l'ultima unione" in r.output
    assert "mappe oblio --persona NOME" in r.output
    # the original sheet imported again does not bring the erased row back
    f = scrivi_csv(tmp_path / "di-nuovo.csv", [
        ["id", "tipo", "tema", "titolo", "testo", "autore", "lon", "lat"],
        ["c-3", "memoria", "socialita", "Il ballo", "Si ballava in piazza il sabato", "Teodolinda Vascotto", "7.5300",
         "45.0110"]])
    r = _mappe(portatile.cartella, "importa", f, "--comune", "Orbassano")
    assert "cancellata per sempre con l'oblio" in r.output and "c-3" not in _righe(portatile)


def test_annullare_un_unione_non_cancella_le_righe_dell_altra_parte(gruppo, portatile, tmp_path):
    f = scrivi_csv(tmp_path / "p.csv", [["id", "tipo", "tema", "testo", "lon", "lat"],
                                        ["p-1", "proposta", "mobilita", "Detto la sera", "7.5390", "45.0080"]])
    assert importa_file(portatile.archivio("Orbassano"), f).importati == 1
    assert "1 riga nuova" in _mappe(gruppo.cartella, "unisci", portatile.cartella).output
    assert _mappe(gruppo.cartella, "annulla", "Orbassano", "--si").exit_code == 0
    assert "p-1" not in _righe(gruppo)
    # the laptop keeps its row, and the next merge brings it here again
    assert "0 eliminate" in _mappe(portatile.cartella, "unisci").output and "p-1" in _righe(portatile)
    assert "1 riga nuova" in _mappe(gruppo.cartella, "unisci", portatile.cartella).output
    assert "p-1" in _righe(gruppo)


def test_reimportare_il_foglio_avvisa_delle_righe_eliminate_che_tornano(gruppo, tmp_path):
    assert _mappe(gruppo.cartella, "elimina", "Orbassano", "c-2", "--si").exit_code == 0
    f = scrivi_csv(tmp_path / "di-nuovo.csv", [["id", "tipo", "tema", "titolo", "testo", "lon", "lat"],
                                               ["c-2", "risorsa", "socialita", "Il bar", "Ci si trova la sera", "7.5420",
                                                "45.0050"]])
    r = _mappe(gruppo.cartella, "importa", f, "--comune", "Orbassano")
    assert r.exit_code == 0 and "era stata eliminata" in r.output and "mappe annulla" in r.output
    assert "c-2" in _righe(gruppo)
