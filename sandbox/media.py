"""Images the sandbox serves itself: channel avatars and video thumbnails (generated SVG)."""

from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from sandbox import directory, videos
from sandbox.resources import VIDEO_THUMB_SIZES
from sandbox.state import sandbox_of

_CACHE = {"Cache-Control": "public, max-age=300"}


def _hue(seed: str) -> int:
    return int(hashlib.sha1(seed.encode()).hexdigest()[:4], 16) % 360


def _initials(title: str) -> str:
    words = [w for w in title.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def avatar_svg(seed: str, title: str, size: int) -> str:
    hue = _hue(seed)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100"><circle cx="50" cy="50" r="50" fill="hsl({hue},55%,45%)"/>'
        f'<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="40" fill="#fff">{escape(_initials(title))}</text></svg>'
    )


def thumbnail_svg(seed: str, title: str, width: int, height: int) -> str:
    hue = _hue(seed)
    label = escape(title[:40])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 320 180"><rect width="320" height="180" fill="hsl({hue},45%,30%)"/>'
        f'<polygon points="145,70 145,110 180,90" fill="#fff" opacity=".85"/>'
        f'<text x="160" y="150" text-anchor="middle" font-family="sans-serif" font-size="14" '
        f'fill="#fff">{label}</text></svg>'
    )


def _svg(body: str) -> Response:
    return Response(body, media_type="image/svg+xml", headers=_CACHE)


async def avatar(request: Request) -> Response:
    sandbox = sandbox_of(request)
    channel = directory.get_channel(sandbox.store, request.path_params["channel_id"])
    if channel is None:
        return Response("no such channel", status_code=404)
    try:
        size = min(max(int(request.query_params.get("s", "88")), 16), 800)
    except ValueError:
        size = 88
    return _svg(avatar_svg(channel["id"], channel["title"], size))


async def video_thumbnail(request: Request) -> Response:
    sandbox = sandbox_of(request)
    video = videos.get_video(sandbox.store, request.path_params["video_id"])
    name = request.path_params["name"]
    if video is None or name not in VIDEO_THUMB_SIZES:
        return Response("no such thumbnail", status_code=404)
    if video["thumbnail_blob"] and Path(video["thumbnail_blob"]).exists():
        return FileResponse(
            video["thumbnail_blob"], media_type=video["thumbnail_type"], headers=_CACHE
        )
    width, height = VIDEO_THUMB_SIZES[name]
    return _svg(thumbnail_svg(video["id"], video["title"], width, height))


routes = [
    Route("/media/avatar/{channel_id}", avatar, methods=["GET"]),
    Route("/media/vi/{video_id}/{name}", video_thumbnail, methods=["GET"]),
]
