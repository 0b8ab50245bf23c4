"""Who a request acts as: its bearer token, checked against core.api_tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from app.api.problems import ApiProblem
from app.routes.security import client_address
from core.api_tokens import ApiCaller, TokenRefused, authenticate
from models import Role

_bearer = HTTPBearer(auto_error=False, description="An API token: `tubefleet token create`")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tubefleet"'}


def address(request: Request) -> str:
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for", ""))


async def api_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> ApiCaller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiProblem(
            401,
            "send an API token as 'Authorization: Bearer <token>'",
            kind="unauthorized",
            headers=_CHALLENGE,
        )
    try:
        return await run_in_threadpool(
            authenticate,
            credentials.credentials,
            ip=address(request),
            use=f"{request.method} {request.url.path}"[:200],
        )
    except TokenRefused as exc:
        raise ApiProblem(401, str(exc), kind="unauthorized", headers=_CHALLENGE) from None


def requires(role: Role) -> Callable[..., Awaitable[ApiCaller]]:
    """A dependency: the caller, if their token's role allows `role` (else 403)."""

    async def check(caller: Annotated[ApiCaller, Depends(api_caller)]) -> ApiCaller:
        if not caller.user.can(role):
            raise ApiProblem(
                403,
                f"this needs a token with the {role.value} role; this one has "
                f"{caller.user.role.value}",
                kind="forbidden",
            )
        return caller

    return check
