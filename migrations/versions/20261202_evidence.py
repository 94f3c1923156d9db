"""evidence for practitioners: findings, lessons, recommendations, follow-ups, ratings, profiles

Revision ID: evidence_0001
Revises: ops_0001
Create Date: 2026-12-02 17:00:00

Entries gain `findings`, `lessons` and `recommendations` (lists of short texts with
the program types and outcomes each concerns) and `profile` (a program profile's
design fields); all four are content, kept in every revision snapshot.
`recommendation_follow_up` is the management response per recommendation;
`evidence_rating` keeps every curator rating per outcome, ended ones included
(history), and `rating_dispute` the owner's objections.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0001"
down_revision: str | None = "ops_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("findings", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("lessons", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("recommendations", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("profile", sa.JSON(), nullable=True))
    op.create_table(
        "recommendation_follow_up",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("recommendation_id", sa.String(length=16), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("responsible_unit", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_by_account_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'not_accepted')",
            name=op.f("ck_recommendation_follow_up_status"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_recommendation_follow_up_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_account_id"],
            ["account.id"],
            name=op.f("fk_recommendation_follow_up_updated_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_follow_up")),
        sa.UniqueConstraint(
            "entry_id",
            "recommendation_id",
            name=op.f("uq_recommendation_follow_up_entry_id_recommendation_id"),
        ),
    )
    op.create_table(
        "evidence_rating",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("effect", sa.String(length=16), nullable=False),
        sa.Column("evaluation_design", sa.String(length=64), nullable=False),
        sa.Column("evidence_level", sa.String(length=64), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("rated_by_account_id", sa.Integer(), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=16), nullable=True),
        sa.Column("end_comment", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "effect IN ('improved', 'no_effect', 'worsened', 'mixed')",
            name=op.f("ck_evidence_rating_effect"),
        ),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('changed', 'withdrawn')",
            name=op.f("ck_evidence_rating_end_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_evidence_rating_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rated_by_account_id"],
            ["account.id"],
            name=op.f("fk_evidence_rating_rated_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_rating")),
    )
    with op.batch_alter_table("evidence_rating") as batch:
        batch.create_index(
            "ix_evidence_rating_entry_outcome", ["entry_id", "outcome"], unique=False
        )
    op.create_table(
        "rating_dispute",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("rating_id", BIGINT, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["evidence_rating.id"],
            name=op.f("fk_rating_dispute_rating_id_evidence_rating"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["account.id"],
            name=op.f("fk_rating_dispute_created_by_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_dispute")),
    )
    with op.batch_alter_table("rating_dispute") as batch:
        batch.create_index(batch.f("ix_rating_dispute_rating_id"), ["rating_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rating_dispute") as batch:
        batch.drop_index(batch.f("ix_rating_dispute_rating_id"))
    op.drop_table("rating_dispute")
    with op.batch_alter_table("evidence_rating") as batch:
        batch.drop_index("ix_evidence_rating_entry_outcome")
    op.drop_table("evidence_rating")
    op.drop_table("recommendation_follow_up")
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("profile")
        batch.drop_column("recommendations")
        batch.drop_column("lessons")
        batch.drop_column("findings")
