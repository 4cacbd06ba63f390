"""Named views: which layers and kinds a map shows."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VISTE", "Vista", "vista"]


@dataclass(frozen=True)
class Vista:
    """A named selection of kinds of contribution, with or without the places."""

    nome: str
    titolo: str
    titolo_en: str
    didascalia: str
    didascalia_en: str
    tipi: tuple[str, ...] | None  # None: every kind in the catalogue
    luoghi: bool = True
    rete: bool = False  # draw the links between needs and what answers them
    seguito: bool = False  # colour proposals and needs by status, draw the initiatives and their links


VISTE = {
    "tutto": Vista(
        "tutto", "Mappa della comunità", "Community map",
        "Tutto quello che è stato detto: bisogni, risorse, memorie, proposte, emozioni e luoghi.",
        "Everything that was said: needs, resources, memories, proposals, feelings and places.",
        None,
    ),
    "bisogni-risorse": Vista(
        "bisogni-risorse", "Mappa dei bisogni e delle risorse", "Map of needs and resources",
        "Che cosa manca (bisogni), che cosa c'è già (risorse) e le idee per rispondere (proposte).",
        "What is missing (needs), what is already there (resources) and ideas to answer (proposals).",
        ("bisogno", "risorsa", "proposta"),
    ),
    "memoria": Vista(
        "memoria", "Mappa della memoria", "Map of memory",
        "I ricordi legati ai luoghi, con la loro epoca.",
        "Memories tied to places, with their time.",
        ("memoria",),
    ),
    "emozioni": Vista(
        "emozioni", "Mappa delle emozioni", "Map of feelings",
        "Come i luoghi fanno sentire chi li vive.",
        "How places make people feel.",
        ("emozione",),
    ),
    "rete": Vista(
        "rete", "Mappa della rete", "Map of the network",
        "Chi risponde a quali bisogni: le linee piene sono risposte dichiarate, quelle tratteggiate risorse "
        "dello stesso tema a pochi passi; i bisogni cerchiati non hanno una risposta vicina.",
        "Who answers which needs: solid lines are declared answers, dashed ones resources of the same theme "
        "within walking distance; circled needs have no answer nearby.",
        ("bisogno", "risorsa", "proposta"), True, True,
    ),
    "seguito": Vista(
        "seguito", "Che fine hanno fatto le proposte", "What became of the proposals",
        "Le proposte e i bisogni dei focus group, colorati da dove sono arrivati: dal grigio (detti) fino al verde "
        "(realizzati). Le stelle sono le iniziative nate per rispondere, unite da una linea a ciò a cui rispondono.",
        "The proposals and needs of the focus groups, coloured by how far they got: from grey (said) to green "
        "(done). The stars are the initiatives born to answer them, joined by a line to what they answer.",
        ("bisogno", "proposta"), False, False, True,
    ),
    "luoghi": Vista(
        "luoghi", "Mappa dei luoghi della comunità", "Map of community places",
        "I luoghi che tengono insieme la comunità.",
        "The places that hold the community together.",
        (),
    ),
}


def vista(nome: str) -> Vista:
    """The view called ``nome``."""
    return VISTE[nome]
