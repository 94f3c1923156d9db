"""federation: peers, per-peer change feed, provenance, OAI-PMH records

Revision ID: fed_0001
Revises: evidence_0001
Create Date: 2026-12-02 16:53:08.694181
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "fed_0001"
down_revision: str | None = "evidence_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oai_record",
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sets", sa.JSON(), nullable=False),
        sa.Column("datestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_oai_record")),
    )
    with op.batch_alter_table("oai_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oai_record_datestamp"), ["datestamp"], unique=False)
    op.create_table(
        "peer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("remote_client_id", sa.String(length=200), nullable=True),
        sa.Column("remote_client_secret", sa.String(length=500), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_pulled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("floor_xid", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("floor_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("harvest_cursor", sa.Text(), nullable=True),
        sa.Column("last_harvest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("harvest_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_harvest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_peer_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_peer")),
        sa.UniqueConstraint("base_url", name=op.f("uq_peer_base_url")),
        sa.UniqueConstraint("client_id", name=op.f("uq_peer_client_id")),
        sa.UniqueConstraint("name", name=op.f("uq_peer_name")),
    )
    op.create_table(
        "federated_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("origin_node", sa.String(length=500), nullable=False),
        sa.Column("origin_id", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("origin_organization", sa.String(length=200), nullable=True),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_federated_entry_entry_id_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer.id"],
            name=op.f("fk_federated_entry_peer_id_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federated_entry")),
        sa.UniqueConstraint(
            "origin_node", "origin_id", name=op.f("uq_federated_entry_origin_node_origin_id")
        ),
    )
    with op.batch_alter_table("federated_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federated_entry_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_federated_entry_peer_id"), ["peer_id"], unique=False)

    op.create_table(
        "federation_delivery",
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer.id"],
            name=op.f("fk_federation_delivery_peer_id_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("peer_id", "entry_id", name=op.f("pk_federation_delivery")),
    )
    op.create_table(
        "federation_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("xid", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('upsert', 'tombstone')", name=op.f("ck_federation_event_action")
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer.id"],
            name=op.f("fk_federation_event_peer_id_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("federation_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federation_event_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            "ix_federation_event_peer_position", ["peer_id", "xid", "id"], unique=False
        )

    op.create_table(
        "peer_organization",
        sa.Column("peer_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_peer_organization_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["peer_id"],
            ["peer.id"],
            name=op.f("fk_peer_organization_peer_id_peer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("peer_id", "organization_id", name=op.f("pk_peer_organization")),
    )
    with op.batch_alter_table("peer_organization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_peer_organization_organization_id"), ["organization_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("oai_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oai_record_datestamp"))
    op.drop_table("oai_record")
    with op.batch_alter_table("peer_organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_peer_organization_organization_id"))

    op.drop_table("peer_organization")
    with op.batch_alter_table("federation_event", schema=None) as batch_op:
        batch_op.drop_index("ix_federation_event_peer_position")
        batch_op.drop_index(batch_op.f("ix_federation_event_created_at"))

    op.drop_table("federation_event")
    op.drop_table("federation_delivery")
    with op.batch_alter_table("federated_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federated_entry_peer_id"))
        batch_op.drop_index(batch_op.f("ix_federated_entry_entry_id"))

    op.drop_table("federated_entry")
    op.drop_table("peer")
