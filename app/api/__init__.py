"""The REST API under /api/v1: a FastAPI app beside Reflex, authenticated by API tokens.

`mount` is an api_transformer (see app.app): requests under /api/v1 go to the API, which
checks its own bearer tokens; everything else goes on to the login-guarded app."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api import docs, problems, uploads
from app.api.schemas import UploadFields

PREFIX = "/api/v1"
DESCRIPTION = (
    "Schedule uploads from pipelines and follow them to YouTube. Authenticate with "
    "'Authorization: Bearer <token>' (`tubefleet token create`). Every create accepts an "
    "Idempotency-Key: a retry with the same key returns the first request's job(s)."
)


def build_api() -> FastAPI:
    api = FastAPI(
        title="TubeFleet API",
        version="1",
        description=DESCRIPTION,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(api)
    api.include_router(uploads.router)

    def document() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = get_openapi(
                title=api.title,
                version=api.version,
                description=api.description,
                routes=api.routes,
                servers=[{"url": PREFIX}],
            )
            # Read from the multipart body by hand (to stream it), so no route names it.
            schemas = api.openapi_schema.setdefault("components", {}).setdefault("schemas", {})
            fields = UploadFields.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(fields.pop("$defs", {}))
            schemas["UploadFields"] = fields
        return api.openapi_schema

    @api.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return document()

    @api.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return docs.render(document())

    return api


@cache
def _api() -> FastAPI:
    return build_api()


def mount(app: ASGIApp) -> ASGIApp:
    """Route /api/v1/* to the API (the prefix as its root path); the rest to `app`."""
    api = _api()

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            inner = {**scope, "root_path": scope.get("root_path", "") + PREFIX}
            await api(inner, receive, send)
            return
        await app(scope, receive, send)

    return dispatch
