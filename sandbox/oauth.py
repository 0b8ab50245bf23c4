"""Google OAuth 2.0 authorization endpoint: request checks, consent page, code redirect."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox import directory, grants, ids
from sandbox.api_call import log_call
from sandbox.auth import KNOWN_SCOPES, SCOPE_DESCRIPTIONS, Caller
from sandbox.consent_page import AccountChoice, ChannelChoice, render_consent, render_error
from sandbox.state import Sandbox, sandbox_of
from sandbox.store import Row

CODE_LIFETIME = 600
REQUEST_LIFETIME = 3600
APPROVAL_PATH = "/o/oauth2/approval"
_VERIFIER_CHARS = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_PROMPTS = {"none", "consent", "select_account"}


class PageError(Exception):
    """Shown to the person as a page: the client or redirect URI cannot be trusted."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class RedirectError(Exception):
    """Sent back to the (validated) redirect URI as ?error=..."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def _is_loopback(host: str | None) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]")


def redirect_allowed(registered: list[str], uri: str) -> bool:
    """Exact match, or (like Google for installed apps) a loopback URI on any port. With no
    URIs registered, the sandbox accepts any http(s) URI so a new project just works."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if not registered:
        return True
    for allowed in registered:
        if allowed == uri:
            return True
        a = urlsplit(allowed)
        if (
            _is_loopback(a.hostname)
            and a.port is None
            and _is_loopback(parts.hostname)
            and a.path == parts.path
            and a.scheme == parts.scheme
        ):
            return True
    return False


def redirect_with(uri: str, values: dict[str, Any]) -> RedirectResponse:
    clean = {k: v for k, v in values.items() if v is not None}
    joiner = "&" if urlsplit(uri).query else "?"
    return RedirectResponse(uri + joiner + urlencode(clean), status_code=302)


