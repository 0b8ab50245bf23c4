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
from sqlmodel import Session, col, select

from core import audit, clock, db
from core.errors import InputError
from core.settings import get_settings
from models import LoginAttempt, Role, User, UserPublic, UserSession

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
        super().__init__(f"Too many failed logins. Try again in {say_wait(retry_after)}.")
        self.retry_after = retry_after


def say_wait(wait: timedelta) -> str:
    """'40 seconds', '3 minutes': how long to wait, rounded up, in words."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds > 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


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


@dataclass(frozen=True)
class SystemActor:
    """A trusted caller with the server's own rights (the CLI, the scheduler, scripts)."""

    name: str


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
    *,
    session: Session,
    email: str,
    password: str,
    role: Role | str,
    actor: str = "cli",
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
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        must_change_password=one_time,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="user.create",
        target=email,
        detail=f"role={role.value}",
    )
    return user


def ensure_first_admin(*, session: Session) -> tuple[str, str] | None:
    """Create an admin when there are no users; returns (email, one-time password)."""
    if session.exec(select(func.count()).select_from(User)).one():
        return None
    password = generate_password()
    user = create_user(
        session=session,
        email=get_settings().admin_email,
        password=password,
        role=Role.ADMIN,
        actor="system",
        one_time=True,
    )
    return user.email, password


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Per account, failures beyond the limit slow further tries down instead of locking the
# account: each one doubles the wait after the last failure, up to this cap. Anyone may
# type a known email, so a hard per-account lock would let anyone lock anyone out.
_MAX_ACCOUNT_DELAY = timedelta(seconds=60)
# An address that logged in to an account recently is that person's: it skips the delay.
_KNOWN_ADDRESS_DAYS = 30


def _check_rate_limit(session: Session, email: str, ip: str) -> None:
    """Refuse a try now (RateLimited) when this address, or this account, failed too often.

    - an address that failed `login_max_failures` times within the window (any accounts)
      waits until the window has passed: it only locks itself out;
    - an account that failed that often gets a growing delay after its last failure
      (1 s, 2 s, 4 s … at most a minute), except from an address it logged in from lately.
    """
    settings = get_settings()
    now = clock.now()
    window = timedelta(minutes=settings.login_window_minutes)
    limit = settings.login_max_failures
    failed = LoginAttempt.succeeded.is_(False)  # type: ignore[attr-defined]
    if ip:
        by_address = session.exec(
            select(LoginAttempt.at)
            .where(LoginAttempt.ip == ip, LoginAttempt.at >= now - window, failed)
            .order_by(col(LoginAttempt.at).desc())
            .limit(limit)
        ).all()
        if len(by_address) >= limit:
            retry_after = clock.as_utc(by_address[-1]) + window - now
            raise RateLimited(max(retry_after, timedelta(seconds=1)))
    by_account = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.at >= now - window, failed
        )
    ).one()
    count, last = by_account
    if count < limit or last is None or _known_address(session, email, ip):
        return
    delay = min(timedelta(seconds=2 ** min(count - limit, 10)), _MAX_ACCOUNT_DELAY)
    wait = clock.as_utc(last) + delay - now
    if wait > timedelta(0):
        raise RateLimited(wait)


