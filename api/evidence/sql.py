"""SQL helpers shared by the evidence surfaces."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, cast, or_, select

from api.models import Entry, GapCell


def names_any(column: Any, codes: Iterable[str]) -> Any:
    """SQL condition: the JSON list of codes in `column` may hold one of `codes`.

    The lists are JSON (no portable containment test over `json` on both databases),
    so each code is looked for as its quoted text. That is a superset — the caller
    still decides exactly in Python — which lets the database skip the entries a
    filter rules out instead of handing all of them over."""
    text = cast(column, String)
    return or_(*(text.contains(f'"{code}"', autoescape=True) for code in sorted(codes)))


def json_codes(value: Any) -> tuple[str, ...]:
    """A JSON list column read raw (`type_coerce(…, String)` or a `CAST`): text on
    SQLite, already a list where the driver parses JSON."""
    parsed = json.loads(value) if isinstance(value, str) else value
    return tuple(str(v) for v in parsed or ())


def in_regions(regions: Iterable[str]) -> Any:
    """SQL condition over `Entry`: a published entry names one of `regions` or a region
    under one of them — exact, from its gap-map cells (`api.access.cells`: a cell for
    each region it names and every region above them, whatever its program types)."""
    return Entry.id.in_(select(GapCell.entry_id).where(GapCell.region.in_(sorted(regions))))
