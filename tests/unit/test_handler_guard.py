"""Every page handler checks the session and the role; a one-time password changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.states.session import requires
from core.auth import CurrentUser
from models import Role


@dataclass
class FakeState:
    """Stands in for a Reflex state: just the two things the guard asks of it."""

    user: CurrentUser | None

    def current_user(self) -> CurrentUser | None:
        return self.user

    def login_redirect(self) -> str:
        return "redirect to login"


def person(role: Role, temporary: bool = False) -> CurrentUser:
    return CurrentUser(
        id=1, email="p@example.com", role=role, timezone="UTC", must_change_password=temporary
    )


@requires(Role.OPERATOR)
def change_something(state: Any) -> str:
    return "changed"


@requires(Role.MARKETER, before_password_change=True)
def look(state: Any) -> str:
    return "looked"


def test_anonymous_visitors_are_sent_to_login() -> None:
    assert change_something(FakeState(None)) == "redirect to login"
    assert look(FakeState(None)) == "redirect to login"


def test_a_smaller_role_is_refused_with_a_message() -> None:
    answer = change_something(FakeState(person(Role.MARKETER)))
    assert answer != "changed"
    assert "needs operator or higher" in str(answer)


def test_the_right_role_passes() -> None:
    assert change_something(FakeState(person(Role.ADMIN))) == "changed"


def test_a_one_time_password_may_look_but_not_change() -> None:
    temporary = FakeState(person(Role.ADMIN, temporary=True))
    assert look(temporary) == "looked"
    refused = change_something(temporary)
    assert refused != "changed" and "set your own password" in str(refused)
