"""Issue 9, finding 1: after `tubefleet keys rotate`, the retired key plus today's data
folder must not open any stored secret, even while other processes keep the database open.

The attacker has the retired key (an old backup of the key file) and a copy of the data
folder taken after the rotation. They scan the raw bytes of the database file, its WAL
and its SHM for every Fernet token and try the old key on each. Everything is real: the
CLI and a worker run as subprocesses against one SQLite file, and the refresh tokens come
from the sandbox playing Google.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken

from sandbox.control import SandboxControl

ROOT = Path(__file__).resolve().parents[2]
# Every Fernet token, overlapping: two encrypted columns side by side in a row are one run
# of base64 letters, so each "gAAAAA" starts a candidate of its own.
FERNET_TOKEN = re.compile(rb"(?=(gAAAAA[A-Za-z0-9_\-=]+))")
CHANNELS = 6

# Adds a sandbox project the way `tubefleet run` does (core.projects, in its own process).
ADD_PROJECT = """
import sys
from core import db, projects
with db.session() as s:
    projects.add_project(session=s, name=sys.argv[1], client_id=sys.argv[2],
                         client_secret=sys.stdin.readline().strip(), verified=True,
                         is_sandbox=True, actor="test")
"""
# A worker-like reader: holds its connection open and reads the secrets every 20 ms, each
# read its own short transaction (as the dashboard and the scheduler's ticks do).
READER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30)
print("reading", flush=True)
while True:
    con.execute("SELECT refresh_token_enc, access_token_enc FROM channels").fetchall()
    time.sleep(0.02)
"""
# A reader inside one long read transaction until told (a line on stdin) to finish it.
HOLDER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
con.execute("BEGIN")
con.execute("SELECT refresh_token_enc FROM channels").fetchall()
print("holding", flush=True)
sys.stdin.readline()
con.execute("COMMIT")
print("released", flush=True)
while True:
    con.execute("SELECT count(*) FROM channels").fetchall()
    time.sleep(0.05)
