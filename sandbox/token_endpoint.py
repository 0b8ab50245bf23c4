"""Google OAuth 2.0 token, revoke and tokeninfo endpoints."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import unquote_plus

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox import directory, grants, ids
from sandbox.api_call import log_call
from sandbox.auth import Caller
from sandbox.connection import drop_connection
from sandbox.errors import OAuthError
from sandbox.oauth import grant_for_code
from sandbox.state import Sandbox, sandbox_of
from sandbox.store import Row

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_DEAD_TOKEN = "Token has been expired or revoked."


def client_credentials(request: Request, form: FormData) -> tuple[str | None, str | None]:
    """HTTP Basic (what google-auth-oauthlib's Flow sends) or form fields (what
    google.oauth2.credentials.Credentials.refresh sends)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip()).decode()
        except (ValueError, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "Malformed Basic credentials.") from None
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return _field(form, "client_id"), _field(form, "client_secret")


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


def authenticate_client(sandbox: Sandbox, request: Request, form: FormData) -> Row:
    client_id, secret = client_credentials(request, form)
    project = directory.get_project(sandbox.store, client_id or "")
    if project is None:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    # Only the hash is stored; comparing hashes in constant time leaks nothing either.
    if not hmac.compare_digest(project["client_secret_hash"], ids.secret_hash(secret or "")):
        raise OAuthError(401, "invalid_client", "Unauthorized")
    return project


