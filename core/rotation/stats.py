"""Each channel's rotation inputs, kept as uploads start and end: its recent outcomes and
its latest start, so that choosing a channel reads a few columns of the channels rather
than every job.

`job_moved` runs with every line of a job's history (core.uploads.lifecycle), in the same
transaction: a job that starts uploading on a channel moves the channel's latest start; a
job that ends published or failed puts its outcome first in the channel's recent outcomes
(the last RECENT of them, newest first). `rebuild_all` recomputes both from the jobs, for a
bulk load or a repair; the migration that added the columns backfilled them the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, or_, update
from sqlmodel import Session, col, select

from core import clock
from models import Channel, UploadJob, UploadState

RECENT = 20  # outcomes kept per channel (the success component's window)
OUTCOME_LETTER = {UploadState.PUBLISHED: "p", UploadState.FAILED: "f"}


def counts(outcomes: str) -> tuple[int, int]:
    """(published, failed) among a channel's recent outcomes."""
    return outcomes.count("p"), outcomes.count("f")


def job_moved(session: Session, job_id: int, from_state: str, to_state: str) -> None:
    """Update the counters of the job's channel for one state change of the job."""
    if to_state not in UploadState._value2member_map_:
        return
    state = UploadState(to_state)
    if state == from_state or (state not in OUTCOME_LETTER and state != UploadState.UPLOADING):
        return
    row = session.exec(
        select(UploadJob.channel_id, UploadJob.started_at).where(UploadJob.id == job_id)
    ).first()
    if row is None or row[0] is None:
        return
    channel_id, started_at = row
    if state == UploadState.UPLOADING:
        started(session, channel_id, clock.as_utc(started_at) if started_at else clock.now())
    else:
        ended(session, channel_id, published=state == UploadState.PUBLISHED)


def started(session: Session, channel_id: int, at: datetime) -> None:
    """An upload started on the channel at `at` (kept only if it is the latest)."""
    session.execute(
        update(Channel)
        .where(
            col(Channel.id) == channel_id,
            or_(col(Channel.last_started_at).is_(None), col(Channel.last_started_at) < at),
        )
        .values(last_started_at=at)
        .execution_options(synchronize_session=False)
    )


def ended(session: Session, channel_id: int, *, published: bool) -> None:
    """An upload on the channel ended published (or failed): its outcome goes first."""
    letter = "p" if published else "f"
    session.execute(
        update(Channel)
        .where(col(Channel.id) == channel_id)
        .values(
            recent_outcomes=func.substr(literal(letter) + col(Channel.recent_outcomes), 1, RECENT)
        )
        .execution_options(synchronize_session=False)
    )


def rebuild_all(*, session: Session) -> int:
    """Recompute every channel's counters from its jobs; returns the channels updated.

    Reads one channel's jobs at a time (the channel index), so memory stays small.
    """
    ids = [i for i in session.exec(select(Channel.id)).all() if i is not None]
    for channel_id in ids:
        jobs = session.exec(
            select(UploadJob.state, UploadJob.finished_at, UploadJob.started_at).where(
                UploadJob.channel_id == channel_id
            )
        ).all()
        ended_jobs = sorted(
            (
                (clock.as_utc(at), UploadState(state))
                for state, at, _ in jobs
                if at is not None and UploadState(state) in OUTCOME_LETTER
            ),
            key=lambda pair: pair[0],
            reverse=True,
        )
        starts = [clock.as_utc(at) for _, _, at in jobs if at is not None]
        session.execute(
            update(Channel)
            .where(col(Channel.id) == channel_id)
            .values(
                recent_outcomes="".join(OUTCOME_LETTER[s] for _, s in ended_jobs[:RECENT]),
                last_started_at=max(starts) if starts else None,
            )
            .execution_options(synchronize_session=False)
        )
    return len(ids)
