"""What a person asks for (the form, the CLI): check every field at once, say what would
be created, and create the job(s) in one transaction or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from core import audit, clock, db, when
from core.auth import CurrentUser
from core.errors import InputError, InputErrors
from core.uploads.actors import Actor, acting, name_of
from core.uploads.lifecycle import record_event
from core.uploads.media import StoredFile
from core.uploads.rules import first_state, publish_time_problem
from models import Channel, ChannelState, PublishMode, TargetKind, UploadJob, UploadState
from youtube import limits

CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "3gp": "video/3gpp",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
    "flv": "video/x-flv",
    "mpeg-ps": "video/mpeg",
    "mpeg-ts": "video/mp2t",
    "m2ts": "video/mp2t",
    "wmv": "video/x-ms-wmv",
    "ogg": "video/ogg",
}


@dataclass
class UploadRequest:
    """What a marketer asks for (form or CLI)."""

    video: StoredFile
    file_name: str
    title: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    category_id: str = "22"
    privacy: str = "private"
    made_for_kids: bool = False
    thumbnail: StoredFile | None = None
    playlist_title: str = ""
    target: TargetKind = TargetKind.AUTO
    channel_id: int | None = None
    group: str = ""
    fan_out: bool = False  # one job per enabled channel of the group
    when_text: str = "now"
    tz: str = "UTC"
    mode: PublishMode = PublishMode.UPLOAD_AT
    categories: set[str] | None = None


@dataclass(frozen=True)
class PlannedJob:
    channel_id: int | None
    channel_title: str
    title: str
    description: str


@dataclass(frozen=True)
class Plan:
    """A validated request: when, and one entry per job that will be created."""

    when: when.When
    jobs: list[PlannedJob]


def render_template(template: str, channel: str, group: str, at: when.When) -> str:
    """{channel}, {group} and {date} (the scheduled day, in the scheduler's zone) filled in."""
    return (
        template.replace("{channel}", channel)
        .replace("{group}", group)
        .replace("{date}", at.local.strftime("%Y-%m-%d"))
    )


def plan(request: UploadRequest, *, session: Session) -> Plan:
    """Check everything and say what would be created; raises InputErrors (all fields)."""
    errors: dict[str, str] = {}
    at: when.When | None = None
    try:
        at = when.parse_when(request.when_text, tz=request.tz)
    except InputError as exc:
        errors["when"] = exc.message
    if at is not None and (problem := publish_time_problem(request.mode, at)):
        errors["when"] = problem
    targets: list[Channel | None] = []
    if request.target == TargetKind.CHANNEL:
        channel = session.get(Channel, request.channel_id) if request.channel_id else None
        if channel is None:
            errors["target"] = "choose a channel"
        elif channel.state == ChannelState.DISABLED:
            errors["target"] = f"{channel.title} is disabled"
        else:
            targets = [channel]
    elif request.target == TargetKind.GROUP:
        members = session.exec(
            select(Channel).where(
                Channel.group_name == request.group,
                col(Channel.state).in_([ChannelState.ACTIVE, ChannelState.RESERVE]),
            )
        ).all()
        if not request.group:
            errors["target"] = "choose a group"
        elif not members:
            errors["target"] = f"group {request.group!r} has no enabled channel"
        else:
            targets = list(members) if request.fan_out else [None]
    else:
        targets = [None]
    publish_at = at.at_utc if (at is not None and request.mode == PublishMode.PUBLISH_AT) else None
    privacy = "private" if publish_at else request.privacy
    jobs = []
    for target in targets or [None]:
        name = target.title if target else ""
        title = render_template(request.title, name, request.group, at) if at else request.title
        description = (
            render_template(request.description, name, request.group, at)
            if at
            else request.description
        )
        problems = limits.validate_metadata(
            title=title,
            description=description,
            tags=request.tags,
            privacy=privacy,
            publish_at=publish_at,
            made_for_kids=request.made_for_kids,
            category_id=request.category_id,
            now=clock.now(),
            categories=request.categories,
        )
        if request.privacy not in limits.PRIVACY_STATUSES:
            problems["privacy"] = f"must be one of {', '.join(limits.PRIVACY_STATUSES)}"
        for key, message in problems.items():
            label = f"{key} (for {name})" if name and key in ("title", "description") else key
            errors.setdefault(label if len(targets) > 1 else key, message)
        jobs.append(PlannedJob(target.id if target else None, name, title, description))
    if errors or at is None:
        raise InputErrors(errors)
    return Plan(at, jobs)


def check(request: UploadRequest) -> dict[str, str]:
    """Every field problem of a request (empty when it would be accepted)."""
    with db.read_session() as s:
        try:
            plan(request, session=s)
        except InputErrors as exc:
            return exc.errors
    return {}


def enqueue(
    request: UploadRequest,
    *,
    actor: Actor,
    then: Callable[[Session, list[int]], None] | None = None,
) -> list[int]:
    """Create the job(s) in one transaction, or nothing (InputErrors says what to fix).
    The jobs belong to `actor` when it is a person. `then` runs inside that transaction
    with the new ids (the API records its idempotency key there); if it raises, nothing
    is created."""
    who = acting(actor)
    owner_id = who.id if isinstance(who, CurrentUser) else None
    name = name_of(who)
    now = clock.now()
    with db.session() as s:
        p = plan(request, session=s)
        due = now if p.when.is_now else p.when.at_utc
        publish_at = p.when.at_utc if request.mode == PublishMode.PUBLISH_AT else None
        starts = now if publish_at else due
        batch = uuid.uuid4().hex[:12] if len(p.jobs) > 1 else ""
        ids = []
        for planned in p.jobs:
            target = TargetKind.CHANNEL if planned.channel_id is not None else request.target
            state = first_state(starts, now)
            job = UploadJob(
                created_at=now,
                created_by=name,
                created_by_id=owner_id,
                updated_at=now,
                state=state,
                state_reason=(
                    ""
                    if state == UploadState.QUEUED
                    else f"starts {when.describe(starts, request.tz)}"
                ),
                not_before=starts,
                scheduled_for=due,
                publish_mode=request.mode,
                publish_at=publish_at,
                target_kind=target,
                target_channel_id=planned.channel_id
                or (request.channel_id if request.target == TargetKind.CHANNEL else None),
                target_group=request.group if request.target == TargetKind.GROUP else "",
                batch_id=batch,
                file_path=request.video.path,
                file_name=request.file_name[:255],
                file_size=request.video.size,
                file_md5=request.video.md5,
                content_type=CONTENT_TYPES.get(request.video.kind, "application/octet-stream"),
                title=planned.title,
                description=planned.description,
                tags=request.tags,
                category_id=request.category_id,
                privacy="private" if publish_at else request.privacy,
                made_for_kids=request.made_for_kids,
                thumbnail_path=request.thumbnail.path if request.thumbnail else None,
                playlist_title=request.playlist_title.strip()[:150],
            )
            s.add(job)
            s.flush()
            assert job.id is not None
            ids.append(job.id)
            record_event(
                s,
                job.id,
                "",
                state,
                f"created by {name}; "
                + (
                    f"YouTube publishes at {p.when.display}"
                    if publish_at
                    else f"upload {'now' if p.when.is_now else 'at ' + p.when.display}"
                ),
                name,
            )
        audit.record(
            session=s,
            actor=name,
            action="upload.schedule",
            target=request.title[:100],
            detail=f"{len(ids)} job(s) {ids} {request.target.value} at {p.when.display}",
        )
        if then is not None:
            then(s, ids)
    return ids
