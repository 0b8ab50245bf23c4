"""Control API, part 1: projects, Google accounts, channels and grants under /_sandbox/."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, grants
from sandbox.auth import FORCE_SSL, KNOWN_SCOPES, READONLY, UPLOAD
from sandbox.errors import ControlError
from sandbox.state import Sandbox, sandbox_of
from sandbox.token_endpoint import token_answer

DEFAULT_GRANT_SCOPES = [UPLOAD, FORCE_SSL, READONLY]

Endpoint = Callable[[Request, Sandbox], Awaitable[Any]]


def control(handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """JSON in, JSON out, ControlError -> {"error": ...} with its status."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await handler(request, sandbox_of(request))
        except ControlError as error:
            return error.response()
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    endpoint.__name__ = handler.__name__
    return endpoint


async def body_of(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def created(payload: dict[str, Any]) -> JSONResponse:
    return JSONResponse(payload, status_code=201)


@control
async def list_projects(request: Request, sandbox: Sandbox) -> Any:
    rows = sandbox.store.all("SELECT * FROM projects ORDER BY id")
    return {"projects": [directory.project_view(r) for r in rows]}


@control
async def create_project(request: Request, sandbox: Sandbox) -> Any:
    row, secret = directory.create_project(
        sandbox.store, await body_of(request), now=sandbox.clock.now_ts()
    )
    return created(directory.project_view(row, client_secret=secret))


@control
async def get_project(request: Request, sandbox: Sandbox) -> Any:
    row = directory.require_project(sandbox.store, request.path_params["client_id"])
    return directory.project_view(row)


@control
async def update_project(request: Request, sandbox: Sandbox) -> Any:
    row = directory.update_project(
        sandbox.store, request.path_params["client_id"], await body_of(request)
    )
    return directory.project_view(row)


def _account_view(sandbox: Sandbox, row: dict[str, Any]) -> dict[str, Any]:
    channels = [
        directory.channel_view(c)
        for c in directory.list_channels(sandbox.store)
        if c["account_id"] == row["id"]
    ]
    return {"id": row["id"], "email": row["email"], "name": row["name"], "channels": channels}


@control
async def list_accounts(request: Request, sandbox: Sandbox) -> Any:
    rows = sandbox.store.all("SELECT * FROM accounts ORDER BY id")
    return {"accounts": [_account_view(sandbox, r) for r in rows]}


@control
async def create_account(request: Request, sandbox: Sandbox) -> Any:
    row = directory.create_account(
        sandbox.store, await body_of(request), now=sandbox.clock.now_ts()
    )
    return created(_account_view(sandbox, row))


@control
async def list_channels(request: Request, sandbox: Sandbox) -> Any:
    return {"channels": [directory.channel_view(c) for c in directory.list_channels(sandbox.store)]}


@control
async def create_channel(request: Request, sandbox: Sandbox) -> Any:
    row = directory.create_channel(
        sandbox.store, await body_of(request), now=sandbox.clock.now_ts()
    )
    return created(directory.channel_view(row))


@control
async def get_channel(request: Request, sandbox: Sandbox) -> Any:
    return directory.channel_view(
        directory.require_channel(sandbox.store, request.path_params["channel_id"])
    )


@control
async def update_channel(request: Request, sandbox: Sandbox) -> Any:
    row = directory.update_channel(
        sandbox.store, request.path_params["channel_id"], await body_of(request)
    )
    return directory.channel_view(row)


@control
async def list_grants(request: Request, sandbox: Sandbox) -> Any:
    return {"grants": [grants.grant_view(r) for r in grants.list_grants(sandbox.store)]}


@control
async def create_grant(request: Request, sandbox: Sandbox) -> Any:
    """Consent without the browser: a refresh token (and an access token) for scripts."""
    body = await body_of(request)
    project = directory.require_project(sandbox.store, str(body.get("client_id", "")))
    channel = directory.require_channel(sandbox.store, str(body.get("channel_id", "")))
    scopes = body.get("scopes") or DEFAULT_GRANT_SCOPES
    if not isinstance(scopes, list) or any(s not in KNOWN_SCOPES for s in scopes):
        raise ControlError(400, f"scopes must be a list of known scopes: {sorted(KNOWN_SCOPES)}")
    now = sandbox.clock.now_ts()
    grant = grants.find_live_grant(sandbox.store, project["id"], channel["id"])
    if grant is None:
        grant = grants.create_grant(
            sandbox.store,
            project_id=project["id"],
            channel_id=channel["id"],
            scopes=scopes,
            via="control",
            now=now,
        )
    else:
        grants.widen_grant(sandbox.store, grant, scopes)
    tokens = token_answer(sandbox, project, grant, scopes, refresh=True)
    return created(
        {
            "grant_id": grant["id"],
            "client_id": project["client_id"],
            "channel_id": channel["id"],
            "scopes": scopes,
            "token_uri": f"{sandbox.base_url(request)}/token",
            **tokens,
        }
    )


@control
async def revoke_grant(request: Request, sandbox: Sandbox) -> Any:
    grant_id = int(request.path_params["grant_id"])
    if grants.get_grant(sandbox.store, grant_id) is None:
        raise ControlError(404, f"no grant {grant_id}")
    grants.revoke_grant(sandbox.store, grant_id, now=sandbox.clock.now_ts())
    row = next(r for r in grants.list_grants(sandbox.store) if r["id"] == grant_id)
    return grants.grant_view(row)


routes = [
    Route("/_sandbox/projects", list_projects, methods=["GET"]),
    Route("/_sandbox/projects", create_project, methods=["POST"]),
    Route("/_sandbox/projects/{client_id}", get_project, methods=["GET"]),
    Route("/_sandbox/projects/{client_id}", update_project, methods=["PATCH"]),
    Route("/_sandbox/accounts", list_accounts, methods=["GET"]),
    Route("/_sandbox/accounts", create_account, methods=["POST"]),
    Route("/_sandbox/channels", list_channels, methods=["GET"]),
    Route("/_sandbox/channels", create_channel, methods=["POST"]),
    Route("/_sandbox/channels/{channel_id}", get_channel, methods=["GET"]),
    Route("/_sandbox/channels/{channel_id}", update_channel, methods=["PATCH"]),
    Route("/_sandbox/grants", list_grants, methods=["GET"]),
    Route("/_sandbox/grants", create_grant, methods=["POST"]),
    Route("/_sandbox/grants/{grant_id:int}", revoke_grant, methods=["DELETE"]),
]
