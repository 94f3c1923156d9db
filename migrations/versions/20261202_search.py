"""search: aliases of vocabulary terms (search synonyms)

Revision ID: search_0001
Revises: evidence_0002
Create Date: 2026-12-02 17:00:00

`vocabulary_term.aliases` holds other names of a term (a JSON list of strings):
seeded from `api/vocabularies/data/aliases.yaml`, extended by curators. Search
uses them as synonyms and to find entries tagged with a term by any of its names.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "search_0001"
down_revision: str | None = "evidence_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vocabulary_term") as batch:
        batch.add_column(sa.Column("aliases", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("vocabulary_term") as batch:
        batch.drop_column("aliases")
