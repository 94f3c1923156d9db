"""reindex journal

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 02:32:10.382160
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_reindex",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_reindex")),
    )
    op.create_table(
        "search_reindex_journal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reindex_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["reindex_id"],
            ["search_reindex.id"],
            name=op.f("fk_search_reindex_journal_reindex_id_search_reindex"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_reindex_journal")),
    )
    with op.batch_alter_table("search_reindex_journal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_reindex_journal_reindex_id"), ["reindex_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("search_reindex_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_reindex_journal_reindex_id"))

    op.drop_table("search_reindex_journal")
    op.drop_table("search_reindex")
