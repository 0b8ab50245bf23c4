"""The Channels page's reads: one page of the pool (filters and a search), and today's use
of just the channels on it, without any token or ciphertext leaving the database.

core/channels.py keeps the pool's rules and the CLI's whole listing; this module is what a
poll reads, so its cost follows the page (50 rows), not the pool (thousands)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, or_, select

from core import clock
from core.channel_reads import ChannelFilter, channel_public
from core.listing import FIRST_PAGE, Found, Window, contains, paged
from models import Channel, ChannelPublic, ChannelState, Project
from models.quota import QuotaDayDetail

# Columns no page shows: the ciphertexts stay in the database.
_SECRET = tuple(
    defer(cast(Any, column)) for column in (Channel.refresh_token_enc, Channel.access_token_enc)
)


def channel_page(
    *, session: Session, filters: ChannelFilter, search: str = "", window: Window = FIRST_PAGE
) -> Found[ChannelPublic]:
    """The channels on one page of the pool, by title, each with today's uploads and units."""
    query = select(Channel).options(*_SECRET).order_by(col(Channel.title), col(Channel.id))
    if filters.state:
        query = query.where(Channel.state == ChannelState(filters.state))
    if filters.group:
        query = query.where(Channel.group_name == filters.group)
    if filters.project_id is not None:
        query = query.where(Channel.project_id == filters.project_id)
    if search.strip():
        query = query.where(
            or_(
                contains(col(Channel.title), search),
                contains(col(Channel.handle), search),
                contains(col(Channel.youtube_id), search),
            )
        )
    found = paged(session, query, window)
    channels: list[Channel] = found.items
    ids = [c.id for c in channels if c.id is not None]
    names = project_names(session=session, ids={c.project_id for c in channels})
    units = quota_today_for(session=session, channel_ids=ids)
    today = clock.pacific_day(clock.now())
    rows = [
        channel_public(
            c,
            names.get(c.project_id, ""),
            c.uploads_on_day if c.upload_day == today else 0,
            units.get(c.id or 0, 0),
        )
        for c in channels
    ]
    return Found(items=rows, total=found.total, capped=found.capped, window=found.window)


def project_names(*, session: Session, ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """Project id -> name (every project when `ids` is None)."""
    query = select(Project.id, Project.name)
    if ids is not None:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        query = query.where(col(Project.id).in_(wanted))
    return {int(i): str(n) for i, n in session.exec(query).all() if i is not None}


def quota_today_for(*, session: Session, channel_ids: list[int]) -> dict[int, int]:
    """Units charged today (Pacific day) for these channels, from the daily rollup."""
    if not channel_ids:
        return {}
    rows = session.exec(
        select(QuotaDayDetail.channel_id, func.sum(QuotaDayDetail.units))
        .where(
            QuotaDayDetail.day == clock.pacific_day(clock.now()),
            col(QuotaDayDetail.channel_id).in_(channel_ids),
        )
        .group_by(col(QuotaDayDetail.channel_id))
    ).all()
    return {int(cid): int(units or 0) for cid, units in rows}


# A filter lists every channel only while the pool is this small; a larger pool lists the
# channels of the project chosen (a dropdown of 2,000 titles helps nobody, and weighs 88 KB).
CHOICES_MAX = 100


def channel_choices(
    *, session: Session, project_id: int | None = None, keep: int | None = None
) -> list[tuple[int, str]]:
    """(id, title) by title for a channel filter: the project's channels, or the whole pool
    when it is small; `keep` (the channel chosen now) is always among them."""
    query = select(Channel.id, Channel.title).order_by(col(Channel.title))
    if project_id is not None:
        query = query.where(Channel.project_id == project_id)
    else:
        query = query.limit(CHOICES_MAX + 1)
    rows = [(int(i), str(t)) for i, t in session.exec(query).all() if i]
    if project_id is None and len(rows) > CHOICES_MAX:
        rows = []
    if keep and all(i != keep for i, _ in rows):
        title = session.exec(select(Channel.title).where(Channel.id == keep)).first()
        rows.insert(0, (keep, title or f"channel {keep}"))
    return rows
