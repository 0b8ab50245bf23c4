"""A job's state changes and their history, and what people do to a job: cancel it, run it
again, or give it a new time (each only by someone who may, see actors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session

from core import audit, clock, db, when
from core.auth import CurrentUser, SystemActor
from core.errors import InputError, NotFound
from core.rotation import stats
from core.uploads.actors import Actor, acting, authorize, may_change, name_of
from core.uploads.rules import first_state, publish_time_passed, publish_time_problem
from models import PublishMode, UploadEvent, UploadJob, UploadState


def record_event(
    session: Session,
    job_id: int,
    from_state: str,
    to_state: str,
    message: str,
    actor: str = "system",
) -> None:
    """Add a line to a job's history (and move its channel's rotation counters along)."""
    session.add(
        UploadEvent(
            job_id=job_id,
            at=clock.now(),
            from_state=str(from_state),
            to_state=str(to_state),
            message=message[:1000],
            actor=actor,
        )
    )
    stats.job_moved(session, job_id, str(from_state), str(to_state))


def transition(
    session: Session,
    job: UploadJob,
    state: UploadState,
    message: str,
    *,
    actor: str = "system",
    **values: Any,
) -> None:
    """Change a job's state, recording the history line."""
    before = UploadState(job.state)
    job.state = state
    job.state_reason = message[:500]
    job.updated_at = clock.now()
    for key, value in values.items():
        setattr(job, key, value)
    session.add(job)
    if before != state or message:
        record_event(session, job.id or 0, before.value, state.value, message, actor)


def _get(session: Session, job_id: int) -> UploadJob:
    job = session.get(UploadJob, job_id)
    if job is None:
        raise NotFound(f"upload job {job_id} does not exist")
    return job


def allowed_actions(job: UploadJob, *, actor: Actor | None = None) -> set[str]:
    """What may be done with a job now: "cancel", "retry", "reschedule", "edit" (by
    `actor`, when given: nothing at all for someone else's job unless they are an
    operator)."""
    if actor is not None and not may_change(job, actor):
        return set()
    state = UploadState(job.state)
    allowed = set()
    if not state.finished and not job.video_id:
        allowed.add("cancel")
    if state in (UploadState.FAILED, UploadState.CANCELLED) or state.waiting:
        allowed.add("retry")
    if (
        (
            (state in (UploadState.QUEUED, UploadState.SCHEDULED) or state.waiting)
            and not job.video_id
        )
        or _restarts(job)
        or (state == UploadState.CANCELLED and not job.video_id)
    ):
        # A failed or cancelled job may also be given a new time (a publish time that
        # passed leaves no other way to run it again).
        allowed.add("reschedule")
    if (
        (state in (UploadState.QUEUED, UploadState.SCHEDULED, UploadState.FAILED) or state.waiting)
        and not job.video_id
    ) or _restarts(job):
        allowed.add("edit")  # its details are still ours: YouTube has no video of it yet
    return allowed


def _allowed(job: UploadJob, action: str, why: str) -> None:
    if action not in allowed_actions(job):
        raise InputError("job", f"job {job.id} is {UploadState(job.state).value}{why}")


def _restarts(job: UploadJob) -> bool:
    """A failed job whose video YouTube rejected is uploaded again from the start."""
    return job.video_id is not None and UploadState(job.state) == UploadState.FAILED