def _known_address(session: Session, email: str, ip: str) -> bool:
    if not ip:
        return False
    since = clock.now() - timedelta(days=_KNOWN_ADDRESS_DAYS)
    return (
        session.exec(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.ip == ip,
                LoginAttempt.succeeded.is_(True),  # type: ignore[attr-defined]
                LoginAttempt.at >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def login(*, email: str, password: str, ip: str = "", user_agent: str = "") -> str:
    """Check credentials and open a session; returns the cookie token.

    Argon2 is slow on purpose, so it runs outside any transaction: a burst of wrong
    passwords must not hold SQLite's write lock (and every upload's progress write) for
    the length of each hash. The write that follows is short.
    Raises LoginRefused (or RateLimited) with a message safe to show.
    """
    email = email.strip().lower()
    with db.read_session() as s:
        _check_rate_limit(s, email, ip)
        user = s.exec(select(User).where(User.email == email)).first()
        stored_hash = user.password_hash if user else _DUMMY_HASH
        user_id = user.id if user else None
    ok = _verify(stored_hash, password) and user is not None and not user.disabled
    new_hash = hash_password(password) if ok and _hasher.check_needs_rehash(stored_hash) else None
    now = clock.now()
    with db.session() as s:
        s.add(LoginAttempt(email=email, ip=ip, succeeded=ok, at=now))
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


def change_password(
    *, user_id: int, current: str, new: str, ip: str = "", keep_token: str | None = None
) -> None:
    """Set a new password after checking the current one.

    A wrong current password counts as a failed login of that account (someone holding an
    open session must not get unlimited guesses), and every other session of the person
    ends: whoever else was signed in as them is signed out.
    """
    with db.read_session() as s:
        user = s.get(User, user_id)
        if user is None:
            raise InputError("user", "no such user")
        email, stored_hash = user.email, user.password_hash
        try:
            _check_rate_limit(s, email, ip)
        except RateLimited as exc:
            raise InputError("current_password", str(exc).rstrip(".")) from None
    right = _verify(stored_hash, current)
    if right:
        check_password_strength(new)
        if new == current:
            raise InputError("new_password", "must differ from the current password")
    new_hash = hash_password(new) if right else ""
    with db.session() as s:
        if not right:
            s.add(LoginAttempt(email=email, ip=ip, succeeded=False, at=clock.now()))
            audit.record(session=s, actor=email, action="user.password_change_failed", ip=ip)
            s.commit()
            raise InputError("current_password", "the current password is wrong")
        user = s.get(User, user_id)
        if user is None or user.password_hash != stored_hash:
            raise InputError("current_password", "the password changed meanwhile; try again")
        user.password_hash = new_hash
        user.must_change_password = False
        others = delete(UserSession).where(col(UserSession.user_id) == user_id)
        if keep_token:
            others = others.where(col(UserSession.token_hash) != _token_hash(keep_token))
        s.exec(others)
        audit.record(
            session=s,
            actor=user.email,
            action="user.password_changed",
            detail="other sessions ended",
        )


def prune(*, session: Session) -> None:
    """Drop expired sessions and old login attempts (run by a periodic job)."""
    now = clock.now()
    session.exec(delete(UserSession).where(col(UserSession.expires_at) < now))
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < now - timedelta(days=7)))


def set_password(
    *, session: Session, email: str, password: str, one_time: bool, actor: str
) -> None:
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
    session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    audit.record(session=session, actor=actor, action="user.password_reset", target=email)


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.email)).all())


def people(*, session: Session) -> list[UserPublic]:
    """Every user by email, as they may leave the server (no hash)."""
    return [UserPublic.model_validate(u, from_attributes=True) for u in list_users(session=session)]


def update_user(
    *,
    session: Session,
    user_id: int,
    actor: str,
    role: Role | str | None = None,
    disabled: bool | None = None,
) -> User:
    """Change a user's role or disable them; the last active admin cannot be removed."""
    user = session.get(User, user_id)
    if user is None:
        raise InputError("user", f"user {user_id} does not exist")
    new_role = Role(role) if role is not None else Role(user.role)
    new_disabled = user.disabled if disabled is None else disabled
    if Role(user.role) == Role.ADMIN and (new_role != Role.ADMIN or new_disabled):
        admins = session.exec(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, col(User.disabled).is_(False))
        ).one()
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
            session.exec(delete(UserSession).where(col(UserSession.user_id) == user.id))
    session.add(user)
    if changes:
        audit.record(
            session=session,
            actor=actor,
            action="user.update",
            target=user.email,
            detail=", ".join(changes),
        )
    return user


def set_timezone(*, session: Session, user_id: int, tz: str) -> None:
    user = session.get(User, user_id)
    if user is not None and user.timezone != tz:
        user.timezone = tz
        session.add(user)