"""


@dataclass
class Fleet:
    env: dict[str, str]
    data_dir: Path
    processes: list[subprocess.Popen[str]] = field(default_factory=list)
    refresh_tokens: list[str] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return self.data_dir / "tubefleet.db"

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=300,
            check=False,
        )

    def python(self, script: str, *args: str, stdin: str = "") -> None:
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def start(
        self, argv: list[str], ready: str | None = None, stdin: bool = False
    ) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            text=True,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(proc)
        if ready is not None:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert ready in line, f"{argv} said {line!r}"
        return proc

    def keys(self) -> list[bytes]:
        text = (self.data_dir / "secret.keys").read_text()
        return [
            line.split()[-1].encode()
            for line in text.splitlines()
            if line.strip() and not line.startswith("#")
        ]


@pytest.fixture
def fleet(tmp_path: Path, control: SandboxControl, sandbox_url: str) -> Iterator[Fleet]:
    """A migrated data folder with a sandbox project and CHANNELS imported channels."""
    env = {
        **os.environ,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(tmp_path / "data"),
        "TUBEFLEET_MODE": "sandbox",
        "TUBEFLEET_SANDBOX_URL": sandbox_url,
        "TUBEFLEET_LOG_LEVEL": "WARNING",
    }
    for name in ("TUBEFLEET_DATABASE_URL", "TUBEFLEET_SECRET_KEY"):
        env.pop(name, None)
    world = Fleet(env, tmp_path / "data")
    try:
        done = world.cli("migrate")
        assert done.returncode == 0, done.stderr
        yield world
    finally:
        for proc in world.processes:
            proc.kill()
            proc.wait(timeout=30)


def _store_channels(world: Fleet, control: SandboxControl) -> None:
    created = control.create_project("Rotation test", verified=True)
    world.python(
        ADD_PROJECT, "Rotation test", created["client_id"], stdin=created["client_secret"] + "\n"
    )
    account = control.create_account("owner@rotation.test", "Owner")
    for n in range(CHANNELS):
        yt = control.create_channel(account["id"], f"Rotating {n}", brand=n > 0)
        grant = control.grant(created["client_id"], yt["id"])
        done = world.cli(
            "channel", "import", "--project", "Rotation test", stdin=grant["refresh_token"] + "\n"
        )
        assert done.returncode == 0, done.stderr
        world.refresh_tokens.append(grant["refresh_token"])


def _start_workers(world: Fleet) -> subprocess.Popen[str]:
    """`tubefleet worker` and a reader that keeps the database open and busy."""
    worker = world.start([sys.executable, "-m", "app.cli", "worker"], ready="worker running")
    world.start([sys.executable, "-c", READER, str(world.database)], ready="reading")
    return worker


def _candidates(match: bytes) -> Iterator[bytes]:
    """The token, and shorter readings of it: a Fernet token is 57 + 16n bytes in urlsafe
    base64, and the bytes after it in a page may happen to be base64 letters too."""
    yield match
    for n in range(1, 1 + (len(match) * 3 // 4) // 16):
        size = 57 + 16 * n
        length = 4 * -(-size // 3)
        if length < len(match):
            yield match[:length]


def _opens(fernet: Fernet, token: bytes) -> bool:
    for candidate in _candidates(token):
        try:
            fernet.decrypt(candidate)
            return True
        except (InvalidToken, ValueError):
            continue
    return False


def _scan(world: Fleet) -> tuple[list[bytes], dict[str, int]]:
    """Every Fernet token in the database file, its WAL and SHM; bytes seen per file."""
    found: list[bytes] = []
    sizes = {}
    for suffix in ("", "-wal", "-shm"):
        path = world.database.with_name(world.database.name + suffix)
        if path.exists():
            blob = path.read_bytes()
            sizes[path.name] = len(blob)
            found += FERNET_TOKEN.findall(blob)
    return found, sizes


def _live_secrets(world: Fleet) -> list[bytes]:
    with sqlite3.connect(world.database, timeout=30) as con:
        rows = con.execute(
            "SELECT client_secret_enc FROM projects UNION ALL "
            "SELECT refresh_token_enc FROM channels UNION ALL "
            "SELECT access_token_enc FROM channels"
        ).fetchall()
    con.close()
    return [value.encode() for (value,) in rows if value]


def _assert_retired_key_opens_nothing(world: Fleet, old_keys: list[bytes]) -> None:
    tokens, sizes = _scan(world)
    new_key = Fernet(world.keys()[0])
    live = _live_secrets(world)
    assert len(live) >= 1 + CHANNELS
    for value in live:  # the scan sees the secrets as they are stored now
        assert any(t.startswith(value) for t in tokens), f"not found in the files ({sizes})"
        assert _opens(new_key, value)
    for old in old_keys:
        opened = [t for t in tokens if _opens(Fernet(old), t)]
        assert not opened, (
            f"{len(opened)} of {len(tokens)} ciphertexts in the database files still open "
            f"with the retired key ({sizes})"
        )


def test_rotation_while_a_worker_reads_leaves_nothing_the_old_key_opens(
    fleet: Fleet, control: SandboxControl
) -> None:
    worker = _start_workers(fleet)
    _store_channels(fleet, control)
    old_keys = fleet.keys()
    assert old_keys

    done = fleet.cli("keys", "rotate")
    assert done.returncode == 0, done.stderr
    assert f"retired {len(old_keys)} old key(s)" in done.stdout
    assert not set(fleet.keys()) & set(old_keys)

    time.sleep(1)  # the worker keeps running (heartbeats) on the rotated database
    assert worker.poll() is None, "the worker died during the rotation"
    _assert_retired_key_opens_nothing(fleet, old_keys)
    # The channels still work with the new key: a token refresh through the sandbox.
    done = fleet.cli("tokens", "refresh", "--json")
    assert done.returncode == 0, done.stderr


def test_a_reader_holding_a_snapshot_is_reported_then_scrub_finishes(
    fleet: Fleet, control: SandboxControl
) -> None:
    _start_workers(fleet)
    _store_channels(fleet, control)
    old_keys = fleet.keys()
    holder = fleet.start(
        [sys.executable, "-c", HOLDER, str(fleet.database)], ready="holding", stdin=True
    )

    started = time.monotonic()
    done = fleet.cli("keys", "rotate", "--wait", "2")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "re-encrypted" in done.stdout
    assert "read transaction" in done.stderr and "tubefleet keys scrub" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert time.monotonic() - started < 60

    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert "released" in holder.stdout.readline()
    done = fleet.cli("keys", "scrub", "--wait", "30")
    assert done.returncode == 0, done.stderr
    _assert_retired_key_opens_nothing(fleet, old_keys)
