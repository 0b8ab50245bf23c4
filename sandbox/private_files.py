"""Owner-only modes for the sandbox's folder and database files, whatever the umask says."""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
# SQLite creates these beside the database when it switches to WAL, and again after the
# last connection closed (they take the database file's mode, which is why it goes first).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Create the folder (and parents) if needed; the folder itself becomes 0700 even when it
    existed, because it holds the database and every uploaded video."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create the file empty with 0600 before anyone writes to it (so there is no moment
    when it is readable by others), or tighten it if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)


def private_database_files(database: Path) -> None:
    """Tighten the database and whichever of its WAL/SHM/journal files exist now."""
    for suffix in ("", *SQLITE_COMPANIONS):
        candidate = database.with_name(database.name + suffix)
        if candidate.exists():
            os.chmod(candidate, FILE_MODE)
