"""The evidence gap map: region x program type, each cell the number of evaluations
the caller may read, by evidence level — counted on every request from rows written
in the same transaction as the entries, so it is never stale.

The entries counted are those `api.access.live_clause` admits (published, read as
owner or live reader: what search shows the caller), in two disjoint parts:

- those read through a lasting reader tag: from their gap-map cells
  (`api.access.cells`, one row per entry, region and program type, each region with
  the regions above it), counted in SQL per (row, column, level) — a row is a child
  region of the chosen one (World by default), and an entry has one cell per region,
  so it counts once in a row however many of the row's countries it names;
- those read only through an unexpired grant (`expiring_only_clause`): few, counted
  live from the entries and spread over the cells the same way (`_spread`).

Counting 40,000 evaluations live took 100-140 ms at 100k entries however indexed;
the cells answer in a fraction of that (README, "Evidence")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from api.access import Principal, expiring_only_clause, gap_cell_readable_clause
from api.evidence.sql import json_codes
from api.models import Entry, GapCell
from api.vocabularies.registry import WORLD, VocabularyRegistry

NO_LEVEL = "not_assessed"


@dataclass(frozen=True)
class GapFilters:
    region: str = WORLD
    program_type: tuple[str, ...] = ()
    kind: tuple[str, ...] = ("evaluation",)
    evidence_level: tuple[str, ...] = ()
    evaluation_design: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None


@dataclass
class Cell:
    total: int = 0
    by_level: dict[str, int] = field(default_factory=dict)


@dataclass
class GapMap:
    region: str
    rows: list[str]  # child regions of `region`, in the vocabulary's order
    columns: list[str]  # program types
    cells: dict[tuple[str, str], Cell]
    drillable: set[str]  # rows with children of their own

    def cell(self, row: str, column: str) -> Cell:
        return self.cells.get((row, column), Cell())


def children(registry: VocabularyRegistry, region: str) -> list[str]:
    return [t.code for t in registry.terms("region") if registry.ancestors(t.code)[:1] == [region]]


def _codes_asked(filters: GapFilters, kind: Any, level: Any, design: Any) -> list[Any]:
    """The kind, evidence-level and design filters over the given columns."""
    asked = ((kind, filters.kind), (level, filters.evidence_level),
             (design, filters.evaluation_design))  # fmt: skip
    return [column.in_(codes) for column, codes in asked if codes]


def _entry_conditions(filters: GapFilters) -> list[Any]:
    """The filters over `Entry` for the live part (`_spread` places each entry in the
    rows and columns it falls in, so region and types need no condition here: that
    part is the caller's few grants)."""
    conditions = _codes_asked(filters, Entry.kind, Entry.evidence_level, Entry.evaluation_design)
    if filters.year_from is not None:
        conditions.append(Entry.period_end >= date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        conditions.append(Entry.period_end <= date(filters.year_to, 12, 31))
    return conditions


def _cell_conditions(filters: GapFilters, rows: list[str], columns: list[str]) -> list[Any]:
    """The same filters over `GapCell` (its year is `period_end`'s)."""
    conditions: list[Any] = [
        GapCell.region.in_(rows), GapCell.program_type.in_(columns),
        *_codes_asked(filters, GapCell.kind, GapCell.evidence_level, GapCell.evaluation_design),
    ]  # fmt: skip
    if filters.year_from is not None:
        conditions.append(GapCell.year >= filters.year_from)
    if filters.year_to is not None:
        conditions.append(GapCell.year <= filters.year_to)
    return conditions


def _spread(
    session: Session,
    conditions: list[Any],
    registry: VocabularyRegistry,
    rows: list[str],
    columns: list[str],
    counted: dict[tuple[str, str, str], int],
) -> None:
    """Count the entries `conditions` admit into `counted`, live: grouped by (regions,
    program types, evidence level), then each group spread over the cells it falls
    in — an entry counts once in a row however many of the row's countries it names."""
    regions_text = cast(Entry.regions, String)
    types_text = cast(Entry.program_types, String)
    query = (
        select(regions_text, types_text, Entry.evidence_level, func.count())
        .where(*conditions)
        .group_by(regions_text, types_text, Entry.evidence_level)
    )
    # The same region lists recur with other types, and the type lists with other
    # regions: each is parsed and placed once.
    rows_of: dict[str, list[str]] = {}
    columns_of: dict[str, list[str]] = {}
    for regions, types, level, count in session.execute(query):
        in_rows = rows_of.get(regions)
        if in_rows is None:
            expanded = set(registry.expand_regions(json_codes(regions)))
            in_rows = rows_of[regions] = [r for r in rows if r in expanded]
        if not in_rows:
            continue
        in_columns = columns_of.get(types)
        if in_columns is None:
            named = set(json_codes(types))
            in_columns = columns_of[types] = [c for c in columns if c in named]
        key = level or NO_LEVEL
        for row in in_rows:
            for column in in_columns:
                place = (row, column, key)
                counted[place] = counted.get(place, 0) + count


def gap_map(
    session: Session, principal: Principal, registry: VocabularyRegistry, filters: GapFilters
) -> GapMap:
    rows = children(registry, filters.region) or [filters.region]
    drillable = {r for r in rows if children(registry, r)}
    columns = list(filters.program_type) or [t.code for t in registry.terms("program_type")]
    counted: dict[tuple[str, str, str], int] = {}
    # Entries the caller reads through a lasting tag: counted from their cells.
    by_cell = (
        select(GapCell.region, GapCell.program_type, GapCell.evidence_level, func.count())
        .where(gap_cell_readable_clause(principal), *_cell_conditions(filters, rows, columns))
        .group_by(GapCell.region, GapCell.program_type, GapCell.evidence_level)
    )
    for row, column, level, count in session.execute(by_cell):
        place = (row, column, level or NO_LEVEL)
        counted[place] = counted.get(place, 0) + count
    # Entries read only through an unexpired grant: few, counted live.
    _spread(session, [expiring_only_clause(principal), *_entry_conditions(filters)],
            registry, rows, columns, counted)  # fmt: skip
    cells: dict[tuple[str, str], Cell] = {}
    for (row, column, key), count in counted.items():
        cell = cells.get((row, column))
        if cell is None:
            cell = cells[(row, column)] = Cell()
        cell.total += count
        cell.by_level[key] = count
    return GapMap(filters.region, rows, columns, cells, drillable)
