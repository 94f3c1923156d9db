"""access: a partial index over the grant rows of entry_reader

Revision ID: access_0001
Revises: alerts_0001
Create Date: 2026-12-03 16:40:00

Every search by a member reads the entries its organization holds an unexpired
grant to (`api.access.orm.search_filter_tags`): rows of `entry_reader` with the
organization's tag *and* an expiry. The tag index alone made that a walk over
all of the organization's own entries (thousands on a large node, ~4.5 ms per
search at 100k entries); grant rows are few, and this index holds only them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "access_0001"
down_revision: str | None = "alerts_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANT_ROWS = sa.text("expires_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_entry_reader_grant",
        "entry_reader",
        ["tag", "expires_at"],
        sqlite_where=GRANT_ROWS,
        postgresql_where=GRANT_ROWS,
    )


def downgrade() -> None:
    op.drop_index("ix_entry_reader_grant", table_name="entry_reader")
