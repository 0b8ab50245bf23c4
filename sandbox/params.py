"""Query-parameter and body parsing shared by the Data API handlers, with Google's errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from starlette.requests import Request

from sandbox.errors import ApiError, required_parameter

CHANNEL_PARTS = frozenset(
    {
        "auditDetails",
        "brandingSettings",
        "contentDetails",
        "contentOwnerDetails",
        "id",
        "localizations",
        "snippet",
        "statistics",
        "status",
        "topicDetails",
    }
)
VIDEO_PARTS = frozenset(
    {
        "contentDetails",
        "fileDetails",
        "id",
        "liveStreamingDetails",
        "localizations",
        "paidProductPlacementDetails",
        "player",
        "processingDetails",
        "recordingDetails",
        "snippet",
        "statistics",
        "status",
        "suggestions",
        "topicDetails",
    }
)
PLAYLIST_PARTS = frozenset({"contentDetails", "id", "localizations", "player", "snippet", "status"})
PLAYLIST_ITEM_PARTS = frozenset({"contentDetails", "id", "snippet", "status"})
CATEGORY_PARTS = frozenset({"id", "snippet"})
SEARCH_PARTS = frozenset({"id", "snippet"})


def parts(request: Request, allowed: frozenset[str]) -> list[str]:
    raw = request.query_params.get("part")
    if not raw:
        raise required_parameter("part")
    names = [p.strip() for p in raw.split(",") if p.strip()]
    for name in names:
        if name not in allowed:
            raise ApiError(
                400,
                "unknownPart",
                f"'{name}' is not a valid part for this method.",
                domain="youtube.part",
                location="part",
                location_type="parameter",
            )
    return names


def id_list(request: Request, name: str = "id") -> list[str] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


def flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() == "true"


def max_results(request: Request, default: int = 5, ceiling: int = 50) -> int:
    raw = request.query_params.get("maxResults")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 0 <= value <= ceiling:
        raise ApiError(
            400,
            "invalidValue",
            f"Invalid value '{raw}'. Values must be within the range: [0, {ceiling}]",
            location="maxResults",
        )
    return value


def page_offset(request: Request) -> int:
    token = request.query_params.get("pageToken")
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode() + b"==").decode().removeprefix("o:"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400,
            "invalidPageToken",
            "The request specifies an invalid page token.",
            location="pageToken",
        ) from None


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def paginate(items: list[Any], request: Request) -> tuple[list[Any], dict[str, Any]]:
    """Slice a list into a page and the tokens/pageInfo that describe it."""
    size = max_results(request)
    start = page_offset(request)
    page = items[start : start + size]
    extra: dict[str, Any] = {}
    if start + size < len(items):
        extra["nextPageToken"] = page_token(start + size)
    if start > 0:
        extra["prevPageToken"] = page_token(max(start - size, 0))
    extra["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
    return page, extra


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "parseError", "The request body is not valid JSON.") from None


async def json_body(request: Request, limit: int = 1 << 20) -> Any:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(400, "badRequest", "The request metadata is too large.")
    return parse_json(bytes(body))
