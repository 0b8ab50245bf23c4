"""Control API, part 2: videos, uploads, quota, request log, faults, clock, settings, reset."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from sandbox import directory, videos
from sandbox.blobs import file_md5, size_of
from sandbox.clock import next_reset, pacific_day, parse_rfc3339, to_rfc3339
from sandbox.control_api import body_of, control, created
from sandbox.errors import ControlError
from sandbox.faults import FaultError
from sandbox.state import Sandbox


async def _with_md5(sandbox: Sandbox, row: dict[str, Any]) -> dict[str, Any]:
    """MD5 is computed on first listing and cached, so ingest never pays for hashing."""
    if row["md5"] is None and row["deleted_at"] is None and Path(row["blob"]).exists():
        digest = await asyncio.to_thread(file_md5, Path(row["blob"]))
        sandbox.store.update("videos", "id", row["id"], {"md5": digest})
        row = {**row, "md5": digest}
    return row


@control
async def list_videos(request: Request, sandbox: Sandbox) -> Any:
    query = request.query_params
    sql = (
        "SELECT v.*, c.title AS channel_title FROM videos v JOIN channels c "
        "ON c.id = v.channel_id JOIN projects p ON p.id = v.project_id WHERE 1 = 1"
    )
    args: list[Any] = []
    if query.get("channel_id"):
        sql += " AND v.channel_id = ?"
        args.append(query["channel_id"])
    if query.get("client_id"):
        sql += " AND p.client_id = ?"
        args.append(query["client_id"])
    if query.get("include_deleted", "false").lower() != "true":
        sql += " AND v.deleted_at IS NULL"
    now = sandbox.clock.now_ts()
    rows = sandbox.store.all(sql + " ORDER BY v.uploaded_at", tuple(args))
    return {
        "videos": [videos.video_view(sandbox.store, await _with_md5(sandbox, r), now) for r in rows]
    }


@control
async def get_video(request: Request, sandbox: Sandbox) -> Any:
    row = videos.get_video(sandbox.store, request.path_params["video_id"], include_deleted=True)
    if row is None:
        raise ControlError(404, f"no video {request.path_params['video_id']}")
    return videos.video_view(sandbox.store, await _with_md5(sandbox, row), sandbox.clock.now_ts())


@control
async def set_processing(request: Request, sandbox: Sandbox) -> Any:
    video_id = request.path_params["video_id"]
    if videos.get_video(sandbox.store, video_id) is None:
        raise ControlError(404, f"no video {video_id}")
    body = await body_of(request)
    try:
        videos.set_outcome(
            sandbox.store,
            video_id,
            str(body.get("outcome")),
            body.get("reason"),
            sandbox.clock.now_ts(),
        )
    except ValueError as error:
        raise ControlError(400, str(error)) from None
    row = videos.get_video(sandbox.store, video_id)
    assert row is not None
    return videos.video_view(sandbox.store, row, sandbox.clock.now_ts())


@control
async def list_uploads(request: Request, sandbox: Sandbox) -> Any:
    rows = sandbox.store.all(
        "SELECT s.*, p.client_id FROM upload_sessions s "
        "JOIN projects p ON p.id = s.project_id ORDER BY s.created_at"
    )
    return {
        "uploads": [
            {
                "upload_id": r["id"],
                "client_id": r["client_id"],
                "channel_id": r["channel_id"],
                "content_type": r["content_type"],
                "total": r["total"],
                "received": size_of(r["blob"]) if not r["video_id"] else r["total"],
                "video_id": r["video_id"],
                "day": r["day"],
                "created_at": to_rfc3339(r["created_at"]),
            }
            for r in rows
        ]
    }


@control
async def quota(request: Request, sandbox: Sandbox) -> Any:
    now = sandbox.clock.now()
    wanted = request.query_params.get("client_id")
    if wanted:
        return sandbox.quota.usage(directory.require_project(sandbox.store, wanted), now)
    rows = sandbox.store.all("SELECT * FROM projects ORDER BY id")
    return {"projects": [sandbox.quota.usage(r, now) for r in rows]}


@control
async def request_log(request: Request, sandbox: Sandbox) -> Any:
    query = request.query_params

    def number(name: str) -> int | None:
        value = query.get(name)
        if value is None:
            return None
        if not value.isdigit():
            raise ControlError(400, f"{name} must be a number")
        return int(value)

    entries = sandbox.log.query(
        method=query.get("method"),
        status=number("status"),
        reason=query.get("reason"),
        client_id=query.get("client_id"),
        channel_id=query.get("channel_id"),
        since_id=number("since_id") or 0,
        limit=number("limit"),
    )
    return {"entries": entries, "count": len(entries)}


@control
async def clear_log(request: Request, sandbox: Sandbox) -> Any:
    sandbox.log.clear()
    return {"cleared": True}


@control
async def list_faults(request: Request, sandbox: Sandbox) -> Any:
    return {"faults": [f.as_dict() for f in sandbox.faults.list()]}


@control
async def add_fault(request: Request, sandbox: Sandbox) -> Any:
    try:
        fault = sandbox.faults.add(await body_of(request))
    except (FaultError, ValueError, TypeError) as error:
        raise ControlError(400, str(error)) from None
    return created(fault.as_dict())


@control
async def delete_fault(request: Request, sandbox: Sandbox) -> Any:
    if not sandbox.faults.delete(int(request.path_params["fault_id"])):
        raise ControlError(404, "no such fault")
    return {"deleted": True}


@control
async def clear_faults(request: Request, sandbox: Sandbox) -> Any:
    sandbox.faults.clear()
    return {"cleared": True}


def clock_view(sandbox: Sandbox) -> dict[str, Any]:
    now = sandbox.clock.now()
    return {
        "now": to_rfc3339(now.timestamp()),
        "offset_seconds": sandbox.clock.offset,
        "pacific_day": pacific_day(now).isoformat(),
        "quota_resets_at": next_reset(now).isoformat().replace("+00:00", "Z"),
        "frozen": sandbox.clock.frozen_at is not None,
    }


@control
async def get_clock(request: Request, sandbox: Sandbox) -> Any:
    return clock_view(sandbox)


@control
async def move_clock(request: Request, sandbox: Sandbox) -> Any:
    """{"advance": seconds} | {"offset": seconds} | {"set": "2026-03-08T09:59:00Z"} |
    {"reset": true}; "freeze": true | false may come alone or with any of them."""
    body = await body_of(request)
    try:
        if "advance" in body:
            sandbox.clock.advance(float(body["advance"]))
        elif "offset" in body:
            sandbox.clock.set_offset(float(body["offset"]))
        elif "set" in body:
            sandbox.clock.set_to(parse_rfc3339(str(body["set"])))
        elif body.get("reset"):
            sandbox.clock.reset()
        elif "freeze" not in body:
            raise ControlError(400, "give one of advance, offset, set, reset, freeze")
        if body.get("freeze") is True:
            sandbox.clock.freeze()
        elif body.get("freeze") is False:
            sandbox.clock.thaw()
    except ValueError as error:
        raise ControlError(400, f"bad clock value: {error}") from None
    return clock_view(sandbox)


@control
async def get_settings(request: Request, sandbox: Sandbox) -> Any:
    return sandbox.settings.as_dict()


@control
async def update_settings(request: Request, sandbox: Sandbox) -> Any:
    body = await body_of(request)
    if "access_token_lifetime" in body:
        value = body["access_token_lifetime"]
        if not isinstance(value, int) or value < 1:
            raise ControlError(400, "access_token_lifetime must be a positive integer (seconds)")
        sandbox.settings.access_token_lifetime = value
    if "processing_delay" in body:
        value = body["processing_delay"]
        if not isinstance(value, int | float) or value < 0:
            raise ControlError(400, "processing_delay must be a non-negative number (seconds)")
        sandbox.settings.processing_delay = float(value)
    if "stats_seed" in body:
        value = body["stats_seed"]
        if not isinstance(value, str) or not value:
            raise ControlError(400, "stats_seed must be a non-empty string")
        sandbox.settings.stats_seed = value
    if "discard_video_bytes" in body:
        value = body["discard_video_bytes"]
        if not isinstance(value, bool):
            raise ControlError(400, "discard_video_bytes must be true or false")
        sandbox.settings.discard_video_bytes = value
    return sandbox.settings.as_dict()


@control
async def reset(request: Request, sandbox: Sandbox) -> Any:
    body = await body_of(request)
    sandbox.reset(seed=bool(body.get("seed", True)))
    return {"reset": True, "seeded": bool(body.get("seed", True))}


@control
async def health(request: Request, sandbox: Sandbox) -> Any:
    return {"ok": True, "now": to_rfc3339(sandbox.clock.now_ts())}


routes = [
    Route("/_sandbox/health", health, methods=["GET"]),
    Route("/_sandbox/videos", list_videos, methods=["GET"]),
    Route("/_sandbox/videos/{video_id}", get_video, methods=["GET"]),
    Route("/_sandbox/videos/{video_id}/processing", set_processing, methods=["POST"]),
    Route("/_sandbox/uploads", list_uploads, methods=["GET"]),
    Route("/_sandbox/quota", quota, methods=["GET"]),
    Route("/_sandbox/log", request_log, methods=["GET"]),
    Route("/_sandbox/log", clear_log, methods=["DELETE"]),
    Route("/_sandbox/faults", list_faults, methods=["GET"]),
    Route("/_sandbox/faults", add_fault, methods=["POST"]),
    Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
    Route("/_sandbox/faults/{fault_id:int}", delete_fault, methods=["DELETE"]),
    Route("/_sandbox/clock", get_clock, methods=["GET"]),
    Route("/_sandbox/clock", move_clock, methods=["POST"]),
    Route("/_sandbox/settings", get_settings, methods=["GET"]),
    Route("/_sandbox/settings", update_settings, methods=["PATCH"]),
    Route("/_sandbox/reset", reset, methods=["POST"]),
]
