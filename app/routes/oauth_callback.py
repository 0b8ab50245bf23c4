"""GET /oauth/callback: where Google sends the person back after consent."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.routes.cookies import session_token
from core import connect


async def oauth_callback(request: Request) -> RedirectResponse:
    params = request.query_params
    result = await run_in_threadpool(
        connect.finish,
        state=params.get("state", ""),
        code=params.get("code"),
        error=params.get("error"),
        login_token=session_token(request.headers.get("cookie", "")),
    )
    # Only the attempt's id travels: the page shows the result kept with it, and only to
    # the login session that started it (no text in the address for anyone to forge).
    attempt = str(result.attempt_id) if result.attempt_id is not None else "unknown"
    return RedirectResponse(f"/channels?{urlencode({'connect': attempt})}", status_code=303)
