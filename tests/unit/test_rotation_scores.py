"""Channel health scores and eligibility, from a snapshot of the pool (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import rotation
from core.rotation import DEFAULT_WEIGHTS, PoolSnapshot, evaluate
from models import Channel, ChannelState

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def channel(cid: int = 1, **fields: object) -> Channel:
    base: dict[str, object] = dict(
        id=cid,
        youtube_id=f"UC{cid}",
        project_id=1,
        title=f"Channel {cid}",
        refresh_token_enc="x",
        access_token_enc="y",
        connected_at=NOW,
        created_at=NOW,
        published_at=NOW - timedelta(days=365),
        state=ChannelState.ACTIVE,
        daily_upload_cap=10,
        error_streak=0,
    )
    base.update(fields)
    return Channel(**base)


def snap(**fields: object) -> PoolSnapshot:
    base: dict[str, object] = dict(
        now=NOW, uploads_today={}, headroom={1: 1.0}, quota_blocked={}, success={}, last_upload={}
    )
    base.update(fields)
    return PoolSnapshot(**base)  # type: ignore[arg-type]


def test_a_fresh_healthy_channel_scores_near_the_top() -> None:
    c = evaluate(channel(), snap(), DEFAULT_WEIGHTS)
    assert c.eligible
    assert c.breakdown == {"quota": 1.0, "success": 0.5, "idle": 1.0, "age": 1.0, "errors": 1.0}
    assert c.score == pytest.approx(0.875)


def test_recent_failures_and_a_busy_channel_score_lower() -> None:
    healthy = evaluate(channel(1), snap(success={1: (10, 0)}), DEFAULT_WEIGHTS)
    failing = evaluate(
        channel(2, error_streak=2),
        snap(success={2: (2, 8)}, last_upload={2: NOW - timedelta(hours=1)}),
        DEFAULT_WEIGHTS,
    )
    assert healthy.score > failing.score
    assert failing.breakdown["errors"] == pytest.approx(1 / 3, abs=1e-3)
    assert failing.breakdown["idle"] == pytest.approx(1 / 24, abs=1e-3)


@pytest.mark.parametrize(
    ("fields", "snapshot", "why"),
    [
        ({"state": ChannelState.PAUSED}, {}, "state paused"),
        (
            {"resting_until": NOW + timedelta(hours=3), "rest_reason": "uploadLimitExceeded"},
            {},
            "resting: uploadLimitExceeded",
        ),
        ({"daily_upload_cap": 2}, {"uploads_today": {1: 2}}, "daily upload cap reached (2)"),
        ({}, {"quota_blocked": {1: NOW + timedelta(hours=6)}}, "upload quota used up"),
    ],
)
def test_ineligible_channels_say_why_and_when_they_free_up(
    fields: dict, snapshot: dict, why: str
) -> None:
    c = evaluate(channel(**fields), snap(**snapshot), DEFAULT_WEIGHTS)
    assert not c.eligible and why in c.why_not
    if "resting_until" in fields:
        assert c.available_at == fields["resting_until"]


def test_weights_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import reload_settings

    monkeypatch.setenv("TUBEFLEET_ROTATION_WEIGHTS", "quota=1,success=0,idle=0,age=0,errors=0")
    reload_settings()
    try:
        assert rotation.weights()["quota"] == 1.0
        monkeypatch.setenv("TUBEFLEET_ROTATION_WEIGHTS", "speed=1")
        reload_settings()
        with pytest.raises(ValueError, match="unknown component 'speed'"):
            rotation.weights()
    finally:
        monkeypatch.delenv("TUBEFLEET_ROTATION_WEIGHTS")
        reload_settings()
