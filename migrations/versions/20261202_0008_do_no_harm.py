"""do no harm: held submissions, safety findings, hidden organizations

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 16:00:00

Entries gain `organization_display` (named | network | partners) and a `held`
status (a submission with sensitive-data findings waiting for a curator);
`safety_finding` keeps the guard's findings (masked, never the identifier);
transitions record the retraction reason, so a `safety` retraction's comment can
be kept for curators.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "('draft', 'submitted', 'changes_requested', 'published', 'rejected', 'retracted')"
NEW_STATUSES = (
    "('draft', 'submitted', 'held', 'changes_requested', 'published', 'rejected', 'retracted')"
)


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(
            sa.Column(
                "organization_display", sa.String(length=16), server_default="named", nullable=False
            )
        )
        batch.create_check_constraint(
            "organization_display", "organization_display IN ('named', 'network', 'partners')"
        )
        batch.drop_constraint(op.f("ck_entry_status"), type_="check")
        batch.create_check_constraint("status", f"status IN {NEW_STATUSES}")
    with op.batch_alter_table("entry_transition") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=40), nullable=True))
    # Entries retracted for safety before this revision: their retraction comments
    # become curators-only too.
    op.execute(
        "UPDATE entry_transition SET reason = 'safety_risk' WHERE action = 'retract' "
        "AND entry_id IN (SELECT id FROM entry WHERE retraction_reason = 'safety_risk')"
    )
    op.create_table(
        "safety_finding",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("detector", sa.String(length=32), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("explained_by_account_id", sa.Integer(), nullable=True),
        sa.Column("explained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolved_by_account_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'explained', 'resolved')", name=op.f("ck_safety_finding_status")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_safety_finding_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["explained_by_account_id"],
            ["account.id"],
            name=op.f("fk_safety_finding_explained_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_account_id"],
            ["account.id"],
            name=op.f("fk_safety_finding_resolved_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_finding")),
    )
    with op.batch_alter_table("safety_finding") as batch:
        batch.create_index(batch.f("ix_safety_finding_entry_id"), ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("safety_finding") as batch:
        batch.drop_index(batch.f("ix_safety_finding_entry_id"))
    op.drop_table("safety_finding")
    with op.batch_alter_table("entry_transition") as batch:
        batch.drop_column("reason")
    # A held submission goes back to its owner's hands: a draft, or a pending revision.
    op.execute(
        "UPDATE entry SET status = 'draft', requested_visibility = NULL WHERE status = 'held'"
    )
    op.execute(
        "UPDATE entry SET review_status = NULL, requested_visibility = NULL "
        "WHERE review_status = 'held'"
    )
    with op.batch_alter_table("entry") as batch:
        batch.drop_constraint(op.f("ck_entry_status"), type_="check")
        batch.create_check_constraint("status", f"status IN {OLD_STATUSES}")
        batch.drop_constraint(op.f("ck_entry_organization_display"), type_="check")
        batch.drop_column("organization_display")
