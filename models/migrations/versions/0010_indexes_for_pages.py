"""indexes for the pages' paged lists: the queue by state or channel, newest scheduled first

Revision ID: a9e5ca1e0010
Revises: a11a70ce0011
Create Date: 2026-12-01 11:00:00

The Uploads page lists one page of jobs in scheduled order, often filtered by state or by
channel; with only the single-column indexes, a filter on "published" made the database
sort every published job (900,000 of a million) for each poll.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a9e5ca1e0010"
down_revision: str | None = "a11a70ce0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_upload_jobs_state_scheduled_for", ["state", "scheduled_for"], unique=False
        )
        batch_op.create_index(
            "ix_upload_jobs_channel_scheduled_for", ["channel_id", "scheduled_for"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_jobs_channel_scheduled_for")
        batch_op.drop_index("ix_upload_jobs_state_scheduled_for")
