"""Properties: any text survives the trip, any table is imported or rejected row by row."""

import csv
import re
import uuid

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappe import territorio
from mappe.archivio import crea_area
from mappe.cli import main
from mappe.esporta import esporta
from mappe.file import da_cella_csv
from mappe.importa import importa_file
from mappe.pubblico import id_pubblico
from mappe.testo import normalizza

NON_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TESTI = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
    st.tuples(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=50),
              st.integers(200, 10_000)).map(lambda t: (t[0] * t[1])[:10_000]),
    st.sampled_from(["\u200f\u05e9\u05dc\u05d5\u05dd mondo\u200e", "🙂👩‍👩‍👧 emoji", "a\u0007b", "tab\tqui", "\u2028\u2029"]),
)


@pytest.fixture(scope="module")
def archivio(tmp_path_factory):
    area = crea_area(tmp_path_factory.mktemp("proprieta") / "area")
    arch, _ = area.aggiungi_comune(territorio.cerca_comune("Orbassano"))
    return arch


def _csv(path, righe):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(righe)
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(testo=TESTI)
def test_ogni_testo_sopravvive_a_import_archivio_export(archivio, tmp_path_factory, testo):
    cartella = tmp_path_factory.mktemp("t")
    id_ = f"c-{uuid.uuid4().hex}"
    f = _csv(cartella / "c.csv", [["id", "tipo", "tema", "testo"], [id_, "bisogno", "lavoro", testo]])
    r = importa_file(archivio, f)
    # cells are trimmed, as a spreadsheet user expects; line breaks become \n and bidirectional
    # controls go; an apostrophe that mappe's own CSV puts before a formula is taken away
    atteso = normalizza(da_cella_csv(testo)).strip()
    if NON_XML.search(atteso):
        assert r.respinti and r.respinti[0].riga == 2 and r.respinti[0].campo == "testo"
        return
    if not atteso:
        assert r.respinti and "obbligatorio" in r.respinti[0].motivo
        return
    assert r.importati == 1, r.respinti
    c = archivio.leggi("contributi").set_index("id")
    assert c.loc[id_, "testo"] == atteso
    uscita = esporta(archivio, cartella / "e.csv")
    with open(uscita, encoding="utf-8-sig", newline="") as fh:
        righe = {r["id"]: r for r in csv.DictReader(fh, delimiter=";")}
    cella = righe[id_pubblico(archivio.segreto(), id_)]["testo"]  # a public file: public ids
    assert cella[:1] not in ("=", "+", "-", "@")
    assert da_cella_csv(cella) == atteso


VALORI = st.one_of(
    st.sampled_from(["bisogno", "risorsa", "Memoria", "bisogni", "lavoro", "socialità", "giovani", "sì", "no",
                     "3", "0", "-2", "7,5378", "45.0087", "0", "NaN", "", "45°00'31\"N", "inventato"]),
    st.text(max_size=20),
    st.floats(allow_nan=True).map(str),
)
COLONNE = ["tipo", "tema", "testo", "lon", "lat", "peso", "sensibile", "fascia_eta", "luogo", "incontro"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(colonne=st.lists(st.sampled_from(COLONNE), min_size=1, max_size=8, unique=True),
       righe=st.lists(st.lists(VALORI, min_size=8, max_size=8), min_size=0, max_size=12))
def test_ogni_tabella_si_importa_o_si_respinge_riga_per_riga(archivio, tmp_path_factory, colonne, righe):
    f = _csv(tmp_path_factory.mktemp("t") / "c.csv", [colonne] + [r[: len(colonne)] for r in righe])
    r = CliRunner().invoke(main, ["--area", str(archivio.cartella.parent.parent.parent), "importa", str(f),
                                  "--comune", "Orbassano"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code in (0, 1)
    assert "Traceback" not in r.output and "Errore imprevisto" not in r.output
    if r.output.startswith("Errore:"):  # the whole file was refused, with a reason
        return
    m = re.search(r"importati: (\d+), aggiornati: (\d+), già presenti: (\d+), respinti: (\d+)"
                  r"(?:, ignorati: (\d+))? \(righe nel file: (\d+)\)", r.output)
    assert m, r.output
    importati, aggiornati, presenti, respinti, ignorati, totale = (int(x or 0) for x in m.groups())
    assert importati + aggiornati + presenti + respinti + ignorati == totale
    assert r.exit_code == (1 if respinti else 0)
