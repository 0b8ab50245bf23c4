"""Token refresh at scale, secrets never in the clear, and key rotation."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select as sa_select
from sqlmodel import select

from core import channel_reads, clock, db, tokens, vault
from core.gateways import channel_gateway
from core.logging import RedactingFilter
from core.quota import Priority
from core.settings import get_settings
from models import Channel, ChannelState
from tests.integration.world import SandboxWorld

ROOT = Path(__file__).resolve().parents[2]


def _bulk_channels(world: SandboxWorld, count: int) -> list[int]:
    """`count` sandbox channels with grants, stored as TubeFleet channels due for refresh."""
    project = world.project("Big pool")
    now = clock.now()
    rows = []
    for n in range(count):
        yt = world.youtube_channel(f"Pool channel {n:03d}", brand=True)
        grant = world.control.grant(project.client_id, yt["id"])
        rows.append(
            Channel(
                youtube_id=yt["id"],
                project_id=project.id or 0,
                title=yt.get("title", str(n)),
                refresh_token_enc=vault.encrypt(grant["refresh_token"]),
                access_token_enc=vault.encrypt(grant["access_token"]),
                token_expires_at=now + timedelta(minutes=10),
                connected_at=now,
                created_at=now,
                state=ChannelState.ACTIVE,
            )
        )
    with db.session() as s:
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows if r.id is not None]


@pytest.mark.slow
def test_500_expiring_tokens_are_refreshed_once_each_in_one_tick(world: SandboxWorld) -> None:
    ids = _bulk_channels(world, 500)
    world.control.clear_log()
    # Two processes tick at the same moment (this one with two threads, and a worker).
    env = {**os.environ, "TUBEFLEET_ENV_FILE": ""}
    worker = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "tokens", "refresh", "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    reports: list[tokens.TickReport] = []
    threads = [
        threading.Thread(target=lambda: reports.append(tokens.refresh_due())) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out, _ = worker.communicate(timeout=120)
    other = json.loads(out)

    refreshed = sum(r.refreshed for r in reports) + other["refreshed"]
    assert refreshed == 500
    assert sum(r.failed for r in reports) + other["failed"] == 0
    per_channel = Counter(e["channel_id"] for e in world.control.log(method="token", limit=5000))
    assert len(per_channel) == 500 and set(per_channel.values()) == {1}
    with db.read_session() as s:
        fresh = s.exec(
            select(Channel).where(Channel.token_expires_at > clock.now() + timedelta(minutes=50))
        ).all()
    assert sorted(c.id for c in fresh) == sorted(ids)
    print(
        f"\n500 channels: tick times {[round(r.seconds, 2) for r in reports]} s in-process, "
        f"{other['seconds']} s in the worker"
    )


def test_no_secret_in_the_database_file_or_the_logs(world: SandboxWorld) -> None:
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    ours = logging.getLogger("tubefleet")  # a CLI run in this process may have set its level
    old_level, old_ours = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        project = world.project()
        channel = world.connected_channel(project, "Secretive")
        world.control.add_fault("auth_401", method="channels.list")
        channel_gateway(channel.id or 0, Priority.BACKGROUND).call(
            "channels.list", lambda yt: yt.channels().list(part="snippet", mine=True)
        )
        clock.shift(timedelta(minutes=45))
        tokens.refresh_due()
        logging.getLogger("tubefleet.test").info(
            "stored token %s", _stored_plaintexts(channel.id or 0)
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        ours.setLevel(old_ours)
    secrets = world.secrets + _stored_plaintexts(channel.id or 0)
    assert len(secrets) >= 5
    db_path = Path(get_settings().resolved_database_url.removeprefix("sqlite:///"))
    with db.engine().connect() as conn:  # flush the WAL so the main file is complete too
        conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    blobs = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    text = log.getvalue()
    assert "stored token" in text and "[redacted]" in text
    for secret in secrets:
        assert secret.encode() not in blobs, "a secret is stored in the clear"
        assert secret not in text, "a secret reached the logs"


def _stored_plaintexts(channel_id: int) -> list[str]:
    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None
    return [vault.decrypt(channel.refresh_token_enc), vault.decrypt(channel.access_token_enc or "")]


def test_key_rotation_keeps_channels_working_and_retires_the_old_key(world: SandboxWorld) -> None:
    project = world.project()
    made = [world.connected_channel(project, f"Rotating {n}") for n in range(3)]
    old_keys = [
        line
        for line in get_settings().key_file.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    report = vault.rotate()
    assert report.re_encrypted >= 1 + 3 * 2  # client secret, refresh and access tokens
    assert report.keys_retired == len(old_keys)
    new_keys = [
        line
        for line in get_settings().key_file.read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(new_keys) == 1 and new_keys[0] not in old_keys
    assert oct(get_settings().key_file.stat().st_mode & 0o777) == "0o600"

    old = [Fernet(k.encode()) for k in old_keys]
    for model, column in vault._secret_columns():
        table = model.__table__
        with db.read_session() as s:
            values = [v for v in s.execute(sa_select(table.c[column])).scalars() if v]
        for value in values:
            for fernet in old:
                try:
                    fernet.decrypt(value.encode())
                except InvalidToken:
                    continue
                raise AssertionError(f"{table.name}.{column} still opens with an old key")
    # Every channel still works: a forced refresh and a call with the refreshed token.
    for channel in made:
        tokens.refresh_now(channel.id or 0)
        answer = channel_gateway(channel.id or 0, Priority.BACKGROUND).call(
            "channels.list", lambda yt: yt.channels().list(part="snippet", mine=True)
        )
        assert answer["items"][0]["id"] == channel.youtube_id
    with db.read_session() as s:
        assert {r["title"] for r in channel_reads.pool_listing(session=s)} == {
            "Rotating 0",
            "Rotating 1",
            "Rotating 2",
        }
