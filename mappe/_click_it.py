"""Italian for click's own texts (usage, options, standard errors).

click marks its texts for gettext; without a translation installed they stay English. We
bind an Italian lookup in the click modules that use them. A text we do not know keeps its
English form, so a newer click degrades gracefully.
"""

from __future__ import annotations

TRADUZIONI = {
    "Usage:": "Uso:",
    "Options": "Opzioni",
    "Commands": "Comandi",
    "Positional arguments": "Argomenti",
    "Show this message and exit.": "Mostra questo aiuto ed esce.",
    "Show the version and exit.": "Mostra la versione ed esce.",
    "%(prog)s, version %(version)s": "%(prog)s, versione %(version)s",
    "Aborted!": "Interrotto.",
    "Error: {message}": "Errore: {message}",
    "Try '{command} {option}' for help.": "Per l'aiuto: '{command} {option}'.",
    "Invalid value for {param_hint}: {message}": "Valore non valido per {param_hint}: {message}",
    "Invalid value: {message}": "Valore non valido: {message}",
    "Missing argument": "Manca l'argomento",
    "Missing option": "Manca l'opzione",
    "Missing parameter": "Manca il parametro",
    "Missing command.": "Manca il comando.",
    "Missing {param_type}": "Manca {param_type}",
    "Missing parameter: {param_name}": "Manca il parametro: {param_name}",
    "No such command {name!r}.": "Il comando {name!r} non esiste.",
    "No such option {name!r}.": "L'opzione {name!r} non esiste.",
    "No such option: {name}": "L'opzione {name} non esiste.",
    "Option {name!r} requires an argument.": "L'opzione {name!r} vuole un valore.",
    "Option {name!r} requires {nargs} arguments.": "L'opzione {name!r} vuole {nargs} valori.",
    "Do you want to continue?": "Continuare?",
    "Confirm the action without prompting.": "Conferma senza chiedere.",
    "default: {default}": "predefinito: {default}",
    "env var: {var}": "variabile d'ambiente: {var}",
    "required": "obbligatorio",
    "file": "file",
    "directory": "cartella",
    "path": "percorso",
    "{name} {filename!r} does not exist.": "{name} {filename!r} non esiste.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} è una cartella.",
    "{name} {filename!r} is a file.": "{name} {filename!r} è un file.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} non si può leggere.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non si può scrivere.",
    "{value!r} is not a valid {number_type}.": "{value!r} non è un numero valido.",
    "{value} is not in the range {range}.": "{value} non va bene: deve essere {range}.",
    "Choose from:\n\t{choices}": "Scegliere tra:\n\t{choices}",
    "Could not open file {filename!r}: {message}": "Non si riesce ad aprire il file {filename!r}: {message}",
    "Option {name!r} does not take a value.": "L'opzione {name!r} non vuole un valore.",
    "Argument {name!r} takes {nargs} values.": "L'argomento {name!r} vuole {nargs} valori.",
    "Error: invalid input": "Errore: risposta non valida",
    "Error: The two entered values do not match.": "Errore: i due valori scritti sono diversi.",
    "Repeat for confirmation": "Ripetere per conferma",
    "Press any key to continue...": "Premere un tasto per continuare...",
    "deprecated": "deprecato",
    "{name} {filename!r} is not executable.": "{name} {filename!r} non si può eseguire.",
    "{value!r} is not a valid UUID.": "{value!r} non è un codice UUID valido.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} non è né sì né no. Valori ammessi: {states}",
    "Value must be an iterable.": "Serve un elenco di valori.",
    "unknown error": "errore sconosciuto",
}
TRADUZIONI_PLURALI = {
    "Got unexpected extra argument ({args})": (
        "Argomento in più non previsto ({args})", "Argomenti in più non previsti ({args})"
    ),
    "{value!r} is not {choice}.": (
        "{value!r} non è un valore ammesso: usare {choice}.",
        "{value!r} non è un valore ammesso: usare uno tra {choices}.",
    ),
    "Did you mean {possibility}?": ("Forse volevi dire {possibility}?", "(Forse volevi dire uno tra: {possibilities}?)"),
    "Takes {nargs} values but 1 was given.": ("Vuole {nargs} valori, ma ne è stato dato 1.",
                                              "Vuole {nargs} valori, ma ne sono stati dati {len}."),
    "{len_type} values are required, but {len_value} was given.": (
        "Servono {len_type} valori, ma ne è stato dato {len_value}.",
        "Servono {len_type} valori, ma ne sono stati dati {len_value}."),
    "{value!r} does not match the format {format}.": ("{value!r} non è nel formato {format}.",
                                                      "{value!r} non è in nessuno dei formati {formats}."),
}


def _(testo: str) -> str:
    return TRADUZIONI.get(testo, testo)


def _n(singolare: str, plurale: str, n: int) -> str:
    if singolare in TRADUZIONI_PLURALI:
        s, p = TRADUZIONI_PLURALI[singolare]
        return s if n == 1 else p
    if singolare in TRADUZIONI and plurale in TRADUZIONI:
        return TRADUZIONI[singolare] if n == 1 else TRADUZIONI[plurale]
    return singolare if n == 1 else plurale


def _intervallo(self) -> str:
    """A range as a person says it ("almeno 1", "tra 2 e 3600"), not as "x>=1"."""
    sotto = ("più di" if self.min_open else "almeno") if self.min is not None else None
    sopra = ("meno di" if self.max_open else "al massimo") if self.max is not None else None
    if sotto and sopra and not self.min_open and not self.max_open:
        return f"tra {self.min} e {self.max}"
    return " e ".join(f"{parola} {limite}" for parola, limite in ((sotto, self.min), (sopra, self.max)) if parola)


def installa() -> None:
    """Make click speak Italian."""
    import importlib

    for nome in ("core", "decorators", "exceptions", "formatting", "types", "parser", "termui", "utils",
                 "_termui_impl"):
        try:
            modulo = importlib.import_module(f"click.{nome}")
        except ImportError:  # pragma: no cover - a module missing in another click version
            continue
        if hasattr(modulo, "_"):
            modulo._ = _
        if hasattr(modulo, "ngettext"):
            modulo.ngettext = _n
    import click.types

    base = getattr(click.types, "_NumberRangeBase", None)
    if base is not None and hasattr(base, "_describe_range"):
        base._describe_range = _intervallo
