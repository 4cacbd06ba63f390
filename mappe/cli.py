"""The ``mappe`` command: parse, call one core function, print. Nothing else lives here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import _click_it
from .errori import MappeError
from .lingue import LINGUE as LINGUE_PAGINE
from .testo import per_comando, per_terminale, quanti, riga_terminale, righe_per_strato

_click_it.installa()

MAX_RIGHE_MOSTRATE = 50  # beyond this, the rest goes to --scarti
VISTE_NOMI = ("tutto", "bisogni-risorse", "memoria", "emozioni", "luoghi", "rete", "seguito")
CONTESTO = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ErroreUtente(click.ClickException):
    """A MappeError shown as one Italian sentence, exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        # the message may quote a value from a file: nothing in it acts on the terminal
        click.echo(f"Errore: {per_terminale(self.format_message())}", err=True)


class ComandoIt(click.Command):
    """A command whose usage line is Italian."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPZIONI]")
        super().__init__(*args, **kwargs)


class Gruppo(click.Group):
    """A command group that turns MappeError into a clean message (no traceback)."""

    command_class = ComandoIt

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[OPZIONI]")
        kwargs.setdefault("subcommand_metavar", "COMANDO [ARGOMENTI]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MappeError as e:
            raise ErroreUtente(str(e)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The output went to a program that stopped reading (| head): nothing to report.
            sys.stderr.close()
            raise click.exceptions.Exit(0) from None
        except KeyboardInterrupt:
            raise ErroreUtente(
                "Interrotto. Ogni scrittura è tutta o niente: i dati sono come prima, oppure, se l'operazione "
                "era appena finita, già salvati ('mappe storia' dice quale)."
            ) from None
        except OSError as e:
            if os.environ.get("MAPPE_DEBUG"):
                raise
            motivi = {2: "la cartella non esiste", 13: "non c'è il permesso di scrivere lì",
                      28: "il disco è pieno", 30: "il disco è in sola lettura", 21: "è una cartella"}
            motivo = motivi.get(e.errno, "errore del sistema")
            raise ErroreUtente(
                f"Non si riesce a usare {e.filename or 'il file'}: {motivo}. Scegliere un'altra cartella o "
                "controllare il disco; i dati non sono stati toccati."
            ) from None
        except Exception as e:
            if os.environ.get("MAPPE_DEBUG"):
                raise
            raise ErroreUtente(
                f"Errore imprevisto ({type(e).__name__}: {e}). I dati sul disco sono rimasti come prima. "
                "Per i dettagli rilanciare con MAPPE_DEBUG=1 e segnalarlo a chi mantiene mappe."
            ) from None


def echo(messaggio="", err: bool = False, nl: bool = True) -> None:
    """Print a message: everything a terminal would act on (control characters, escape sequences,
    C1 codes, bidirectional controls) that came in with the data is shown as a visible code.

    Every message of the commands goes through here: values from files and from visitors are
    part of many of them.
    """
    click.echo(per_terminale(messaggio), err=err, nl=nl)


def conferma(domanda: str) -> bool:
    """Ask yes or no, in Italian (click's confirm only knows y/n)."""
    while True:
        risposta = click.prompt(f"{per_terminale(domanda)} [s/N]", default="n", show_default=False).strip().lower()
        if risposta in ("s", "si", "sì", "y"):
            return True
        if risposta in ("n", "no", ""):
            return False
        echo("Rispondere s (sì) oppure n (no).")


def registra_esportazione(area, percorso: Path, tipo: str, contenuto: dict, impronte: dict | None = None) -> None:
    """Record what an exported file holds (so that an erasure can name the files to replace)."""
    from .registro import registra_esportazione as registra

    registra(area, percorso, tipo, contenuto, impronte)


def _mappe_qui(ctx: click.Context) -> str:
    """'mappe', or 'mappe --area X' when the command was given for another folder than the current one:
    the commands it suggests must work when copied."""
    cartella = Path(ctx.find_root().obj["area"]).resolve()
    return "mappe" if cartella == Path.cwd().resolve() else f"mappe --area {per_comando(str(cartella))}"


def _area(ctx: click.Context):
    from .archivio import Area

    area = Area(ctx.obj["area"])
    if area.postgis is not None:
        from .correzioni import avvisi_oblio_altrove

        trovati = avvisi_oblio_altrove(area)
        if trovati:
            echo("Attenzione: da un altro computer sono state cancellate per sempre (oblio) righe che stavano in questi "
                 "file esportati da qui: sostituirli (rifarli) o cancellarli.", err=True)
            for e in trovati:
                echo(f"  {e['quando'].replace('T', ' ')}  {e['tipo']}: {riga_terminale(e['file'])}", err=True)
    return area




def _migliaia(n: int) -> str:
    """23061 -> '23.061', as Italians write it."""
    return f"{int(n):,}".replace(",", ".")


def _cartella_area(valore: str | None) -> Path:
    return Path(valore) if valore else Path.cwd()


def _imposta_area(ctx: click.Context, param, valore: str | None) -> None:
    if valore:
        ctx.ensure_object(dict)
        ctx.obj["area"] = Path(valore)


def opzione_area(f):
    """--area also after the command name: 'mappe comuni elenco --area X'."""
    return click.option("--area", metavar="CARTELLA", expose_value=False, callback=_imposta_area,
                        help="L'area di lavoro da usare (predefinita: la cartella corrente).")(f)


def opzione_distanza(aiuto: str):
    """--distanza in metres, the same range and default wherever it appears."""
    return click.option("--distanza", type=click.FloatRange(50, 20000), default=800, show_default=True,
                        metavar="METRI", help=aiuto)


opzione_stile = click.option(
    "--stile", type=click.Choice(["comunita", "classico"]), default="comunita", show_default=True,
    help="comunita: la mappa della comunità, senza sfondo online; classico: con la mappa di base (internet).")


def _html(ctx, param, valore: Path | None) -> Path | None:
    if valore is not None and valore.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter(f"il file deve finire con .html (per esempio {valore.stem or 'mappa'}.html).")
    return valore


@click.group(cls=Gruppo, context_settings=CONTESTO)
@click.option(
    "--area", "area", metavar="CARTELLA", envvar="MAPPE_AREA",
    help="L'area di lavoro da usare (predefinita: la cartella corrente; anche con MAPPE_AREA).",
)
@click.version_option(package_name="mappe", message="mappe %(version)s")
@click.pass_context
def main(ctx: click.Context, area: str | None) -> None:
    """mappe: mappe partecipate di bisogni e risorse di un comune.

    Il percorso di una sera dopo il focus group:

    \b
      mappe init progetto && cd progetto
      mappe comuni aggiungi "Rivalta di Torino"
      mappe modello contributi.xlsx          (da compilare)
      mappe importa contributi.xlsx --comune "Rivalta di Torino"
      mappe mappa "Rivalta di Torino"        (scrive rivalta-di-torino.html)

    Per provare subito con dati di esempio: mappe demo
    """
    ctx.ensure_object(dict)
    ctx.obj["area"] = _cartella_area(area)


@main.command(context_settings=CONTESTO)
@click.argument("cartella", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--nuova-chiave", is_flag=True,
              help="Crea una nuova chiave per un'area che ha i dati dei comuni ma ha perso la sua (.mappe/segreto).")
@click.option("--archivio", metavar="INDIRIZZO", envvar="MAPPE_ARCHIVIO",
              help="Tiene i dati dei comuni in un database PostgreSQL con PostGIS, condiviso dal gruppo "
                   "(postgresql://utente@server/database; anche con MAPPE_ARCHIVIO). Senza: file GeoPackage.")
@click.pass_context
def init(ctx: click.Context, cartella: Path | None, nuova_chiave: bool, archivio: str | None) -> None:
    """Crea un'area di lavoro: il catalogo in layers/ e la cartella data/comuni/.

    Senza CARTELLA usa la cartella indicata con --area o quella corrente.
    Un catalogo già presente non viene toccato. Ogni area ha una sua chiave
    segreta (.mappe/segreto), da copiare sempre insieme ai dati.

    Con --archivio i dati stanno in un database PostgreSQL + PostGIS che più
    facilitatori usano insieme: chi si collega allo stesso database con
    'mappe init' riceve la stessa chiave e lo stesso catalogo. La password non
    si scrive nell'indirizzo: va in ~/.pgpass o in PGPASSWORD.

    \b
    Esempi:
      mappe init progetto-cidis
      mappe init cidis --archivio postgresql://mario@192.168.1.10/mappe
    """
    from .archivio import crea_area

    destinazione = cartella or ctx.obj["area"]
    area = crea_area(destinazione, nuova_chiave=nuova_chiave, archivio=archivio or None)
    if area.postgis is not None:
        from .postgis import url_senza_password

        n = len(area.postgis.slugs())
        echo(f"Area di lavoro pronta in {riga_terminale(area.cartella)}, con i dati nel database "
             f"{url_senza_password(area.url_archivio)}"
             + (f" ({quanti(n, 'comune già presente', 'comuni già presenti')})." if n else "."))
        if n:
            echo("Per vederli: mappe comuni elenco")
            return
    else:
        echo(f"Area di lavoro pronta in {riga_terminale(area.cartella)}.")
    echo("Ora aggiungere i comuni: mappe comuni aggiungi NOME")


@main.group(cls=Gruppo, context_settings=CONTESTO)
def comuni() -> None:
    """I comuni dell'area di lavoro.

    \b
    Esempi:
      mappe comuni aggiungi Orbassano "Rivalta di Torino" 001120
      mappe comuni elenco
    """


@comuni.command("aggiungi", context_settings=CONTESTO)
@click.argument("nomi", nargs=-1, required=True, metavar="NOME_O_CODICE_ISTAT...")
@click.option("--provincia", metavar="SIGLA", help="La sigla della provincia, per i comuni con lo stesso nome (es. TO).")
@opzione_area
@click.pass_context
def comuni_aggiungi(ctx: click.Context, nomi: tuple[str, ...], provincia: str | None) -> None:
    """Aggiunge uno o più comuni: confine e popolazione ISTAT, e gli strati vuoti.

    Il nome si può scrivere senza maiuscole né accenti; per i comuni omonimi
    serve --provincia.

    \b
    Esempi:
      mappe comuni aggiungi "rivalta di torino" Aglie
      mappe comuni aggiungi Samone --provincia TO
      mappe comuni aggiungi 001171
    """
    from . import territorio

    area = _area(ctx)
    area.solo_dati_veri()
    # Resolve every name first: one unknown name adds nothing.
    trovati = []
    for n in nomi:
        try:
            trovati.append(territorio.cerca_comune(n, provincia))
        except MappeError as e:
            altri = f" Nessun comune è stato aggiunto (neanche {', '.join(x for x in nomi if x != n)}): correggere e rilanciare." \
                if len(nomi) > 1 else ""
            raise ErroreUtente(f"{e}{altri}") from None
    for comune in trovati:
        arch, nuovo = area.aggiungi_comune(comune)
        stato = "aggiunto" if nuovo else "era già presente"
        echo(
            f"{comune.nome} ({comune.sigla}, ISTAT {comune.codice_istat}): {stato}, "
            f"{_migliaia(arch.info['popolazione'])} abitanti – "
            + (f"data/comuni/{comune.slug}/" if arch.su_file else "nel database")
        )


@comuni.command("elenco", context_settings=CONTESTO)
@opzione_area
@click.pass_context
def comuni_elenco(ctx: click.Context) -> None:
    """Elenca i comuni dell'area con popolazione e numero di elementi per strato.

    \b
    Esempio:
      mappe comuni elenco
    """
    area = _area(ctx)
    archivi = area.archivi()
    for p in area.esclusi:
        echo(f"Attenzione: {riga_terminale(p)} è un collegamento simbolico e non viene aperto: sostituirlo con la "
             "cartella vera.", err=True)
    if not archivi:
        echo("Nessun comune nell'area di lavoro. Aggiungerne uno: mappe comuni aggiungi NOME")
        return
    intest = f"{'Comune':<24} {'Prov.':<5} {'ISTAT':<7} {'Abitanti':>9} {'Contributi':>10} {'Luoghi':>7} {'Incontri':>8} {'Riscontri':>9}"
    echo(intest)
    for a in archivi:
        c = a.conta()
        ab = _migliaia(a.info["popolazione"])
        echo(
            f"{a.info['nome'][:24]:<24} {a.info['sigla']:<5} {a.info['codice_istat']:<7} {ab:>9} "
            f"{c.get('contributi', 0):>10} {c.get('luoghi', 0):>7} {c.get('incontri', 0):>8} {c.get('riscontri', 0):>9}"
        )


@main.command(context_settings=CONTESTO)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--strato", type=click.Choice(["contributi", "luoghi", "incontri", "iniziative"]), default="contributi", show_default=True,
    help="Per quale strato è il modello.",
)
@click.option("--sovrascrivi", is_flag=True, help="Sostituisce un file che esiste già.")
@click.option("--xlsform", is_flag=True,
              help="Scrive invece un modulo XLSForm per KoboToolbox o ODK Collect, costruito dal catalogo.")
@click.option("--lingue", metavar="ar,uk,...", default="",
              help="Aggiunge le colonne per le traduzioni scritte da una persona (testo_ar, titolo_ar...).")
@click.pass_context
def modello(ctx: click.Context, file: Path, strato: str, sovrascrivi: bool, xlsform: bool, lingue: str) -> None:
    """Scrive un foglio vuoto per i facilitatori, con le colonne giuste e una riga di esempio.

    In .xlsx c'è anche un foglio 'Istruzioni' che spiega ogni colonna e i valori
    ammessi, e i menu a tendina; in .csv il separatore è ';' (Excel italiano).

    Con --xlsform scrive un modulo per KoboToolbox o ODK Collect: le sue
    esportazioni si importano così come sono.

    \b
    Esempi:
      mappe modello contributi.xlsx
      mappe modello luoghi.csv --strato luoghi
      mappe modello --xlsform modulo-kobo.xlsx
      mappe modello contributi-tradotti.xlsx --lingue ar,uk
    """
    from .catalogo import carica_catalogo
    from .lingue import LINGUE
    from .modello import comando_importa, scrivi_modello, scrivi_xlsform

    scelte = [x.strip().lower() for x in lingue.split(",") if x.strip()]
    for x in scelte:
        if x not in LINGUE or x == "it":
            raise MappeError(f"--lingue: '{x}' non è una delle lingue delle pagine pubbliche "
                             f"({', '.join(k for k in LINGUE if k != 'it')}).")

    cartella = ctx.obj["area"]
    catalogo = carica_catalogo(cartella / "layers") if (cartella / "layers").is_dir() else carica_catalogo()
    if xlsform:
        scrivi_xlsform(catalogo, file, strato, sovrascrivi)
        echo(f"Modulo XLSForm scritto in {riga_terminale(file)}: caricarlo in KoboToolbox o ODK; le risposte esportate "
             f"si importano con '{comando_importa(strato, 'FILE')}'.")
        return
    scrivi_modello(catalogo, file, strato, sovrascrivi, scelte)
    echo(f"Modello scritto in {riga_terminale(file)}. Compilarlo, poi: {comando_importa(strato, file.name)}")


