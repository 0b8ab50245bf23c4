"""byte counts are 64-bit (a 32-bit column stops at 2 GiB; videos are larger)

Revision ID: b16b17e0a008
Revises: c0ec7a11b2d3
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b16b17e0a008'
down_revision: str | None = 'c0ec7a11b2d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every column of ours that holds a byte count or offset.
BYTE_COLUMNS = ('file_size', 'bytes_confirmed', 'bytes_sent')


def upgrade() -> None:
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        for name in BYTE_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Integer(), type_=sa.BigInteger(),
                                  existing_nullable=False)


def downgrade() -> None:
    # A job of 2 GiB or more does not fit a 32-bit column: refuse rather than lose it.
    too_big = op.get_bind().execute(sa.text(
        'SELECT COUNT(*) FROM upload_jobs WHERE file_size > 2147483647 '
        'OR bytes_confirmed > 2147483647 OR bytes_sent > 2147483647')).scalar()
    if too_big:
        raise RuntimeError(f'{too_big} upload job(s) have byte counts over 2 GiB, which the '
                           'older schema cannot hold; delete them before downgrading')
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        for name in BYTE_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.BigInteger(), type_=sa.Integer(),
                                  existing_nullable=False)
