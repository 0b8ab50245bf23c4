"""Alerts page state: the filtered list, and acknowledge / resolve / mute (operators and up)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.polled import PagedPage
from app.states.session import SessionState, requires
from app.views.alerts import SEVERITY_COLORS, alert_row
from app.views.channels import choice_options, project_options
from core import alert_pages, alerts, channel_pages, clock, db, projects
from core.errors import InputError, NotFound
from models import AlertStatus, Role

# Filter value -> AlertFilter.status ("open" there means not resolved yet).
STATUS_FILTERS = {
    "open": "open",
    "acknowledged": AlertStatus.ACKNOWLEDGED.value,
    "resolved": AlertStatus.RESOLVED.value,
    "all": "",
}
FILTERS = ("severity", "kind", "status", "project", "channel")


class AlertsState(PagedPage, SessionState):
    rows: list[dict[str, str]] = []
    kinds: list[str] = []
    projects: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    open_counts: dict[str, int] = {}
    filter_severity: str = "all"
    filter_kind: str = "all"
    filter_status: str = "open"
    filter_project: str = "all"
    filter_channel: str = "all"
    hide_muted: bool = False
    mute_open: bool = False
    mute_id: str = ""
    mute_subject: str = ""
    mute_hours: str = "4"
    mute_error: str = ""

    def _on_load(self) -> None:
        """Filters may come in the address (links from the Overview and notifications)."""
        params = self.router.url.query_parameters
        for which in FILTERS:
            if params.get(which):
                setattr(self, f"filter_{which}", str(params[which])[:100])

    def _filter_names(self) -> tuple[str, ...]:
        return FILTERS

    def _filter_changed(self, which: str) -> None:
        if which == "project":
            self.filter_channel = "all"

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_hide_muted(self, value: bool) -> None:
        self.hide_muted = bool(value)
        self._list_changed()
        self._refresh()

    def _filters(self) -> alerts.AlertFilter:
        def number(value: str) -> int | None:
            return int(value) if value.isdigit() else None

        return alerts.AlertFilter(
            severity=self.filter_severity if self.filter_severity in SEVERITY_COLORS else "",
            kind="" if self.filter_kind == "all" else self.filter_kind,
            status=STATUS_FILTERS.get(self.filter_status, "open"),
            project_id=number(self.filter_project),
            channel_id=number(self.filter_channel),
            include_muted=not self.hide_muted,
        )

    def _refresh(self) -> None:
        if self.filter_status not in STATUS_FILTERS:
            self.filter_status = "open"
        zone, now = self.zone(), clock.now()
        user = self.current_user()
        filters = self._filters()
        with db.read_session() as s:
            found = alert_pages.alert_page(
                session=s, filters=filters, search=self.search, window=self._window()
            )
            choices = channel_pages.channel_choices(
                session=s, project_id=filters.project_id, keep=filters.channel_id
            )
            self._assign(
                projects=project_options(projects.listing(session=s)),
                kinds=alerts.kinds(session=s),
                open_counts=alerts.open_counts(session=s),
            )
        role = user.role if user else None
        self._assign(
            channels=choice_options(choices),
            rows=[
                alert_row(a, alerts.allowed_actions(a, role=role), zone, now) for a in found.items
            ],
        )
        self._show_page(found, "alerts")

    @rx.event
    @requires(Role.OPERATOR)
    def acknowledge(self, alert_id: str) -> Any:
        return self._act(alert_id, "acknowledged", alerts.acknowledge)

    @rx.event
    @requires(Role.OPERATOR)
    def resolve(self, alert_id: str) -> Any:
        return self._act(alert_id, "resolved", alerts.resolve)

    @rx.event
    @requires(Role.OPERATOR)
    def unmute(self, alert_id: str) -> Any:
        return self._act(alert_id, "unmuted", alerts.unmute)

    def _act(self, alert_id: str, done: str, action: Any) -> Any:
        try:
            with db.session() as s:
                alert = action(session=s, alert_id=int(alert_id), actor=self.email)
                subject = alert.subject
        except (NotFound, ValueError) as exc:
            self._refresh()
            return rx.toast.error(str(exc))
        self._refresh()
        return rx.toast.success(f"{done.capitalize()}: {subject}")

    @rx.event
    @requires(Role.OPERATOR, before_password_change=True)
    def open_mute(self, alert_id: str) -> None:
        row = next((r for r in self.rows if r["id"] == alert_id), None)
        if row is None:
            return
        self.mute_id, self.mute_subject = alert_id, row["subject"]
        self.mute_error = ""
        self.mute_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_mute_open(self, value: bool) -> None:
        self.mute_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_mute_hours(self, value: str) -> None:
        self.mute_hours = value

    @rx.event
    @requires(Role.OPERATOR)
    def save_mute(self) -> Any:
        try:
            hours = float(self.mute_hours.replace(",", "."))
        except ValueError:
            self.mute_error = "Hours must be a number, e.g. 4 or 0.5."
            return None
        try:
            with db.session() as s:
                alerts.mute(session=s, alert_id=int(self.mute_id), hours=hours, actor=self.email)
        except InputError as exc:
            self.mute_error = f"Hours {exc.message}."
            return None
        except (NotFound, ValueError) as exc:
            self.mute_error = str(exc)
            return None
        self.mute_open = False
        self._refresh()
        return rx.toast.success(f"Muted for {hours:g} h: {self.mute_subject}")