def _colonne(ctx, param, valore: str | None) -> dict[str, str]:
    """--colonne testo=descrizione,tipo=Tipo -> {"testo": "descrizione", "tipo": "Tipo"}."""
    if not valore:
        return {}
    out = {}
    for coppia in valore.split(","):
        if "=" not in coppia:
            raise click.BadParameter(
                f"'{coppia}' non è nella forma campo=colonna (per esempio testo=descrizione).", param_hint="--colonne"
            )
        campo, colonna = coppia.split("=", 1)
        out[campo.strip()] = colonna
    return out


def _imposta(ctx, param, valori) -> dict[str, str]:
    """--imposta tipo=risorsa --imposta tema=socialita -> {"tipo": "risorsa", "tema": "socialita"}."""
    out = {}
    for coppia in valori or ():
        campo, uguale, valore = coppia.partition("=")
        if not uguale or not campo.strip() or not valore.strip():
            raise click.BadParameter(f"'{coppia}' non è nella forma campo=valore (per esempio tipo=risorsa).",
                                     param_hint="--imposta")
        out[campo.strip()] = valore.strip()
    return out


@main.command(context_settings=CONTESTO)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--comune", "comune", required=True, metavar="COMUNE", help="Il comune (nome, codice ISTAT o cartella).")
@click.option(
    "--strato", type=click.Choice(["contributi", "luoghi", "incontri", "iniziative"]), default="contributi", show_default=True,
    help="Lo strato in cui importare.",
)
@click.option("--foglio", metavar="NOME", help="Il foglio da leggere in un file .xlsx, .xls o .ods (predefinito: il primo).")
@click.option("--colonne", callback=_colonne, metavar="CAMPO=COLONNA,...",
              help="Quale colonna del file va in quale campo, se i nomi sono diversi (es. testo=descrizione).")
@click.option("--imposta", "imposta", multiple=True, callback=_imposta, metavar="CAMPO=VALORE",
              help="Dà a ogni riga lo stesso valore, dove il file non lo dice (es. --imposta tipo=risorsa per una "
                   "mappa di uMap; ripetibile).")
@click.option("--scambia-coordinate", is_flag=True, help="Nel file latitudine e longitudine sono scambiate: rimetterle a posto.")
@click.option("--fuori-comune", type=click.Choice(["rifiuta", "accetta"]), default="rifiuta", show_default=True,
              help="Che cosa fare dei punti fuori dal comune.")
@click.option("--crs", metavar="EPSG:CODICE", help="Il sistema di coordinate di un file GIS che non lo dice o lo dice sbagliato.")
@click.option("--scarti", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv",
              help="Scrive le righe respinte, con il motivo, in un CSV da correggere e importare di nuovo.")
@click.option("--cartella-foto", type=click.Path(path_type=Path), metavar="CARTELLA",
              help="Dove sono le foto nominate nella colonna foto: una cartella, o lo zip degli allegati di Kobo o ODK "
                   "(predefinito: la cartella del file).")
@click.option("--posizione-da-foto", is_flag=True,
              help="Una riga senza posizione prende quella GPS della sua foto (solo se lo si chiede: la posizione "
                   "di una foto può mettere in pericolo qualcuno).")
@click.option("--prova", is_flag=True, help="Controlla ogni riga e dice cosa farebbe, senza scrivere niente.")
@click.option("--limite-righe", type=click.IntRange(min=1), metavar="N",
              help="Quante righe (o elementi di un file GIS) può avere al massimo il file (predefinito: 200.000).")
@click.option("--limite-vertici", type=click.IntRange(min=1), metavar="N",
              help="Quanti punti può avere al massimo una forma, una zona o un percorso (predefinito: 100.000).")
@click.option("--limite-mb", type=click.IntRange(min=1), metavar="MB",
              help="Quanti MB può occupare al massimo, decompresso, un file compresso: zip, xlsx, foto comprese "
                   "(predefinito: 200).")
@opzione_area
@click.pass_context
def importa(ctx, file: Path, comune: str, strato: str, foglio, colonne, imposta, scambia_coordinate: bool,
            fuori_comune: str, crs, scarti: Path | None, cartella_foto: Path | None, posizione_da_foto: bool,
            prova: bool, limite_righe: int | None, limite_vertici: int | None, limite_mb: int | None) -> None:
    """Importa un file (CSV, Excel, LibreOffice, GeoJSON, GPX, GeoPackage, Shapefile, KML, Kobo/ODK) in un comune.

    Ogni riga respinta è elencata con il numero di riga, il campo e cosa fare, e
    non viene scritta; le righe buone sono scritte tutte insieme. Importare due
    volte lo stesso file non aggiunge niente; una riga con un id già noto e il
    contenuto cambiato aggiorna quella che c'era. Esce con 1 se qualche riga è
    stata respinta.

    Foto e disegni: la colonna foto nomina i file (separati da |), nella
    cartella del file o in --cartella-foto; mappe ne toglie i dati nascosti
    (posizione GPS, macchina) e tiene solo copie ridotte. Lo zip esportato
    dall'editor (mappe rilievo) si importa così com'è, foto comprese.

    Un file oltre i limiti (righe, punti di una forma, MB di un file compresso) è
    rifiutato prima di leggerlo tutto, senza scrivere niente: un file costruito
    per bloccare il computer si ferma in pochi secondi. Se un file autentico li
    supera, --limite-righe, --limite-vertici e --limite-mb li alzano.

    \b
    Esempi:
      mappe importa luoghi.csv --comune Orbassano --strato luoghi
      mappe importa incontri.xlsx --comune Orbassano --strato incontri
      mappe importa contributi.xlsx --comune Orbassano --prova
      mappe importa contributi.xlsx --comune Orbassano --scarti da-correggere.csv
      mappe importa vecchio.csv --comune Orbassano --colonne testo=descrizione,tipo=Categoria
      mappe importa rilievo.shp --comune Orbassano --crs EPSG:3003
      mappe importa umap.geojson --comune Orbassano --strato luoghi --imposta categoria=altro
      mappe importa passeggiata.gpx --comune Orbassano --imposta tipo=memoria --imposta tema=socialita
      mappe importa catasto.zip --comune Orbassano --limite-mb 500 --limite-righe 400000
      mappe importa memorie.xlsx --comune Orbassano --cartella-foto foto-del-focus-group
      mappe importa kobo.xlsx --comune Orbassano --cartella-foto allegati-kobo.zip
      mappe importa rilievo-orbassano-2026-11-30.zip --comune Orbassano
    """
    from .importa import Opzioni, importa_file, scrivi_scarti
    from .importa.limiti import Limiti

    area = _area(ctx)
    area.solo_dati_veri()
    arch = area.archivio(comune)
    scelti = {"righe": limite_righe, "vertici": limite_vertici, "mb": limite_mb}
    opzioni = Opzioni(colonne=colonne, imposta=imposta, scambia_coordinate=scambia_coordinate, fuori_comune=fuori_comune,
                      crs=crs, foglio=foglio, limiti=Limiti(**{k: v for k, v in scelti.items() if v is not None}),
                      cartella_foto=cartella_foto, posizione_da_foto=posizione_da_foto)
    r = importa_file(arch, file, strato, prova=prova, opzioni=opzioni)
    intestazione = "Prova (niente è stato scritto)" if prova else "Importazione"
    echo(f"{intestazione} di {riga_terminale(file.name)} in {arch.nome}, strato {strato}:")
    verbo = "da importare" if prova else "importati"
    ignorati = f", ignorati: {r.ignorati}" if r.ignorati else ""
    echo(
        f"  {verbo}: {r.importati}, aggiornati: {r.aggiornati}, già presenti: {r.gia_presenti}, "
        f"respinti: {len(r.respinti)}{ignorati} (righe nel file: {r.righe})"
    )
    if r.righe == 0:
        echo("  Il file non ha righe da importare (c'è solo l'intestazione?).")
    if r.foto:
        echo(f"  Foto {'da conservare' if prova else 'conservate'}: {r.foto} (senza i dati nascosti: posizione GPS, "
             "macchina, data; solo copie ridotte)")
    if r.foto_tolte:
        echo(f"  {quanti(r.foto_tolte, 'foto non è più', 'foto non sono più')} in nessuna riga e "
             f"{'esce' if r.foto_tolte == 1 else 'escono'} dall'archivio (se non era voluto: "
             f"'mappe annulla {per_comando(arch.nome)}').")
    if r.foto_con_gps:
        echo(f"  {quanti(r.foto_con_gps, 'riga', 'righe')} senza posizione {'ha' if r.foto_con_gps == 1 else 'hanno'} "
             f"una foto con la posizione GPS: per {'metterla' if r.foto_con_gps == 1 else 'metterle'} lì, rilanciare con --posizione-da-foto (solo se quella "
             "posizione non mette in pericolo nessuno).")
    for a in r.avvisi[:MAX_RIGHE_MOSTRATE]:
        echo(f"  Attenzione, {riga_terminale(file.name)} {a}", err=True)
    if len(r.avvisi) > MAX_RIGHE_MOSTRATE:
        echo(f"  ... e altri {len(r.avvisi) - MAX_RIGHE_MOSTRATE} avvisi.", err=True)
    if r.da_collocare:
        una = len(r.da_collocare) == 1
        echo(f"  Da collocare: {quanti(len(r.da_collocare), 'riga', 'righe')} con l'indirizzo ma senza coordinate "
             f"(mappe non cerca gli indirizzi su internet): {'collocarla' if una else 'collocarle'} con l'editor, "
             f"'mappe rilievo {per_comando(arch.nome)}', che {'la' if una else 'le'} trova per indirizzo.")
        for numero, indirizzo in r.da_collocare[:MAX_RIGHE_MOSTRATE]:
            echo(f"    riga {numero}: {riga_terminale(indirizzo)}")
        if len(r.da_collocare) > MAX_RIGHE_MOSTRATE:
            echo(f"    ... e altre {len(r.da_collocare) - MAX_RIGHE_MOSTRATE}.")
    if prova and (r.importati or r.aggiornati):
        echo("Per scrivere davvero, rilanciare lo stesso comando senza --prova.")
    if r.respinti:
        echo("Righe respinte (non scritte):", err=True)
        for x in r.respinti[:MAX_RIGHE_MOSTRATE]:
            echo(f"  {riga_terminale(file.name)}, {x}", err=True)
        if len(r.respinti) > MAX_RIGHE_MOSTRATE:
            echo(f"  ... e altre {len(r.respinti) - MAX_RIGHE_MOSTRATE} righe respinte"
                 f"{' (tutte nel file degli scarti)' if scarti else ' (tutte con --scarti FILE.csv)'}.", err=True)
        if scarti:
            scrivi_scarti(r, scarti)
            # The rows have no id yet: the registry keeps keyed fingerprints of their words, so that
            # an erasure can still name this file.
            celle = [] if r.scarti is None else [v for v in r.scarti.drop(columns=["errore"], errors="ignore")
                                                 .astype(object).to_numpy().ravel().tolist() if isinstance(v, str)]
            registra_esportazione(area, scarti, "righe respinte", {arch.slug: []}, {arch.slug: celle})
            echo(f"Le righe respinte sono in {riga_terminale(scarti)}, con il motivo nella colonna 'errore': correggerle "
                 f"e importare quel file.", err=True)
        else:
            echo("Correggere queste righe nel file e importarlo di nuovo: le righe già importate non "
                 "si duplicano (con --scarti FILE.csv si ottengono in un file a parte).", err=True)
        ctx.exit(1)


def _lingue_pagina(lingua: str, lingue: str | None) -> list[str]:
    """The languages of a public page: --lingue it,ar,fr (the first is the default), else --lingua."""
    from .lingue import LINGUE, lingue_pagine

    if not lingue:
        return [lingua or "it"]
    if lingua:
        raise click.UsageError("usare --lingua (una lingua) oppure --lingue (più lingue, la prima è quella "
                               "predefinita), non tutte e due.")
    scelte = list(dict.fromkeys(x.strip().lower() for x in lingue.split(",") if x.strip()))
    pronte = lingue_pagine()
    for x in scelte:
        if x not in pronte:
            raise click.UsageError(f"--lingue: la lingua '{x}' non è tra quelle delle pagine: "
                                   + ", ".join(f"{k} ({LINGUE[k]})" for k in pronte) + ".")
    return scelte or ["it"]


def _avvisa_traduzioni(catalogo, lingue: list[str]) -> None:
    """Say which labels of the catalogue a page shows in Italian, for each of its other languages."""
    from .lingue import NOMI_IT
    from .traduzioni import mancanti

    mostrati = ("tipo", "tema", "emozione", "fascia_eta", "categoria", "ruolo", "seguito", "reazione")
    for x in lingue:
        manca = mancanti(catalogo, x, mostrati)
        if manca:
            echo(f"Attenzione: in {NOMI_IT.get(x, x)} {quanti(len(manca), 'voce del catalogo resta', 'voci del catalogo restano')} "
                 f"in italiano ({', '.join(manca[:8])}{'...' if len(manca) > 8 else ''}): per tradurle, "
                 f"mappe catalogo traduzioni --lingua {x} -o catalogo-{x}.xlsx")


def opzione_lingue(f):
    return click.option("--lingue", metavar="it,ar,fr...",
                        help="Una sola pagina in più lingue, con il pulsante per cambiarla (la prima è quella "
                             "predefinita): it, en, fr, ar, ro, sq, uk, es.")(f)


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.option("--vista", type=click.Choice(VISTE_NOMI), default="tutto", show_default=True, help="Che cosa mostrare.")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), callback=_html,
              help="Il file HTML da scrivere (predefinito: <comune>.html nella cartella corrente).")
@click.option("--lingua", type=click.Choice(list(LINGUE_PAGINE)), default=None,
              help="La lingua della mappa (predefinita: it).")
@opzione_lingue
@click.option("--titolo", metavar="TESTO", help="Un titolo al posto di quello della vista.")
@click.option("--interna", is_flag=True,
              help="Mappa per uso interno: mostra anche i contributi riservati e le posizioni vere (mai i campi personali).")
