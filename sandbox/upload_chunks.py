"""Chunk PUTs and status queries on a resumable upload session URI."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox import directory
from sandbox.api_call import fault_error, log_call
from sandbox.auth import Caller, identify
from sandbox.blobs import discard_marker, size_of, stream_to_file
from sandbox.connection import drain, drop_connection
from sandbox.errors import ApiError, auth_error, bad_request, forbidden
from sandbox.faults import Fault
from sandbox.grants import invalidate_access_tokens
from sandbox.ranges import ContentRange, chunk_size_problem, parse_content_range, range_header
from sandbox.state import Sandbox, sandbox_of
from sandbox.store import Row
from sandbox.uploads import UPLOAD_PATH, finish_session, video_answer


def _session(sandbox: Sandbox, upload_id: str) -> Row | None:
    return sandbox.store.one("SELECT * FROM upload_sessions WHERE id = ?", (upload_id,))


def _caller_for(sandbox: Sandbox, request: Request, session: Row | None) -> Caller:
    """The session URI is itself the credential; a token, when sent, must still be valid."""
    client_id = channel_id = None
    if session is not None:
        project = directory.project_by_id(sandbox.store, session["project_id"])
        client_id, channel_id = (project or {}).get("client_id"), session["channel_id"]
    if "authorization" not in request.headers:
        return Caller(client_id=client_id, channel_id=channel_id)
    caller = identify(sandbox, request)
    identity = caller.identity
    if (
        identity is not None
        and session is not None
        and (
            identity.project["id"] != session["project_id"]
            or identity.channel_id != session["channel_id"]
        )
    ):
        return Caller(
            problem=forbidden(
                "The token acts for another project or channel "
                "than the one that started this upload."
            ),
            client_id=client_id,
            channel_id=channel_id,
        )
    return Caller(
        identity=identity, problem=caller.problem, client_id=client_id, channel_id=channel_id
    )


async def upload_put(request: Request) -> Response:
    sandbox = sandbox_of(request)
    session = _session(sandbox, request.query_params.get("upload_id", ""))
    header = request.headers.get("content-range")
    crange: ContentRange | None = None
    parse_problem = None
    if header:
        try:
            crange = parse_content_range(header)
        except ValueError as error:
            parse_problem = str(error)
    method = "upload_status" if crange is not None and crange.is_query else "upload_chunk"
    caller = _caller_for(sandbox, request, session)
    latency_ms, fault = sandbox.faults.take(method, caller.client_id, caller.channel_id)
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    reason: str | None = None
    extra: dict[str, Any] = {"upload_id": session["id"] if session else None}
    try:
        if session is None:
            raise ApiError(404, "notFound", "No upload session with that upload_id.")
        if session["expires_at"] <= sandbox.clock.now_ts():
            raise ApiError(404, "notFound", "The upload session has expired.")
        if fault is not None and fault.action != "drop":
            await _fault_answer(sandbox, request, fault, session)
        if caller.problem is not None:
            raise caller.problem
        if parse_problem:
            raise bad_request("badContent", parse_problem, domain="global")
        async with sandbox.upload_lock(session["id"]):
            response, extra = await _put(request, sandbox, session, crange, fault)
        reason = extra.pop("reason", None)
    except ApiError as error:
        await drain(request)
        response, reason = error.response(), error.reason
    status = 0 if reason in ("connectionDropped", "clientDisconnected") else response.status_code
    log_call(
        request,
        sandbox,
        method=method,
        status=status,
        reason=reason,
        caller=caller,
        fault_id=fault.id if fault else None,
        **extra,
    )
    return response


async def _fault_answer(sandbox: Sandbox, request: Request, fault: Fault, session: Row) -> None:
    await drain(request)
    if fault.action == "auth_401":
        # Only a refreshed token gets the client further: the old ones stop working.
        invalidate_access_tokens(sandbox.store, session["grant_id"])
        raise auth_error("Injected fault: the access token was invalidated mid-upload.")
    if fault.action == "status":
        raise fault_error(fault)


async def _put(
    request: Request,
    sandbox: Sandbox,
    session: Row,
    crange: ContentRange | None,
    fault: Fault | None,
) -> tuple[Response, dict[str, Any]]:
    blob = Path(session["blob"])
    stored = size_of(blob)
    if session["video_id"]:
        await drain(request)
        video = finish_session(sandbox, session, stored)
        return video_answer(sandbox, request, session, video), {"stored": stored}
    length = int(request.headers.get("content-length") or 0)
    if crange is None:
        # No Content-Range: the body is the whole file (or, empty, a zero-byte file).
        crange = ContentRange(0, length - 1, length) if length else ContentRange(None, None, 0)
        if length == 0 and session["total"] not in (None, 0):
            crange = ContentRange(None, None, session["total"])
    _settle_total(sandbox, session, crange)
    total = session["total"]
    if crange.is_query and fault is not None and fault.action == "drop":
        return await _drop(request, {"stored": stored})
    if total is not None and stored >= total:
        await drain(request)
        video = finish_session(sandbox, session, stored)
        return video_answer(sandbox, request, session, video), {"stored": stored}
    if crange.is_query:
        return _resume_incomplete(stored), {"stored": stored}
    problem = chunk_size_problem(crange)
    if problem:
        raise bad_request("badContent", problem, domain="global")
    if length != crange.length:
        raise bad_request(
            "badContent",
            f"Content-Length {length} does not match the "
            f"Content-Range, which spans {crange.length} bytes.",
            domain="global",
        )
    assert crange.first is not None
    if crange.first > stored or crange.first + crange.length <= stored:
        # A gap, or bytes already stored: the client must continue from our Range.
        await drain(request)
        return _resume_incomplete(stored), {"stored": stored, "ignored": True}
    stop_after = fault.after_bytes if fault is not None and fault.action == "drop" else None
    skip = stored - crange.first
    if sandbox.settings.discard_video_bytes:
        digest = sandbox.digest_sink(session["id"], stored)
        discard_marker(blob).touch()
        got = await stream_to_file(request, digest, skip=skip, stop_after=stop_after)
        os.truncate(blob, stored + got.written)  # a hole: the blob's size stays the count
    else:
        with open(blob, "r+b", buffering=0) as sink:
            sink.seek(stored)
            got = await stream_to_file(request, sink, skip=skip, stop_after=stop_after)
    stored += got.written
    extra: dict[str, Any] = {"stored": stored, "bytes": got.written}
    if stop_after is not None and not got.disconnected:
        # The rule fired: drop even when the chunk was shorter than after_bytes (then the
        # whole chunk is stored and only the answer is lost).
        return await _drop(request, extra)
    if got.disconnected:
        return Response(status_code=499), {**extra, "reason": "clientDisconnected"}
    if total is not None and stored == total:
        video = finish_session(sandbox, session, stored)
        return video_answer(sandbox, request, session, video), extra
    return _resume_incomplete(stored), extra


async def _drop(request: Request, extra: dict[str, Any]) -> tuple[Response, dict[str, Any]]:
    if await drop_connection(request):
        return Response(status_code=599), {**extra, "reason": "connectionDropped"}
    raise ApiError(503, "backendError", "Injected connection drop (transport unavailable).")


def _settle_total(sandbox: Sandbox, session: Row, crange: ContentRange) -> None:
    if crange.total is None:
        return
    if session["total"] is None:
        sandbox.store.update("upload_sessions", "id", session["id"], {"total": crange.total})
        session["total"] = crange.total
    elif session["total"] != crange.total:
        raise bad_request(
            "badContent",
            f"Content-Range total {crange.total} differs from the declared size "
            f"{session['total']} (X-Upload-Content-Length).",
            domain="global",
        )


def _resume_incomplete(stored: int) -> Response:
    headers = {"Content-Length": "0"}
    value = range_header(stored)
    if value:
        headers["Range"] = value
    return Response(status_code=308, headers=headers)


routes = [
    Route(UPLOAD_PATH, upload_put, methods=["PUT"]),
    Route("/resumable" + UPLOAD_PATH, upload_put, methods=["PUT"]),
]
