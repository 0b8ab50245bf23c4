"""Read models of quota for the Quota page, the Overview and the CLI.

Everything comes from today's QuotaUsage rows (one per project and bucket) and
the QuotaHourly rollups, never from the ledger, so what a page reads grows with
projects, channels, methods and hours, not with the number of calls. Rollup
hours are UTC hours; a Pacific day always starts on a whole UTC hour, so "today"
is exactly the rollup rows from the day's start on.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import clock, projects, quota
from models import Channel, Project
from models.quota import QuotaHourly, QuotaUsage
from youtube import costs

HISTORY_DAYS = 7
# The forecast extrapolates the rate of the last 3 hours (whole rollup hours: at 10:40
# it counts from 07:00), or of the day so far when the day is younger than that.
RATE_WINDOW = timedelta(hours=3)
# A day a few minutes old would give a wild rate; never divide by less than this.
MIN_RATE_SPAN = timedelta(minutes=15)
NO_CHANNEL = "(no channel: project-level calls)"


@dataclass(frozen=True)
class BucketStatus:
    """One project's bucket today, as people check it: how much is used and left, and when."""

    project_id: int
    project: str
    bucket: str
    day: date  # the Pacific quota day
    used: int
    limit: int
    reserve: int  # units kept back for finishing uploads already started
    reserve_percent: float
    upload_ceiling: int  # new work stops here (limit minus the reserve)
    background_ceiling: int  # background reads (stats syncs) stop here
    percent: float
    exhausted: bool  # no call can be reserved before the reset
    exhausted_at: datetime | None  # when Google answered quotaExceeded, if it did
    resets_at: datetime  # next midnight Pacific, UTC
    rate_per_hour: float
    rate_since: datetime
    runs_out_at: datetime | None  # new work stops then at the current rate; None: not today

    @property
    def key(self) -> str:
        return f"{self.project_id}-{self.bucket}"

    @property
    def level(self) -> str:
        """ok, info (70 %), warning (80 %), critical (90 %) or exhausted."""
        if self.exhausted:
            return "exhausted"
        for threshold, severity in quota.THRESHOLDS:
            if self.percent >= threshold:
                return severity.value
        return "ok"

    def public(self) -> dict[str, Any]:
        """The JSON shape of `tubefleet quota --json`."""
        return {
            "project_id": self.project_id,
            "project": self.project,
            "bucket": self.bucket,
            "day": self.day.isoformat(),
            "used": self.used,
            "limit": self.limit,
            "reserve": self.reserve,
            "upload_ceiling": self.upload_ceiling,
            "background_ceiling": self.background_ceiling,
            "percent": self.percent,
            "level": self.level,
            "exhausted": self.exhausted,
            "exhausted_at": self.exhausted_at.isoformat() if self.exhausted_at else None,
            "resets_at": self.resets_at.isoformat(),
            "rate_per_hour": self.rate_per_hour,
            "runs_out_at": self.runs_out_at.isoformat() if self.runs_out_at else None,
        }


@dataclass(frozen=True)
class HourlySeries:
    """One project's bucket by UTC hour, oldest first, every hour present (zeros included)."""

    project_id: int
    project: str
    bucket: str
    hours: list[datetime]
    calls: list[int]
    units: list[int]
    failures: list[int]


@dataclass(frozen=True)
class MethodUsage:
    project_id: int
    project: str
    bucket: str
    method: str
    calls: int
    units: int
    failures: int


@dataclass(frozen=True)
class ChannelUsage:
    project_id: int
    project: str
    channel_id: int | None
    channel: str
    calls: int
    failures: int
    units_by_bucket: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class QuotaReport:
    """Everything the Quota page shows, read at one instant."""

    now: datetime
    buckets: list[BucketStatus]
    series: list[HourlySeries]
    by_method: list[MethodUsage]
    by_channel: list[ChannelUsage]


def _hour_floor(at: datetime) -> datetime:
    return clock.as_utc(at).replace(minute=0, second=0, microsecond=0)


def _ordered_buckets(project: Project) -> list[tuple[str, int]]:
    return list(costs.bucket_limits(quota.policy_of(project)).items())


