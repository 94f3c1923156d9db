"""evidence: indexes over entry (kind, status) and indicator_value (code, entry_id)

Revision ID: evidence_0003
Revises: access_0001
Create Date: 2026-12-04 17:05:00

The evidence surfaces read the published entries of one kind (the policy table
its frameworks, the gap map its evaluations). With only `ix_entry_status` and
`ix_entry_kind`, SQLite chose the status index — nine rows in ten are published —
and read every published entry to find the frameworks: 150 ms of the policy
table's 220 ms at 100k entries, 80 ms with this index. An indicator's values were
found by scanning every indicator value (323k rows at 100k entries); with planner
statistics (`api.housekeeping.refresh_planner_statistics`) the entries of one
indicator are now looked up from its values: the indicator query 188 → 50 ms.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "evidence_0003"
down_revision: str | None = "access_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_entry_kind_status", "entry", ["kind", "status"])
    op.create_index("ix_indicator_value_code_entry", "indicator_value", ["code", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_value_code_entry", table_name="indicator_value")
    op.drop_index("ix_entry_kind_status", table_name="entry")
