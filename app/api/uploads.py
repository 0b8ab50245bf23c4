"""/api/v1/uploads: schedule a video, read jobs, cancel, retry or reschedule them.

HTTP glue only: the rules are core's (`core.uploads`, the same functions the form and the
CLI call, with the token's owner as the actor); group scope from `core.uploads.scope`;
idempotency keys from `core.idempotency`."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse

from app.api import idempotent
from app.api.intake import TooLarge, read_body
from app.api.problems import PROBLEM_RESPONSES, ApiProblem, invalid
from app.api.schemas import (
    RescheduleIn,
    UploadOut,
    UploadsCreated,
    UploadsPage,
    read_fields,
    to_request,
)
from app.api.security import address, requires
from core import api_tokens, categories, db, uploads
from core.api_tokens import ApiCaller
from core.errors import InputError, InputErrors
from core.settings import get_settings
from core.uploads import scope
from models import Role, UploadEventPublic

router = APIRouter(prefix="/uploads", tags=["uploads"], responses=PROBLEM_RESPONSES)
Caller = Annotated[ApiCaller, Depends(requires(Role.MARKETER))]
JobId = Annotated[int, Path(ge=1, le=2**62)]
# Multipart framing and text fields on top of the video itself.
_ENVELOPE_BYTES = 1024 * 1024

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/UploadFields"},
                        {
                            "type": "object",
                            "required": ["video"],
                            "properties": {
                                "video": {"type": "string", "format": "binary"},
                                "thumbnail": {"type": "string", "format": "binary"},
                            },
                        },
                    ]
                }
            },
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary"},
                "description": "the video; its fields as JSON in X-Upload-Metadata",
            },
        },
    }
}


def _as_video_field(errors: dict[str, str]) -> dict[str, str]:
    """core calls the video "file" (the form's field); here the part is "video"."""
    return {("video" if k == "file" else k): v for k, v in errors.items()}


def _jobs_out(ids: list[int], group: str = "") -> list[UploadOut]:
    with db.read_session() as s:
        titles = uploads.channel_titles(session=s)
        return [
            UploadOut.build(scope.visible_job(session=s, job_id=i, group=group), titles)
            for i in ids
        ]


def _created(ids: list[int], caller: ApiCaller, *, replayed: bool) -> JSONResponse:
    body = UploadsCreated(jobs=_jobs_out(ids))
    headers = {"Location": f"/api/v1/uploads/{ids[0]}"} if ids else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


@router.post(
    "",
    status_code=201,
    response_model=UploadsCreated,
    summary="Schedule a video (multipart, or the raw video with X-Upload-Metadata)",
    openapi_extra=_UPLOAD_BODY,
    responses={
        409: {"description": "The first request with this Idempotency-Key is still running"},
        413: {"description": "The video is larger than the server's limit"},
    },
)
async def create_upload(
    request: Request,
    caller: Caller,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=idempotent.MAX_KEY_LENGTH, description="retries return the first job(s)"),
    ] = None,
    x_upload_metadata: Annotated[
        str | None, Header(description="the fields as JSON, when the body is the raw video")
    ] = None,
) -> JSONResponse:
    limit = get_settings().upload_max_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _ENVELOPE_BYTES:
        raise ApiProblem(413, f"the video is larger than the limit of {limit:,} bytes")
    async with idempotent.guard(caller, idempotency_key) as key:
        if key.replay is not None:
            return _created(key.replay, caller, replayed=True)
        categories_known = await run_in_threadpool(lambda: set(categories.assignable()) or None)

        def precheck(raw: dict[str, Any]) -> None:
            fields = read_fields(raw, caller)
            placeholder = uploads.StoredFile("", 0, "", "mp4", "video.mp4")
            request_in = to_request(fields, caller, placeholder, None, categories_known)
            _check_scope(caller, request_in)
            problems = uploads.check(request_in)
            if problems:
                raise invalid(_as_video_field(problems))

        try:
            incoming = await read_body(
                request, owner=caller.user, precheck=precheck, tick=key.keep_alive
            )
        except TooLarge as exc:
            raise ApiProblem(413, str(exc)) from None
        except InputError as exc:
            raise invalid(_as_video_field({exc.field: exc.message})) from None
        except ClientDisconnect:
            raise ApiProblem(400, "the request body broke off before its end") from None
        try:
            fields = read_fields(incoming.fields, caller)
            if incoming.video is None:
                raise invalid({"video": "send the video as a file part named 'video'"})
            request_in = to_request(
                fields, caller, incoming.video, incoming.thumbnail, categories_known
            )
            _check_scope(caller, request_in)
            ids = await run_in_threadpool(
                lambda: uploads.enqueue(request_in, actor=caller.user, then=key.record)
            )
        except InputErrors as exc:
            incoming.discard()
            raise invalid(_as_video_field(exc.errors)) from None
        except BaseException:
            incoming.discard()
            raise
    from jobs import scheduler

    scheduler.wake("uploads")
    await run_in_threadpool(
        lambda: api_tokens.audit_use(
            caller=caller, action="api.upload_create", target=f"jobs {ids}", ip=address(request)
        )
    )
    return _created(ids, caller, replayed=False)


