"""Detectors for places a person can be found: GPS coordinates and street addresses.

Owns what counts as a precise location in free text. Coordinates are a pair of
decimal degrees in range (latitude ±90, longitude ±180) or a degrees-minutes
(-seconds) reading with a hemisphere letter. A bare pair of decimals is taken
for coordinates only with four or more decimal places (about 10 m) and not
after a statistic's name (p, r, d, CI, OR…); with a word such as "GPS",
"coordinates", "lat" or a degree sign two decimals are enough.

Addresses are a house number with a street word (English "12 Kilimani Road",
French "12 rue de la Paix"), the numbered-street forms of Dakar or Islamabad
("Rue 10 x 15", "House 45, Street 12"), a villa or plot number, or a post-office
box. A street word without a number, or a number that is a year, is not an
address: "High Court", "the 2019 Peace Road Map".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from api.safety._context import before

_DEC = r"[-+−]?\d{1,3}[.,]\d+"
_PAIR = re.compile(
    rf"(?<![\w.,])(?P<lat>{_DEC})[ \u00a0]?°?[ \u00a0]?(?P<lat_h>[NSns]\b)?"
    rf"[ \u00a0]*[,;/ ][ \u00a0]*(?P<lon>{_DEC})[ \u00a0]?°?[ \u00a0]?(?P<lon_h>[EWOewo]\b)?"
    r"(?![\w%]|[.,]\d)"
)
_LAT_LON_WORDS = re.compile(
    r"\b(?:lat(?:itude)?|lon(?:g(?:itude)?)?|lng|gps|coordinates?|coordonn[ée]es?|geo"
    r"|location|localisation|position|located|situ[ée]e?|waypoint|pin|maps?|carte)\b"
    r"|[?&](?:q|ll|query|center|destination)=$|@$",
    re.IGNORECASE,
)
_LABELLED = re.compile(
    r"\blat(?:itude)?\.?\s*[:=]?\s*(?P<lat>[-+−]?\d{1,2}\.\d{2,})\s*°?\s*[NSns]?"
    r"[\s,;/]+lon(?:g(?:itude)?)?\.?\s*[:=]?\s*(?P<lon>[-+−]?\d{1,3}\.\d{2,})\s*°?\s*[EWOewo]?",
    re.IGNORECASE,
)
_STATISTIC_BEFORE = re.compile(
    r"(?:\b(?:p|r|d|g|b|t|f|z|or|rr|hr|ci|ic|sd|se|es|m|mean|moyenne|median|médiane|alpha"
    r"|beta|ratio|kappa|range|between|entre)|[=<>≤≥±βαχ(\[])[\s:=]*$",
    re.IGNORECASE,
)
_SERIES_AFTER = re.compile(r"[ \u00a0]*(?:,|;|and|et|&|to|à)[ \u00a0]*[-+−]?\d", re.IGNORECASE)
_SERIES_BEFORE = re.compile(r"\d[ \u00a0]*[,;][ \u00a0]*$")
_DMS_ONE = (
    r"\d{1,3}[ \u00a0]?°[ \u00a0]?\d{1,2}(?:[.,]\d+)?[ \u00a0]?['′’]"
    r"(?:[ \u00a0]?\d{1,2}(?:[.,]\d+)?[ \u00a0]?(?:\"|″|''|”|’’))?[ \u00a0]?[NSEWO]\b"
)
_DMS = re.compile(rf"{_DMS_ONE}(?:[ \u00a0]*[,;/]?[ \u00a0]*{_DMS_ONE})?")


def _decimals(value: str) -> int:
    return len(re.split(r"[.,]", value, maxsplit=1)[1])


def _number(value: str) -> float:
    return float(value.replace("−", "-").replace(",", "."))


def _in_range(lat: str, lon: str) -> bool:
    return abs(_number(lat)) <= 90 and abs(_number(lon)) <= 180


def find_coordinates(text: str) -> Iterator[tuple[int, int]]:
    for match in _LABELLED.finditer(text):
        if _in_range(match["lat"], match["lon"]):
            yield match.span()
    for match in _PAIR.finditer(text):
        lat, lon = match["lat"], match["lon"]
        # "12,5, 13,2" is two French decimals, not a pair with a comma between.
        if "," in lat and "," in lon and "," in text[match.end("lat") : match.start("lon")]:
            continue
        if not _in_range(lat, lon):
            continue
        if _SERIES_AFTER.match(text, match.end()) or _SERIES_BEFORE.search(
            before(text, match.start(), 12)
        ):
            continue  # "scored 43.9019, 61.9586 and 79.1519": a series of values
        places = min(_decimals(lat), _decimals(lon))
        marked = bool(match["lat_h"] or match["lon_h"]) or "°" in match.group()
        cued = marked or _LAT_LON_WORDS.search(before(text, match.start(), 40)) is not None
        if (cued and places >= 2) or (
            places >= 4
            # Both under one degree is the open sea south of Ghana: statistics, not a place.
            and max(abs(_number(lat)), abs(_number(lon))) >= 1
            and not _STATISTIC_BEFORE.search(before(text, match.start(), 16))
        ):
            yield match.span()
    for match in _DMS.finditer(text):
        yield match.span()


_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*"
_EN_STREET = re.compile(
    rf"(?<![\w/.,\-])(?P<number>\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}})?),?[ \u00a0]+"
    rf"(?:{_NAME_WORD}[ \u00a0]+){{1,4}}"
    r"(?:Street|St\.|Road|Rd\.?|Avenue|Ave\.?|Lane|Boulevard|Blvd\.?|Drive|Way|Close"
    r"|Crescent|Terrace|Highway|Hwy\.?)(?!\w)"
)
_FR_STREET = re.compile(
    r"(?<![\w/.,\-])(?P<number>\d{1,4})(?:[ \u00a0]?(?:bis|ter|[A-D]))?,?[ \u00a0]+"
    r"(?i:rue|avenue|av\.|boulevard|bd|allée|impasse|chemin|place|quai|route|cours|cité"
    r"|lotissement|résidence|rond-point)[ \u00a0]+"
    r"(?:(?:de[ \u00a0]+la|de[ \u00a0]+l['’]|du|des|de|d['’]|la|le|les|l['’])[ \u00a0]*)?"
    rf"(?:{_NAME_WORD}|\d{{1,4}})"
    rf"(?:[ \u00a0]+(?:(?:de|du|des|la|le|d['’])[ \u00a0]*)?{_NAME_WORD}){{0,4}}"
)
_NUMBERED_STREET = re.compile(
    r"\b(?:(?:House|Flat|Apartment|Apt\.?|Plot|Villa|Maison|Parcelle|Appartement|Immeuble)"
    r"[ \u00a0]+(?:No\.?|n°|nº|num[ée]ro)?[ \u00a0]*\d{1,5}[A-Z]?,?[ \u00a0]+)?"
    r"(?:Street|Road|Lane|Rue|Avenue|Av\.|Route)[ \u00a0]+(?:No\.?|n°|nº)?[ \u00a0]*\d{1,4}"
    r"(?:[ \u00a0]*(?:x|X|×|angle|corner(?:\s+of)?)[ \u00a0]*(?:rue|street|road)?"
    r"[ \u00a0]*\d{1,4})?"
    r"(?:,[ \u00a0]*(?:Sector|Secteur|Block|Bloc|Phase|Zone)[ \u00a0]+[A-Z]?-?\d{1,3}(?:/\d)?)?"
)
_PREMISES = re.compile(
    r"\b(?:villa|maison|parcelle|appartement|apartment|flat|house|compound|plot|lot)[ \u00a0]+"
    r"(?:n°|nº|no\.?|num[ée]ro|number|#)[ \u00a0]*\d{1,5}[A-Z]?"
    r"|\b(?:villa|maison|house|compound|plot|parcelle)[ \u00a0]+\d{1,5}[A-Z]?,[ \u00a0]+"
    r"(?:quartier|cit[ée]|sicap|hlm|estate|sector|secteur|block|bloc|zone)\b",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"\b(?:P\.?[ \u00a0]?O\.?[ \u00a0]?Box|Post[ \u00a0]Office[ \u00a0]Box|B\.[ \u00a0]?P\.|BP"
    r"|Bo[iî]te[ \u00a0]postale)[ \u00a0]*(?:n°|no\.?)?[ \u00a0]*\d{2,6}"
    r"(?:[ \u00a0]?-[ \u00a0]?\d{5})?\b"
)
_YEAR = re.compile(r"(?:1[89]|20)\d{2}")


def find_addresses(text: str) -> Iterator[tuple[int, int]]:
    for pattern in (_EN_STREET, _FR_STREET):
        for match in pattern.finditer(text):
            if not _YEAR.fullmatch(match["number"]):
                yield match.span()
    for pattern in (_NUMBERED_STREET, _PREMISES, _PO_BOX):
        for match in pattern.finditer(text):
            yield match.span()
