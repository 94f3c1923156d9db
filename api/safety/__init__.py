"""Safeguards for what is shared: a sensitive-data guard and small-cell protection.

`scan_fields` finds identifiers of people (contact details, identity numbers,
dates of birth, precise locations, names of participants) in an entry's text
fields and returns `Finding`s whose snippets are masked; `small_cells` and
`protect_indicators` decide which aggregate indicators rest on fewer than k
people and how a non-owner sees them. Everything here is pure: no database, no
network, no logging — callers decide what a finding or a small cell does.
"""

from api.safety.guard import DETECTORS, LABELS, Finding, scan_fields, scan_text
from api.safety.small_cells import (
    CellCheck,
    Indicator,
    ShownIndicator,
    check_cells,
    protect_indicators,
    small_cells,
)

__all__ = [
    "DETECTORS",
    "LABELS",
    "CellCheck",
    "Finding",
    "Indicator",
    "ShownIndicator",
    "check_cells",
    "protect_indicators",
    "scan_fields",
    "scan_text",
    "small_cells",
]
