"""The quota engine on a real database: atomic reservations, priorities, the Pacific day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from core import clock, db, projects, quota_ledger, quota_policy
from core.quota import Priority
from core.quota_ledger import QuotaUnavailable
from models import Alert, Project
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaLedger, QuotaUsage

COSTS = {"cheap.call": 1, "medium.call": 3, "big.call": 7}


def _project(limit: int, reserve_percent: float = 0.0, name: str = "Quota test") -> Project:
    policy = {
        "preset": "current",
        "limits": {"default": limit},
        "costs": COSTS,
        "reserve_percent": {"default": reserve_percent},
    }
    with db.session() as s:
        existing = s.exec(select(Project).where(Project.name == name)).first()
        if existing is not None:
            existing.quota_policy = quota_policy.validate_policy(policy)
            s.add(existing)
            return existing
        return projects.add_project(
            session=s,
            name=name,
            client_id=name.replace(" ", "-"),
            client_secret="s3cret",
            quota_policy=policy,
            actor="test",
        )


def _used(project: Project, bucket: str = "default") -> int:
    with db.read_session() as s:
        row = s.exec(
            select(QuotaUsage).where(
                QuotaUsage.project_id == project.id, QuotaUsage.bucket == bucket
            )
        ).first()
    return row.used if row else 0


def _hammer(
    project: Project, methods: list[str], threads: int, priority: Priority = Priority.UPLOAD
) -> int:
    """Threads reserve round-robin until refused; returns the units they were granted."""
    granted = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(offset: int) -> None:
        start.wait()
        mine = 0
        for n in range(offset, offset + 400):
            method = methods[n % len(methods)]
            try:
                r = quota_ledger.reserve(project=project, method=method, priority=priority)
            except QuotaUnavailable:
                if COSTS[method] > min(COSTS[m] for m in methods):
                    continue  # a cheaper call may still fit
                break
            mine += r.units
        with lock:
            granted.append(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(granted)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(min_value=1, max_value=60),
    methods=st.lists(st.sampled_from(sorted(COSTS)), min_size=1, max_size=3),
    threads=st.integers(min_value=2, max_value=6),
)
def test_concurrent_reservations_never_pass_the_limit(
    any_database: str, limit: int, methods: list[str], threads: int
) -> None:
    from tests.dbutil import empty_all_tables

    empty_all_tables()
    project = _project(limit)
    granted = _hammer(project, methods, threads)
    used = _used(project)
    assert used <= limit
    assert used == granted  # every unit counted once, none lost between threads
    with db.read_session() as s:
        ledger_units = sum(r.units for r in s.exec(select(QuotaLedger)).all())
        hour_units = sum(r.units for r in s.exec(select(QuotaBucketHour)).all())
        day_units = sum(r.units for r in s.exec(select(QuotaDayDetail)).all())
    assert ledger_units == hour_units == day_units == used
    if methods == ["cheap.call"]:
        assert used == limit  # with unit costs the whole bucket can be used


def test_priorities_stop_background_work_first_and_keep_the_reserve(any_database: str) -> None:
    project = _project(100, reserve_percent=10)
    assert _hammer(project, ["cheap.call"], 3, Priority.BACKGROUND) == 90
    assert _hammer(project, ["cheap.call"], 3, Priority.UPLOAD) == 0  # 100 - 10 % reserve
    assert _hammer(project, ["cheap.call"], 3, Priority.FINISH) == 10  # finishing may use it
    with pytest.raises(QuotaUnavailable, match=r"resets at"):
        quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.FINISH)


def test_thresholds_raise_one_alert_each_per_bucket_and_day(any_database: str) -> None:
    project = _project(10)
    for _ in range(10):
        quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.FINISH)
    with db.read_session() as s:
        rows = s.exec(select(Alert).order_by(Alert.id)).all()
    assert [(a.severity, a.subject.split(" passed ")[1].split("%")[0]) for a in rows] == [
        ("info", "70"),
        ("warning", "80"),
        ("critical", "90"),
    ]
    assert "background reads have stopped" in rows[2].message
    assert rows[2].message.startswith("9 of 10 units (90%) used")
    assert rows[2].subject.endswith(f"(quota day {clock.pacific_day(clock.now())}, Pacific time)")


def test_a_call_never_sent_gives_its_units_back(any_database: str) -> None:
    project = _project(10)
    r = quota_ledger.reserve(project=project, method="big.call", priority=Priority.UPLOAD)
    quota_ledger.settle(r, "connection refused before sending", sent=False)
    assert _used(project) == 0
    r = quota_ledger.reserve(project=project, method="big.call", priority=Priority.UPLOAD)
    quota_ledger.settle(r, "backendError")  # failed calls still cost quota
    assert _used(project) == 7
    with db.read_session() as s:
        assert [x.outcome for x in s.exec(select(QuotaLedger).order_by(QuotaLedger.id))] == [
            "refunded",
            "backendError",
        ]


def test_quota_exceeded_stops_the_bucket_until_the_pacific_reset(any_database: str) -> None:
    project = _project(100)
    r = quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.UPLOAD)
    quota_ledger.settle(r, "quotaExceeded")
    quota_ledger.mark_exhausted(project=project, reservation=r)
    with pytest.raises(QuotaUnavailable, match="Google reported it exhausted"):
        quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.FINISH)
    with db.read_session() as s:
        usage = s.exec(select(QuotaUsage)).one()
        alert = s.exec(select(Alert).where(Alert.kind == "quota.exhausted")).one()
    assert usage.used_when_exhausted == 1
    assert "our count disagrees" in alert.message
    clock.shift(clock.next_pacific_midnight(clock.now()) - clock.now() + timedelta(seconds=1))
    try:
        fresh = quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.UPLOAD)
    finally:
        clock.reset()
    assert fresh.units == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # An ordinary winter night: midnight Pacific is 08:00 UTC.
        (datetime(2026, 1, 15, 7, 59, 30, tzinfo=UTC), datetime(2026, 1, 15, 8, 0, 30, tzinfo=UTC)),
        # The night daylight saving starts (8 March 2026): the reset is still 08:00 UTC,
        # and the next one comes 23 hours later, at 07:00 UTC.
        (datetime(2026, 3, 8, 7, 59, 30, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, 30, tzinfo=UTC)),
        (datetime(2026, 3, 9, 6, 59, 30, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, 30, tzinfo=UTC)),
        # The night it ends (1 November 2026): 07:00 UTC, then 25 hours later 08:00 UTC.
        (datetime(2026, 11, 1, 6, 59, 30, tzinfo=UTC), datetime(2026, 11, 1, 7, 0, 30, tzinfo=UTC)),
        (datetime(2026, 11, 2, 7, 59, 30, tzinfo=UTC), datetime(2026, 11, 2, 8, 0, 30, tzinfo=UTC)),
    ],
)
def test_the_bucket_refills_exactly_at_pacific_midnight(
    any_database: str, before: datetime, after: datetime
) -> None:
    project = _project(5)
    clock.shift(before - clock.now())
    try:
        assert _hammer(project, ["cheap.call"], 2) == 5
        with pytest.raises(QuotaUnavailable) as refused:
            quota_ledger.reserve(project=project, method="cheap.call", priority=Priority.UPLOAD)
        assert refused.value.resets_at == clock.next_pacific_midnight(before)
        assert before < refused.value.resets_at < after
        clock.shift(after - clock.now())
        assert _hammer(project, ["cheap.call"], 2) == 5  # a new Pacific day, a full bucket
    finally:
        clock.reset()


def test_videos_insert_has_its_own_bucket_of_calls(any_database: str) -> None:
    with db.session() as s:
        project = projects.add_project(
            session=s,
            name="Uploader",
            client_id="up-client",
            client_secret="s3cret",
            actor="test",
            quota_policy={"limits": {"videos.insert": 3}},
        )
    for _ in range(3):
        r = quota_ledger.reserve(project=project, method="videos.insert", priority=Priority.UPLOAD)
        assert (r.bucket, r.units) == ("videos.insert", 1)
    with pytest.raises(QuotaUnavailable, match=r"videos\.insert"):
        quota_ledger.reserve(project=project, method="videos.insert", priority=Priority.UPLOAD)
    # The shared bucket is untouched and still open for follow-ups.
    r = quota_ledger.reserve(project=project, method="thumbnails.set", priority=Priority.FINISH)
    assert (r.bucket, r.units) == ("default", 50)


def test_legacy_preset_charges_1600_units_of_the_shared_bucket(any_database: str) -> None:
    with db.session() as s:
        project = projects.add_project(
            session=s,
            name="Old project",
            client_id="old-client",
            client_secret="s3cret",
            actor="test",
            quota_policy={"preset": "legacy"},
        )
    uploads = 0
    while True:
        try:
            quota_ledger.reserve(project=project, method="videos.insert", priority=Priority.UPLOAD)
        except QuotaUnavailable:
            break
        uploads += 1
    assert uploads == 6  # 6 x 1600 = 9,600 of 10,000 units (the 2 % reserve is 200)
    assert _used(project) == 9600
