"""Login sessions: logging in and out, and the person a session cookie belongs to.

A session is a row keyed by the SHA-256 of the cookie's token; the token itself is only
ever in the browser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from core import audit, clock, db
from core.auth import attempts, passwords
from core.auth.attempts import LoginRefused
from core.auth.identity import CurrentUser
from core.settings import get_settings
from models import Role, User, UserSession

SESSION_COOKIE = "tubefleet_session"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(*, email: str, password: str, ip: str = "", user_agent: str = "") -> str:
    """Check credentials and open a session; returns the cookie token.

    Argon2 is slow on purpose, so it runs outside any transaction: a burst of wrong
    passwords must not hold SQLite's write lock (and every upload's progress write) for
    the length of each hash. The write that follows is short.
    Raises LoginRefused (or RateLimited) with a message safe to show.
    """
    email = email.strip().lower()
    with db.read_session() as s:
        attempts.check_rate_limit(s, email, ip)
        user = s.exec(select(User).where(User.email == email)).first()
        stored_hash = user.password_hash if user else passwords.DUMMY_HASH
        user_id = user.id if user else None
    ok = passwords.verify(stored_hash, password) and user is not None and not user.disabled
    new_hash = (
        passwords.hash_password(password) if ok and passwords.needs_rehash(stored_hash) else None
    )
    now = clock.now()
    with db.session() as s:
        attempts.record(s, email=email, ip=ip, succeeded=ok, at=now)
        current = s.get(User, user_id) if ok and user_id is not None else None
        # Refused too if the password or the account changed while the hash was checked.
        if current is None or current.disabled or current.password_hash != stored_hash:
            audit.record(session=s, actor=email or "anonymous", action="login.failed", ip=ip)
            s.commit()  # the failure counts towards the rate limit even though we raise
            raise LoginRefused("Wrong email or password.")
        if new_hash:
            current.password_hash = new_hash
        current.last_login_at = now
        token = secrets.token_urlsafe(32)
        assert current.id is not None
        s.add(
            UserSession(
                token_hash=_token_hash(token),
                user_id=current.id,
                created_at=now,
                expires_at=now + timedelta(hours=get_settings().session_hours),
                last_seen_at=now,
                ip=ip,
                user_agent=user_agent[:300],
            )
        )
        audit.record(session=s, actor=current.email, action="login", ip=ip)
    return token


def session_key(token: str | None) -> str:
    """What identifies a login session without being it (stored, cached, compared)."""
    return _token_hash(token) if token else ""


def user_for_token(*, session: Session, token: str | None) -> CurrentUser | None:
    """The user a session cookie belongs to, if the session is still valid."""
    if not token:
        return None
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)  # type: ignore[arg-type]
        .where(UserSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    user_session, user = row
    now = clock.now()
    if clock.as_utc(user_session.expires_at) <= now or user.disabled:
        return None
    assert user.id is not None
    return CurrentUser(
        id=user.id,
        email=user.email,
        role=Role(user.role),
        timezone=user.timezone,
        must_change_password=user.must_change_password,
    )


def logout(*, session: Session, token: str | None) -> None:
    if not token:
        return
    session.exec(delete(UserSession).where(col(UserSession.token_hash) == _token_hash(token)))


def end_sessions(*, session: Session, user_id: int | None, keep_token: str | None = None) -> None:
    """Sign a person out everywhere (but for the session of `keep_token`, when given)."""
    ended = delete(UserSession).where(col(UserSession.user_id) == user_id)
    if keep_token:
        ended = ended.where(col(UserSession.token_hash) != _token_hash(keep_token))
    session.exec(ended)


def prune(*, session: Session) -> None:
    """Drop expired sessions and old login attempts (run by a periodic job)."""
    now = clock.now()
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < now))
    attempts.prune(session=session, now=now)
