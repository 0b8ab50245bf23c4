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

from sqlalchemy import func, literal
from sqlalchemy import select as table_select
from sqlmodel import Session, SQLModel, select

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
# Table columns for the aggregate queries, which run below the ORM (see _rows).
HOURLY: Any = SQLModel.metadata.tables[QuotaHourly.__tablename__].c
USAGE: Any = SQLModel.metadata.tables[QuotaUsage.__tablename__].c
PROJECTS: Any = SQLModel.metadata.tables[Project.__tablename__].c
CHANNELS: Any = SQLModel.metadata.tables[Channel.__tablename__].c


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


def bucket_status(*, session: Session, now: datetime | None = None,
                  project_id: int | None = None) -> list[BucketStatus]:
    """Every project's buckets today, in project-name order, the shared bucket first.

    The limit is the project's current policy (the next reservation applies it to
    today's row too); a bucket that left the policy today but was used still shows.
    """
    now = clock.as_utc(now or clock.now())
    since = _rate_since(now)
    # Grouped by hour first so the database walks the hour index over a few hours
    # (grouped by project first, SQLite prefers scanning the whole unique index).
    query = (table_select(HOURLY.hour, HOURLY.project_id, HOURLY.bucket, func.sum(HOURLY.units))
             .where(HOURLY.hour >= since)
             .group_by(HOURLY.hour, HOURLY.project_id, HOURLY.bucket))
    if project_id is not None:
        query = query.where(HOURLY.project_id == project_id)
    recent: dict[tuple[int, str], int] = defaultdict(int)
    for _, pid, bucket, units in _rows(session, query):
        recent[(int(pid), str(bucket))] += int(units or 0)
    return _statuses(session, now, recent, project_id)


def hourly_series(*, session: Session, buckets: list[BucketStatus],
                  now: datetime | None = None) -> list[HourlySeries]:
    """Calls, units and failures per hour over the last 7 days, for each given bucket."""
    now = clock.as_utc(now or clock.now())
    return _series(_rollup_view(session, now), buckets)


def usage_by_method(*, session: Session, now: datetime | None = None) -> list[MethodUsage]:
    """Today's calls per project, bucket and method, most units first."""
    now = clock.as_utc(now or clock.now())
    return _by_method(_rollup_view(session, now), _project_names(session))


def usage_by_channel(*, session: Session, now: datetime | None = None
                     ) -> list[ChannelUsage]:
    """Today's calls per channel (units per bucket), most shared-bucket units first."""
    now = clock.as_utc(now or clock.now())
    return _by_channel(session, _rollup_view(session, now), _project_names(session))


def quota_report(*, session: Session, now: datetime | None = None) -> QuotaReport:
    """The Quota page's data, all read at the same instant."""
    now = clock.as_utc(now or clock.now())
    view = _rollup_view(session, now)
    buckets = _statuses(session, now, view.units_since(_rate_since(now)), None)
    names = {b.project_id: b.project for b in buckets}
    return QuotaReport(now=now, buckets=buckets, series=_series(view, buckets),
                       by_method=_by_method(view, names),
                       by_channel=_by_channel(session, view, names))


