"""Shared vocabulary of the detectors: month names, look-alike contexts, windows.

Owns the word lists that decide whether a number is *about* something other
than a person (a budget, a law, a page, a document reference). Pure data and
pure functions; no detector logic lives here.
"""

from __future__ import annotations

import re

MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
MONTHS_FR = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre"
    "|novembre|décembre|decembre|janv|févr|fevr|avr|juil|déc"
)
MONTH = rf"(?:{MONTHS_EN}|{MONTHS_FR})\.?"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er)?"
YEAR4 = r"(?:19|20)\d{2}"

# One date in any of the shapes people write a birth date in.
DATE = (
    rf"(?:{DAY}[ \u00a0]+(?:of[ \u00a0]+)?{MONTH},?[ \u00a0]+{YEAR4}"
    rf"|{MONTH}[ \u00a0]+{DAY},?[ \u00a0]+{YEAR4}"
    rf"|{YEAR4}-(?:0[1-9]|1[0-2])-(?:[12]\d|3[01]|0[1-9])"
    r"|(?:[12]\d|3[01]|0?[1-9])[./-](?:1[0-2]|0?[1-9])[./-](?:(?:19|20)\d{2}|\d{2}))"
)

_CURRENCY_WORDS = (
    r"usd|eur|gbp|chf|xof|xaf|fcfa|f\s?cfa|cfa|kes|ksh|ngn|ugx|tzs|etb|sos|mad|tnd|dzd|egp"
    r"|jod|lbp|iqd|pkr|inr|bdt|idr|php|myr|rs|dollars?|euros?|francs?|shillings?|naira"
    r"|dirhams?|dinars?|rupees?|rupiah|pesos?|million|millions|billion|milliards?|bn"
)
# A currency sign or word right before a number, or a unit right after it, makes
# the number an amount or a quantity.
CURRENCY_BEFORE = re.compile(rf"(?:[$€£¥₦₹]|\b(?:{_CURRENCY_WORDS})\.?)[\s\u00a0]*$", re.IGNORECASE)
QUANTITY_AFTER = re.compile(
    rf"^[\s\u00a0]*(?:[$€£¥₦₹%‰]|(?:{_CURRENCY_WORDS}|percent|per cent|pour cent|people"
    r"|persons|personnes|participants|beneficiaries|bénéficiaires|km|kg|hours|heures|days"
    r"|jours|months|mois|years|ans)\b)",
    re.IGNORECASE,
)

# Words after which a number names a document, a law, a page or a record, not a person.
REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:isbn(?:-1[03])?|issn|doi|no|nos|nr|n°|nº|num|ref|réf|refs?|reference|référence"
    r"|case|dossier|file|files|law|loi|act|decree|décret|arrêté|ordinance|ordonnance|article"
    r"|art|articles|resolution|résolution|page|pages|pp?|chapter|chapitre|section|annex|annexe"
    r"|invoice|facture|contract|contrat|grant|subvention|account|compte|iban|swift|order"
    r"|project|projet|code|serial|série|batch|lot|version|edition|édition|volume|vol|issue"
    r"|report|rapport|registry|register|table|tableau|figure|fig|id|trial|protocol|protocole"
    r"|ninea|rccm|siret|siren|tin|vat|tva|nif|ein|registration|registered|enregistrement"
    r"|immatriculation|number|numbers|numéro|numéros"
    r"|budget|amount|montant|total|cost|coût|price|prix|population|sample|échantillon|n)"
    r"\b\.?|[#§¶=])[\s:#°.\-]*$",
    re.IGNORECASE,
)

# Words after which a number is most likely a telephone number.
PHONE_CUE = re.compile(
    r"\b(?:tel|tél|telephone|téléphone|phone|phoned|mobile|mob|cell|cellphone|portable|gsm"
    r"|whatsapp|signal|telegram|viber|imo|sms|text(?:ed)?|call(?:ed|ing)?|ring|dial(?:led)?"
    r"|fax|hotline|contact\w*|reach(?:ed)?|joindre|joignable|appel\w*|rappel\w*)\b",
    re.IGNORECASE,
)


def before(text: str, start: int, width: int) -> str:
    return text[max(0, start - width) : start]


def after(text: str, end: int, width: int) -> str:
    return text[end : end + width]


def quantity_around(text: str, start: int, end: int) -> bool:
    """A currency before, or a currency/unit/percent sign after, the span."""
    return bool(
        CURRENCY_BEFORE.search(before(text, start, 12))
        or QUANTITY_AFTER.match(after(text, end, 16))
    )


def reference_before(text: str, start: int) -> int | None:
    """Where a reference word ("No.", "ISBN", "Law"…) right before `start` begins, or None."""
    match = REFERENCE_BEFORE.search(before(text, start, 24))
    return None if match is None else max(0, start - 24) + match.start()


# A sentence ends at a full stop after a word of four letters or more ("teams."),
# not after an abbreviation ("Tel.", "No.", "Mob.").
_SENTENCE_END = re.compile(r"(?:[^\W_]{4,}[.!?]|[!?])[\s\u00a0]+|\n")


def same_sentence_before(text: str, start: int, width: int) -> str:
    """Up to `width` characters before `start`, cut at the last sentence end."""
    window = before(text, start, width)
    ends = list(_SENTENCE_END.finditer(window))
    return window[ends[-1].end() :] if ends else window
