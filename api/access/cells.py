"""Gap-map cells: where each published entry counts in the evidence gap map, kept
beside its reader tags so that a map counts index rows instead of testing every
entry against the rule.

An entry falls in one cell per (region, program type) it names — each region with
every region above it, so a row of the map (a region) counts an entry once however
many of its countries the entry names; an entry naming no program type has one cell
per region with the type `NO_PROGRAM_TYPE`, so every published entry's regions are
here, expanded, for region filters (`api.evidence.service`). A cell row carries what
the gap map filters on (kind, evidence level, design, year of `period_end`) and the
key of the entry's *lasting* reader tags (its `entry_reader` rows without an
expiry); `GapReaders` maps each key to its tags. A caller's count is then: cells
whose set holds one of the caller's tags, plus — counted live,
`api.evidence.gap_map` — the few entries the caller reads only through a grant with
an expiry (time, not a write, ends those).

Rewritten by the `entry_reader` flush hook (`api.access.orm`) for every entry it
rewrites, in the same transaction; an entry's cells go with it (ON DELETE CASCADE).
A `GapReaders` set is never removed: its key names its tags, which never change, and
sets are few (5,600 at 100k demo entries, most of them partner lists).
A region's parent is fixed when the region is created and never changes
(`api.vocabularies.management`), so a cell never needs rewriting for the tree, and
the tree read from `vocabulary_term` is kept per connection until a code is missing
from it (a term another process added)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from api.models import Entry, GapCell, GapReaders, VocabularyTerm

REGION = "region"
# The cell of an entry that names no program type: in no column of the map, but its
# regions are there for a region filter (`api.evidence.service`).
NO_PROGRAM_TYPE = ""
_PARENTS = "offramp.region_parents"


def readers_key(tags: Iterable[str]) -> str:
    return hashlib.sha1(" ".join(sorted(tags)).encode(), usedforsecurity=False).hexdigest()


def _region_parents(connection: Connection, needed: set[str]) -> Mapping[str, str | None]:
    """Each region's parent. Kept with the database connection (`Connection.info`)
    and read again only when a code is missing: a parent never changes and terms are
    only added, so a kept map is right for every code it holds."""
    kept: dict[str, str | None] | None = connection.info.get(_PARENTS)
    if kept is None or not needed <= kept.keys():
        kept = dict(
            connection.execute(
                select(VocabularyTerm.code, VocabularyTerm.parent).where(
                    VocabularyTerm.vocabulary == REGION
                )
            ).all()
        )
        connection.info[_PARENTS] = kept
    return kept


def with_ancestors(codes: Iterable[str], parents: Mapping[str, str | None]) -> set[str]:
    """The codes and every region above them (unknown codes as given, as
    `VocabularyRegistry.expand_regions`; a cycle stops the walk)."""
    found: set[str] = set()
    for code in codes:
        while code is not None and code not in found:
            found.add(code)
            code = parents.get(code)  # type: ignore[assignment]
    return found


def _cells(entry: Any, key: str, parents: Mapping[str, str | None]) -> list[dict[str, Any]]:
    period_end = entry.period_end
    common = {
        "entry_id": entry.id, "readers": key, "kind": entry.kind,
        "evidence_level": entry.evidence_level, "evaluation_design": entry.evaluation_design,
        "year": period_end.year if period_end is not None else None,
    }  # fmt: skip
    types = dict.fromkeys(entry.program_types or [NO_PROGRAM_TYPE])
    return [
        {**common, "region": region, "program_type": program_type}
        for region in sorted(with_ancestors(entry.regions or [], parents))
        for program_type in types
    ]


def rewrite_gap_cells(
    connection: Connection, entries: Mapping[str, Entry], lasting: Mapping[str, Iterable[str]]
) -> None:
    """Replace the cells of `entries` (by id) from their current state; `lasting` is
    each one's reader tags without an expiry, as just written to `entry_reader`."""
    connection.execute(delete(GapCell).where(GapCell.entry_id.in_(sorted(entries))))
    published = {
        entry_id: entry for entry_id, entry in entries.items()
        if entry.status == "published" and entry.regions and lasting.get(entry_id)
    }  # fmt: skip
    if not published:
        return
    parents = _region_parents(
        connection, {code for entry in published.values() for code in entry.regions}
    )
    sets: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []
    for entry_id, entry in published.items():
        tags = sorted(lasting[entry_id])
        key = readers_key(tags)
        sets[key] = tags
        rows += _cells(entry, key, parents)
    # In one order in every transaction: two writers adding the same new sets wait on
    # each other's rows (ON CONFLICT) in that order, never in a cycle (a deadlock).
    members = [{"readers": key, "tag": tag} for key in sorted(sets) for tag in sets[key]]
    upsert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    connection.execute(upsert(GapReaders).on_conflict_do_nothing(), members)
    if rows:
        connection.execute(insert(GapCell), rows)
