"""Issue 9, finding 2: the data folder is its owner's alone (0700), and so are the SQLite
database, its WAL and SHM, the key file and the stored videos (0600), whatever the umask
of the shell that started TubeFleet; an existing data folder left readable is tightened
on the next start.

Real processes: the CLI (and a worker holding the database open) run as subprocesses
started with the common umask 022, against a fresh data folder.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.world import fake_video

ROOT = Path(__file__).resolve().parents[2]


def _loose_umask() -> None:
    os.umask(0o022)


class DataFolder:
    def __init__(self, root: Path) -> None:
        self.path = root / "data"
        self.env = {
            **os.environ,
            "TUBEFLEET_ENV_FILE": "",
            "TUBEFLEET_DATA_DIR": str(self.path),
            "TUBEFLEET_MODE": "google",
            "TUBEFLEET_LOG_LEVEL": "WARNING",
        }
        for name in ("TUBEFLEET_DATABASE_URL", "TUBEFLEET_SECRET_KEY"):
            self.env.pop(name, None)
        self.processes: list[subprocess.Popen[bytes]] = []

    def cli(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
            preexec_fn=_loose_umask,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_loose_umask,
        )
        self.processes.append(proc)
        return proc

    @property
    def database(self) -> Path:
        return self.path / "tubefleet.db"

    def modes(self) -> dict[str, str]:
        """name (relative to the data folder's parent) -> octal mode, for everything that
        exists now (the sandbox folder has tests of its own)."""
        found = {"data": self.path}
        for item in self.path.rglob("*"):
            if "sandbox" not in item.relative_to(self.path).parts:
                found[str(item.relative_to(self.path.parent))] = item
        return {
            name: oct(stat.S_IMODE(p.stat().st_mode)) for name, p in found.items() if p.exists()
        }


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[DataFolder]:
    data = DataFolder(tmp_path)
    yield data
    for proc in data.processes:
        proc.terminate()
        proc.wait(timeout=30)


def _expected(modes: dict[str, str], folder: DataFolder) -> dict[str, str]:
    return {name: "0o700" if (folder.path.parent / name).is_dir() else "0o600" for name in modes}


def _fill(folder: DataFolder, tmp_path: Path) -> None:
    """A database, a key file (a project's client secret) and a stored video."""
    folder.cli("migrate")
    folder.cli(
        "project", "add", "Brand A", "--client-id", "brand-a.apps.test", stdin="client-secret\n"
    )
    video = fake_video(tmp_path / "clip.mp4", 64 * 1024)
    folder.cli(
        "upload", str(video), "--title", "Private clip", "--at", "tomorrow 9am", "--tz", "UTC"
    )


def _wait_for_wal(folder: DataFolder) -> None:
    wal = folder.database.with_name("tubefleet.db-wal")
    shm = folder.database.with_name("tubefleet.db-shm")
    deadline = time.monotonic() + 30
    while not (wal.exists() and shm.exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert wal.exists() and shm.exists(), "the worker did not open the database"


@pytest.mark.slow
def test_a_new_data_folder_is_private_under_umask_022(folder: DataFolder, tmp_path: Path) -> None:
    _fill(folder, tmp_path)
    worker = folder.start_worker()  # holds the database open: the WAL and SHM stay
    _wait_for_wal(folder)
    modes = folder.modes()
    assert worker.poll() is None
    assert {
        "data",
        "data/tubefleet.db",
        "data/tubefleet.db-wal",
        "data/tubefleet.db-shm",
        "data/secret.keys",
        "data/media",
    } <= set(modes)
    assert sum(name.startswith("data/media/") for name in modes) == 1, modes
    assert modes == _expected(modes, folder)


@pytest.mark.slow
def test_an_existing_readable_data_folder_is_tightened_on_start(
    folder: DataFolder, tmp_path: Path
) -> None:
    _fill(folder, tmp_path)
    # As an older version (or a copy made with umask 022) left it.
    for item in [folder.path, *folder.path.rglob("*")]:
        item.chmod(0o755 if item.is_dir() else 0o644)
    assert folder.modes()["data/tubefleet.db"] == "0o644"

    assert "Brand A" in folder.cli("projects")
    modes = folder.modes()
    assert modes == _expected(modes, folder)

    for item in [folder.path, *folder.path.rglob("*")]:
        item.chmod(0o755 if item.is_dir() else 0o644)
    folder.start_worker()
    _wait_for_wal(folder)
    deadline = time.monotonic() + 30
    while folder.modes() != _expected(folder.modes(), folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    modes = folder.modes()
    assert modes == _expected(modes, folder)
