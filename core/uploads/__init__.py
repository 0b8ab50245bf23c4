"""Upload jobs from the form or the CLI: store the media, validate everything, enqueue
(all or nothing), and read, cancel, retry or reschedule jobs.

Who may do what: every function that creates or changes a job takes the acting person
(`actor`, keyword-only) and checks it here, so the UI, the CLI and any future API get the
same rules:

- a person (`core.auth.CurrentUser`) may cancel, retry or reschedule the jobs they
  scheduled; operators and admins may change every job; anyone else gets `NotAllowed`;
- a `SystemActor` (the CLI, the scheduler, maintenance scripts) is trusted like an admin:
  whoever can run the CLI can read the database and the key file anyway. Jobs it creates
  belong to nobody (`created_by_id` is NULL), so only operators may change them in the UI;
- a plain string still means a system caller (older callers and tests); new code passes
  a `SystemActor` or the `CurrentUser`, never a person's email as a string.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import warnings
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import audit, clock, db, when
from core.auth import CurrentUser
from core.errors import InputError, InputErrors, NotFound
from core.settings import get_settings
from core.uploads.rules import first_state, publish_time_passed, publish_time_problem
from models import (
    Channel,
    ChannelState,
    PublishMode,
    Role,
    TargetKind,
    UploadEvent,
    UploadJob,
    UploadState,
)
from youtube import limits

READ_BLOCK = 1024 * 1024
# A .part file nobody wrote to for this long belongs to an upload whose writer died.
PARTIAL_GRACE = timedelta(hours=1)
# While a file streams in, the person's other waiting media is counted again this often.
QUOTA_RECHECK_BYTES = 64 * 1024 * 1024
FINISHED = [UploadState.PUBLISHED, UploadState.FAILED, UploadState.CANCELLED]


# --- who acts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SystemActor:
    """A trusted caller with the server's own rights (the CLI, the scheduler, scripts)."""

    name: str


CLI = SystemActor("cli")
Actor = CurrentUser | SystemActor | str


class NotAllowed(PermissionError):
    """The acting person may not change this job; the message says who may."""


def _actor(actor: Actor) -> CurrentUser | SystemActor:
    if isinstance(actor, CurrentUser | SystemActor):
        return actor
    if isinstance(actor, str):
        warnings.warn("pass a SystemActor (or the CurrentUser) as actor, not a string",
                      DeprecationWarning, stacklevel=3)
        return SystemActor(actor)
    raise TypeError(f"actor must be a CurrentUser or a SystemActor, not {type(actor).__name__}")


def _label(actor: CurrentUser | SystemActor) -> str:
    return actor.email if isinstance(actor, CurrentUser) else actor.name


def may_change(job: UploadJob, actor: Actor) -> bool:
    """Whether `actor` may cancel, retry or reschedule `job`."""
    who = _actor(actor)
    if isinstance(who, SystemActor) or who.can(Role.OPERATOR):
        return True
    return job.created_by_id is not None and job.created_by_id == who.id


def _authorize(job: UploadJob, actor: CurrentUser | SystemActor, verb: str) -> None:
    if not may_change(job, actor):
        raise NotAllowed(f"job {job.id} was scheduled by someone else: only the person who "
                         f"scheduled it or an operator can {verb} it")


# --- media files ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    md5: str
    kind: str  # container name for videos, "jpeg"/"png" for thumbnails
    name: str = ""  # the name it had on the sender's computer