def _check_scope(caller: ApiCaller, request_in: uploads.UploadRequest) -> None:
    if not caller.group:
        return
    with db.read_session() as s:
        scope.require_in_group(
            session=s,
            target=request_in.target,
            channel_id=request_in.channel_id,
            group=request_in.group,
            scope=caller.group,
        )


@router.get("", response_model=UploadsPage, summary="Jobs, newest first, a page at a time")
def list_uploads(
    caller: Caller,
    state: Annotated[str, Query(description="queued, scheduled, published, …")] = "",
    channel_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    cursor: Annotated[str, Query(max_length=40)] = "",
    limit: Annotated[int, Query(ge=1, le=scope.MAX_PAGE)] = 50,
) -> UploadsPage:
    before = _read_cursor(cursor) if cursor else None
    with db.read_session() as s:
        jobs, last = scope.page_of_jobs(
            session=s,
            group=caller.group,
            state=state,
            channel_id=channel_id,
            before_id=before,
            limit=limit,
        )
        titles = uploads.channel_titles(session=s)
    return UploadsPage(
        items=[UploadOut.build(j, titles) for j in jobs],
        next_cursor=_make_cursor(last) if last is not None else None,
    )


def _make_cursor(job_id: int) -> str:
    return base64.urlsafe_b64encode(f"j{job_id}".encode()).decode().rstrip("=")


def _read_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("j") and text[1:].isdigit():
            return int(text[1:])
    except ValueError:
        pass
    raise invalid({"cursor": "is not a cursor this API gave out"})


@router.get("/{job_id}", response_model=UploadOut, summary="A job with its history")
def get_upload(job_id: JobId, caller: Caller) -> UploadOut:
    with db.read_session() as s:
        job = scope.visible_job(session=s, job_id=job_id, group=caller.group)
        history = [
            UploadEventPublic.model_validate(e, from_attributes=True)
            for e in uploads.history(session=s, job_id=job_id)
        ]
        return UploadOut.build(job, uploads.channel_titles(session=s), history)


def _act(job_id: int, caller: ApiCaller, request: Request, action: str, run: Any) -> UploadOut:
    with db.read_session() as s:
        scope.visible_job(session=s, job_id=job_id, group=caller.group)
    run()
    api_tokens.audit_use(
        caller=caller, action=f"api.upload_{action}", target=f"job {job_id}", ip=address(request)
    )
    [out] = _jobs_out([job_id])
    return out


@router.post("/{job_id}/cancel", response_model=UploadOut, summary="Stop a job")
def cancel_upload(job_id: JobId, caller: Caller, request: Request) -> UploadOut:
    return _act(
        job_id, caller, request, "cancel", lambda: uploads.cancel(job_id=job_id, actor=caller.user)
    )


@router.post("/{job_id}/retry", response_model=UploadOut, summary="Run a job again")
def retry_upload(job_id: JobId, caller: Caller, request: Request) -> UploadOut:
    def run() -> None:
        uploads.retry(job_id=job_id, actor=caller.user)
        from jobs import scheduler

        scheduler.wake("uploads")

    return _act(job_id, caller, request, "retry", run)


@router.post("/{job_id}/reschedule", response_model=UploadOut, summary="Give a job a new time")
def reschedule_upload(
    job_id: JobId, body: RescheduleIn, caller: Caller, request: Request
) -> UploadOut:
    tz = body.timezone or caller.user.timezone or "UTC"
    return _act(
        job_id,
        caller,
        request,
        "reschedule",
        lambda: uploads.reschedule(job_id=job_id, when_text=body.when, tz=tz, actor=caller.user),
    )
