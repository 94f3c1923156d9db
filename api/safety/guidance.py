"""Safety guidance at the point of sharing: who will see an entry, and what not to put in it.

Owns the words, in English and French, that the API documentation (OpenAPI
descriptions of `visibility`, `shared_with`, `organization_display`,
`internal_notes`) and the web editor show next to each sharing choice, so both
say the same thing. Plain data and one lookup; no rule is decided here — what the
texts say is what `api.access` does (README "Who sees what").

Invariant: every text exists in every language of `LANGUAGES`, and every choice
of a field has a text (a test checks both)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "fr")

WHAT_NOT_TO_INCLUDE: Mapping[str, str] = {
    "en": (
        "Never include what identifies a participant or a staff member: names, phone numbers, "
        "e-mail or street addresses, ID, passport or prisoner numbers, dates of birth, GPS "
        "coordinates, photos. Give figures for groups of at least the node's threshold "
        '(smaller ones are shown as "< k"). The guard checks text and attachments when you '
        "submit and holds the entry for a curator if it finds any."
    ),
    "fr": (
        "N'incluez jamais ce qui identifie un participant ou un membre du personnel : noms, "
        "numéros de téléphone, adresses électroniques ou postales, numéros de pièce "
        "d'identité, de passeport ou d'écrou, dates de naissance, coordonnées GPS, photos. "
        "Donnez des chiffres sur des groupes d'au moins le seuil du nœud (les plus petits "
        "sont affichés « < k »). Le contrôle vérifie le texte et les pièces jointes à la "
        "soumission et retient la fiche pour un curateur s'il en trouve."
    ),
}

VISIBILITY: Mapping[str, Mapping[str, str]] = {
    "public": {
        "en": "Anyone on the internet, without signing in, once a curator of another member "
        "organization has approved it. It can be copied and cannot be taken back from those "
        "who saw it.",
        "fr": "Tout le monde sur internet, sans connexion, après l'approbation d'un curateur "
        "d'une autre organisation membre. Elle peut être copiée et ne peut pas être reprise à "
        "ceux qui l'ont vue.",
    },
    "network": {
        "en": "Every signed-in member of every organization on this node, once a curator of "
        "another organization has approved it. Not the public.",
        "fr": "Tous les membres connectés de toutes les organisations de ce nœud, après "
        "l'approbation d'un curateur d'une autre organisation. Pas le public.",
    },
    "partners": {
        "en": "Your organization and the organizations listed in shared_with only; no curator "
        "reads it. You publish it yourself, unless the guard holds it: then a curator sees "
        "only which fields and kinds of finding, never its text.",
        "fr": "Votre organisation et les organisations listées dans shared_with seulement ; "
        "aucun curateur ne la lit. Vous la publiez vous-même, sauf si le contrôle la retient "
        ": un curateur ne voit alors que les champs et les types de détection, jamais le texte.",
    },
    "private": {
        "en": "Your organization only. Nothing is checked or held: keep working notes here.",
        "fr": "Votre organisation seulement. Rien n'est vérifié ni retenu : gardez ici vos "
        "notes de travail.",
    },
}

SHARED_WITH: Mapping[str, str] = {
    "en": "The organizations (slugs) that read a partners entry. Each partner sees the entry "
    "but not this list: partners never learn of each other. Adding a partner shows it the "
    "published text at once.",
    "fr": "Les organisations (identifiants) qui lisent une fiche « partners ». Chacune voit la "
    "fiche mais pas cette liste : les partenaires ne se connaissent pas. Ajouter un partenaire "
    "lui montre aussitôt le texte publié.",
}

ORGANIZATION_DISPLAY: Mapping[str, Mapping[str, str]] = {
    "named": {
        "en": "Everyone who may read the entry sees your organization's name.",
        "fr": "Tous ceux qui peuvent lire la fiche voient le nom de votre organisation.",
    },
    "network": {
        "en": 'Members of this node see your organization; the public sees "A member '
        'organization" (in search too: your name is not searchable text on public entries). '
        "Do not name your organization, its staff or its places in the text or the files.",
        "fr": "Les membres de ce nœud voient votre organisation ; le public voit « Une "
        "organisation membre » (dans la recherche aussi). Ne nommez pas votre organisation, son "
        "personnel ni ses lieux dans le texte ou les fichiers.",
    },
    "partners": {
        "en": "Only your organization and your partner organizations see its name; everyone "
        'else, curators included, sees "A member organization". Do not name your '
        "organization, its staff or its places in the text or the files.",
        "fr": "Seules votre organisation et vos organisations partenaires voient son nom ; tous "
        "les autres, curateurs compris, voient « Une organisation membre ». Ne nommez pas "
        "votre organisation, son personnel ni ses lieux dans le texte ou les fichiers.",
    },
}

INTERNAL_NOTES: Mapping[str, str] = {
    "en": "For your organization and the curators who review a public or network entry; never "
    "shown to readers, never searchable. Curators belong to other organizations: the same "
    "care applies as to the entry itself.",
    "fr": "Pour votre organisation et les curateurs qui examinent une fiche publique ou "
    "réseau ; jamais montrées aux lecteurs, jamais cherchables. Les curateurs sont d'autres "
    "organisations : la même prudence s'applique qu'à la fiche.",
}

EXPLANATION: Mapping[str, str] = {
    "en": 'Why this may stay (e.g. "the number is the programme\'s public hotline"). Curators '
    "of other organizations read it: do not repeat the identifier.",
    "fr": "Pourquoi cela peut rester (par ex. « c'est la ligne publique du programme »). Des "
    "curateurs d'autres organisations la lisent : ne répétez pas l'identifiant.",
}

HIDDEN_ORGANIZATION: Mapping[str, str] = {
    "en": "A member organization",
    "fr": "Une organisation membre",
}

SAFETY_RETRACTION: Mapping[str, str] = {
    "en": "Retracted by the network for safety reasons.",
    "fr": "Retirée par le réseau pour des raisons de sécurité.",
}


def text(mapping: Mapping[str, str], language: str = "en") -> str:
    """The text in `language`, English when there is no translation."""
    return mapping.get(language) or mapping["en"]


def openapi(mapping: Mapping[str, Mapping[str, str]], intro: str = "") -> str:
    """One description listing every choice with its English text (for `Field`)."""
    lines = [intro] if intro else []
    lines += [f"`{choice}`: {texts['en']}" for choice, texts in mapping.items()]
    return "\n\n".join(lines)