@opzione_distanza("Con --vista rete: entro quanti metri una risorsa dello stesso tema risponde a un bisogno.")
@opzione_stile
@opzione_area
@click.pass_context
def mappa(ctx, comune: str, vista: str, uscita: Path | None, lingua: str, lingue: str | None, titolo: str | None,
          interna: bool, distanza: float, stile: str) -> None:
    """Scrive la mappa interattiva di un comune: un solo file HTML che funziona senza internet.

    Passa per le regole di riservatezza: i campi privati e i contributi riservati
    non ci sono, le posizioni sensibili sono spostate.

    \b
    Esempi:
      mappe mappa Orbassano
      mappe mappa Orbassano --vista bisogni-risorse -o bisogni.html
      mappe mappa Orbassano --lingua en
      mappe mappa Orbassano --lingue it,ar,uk
      mappe mappa Orbassano --vista rete --distanza 500
      mappe mappa Orbassano --vista seguito
    """
    from .rendi.mappa import costruisci_mappa, scrivi_mappa

    area = _area(ctx)
    arch = area.archivio(comune)
    contenuto: dict = {}
    scelte = _lingue_pagina(lingua, lingue)
    html = costruisci_mappa(area, arch, vista, scelte, interna, titolo, distanza, contenuto, stile)
    _avvisa_traduzioni(area.catalogo, scelte)
    uscita = uscita or Path(f"{arch.slug}.html")
    scrivi_mappa(html, uscita, privato=interna)
    registra_esportazione(area, uscita, "mappa interna" if interna else "mappa", contenuto)
    echo(f"Mappa scritta in {riga_terminale(uscita)} ({len(html.encode('utf-8')) // 1024} kB): aprirla con il browser.")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), callback=_html,
              help="Il file HTML da scrivere (predefinito: rilievo-<comune>.html).")
@click.option("--incontro", metavar="ID", help="L'incontro a cui appartengono i contributi aggiunti.")
@click.option("--lingua", type=click.Choice(["it", "en"]), default="it", show_default=True, help="La lingua.")
@opzione_area
@click.pass_context
def rilievo(ctx, comune: str, uscita: Path | None, incontro: str | None, lingua: str) -> None:
    """Scrive l'editor per collocare sulla mappa quello che è stato detto (funziona senza internet).

    Si apre anche su un telefono o un tablet. Chi lo tiene tocca Punto,
    Percorso o Zona, poi la mappa, e compila la scheda con le voci del
    catalogo; per orientarsi vede i comuni vicini, i luoghi con il loro nome e,
    sbiaditi, i contributi già nell'archivio. I contributi «da collocare» si
    collocano dall'elenco. Il lavoro resta nel browser finché non si esporta un
    file GeoJSON; la finestra dell'esportazione dice come importarlo con
    'mappe importa'.

    \b
    Esempi:
      mappe rilievo Orbassano --incontro FG-ORB-02
      mappe importa rilievo-orbassano-2026-11-30.geojson --comune Orbassano
    """
    from .rendi.mappa import scrivi_mappa
    from .rendi.rilievo import costruisci_rilievo

    area = _area(ctx)
    arch = area.archivio(comune)
    contenuto: dict = {}
    html = costruisci_rilievo(area, arch, incontro, lingua, contenuto)
    uscita = uscita or Path(f"rilievo-{arch.slug}.html")
    scrivi_mappa(html, uscita, privato=True)  # the editor holds the internal data
    registra_esportazione(area, uscita, "rilievo", contenuto)
    echo(f"Editor scritto in {riga_terminale(uscita)}: aprirlo con il browser (anche su un tablet), poi esportare il "
         f"rilievo e importarlo con 'mappe importa FILE --comune {per_comando(arch.nome)}'.")


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, metavar="[COMUNE]...")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), default="territorio.html",
              show_default=True, callback=_html, help="Il file HTML da scrivere.")
@click.option("--titolo", metavar="TESTO", help="Il titolo della mappa.")
@click.option("--lingua", type=click.Choice(list(LINGUE_PAGINE)), default=None,
              help="La lingua della mappa (predefinita: it).")
@opzione_lingue
@opzione_area
@click.pass_context
def territorio(ctx, comuni_nomi, uscita: Path, titolo, lingua: str, lingue: str | None) -> None:
    """Scrive la mappa d'insieme dei comuni: contributi ogni 1.000 abitanti, per tipo e per tema.

    Senza COMUNE prende tutti i comuni dell'area. I comuni vicini fuori dal
    progetto sono in grigio. Conta solo i contributi pubblici (non i riservati
    né quelli senza consenso); sotto i 3 contributi il dato è «meno di 3», e
    sono nascoste anche le cifre che permetterebbero di ricalcolarlo.
    Cliccando un comune si leggono le sue cifre e, se la sua mappa è stata
    scritta nella stessa cartella, la si apre.

    \b
    Esempi:
      mappe territorio -o territorio.html
      mappe territorio Orbassano Beinasco Volvera -o cidis.html
    """
    from .rendi.mappa import scrivi_mappa
    from .rendi.territorio import costruisci_territorio

    area = _area(ctx)
    archivi = [area.archivio(n) for n in comuni_nomi] if comuni_nomi else area.archivi()
    if not archivi:
        raise ErroreUtente("Nessun comune nell'area di lavoro: aggiungerne con 'mappe comuni aggiungi NOME'.")
    scelte = _lingue_pagina(lingua, lingue)
    html = costruisci_territorio(area, archivi, uscita, scelte, titolo)
    scrivi_mappa(html, uscita)
    echo(f"Mappa del territorio ({quanti(len(archivi), 'comune', 'comuni')}) scritta in {riga_terminale(uscita)} "
         f"({len(html.encode('utf-8')) // 1024} kB).")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path),
              help="Scrive l'elenco in un CSV (per Excel) invece di stamparlo.")
@opzione_distanza("Entro quanti metri una risorsa dello stesso tema conta come risposta.")
@opzione_area
@click.pass_context
def scoperti(ctx, comune: str, uscita: Path | None, distanza: float) -> None:
    """Elenca i bisogni senza una risposta: nessuna risorsa o proposta dello stesso tema vicina.

    Per ciascuno dice la risorsa dello stesso tema più vicina e a quanti metri.
    L'elenco si può dare ai partner: tiene solo i contributi pubblici (non i
    riservati né quelli senza consenso), con i codici pubblici (quelli che
    'mappe modifica' accetta) e i punti sensibili nella posizione spostata.

    \b
    Esempi:
      mappe scoperti Orbassano
      mappe scoperti Orbassano --distanza 500 -o scoperti.csv
    """
    from .analisi import scoperti as trova
    from .file import scrivi_csv
    from .testo import riga_terminale

    area = _area(ctx)
    arch = area.archivio(comune)
    tab = trova(arch, distanza)
    if uscita:
        scrivi_csv(uscita, list(tab.columns), tab.itertuples(index=False))
        registra_esportazione(area, uscita, "scoperti", {arch.slug: tab.attrs["id_interni"]})
        echo(f"{arch.nome}: {quanti(len(tab), 'bisogno', 'bisogni')} senza risposta entro {distanza:.0f} m, "
             f"{'scritto' if len(tab) == 1 else 'scritti'} in {riga_terminale(uscita)}.")
        return
    echo(f"{arch.nome}: {quanti(len(tab), 'bisogno', 'bisogni')} senza risposta entro {distanza:.0f} m.")
    def testo(v) -> str:
        return "" if v is None or pd_isna(v) else str(v)

    for r in tab.itertuples():
        vicino = (f"la risposta più vicina dello stesso tema (risorsa o proposta) è «{riga_terminale(testo(r.titolo_risorsa))}», "
                  f"a {r.distanza_m} m in linea d'aria"
                  if r.distanza_m is not None and not pd_isna(r.distanza_m) else "nessuna risorsa o proposta di questo tema")
        titolo = riga_terminale(testo(r.titolo) or testo(r.testo)[:60])
        echo(f"  - [{riga_terminale(area.catalogo.etichetta('tema', r.tema))}] {titolo} ({r.id}): {vicino}")


def pd_isna(v) -> bool:
    import math

    return v is None or (isinstance(v, float) and math.isnan(v))


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, metavar="[COMUNE]...")
@click.option("--formato", type=click.Choice(["md", "csv", "xlsx"]),
              help="md: un rapporto con i grafici (PNG accanto); csv e xlsx: la tabella (predefinito: "
                   "dall'estensione del file .md, .csv o .xlsx; senza -o, md).")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path),
              help="Il file da scrivere (predefinito: riepilogo.md, .csv o .xlsx).")
@opzione_distanza("La distanza per i bisogni senza risposta.")
@opzione_area
@click.pass_context
def riepilogo(ctx, comuni_nomi, formato: str, uscita: Path | None, distanza: float) -> None:
    """Il riepilogo per il monitoraggio: per comune e per fase degli incontri.

    Incontri, partecipanti, contributi per tipo e tema (anche ogni 1.000
    abitanti), quota di bisogni senza risposta, riscontri approvati delle
    mostre, per ogni fase e per tutte le fasi. E che fine hanno fatto le
    proposte e i bisogni: quanti per ogni stato (detta, in valutazione...
    realizzata), la percentuale di realizzati, i giorni dal focus group alla
    realizzazione (mediana), le iniziative nate e i loro fondi (se gli importi
    sono pubblici nel catalogo). Conta solo i contributi e le iniziative
    pubblici (non i riservati né quelli senza consenso), come la mappa: i
    bisogni senza risposta sono cercati con i punti sensibili nella posizione
    spostata. I conteggi sotto 3 sono scritti «<3» e le cifre che
    permetterebbero di ricalcolarli «n.d.»; una mediana di meno di 3 giorni
    misurati non è scritta: il file si può pubblicare.

    \b
    Esempi:
      mappe riepilogo -o monitoraggio.md
      mappe riepilogo Orbassano Beinasco --formato xlsx -o riepilogo.xlsx
    """
    from .analisi import riepilogo as calcola
    from .rapporti import scrivi_riepilogo

    if uscita is not None:
        # the file's extension says its format: never Markdown in a file named .pdf
        dal_nome = {".md": "md", ".csv": "csv", ".xlsx": "xlsx"}.get(uscita.suffix.lower())
        if formato is None and dal_nome is None:
            nome = riga_terminale(uscita.name)
            raise click.BadParameter(
                (f"dall'estensione di {nome} non si capisce il formato" if uscita.suffix else
                 f"{nome} non ha un'estensione che dica il formato") + ": il riepilogo si scrive "
                "in Markdown (.md, con i grafici PNG accanto), CSV (.csv) o Excel (.xlsx). Dare al file una di queste "
                "estensioni, o scegliere il formato con --formato md, csv o xlsx.", param_hint="'-o' / '--output'")
        if formato is not None and dal_nome is not None and dal_nome != formato:
            raise click.BadParameter(
                f"il file {riga_terminale(uscita.name)} ha l'estensione di un file {dal_nome}, ma --formato chiede "
                f"{formato}: usare lo stesso formato per tutti e due (per esempio riepilogo.{formato}).",
                param_hint="'-o' / '--output'")
        formato = formato or dal_nome
    formato = formato or "md"
    uscita = uscita or Path(f"riepilogo.{formato}")
    area = _area(ctx)
    archivi = [area.archivio(n) for n in comuni_nomi] if comuni_nomi else area.archivi()
    if not archivi:
        raise ErroreUtente("Nessun comune nell'area di lavoro: aggiungerne con 'mappe comuni aggiungi NOME'.")
    scritti = scrivi_riepilogo(calcola(archivi, distanza), area.catalogo, uscita, formato)
    echo(f"Riepilogo di {quanti(len(archivi), 'comune', 'comuni')} scritto in "
         + ", ".join(riga_terminale(p) for p in scritti) + ".")


def _lista_comuni(ctx, param, valore: str) -> list[str]:
    return [x.strip() for x in valore.split(",") if x.strip()]


@main.command(context_settings=CONTESTO)
@click.option("--intervento", required=True, callback=_lista_comuni, metavar="A,B,C",
              help="I comuni dove il progetto è intervenuto, separati da virgole.")
@click.option("--controllo", required=True, callback=_lista_comuni, metavar="D,E",
              help="I comuni di controllo, separati da virgole.")
@click.option("--indicatore", default="contributi_per_mille", show_default=True, metavar="NOME",
              help="Una colonna del riepilogo: contributi_per_mille, partecipanti, quota_bisogni_scoperti, "
                   "quota_realizzate (la parte di proposte e bisogni realizzati)...")
@click.option("--prima", default="baseline", show_default=True, metavar="FASE", help="La fase di partenza.")
@click.option("--dopo", default="verifica", show_default=True, metavar="FASE", help="La fase di verifica.")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), default="confronto.md",
              show_default=True, help="Il rapporto da scrivere (Markdown, con il grafico PNG accanto).")
@click.option("--interno", is_flag=True,
              help="Con le cifre esatte, anche sotto 3, e l'avviso USO INTERNO: da non diffondere.")
@opzione_area
@click.pass_context
def confronta(ctx, intervento, controllo, indicatore: str, prima: str, dopo: str, uscita: Path, interno: bool) -> None:
    """Confronta i comuni dell'intervento con quelli di controllo (differenza nelle differenze).

    Calcola la variazione dell'indicatore dalla prima alla seconda fase nei due
    gruppi e la differenza tra le due variazioni, e spiega che cosa significa e
    che cosa non può dimostrare.

    Il rapporto si può dare ai partner: usa le cifre del riepilogo
    pubblicabile, e un comune con una cifra nascosta resta fuori dalle medie.
    Con --interno usa le cifre esatte, sotto l'avviso USO INTERNO.

    \b
    Esempi:
      mappe confronta --intervento Orbassano,Beinasco,Bruino --controllo Piossasco,Volvera
      mappe confronta --intervento Orbassano --controllo Volvera --indicatore partecipanti --interno
      mappe confronta --intervento Orbassano --controllo Volvera --indicatore quota_realizzate
    """
    from .analisi import confronta as calcola
    from .analisi import riepilogo as calcola_riepilogo
    from .rapporti import scrivi_confronto

    area = _area(ctx)
    archivi = [area.archivio(n) for n in intervento + controllo]
    nomi = [a.nome for a in archivi]
    riep = calcola_riepilogo(archivi)
    c = calcola(riep, nomi[: len(intervento)], nomi[len(intervento):], indicatore, prima, dopo, pubblico=not interno)
    scritti = scrivi_confronto(c, uscita)
    if interno:
        from .rapporti import AVVISO_INTERNO

        echo(AVVISO_INTERNO + "\n")
    echo(c.spiegazione())
    echo("\nScritto in " + ", ".join(str(p) for p in scritti) + ".")


