"""Connecting a channel with Google's consent: a single-use state bound to the operator's
login session, PKCE (S256), offline access, and forced consent with account choice."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from core import auth, channels, clock, db, projects, vault
from core.channels import WrongChannel
from core.errors import InputError
from core.settings import get_settings
from models import Channel, OAuthState, Role
from youtube import oauth
from youtube.client import DEFAULT_SCOPES, capabilities
from youtube.errors import GoogleError

STATE_LIFETIME = timedelta(minutes=10)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start(
    *,
    project_id: int,
    user_email: str,
    login_token: str,
    group: str = "",
    reconnect_channel_id: int | None = None,
) -> str:
    """Record a single-use state and return Google's consent URL to send the person to."""
    settings = get_settings()
    group = channels.validate_group(group)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)[:96]  # RFC 7636: 43-128 characters
    now = clock.now()
    with db.session() as s:
        project = projects.get(session=s, project_id=project_id)
        if reconnect_channel_id is not None:
            channel = s.get(Channel, reconnect_channel_id)
            if channel is None:
                raise InputError("channel", f"channel {reconnect_channel_id} does not exist")
            if channel.project_id != project_id:
                project = projects.get(session=s, project_id=channel.project_id)
        s.add(
            OAuthState(
                state_hash=_hash(state),
                session_hash=_hash(login_token),
                user_email=user_email,
                project_id=project.id or 0,
                code_verifier_enc=vault.encrypt(verifier),
                reconnect_channel_id=reconnect_channel_id,
                group_name=group,
                created_at=now,
                expires_at=now + STATE_LIFETIME,
            )
        )
    return oauth.authorization_url(
        endpoints=projects.endpoints_for(project),
        client_id=project.client_id,
        client_secret=projects.client_secret(project),
        redirect_uri=settings.oauth_redirect_uri,
        scopes=DEFAULT_SCOPES,
        state=state,
        code_verifier=verifier,
    )


@dataclass(frozen=True)
class ConnectResult:
    ok: bool
    message: str
    channel_id: int | None = None
    # The connect attempt (its row keeps this result for the Channels page); None when the
    # callback matched no attempt of this login session.
    attempt_id: int | None = None


def finish(
    *, state: str, code: str | None, error: str | None, login_token: str | None
) -> ConnectResult:
    """The OAuth callback: check the state, exchange the code, add or update the channel.

    Nothing changes unless every check passes. The result is kept on the attempt's row,
    so the page that follows shows it by the attempt's id, never by text in its address.
    """
    result = _finish(state=state, code=code, error=error, login_token=login_token)
    if result.attempt_id is not None:
        with db.session() as s:
            s.execute(
                update(OAuthState)
                .where(OAuthState.id == result.attempt_id)  # type: ignore[arg-type]
                .values(result_ok=result.ok, result_message=result.message[:500])
            )
    return result


def result_for(*, attempt_id: int, login_token: str | None) -> ConnectResult | None:
    """A finished attempt's result, for the login session that started it (else None)."""
    if not login_token:
        return None
    with db.read_session() as s:
        row = s.get(OAuthState, attempt_id)
    if row is None or row.session_hash != _hash(login_token) or row.result_ok is None:
        return None
    return ConnectResult(row.result_ok, row.result_message, attempt_id=row.id)


def _finish(
    *, state: str, code: str | None, error: str | None, login_token: str | None
) -> ConnectResult:
    if not state:
        return ConnectResult(
            False, "The link from Google had no state; start again with Connect channel."
        )
    now = clock.now()
    with db.session() as s:
        row = s.exec(select(OAuthState).where(OAuthState.state_hash == _hash(state))).first()
        if row is None:
            return ConnectResult(
                False, "This sign-in link is unknown; start again with Connect channel."
            )
        if login_token is None or row.session_hash != _hash(login_token):
            return ConnectResult(
                False,
                "This sign-in was started from another login session; "
                "start again with Connect channel.",
            )
        attempt = row.id
        # The person must still be who started it, and still allowed to connect channels.
        person = auth.user_for_token(session=s, token=login_token)
        if person is None or person.email != row.user_email or not person.can(Role.OPERATOR):
            s.execute(
                update(OAuthState)
                .where(OAuthState.id == attempt)  # type: ignore[arg-type]
                .values(used_at=now)
            )
            return ConnectResult(
                False,
                "Your role no longer allows connecting channels (it "
                "needs operator or higher); nothing was changed.",
                attempt_id=attempt,
            )
        # Single use, even against a replay racing this request.
        used = s.execute(
            update(OAuthState)
            .where(
                OAuthState.id == row.id,  # type: ignore[arg-type]
                col(OAuthState.used_at).is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:  # type: ignore[attr-defined]
            return ConnectResult(
                False,
                "This sign-in link was already used; start again with Connect channel.",
                attempt_id=attempt,
            )
        if clock.as_utc(row.expires_at) < now:
            return ConnectResult(
                False,
                "This sign-in link expired (10 minutes); start again with Connect channel.",
                attempt_id=attempt,
            )
        project = projects.get(session=s, project_id=row.project_id)
        verifier = vault.decrypt(row.code_verifier_enc)
        actor, group, reconnect = row.user_email, row.group_name, row.reconnect_channel_id
    if error:
        reason = (
            "Consent was denied on Google's page"
            if error == "access_denied"
            else f"Google answered {error}"
        )
        return ConnectResult(
            False, f"{reason}; no channel was added or changed.", attempt_id=attempt
        )
    if not code:
        return ConnectResult(
            False, "Google sent no authorization code; nothing was changed.", attempt_id=attempt
        )
    try:
        fresh = oauth.exchange_code(
            endpoints=projects.endpoints_for(project),
            client_id=project.client_id,
            client_secret=projects.client_secret(project),
            redirect_uri=get_settings().oauth_redirect_uri,
            scopes=DEFAULT_SCOPES,
            code=code,
            code_verifier=verifier,
        )
        refresh_token = fresh.refresh_token
        if refresh_token is None and reconnect is not None:
            with db.read_session() as s:
                existing = s.get(Channel, reconnect)
                refresh_token = vault.decrypt(existing.refresh_token_enc) if existing else None
        resource = channels.fetch_own_channel(project, fresh, refresh_token or "")
        with db.session() as s:
            channel, created = channels.save_connected_channel(
                session=s,
                project=project,
                resource=resource,
                fresh=fresh,
                refresh_token=fresh.refresh_token,
                actor=actor,
                group=group,
                reconnect_channel_id=reconnect,
            )
            title, channel_id = channel.title, channel.id
    except WrongChannel as exc:
        return ConnectResult(False, str(exc), attempt_id=attempt)
    except (GoogleError, InputError) as exc:
        return ConnectResult(
            False, f"Connecting failed: {exc}. Nothing was changed.", attempt_id=attempt
        )
    caps = ", ".join(capabilities(fresh.scopes)) or "none"
    verb = "Connected" if created else "Reconnected"
    return ConnectResult(True, f"{verb} {title} (can: {caps}).", channel_id, attempt)


def prune() -> None:
    """Forget states older than a day (housekeeping)."""
    from sqlalchemy import delete

    with db.session() as s:
        s.execute(delete(OAuthState).where(OAuthState.created_at < clock.now() - timedelta(days=1)))  # type: ignore[arg-type]
