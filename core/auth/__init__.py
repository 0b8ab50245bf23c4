"""People and logins.

Import from here (`from core import auth`): the names below are the package's public API;
the modules are its parts, each with one job.

- `identity`: who acts: a signed-in person (`CurrentUser`) or the server (`SystemActor`).
- `passwords`: how strong a password must be; hashing and checking (Argon2).
- `users`: people: adding them, roles, disabling, password changes and resets, the first
  admin.
- `attempts`: every try at a password recorded, and the rate limits failed ones set.
- `sessions`: logging in and out; the person a session cookie belongs to.
"""

from core.auth.attempts import LoginRefused, RateLimited, say_wait
from core.auth.identity import CurrentUser, SystemActor
from core.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password_strength,
    generate_password,
    hash_password,
)
from core.auth.sessions import SESSION_COOKIE, login, logout, prune, session_key, user_for_token
from core.auth.users import (
    change_password,
    create_user,
    ensure_first_admin,
    list_users,
    normalize_email,
    people,
    set_password,
    set_timezone,
    update_user,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "SESSION_COOKIE",
    "CurrentUser",
    "LoginRefused",
    "RateLimited",
    "SystemActor",
    "change_password",
    "check_password_strength",
    "create_user",
    "ensure_first_admin",
    "generate_password",
    "hash_password",
    "list_users",
    "login",
    "logout",
    "normalize_email",
    "people",
    "prune",
    "say_wait",
    "session_key",
    "set_password",
    "set_timezone",
    "update_user",
    "user_for_token",
]
