"""Email and password rules give messages that say what to fix."""

from __future__ import annotations

import pytest

from core import auth
from core.errors import InputError
from models import Role


def test_email_is_normalized() -> None:
    assert auth.normalize_email("  Ops@Example.COM ") == "ops@example.com"


@pytest.mark.parametrize("bad", ["", "ops", "ops@", "@example.com", "a b@example.com"])
def test_bad_email_is_refused_with_the_field_named(bad: str) -> None:
    with pytest.raises(InputError) as info:
        auth.normalize_email(bad)
    assert info.value.field == "email"


def test_short_password_is_refused_with_the_minimum() -> None:
    with pytest.raises(InputError, match="at least 10 characters"):
        auth.check_password_strength("short")


def test_roles_include_the_ones_below() -> None:
    assert Role.ADMIN.allows(Role.OPERATOR)
    assert Role.OPERATOR.allows(Role.MARKETER)
    assert not Role.MARKETER.allows(Role.OPERATOR)
    assert not Role.OPERATOR.allows(Role.ADMIN)


def test_generated_passwords_are_long_and_different() -> None:
    a, b = auth.generate_password(), auth.generate_password()
    assert a != b and len(a) >= 20
