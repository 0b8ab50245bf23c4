"""What the Quota page and `tubefleet quota` report, on a real database, from real reservations.

Calls are made with core.quota_ledger.reserve at moved clock times, so the rollups and
today's counters are exactly what the engine writes; the report must show what a
person would check: used, limit, reserve, the reset in UTC across Pacific
midnight (daylight saving included), the forecast, and today's breakdown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import select

from core import clock, db, projects, quota_ledger, quota_report
from core.quota import Priority
from models import Channel, Project
from models.quota import QuotaBucketHour, QuotaDayDetail

PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific(*args: int) -> datetime:
    return datetime(*args, tzinfo=PACIFIC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def move_clock_to(when: datetime) -> None:
    clock.reset()
    clock.shift(when - clock.now())


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    yield
    clock.reset()


def add_project(name: str = "Brand A", **policy: object) -> Project:
    with db.session() as s:
        return projects.add_project(
            session=s,
            name=name,
            client_id=f"{name.replace(' ', '-')}.apps.test",
            client_secret="s3cret",
            actor="test",
            quota_policy={"preset": "current", **policy},
        )


def add_channel(project: Project, title: str) -> int:
    now = clock.now()
    with db.session() as s:
        channel = Channel(
            youtube_id=f"UC-{project.id}-{title}",
            project_id=project.id or 0,
            title=title,
            refresh_token_enc="not-a-token",
            connected_at=now,
            created_at=now,
        )
        s.add(channel)
        s.flush()
        return channel.id or 0


def call(
    project: Project,
    method: str,
    times: int = 1,
    channel_id: int | None = None,
    outcome: str = "ok",
) -> list[quota_ledger.Reservation]:
    made = []
    for _ in range(times):
        r = quota_ledger.reserve(
            project=project, method=method, priority=Priority.UPLOAD, channel_id=channel_id
        )
        quota_ledger.settle(r, outcome)
        made.append(r)
    return made


def report(now: datetime | None = None) -> quota_report.QuotaReport:
    with db.read_session() as s:
        return quota_report.quota_report(session=s, now=now)


def bucket(
    rep: quota_report.QuotaReport, name: str, project: str = "Brand A"
) -> quota_report.BucketStatus:
    return next(b for b in rep.buckets if b.bucket == name and b.project == project)


def test_each_bucket_shows_used_limit_reserve_ceilings_and_reset(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 20, 10, 30))
    call(project, "videos.list", 3)
    call(project, "thumbnails.set", 2)
    call(project, "videos.insert", 2)

    rep = report()
    assert [(b.project, b.bucket) for b in rep.buckets] == [
        ("Brand A", "default"),
        ("Brand A", "videos.insert"),
        ("Brand A", "search.list"),
    ]
    shared = bucket(rep, "default")
    assert (shared.used, shared.limit, shared.reserve) == (103, 10_000, 200)
    assert shared.upload_ceiling == 9_800 and shared.background_ceiling == 9_000
    assert shared.percent == 1.0 and shared.level == "ok" and not shared.exhausted
    # 10:30 PST is 18:30 UTC; the quota resets at the next Pacific midnight, 08:00 UTC.
    assert shared.resets_at == utc(2026, 11, 21, 8)
    inserts = bucket(rep, "videos.insert")
    assert (inserts.used, inserts.limit, inserts.reserve, inserts.percent) == (2, 100, 0, 2.0)
    assert bucket(rep, "search.list").used == 0
    assert shared.public()["resets_at"] == "2026-11-21T08:00:00+00:00"


def test_raised_limit_and_legacy_preset_show_as_configured(any_database: str) -> None:
    add_project("Raised", limits={"default": 50_000, "videos.insert": 400})
    legacy = add_project("Old project", preset="legacy")
    move_clock_to(pacific(2026, 11, 20, 9))
    call(legacy, "videos.insert")  # 1600 units of the shared bucket on the legacy preset

    rep = report()
    raised = {b.bucket: b for b in rep.buckets if b.project == "Raised"}
    assert raised["default"].limit == 50_000 and raised["default"].reserve == 1_000
    assert raised["videos.insert"].limit == 400
    old = [b for b in rep.buckets if b.project == "Old project"]
    assert [b.bucket for b in old] == ["default"]
    assert old[0].used == 1_600 and old[0].percent == 16.0


def test_the_day_and_the_reset_turn_over_at_pacific_midnight(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 20, 23, 50))
    call(project, "thumbnails.set")
    late = bucket(report(), "default")
    assert late.used == 50 and late.resets_at == utc(2026, 11, 21, 8)

    move_clock_to(pacific(2026, 11, 21, 0, 10))
    fresh = report()
    shared = bucket(fresh, "default")
    assert shared.used == 0 and shared.day.isoformat() == "2026-11-21"
    assert shared.resets_at == utc(2026, 11, 22, 8)
    # Yesterday's call is still in the 7-day chart, in the UTC hour it was made.
    series = next(s for s in fresh.series if s.bucket == "default")
    assert series.units[series.hours.index(utc(2026, 11, 21, 7))] == 50
    assert sum(series.units) == 50
    # ...but not in today's breakdown.
    assert fresh.by_method == [] and fresh.by_channel == []


@pytest.mark.parametrize(
    ("local", "resets_utc"),
    [
        # The day daylight saving time ends (25 hours): starts 07:00 UTC, resets 08:00 UTC.
        (pacific(2026, 11, 1, 0, 30), utc(2026, 11, 2, 8)),
        (pacific(2026, 10, 31, 23, 30), utc(2026, 11, 1, 7)),
        # The day it starts (23 hours): starts 08:00 UTC, resets 07:00 UTC.
        (pacific(2027, 3, 14, 1, 30), utc(2027, 3, 15, 7)),
        (pacific(2027, 3, 13, 23, 30), utc(2027, 3, 14, 8)),
    ],
)
def test_reset_time_follows_daylight_saving(
    any_database: str, local: datetime, resets_utc: datetime
) -> None:
    project = add_project()
    move_clock_to(local)
    call(project, "videos.list")
    shared = bucket(report(), "default")
    assert shared.resets_at == resets_utc
    assert shared.used == 1


def test_forecast_uses_the_last_three_hours_rate(any_database: str) -> None:
    project = add_project(limits={"default": 1_000})  # reserve 2 % = 20: new work stops at 980
    move_clock_to(pacific(2026, 11, 20, 8, 20))
    call(project, "thumbnails.set", 4)  # 200 units, before the rate window
    move_clock_to(pacific(2026, 11, 20, 12, 15))
    call(project, "thumbnails.set", 6)  # 300 units inside it
    move_clock_to(pacific(2026, 11, 20, 14, 0))

    shared = bucket(report(), "default")
    assert shared.used == 500
    # Window 11:00-14:00: 300 units in 3 h = 100 units/h; 480 units left -> 4 h 48 min.
    assert shared.rate_since == pacific(2026, 11, 20, 11).astimezone(UTC)
    assert shared.rate_per_hour == 100.0
    assert shared.runs_out_at is not None
    assert abs(shared.runs_out_at - pacific(2026, 11, 20, 18, 48)) < timedelta(seconds=5)
    # The videos.insert bucket had no calls: no forecast.
    rep = report()
    assert bucket(rep, "videos.insert").runs_out_at is None
    # The CLI's and the Overview's reading (no cached hours) says the same as the page.
    with db.read_session() as s:
        assert quota_report.bucket_status(session=s, now=rep.now) == rep.buckets


def test_no_forecast_when_the_bucket_lasts_until_the_reset(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 20, 13, 5))
    call(project, "videos.list", 30)
    shared = bucket(report(), "default")
    assert shared.rate_per_hour > 0
    assert shared.runs_out_at is None


def test_early_in_the_day_the_rate_counts_from_midnight(any_database: str) -> None:
    project = add_project(limits={"default": 1_000})
    move_clock_to(pacific(2026, 11, 19, 22, 10))
    call(project, "thumbnails.set", 10)  # yesterday: not part of today's rate
    move_clock_to(pacific(2026, 11, 20, 0, 20))
    call(project, "thumbnails.set", 2)  # 100 units
    move_clock_to(pacific(2026, 11, 20, 1, 0))

    shared = bucket(report(), "default")
    assert shared.rate_since == pacific(2026, 11, 20, 0).astimezone(UTC)
    assert shared.rate_per_hour == 100.0
    assert shared.runs_out_at is not None
    assert abs(shared.runs_out_at - pacific(2026, 11, 20, 9, 48)) < timedelta(seconds=5)


def test_exhausted_bucket_says_so_and_has_no_forecast(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 20, 15))
    [reservation] = call(project, "videos.insert", outcome="quotaExceeded")
    quota_ledger.mark_exhausted(project=project, reservation=reservation)

    inserts = bucket(report(), "videos.insert")
    assert inserts.exhausted and inserts.level == "exhausted"
    assert inserts.exhausted_at is not None and inserts.used == 1
    assert inserts.runs_out_at is None
    assert inserts.public()["exhausted"] is True


def test_breakdown_today_by_method_and_by_channel(any_database: str) -> None:
    project = add_project()
    cooking = add_channel(project, "Cooking Daily")
    travel = add_channel(project, "Travel Notes")
    move_clock_to(pacific(2026, 11, 19, 16))
    call(project, "captions.insert", channel_id=cooking)  # yesterday: not in today's breakdown
    move_clock_to(pacific(2026, 11, 20, 9, 5))
    call(project, "videos.list", 2, channel_id=cooking)
    call(project, "thumbnails.set", channel_id=cooking)
    call(project, "videos.insert", channel_id=travel)
    call(project, "videos.list", channel_id=travel, outcome="backendError")
    call(project, "videoCategories.list")
    never_sent = quota_ledger.reserve(
        project=project, method="videos.update", priority=Priority.UPLOAD, channel_id=travel
    )
    quota_ledger.settle(never_sent, "authError", sent=False)  # refunded: not counted
    move_clock_to(pacific(2026, 11, 20, 11, 30))

    rep = report()
    methods = [(m.method, m.bucket, m.calls, m.units, m.failures) for m in rep.by_method]
    assert methods == [
        ("thumbnails.set", "default", 1, 50, 0),
        ("videos.list", "default", 3, 3, 1),
        ("videoCategories.list", "default", 1, 1, 0),
        ("videos.insert", "videos.insert", 1, 1, 0),
    ]
    channels = {c.channel: c for c in rep.by_channel}
    assert list(channels) == ["Cooking Daily", "Travel Notes", quota_report.NO_CHANNEL]
    assert channels["Cooking Daily"].units_by_bucket == {"default": 52}
    assert channels["Cooking Daily"].calls == 3
    assert channels["Travel Notes"].units_by_bucket == {"default": 1, "videos.insert": 1}
    assert channels["Travel Notes"].failures == 1
    assert channels[quota_report.NO_CHANNEL].channel_id is None
    assert bucket(rep, "default").used == 54


def test_the_page_reads_the_busiest_channels_and_counts_the_rest(any_database: str) -> None:
    brand_a, brand_b = add_project("Brand A"), add_project("Brand B")
    move_clock_to(pacific(2026, 11, 20, 9, 5))
    # Equal use in both projects: ties go by project, then by channel name.
    for project in (brand_b, brand_a):
        for title, times in (("Zebra Vlog", 2), ("apple tips", 2), ("Mango TV", 1)):
            call(project, "videos.list", times, channel_id=add_channel(project, title))
    call(brand_a, "videos.insert", 3)  # no channel, and no shared-bucket units
    move_clock_to(pacific(2026, 11, 20, 11, 30))

    everything = report()
    with db.read_session() as s:
        cut = quota_report.quota_report(session=s, channel_rows=3)
    listed = [(c.project, c.channel, c.calls) for c in everything.by_channel]
    assert listed == [
        ("Brand A", "Zebra Vlog", 2),
        ("Brand A", "apple tips", 2),
        ("Brand B", "Zebra Vlog", 2),
        ("Brand B", "apple tips", 2),
        ("Brand A", "Mango TV", 1),
        ("Brand B", "Mango TV", 1),
        ("Brand A", quota_report.NO_CHANNEL, 3),
    ]
    assert everything.channel_count == 7
    assert cut.by_channel == everything.by_channel[:3]
    assert cut.channel_count == 7
    assert everything.by_channel[-1].units_by_bucket == {"videos.insert": 3}


def test_hourly_series_covers_seven_days_hour_by_hour(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 13, 10))  # more than 7 days ago: outside the chart
    call(project, "videos.list", 5)
    move_clock_to(pacific(2026, 11, 17, 12, 30))
    call(project, "videos.list", 4)
    call(project, "videos.insert")
    move_clock_to(pacific(2026, 11, 20, 12, 30))
    call(project, "videos.list", 1)

    rep = report()
    shared = next(s for s in rep.series if s.bucket == "default")
    assert len(shared.hours) == 7 * 24
    assert shared.hours[-1] == utc(2026, 11, 20, 20)
    assert all(
        b - a == timedelta(hours=1) for a, b in zip(shared.hours, shared.hours[1:], strict=False)
    )
    assert sum(shared.units) == 5 and sum(shared.calls) == 5
    assert shared.units[shared.hours.index(utc(2026, 11, 17, 20))] == 4
    assert shared.units[-1] == 1
    inserts = next(s for s in rep.series if s.bucket == "videos.insert")
    assert sum(inserts.calls) == 1


def test_a_late_refund_shows_everywhere(any_database: str) -> None:
    project = add_project()
    channel = add_channel(project, "Cooking Daily")
    move_clock_to(pacific(2026, 11, 20, 9, 10))
    call(project, "videos.list", 3, channel_id=channel)
    slow = quota_ledger.reserve(
        project=project, method="thumbnails.set", priority=Priority.FINISH, channel_id=channel
    )
    move_clock_to(pacific(2026, 11, 20, 12, 5))
    first = report()  # 09:00 is a closed hour now
    assert bucket(first, "default").used == 53

    # Its thumbnail call turned out never sent: refunded into the closed 09:00 hour.
    quota_ledger.settle(slow, "connectionError", sent=False)
    call(project, "videos.list", 2, channel_id=channel)
    again = report()
    assert bucket(again, "default").used == 5
    assert [(m.method, m.units) for m in again.by_method] == [("videos.list", 5)]
    assert again.by_channel[0].units_by_bucket == {"default": 5}
    series = next(s for s in again.series if s.bucket == "default")
    assert series.units[series.hours.index(pacific(2026, 11, 20, 9).astimezone(UTC))] == 3
    assert report(again.now) == again


def test_page_data_never_reads_the_ledger(any_database: str) -> None:
    project = add_project()
    move_clock_to(pacific(2026, 11, 20, 10))
    call(project, "videos.list", 3)
    statements: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.lower())

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        rep = report()
        with db.read_session() as s:
            quota_report.bucket_status(session=s)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert bucket(rep, "default").used == 3
    assert statements and not [s for s in statements if "quota_ledger" in s]
    with db.read_session() as s:
        hours = s.exec(select(QuotaBucketHour)).all()
        details = s.exec(select(QuotaDayDetail)).all()
    assert sum(r.calls for r in hours) == sum(r.calls for r in details) == 3