def forget_cached_hours() -> None:
    """Drop every cached rollup hour (for tests that rewrite history in place)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _hour_floor(at: datetime) -> datetime:
    return clock.as_utc(at).replace(minute=0, second=0, microsecond=0)


def _rate_since(now: datetime) -> datetime:
    day_start = clock.pacific_day_start(clock.pacific_day(now))
    return max(day_start, _hour_floor(now - RATE_WINDOW))


def _rows(session: Session, statement: Any) -> list[Any]:
    """Plain rows through the connection: aggregates need no ORM objects, and skipping the
    ORM layer matters when a page reads a few hundred rows every few seconds."""
    return list(session.connection().execute(statement).all())


def _project_names(session: Session) -> dict[int, str]:
    rows = _rows(session, table_select(PROJECTS.id, PROJECTS.name))
    return {int(pid): str(name) for pid, name in rows}


def _statuses(session: Session, now: datetime, recent: dict[tuple[int, str], int],
              project_id: int | None) -> list[BucketStatus]:
    day = clock.pacific_day(now)
    resets_at = clock.next_pacific_midnight(now)
    since = _rate_since(now)
    span_hours = max(now - since, MIN_RATE_SPAN).total_seconds() / 3600
    all_projects = projects.list_projects(session=session)
    usage_query = select(QuotaUsage).where(QuotaUsage.day == day)
    if project_id is not None:
        all_projects = [p for p in all_projects if p.id == project_id]
        usage_query = usage_query.where(QuotaUsage.project_id == project_id)
    rows = {(u.project_id, u.bucket): u for u in session.exec(usage_query).all()}

    result = []
    for project in all_projects:
        assert project.id is not None
        policy = quota.policy_of(project)
        buckets = list(costs.bucket_limits(policy).items())
        in_policy = {b for b, _ in buckets}
        buckets += sorted((b, u.limit_units) for (pid, b), u in rows.items()
                          if pid == project.id and b not in in_policy)
        for bucket, limit in buckets:
            usage = rows.get((project.id, bucket))
            used = usage.used if usage else 0
            pct = quota.reserve_percent(policy, bucket)
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
                used=used, limit=limit,
                reserve=math.ceil(limit * pct / 100) if pct > 0 else 0, reserve_percent=pct,
                upload_ceiling=upload_ceiling,
                background_ceiling=quota.ceiling(limit, pct, quota.Priority.BACKGROUND),
                percent=round(100 * used / limit, 1) if limit > 0 else 100.0,
                exhausted=exhausted_at is not None or used >= limit,
                exhausted_at=exhausted_at, resets_at=resets_at,
                rate_per_hour=round(rate, 1), rate_since=since, runs_out_at=runs_out_at))
    return result


def _series(view: _View, buckets: list[BucketStatus]) -> list[HourlySeries]:
    result = []
    for b in buckets:
        key = (b.project_id, b.bucket)
        counts = [view.series.get(h, {}).get(key, _ZERO) for h in view.hours]
        result.append(HourlySeries(b.project_id, b.project, b.bucket, list(view.hours),
                                   [c[0] for c in counts], [c[1] for c in counts],
                                   [c[2] for c in counts]))
    return result


def _by_method(view: _View, names: dict[int, str]) -> list[MethodUsage]:
    result = [MethodUsage(pid, names[pid], bucket, method, c, u, f)
              for (pid, bucket, method), (c, u, f) in view.methods.items()
              if pid in names and (c or u or f)]
    return sorted(result, key=lambda m: (-m.units, -m.calls, m.project, m.method))


def _by_channel(session: Session, view: _View, names: dict[int, str]) -> list[ChannelUsage]:
    calls: dict[tuple[int, int], list[int]] = {}
    units: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for (pid, cid, bucket), (c, u, f) in view.channels.items():
        if pid not in names or not (c or u or f):
            continue
        entry = calls.setdefault((pid, cid), [0, 0])
        entry[0] += c
        entry[1] += f
        units[(pid, cid)][bucket] = units[(pid, cid)].get(bucket, 0) + u
    channel_ids = sorted({cid for _, cid in calls if cid})
    titles: dict[int, str] = {}
    if channel_ids:
        rows = _rows(session, table_select(CHANNELS.id, CHANNELS.title)
                     .where(CHANNELS.id.in_(channel_ids)))
        titles = {int(i): str(t) for i, t in rows}
    result = [ChannelUsage(pid, names[pid], cid or None,
                           (titles.get(cid) or f"channel {cid} (removed)") if cid else NO_CHANNEL,
                           c, f, units[(pid, cid)])
              for (pid, cid), (c, f) in calls.items()]
    return sorted(result, key=lambda c: (-c.units_by_bucket.get(costs.DEFAULT_BUCKET, 0),
                                         -c.calls, c.project, c.channel))


# ---------------------------------------------------------------------------------------
# Reading the rollups.
#
# The rollups have a row per project, bucket, method, channel and hour, so a busy fleet
# has tens of thousands of them in a week: summing them all on every 10-second refresh
# would make the page slower the more calls the fleet makes. Closed hours barely change,
# so each process keeps their sums (per project and bucket; per method and per channel
# for today's hours) and reads only the current hour fresh. A cached day is trusted only
# while its units add up to that day's QuotaUsage rows, which are exact (a reservation,
# or its refund, changes both in one transaction): any difference, such as a refund
# settled after its hour closed, makes that day be read again. Failure counts do not
# move `used`, so cached hours are also re-read after CACHE_SECONDS at most.

LIVE_HOURS = 1
CACHE_SECONDS = 600.0

Counts = tuple[int, int, int]  # calls, units, failures
_ZERO: Counts = (0, 0, 0)
SeriesKey = tuple[int, str]  # project, bucket
MethodKey = tuple[int, str, str]  # project, bucket, method
ChannelKey = tuple[int, int, str]  # project, channel (0: none), bucket


@dataclass
class _Hour:
    fetched_at: float
    series: dict[SeriesKey, Counts]
    # Only for hours of the day being broken down (None: not read).
    methods: dict[MethodKey, Counts] | None
    channels: dict[ChannelKey, Counts] | None


@dataclass
class _Sums:
    """Aggregates of one set of hours: units per Pacific day, today's details."""

    day_units: dict[date, dict[SeriesKey, int]] = field(default_factory=dict)
    methods: dict[MethodKey, Counts] = field(default_factory=dict)
    channels: dict[ChannelKey, Counts] = field(default_factory=dict)


