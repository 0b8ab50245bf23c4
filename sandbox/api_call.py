"""The path every Data API call takes: faults, credentials, quota, scope, handler, log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sandbox import grants
from sandbox.auth import Caller, Identity, identify, require_scope
from sandbox.clock import to_rfc3339
from sandbox.connection import drain, drop_connection
from sandbox.errors import ApiError, auth_error
from sandbox.faults import Fault
from sandbox.quota import Charge
from sandbox.state import Sandbox, sandbox_of

Handler = Callable[[Request, Identity, Sandbox], Awaitable[Response]]
DROPPED = 0  # logged status of a connection the sandbox reset on purpose


async def apply_fault(request: Request, sandbox: Sandbox, fault: Fault, caller: Caller) -> Response:
    """Answer as the fault says. Faults sit in front of the API, so they are not charged."""
    if fault.action == "drop":
        if await drop_connection(request):
            return Response(status_code=599)  # never sent: the connection is gone
        raise ApiError(503, "backendError", "Injected connection drop (transport unavailable).")
    await drain(request)
    if fault.action == "auth_401":
        if caller.identity is not None:
            grants.invalidate_access_tokens(sandbox.store, caller.identity.grant_id)
        raise auth_error("Injected fault: the access token was invalidated.")
    raise fault_error(fault)


def fault_error(fault: Fault) -> ApiError:
    """The Google error an injected status fault answers."""
    status = fault.status or 503
    reason = fault.reason or "backendError"
    limits = reason in {"rateLimitExceeded", "userRateLimitExceeded"}
    return ApiError(
        status,
        reason,
        fault.message or f"Injected fault: HTTP {status} {reason}.",
        domain="usageLimits" if limits else "global",
    )


def log_call(
    request: Request,
    sandbox: Sandbox,
    *,
    method: str,
    status: int,
    reason: str | None,
    caller: Caller | None,
    **extra: Any,
) -> None:
    sandbox.log.record(
        method=method,
        status=status,
        reason=reason,
        at=to_rfc3339(sandbox.clock.now_ts()),
        client_id=caller.client_id if caller else None,
        channel_id=caller.channel_id if caller else None,
        http_method=request.method,
        path=request.url.path,
        **extra,
    )


async def run_api_call(
    request: Request, method: str, handler: Handler, *, charged: bool = True
) -> Response:
    sandbox = sandbox_of(request)
    caller = identify(sandbox, request)
    latency_ms, fault = sandbox.faults.take(method, caller.client_id, caller.channel_id)
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    charge: Charge | None = None
    reason: str | None = None
    try:
        if fault is not None:
            response = await apply_fault(request, sandbox, fault, caller)
            reason = "connectionDropped"
        else:
            if caller.problem is not None or caller.identity is None:
                raise caller.problem or auth_error()
            # Google charges every authenticated call, valid or not; the refusal itself is free.
            if charged:
                charge = sandbox.quota.charge(caller.identity.project, method, sandbox.clock.now())
            require_scope(caller.identity, method)
            response = await handler(request, caller.identity, sandbox)
    except ApiError as error:
        await drain(request)
        response = error.response()
        reason = error.reason
    status = DROPPED if reason == "connectionDropped" else response.status_code
    log_call(
        request,
        sandbox,
        method=method,
        status=status,
        reason=reason,
        caller=caller,
        bucket=charge.bucket if charge else None,
        cost=charge.cost if charge else 0,
        fault_id=fault.id if fault else None,
    )
    return response


def api_method(
    method: str, *, charged: bool = True
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Turn a handler into a Starlette endpoint that runs the whole call path.
    charged=False: not a Data API call (YouTube Analytics has its own quota, not emulated)."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await run_api_call(request, method, handler, charged=charged)

        endpoint.__name__ = handler.__name__
        return endpoint

    return wrap
