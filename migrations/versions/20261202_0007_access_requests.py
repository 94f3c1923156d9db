"""access requests: listed entries, requests and time-limited grants

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:59:03.664044
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_request",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("requester_account_id", sa.Integer(), nullable=True),
        sa.Column("requester_organization_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'withdrawn')",
            name=op.f("ck_access_request_status"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_access_request_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requester_account_id"],
            ["account.id"],
            name=op.f("fk_access_request_requester_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_organization_id"],
            ["organization.id"],
            name=op.f("fk_access_request_requester_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_request_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_access_request_requester_organization_id"),
            ["requester_organization_id"],
            unique=False,
        )

    op.create_table(
        "access_grant",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("granted_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_access_grant_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_access_grant_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["access_request.id"],
            name=op.f("fk_access_grant_request_id_access_request"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_grant")),
    )
    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_grant_entry_id"), ["entry_id"], unique=False)

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("listed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("entry_reader", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entry_reader", schema=None) as batch_op:
        batch_op.drop_column("expires_at")

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_column("listed")

    with op.batch_alter_table("access_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_grant_entry_id"))

    op.drop_table("access_grant")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_requester_organization_id"))
        batch_op.drop_index(batch_op.f("ix_access_request_entry_id"))

    op.drop_table("access_request")
