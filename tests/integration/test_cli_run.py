"""Issue 9, findings 3 and 5: `tubefleet run --port N` works on its own (rxconfig.py reads
the port from the settings, so the option must reach the Reflex process as
TUBEFLEET_PORT), and a first start leaves every tracked file as it was (Reflex copies
npm's package.json and package-lock.json back into the tracked reflex.lock/, and what
npm writes depends on the person's npm configuration)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import runtime
from core.settings import reload_settings
from tests import apprun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_port_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("TUBEFLEET_PORT", "TUBEFLEET_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    reload_settings()
    try:
        yield monkeypatch
    finally:
        monkeypatch.undo()
        reload_settings()


def test_port_option_reaches_settings_the_command_and_the_child_env(
    clean_port_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = runtime.use_port(4321)
    assert settings.port == 4321
    assert settings.public_url == "http://localhost:4321"  # the default follows the port
    assert os.environ["TUBEFLEET_PORT"] == "4321"

    command = runtime.reflex_command(settings.port, settings.host)
    assert command[command.index("--frontend-port") + 1] == "4321"
    assert command[command.index("--backend-port") + 1] == "4321"
    assert "--single-port" in command and command[command.index("--env") + 1] == "prod"

    env = runtime.reflex_env(tmp_path)
    assert (env["TUBEFLEET_PORT"], env["TUBEFLEET_PUBLIC_URL"]) == ("4321", "http://localhost:4321")
    # rxconfig.py in the child, with that environment, serves everything on that port.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import rxconfig; c = rxconfig.config; "
            "print(c.frontend_port, c.backend_port, c.api_url)",
        ],
        cwd=ROOT,
        env={**env, "TUBEFLEET_ENV_FILE": ""},
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split() == ["4321", "4321", "http://localhost:4321"]


def test_port_option_keeps_a_configured_public_url(clean_port_env: pytest.MonkeyPatch) -> None:
    clean_port_env.setenv("TUBEFLEET_PUBLIC_URL", "https://fleet.example.com")
    reload_settings()
    settings = runtime.use_port(8080)
    assert (settings.port, settings.public_url) == (8080, "https://fleet.example.com")
    assert runtime.use_port(None).port == 8080  # no option: whatever is configured


def test_npm_settings_that_rewrite_the_lock_files_are_pinned(
    clean_port_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_port_env.setenv("NPM_CONFIG_SAVE_EXACT", "true")
    clean_port_env.setenv("npm_config_omit-lockfile-registry-resolved", "false")
    env = runtime.reflex_env(tmp_path)
    assert "NPM_CONFIG_SAVE_EXACT" not in env
    assert "npm_config_omit-lockfile-registry-resolved" not in env
    assert env["npm_config_save_exact"] == "false"
    assert env["npm_config_omit_lockfile_registry_resolved"] == "true"


# --- the real first start, in a fresh checkout ------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _checkout(target: Path) -> Path:
    """A new checkout of this working tree (tracked and new files), committed."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.email=test@example.com", "-c", "user.name=test"]
    subprocess.run([*git, "init", "-q"], cwd=target, check=True)
    subprocess.run([*git, "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "checkout"], cwd=target, check=True)
    return target


@pytest.mark.slow
def test_first_run_with_port_option_serves_and_leaves_tracked_files_alone(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path / "checkout")
    # Someone's own npm configuration, of the kind that made npm rewrite reflex.lock/.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".npmrc").write_text("save-exact=true\nomit-lockfile-registry-resolved=false\n")
    port = _free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(tmp_path / "data"),
        "TUBEFLEET_MODE": "google",
    }
    for name in (
        "TUBEFLEET_PORT",
        "TUBEFLEET_PUBLIC_URL",
        "TUBEFLEET_DATABASE_URL",
        "TUBEFLEET_SECRET_KEY",
    ):
        env.pop(name, None)
    cache = Path(os.environ.get("HOME", "/nonexistent")) / ".npm"
    if cache.is_dir():  # only saves downloading; it does not change what npm writes
        env["npm_config_cache"] = str(cache)

    running = apprun.start(
        [sys.executable, "-m", "app.cli", "run", "--port", str(port)], cwd=checkout, env=env
    )
    output = running.output
    try:
        assert running.wait_ready(), "\n".join(output[-60:])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=10) as answer:
            assert answer.status == 200
        assert any(f"open http://localhost:{port}/login" in line for line in output)
    finally:
        running.stop()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == "", f"the first start changed tracked files:\n{status}" + (
        subprocess.run(
            ["git", "diff", "--stat"], cwd=checkout, capture_output=True, text=True, check=False
        ).stdout
    )
    assert (checkout / ".web").is_dir()  # it did build the frontend there
    assert oct((tmp_path / "data").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "data" / "tubefleet.db").stat().st_mode & 0o777) == "0o600"
