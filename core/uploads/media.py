"""The media folder: the files waiting to go to YouTube, whose they are, how much each
person has waiting (their quota), and clearing out what no job needs any more."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlmodel import col, or_, select

from core import clock, db
from core.settings import get_settings
from models import UploadJob, UploadState, unfinished_jobs

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


def needed_files() -> set[str]:
    """The media files some job still needs: those of unfinished and failed jobs, and of
    published and cancelled ones still in their keeping time.

    It reads only those jobs, through the indexes (the unfinished jobs' partial index,
    and finished jobs by state and finish time), never the finished jobs of the past."""
    now = clock.now()
    paths = select(UploadJob.file_path, UploadJob.thumbnail_path)
    queries = [
        paths.where(unfinished_jobs()),
        paths.where(UploadJob.state == UploadState.FAILED),
        *(
            paths.where(
                UploadJob.state == state,
                or_(col(UploadJob.finished_at).is_(None), col(UploadJob.finished_at) > now - kept),
            )
            for state, kept in KEEP_FILES_FOR.items()
        ),
    ]
    needed: set[str] = set()
    with db.read_session() as s:
        for query in queries:
            for video, thumb in s.exec(query):
                needed.update(p for p in (video, thumb) if p)
    return needed


def prune_media(*, grace: timedelta = timedelta(hours=24)) -> int:
    """Delete media files no job needs any more (see needed_files): published jobs' files
    after a week, cancelled ones' after a month (a failed job keeps its file), and files
    no job uses (a form upload never submitted) once they are older than `grace`.
    Orphaned .part files go sooner (prune_partials)."""
    removed = prune_partials()
    needed = needed_files()
    fresh_after = clock.now().timestamp() - grace.total_seconds()
    with os.scandir(media_dir()) as entries:
        for entry in entries:
            path = str(media_dir() / entry.name)
            if path in needed:
                continue
            try:
                if not entry.is_file() or entry.stat().st_mtime > fresh_after:
                    continue  # a folder, or a form upload that may still be submitted
                os.unlink(path)
            except FileNotFoundError:
                continue
            removed += 1
    return removed
