"""Who acts: a signed-in person (`CurrentUser`) or the server itself (`SystemActor`)."""

from __future__ import annotations

from dataclasses import dataclass

from models import Role


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
