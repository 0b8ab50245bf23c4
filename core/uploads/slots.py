"""Each channel's daily upload cap: the count of uploads started today (Pacific day, the
day YouTube counts in), taken atomically when a session starts and given back when none did."""

from __future__ import annotations

from sqlalchemy import case, or_, update
from sqlmodel import Session, col, select

from core import clock, db
from models import Channel


def uploads_today(channel: Channel) -> int:
    """Uploads started today (Pacific day) on this channel, as its daily cap counts them."""
    return channel.uploads_on_day if channel.upload_day == clock.pacific_day(clock.now()) else 0


def uploads_today_by_channel(*, session: Session) -> dict[int, int]:
    today = clock.pacific_day(clock.now())
    rows = session.exec(
        select(Channel.id, Channel.uploads_on_day).where(Channel.upload_day == today)
    ).all()
    return {int(cid): int(n) for cid, n in rows if cid is not None}


def take_upload_slot(channel_id: int) -> bool:
    """Count one upload against the channel's daily cap, atomically; False when it is full.

    Concurrent workers (threads or replicas) that picked the same channel cannot take it
    past its cap: the check and the count are one conditional UPDATE.
    """
    today = clock.pacific_day(clock.now())
    same_day = col(Channel.upload_day) == today
    with db.session() as s:
        done = s.execute(
            update(Channel)
            .where(
                col(Channel.id) == channel_id,
                col(Channel.daily_upload_cap) > 0,
                or_(
                    col(Channel.upload_day).is_(None),
                    col(Channel.upload_day) != today,
                    col(Channel.uploads_on_day) < col(Channel.daily_upload_cap),
                ),
            )
            .values(
                uploads_on_day=case((same_day, col(Channel.uploads_on_day) + 1), else_=1),
                upload_day=today,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def give_back_upload_slot(channel_id: int) -> None:
    """The upload never started (no session): it does not count against the cap."""
    today = clock.pacific_day(clock.now())
    with db.session() as s:
        s.execute(
            update(Channel)
            .where(
                col(Channel.id) == channel_id,
                col(Channel.upload_day) == today,
                col(Channel.uploads_on_day) > 0,
            )
            .values(uploads_on_day=col(Channel.uploads_on_day) - 1)
            .execution_options(synchronize_session=False)
        )
