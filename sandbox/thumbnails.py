"""thumbnails.set: custom thumbnails (JPEG/PNG, 50 MB, channel permission, owner check)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, ids
from sandbox.api_call import api_method
from sandbox.auth import Identity
from sandbox.blobs import stream_to_file
from sandbox.connection import drain
from sandbox.errors import ApiError, bad_request, forbidden, required_parameter
from sandbox.multipart import RelatedReader, boundary_of
from sandbox.resources import video_thumbnails, with_etag
from sandbox.state import Sandbox
from sandbox.youtube_api import owned_video

MAX_THUMBNAIL_BYTES = 50 * 1024 * 1024  # 52428800, as the discovery document says
ACCEPTED_TYPES = ("image/jpeg", "image/png", "application/octet-stream")


def sniff_image(head: bytes) -> str | None:
    """The real image type from magic bytes; None when it is neither JPEG nor PNG."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _too_large() -> ApiError:
    return ApiError(
        413,
        "uploadTooLarge",
        f"The thumbnail is larger than {MAX_THUMBNAIL_BYTES} bytes (50 MB).",
    )


async def _receive(request: Request, target: Path) -> int:
    """Store the image part of a media or multipart body; returns its size."""
    content_type = request.headers.get("content-type", "")
    declared = int(request.headers.get("content-length") or 0)
    if declared > MAX_THUMBNAIL_BYTES + 64 * 1024:
        raise _too_large()
    with open(target, "wb") as sink:
        if request.query_params.get("uploadType") == "multipart":
            boundary = boundary_of(content_type)
            if boundary is None:
                raise bad_request("badContent", "multipart upload without a boundary.", "global")
            reader = RelatedReader(boundary, sink)
            try:
                async for data in request.stream():
                    reader.feed(data)
            except ValueError as error:
                raise bad_request(
                    "badContent", f"Malformed multipart body: {error}.", "global"
                ) from None
            if not reader.done:
                raise bad_request("badContent", "The multipart body ended early.", "global")
            return reader.media_bytes
        got = await stream_to_file(request, sink, stop_after=MAX_THUMBNAIL_BYTES + 1)
        if got.cut_by_fault:
            raise _too_large()
        return got.written


@api_method("thumbnails.set")
async def thumbnails_set(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    video_id = request.query_params.get("videoId")
    if not video_id:
        raise required_parameter("videoId")
    video = owned_video(sandbox, video_id, me, "given a thumbnail")
    channel = directory.get_channel(sandbox.store, me.channel_id)
    if channel is None or not channel["custom_thumbnails"]:
        raise forbidden(
            "The authenticated user doesn't have permissions to upload and set custom video "
            "thumbnails (the channel is not verified for custom thumbnails).",
            domain="youtube.thumbnail",
        )
    upload_type = request.query_params.get("uploadType", "media")
    if upload_type not in ("media", "multipart"):
        raise bad_request(
            "invalidUploadType",
            "The sandbox accepts thumbnails with uploadType=media or multipart.",
            domain="global",
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if upload_type == "media" and media_type not in ACCEPTED_TYPES:
        raise bad_request(
            "badContent",
            f"Media type '{media_type}' is not supported. Valid media types: "
            "[image/jpeg, image/png, application/octet-stream]",
            domain="global",
        )
    target = sandbox.blob_dir / "thumbnails" / f"{video_id}.{ids.request_id()}"
    try:
        size = await _receive(request, target)
        if size == 0:
            raise bad_request(
                "mediaBodyRequired",
                "The request does not include the image.",
                domain="youtube.thumbnail",
            )
        if size > MAX_THUMBNAIL_BYTES:
            raise _too_large()
        with open(target, "rb") as source:
            kind = sniff_image(source.read(16))
        if kind is None:
            raise bad_request(
                "invalidImage",
                "The provided image content is invalid: it is not a JPEG or PNG.",
                domain="youtube.thumbnail",
            )
    except ApiError:
        await drain(request)
        target.unlink(missing_ok=True)
        raise
    if video["thumbnail_blob"]:
        Path(video["thumbnail_blob"]).unlink(missing_ok=True)
    now = sandbox.clock.now_ts()
    sandbox.store.update(
        "videos",
        "id",
        video_id,
        {
            "thumbnail_blob": str(target),
            "thumbnail_type": kind,
            "thumbnail_bytes": size,
            "thumbnail_set_at": now,
        },
    )
    fresh = {**video, "thumbnail_blob": str(target), "thumbnail_set_at": now}
    body = with_etag(
        {
            "kind": "youtube#thumbnailSetResponse",
            "items": [video_thumbnails(sandbox.base_url(request), fresh)],
        }
    )
    return JSONResponse(body)


routes = [
    Route("/upload/youtube/v3/thumbnails/set", thumbnails_set, methods=["POST"]),
    Route("/resumable/upload/youtube/v3/thumbnails/set", thumbnails_set, methods=["POST"]),
]
