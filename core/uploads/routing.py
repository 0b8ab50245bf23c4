"""Where a job uploads now: its fixed channel (if that channel can take it), or the
healthiest channel rotation picks; otherwise what it waits for, and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core import clock, db, rotation
from core.uploads.fencing import RECHECK, Run, fail, wait
from models import Channel, ChannelState, Project, TargetKind, UploadJob, UploadState


def route(run: Run, job: UploadJob) -> tuple[Channel, Project]:
    """The channel this job uploads to now (fixed, or rotation's healthiest pick).

    A job with a started session or an inserted video belongs to its channel.
    """
    bound = job.target_kind == TargetKind.CHANNEL or job.session_uri_enc or job.video_id
    with db.read_session() as s:
        if bound:
            channel = s.get(Channel, job.channel_id or job.target_channel_id)
            if channel is None:
                fail(run, job, "the target channel no longer exists", channel_fault=False)
            assert channel is not None
            if not job.session_uri_enc and not job.video_id:
                problem = _unusable(s, channel)
                if problem is not None:
                    wait(run, *problem)
        else:
            choice = rotation.choose(
                s,
                group=job.target_group if job.target_kind == TargetKind.GROUP else "",
                exclude_projects=run.refused_projects,
                exclude_channels=run.refused_channels,
            )
            if choice.channel is None:
                wait(
                    run,
                    *_waiting(
                        choice.waits_for, choice.until, f"no channel can take it now ({choice.why})"
                    ),
                )
            assert choice.channel is not None
            channel = choice.channel
        project = s.get(Project, channel.project_id)
        assert project is not None
        return channel, project


def _unusable(session: Any, channel: Channel) -> tuple[UploadState, datetime, str] | None:
    """Why a fixed channel cannot take an upload right now, and until when."""
    if channel.state == ChannelState.NEEDS_REAUTH:
        return (
            UploadState.WAITING_REAUTH,
            clock.now() + RECHECK,
            f"{channel.title} needs re-consent: reconnect it on the Channels page",
        )
    mine = rotation.assess(session, channel)
    if mine.eligible:
        return None
    return _waiting(mine.waits_for, mine.available_at, f"{channel.title}: {mine.why_not}")


def _waiting(
    waits_for: rotation.Wait | None, until: datetime | None, why: str
) -> tuple[UploadState, datetime, str]:
    """The waiting state, its end and its history line for what rotation says blocks a job."""
    if waits_for == rotation.Wait.QUOTA and until is not None:
        return (
            UploadState.WAITING_QUOTA,
            until,
            f"{why}; waiting for the quota reset at {until.isoformat(timespec='minutes')}",
        )
    until = until or clock.now() + RECHECK
    return (
        UploadState.WAITING_CHANNEL,
        until,
        f"{why}; next try {until.isoformat(timespec='minutes')}",
    )
