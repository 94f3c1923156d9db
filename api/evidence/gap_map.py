"""The evidence gap map: region x program type, each cell the number of evaluations
the caller may read, by evidence level — computed live from entries on every
request, so it is never stale.

One grouped SQL query over the published entries the caller reads as owner or
live reader (`api.access.live_clause`: what search shows them), grouped by
(regions, program types, evidence level) — there are far fewer such combinations
than entries — then each combination is spread over the cells it falls in: a row
is a child region of the chosen one (World by default), and an entry counts once
in a row however many of the row's countries it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from api.access import Principal, live_clause
from api.evidence.sql import json_codes, names_any
from api.models import Entry
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


def gap_map(
    session: Session, principal: Principal, registry: VocabularyRegistry, filters: GapFilters
) -> GapMap:
    rows = children(registry, filters.region) or [filters.region]
    drillable = {r for r in rows if children(registry, r)}
    columns = list(filters.program_type) or [t.code for t in registry.terms("program_type")]
    conditions: list[Any] = [live_clause(principal)]
    # Only entries that can fall in a row or a column are counted: narrowed in SQL
    # (a superset, see `names_any`), so the probe and grouping skip the rest.
    if filters.region != WORLD:
        conditions.append(names_any(Entry.regions, registry.within(filters.region)))
    if filters.program_type:
        conditions.append(names_any(Entry.program_types, filters.program_type))
    if filters.kind:
        conditions.append(Entry.kind.in_(filters.kind))
    if filters.evidence_level:
        conditions.append(Entry.evidence_level.in_(filters.evidence_level))
    if filters.evaluation_design:
        conditions.append(Entry.evaluation_design.in_(filters.evaluation_design))
    if filters.year_from is not None:
        conditions.append(Entry.period_end >= date(filters.year_from, 1, 1))
    if filters.year_to is not None:
        conditions.append(Entry.period_end <= date(filters.year_to, 12, 31))
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
    counted: dict[tuple[str, str, str], int] = {}
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
    cells: dict[tuple[str, str], Cell] = {}
    for (row, column, key), count in counted.items():
        cell = cells.get((row, column))
        if cell is None:
            cell = cells[(row, column)] = Cell()
        cell.total += count
        cell.by_level[key] = count
    return GapMap(filters.region, rows, columns, cells, drillable)
