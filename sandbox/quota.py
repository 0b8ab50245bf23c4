"""Quota as Google counts it per project: buckets, method costs and the Pacific-day ledger."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.clock import next_reset, pacific_day
from sandbox.errors import quota_exceeded
from sandbox.store import Store

DEFAULT_BUCKET = "default"
UPLOAD_BUCKET = "videos.insert"
SEARCH_BUCKET = "search.list"

DEFAULT_LIMITS: dict[str, int] = {DEFAULT_BUCKET: 10_000, UPLOAD_BUCKET: 100, SEARCH_BUCKET: 100}

_SHARED_COSTS: dict[str, int] = {
    "channels.list": 1,
    "channels.update": 50,
    "videos.list": 1,
    "videos.update": 50,
    "videos.delete": 50,
    "thumbnails.set": 50,
    "playlists.list": 1,
    "playlists.insert": 50,
    "playlistItems.list": 1,
    "playlistItems.insert": 50,
    "videoCategories.list": 1,
    "captions.insert": 400,
    "captions.update": 450,
}

# Cost models are data because Google changes them: "current" has the separate
# videos.insert and search.list buckets (since June 2026); "legacy" is the older table.
COST_MODELS: dict[str, dict[str, tuple[str, int]]] = {
    "current": {
        **{name: (DEFAULT_BUCKET, cost) for name, cost in _SHARED_COSTS.items()},
        "videos.insert": (UPLOAD_BUCKET, 1),
        "search.list": (SEARCH_BUCKET, 1),
    },
    "legacy": {
        **{name: (DEFAULT_BUCKET, cost) for name, cost in _SHARED_COSTS.items()},
        "videos.insert": (DEFAULT_BUCKET, 1600),
        "search.list": (DEFAULT_BUCKET, 100),
    },
}


def cost_of(method: str, model: str = "current") -> tuple[str, int]:
    """(bucket, units) that one call of `method` costs; unknown methods cost 1 default unit."""
    return COST_MODELS.get(model, COST_MODELS["current"]).get(method, (DEFAULT_BUCKET, 1))


def project_limits(project: dict[str, Any]) -> dict[str, int]:
    return {**DEFAULT_LIMITS, **json.loads(project["limits"] or "{}")}


@dataclass(frozen=True)
class Charge:
    bucket: str
    cost: int


class QuotaLedger:
    """Charges calls to a project's bucket for the current Pacific day of the sandbox clock."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def charge(self, project: dict[str, Any], method: str, now: datetime) -> Charge:
        """Record one call, or raise quotaExceeded (which is not charged, like Google)."""
        bucket, cost = cost_of(method, project["quota_model"])
        limit = project_limits(project).get(bucket, DEFAULT_LIMITS[DEFAULT_BUCKET])
        day = pacific_day(now).isoformat()
        key = (project["id"], day, bucket)
        with self._store.transaction():
            self._store.run(
                "INSERT OR IGNORE INTO quota_usage (project_id, day, bucket) VALUES (?, ?, ?)", key
            )
            row = self._store.one(
                "SELECT used FROM quota_usage WHERE project_id=? AND day=? AND bucket=?", key
            )
            refused = (row["used"] if row else 0) + cost > limit
            if refused:
                self._store.run(
                    "UPDATE quota_usage SET exceeded = exceeded + 1 "
                    "WHERE project_id=? AND day=? AND bucket=?",
                    key,
                )
            else:
                self._store.run(
                    "UPDATE quota_usage SET used = used + ?, calls = calls + 1 "
                    "WHERE project_id=? AND day=? AND bucket=?",
                    (cost, *key),
                )
        if refused:
            raise quota_exceeded()
        return Charge(bucket, cost)

    def usage(self, project: dict[str, Any], now: datetime) -> dict[str, Any]:
        day = pacific_day(now)
        rows = {
            r["bucket"]: r
            for r in self._store.all(
                "SELECT * FROM quota_usage WHERE project_id=? AND day=?",
                (project["id"], day.isoformat()),
            )
        }
        limits = project_limits(project)
        buckets = {}
        for bucket, limit in limits.items():
            row = rows.get(bucket, {})
            buckets[bucket] = {
                "used": row.get("used", 0),
                "limit": limit,
                "remaining": max(limit - row.get("used", 0), 0),
                "calls": row.get("calls", 0),
                "quota_exceeded_answers": row.get("exceeded", 0),
            }
        return {
            "client_id": project["client_id"],
            "project": project["name"],
            "quota_model": project["quota_model"],
            "day": day.isoformat(),
            "resets_at": next_reset(now).isoformat().replace("+00:00", "Z"),
            "buckets": buckets,
        }
