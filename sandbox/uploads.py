"""videos.insert: resumable sessions (start, chunks, status queries) and simple uploads."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, ids, params, videos
from sandbox.api_call import api_method
from sandbox.auth import Identity
from sandbox.blobs import MD5_UNKNOWN, discard_marker, stream_to_file
from sandbox.clock import pacific_day
from sandbox.errors import ApiError, bad_request
from sandbox.multipart import RelatedReader, boundary_of
from sandbox.resources import video_resource
from sandbox.state import Sandbox
from sandbox.store import Row
from sandbox.validation import VideoMetadata, parse_insert

SESSION_LIFETIME = 7 * 24 * 3600
UPLOAD_PATH = "/upload/youtube/v3/videos"


def _media_type_ok(content_type: str) -> bool:
    base = content_type.split(";")[0].strip().lower()
    return base.startswith("video/") or base == "application/octet-stream"


def _bad_media_type(content_type: str) -> ApiError:
    return bad_request(
        "badContent",
        f"Media type '{content_type}' is not supported. Valid media types: "
        "[video/*, application/octet-stream]",
        domain="global",
    )


def check_upload_cap(sandbox: Sandbox, channel_id: str, day: str) -> None:
    channel = directory.get_channel(sandbox.store, channel_id)
    cap = channel["daily_upload_cap"] if channel else None
    if cap is None:
        return
    row = sandbox.store.one(
        "SELECT COUNT(*) AS n FROM upload_sessions WHERE channel_id = ? AND day = ?",
        (channel_id, day),
    )
    if row and row["n"] >= cap:
        raise bad_request(
            "uploadLimitExceeded",
            f"The user has exceeded the number of videos they may upload ({cap} today).",
        )


def _new_session(
    sandbox: Sandbox,
    me: Identity,
    meta: VideoMetadata,
    parts: list[str],
    content_type: str,
    total: int | None,
) -> Row:
    now = sandbox.clock.now_ts()
    upload_id = ids.upload_id()
    blob = sandbox.blob_dir / "uploads" / upload_id
    blob.touch()
    row = {
        "id": upload_id,
        "project_id": me.project["id"],
        "channel_id": me.channel_id,
        "grant_id": me.grant_id,
        "metadata": json.dumps(asdict(meta)),
        "parts": ",".join(parts),
        "content_type": content_type,
        "total": total,
        "blob": str(blob),
        "day": pacific_day(sandbox.clock.now()).isoformat(),
        "created_at": now,
        "expires_at": now + SESSION_LIFETIME,
    }
    sandbox.store.insert("upload_sessions", row)
    return row


def finish_session(sandbox: Sandbox, session: Row, byte_count: int) -> Row:
    """Turn a complete session into its one video (idempotent: a second call returns it)."""
    if session.get("video_id"):
        found = videos.get_video(sandbox.store, session["video_id"], include_deleted=True)
        assert found is not None
        return found
    project = directory.project_by_id(sandbox.store, session["project_id"])
    assert project is not None
    # Discarded bytes: the MD5 was computed as they passed (the blob is only a hole).
    digest = sandbox.upload_digests.pop(session["id"], None)
    marker = discard_marker(session["blob"])
    if digest is not None:
        md5: str | None = digest.md5(byte_count)
    else:
        md5 = MD5_UNKNOWN if marker.exists() else None  # discarded before a restart
    with sandbox.store.transaction():
        video = videos.create_video(
            sandbox.store,
            channel_id=session["channel_id"],
            project=project,
            meta=VideoMetadata(**json.loads(session["metadata"])),
            content_type=session["content_type"],
            byte_count=byte_count,
            blob=session["blob"],
            upload_id=session["id"],
            now=sandbox.clock.now_ts(),
            processing_delay=sandbox.settings.processing_delay,
            md5=md5,
        )
        sandbox.store.update("upload_sessions", "id", session["id"], {"video_id": video["id"]})
    marker.unlink(missing_ok=True)
    session["video_id"] = video["id"]
    return video


def video_answer(sandbox: Sandbox, request: Request, session: Row, video: Row) -> Response:
    parts = session["parts"].split(",")
    resource = video_resource(
        video,
        parts,
        sandbox.base_url(request),
        now=sandbox.clock.now_ts(),
        owner=True,
        seed=sandbox.settings.stats_seed,
    )
    return JSONResponse(resource, headers={"X-GUploader-UploadID": session["id"]})


@api_method("videos.insert")
async def videos_insert(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    parts = params.parts(request, params.VIDEO_PARTS)
    upload_type = request.query_params.get("uploadType")
    if upload_type not in ("resumable", "multipart", "media"):
        raise bad_request(
            "invalidUploadType",
            "uploadType must be resumable, multipart or media.",
            domain="global",
        )
    check_upload_cap(sandbox, me.channel_id, pacific_day(sandbox.clock.now()).isoformat())
    if upload_type == "resumable":
        return await _start_session(request, me, sandbox, parts)
    return await _simple_upload(request, me, sandbox, parts, upload_type)


@api_method("videos.insert")
async def videos_insert_without_media(request: Request, me: Identity, sandbox: Sandbox) -> Response:
    raise bad_request("mediaBodyRequired", "videos.insert needs the video file (an upload URL).")


async def _start_session(
    request: Request, me: Identity, sandbox: Sandbox, parts: list[str]
) -> Response:
    meta = parse_insert(await params.json_body(request), now=sandbox.clock.now())
    content_type = request.headers.get("x-upload-content-type") or "application/octet-stream"
    if not _media_type_ok(content_type):
        raise _bad_media_type(content_type)
    total = None
    declared = request.headers.get("x-upload-content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise bad_request(
                "badContent", "X-Upload-Content-Length must be a byte count.", domain="global"
            )
        total = int(declared)
    session = _new_session(sandbox, me, meta, parts, content_type, total)
    location = (
        f"{sandbox.base_url(request)}{UPLOAD_PATH}?uploadType=resumable&upload_id={session['id']}"
    )
    return Response(
        status_code=200,
        headers={"Location": location, "X-GUploader-UploadID": session["id"]},
    )


async def _simple_upload(
    request: Request, me: Identity, sandbox: Sandbox, parts: list[str], upload_type: str
) -> Response:
    incoming = sandbox.blob_dir / "incoming" / ids.request_id()
    content_type = request.headers.get("content-type", "application/octet-stream")
    try:
        if upload_type == "media":
            if not _media_type_ok(content_type):
                raise _bad_media_type(content_type)
            with open(incoming, "wb", buffering=0) as sink:
                got = await stream_to_file(request, sink)
            meta, media_type, size = (
                parse_insert(None, now=sandbox.clock.now()),
                content_type,
                got.written,
            )
        else:
            meta, media_type, size = await _read_related(request, sandbox, incoming, content_type)
        if not _media_type_ok(media_type):
            raise _bad_media_type(media_type)
        session = _new_session(sandbox, me, meta, parts, media_type, size)
        final = Path(session["blob"])
        incoming.replace(final)
        video = finish_session(sandbox, session, size)
        return video_answer(sandbox, request, session, video)
    finally:
        incoming.unlink(missing_ok=True)


async def _read_related(
    request: Request, sandbox: Sandbox, incoming: Path, content_type: str
) -> tuple[VideoMetadata, str, int]:
    boundary = boundary_of(content_type)
    if boundary is None:
        raise bad_request("badContent", "multipart upload without a boundary.", domain="global")
    with open(incoming, "wb") as sink:
        reader = RelatedReader(boundary, sink)
        try:
            async for data in request.stream():
                reader.feed(data)
        except ValueError as error:
            raise bad_request(
                "badContent", f"Malformed multipart body: {error}.", domain="global"
            ) from None
    if not reader.done:
        raise bad_request("badContent", "The multipart body ended early.", domain="global")
    meta = parse_insert(params.parse_json(bytes(reader.metadata)), now=sandbox.clock.now())
    media_type = reader.media_headers.get("content-type", "application/octet-stream")
    return meta, media_type, reader.media_bytes


routes = [
    Route(UPLOAD_PATH, videos_insert, methods=["POST"]),
    Route("/resumable" + UPLOAD_PATH, videos_insert, methods=["POST"]),
    Route("/youtube/v3/videos", videos_insert_without_media, methods=["POST"]),
]