@dataclass
class _Store:
    """One database's cached closed hours, and their sums (recomputed when they change)."""

    hours: dict[datetime, _Hour] = field(default_factory=dict)
    sums_key: tuple[Any, ...] = ()
    sums: _Sums = field(default_factory=_Sums)


@dataclass
class _View:
    hours: list[datetime]  # the chart's hours, oldest first
    series: dict[datetime, dict[SeriesKey, Counts]]
    methods: dict[MethodKey, Counts]  # today
    channels: dict[ChannelKey, Counts]  # today

    def units_since(self, since: datetime) -> dict[SeriesKey, int]:
        out: dict[SeriesKey, int] = defaultdict(int)
        for hour, by_bucket in self.series.items():
            if hour >= since:
                for key, (_, units, _) in by_bucket.items():
                    out[key] += units
        return out


_CACHE: dict[str, _Store] = {}
_CACHE_LOCK = threading.Lock()


def _add(into: dict[Any, Counts], key: Any, calls: Any, units: Any, failures: Any) -> None:
    c, u, f = into.get(key, _ZERO)
    into[key] = (c + int(calls or 0), u + int(units or 0), f + int(failures or 0))


def _read_hours(session: Session, first: datetime, last: datetime, detail_from: datetime,
                *, channels_per_hour: bool = True) -> dict[datetime, _Hour]:
    """Sum the rollups of the hours first..last (inclusive); details from `detail_from` on.

    An hour with details gets its per-bucket sums from the per-method ones (one query
    fewer). With channels_per_hour=False the channel sums of all the hours are put on
    the last one: enough for live hours, which are summed and never cached.
    """
    stamp = clock.monotonic()
    out: dict[datetime, _Hour] = {}
    hour = first
    while hour <= last:
        detail = hour >= detail_from
        out[hour] = _Hour(stamp, {}, {} if detail else None, {} if detail else None)
        hour += timedelta(hours=1)
    hour_col = HOURLY.hour
    sums = (func.sum(HOURLY.calls), func.sum(HOURLY.units), func.sum(HOURLY.failures))
    if first < detail_from:
        for at, pid, bucket, calls, units, failures in _rows(session, table_select(
                HOURLY.hour, HOURLY.project_id, HOURLY.bucket, *sums)
                .where(hour_col >= first, hour_col <= last, hour_col < detail_from)
                .group_by(HOURLY.hour, HOURLY.project_id, HOURLY.bucket)):
            slot = out.get(clock.as_utc(at))
            if slot is not None and slot.methods is None:
                _add(slot.series, (int(pid), str(bucket)), calls, units, failures)
    if last < detail_from:
        return out
    detailed = (hour_col >= max(first, detail_from), hour_col <= last)
    for at, pid, bucket, method, calls, units, failures in _rows(session, table_select(
            HOURLY.hour, HOURLY.project_id, HOURLY.bucket, HOURLY.method, *sums)
            .where(*detailed)
            .group_by(HOURLY.hour, HOURLY.project_id, HOURLY.bucket, HOURLY.method)):
        slot = out.get(clock.as_utc(at))
        if slot is not None and slot.methods is not None:
            _add(slot.methods, (int(pid), str(bucket), str(method)), calls, units, failures)
            _add(slot.series, (int(pid), str(bucket)), calls, units, failures)
    by_channel = (HOURLY.project_id, HOURLY.channel_id, HOURLY.bucket)
    if channels_per_hour:
        query = table_select(HOURLY.hour, *by_channel, *sums).where(*detailed).group_by(
            HOURLY.hour, *by_channel)
    else:
        query = table_select(literal(None), *by_channel, *sums).where(*detailed).group_by(
            *by_channel)
    for at, pid, cid, bucket, calls, units, failures in _rows(session, query):
        slot = out.get(clock.as_utc(at) if at is not None else last)
        if slot is not None and slot.channels is not None:
            _add(slot.channels, (int(pid), int(cid or 0), str(bucket)), calls, units, failures)
    return out


