"""What bench/fleet_scale.py measures: each page's handlers and each periodic tick, and
the fleet environment (database engine, clock, signed-in tab) they run in."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.fleet_data import Fleet

STARTED = datetime.now(UTC)


@dataclass
class Env:
    """One fleet in use: its database engine, clock offset and a signed-in browser tab."""

    fleet: Fleet
    data_dir: Path
    engine: Any = None
    pages: Any = None

    def activate(self) -> None:
        from core import clock, db
        from core.settings import reload_settings

        os.environ["TUBEFLEET_DATABASE_URL"] = self.fleet.url
        os.environ["TUBEFLEET_DATA_DIR"] = str(self.data_dir)
        reload_settings()
        db._engine = self.engine  # each fleet keeps its own pool across switches
        if self.engine is None:
            self.engine = db.engine()
        clock.reset()
        clock.shift(self.fleet.anchor - STARTED)
        if self.pages is None:
            from bench.state_harness import PageHarness

            self.pages = PageHarness(self.fleet.viewer_token)


@dataclass
class Case:
    name: str
    run: Callable[[Env], Any]
    setup: Callable[[Env], Any] | None = None
    page: bool = False  # measure the bytes sent
    live_change: bool = False  # one upload moves on before each run
    unchanged_bytes: dict[str, int] = field(default_factory=dict)


def move_one_upload(env: Env) -> None:
    """A worker's progress write: one running upload confirms another chunk."""
    from sqlalchemy import text

    from core import clock, db

    with db.session() as s:
        s.execute(
            text(
                "UPDATE upload_jobs SET bytes_confirmed = (bytes_confirmed + 8388608) % file_size,"
                " bytes_sent = (bytes_sent + 8388608) % file_size, progress_at = :now "
                "WHERE id = (SELECT MIN(id) FROM upload_jobs WHERE state = 'uploading')"
            ),
            {
                "now": clock.now().replace(tzinfo=None)
                if env.fleet.backend == "sqlite"
                else clock.now()
            },
        )


def page(path: str, handler: str, state: str, *args: Any) -> Callable[[Env], Any]:
    def run(env: Env) -> Any:
        cls = _state_class(state)
        return env.pages.call(getattr(cls, handler), *args)

    run.handler = handler  # type: ignore[attr-defined]
    return run


def opened(path: str, state: str, then: tuple[str, ...] = ()) -> Callable[[Env], None]:
    """Setup: open the page and load it (and run `then`, e.g. a filter), all untimed."""

    def setup(env: Env) -> None:
        cls = _state_class(state)
        env.pages.open(path)
        env.pages.call(cls.load)
        if then:
            env.pages.call(getattr(cls, then[0]), *then[1:])
        env.pages.clean()

    return setup


def navigate(path: str) -> Callable[[Env], None]:
    return lambda env: env.pages.open(path)


def _state_class(name: str) -> Any:
    from app.states.alerts import AlertsState
    from app.states.channels import ChannelsState
    from app.states.overview import OverviewState
    from app.states.quota import QuotaState
    from app.states.upload_queue import UploadQueueState

    return {
        "overview": OverviewState,
        "channels": ChannelsState,
        "uploads": UploadQueueState,
        "quota": QuotaState,
        "alerts": AlertsState,
    }[name]


def tick_claim(env: Env) -> list[int]:
    """Runner.tick's claim (core.uploads.runner.claim_due), every slot free (rolled back)."""
    from core import db, lease
    from core.settings import get_settings
    from core.uploads.runner import claim_due

    with db.session() as s:
        ids = claim_due(
            s,
            owner=f"{lease.process_owner()}:{uuid.uuid4().hex[:8]}",
            running=[],
            limit=get_settings().upload_concurrency,
        )
        s.rollback()
    return ids


def tick_tokens(env: Env) -> list[int]:
    """The token refresh tick's first claim of due channels (rolled back)."""
    from sqlalchemy import or_
    from sqlmodel import col

    from core import clock, db, lease, tokens
    from core.settings import get_settings
    from models import Channel, ChannelState

    settings = get_settings()
    horizon = clock.now() + timedelta(minutes=settings.token_refresh_buffer_minutes)
    keep_fresh = [s for s in ChannelState if s.keeps_token_fresh]
    with db.session() as s:
        ids = lease.claim(
            session=s,
            model=Channel,
            owner=tokens._owner(),
            ttl=tokens.REFRESH_LEASE,
            where=[
                col(Channel.state).in_(keep_fresh),
                or_(
                    col(Channel.token_expires_at).is_(None), col(Channel.token_expires_at) < horizon
                ),
                col(Channel.id).not_in([]),
            ],
            order_by=[col(Channel.token_expires_at)],
            limit=max(50, 20 * settings.token_refresh_concurrency),
        )
        s.rollback()
    return ids


