"""`tubefleet run`, `worker`, `migrate` and `sandbox`: the processes TubeFleet runs as."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from app.cli.output import CommandError
from core import db
from core.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def add_parsers(sub: Any) -> None:
    run = sub.add_parser("run", help="migrate, then serve the dashboard (production mode)")
    run.add_argument("--port", type=int, help="port for the dashboard (default 3000)")
    run.set_defaults(handler=cmd_run)

    worker = sub.add_parser("worker", help="run the scheduled jobs without the web UI")
    worker.set_defaults(handler=cmd_worker)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    sandbox = sub.add_parser("sandbox", help="run the local YouTube/Google OAuth emulator")
    sandbox.add_argument("--port", type=int, default=3001)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--data", type=Path, help="keep the sandbox's state in this folder")
    sandbox.set_defaults(handler=cmd_sandbox)


def cmd_migrate(_args: argparse.Namespace) -> int:
    db.migrate()
    print(f"database is up to date ({_describe_db()})")
    return 0


def _describe_db() -> str:
    url = get_settings().resolved_database_url
    if url.startswith("sqlite"):
        return url.removeprefix("sqlite:///")
    return url.split("@")[-1]  # never print credentials


def cmd_worker(_args: argparse.Namespace) -> int:
    from core.runtime import init_process
    from jobs import scheduler

    init_process()
    db.migrate()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start("worker")
    print(f"tubefleet worker running (pid {os.getpid()}); Ctrl-C to stop", flush=True)
    stop.wait()
    scheduler.stop(wait=True)
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.server import serve

    serve(host=args.host, port=args.port, data_dir=args.data,
          on_ready=lambda url: print(f"sandbox listening on {url}", flush=True))
    return 0


def reflex_env(data_dir: Path) -> dict[str, str]:
    """Environment for Reflex: npm from the virtualenv, nothing from the internet or $HOME."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    # Reflex's own files stay in the project (not $HOME), shared by every data folder.
    env.setdefault("REFLEX_DIR", str(PROJECT_ROOT / ".cache" / "reflex"))
    env.setdefault("REFLEX_USE_GRANIAN", "true")
    env["TUBEFLEET_DATA_DIR"] = str(data_dir)
    return env


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def cmd_run(args: argparse.Namespace) -> int:
    from core import auth
    from core.runtime import init_process

    settings = get_settings()
    port = args.port or settings.port
    if not (PROJECT_ROOT / "rxconfig.py").exists():
        raise CommandError(f"rxconfig.py not found in {PROJECT_ROOT}")
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TUBEFLEET_DATA_DIR"] = str(data_dir)
    init_process()

    started = time.monotonic()
    db.migrate()
    print(f"database ready ({_describe_db()})", flush=True)
    with db.session() as s:
        first_admin = auth.ensure_first_admin(session=s)

    children: list[subprocess.Popen[bytes]] = []
    from app.cli import demo
    from core.runtime import mode as current_mode

    mode = current_mode()
    if mode == "sandbox":
        try:
            children.append(demo.start_sandbox(data_dir))
            print(demo.seed_sandbox(), flush=True)
        except Exception as exc:
            for child in children:
                child.terminate()
            raise CommandError(f"sandbox mode could not start: {exc}") from exc

    env = reflex_env(data_dir)
    cmd = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
           "--frontend-port", str(port), "--backend-host", settings.host,
           "--loglevel", "warning"]
    print(f"starting the dashboard on port {port} (first start builds the frontend, "
          "about a minute)...", flush=True)
    web = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, start_new_session=True)
    children.append(web)

    def shutdown(*_: Any) -> None:
        for child in reversed(children):
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    try:
        if not _wait_until_up(f"http://127.0.0.1:{port}/ping", web, timeout=900):
            shutdown()
            raise CommandError("the dashboard did not start; see the messages above")
        _print_ready(port, mode, first_admin, time.monotonic() - started)
        return web.wait()
    finally:
        shutdown()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def _print_ready(port: int, mode: str, first_admin: tuple[str, str] | None,
                 seconds: float) -> None:
    url = get_settings().public_url if get_settings().port == port else f"http://localhost:{port}"
    lines = [f"TubeFleet is ready after {seconds:.0f} s: open {url}/login",
             f"mode: {mode}" + (" (local YouTube emulator; no Google account needed)"
                                if mode == "sandbox" else "")]
    if first_admin:
        email, password = first_admin
        lines += ["first run: an admin was created",
                  f"  email:    {email}",
                  f"  password: {password}   (one-time: you will be asked to change it)"]
    else:
        lines.append("log in with your account (forgot it? tubefleet user reset-password "
                     "EMAIL --generate)")
    width = max(len(line) for line in lines) + 4
    print("+" + "-" * width + "+")
    for line in lines:
        print("|  " + line.ljust(width - 2) + "|")
    print("+" + "-" * width + "+", flush=True)
