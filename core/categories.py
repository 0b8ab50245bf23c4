"""YouTube's video categories (videoCategories.list), cached for a day per process."""

from __future__ import annotations

import logging
import threading
import time

from sqlmodel import col, select

from core import db
from core.gateways import channel_gateway
from core.quota import Priority
from core.quota_ledger import QuotaUnavailable
from models import Channel, ChannelState
from youtube import operations
from youtube.errors import GoogleError

log = logging.getLogger("tubefleet.categories")
CACHE_SECONDS = 24 * 3600
REGION = "US"

_lock = threading.Lock()
_cached: tuple[float, dict[str, str]] | None = None


def assignable() -> dict[str, str]:
    """Category id -> title of the categories a video may be put in (empty if unknown).

    Read through any healthy channel (a background read: it stops when quota is short).
    """
    global _cached
    with _lock:
        if _cached is not None and time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    with db.read_session() as s:
        channel = s.exec(
            select(Channel)
            .where(
                col(Channel.state).in_(
                    [ChannelState.ACTIVE, ChannelState.RESERVE, ChannelState.PAUSED]
                )
            )
            .order_by(col(Channel.id))
        ).first()
    if channel is None or channel.id is None:
        return {}
    try:
        found = operations.video_categories(
            channel_gateway(channel.id, Priority.BACKGROUND), REGION
        )
    except (GoogleError, QuotaUnavailable) as exc:
        log.warning("could not read video categories: %s", exc)
        return {}
    with _lock:
        _cached = (time.monotonic(), found)
    return found


def forget() -> None:
    global _cached
    with _lock:
        _cached = None
