"""The catalogue: kinds, themes, places, emotions, age groups and the fields of each layer.

The catalogue is data (``layers/*.toml``), validated when loaded, so that a project can bring
its own themes without touching code. Every other stage takes a :class:`Catalogo`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .errori import CatalogoError

__all__ = ["Campo", "Catalogo", "Strato", "Voce", "carica_catalogo", "cartella_predefinita"]

STRATI = ("contributi", "luoghi", "incontri", "riscontri", "iniziative")
TIPI_CAMPO = ("testo", "intero", "data", "booleano", "scelta", "lista")
# Fields that name a person in the default catalogue: treated as person fields even in a
# workspace whose catalogue predates the ``persona`` flag.
CAMPI_PERSONA = ("autore", "referente", "facilitatori")
FORME = ("triangolo", "cerchio", "quadrato", "rombo", "cuore", "stella")
# Vocabularies the code relies on, with the values it relies on.
VOCABOLARI_RICHIESTI = {
    "tipo": ("bisogno", "risorsa", "memoria", "proposta", "emozione"),
    "tema": (),
    "categoria": (),
    "ruolo": (),
    "emozione": (),
    "fascia_eta": (),
    "visibilita": ("pubblico", "riservato"),
}
# Fields the code relies on, per layer.
CAMPI_RICHIESTI = {
    "contributi": ("id", "tipo", "tema", "testo", "visibilita", "sensibile"),
    "luoghi": ("id", "nome", "categoria"),
    "incontri": ("id", "data"),
    "riscontri": ("id", "su"),
}
# The photo fields (issue 18) of the layers that take pictures: a catalogue written before them
# gets them from the shipped one, so that an older workspace takes photos without editing its files.
CAMPI_FOTO = ("foto", "didascalia", "autore_foto", "foto_pubblica")
STRATI_CON_FOTO = ("contributi", "luoghi")
# What became of proposals and needs (issue 19), as for the photos.
CAMPI_SEGUITO = ("stato", "esito", "data_stato", "tappe")
CAMPI_NUOVI = {"contributi": CAMPI_FOTO + CAMPI_SEGUITO, "luoghi": CAMPI_FOTO}
# Layers added after the first catalogues (issue 19): an older workspace gets them whole.
STRATI_NUOVI = ("iniziative",)
_COLORE = re.compile(r"^#[0-9a-fA-F]{6}$")
_CODICE = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Voce:
    """One allowed value of a vocabulary (a kind, a theme, an emotion...)."""

    codice: str
    label: str
    colore: str
    label_en: str | None = None
    descrizione: str = ""
    extra: dict = field(default_factory=dict)

    def etichetta(self, lingua: str = "it") -> str:
        """The label in ``lingua`` (``label_en``, ``label_ar``...; without one, the Italian)."""
        if lingua == "en" and self.label_en:
            return self.label_en
        tradotta = self.extra.get(f"label_{lingua}") if lingua != "it" else None
        if isinstance(tradotta, str) and tradotta.strip():
            return tradotta
        return self.label


@dataclass(frozen=True)
class Campo:
    """A field of a layer."""

    nome: str
    tipo: str
    privato: bool = False
    obbligatorio: bool = False
    valori: str | None = None
    descrizione: str = ""
    esempio: str = ""
    persona: bool = False  # holds who a person is (a name, a phone): erased by 'mappe oblio --persona'


@dataclass(frozen=True)
class Strato:
    """A layer of the store with its fields."""

    nome: str
    label: str
    campi: dict[str, Campo]
    geometria: bool = True
    label_en: str | None = None
    descrizione: str = ""

    @property
    def privati(self) -> list[str]:
        """Names of the fields that never reach a public output."""
        return [c.nome for c in self.campi.values() if c.privato]

    @property
    def persone(self) -> list[str]:
        """Names of the fields that say who a person is (``persona = true``, and always autore,
        referente and facilitatori, also in a catalogue written before the flag existed)."""
        return [c.nome for c in self.campi.values() if c.persona or c.nome in CAMPI_PERSONA]


@dataclass
class Catalogo:
    """The whole catalogue: vocabularies by name, layers by name, and where it came from."""

    vocabolari: dict[str, dict[str, Voce]]
    strati: dict[str, Strato]
    cartella: Path | None = None

    def voci(self, vocabolario: str) -> dict[str, Voce]:
        """The values of one vocabulary, in catalogue order."""
        return self.vocabolari[vocabolario]

    def etichetta(self, vocabolario: str, codice, lingua: str = "it") -> str:
        """The label of a value, or the value itself when unknown or empty."""
        if codice is None or codice == "":
            return ""
        voce = self.vocabolari.get(vocabolario, {}).get(str(codice))
        return voce.etichetta(lingua) if voce else str(codice)


def cartella_predefinita() -> Path:
    """The default catalogue shipped with the package."""
    return Path(__file__).parent / "layers"


def _errore_toml(e: Exception) -> str:
    """An Italian reading of a TOML syntax error, with its line."""

    testo = str(e)
    m = re.search(r"line (\d+), column (\d+)", testo)
    dove = f"alla riga {m.group(1)}, colonna {m.group(2)}" if m else "in un punto del file"
    if "twice" in testo or "overwrite" in testo.lower():
        return f"{dove} una tabella o una chiave è scritta due volte: tenerne una sola"
    return f"{dove} c'è un errore di scrittura (controllare virgolette, '=' e parentesi quadre)"


def _errore(file: Path, chiave: str, problema: str) -> CatalogoError:
    return CatalogoError(f"Catalogo non valido: nel file {file}, alla chiave '{chiave}', {problema}.")


def _voce(file: Path, nome: str, codice: str, dati) -> Voce:
    chiave = f"{nome}.{codice}"
    if not isinstance(dati, dict):
        raise _errore(file, chiave, "ci si aspetta una tabella [" + chiave + "] con label e colore")
    if not _CODICE.match(codice):
        raise _errore(file, chiave, "il codice deve avere solo lettere minuscole, cifre e _")
    label = dati.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _errore(file, chiave + ".label", "manca l'etichetta italiana (label = \"...\")")
    colore = dati.get("colore")
    if colore is None:
        raise _errore(file, chiave + ".colore", "manca il colore (aggiungere per esempio colore = \"#c0392b\")")
    if not isinstance(colore, str) or not _COLORE.match(colore):
        raise _errore(
            file, chiave + ".colore", f"il colore {colore!r} non è valido (scriverlo come \"#c0392b\")"
        )
    label_en = dati.get("label_en")
    if label_en is not None and not isinstance(label_en, str):
        raise _errore(file, chiave + ".label_en", "l'etichetta inglese deve essere un testo")
    extra = {k: v for k, v in dati.items() if k not in ("label", "label_en", "colore", "descrizione")}
    for k, v in extra.items():
        if k.startswith("label_") and not isinstance(v, str):
            raise _errore(file, f"{chiave}.{k}", "l'etichetta tradotta deve essere un testo tra virgolette")
    if nome == "tipo" and extra.get("forma", "cerchio") not in FORME:
        raise _errore(
            file, chiave + ".forma", f"la forma {extra.get('forma')!r} non esiste (usare una di: "
            + ", ".join(FORME) + ")"
        )
    if nome == "emozione":
        valenza = extra.get("valenza")
        if not isinstance(valenza, (int, float)) or not -1 <= valenza <= 1:
            raise _errore(file, chiave + ".valenza", "serve un numero tra -1 (fredda) e 1 (calda)")
    if nome == "fascia_eta":
        da, a = extra.get("da"), extra.get("a")
        if not isinstance(da, int) or not isinstance(a, int) or not 0 <= da <= a:
            raise _errore(file, chiave, "servono i limiti in anni interi, da = 0 e a = 13, con da <= a")
    return Voce(codice, label.strip(), colore, label_en, str(dati.get("descrizione", "")), extra)


def _strato(file: Path, nome: str, dati: dict) -> Strato:
    campi_dati = dati.get("campi")
    if not isinstance(campi_dati, dict) or not campi_dati:
        raise _errore(file, nome + ".campi", "lo strato non ha campi")
    campi = {}
    for nome_campo, c in campi_dati.items():
        chiave = f"{nome}.campi.{nome_campo}"
        if not isinstance(c, dict):
            raise _errore(file, chiave, "ci si aspetta una tabella con tipo = \"...\"")
        tipo = c.get("tipo")
        if tipo not in TIPI_CAMPO:
            raise _errore(
                file, chiave + ".tipo", f"il tipo {tipo!r} non esiste (usare uno di: " + ", ".join(TIPI_CAMPO) + ")"
            )
        for flag in ("privato", "obbligatorio", "persona"):
            if not isinstance(c.get(flag, False), bool):
                raise _errore(file, f"{chiave}.{flag}", "scrivere true oppure false")
        if tipo == "scelta" and not c.get("valori"):
            raise _errore(file, chiave + ".valori", "un campo a scelta deve dire il vocabolario (valori = \"tema\")")
        campi[nome_campo] = Campo(
            nome_campo,
            tipo,
            privato=c.get("privato", False),
            obbligatorio=c.get("obbligatorio", False),
            valori=c.get("valori"),
            descrizione=str(c.get("descrizione", "")),
            esempio=str(c.get("esempio", "")),
            # a person's name or phone is private by nature
            persona=c.get("persona", False),
        )
        if campi[nome_campo].persona and not campi[nome_campo].privato:
            raise _errore(file, chiave + ".privato", "un campo con persona = true deve essere anche privato = true")
    label = dati.get("label", nome)
    return Strato(
        nome, str(label), campi, bool(dati.get("geometria", True)), dati.get("label_en"),
        str(dati.get("descrizione", "")),
    )


def carica_catalogo(cartella: Path | str | None = None) -> Catalogo:
    """Load and validate every ``*.toml`` in ``cartella`` (default: the shipped catalogue).

    Raises
    ------
    CatalogoError
        With the file, the key and the problem, when anything is broken.
    """
    cartella = Path(cartella) if cartella is not None else cartella_predefinita()
    files = sorted(cartella.glob("*.toml"))
    if not files:
        raise CatalogoError(
            f"Catalogo non trovato: la cartella {cartella} non contiene file .toml "
            "(eseguire 'mappe init' per ricrearla)."
        )
    vocabolari: dict[str, dict[str, Voce]] = {}
    strati: dict[str, Strato] = {}
    origine: dict[str, Path] = {}
    for file in files:
        try:
            dati = tomllib.loads(file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise CatalogoError(f"Catalogo non valido: il file {file} non è in UTF-8 (salvarlo come UTF-8).")
        except tomllib.TOMLDecodeError as e:
            raise CatalogoError(f"Catalogo non valido: il file {file} non è TOML corretto: {_errore_toml(e)}.")
        for nome, tabella in dati.items():
            if not isinstance(tabella, dict):
                raise _errore(file, nome, "ci si aspetta una tabella, non un valore singolo")
            if nome in STRATI or "campi" in tabella:
                if nome in strati:
                    raise _errore(file, nome, f"lo strato è già definito in {origine[nome]}")
                strati[nome] = _strato(file, nome, tabella)
                origine[nome] = file
                continue
            voci = vocabolari.setdefault(nome, {})
            for codice, v in tabella.items():
                chiave = f"{nome}.{codice}"
                if chiave in origine:
                    raise _errore(file, chiave, f"il valore è già definito in {origine[chiave]}")
                voci[codice] = _voce(file, nome, codice, v)
                origine[chiave] = file
    for nome, richiesti in VOCABOLARI_RICHIESTI.items():
        if not vocabolari.get(nome):
            raise CatalogoError(
                f"Catalogo non valido: in {cartella} manca il vocabolario '{nome}' "
                f"(aggiungere almeno una tabella [{nome}.<codice>])."
            )
        for codice in richiesti:
            if codice not in vocabolari[nome]:
                raise CatalogoError(
                    f"Catalogo non valido: nel vocabolario '{nome}' ({origine.get(nome + '.' + next(iter(vocabolari[nome])))}) "
                    f"manca il valore '{codice}', che mappe usa: aggiungere [{nome}.{codice}]."
                )
    for nome, richiesti in CAMPI_RICHIESTI.items():
        if nome not in strati:
            raise CatalogoError(
                f"Catalogo non valido: in {cartella} manca lo strato '{nome}' (aggiungere [{nome}] con i suoi campi)."
            )
        for campo in richiesti:
            if campo not in strati[nome].campi:
                raise _errore(origine[nome], f"{nome}.campi.{campo}", "manca questo campo, che mappe usa")
    _aggiungi_campi_nuovi(cartella, strati, vocabolari)
    _aggiungi_traduzioni(strati)
    for strato in strati.values():
        for campo in strato.campi.values():
            if campo.valori and campo.valori not in vocabolari:
                raise _errore(
                    origine[strato.nome], f"{strato.nome}.campi.{campo.nome}.valori",
                    f"il vocabolario '{campo.valori}' non esiste",
                )
    return Catalogo(vocabolari, strati, cartella)


def _aggiungi_campi_nuovi(cartella: Path, strati: dict[str, Strato], vocabolari: dict) -> None:
    """Give a catalogue written before them the fields that later versions of mappe rely on (photos,
    follow-through), as the shipped catalogue has them, with their vocabularies."""
    mancano = [n for n, campi in CAMPI_NUOVI.items() if n in strati and any(c not in strati[n].campi for c in campi)]
    nuovi = [n for n in STRATI_NUOVI if n not in strati]
    if not (mancano or nuovi) or cartella.resolve() == cartella_predefinita().resolve():
        return
    base = carica_catalogo(cartella_predefinita())
    for nome in nuovi:
        strati[nome] = base.strati[nome]
        for campo in base.strati[nome].campi.values():
            if campo.valori and campo.valori not in vocabolari:
                vocabolari[campo.valori] = base.vocabolari[campo.valori]
    for nome in mancano:
        s = strati[nome]
        campi = dict(s.campi)
        for c in CAMPI_NUOVI[nome]:
            if c not in campi:
                campi[c] = base.strati[nome].campi[c]
                if campi[c].valori and campi[c].valori not in vocabolari:
                    vocabolari[campi[c].valori] = base.vocabolari[campi[c].valori]
        strati[nome] = Strato(s.nome, s.label, campi, s.geometria, s.label_en, s.descrizione)


def _aggiungi_traduzioni(strati: dict[str, Strato]) -> None:
    """Each field whose words a person may translate (:data:`mappe.lingue.CAMPI_TRADUCIBILI`) gets
    one text field per language of the public pages (``testo_ar``, ``titolo_uk``...), private when
    the field is; a catalogue may define one itself."""
    from .lingue import CAMPI_TRADUCIBILI, LINGUE, NOMI_IT, campo_tradotto

    for nome, traducibili in CAMPI_TRADUCIBILI.items():
        s = strati.get(nome)
        if s is None or not any(c in s.campi for c in traducibili):
            continue
        campi = dict(s.campi)
        for c in traducibili:
            if c not in s.campi:
                continue
            for lingua in LINGUE:
                n = campo_tradotto(c, lingua)
                if lingua == "it" or n in campi:
                    continue
                campi[n] = Campo(n, "testo", privato=s.campi[c].privato,
                                 descrizione=f"{c} tradotto in {NOMI_IT[lingua]} da una persona (una mediatrice, un "
                                 "facilitatore): lo vede chi sceglie quella lingua nella mostra. Mai una traduzione "
                                 "automatica.")
        strati[nome] = Strato(s.nome, s.label, campi, s.geometria, s.label_en, s.descrizione)


def nomina(catalogo: Catalogo, consenso) -> bool:
    """Whether a row's consent covers the name of who took its photo (``nomina = true`` in the
    consent's catalogue value; in a catalogue without the flag, written consent does)."""
    voce = catalogo.vocabolari.get("consenso", {}).get(str(consenso)) if consenso else None
    if voce is None:
        return False
    return bool(voce.extra.get("nomina", voce.codice == "scritto"))
