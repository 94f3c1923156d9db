"""federation: references to the attachments of harvested entries

Revision ID: fed_0002
Revises: search_0001
Create Date: 2026-12-03 08:30:00

A harvested entry's documents stay at their origin; the receiving node keeps a
reference (name, type, size, sha256, the origin's attachment id) and fetches the
document on demand through the origin's per-peer URL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "fed_0002"
down_revision: str | None = "search_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "federated_attachment",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("origin_attachment_id", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_federated_attachment_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federated_attachment")),
        sa.UniqueConstraint(
            "entry_id",
            "origin_attachment_id",
            name=op.f("uq_federated_attachment_entry_id_origin_attachment_id"),
        ),
    )
    with op.batch_alter_table("federated_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federated_attachment_entry_id"), ["entry_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("federated_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federated_attachment_entry_id"))
    op.drop_table("federated_attachment")
