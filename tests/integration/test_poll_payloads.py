"""What each page sends the browser stays bounded as the fleet grows, and a poll that finds
nothing new sends (almost) nothing.

The real page States run outside a server, signed in with a real session cookie, their
handlers called as Reflex calls them; a payload is the JSON of the state update Reflex
would emit. Two fleets larger than a page (MEDIUM, and BIG with three times the channels,
jobs and alerts) are built in turn with bulk inserts into the migrated database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from reflex.state import BaseState, State, StateUpdate
from reflex_base.utils import format
from sqlalchemy import insert, update
from sqlmodel import SQLModel

from app.states.alerts import AlertsState
from app.states.channels import ChannelsState
from app.states.overview import OverviewState
from app.states.quota import QuotaState
from app.states.upload_queue import UploadQueueState
from core import auth, clock, db
from models import Alert, Channel, Project, Role, UploadJob
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaUsage
from tests.dbutil import empty_all_tables

NOTHING = 1024  # bytes: a poll that found no change
GAUGE = 800  # bytes: one quota gauge (a meter's numbers and its strings; never a figure)
LIST_PAGE = 50 * 1024  # bytes: one page of channels, jobs or alerts
PROGRESS = 4 * 1024  # bytes: a queue poll while one upload moves
PAGES: list[tuple[str, Any]] = [
    ("/", OverviewState),
    ("/channels", ChannelsState),
    ("/uploads", UploadQueueState),
    ("/quota", QuotaState),
    ("/alerts", AlertsState),
]


@dataclass(frozen=True)
class Size:
    channels: int
    jobs: int
    alerts: int
    projects: int = 3
    needs_reauth: int = 3  # the Overview names each of these: the same count in both sizes


MEDIUM = Size(channels=120, jobs=1_200, alerts=200)
BIG = Size(channels=360, jobs=3_600, alerts=600)


def _table(model: Any) -> Any:
    return SQLModel.metadata.tables[model.__tablename__]


def build_fleet(size: Size) -> None:
    now = clock.now()
    today = clock.pacific_day(now)
    hour = now.replace(minute=0, second=0, microsecond=0)
    buckets = ("default", "videos.insert", "search.list")
    states = ("active", "active", "reserve", "paused")
    with db.session() as s:
        run = s.connection().execute
        run(
            insert(_table(Project)),
            [
                {
                    "id": p,
                    "name": f"Project {p}",
                    "client_id": f"client-{p}",
                    "client_secret_enc": "x",
                }
                | {"is_sandbox": False, "verified": True, "consent_testing": False}
                | {"quota_policy": {}, "created_at": now}
                for p in range(1, size.projects + 1)
            ],
        )
        run(
            insert(_table(Channel)),
            [
                {"id": c, "youtube_id": f"UC{c:022d}", "project_id": 1 + c % size.projects}
                | {"title": f"Channel {c:04d}", "handle": f"@channel{c}", "group_name": f"G{c % 7}"}
                | {"state": "needs_reauth" if c <= size.needs_reauth else states[c % 4]}
                | {"refresh_token_enc": "r" * 300, "access_token_enc": "a" * 600}
                | {"scopes": "https://www.googleapis.com/auth/youtube.upload"}
                | {"connected_at": now, "created_at": now, "score_breakdown": {}}
                for c in range(1, size.channels + 1)
            ],
        )
        run(
            insert(_table(UploadJob)),
            [
                {"id": j, "created_at": now, "updated_at": now, "created_by": "m@example.com"}
                | {"state": "uploading" if j == size.jobs else ("published", "failed")[j % 2]}
                | {"not_before": now - timedelta(minutes=j), "target_kind": "channel"}
                | {"scheduled_for": now - timedelta(minutes=j), "publish_mode": "upload_at"}
                | {"channel_id": 1 + j % size.channels, "project_id": 1 + j % size.projects}
                | {"file_path": f"/m/{j}.mp4", "file_name": f"{j}.mp4", "file_size": 10**8}
                | {"file_md5": "0" * 32, "title": f"Video {j}", "tags": []}
                for j in range(1, size.jobs + 1)
            ],
        )
        run(
            insert(_table(Alert)),
            [
                {
                    "id": a,
                    "kind": "upload.failed",
                    "severity": ("critical", "warning", "info")[a % 3],
                }
                | {"subject": f"job {a} failed", "message": "m" * 80, "status": "open"}
                | {"open_key": f"upload.failed|{a}", "project_id": 1 + a % size.projects}
                | {"channel_id": 1 + a % size.channels}
                | {"first_raised_at": now, "last_raised_at": now - timedelta(seconds=a)}
                for a in range(1, size.alerts + 1)
            ],
        )
        projects = range(1, size.projects + 1)
        run(
            insert(_table(QuotaUsage)),
            [
                {"project_id": p, "bucket": b, "day": today, "used": 100, "limit_units": 10_000}
                for p in projects
                for b in buckets
            ],
        )
        run(
            insert(_table(QuotaBucketHour)),
            [
                {"project_id": p, "bucket": b, "hour": hour - timedelta(hours=h), "calls": 2}
                | {"units": 2, "failures": 0}
                for p in projects
                for b in buckets
                for h in range(24 * 7)
            ],
        )
        run(
            insert(_table(QuotaDayDetail)),
            [
                {"project_id": 1 + c % size.projects, "bucket": "default", "method": "videos.list"}
                | {"channel_id": c, "day": today, "calls": 1, "units": 1, "failures": 0}
                for c in range(1, size.channels + 1)
            ],
        )


class Tab:
    """One signed-in browser tab's state tree (what Reflex keeps per tab)."""

    def __init__(self, token: str) -> None:
        from core.auth import SESSION_COOKIE

        self.root: BaseState = State(_reflex_internal_init=True)
        self.cookie = f"{SESSION_COOKIE}={token}"

    def open(self, path: str) -> None:
        data = {
            "headers": {"cookie": self.cookie, "origin": "http://localhost:3000"},
            "pathname": path,
            "asPath": path,
            "query": {},
            "token": "tab",
            "sid": "tab-sid",
            "ip": "127.0.0.1",
        }
        self.root.router_data = self.root._update_router_vars(data, self.root.router_data)
        self.root._clean()

    def call(self, handler: Any, *args: Any) -> int:
        """Run a handler as Reflex would; the bytes of the update it makes the browser get."""
        state = self.root.get_substate(handler.state.get_full_name().split(".")[1:])
        handler.fn(state, *args)
        size = len(format.json_dumps(StateUpdate(delta=self.root.get_delta())).encode())
        self.root._clean()
        return size


