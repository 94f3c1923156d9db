"""The sensitive-data guard: scan named text fields, report findings with masked snippets.

Owns running the detectors over an entry's fields (title, summary, body,
indicator notes, `attachments[<id>]` for extracted attachment text…), settling
overlaps between detectors, and masking. Besides identifiers of people, a caller
may pass `hidden_terms` — the name and slug of an organization that publishes
with its name hidden — found as `organization_name`. It does not decide what a finding does
to a submission (the workflow does) and performs no I/O: no database, no
network, no logging.

Invariant: no identifier leaves this module in clear. A `Finding` holds the
field name, the detector, the character span and a snippet of context in which
every identifier found in that field is replaced by its label (`[phone]`,
`[name]`…); the matched text itself is never stored, so neither the finding's
`repr`, nor its dict, nor anything logged from it, can reveal it. Offsets let a
reader who may see the field highlight the span in place.

Why not Presidio: its analyzer needs a spaCy (or Stanza/transformers) language
model, downloaded separately (`en_core_web_lg` is ~600 MB) and one per language;
without one it cannot start, and its person-name recogniser *is* that model.
Installing models at deploy time is outside what this service may assume, and a
generic NER model flags every name (authors, officials, places), where the need
here is names tied to a participant word. Small regular-expression detectors,
with `phonenumbers` for telephone numbers, are measured instead
(`bench/safety_bench.py`: precision and recall on a synthetic EN/FR corpus).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from api.safety.contact import find_emails, find_phone_numbers
from api.safety.identity import find_birth_dates, find_id_numbers
from api.safety.location import find_addresses, find_coordinates
from api.safety.names import find_participant_names

__all__ = ["DETECTORS", "LABELS", "Finding", "scan_fields", "scan_text"]

Detector = Callable[[str], Iterable[tuple[int, int]]]

# In order of precedence: when two detectors claim overlapping text, the one
# listed first keeps it (an e-mail address contains digits, a birth date looks
# like a reference, an ID follows words that also introduce phone numbers).
DETECTORS: dict[str, Detector] = {
    "email": find_emails,
    "coordinates": find_coordinates,
    "date_of_birth": find_birth_dates,
    "id_number": find_id_numbers,
    "phone": find_phone_numbers,
    "address": find_addresses,
    "participant_name": find_participant_names,
}
LABELS: dict[str, str] = {
    "email": "e-mail address",
    "coordinates": "GPS coordinates",
    "date_of_birth": "date of birth",
    "id_number": "identity document number",
    "phone": "phone number",
    "address": "street address",
    "participant_name": "name of a participant",
    "organization_name": "name of the organization (published hidden)",
    "small_cell": "indicator computed on too few people",
}
ORGANIZATION_NAME = "organization_name"
SMALL_CELL = "small_cell"
_MASKS = {
    "organization_name": "[organization]",
    "email": "[email]",
    "coordinates": "[coordinates]",
    "date_of_birth": "[date of birth]",
    "id_number": "[id number]",
    "phone": "[phone]",
    "address": "[address]",
    "participant_name": "[name]",
}
SNIPPET_CONTEXT_CHARS = 40


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifier found in one field; `snippet` is context with every identifier masked."""

    field: str
    detector: str
    start: int
    end: int
    snippet: str

    @property
    def label(self) -> str:
        return LABELS[self.detector]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


def find_terms(text: str, terms: Sequence[str]) -> Iterator[tuple[int, int]]:
    """Spans of `terms` in `text`: whole words, any case, spaces and hyphens alike
    ("sahel-pathways" finds "Sahel Pathways")."""
    for term in terms:
        words = [re.escape(w) for w in re.split(r"[\s\-_]+", term.strip()) if w]
        if not words:
            continue
        pattern = r"(?<!\w)" + r"[\s\-_]+".join(words) + r"(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            yield match.span()


def _detectors(hidden_terms: Sequence[str]) -> Mapping[str, Detector]:
    if not hidden_terms:
        return DETECTORS
    # First: an organization's name is reported as such, not as a person's.
    return {ORGANIZATION_NAME: partial(find_terms, terms=tuple(hidden_terms)), **DETECTORS}


def scan_text(text: str, *, hidden_terms: Sequence[str] = ()) -> list[tuple[str, int, int]]:
    """(detector, start, end) of every identifier in `text`, in reading order, never overlapping."""
    claimed: list[tuple[int, int, str]] = []  # kept sorted, never overlapping
    for name, detector in _detectors(hidden_terms).items():
        for start, end in _merged(detector(text)):
            at = bisect.bisect_left(claimed, (start, end, name))
            if start >= end:
                continue
            if at > 0 and claimed[at - 1][1] > start:
                continue
            if at < len(claimed) and claimed[at][0] < end:
                continue
            claimed.insert(at, (start, end, name))
    return [(name, start, end) for start, end, name in claimed]


def scan_fields(
    fields: Mapping[str, str | None], *, hidden_terms: Sequence[str] = ()
) -> list[Finding]:
    """Findings field by field, in the order of `fields` then of the text; empty fields
    skipped. `hidden_terms`: names that must not appear (`organization_name`)."""
    findings: list[Finding] = []
    for field, text in fields.items():
        if not text:
            continue
        hits = scan_text(text, hidden_terms=hidden_terms)
        findings.extend(
            Finding(field, detector, start, end, _snippet(text, start, end, hits))
            for detector, start, end in hits
        )
    return findings


def _merged(spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """One detector's spans with overlapping ones joined (two rules may find one number)."""
    current: tuple[int, int] | None = None
    for start, end in sorted(spans):
        if current is not None and start < current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _snippet(text: str, start: int, end: int, hits: list[tuple[str, int, int]]) -> str:
    low = max(0, start - SNIPPET_CONTEXT_CHARS)
    high = min(len(text), end + SNIPPET_CONTEXT_CHARS)
    # Widen to whole identifiers so the window never shows a cut-off part of one.
    for _, s, e in hits:
        if s < low < e:
            low = s
        if s < high < e:
            high = e
    parts: list[str] = ["…"] if low > 0 else []
    position = low
    for detector, s, e in hits:
        if e <= low or s >= high:
            continue
        parts.append(text[position:s])
        parts.append(_MASKS[detector])
        position = e
    parts.append(text[position:high])
    if high < len(text):
        parts.append("…")
    return " ".join("".join(parts).split())
