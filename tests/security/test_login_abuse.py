"""Abusing the login and the password form, against the real database."""

from __future__ import annotations

import inspect
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from core import auth, clock, db
from core.auth import passwords
from core.errors import InputError
from core.settings import get_settings
from models import Role, User

PASSWORD = "correct horse battery"
EMAIL = "admin@example.com"


def add_admin() -> int:
    with db.session() as s:
        user = auth.create_user(session=s, email=EMAIL, password=PASSWORD, role=Role.ADMIN)
        assert user.id is not None
        return user.id


def call(fn: Any, **kwargs: Any) -> Any:
    """Call a core auth function whether it opens its own transactions or takes one."""
    if "session" in inspect.signature(fn).parameters:
        wanted = set(inspect.signature(fn).parameters)
        with db.session() as s:
            return fn(session=s, **{k: v for k, v in kwargs.items() if k in wanted})
    return fn(**kwargs)


def login(email: str = EMAIL, password: str = PASSWORD, ip: str = "192.0.2.10") -> str:
    return str(call(auth.login, email=email, password=password, ip=ip))


def test_nobody_can_lock_a_known_account_from_elsewhere(database: str) -> None:
    add_admin()
    login(ip="192.0.2.10")  # the admin's usual address
    for n in range(40):  # an attacker hammering the predictable first admin's email
        with pytest.raises(auth.LoginRefused):
            login(password=f"guess {n}", ip=f"203.0.113.{n % 4}")
    # The admin gets in at once from where they always do…
    assert login(ip="192.0.2.10")
    # …and from a new address they wait a minute at most, never a quarter of an hour.
    try:
        login(ip="198.51.100.23")
    except auth.RateLimited as limited:
        assert limited.retry_after <= timedelta(seconds=60)
        clock.shift(limited.retry_after + timedelta(seconds=1))
        try:
            assert login(ip="198.51.100.23")
        finally:
            clock.reset()


def test_guessing_one_account_slows_down_the_guesser(database: str) -> None:
    add_admin()
    limit = get_settings().login_max_failures
    refused = 0
    for n in range(limit + 5):  # a distributed guesser: a new address every time
        try:
            login(password=f"guess {n}", ip=f"203.0.113.{n}")
        except auth.RateLimited:
            refused += 1
        except auth.LoginRefused:
            pass
    assert refused >= 4, "past the limit, quick guesses at one account must be refused"


def test_wrong_current_passwords_count_as_failed_logins(database: str) -> None:
    user_id = add_admin()
    for n in range(get_settings().login_max_failures):
        with pytest.raises(InputError, match="current password is wrong"):
            call(
                auth.change_password,
                user_id=user_id,
                current=f"guess {n}",
                new="a brand new password",
                ip="192.0.2.10",
            )
    # Someone who took over an open session gets no further guesses now, not even right ones.
    with pytest.raises(InputError, match="Too many failed logins"):
        call(
            auth.change_password,
            user_id=user_id,
            current=PASSWORD,
            new="a brand new password",
            ip="192.0.2.10",
        )
    with db.read_session() as s:
        assert passwords.verify(s.exec(select(User)).one().password_hash, PASSWORD)


def test_a_password_change_signs_out_every_other_session(database: str) -> None:
    user_id = add_admin()
    here, elsewhere = login(ip="192.0.2.10"), login(ip="203.0.113.50")
    call(
        auth.change_password,
        user_id=user_id,
        current=PASSWORD,
        new="a brand new password",
        keep_token=here,
    )
    with db.read_session() as s:
        assert auth.user_for_token(session=s, token=elsewhere) is None
        assert auth.user_for_token(session=s, token=here) is not None


def test_password_hashing_never_holds_the_write_lock(database: str) -> None:
    """On SQLite one write transaction at a time: Argon2 inside it stalls every upload's
    progress write for each failed login."""
    add_admin()
    stored = auth.hash_password("x" * 12)
    started = time.perf_counter()
    passwords._hasher.verify(stored, "x" * 12)
    one_hash = time.perf_counter() - started  # one Argon2 check, as a login does

    held: list[float] = []
    opened: dict[int, float] = {}
    lock = threading.Lock()
    engine = db.engine()

    def on_execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            with lock:
                opened[id(conn)] = time.perf_counter()

    def on_end(conn: Any) -> None:
        with lock:
            began = opened.pop(id(conn.connection.dbapi_connection), None)
            if began is None:
                began = opened.pop(id(conn.connection), None)
            if began is not None:
                held.append(time.perf_counter() - began)

    def on_cursor(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        on_execute(conn.connection.dbapi_connection, cursor, statement, *rest)

    event.listen(engine, "before_cursor_execute", on_cursor)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)
    try:
        for n in range(get_settings().login_max_failures - 1):
            with pytest.raises(auth.LoginRefused):
                login(password=f"wrong {n}", ip=f"203.0.113.{n}")
        login(ip="192.0.2.10")
    finally:
        event.remove(engine, "before_cursor_execute", on_cursor)
        event.remove(engine, "commit", on_end)
        event.remove(engine, "rollback", on_end)
    assert held, "no write transaction seen"
    assert max(held) < one_hash / 2, (
        f"a write transaction was held {max(held) * 1000:.0f} ms; one Argon2 hash takes "
        f"{one_hash * 1000:.0f} ms"
    )
