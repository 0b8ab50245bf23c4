"""Leases: claim rows of work so one process at a time owns each, and take over dead ones.

A lease is two columns on the work table (`lease_owner`, `lease_expires_at`,
see models.base.LeaseFields). Claiming is a single conditional UPDATE, so on
SQLite (serialised writers, BEGIN IMMEDIATE) and on PostgreSQL (row locks,
SKIP LOCKED) no two owners hold the same row. A worker that dies stops renewing;
once its lease expires the row is claimable again. Finishing work is fenced:
`complete` only applies if the caller still holds the lease, so a worker that
lost its lease (paused too long) cannot overwrite the new owner's result.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlmodel import Session

from core import clock
from models.base import table_of

_PROCESS_OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def process_owner() -> str:
    """This process's lease owner name (host, pid and a nonce against pid reuse)."""
    global _PROCESS_OWNER
    pid = _PROCESS_OWNER.rsplit(":", 2)[1]
    if pid != str(os.getpid()):  # forked: a child must not inherit its parent's leases
        _PROCESS_OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    return _PROCESS_OWNER


def _table(target: Any) -> Table:
    """Accept a SQLModel table class or a Core Table with id/lease columns."""
    if hasattr(target, "__table__"):
        return table_of(target)
    table: Table = target
    return table


def _claimable(table: Table, now: Any) -> ColumnElement[bool]:
    expires = table.c.lease_expires_at
    return or_(expires.is_(None), expires < now)


def claim(
    *,
    session: Session,
    model: Any,
    owner: str,
    ttl: timedelta,
    where: Sequence[ColumnElement[bool]] = (),
    order_by: Sequence[Any] = (),
    limit: int = 1,
) -> list[Any]:
    """Lease up to `limit` rows matching `where` that nobody holds; returns their ids.

    Call inside core.db.session() (a write transaction) and commit promptly.
    """
    if limit <= 0:
        return []
    now = clock.now()
    table = _table(model)
    pk = table.c.id
    candidates = select(pk).where(*where, _claimable(table, now))
    candidates = candidates.order_by(*order_by, pk).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    stmt = (
        update(table)
        .where(pk.in_(candidates.scalar_subquery()), _claimable(table, now))
        .values(lease_owner=owner, lease_expires_at=now + ttl)
        .returning(pk)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in session.execute(stmt).all()]


def claim_one(*, session: Session, model: Any, row_id: Any, owner: str, ttl: timedelta) -> bool:
    """Lease one known row (e.g. a channel before refreshing its token)."""
    return bool(
        claim(
            session=session, model=model, owner=owner, ttl=ttl, where=[_table(model).c.id == row_id]
        )
    )


def _held(table: Table, row_id: Any, owner: str) -> list[ColumnElement[bool]]:
    return [
        table.c.id == row_id,
        table.c.lease_owner == owner,
        table.c.lease_expires_at >= clock.now(),
    ]


def renew(*, session: Session, model: Any, row_id: Any, owner: str, ttl: timedelta) -> bool:
    """Extend a lease we still hold; False means it was lost (stop working on the row)."""
    table = _table(model)
    stmt = (
        update(table)
        .where(*_held(table, row_id, owner))
        .values(lease_expires_at=clock.now() + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def complete(*, session: Session, model: Any, row_id: Any, owner: str, **values: Any) -> bool:
    """Apply `values` and release the lease, only if we still hold it (fencing)."""
    table = _table(model)
    stmt = (
        update(table)
        .where(*_held(table, row_id, owner))
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(stmt).rowcount == 1)  # type: ignore[attr-defined]


def release(*, session: Session, model: Any, row_id: Any, owner: str) -> bool:
    """Give a lease back without changing the row (work will be retried by anyone)."""
    return complete(session=session, model=model, row_id=row_id, owner=owner)
