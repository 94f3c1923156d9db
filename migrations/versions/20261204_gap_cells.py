"""evidence: gap-map cells kept beside the reader tags

Revision ID: evidence_0005
Revises: access_0002
Create Date: 2026-12-04 19:20:00

The gap map counted live: every published evaluation tested against the visibility
rule and grouped by its region and type lists, 100-140 ms at 100k entries however it
was indexed. `gap_cell` holds one row per published entry and cell it falls in
(a region it names or one above it, by a program type it names, or "" when it names
none), with what the map filters on and the key of the entry's lasting reader tags; `gap_readers` maps each
key to its tags. The `entry_reader` flush hook rewrites both in the write's
transaction (`api.access.cells`). This migration fills them for the entries already
there, by the same rule, written out here so that the migration does not change
when the application code does.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0005"
down_revision: str | None = "access_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNT_COLUMNS = ["kind", "region", "readers", "program_type", "evidence_level",
                  "evaluation_design", "year"]  # fmt: skip


def _codes(value: Any) -> list[str]:
    parsed = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in parsed or []]


def _year(value: Any) -> int | None:
    if value is None:
        return None
    return int(str(value)[:4]) if isinstance(value, str) else int(value.year)


def _backfill(connection: sa.Connection) -> None:
    parents = dict(connection.execute(sa.text(
        "SELECT code, parent FROM vocabulary_term WHERE vocabulary = 'region'")).all())  # fmt: skip
    lasting: dict[str, list[str]] = {}
    for entry_id, tag in connection.execute(sa.text(
        "SELECT entry_id, tag FROM entry_reader WHERE expires_at IS NULL")):  # fmt: skip
        lasting.setdefault(entry_id, []).append(tag)
    entries = connection.execute(sa.text(
        "SELECT id, kind, evidence_level, evaluation_design, period_end, regions,"
        " program_types FROM entry WHERE status = 'published'"))  # fmt: skip
    sets: dict[str, list[str]] = {}
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if rows:
            connection.execute(sa.text(
                "INSERT INTO gap_cell (entry_id, region, program_type, readers, kind,"
                " evidence_level, evaluation_design, year) VALUES (:entry_id, :region,"
                " :program_type, :readers, :kind, :evidence_level, :evaluation_design,"
                " :year)"), rows)  # fmt: skip
            rows.clear()

    for entry_id, kind, level, design, period_end, regions, types in entries.all():
        tags = sorted(lasting.get(entry_id, []))
        if not tags:
            continue
        key = hashlib.sha1(" ".join(tags).encode(), usedforsecurity=False).hexdigest()
        sets[key] = tags
        found: set[str] = set()
        for code in _codes(regions):
            while code is not None and code not in found:
                found.add(code)
                code = parents.get(code)
        for region in sorted(found):
            for program_type in dict.fromkeys(_codes(types) or [""]):
                rows.append({"entry_id": entry_id, "region": region,
                             "program_type": program_type, "readers": key, "kind": kind,
                             "evidence_level": level, "evaluation_design": design,
                             "year": _year(period_end)})  # fmt: skip
        if len(rows) >= 5000:
            flush()
    flush()
    members = [{"readers": key, "tag": tag} for key, tags in sets.items() for tag in tags]
    if members:
        connection.execute(
            sa.text("INSERT INTO gap_readers (readers, tag) VALUES (:readers, :tag)"), members
        )


def upgrade() -> None:
    op.create_table(
        "gap_readers",
        sa.Column("readers", sa.String(40), nullable=False),
        sa.Column("tag", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("readers", "tag", name="pk_gap_readers"),
    )
    op.create_index("ix_gap_readers_tag", "gap_readers", ["tag"])
    op.create_table(
        "gap_cell",
        sa.Column("entry_id", sa.String(40), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("program_type", sa.String(64), nullable=False),
        sa.Column("readers", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("evidence_level", sa.String(64), nullable=True),
        sa.Column("evaluation_design", sa.String(64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], ondelete="CASCADE", name="fk_gap_cell_entry_id_entry"
        ),
        sa.PrimaryKeyConstraint("entry_id", "region", "program_type", name="pk_gap_cell"),
    )
    op.create_index("ix_gap_cell_count", "gap_cell", _COUNT_COLUMNS)
    op.create_index("ix_gap_cell_region_entry", "gap_cell", ["region", "entry_id"])
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_gap_cell_region_entry", table_name="gap_cell")
    op.drop_index("ix_gap_cell_count", table_name="gap_cell")
    op.drop_table("gap_cell")
    op.drop_index("ix_gap_readers_tag", table_name="gap_readers")
    op.drop_table("gap_readers")
