"""The sandbox's runtime context: store, clock, ledger, faults, log and settings in one object."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from starlette.requests import Request

from sandbox.blobs import DigestSink
from sandbox.clock import SandboxClock
from sandbox.directory import seed_defaults
from sandbox.faults import FaultBook
from sandbox.quota import QuotaLedger
from sandbox.requestlog import RequestLog
from sandbox.stats_model import DEFAULT_SEED
from sandbox.store import Store


@dataclass
class Settings:
    """Runtime knobs; set at start and changeable through the control API (not persisted)."""

    access_token_lifetime: int = 3600
    processing_delay: float = 2.0
    stats_seed: str = DEFAULT_SEED  # the audience model's seed (stats_model.py)
    # Resumable upload chunks are hashed and counted but not kept (the blob is a hole of
    # the right size): multi-GiB uploads in tests without writing GiBs to disk.
    discard_video_bytes: bool = False

    def as_dict(self) -> dict[str, float | str | bool]:
        return asdict(self)


class Sandbox:
    def __init__(self, data_dir: Path, settings: Settings, public_url: str | None) -> None:
        self.data_dir = data_dir
        self.blob_dir = data_dir / "blobs"
        for sub in ("uploads", "videos", "thumbnails", "incoming"):
            (self.blob_dir / sub).mkdir(parents=True, exist_ok=True)
        self.store = Store(data_dir / "sandbox.db")
        self.clock = SandboxClock(self.store)
        self.quota = QuotaLedger(self.store)
        self.faults = FaultBook()
        self.log = RequestLog()
        self.settings = settings
        self.public_url = public_url.rstrip("/") if public_url else None
        self.upload_locks: dict[str, asyncio.Lock] = {}
        # The running MD5 of each upload whose bytes are being discarded (memory only).
        self.upload_digests: dict[str, DigestSink] = {}
        if self.store.get_meta("seeded") is None:
            self._seed(True)

    def _seed(self, seed: bool) -> None:
        if seed:
            seed_defaults(self.store, now=self.clock.now_ts())
        self.store.set_meta("seeded", "1")

    def base_url(self, request: Request) -> str:
        """Absolute URLs in answers (session URIs, thumbnails) point where the client came in."""
        if self.public_url:
            return self.public_url
        return str(request.base_url).rstrip("/")

    def upload_lock(self, upload_id: str) -> asyncio.Lock:
        return self.upload_locks.setdefault(upload_id, asyncio.Lock())

    def digest_sink(self, upload_id: str, stored: int) -> DigestSink:
        """The sink for an upload's next discarded bytes; it continues the running MD5
        when that covers every stored byte, else starts one that knows it is partial."""
        sink = self.upload_digests.get(upload_id)
        if sink is None or sink.hashed != stored:
            sink = self.upload_digests[upload_id] = DigestSink(stored)
        return sink

    def reset(self, *, seed: bool = True) -> None:
        """Forget everything: rows, blobs, faults, the log and the clock offset."""
        self.store.wipe()
        shutil.rmtree(self.blob_dir, ignore_errors=True)
        for sub in ("uploads", "videos", "thumbnails", "incoming"):
            (self.blob_dir / sub).mkdir(parents=True, exist_ok=True)
        self.faults.clear()
        self.log.clear()
        self.upload_locks.clear()
        self.upload_digests.clear()
        self.clock.reset()
        self._seed(seed)

    def close(self) -> None:
        self.store.close()


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
