"""People and logins: password hashing, sessions, roles and failed-login rate limits."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func
from sqlmodel import Session, select

from core import audit, clock
from core.errors import InputError
from core.settings import get_settings
from models import LoginAttempt, Role, User, UserSession

SESSION_COOKIE = "tubefleet_session"
MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0")


class LoginRefused(Exception):
    """A login that did not succeed; the message is safe to show."""


class RateLimited(LoginRefused):
    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, int(retry_after.total_seconds() // 60) + 1)
        super().__init__(
            f"Too many failed logins. Try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in person as the rest of the app sees them (no secrets)."""

    id: int
    email: str
    role: Role
    timezone: str
    must_change_password: bool

    def can(self, needed: Role) -> bool:
        return self.role.allows(needed)


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InputError("email", f"{email!r} is not an email address (expected name@domain)")
    return email


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            "password", f"must be at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})"
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    """A one-time password that is easy to type from a terminal."""
    return secrets.token_urlsafe(15)


def create_user(
    *, session: Session, email: str, password: str, role: Role | str, actor: str = "cli",
    one_time: bool = False,
) -> User:
    """Add a person; with `one_time` they must set their own password after logging in."""
    email = normalize_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise InputError("role", f"must be one of {', '.join(r.value for r in Role)}") from None
    check_password_strength(password)
    if session.exec(select(User).where(User.email == email)).first():
        raise InputError("email", f"a user with email {email} already exists")
    user = User(email=email, password_hash=hash_password(password), role=role,
                must_change_password=one_time, created_at=clock.now())
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="user.create", target=email,
                 detail=f"role={role.value}")
    return user


def ensure_first_admin(*, session: Session) -> tuple[str, str] | None:
    """Create an admin when there are no users; returns (email, one-time password)."""
    if session.exec(select(func.count()).select_from(User)).one():
        return None
    password = generate_password()
    user = create_user(session=session, email=get_settings().admin_email, password=password,
                       role=Role.ADMIN, actor="system", one_time=True)
    return user.email, password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_rate_limit(session: Session, email: str, ip: str) -> None:
    settings = get_settings()
    window_start = clock.now() - timedelta(minutes=settings.login_window_minutes)
    failures = session.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.at >= window_start, LoginAttempt.succeeded.is_(False))  # type: ignore[attr-defined]
        .where((LoginAttempt.email == email) | ((LoginAttempt.ip == ip) & (LoginAttempt.ip != "")))
        .order_by(LoginAttempt.at)  # type: ignore[arg-type]
    ).all()
    if len(failures) >= settings.login_max_failures:
        oldest_counted = clock.as_utc(failures[-settings.login_max_failures])
        window = timedelta(minutes=settings.login_window_minutes)
        retry_after = oldest_counted + window - clock.now()
        raise RateLimited(max(retry_after, timedelta(seconds=1)))


def login(
    *, session: Session, email: str, password: str, ip: str = "", user_agent: str = ""
) -> str:
    """Check credentials and open a session; returns the cookie token.

    Raises LoginRefused (or RateLimited) with a message safe to show.
    """
    email = email.strip().lower()
    _check_rate_limit(session, email, ip)
    user = session.exec(select(User).where(User.email == email)).first()
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and not user.disabled
    now = clock.now()
    session.add(LoginAttempt(email=email, ip=ip, succeeded=ok, at=now))
    if not ok or user is None:
        audit.record(session=session, actor=email or "anonymous", action="login.failed",
                     ip=ip)
        # The failure must count towards the rate limit even though we raise.
        session.commit()
        raise LoginRefused("Wrong email or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(UserSession(
        token_hash=_token_hash(token), user_id=user.id, created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours), last_seen_at=now,
        ip=ip, user_agent=user_agent[:300],
    ))
    audit.record(session=session, actor=user.email, action="login", ip=ip)
    return token


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
    return CurrentUser(id=user.id, email=user.email, role=Role(user.role),
                       timezone=user.timezone, must_change_password=user.must_change_password)


def logout(*, session: Session, token: str | None) -> None:
    if not token:
        return
    session.exec(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))  # type: ignore[call-overload]


def change_password(*, session: Session, user_id: int, current: str, new: str) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise InputError("user", "no such user")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise InputError("current_password", "the current password is wrong") from None
    check_password_strength(new)
    if new == current:
        raise InputError("new_password", "must differ from the current password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit.record(session=session, actor=user.email, action="user.password_changed")


def prune(*, session: Session) -> None:
    """Drop expired sessions and old login attempts (run by a periodic job)."""
    now = clock.now()
    session.exec(delete(UserSession).where(UserSession.expires_at < now))  # type: ignore[call-overload]
    session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=7)))  # type: ignore[call-overload]


def set_password(*, session: Session, email: str, password: str, one_time: bool,
                 actor: str) -> None:
    """Set a user's password (an admin reset); one-time ones must be changed after login."""
    email = normalize_email(email)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        raise InputError("email", f"no user with email {email}")
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.must_change_password = one_time
    session.add(user)
    # Every open session of that user ends: a reset usually means a lost or leaked password.
    session.exec(delete(UserSession).where(UserSession.user_id == user.id))  # type: ignore[call-overload]
    audit.record(session=session, actor=actor, action="user.password_reset", target=email)


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)).all())


def update_user(*, session: Session, user_id: int, actor: str, role: Role | str | None = None,
                disabled: bool | None = None) -> User:
    """Change a user's role or disable them; the last active admin cannot be removed."""
    user = session.get(User, user_id)
    if user is None:
        raise InputError("user", f"user {user_id} does not exist")
    new_role = Role(role) if role is not None else Role(user.role)
    new_disabled = user.disabled if disabled is None else disabled
    if Role(user.role) == Role.ADMIN and (new_role != Role.ADMIN or new_disabled):
        admins = session.exec(select(func.count()).select_from(User).where(
            User.role == Role.ADMIN, User.disabled.is_(False))).one()  # type: ignore[attr-defined]
        if admins <= 1 and not user.disabled:
            raise InputError("user", "this is the last active admin; promote someone else first")
    changes = []
    if new_role != user.role:
        changes.append(f"role {Role(user.role).value} -> {new_role.value}")
        user.role = new_role
    if new_disabled != user.disabled:
        changes.append("disabled" if new_disabled else "enabled")
        user.disabled = new_disabled
        if new_disabled:
            session.exec(delete(UserSession).where(UserSession.user_id == user.id))  # type: ignore[call-overload]
    session.add(user)
    if changes:
        audit.record(session=session, actor=actor, action="user.update", target=user.email,
                     detail=", ".join(changes))
    return user


def set_timezone(*, session: Session, user_id: int, tz: str) -> None:
    user = session.get(User, user_id)
    if user is not None and user.timezone != tz:
        user.timezone = tz
        session.add(user)
