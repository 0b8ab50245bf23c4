"""Statistics of stored videos and channels at a sandbox instant, from the audience model."""

from __future__ import annotations

from typing import Any

from sandbox.clock import to_rfc3339
from sandbox.stats_model import Counts, counts_at, counts_between, curve_for, three_significant
from sandbox.store import Row, Store


def public_from(row: Row) -> float | None:
    """When a video starts collecting views: once it is processed and public (uploaded
    public, made public by videos.update, or turned public at publishAt). None: never."""
    if row["deleted_at"] is not None or row["locked_private"]:
        return None
    if row["outcome"] in ("failed", "rejected"):
        return None
    starts = [row["public_since"]] if row["public_since"] is not None else []
    if row["privacy"] == "private" and row["publish_at"] is not None:
        starts.append(row["publish_at"])
    if not starts:
        return None
    return float(max(min(starts), row["ready_at"]))


def video_counts(row: Row, seed: str, at: float) -> Counts:
    return counts_at(curve_for(seed, row["id"]), public_from(row), at)


def video_window(row: Row, seed: str, start: float, end: float) -> Counts:
    return counts_between(curve_for(seed, row["id"]), public_from(row), start, end)


def video_statistics(row: Row, seed: str, at: float) -> dict[str, str]:
    """videos.list part=statistics: counts as strings, as Google sends them."""
    counts = video_counts(row, seed, at)
    return {
        "viewCount": str(counts.views),
        "likeCount": str(counts.likes),
        "favoriteCount": "0",  # YouTube retired favorites; the field stays, always 0
        "commentCount": str(counts.comments),
    }


def channel_videos(store: Store, channel_id: str) -> list[Row]:
    return store.all(
        "SELECT * FROM videos WHERE channel_id = ? AND deleted_at IS NULL ORDER BY uploaded_at",
        (channel_id,),
    )


def channel_counts(store: Store, channel: Row, seed: str, at: float) -> tuple[Counts, int]:
    """(summed counts of the channel's videos, number of videos)."""
    rows = channel_videos(store, channel["id"])
    total = Counts()
    for row in rows:
        total += video_counts(row, seed, at)
    return total, len(rows)


def channel_statistics(store: Store, channel: Row, seed: str, at: float) -> dict[str, Any]:
    """channels.list part=statistics: the channel's own starting numbers (control API
    view_count / subscriber_count) plus what its videos collected."""
    counts, video_count = channel_counts(store, channel, seed, at)
    subscribers = channel["subscriber_count"] + counts.subscribers_gained - counts.subscribers_lost
    return {
        "viewCount": str(channel["view_count"] + counts.views),
        "subscriberCount": str(three_significant(max(subscribers, 0))),
        "hiddenSubscriberCount": False,
        "videoCount": str(video_count),
    }


def counts_view(counts: Counts) -> dict[str, int]:
    return {
        "views": counts.views,
        "likes": counts.likes,
        "comments": counts.comments,
        "subscribers_gained": counts.subscribers_gained,
        "subscribers_lost": counts.subscribers_lost,
        "watch_seconds": counts.watch_seconds,
        "minutes_watched": counts.minutes_watched,
        "average_view_duration": counts.average_view_duration,
    }


def video_model_view(row: Row, seed: str, at: float) -> dict[str, Any]:
    """The control API's view: the curve, when views start, and the totals at `at`."""
    curve = curve_for(seed, row["id"])
    start = public_from(row)
    return {
        "video_id": row["id"],
        "channel_id": row["channel_id"],
        "seed": seed,
        "at": to_rfc3339(at),
        "public_from": to_rfc3339(start) if start is not None and start < 1e17 else None,
        "curve": {
            "ceiling": curve.ceiling,
            "half_life_seconds": curve.half_life,
            "likes_per_mille": curve.likes_per_mille,
            "comments_per_mille": curve.comments_per_mille,
            "subscribers_per_mille": curve.subscribers_per_mille,
            "view_seconds": curve.view_seconds,
        },
        "counts": counts_view(video_counts(row, seed, at)),
        "statistics": video_statistics(row, seed, at),
    }