@dataclass
class Sent:
    load: int
    nothing_new: int


def measure(tab: Tab, path: str, state: Any) -> Sent:
    tab.open(path)
    load = tab.call(state.load)
    tab.call(state.refresh)  # the first poll may carry what load left for later
    return Sent(load=load, nothing_new=tab.call(state.refresh))


@pytest.fixture
def tab(any_database: str) -> Iterator[Callable[[Size], Tab]]:
    def make(size: Size) -> Tab:
        empty_all_tables()
        build_fleet(size)
        with db.session() as s:
            auth.create_user(
                session=s,
                email="ops@example.com",
                password="pw for the payload test",
                role=Role.ADMIN,
                actor="test",
            )
        return Tab(auth.login(email="ops@example.com", password="pw for the payload test"))

    yield make


def test_a_poll_with_no_change_sends_almost_nothing_and_pages_do_not_grow(
    tab: Callable[[Size], Tab],
) -> None:
    sent: dict[str, dict[str, Sent]] = {}
    for name, size in (("medium", MEDIUM), ("big", BIG)):
        t = tab(size)
        sent[name] = {path: measure(t, path, state) for path, state in PAGES}
    for path, _ in PAGES:
        medium, big = sent["medium"][path], sent["big"][path]
        assert big.nothing_new < NOTHING, (path, big)
        # Three times the channels, jobs and alerts: what a page sends stays the same size.
        assert big.load <= medium.load * 1.2 + 2048, (path, medium, big)
    for path in ("/channels", "/uploads", "/alerts"):
        assert sent["big"][path].load < LIST_PAGE, (path, sent["big"][path])


def test_a_moving_upload_resends_its_progress_only(tab: Callable[[Size], Tab]) -> None:
    t = tab(BIG)
    measure(t, "/uploads", UploadQueueState)
    t.call(UploadQueueState.set_filter, "state", "uploading")
    with db.session() as s:
        s.execute(
            update(UploadJob)
            .where(UploadJob.id == BIG.jobs)  # type: ignore[arg-type]
            .values(bytes_confirmed=5 * 10**7, speed_bps=10**6, updated_at=clock.now())
        )
    state = t.root.get_substate(UploadQueueState.get_full_name().split(".")[1:])
    before = dict(state.rows[0])
    t.root._clean()
    size = t.call(UploadQueueState.refresh)
    assert size < PROGRESS
    assert state.progress[str(BIG.jobs)]["percent"] == "50"
    assert dict(state.rows[0]) == before


def test_quota_gauges_are_numbers_and_a_quota_change_resends_only_what_moved(
    tab: Callable[[Size], Tab],
) -> None:
    t = tab(BIG)
    gauges = BIG.projects * 3
    sent = {
        path: measure(t, path, state)
        for path, state in (("/", OverviewState), ("/quota", QuotaState))
    }
    for path in ("/", "/quota"):
        assert sent[path].nothing_new < NOTHING, (path, sent[path])
    overview = t.root.get_substate(OverviewState.get_full_name().split(".")[1:])
    quota = t.root.get_substate(QuotaState.get_full_name().split(".")[1:])
    meter = quota.gauges[0]["gauges"][0]
    assert (meter["now"], meter["max"], meter["fill"]) == (100, 10_000, "1.0%")
    assert "figure" not in meter and "forecast" not in overview.quota[0]["gauges"][0]

    # 50 more units counted in project 1's shared bucket: the gauges come again, as numbers.
    with db.session() as s:
        s.execute(
            update(QuotaUsage)
            .where(QuotaUsage.project_id == 1, QuotaUsage.bucket == "default")  # type: ignore[arg-type]
            .values(used=QuotaUsage.used + 50)
        )
    t.open("/")
    moved = t.call(OverviewState.refresh)
    assert moved < gauges * GAUGE * 0.7, moved  # compact: no ceilings, no forecast
    assert overview.quota[0]["gauges"][0]["used"] == "150"
    t.open("/quota")
    moved = t.call(QuotaState.refresh)
    assert moved < gauges * GAUGE + 2048, moved  # the chart and the breakdowns did not move
    assert quota.gauges[0]["gauges"][0]["now"] == 150
    assert t.call(QuotaState.refresh) < NOTHING
