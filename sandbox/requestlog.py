"""An in-memory log of the calls the sandbox answered, for tests to assert on."""

from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Any

MAX_ENTRIES = 100_000


class RequestLog:
    """Newest last; bounded so a long benchmark cannot grow it without limit."""

    def __init__(self) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
        self._ids = itertools.count(1)

    def record(
        self,
        *,
        method: str,
        status: int,
        at: str,
        reason: str | None = None,
        client_id: str | None = None,
        channel_id: str | None = None,
        http_method: str = "",
        path: str = "",
        **extra: Any,
    ) -> dict[str, Any]:
        entry = {
            "id": next(self._ids),
            "at": at,
            "real_time": time.time(),
            "method": method,
            "status": status,
            "reason": reason,
            "client_id": client_id,
            "channel_id": channel_id,
            "http_method": http_method,
            "path": path,
            **extra,
        }
        self._entries.append(entry)
        return entry

    def query(
        self,
        *,
        method: str | None = None,
        status: int | None = None,
        reason: str | None = None,
        client_id: str | None = None,
        channel_id: str | None = None,
        since_id: int = 0,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        found = [
            e
            for e in self._entries
            if e["id"] > since_id
            and (method is None or e["method"] == method)
            and (status is None or e["status"] == status)
            and (reason is None or e["reason"] == reason)
            and (client_id is None or e["client_id"] == client_id)
            and (channel_id is None or e["channel_id"] == channel_id)
        ]
        return found[-limit:] if limit else found

    def clear(self) -> None:
        self._entries.clear()
