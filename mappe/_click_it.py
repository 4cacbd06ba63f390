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
    "{value} is not in the range {range}.": "{value} non è nell'intervallo {range}.",
    "Choose from:\n\t{choices}": "Scegliere tra:\n\t{choices}",
    "Could not open file {filename!r}: {message}": "Non si riesce ad aprire il file {filename!r}: {message}",
}
TRADUZIONI_PLURALI = {
    "Got unexpected extra argument ({args})": (
        "Argomento in più non previsto ({args})", "Argomenti in più non previsti ({args})"
    ),
    "{value!r} is not {choice}.": (
        "{value!r} non è un valore ammesso: usare {choice}.",
        "{value!r} non è un valore ammesso: usare uno tra {choices}.",
    ),
    "Did you mean {possibility}?": ("Forse intendeva {possibility}?", "(Forse intendeva uno tra: {possibilities}?)"),
}


def _(testo: str) -> str:
    return TRADUZIONI.get(testo, testo)


def _n(singolare: str, plurale: str, n: int) -> str:
    if singolare in TRADUZIONI_PLURALI:
        s, p = TRADUZIONI_PLURALI[singolare]
        return s if n == 1 else p
    return singolare if n == 1 else plurale


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
