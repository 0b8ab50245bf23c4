"""The media folder: the files waiting to go to YouTube, whose they are, how much each
person has waiting (their quota), and clearing out what no job needs any more."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select as select_columns
from sqlmodel import col, select

from core import clock, db
from core.settings import get_settings
from models import UploadJob, UploadState

# A .part file nobody wrote to for this long belongs to an upload whose writer died.
PARTIAL_GRACE = timedelta(hours=1)
FINISHED = [UploadState.PUBLISHED, UploadState.FAILED, UploadState.CANCELLED]

# Files written for a person carry their user id ("<uuid>-u<id>.mp4", ".part" while it
# streams in), so their waiting media can be counted on disk by every replica.
_OWNED = re.compile(r"^[0-9a-f]{32}-u(\d+)(?:\.|$)")


@dataclass(frozen=True)
class StoredFile:
    path: str
    size: int
    md5: str
    kind: str  # container name for videos, "jpeg"/"png" for thumbnails
    name: str = ""  # the name it had on the sender's computer


def media_dir() -> Path:
    folder = get_settings().media_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def owned_name(stem: str, owner_id: int | None, suffix: str) -> str:
    """The file name for new media: tagged with its owner's id when a person sends it."""
    tag = f"-u{owner_id}" if owner_id is not None else ""
    return f"{stem}{tag}{suffix}"


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
    return usage(user_id, excluding=excluding).total


def usage(user_id: int, *, excluding: Path | None = None) -> MediaUsage:
    """A person's waiting media, split into what jobs use and what is loose."""
    folder = media_dir()
    with db.read_session() as s:
        rows = s.exec(
            select(UploadJob.file_path, UploadJob.file_size)
            .where(UploadJob.created_by_id == user_id, col(UploadJob.state).not_in(FINISHED))
            .distinct()
        ).all()
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
            used = set(
                s.exec(
                    select(UploadJob.file_path).where(col(UploadJob.file_path).in_(complete))
                ).all()
            )
        loose = {p: n for p, n in loose.items() if p not in used}
    return MediaUsage(sum(in_jobs.values()), sum(loose.values()))


def prune_partials(*, older_than: timedelta = PARTIAL_GRACE) -> int:
    """Delete .part files of the media folder nobody wrote to for `older_than`: uploads
    whose writer died without cleaning up (a killed process, a lost replica). A live
    upload writes every few seconds, so its file stays fresh. Looks at nothing else."""
    cutoff = clock.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in media_dir().glob("*.part"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # finished or aborted meanwhile
            continue
    return removed


# How long a finished job keeps its files (it may still be retried); a failed job keeps
# them until it is retried or deleted, an unfinished one until it is done.
KEEP_FILES_FOR = {
    UploadState.PUBLISHED: timedelta(days=7),
    UploadState.CANCELLED: timedelta(days=30),
}
PRUNE_BATCH = 500
# A pass given `since` (the previous pass) looks back this much further, so nothing that
# expired while the previous pass ran is missed.
PRUNE_OVERLAP = timedelta(hours=2)


def _needs_files(state: UploadState, finished_at: datetime | None, now: datetime) -> bool:
    kept = KEEP_FILES_FOR.get(state)
    return kept is None or finished_at is None or clock.as_utc(finished_at) > now - kept


def _unused(paths: set[str], now: datetime) -> set[str]:
    """Those of `paths` no job needs any more (through the indexes on the paths)."""
    needed: set[str] = set()
    with db.read_session() as s:
        for column in (UploadJob.file_path, UploadJob.thumbnail_path):
            rows = s.exec(
                select(column, UploadJob.state, UploadJob.finished_at).where(
                    col(column).in_(sorted(paths))
                )
            ).all()
            needed.update(
                p for p, state, at in rows if p and _needs_files(UploadState(state), at, now)
            )
    return paths - needed


def _delete(paths: set[str]) -> int:
    removed = 0
    folder = media_dir()
    for path in paths:
        if Path(path).parent != folder:  # only ever the media folder's own files
            continue
        try:
            os.unlink(path)
        except (FileNotFoundError, IsADirectoryError):
            continue
        removed += 1
    return removed


def _prune_expired(now: datetime, since: datetime | None) -> int:
    """The files of jobs whose keeping time ended (since `since`), unless another job
    needs them (a fan-out's jobs share one): finished jobs by state and finish time, a
    batch at a time."""
    removed = 0
    for state, kept in KEEP_FILES_FOR.items():
        after: tuple[datetime, int] | None = None
        lower = since - kept - PRUNE_OVERLAP if since is not None else None
        while True:
            query = select(
                UploadJob.id, UploadJob.finished_at, UploadJob.file_path, UploadJob.thumbnail_path
            ).where(UploadJob.state == state, col(UploadJob.finished_at) <= now - kept)
            if after is not None:
                at, last_id = after
                # A range from `at` (the index's order), less the rows of `at` already
                # seen: an OR of the two would make the database sort the whole rest.
                query = query.where(
                    col(UploadJob.finished_at) >= at,
                    ~((col(UploadJob.finished_at) == at) & (col(UploadJob.id) <= last_id)),
                )
            elif lower is not None:
                query = query.where(col(UploadJob.finished_at) > lower)
            with db.read_session() as s:
                rows = s.exec(
                    query.order_by(col(UploadJob.finished_at), col(UploadJob.id)).limit(PRUNE_BATCH)
                ).all()
            if not rows:
                break
            # Files already gone (an earlier pass) need no lookup: most, in a first pass.
            paths = {
                p for _, _, video, thumb in rows for p in (video, thumb) if p and os.path.isfile(p)
            }
            if paths:
                removed += _delete(_unused(paths, now))
            last = rows[-1]
            after = (last[1], last[0] or 0) if last[1] is not None else None
            if after is None or len(rows) < PRUNE_BATCH:
                break
    return removed


def _prune_abandoned(now: datetime, grace: timedelta, since: datetime | None) -> int:
    """Files no job uses (a form upload never submitted) once older than `grace`: those
    that passed that age since `since` (every one, without it)."""
    newest = (now - grace).timestamp()
    oldest = (since - grace - PRUNE_OVERLAP).timestamp() if since is not None else None
    candidates: list[str] = []
    with os.scandir(media_dir()) as entries:
        for entry in entries:
            if entry.name.endswith(".part"):
                continue  # prune_partials' own
            try:
                if not entry.is_file():
                    continue
                mtime = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            if mtime <= newest and (oldest is None or mtime > oldest):
                candidates.append(entry.path)
    removed = 0
    for start in range(0, len(candidates), PRUNE_BATCH):
        batch = set(candidates[start : start + PRUNE_BATCH])
        with db.read_session() as s:
            used = {
                str(p)
                for column in (col(UploadJob.file_path), col(UploadJob.thumbnail_path))
                for p in s.execute(select_columns(column).where(column.in_(batch))).scalars()
                if p
            }
        removed += _delete(batch - used)
    return removed


def prune_media(*, grace: timedelta = timedelta(hours=24), since: datetime | None = None) -> int:
    """Delete media files no job needs any more: published jobs' files after a week,
    cancelled ones' after a month (a failed or unfinished job keeps its file), and files
    no job uses (a form upload never submitted) once older than `grace`. Orphaned .part
    files go sooner (prune_partials).

    `since`, the time of the previous pass, limits the work to what expired after it (the
    hourly housekeeping passes it); without it every finished job is looked at, a batch at
    a time (the first pass after an upgrade)."""
    now = clock.now()
    return prune_partials() + _prune_expired(now, since) + _prune_abandoned(now, grace, since)