def bucket_status(*, session: Session, now: datetime | None = None,
                  project_id: int | None = None) -> list[BucketStatus]:
    """Every project's buckets today, in project-name order, the shared bucket first.

    The limit is the project's current policy (the next reservation applies it to
    today's row too); a bucket that left the policy today but was used still shows.
    """
    now = clock.as_utc(now or clock.now())
    day = clock.pacific_day(now)
    day_start = clock.pacific_day_start(day)
    resets_at = clock.next_pacific_midnight(now)
    rate_since = max(day_start, _hour_floor(now - RATE_WINDOW))
    span_hours = max(now - rate_since, MIN_RATE_SPAN).total_seconds() / 3600

    all_projects = projects.list_projects(session=session)
    if project_id is not None:
        all_projects = [p for p in all_projects if p.id == project_id]
    usage_query = select(QuotaUsage).where(QuotaUsage.day == day)
    # Grouped by hour first so the database walks the hour index over a few hours
    # (grouping by project first lets SQLite prefer scanning the whole unique index).
    recent_query = (select(QuotaHourly.hour, QuotaHourly.project_id, QuotaHourly.bucket,
                           func.sum(QuotaHourly.units))
                    .where(QuotaHourly.hour >= rate_since)
                    .group_by(QuotaHourly.hour, QuotaHourly.project_id, QuotaHourly.bucket))
    if project_id is not None:
        usage_query = usage_query.where(QuotaUsage.project_id == project_id)
        recent_query = recent_query.where(QuotaHourly.project_id == project_id)
    rows = {(u.project_id, u.bucket): u for u in session.exec(usage_query).all()}
    recent: dict[tuple[int, str], int] = defaultdict(int)
    for _, pid, b, units in session.exec(recent_query).all():
        recent[(int(pid), str(b))] += int(units or 0)

    result = []
    for project in all_projects:
        assert project.id is not None
        policy = quota.policy_of(project)
        buckets = _ordered_buckets(project)
        known = {b for b, _ in buckets}
        buckets += sorted((b, u.limit_units) for (pid, b), u in rows.items()
                          if pid == project.id and b not in known)
        for bucket, limit in buckets:
            usage = rows.get((project.id, bucket))
            used = usage.used if usage else 0
            pct = quota.reserve_percent(policy, bucket)
            reserve = math.ceil(limit * pct / 100) if pct > 0 else 0
            upload_ceiling = quota.ceiling(limit, pct, quota.Priority.UPLOAD)
            exhausted_at = (clock.as_utc(usage.exhausted_at)
                            if usage and usage.exhausted_at else None)
            rate = recent.get((project.id, bucket), 0) / span_hours
            runs_out_at = None
            if rate > 0 and exhausted_at is None and used < upload_ceiling:
                at = now + timedelta(hours=(upload_ceiling - used) / rate)
                runs_out_at = at if at < resets_at else None
            result.append(BucketStatus(
                project_id=project.id, project=project.name, bucket=bucket, day=day,
                used=used, limit=limit, reserve=reserve, reserve_percent=pct,
                upload_ceiling=upload_ceiling,
                background_ceiling=quota.ceiling(limit, pct, quota.Priority.BACKGROUND),
                percent=round(100 * used / limit, 1) if limit > 0 else 100.0,
                exhausted=exhausted_at is not None or used >= limit,
                exhausted_at=exhausted_at, resets_at=resets_at,
                rate_per_hour=round(rate, 1), rate_since=rate_since, runs_out_at=runs_out_at))
    return result


def hourly_series(*, session: Session, buckets: list[BucketStatus],
                  now: datetime | None = None, days: int = HISTORY_DAYS) -> list[HourlySeries]:
    """Calls, units and failures per hour over the last `days` days, for each given bucket."""
    now = clock.as_utc(now or clock.now())
    return _series(_rollup_view(session, now, days), buckets)


def usage_by_method(*, session: Session, now: datetime | None = None) -> list[MethodUsage]:
    """Today's calls per project, bucket and method, most units first."""
    now = clock.as_utc(now or clock.now())
    return _by_method(_rollup_view(session, now, 1), _project_names(session))


def usage_by_channel(*, session: Session, now: datetime | None = None
                     ) -> list[ChannelUsage]:
    """Today's calls per channel (units per bucket), most shared-bucket units first."""
    now = clock.as_utc(now or clock.now())
    return _by_channel(session, _rollup_view(session, now, 1), _project_names(session))


def quota_report(*, session: Session, now: datetime | None = None) -> QuotaReport:
    """The Quota page's data, all read at the same instant."""
    now = clock.as_utc(now or clock.now())
    buckets = bucket_status(session=session, now=now)
    view = _rollup_view(session, now, HISTORY_DAYS)
    names = {b.project_id: b.project for b in buckets}
    return QuotaReport(now=now, buckets=buckets, series=_series(view, buckets),
                       by_method=_by_method(view, names),
                       by_channel=_by_channel(session, view, names))


def forget_cached_hours() -> None:
    """Drop every cached rollup hour (tests that rewrite history in place)."""
    with _CACHE_LOCK:
        _CACHE.clear()


