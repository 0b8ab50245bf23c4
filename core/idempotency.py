"""Idempotency keys of create requests: a retried request gets the first one's jobs.

The contract, per (token, key):
- `claim` before reading the body: the first request gets a lease (`Claimed`); a retry
  gets the job ids once they exist (`Done`), or `Busy` while the first still runs;
- the first request renews its lease while bytes arrive (`renew`), and writes its job ids
  with `complete` *inside the transaction that creates the jobs*, fenced by its lease
  owner: jobs and key land together or not at all, so no crash between them can let a
  retry create a second job;
- a request that fails before creating anything `release`s the key, so a retry runs anew;
- a first request that died (its lease ran out, nobody renewed it) is taken over by the
  next retry; if the dead one wakes up, its `complete` finds another owner and fails.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import clock, db
from models import IdempotencyKey

LEASE = timedelta(seconds=60)
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 200


class LostClaim(Exception):
    """Another request took this key over (ours stalled past its lease)."""


@dataclass(frozen=True)
class Claimed:
    owner: str


@dataclass(frozen=True)
class Done:
    job_ids: list[int]


@dataclass(frozen=True)
class Busy:
    retry_after: int  # seconds


Claim = Claimed | Done | Busy


def claim(*, token_id: int, key: str) -> Claim:
    """Take the key for this request, or say what the first request with it made."""
    owner = uuid.uuid4().hex
    now = clock.now()
    try:
        with db.session() as s:
            row = s.exec(
                select(IdempotencyKey).where(
                    IdempotencyKey.token_id == token_id, IdempotencyKey.key == key
                )
            ).first()
            if row is None:
                s.add(
                    IdempotencyKey(
                        token_id=token_id,
                        key=key,
                        created_at=now,
                        lease_owner=owner,
                        lease_expires_at=now + LEASE,
                    )
                )
                return Claimed(owner)
            if row.job_ids is not None:
                return Done(list(row.job_ids))
            taken = s.execute(
                update(IdempotencyKey)
                .where(
                    col(IdempotencyKey.id) == row.id,
                    col(IdempotencyKey.job_ids).is_(None),
                    or_(
                        col(IdempotencyKey.lease_expires_at).is_(None),
                        col(IdempotencyKey.lease_expires_at) < now,
                    ),
                )
                .values(lease_owner=owner, lease_expires_at=now + LEASE)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return Claimed(owner)  # the first request died: this one takes over
    except IntegrityError:  # PostgreSQL: another request inserted the key just now
        pass
    return Busy(retry_after=5)


def renew(*, token_id: int, key: str, owner: str) -> None:
    """Keep the claim alive while the body streams in; LostClaim if it was taken over."""
    with db.session() as s:
        done = s.execute(
            update(IdempotencyKey)
            .where(
                col(IdempotencyKey.token_id) == token_id,
                col(IdempotencyKey.key) == key,
                col(IdempotencyKey.lease_owner) == owner,
            )
            .values(lease_expires_at=clock.now() + LEASE)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise LostClaim(key)


def complete(session: Session, *, token_id: int, key: str, owner: str, job_ids: list[int]) -> None:
    """Record the jobs in the caller's transaction (the one that creates them)."""
    done = session.execute(
        update(IdempotencyKey)
        .where(
            col(IdempotencyKey.token_id) == token_id,
            col(IdempotencyKey.key) == key,
            col(IdempotencyKey.lease_owner) == owner,
            col(IdempotencyKey.job_ids).is_(None),
        )
        .values(job_ids=job_ids, lease_expires_at=None)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LostClaim(key)


def release(*, token_id: int, key: str, owner: str) -> None:
    """Forget a claim whose request made nothing, so a retry runs from the start."""
    with db.session() as s:
        s.execute(
            delete(IdempotencyKey).where(
                col(IdempotencyKey.token_id) == token_id,
                col(IdempotencyKey.key) == key,
                col(IdempotencyKey.lease_owner) == owner,
                col(IdempotencyKey.job_ids).is_(None),
            )
        )


def prune(*, session: Session, older_than: timedelta = KEEP) -> int:
    """Drop keys older than a day (a retry after that makes a new job)."""
    result = session.execute(
        delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < clock.now() - older_than)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