def _media_dir() -> Path:
    folder = get_settings().media_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Files written for a person carry their user id ("<uuid>-u<id>.mp4", ".part" while it
# streams in), so their waiting media can be counted on disk by every replica.
_OWNED = re.compile(r"^[0-9a-f]{32}-u(\d+)(?:\.|$)")


def _size(n: float) -> str:
    """1.5 GiB, 300.0 MiB, 12.0 KiB: a size for people."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale or unit == "KiB":
            return f"{n / scale:,.1f} {unit}"
    return f"{n:,.0f} bytes"  # pragma: no cover


@dataclass(frozen=True)
class MediaUsage:
    in_jobs: int  # files of the person's unfinished jobs
    loose: int  # uploading now (.part), or uploaded but not scheduled (yet)

    @property
    def total(self) -> int:
        return self.in_jobs + self.loose


def media_usage(user_id: int, *, excluding: Path | None = None) -> int:
    """Bytes of media a person has waiting: the files of their unfinished jobs, files they
    are uploading now (.part), and uploaded files no job uses yet (a form not submitted)."""
    return _usage(user_id, excluding=excluding).total


def _usage(user_id: int, *, excluding: Path | None = None) -> MediaUsage:
    folder = _media_dir()
    with db.read_session() as s:
        rows = s.exec(select(UploadJob.file_path, UploadJob.file_size).where(
            UploadJob.created_by_id == user_id,
            col(UploadJob.state).not_in(FINISHED)).distinct()).all()
    in_jobs = dict(rows)  # a fan-out's jobs share one file
    loose: dict[str, int] = {}
    for entry in os.scandir(folder):
        found = _OWNED.match(entry.name)
        if found is None or int(found.group(1)) != user_id:
            continue
        path = str(folder / entry.name)
        if path in in_jobs or (excluding is not None and path == str(excluding)):
            continue
        try:
            loose[path] = entry.stat().st_size
        except FileNotFoundError:  # finished or removed meanwhile
            continue
    complete = [p for p in loose if not p.endswith(".part")]
    if complete:
        with db.read_session() as s:
            # Files of finished jobs (kept a while for a retry) do not count.
            used = set(s.exec(select(UploadJob.file_path).where(
                col(UploadJob.file_path).in_(complete))).all())
        loose = {p: n for p, n in loose.items() if p not in used}
    return MediaUsage(sum(in_jobs.values()), sum(loose.values()))


class MediaWriter:
    """Writes an incoming file into data/media under a generated name, piece by piece,
    checking size, content and the owner's media quota as it goes. Never holds the file
    in memory; a refused, broken or abandoned upload leaves nothing behind: call `abort`
    (or use it as a context manager) whatever stops the upload."""

    def __init__(self, original_name: str, *, thumbnail: bool = False,
                 owner: CurrentUser | None = None) -> None:
        self.thumbnail = thumbnail
        self.original_name = original_name
        self.max_bytes = (limits.THUMBNAIL_MAX_BYTES if thumbnail
                          else get_settings().upload_max_bytes)
        suffix = Path(original_name).suffix.lower()[:10] if original_name else ""
        tag = f"-u{owner.id}" if owner is not None else ""
        self.target = _media_dir() / f"{uuid.uuid4().hex}{tag}{suffix}"
        self.partial = self.target.with_name(self.target.name + ".part")
        self.owner_id = owner.id if owner is not None else None
        # The per-person quota counts videos (a thumbnail is at most a couple of MiB).
        self.quota = 0 if (owner is None or thumbnail) \
            else get_settings().media_quota_bytes_per_user
        self.waiting = 0  # the owner's other media, counted when needed
        self._loose = 0  # of which not (yet) scheduled
        self._counted_at = 0
        self._digest = hashlib.md5(usedforsecurity=False)
        self._head = b""
        self.size = 0
        self._out: BinaryIO | None = None
        if self.quota:
            self._count_waiting()
            if self.waiting >= self.quota:
                raise InputError("file", self._over_quota())
        self._out = self.partial.open("wb")

    def __enter__(self) -> MediaWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()

    @property
    def what(self) -> str:
        return "thumbnail" if self.thumbnail else "file"

    def _count_waiting(self) -> None:
        assert self.owner_id is not None
        usage = _usage(self.owner_id, excluding=self.partial)
        self.waiting, self._loose, self._counted_at = usage.total, usage.loose, self.size

    def _over_quota(self) -> str:
        if not self.waiting:
            return (f"is larger than the {_size(self.quota)} of videos one person may have "
                    "waiting to upload")
        details = []
        if self._loose:
            details.append(f"{_size(self._loose)} of it uploaded but not scheduled yet, kept "
                           "a day in case a form still submits it")
        if self.size:
            details.append(f"plus {_size(self.size)} of this file so far")
        said = f" ({'; '.join(details)})" if details else ""
        return (f"you have {_size(self.waiting)} of videos waiting{said}; the limit is "
                f"{_size(self.quota)} per person. Cancel jobs you no longer need, or wait "
                "until some are uploaded, then try again")

    def write(self, block: bytes) -> None:
        if self._out is None:
            raise InputError(self.what, "the upload was already stopped")
        if len(self._head) < limits.HEAD_BYTES:
            self._head += block[:limits.HEAD_BYTES - len(self._head)]
        self.size += len(block)
        if self.size > self.max_bytes:
            self.abort()
            raise InputError(self.what, f"is larger than the limit of {self.max_bytes:,} bytes")
        if self.quota:
            if self.size - self._counted_at >= QUOTA_RECHECK_BYTES:
                self._count_waiting()  # other uploads of this person may have grown
            if self.waiting + self.size > self.quota:
                self.abort()
                raise InputError(self.what, self._over_quota())
        self._digest.update(block)
        try:
            self._out.write(block)
        except BaseException:
            self.abort()
            raise

    def finish(self) -> StoredFile:
        """Check what arrived and keep it; raises InputError (and keeps nothing)."""
        if self._out is None:
            raise InputError(self.what, "the upload was already stopped")
        self._out.close()
        self._out = None
        try:
            if self.size == 0:
                raise InputError(self.what, "is empty")
            if self.thumbnail:
                problem = limits.validate_thumbnail(self._head, self.size)
                if problem:
                    raise InputError("thumbnail", problem)
                kind = (limits.image_mimetype(self._head) or "").removeprefix("image/")
            else:
                kind = limits.sniff_video_container(self._head) or ""
                if not kind:
                    raise InputError("file", f"{self.original_name or 'the file'} is not a "
                                             "video (expected MP4, MOV, WebM, MKV, AVI, FLV, "
                                             "MPEG, WMV or OGG content)")
            try:
                self.partial.replace(self.target)
            except FileNotFoundError:
                raise InputError(self.what, "the upload stalled for too long and was "
                                            "discarded; upload it again") from None
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise
        return StoredFile(str(self.target), self.size, self._digest.hexdigest(), kind,
                          self.original_name)

    def abort(self) -> None:
        """Stop and delete the partial file (harmless after `finish` or a second time)."""
        out, self._out = self._out, None
        try:
            if out is not None:
                out.close()
        finally:
            self.partial.unlink(missing_ok=True)


def store_media(source: BinaryIO, original_name: str, *, thumbnail: bool = False,
                owner: CurrentUser | None = None) -> StoredFile:
    """Stream a file object into the media folder (see MediaWriter)."""
    with MediaWriter(original_name, thumbnail=thumbnail, owner=owner) as writer:
        while block := source.read(READ_BLOCK):
            writer.write(block)
        return writer.finish()


async def receive(chunks: AsyncIterable[Any], *, owner: CurrentUser | None,
                  thumbnail: bool = False) -> StoredFile | None:
    """Stream a form upload (chunks with `.filename` and `.data`, as Reflex hands them)
    into the media folder; None when nothing arrived.

    Whatever stops it (a refused file or the person's quota: InputError; a broken
    stream; the browser going away, which cancels the handler's task) the partial file
    is deleted before this returns or raises, not left for housekeeping."""
    writer: MediaWriter | None = None
    try:
        async for chunk in chunks:
            if writer is None:
                writer = MediaWriter(chunk.filename or "", thumbnail=thumbnail, owner=owner)
            elif (chunk.filename or "") != writer.original_name:
                raise InputError("thumbnail" if thumbnail else "file", "choose one file")
            writer.write(chunk.data)
        return writer.finish() if writer is not None else None
    finally:
        if writer is not None:
            writer.abort()  # after finish() there is nothing left to delete


def discard(stored: StoredFile | None) -> None:
    """Remove a stored file nobody will use (a form reset, a refused CLI upload)."""
    if stored is not None:
        Path(stored.path).unlink(missing_ok=True)


def store_path(path: Path, *, thumbnail: bool = False) -> StoredFile:
    """Copy a local file (the CLI's FILE argument) into the media folder."""
    if not path.is_file():
        raise InputError("thumbnail" if thumbnail else "file", f"{path} does not exist")
    with path.open("rb") as source:
        return store_media(source, path.name, thumbnail=thumbnail)


CONTENT_TYPES = {"mp4": "video/mp4", "mov": "video/quicktime", "3gp": "video/3gpp",
                 "webm": "video/webm", "mkv": "video/x-matroska", "avi": "video/x-msvideo",
                 "flv": "video/x-flv", "mpeg-ps": "video/mpeg", "mpeg-ts": "video/mp2t",
                 "m2ts": "video/mp2t", "wmv": "video/x-ms-wmv", "ogg": "video/ogg"}


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
    return (template.replace("{channel}", channel).replace("{group}", group)
            .replace("{date}", at.local.strftime("%Y-%m-%d")))


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
        members = session.exec(select(Channel).where(
            Channel.group_name == request.group,
            col(Channel.state).in_([ChannelState.ACTIVE, ChannelState.RESERVE]))).all()
        if not request.group:
            errors["target"] = "choose a group"
        elif not members:
            errors["target"] = f"group {request.group!r} has no enabled channel"
        else:
            targets = list(members) if request.fan_out else [None]
    else:
        targets = [None]
    publish_at = at.at_utc if (at is not None and request.mode == PublishMode.PUBLISH_AT) \
        else None
    privacy = "private" if publish_at else request.privacy
    jobs = []
    for target in targets or [None]:
        name = target.title if target else ""
        title = render_template(request.title, name, request.group, at) if at else request.title
        description = (render_template(request.description, name, request.group, at) if at
                       else request.description)
        problems = limits.validate_metadata(
            title=title, description=description, tags=request.tags, privacy=privacy,
            publish_at=publish_at, made_for_kids=request.made_for_kids,
            category_id=request.category_id, now=clock.now(), categories=request.categories)
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


def enqueue(request: UploadRequest, *, actor: Actor) -> list[int]:
    """Create the job(s) in one transaction, or nothing (InputErrors says what to fix).
    The jobs belong to `actor` when it is a person."""
    who = _actor(actor)
    owner_id = who.id if isinstance(who, CurrentUser) else None
    actor = _label(who)
    now = clock.now()
    with db.session() as s:
        p = plan(request, session=s)
        due = now if p.when.is_now else p.when.at_utc
        publish_at = p.when.at_utc if request.mode == PublishMode.PUBLISH_AT else None
        starts = now if publish_at else due
        batch = uuid.uuid4().hex[:12] if len(p.jobs) > 1 else ""
        ids = []
        for planned in p.jobs:
            target = (TargetKind.CHANNEL if planned.channel_id is not None
                      else request.target)
            state = first_state(starts, now)
            job = UploadJob(
                created_at=now, created_by=actor, created_by_id=owner_id, updated_at=now,
                state=state,
                state_reason=("" if state == UploadState.QUEUED
                              else f"starts {when.describe(starts, request.tz)}"),
                not_before=starts, scheduled_for=due, publish_mode=request.mode,
                publish_at=publish_at, target_kind=target,
                target_channel_id=planned.channel_id or (
                    request.channel_id if request.target == TargetKind.CHANNEL else None),
                target_group=request.group if request.target == TargetKind.GROUP else "",
                batch_id=batch, file_path=request.video.path, file_name=request.file_name[:255],
                file_size=request.video.size, file_md5=request.video.md5,
                content_type=CONTENT_TYPES.get(request.video.kind, "application/octet-stream"),
                title=planned.title, description=planned.description, tags=request.tags,
                category_id=request.category_id,
                privacy="private" if publish_at else request.privacy,
                made_for_kids=request.made_for_kids,
                thumbnail_path=request.thumbnail.path if request.thumbnail else None,
                playlist_title=request.playlist_title.strip()[:150])
            s.add(job)
            s.flush()
            assert job.id is not None
            ids.append(job.id)
            record_event(s, job.id, "", state, f"created by {actor}; "
                   + (f"YouTube publishes at {p.when.display}" if publish_at
                      else f"upload {'now' if p.when.is_now else 'at ' + p.when.display}"),
                   actor)
        audit.record(session=s, actor=actor, action="upload.schedule",
                     target=request.title[:100],
                     detail=f"{len(ids)} job(s) {ids} {request.target.value} at "
                            f"{p.when.display}")
    return ids


def record_event(session: Session, job_id: int, from_state: str, to_state: str, message: str,
                 actor: str = "system") -> None:
    """Add a line to a job's history."""
    session.add(UploadEvent(job_id=job_id, at=clock.now(), from_state=str(from_state),
                            to_state=str(to_state), message=message[:1000], actor=actor))


def transition(session: Session, job: UploadJob, state: UploadState, message: str, *,
               actor: str = "system", **values: Any) -> None:
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
    """What may be done with a job now: "cancel", "retry", "reschedule" (by `actor`, when
    given: nothing at all for someone else's job unless they are an operator)."""
    if actor is not None and not may_change(job, actor):
        return set()
    state = UploadState(job.state)
    allowed = set()
    if not state.finished and not job.video_id:
        allowed.add("cancel")
    if state in (UploadState.FAILED, UploadState.CANCELLED) or state.waiting:
        allowed.add("retry")
    if ((state in (UploadState.QUEUED, UploadState.SCHEDULED) or state.waiting)
            and not job.video_id) or _restarts(job) or \
            (state == UploadState.CANCELLED and not job.video_id):
        # A failed or cancelled job may also be given a new time (a publish time that
        # passed leaves no other way to run it again).
        allowed.add("reschedule")
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
        raise InputError("job", f"the video file of job {job.id} is no longer stored; "
                                "schedule the video again")
    values: dict[str, Any] = {"attempts": 0, "last_error": "", "finished_at": None,
                              "lease_owner": None, "lease_expires_at": None}
    if _restarts(job):
        values.update(video_id=None, session_uri_enc=None, bytes_confirmed=0, bytes_sent=0,
                      thumbnail_done=False, playlist_done=False)
    return values


def _tz(actor: CurrentUser | SystemActor) -> str:
    return actor.timezone if isinstance(actor, CurrentUser) and actor.timezone else "UTC"


def cancel(*, job_id: int, actor: Actor) -> UploadJob:
    """Stop a job. An upload in progress stops before its next chunk; if its last bytes are
    already on the way, the video it creates is recorded (and an alert says so)."""
    who = _actor(actor)
    name = _label(who)
    with db.session() as s:
        job = _get(s, job_id)
        _authorize(job, who, "cancel")
        if job.video_id:
            raise InputError("job", f"job {job_id} is already on YouTube as {job.video_id}; "
                                    "delete the video there instead")
        _allowed(job, "cancel", "")
        transition(s, job, UploadState.CANCELLED, f"cancelled by {name}", actor=name,
                   finished_at=clock.now(), lease_owner=None, lease_expires_at=None)
        audit.record(session=s, actor=name, action="upload.cancel", target=f"job {job_id}")
        return job


def retry(*, job_id: int, actor: Actor) -> UploadJob:
    """Run a failed, cancelled or waiting job again, on its own schedule: a job whose time
    is still ahead stays scheduled for it; one whose time passed runs now.

    A publish-at job whose publish time passed is refused rather than published at once
    (YouTube would make it public the moment it is processed, when nobody expects it):
    reschedule it with a new publish time instead."""
    who = _actor(actor)
    name = _label(who)
    now = clock.now()
    with db.session() as s:
        job = _get(s, job_id)
        _authorize(job, who, "retry")
        _allowed(job, "retry", "; only failed, cancelled or waiting jobs can be retried")
        finished = UploadState(job.state).finished
        revived = _revival(job) if finished else {}
        uploaded = job.video_id is not None and not _restarts(job)  # on YouTube already
        if job.publish_mode == PublishMode.PUBLISH_AT and not uploaded:
            publish_at = clock.as_utc(job.publish_at or job.scheduled_for)
            if publish_time_passed(publish_at, now):
                raise InputError(
                    "job", f"YouTube was to publish job {job_id} at "
                           f"{when.describe(publish_at, _tz(who))}, which has passed; "
                           "retrying now would make it public at once. Reschedule it with a "
                           "new publish time (it stays private until then)")
            state, starts = UploadState.QUEUED, now  # uploads now as private
        else:
            due = clock.as_utc(job.scheduled_for)
            state = first_state(due, now)
            starts = due if state == UploadState.SCHEDULED else now
        message = f"retry requested by {name}" + (
            f"; starts {when.describe(starts, _tz(who))}" if state == UploadState.SCHEDULED
            else "")
        transition(s, job, state, message, actor=name, not_before=starts,
                   **({"attempts": 0, "last_error": "", "finished_at": None} | revived))
        audit.record(session=s, actor=name, action="upload.retry", target=f"job {job_id}",
                     detail=f"not before {starts.isoformat(timespec='minutes')}")
        return job


def reschedule(*, job_id: int, when_text: str, tz: str, actor: Actor) -> UploadJob:
    """A new time: when to upload, or (publish-at jobs) when YouTube publishes. A failed or
    cancelled job given a new time runs again then."""
    who = _actor(actor)
    name = _label(who)
    at = when.parse_when(when_text, tz=tz)
    now = clock.now()
    with db.session() as s:
        job = _get(s, job_id)
        _authorize(job, who, "reschedule")
        _allowed(job, "reschedule", "; only jobs that have not started uploading (or failed "
                                    "or cancelled ones) can be rescheduled")
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
        transition(s, job, state, f"rescheduled by {name} to {at.display}", actor=name,
                   **extra)
        audit.record(session=s, actor=name, action="upload.reschedule",
                     target=f"job {job_id}", detail=at.display)
        return job


@dataclass(frozen=True)
class JobFilter:
    state: str = ""
    channel_id: int | None = None
    group: str = ""
    day: str = ""  # YYYY-MM-DD of the scheduled time, in `tz`
    tz: str = "UTC"
    limit: int = 200


def list_jobs(*, session: Session, filters: JobFilter = JobFilter()) -> list[UploadJob]:
    query = select(UploadJob).order_by(col(UploadJob.scheduled_for).desc(),
                                       col(UploadJob.id).desc()).limit(filters.limit)
    if filters.state:
        query = query.where(UploadJob.state == UploadState(filters.state))
    if filters.channel_id is not None:
        query = query.where(UploadJob.channel_id == filters.channel_id)
    if filters.group:
        channel_ids = select(Channel.id).where(Channel.group_name == filters.group)
        query = query.where(col(UploadJob.channel_id).in_(channel_ids)
                            | (UploadJob.target_group == filters.group))
    if filters.day:
        try:
            start = datetime.fromisoformat(filters.day).replace(tzinfo=ZoneInfo(filters.tz))
        except ValueError:
            raise InputError("date", "use YYYY-MM-DD") from None
        query = query.where(UploadJob.scheduled_for >= start,
                            UploadJob.scheduled_for < start + timedelta(days=1))
    return list(session.exec(query).all())


def history(*, session: Session, job_id: int) -> list[UploadEvent]:
    return list(session.exec(select(UploadEvent).where(UploadEvent.job_id == job_id)
                             .order_by(col(UploadEvent.id))).all())


def public(job: UploadJob, channel_titles: dict[int, str] | None = None) -> dict[str, Any]:
    """A job as the UI and the CLI show it (no session URI)."""
    titles = channel_titles or {}
    return {
        "id": job.id, "state": UploadState(job.state).value, "reason": job.state_reason,
        "title": job.title, "file_name": job.file_name, "file_size": job.file_size,
        "file_md5": job.file_md5, "target": TargetKind(job.target_kind).value,
        "target_group": job.target_group, "channel_id": job.channel_id,
        "channel": titles.get(job.channel_id or 0, ""), "video_id": job.video_id,
        "privacy": job.privacy, "publish_at": job.publish_at,
        "scheduled_for": job.scheduled_for, "not_before": job.not_before,
        "bytes_confirmed": job.bytes_confirmed, "bytes_sent": job.bytes_sent,
        "speed_bps": round(job.speed_bps), "eta_seconds": job.eta_seconds,
        "attempts": job.attempts, "last_error": job.last_error, "warning": job.warning,
        "created_by": job.created_by, "created_by_id": job.created_by_id,
        "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at,
        "batch_id": job.batch_id, "playlist": job.playlist_title,
        "has_thumbnail": job.thumbnail_path is not None,
    }


def channel_titles(*, session: Session) -> dict[int, str]:
    return {c.id: c.title for c in session.exec(select(Channel)).all() if c.id is not None}


def summary(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(UploadJob.state, func.count()).group_by(UploadJob.state)).all()
    counts = {s.value: 0 for s in UploadState}
    for state, n in rows:
        counts[UploadState(state).value] = int(n)
    return counts


def next_scheduled(*, session: Session, limit: int = 5) -> list[UploadJob]:
    return list(session.exec(
        select(UploadJob).where(col(UploadJob.state).in_([UploadState.SCHEDULED,
                                                         UploadState.QUEUED]))
        .order_by(col(UploadJob.not_before)).limit(limit)).all())


def prune_partials(*, older_than: timedelta = PARTIAL_GRACE) -> int:
    """Delete .part files of the media folder nobody wrote to for `older_than`: uploads
    whose writer died without cleaning up (a killed process, a lost replica). A live
    upload writes every few seconds, so its file stays fresh. Looks at nothing else."""
    cutoff = clock.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in _media_dir().glob("*.part"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # finished or aborted meanwhile
            continue
    return removed


def prune_media(*, grace: timedelta = timedelta(hours=24)) -> int:
    """Delete media files no job still needs: abandoned form uploads after a day, published
    jobs' files after a week, cancelled ones' after a month (a failed job keeps its file).
    Orphaned .part files go sooner (prune_partials)."""
    removed = prune_partials()
    now = clock.now()
    with db.read_session() as s:
        rows = s.exec(select(UploadJob.file_path, UploadJob.thumbnail_path, UploadJob.state,
                             UploadJob.finished_at)).all()
    needed: set[str] = set()
    # Published: kept a week. Cancelled: a month (it may still be retried). Otherwise kept.
    keep_for = {UploadState.PUBLISHED: timedelta(days=7), UploadState.CANCELLED: timedelta(days=30)}
    for video, thumb, state, finished_at in rows:
        kept = keep_for.get(UploadState(state))
        if kept is None or finished_at is None or clock.as_utc(finished_at) > now - kept:
            needed.update(p for p in (video, thumb) if p)
    referenced = {p for row in rows for p in row[:2] if p}
    fresh_after = now.timestamp() - grace.total_seconds()
    for path in _media_dir().iterdir():
        name = str(path)
        if name in needed:
            continue
        try:
            if not path.is_file():
                continue
            if name not in referenced and path.stat().st_mtime > fresh_after:
                continue  # a form upload that may still be submitted
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
