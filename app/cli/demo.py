"""Sandbox mode: start the local emulator beside the app and give a first run something
to look at (a sandbox project and a few demo channels); `tubefleet demo seed` does the
same without serving the app, and `project add` registers sandbox projects through here."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import select

from app.cli.output import CommandError
from core import channels, db, projects
from core.settings import get_settings
from models import Channel, ChannelState, Project

DEMO_PROJECT = "Sandbox project"
DEMO_ACCOUNT = "demo.publisher@sandbox.test"
# (title, brand account, custom thumbnails allowed, daily cap, group, state; None = left
# unconnected so people can try "Connect channel" on the consent page)
DEMO_CHANNELS: list[tuple[str, bool, bool, int, str, ChannelState | None]] = [
    ("Cooking Daily", False, True, 15, "Food", ChannelState.ACTIVE),
    ("Street Food Stories", True, True, 15, "Food", ChannelState.ACTIVE),
    ("Travel Notes", True, True, 10, "Travel", ChannelState.ACTIVE),
    ("Travel Shorts", True, False, 10, "Travel", ChannelState.RESERVE),
    ("Kids Crafts Studio", True, False, 5, "Kids", None),
]


def add_parsers(sub: Any) -> None:
    demo = sub.add_parser("demo", help="sandbox mode's demo project and channels")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True, metavar="ACTION")
    seed = demo_sub.add_parser(
        "seed",
        help="create the demo project and channels in the sandbox (idempotent)",
        description="Create the sandbox demo project and channels that `tubefleet run` "
        "creates on its first start in sandbox mode. Uses the sandbox at "
        "TUBEFLEET_SANDBOX_URL when one answers, else starts one for the "
        "duration (its state kept in the data folder). Running it again "
        "changes nothing.",
    )
    seed.set_defaults(handler=cmd_seed)


def cmd_seed(_args: argparse.Namespace) -> int:
    from core.process import mode

    if mode() != "sandbox":
        raise CommandError(
            "the demo lives in the sandbox: set TUBEFLEET_MODE=sandbox (or "
            "unset TUBEFLEET_GOOGLE_CLIENT_ID)"
        )
    with sandbox_available():
        print(seed_sandbox(), flush=True)
    return 0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def sandbox_answers() -> bool:
    return _answers(f"{get_settings().sandbox_url}/_sandbox/health")


def start_sandbox(data_dir: Path) -> subprocess.Popen[bytes]:
    """Start the emulator on the configured port, keeping its state under data/sandbox."""
    settings = get_settings()
    if sandbox_answers():
        raise RuntimeError(
            f"something already answers at {settings.sandbox_url}; stop it or "
            "set TUBEFLEET_SANDBOX_PORT and TUBEFLEET_SANDBOX_URL"
        )
    cmd = [
        sys.executable,
        "-m",
        "sandbox",
        "--host",
        settings.sandbox_host,
        "--port",
        str(settings.sandbox_port),
        "--data",
        str(data_dir / "sandbox"),
    ]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"the sandbox exited with status {proc.returncode}; "
                f"is port {settings.sandbox_port} in use?"
            )
        if sandbox_answers():
            print(
                f"sandbox (YouTube + Google OAuth emulator) at {settings.sandbox_url}", flush=True
            )
            return proc
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the sandbox did not start within 30 s")


@contextmanager
def sandbox_available() -> Iterator[None]:
    """The sandbox at TUBEFLEET_SANDBOX_URL: the one that answers there, or one started
    for the duration with its state in the data folder (where `tubefleet run` keeps it,
    so what is created now is there when the app starts)."""
    if sandbox_answers():
        yield
        return
    try:
        proc = start_sandbox(get_settings().data_dir.resolve())
    except RuntimeError as exc:
        raise CommandError(f"the sandbox could not start: {exc}") from None
    try:
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def add_sandbox_project(
    *,
    name: str,
    client_id: str | None,
    client_secret: str | None,
    verified: bool,
    consent_testing: bool,
    preset: str,
) -> dict[str, Any]:
    """`project add` in sandbox mode: register an OAuth client in the sandbox (with the
    given id and secret, or new ones), then add it as a sandbox project; its public row."""
    from sandbox.control import SandboxControl

    settings = get_settings()
    with db.read_session() as s:  # refuse before the sandbox gets a client nobody uses
        name = projects.check_new_project(session=s, name=name, client_id=client_id)
    with sandbox_available(), SandboxControl(settings.sandbox_url) as control:
        created = control.create_project(
            name,
            verified=verified,
            quota_model=preset,
            consent_status="testing" if consent_testing else "production",
            redirect_uris=[settings.oauth_redirect_uri],
            client_id=client_id or None,
            client_secret=client_secret or None,
        )
    with db.session() as s:
        project = projects.add_project(
            session=s,
            name=name,
            client_id=created["client_id"],
            client_secret=created["client_secret"],
            verified=verified,
            is_sandbox=True,
            consent_testing=consent_testing,
            quota_policy={"preset": preset},
            actor="cli",
        )
        return projects.public(project)


def seed_sandbox() -> str:
    """Make sure every sandbox project exists on both sides; add the demo project and its
    channels unless they are there already."""
    from sandbox.control import SandboxControl

    settings = get_settings()
    with db.read_session() as s:
        existing = list(s.exec(select(Project).where(Project.is_sandbox.is_(True))).all())  # type: ignore[attr-defined]
        demo = s.exec(select(Project).where(Project.name == DEMO_PROJECT)).first()
    with SandboxControl(settings.sandbox_url) as control:
        known = {p["client_id"] for p in control.projects()}
        for project in existing:
            if project.client_id not in known:  # the sandbox's data was removed: recreate
                control.create_project(
                    project.name,
                    verified=project.verified,
                    client_id=project.client_id,
                    client_secret=projects.client_secret(project),
                    quota_model=(project.quota_policy or {}).get("preset", "current"),
                    consent_status="testing" if project.consent_testing else "production",
                    redirect_uris=[settings.oauth_redirect_uri],
                )
        if demo is not None:
            return (
                f"sandbox project {DEMO_PROJECT!r} ready"
                if demo.is_sandbox
                else f"a Google project is named {DEMO_PROJECT!r}: no demo added"
            )
        created = control.create_project(
            DEMO_PROJECT, verified=True, redirect_uris=[settings.oauth_redirect_uri]
        )
        with db.session() as s:
            project = projects.add_project(
                session=s,
                name=DEMO_PROJECT,
                client_id=created["client_id"],
                client_secret=created["client_secret"],
                verified=True,
                is_sandbox=True,
                actor="system",
            )
        account = control.create_account(DEMO_ACCOUNT, "Demo Publisher")
        added = 0
        for title, brand, thumbs, cap, group, state in DEMO_CHANNELS:
            yt = control.create_channel(
                account["id"], title, brand=brand, custom_thumbnails=thumbs, daily_upload_cap=cap
            )
            if state is None:
                continue
            grant = control.grant(created["client_id"], yt["id"])
            channel = channels.import_channel(
                project=project,
                refresh_token=grant["refresh_token"],
                actor="system",
                group=group,
                state=state,
            )
            with db.session() as s:
                channels.set_daily_cap(
                    session=s, channel_id=channel.id or 0, cap=cap, actor="system"
                )
            added += 1
    with db.read_session() as s:
        total = len(s.exec(select(Channel)).all())
    return f"sandbox project {DEMO_PROJECT!r} created with {added} demo channels ({total} total)"