def _revival(job: UploadJob) -> dict[str, Any]:
    """The fields a failed or cancelled job starts again with."""
    if not _restarts(job) and not job.video_id and not Path(job.file_path).is_file():
        raise InputError(
            "job", f"the video file of job {job.id} is no longer stored; schedule the video again"
        )
    values: dict[str, Any] = {
        "attempts": 0,
        "last_error": "",
        "finished_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    if _restarts(job):
        values.update(
            video_id=None,
            session_uri_enc=None,
            bytes_confirmed=0,
            bytes_sent=0,
            thumbnail_done=False,
            playlist_done=False,
        )
    return values


def _tz(actor: CurrentUser | SystemActor) -> str:
    return actor.timezone if isinstance(actor, CurrentUser) and actor.timezone else "UTC"


def cancel(*, job_id: int, actor: Actor) -> UploadJob:
    """Stop a job. An upload in progress stops before its next chunk; if its last bytes are
    already on the way, the video it creates is recorded (and an alert says so)."""
    who = acting(actor)
    name = name_of(who)
    with db.session() as s:
        job = _get(s, job_id)
        authorize(job, who, "cancel")
        if job.video_id:
            raise InputError(
                "job",
                f"job {job_id} is already on YouTube as {job.video_id}; "
                "delete the video there instead",
            )
        _allowed(job, "cancel", "")
        transition(
            s,
            job,
            UploadState.CANCELLED,
            f"cancelled by {name}",
            actor=name,
            finished_at=clock.now(),
            lease_owner=None,
            lease_expires_at=None,
        )
        audit.record(session=s, actor=name, action="upload.cancel", target=f"job {job_id}")
        return job


def retry(*, job_id: int, actor: Actor) -> UploadJob:
    """Run a failed, cancelled or waiting job again, on its own schedule: a job whose time
    is still ahead stays scheduled for it; one whose time passed runs now.

    A publish-at job whose publish time passed is refused rather than published at once
    (YouTube would make it public the moment it is processed, when nobody expects it):
    reschedule it with a new publish time instead."""
    who = acting(actor)
    name = name_of(who)
    now = clock.now()
    with db.session() as s:
        job = _get(s, job_id)
        authorize(job, who, "retry")
        _allowed(job, "retry", "; only failed, cancelled or waiting jobs can be retried")
        finished = UploadState(job.state).finished
        revived = _revival(job) if finished else {}
        uploaded = job.video_id is not None and not _restarts(job)  # on YouTube already
        if job.publish_mode == PublishMode.PUBLISH_AT and not uploaded:
            publish_at = clock.as_utc(job.publish_at or job.scheduled_for)
            if publish_time_passed(publish_at, now):
                raise InputError(
                    "job",
                    f"YouTube was to publish job {job_id} at "
                    f"{when.describe(publish_at, _tz(who))}, which has passed; "
                    "retrying now would make it public at once. Reschedule it with a "
                    "new publish time (it stays private until then)",
                )
            state, starts = UploadState.QUEUED, now  # uploads now as private
        else:
            due = clock.as_utc(job.scheduled_for)
            state = first_state(due, now)
            starts = due if state == UploadState.SCHEDULED else now
        message = f"retry requested by {name}" + (
            f"; starts {when.describe(starts, _tz(who))}" if state == UploadState.SCHEDULED else ""
        )
        transition(
            s,
            job,
            state,
            message,
            actor=name,
            not_before=starts,
            **({"attempts": 0, "last_error": "", "finished_at": None} | revived),
        )
        audit.record(
            session=s,
            actor=name,
            action="upload.retry",
            target=f"job {job_id}",
            detail=f"not before {starts.isoformat(timespec='minutes')}",
        )
        return job


def reschedule(*, job_id: int, when_text: str, tz: str, actor: Actor) -> UploadJob:
    """A new time: when to upload, or (publish-at jobs) when YouTube publishes. A failed or
    cancelled job given a new time runs again then."""
    who = acting(actor)
    name = name_of(who)
    at = when.parse_when(when_text, tz=tz)
    now = clock.now()
    with db.session() as s:
        job = _get(s, job_id)
        authorize(job, who, "reschedule")
        _allowed(
            job,
            "reschedule",
            "; only jobs that have not started uploading (or failed "
            "or cancelled ones) can be rescheduled",
        )
        revived = _revival(job) if UploadState(job.state).finished else {}
        if job.publish_mode == PublishMode.PUBLISH_AT:
            # The same rule as the form: YouTube needs a future time to publish at.
            problem = publish_time_problem(job.publish_mode, at)
            if problem:
                raise InputError("when", problem)
            due, starts = at.at_utc, now
        else:
            due = now if at.is_now else at.at_utc
            starts = due
        state = first_state(starts, now)
        extra: dict[str, Any] = {"scheduled_for": due, "not_before": starts, **revived}
        if job.publish_mode == PublishMode.PUBLISH_AT:
            extra["publish_at"] = due
        transition(s, job, state, f"rescheduled by {name} to {at.display}", actor=name, **extra)
        audit.record(
            session=s,
            actor=name,
            action="upload.reschedule",
            target=f"job {job_id}",
            detail=at.display,
        )
        return job
