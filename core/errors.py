"""Errors core raises for people to read: what was wrong and how to fix it."""

from __future__ import annotations

# Google refused or failed (its reason and what to do are in the exception): raised by
# core functions that call Google, re-exported so app/ catches it without youtube/.
from youtube.errors import GoogleError as GoogleError


class InputError(ValueError):
    """Bad input from a form or the CLI; `field` names what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    @property
    def sentence(self) -> str:
        """The error as a form shows it, e.g. "Client id: paste the ..."."""
        return f"{self.field.replace('_', ' ').capitalize()}: {self.message}."


class InputErrors(ValueError):
    """Several field errors at once, so a form can show all of them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(LookupError):
    """A thing asked for by id does not exist (the message says which)."""


class NotAllowed(PermissionError):
    """The acting person may not do this (e.g. change someone else's job); the message
    says who may."""
