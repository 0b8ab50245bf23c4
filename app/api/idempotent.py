"""The Idempotency-Key header of a create request, held for the length of the request.

A retry while the first request is still streaming gets 409 with Retry-After rather than
waiting for it: the first may stream for many minutes, and a waiting retry would hold a
connection (and its own unread body) that long, past most clients' timeouts; the key
tells the pipeline to simply retry later, when it gets the first request's jobs."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api.problems import ApiProblem, invalid
from core import idempotency
from core.api_tokens import ApiCaller

MAX_KEY_LENGTH = idempotency.MAX_KEY_LENGTH
RENEW_SECONDS = 15.0
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


@dataclass
class HeldKey:
    """What the request does with its key: replay, keep it alive, record its jobs."""

    caller: ApiCaller
    key: str = ""
    owner: str = ""
    replay: list[int] | None = None
    recorded: bool = False
    _renewed_at: float = field(default_factory=time.monotonic)

    async def keep_alive(self) -> None:
        if not self.owner or time.monotonic() - self._renewed_at < RENEW_SECONDS:
            return
        self._renewed_at = time.monotonic()
        await run_in_threadpool(
            idempotency.renew, token_id=self.caller.token_id, key=self.key, owner=self.owner
        )

    def record(self, session: Session, job_ids: list[int]) -> None:
        if self.owner:
            idempotency.complete(
                session,
                token_id=self.caller.token_id,
                key=self.key,
                owner=self.owner,
                job_ids=job_ids,
            )
            self.recorded = True


@asynccontextmanager
async def guard(caller: ApiCaller, key: str | None) -> AsyncIterator[HeldKey]:
    """Claim the key (409 while another request holds it) and let it go if nothing was
    created; without a key, a request that just runs."""
    held = HeldKey(caller)
    if key is None:
        yield held
        return
    if not _KEY.match(key):
        raise invalid({"Idempotency-Key": "use 1 to 200 visible ASCII characters"})
    claim = await run_in_threadpool(idempotency.claim, token_id=caller.token_id, key=key)
    if isinstance(claim, idempotency.Busy):
        raise ApiProblem(
            409,
            "a request with this Idempotency-Key is still running; retry after it ends "
            "to get its job(s)",
            kind="idempotency-key-in-use",
            headers={"Retry-After": str(claim.retry_after)},
        )
    if isinstance(claim, idempotency.Done):
        held.replay = claim.job_ids
        yield held
        return
    held.key, held.owner = key, claim.owner
    try:
        yield held
    except idempotency.LostClaim:
        raise ApiProblem(
            409,
            "this request stalled so long that a retry with the same Idempotency-Key took "
            "over; that retry's job(s) are the ones that count",
            kind="idempotency-key-in-use",
        ) from None
    finally:
        if not held.recorded:
            await run_in_threadpool(
                idempotency.release, token_id=caller.token_id, key=key, owner=claim.owner
            )
