"""Browser tests: the README's run command serves the app; headless Chromium drives it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests import apprun

ROOT = Path(__file__).resolve().parents[2]
RUN_COMMAND = ["./scripts/run.sh"]  # the README's Quick start run command
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = ["/", "/channels", "/uploads", "/calendar", "/quota", "/alerts", "/settings"]


def free_port(preferred: int | None = None) -> int:
    if preferred is not None:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RunningApp:
    base_url: str
    admin_email: str
    admin_password: str
    env: dict[str, str]
    data_dir: Path
    output: list[str] = field(default_factory=list)

    def desk_admin(self) -> tuple[str, str]:
        """An admin with a password of their own (the printed one is one-time: every page
        but Settings waits until it is replaced)."""
        email, password = "desk-admin@example.com", "desk admin password 7"
        added = self.cli("user", "add", email, "--role", "admin", stdin=password + "\n")
        assert added.returncode == 0 or "exists" in added.stderr, added.stderr
        return email, password

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run `tubefleet ...` against the same database as the app."""
        return subprocess.run(
            [str(ROOT / ".venv/bin/tubefleet"), *args],
            input=stdin,
            cwd=ROOT,
            env=self.env,
            text=True,
            capture_output=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="session")
def app_server() -> Iterator[RunningApp]:
    data_dir = Path(tempfile.mkdtemp(prefix="tubefleet-e2e-"))
    port = free_port(3000)  # the README promises port 3000; CI has it free
    sandbox_port = free_port()
    env = {
        **os.environ,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(data_dir),
        "TUBEFLEET_PORT": str(port),
        "TUBEFLEET_PUBLIC_URL": f"http://localhost:{port}",
        "TUBEFLEET_SANDBOX_PORT": str(sandbox_port),
        "TUBEFLEET_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "TUBEFLEET_HEARTBEAT_SECONDS": "2",
        "TUBEFLEET_ALLOW_CLOCK_SHIFT": "1",
    }
    env.pop("TUBEFLEET_DATABASE_URL", None)
    running = apprun.start(RUN_COMMAND, cwd=ROOT, env=env)
    if not running.wait_ready():
        running.stop(timeout=30)
        pytest.fail(f"the run command did not get ready:\n{running.text[-4000:]}")
    text, output = running.text, running.output
    email = re.search(r"email:\s+(\S+)", text)
    password = re.search(r"password:\s+(\S+)", text)
    assert email and password, f"no credentials printed:\n{text[-2000:]}"
    app = RunningApp(
        f"http://localhost:{port}", email.group(1), password.group(1), env, data_dir, output
    )
    try:
        yield app
    finally:
        running.stop(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("TUBEFLEET_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, timezone_id="Europe/Berlin"
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        shots = ROOT / "test-results"
        shots.mkdir(exist_ok=True)
        pg.screenshot(path=str(shots / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def login(page: Page, base_url: str, email: str, password: str, path: str = "/") -> None:
    page.goto(base_url + path)
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))
