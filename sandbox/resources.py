"""JSON resources in the Data API's shapes (kind, etag, snippet, status, ...), filtered by part."""

from __future__ import annotations

import json
from typing import Any

from sandbox.categories import CATEGORY_CHANNEL_ID
from sandbox.clock import to_rfc3339
from sandbox.ids import etag
from sandbox.statistics import video_statistics
from sandbox.store import Row
from sandbox.videos import effective_privacy, processing_state

VIDEO_THUMB_SIZES = {
    "default": (120, 90),
    "medium": (320, 180),
    "high": (480, 360),
    "standard": (640, 480),
    "maxres": (1280, 720),
}
AVATAR_SIZES = {"default": 88, "medium": 240, "high": 800}


def with_etag(resource: dict[str, Any]) -> dict[str, Any]:
    tag = etag(resource)
    return {"kind": resource.pop("kind"), "etag": tag, **resource}


def list_response(kind: str, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    page_info = extra.pop("pageInfo", {"totalResults": len(items), "resultsPerPage": len(items)})
    body = {"kind": kind, **extra, "pageInfo": page_info, "items": items}
    return with_etag(body)


def _pick(parts: list[str], sections: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in sections.items() if name in parts}


def video_thumbnails(base: str, row: Row) -> dict[str, Any]:
    custom = row.get("thumbnail_blob") is not None
    names = list(VIDEO_THUMB_SIZES) if custom else ["default", "medium", "high"]
    # A version in the URL makes clients refetch after thumbnails.set, like YouTube's URLs do.
    version = f"?v={int(row['thumbnail_set_at'])}" if custom else ""
    return {
        name: {
            "url": f"{base}/media/vi/{row['id']}/{name}{version}",
            "width": VIDEO_THUMB_SIZES[name][0],
            "height": VIDEO_THUMB_SIZES[name][1],
        }
        for name in names
    }


def channel_thumbnails(base: str, channel_id: str) -> dict[str, Any]:
    return {
        name: {"url": f"{base}/media/avatar/{channel_id}?s={size}", "width": size, "height": size}
        for name, size in AVATAR_SIZES.items()
    }


def channel_resource(
    row: Row, parts: list[str], base: str, *, statistics: dict[str, Any]
) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "title": row["title"],
        "description": row["description"],
        "customUrl": row["handle"].lower(),
        "publishedAt": to_rfc3339(row["created_at"]),
        "thumbnails": channel_thumbnails(base, row["id"]),
        "localized": {"title": row["title"], "description": row["description"]},
    }
    if row.get("country"):
        snippet["country"] = row["country"]
    sections = {
        "snippet": snippet,
        "contentDetails": {"relatedPlaylists": {"likes": "LL", "uploads": "UU" + row["id"][2:]}},
        "statistics": statistics,
        "status": {
            "privacyStatus": "public",
            "isLinked": True,
            "longUploadsStatus": "allowed",
            "madeForKids": False,
        },
        "brandingSettings": {"channel": {"title": row["title"], "description": row["description"]}},
    }
    return with_etag({"kind": "youtube#channel", "id": row["id"], **_pick(parts, sections)})