@main.command("verifica", context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, metavar="[COMUNE]...")
@opzione_area
@click.pass_context
def verifica_cmd(ctx, comuni_nomi) -> None:
    """Controlla i dati di uno o più comuni (predefinito: tutti).

    Controlla che il file sia integro, che le colonne e i valori siano quelli
    del catalogo, che le forme siano valide e dentro il comune, che gli id siano
    unici e che incontri, luoghi e contributi citati esistano. Esce con 1 se
    trova problemi.

    \b
    Esempi:
      mappe verifica Orbassano
      mappe verifica
    """
    from .verifica import verifica_archivio

    area = _area(ctx)
    archivi = [area.archivio(n) for n in comuni_nomi] if comuni_nomi else area.archivi()
    totale = 0
    for arch in archivi:
        problemi = verifica_archivio(area, arch)
        totale += len(problemi)
        if problemi:
            echo(f"{arch.nome}: {quanti(len(problemi), 'problema', 'problemi')}.")
            for p in problemi[:MAX_RIGHE_MOSTRATE]:
                echo(f"  - {p}")
            if len(problemi) > MAX_RIGHE_MOSTRATE:
                echo(f"  ... e altri {len(problemi) - MAX_RIGHE_MOSTRATE}.")
        else:
            echo(f"{arch.nome}: tutto a posto.")
    if totale:
        ctx.exit(1)


@main.command("esporta", context_settings=CONTESTO)
@click.argument("comune")
@click.option("--formato", type=click.Choice(["geojson", "gpkg", "csv", "kml", "xlsx"]),
              help="Il formato (predefinito: dall'estensione del file).")
@click.option("-o", "--output", "uscita", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Il file da scrivere.")
@click.option("--strato", type=click.Choice(["contributi", "luoghi", "incontri", "riscontri", "iniziative"]), default="contributi",
              show_default=True, help="Quale strato esportare.")
@click.option("--completo", is_flag=True, help="Anche i campi privati (autore, note, referenti): solo per uso interno.")
@opzione_area
@click.pass_context
def esporta_cmd(ctx, comune: str, formato, uscita: Path, strato: str, completo: bool) -> None:
    """Esporta uno strato di un comune per QGIS, uMap o un foglio di calcolo.

    Senza --completo i campi privati restano fuori. Il file si può correggere e
    importare di nuovo: le righe cambiate si aggiornano, le altre restano.

    \b
    Esempi:
      mappe esporta Orbassano -o orbassano.gpkg
      mappe esporta Orbassano --formato csv -o contributi.csv
      mappe esporta Orbassano --strato luoghi -o luoghi.geojson
    """
    from .esporta import esporta

    area = _area(ctx)
    arch = area.archivio(comune)
    contenuto: dict = {}
    esporta(arch, uscita, formato, strato, completo, contenuto)
    registra_esportazione(area, uscita, f"esporta {strato}", contenuto)
    nota = " (con i campi privati: non diffonderlo)" if completo else ""
    echo(f"{arch.nome}, strato {strato}: esportato in {riga_terminale(uscita)}{nota}.")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.argument("parole", nargs=-1, required=True, metavar="PAROLE...")
@click.option("--strato", type=click.Choice(["contributi", "luoghi", "incontri", "riscontri", "iniziative"]), default=None,
              help="Cerca solo in questo strato (predefinito: in tutti).")
@opzione_area
@click.pass_context
def cerca(ctx, comune: str, parole, strato: str | None) -> None:
    """Trova contributi, luoghi, incontri, riscontri e iniziative per le parole che contengono, con il loro codice.

    Il codice (per esempio c-3513d761e9aea0b6) è quello da usare con 'mappe
    modifica', 'mappe elimina' e 'mappe riscontri'. Maiuscole e accenti non
    contano; tutte le parole devono esserci.

    \b
    Esempi:
      mappe cerca Orbassano panchina
      mappe cerca Orbassano bar piazza --strato luoghi
    """
    from .testo import piega

    area = _area(ctx)
    arch = area.archivio(comune)
    cercate = [piega(p) for p in parole if piega(p)]
    campi = {"contributi": ("titolo", "testo", "epoca", "indirizzo"), "luoghi": ("nome", "descrizione", "indirizzo"),
             "incontri": ("id", "luogo"), "riscontri": ("commento",),
             "iniziative": ("nome", "descrizione", "promotore", "fondo", "indirizzo", "esito")}
    trovati = []
    for nome, colonne in campi.items():
        if strato and nome != strato:
            continue
        df = arch.leggi(nome)
        for r in df.to_dict("records"):
            testo = " ".join(str(r.get(c) or "") for c in (*colonne, "id"))
            if all(p in piega(testo) for p in cercate):
                trovati.append((nome, r))
    if not trovati:
        echo(f"{arch.nome}: niente che contenga «{' '.join(parole)}».")
        return
    echo(f"{arch.nome}: {quanti(len(trovati), 'risultato', 'risultati')}.")
    for nome, r in trovati[:MAX_RIGHE_MOSTRATE * 3]:
        if nome == "contributi":
            cosa = f"{area.catalogo.etichetta('tipo', r['tipo'])} · {area.catalogo.etichetta('tema', r['tema'])}"
            testo = r.get("titolo") or (r.get("testo") or "")[:70]
        elif nome == "luoghi":
            cosa, testo = "luogo", r.get("nome") or ""
        elif nome == "incontri":
            cosa, testo = "incontro", f"{r.get('data') or ''} {r.get('luogo') or ''}".strip()
        elif nome == "iniziative":
            cosa, testo = "iniziativa", f"{r.get('nome') or ''} ({r.get('promotore') or ''})"
        else:
            cosa, testo = f"riscontro ({r.get('stato') or 'in attesa'})", (r.get("commento") or "")[:70]
        echo(f"  {r['id']}  {cosa}: {riga_terminale(str(testo))}")
    if len(trovati) > MAX_RIGHE_MOSTRATE * 3:
        echo(f"  ... e altri {len(trovati) - MAX_RIGHE_MOSTRATE * 3}: aggiungere parole per restringere.")


def _coppie_campo_valore(args: list[str]) -> dict[str, str]:
    """['--tema', 'lavoro', '--testo', 'x'] -> {'tema': 'lavoro', 'testo': 'x'}."""
    valori = {}
    k = 0
    while k < len(args):
        a = args[k]
        if not a.startswith("--") or k + 1 >= len(args):
            raise click.UsageError(f"'{a}' va scritto come --campo valore, per esempio --tema lavoro.")
        nome = a[2:].replace("-", "_")
        valore = args[k + 1]
        if "=" in nome:
            nome, valore = nome.split("=", 1)
            k += 1
        else:
            k += 2
        valori[nome] = valore
    return valori


@main.command(context_settings={**CONTESTO, "ignore_unknown_options": True, "allow_extra_args": True},
              options_metavar="[--CAMPO VALORE]...")
@click.argument("comune")
@click.argument("id_", metavar="ID")
@opzione_area
@click.pass_context
def modifica(ctx, comune: str, id_: str) -> None:
    """Cambia uno o più campi di un contributo, luogo, incontro, riscontro o iniziativa: --campo valore.

    I campi sono quelli del catalogo (layers/strati.toml): per i contributi
    tipo, tema, titolo, testo, emozione, epoca, fascia_eta, peso, luogo,
    risponde_a, indirizzo, visibilita, sensibile, consenso, autore, note,
    incontro, e per le foto didascalia, autore_foto, foto_pubblica (e foto,
    solo con i codici di foto già nell'archivio: le nuove si importano); per i
    luoghi nome, categoria, ruolo, descrizione, indirizzo, referente e gli
    stessi campi delle foto; per gli incontri data, luogo, facilitatori, partecipanti,
    fasce_eta, fase, note. L'ID si trova con 'mappe cerca' (va bene anche
    quello pubblico di una mostra).

    Gli stessi controlli di un'importazione: un tema sconosciuto, una data
    sbagliata, una posizione fuori posto sono rifiutati. --lon e --lat lo
    spostano. La modifica si annulla con 'mappe annulla'.

    \b
    Esempi:
      mappe cerca Orbassano circolo        (per trovare il codice)
      mappe modifica Orbassano c-3513d761e9aea0b6 --tema socialita --titolo "Il circolo"
      mappe modifica Orbassano c-3513d761e9aea0b6 --consenso scritto
      mappe modifica Orbassano c-3513d761e9aea0b6 --lon 7.5378 --lat 45.0087
    """
    from .correzioni import modifica as cambia

    valori = _coppie_campo_valore(ctx.args)
    area = _area(ctx)
    arch = area.archivio(comune)
    strato, cambi = cambia(arch, id_, valori)
    cosa = {"contributi": "contributo", "luoghi": "luogo", "incontri": "incontro", "riscontri": "riscontro", "iniziative": "iniziativa"}.get(strato, strato)
    echo(f"{arch.nome}, {cosa} {id_}: {'cambiato il campo' if len(cambi) == 1 else 'cambiati i campi'} "
         f"{', '.join(sorted(cambi))}.")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.argument("id_", metavar="ID")
@click.argument("stato", nargs=-1, required=True)
@click.option("--nota", metavar="TESTO", help="Una nota pubblica: che cosa è stato fatto, o perché non si può fare.")
@click.option("--data", metavar="GG/MM/AAAA", help="Quando è cambiato (predefinito: oggi).")
@opzione_area
@click.pass_context
def stato(ctx, comune: str, id_: str, stato: tuple, nota: str | None, data: str | None) -> None:
    """Segna che fine ha fatto una proposta, un bisogno o un'iniziativa: lo stato, la data, una nota.

    Gli stati sono quelli del catalogo (layers/seguito.toml): detta,
    in_valutazione, sostenuta, in_corso, realizzata, non_realizzabile (che vuole
    la nota con il perché). Ogni cambio resta nelle tappe del contributo, che la
    scheda della mappa mostra dal giorno in cui è stato detto, ed è in 'mappe
    storia'; si annulla con 'mappe annulla'. Lo stato e la nota sono pubblici
    (non quelli di un contributo riservato). Si cambia anche dal foglio
    esportato con 'mappe esporta --completo' (colonne stato ed esito).

    \b
    Esempi:
      mappe stato Orbassano C-ORB-004 in_valutazione
      mappe stato Orbassano C-ORB-004 sostenuta --nota "Il fondo di microcredito la finanzia"
      mappe stato Orbassano C-ORB-004 non_realizzabile --nota "Lo spazio non è del Comune" --data 12/01/2027
      mappe stato Orbassano I-ORB-01 realizzata --nota "Aperto ogni sabato"   (un'iniziativa)
    """
    from .seguito import cambia_stato, codice_stato

    stato = " ".join(stato)  # «mappe stato Orbassano C-1 in corso» without quotes

    area = _area(ctx)
    arch = area.archivio(comune)
    voci = area.catalogo.vocabolari.get("seguito", {})
    riga, prima, giorno = cambia_stato(arch, id_, stato, nota, data)
    dopo = codice_stato(voci, stato) or stato
    quando = "/".join(reversed(giorno.split("-"))) if giorno else ""
    etichetta = {c: v.label for c, v in voci.items()}
    if prima == dopo:  # the same status: its note or its day corrected
        cosa = "; ".join(x for x in (f"la data è ora {quando}" if data and quando else "",
                                     f"nota: {riga_terminale(nota)}" if nota else "") if x)
        echo(f"{arch.nome}, {riga}: resta «{etichetta.get(dopo, dopo)}»; {cosa}. "
             f"Per tornare indietro: {_mappe_qui(ctx)} annulla {per_comando(arch.nome)}")
        return
    echo(f"{arch.nome}, {riga}: da «{etichetta.get(prima, prima)}» a «{etichetta.get(dopo, dopo)}»"
         f"{f' ({quando})' if quando else ''}{'; nota: ' + riga_terminale(nota) if nota else ''}. "
         f"Per tornare indietro: {_mappe_qui(ctx)} annulla {per_comando(arch.nome)}")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--si", "senza_chiedere", is_flag=True, help="Non chiede conferma (per gli script).")
@click.option("--scollega", is_flag=True,
              help="Elimina anche un luogo o un incontro citato da contributi, che restano senza quel collegamento.")
@click.option("--oblio", is_flag=True,
              help="Cancella per sempre: anche dalle versioni conservate (non si può annullare), dalla storia e dagli "
                   "strati aggiunti a mano; elenca i file esportati che li contenevano.")
@click.option("--anche-file", is_flag=True, help="Con --oblio: cancella anche i file esportati che li contenevano.")
@click.option("--compatta", is_flag=True,
              help="Con l'archivio su PostgreSQL: riscrive anche le tabelle (VACUUM FULL), perché i dati cancellati non "
                   "restino nello spazio libero del database; le blocca per qualche istante.")
@opzione_area
@click.pass_context
def elimina(ctx, comune: str, ids: tuple[str, ...], senza_chiedere: bool, scollega: bool, oblio: bool,
            anche_file: bool, compatta: bool) -> None:
    """Elimina contributi, luoghi, incontri, riscontri o iniziative dal comune.

    Gli ID sono quelli di 'mappe esporta' (anche quelli pubblici, di un file
    esportato senza --completo). Senza --oblio si può tornare indietro con
    'mappe annulla'. Con --oblio (una persona ha chiesto di essere
    dimenticata) le righe spariscono anche dalle versioni conservate (anche
    righe già eliminate prima), e si elencano i file esportati che le
    contenevano, da sostituire (con --anche-file si cancellano).

    \b
    Esempi:
      mappe elimina Orbassano C-ORB-007
      mappe elimina Orbassano L-ORB-03 --scollega
      mappe elimina Orbassano C-ORB-007 C-ORB-012 --oblio --si
    """
    from .correzioni import elimina as togli
    from .correzioni import id_interno, riferimenti, trova

    if anche_file and not oblio:
        raise click.UsageError("--anche-file si usa solo con --oblio.")
    area = _area(ctx)
    arch = area.archivio(comune)
    if not oblio:
        for i in ids:
            trova(arch, i)  # every id must exist before asking anything
    interni = [id_interno(arch, i) for i in ids]
    ref = riferimenti(arch, set(interni))
    if ref and not scollega:
        for chi, da in ref.items():
            echo(f"'{chi}' è citato da: {', '.join(da[:10])}{'...' if len(da) > 10 else ''}.")
        if senza_chiedere:
            raise ErroreUtente("Niente è stato eliminato: aggiungere --scollega per eliminarlo e lasciare quei "
                               "contributi senza il collegamento.")
        if not conferma("Eliminarlo lo stesso, lasciando senza il collegamento chi lo cita?"):
            raise ErroreUtente("Niente è stato eliminato.")
        scollega = True
    if not senza_chiedere:
        cosa = "cancellare per sempre (anche dalle versioni conservate)" if oblio else "eliminare"
        if not conferma(f"{arch.nome}: {cosa} {quanti(len(ids), 'elemento', 'elementi')} ({', '.join(ids[:5])}"
                        f"{'...' if len(ids) > 5 else ''})?"):
            raise ErroreUtente("Niente è stato eliminato.")
    foto_prima = arch.foto_presenti()
    esito = togli(area, arch, list(ids), scollega, oblio, anche_file, compatta=compatta)
    foto_tolte = len(foto_prima - arch.foto_presenti()) if foto_prima else 0
    righe = righe_per_strato(esito.righe)
    uno = sum(esito.righe.values()) == 1
    if not oblio:
        echo(f"{arch.nome}: {'eliminato' if uno else 'eliminati'} {righe}. Per tornare indietro: {_mappe_qui(ctx)} annulla {per_comando(arch.nome)}")
        return
    cancellati = (f"{'cancellato' if uno else 'cancellati'} per sempre {righe}" if righe
                  else "niente nei dati attuali (erano già stati eliminati)")
    gia = (f"; {quanti(esito.righe_versioni, 'riga già eliminata prima', 'righe già eliminate prima')} "
           f"{'tolta' if esito.righe_versioni == 1 else 'tolte'} dalle versioni conservate") if esito.righe_versioni else ""
    foto = f", con {quanti(foto_tolte, 'foto', 'foto')}" if foto_tolte else ""
    echo(f"{arch.nome}: {cancellati}{foto}{gia}; "
         f"{quanti(esito.versioni, 'versione conservata pulita', 'versioni conservate pulite')}.")
    if foto_tolte:
        echo("  Le foto originali (con la loro posizione GPS) e il foglio da cui sono state importate restano dove "
             "erano sul computer (o sul telefono): mappe non li tocca, cancellarli a mano.")
    _dopo_oblio(esito)


def _dopo_oblio(esito) -> None:
    """What an erasure says about layers added by hand and exported files."""
    for tabella, n in esito.a_mano.items():
        echo(f"  {'Tolta' if n == 1 else 'Tolte'} anche {quanti(n, 'riga o cella', 'righe o celle')} dallo strato "
             f"'{riga_terminale(tabella)}', aggiunto a mano all'archivio.")
    if esito.esportazioni:
        if esito.file_cancellati:
            echo("Questi file esportati li contenevano e sono stati cancellati:")
        else:
            echo("Questi file esportati li contenevano: sostituirli (rifarli) o cancellarli "
                 "(con --anche-file lo fa mappe):")
        for e in esito.esportazioni:
            if e["file"] in esito.file_cambiati:
                esiste = " (cambiato dopo l'esportazione: non cancellato, controllarlo a mano)"
            else:
                esiste = "" if Path(e["file"]).exists() else (" (cancellato)" if e["file"] in esito.file_cancellati
                                                              else " (non c'è più)")
            echo(f"  {e['quando'].replace('T', ' ')}  {e['tipo']}: {riga_terminale(e['file'])}{esiste}")
    else:
        echo("Nessun file esportato registrato li conteneva.")


@main.command(context_settings=CONTESTO)
@click.option("--persona", "chi", metavar="NOME", help="Il nome, la sigla o il telefono della persona.")
@click.option("--autore", "autore", metavar="NOME", hidden=True, help="Come --persona (il nome di prima).")
@click.option("--elenco", is_flag=True, help="Dice soltanto dove compare, senza cancellare niente.")
@click.option("--si", "senza_chiedere", is_flag=True, help="Non chiede conferma (per gli script).")
@click.option("--anche-file", is_flag=True, help="Cancella anche i file esportati che la contenevano.")
@click.option("--compatta", is_flag=True,
              help="Con l'archivio su PostgreSQL: riscrive anche le tabelle (VACUUM FULL), perché i dati cancellati non "
                   "restino nello spazio libero del database; le blocca per qualche istante.")
@opzione_area
@click.pass_context
def oblio(ctx, chi: str | None, autore: str | None, elenco: bool, senza_chiedere: bool, anche_file: bool,
          compatta: bool) -> None:
    """Dimentica una persona che lo ha chiesto, in tutti i comuni.

    Cerca il nome (o la sigla, o il telefono) in ogni campo che dice chi è una
    persona (autore, referente, facilitatori...), nei dati, nelle versioni
    conservate, nella storia e negli strati aggiunti a mano; dice che cosa
    ha trovato e chiede conferma. Poi cancella per sempre quello che la
    persona ha detto, svuota i campi che la nominano ed elenca i file esportati
    che la contenevano. I testi che la nominano non si cambiano da soli:
    vengono elencati, da correggere con 'mappe modifica' (poi rilanciare
    'mappe oblio' per pulire anche le versioni conservate).

    \b
    Esempi:
      mappe oblio --persona "Maria R." --elenco
      mappe oblio --persona "Maria R."
      mappe oblio --persona "333 1234567" --si --anche-file
    """
    from .correzioni import cerca_persona, dimentica_persona

    chi = chi or autore
    if not chi:
        raise click.UsageError("Indicare la persona: --persona NOME.")
    area = _area(ctx)
    tracce = cerca_persona(area, chi)
    if tracce.vuote:
        echo(f"Nessuna traccia di '{chi}' nei comuni dell'area (dati, versioni conservate, storia).")
        return
    if tracce.detti:
        echo(f"{quanti(len(tracce.detti), 'contributo detto', 'contributi detti')} da '{chi}' "
             "(saranno cancellati per sempre):")
        for r in tracce.detti:
            echo(f"  {r['comune']}  {r['id']}  {r['tipo']}, {r['tema']}: «{riga_terminale(r['inizio'])}»")
    if tracce.campi:
        echo(f"{quanti(len(tracce.campi), 'campo la nomina', 'campi la nominano')} (saranno svuotati):")
        for r in tracce.campi:
            echo(f"  {r['comune']}  {r['strato']} {r['id']}, {r['campo']}: «{riga_terminale(r['valore'])}»")
    if tracce.solo_versioni:
        echo(f"Compare anche in {quanti(tracce.solo_versioni, 'riga', 'righe')} delle versioni conservate "
             "(dati già eliminati o cambiati): saranno pulite.")
    for t in tracce.a_mano:
        echo(f"Compare nello strato aggiunto a mano {t}: quelle righe saranno tolte.")
    if tracce.menzioni:
        echo(f"{quanti(len(tracce.menzioni), 'testo la nomina', 'testi la nominano')}: non si cambiano da soli, "
             "correggerli con 'mappe modifica' e poi rilanciare 'mappe oblio':")
        for r in tracce.menzioni:
            echo(f"  mappe modifica {r['comune']} {r['id']} --{r['campo']} \"...\"   "
                 f"(ora: «{riga_terminale(str(r['valore'])[:70])}»)")
    if elenco:
        return
    if not (tracce.detti or tracce.campi or tracce.solo_versioni or tracce.storia or tracce.a_mano):
        raise ErroreUtente("Niente da cancellare da sé: correggere i testi elencati, poi rilanciare 'mappe oblio'.")
    if senza_chiedere and tracce.persona.una_parola:
        raise ErroreUtente(f"'{chi}' è un nome solo, che può essere di più persone: con --si scrivere nome e cognome "
                           "(o il telefono), oppure togliere --si e controllare l'elenco prima di confermare.")
    if not senza_chiedere and not conferma(f"Cancellare per sempre le tracce di '{chi}' (non si può annullare)?"):
        raise ErroreUtente("Niente è stato cancellato.")
    esito = dimentica_persona(area, chi, anche_file, compatta=compatta)
    gia = (f", {quanti(esito.righe_versioni, 'riga già eliminata prima', 'righe già eliminate prima')} "
           f"{'tolta' if esito.righe_versioni == 1 else 'tolte'} dalle versioni conservate") if esito.righe_versioni else ""
    echo(f"Fatto: {quanti(sum(esito.righe.values()), 'riga cancellata', 'righe cancellate')} per sempre dai dati{gia}, "
         f"{quanti(esito.svuotati, 'valore svuotato', 'valori svuotati')}, "
         f"{quanti(esito.versioni, 'versione conservata pulita', 'versioni conservate pulite')}.")
    _dopo_oblio(esito)
    if tracce.menzioni:
        echo("Resta da correggere 1 testo che la nomina (elencato sopra)." if len(tracce.menzioni) == 1 else
             f"Restano da correggere {len(tracce.menzioni)} testi che la nominano (elencati sopra).")


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@opzione_area
@click.pass_context
def storia(ctx, comune: str) -> None:
    """Elenca le modifiche ai dati di un comune: quando, chi, che cosa, quante righe.

    \b
    Esempio:
      mappe storia Orbassano
    """
    area = _area(ctx)
    arch = area.archivio(comune)
    voci = arch.storia()
    if not voci:
        echo(f"{arch.nome}: nessuna modifica registrata.")
        return
    echo(f"Storia di {arch.nome} (dalla più recente):")
    # A served exhibition writes one line per submission: an evening's run shows as one.
    gruppi: list[list[dict]] = []
    for v in voci:
        if (v.get("aggiunta") and gruppi and gruppi[-1][-1].get("aggiunta") == v["aggiunta"]
                and gruppi[-1][-1]["operazione"] == v["operazione"]):
            gruppi[-1].append(v)
        else:
            gruppi.append([v])
    for g in reversed(gruppi):
        v = g[-1]
        quando = v["quando"].replace("T", " ")
        if len(g) > 1:
            n = sum(x.get("righe") or 0 for x in g)
            echo(f"  {g[0]['n']:>3}-{v['n']}. {riga_terminale(quando)}  {riga_terminale(v['utente'])}  "
                 f"{riga_terminale(v['operazione'])}, {_migliaia(n)} {'riga' if n == 1 else 'righe'} in "
                 f"{_migliaia(len(g))} invii")
            echo(f"       dal {riga_terminale(g[0]['quando'].replace('T', ' '))} al {riga_terminale(quando)}")
            continue
        righe = f", {quanti(v['righe'], 'riga', 'righe')}" if v.get("righe") is not None else ""
        stato = " [annullata]" if v["annullata"] else ""
        echo(f"  {v['n']:>3}. {riga_terminale(quando)}  {riga_terminale(v['utente'])}  "
             f"{riga_terminale(v['operazione'])}{righe}{stato}")
        if v.get("dettagli"):
            echo(f"       {riga_terminale(v['dettagli'])}")


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, required=True, metavar="COMUNE...")
@click.option("--in", "destinazione", required=True, metavar="CARTELLA", type=click.Path(file_okay=False, path_type=Path),
              help="La cartella nuova dove mettere la copia (per esempio sul portatile).")
