"""A sandbox "world" for integration tests: projects and channels on both sides."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import auth, channels, db, projects
from core.uploads import Runner
from models import Channel, ChannelState, Project, Role, UploadJob, UploadState
from sandbox.control import SandboxControl

# The tests acting on upload jobs as a trusted system caller (as the CLI does).
SYSTEM = auth.SystemActor("test")

_names = itertools.count(1)


@dataclass
class SandboxWorld:
    control: SandboxControl
    url: str
    account: dict[str, Any] | None = None
    secrets: list[str] = field(default_factory=list)  # every token and secret handed out
    _personal_taken: bool = False

    def project(
        self,
        name: str = "",
        *,
        verified: bool = True,
        limits: dict[str, int] | None = None,
        our_limits: dict[str, int] | None = None,
    ) -> Project:
        """A project known to the sandbox (with Google's `limits`) and to TubeFleet (which
        counts against `our_limits`, by default Google's published defaults)."""
        name = name or f"Project {next(_names)}"
        created = self.control.create_project(name, verified=verified, limits=limits)
        self.secrets.append(created["client_secret"])
        with db.session() as s:
            return projects.add_project(
                session=s,
                name=name,
                client_id=created["client_id"],
                client_secret=created["client_secret"],
                verified=verified,
                is_sandbox=True,
                actor="test",
                quota_policy={"limits": our_limits or {}},
            )

    def youtube_channel(self, title: str = "", **fields: Any) -> dict[str, Any]:
        if self.account is None:
            self.account = self.control.create_account(
                f"owner{next(_names)}@example.com", "Channel Owner"
            )
        title = title or f"Channel {next(_names)}"
        # One personal channel per Google account; the rest are Brand Accounts.
        fields.setdefault("brand", self._personal_taken)
        self._personal_taken = True
        return self.control.create_channel(self.account["id"], title, **fields)

    def grant(self, project: Project, youtube_channel: dict[str, Any]) -> dict[str, Any]:
        grant = self.control.grant(project.client_id, youtube_channel["id"])
        self.secrets += [grant["refresh_token"], grant["access_token"]]
        return grant

    def connected_channel(
        self,
        project: Project,
        title: str = "",
        *,
        group: str = "",
        state: ChannelState = ChannelState.ACTIVE,
        **fields: Any,
    ) -> Channel:
        """A sandbox channel imported into TubeFleet with a fresh refresh token."""
        yt = self.youtube_channel(title, **fields)
        grant = self.grant(project, yt)
        return channels.import_channel(
            project=project,
            refresh_token=grant["refresh_token"],
            actor="test",
            group=group,
            state=state,
        )


def person(
    email: str,
    role: Role = Role.MARKETER,
    password: str = "correct horse battery",
    timezone: str = "UTC",
) -> auth.CurrentUser:
    """A person in the database, as the UI hands them to core (the acting user)."""
    with db.session() as s:
        user = auth.create_user(session=s, email=email, password=password, role=role, actor="test")
        assert user.id is not None
        return auth.CurrentUser(
            id=user.id, email=user.email, role=role, timezone=timezone, must_change_password=False
        )


def fake_video(path: Path, size: int, *, seed: int = 1) -> Path:
    """An MP4-looking file (ISO-BMFF 'ftyp' box, then pseudo-random bytes) of `size` bytes."""
    import random

    rng = random.Random(seed)
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    with path.open("wb") as out:
        out.write(header)
        left = size - len(header)
        while left > 0:
            block = rng.randbytes(min(left, 1 << 20))
            out.write(block)
            left -= len(block)
    return path


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def tiny_png(path: Path) -> Path:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 16 for _ in range(16))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


def run_jobs_until_done(
    job_ids: list[int],
    *,
    timeout: float = 60.0,
    runner: Runner | None = None,
    done: tuple[UploadState, ...] = (
        UploadState.PUBLISHED,
        UploadState.FAILED,
        UploadState.CANCELLED,
    ),
) -> dict[int, UploadJob]:
    """Tick a runner (as the scheduler would) until every job reaches one of `done`."""
    own = runner is None
    runner = runner or Runner(concurrency=2)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with db.read_session() as s:
                jobs = {j: s.get(UploadJob, j) for j in job_ids}
            if all(job is not None and job.state in done for job in jobs.values()):
                return jobs  # type: ignore[return-value]
            if time.monotonic() > deadline:
                states = {j: (job.state, job.state_reason) for j, job in jobs.items() if job}
                raise AssertionError(f"jobs did not finish in {timeout} s: {states}")
            runner.tick()
            time.sleep(0.05)
    finally:
        if own:
            runner.shutdown(wait=True)
