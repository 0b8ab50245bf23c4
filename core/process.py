"""Per-process start-up shared by the web backend, the worker and the CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from core import clock
from core.logging import configure_logging
from core.settings import get_settings

CLOCK_OFFSET_FILE = "clock-offset"
# Everything a TubeFleet process creates is its owner's alone: the data folder holds the
# database (every token, encrypted), the key that decrypts them, and unpublished videos.
PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger("tubefleet.runtime")


def mode() -> str:
    """ "sandbox" unless a Google OAuth client is configured (or the mode is forced)."""
    settings = get_settings()
    if settings.mode != "auto":
        return settings.mode
    return "google" if settings.google_client_id else "sandbox"


def private_umask() -> None:
    """New files 0600 and folders 0700 in this process and every process it starts
    (the Reflex server, the sandbox); called before anything creates a file."""
    os.umask(PRIVATE_UMASK)


def _tighten(path: Path, mode_bits: int) -> None:
    try:
        if path.is_symlink() or not path.exists():
            return
        if (path.stat().st_mode & 0o777) & ~mode_bits:
            os.chmod(path, mode_bits)
    except OSError as exc:  # not ours (a shared volume), read-only: say so, keep going
        log.warning("cannot make %s private: %s", path, exc)


def secure_data_files() -> None:
    """Tighten what an older version (or a copy made with a loose umask) left readable:
    the data folder, the SQLite database and its WAL/SHM, the key file, the media folder
    and the videos in it."""
    from core import db

    settings = get_settings()
    data_dir = settings.data_dir
    _tighten(data_dir, DIR_MODE)
    database = db.sqlite_path()
    if database is not None:
        for suffix in ("", *SQLITE_COMPANIONS):
            _tighten(database.with_name(database.name + suffix), FILE_MODE)
    key_file = settings.key_file
    _tighten(key_file, FILE_MODE)
    media = settings.media_dir
    if media.is_dir() and not media.is_symlink():
        _tighten(media, DIR_MODE)
        try:
            entries = list(os.scandir(media))
        except OSError:
            entries = []
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                _tighten(Path(entry.path), FILE_MODE)


def init_process() -> None:
    """Private files; logging; plain-http OAuth in sandbox mode; a shared movable clock for
    tests only."""
    private_umask()
    configure_logging()
    settings = get_settings()
    secure_data_files()
    if mode() == "sandbox":
        from youtube.oauth import allow_plain_http

        allow_plain_http()
    if settings.allow_clock_shift:
        clock.use_offset_file(settings.data_dir / CLOCK_OFFSET_FILE)
