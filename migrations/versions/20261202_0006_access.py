"""access: internal notes; search documents lose the review tag

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:40:00

Entries gain `internal_notes` (owner and reviewers only). Search documents now carry
only the live version's readers, so entries published with a revision under review
are queued for reindexing (their documents still carry the old `review` tag).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("internal_notes", sa.Text(), server_default="", nullable=False))
    op.execute(
        "INSERT INTO search_outbox (entry_id, created_at, attempts) "
        "SELECT id, CURRENT_TIMESTAMP, 0 FROM entry "
        "WHERE status = 'published' AND review_status IN ('submitted', 'changes_requested')"
    )


def downgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("internal_notes")
