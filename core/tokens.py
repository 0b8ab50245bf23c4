"""Keeping channel tokens fresh: refresh before expiry, one refresh per channel at a time
across processes (the channel row's lease), and dead tokens made visible at once."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_
from sqlmodel import col

from core import alerts, audit, backoff, clock, db, lease, projects, vault
from core.settings import get_settings
from models import Channel, ChannelState, Severity
from youtube import oauth
from youtube.errors import Action, GoogleError

log = logging.getLogger("tubefleet.tokens")

REFRESH_LEASE = timedelta(minutes=2)
TRANSIENT_ATTEMPTS = 3
DEAD_TOKEN_ALERT = "token.dead"


@dataclass
class TickReport:
    due: int = 0
    refreshed: int = 0
    needs_reauth: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _owner() -> str:
    return f"{lease.process_owner()}:{threading.get_ident()}"


def dead_token_subject(channel: Channel) -> str:
    return f"channel {channel.title} ({channel.youtube_id}) needs re-consent"


def _refresh_leased(channel_id: int, owner: str) -> str:
    """Refresh a channel whose lease we hold; releases the lease. Returns the outcome."""
    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        assert channel is not None
        project = projects.get(session=s, project_id=channel.project_id)
    error: GoogleError | None = None
    for attempt in range(TRANSIENT_ATTEMPTS):
        try:
            fresh = oauth.refresh(
                endpoints=projects.endpoints_for(project),
                client_id=project.client_id,
                client_secret=projects.client_secret(project),
                refresh_token=vault.decrypt(channel.refresh_token_enc),
            )
        except GoogleError as exc:
            error = exc
            if exc.action != Action.RETRY or attempt == TRANSIENT_ATTEMPTS - 1:
                break
            time.sleep(backoff.delay(attempt, base=0.5))
            continue
        now = clock.now()
        granted = {"scopes": " ".join(fresh.scopes)[:1000]} if fresh.scopes else {}
        with db.session() as s:
            done = lease.complete(
                session=s,
                model=Channel,
                row_id=channel_id,
                owner=owner,
                access_token_enc=vault.encrypt(fresh.access_token),
                token_expires_at=now + timedelta(seconds=fresh.expires_in),
                token_refreshed_at=now,
                last_error="",
                last_error_at=None,
                **granted,
            )
            if done:
                alerts.resolve_open(
                    session=s, kind=DEAD_TOKEN_ALERT, subject=dead_token_subject(channel)
                )
                alerts.resolve_open(
                    session=s,
                    kind="token.refresh_failing",
                    subject=f"channel {channel.title}: token refresh failing",
                )
        return "refreshed" if done else "lost_lease"

    assert error is not None
    now = clock.now()
    with db.session() as s:
        if error.action == Action.REAUTH:
            lease.complete(
                session=s,
                model=Channel,
                row_id=channel_id,
                owner=owner,
                state=ChannelState.NEEDS_REAUTH,
                state_before_reauth=ChannelState(channel.state).value,
                access_token_enc=None,
                token_expires_at=None,
                last_error=str(error)[:1000],
                last_error_at=now,
            )
            alerts.raise_alert(
                session=s,
                kind=DEAD_TOKEN_ALERT,
                severity=Severity.CRITICAL,
                subject=dead_token_subject(channel),
                message=(
                    f"Google refused the refresh token ({error.reason}): it was revoked, "
                    "expired (7 days while the consent screen is in testing) or the "
                    "password changed. The channel is out of rotation until someone "
                    "reconnects it on the Channels page."
                ),
                project_id=channel.project_id,
                channel_id=channel_id,
            )
            audit.record(
                session=s,
                actor="system",
                action="channel.needs_reauth",
                target=channel.title,
                detail=error.reason,
            )
            return "needs_reauth"
        lease.complete(
            session=s,
            model=Channel,
            row_id=channel_id,
            owner=owner,
            last_error=f"token refresh failed: {error}"[:1000],
            last_error_at=now,
        )
        if error.reason == "invalid_client":
            alerts.raise_alert(
                session=s,
                kind="project.invalid_client",
                severity=Severity.CRITICAL,
                subject=f"project {project.name}: Google refuses its OAuth client",
                message=(
                    "Token refreshes fail with invalid_client: the client secret was "
                    "rotated or the client deleted in Google Cloud Console. Update the "
                    "project on the Settings page; its channels cannot upload meanwhile."
                ),
                project_id=project.id,
            )
        elif not error.retryable:
            alerts.raise_alert(
                session=s,
                kind="token.refresh_failing",
                severity=Severity.WARNING,
                subject=f"channel {channel.title}: token refresh failing",
                message=f"Google answered {error}. Once the access token expires the channel "
                "is taken out of rotation.",
                project_id=channel.project_id,
                channel_id=channel_id,
            )
    log.warning("token refresh for channel %s failed: %s", channel_id, error)
    return "failed"


def refresh_due() -> TickReport:
    """One tick: refresh every channel whose token expires within the buffer."""
    settings = get_settings()
    started = time.monotonic()
    horizon = clock.now() + timedelta(minutes=settings.token_refresh_buffer_minutes)
    owner = _owner()
    keep_fresh = [s for s in ChannelState if s.keeps_token_fresh]
    # Claim in batches that finish well within the lease, so a big pool never outlives
    # its leases (another process would then refresh the same channels again).
    batch = max(50, 20 * settings.token_refresh_concurrency)
    report = TickReport()
    tried: set[int] = set()  # a failed refresh stays due; it waits for the next tick
    with ThreadPoolExecutor(
        max_workers=settings.token_refresh_concurrency, thread_name_prefix="token-refresh"
    ) as pool:
        while True:
            with db.session() as s:
                ids = lease.claim(
                    session=s,
                    model=Channel,
                    owner=owner,
                    ttl=REFRESH_LEASE,
                    where=[
                        col(Channel.state).in_(keep_fresh),
                        or_(
                            col(Channel.token_expires_at).is_(None),
                            col(Channel.token_expires_at) < horizon,
                        ),
                        col(Channel.id).not_in(tried),
                    ],
                    order_by=[col(Channel.token_expires_at)],
                    limit=batch,
                )
            if not ids:
                break
            tried.update(ids)
            report.due += len(ids)
            for outcome in pool.map(lambda cid: _safe_refresh(cid, owner), ids):
                if outcome == "refreshed":
                    report.refreshed += 1
                elif outcome == "needs_reauth":
                    report.needs_reauth += 1
                else:
                    report.failed += 1
    report.seconds = time.monotonic() - started
    if report.due:
        log.info(
            "token refresh tick: %d due, %d refreshed, %d need re-consent, %d failed in %.2f s",
            report.due,
            report.refreshed,
            report.needs_reauth,
            report.failed,
            report.seconds,
        )
    return report


def _safe_refresh(channel_id: int, owner: str) -> str:
    try:
        return _refresh_leased(channel_id, owner)
    except Exception:
        log.exception("token refresh for channel %s crashed", channel_id)
        with db.session() as s:
            lease.release(session=s, model=Channel, row_id=channel_id, owner=owner)
        return "failed"


def refresh_now(channel_id: int, wait_seconds: float = 20.0) -> None:
    """Refresh one channel's token now (after a 401, or when it is about to expire).

    If another thread or process is refreshing it, wait for that refresh instead of
    starting a second one. Raises GoogleError(REAUTH) when the channel needs re-consent.
    """
    owner = _owner()
    deadline = time.monotonic() + wait_seconds
    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        before = channel.token_refreshed_at if channel else None
    while True:
        with db.session() as s:
            claimed = lease.claim_one(
                session=s, model=Channel, row_id=channel_id, owner=owner, ttl=REFRESH_LEASE
            )
        if claimed:
            outcome = _safe_refresh(channel_id, owner)
            break
        with db.read_session() as s:
            channel = s.get(Channel, channel_id)
        if channel is None:
            raise GoogleError(Action.FAIL, "not_found", f"channel {channel_id} is gone")
        if channel.token_refreshed_at != before or channel.state == ChannelState.NEEDS_REAUTH:
            outcome = "needs_reauth" if channel.state == ChannelState.NEEDS_REAUTH else "refreshed"
            break
        if time.monotonic() > deadline:
            raise GoogleError(
                Action.RETRY, "refresh_busy", "another process is refreshing this channel's token"
            )
        time.sleep(0.2)
    if outcome == "needs_reauth":
        raise GoogleError(
            Action.REAUTH, "invalid_grant", "the channel's refresh token is dead; reconnect it"
        )
    if outcome != "refreshed":
        raise GoogleError(Action.RETRY, "refresh_failed", "the token could not be refreshed")
