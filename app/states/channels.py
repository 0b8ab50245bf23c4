"""Channels page state: the pool table, filters, connect/reconnect and per-channel edits."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.polled import PagedPage
from app.states.session import SessionState, requires
from app.views import format
from app.views.channels import NO_GROUP, channel_row, project_options
from core import channel_pages, channel_reads, channels, connect, db, projects
from core.errors import GoogleError, InputError, NotFound
from models import Role


class ChannelsState(PagedPage, SessionState):
    rows: list[dict[str, str]] = []
    projects: list[dict[str, str]] = []
    groups: list[str] = []
    counts: dict[str, int] = {}
    filter_state: str = "all"
    filter_group: str = "all"
    filter_project: str = "all"
    banner: str = ""
    banner_ok: bool = True
    connect_open: bool = False
    connect_project: str = ""
    connect_group: str = ""
    edit_open: bool = False
    edit_id: str = ""
    edit_title: str = ""
    edit_group: str = ""
    edit_cap: str = "10"
    edit_state: str = "active"
    edit_error: str = ""

    def _on_load(self) -> None:
        """The outcome of a connect attempt, when Google sent the person back here."""
        attempt = self.router.url.query_parameters.get("connect", "")
        result = (
            connect.result_for(attempt_id=int(attempt), login_token=self._connection_token())
            if attempt.isdigit() and len(attempt) < 12
            else None
        )
        if result is not None:
            self.banner, self.banner_ok = result.message, result.ok
        elif attempt:
            self.banner, self.banner_ok = (
                (
                    "This sign-in link is unknown or was started from "
                    "another login session; nothing was changed."
                ),
                False,
            )
        else:
            self.banner = ""

    def _filter_names(self) -> tuple[str, ...]:
        return ("state", "group", "project")

    def _refresh(self) -> None:
        zone = self.zone()
        filters = channel_reads.ChannelFilter(
            state="" if self.filter_state == "all" else self.filter_state,
            group="" if self.filter_group == "all" else self.filter_group,
            project_id=None if self.filter_project == "all" else int(self.filter_project),
        )
        with db.read_session() as s:
            found = channel_pages.channel_page(
                session=s, filters=filters, search=self.search, window=self._window()
            )
            groups = channel_reads.group_names(session=s)
            counts = channel_reads.count_by_state(session=s)
            choices = project_options(projects.listing(session=s))
        self._assign(
            rows=[channel_row(c, zone) for c in found.items],
            groups=groups,
            counts=counts,
            projects=choices,
        )
        self._show_page(found, "channels")
        if not self.connect_project and self.projects:
            self.connect_project = self.projects[0]["id"]

    @rx.event
    @requires(Role.OPERATOR, before_password_change=True)
    def open_connect(self) -> Any:
        if not self.projects:
            return rx.toast.error("Add a Google Cloud project on the Settings page first.")
        self.connect_open = True
        return None

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_connect_open(self, value: bool) -> None:
        self.connect_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_connect_project(self, value: str) -> None:
        self.connect_project = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_connect_group(self, value: str) -> None:
        self.connect_group = value

    @rx.event
    @requires(Role.OPERATOR)
    def start_connect(self) -> Any:
        return self._go_to_google(int(self.connect_project or 0), self.connect_group, None)

    @rx.event
    @requires(Role.OPERATOR)
    def reconnect(self, channel_id: str) -> Any:
        with db.read_session() as s:
            project_id = channel_reads.project_id_of(session=s, channel_id=int(channel_id))
        return self._go_to_google(project_id, "", int(channel_id))

    def _go_to_google(self, project_id: int, group: str, reconnect: int | None) -> Any:
        token = self._connection_token()
        if token is None:
            return self.login_redirect()
        try:
            url = connect.start(
                project_id=project_id,
                user_email=self.email,
                login_token=token,
                group=group,
                reconnect_channel_id=reconnect,
            )
        except (InputError, NotFound, GoogleError) as exc:
            return rx.toast.error(format.problem(exc))
        self.connect_open = False
        return rx.redirect(url, is_external=False)

    @rx.event
    @requires(Role.OPERATOR, before_password_change=True)
    def open_edit(self, channel_id: str) -> None:
        row = next((r for r in self.rows if r["id"] == channel_id), None)
        if row is None:
            return
        self.edit_id, self.edit_title = channel_id, row["title"]
        self.edit_group = "" if row["group"] == NO_GROUP else row["group"]
        self.edit_cap, self.edit_state = row["cap"], row["state"]
        self.edit_error = ""
        self.edit_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_edit_open(self, value: bool) -> None:
        self.edit_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_edit_group(self, value: str) -> None:
        self.edit_group = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_edit_cap(self, value: str) -> None:
        self.edit_cap = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_edit_state(self, value: str) -> None:
        self.edit_state = value

    @rx.event
    @requires(Role.OPERATOR)
    def save_edit(self) -> Any:
        try:
            cap = int(self.edit_cap)
        except ValueError:
            self.edit_error = "Daily upload cap must be a whole number."
            return None
        try:
            with db.session() as s:
                channels.save_settings(
                    session=s,
                    channel_id=int(self.edit_id),
                    group=self.edit_group,
                    cap=cap,
                    state=self.edit_state,
                    actor=self.email,
                )
        except (InputError, NotFound) as exc:
            self.edit_error = format.problem(exc)
            return None
        self.edit_open = False
        self._refresh()
        return rx.toast.success(f"Saved {self.edit_title}.")

    @rx.event
    @requires(Role.OPERATOR)
    def quick_state(self, channel_id: str, state: str) -> Any:
        try:
            with db.session() as s:
                channels.set_state(
                    session=s, channel_id=int(channel_id), state=state, actor=self.email
                )
        except (InputError, NotFound) as exc:
            return rx.toast.error(format.problem(exc))
        self._refresh()
        return None
