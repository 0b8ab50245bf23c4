"""Errors as RFC 9457 problem documents (`application/problem+json`), never a bare 500.

Every refusal the API makes is an `ApiProblem`; core's errors and the framework's own
(validation, unknown route, wrong method) are turned into the same shape, with field
errors under `errors` so a pipeline (or a form) can show each next to its field."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from core.errors import InputError, InputErrors, NotAllowed, NotFound

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)


class Problem(BaseModel):
    """An error answer: `type` names the kind, `detail` says what happened and what to do."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = None


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors
        self.kind = kind or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.headers = headers or {}


def invalid(errors: dict[str, str]) -> ApiProblem:
    """422 with one message per field."""
    return ApiProblem(
        422,
        "some fields are not valid; nothing was created: "
        + "; ".join(f"{k}: {v}" for k, v in errors.items()),
        kind="invalid-fields",
        errors=errors,
    )


def response(problem: ApiProblem) -> JSONResponse:
    body = Problem(
        type=f"/api/v1/docs#problem-{problem.kind}",
        title=HTTPStatus(problem.status).phrase,
        status=problem.status,
        detail=problem.detail,
        errors=problem.errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=problem.headers,
    )


def field_errors(exc: ValidationError | RequestValidationError) -> dict[str, str]:
    """pydantic's errors by field name (the last part of each location)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        name = loc[-1] if loc else "request"
        if loc and loc[0] == "header":
            name = loc[-1]
        errors.setdefault(name, str(error.get("msg", "is not valid")))
    return errors


def install(api: FastAPI) -> None:
    """Answer every error as a problem document."""

    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiProblem)
        return response(exc)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return response(invalid(field_errors(exc)))

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return response(
            ApiProblem(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))
        )

    async def on_core(_: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, InputErrors):
            return response(invalid(exc.errors))
        if isinstance(exc, InputError):
            return response(invalid({exc.field: exc.message}))
        if isinstance(exc, NotFound):
            return response(ApiProblem(404, str(exc)))
        return response(ApiProblem(403, str(exc)))

    async def on_crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("API request failed", exc_info=exc)
        return response(ApiProblem(500, "the server failed; the error is in its log"))

    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(RequestValidationError, on_validation)
    api.add_exception_handler(HTTPException, on_http)
    for kind in (InputErrors, InputError, NotFound, NotAllowed):
        api.add_exception_handler(kind, on_core)
    api.add_exception_handler(Exception, on_crash)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {MEDIA_TYPE: {}}, "description": text}
    for status, text in {
        401: "No token, or one that is unknown, expired, revoked or whose owner is disabled",
        403: "The token's role or group does not allow this",
        404: "No such job (or not in the token's group)",
        422: "Fields to fix, one message each under `errors`",
    }.items()
}