def _check_client(sandbox: Sandbox, query: Any) -> tuple[Row, str]:
    project = directory.get_project(sandbox.store, query.get("client_id") or "")
    if project is None:
        raise PageError(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = query.get("redirect_uri")
    if not redirect_uri:
        raise PageError(400, "invalid_request", "Missing required parameter: redirect_uri")
    if not redirect_allowed(json.loads(project["redirect_uris"]), redirect_uri):
        raise PageError(
            400,
            "redirect_uri_mismatch",
            f"The redirect URI {redirect_uri} is not registered for this client "
            f"(registered: {', '.join(json.loads(project['redirect_uris'])) or 'none'}).",
        )
    return project, redirect_uri


def _check_request(query: Any) -> dict[str, Any]:
    if query.get("response_type") != "code":
        raise RedirectError(
            "unsupported_response_type", "The sandbox supports response_type=code only."
        )
    scopes = (query.get("scope") or "").split()
    if not scopes:
        raise PageError(400, "invalid_request", "Missing required parameter: scope")
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise PageError(400, "invalid_scope", f"Some requested scopes were invalid: {unknown}")
    challenge = query.get("code_challenge")
    method = query.get("code_challenge_method")
    if method is not None and method not in ("S256", "plain"):
        raise RedirectError("invalid_request", "code_challenge_method must be S256 or plain.")
    if method is not None and not challenge:
        raise RedirectError("invalid_request", "code_challenge_method without code_challenge.")
    if challenge and not _VERIFIER_CHARS.match(challenge):
        raise RedirectError("invalid_request", "code_challenge is malformed.")
    access_type = query.get("access_type", "online")
    if access_type not in ("online", "offline"):
        raise RedirectError("invalid_request", "access_type must be online or offline.")
    prompts = set((query.get("prompt") or "").split())
    if prompts - _PROMPTS or ("none" in prompts and len(prompts) > 1):
        raise RedirectError("invalid_request", f"Invalid prompt: {query.get('prompt')}")
    return {
        "scopes": scopes,
        "state": query.get("state"),
        "code_challenge": challenge,
        # RFC 7636: a challenge without a method is "plain".
        "code_challenge_method": (method or "plain") if challenge else None,
        "offline": access_type == "offline",
        "prompts": sorted(prompts),
        "include_granted": query.get("include_granted_scopes") == "true",
        "login_hint": query.get("login_hint"),
    }


def issue_code(
    sandbox: Sandbox, project: Row, channel_id: str, redirect_uri: str, req: dict[str, Any]
) -> str:
    code = ids.auth_code()
    sandbox.store.insert(
        "auth_codes",
        {
            "code_hash": ids.secret_hash(code),
            "project_id": project["id"],
            "channel_id": channel_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(req["scopes"]),
            "code_challenge": req["code_challenge"],
            "code_challenge_method": req["code_challenge_method"],
            "offline": int(req["offline"]),
            "force_consent": int("consent" in req["prompts"]),
            "include_granted": int(req["include_granted"]),
            "expires_at": sandbox.clock.now_ts() + CODE_LIFETIME,
        },
    )
    return code


def _accounts(sandbox: Sandbox, request: Request) -> list[AccountChoice]:
    base = sandbox.base_url(request)
    accounts = sandbox.store.all("SELECT * FROM accounts ORDER BY id")
    channels = directory.list_channels(sandbox.store)
    return [
        AccountChoice(
            email=a["email"],
            name=a["name"],
            channels=[
                ChannelChoice(
                    c["id"],
                    c["title"],
                    c["handle"],
                    bool(c["is_brand"]),
                    f"{base}/media/avatar/{c['id']}?s=64",
                )
                for c in channels
                if c["account_id"] == a["id"]
            ],
        )
        for a in accounts
    ]


def _preselect(accounts: list[AccountChoice], hint: str | None) -> str | None:
    every = [c for a in accounts for c in a.channels]
    if hint:
        for account in accounts:
            if account.email.lower() == hint.lower() and account.channels:
                return account.channels[0].id
    return every[0].id if len(every) == 1 else None


def _page(
    sandbox: Sandbox,
    request: Request,
    project: Row,
    request_id: str,
    req: dict[str, Any],
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    accounts = _accounts(sandbox, request)
    html = render_consent(
        action=APPROVAL_PATH,
        request_id=request_id,
        project_name=project["name"],
        client_id=project["client_id"],
        scopes=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in req["scopes"]],
        accounts=accounts,
        selected=_preselect(accounts, req.get("login_hint")),
        error=error,
    )
    return HTMLResponse(html, status_code=status)


def _log(
    request: Request,
    sandbox: Sandbox,
    status: int,
    reason: str | None,
    client_id: str | None,
    channel_id: str | None = None,
) -> None:
    log_call(
        request,
        sandbox,
        method="oauth.authorize",
        status=status,
        reason=reason,
        caller=Caller(client_id=client_id, channel_id=channel_id),
    )


async def authorize(request: Request) -> Response:
    sandbox = sandbox_of(request)
    query = request.query_params
    try:
        project, redirect_uri = _check_client(sandbox, query)
    except PageError as error:
        _log(request, sandbox, error.status, error.code, query.get("client_id"))
        return HTMLResponse(
            render_error(error.status, error.code, error.message), status_code=error.status
        )
    try:
        req = _check_request(query)
    except PageError as error:
        _log(request, sandbox, error.status, error.code, project["client_id"])
        return HTMLResponse(
            render_error(error.status, error.code, error.message), status_code=error.status
        )
    except RedirectError as error:
        _log(request, sandbox, 302, error.error, project["client_id"])
        return redirect_with(
            redirect_uri,
            {
                "error": error.error,
                "error_description": error.description,
                "state": query.get("state"),
            },
        )
    if "none" in req["prompts"]:
        return _silent(request, sandbox, project, redirect_uri, req)
    request_id = ids.request_id()
    sandbox.store.insert(
        "auth_requests",
        {
            "id": request_id,
            "project_id": project["id"],
            "params": json.dumps({**req, "redirect_uri": redirect_uri}),
            "created_at": sandbox.clock.now_ts(),
        },
    )
    _log(request, sandbox, 200, None, project["client_id"])
    return _page(sandbox, request, project, request_id, req)


def _silent(
    request: Request, sandbox: Sandbox, project: Row, redirect_uri: str, req: dict[str, Any]
) -> Response:
    """prompt=none: answer without a page when exactly one live grant can be reused."""
    live = sandbox.store.all(
        "SELECT * FROM grants WHERE project_id = ? AND revoked_at IS NULL", (project["id"],)
    )
    if len(live) != 1:
        error = "consent_required" if not live else "interaction_required"
        _log(request, sandbox, 302, error, project["client_id"])
        return redirect_with(redirect_uri, {"error": error, "state": req["state"]})
    code = issue_code(sandbox, project, live[0]["channel_id"], redirect_uri, req)
    _log(request, sandbox, 302, None, project["client_id"], live[0]["channel_id"])
    return redirect_with(
        redirect_uri, {"code": code, "state": req["state"], "scope": " ".join(req["scopes"])}
    )


async def approve(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await request.form()
    row = sandbox.store.one(
        "SELECT * FROM auth_requests WHERE id = ?", (str(form.get("request_id", "")),)
    )
    if row is None or row["created_at"] + REQUEST_LIFETIME <= sandbox.clock.now_ts():
        html = render_error(
            400, "invalid_request", "This sign-in request is unknown or expired; start again."
        )
        return HTMLResponse(html, status_code=400)
    project = directory.project_by_id(sandbox.store, row["project_id"])
    assert project is not None
    req = json.loads(row["params"])
    redirect_uri = req["redirect_uri"]
    if form.get("action") != "allow":
        sandbox.store.run("DELETE FROM auth_requests WHERE id = ?", (row["id"],))
        _log(request, sandbox, 302, "access_denied", project["client_id"])
        return redirect_with(redirect_uri, {"error": "access_denied", "state": req["state"]})
    channel = directory.get_channel(sandbox.store, str(form.get("channel_id", "")))
    if channel is None:
        return _page(
            sandbox,
            request,
            project,
            row["id"],
            req,
            error="Choose a channel to continue.",
            status=400,
        )
    sandbox.store.run("DELETE FROM auth_requests WHERE id = ?", (row["id"],))
    code = issue_code(sandbox, project, channel["id"], redirect_uri, req)
    _log(request, sandbox, 302, None, project["client_id"], channel["id"])
    return redirect_with(
        redirect_uri, {"code": code, "state": req["state"], "scope": " ".join(req["scopes"])}
    )


def grant_for_code(sandbox: Sandbox, code: Row) -> tuple[Row, bool]:
    """The grant a redeemed code lands on, and whether a refresh token is due: on first
    consent, or when prompt=consent asked again (Google's rule)."""
    now = sandbox.clock.now_ts()
    scopes = code["scope"].split()
    live = grants.find_live_grant(sandbox.store, code["project_id"], code["channel_id"])
    if live is None:
        grant = grants.create_grant(
            sandbox.store,
            project_id=code["project_id"],
            channel_id=code["channel_id"],
            scopes=scopes,
            via="consent",
            now=now,
            challenge_method=code["code_challenge_method"],
        )
        return grant, bool(code["offline"])
    grants.widen_grant(sandbox.store, live, scopes)
    sandbox.store.update(
        "grants", "id", live["id"], {"code_challenge_method": code["code_challenge_method"]}
    )
    due = bool(code["offline"]) and (
        bool(code["force_consent"]) or not grants.has_refresh_token(sandbox.store, live["id"])
    )
    return live, due


routes = [
    Route("/o/oauth2/auth", authorize, methods=["GET"]),
    Route("/o/oauth2/v2/auth", authorize, methods=["GET"]),
    Route(APPROVAL_PATH, approve, methods=["POST"]),
]
