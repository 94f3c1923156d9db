"""policy: structured fields of policy frameworks (legal and policy impediments)

Revision ID: policy_0001
Revises: fed_0002
Create Date: 2026-12-03 08:00:00

Entries gain `policy`: a policy_framework entry's jurisdiction (an M49 region or
country code), level, impediment types (the `impediment_type` vocabulary, seeded
by `offramp migrate` like every vocabulary), effect on civil-society engagement,
status and source. Content, kept in every revision snapshot. Search documents gain
`impediment_type`, `policy_status`, `policy_level` and `jurisdiction` facets: an
existing embedded index must be rebuilt (`offramp reindex`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "policy_0001"
down_revision: str | None = "fed_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("policy", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("policy")
