"""connect attempts keep their result (the Channels banner reads it, not the URL)

Revision ID: c0ec7a11b2d3
Revises: 8fd92c517cce
Create Date: 2026-12-01 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c0ec7a11b2d3'
down_revision: str | None = '8fd92c517cce'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_ok', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('result_message', sa.String(length=500), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('oauth_states', schema=None) as batch_op:
        batch_op.drop_column('result_message')
        batch_op.drop_column('result_ok')