def video_resource(
    row: Row, parts: list[str], base: str, *, now: float, owner: bool, seed: str
) -> dict[str, Any]:
    """seed: the statistics model's seed (settings.stats_seed)."""
    state = processing_state(row, now)
    privacy = effective_privacy(row, now)
    snippet: dict[str, Any] = {
        "publishedAt": to_rfc3339(row["uploaded_at"]),
        "channelId": row["channel_id"],
        "title": row["title"],
        "description": row["description"],
        "thumbnails": video_thumbnails(base, row),
        "channelTitle": row["channel_title"],
        "categoryId": row["category_id"],
        "liveBroadcastContent": "none",
        "localized": {"title": row["title"], "description": row["description"]},
    }
    tags = json.loads(row["tags"])
    if tags:
        snippet["tags"] = tags
    if row["default_language"]:
        snippet["defaultLanguage"] = row["default_language"]
    status: dict[str, Any] = {
        "uploadStatus": state["uploadStatus"],
        "privacyStatus": privacy,
        "license": row["license"],
        "embeddable": bool(row["embeddable"]),
        "publicStatsViewable": bool(row["public_stats_viewable"]),
        "madeForKids": bool(row["self_declared_made_for_kids"]),
    }
    for key in ("failureReason", "rejectionReason"):
        if key in state:
            status[key] = state[key]
    if row["publish_at"] is not None and privacy == "private":
        status["publishAt"] = to_rfc3339(row["publish_at"])
    if owner and row["self_declared_made_for_kids"] is not None:
        status["selfDeclaredMadeForKids"] = bool(row["self_declared_made_for_kids"])
    if row["contains_synthetic_media"] is not None:
        status["containsSyntheticMedia"] = bool(row["contains_synthetic_media"])
    processing: dict[str, Any] = {"processingStatus": state["processingStatus"]}
    for key in ("processingProgress", "processingFailureReason"):
        if key in state:
            processing[key] = state[key]
    sections: dict[str, Any] = {
        "snippet": snippet,
        "status": status,
        "contentDetails": {
            "duration": "P0D",
            "dimension": "2d",
            "definition": "hd",
            "caption": "false",
            "licensedContent": False,
            "contentRating": {},
            "projection": "rectangular",
        },
        "statistics": video_statistics(row, seed, now),
        "player": {
            "embedHtml": f'<iframe width="480" height="270" '
            f'src="{base}/media/vi/{row["id"]}/high" frameborder="0"></iframe>'
        },
    }
    if owner:
        # Like YouTube, file and processing details are shown to the owner only.
        sections["processingDetails"] = processing
        sections["fileDetails"] = {"fileSize": str(row["byte_count"]), "fileType": "video"}
    return with_etag({"kind": "youtube#video", "id": row["id"], **_pick(parts, sections)})


def playlist_resource(
    row: Row, parts: list[str], base: str, *, item_count: int, channel_title: str
) -> dict[str, Any]:
    sections = {
        "snippet": {
            "publishedAt": to_rfc3339(row["created_at"]),
            "channelId": row["channel_id"],
            "title": row["title"],
            "description": row["description"],
            "thumbnails": channel_thumbnails(base, row["channel_id"]),
            "channelTitle": channel_title,
            "localized": {"title": row["title"], "description": row["description"]},
        },
        "status": {"privacyStatus": row["privacy"]},
        "contentDetails": {"itemCount": item_count},
    }
    return with_etag({"kind": "youtube#playlist", "id": row["id"], **_pick(parts, sections)})


def playlist_item_resource(
    item: Row, video: Row, parts: list[str], base: str, *, playlist_channel: Row, now: float
) -> dict[str, Any]:
    sections = {
        "snippet": {
            "publishedAt": to_rfc3339(item["created_at"]),
            "channelId": playlist_channel["id"],
            "title": video["title"],
            "description": video["description"],
            "thumbnails": video_thumbnails(base, video),
            "channelTitle": playlist_channel["title"],
            "playlistId": item["playlist_id"],
            "position": item["position"],
            "resourceId": {"kind": "youtube#video", "videoId": video["id"]},
            "videoOwnerChannelTitle": video["channel_title"],
            "videoOwnerChannelId": video["channel_id"],
        },
        "contentDetails": {
            "videoId": video["id"],
            "videoPublishedAt": to_rfc3339(video["uploaded_at"]),
        },
        "status": {"privacyStatus": effective_privacy(video, now)},
    }
    return with_etag({"kind": "youtube#playlistItem", "id": item["id"], **_pick(parts, sections)})


def category_resource(
    category_id: str, title: str, assignable: bool, parts: list[str]
) -> dict[str, Any]:
    sections = {
        "snippet": {"title": title, "assignable": assignable, "channelId": CATEGORY_CHANNEL_ID}
    }
    return with_etag({"kind": "youtube#videoCategory", "id": category_id, **_pick(parts, sections)})


def search_result(video: Row, base: str, parts: list[str]) -> dict[str, Any]:
    published = to_rfc3339(video["uploaded_at"])
    sections = {
        "snippet": {
            "publishedAt": published,
            "channelId": video["channel_id"],
            "title": video["title"],
            "description": video["description"],
            "thumbnails": video_thumbnails(base, video),
            "channelTitle": video["channel_title"],
            "liveBroadcastContent": "none",
            "publishTime": published,
        }
    }
    return with_etag(
        {
            "kind": "youtube#searchResult",
            "id": {"kind": "youtube#video", "videoId": video["id"]},
            **_pick(parts, sections),
        }
    )
