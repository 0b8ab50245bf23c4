"""Data API handlers for playlists and playlistItems (the uploads playlist included)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, ids, params, videos
from sandbox.api_call import api_method
from sandbox.auth import Identity
from sandbox.errors import ApiError, bad_request, forbidden, not_found
from sandbox.resources import list_response, playlist_item_resource, playlist_resource
from sandbox.state import Sandbox
from sandbox.store import Row
from sandbox.validation import PRIVACY_VALUES

MAX_PLAYLIST_TITLE = 150


def _item_count(sandbox: Sandbox, playlist_id: str) -> int:
    row = sandbox.store.one(
        "SELECT COUNT(*) AS n FROM playlist_items WHERE playlist_id = ?", (playlist_id,)
    )
    return row["n"] if row else 0


def _render_playlist(
    sandbox: Sandbox, request: Request, row: Row, parts: list[str]
) -> dict[str, Any]:
    channel = directory.get_channel(sandbox.store, row["channel_id"])
    return playlist_resource(
        row,
        parts,
        sandbox.base_url(request),
        item_count=_item_count(sandbox, row["id"]),
        channel_title=channel["title"] if channel else "",
    )


@api_method("playlists.list")
async def playlists_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.PLAYLIST_PARTS)
    wanted = params.id_list(request)
    channel_id = request.query_params.get("channelId")
    if params.flag(request, "mine"):
        rows = sandbox.store.all(
            "SELECT * FROM playlists WHERE channel_id = ? ORDER BY created_at", (me.channel_id,)
        )
    elif wanted is not None:
        rows = [
            row
            for pid in wanted
            if (row := sandbox.store.one("SELECT * FROM playlists WHERE id = ?", (pid,)))
        ]
    elif channel_id:
        rows = sandbox.store.all(
            "SELECT * FROM playlists WHERE channel_id = ? ORDER BY created_at", (channel_id,)
        )
    else:
        raise ApiError(
            400,
            "missingRequiredParameter",
            "No filter selected. Expected one of: channelId, id, mine",
            domain="youtube.parameter",
        )
    rows = [r for r in rows if r["channel_id"] == me.channel_id or r["privacy"] != "private"]
    page, extra = params.paginate(rows, request)
    items = [_render_playlist(sandbox, request, row, parts) for row in page]
    return JSONResponse(list_response("youtube#playlistListResponse", items, **extra))


@api_method("playlists.insert")
async def playlists_insert(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.PLAYLIST_PARTS)
    body = await params.json_body(request)
    snippet = body.get("snippet") if isinstance(body, dict) else None
    if not isinstance(snippet, dict) or not str(snippet.get("title") or "").strip():
        raise bad_request(
            "playlistTitleRequired",
            "The playlist needs a snippet.title.",
            domain="youtube.playlist",
        )
    title = str(snippet["title"])
    if len(title) > MAX_PLAYLIST_TITLE or "<" in title or ">" in title:
        raise bad_request(
            "invalidPlaylistSnippet",
            f"The playlist title must be at most {MAX_PLAYLIST_TITLE} characters "
            "without '<' or '>'.",
            domain="youtube.playlist",
        )
    status = body.get("status") or {}
    privacy = status.get("privacyStatus", "public") if isinstance(status, dict) else None
    if privacy not in PRIVACY_VALUES:
        raise bad_request(
            "invalidPlaylistSnippet",
            "status.privacyStatus is not valid.",
            domain="youtube.playlist",
        )
    row = {
        "id": ids.playlist_id(),
        "channel_id": me.channel_id,
        "title": title,
        "description": str(snippet.get("description") or ""),
        "privacy": privacy,
        "created_at": sandbox.clock.now_ts(),
    }
    sandbox.store.insert("playlists", row)
    return JSONResponse(_render_playlist(sandbox, request, row, parts))


def _uploads_items(sandbox: Sandbox, channel_id: str) -> list[dict[str, Any]]:
    rows = sandbox.store.all(
        "SELECT id, uploaded_at FROM videos WHERE channel_id = ? AND deleted_at IS NULL "
        "ORDER BY uploaded_at DESC",
        (channel_id,),
    )
    playlist_id = "UU" + channel_id[2:]
    return [
        {
            "id": f"{playlist_id}.{r['id']}",
            "playlist_id": playlist_id,
            "video_id": r["id"],
            "position": n,
            "created_at": r["uploaded_at"],
        }
        for n, r in enumerate(rows)
    ]


def _playlist_channel(sandbox: Sandbox, playlist_id: str) -> Row | None:
    playlist = sandbox.store.one("SELECT channel_id FROM playlists WHERE id = ?", (playlist_id,))
    return directory.get_channel(sandbox.store, playlist["channel_id"]) if playlist else None


@api_method("playlistItems.list")
async def playlist_items_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.PLAYLIST_ITEM_PARTS)
    playlist_id = request.query_params.get("playlistId")
    wanted = params.id_list(request)
    if playlist_id and playlist_id.startswith("UU"):
        owner = directory.get_channel(sandbox.store, "UC" + playlist_id[2:])
        if owner is None:
            raise not_found(
                "playlistNotFound", f"Playlist {playlist_id} was not found.", "youtube.playlistItem"
            )
        items = _uploads_items(sandbox, owner["id"])
    elif playlist_id:
        playlist = sandbox.store.one("SELECT * FROM playlists WHERE id = ?", (playlist_id,))
        if playlist is None:
            raise not_found(
                "playlistNotFound", f"Playlist {playlist_id} was not found.", "youtube.playlistItem"
            )
        owner = directory.get_channel(sandbox.store, playlist["channel_id"])
        items = sandbox.store.all(
            "SELECT * FROM playlist_items WHERE playlist_id = ? ORDER BY position",
            (playlist_id,),
        )
    elif wanted is not None:
        items = [
            row
            for iid in wanted
            if (row := sandbox.store.one("SELECT * FROM playlist_items WHERE id = ?", (iid,)))
        ]
        owner = None
    else:
        raise ApiError(
            400,
            "missingRequiredParameter",
            "No filter selected. Expected one of: id, playlistId",
            domain="youtube.parameter",
        )
    page, extra = params.paginate(items, request)
    base, now = sandbox.base_url(request), sandbox.clock.now_ts()
    rendered = []
    for item in page:
        video = videos.get_video(sandbox.store, item["video_id"])
        if video is None:
            continue
        channel = owner or _playlist_channel(sandbox, item["playlist_id"])
        if channel is None:  # its playlist or channel is gone: skipped like a gone video
            continue
        rendered.append(
            playlist_item_resource(item, video, parts, base, playlist_channel=channel, now=now)
        )
    return JSONResponse(list_response("youtube#playlistItemListResponse", rendered, **extra))


@api_method("playlistItems.insert")
async def playlist_items_insert(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.PLAYLIST_ITEM_PARTS)
    body = await params.json_body(request)
    snippet = body.get("snippet") if isinstance(body, dict) else None
    if not isinstance(snippet, dict) or not snippet.get("playlistId"):
        raise bad_request(
            "playlistIdRequired", "snippet.playlistId is required.", domain="youtube.playlistItem"
        )
    resource = snippet.get("resourceId") or {}
    video_id = resource.get("videoId") if isinstance(resource, dict) else None
    if not video_id:
        raise bad_request(
            "videoRequired",
            "snippet.resourceId.videoId is required.",
            domain="youtube.playlistItem",
        )
    playlist = sandbox.store.one("SELECT * FROM playlists WHERE id = ?", (snippet["playlistId"],))
    if playlist is None:
        raise not_found(
            "playlistNotFound",
            f"Playlist {snippet['playlistId']} was not found.",
            "youtube.playlistItem",
        )
    if playlist["channel_id"] != me.channel_id:
        raise forbidden("The playlist belongs to another channel.", domain="youtube.playlistItem")
    video = videos.get_video(sandbox.store, video_id)
    if video is None:
        raise not_found("videoNotFound", f"Video {video_id} was not found.", "youtube.playlistItem")
    channel = directory.get_channel(sandbox.store, me.channel_id)
    if channel is None:  # the grant outlived its channel
        raise forbidden("The channel no longer exists.", domain="youtube.playlistItem")
    count = _item_count(sandbox, playlist["id"])
    position = snippet.get("position", count)
    if not isinstance(position, int) or not 0 <= position <= count:
        raise bad_request(
            "invalidPlaylistItemPosition",
            "snippet.position is out of range.",
            domain="youtube.playlistItem",
        )
    item = {
        "id": ids.playlist_item_id(),
        "playlist_id": playlist["id"],
        "video_id": video_id,
        "position": position,
        "created_at": sandbox.clock.now_ts(),
    }
    with sandbox.store.transaction():
        sandbox.store.run(
            "UPDATE playlist_items SET position = position + 1 "
            "WHERE playlist_id = ? AND position >= ?",
            (playlist["id"], position),
        )
        sandbox.store.insert("playlist_items", item)
    resource_json = playlist_item_resource(
        item,
        video,
        parts,
        sandbox.base_url(request),
        playlist_channel=channel,
        now=sandbox.clock.now_ts(),
    )
    return JSONResponse(resource_json)


routes = [
    Route("/youtube/v3/playlists", playlists_list, methods=["GET"]),
    Route("/youtube/v3/playlists", playlists_insert, methods=["POST"]),
    Route("/youtube/v3/playlistItems", playlist_items_list, methods=["GET"]),
    Route("/youtube/v3/playlistItems", playlist_items_insert, methods=["POST"]),
]
