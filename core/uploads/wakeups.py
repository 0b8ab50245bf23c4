"""Jobs that wait on a channel or on quota are looked at again as soon as that changes (a
reconnect, a raised limit), not when their wait would have run out by itself.

Each wake-up is one UPDATE that makes the waiting jobs due now; the runner's next tick
(seconds away) routes them again, and routing decides, as always, whether they go or wait
on (a raised limit that is still too low sends them back to waiting)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import update
from sqlmodel import Session, col, or_

from core import clock
from models import UploadJob, UploadState


def _due_now(session: Session, *conditions: Any) -> int:
    now = clock.now()
    result = session.execute(
        update(UploadJob)
        .where(col(UploadJob.not_before) > now, *conditions)
        .values(not_before=now)
        .execution_options(synchronize_session=False)
    )
    return int(cast(Any, result).rowcount or 0)


def channel_back(*, session: Session, channel_id: int) -> int:
    """A channel was reconnected: the jobs waiting for its re-consent or for it, and the
    jobs rotation could not place anywhere, are due now. Returns how many."""
    return _due_now(
        session,
        or_(
            col(UploadJob.state).in_([UploadState.WAITING_REAUTH, UploadState.WAITING_CHANNEL])
            & (
                (col(UploadJob.channel_id) == channel_id)
                | (col(UploadJob.target_channel_id) == channel_id)
            ),
            (col(UploadJob.state) == UploadState.WAITING_CHANNEL)
            & col(UploadJob.target_channel_id).is_(None),
        ),
    )


def quota_raised(*, session: Session, project_id: int) -> int:
    """A project's limits went up: the jobs waiting for its quota reset, and those rotation
    parked for quota, are due now. Returns how many."""
    return _due_now(
        session,
        col(UploadJob.state) == UploadState.WAITING_QUOTA,
        (col(UploadJob.project_id) == project_id) | col(UploadJob.target_channel_id).is_(None),
    )
