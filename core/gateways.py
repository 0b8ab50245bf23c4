"""Wires the Google gateway to our tables: quota from core.quota_ledger, tokens from the vault."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core import clock, db, projects, quota, quota_ledger, tokens, vault
from core.errors import NotFound
from models import Channel, Project
from youtube.client import Credentials, credentials
from youtube.gateway import Gateway
from youtube.oauth import Tokens

# An access token this close to expiry is refreshed before use.
EXPIRY_MARGIN = timedelta(minutes=2)


@dataclass
class ProjectQuota:
    """QuotaGate for one project (and optionally one channel), at one priority."""

    project: Project
    priority: quota.Priority
    channel_id: int | None = None

    def reserve(self, method: str) -> quota_ledger.Reservation:
        return quota_ledger.reserve(
            project=self.project, method=method, priority=self.priority, channel_id=self.channel_id
        )

    def settle(
        self, reservation: quota_ledger.Reservation, outcome: str, *, sent: bool = True
    ) -> None:
        quota_ledger.settle(reservation, outcome, sent=sent)

    def exhausted(self, reservation: quota_ledger.Reservation) -> None:
        quota_ledger.mark_exhausted(project=self.project, reservation=reservation)


@dataclass
class ChannelTokens:
    """TokenSource backed by a channel's encrypted tokens; refreshes through core.tokens."""

    channel_id: int
    _creds: Credentials | None = field(default=None, repr=False)
    _good_until: datetime = field(default=datetime.min.replace(tzinfo=UTC), repr=False)

    def current(self) -> Credentials:
        if self._creds is not None and clock.now() < self._good_until:
            return self._creds
        with db.read_session() as s:
            channel = s.get(Channel, self.channel_id)
            if channel is None:
                raise NotFound(f"channel {self.channel_id} does not exist")
            project = projects.get(session=s, project_id=channel.project_id)
        expires = channel.token_expires_at
        if (
            not channel.access_token_enc
            or expires is None
            or clock.as_utc(expires) - clock.now() <= EXPIRY_MARGIN
        ):
            return self.refreshed()
        self._creds = _credentials(project, channel, vault.decrypt(channel.access_token_enc))
        self._good_until = clock.as_utc(expires) - EXPIRY_MARGIN
        return self._creds

    def refreshed(self) -> Credentials:
        """Refresh now (one refresh per channel across processes; see core.tokens)."""
        tokens.refresh_now(self.channel_id)
        self._creds = None
        with db.read_session() as s:
            channel = s.get(Channel, self.channel_id)
            assert channel is not None and channel.access_token_enc
            assert channel.token_expires_at is not None
            project = projects.get(session=s, project_id=channel.project_id)
        self._creds = _credentials(project, channel, vault.decrypt(channel.access_token_enc))
        self._good_until = clock.as_utc(channel.token_expires_at) - EXPIRY_MARGIN
        return self._creds


@dataclass
class FixedTokens:
    """TokenSource for tokens not stored yet (the OAuth callback's first calls)."""

    creds: Credentials

    def current(self) -> Credentials:
        return self.creds

    def refreshed(self) -> Credentials:
        return self.creds


def _credentials(project: Project, channel: Channel, access_token: str) -> Credentials:
    # No expiry for google-auth: it would refresh on its own (outside our lease and our
    # storage) by its own clock. We refresh before expiry, and once on any 401.
    return credentials(
        endpoints=projects.endpoints_for(project),
        client_id=project.client_id,
        client_secret=projects.client_secret(project),
        refresh_token=vault.decrypt(channel.refresh_token_enc),
        access_token=access_token,
    )


def channel_gateway(channel_id: int, priority: quota.Priority) -> Gateway:
    """The gateway for calls made as a channel, charged to its project."""
    with db.read_session() as s:
        channel = s.get(Channel, channel_id)
        if channel is None:
            raise NotFound(f"channel {channel_id} does not exist")
        project = projects.get(session=s, project_id=channel.project_id)
    return Gateway(
        endpoints=projects.endpoints_for(project),
        tokens=ChannelTokens(channel_id),
        quota=ProjectQuota(project, priority, channel_id),
    )


def token_gateway(
    project: Project,
    fresh: Tokens,
    refresh_token: str,
    priority: quota.Priority = quota.Priority.FINISH,
) -> Gateway:
    """A gateway for tokens just obtained (connect, import), before the channel exists."""
    creds = credentials(
        endpoints=projects.endpoints_for(project),
        client_id=project.client_id,
        client_secret=projects.client_secret(project),
        refresh_token=refresh_token,
        access_token=fresh.access_token,
    )
    return Gateway(
        endpoints=projects.endpoints_for(project),
        tokens=FixedTokens(creds),
        quota=ProjectQuota(project, priority),
    )
