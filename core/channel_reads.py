"""The channel pool as it is read: the CLI's whole listing, the Overview's pool health,
the upload form's targets, and each channel as it may leave the server (no token, no
ciphertext). Changes to the pool are core/channels.py; one page of it is
core/channel_pages.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import clock
from core.uploads.slots import uploads_today_by_channel
from models import Channel, ChannelPublic, ChannelState, Project
from models.quota import QuotaDayDetail
from youtube.client import capabilities


@dataclass(frozen=True)
class ChannelFilter:
    state: str = ""
    group: str = ""
    project_id: int | None = None


def list_channels(*, session: Session, filters: ChannelFilter = ChannelFilter()) -> list[Channel]:
    query = select(Channel).order_by(col(Channel.title))
    if filters.state:
        query = query.where(Channel.state == ChannelState(filters.state))
    if filters.group:
        query = query.where(Channel.group_name == filters.group)
    if filters.project_id is not None:
        query = query.where(Channel.project_id == filters.project_id)
    return list(session.exec(query).all())


def quota_today_by_channel(*, session: Session) -> dict[int, int]:
    """Units charged today (Pacific day) per channel, from the daily rollup."""
    rows = session.exec(
        select(QuotaDayDetail.channel_id, func.sum(QuotaDayDetail.units))
        .where(QuotaDayDetail.day == clock.pacific_day(clock.now()), QuotaDayDetail.channel_id != 0)
        .group_by(col(QuotaDayDetail.channel_id))
    ).all()
    return {int(cid): int(units or 0) for cid, units in rows}


def channel_public(
    channel: Channel, project_name: str = "", uploads_today: int = 0, quota_today: int = 0
) -> ChannelPublic:
    """Everything about a channel that may leave the server (no token, no ciphertext)."""
    return ChannelPublic(
        id=channel.id or 0,
        youtube_id=channel.youtube_id,
        title=channel.title,
        handle=channel.handle,
        thumbnail_url=channel.thumbnail_url,
        state=ChannelState(channel.state),
        group=channel.group_name,
        project_id=channel.project_id,
        project=project_name,
        daily_upload_cap=channel.daily_upload_cap,
        uploads_today=uploads_today,
        quota_units_today=quota_today,
        capabilities=capabilities(channel.scopes),
        token_expires_at=channel.token_expires_at,
        token_refreshed_at=channel.token_refreshed_at,
        last_error=channel.last_error,
        last_error_at=channel.last_error_at,
        resting_until=channel.resting_until,
        rest_reason=channel.rest_reason,
        health_score=round(channel.health_score, 3),
        score_breakdown=channel.score_breakdown or {},
        connected_at=channel.connected_at,
        connected_by=channel.connected_by,
    )


def public(
    channel: Channel, project_name: str = "", uploads_today: int = 0, quota_today: int = 0
) -> dict[str, Any]:
    """channel_public as a plain dict (the CLI's JSON)."""
    return channel_public(channel, project_name, uploads_today, quota_today).model_dump()


def pool_rows(*, session: Session, filters: ChannelFilter = ChannelFilter()) -> list[ChannelPublic]:
    """The pool as the Channels page lists it: each channel with today's uploads and units."""
    names = {p.id: p.name for p in session.exec(select(Project)).all()}
    uploads = uploads_today_by_channel(session=session)
    units = quota_today_by_channel(session=session)
    return [
        channel_public(
            c, names.get(c.project_id, ""), uploads.get(c.id or 0, 0), units.get(c.id or 0, 0)
        )
        for c in list_channels(session=session, filters=filters)
    ]


def pool_listing(
    *, session: Session, filters: ChannelFilter = ChannelFilter()
) -> list[dict[str, Any]]:
    return [row.model_dump() for row in pool_rows(session=session, filters=filters)]


def count_by_state(*, session: Session) -> dict[str, int]:
    """How many channels are in each state (every state listed, zero included)."""
    rows = session.exec(select(Channel.state, func.count()).group_by(Channel.state)).all()
    by_state = {s.value: 0 for s in ChannelState}
    for state, count in rows:
        by_state[ChannelState(state).value] = int(count)
    return by_state


def group_names(*, session: Session) -> list[str]:
    """Every group some channel belongs to, sorted."""
    rows = session.exec(select(Channel.group_name).distinct()).all()
    return sorted(str(g) for g in rows if g)


def upload_targets(*, session: Session) -> list[ChannelPublic]:
    """Channels a person may pick for an upload: every one not disabled, by title."""
    return [
        channel_public(c)
        for c in list_channels(session=session)
        if ChannelState(c.state) != ChannelState.DISABLED
    ]


def fanout_titles(*, session: Session, group: str) -> list[str]:
    """The channels a fan-out to `group` reaches now (active or reserve), by title."""
    return list(
        session.exec(
            select(Channel.title)
            .where(
                Channel.group_name == group,
                col(Channel.state).in_([ChannelState.ACTIVE, ChannelState.RESERVE]),
            )
            .order_by(col(Channel.title))
        ).all()
    )


def project_id_of(*, session: Session, channel_id: int) -> int:
    """The project a channel counts its quota against (0 when there is no such channel)."""
    channel = session.get(Channel, channel_id)
    return channel.project_id if channel else 0


def pool_health(*, session: Session) -> dict[str, Any]:
    """Channels by state, and the ones that need re-consent (for the Overview): only the
    three columns it shows of those, not whole rows with their tokens, every poll."""
    by_state = count_by_state(session=session)
    dead = session.exec(
        select(Channel.id, Channel.title, Channel.last_error)
        .where(Channel.state == ChannelState.NEEDS_REAUTH)
        .order_by(col(Channel.title))
    ).all()
    return {
        "by_state": by_state,
        "total": sum(by_state.values()),
        "needs_reauth": [{"id": i, "title": t, "error": e} for i, t, e in dead],
    }


def capabilities_of(channel: Channel) -> list[str]:
    return capabilities(channel.scopes)
