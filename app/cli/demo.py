"""Sandbox mode: start the local emulator beside the app and give a first run something
to look at (a sandbox project and a few demo channels)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlmodel import select

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

def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def start_sandbox(data_dir: Path) -> subprocess.Popen[bytes]:
    """Start the emulator on the configured port, keeping its state under data/sandbox."""
    settings = get_settings()
    health = f"{settings.sandbox_url}/_sandbox/health"
    if _answers(health):
        raise RuntimeError(f"something already answers at {settings.sandbox_url}; stop it or "
                           "set TUBEFLEET_SANDBOX_PORT and TUBEFLEET_SANDBOX_URL")
    cmd = [sys.executable, "-m", "sandbox", "--host", settings.sandbox_host,
           "--port", str(settings.sandbox_port), "--data", str(data_dir / "sandbox")]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the sandbox exited with status {proc.returncode}; "
                               f"is port {settings.sandbox_port} in use?")
        if _answers(health):
            print(f"sandbox (YouTube + Google OAuth emulator) at {settings.sandbox_url}",
                  flush=True)
            return proc
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the sandbox did not start within 30 s")


def seed_sandbox() -> str:
    """Make sure the sandbox project exists on both sides; on first run add demo channels."""
    from sandbox.control import SandboxControl

    settings = get_settings()
    with db.read_session() as s:
        existing = s.exec(select(Project).where(Project.is_sandbox.is_(True))).first()  # type: ignore[attr-defined]
    with SandboxControl(settings.sandbox_url) as control:
        if existing is not None:
            known = {p["client_id"] for p in control.projects()}
            if existing.client_id not in known:  # the sandbox's data was removed: recreate
                control.create_project(existing.name, verified=existing.verified,
                                       client_id=existing.client_id,
                                       client_secret=projects.client_secret(existing))
            return f"sandbox project {existing.name!r} ready"
        created = control.create_project(
            DEMO_PROJECT, verified=True,
            redirect_uris=[settings.oauth_redirect_uri])
        with db.session() as s:
            project = projects.add_project(
                session=s, name=DEMO_PROJECT, client_id=created["client_id"],
                client_secret=created["client_secret"], verified=True, is_sandbox=True,
                actor="system")
        account = control.create_account(DEMO_ACCOUNT, "Demo Publisher")
        added = 0
        for title, brand, thumbs, cap, group, state in DEMO_CHANNELS:
            yt = control.create_channel(account["id"], title, brand=brand,
                                        custom_thumbnails=thumbs, daily_upload_cap=cap)
            if state is None:
                continue
            grant = control.grant(created["client_id"], yt["id"])
            channel = channels.import_channel(project=project,
                                              refresh_token=grant["refresh_token"],
                                              actor="system", group=group, state=state)
            with db.session() as s:
                channels.set_daily_cap(session=s, channel_id=channel.id or 0, cap=cap,
                                       actor="system")
            added += 1
    with db.read_session() as s:
        total = len(s.exec(select(Channel)).all())
    return f"sandbox project {DEMO_PROJECT!r} created with {added} demo channels ({total} total)"
