"""API tokens: made by a person for a pipeline, shown once, stored as a SHA-256, revocable.

A token acts as its owner, with at most the role it was given (and never more than the
owner has now), and, when scoped to a channel group, only on that group's jobs.

Every use is audited, at two grains: each request that changes something is audited by
the core function it calls (with the token named in the API's own audit line), while
reads only touch the token's `last_used_at` and add an `api.token_used` line at most once
per `USE_RECORD_INTERVAL` per token. A pipeline polling a job every few seconds would
otherwise write a row (and take SQLite's write lock) per poll; a minute's resolution is
what "last used" on the Settings page and an audit of "who used this token when" need.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core import audit, clock, db
from core.auth import CurrentUser, SystemActor
from core.errors import InputError, NotAllowed, NotFound
from models import ApiToken, ApiTokenPublic, Channel, Role, User

TOKEN_PREFIX = "tfk_"
USE_RECORD_INTERVAL = timedelta(minutes=1)
# 32 random bytes: 256 bits, so a plain (unsalted, fast) SHA-256 is enough to store it;
# a slow password hash buys nothing against guessing a value nobody chose.
_TOKEN_BYTES = 32


class TokenRefused(Exception):
    """The bearer token does not authenticate anyone now; the message is safe to show."""


@dataclass(frozen=True)
class ApiCaller:
    """Who a request with a valid token acts as."""

    token_id: int
    token_name: str
    user: CurrentUser  # the owner, with the token's role
    group: str  # "" for every group

    @property
    def label(self) -> str:
        """How the audit log names a use of the token."""
        return f"token {self.token_id} ({self.token_name})"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _public(token: ApiToken, owner: str) -> ApiTokenPublic:
    assert token.id is not None
    return ApiTokenPublic(
        id=token.id,
        name=token.name,
        owner=owner,
        role=Role(token.role),
        group=token.group_name,
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def _actor_name(actor: CurrentUser | SystemActor) -> str:
    return actor.email if isinstance(actor, CurrentUser) else actor.name


def create_token(
    *,
    session: Session,
    actor: CurrentUser | SystemActor,
    owner_email: str,
    name: str,
    role: Role | str | None = None,
    expires_at: datetime | None = None,
    group: str = "",
) -> tuple[ApiTokenPublic, str]:
    """Make a token for `owner_email`; returns it and the plain token (shown this once).

    A person may make tokens for themselves only; the CLI (a SystemActor) for anyone.
    The role defaults to the owner's and may not exceed it."""
    owner = session.exec(select(User).where(User.email == owner_email.strip().lower())).first()
    if owner is None or owner.id is None:
        raise InputError("owner", f"no user with email {owner_email}")
    if isinstance(actor, CurrentUser) and actor.id != owner.id:
        raise NotAllowed("a person can only make API tokens for themselves")
    if owner.disabled:
        raise InputError("owner", f"{owner.email} is disabled")
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise InputError("name", "give the token a name of 1 to 80 characters")
    try:
        wanted = Role(role) if role else Role(owner.role)
    except ValueError:
        raise InputError("role", f"must be one of {', '.join(r.value for r in Role)}") from None
    if not Role(owner.role).allows(wanted):
        raise InputError(
            "role", f"can be at most {Role(owner.role).value}, the role of {owner.email}"
        )
    now = clock.now()
    if expires_at is not None and clock.as_utc(expires_at) <= now:
        raise InputError("expires_at", "must be in the future")
    group = group.strip()
    if (
        group
        and session.exec(select(Channel.id).where(Channel.group_name == group)).first() is None
    ):
        raise InputError("group", f"no channel is in a group named {group!r}")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
    token = ApiToken(
        name=name,
        user_id=owner.id,
        role=wanted,
        group_name=group,
        token_hash=token_hash(plain),
        prefix=plain[:12],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session=session,
        actor=_actor_name(actor),
        action="api.token_create",
        target=f"token {token.id} ({name}) of {owner.email}",
        detail=f"role={wanted.value}"
        + (f" group={group}" if group else "")
        + (f" expires={expires_at.isoformat()}" if expires_at else ""),
    )
    return _public(token, owner.email), plain


