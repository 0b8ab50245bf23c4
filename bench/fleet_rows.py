"""Rows of a fleet, table by table, as plain tuples (see bench/fleet_data.py for the sizes).

Every generator yields tuples in the order of its `COLUMNS` entry, with timestamps as
naive UTC text ("YYYY-MM-DD HH:MM:SS.ffffff", what SQLAlchemy stores in SQLite and what
PostgreSQL reads into timestamptz under TimeZone=UTC), booleans as 0/1 and JSON as text,
so one stream feeds both SQLite's executemany and PostgreSQL's COPY. Seeded: the same
scale always gives the same fleet, relative to its anchor time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from bench.fleet_more_rows import COLUMNS, DAY, YEAR, MoreRows, pacific_day, ts

__all__ = ["COLUMNS", "FleetRows", "ts"]

GROUPS = ["Food", "Travel", "Kids", "Gaming", "Music", "News", "Tech", "Sport"]
SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload "
    "https://www.googleapis.com/auth/youtube.readonly "
    "https://www.googleapis.com/auth/youtube.force-ssl"
)
# (state, share of channels)
CHANNEL_STATES = [
    ("active", 0.70),
    ("reserve", 0.10),
    ("paused", 0.08),
    ("needs_reauth", 0.07),
    ("disabled", 0.05),
]
# Unfinished jobs per million (the rest: 2 % failed, 1.5 % cancelled, published).
PENDING_PER_MILLION = {
    "scheduled": 3000,
    "queued": 500,
    "uploading": 40,
    "processing": 60,
    "waiting_quota": 200,
    "waiting_channel": 200,
    "waiting_reauth": 100,
}


def _token(rng: random.Random, length: int) -> str:
    return "gAAAAA" + "".join(
        rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-", k=length)
    )


class FleetRows(MoreRows):
    """The rows of one fleet: `scale` says how many, `anchor` (epoch seconds) is its now."""

    def __init__(self, scale: Any, anchor: float, viewer_token_hash: str, password_hash: str):
        self.s = scale
        self.now = anchor
        self.viewer_token_hash = viewer_token_hash
        self.password_hash = password_hash
        self.rng = random.Random(f"fleet-{scale.name}")
        self.users = 3 + scale.projects // 2
        self.today = pacific_day(anchor)
        # channel id -> (project id, group)
        self.channel_home = {
            cid: ((cid - 1) % scale.projects + 1, self._group(cid)) for cid in self._channel_ids()
        }
        self.texts = [
            " ".join(
                self.rng.choices(
                    [
                        "fleet",
                        "video",
                        "daily",
                        "recipe",
                        "travel",
                        "news",
                        "update",
                        "best",
                        "of",
                        "the",
                        "week",
                    ],
                    k=n,
                )
            )
            for n in self.rng.choices(range(8, 120), k=64)
        ]

    def _channel_ids(self) -> range:
        return range(1, self.s.channels + 1)

    def _group(self, cid: int) -> str:
        return "" if cid % 5 == 0 else GROUPS[cid % len(GROUPS)]

    def users_rows(self) -> Iterator[tuple[Any, ...]]:
        yield (
            1,
            "bench.viewer@fleet.test",
            self.password_hash,
            "operator",
            0,
            0,
            "UTC",
            ts(self.now - YEAR),
        )
        for uid in range(2, self.users + 1):
            role = "admin" if uid == 2 else ("operator" if uid % 3 == 0 else "marketer")
            yield (
                uid,
                f"person{uid}@fleet.test",
                self.password_hash,
                role,
                0,
                0,
                "Europe/Paris",
                ts(self.now - YEAR),
            )

    def user_sessions_rows(self) -> Iterator[tuple[Any, ...]]:
        yield (
            1,
            self.viewer_token_hash,
            1,
            ts(self.now - 60),
            ts(self.now + 3650 * DAY),
            ts(self.now - 60),
            "127.0.0.1",
            "bench",
        )

    def projects_rows(self) -> Iterator[tuple[Any, ...]]:
        for pid in range(1, self.s.projects + 1):
            yield (
                pid,
                f"Project {pid:02d}",
                f"client-{pid}.apps.googleusercontent.com",
                _token(self.rng, 90),
                1,
                pid % 3 != 0,
                0,
                "{}",
                ts(self.now - YEAR - DAY),
            )

    def channels_rows(self) -> Iterator[tuple[Any, ...]]:
        rng, now = self.rng, self.now
        states = [s for s, _ in CHANNEL_STATES]
        weights = [w for _, w in CHANNEL_STATES]
        for cid, (pid, group) in self.channel_home.items():
            state = rng.choices(states, weights)[0]
            cap = rng.choice([5, 10, 10, 15, 20])
            today = rng.random() < 0.6
            failing = rng.random() < 0.05
            breakdown = {
                "quota": 0.8,
                "success": 0.9,
                "idle": 0.5,
                "age": 1.0,
                "errors": 1.0,
                "eligible": state == "active",
                "why_not": "",
            }
            yield (
                cid,
                f"UC{cid:06d}{_token(rng, 10)[6:]}",
                pid,
                f"Channel {cid:04d} {group}".strip(),
                f"@channel{cid}",
                f"https://yt3.ggpht.com/avatar-{cid}=s88",
                ts(now - rng.random() * 5 * YEAR),
                state,
                group,
                cap,
                self.today.isoformat() if today else None,
                rng.randint(0, cap) if today else 0,
                SCOPES,
                _token(rng, 180),
                None if state == "needs_reauth" else _token(rng, 300),
                None if state == "needs_reauth" else ts(now + rng.uniform(-600, 3600)),
                ts(now - rng.uniform(0, 3600)),
                "token refresh failed: transient" if failing else "",
                ts(now - 3600) if failing else None,
                1 if failing else 0,
                ts(now + 1800) if rng.random() < 0.01 else None,
                "",
                round(rng.random(), 4),
                json.dumps(breakdown),
                ts(now - 120),
                ts(now - YEAR * rng.random()),
                "person2@fleet.test",
                ts(now - YEAR),
            )

    def _job_plan(self) -> Iterator[tuple[str, float]]:
        """(state, created time) per job id: finished ones over the year, then the rest."""
        n = self.s.jobs
        pending = [(st, max(1, n * k // 1_000_000)) for st, k in PENDING_PER_MILLION.items()]
        finished = n - sum(k for _, k in pending)
        rng = self.rng
        for i in range(finished):
            r = rng.random()
            state = "failed" if r < 0.02 else ("cancelled" if r < 0.035 else "published")
            yield state, self.now - YEAR + (i / finished) * (YEAR - 2 * DAY)
        for state, count in pending:
            for _ in range(count):
                yield state, self.now - rng.uniform(60, 2 * DAY)

    def iter_jobs(self) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
        """Each job with its history lines (event tuples without ids)."""
        rng, now = self.rng, self.now
        channels = list(self.channel_home)
        for jid, (state, created) in enumerate(self._job_plan(), start=1):
            kind = rng.choices(["channel", "group", "auto"], [0.6, 0.15, 0.25])[0]
            cid = rng.choice(channels)
            pid, group = self.channel_home[cid]
            routed = state not in ("scheduled", "queued") or kind == "channel"
            if state == "scheduled":
                due = now + rng.uniform(3600, 30 * DAY)
            elif state == "queued":
                due = now - rng.uniform(0, 600)
            elif state.startswith("waiting"):
                due = now + rng.uniform(600, 12 * 3600)
            elif state in ("uploading", "processing"):
                due = now - rng.uniform(0, 120) if state == "uploading" else now + 30
            else:
                due = created + rng.uniform(0, DAY)
            started = min(due, now - 300) if state not in ("scheduled", "queued") else None
            done = started + rng.uniform(120, 1800) if state in ("published", "failed") else None
            if state == "cancelled":
                done, started = created + 600, None
            size = rng.randint(20_000_000, 2_000_000_000)
            uid = rng.randint(1, self.users)
            by = "bench.viewer@fleet.test" if uid == 1 else f"person{uid}@fleet.test"
            video = f"v{jid:010d}" if state in ("published", "processing") else None
            error = (
                "uploadLimitExceeded: the channel hit its daily limit" if state == "failed" else ""
            )
            leased = state == "uploading"
            job = (
                jid,
                ts(created),
                by,
                uid,
                ts(done or created),
                state,
                "",
                ts(due),
                ts(due),
                "upload_at",
                None,
                kind,
                cid if kind == "channel" else None,
                group if kind == "group" else "",
                f"b{jid // 3}" if jid % 7 == 0 else "",
                cid if routed else None,
                pid if routed else None,
                f"/srv/tubefleet/data/media/{jid:032x}-u{uid}.mp4",
                f"episode-{jid}.mp4",
                size,
                f"{jid:032x}",
                "video/mp4",
                f"Episode {jid}: {self.texts[jid % 64][:60]}",
                self.texts[(jid * 7) % 64] * 3,
                '["fleet", "bench"]',
                "22",
                "private",
                0,
                None,
                "",
                _token(rng, 200) if leased else None,
                size if state in ("published", "processing") else size // 2 if leased else 0,
                size if state in ("published", "processing") else size // 2 if leased else 0,
                1 if started else 0,
                error,
                "",
                video,
                0,
                0,
                ts(started) if started else None,
                ts(done) if done else None,
                25e6 if leased else 0.0,
                "bench-worker:1" if leased else None,
                ts(now + 600) if leased else None,
            )
            yield job, list(self._history(jid, state, created, started, done, by))
