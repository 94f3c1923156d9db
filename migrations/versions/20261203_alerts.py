"""alerts: saved searches, their feed keys and the alerts recorded for them

Revision ID: alerts_0001
Revises: policy_0001
Create Date: 2026-12-03 08:00:00

`saved_search`: a member's search (normalised `/v1/search` query string), the
organization it was saved as, the SHA-256 of its feed key, the alert checker's
watermark. `saved_search_alert`: one row per (saved search, entry) that matched
when checked; readability is decided again on every read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "alerts_0001"
down_revision: str | None = "policy_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("feed_key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("alerts_read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_saved_search_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_saved_search_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
    )
    with op.batch_alter_table("saved_search") as batch:
        batch.create_index(batch.f("ix_saved_search_account_id"), ["account_id"], unique=False)

    op.create_table(
        "saved_search_alert",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("saved_search_id", BIG_ID, nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_search.id"],
            name=op.f("fk_saved_search_alert_saved_search_id_saved_search"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_saved_search_alert_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search_alert")),
        sa.UniqueConstraint(
            "saved_search_id",
            "entry_id",
            name=op.f("uq_saved_search_alert_saved_search_id_entry_id"),
        ),
    )
    with op.batch_alter_table("saved_search_alert") as batch:
        batch.create_index("ix_saved_search_alert_entry_id", ["entry_id"], unique=False)


def downgrade() -> None:
    op.drop_table("saved_search_alert")
    op.drop_table("saved_search")
