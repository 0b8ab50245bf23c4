"""Issue 9, finding 7: sandbox mode without `tubefleet run`. `tubefleet demo seed` creates
the demo project and channels (idempotent; using the sandbox that answers, or starting one
for the duration), and `tubefleet project add` in sandbox mode registers the OAuth client
in the sandbox, so its channels can be connected and used.

Real subprocesses, a real SQLite data folder and a real sandbox over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from app.cli.demo import DEMO_CHANNELS, DEMO_PROJECT
from sandbox.control import SandboxControl

ROOT = Path(__file__).resolve().parents[2]
CONNECTED = [title for title, *_, state in DEMO_CHANNELS if state is not None]


class Folder:
    def __init__(self, data_dir: Path, sandbox_url: str, **extra: str) -> None:
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "TUBEFLEET_ENV_FILE": "",
            "TUBEFLEET_DATA_DIR": str(data_dir),
            "TUBEFLEET_MODE": "sandbox",
            "TUBEFLEET_SANDBOX_URL": sandbox_url,
            "TUBEFLEET_LOG_LEVEL": "WARNING",
            **extra,
        }
        for name in ("TUBEFLEET_DATABASE_URL", "TUBEFLEET_SECRET_KEY"):
            self.env.pop(name, None)
        assert self.cli("migrate").returncode == 0

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=180,
            check=False,
        )

    def json(self, *args: str, stdin: str = "") -> Any:
        done = self.cli(*args, "--json", stdin=stdin)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def folder(tmp_path: Path, control: SandboxControl, sandbox_url: str) -> Folder:
    return Folder(tmp_path / "data", sandbox_url)


@pytest.mark.slow
def test_demo_seed_creates_the_demo_fleet_once(folder: Folder, control: SandboxControl) -> None:
    done = folder.cli("demo", "seed")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"sandbox project {DEMO_PROJECT!r} created with "
        f"{len(CONNECTED)} demo channels ({len(CONNECTED)} total)"
    )
    [project] = folder.json("projects")
    assert (project["name"], project["is_sandbox"], project["verified"]) == (
        DEMO_PROJECT,
        True,
        True,
    )
    assert [p["client_id"] for p in control.projects()] == [project["client_id"]]
    pool = folder.json("channels")
    assert sorted(c["title"] for c in pool) == sorted(CONNECTED)
    assert {c["project"] for c in pool} == {DEMO_PROJECT}
    # The channels work: their tokens refresh through the sandbox.
    assert folder.cli("tokens", "refresh").returncode == 0

    again = folder.cli("demo", "seed")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"sandbox project {DEMO_PROJECT!r} ready"
    assert len(folder.json("channels")) == len(CONNECTED)
    assert len(control.projects()) == 1
    assert len(control.channels()) == len(DEMO_CHANNELS)


@pytest.mark.slow
def test_demo_seed_recreates_a_project_the_sandbox_lost(
    folder: Folder, control: SandboxControl
) -> None:
    assert folder.cli("demo", "seed").returncode == 0
    [project] = folder.json("projects")
    control.reset(seed=False)  # the sandbox's data folder was removed
    done = folder.cli("demo", "seed")
    assert done.returncode == 0, done.stderr
    assert [p["client_id"] for p in control.projects()] == [project["client_id"]]


@pytest.mark.slow
def test_project_add_in_sandbox_mode_registers_it_in_the_sandbox(
    folder: Folder, control: SandboxControl
) -> None:
    made = folder.json("project", "add", "Team sandbox", "--consent-testing", "--preset", "legacy")
    assert made["is_sandbox"] is True and made["consent_testing"] is True
    assert made["quota_policy"] == {"preset": "legacy"}
    there = control.project(made["client_id"])
    assert (there["name"], there["consent_status"], there["quota_model"], there["verified"]) == (
        "Team sandbox",
        "testing",
        "legacy",
        False,
    )

    # Its channels connect through the sandbox, with the secret TubeFleet stored.
    account = control.create_account("team@example.com", "Team")
    yt = control.create_channel(account["id"], "Team channel")
    grant = control.grant(made["client_id"], yt["id"])
    channel = folder.json(
        "channel", "import", "--project", "Team sandbox", stdin=grant["refresh_token"] + "\n"
    )
    assert channel["youtube_id"] == yt["id"]

    # A client id of one's choosing: registered in the sandbox with the secret from stdin.
    mine = folder.json(
        "project",
        "add",
        "Chosen",
        "--client-id",
        "chosen.apps.test",
        "--verified",
        stdin="chosen-secret\n",
    )
    assert mine["client_id"] == "chosen.apps.test" and mine["verified"] is True
    grant = control.grant(
        "chosen.apps.test", control.create_channel(account["id"], "Chosen one", brand=True)["id"]
    )
    assert (
        folder.cli(
            "channel", "import", "--project", "Chosen", stdin=grant["refresh_token"] + "\n"
        ).returncode
        == 0
    )


@pytest.mark.slow
def test_project_add_refusals_leave_the_sandbox_alone(
    folder: Folder, control: SandboxControl
) -> None:
    assert folder.cli("project", "add", "Team sandbox").returncode == 0
    done = folder.cli("project", "add", "Team sandbox")
    assert (done.returncode, done.stderr) == (
        2,
        "tubefleet: error: name: a project named 'Team sandbox' already exists\n",
    )
    done = folder.cli("project", "add", "Bad/name")
    assert done.returncode == 2 and "name: use 1-100 letters" in done.stderr
    assert len(control.projects()) == 1
    # A Google project in sandbox mode needs its client id, and stays out of the sandbox.
    done = folder.cli("project", "add", "Real one", "--google")
    assert (done.returncode, done.stderr) == (
        2,
        "tubefleet: error: --client-id is required for a Google project\n",
    )
    real = folder.json(
        "project",
        "add",
        "Real one",
        "--google",
        "--client-id",
        "real.apps.googleusercontent.com",
        stdin="real-secret\n",
    )
    assert real["is_sandbox"] is False
    assert len(control.projects()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_sandbox/health", timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_demo_seed_starts_a_sandbox_when_none_answers(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    folder = Folder(tmp_path / "data", url, TUBEFLEET_SANDBOX_PORT=str(port))
    done = folder.cli("demo", "seed")
    assert done.returncode == 0, done.stderr
    assert f"sandbox (YouTube + Google OAuth emulator) at {url}" in done.stdout
    assert "created with" in done.stdout
    assert not _answers(url), "the sandbox it started is still running"
    assert (tmp_path / "data" / "sandbox").is_dir()  # where `tubefleet run` keeps it

    # The next start finds the project in the sandbox's kept state.
    again = folder.cli("demo", "seed")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith(f"sandbox project {DEMO_PROJECT!r} ready")
    assert not _answers(url)


@pytest.mark.slow
def test_demo_seed_needs_sandbox_mode(tmp_path: Path, sandbox_url: str) -> None:
    folder = Folder(tmp_path / "data", sandbox_url, TUBEFLEET_MODE="google")
    done = folder.cli("demo", "seed")
    assert done.returncode == 2
    assert "the demo lives in the sandbox" in done.stderr