@opzione_area
@click.pass_context
def copia(ctx, comuni_nomi: tuple[str, ...], destinazione: Path) -> None:
    """Copia alcuni comuni in un'area nuova su file, da usare senza rete.

    Per la sera di un focus group senza internet: la copia ha gli stessi
    dati, la stessa chiave e lo stesso catalogo, e funziona da sola (file
    GeoPackage). Al ritorno, 'mappe unisci' porta le modifiche da una parte
    all'altra. La copia contiene dati personali: tenerla su un computer
    protetto.

    \b
    Esempi:
      mappe copia Orbassano --in /media/chiavetta/orbassano
      mappe copia Orbassano Beinasco --in ~/portatile-cidis
      (poi, al ritorno, dall'area del gruppo:)
      mappe unisci ~/portatile-cidis
    """
    from .unione import copia as fai_copia

    area = _area(ctx)
    archivi = fai_copia(area, list(comuni_nomi), destinazione)
    nomi = ", ".join(a.nome for a in archivi)
    echo(f"Copiati in {riga_terminale(destinazione.resolve())}: {nomi} "
         f"({quanti(len(archivi), 'comune', 'comuni')}, file GeoPackage).")
    echo(f"Per lavorarci: mappe --area {per_comando(str(destinazione))} mappa {per_comando(archivi[0].nome)}")
    echo(f"Al ritorno, da quest'area: mappe unisci {per_comando(str(destinazione))}")


@main.command(context_settings=CONTESTO)
@click.argument("altra", required=False, metavar="ALTRA_AREA", type=click.Path(file_okay=False, path_type=Path))
@click.option("--comune", "comuni_nomi", multiple=True, metavar="COMUNE", help="Solo questo comune (si può ripetere).")
@click.option("--prendi", multiple=True, metavar="ID",
              help="In un conflitto, prende la versione dell'altra area (si può ripetere).")
@click.option("--tieni", multiple=True, metavar="ID",
              help="In un conflitto, tiene la versione di quest'area (si può ripetere).")
@click.option("--prova", is_flag=True, help="Dice che cosa cambierebbe, senza cambiare niente.")
@opzione_area
@click.pass_context
def unisci(ctx, altra: Path | None, comuni_nomi: tuple[str, ...], prendi: tuple[str, ...], tieni: tuple[str, ...],
           prova: bool) -> None:
    """Porta in quest'area le modifiche di un'altra (una copia, o l'area di un collega).

    Le righe nuove dell'altra area entrano, quelle cambiate da una parte sola
    si aggiornano, quelle eliminate di là si eliminano anche qui (e quelle
    cancellate con l'oblio non tornano mai). Le righe cambiate da tutte e due
    le parti dall'ultima unione sono conflitti: vengono elencate e non si
    toccano; si sceglie poi con --prendi o --tieni. Rilanciarlo non cambia
    niente. Senza ALTRA_AREA, in una copia, unisce l'area da cui è stata
    copiata. Per portare le modifiche anche dall'altra parte, lanciarlo
    anche là (con --area).

    \b
    Esempi:
      mappe unisci ~/portatile-cidis
      mappe unisci ~/portatile-cidis --prova
      mappe unisci ~/portatile-cidis --prendi c-1a2b3c --tieni c-4d5e6f
    """
    from .archivio import Area
    from .unione import descrivi, origine
    from .unione import unisci as fai_unione

    area = _area(ctx)
    da_dove = origine(area)
    if altra is None:
        if da_dove is None:
            raise ErroreUtente("Indicare l'area da unire (la cartella), per esempio: mappe unisci ~/portatile-cidis")
        altra = da_dove[0]
        if not altra.is_dir():
            raise ErroreUtente(f"Questa copia viene da {riga_terminale(altra)}, che da qui non si vede (la copia è su un "
                               "altro computer?): indicare dove si trova ora l'area del gruppo, per esempio "
                               "mappe unisci /media/chiavetta/cidis")
    altra_area = Area(altra)
    comuni = list(comuni_nomi)
    if not comuni and da_dove is not None and da_dove[1] and altra_area.cartella == Area(da_dove[0]).cartella:
        comuni = da_dove[1]  # a copy takes back only its own comuni, not every comune of the team
    esito = fai_unione(area, altra_area, comuni or None, set(prendi), set(tieni), prova)
    for avviso in esito.avvisi:
        echo(f"Attenzione: {avviso}")
    echo(("Unione di prova (niente è stato cambiato) da " if prova else "Unione da ")
         + f"{riga_terminale(altra_area.cartella)} ({altra_area.tipo_archivio}):")
    for n in esito.comuni_nuovi:
        echo(f"  {n}: comune nuovo in quest'area" + (" (sarebbe aggiunto)." if prova else ", aggiunto."))
    for riga in descrivi(esito):
        echo(riga)
    if esito.conflitti:
        echo(f"{quanti(len(esito.conflitti), 'conflitto', 'conflitti')} (righe cambiate da tutte e due le parti "
             "dall'ultima unione: niente è stato sovrascritto):")
        for c in esito.conflitti:
            if c.motivo == "cancellato_la":
                perche = ("di là una riga con questo codice è stata cancellata con l'oblio, ma qui non era la stessa "
                          "dall'ultima unione: --prendi la cancella anche qui, --tieni la lascia")
            elif c.motivo == "cambiato_qui":
                perche = "cambiato qui, eliminato di là (--prendi lo elimina anche qui, --tieni lo tiene)"
            elif c.motivo == "cambiato_la":
                perche = "eliminato qui, cambiato di là (--prendi lo rimette qui, --tieni lo lascia eliminato)"
            else:
                perche = "; ".join(f"{campo}: qui «{riga_terminale(_breve(q))}», di là «{riga_terminale(_breve(la))}»"
                                   for campo, q, la in c.campi[:4]) or "valori diversi"
            echo(f"  {c.comune}  {c.strato}  {c.id}: {perche}")
        primo = esito.conflitti[0].id
        echo(f"Per scegliere: --prendi {primo} prende la versione dell'altra area, --tieni {primo} tiene questa "
             "(si possono ripetere), per esempio:")
        echo(f"  {_mappe_qui(ctx)} unisci {per_comando(str(altra_area.cartella))} --prendi {primo}")
    if esito.esportazioni:
        echo("Questi file esportati contenevano righe cancellate ora con l'oblio: sostituirli (rifarli) o cancellarli:")
        for e in esito.esportazioni:
            echo(f"  {e['quando'].replace('T', ' ')}  {e['tipo']}: {riga_terminale(e['file'])}")
    if esito.scelte:
        echo(f"{quanti(esito.scelte, 'conflitto risolto', 'conflitti risolti')} come indicato con --prendi/--tieni.")
    if not esito.conflitti and not esito.cambiato:
        echo("Niente cambierebbe in quest'area." if prova else "Niente da portare in quest'area: è già aggiornata.")


