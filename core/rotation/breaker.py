"""Resting channels: the circuit breaker that rests a channel after failures in a row, and
rests asked for by what Google answered (e.g. a channel's upload limit)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from core import audit, clock
from models import Channel

CIRCUIT_BREAKER_FAILURES = 3
CIRCUIT_BREAKER_REST = timedelta(hours=1)


def record_outcome(session: Session, channel_id: int, *, success: bool, reason: str = "") -> None:
    """Update a channel's error streak; rest it when the circuit breaker trips."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        return
    if success:
        channel.error_streak = 0
    else:
        channel.error_streak += 1
        if channel.error_streak >= CIRCUIT_BREAKER_FAILURES:
            channel.resting_until = clock.now() + CIRCUIT_BREAKER_REST
            channel.rest_reason = f"{channel.error_streak} failures in a row (last: {reason[:120]})"
            audit.record(
                session=session,
                actor="system",
                action="channel.rest",
                target=channel.title,
                detail=channel.rest_reason,
            )
    session.add(channel)


def rest_channel(session: Session, channel_id: int, *, hours: float, reason: str) -> None:
    channel = session.get(Channel, channel_id)
    if channel is None:
        return
    channel.resting_until = clock.now() + timedelta(hours=hours)
    channel.rest_reason = reason[:200]
    session.add(channel)
    audit.record(
        session=session, actor="system", action="channel.rest", target=channel.title, detail=reason
    )
