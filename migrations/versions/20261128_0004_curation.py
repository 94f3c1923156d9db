"""curation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 01:40:15.928214
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_event")),
    )
    with op.batch_alter_table("notification_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_event_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('public', 'network')", name=op.f("ck_collection_visibility")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["account.id"],
            name=op.f("fk_collection_created_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.UniqueConstraint("slug", name=op.f("uq_collection_slug")),
    )
    op.create_table(
        "collection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_item_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_collection_item_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_item")),
        sa.UniqueConstraint(
            "collection_id", "entry_id", name=op.f("uq_collection_item_collection_id_entry_id")
        ),
    )
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_collection_item_collection_id"), ["collection_id"], unique=False
        )

    op.create_table(
        "entry_transition",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=False),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor_organization_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_entry_transition_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_transition")),
    )
    with op.batch_alter_table("entry_transition", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entry_transition_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "review_comment",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("author_account_id", sa.Integer(), nullable=True),
        sa.Column("author_organization_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["account.id"],
            name=op.f("fk_review_comment_author_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_review_comment_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comment")),
    )
    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_comment_entry_id"), ["entry_id"], unique=False)

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_status", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("requested_visibility", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("retraction_reason", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("tags", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("featured", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(batch_op.f("ix_entry_featured"), ["featured"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_featured"))
        batch_op.drop_column("featured")
        batch_op.drop_column("tags")
        batch_op.drop_column("retraction_reason")
        batch_op.drop_column("retracted_at")
        batch_op.drop_column("submitted_at")
        batch_op.drop_column("requested_visibility")
        batch_op.drop_column("review_status")

    with op.batch_alter_table("review_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_comment_entry_id"))

    op.drop_table("review_comment")
    with op.batch_alter_table("entry_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_transition_entry_id"))

    op.drop_table("entry_transition")
    with op.batch_alter_table("collection_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_item_collection_id"))

    op.drop_table("collection_item")
    op.drop_table("collection")
    with op.batch_alter_table("notification_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_event_organization_id"))

    op.drop_table("notification_event")