def _breve(v) -> str:
    if v is None:
        return "vuoto"
    if hasattr(v, "geom_type"):
        return f"{v.geom_type} {v.representative_point().x:.5f} {v.representative_point().y:.5f}"
    v = str(v)
    return v if len(v) <= 40 else v[:39] + "…"


@main.command(context_settings=CONTESTO)
@click.argument("comune")
@click.option("--si", "senza_chiedere", is_flag=True, help="Non chiede conferma (per gli script).")
@opzione_area
@click.pass_context
def annulla(ctx, comune: str, senza_chiedere: bool) -> None:
    """Annulla l'ultima modifica ai dati di un comune (un'importazione, una moderazione...).

    Si può ripetere per tornare indietro di più passi. Si tengono le ultime 20
    versioni.

    \b
    Esempio:
      mappe annulla Orbassano
      mappe annulla Orbassano --si
    """
    area = _area(ctx)
    arch = area.archivio(comune)
    if not senza_chiedere:
        candidati = [v for v in arch.storia() if v.get("versione") and not v["annullata"] and v["operazione"] != "annulla"]
        if candidati:
            ultima = candidati[-1]
            dettagli = f" ({ultima['dettagli']})" if ultima.get("dettagli") else ""
            chi = f" di {ultima['utente']}" if ultima.get("utente") else ""
            if not conferma(f"{arch.nome}: annullare '{ultima['operazione']}'{chi} del "
                            f"{ultima['quando'].replace('T', ' ')}{dettagli}? Non si potrà rifare."):
                raise ErroreUtente("Niente è stato annullato.")
    v = arch.annulla()
    echo(f"{arch.nome}: annullata l'operazione '{v['operazione']}' del {v['quando'].replace('T', ' ')}.")
    if v.get("dettagli"):
        echo(f"  ({v['dettagli']})")


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, required=True, metavar="COMUNE...")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), default="mostra.html",
              show_default=True, callback=_html, help="Il file HTML da scrivere.")
@click.option("--titolo", metavar="TESTO", help="Il titolo della mostra.")
@click.option("--lingua", type=click.Choice(list(LINGUE_PAGINE)), default=None,
              help="La lingua della mostra (predefinita: it).")
@opzione_lingue
@click.option("--chiosco", is_flag=True,
              help="Per uno schermo touch in una sala: testo e pulsanti grandi, torna all'inizio dopo un po' senza tocchi.")
@click.option("--attesa", type=click.IntRange(2, 3600), default=180, show_default=True, metavar="SECONDI",
              help="Con --chiosco: dopo quanti secondi senza tocchi si torna all'inizio.")
@click.option("--pin", metavar="CODICE", help="Il codice del personale per scaricare i riscontri, almeno 8 cifre "
              "(predefinito: uno nuovo a caso di 10 cifre).")
@click.option("--web", is_flag=True,
              help="Per pubblicarla su un sito: non raccoglie riscontri e mostra il contatto del progetto (progetto.toml).")
@click.option("--foto-massimo", type=click.IntRange(min=0), default=200, show_default=True, metavar="KB",
              help="Quanti kB di foto (miniature) mettere per ogni comune: le memorie per prime, poi i luoghi; 0 = "
                   "nessuna foto.")
@click.option("--dal", metavar="GG/MM/AAAA",
              help="Per la seconda tornata: la mostra si apre su «Che fine hanno fatto le proposte» con quello che è "
                   "cambiato da questo giorno (di solito quello della mostra precedente).")
@opzione_stile
@opzione_area
@click.pass_context
def mostra(ctx, comuni_nomi, uscita: Path, titolo, lingua, lingue, chiosco: bool, attesa: int, pin, web: bool,
           foto_massimo: int, dal: str | None, stile: str) -> None:
    """Scrive la mostra: un solo file HTML, senza internet, per uno o più comuni.

    Ha tutte le mappe (bisogni e risorse, memoria, emozioni, luoghi, rete, che fine
    hanno fatto le proposte), l'elenco dei
    contributi per tema accanto alla mappa, e raccoglie i riscontri dei visitatori
    (reazioni, commenti, luoghi e proposte che mancano). I riscontri restano nel
    browser, cifrati, finché il personale non li scarica con il codice (pulsante
    «Personale»); poi si importano con 'mappe riscontri importa', che li
    decifra con la chiave dell'area di lavoro.

    \b
    Esempi:
      mappe mostra Orbassano Beinasco -o mostra.html --titolo "Le mappe del CIdiS"
      mappe mostra Orbassano --chiosco --pin 48213377
      mappe mostra Orbassano --web -o sito/mappe.html
      mappe mostra Orbassano Beinasco --dal 12/03/2026
    """
    from .rendi.mappa import scrivi_mappa
    from .rendi.mostra import costruisci_mostra
    from .rendi.seguito import data_dal

    dal = data_dal(dal) if dal is not None else None

    if pin is not None:
        cifre = pin.replace(" ", "").replace("-", "")
        if len(cifre) < 8 or not cifre.isdigit():
            raise click.BadParameter("il codice deve avere almeno 8 cifre (spazi e trattini non contano).",
                                     param_hint="--pin")
        from itertools import pairwise

        passi = {(int(b) - int(a)) % 10 for a, b in pairwise(cifre)}
        if len(passi) == 1:  # 00000000, 12345678, 98765432: the first codes anyone tries
            raise click.BadParameter("il codice è troppo facile da indovinare: sceglierne uno meno regolare, o "
                                     "lasciare che mappe ne scelga uno a caso.", param_hint="--pin")
    area = _area(ctx)
    archivi = []
    for nome in comuni_nomi:
        a = area.archivio(nome)
        if a.slug not in [x.slug for x in archivi]:
            archivi.append(a)
    contenuto: dict = {}
    foto: dict = {}
    novita: dict = {}
    scelte = _lingue_pagina(lingua, lingue)
    html, pin_usato = costruisci_mostra(area, archivi, titolo, scelte, chiosco, pin, web, attesa, contenuto, stile,
                                        foto_massimo=foto_massimo * 1024, foto=foto, dal=dal, novita=novita)
    scrivi_mappa(html, uscita)
    registra_esportazione(area, uscita, "mostra", contenuto)
    if novita.get("frase_it"):
        echo(f"Si apre su «Che fine hanno fatto le proposte». {novita['frase_it']}")
    if web and not area.progetto["contatto"]:
        echo("Attenzione: progetto.toml non ha un contatto, e la mostra per il web non dice come "
             "raggiungere il progetto. Scriverlo in progetto.toml (contatto = \"...\") e rifarla.", err=True)
    echo(f"Mostra scritta in {riga_terminale(uscita)} ({len(html.encode('utf-8')) // 1024} kB): un solo file, funziona senza internet.")
    _avvisa_traduzioni(area.catalogo, scelte)
    _di_foto(archivi, foto, foto_massimo)
    if not web and area.di_esempio:
        echo(f"Codice del personale per scaricare i riscontri: {pin_usato}. Attenzione: questa è l'area della demo, "
             "con una chiave pubblica: i riscontri raccolti con questa mostra non sono protetti. Per una mostra vera "
             "creare un'area con 'mappe init'.", err=True)
    elif not web:
        echo(f"Codice del personale per scaricare i riscontri: {pin_usato} (annotarlo: non è scritto da nessuna "
             "parte). I riscontri restano cifrati nel browser: solo questa area di lavoro li può leggere.")


def _di_foto(archivi, foto: dict, massimo_kb: int) -> None:
    """Say how many photos a page holds, and how many it left out for the budget."""
    messe = sum(m for m, _ in foto.values())
    fuori = {a.nome: f for a in archivi for m, f in [foto.get(a.slug, (0, 0))] if f}
    if messe:
        echo(f"Foto nella mostra: {messe} (miniature; al massimo {massimo_kb} kB per comune).")
    if fuori:
        dove = ", ".join(f"{n} {q}" for n, q in fuori.items())
        echo(f"Lasciate fuori {quanti(sum(fuori.values()), 'foto', 'foto')} per stare nel limite ({dove}): le memorie "
             f"e i luoghi hanno la precedenza. Per metterne di più: --foto-massimo {max(massimo_kb * 2, 400)}"
             + (" (la pagina diventa più pesante da aprire sui telefoni)." if massimo_kb else "."), err=True)


def _origine(ctx, param, valore: str | None) -> str | None:
    if valore is None:
        return None
    from urllib.parse import urlsplit

    p = urlsplit(valore.strip())
    if p.scheme not in ("http", "https") or not p.netloc or p.path not in ("", "/") or p.query:
        raise click.BadParameter("serve l'indirizzo pubblico del sito, senza percorso: per esempio "
                                 "https://mappe.esempio.it", param_hint="--origine")
    return f"{p.scheme}://{p.netloc.lower()}"


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, required=True, metavar="COMUNE...")
@click.option("--titolo", metavar="TESTO", help="Il titolo della mostra.")
@click.option("--porta", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="La porta su cui ascoltare (0: una libera a caso).")
@click.option("--indirizzo", default="0.0.0.0", show_default=True, metavar="IP",
              help="0.0.0.0: tutta la rete della sala; 127.0.0.1: solo questo computer (o dietro un sito).")
@click.option("--lingua", type=click.Choice(list(LINGUE_PAGINE)), default=None,
              help="La lingua della mostra (predefinita: it).")
@opzione_lingue
@click.option("--chiosco", is_flag=True,
              help="Per gli schermi touch della sala: testo e pulsanti grandi, torna all'inizio dopo un po' senza tocchi.")
@click.option("--attesa", type=click.IntRange(2, 3600), default=180, show_default=True, metavar="SECONDI",
              help="Con --chiosco: dopo quanti secondi senza tocchi si torna all'inizio.")
@click.option("--origine", metavar="URL", callback=_origine,
              help="Dietro un sito (proxy HTTPS): il suo indirizzo pubblico, per esempio https://mappe.esempio.it.")
@opzione_stile
@opzione_area
@click.pass_context
def servi(ctx, comuni_nomi, titolo, porta: int, indirizzo: str, lingua: str, lingue: str | None, chiosco: bool,
          attesa: int, origine: str | None, stile: str) -> None:
    """Serve la mostra sulla rete della sala: i riscontri arrivano subito.

    I telefoni dei visitatori (con il codice QR che stampa) e i tablet della sala
    aprono la stessa mostra di 'mappe mostra'; reazioni, commenti e luoghi
    segnalati arrivano nei dati del comune, in attesa di moderazione ('mappe
    riscontri modera'). Se la rete cade, restano nel browser e partono quando
    torna. La mostra si rifà da sola quando i dati cambiano (dopo una
    moderazione). Ctrl-C la ferma.

    \b
    Esempi:
      mappe servi Orbassano Beinasco --titolo "Le mappe del CIdiS"
      mappe servi Orbassano --chiosco --porta 8080
      mappe servi Orbassano --indirizzo 127.0.0.1 --origine https://mappe.esempio.it
    """
    import datetime as dt
    import threading

    from .servi import MostraServita, indirizzi_locali
    from .servi import servi as avvia

    area = _area(ctx)
    slugs = []
    for nome in comuni_nomi:
        a = area.archivio(nome)
        if a.slug not in slugs:
            slugs.append(a.slug)
    scelte = _lingue_pagina(lingua, lingue)
    mostra = MostraServita(area, slugs, titolo, scelte, chiosco, attesa, stile, origine)
    _avvisa_traduzioni(area.catalogo, scelte)
    nomi = ", ".join(area.archivio(s).nome for s in slugs)
    echo(f"Preparo la mostra di {nomi}...")
    fermo = threading.Event()

    def annuncia(evento) -> None:
        _, porta_vera = evento
        if origine:
            indirizzi = [origine + "/"]
        elif indirizzo in ("0.0.0.0", "::"):
            indirizzi = [f"http://{ip}:{porta_vera}/" for ip in indirizzi_locali()] or [f"http://127.0.0.1:{porta_vera}/"]
        else:
            ospite = f"[{indirizzo}]" if ":" in indirizzo else indirizzo
            indirizzi = [f"http://{ospite}:{porta_vera}/"]
        if origine:
            ospite = f"[{indirizzo}]" if ":" in indirizzo else indirizzo
            echo(f"Mostra servita ({len(mostra.pagina.html) // 1024} kB) in ascolto su http://{ospite}:{porta_vera}/ "
                 f"per il sito: aprire {indirizzi[0]}")
        else:
            echo(f"Mostra servita ({len(mostra.pagina.html) // 1024} kB): aprire {indirizzi[0]}")
        for altro in indirizzi[1:]:
            echo(f"  (oppure {altro})")
        if indirizzo.startswith("127.") and not origine:
            echo("Solo da questo computer: per i telefoni e i tablet della sala usare --indirizzo 0.0.0.0.")
        _qr(indirizzi[0])
        if area.di_esempio:
            echo("Attenzione: questa è l'area della demo (dati inventati, chiave pubblica): per una mostra vera creare "
                 "un'area con 'mappe init'.", err=True)
        echo("I riscontri arrivano in attesa di moderazione ('mappe riscontri modera COMUNE'). Ctrl-C per fermare.")

        def conta() -> None:
            visti = 0
            while not fermo.wait(60):
                tot = sum(mostra.ricevuti.values())
                if tot != visti:
                    visti = tot
                    parti = ", ".join(f"{area.archivio(s).nome} {n}" for s, n in mostra.ricevuti.items() if n)
                    echo(f"{dt.datetime.now():%H:%M} riscontri ricevuti finora: {tot} ({parti}).")

        threading.Thread(target=conta, daemon=True).start()

    try:
        avvia(mostra, indirizzo, porta, annuncia)
    finally:
        fermo.set()
    tot = sum(mostra.ricevuti.values())
    echo(f"Mostra fermata. Riscontri ricevuti: {tot}" + (", in attesa di moderazione." if tot else "."))


