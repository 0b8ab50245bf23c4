"""The Channels page's rows: one per channel, with its health and today's use."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from app.views import format, labels
from models import Channel, ChannelPublic, ChannelState, ProjectPublic

STATE_COLORS = {
    "active": "green",
    "reserve": "blue",
    "paused": "gray",
    "needs_reauth": "red",
    "disabled": "gray",
}
NO_GROUP = "—"


def channel_row(c: ChannelPublic, zone: ZoneInfo) -> dict[str, str]:
    state = ChannelState(c.state).value
    resting = (
        f"resting until {format.date_time(c.resting_until, zone)}: {c.rest_reason}"
        if c.resting_until
        else ""
    )
    return {
        "id": str(c.id),
        "title": c.title,
        "handle": c.handle,
        "thumbnail": c.thumbnail_url,
        "state": state,
        "state_label": labels.CHANNEL_STATES[ChannelState(state)],
        "state_color": STATE_COLORS[state],
        "group": c.group or NO_GROUP,
        "project": c.project,
        "expires": format.date_time(c.token_expires_at, zone),
        "uploads": f"{c.uploads_today} / {c.daily_upload_cap}",
        "quota": str(c.quota_units_today),
        "capabilities": ", ".join(c.capabilities) or "—",
        "score": f"{c.health_score:.2f}" if c.score_breakdown else "—",
        "score_detail": ", ".join(
            f"{k} {v:.2f}" for k, v in c.score_breakdown.items() if isinstance(v, int | float)
        ),
        "error": c.last_error or resting,
        "cap": str(c.daily_upload_cap),
    }


def project_options(projects: list[ProjectPublic]) -> list[dict[str, str]]:
    """Projects as a select lists them: {"id", "name"}."""
    return [{"id": str(p.id), "name": p.name} for p in projects]


def channel_options(channels: Iterable[ChannelPublic | Channel]) -> list[dict[str, str]]:
    """Channels as a select lists them: {"id", "name"}."""
    return [{"id": str(c.id), "name": c.title} for c in channels]


def choice_options(choices: Iterable[tuple[int, str]]) -> list[dict[str, str]]:
    """(id, title) pairs as a select lists them: {"id", "name"}."""
    return [{"id": str(i), "name": title} for i, title in choices]
