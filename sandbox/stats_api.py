"""Control API, part 3: the audience model's exact numbers (/_sandbox/stats/...), so tests
can assert what videos.list, channels.list and reports.query must answer."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sandbox import directory, videos
from sandbox.clock import parse_rfc3339, to_rfc3339
from sandbox.control_api import control
from sandbox.errors import ControlError
from sandbox.state import Sandbox
from sandbox.statistics import (
    channel_counts,
    channel_statistics,
    counts_view,
    public_from,
    video_model_view,
    video_window,
)


def _instant(request: Request, name: str, default: float | None) -> float | None:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return parse_rfc3339(raw).timestamp()
    except ValueError as error:
        raise ControlError(400, f"{name} must be an RFC 3339 time: {error}") from None


@control
async def video_stats(request: Request, sandbox: Sandbox) -> Any:
    """?at= (default: now) the totals then; ?since= also what happened in [since, at)."""
    video_id = request.path_params["video_id"]
    row = videos.get_video(sandbox.store, video_id)
    if row is None:
        raise ControlError(404, f"no video {video_id}")
    at = _instant(request, "at", sandbox.clock.now_ts())
    assert at is not None
    seed = sandbox.settings.stats_seed
    view = video_model_view(row, seed, at)
    start = public_from(row)
    view["public_from_ts"] = start if start is not None and start < 1e17 else None
    since = _instant(request, "since", None)
    if since is not None:
        view["since"] = to_rfc3339(since)
        view["window"] = counts_view(video_window(row, seed, since, at))
    return view


@control
async def channel_stats(request: Request, sandbox: Sandbox) -> Any:
    channel = directory.require_channel(sandbox.store, request.path_params["channel_id"])
    at = _instant(request, "at", sandbox.clock.now_ts())
    assert at is not None
    seed = sandbox.settings.stats_seed
    counts, video_count = channel_counts(sandbox.store, channel, seed, at)
    return {
        "channel_id": channel["id"],
        "seed": seed,
        "at": to_rfc3339(at),
        "base": {
            "view_count": channel["view_count"],
            "subscriber_count": channel["subscriber_count"],
        },
        "videos": video_count,
        "counts": counts_view(counts),
        "statistics": channel_statistics(sandbox.store, channel, seed, at),
    }


routes = [
    Route("/_sandbox/stats/videos/{video_id}", video_stats, methods=["GET"]),
    Route("/_sandbox/stats/channels/{channel_id}", channel_stats, methods=["GET"]),
]
