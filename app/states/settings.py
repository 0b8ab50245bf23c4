"""Settings page state: your account, people (admins), and the audit log."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from app.views import format
from app.views.settings import audit_row, project_row, user_row
from core import audit, auth, db, projects
from core.errors import InputError, NotFound
from models import Role


class SettingsState(SessionState):
    users: list[dict[str, str]] = []
    activity: list[dict[str, str]] = []
    projects: list[dict[str, str]] = []
    password_error: str = ""
    user_error: str = ""
    project_error: str = ""
    policy_open: bool = False
    policy_project_id: str = ""
    policy_project_name: str = ""
    policy_preset: str = "current"
    policy_limits: dict[str, str] = {}
    policy_verified: bool = False
    policy_testing: bool = False
    policy_error: str = ""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        user = self.current_user()
        zone = self.zone()
        with db.read_session() as s:
            if user and user.can(Role.ADMIN):
                self.users = [user_row(u, zone) for u in auth.people(session=s)]
            self.projects = [project_row(p) for p in projects.listing(session=s)]
            if user and user.can(Role.OPERATOR):
                self.activity = [
                    audit_row(e, zone) for e in audit.recent_public(session=s, limit=30)
                ]

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def change_password(self, form: dict[str, Any]) -> Any:
        self.password_error = ""
        new, confirm = str(form.get("new_password", "")), str(form.get("confirm_password", ""))
        if new != confirm:
            self.password_error = "The two new passwords differ."
            return None
        try:
            auth.change_password(
                user_id=self._user_id,
                current=str(form.get("current_password", "")),
                new=new,
                ip=self._connection_address(),
                keep_token=self._connection_token(),
            )
        except InputError as exc:
            self.password_error = exc.message[:1].upper() + exc.message[1:] + "."
            return None
        self.must_change_password = False
        self._checked_at = 0.0
        return rx.toast.success("Password changed. Your other sessions were signed out.")

    @rx.event
    @requires(Role.ADMIN)
    def add_user(self, form: dict[str, Any]) -> Any:
        self.user_error = ""
        try:
            with db.session() as s:
                user = auth.create_user(
                    session=s,
                    email=str(form.get("email", "")),
                    password=str(form.get("password", "")),
                    role=str(form.get("role", "marketer")),
                    actor=self.email,
                    one_time=True,
                )
                email = user.email
        except InputError as exc:
            self.user_error = exc.sentence
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

    @rx.event
    @requires(Role.ADMIN)
    def add_project(self, form: dict[str, Any]) -> Any:
        self.project_error = ""
        try:
            with db.session() as s:
                project = projects.add_project(
                    session=s,
                    name=str(form.get("name", "")),
                    client_id=str(form.get("client_id", "")),
                    client_secret=str(form.get("client_secret", "")),
                    verified=bool(form.get("verified")),
                    consent_testing=bool(form.get("consent_testing")),
                    quota_policy={"preset": str(form.get("preset", "current"))},
                    actor=self.email,
                )
                name = project.name
        except InputError as exc:
            self.project_error = exc.sentence
            return None
        self._refresh()
        return rx.toast.success(f"Added project {name}. Connect its channels on Channels.")

    @rx.event
    @requires(Role.ADMIN, before_password_change=True)
    def open_policy(self, project_id: str) -> None:
        with db.read_session() as s:
            form = projects.policy_form(session=s, project_id=int(project_id))
        self.policy_project_id, self.policy_project_name = project_id, form.name
        self.policy_preset = form.preset
        self.policy_limits = {bucket: str(limit) for bucket, limit in form.limits.items()}
        self.policy_verified, self.policy_testing = form.verified, form.consent_testing
        self.policy_error = ""
        self.policy_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_policy_open(self, value: bool) -> None:
        self.policy_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_policy_preset(self, value: str) -> None:
        self.policy_preset = value
        self.policy_limits = {
            b: str(v) for b, v in projects.bucket_limits({"preset": value}).items()
        }

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_policy_limit(self, bucket: str, value: str) -> None:
        self.policy_limits = {**self.policy_limits, bucket: value}

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_policy_verified(self, value: bool) -> None:
        self.policy_verified = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_policy_testing(self, value: bool) -> None:
        self.policy_testing = value

    @rx.event
    @requires(Role.ADMIN)
    def save_policy(self) -> Any:
        try:
            with db.session() as s:
                projects.configure_project(
                    session=s,
                    project_id=int(self.policy_project_id),
                    actor=self.email,
                    preset=self.policy_preset,
                    limits=self.policy_limits,
                    verified=self.policy_verified,
                    consent_testing=self.policy_testing,
                )
        except (InputError, NotFound) as exc:
            self.policy_error = format.problem(exc)
            return None
        self.policy_open = False
        self._refresh()
        return rx.toast.success(f"Saved {self.policy_project_name}.")
