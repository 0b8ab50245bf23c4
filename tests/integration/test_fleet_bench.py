"""The fleet benchmark's parts (bench/fleet_data.py, bench/state_harness.py) on the SMALL
fleet: the fleet is what the migrations made and holds what it says, and the harness shows
the real pages to a signed-in person and measures what a poll sends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fleet_data import SMALL, Fleet, drop_fleet, fleet, use_fleet
from bench.state_harness import PageHarness, payload
from tests.dbutil import postgres_server_url

BACKENDS = ["sqlite"] + (
    [pytest.param("postgres", marks=pytest.mark.postgres)] if postgres_server_url() else []
)


@pytest.fixture(params=BACKENDS)
def small_fleet(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Fleet]:
    from core import clock, db
    from core.settings import reload_settings

    monkeypatch.setenv("TUBEFLEET_BENCH_CACHE", str(tmp_path / "cache"))
    for name in ("TUBEFLEET_DATABASE_URL", "TUBEFLEET_DATA_DIR", "TUBEFLEET_ENV_FILE"):
        monkeypatch.setenv(name, "")
    server = postgres_server_url()
    name = f"tubefleet_test_fleet_{uuid.uuid4().hex[:10]}"
    found = fleet(SMALL, request.param, server_url=server, rebuild=True, name=name)
    use_fleet(found, data_dir=tmp_path / "data")
    yield found
    clock.reset()
    db.dispose()
    drop_fleet(found, server)
    monkeypatch.undo()
    reload_settings()


def _name(f: Fleet) -> str:
    return Path(f.location).stem if f.backend == "sqlite" else f.location


def test_the_small_fleet_is_built_through_the_migrations_and_cached(small_fleet: Fleet) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from core import db
    from models import Alert, Channel, Project, UploadEvent, UploadJob

    assert small_fleet.built_seconds is not None
    with db.read_session() as s:
        db.require_schema()  # at the newest migration
        counted = {
            model.__name__: s.exec(select(func.count()).select_from(model)).one()
            for model in (Project, Channel, UploadJob, Alert)
        }
        events = s.exec(select(func.count()).select_from(UploadEvent)).one()
    assert counted == {"Project": 2, "Channel": 20, "UploadJob": 500, "Alert": 50}
    assert 4 * 500 < events < 5 * 500
    again = fleet(
        SMALL, small_fleet.backend, server_url=postgres_server_url(), name=_name(small_fleet)
    )
    assert again.built_seconds is None and again.anchor == small_fleet.anchor


def test_the_harness_shows_the_pages_to_the_signed_in_viewer(small_fleet: Fleet) -> None:
    from app.states.channels import ChannelsState
    from app.states.upload_queue import UploadQueueState

    pages = PageHarness(small_fleet.viewer_token)
    pages.open("/channels")
    assert pages.call(ChannelsState.load) is None  # not sent to the login page
    delta = json.loads(payload(pages.root))["delta"]
    channels = next(v for k, v in delta.items() if k.endswith("channels_state"))
    assert len(channels["rows_rx_state_"]) == 20
    assert pages.sent() > 1000

    pages.open("/uploads")
    pages.call(UploadQueueState.set_filter, "state", "published")
    assert pages.state(UploadQueueState).rows
    assert all(row["state"] == "published" for row in pages.state(UploadQueueState).rows)
    pages.clean()
    pages.call(UploadQueueState.refresh)
    assert pages.sent() > 0  # what a poll with no change re-sends today


def test_a_signed_out_tab_gets_nothing_but_the_login_page(small_fleet: Fleet) -> None:
    from app.states.channels import ChannelsState

    pages = PageHarness(None)
    pages.open("/channels")
    answer = pages.call(ChannelsState.load)
    assert "login" in str(answer)
    assert pages.state(ChannelsState).rows == []
