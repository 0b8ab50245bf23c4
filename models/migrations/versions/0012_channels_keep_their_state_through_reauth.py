"""channels remember their state (active or reserve) while they need re-consent

Revision ID: c4a22e5e0012
Revises: f1ee75ca0011
Create Date: 2026-12-02 00:20:00

A channel whose refresh token dies goes to needs_reauth; reconnecting it used to make it
active even when it had been a reserve channel. The state it had is kept beside it, and a
reconnect puts it back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a22e5e0012"
down_revision: str | None = "f1ee75ca0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite adds a column with a constant default without a rebuild.
    op.add_column(
        "channels",
        sa.Column("state_before_reauth", sa.String(length=20), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("state_before_reauth")
