"""The fleet's alerts, audit log, quota tables and heartbeats (a mixin of FleetRows)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")

EPOCH = datetime(1970, 1, 1)
DAY = 86400.0
YEAR = 365 * DAY
ALERT_KINDS = [
    ("upload.failed", "warning"),
    ("upload.rejected", "warning"),
    ("quota.threshold", "info"),
    ("token.dead", "critical"),
    ("token.refresh_failing", "warning"),
]
AUDIT_ACTIONS = ["upload.enqueue", "upload.cancel", "channel.state", "login", "channel.rest"]

_SPECS = {
    "users": "id email password_hash role disabled must_change_password timezone created_at",
    "user_sessions": "id token_hash user_id created_at expires_at last_seen_at ip user_agent",
    "projects": "id name client_id client_secret_enc is_sandbox verified consent_testing "
    "quota_policy created_at",
    "channels": "id youtube_id project_id title handle thumbnail_url published_at state "
    "group_name daily_upload_cap upload_day uploads_on_day scopes refresh_token_enc "
    "access_token_enc token_expires_at token_refreshed_at last_error last_error_at "
    "error_streak resting_until rest_reason health_score score_breakdown score_updated_at "
    "connected_at connected_by created_at",
    "upload_jobs": "id created_at created_by created_by_id updated_at state state_reason "
    "not_before scheduled_for publish_mode publish_at target_kind target_channel_id "
    "target_group batch_id channel_id project_id file_path file_name file_size file_md5 "
    "content_type title description tags category_id privacy made_for_kids thumbnail_path "
    "playlist_title session_uri_enc bytes_confirmed bytes_sent attempts last_error warning "
    "video_id thumbnail_done playlist_done started_at finished_at speed_bps lease_owner "
    "lease_expires_at",
    "upload_events": "id job_id at from_state to_state message actor",
    "alerts": "id kind severity subject message project_id channel_id status open_key "
    "occurrences first_raised_at last_raised_at acknowledged_by acknowledged_at resolved_by "
    "resolved_at",
    "audit_events": "id at actor action target detail ip",
    "quota_usage": "id project_id bucket day used limit_units alerted_percent",
    "quota_ledger": "id at day project_id channel_id method bucket units priority outcome",
    "quota_bucket_hours": "id project_id bucket hour calls units failures",
    "quota_day_details": "id project_id bucket method channel_id day calls units failures",
    "scheduler_heartbeats": "worker_id kind hostname pid started_at last_tick_at ticks",
}
COLUMNS: dict[str, list[str]] = {table: spec.split() for table, spec in _SPECS.items()}


def pacific_day(seconds: float) -> date:
    """The Pacific (quota) day of an epoch time."""
    return (EPOCH + timedelta(seconds=seconds)).replace(tzinfo=UTC).astimezone(PACIFIC).date()


def ts(seconds: float) -> str:
    """Epoch seconds as naive UTC text with microseconds."""
    return (EPOCH + timedelta(seconds=seconds)).isoformat(" ", "microseconds")


class MoreRows:
    """Needs from FleetRows: s (the scale), now, rng, users, today, channel_home, texts."""

    s: Any
    now: float
    rng: random.Random
    users: int
    today: date
    channel_home: dict[int, tuple[int, str]]
    texts: list[str]

    def alerts_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, now = self.rng, self.now
        for aid in range(1, self.s.alerts + 1):
            kind, severity = ALERT_KINDS[aid % len(ALERT_KINDS)]
            cid = rng.randint(1, self.s.channels)
            pid = self.channel_home[cid][0]
            r = rng.random()
            status = "open" if r < 0.03 else ("acknowledged" if r < 0.05 else "resolved")
            first = now - rng.uniform(0, YEAR)
            subject = f"channel Channel {cid:04d}: {kind} #{aid}"
            yield (
                aid,
                kind,
                severity,
                subject,
                f"{kind} on channel {cid}: {self.texts[aid % 64]}",
                pid,
                cid,
                status,
                None if status == "resolved" else f"{kind}|{subject}",
                rng.randint(1, 5),
                ts(first),
                ts(first + 60),
                "person2@fleet.test" if status == "acknowledged" else None,
                ts(first + 120) if status == "acknowledged" else None,
                "system" if status == "resolved" else None,
                ts(first + 3600) if status == "resolved" else None,
            )

    def audit_events_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, n = self.rng, self.s.audit
        for eid in range(1, n + 1):
            at = self.now - YEAR + (eid / n) * YEAR
            actor = "system" if eid % 3 else f"person{eid % self.users + 1}@fleet.test"
            yield (
                eid,
                ts(at),
                actor,
                AUDIT_ACTIONS[eid % len(AUDIT_ACTIONS)],
                f"Channel {rng.randint(1, self.s.channels):04d}",
                "",
                "10.0.0.1",
            )

    def quota_usage_rows(self) -> Iterator[tuple[Any, ...]]:
        rid = 0
        for days_ago in range(365):
            day = self.today - timedelta(days=days_ago)
            for pid in range(1, self.s.projects + 1):
                for bucket, limit in (
                    ("default", 10_000),
                    ("videos.insert", 100),
                    ("search.list", 100),
                ):
                    rid += 1
                    used = self.rng.randint(0, limit * 9 // 10) if bucket != "search.list" else 3
                    yield (rid, pid, bucket, day.isoformat(), used, limit, 0)

    def quota_ledger_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, n = self.rng, self.s.ledger
        methods = [
            ("videos.list", "default", 1),
            ("videos.insert", "videos.insert", 1),
            ("thumbnails.set", "default", 50),
            ("playlistItems.insert", "default", 50),
        ]
        for lid in range(1, n + 1):
            at = self.now - 7 * DAY + (lid / n) * 7 * DAY
            method, bucket, units = methods[lid % len(methods)]
            cid = rng.randint(1, self.s.channels)
            yield (
                lid,
                ts(at),
                pacific_day(at).isoformat(),
                self.channel_home[cid][0],
                cid,
                method,
                bucket,
                units,
                "upload",
                "ok",
            )

    def quota_bucket_hours_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, rid = self.rng, 0
        start = int(self.now // 3600) * 3600 - 365 * 24 * 3600
        for h in range(365 * 24 + 1):
            hour = ts(start + h * 3600)
            for pid in range(1, self.s.projects + 1):
                calls = rng.randint(5, 40)
                rid += 1
                yield (rid, pid, "default", hour, calls, calls * 20, 0)
                if rng.random() < 0.8:
                    rid += 1
                    yield (rid, pid, "videos.insert", hour, 3, 3, 0)
                if rng.random() < 0.03:
                    rid += 1
                    yield (rid, pid, "search.list", hour, 1, 1, 0)

    def quota_day_details_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, rid = self.rng, 0
        for days_ago in range(365):
            day = (self.today - timedelta(days=days_ago)).isoformat()
            for pid in range(1, self.s.projects + 1):
                rid += 1
                yield (rid, pid, "default", "videoCategories.list", 0, day, 2, 2, 0)
            for cid, (pid, _) in self.channel_home.items():
                if rng.random() > 0.7:
                    continue
                n = rng.randint(1, 3)
                for method, bucket, units in (
                    ("videos.insert", "videos.insert", 1),
                    ("videos.list", "default", 1),
                    ("thumbnails.set", "default", 50),
                ):
                    rid += 1
                    yield (rid, pid, bucket, method, cid, day, n, n * units, 0)

    def scheduler_heartbeats_rows(self) -> Iterator[tuple[Any, ...]]:
        for i, kind in enumerate(["web", "worker", "worker"]):
            yield (
                f"bench-host-{i}:{100 + i}:abc{i}",
                kind,
                f"bench-host-{i}",
                100 + i,
                ts(self.now - DAY),
                ts(self.now - 5),
                17_000,
            )

    def _history(
        self,
        jid: int,
        state: str,
        created: float,
        started: float | None,
        done: float | None,
        by: str,
    ) -> Iterator[tuple[Any, ...]]:
        yield (jid, ts(created), "", "scheduled", "scheduled for later", by)
        if state == "cancelled":
            yield (jid, ts(created + 600), "scheduled", "cancelled", "cancelled", by)
            return
        if started is None:
            return
        yield (jid, ts(started), "scheduled", "queued", "due", "system")
        yield (jid, ts(started + 1), "queued", "uploading", "uploading to a channel", "system")
        if state in ("published", "processing"):
            yield (
                jid,
                ts(started + 60),
                "uploading",
                "processing",
                "waiting for YouTube",
                "system",
            )
        if done is not None and state in ("published", "failed"):
            last = "processing" if state == "published" else "uploading"
            yield (
                jid,
                ts(done),
                last,
                state,
                "done" if state == "published" else "failed",
                "system",
            )
