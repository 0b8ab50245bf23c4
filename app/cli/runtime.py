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
from core.settings import Settings, get_settings, reload_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def add_parsers(sub: Any) -> None:
    # These migrate the database themselves, or need none: no schema check before them.
    run = sub.add_parser("run", help="migrate, then serve the dashboard (production mode)")
    run.add_argument(
        "--port", type=_port, help="port for the dashboard (default: TUBEFLEET_PORT, else 3000)"
    )
    run.set_defaults(handler=cmd_run, needs_schema=False)

    worker = sub.add_parser("worker", help="run the scheduled jobs without the web UI")
    worker.set_defaults(handler=cmd_worker, needs_schema=False)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=cmd_migrate, needs_schema=False)

    sandbox = sub.add_parser("sandbox", help="run the local YouTube/Google OAuth emulator")
    sandbox.add_argument("--port", type=int, default=3001)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--data", type=Path, help="keep the sandbox's state in this folder")
    sandbox.set_defaults(handler=cmd_sandbox, needs_schema=False)


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {value!r}") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535, got {number}")
    return number


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
    from core.process import init_process
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

    serve(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        on_ready=lambda url: print(f"sandbox listening on {url}", flush=True),
    )
    return 0


def use_port(port: int | None) -> Settings:
    """`run --port N`: the port becomes TUBEFLEET_PORT for this process and every child.

    rxconfig.py reads the port from the settings (frontend, backend and the URL the
    browser calls back on must agree in single-port production mode), so the option has
    to reach the Reflex process through the environment, not only its command line. A
    public URL left at its default follows the port, so OAuth redirects and the allowed
    browser origin match the address the dashboard is served on.
    """
    settings = get_settings()
    if port is None or port == settings.port:
        return settings
    os.environ["TUBEFLEET_PORT"] = str(port)
    if "public_url" not in settings.model_fields_set:
        os.environ["TUBEFLEET_PUBLIC_URL"] = f"http://localhost:{port}"
    return reload_settings()


# npm settings that change what npm writes into package.json and package-lock.json.
# Reflex copies both back into the tracked reflex.lock/ after every install, so they are
# pinned to how reflex.lock/ was written: a person's ~/.npmrc (save-exact, a registry
# recorded as "resolved", another lockfile version) must not rewrite tracked files.
NPM_OUTPUT_CONFIG = {
    "npm_config_omit_lockfile_registry_resolved": "true",
    "npm_config_save_exact": "false",
    "npm_config_save_prefix": "^",
    "npm_config_package_lock": "true",
    "npm_config_lockfile_version": "3",
}


def reflex_env(data_dir: Path) -> dict[str, str]:
    """Environment for Reflex: npm from the virtualenv, nothing from the internet or $HOME,
    the settings this process resolved (port, data folder) passed on to rxconfig.py."""
    settings = get_settings()
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    # Reflex's own files stay in the project (not $HOME), shared by every data folder.
    env.setdefault("REFLEX_DIR", str(PROJECT_ROOT / ".cache" / "reflex"))
    env.setdefault("REFLEX_USE_GRANIAN", "true")
    # Matching keys in other spellings (NPM_CONFIG_..., dashes) would compete: drop them.
    pinned = {key.replace("-", "_").lower() for key in NPM_OUTPUT_CONFIG}
    for key in [k for k in env if k.replace("-", "_").lower() in pinned]:
        del env[key]
    env.update(NPM_OUTPUT_CONFIG)
    env.setdefault("npm_config_fund", "false")
    env.setdefault("npm_config_audit", "false")
    env.setdefault("npm_config_update_notifier", "false")
    env["TUBEFLEET_DATA_DIR"] = str(data_dir)
    env["TUBEFLEET_PORT"] = str(settings.port)
    env["TUBEFLEET_PUBLIC_URL"] = settings.public_url
    return env


def reflex_command(port: int, host: str) -> list[str]:
    """The production server on one port (frontend and backend)."""
    return [
        sys.executable,
        "-m",
        "reflex",
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
        "--backend-host",
        host,
        "--loglevel",
        "warning",
    ]


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
    from core.process import init_process

    settings = use_port(args.port)
    port = settings.port
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
    from core.process import mode as current_mode

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
    cmd = reflex_command(port, settings.host)
    print(
        f"starting the dashboard on port {port} (first start builds the frontend, "
        "about a minute)...",
        flush=True,
    )
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


def _print_ready(port: int, mode: str, first_admin: tuple[str, str] | None, seconds: float) -> None:
    url = get_settings().public_url if get_settings().port == port else f"http://localhost:{port}"
    lines = [
        f"TubeFleet is ready after {seconds:.0f} s: open {url}/login",
        f"mode: {mode}"
        + (" (local YouTube emulator; no Google account needed)" if mode == "sandbox" else ""),
    ]
    if first_admin:
        email, password = first_admin
        lines += [
            "first run: an admin was created",
            f"  email:    {email}",
            f"  password: {password}   (one-time: you will be asked to change it)",
        ]
    else:
        lines.append(
            "log in with your account (forgot it? tubefleet user reset-password EMAIL --generate)"
        )
    width = max(len(line) for line in lines) + 4
    print("+" + "-" * width + "+")
    for line in lines:
        print("|  " + line.ljust(width - 2) + "|")
    print("+" + "-" * width + "+", flush=True)
