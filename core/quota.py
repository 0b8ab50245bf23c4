"""The quota engine: reserve before every Google call, count truthfully, warn early.

A reservation is one conditional UPDATE of today's QuotaUsage row, so concurrent
threads, workers and replicas can never take a bucket past its ceiling on
SQLite or PostgreSQL. Reserved units stay charged whatever Google answers
(failed calls cost quota too), unless the request was never sent.

Ceilings by priority: background reads stop at 90 % and never touch the
emergency reserve; new uploads may use everything but the reserve; work that
finishes an upload already started (thumbnail, playlist, processing polls) may
use the reserve, so no video is left half-done.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core import alerts, clock, db
from core.settings import get_settings
from models import Project, Severity
from models.base import table_of
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaLedger, QuotaUsage
from youtube import costs

THRESHOLDS = ((90, Severity.CRITICAL), (80, Severity.WARNING), (70, Severity.INFO))
BACKGROUND_CEILING = 0.90


class Priority(StrEnum):
    BACKGROUND = "background"  # stats syncs, scoring reads: stop first
    UPLOAD = "upload"  # starting new work
    FINISH = "finish"  # follow-ups of an upload already started: may use the reserve


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


def policy_of(project: Project) -> dict[str, Any]:
    return project.quota_policy or {"preset": "current"}


def reserve_percent(policy: dict[str, Any], bucket: str) -> float:
    """A project's own setting, else TUBEFLEET_QUOTA_EMERGENCY_RESERVE_PERCENT for the
    shared bucket (where an upload's follow-ups are charged), else the preset's."""
    own = policy.get("reserve_percent", {})
    if bucket in own:
        return float(own[bucket])
    if bucket == costs.DEFAULT_BUCKET:
        return get_settings().quota_emergency_reserve_percent
    return costs.reserve_percent(policy, bucket)


def ceiling(limit: int, reserve_pct: float, priority: Priority) -> int:
    """The most a bucket may reach for work of this priority."""
    reserve = math.ceil(limit * reserve_pct / 100) if reserve_pct > 0 else 0
    if priority == Priority.FINISH:
        return limit
    if priority == Priority.UPLOAD:
        return max(0, limit - reserve)
    return max(0, min(limit - reserve, math.floor(limit * BACKGROUND_CEILING)))


def _dialect_insert(session: Session, table: Any) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database {name}")


def _usage_row(session: Session, project: Project, bucket: str, day: date) -> QuotaUsage:
    limit = costs.bucket_limits(policy_of(project))[bucket]
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
    *, project: Project, method: str, priority: Priority, channel_id: int | None = None
) -> Reservation:
    """Charge a call before making it, or raise QuotaUnavailable."""
    assert project.id is not None
    policy = policy_of(project)
    bucket, units = costs.bucket_and_cost(method, policy)
    now = clock.now()
    day = clock.pacific_day(now)
    hour = now.replace(minute=0, second=0, microsecond=0)
    with db.session() as s:
        usage = _usage_row(s, project, bucket, day)
        limit = usage.limit_units
        top = ceiling(limit, reserve_percent(policy, bucket), priority)
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
        _alert_thresholds(s, project, usage)
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
        disagreement = usage.used < usage.limit_units
        message = (
            f"Google answered quotaExceeded for {reservation.bucket} with our count at "
            f"{usage.used} of {usage.limit_units}"
            + (
                " (our count disagrees: another tool may share this project, or the "
                "limit is lower than configured)"
                if disagreement
                else ""
            )
            + f". No more calls to this bucket until "
            f"{clock.next_pacific_midnight(usage.exhausted_at).isoformat()}."
        )
        alerts.raise_alert(
            session=s,
            kind="quota.exhausted",
            severity=Severity.CRITICAL,
            subject=f"{project.name}: {reservation.bucket} exhausted on {usage.day.isoformat()}",
            message=message,
            project_id=project.id,
        )


def _alert_thresholds(session: Session, project: Project, usage: QuotaUsage) -> None:
    if usage.limit_units <= 0:
        return
    percent = 100 * usage.used / usage.limit_units
    for threshold, severity in THRESHOLDS:
        if percent >= threshold and usage.alerted_percent < threshold:
            usage.alerted_percent = threshold
            session.add(usage)
            resets = clock.pacific_day_start(usage.day + timedelta(days=1))
            alerts.raise_alert(
                session=session,
                kind="quota.threshold",
                severity=severity,
                subject=f"{project.name}: {usage.bucket} at {threshold}% on "
                f"{usage.day.isoformat()}",
                message=(
                    f"{usage.used} of {usage.limit_units} used in the {usage.bucket} bucket"
                    + ("; background reads have stopped" if threshold >= 90 else "")
                    + f". Resets at midnight Pacific ({resets.isoformat()})."
                ),
                project_id=project.id,
            )
            return
