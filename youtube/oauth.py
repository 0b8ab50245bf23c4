"""Google OAuth 2.0 for channels: the consent URL (PKCE S256), the code exchange,
token refresh and revocation, through google-auth-oauthlib and google-auth."""

from __future__ import annotations

import os
from dataclasses import dataclass

import requests
from google.auth.transport.requests import Request as AuthRequest
from google.oauth2 import reauth
from google_auth_oauthlib.flow import Flow

from youtube.client import Endpoints
from youtube.errors import Action, GoogleError, classify, classify_status

# Google returns a refresh token only on first consent unless consent is forced;
# select_account lets people pick the right account or Brand Account channel.
PROMPT = "consent select_account"
# With include_granted_scopes Google answers with every scope the app holds for that
# channel, which can be more than asked; oauthlib would raise on that difference.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


def allow_plain_http() -> None:
    """The sandbox speaks http://; oauthlib refuses that unless told (sandbox mode only)."""
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None  # None when Google sent none (keep the stored one)
    expires_in: int  # seconds; the caller turns it into a time with its own clock
    scopes: list[str]


def _flow(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    scopes: list[str],
    code_verifier: str,
) -> Flow:
    config = {
        "web": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": endpoints.auth_uri,
            "token_uri": endpoints.token_uri,
            "redirect_uris": [redirect_uri],
        }
    }
    flow = Flow.from_client_config(
        config,
        scopes=scopes,
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=False,
    )
    return flow


def authorization_url(
    *,
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    scopes: list[str],
    state: str,
    code_verifier: str,
) -> str:
    """Where to send the person; the flow derives the S256 challenge from the verifier."""
    flow = _flow(endpoints, client_id, client_secret, redirect_uri, scopes, code_verifier)
    url, _ = flow.authorization_url(
        access_type="offline", prompt=PROMPT, state=state, include_granted_scopes="true"
    )
    return str(url)


def exchange_code(
    *,
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    scopes: list[str],
    code: str,
    code_verifier: str,
) -> Tokens:
    flow = _flow(endpoints, client_id, client_secret, redirect_uri, scopes, code_verifier)
    try:
        token = flow.fetch_token(code=code)
    except Exception as exc:  # oauthlib raises its own types; classify says what they mean
        raise _oauth_error(exc) from None
    granted = token.get("scope") or scopes
    return Tokens(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token"),
        expires_in=int(token.get("expires_in", 3600)),
        scopes=granted.split() if isinstance(granted, str) else list(granted),
    )


def refresh(
    *, endpoints: Endpoints, client_id: str, client_secret: str, refresh_token: str
) -> Tokens:
    """A fresh access token; raises GoogleError (REAUTH for invalid_grant).

    google-auth's refresh grant (the one Credentials.refresh uses), called directly so
    the answer's expires_in and scope reach us unchanged.
    """
    try:
        access_token, _, _, answer, _ = reauth.refresh_grant(
            AuthRequest(), endpoints.token_uri, refresh_token, client_id, client_secret
        )
    except Exception as exc:
        raise classify(exc) from None
    scope = answer.get("scope", "")
    return Tokens(
        access_token=access_token,
        refresh_token=None,
        expires_in=int(answer.get("expires_in", 3600)),
        scopes=scope.split() if isinstance(scope, str) else list(scope),
    )


def revoke(*, endpoints: Endpoints, token: str) -> None:
    """Revoke a grant at Google. An already invalid token (400) counts as revoked."""
    try:
        response = requests.post(endpoints.revoke_uri, data={"token": token}, timeout=30)
    except requests.RequestException as exc:
        raise GoogleError(Action.RETRY, "transport", str(exc)[:300]) from None
    if response.status_code >= 400 and response.status_code != 400:
        raise classify_status(response.status_code, response.content)


def _oauth_error(exc: Exception) -> GoogleError:
    """oauthlib raises its own exception types; name the OAuth error they carry."""
    text = str(exc)
    for reason in ("invalid_grant", "invalid_client", "access_denied", "invalid_request"):
        if reason in text:
            action = Action.REAUTH if reason == "invalid_grant" else Action.FAIL
            return GoogleError(action, reason, text[:300])
    return classify(exc)
