"""Small-cell protection: which indicator values rest on fewer than k people, and how to show them.

Owns the rule that decides, from an entry's own indicators, how many people
each value was computed on, and the display transformation for readers other
than the owner. It does not read settings (k is passed in: `OFFRAMP_SMALL_CELL_K`)
nor the vocabulary (units come with the indicators), and stores nothing.

The rule, from the indicator vocabulary's units:
- a `count` *is* a number of people (participants enrolled or completed,
  referrals, evaluation sample): it is small when 0 < value < k. Zero exposes
  nobody and is shown.
- a `percent`, `score` or `effect_size` is computed on a base of people: the
  `n = …` written in its note if there is one, else the entry's cohort — for
  completion and drop-out rates the participants enrolled, for every other rate
  the evaluation sample size, else the participants who completed, else those
  enrolled. It is small when that base is below k (a base of 0 included). When
  the entry states no base at all the value is not suppressed, but
  `CellCheck.base` is None so a submit check can ask for one.
- `months` and `currency_usd` describe the program, not people: never small.

Invariant: a non-owner never sees the value, nor the note (which may say
"3 of the 7 reoffended"), of a small cell; the owner sees everything. Known
limit: only the cells themselves are protected — a small difference between two
large shown counts (enrolled 50, completed 45) is not.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "CellCheck",
    "Indicator",
    "IndicatorLike",
    "ShownIndicator",
    "check_cells",
    "protect_cohort",
    "protect_indicators",
    "small_cells",
]

PEOPLE_COUNT = "count"
RATE_UNITS = frozenset({"percent", "score", "effect_size"})

ENROLLED = "participants_enrolled"
COMPLETED = "participants_completed"
SAMPLE = "evaluation_sample_size"
# Where each rate's denominator comes from, most specific first.
_ENROLMENT_BASED = {"completion_rate": (ENROLLED,), "dropout_rate": (ENROLLED,)}
_OUTCOME_BASES = (SAMPLE, COMPLETED, ENROLLED)

_NOTE_BASE = re.compile(r"(?<![\w])[nN][ \u00a0]*[=:][ \u00a0]*(\d[\d \u00a0,]*)")


class IndicatorLike(Protocol):
    """What the rule needs of an indicator (`IndicatorRead` has it)."""

    @property
    def code(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def note(self) -> str | None: ...
    @property
    def unit(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    value: float
    unit: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CellCheck:
    """How many people an indicator value rests on (None: not stated) and whether that is < k."""

    code: str
    base: int | None
    small: bool


@dataclass(frozen=True, slots=True)
class ShownIndicator:
    """An indicator as one reader sees it: a small cell has no value and no note, only "< k"."""

    code: str
    unit: str | None
    value: float | None
    display: str
    note: str | None
    suppressed: bool


def _note_base(note: str | None) -> int | None:
    match = _NOTE_BASE.search(note or "")
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group(1))
    return int(digits) if digits else None


def _counts(indicators: Iterable[IndicatorLike]) -> Mapping[str, int]:
    return {
        item.code: int(item.value)
        for item in indicators
        if item.unit == PEOPLE_COUNT and item.value >= 0
    }


def _check(item: IndicatorLike, counts: Mapping[str, int], k: int) -> CellCheck | None:
    if item.unit == PEOPLE_COUNT:
        people = int(item.value)
        return CellCheck(item.code, people, 0 < people < k)
    if item.unit not in RATE_UNITS:
        return None
    base = _note_base(item.note)
    if base is None:
        sources = _ENROLMENT_BASED.get(item.code, _OUTCOME_BASES)
        base = next((counts[code] for code in sources if code in counts), None)
    return CellCheck(item.code, base, base is not None and base < k)


def check_cells(indicators: Sequence[IndicatorLike], *, k: int) -> list[CellCheck]:
    """One check per indicator about people, in order; program descriptors are left out."""
    counts = _counts(indicators)
    return [c for item in indicators if (c := _check(item, counts, k)) is not None]


def small_cells(indicators: Sequence[IndicatorLike], *, k: int) -> list[CellCheck]:
    """The indicators computed on fewer than `k` people: what a submit check flags."""
    return [check for check in check_cells(indicators, k=k) if check.small]


def protect_indicators(
    indicators: Sequence[IndicatorLike],
    *,
    k: int,
    viewer_is_owner: bool,
    codes: Collection[str] | None = None,
) -> list[ShownIndicator]:
    """The indicators as the viewer may see them: small cells become "< k" for non-owners.

    `codes`: return only the indicators with these codes (the others still give the
    people counts a rate rests on) — one indicator's values across thousands of entries."""
    counts = _counts(indicators)
    shown: list[ShownIndicator] = []
    for item in indicators:
        if codes is not None and item.code not in codes:
            continue
        check = _check(item, counts, k)
        if check is not None and check.small and not viewer_is_owner:
            shown.append(ShownIndicator(item.code, item.unit, None, f"< {k}", None, True))
        else:
            shown.append(
                ShownIndicator(
                    item.code, item.unit, item.value, f"{item.value:g}", item.note, False
                )
            )
    return shown


def protect_cohort(size: int | None, *, k: int, viewer_is_owner: bool) -> ShownIndicator | None:
    """A program profile's cohort (a number of people) as the viewer may see it,
    by the same rule as a `count` indicator; None when no size is stated."""
    if size is None:
        return None
    cohort = Indicator("cohort_size", float(size), PEOPLE_COUNT)
    return protect_indicators([cohort], k=k, viewer_is_owner=viewer_is_owner)[0]
