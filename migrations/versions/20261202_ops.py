"""ops: shared throttling, configuration versions, parked outbox rows

Revision ID: ops_0001
Revises: 0008
Create Date: 2026-12-02 17:10:00

`client_auth_failure` holds failed client authentications (throttling shared by
every process); `config_version` a counter per kind of configuration that every
process watches; `search_outbox.parked_at` marks rows parked after repeated
failures (the dead letter).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ops_0001"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "client_auth_failure",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_auth_failure")),
    )
    op.create_index(
        op.f("ix_client_auth_failure_key"), "client_auth_failure", ["key"], unique=False
    )
    op.create_index(
        op.f("ix_client_auth_failure_failed_at"), "client_auth_failure", ["failed_at"], unique=False
    )
    op.create_table(
        "config_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_config_version")),
    )
    with op.batch_alter_table("search_outbox") as batch:
        batch.add_column(sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_search_outbox_parked_at"), ["parked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_outbox") as batch:
        batch.drop_index(batch.f("ix_search_outbox_parked_at"))
        batch.drop_column("parked_at")
    op.drop_table("config_version")
    op.drop_index(op.f("ix_client_auth_failure_failed_at"), table_name="client_auth_failure")
    op.drop_index(op.f("ix_client_auth_failure_key"), table_name="client_auth_failure")
    op.drop_table("client_auth_failure")
