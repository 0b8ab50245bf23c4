"""The sandbox's audience model: how many views, likes, comments, subscribers and minutes
watched a video has at any sandbox instant. Pure functions, so tests can compute the exact
numbers the API will answer.

Each video gets a curve from a hash of (seed, video id): it collects views from the moment it
went public, quickly at first and then ever slower towards a ceiling (a saturating curve
with a per-video half-life). Everything else is a per-video rate of those views, rounded
down, so every count only grows and a window's numbers are the difference of two instants.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

DEFAULT_SEED = "tubefleet"


@dataclass(frozen=True)
class Curve:
    """One video's audience, fixed by the seed and its id."""

    ceiling: int  # the views it approaches and never reaches
    half_life: float  # seconds after going public until it has half of them
    likes_per_mille: int
    comments_per_mille: int
    subscribers_per_mille: int  # viewers who subscribe
    view_seconds: int  # how long a view lasts on average


@dataclass(frozen=True)
class Counts:
    """Totals at an instant, or (as a difference) what happened in a window."""

    views: int = 0
    likes: int = 0
    comments: int = 0
    subscribers_gained: int = 0
    subscribers_lost: int = 0
    watch_seconds: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    @property
    def minutes_watched(self) -> int:
        return self.watch_seconds // 60

    @property
    def average_view_duration(self) -> int:
        """Seconds, as YouTube Analytics reports averageViewDuration (0 without views)."""
        return self.watch_seconds // self.views if self.views else 0


def curve_for(seed: str, video_id: str) -> Curve:
    digest = hashlib.sha256(f"{seed}\x00{video_id}".encode()).digest()

    def pick(index: int, low: int, high: int) -> int:
        number = int.from_bytes(digest[4 * index : 4 * index + 4], "big")
        return low + number % (high - low + 1)

    return Curve(
        ceiling=pick(0, 500, 50_000),
        half_life=float(pick(1, 6 * 3600, 10 * 86400)),
        likes_per_mille=pick(2, 15, 60),
        comments_per_mille=pick(3, 1, 8),
        subscribers_per_mille=pick(4, 2, 20),
        view_seconds=pick(5, 45, 600),
    )


def views_at(curve: Curve, public_from: float | None, at: float) -> int:
    """Views collected between going public and `at` (0 before, or if never public)."""
    if public_from is None or at <= public_from:
        return 0
    remaining = 0.5 ** ((at - public_from) / curve.half_life)
    return int(curve.ceiling * (1.0 - remaining))


def counts_at(curve: Curve, public_from: float | None, at: float) -> Counts:
    views = views_at(curve, public_from, at)
    gained = views * curve.subscribers_per_mille // 1000
    return Counts(
        views=views,
        likes=views * curve.likes_per_mille // 1000,
        comments=views * curve.comments_per_mille // 1000,
        subscribers_gained=gained,
        subscribers_lost=gained // 8,
        watch_seconds=views * curve.view_seconds,
    )


def counts_between(curve: Curve, public_from: float | None, start: float, end: float) -> Counts:
    """What happened in [start, end): the difference of the two instants' totals."""
    if end <= start:
        return Counts()
    return counts_at(curve, public_from, end) - counts_at(curve, public_from, start)


def three_significant(number: int) -> int:
    """channels.list rounds subscriberCount down to three significant figures, like YouTube."""
    if number < 1000:
        return number
    scale: int = 10 ** (len(str(number)) - 3)
    return number // scale * scale