def tick_next_uploads(env: Env) -> Any:
    from core import db, uploads

    with db.read_session() as s:
        return uploads.next_scheduled(session=s)


def tick_pick(env: Env) -> Any:
    from core import db, rotation

    with db.read_session() as s:
        return rotation.choose(s)


def tick_scores(env: Env) -> Any:
    """The rotation tick's work in the process whose turn it is (the others skip it)."""
    from core import rotation

    return rotation.refresh_scores()


def tick_turn(env: Env) -> Any:
    """A rotation tick in a process whose turn it is not: it finds the run taken and skips."""
    from datetime import timedelta

    from core import periodic

    return periodic.run_once("bench-turn", every=timedelta(days=365), work=lambda: None)


def previous_housekeeping(env: Env) -> None:
    """The fleet as housekeeping finds it each hour: its previous pass ended an hour ago,
    and the statistics were refreshed less than 6 hours ago (their own case)."""
    from datetime import timedelta

    from sqlalchemy import delete

    from core import clock, db, housekeeping
    from models import PeriodicRun

    now = clock.now()
    with db.session() as s:
        s.execute(
            delete(PeriodicRun).where(
                PeriodicRun.name.in_([housekeeping.NAME, "database_statistics"])  # type: ignore[attr-defined]
            )
        )
        s.add(PeriodicRun(name=housekeeping.NAME, finished_at=now - timedelta(hours=1), runs=1))
        s.add(PeriodicRun(name="database_statistics", started_at=now, finished_at=now, runs=1))


def tick_housekeeping(env: Env) -> Any:
    """The hourly housekeeping's work (core.housekeeping.run, what jobs/housekeeping.py runs
    in the process whose turn it is), prune_media included."""
    from core import housekeeping

    return housekeeping.run()


def tick_prune_media(env: Env) -> int:
    """prune_media as the hourly pass runs it: what expired since the previous pass."""
    from datetime import timedelta

    from core import clock, uploads

    return uploads.prune_media(since=clock.now() - timedelta(hours=1))


def tick_statistics(env: Env) -> Any:
    """The SQLite statistics refresh housekeeping runs every 6 hours (nothing on PG)."""
    from core import housekeeping

    return housekeeping.refresh_statistics()


CASES = [
    Case("Overview load", page("/", "load", "overview"), navigate("/"), page=True),
    Case("Overview poll", page("/", "refresh", "overview"), opened("/", "overview"), True, True),
    Case("Channels load", page("/channels", "load", "channels"), navigate("/channels"), True),
    Case(
        "Channels poll",
        page("/channels", "refresh", "channels"),
        opened("/channels", "channels"),
        True,
        True,
    ),
    Case(
        "Uploads poll, all",
        page("/uploads", "refresh", "uploads"),
        opened("/uploads", "uploads"),
        True,
        True,
    ),
    Case(
        "Uploads poll, state=published",
        page("/uploads", "refresh", "uploads"),
        opened("/uploads", "uploads", ("set_filter", "state", "published")),
        True,
        True,
    ),
    Case("Quota load", page("/quota", "load", "quota"), navigate("/quota"), True),
    Case(
        "Quota poll (unchanged data)",
        page("/quota", "refresh", "quota"),
        opened("/quota", "quota"),
        True,
    ),
    Case(
        "Alerts poll", page("/alerts", "refresh", "alerts"), opened("/alerts", "alerts"), True, True
    ),
    Case("upload claim (Runner.tick)", tick_claim),
    Case("next scheduled uploads (Overview)", tick_next_uploads),
    Case("rotation pick for one auto job", tick_pick),
    Case("rotation refresh_scores", tick_scores),
    Case("rotation tick, another process's turn", tick_turn),
    Case("token refresh tick: due channels", tick_tokens),
    Case("housekeeping (prune_media included)", tick_housekeeping, previous_housekeeping),
    Case("prune_media", tick_prune_media),
    Case("database statistics refresh (SQLite, every 6 h)", tick_statistics),
]