def list_tokens(*, session: Session, owner_id: int | None = None) -> list[ApiTokenPublic]:
    """Tokens (revoked ones too, marked), newest first; one person's when `owner_id`."""
    query = (
        select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
        .order_by(col(ApiToken.id).desc())
    )
    if owner_id is not None:
        query = query.where(ApiToken.user_id == owner_id)
    return [_public(token, email) for token, email in session.exec(query).all()]


def revoke_token(*, session: Session, token_id: int, actor: CurrentUser | SystemActor) -> None:
    """Revoke a token for good (its owner, an admin, or the CLI); twice is harmless."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"API token {token_id} does not exist")
    if isinstance(actor, CurrentUser) and actor.id != token.user_id and not actor.can(Role.ADMIN):
        raise NotAllowed("only the token's owner or an admin can revoke it")
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.now()
    session.add(token)
    audit.record(
        session=session,
        actor=_actor_name(actor),
        action="api.token_revoke",
        target=f"token {token_id} ({token.name})",
    )


def authenticate(token: str | None, *, ip: str = "", use: str = "") -> ApiCaller:
    """The caller a bearer token stands for, or TokenRefused (unknown, expired, revoked,
    or its owner disabled). Records the use (see the module's note on throttling)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise TokenRefused("send a valid API token as 'Authorization: Bearer <token>'")
    digest = token_hash(token)
    now = clock.now()
    with db.read_session() as s:
        row = s.exec(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)  # type: ignore[arg-type]
            .where(ApiToken.token_hash == digest)
        ).first()
    # The lookup is by hash, so its timing says nothing about the secret; the comparison
    # below is constant-time anyway, in case an index ever matches loosely.
    if row is None or not hmac.compare_digest(row[0].token_hash, digest):
        raise TokenRefused("this API token is not valid")
    found, owner = row
    if found.revoked_at is not None:
        raise TokenRefused("this API token was revoked")
    if found.expires_at is not None and clock.as_utc(found.expires_at) <= now:
        raise TokenRefused("this API token has expired")
    if owner.disabled:
        raise TokenRefused("the owner of this API token is disabled")
    assert found.id is not None and owner.id is not None
    owner_role = Role(owner.role)
    role = Role(found.role) if owner_role.allows(Role(found.role)) else owner_role
    caller = ApiCaller(
        token_id=found.id,
        token_name=found.name,
        user=CurrentUser(
            id=owner.id,
            email=owner.email,
            role=role,
            timezone=owner.timezone,
            must_change_password=owner.must_change_password,
        ),
        group=found.group_name,
    )
    last = found.last_used_at
    if last is None or clock.as_utc(last) < now - USE_RECORD_INTERVAL:
        _record_use(caller, now, ip=ip, use=use)  # no write lock taken for the others
    return caller


def _record_use(caller: ApiCaller, now: datetime, *, ip: str, use: str) -> None:
    """last_used_at and an audit line, at most once per interval per token: the
    conditional UPDATE lets exactly one request (of any replica) win each interval."""
    stale = now - USE_RECORD_INTERVAL
    with db.session() as s:
        result = s.execute(
            update(ApiToken)
            .where(
                col(ApiToken.id) == caller.token_id,
                or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) < stale),
            )
            .values(last_used_at=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            audit.record(
                session=s,
                actor=caller.user.email,
                action="api.token_used",
                target=caller.label,
                detail=use,
                ip=ip,
            )


def audit_use(*, caller: ApiCaller, action: str, target: str, ip: str = "") -> None:
    """An audit line for a request that changed something, naming the token."""
    with db.session() as s:
        audit.record(
            session=s,
            actor=caller.user.email,
            action=action,
            target=target,
            detail=caller.label,
            ip=ip,
        )
