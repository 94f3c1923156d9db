"""evidence: SQLite indexes that cover the evidence surfaces' filters

Revision ID: evidence_0004
Revises: evidence_0003
Create Date: 2026-12-04 19:10:00

SQLite stores an entry as one wide row (abstract, findings, profile…), so testing
one indicator's 40,000 entries against a region filter, or reading the policy
frameworks, read those rows page by page. These two indexes hold just the columns
those queries need, and SQLite answers from them: at 100k entries an indicator's
entries with a region filter 190 → 50 ms, the policy frameworks 50-80 → 23 ms (a
policy is NULL, so small in the index, on every other kind). PostgreSQL has no
b-tree over `json` columns (and reads its heap well), so they exist on SQLite
only — as declared in `api.models.entry`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "evidence_0004"
down_revision: str | None = "evidence_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID_FILTER_COLUMNS = ["id", "status", "kind", "regions", "program_types"]
POLICY_COLUMNS = ["kind", "status", "id", "policy"]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_index("ix_entry_id_filters", "entry", ID_FILTER_COLUMNS)
    op.create_index("ix_entry_policies", "entry", POLICY_COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_entry_policies", table_name="entry")
    op.drop_index("ix_entry_id_filters", table_name="entry")