# ---------------------------------------------------------------------------------------
# Reading the rollups.
#
# The rollups have one row per project, bucket, method, channel and hour, so a busy
# fleet has tens of thousands of them in a week; summing them on every 10-second
# refresh would make the page slower the more calls the fleet makes. Hours that have
# closed barely change, so each process keeps their sums (per project and bucket;
# per method and per channel for today's hours) and reads only the last LIVE_HOURS
# hours fresh. A cached day is trusted only while its units add up to what the
# day's QuotaUsage rows say (those are exact: a reservation and its refund change
# both in one transaction), and for at most CACHE_SECONDS, so a refund or a late
# failure shows up at the latest after that.

LIVE_HOURS = 4
CACHE_SECONDS = 600.0

Counts = tuple[int, int, int]  # calls, units, failures


@dataclass
class _Hour:
    fetched_at: float
    series: dict[tuple[int, str], Counts]  # (project, bucket)
    # Only for hours of the day being broken down (None: not read).
    methods: dict[tuple[int, str, str], Counts] | None  # (project, bucket, method)
    channels: dict[tuple[int, int, str], Counts] | None  # (project, channel or 0, bucket)


@dataclass
class _View:
    hours: list[datetime]  # the chart's hours, oldest first
    day_start: datetime  # of today, Pacific
    data: dict[datetime, _Hour]


_CACHE: dict[str, dict[datetime, _Hour]] = {}
_CACHE_LOCK = threading.Lock()


def _add(into: dict[Any, Counts], key: Any, calls: Any, units: Any, failures: Any) -> None:
    c, u, f = into.get(key, (0, 0, 0))
    into[key] = (c + int(calls or 0), u + int(units or 0), f + int(failures or 0))


def _read_hours(session: Session, first: datetime, last: datetime, detail_from: datetime
                ) -> dict[datetime, _Hour]:
    """Sum the rollups of the hours first..last (inclusive); details from `detail_from` on."""
    stamp = clock.monotonic()
    out: dict[datetime, _Hour] = {}
    hour = first
    while hour <= last:
        out[hour] = _Hour(stamp, {}, {} if hour >= detail_from else None,
                          {} if hour >= detail_from else None)
        hour += timedelta(hours=1)
    in_range = (col(QuotaHourly.hour) >= first) & (col(QuotaHourly.hour) <= last)
    for pid, bucket, at, calls, units, failures in session.exec(
            select(QuotaHourly.project_id, QuotaHourly.bucket, QuotaHourly.hour,
                   func.sum(QuotaHourly.calls), func.sum(QuotaHourly.units),
                   func.sum(QuotaHourly.failures))
            .where(in_range)
            .group_by(QuotaHourly.hour, QuotaHourly.project_id, QuotaHourly.bucket)).all():
        slot = out.get(clock.as_utc(at))
        if slot is not None:
            _add(slot.series, (int(pid), str(bucket)), calls, units, failures)
    if last < detail_from:
        return out
    detailed = in_range & (col(QuotaHourly.hour) >= detail_from)
    for pid, bucket, method, at, calls, units, failures in session.exec(
            select(QuotaHourly.project_id, QuotaHourly.bucket, QuotaHourly.method,
                   QuotaHourly.hour, func.sum(QuotaHourly.calls), func.sum(QuotaHourly.units),
                   func.sum(QuotaHourly.failures))
            .where(detailed)
            .group_by(QuotaHourly.hour, QuotaHourly.project_id, QuotaHourly.bucket,
                      QuotaHourly.method)).all():
        slot = out.get(clock.as_utc(at))
        if slot is not None and slot.methods is not None:
            _add(slot.methods, (int(pid), str(bucket), str(method)), calls, units, failures)
    for pid, cid, bucket, at, calls, units, failures in session.exec(
            select(QuotaHourly.project_id, QuotaHourly.channel_id, QuotaHourly.bucket,
                   QuotaHourly.hour, func.sum(QuotaHourly.calls), func.sum(QuotaHourly.units),
                   func.sum(QuotaHourly.failures))
            .where(detailed)
            .group_by(QuotaHourly.hour, QuotaHourly.project_id, QuotaHourly.channel_id,
                      QuotaHourly.bucket)).all():
        slot = out.get(clock.as_utc(at))
        if slot is not None and slot.channels is not None:
            _add(slot.channels, (int(pid), int(cid or 0), str(bucket)), calls, units, failures)
    return out


