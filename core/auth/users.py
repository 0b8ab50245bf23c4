"""People: adding them, their roles, their passwords, and the first admin."""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import audit, clock, db
from core.auth import attempts, passwords, sessions
from core.auth.attempts import RateLimited
from core.auth.passwords import check_password_strength, generate_password, hash_password
from core.errors import InputError
from core.settings import get_settings
from models import Role, User, UserPublic

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InputError("email", f"{email!r} is not an email address (expected name@domain)")
    return email


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
    """Create an admin when there are no users; returns (email, one-time password).

    Replicas starting together on an empty database all call this: only one creates the
    admin (and prints its password); the others find it there."""
    db.one_at_a_time(session, db.FIRST_RUN_LOCK_KEY)
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
            attempts.check_rate_limit(s, email, ip)
        except RateLimited as exc:
            raise InputError("current_password", str(exc).rstrip(".")) from None
    right = passwords.verify(stored_hash, current)
    if right:
        check_password_strength(new)
        if new == current:
            raise InputError("new_password", "must differ from the current password")
    new_hash = hash_password(new) if right else ""
    with db.session() as s:
        if not right:
            attempts.record(s, email=email, ip=ip, succeeded=False, at=clock.now())
            audit.record(session=s, actor=email, action="user.password_change_failed", ip=ip)
            s.commit()
            raise InputError("current_password", "the current password is wrong")
        user = s.get(User, user_id)
        if user is None or user.password_hash != stored_hash:
            raise InputError("current_password", "the password changed meanwhile; try again")
        user.password_hash = new_hash
        user.must_change_password = False
        sessions.end_sessions(session=s, user_id=user_id, keep_token=keep_token)
        audit.record(
            session=s,
            actor=user.email,
            action="user.password_changed",
            detail="other sessions ended",
        )


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
    sessions.end_sessions(session=session, user_id=user.id)
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
            sessions.end_sessions(session=session, user_id=user.id)
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
