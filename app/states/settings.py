"""Settings page state: your account, people (admins), and the audit log."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from core import audit, auth, db
from core.errors import InputError
from models import Role


def _when(value: Any, tz: Any) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else "never"


class SettingsState(SessionState):
    users: list[dict[str, str]] = []
    activity: list[dict[str, str]] = []
    password_error: str = ""
    user_error: str = ""

    @rx.event
    @requires(Role.MARKETER)
    def load(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        user = self.current_user()
        zone = self.zone()
        with db.read_session() as s:
            if user and user.can(Role.ADMIN):
                self.users = [
                    {"id": str(u.id), "email": u.email, "role": Role(u.role).value,
                     "status": "disabled" if u.disabled else "active",
                     "last_login": _when(u.last_login_at, zone)}
                    for u in auth.list_users(session=s)
                ]
            if user and user.can(Role.OPERATOR):
                self.activity = [
                    {"at": _when(e.at, zone), "actor": e.actor, "action": e.action,
                     "target": e.target, "detail": e.detail}
                    for e in audit.recent(session=s, limit=30)
                ]

    @rx.event
    @requires(Role.MARKETER)
    def change_password(self, form: dict[str, Any]) -> Any:
        self.password_error = ""
        new, confirm = str(form.get("new_password", "")), str(form.get("confirm_password", ""))
        if new != confirm:
            self.password_error = "The two new passwords differ."
            return None
        try:
            with db.session() as s:
                auth.change_password(session=s, user_id=self._user_id,
                                     current=str(form.get("current_password", "")), new=new)
        except InputError as exc:
            self.password_error = exc.message.capitalize() + "."
            return None
        self.must_change_password = False
        self._checked_at = 0.0
        return rx.toast.success("Password changed.")

    @rx.event
    @requires(Role.ADMIN)
    def add_user(self, form: dict[str, Any]) -> Any:
        self.user_error = ""
        try:
            with db.session() as s:
                user = auth.create_user(session=s, email=str(form.get("email", "")),
                                        password=str(form.get("password", "")),
                                        role=str(form.get("role", "marketer")), actor=self.email)
                user.must_change_password = True
                email = user.email
        except InputError as exc:
            self.user_error = f"{exc.field.capitalize()}: {exc.message}."
            return None
        self._refresh()
        return rx.toast.success(f"Added {email}; they must change the password at first login.")

    @rx.event
    @requires(Role.ADMIN)
    def set_role(self, user_id: str, role: str) -> Any:
        return self._update(int(user_id), role=role)

    @rx.event
    @requires(Role.ADMIN)
    def toggle_disabled(self, user_id: str) -> Any:
        current = next((u for u in self.users if u["id"] == user_id), None)
        return self._update(int(user_id), disabled=bool(current and current["status"] == "active"))

    def _update(self, user_id: int, **changes: Any) -> Any:
        try:
            with db.session() as s:
                auth.update_user(session=s, user_id=user_id, actor=self.email, **changes)
        except InputError as exc:
            self._refresh()
            return rx.toast.error(exc.message)
        self._refresh()
        return None
