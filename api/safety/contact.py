"""Detectors for ways to reach a person: e-mail addresses and telephone numbers.

Owns what counts as a contact identifier in free text. Telephone numbers are
validated by `phonenumbers` (Google's libphonenumber metadata: number lengths
and prefixes of every country), never by a length rule alone.

Invariant: a digit run is reported as a phone number only if libphonenumber
accepts it as a valid number *and* it either carries an international prefix,
follows a contact word ("tel", "WhatsApp", "joindre"…), or is written the way
telephone numbers are written (trunk 0, or the country's own grouping). Amounts,
percentages, dates, ranges and numbers after a reference word ("No.", "ISBN",
"Law", "page"…) are never phone numbers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers

from api.safety._context import (
    PHONE_CUE,
    quantity_around,
    reference_before,
    same_sentence_before,
)

_LOCAL = r"[\w.%+-]{1,64}"
_AT = r"(?:@|[ \u00a0]?[\[(]\s?(?:at|arobase)\s?[\])][ \u00a0]?)"
_DOT = r"(?:\.|[ \u00a0]?[\[(]\s?(?:dot|point)\s?[\])][ \u00a0]?)"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
EMAIL = re.compile(
    rf"(?<![\w.%+-]){_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[^\W\d_]{{2,24}}\b",
    re.IGNORECASE,
)


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    for match in EMAIL.finditer(text):
        start = match.start()
        # A leading dot or dash belongs to the sentence, not to the address.
        while text[start] in ".-+":
            start += 1
        yield start, match.end()


# Regions whose national formats are tried, in order, when a number has no
# international prefix: the Sahel and West Africa, East Africa and the Horn,
# North Africa and the Middle East, Europe, South and Southeast Asia, then a
# few others where programs or diasporas are. Order matters only for speed.
_REGION_CODES = (
    "SN ML BF NE TD MR NG CM CI GN GM GH TG BJ "
    "KE SO ET UG TZ SD SS DJ ER RW CD "
    "MA DZ TN LY EG JO LB SY IQ YE SA AE TR PS "
    "FR BE GB DE NL SE DK NO FI ES IT CH AT "
    "PK AF IN BD LK ID MY PH TH "
    "US CA AU"
)
REGIONS = tuple(_REGION_CODES.split())

# A run of digits with the separators people put in phone numbers. Newlines are
# not separators: two numbers on consecutive lines are two numbers.
_CANDIDATE = re.compile(
    r"(?<![\w+/.,\-])(?:\+|\b00)?\(?\d[\d() \u00a0\u202f.\-]{5,24}\d\)?(?![\w/]|[.,]\d|-\d)"
)
_DATE_LIKE = re.compile(
    r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}$"  # 12/03/1994, 1994-03-12
    r"|^(?:19|20)\d{2}\s?[\-–]\s?(?:19|20)?\d{2}$"  # 2019-2023, 2019-23
    r"|^\d{1,2}[.:]\d{2}\s?[\-–]\s?\d{1,2}[.:]\d{2}$"  # 09.00-17.00
)
# Thousands grouping: 1 250 000, 12,500,000, 1.250.000 — how amounts are written.
_THOUSANDS = re.compile(r"^\d{1,3}(?:([ \u00a0\u202f,.])\d{3})(?:\1\d{3})*$")
_PAIRS = re.compile(r"^0?\d{1,3}(?:[ .\-]\d{2}){3,4}$")  # 77 123 45 67, 06 12 34 56 78
_SEPARATORS = re.compile(r"[\s\u00a0\u202f().\-]")
_CUE_WINDOW = 40
_POSSESSIVE_NUMBER = re.compile(
    r"\b(?:his|her|my|their|your|son|sa|leur|mon|ton)[ \u00a0]+(?:num(?:ber|éro)|no\.?)"
    r"(?:[ \u00a0]+(?:is|was|est|était))?[ \u00a0:]*$",
    re.IGNORECASE,
)


def _digits(candidate: str) -> str:
    return "".join(ch for ch in candidate if ch.isdigit())


def _valid_international(candidate: str) -> bool:
    normalized = "+" + candidate[2:] if candidate.startswith("00") else candidate
    try:
        number = phonenumbers.parse(normalized, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


@functools.cache
def _regions_by_length() -> dict[int, tuple[str, ...]]:
    """Regions by the digit counts their numbers can have (with or without a trunk 0)."""
    by_length: dict[int, list[str]] = {}
    for region in REGIONS:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        general = metadata.general_desc if metadata else None
        lengths = set(general.possible_length) if general else set()
        for length in lengths | {n + 1 for n in lengths}:
            by_length.setdefault(length, []).append(region)
    return {length: tuple(regions) for length, regions in by_length.items()}


@functools.lru_cache(maxsize=4096)
def _national_match(candidate: str) -> str | None:
    """The first region where `candidate` is a valid national number, with its format.

    Only regions whose numbers can have this many digits are tried: parsing is
    the guard's main cost, and a table of figures must not cost 60 parses a cell.
    """
    for region in _regions_by_length().get(len(_digits(candidate)), ()):
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number_for_region(number, region):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return None


def _written_like_a_phone(candidate: str, national_format: str) -> bool:
    compact = _SEPARATORS.sub(" ", candidate).split()
    canonical = _SEPARATORS.sub(" ", national_format).split()
    if compact == canonical and len(compact) > 1:
        return True  # exactly the country's own grouping
    digits = _digits(candidate)
    if _PAIRS.match(candidate.strip()):
        return True
    # A trunk prefix: amounts and counts are not written with a leading zero.
    return digits.startswith("0") and len(digits) >= 9 and not digits.startswith("00")


def _cued(text: str, start: int) -> bool | None:
    """True after a contact word in the same sentence, None right after a reference word.

    A reference word wins unless the contact word is right before it ("phone no.",
    "Tel. No.:"), so "Invoice 78653589" is no phone number even after "mobile teams".
    """
    if _POSSESSIVE_NUMBER.search(text, max(0, start - 30), start):
        return True  # "his number 0300 1234567": a person's number is a phone number
    reference = reference_before(text, start)
    window_end = start if reference is None else reference
    cues = list(PHONE_CUE.finditer(same_sentence_before(text, window_end, _CUE_WINDOW)))
    if reference is None:
        return bool(cues)
    window_start = max(0, window_end - _CUE_WINDOW)
    return True if cues and window_end - (window_start + cues[-1].end()) <= 12 else None


def find_phone_numbers(text: str) -> Iterator[tuple[int, int]]:
    for match in _CANDIDATE.finditer(text):
        candidate = match.group().rstrip(" \u00a0\u202f.-")
        start, end = match.start(), match.start() + len(candidate)
        if candidate.count("(") != candidate.count(")"):
            candidate = candidate.strip("()")
            start = text.index(candidate, start)
            end = start + len(candidate)
        digits = _digits(candidate)
        if not 7 <= len(digits) <= 15 or _DATE_LIKE.match(candidate):
            continue
        if "  " in candidate or quantity_around(text, start, end):
            continue
        if candidate.startswith(("+", "00")):
            # Only telephone numbers are written with an international prefix and a
            # valid country code, so no context is needed either way.
            if _valid_international(candidate):
                yield start, end
            continue
        cued = _cued(text, start)
        if cued is None:
            continue
        if _THOUSANDS.match(candidate) and not cued:
            continue
        national_format = _national_match(candidate)
        if national_format is None:
            continue
        if cued or _written_like_a_phone(candidate, national_format):
            yield start, end