def _url_manifesto(ctx, param, valore: str | None) -> str | None:
    if valore is None:
        return None
    from urllib.parse import urlsplit

    p = urlsplit(valore.strip())
    if p.scheme not in ("http", "https") or not p.netloc:
        raise click.BadParameter("serve un indirizzo che un telefono possa aprire, che comincia con http:// o "
                                 "https://, per esempio https://mappe.esempio.it/{comune}", param_hint="--url")
    return valore.strip()


@main.command(context_settings=CONTESTO)
@click.argument("comuni_nomi", nargs=-1, metavar="COMUNE...")
@click.option("-o", "--output", "uscita", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Il file da scrivere: .pdf (da stampare), .svg o .png (predefinito: manifesto.pdf, "
                   "o cartoline.pdf).")
@click.option("--formato", type=click.Choice(["A0", "A1", "A2", "A3", "A4", "A5", "A6"], case_sensitive=False),
              default=None, help="Il formato della carta (predefinito: A1; A6 con --cartolina).")
@click.option("--orientamento", type=click.Choice(["verticale", "orizzontale"]), default="verticale",
              show_default=True, help="Il verso del foglio.")
@click.option("--vista", type=click.Choice(["tutto", "bisogni-risorse", "memoria", "emozioni", "rete", "luoghi"]),
              default="tutto", show_default=True, help="Che cosa mostrare sulla mappa.")
@click.option("--titolo", metavar="TESTO", help="Il titolo (predefinito: quello della vista).")
@click.option("--url", metavar="URL", callback=_url_manifesto,
              help="L'indirizzo della mostra, stampato come codice QR da inquadrare ({comune} diventa il comune).")
@click.option("--lingua", type=click.Choice(["it", "en"]), default="it", show_default=True, help="La lingua.")
@click.option("--citazioni", type=click.IntRange(0, 30), default=None, metavar="N",
              help="Quante frasi delle persone intorno alla mappa (predefinito: secondo il formato, 10 su A1).")
@click.option("--tutti", is_flag=True, help="Un foglio per ogni comune dell'area (o per quelli indicati), in un PDF.")
@click.option("--cartolina", is_flag=True,
              help="Cartoline da lasciare sui tavoli (A6 o A5): la mappa, due frasi e il codice QR, una per comune.")
@click.option("--foto", "foto", type=click.IntRange(0, 6), default=0, show_default=True, metavar="N",
              help="Quante foto pubbliche stampare in una striscia sotto il titolo (prima le memorie), con la "
                   "didascalia.")
@opzione_area
@click.pass_context
def manifesto(ctx, comuni_nomi, uscita: Path | None, formato: str | None, orientamento: str, vista: str,
              titolo: str | None, url: str | None, lingua: str, citazioni: int | None, tutti: bool,
              cartolina: bool, foto: int) -> None:
    """Scrive il manifesto di un comune da stampare: la mappa, le parole delle persone, il codice QR.

    Un PDF vettoriale pronto per la tipografia (caratteri inclusi, misure ISO
    esatte), nello stile della mappa della comunità: la mappa con i luoghi e i
    contributi, intorno alcune frasi delle persone collegate al loro posto, la
    legenda, gli incontri e i crediti; con --url, il codice QR che apre la
    mostra sul telefono. Solo i dati pubblici.

    \b
    Esempi:
      mappe manifesto Orbassano --url http://192.168.1.20:8000/
      mappe manifesto Orbassano --formato A3 --orientamento orizzontale -o orbassano.pdf
      mappe manifesto --tutti --url https://mappe.esempio.it/{comune} -o mostra.pdf
      mappe manifesto --tutti --cartolina --url https://mappe.esempio.it/{comune}
      mappe manifesto Orbassano --vista memoria --foto 3
    """
    from .rendi.manifesto import misure, scrivi_manifesti

    area = _area(ctx)
    if not comuni_nomi and not tutti:
        raise ErroreUtente("Indicare il comune (per esempio: mappe manifesto Orbassano), oppure --tutti per un "
                           "foglio per ogni comune dell'area.")
    archivi = area.archivi_di(comuni_nomi)
    if tutti and not comuni_nomi:
        archivi = area.archivi()
        if not archivi:
            raise ErroreUtente("L'area non ha ancora comuni: aggiungerne uno con 'mappe comuni aggiungi NOME'.")
    formato = (formato or ("A6" if cartolina else "A1")).upper()
    if cartolina and formato not in ("A6", "A5"):
        raise click.BadParameter("le cartoline sono A6 o A5.", param_hint="--formato")
    uscita = uscita or Path("cartoline.pdf" if cartolina else "manifesto.pdf")
    estensione = uscita.suffix.lower()
    if estensione not in (".pdf", ".svg", ".png"):
        raise click.BadParameter(f"il file deve finire con .pdf, .svg o .png (per esempio {uscita.stem or 'manifesto'}"
                                 ".pdf).", param_hint="--output")
    if len(archivi) > 1 and estensione != ".pdf":
        raise click.BadParameter(f"più comuni vanno in un PDF di più pagine: usare {uscita.stem}.pdf, oppure un "
                                 "comune per volta.", param_hint="--output")
    if len(archivi) > 1 and url and "{comune}" not in url:
        echo("Attenzione: --url non contiene {comune}, quindi ogni foglio ha lo stesso codice QR.", err=True)
    m = misure(formato, orientamento)
    fatti = scrivi_manifesti(area, archivi, uscita, m, vista, titolo, url, lingua, citazioni, cartolina, foto)
    registra_esportazione(area, uscita, "manifesto", {f.slug: f.ids for f in fatti})
    pagine = quanti(len(fatti), "pagina", "pagine")
    cosa = "Cartoline scritte" if cartolina else "Manifesto scritto"
    echo(f"{cosa} in {riga_terminale(uscita)} ({formato} {orientamento}, {pagine}, "
         f"{max(1, uscita.stat().st_size // 1024)} kB). Stampare al 100% (senza «adatta alla pagina»).")
    for f in fatti:
        nome = area.archivio(f.slug).nome
        if not f.con_punto:
            echo(f"{nome}: nessun contributo pubblico con un luogo per questa vista: il foglio ha la mappa e la "
                 "legenda, senza frasi.")
        elif citazioni and len(f.citazioni) < citazioni:
            echo(f"{nome}: {quanti(len(f.citazioni), 'frase messa', 'frasi messe')} sulle {citazioni} chieste "
                 "(le altre non stanno nel foglio leggibili: un formato più grande ne tiene di più).")
    if not url:
        echo("Senza --url il foglio non ha il codice QR per aprire la mostra dal telefono.")
    if area.di_esempio:
        echo("Attenzione: questa è l'area della demo (dati inventati).", err=True)


def _qr(url: str) -> None:
    """The address as a QR code drawn with characters, for a phone to scan from the screen."""
    import segno

    try:
        segno.make(url, error="m").terminal(out=sys.stdout, compact=True, border=2)
    except UnicodeEncodeError:  # a terminal that cannot draw half blocks (old Windows code pages)
        segno.make(url, error="m").terminal(out=sys.stdout, border=2)
    sys.stdout.flush()


@main.command("verifica-privacy", context_settings=CONTESTO)
@click.argument("file", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--comune", "comuni_nomi", multiple=True, metavar="COMUNE",
              help="Il comune di cui cercare i dati (ripetibile; predefiniti: tutti i comuni dell'area).")
@click.option("--limite-mb", type=click.IntRange(min=1), default=200, metavar="MB",
              help="Quanti MB può occupare al massimo, decompresso, un file compresso: zip, xlsx, ods "
                   "(predefinito: 200).")
@opzione_area
@click.pass_context
def verifica_privacy(ctx, file: tuple[Path, ...], comuni_nomi, limite_mb: int) -> None:
    """Controlla che dei file da diffondere non contengano dati riservati.

    Legge mappe e mostre (HTML), tabelle ed esportazioni (CSV, XLSX, ODS,
    GeoJSON, GeoPackage, KML, shapefile, zip), testi (Markdown) e PDF. Cerca
    nomi e recapiti delle persone, campi privati, testi riservati o senza
    consenso, riscontri non approvati e posizioni vere dei contributi
    sensibili, anche scritti in un altro modo: maiuscole, spazi, entità HTML,
    codifica URL o JSON, 30 caratteri di un testo, un solo nome di un elenco,
    coordinate con 4 decimali in qualsiasi ordine. Non segnala quello che un
    campo pubblico degli stessi dati dice già. Esce con 1 se trova qualcosa.

    \b
    Esempi:
      mappe verifica-privacy mostra.html
      mappe verifica-privacy contributi.xlsx manifesto.pdf --comune Orbassano
    """
    from .contenuto import leggi_contenuto
    from .riservatezza import Indice

    area = _area(ctx)
    archivi = {}
    for nome in comuni_nomi:
        a = area.archivio(nome)
        archivi.setdefault(a.slug, a)
    archivi = list(archivi.values()) or area.archivi()
    if not archivi:
        raise MappeError(f"L'area di lavoro {riga_terminale(area.cartella)} non ha ancora comuni, quindi nessun dato riservato da "
                         "cercare: aggiungerli con 'mappe comuni aggiungi'.")
    indice = Indice.da_archivi(area, archivi)
    nomi = [a.nome for a in archivi]
    di = f"{len(nomi)} comuni" if len(nomi) > 3 else " e ".join(nomi)
    non_puliti = 0
    for f in file:
        try:
            contenuto = leggi_contenuto(f, limite_mb=limite_mb)
        except MappeError as e:  # this file cannot be read: say so, and go on with the others
            non_puliti += 1
            echo(f"Errore: {e}", err=True)
            continue
        reperti = indice.cerca(contenuto)
        contenuto.non_letti = indice.non_controllabili(contenuto)
        if not reperti and not contenuto.non_letti:
            echo(f"{f}: nessun dato riservato trovato (cercati quelli di {di}).")
            continue
        non_puliti += 1
        if reperti:
            echo(f"{f}: contiene {quanti(len(reperti), 'dato riservato', 'dati riservati')}. Non diffonderlo: "
                 "togliere questi dati (o rifare il file con mappe) e controllarlo di nuovo.", err=True)
            for r in reperti[:MAX_RIGHE_MOSTRATE]:
                echo(f"  - {r.descrizione()}", err=True)
            if len(reperti) > MAX_RIGHE_MOSTRATE:
                echo(f"  … e altri {len(reperti) - MAX_RIGHE_MOSTRATE}.", err=True)
        if contenuto.non_letti:
            n = len(contenuto.non_letti)
            echo(f"{f}: {'inoltre' if reperti else 'non si può dire pulito:'} {quanti(n, 'parte', 'parti')} del file "
                 f"non si {'può' if n == 1 else 'possono'} controllare. Guardarle a mano, o toglierle dal file, "
                 "prima di diffonderlo.", err=True)
            for motivo in contenuto.non_letti[:MAX_RIGHE_MOSTRATE]:
                echo(f"  - {riga_terminale(motivo)}", err=True)
            if len(contenuto.non_letti) > MAX_RIGHE_MOSTRATE:
                echo(f"  … e altre {len(contenuto.non_letti) - MAX_RIGHE_MOSTRATE}.", err=True)
    if non_puliti:
        ctx.exit(1)


@main.group(cls=Gruppo, context_settings=CONTESTO)
def riscontri() -> None:
    """I riscontri dei visitatori delle mostre: importarli e moderarli.

    \b
    Esempi:
      mappe riscontri importa riscontri-ab12cd-2026-11-30.geojson --comune Orbassano
      mappe riscontri modera Orbassano
    """


@riscontri.command("importa", context_settings=CONTESTO)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--comune", required=True, metavar="COMUNE", help="Il comune di cui importare i riscontri.")
@click.option("--limite", type=click.IntRange(1), default=5000, show_default=True, metavar="N",
              help="Quanti riscontri al massimo in un file (di più: il file è rifiutato, potrebbe essere fabbricato).")
@opzione_area
@click.pass_context
def riscontri_importa(ctx, file: Path, comune: str, limite: int) -> None:
    """Importa i riscontri scaricati da una mostra, in attesa di moderazione.

    Importare due volte lo stesso file non aggiunge niente. Se la mostra aveva
    più comuni, si importa il file una volta per ciascuno.

    \b
    Esempio:
      mappe riscontri importa riscontri-ab12cd-2026-11-30.geojson --comune Orbassano
    """
    from .riscontri import importa_riscontri

    area = _area(ctx)
    area.solo_dati_veri()
    arch = area.archivio(comune)
    r = importa_riscontri(arch, file, limite)
    echo(f"Riscontri di {riga_terminale(file.name)} per {arch.nome}: importati {r.importati} (in attesa di "
         f"moderazione), già presenti {r.gia_presenti}, respinti {len(r.respinti)}.")
    for slug, k in sorted(r.altri_comuni.items()):
        slug = riga_terminale(slug)  # written by whoever made the file
        echo(f"  {quanti(k, 'riscontro è', 'riscontri sono')} per un altro comune ({slug}): "
             f"{'importarlo' if k == 1 else 'importarli'} con --comune {slug}.")
    if r.importati:
        echo(f"Ora leggerli e approvarli: mappe riscontri modera {per_comando(arch.nome)}")
    elif r.altri_comuni and not r.gia_presenti and not r.respinti:
        echo(f"Nessun riscontro del file è per {arch.nome}: niente è stato importato.", err=True)
        ctx.exit(1)
    if r.respinti:
        for x in r.respinti[:MAX_RIGHE_MOSTRATE]:
            echo(f"  {riga_terminale(file.name)}, riscontro {riga_terminale(x)}", err=True)
        if len(r.respinti) > MAX_RIGHE_MOSTRATE:
            echo(f"  ... e altri {len(r.respinti) - MAX_RIGHE_MOSTRATE} respinti.", err=True)
        ctx.exit(1)


def _data_iso(ctx, param, valore: str | None) -> str | None:
    if valore is None:
        return None
    import datetime as dt

    for formato in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(valore.strip(), formato).date().isoformat()
        except ValueError:
            continue
    raise click.BadParameter(f"'{valore}' non è una data: scriverla come 30/11/2026.")


@riscontri.command("modera", context_settings=CONTESTO)
@click.argument("comune")
@click.option("--approva", multiple=True, metavar="ID", help="Approva questo riscontro (si può ripetere).")
@click.option("--respingi", multiple=True, metavar="ID", help="Respinge questo riscontro (si può ripetere).")
@click.option("--elenco", is_flag=True, help="Elenca i riscontri in attesa, con i codici, senza chiedere niente.")
@click.option("--approva-tutti", is_flag=True, help="Approva in blocco i riscontri in attesa scelti con --file, "
              "--dal, --al, --mostra (senza filtri: tutti quelli del comune).")
@click.option("--respingi-tutti", is_flag=True, help="Respinge in blocco i riscontri in attesa scelti come sopra.")
@click.option("--file", "da_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="In blocco: solo quelli arrivati con questo file di riscontri.")
@click.option("--dal", callback=_data_iso, metavar="GG/MM/AAAA", help="In blocco: solo quelli lasciati da questo giorno.")
@click.option("--al", callback=_data_iso, metavar="GG/MM/AAAA", help="In blocco: solo quelli lasciati fino a questo giorno.")
@click.option("--mostra", metavar="CODICE", help="In blocco: solo quelli di questa mostra (il codice nel nome del file).")
@click.option("--si", "senza_chiedere", is_flag=True, help="In blocco: non chiede conferma.")
@opzione_area
@click.pass_context
def riscontri_modera(ctx, comune: str, approva, respingi, elenco: bool, approva_tutti: bool, respingi_tutti: bool,
                     da_file: Path | None, dal: str | None, al: str | None, mostra: str | None,
                     senza_chiedere: bool) -> None:
    """Elenca i riscontri in attesa e li approva o respinge.

    Senza --approva e --respingi chiede, uno per uno: a (approva), r (respingi),
    s (salta), f (fine). Solo i riscontri approvati compaiono nelle mappe e
    nelle mostre successive. Con --approva-tutti o --respingi-tutti decide in
    blocco, per file, per periodo o per mostra (per esempio per togliere
    migliaia di riscontri fabbricati).

    \b
    Esempi:
      mappe riscontri modera Orbassano
      mappe riscontri modera Orbassano --approva 3f2a... --respingi 9c1b...
      mappe riscontri modera Orbassano --respingi-tutti --file riscontri-sospetti.geojson
      mappe riscontri modera Orbassano --respingi-tutti --dal 01/12/2026 --al 03/12/2026
    """
    from .riscontri import in_attesa, modera, seleziona

    area = _area(ctx)
    arch = area.archivio(comune)
    if approva_tutti and respingi_tutti:
        raise click.UsageError("Scegliere --approva-tutti oppure --respingi-tutti, non entrambi.")
    if (da_file or dal or al or mostra) and not (approva_tutti or respingi_tutti):
        raise click.UsageError("--file, --dal, --al e --mostra scelgono i riscontri per --approva-tutti o "
                               "--respingi-tutti.")
    if approva_tutti or respingi_tutti:
        scelti = seleziona(arch, da_file, dal, al, mostra)
        if not scelti:
            echo(f"{arch.nome}: nessun riscontro in attesa con questi criteri.")
            return
        verbo = "approvare" if approva_tutti else "respingere"
        if not senza_chiedere and not conferma(f"{arch.nome}: {verbo} {quanti(len(scelti), 'riscontro', 'riscontri')} "
                                               "in attesa?"):
            raise ErroreUtente("Niente è stato cambiato.")
        a, r = modera(arch, scelti if approva_tutti else (), scelti if respingi_tutti else ())
        echo(f"{arch.nome}: approvati {a}, respinti {r}.")
        return
    if approva or respingi:
        a, r = modera(arch, approva, respingi)
        echo(f"{arch.nome}: approvati {a}, respinti {r}.")
        return
    attesa = in_attesa(arch)
    if attesa.empty:
        echo(f"{arch.nome}: nessun riscontro in attesa.")
        return
    echo(f"{arch.nome}: {quanti(len(attesa), 'riscontro', 'riscontri')} in attesa.")
    if elenco:
        for r in attesa.itertuples():
            cosa = area.catalogo.etichetta('reazione', r.reazione) if r.reazione else ""
            echo(f"  {riga_terminale(r.id)}  su {riga_terminale(r.oggetto)}: {cosa}"
                 f"{' – ' if cosa and r.commento else ''}"
                 f"{'«' + riga_terminale(r.commento) + '»' if r.commento else ''}")
        return
    scelte_a, scelte_r = [], []
    try:
        _modera_una_per_una(attesa, area, scelte_a, scelte_r)
    except click.Abort:
        # Ctrl-C or the end of the input: what was decided so far is kept
        a, r = modera(arch, scelte_a, scelte_r)
        raise ErroreUtente(f"Interrotto: salvate le decisioni già prese ({a} approvati, {r} respinti); "
                           "gli altri restano in attesa.") from None
    a, r = modera(arch, scelte_a, scelte_r)
    echo(f"{arch.nome}: approvati {a}, respinti {r}.")


def _modera_una_per_una(attesa, area, scelte_a: list, scelte_r: list) -> None:
    for k, r in enumerate(attesa.itertuples(), start=1):
        echo(f"\n[{k}/{len(attesa)}] {riga_terminale(r.id)}")
        echo(f"  su: {riga_terminale(r.oggetto)}")
        if r.reazione:
            echo(f"  reazione: {riga_terminale(area.catalogo.etichetta('reazione', r.reazione))}")
        if r.commento:
            echo(f"  commento: «{riga_terminale(r.commento)}»")
        scelta = click.prompt("  a = approva, r = respingi, s = salta, f = fine",
                              type=click.Choice(["a", "r", "s", "f"]), show_choices=False)
        if scelta == "f":
            break
        if scelta == "a":
            scelte_a.append(r.id)
        elif scelta == "r":
            scelte_r.append(r.id)


@main.command(context_settings=CONTESTO)
@click.argument("cartella", required=False, default="mappe-demo", type=click.Path(file_okay=False, path_type=Path))
def demo(cartella: Path) -> None:
    """Crea un'area di esempio con i sei comuni del CIdiS e ne disegna le mappe.

    I comuni sono Beinasco, Bruino, Orbassano, Piossasco, Rivalta di Torino e
    Volvera; luoghi, incontri e contributi sono inventati e segnati come esempio.

    \b
    Esempio:
      mappe demo
      mappe demo /tmp/prova
    """
    from .demo import COMUNI_DEMO, crea_demo, scrivi_indice
    from .rendi.mappa import costruisci_mappa, scrivi_mappa

    echo(f"Creo l'area di esempio in {riga_terminale(cartella)} ...")
    with click.progressbar(length=len(COMUNI_DEMO), label="Comuni", show_pos=True, file=sys.stderr,
                           hidden=not sys.stderr.isatty()) as barra:
        area, archivi = crea_demo(cartella, avanzamento=lambda a: barra.update(1))
    cartella_mappe = Path(cartella)
    voci = []
    with click.progressbar(archivi, label="Mappe ", show_pos=True, file=sys.stderr,
                           hidden=not sys.stderr.isatty()) as barra:
        for arch in barra:
            html = costruisci_mappa(area, arch)
            scrivi_mappa(html, cartella_mappe / f"{arch.slug}.html")
            voci.append((arch.nome, f"{arch.slug}.html", arch.conta()))
    # everything the tool makes, for a newcomer to see: the exhibition and the overview too
    from .rendi.mostra import costruisci_mostra
    from .rendi.territorio import costruisci_territorio

    html, pin = costruisci_mostra(area, archivi[:3], "Mostra di esempio")
    scrivi_mappa(html, cartella_mappe / "mostra.html")
    scrivi_mappa(costruisci_territorio(area, archivi, cartella_mappe / "territorio.html"),
                 cartella_mappe / "territorio.html")
    mostra_cosa = f"tre comuni in un file solo, con i riscontri dei visitatori (codice del personale: {pin})"
    altre = [("La mostra", "mostra.html", mostra_cosa),
             ("Il territorio", "territorio.html", "i sei comuni a confronto: contributi ogni 1.000 abitanti")]
    indice = scrivi_indice(cartella_mappe / "index.html", voci, "Mappe di esempio dei comuni del CIdiS", altre)
    echo(f"Fatto: {len(archivi)} comuni, {sum(v[2]['contributi'] for v in voci)} contributi di esempio; anche "
         "la mostra (mostra.html) e il territorio (territorio.html).")
    echo(f"Aprire con il browser: {riga_terminale(indice.resolve())}")


@riscontri.command("promuovi", context_settings=CONTESTO)
@click.argument("comune")
@click.argument("id_", metavar="ID")
@click.option("--come", type=click.Choice(["proposta", "luogo"]),
              help="Che cosa diventa (predefinito: luogo per «Manca un luogo», proposta per «Una proposta»).")
@click.option("--tema", metavar="TEMA", help="Il tema, se diventa una proposta.")
@click.option("--nome", metavar="NOME", help="Il nome, se diventa un luogo.")
@click.option("--categoria", default="altro", show_default=True, metavar="CATEGORIA",
              help="La categoria, se diventa un luogo.")
@opzione_area
@click.pass_context
def riscontri_promuovi(ctx, comune: str, id_: str, come, tema, nome, categoria: str) -> None:
    """Trasforma una segnalazione approvata (toccata sulla mappa in una mostra) in una proposta o un luogo.

    Il riscontro resta, collegato a quello che è diventato.

    \b
    Esempi:
      mappe riscontri promuovi Orbassano 3f2a8c1e-... --come luogo --nome "Panchina del viale" --categoria parco
      mappe riscontri promuovi Orbassano 9c1b... --tema spazi_pubblici
    """
    from .riscontri import promuovi

    area = _area(ctx)
    arch = area.archivio(comune)
    strato, nuovo = promuovi(arch, id_, come, tema, nome, categoria)
    echo(f"{arch.nome}: la segnalazione {id_} è ora nello strato {strato} con il codice {nuovo}.")


@main.group(cls=Gruppo, context_settings=CONTESTO)
def catalogo() -> None:
    """Il catalogo dell'area (layers/): le sue voci in altre lingue.

    \b
    Esempi:
      mappe catalogo traduzioni --lingua ar -o catalogo-ar.xlsx
      mappe catalogo traduzioni importa catalogo-ar.xlsx
    """


@catalogo.group("traduzioni", cls=Gruppo, context_settings=CONTESTO, invoke_without_command=True)
@click.option("--lingua", metavar="LINGUA", help="La lingua in cui tradurre: ar, uk, ro, sq, fr, es, en...")
@click.option("-o", "--uscita", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.xlsx",
              help="Il foglio da scrivere.")
@click.option("--sovrascrivi", is_flag=True, help="Sostituisce un file che esiste già.")
@opzione_area
@click.pass_context
def catalogo_traduzioni(ctx, lingua: str | None, uscita: Path | None, sovrascrivi: bool) -> None:
    """Scrive il foglio per tradurre le voci del catalogo (tipi, temi, emozioni, stati...).

    Una mediatrice o un mediatore culturale scrive la traduzione accanto a ogni
    testo italiano; poi 'mappe catalogo traduzioni importa FILE' la mette nel
    catalogo, e le mappe e la mostra in quella lingua la mostrano.

    \b
    Esempi:
      mappe catalogo traduzioni --lingua ar -o catalogo-ar.xlsx
      mappe catalogo traduzioni importa catalogo-ar.xlsx
    """
    if ctx.invoked_subcommand is not None:
        return
    if not lingua or not uscita:
        raise click.UsageError("indicare la lingua e il file, per esempio: mappe catalogo traduzioni --lingua ar "
                               "-o catalogo-ar.xlsx")
    from .traduzioni import LINGUE, mancanti, scrivi_foglio

    area = _area(ctx)
    n = scrivi_foglio(area.catalogo, lingua, uscita, sovrascrivi)
    lingua = lingua.strip().lower()
    da_fare = len(mancanti(area.catalogo, lingua))
    echo(f"Foglio delle traduzioni ({LINGUE.get(lingua, lingua)}) scritto in {riga_terminale(uscita)}: "
         f"{quanti(n, 'voce', 'voci')}, {da_fare} da tradurre. Compilarlo, poi: "
         f"{_mappe_qui(ctx)} catalogo traduzioni importa {per_comando(str(uscita))}")


@catalogo_traduzioni.command("importa", context_settings=CONTESTO)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--prova", is_flag=True, help="Controlla il foglio e dice che cosa cambierebbe, senza scrivere.")
@click.pass_context
def catalogo_traduzioni_importa(ctx, file: Path, prova: bool) -> None:
    """Mette nel catalogo le traduzioni di un foglio compilato.

    Il foglio deve essere quello scritto da 'mappe catalogo traduzioni': nessuna
    voce tolta né aggiunta. Una cella vuota lascia la voce com'era.

    \b
    Esempi:
      mappe catalogo traduzioni importa catalogo-ar.xlsx --prova
      mappe catalogo traduzioni importa catalogo-ar.xlsx
    """
    from .traduzioni import LINGUE, importa_foglio

    area = _area(ctx)
    esito = importa_foglio(area.cartella / "layers", file, prova)
    if esito.file and area.postgis is not None:  # the team's shared catalogue, for who joins later
        for f in esito.file:
            area.postgis.scrivi_meta(f"catalogo/{f.name}", f.read_text(encoding="utf-8"))
    nome = LINGUE.get(esito.lingua, esito.lingua)
    verbo = "cambierebbero" if prova else "scritte"
    echo(f"Traduzioni in {nome}: {esito.cambiate} {verbo}, {esito.uguali} già uguali"
         + (f" (nei file {', '.join(f.name for f in esito.file)})" if esito.file else "") + ".")
    if esito.vuote:
        echo(f"Ancora senza traduzione ({len(esito.vuote)}), le pagine le mostrano in italiano: "
             f"{', '.join(esito.vuote[:12])}{'...' if len(esito.vuote) > 12 else ''}.")


def principale() -> None:  # pragma: no cover - kept for `python -m mappe`
    main(prog_name="mappe")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name=os.path.basename(sys.argv[0])))