def _rollup_view(session: Session, now: datetime, days: int) -> _View:
    """Per-hour sums for the last `days` days (and all of today), cached hours validated."""
    end = _hour_floor(now)
    today = clock.pacific_day(now)
    day_start = clock.pacific_day_start(today)
    chart_start = end - timedelta(hours=days * 24 - 1)
    # Whole Pacific days, so each cached day can be checked against its QuotaUsage rows.
    first = min(chart_start, day_start, clock.pacific_day_start(clock.pacific_day(chart_start)))
    live_from = max(first, end - timedelta(hours=LIVE_HOURS - 1))
    live = _read_hours(session, live_from, end, day_start)

    used: dict[date, dict[tuple[int, str], int]] = defaultdict(dict)
    for pid, bucket, day, units in session.exec(
            select(QuotaUsage.project_id, QuotaUsage.bucket, QuotaUsage.day, QuotaUsage.used)
            .where(QuotaUsage.day >= clock.pacific_day(first))).all():
        if units:
            used[day][(int(pid), str(bucket))] = int(units)
    known = {int(pid) for pid in session.exec(select(Project.id)).all()}

    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    fresh_after = clock.monotonic() - CACHE_SECONDS
    with _CACHE_LOCK:
        cached = {h: v for h, v in _CACHE.get(key, {}).items()
                  if first <= h < live_from and v.fetched_at >= fresh_after}
    stale_days: set[date] = set()
    totals: dict[date, dict[tuple[int, str], int]] = defaultdict(dict)
    hour = first
    while hour <= end:
        day = clock.pacific_day(hour)
        slot = live.get(hour) or cached.get(hour)
        if slot is None or (hour >= day_start and slot.methods is None):
            stale_days.add(day)
        else:
            for (pid, bucket), (_, units, _) in slot.series.items():
                if pid in known and units:
                    totals[day][(pid, bucket)] = totals[day].get((pid, bucket), 0) + units
        hour += timedelta(hours=1)
    for day in {clock.pacific_day(h) for h in cached} | set(totals):
        expected = {k: v for k, v in used.get(day, {}).items() if k[0] in known}
        if totals.get(day, {}) != expected:
            stale_days.add(day)
    if stale_days:
        refetch_from = max(first, clock.pacific_day_start(min(stale_days)))
        refetch_to = min(live_from - timedelta(hours=1),
                         clock.pacific_day_start(max(stale_days) + timedelta(days=1))
                         - timedelta(hours=1))
        if refetch_from <= refetch_to:
            cached.update(_read_hours(session, refetch_from, refetch_to, day_start))
    with _CACHE_LOCK:
        _CACHE[key] = cached
    data = {**cached, **live}
    hours = [chart_start + timedelta(hours=h) for h in range(days * 24)]
    return _View(hours=hours, day_start=day_start, data=data)


def _series(view: _View, buckets: list[BucketStatus]) -> list[HourlySeries]:
    result = []
    for b in buckets:
        counts = [view.data[h].series.get((b.project_id, b.bucket), (0, 0, 0))
                  if h in view.data else (0, 0, 0) for h in view.hours]
        result.append(HourlySeries(b.project_id, b.project, b.bucket, list(view.hours),
                                   [c[0] for c in counts], [c[1] for c in counts],
                                   [c[2] for c in counts]))
    return result


def _today(view: _View) -> list[_Hour]:
    return [slot for h, slot in sorted(view.data.items()) if h >= view.day_start]


def _by_method(view: _View, names: dict[int, str]) -> list[MethodUsage]:
    sums: dict[tuple[int, str, str], Counts] = {}
    for slot in _today(view):
        for key, (c, u, f) in (slot.methods or {}).items():
            _add(sums, key, c, u, f)
    result = [MethodUsage(pid, names[pid], bucket, method, c, u, f)
              for (pid, bucket, method), (c, u, f) in sums.items()
              if pid in names and (c or u or f)]
    return sorted(result, key=lambda m: (-m.units, -m.calls, m.project, m.method))


def _by_channel(session: Session, view: _View, names: dict[int, str]) -> list[ChannelUsage]:
    calls: dict[tuple[int, int], list[int]] = {}
    units: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for slot in _today(view):
        for (pid, cid, bucket), (c, u, f) in (slot.channels or {}).items():
            if pid not in names or not (c or u or f):
                continue
            entry = calls.setdefault((pid, cid), [0, 0])
            entry[0] += c
            entry[1] += f
            units[(pid, cid)][bucket] = units[(pid, cid)].get(bucket, 0) + u
    channel_ids = sorted({cid for _, cid in calls if cid})
    titles: dict[int, str] = {}
    if channel_ids:
        titles = {int(i): t for i, t in session.exec(
            select(Channel.id, Channel.title).where(col(Channel.id).in_(channel_ids))).all()}
    result = [ChannelUsage(pid, names[pid], cid or None,
                           (titles.get(cid) or f"channel {cid} (removed)") if cid else NO_CHANNEL,
                           c, f, units[(pid, cid)])
              for (pid, cid), (c, f) in calls.items()]
    return sorted(result, key=lambda c: (-c.units_by_bucket.get(costs.DEFAULT_BUCKET, 0),
                                         -c.calls, c.project, c.channel))


def _project_names(session: Session) -> dict[int, str]:
    return {int(pid): name for pid, name in session.exec(select(Project.id, Project.name))}
