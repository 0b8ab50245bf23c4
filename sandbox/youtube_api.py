"""Data API handlers for channels, videos (list/update/delete), categories and search."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, params, statistics, videos
from sandbox.api_call import api_method
from sandbox.auth import Identity
from sandbox.categories import CATEGORIES
from sandbox.errors import ApiError, bad_request, forbidden, not_found
from sandbox.resources import (
    category_resource,
    channel_resource,
    list_response,
    search_result,
    video_resource,
)
from sandbox.state import Sandbox
from sandbox.store import Row
from sandbox.validation import parse_update


def _no_filter(expected: str) -> ApiError:
    return ApiError(
        400,
        "missingRequiredParameter",
        f"No filter selected. Expected one of: {expected}",
        domain="youtube.parameter",
    )


@api_method("channels.list")
async def channels_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.CHANNEL_PARTS)
    wanted = params.id_list(request)
    handle = request.query_params.get("forHandle")
    if params.flag(request, "mine"):
        wanted = [me.channel_id]
    elif handle:
        handle = handle if handle.startswith("@") else "@" + handle
        row = sandbox.store.one("SELECT id FROM channels WHERE lower(handle) = lower(?)", (handle,))
        wanted = [row["id"]] if row else []
    elif wanted is None:
        raise _no_filter("categoryId, forHandle, forUsername, id, managedByMe, mine")
    base = sandbox.base_url(request)
    now, seed = sandbox.clock.now_ts(), sandbox.settings.stats_seed
    items = []
    for channel_id in wanted:
        row = directory.get_channel(sandbox.store, channel_id)
        if row is not None:
            numbers = statistics.channel_statistics(sandbox.store, row, seed, now)
            items.append(channel_resource(row, parts, base, statistics=numbers))
    return JSONResponse(list_response("youtube#channelListResponse", items))


def visible(row: Row, me: Identity, now: float) -> bool:
    """Owners see all their videos; others see public and unlisted ones only."""
    return row["channel_id"] == me.channel_id or videos.effective_privacy(row, now) != "private"


@api_method("videos.list")
async def videos_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.VIDEO_PARTS)
    wanted = params.id_list(request)
    if wanted is None:
        raise _no_filter("chart, id, myRating")
    now = sandbox.clock.now_ts()
    base = sandbox.base_url(request)
    items = []
    for video_id in wanted[:50]:
        row = videos.get_video(sandbox.store, video_id)
        if row is not None and visible(row, me, now):
            owner = row["channel_id"] == me.channel_id
            items.append(
                video_resource(
                    row, parts, base, now=now, owner=owner, seed=sandbox.settings.stats_seed
                )
            )
    return JSONResponse(list_response("youtube#videoListResponse", items))


def owned_video(sandbox: Sandbox, video_id: str | None, me: Identity, action: str) -> Row:
    if not video_id:
        raise bad_request("videoNotFound", "The request does not name a video id.")
    row = videos.get_video(sandbox.store, video_id)
    if row is None:
        raise not_found("videoNotFound", f"Video {video_id} was not found.", "youtube.video")
    if row["channel_id"] != me.channel_id:
        raise forbidden(
            f"The credentials act for channel {me.channel_id}, which does not own video "
            f"{video_id}; it cannot be {action}."
        )
    return row


@api_method("videos.update")
async def videos_update(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.VIDEO_PARTS)
    body = await params.json_body(request)
    if not isinstance(body, dict):
        raise bad_request("invalidVideoMetadata", "The request metadata must be a JSON object.")
    row = owned_video(sandbox, body.get("id"), me, "updated")
    now = sandbox.clock.now()
    meta = parse_update(body, set(parts), videos.metadata_of(row), now=now)
    if not me.project["verified"]:
        # A video updated through an unverified project is locked private too.
        sandbox.store.update("videos", "id", row["id"], {"locked_private": 1})
        row = {**row, "locked_private": 1}
    videos.save_metadata(sandbox.store, row, meta, now=now.timestamp())
    fresh = videos.get_video(sandbox.store, row["id"])
    assert fresh is not None
    resource = video_resource(
        fresh,
        parts,
        sandbox.base_url(request),
        now=now.timestamp(),
        owner=True,
        seed=sandbox.settings.stats_seed,
    )
    return JSONResponse(resource)


@api_method("videos.delete")
async def videos_delete(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    row = owned_video(sandbox, request.query_params.get("id"), me, "deleted")
    sandbox.store.update("videos", "id", row["id"], {"deleted_at": sandbox.clock.now_ts()})
    Path(row["blob"]).unlink(missing_ok=True)
    return Response(status_code=204)


@api_method("videoCategories.list")
async def video_categories_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.CATEGORY_PARTS)
    wanted = params.id_list(request)
    region = request.query_params.get("regionCode")
    if wanted is None and region is None:
        raise _no_filter("id, regionCode")
    if region is not None and (len(region) != 2 or not region.isalpha()):
        raise ApiError(
            400,
            "invalidRegionCode",
            f"Region code {region!r} is not valid.",
            domain="youtube.videoCategory",
            location="regionCode",
        )
    items = [
        category_resource(cid, title, assignable, parts)
        for cid, title, assignable in CATEGORIES
        if wanted is None or cid in wanted
    ]
    return JSONResponse(list_response("youtube#videoCategoryListResponse", items))


@api_method("search.list")
async def search_list(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.SEARCH_PARTS)
    for_mine = params.flag(request, "forMine")
    channel_id = request.query_params.get("channelId")
    if for_mine and request.query_params.get("type") != "video":
        raise ApiError(
            400,
            "invalidSearchFilter",
            "forMine can only be used with type=video.",
            domain="youtube.search",
        )
    if not for_mine and not channel_id:
        raise ApiError(
            400,
            "invalidSearchFilter",
            "The sandbox's search needs forMine=true or channelId.",
            domain="youtube.search",
        )
    now = sandbox.clock.now_ts()
    owner = me.channel_id if for_mine else channel_id
    rows = sandbox.store.all(
        "SELECT v.*, c.title AS channel_title FROM videos v JOIN channels c "
        "ON c.id = v.channel_id WHERE v.channel_id = ? AND v.deleted_at IS NULL "
        "ORDER BY v.uploaded_at DESC",
        (owner,),
    )
    query = (request.query_params.get("q") or "").lower()
    found = [
        row
        for row in rows
        if visible(row, me, now)
        and (not query or query in row["title"].lower() or query in row["description"].lower())
    ]
    page, extra = params.paginate(found, request)
    base = sandbox.base_url(request)
    items = [search_result(row, base, parts) for row in page]
    return JSONResponse(list_response("youtube#searchListResponse", items, **extra))


routes = [
    Route("/youtube/v3/channels", channels_list, methods=["GET"]),
    Route("/youtube/v3/videos", videos_list, methods=["GET"]),
    Route("/youtube/v3/videos", videos_update, methods=["PUT"]),
    Route("/youtube/v3/videos", videos_delete, methods=["DELETE"]),
    Route("/youtube/v3/videoCategories", video_categories_list, methods=["GET"]),
    Route("/youtube/v3/search", search_list, methods=["GET"]),
]
