"""evidence: program timeline (entries belong to a program profile)

Revision ID: evidence_0002
Revises: fed_0001
Create Date: 2026-12-02 18:00:00

Entries gain `program_id`: the program profile (an entry of the same organization)
an evaluation or lessons-learned entry belongs to, so a program keeps its identity
across evaluations. Content, kept in every revision snapshot.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0002"
down_revision: str | None = "fed_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("program_id", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_entry_program_id"), ["program_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.drop_index(batch.f("ix_entry_program_id"))
        batch.drop_column("program_id")
