"""The quota ledger: reserve before every Google call, count truthfully.

A reservation is one conditional UPDATE of today's QuotaUsage row, so concurrent
threads, workers and replicas can never take a bucket past its ceiling (core/quota.py)
on SQLite or PostgreSQL. Reserved units stay charged whatever Google answers
(failed calls cost quota too), unless the request was never sent. Each call is a
QuotaLedger row; the hourly and the daily per-method rollups follow it in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core import clock, db, quota, quota_alerts
from models import Project
from models.base import table_of
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaLedger, QuotaUsage
from youtube import costs


class QuotaUnavailable(Exception):
    """No reservation possible; says which bucket and when it resets."""

    def __init__(
        self,
        project: str,
        bucket: str,
        used: int,
        ceiling: int,
        limit: int,
        resets_at: datetime,
        exhausted: bool,
    ) -> None:
        why = (
            "Google reported it exhausted"
            if exhausted
            else f"{used} of {limit} used, ceiling {ceiling} for this kind of work"
        )
        super().__init__(
            f"quota for {project} / {bucket} is not available ({why}); "
            f"resets at {resets_at.isoformat()}"
        )
        self.project = project
        self.bucket = bucket
        self.resets_at = resets_at
        self.exhausted = exhausted


@dataclass(frozen=True)
class Reservation:
    ledger_id: int
    usage_id: int
    project_id: int
    channel_id: int | None
    method: str
    bucket: str
    units: int
    hour: datetime  # UTC hour of the call (QuotaBucketHour)
    day: date  # Pacific day of the call (QuotaUsage, QuotaDayDetail)


def _dialect_insert(session: Session, table: Any) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database {name}")


def _usage_row(session: Session, project: Project, bucket: str, day: date) -> QuotaUsage:
    limit = costs.bucket_limits(quota.policy_of(project))[bucket]
    stmt = (
        _dialect_insert(session, table_of(QuotaUsage))
        .values(
            project_id=project.id,
            bucket=bucket,
            day=day,
            used=0,
            limit_units=limit,
            alerted_percent=0,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "bucket", "day"])
    )
    session.execute(stmt)
    row = session.exec(
        select(QuotaUsage).where(
            QuotaUsage.project_id == project.id, QuotaUsage.bucket == bucket, QuotaUsage.day == day
        )
    ).one()
    if row.limit_units != limit:  # an admin changed the policy today
        row.limit_units = limit
        session.add(row)
    return row


def _add_counts(
    session: Session, table: Any, key: dict[str, Any], calls: int, units: int, failures: int
) -> None:
    """Upsert: add to a rollup row's counters, creating the row on its first call."""
    stmt = _dialect_insert(session, table).values(
        **key, calls=calls, units=units, failures=failures
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key),
        set_={
            "calls": table.c.calls + stmt.excluded.calls,
            "units": table.c.units + stmt.excluded.units,
            "failures": table.c.failures + stmt.excluded.failures,
        },
    )
    session.execute(stmt)


def _bump_rollups(
    session: Session, r: Reservation, *, calls: int, units: int, failures: int = 0
) -> None:
    """Keep both rollups in step with the ledger, in the same transaction."""
    _add_counts(
        session,
        table_of(QuotaBucketHour),
        {"project_id": r.project_id, "bucket": r.bucket, "hour": r.hour},
        calls,
        units,
        failures,
    )
    _add_counts(
        session,
        table_of(QuotaDayDetail),
        {
            "project_id": r.project_id,
            "bucket": r.bucket,
            "method": r.method,
            "channel_id": r.channel_id or 0,
            "day": r.day,
        },
        calls,
        units,
        failures,
    )


def reserve(
    *, project: Project, method: str, priority: quota.Priority, channel_id: int | None = None
) -> Reservation:
    """Charge a call before making it, or raise QuotaUnavailable."""
    assert project.id is not None
    policy = quota.policy_of(project)
    bucket, units = costs.bucket_and_cost(method, policy)
    now = clock.now()
    day = clock.pacific_day(now)
    hour = now.replace(minute=0, second=0, microsecond=0)
    with db.session() as s:
        usage = _usage_row(s, project, bucket, day)
        limit = usage.limit_units
        top = quota.ceiling(limit, quota.reserve_percent(policy, bucket), priority)
        result = s.execute(
            update(QuotaUsage)
            .where(
                and_(
                    col(QuotaUsage.id) == usage.id,
                    col(QuotaUsage.exhausted_at).is_(None),
                    col(QuotaUsage.used) + units <= top,
                )
            )
            .values(used=QuotaUsage.used + units)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            s.refresh(usage)
            raise QuotaUnavailable(
                project.name,
                bucket,
                usage.used,
                top,
                limit,
                clock.next_pacific_midnight(now),
                usage.exhausted_at is not None,
            )
        ledger = QuotaLedger(
            at=now,
            day=day,
            project_id=project.id,
            channel_id=channel_id,
            method=method,
            bucket=bucket,
            units=units,
            priority=priority.value,
        )
        s.add(ledger)
        s.flush()
        assert ledger.id is not None and usage.id is not None
        reservation = Reservation(
            ledger.id, usage.id, project.id, channel_id, method, bucket, units, hour, day
        )
        _bump_rollups(s, reservation, calls=1, units=units)
        s.refresh(usage)
        quota_alerts.thresholds_crossed(s, project, usage)
        return reservation


def settle(reservation: Reservation, outcome: str, *, sent: bool = True) -> None:
    """Record what happened. A request that was never sent gives its units back."""
    with db.session() as s:
        s.execute(
            update(QuotaLedger)
            .where(QuotaLedger.id == reservation.ledger_id)  # type: ignore[arg-type]
            .values(outcome=outcome if sent else "refunded")
            .execution_options(synchronize_session=False)
        )
        if not sent:
            s.execute(
                update(QuotaUsage)
                .where(QuotaUsage.id == reservation.usage_id)  # type: ignore[arg-type]
                .values(used=QuotaUsage.used - reservation.units)
                .execution_options(synchronize_session=False)
            )
            _bump_rollups(s, reservation, calls=-1, units=-reservation.units)
        elif outcome != "ok":
            _bump_rollups(s, reservation, calls=0, units=0, failures=1)


def mark_exhausted(*, project: Project, reservation: Reservation) -> None:
    """Google said quotaExceeded: stop that bucket until the reset, and say if we disagreed."""
    with db.session() as s:
        usage = s.get(QuotaUsage, reservation.usage_id)
        if usage is None or usage.exhausted_at is not None:
            return
        usage.exhausted_at = clock.now()
        usage.used_when_exhausted = usage.used
        s.add(usage)
        quota_alerts.exhausted(s, project, usage, reservation.bucket)