def pkce_matches(method: str, challenge: str, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        return hmac.compare_digest(computed, challenge)
    return hmac.compare_digest(verifier, challenge)


def token_answer(
    sandbox: Sandbox, project: Row, grant: Row, scopes: list[str], *, refresh: bool
) -> dict[str, Any]:
    now = sandbox.clock.now_ts()
    lifetime = int(sandbox.settings.access_token_lifetime)
    body: dict[str, Any] = {
        "access_token": grants.issue_access_token(
            sandbox.store, grant["id"], scopes, now=now, lifetime=lifetime
        ),
        "expires_in": lifetime,
        # Echo the scopes as asked: oauthlib raises when the set differs from its request.
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }
    if refresh:
        body["refresh_token"] = grants.issue_refresh_token(
            sandbox.store, grant["id"], scopes, now=now
        )
    if refresh and project["consent_status"] == "testing":
        body["refresh_token_expires_in"] = grants.TESTING_REFRESH_LIFETIME
    return body


def exchange_code(sandbox: Sandbox, project: Row, form: FormData) -> tuple[dict[str, Any], str]:
    code = sandbox.store.one(
        "SELECT * FROM auth_codes WHERE code_hash = ?",
        (ids.secret_hash(_field(form, "code") or ""),),
    )
    if code is None:
        raise OAuthError(400, "invalid_grant", "Malformed auth code.")
    if code["project_id"] != project["id"]:
        raise OAuthError(400, "invalid_grant", "The code was issued to another client.")
    if code["used_at"] is not None:
        raise OAuthError(400, "invalid_grant", "The code was already redeemed.")
    if code["expires_at"] <= sandbox.clock.now_ts():
        raise OAuthError(400, "invalid_grant", "The code has expired.")
    if _field(form, "redirect_uri") != code["redirect_uri"]:
        raise OAuthError(
            400,
            "redirect_uri_mismatch",
            "redirect_uri differs from the one of the authorization request.",
        )
    if code["code_challenge"]:
        verifier = _field(form, "code_verifier")
        if not verifier:
            raise OAuthError(400, "invalid_grant", "Missing code verifier.")
        if not pkce_matches(code["code_challenge_method"], code["code_challenge"], verifier):
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
    sandbox.store.update(
        "auth_codes", "code_hash", code["code_hash"], {"used_at": sandbox.clock.now_ts()}
    )
    grant, refresh = grant_for_code(sandbox, code)
    scopes = code["scope"].split()
    if code["include_granted"]:
        scopes += [s for s in grant["scopes"].split() if s not in scopes]
    return token_answer(sandbox, project, grant, scopes, refresh=refresh), code["channel_id"]


def refresh_access(sandbox: Sandbox, project: Row, form: FormData) -> tuple[dict[str, Any], str]:
    row = grants.lookup_refresh_token(sandbox.store, _field(form, "refresh_token") or "")
    if row is None:
        raise OAuthError(400, "invalid_grant", _DEAD_TOKEN)
    if row["project_id"] != project["id"]:
        raise OAuthError(400, "unauthorized_client", "Unauthorized")
    if row["revoked_at"] is not None:
        raise OAuthError(400, "invalid_grant", _DEAD_TOKEN)
    if (
        project["consent_status"] == "testing"
        and row["token_created_at"] + grants.TESTING_REFRESH_LIFETIME <= sandbox.clock.now_ts()
    ):
        raise OAuthError(400, "invalid_grant", _DEAD_TOKEN)
    held = row["token_scopes"].split()
    asked = (_field(form, "scope") or "").split()
    if any(scope not in held for scope in asked):
        raise OAuthError(
            400, "invalid_scope", "Some requested scopes were not granted to this refresh token."
        )
    grant = grants.get_grant(sandbox.store, row["id"])
    assert grant is not None
    return token_answer(sandbox, project, grant, asked or held, refresh=False), row["channel_id"]


async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await request.form()
    try:
        client_id, _ = client_credentials(request, form)
    except OAuthError:
        client_id = None  # authenticate_client answers it below
    grant_type = _field(form, "grant_type")
    channel_id = None
    latency_ms, fault = sandbox.faults.take("token", client_id, None)
    if latency_ms:
        await asyncio.sleep(latency_ms / 1000)
    try:
        if fault is not None:
            if fault.action == "drop" and await drop_connection(request):
                _log(request, sandbox, 0, "connectionDropped", client_id, grant_type)
                return Response(status_code=599)
            raise OAuthError(
                fault.status or 503,
                fault.reason or "internal_failure",
                fault.message or "Injected fault.",
            )
        project = authenticate_client(sandbox, request, form)
        if grant_type == "authorization_code":
            body, channel_id = exchange_code(sandbox, project, form)
        elif grant_type == "refresh_token":
            body, channel_id = refresh_access(sandbox, project, form)
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    except OAuthError as error:
        _log(request, sandbox, error.status, error.error, client_id, grant_type)
        return error.response()
    _log(request, sandbox, 200, None, client_id, grant_type, channel_id)
    return JSONResponse(body, headers=_NO_STORE)


def _log(
    request: Request,
    sandbox: Sandbox,
    status: int,
    reason: str | None,
    client_id: str | None,
    grant_type: str | None,
    channel_id: str | None = None,
) -> None:
    log_call(
        request,
        sandbox,
        method="token",
        status=status,
        reason=reason,
        caller=Caller(client_id=client_id, channel_id=channel_id),
        grant_type=grant_type,
    )


def _find_any_token(sandbox: Sandbox, value: str) -> Row | None:
    return grants.lookup_refresh_token(sandbox.store, value) or grants.lookup_access_token(
        sandbox.store, value
    )


async def revoke(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await request.form() if request.method == "POST" else FormData()
    value = request.query_params.get("token") or _field(form, "token") or ""
    row = _find_any_token(sandbox, value)
    if row is None or row["revoked_at"] is not None:
        log_call(request, sandbox, method="revoke", status=400, reason="invalid_token", caller=None)
        return OAuthError(400, "invalid_token", "Token expired or revoked").response()
    grants.revoke_grant(sandbox.store, row["id"], now=sandbox.clock.now_ts())
    project = directory.project_by_id(sandbox.store, row["project_id"])
    log_call(
        request,
        sandbox,
        method="revoke",
        status=200,
        reason=None,
        caller=Caller(
            client_id=project["client_id"] if project else None, channel_id=row["channel_id"]
        ),
    )
    return JSONResponse({})


async def tokeninfo(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await request.form() if request.method == "POST" else FormData()
    value = request.query_params.get("access_token") or _field(form, "access_token") or ""
    row = grants.lookup_access_token(sandbox.store, value)
    now = sandbox.clock.now_ts()
    if row is None or row["revoked_at"] or row["invalidated"] or row["expires_at"] <= now:
        return OAuthError(400, "invalid_token", "Invalid Value").response()
    project = directory.project_by_id(sandbox.store, row["project_id"])
    client_id = project["client_id"] if project else ""
    return JSONResponse(
        {
            "azp": client_id,
            "aud": client_id,
            "scope": row["token_scopes"],
            "exp": str(int(row["expires_at"])),
            "expires_in": str(int(row["expires_at"] - now)),
            "access_type": "offline"
            if grants.has_refresh_token(sandbox.store, row["id"])
            else "online",
        }
    )


routes = [
    Route("/token", token, methods=["POST"]),
    Route("/o/oauth2/token", token, methods=["POST"]),
    Route("/oauth2/v4/token", token, methods=["POST"]),
    Route("/revoke", revoke, methods=["POST", "GET"]),
    Route("/o/oauth2/revoke", revoke, methods=["POST", "GET"]),
    Route("/oauth2/v3/tokeninfo", tokeninfo, methods=["GET", "POST"]),
]
