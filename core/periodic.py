"""Fleet-wide periodic jobs: a job every process schedules (rescoring, housekeeping) runs
once per interval across all of them, not once per process.

Each such job has a row in `periodic_runs` with a lease, as core.lease leases rows of
work: a process claims the run with one conditional UPDATE (no one holds the lease, and
the last run started at least an interval ago), runs the job, then records it done and
gives the lease back. Every other process's tick in that interval finds the run taken or
done and skips it. A run that fails is made due again, so the next tick anywhere retries
it. A run that outlasts its interval keeps the next one waiting; a process that dies
mid-run leaves a lease that expires after two intervals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from core import clock, db, lease
from models import PeriodicRun
from models.base import table_of

log = logging.getLogger("tubefleet.periodic")

T = TypeVar("T")


def _slack(every: timedelta) -> timedelta:
    """How early a tick may take the next run: schedulers' wake-ups drift a little, and a
    run due a second after a tick must not wait a whole interval more."""
    return min(every / 10, timedelta(seconds=30))


def _ensure(session: Session, name: str) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(table_of(PeriodicRun))
        .values(name=name, runs=0)
        .on_conflict_do_nothing(index_elements=["name"])
    )


def claim(name: str, *, every: timedelta, owner: str, now: datetime) -> bool:
    """Take the run of `name` for this interval; False if it is held or was done already."""
    with db.session() as s:
        _ensure(s, name)
        taken = s.execute(
            update(PeriodicRun)
            .where(
                col(PeriodicRun.name) == name,
                or_(
                    col(PeriodicRun.lease_expires_at).is_(None),
                    col(PeriodicRun.lease_expires_at) < now,
                ),
                or_(
                    col(PeriodicRun.started_at).is_(None),
                    col(PeriodicRun.started_at) <= now - every + _slack(every),
                ),
            )
            .values(lease_owner=owner, lease_expires_at=now + 2 * every, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def _finish(name: str, owner: str, *, done: bool) -> None:
    values: dict[str, object] = (
        {"finished_at": clock.now(), "runs": col(PeriodicRun.runs) + 1}
        if done
        else {"started_at": None}  # due again: the next tick anywhere retries it
    )
    with db.session() as s:
        s.execute(
            update(PeriodicRun)
            .where(col(PeriodicRun.name) == name, col(PeriodicRun.lease_owner) == owner)
            .values(lease_owner=None, lease_expires_at=None, **values)
            .execution_options(synchronize_session=False)
        )


def last_done(name: str) -> datetime | None:
    """When the latest successful run of `name` ended (while one runs: the one before)."""
    with db.read_session() as s:
        row = s.get(PeriodicRun, name)
        return clock.as_utc(row.finished_at) if row and row.finished_at else None


def run_once(name: str, *, every: timedelta, work: Callable[[], T]) -> T | None:
    """Run `work` if no process has run `name` in the last interval; its result, or None
    when it was not this process's turn."""
    owner = f"{lease.process_owner()}:{name}"
    if not claim(name, every=every, owner=owner, now=clock.now()):
        return None
    try:
        result = work()
    except BaseException:
        _finish(name, owner, done=False)
        raise
    _finish(name, owner, done=True)
    return result