def _sum_hours(hours: dict[datetime, _Hour], day_start: datetime, known: set[int]) -> _Sums:
    sums = _Sums()
    for hour, slot in hours.items():
        day = sums.day_units.setdefault(clock.pacific_day(hour), {})
        for (pid, bucket), (_, units, _) in slot.series.items():
            if pid in known and units:
                day[(pid, bucket)] = day.get((pid, bucket), 0) + units
        if hour >= day_start:
            for mkey, (c, u, f) in (slot.methods or {}).items():
                _add(sums.methods, mkey, c, u, f)
            for ckey, (c, u, f) in (slot.channels or {}).items():
                _add(sums.channels, ckey, c, u, f)
    return sums


def _rollup_view(session: Session, now: datetime) -> _View:
    """Per-hour sums for the last HISTORY_DAYS days and all of today: the live hour read
    now, closed hours from the cache once they are checked against QuotaUsage."""
    end = _hour_floor(now)
    day_start = clock.pacific_day_start(clock.pacific_day(now))
    chart_start = end - timedelta(hours=HISTORY_DAYS * 24 - 1)
    # Whole Pacific days, so that each day can be checked against its QuotaUsage rows.
    first = min(day_start, clock.pacific_day_start(clock.pacific_day(chart_start)))
    live_from = max(first, end - timedelta(hours=LIVE_HOURS - 1))
    closed = [first + timedelta(hours=i)
              for i in range(int((live_from - first).total_seconds() // 3600))]
    live = _read_hours(session, live_from, end, day_start, channels_per_hour=False)
    known = {int(pid) for (pid,) in _rows(session, table_select(PROJECTS.id))}
    used: dict[date, dict[SeriesKey, int]] = defaultdict(dict)
    for pid, bucket, day, units in _rows(session, table_select(
            USAGE.project_id, USAGE.bucket, USAGE.day, USAGE.used)
            .where(USAGE.day >= clock.pacific_day(first))):
        if units and int(pid) in known:
            used[day][(int(pid), str(bucket))] = int(units)

    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    fresh_after = clock.monotonic() - CACHE_SECONDS
    with _CACHE_LOCK:
        store = _CACHE.get(key) or _Store()
        hours = {h: v for h, v in store.hours.items()
                 if first <= h < live_from and v.fetched_at >= fresh_after}
    missing = [h for h in closed
               if h not in hours or (h >= day_start and hours[h].methods is None)]
    if missing:
        hours.update(_read_hours(session, min(missing), max(missing), day_start))

    def sums_of(hours: dict[datetime, _Hour]) -> tuple[tuple[Any, ...], _Sums]:
        sums_key = (day_start, frozenset(known), tuple(sorted(
            (h, v.fetched_at) for h, v in hours.items())))
        if sums_key == store.sums_key:
            return sums_key, store.sums
        return sums_key, _sum_hours(hours, day_start, known)

    sums_key, sums = sums_of(hours)
    live_sums = _sum_hours(live, day_start, known)
    changed = set()
    for day in {clock.pacific_day(h) for h in closed}:
        total = dict(sums.day_units.get(day, {}))
        for k, units in live_sums.day_units.get(day, {}).items():
            total[k] = total.get(k, 0) + units
        if total != used.get(day, {}):
            changed.add(day)
    reread = [h for h in closed if clock.pacific_day(h) in changed and h not in missing]
    if reread:
        hours.update(_read_hours(session, min(reread), max(reread), day_start))
        sums_key, sums = sums_of(hours)
    with _CACHE_LOCK:
        _CACHE[key] = _Store(hours, sums_key, sums)

    methods, channels = dict(sums.methods), dict(sums.channels)
    for mkey, (c, u, f) in live_sums.methods.items():
        _add(methods, mkey, c, u, f)
    for ckey, (c, u, f) in live_sums.channels.items():
        _add(channels, ckey, c, u, f)
    series = {h: v.series for h, v in (*hours.items(), *live.items()) if h >= chart_start}
    return _View(hours=[chart_start + timedelta(hours=h) for h in range(HISTORY_DAYS * 24)],
                 series=series, methods=methods, channels=channels)
