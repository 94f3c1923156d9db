"""Detectors for identity documents and exact dates of birth.

Owns what counts as an identity number or a birth date in free text. Most
identity numbers have no shape of their own (a passport number looks like any
reference), so an ID is reported only after a word that introduces one
("passport", "CNI", "NINA", "numéro d'écrou"…) — except for the few national
formats distinctive enough, and checkable, to be recognised alone: Pakistan's
CNIC (5-7-1 digits), India's Aadhaar (Verhoeff check digit), France's NIR
(mod-97 key) and passport machine-readable zones.

A date is a date of birth only after a birth phrase ("born on", "DOB", "né le",
"date de naissance"…); a date of a law, an event or a program never is. A birth
phrase about a program ("the initiative was born on…") does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from api.safety._context import DATE, before

_ID_CUE = re.compile(
    r"\b(?:passports?|passeports?|travel\s+document|titre\s+de\s+voyage"
    r"|national\s+id(?:entity)?(?:\s+card)?|national\s+identification|identity\s+card"
    r"|id\s+card|id\s+(?:no|number|num)|identity\s+(?:no|number)"
    r"|carte\s+(?:nationale\s+)?d['’]identit[ée]|pi[èe]ce\s+d['’]identit[ée]"
    r"|num[ée]ro\s+(?:d['’]identification|d['’]identit[ée]|national|d['’][ée]crou)"
    r"|n°\s+d['’][ée]crou|[ée]crou|matricule|registre\s+d['’][ée]crou"
    r"|cni|cnib|cnie|nina|nin|niu|nni|cin|cnic|nicop|aadhaar|aadhar|nik|ktp|nric|mykad"
    r"|ssn|social\s+security|s[ée]curit[ée]\s+sociale|nir|insee"
    r"|huduma(?:\s+namba)?|ghana\s+card|fayda|voter(?:['’]s)?\s+card|carte\s+d['’][ée]lecteur"
    r"|refugee\s+(?:id|card)|unhcr\s+(?:case|registration|id)|progres(?:\s+id)?"
    r"|alien\s+card|residence\s+permit|titre\s+de\s+s[ée]jour|driv(?:er|ing)['’]?s?\s+licen[cs]e"
    r"|permis\s+de\s+conduire|(?:prisoner|inmate|detainee|offender|prison)\s+(?:no|number|id)"
    r"|birth\s+certificate|acte\s+de\s+naissance|emirates\s+id|iqama|tazkira|tazkera)\b\.?",
    re.IGNORECASE,
)
# Between the cue and the number: "no.", "number", "n°", ":", "#", "is", "was".
_ID_GAP = re.compile(
    r"(?:[\s:#=(]|n°|nº|\b(?:card|carte|no|nos|nr|number|num|num[ée]ro|is|was|est|était|de|du|of)\b\.?)*",
    re.IGNORECASE,
)
_ID_TOKEN = re.compile(
    r"(?:[A-Z]{1,3}[ \-]?)?\d[\dA-Z]*(?:[ \-/.]\d[\dA-Z]*){0,4}(?:[ \-]?[A-Z]{1,2}\b)?"
)
_ID_MAX_GAP = 24

_CNIC = re.compile(r"(?<![\d-])\d{5}-\d{7}-\d(?![\d-])")
_AADHAAR = re.compile(r"(?<![\d ])[2-9]\d{3} \d{4} \d{4}(?![\d])")
_NIR = re.compile(
    r"(?<!\d)[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}(?!\d)"
)
_MRZ = re.compile(
    r"\b[PIAC][A-Z<][A-Z]{3}[A-Z]{1,30}<<[A-Z<]{3,40}"
    r"|\b[A-Z0-9<]{9}\d[A-Z]{3}\d{6}\d[MFX<]\d{6}\d[A-Z0-9<]{0,16}"
)

_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    check = 0
    for position, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def nir_valid(nir: str) -> bool:
    """France's social-security number: 13 characters then a key, 97 - (number mod 97)."""
    compact = nir.replace(" ", "")
    body, key = compact[:13], compact[13:]
    # Corsica's departments 2A/2B are counted as 19/18 in the key computation.
    numeric = body.replace("2A", "19", 1) if "2A" in body else body.replace("2B", "18", 1)
    if not numeric.isdigit() or not key.isdigit():
        return False
    return 97 - int(numeric) % 97 == int(key)


def _id_token_ok(token: str) -> bool:
    digits = sum(ch.isdigit() for ch in token)
    return digits >= 5 and len(token) <= 24


def find_id_numbers(text: str) -> Iterator[tuple[int, int]]:
    for cue in _ID_CUE.finditer(text):
        gap = _ID_GAP.match(text, cue.end())
        position = gap.end() if gap else cue.end()
        if position - cue.end() > _ID_MAX_GAP:
            continue
        token = _ID_TOKEN.match(text, position)
        if token is None:
            continue
        value = token.group().rstrip(" -/.")
        if _id_token_ok(value):
            yield token.start(), token.start() + len(value)
    for match in _CNIC.finditer(text):
        yield match.span()
    for match in _AADHAAR.finditer(text):
        if verhoeff_valid(match.group().replace(" ", "")):
            yield match.span()
    for match in _NIR.finditer(text):
        if nir_valid(match.group()):
            yield match.span()
    for match in _MRZ.finditer(text):
        yield match.span()


_BIRTH_CUE = re.compile(
    r"\b(?:born(?:\s+(?:on|in|at))?|date\s+of\s+birth|birth\s*date|birthday|d\.o\.b\.?|dob"
    r"|n[ée]e?s?|n[ée]\(e\)|n[ée]e?\(s\)|date\s+de\s+naissance|ddn|naissance)(?![\w(])",
    re.IGNORECASE,
)
# From the cue to the date: a few words ("in Gao on", "à Mopti le", ": "), never
# across a sentence end.
_BIRTH_DATE = re.compile(
    rf"(?:[^.;!?\n]|\.(?=\S)){{0,45}}?(?<![\w/.\-])(?P<date>{DATE})(?![\w/]|[.\-]\d)",
    re.IGNORECASE,
)
_NOT_A_PERSON = re.compile(
    r"\b(?:programmes?|programs?|projects?|projets?|initiatives?|idea|idée|networks?|réseaux?"
    r"|partnerships?|partenariats?|laws?|lois?|policy|policies|approach|centres?|centers?"
    r"|movements?|mouvements?|organi[sz]ations?|associations?|groups?|groupes?)\b"
    r"(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)


def find_birth_dates(text: str) -> Iterator[tuple[int, int]]:
    for cue in _BIRTH_CUE.finditer(text):
        if _NOT_A_PERSON.search(before(text, cue.start(), 40)):
            continue
        match = _BIRTH_DATE.match(text, cue.end())
        if match is not None:
            yield match.span("date")
