"""The channel pool's changes: add channels from Google's answer, change their state,
group and daily cap. Reading the pool is core/channel_reads.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from core import alerts, audit, clock, db, vault
from core.errors import InputError, NotFound
from core.gateways import token_gateway
from core.tokens import DEAD_TOKEN_ALERT, dead_token_subject
from core.uploads import wakeups
from models import Channel, ChannelState, Project
from youtube import oauth, operations
from youtube.client import capabilities

_GROUP = re.compile(r"^[\w .&'-]{0,60}$")


class WrongChannel(Exception):
    """Consent was given for a different channel than the one being reconnected."""


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def fetch_own_channel(project: Project, fresh: oauth.Tokens, refresh_token: str) -> dict[str, Any]:
    """channels.list(mine=true) with tokens just obtained: which channel did they grant?"""
    return operations.own_channel(token_gateway(project, fresh, refresh_token))


def save_connected_channel(
    *,
    session: Session,
    project: Project,
    resource: dict[str, Any],
    fresh: oauth.Tokens,
    refresh_token: str | None,
    actor: str,
    group: str = "",
    state: ChannelState = ChannelState.ACTIVE,
    reconnect_channel_id: int | None = None,
) -> tuple[Channel, bool]:
    """Add the channel or update it; returns (channel, created).

    A reconnect without a new refresh token keeps the stored one (Google sends one
    only on first consent or when consent is forced).
    """
    youtube_id = resource["id"]
    snippet = resource.get("snippet", {})
    now = clock.now()
    channel = session.exec(select(Channel).where(Channel.youtube_id == youtube_id)).first()
    if reconnect_channel_id is not None:
        target = session.get(Channel, reconnect_channel_id)
        if target is not None and target.youtube_id != youtube_id:
            raise WrongChannel(
                f"You were reconnecting {target.title}, but consent was given for "
                f"{snippet.get('title', youtube_id)}. Nothing was changed; try again and pick "
                f"{target.title} on Google's account chooser."
            )
    created = channel is None
    if channel is None:
        if not refresh_token:
            raise InputError(
                "refresh_token",
                "Google sent no refresh token for a new channel; connect again (consent is forced)",
            )
        channel = Channel(
            youtube_id=youtube_id,
            project_id=project.id or 0,
            title="",
            refresh_token_enc="",
            connected_at=now,
            created_at=now,
            state=state,
            group_name=validate_group(group),
        )
    elif group:
        channel.group_name = validate_group(group)
    thumbs = snippet.get("thumbnails", {})
    channel.title = str(snippet.get("title", youtube_id))[:200]
    channel.handle = str(snippet.get("customUrl", ""))[:100]
    channel.thumbnail_url = str(
        (thumbs.get("default") or thumbs.get("medium") or {}).get("url", "")
    )[:500]
    channel.published_at = _parse_time(snippet.get("publishedAt"))
    channel.project_id = project.id or channel.project_id
    if refresh_token:
        channel.refresh_token_enc = vault.encrypt(refresh_token)
    channel.access_token_enc = vault.encrypt(fresh.access_token)
    channel.token_expires_at = now + timedelta(seconds=fresh.expires_in)
    channel.token_refreshed_at = now
    channel.scopes = " ".join(fresh.scopes)[:1000]
    channel.connected_at = now
    channel.connected_by = actor
    channel.last_error = ""
    if channel.state == ChannelState.NEEDS_REAUTH:
        # Back to what it was when its token died (reserve stays reserve).
        channel.state = ChannelState(channel.state_before_reauth or ChannelState.ACTIVE)
    channel.state_before_reauth = ""
    session.add(channel)
    session.flush()
    if not created:
        wakeups.channel_back(session=session, channel_id=channel.id or 0)
    alerts.resolve_open(
        session=session, kind=DEAD_TOKEN_ALERT, subject=dead_token_subject(channel), actor=actor
    )
    audit.record(
        session=session,
        actor=actor,
        action="channel.connect" if created else "channel.reconnect",
        target=channel.title,
        detail=f"{youtube_id} via project {project.name}; scopes: "
        f"{', '.join(capabilities(fresh.scopes))}",
    )
    return channel, created


def import_channel(
    *,
    project: Project,
    refresh_token: str,
    actor: str,
    group: str = "",
    state: ChannelState = ChannelState.ACTIVE,
) -> Channel:
    """Add a channel from an existing refresh token (migrations from other tools, scripts)."""
    from core import projects

    refresh_token = refresh_token.strip()
    if not refresh_token:
        raise InputError("refresh_token", "expected a refresh token on standard input")
    fresh = oauth.refresh(
        endpoints=projects.endpoints_for(project),
        client_id=project.client_id,
        client_secret=projects.client_secret(project),
        refresh_token=refresh_token,
    )
    resource = fetch_own_channel(project, fresh, refresh_token)
    with db.session() as s:
        channel, _ = save_connected_channel(
            session=s,
            project=project,
            resource=resource,
            fresh=fresh,
            refresh_token=refresh_token,
            actor=actor,
            group=group,
            state=state,
        )
    return channel


def validate_group(group: str) -> str:
    group = group.strip()
    if not _GROUP.match(group):
        raise InputError("group", "use up to 60 letters, digits, spaces or . & ' -")
    return group


def _get(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"channel {channel_id} does not exist")
    return channel


def set_state(
    *, session: Session, channel_id: int, state: ChannelState | str, actor: str
) -> Channel:
    channel = _get(session, channel_id)
    new = ChannelState(state)
    if new == ChannelState.NEEDS_REAUTH:
        raise InputError(
            "state",
            "needs_reauth is set by TubeFleet when Google refuses the "
            "token; reconnect the channel instead",
        )
    if channel.state == ChannelState.NEEDS_REAUTH and new in (
        ChannelState.ACTIVE,
        ChannelState.RESERVE,
    ):
        raise InputError("state", f"{channel.title} needs re-consent first: use Reconnect")
    if new != channel.state:
        audit.record(
            session=session,
            actor=actor,
            action="channel.state",
            target=channel.title,
            detail=f"{ChannelState(channel.state).value} -> {new.value}",
        )
        channel.state = new
        if new in (ChannelState.ACTIVE, ChannelState.RESERVE):
            channel.error_streak = 0
            channel.resting_until = None
            channel.rest_reason = ""
        session.add(channel)
    return channel


def set_group(*, session: Session, channel_id: int, group: str, actor: str) -> Channel:
    channel = _get(session, channel_id)
    group = validate_group(group)
    if group != channel.group_name:
        audit.record(
            session=session,
            actor=actor,
            action="channel.group",
            target=channel.title,
            detail=f"{channel.group_name or '-'} -> {group or '-'}",
        )
        channel.group_name = group
        session.add(channel)
    return channel


def set_daily_cap(*, session: Session, channel_id: int, cap: int, actor: str) -> Channel:
    if not 0 <= cap <= 500:
        raise InputError("daily_upload_cap", f"must be between 0 and 500, got {cap}")
    channel = _get(session, channel_id)
    if cap != channel.daily_upload_cap:
        audit.record(
            session=session,
            actor=actor,
            action="channel.cap",
            target=channel.title,
            detail=f"{channel.daily_upload_cap} -> {cap}",
        )
        channel.daily_upload_cap = cap
        session.add(channel)
    return channel


def save_settings(
    *,
    session: Session,
    channel_id: int,
    group: str,
    cap: int,
    state: ChannelState | str,
    actor: str,
) -> Channel:
    """One edit of a channel's group, daily cap and state (needs_reauth is kept as it is:
    only TubeFleet sets it, and only a reconnect clears it)."""
    set_group(session=session, channel_id=channel_id, group=group, actor=actor)
    channel = set_daily_cap(session=session, channel_id=channel_id, cap=cap, actor=actor)
    if ChannelState(state) != ChannelState.NEEDS_REAUTH:
        channel = set_state(session=session, channel_id=channel_id, state=state, actor=actor)
    return channel
