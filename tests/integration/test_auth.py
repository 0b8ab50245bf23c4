"""Logging in against a real database: sessions, wrong passwords, rate limits, resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core import auth, clock, db
from core.errors import InputError
from core.settings import get_settings
from models import AuditEvent, LoginAttempt, Role, User


def add_user(
    email: str = "ops@example.com",
    role: Role = Role.OPERATOR,
    password: str = "correct horse battery",
) -> None:
    with db.session() as s:
        auth.create_user(session=s, email=email, password=password, role=role)


def login(
    email: str = "ops@example.com", password: str = "correct horse battery", ip: str = "10.0.0.1"
) -> str:
    return auth.login(email=email, password=password, ip=ip)


def test_login_opens_a_session_that_identifies_the_user(database: str) -> None:
    add_user()
    token = login(email="OPS@example.com ")
    with db.session() as s:
        user = auth.user_for_token(session=s, token=token)
        stored = s.exec(select(User)).one()
    assert user is not None and user.email == "ops@example.com" and user.role == Role.OPERATOR
    assert token not in stored.password_hash
    assert stored.password_hash.startswith("$argon2")


def test_wrong_password_and_unknown_email_get_the_same_answer(database: str) -> None:
    add_user()
    with pytest.raises(auth.LoginRefused, match="Wrong email or password") as wrong:
        login(password="not the password")
    with pytest.raises(auth.LoginRefused, match="Wrong email or password") as unknown:
        login(email="nobody@example.com")
    assert str(wrong.value) == str(unknown.value)


def test_failed_logins_are_rate_limited_then_allowed_after_the_window(database: str) -> None:
    add_user()
    limit = get_settings().login_max_failures
    for _ in range(limit):
        with pytest.raises(auth.LoginRefused):
            login(password="wrong password!")
    # Even the right password is refused while limited: the limiter must not leak which is right.
    with pytest.raises(auth.RateLimited, match="Try again in"):
        login()
    clock.shift(timedelta(minutes=get_settings().login_window_minutes + 1))
    try:
        assert login()
    finally:
        clock.reset()


def test_rate_limit_counts_per_address_across_emails(database: str) -> None:
    add_user()
    for n in range(get_settings().login_max_failures):
        with pytest.raises(auth.LoginRefused):
            login(email=f"guess{n}@example.com", ip="203.0.113.9")
    with pytest.raises(auth.RateLimited):
        login(ip="203.0.113.9")
    assert login(ip="198.51.100.7")  # another address is not punished


def test_expired_session_and_logout_end_access(database: str) -> None:
    add_user()
    token = login()
    with db.session() as s:
        auth.logout(session=s, token=token)
        assert auth.user_for_token(session=s, token=token) is None
    token = login()
    clock.shift(timedelta(hours=get_settings().session_hours, minutes=1))
    try:
        with db.session() as s:
            assert auth.user_for_token(session=s, token=token) is None
    finally:
        clock.reset()


def test_disabled_user_cannot_log_in(database: str) -> None:
    add_user()
    with db.session() as s:
        s.exec(select(User)).one().disabled = True
    with pytest.raises(auth.LoginRefused):
        login()


def test_first_admin_is_created_once_with_a_one_time_password(database: str) -> None:
    with db.session() as s:
        created = auth.ensure_first_admin(session=s)
    assert created is not None
    email, password = created
    with db.session() as s:
        assert auth.ensure_first_admin(session=s) is None
    token = login(email=email, password=password)
    with db.session() as s:
        user = auth.user_for_token(session=s, token=token)
    assert user is not None and user.role == Role.ADMIN and user.must_change_password


def test_change_password_clears_the_one_time_flag(database: str) -> None:
    with db.session() as s:
        email, password = auth.ensure_first_admin(session=s) or ("", "")
        admin = s.exec(select(User)).one()
        assert admin.id is not None
    with pytest.raises(InputError, match="current password is wrong"):
        auth.change_password(user_id=admin.id, current="nope", new="x" * 12)
    auth.change_password(user_id=admin.id, current=password, new="a brand new password")
    with db.session() as s:
        assert not s.exec(select(User)).one().must_change_password
    assert login(email=email, password="a brand new password")


def test_duplicate_email_is_refused(database: str) -> None:
    add_user()
    with pytest.raises(InputError, match="already exists"):
        add_user(email="Ops@Example.com")


def test_logins_and_failures_are_audited(database: str) -> None:
    add_user()
    login()
    with pytest.raises(auth.LoginRefused):
        login(password="bad password")
    with db.session() as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
        attempts = s.exec(select(LoginAttempt)).all()
    assert actions == ["user.create", "login", "login.failed"]
    assert [a.succeeded for a in attempts] == [True, False]
