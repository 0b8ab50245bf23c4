"""indexes and counters for the periodic ticks at fleet scale, and leased periodic runs

Revision ID: f1ee75ca0011
Revises: a9e5ca1e0010
Create Date: 2026-12-02 00:20:00

With a million jobs, the runner's claim and "next up" walked ix_upload_jobs_not_before
from the oldest job past ~970,000 finished ones; a partial index holds only the unfinished
jobs (a few thousand). Media pruning reads finished jobs by state and finish time. The
files of expired jobs, and whether any job still uses a stored file, are found through
indexes on the paths (the latter also counts a person's media quota). The
single-column indexes on state and not_before become redundant (the first is the prefix of
ix_upload_jobs_state_scheduled_for) and are dropped: after ANALYZE, SQLite preferred the
not_before one for the claim's ORDER BY and walked the finished jobs again.

Rotation read every finished job for each choice; each channel now keeps its recent
outcomes and its latest start (backfilled here from the jobs). `periodic_runs` lets one
process run a fleet-wide periodic job per interval.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'f1ee75ca0011'
down_revision: str | None = 'a9e5ca1e0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED_SQL = ("state IN ('queued', 'scheduled', 'uploading', 'processing', "
                  "'waiting_quota', 'waiting_channel', 'waiting_reauth')")
RECENT = 20


def upgrade() -> None:
    op.create_table('periodic_runs',
    sa.Column('lease_owner', sa.String(length=120), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_runs'))
    )
    op.create_index(op.f('ix_periodic_runs_lease_expires_at'), 'periodic_runs',
                    ['lease_expires_at'], unique=False)
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recent_outcomes', sa.String(length=20), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('last_started_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_index('ix_upload_jobs_unfinished_not_before', 'upload_jobs',
                    ['not_before', 'state'], unique=False,
                    sqlite_where=sa.text(UNFINISHED_SQL), postgresql_where=sa.text(UNFINISHED_SQL))
    op.create_index('ix_upload_jobs_state_finished_at', 'upload_jobs', ['state', 'finished_at'],
                    unique=False)
    op.create_index('ix_upload_jobs_file_path', 'upload_jobs', ['file_path'], unique=False)
    op.create_index('ix_upload_jobs_thumbnail_path', 'upload_jobs', ['thumbnail_path'],
                    unique=False, sqlite_where=sa.text('thumbnail_path IS NOT NULL'),
                    postgresql_where=sa.text('thumbnail_path IS NOT NULL'))
    op.drop_index('ix_upload_jobs_not_before', table_name='upload_jobs')
    op.drop_index('ix_upload_jobs_state', table_name='upload_jobs')
    _backfill_channel_counters()


def _backfill_channel_counters() -> None:
    """The same figures as core.rotation.stats.rebuild_all, from the jobs as they are."""
    conn = op.get_bind()
    conn.execute(sa.text(
        'UPDATE channels SET last_started_at = (SELECT MAX(j.started_at) FROM upload_jobs j '
        'WHERE j.channel_id = channels.id)'))
    channel_ids = [row[0] for row in conn.execute(sa.text('SELECT id FROM channels'))]
    recent = sa.text(
        "SELECT state FROM upload_jobs WHERE channel_id = :c AND state IN ('published', "
        "'failed') AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT :n")
    for channel_id in channel_ids:
        states = [row[0] for row in conn.execute(recent, {'c': channel_id, 'n': RECENT})]
        outcomes = ''.join('p' if state == 'published' else 'f' for state in states)
        if outcomes:
            conn.execute(sa.text('UPDATE channels SET recent_outcomes = :o WHERE id = :c'),
                         {'o': outcomes, 'c': channel_id})


def downgrade() -> None:
    op.create_index('ix_upload_jobs_state', 'upload_jobs', ['state'], unique=False)
    op.create_index('ix_upload_jobs_not_before', 'upload_jobs', ['not_before'], unique=False)
    op.drop_index('ix_upload_jobs_thumbnail_path', table_name='upload_jobs')
    op.drop_index('ix_upload_jobs_file_path', table_name='upload_jobs')
    op.drop_index('ix_upload_jobs_state_finished_at', table_name='upload_jobs')
    op.drop_index('ix_upload_jobs_unfinished_not_before', table_name='upload_jobs')
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('last_started_at')
        batch_op.drop_column('recent_outcomes')
    op.drop_index(op.f('ix_periodic_runs_lease_expires_at'), table_name='periodic_runs')
    op.drop_table('periodic_runs')
