"""Alerts page state: the filtered list, and acknowledge / resolve / mute (operators and up)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.components.quota_gauges import local_time
from app.states.session import SessionState, requires
from core import alerts, channels, clock, db, projects
from core.errors import InputError, NotFound
from models import AlertStatus, Role, Severity

SEVERITY_COLORS = {"critical": "red", "warning": "orange", "info": "blue"}
SEVERITY_RANK = {"critical": 2, "warning": 1, "info": 0}
STATUS_COLORS = {"open": "red", "acknowledged": "amber", "resolved": "green"}
# Filter value -> AlertFilter.status ("open" there means not resolved yet).
STATUS_FILTERS = {"open": "open", "acknowledged": AlertStatus.ACKNOWLEDGED.value,
                  "resolved": AlertStatus.RESOLVED.value, "all": ""}
LIST_LIMIT = 200


class AlertsState(SessionState):
    rows: list[dict[str, str]] = []
    kinds: list[str] = []
    projects: list[dict[str, str]] = []
    channels: list[dict[str, str]] = []
    open_counts: dict[str, int] = {}
    truncated: bool = False
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

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        params = self.router.url.query_parameters
        for which in ("severity", "kind", "status", "project", "channel"):
            if params.get(which):
                setattr(self, f"filter_{which}", str(params[which])[:100])
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_filter(self, which: str, value: str) -> None:
        if which not in ("severity", "kind", "status", "project", "channel"):
            return
        setattr(self, f"filter_{which}", value)
        if which == "project":
            self.filter_channel = "all"
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_hide_muted(self, value: bool) -> None:
        self.hide_muted = bool(value)
        self._refresh()

    def _filters(self) -> alerts.AlertFilter:
        def number(value: str) -> int | None:
            return int(value) if value.isdigit() else None

        return alerts.AlertFilter(
            severity=self.filter_severity if self.filter_severity in SEVERITY_COLORS else "",
            kind="" if self.filter_kind == "all" else self.filter_kind,
            status=STATUS_FILTERS.get(self.filter_status, "open"),
            project_id=number(self.filter_project), channel_id=number(self.filter_channel),
            include_muted=not self.hide_muted)

    def _refresh(self) -> None:
        if self.filter_status not in STATUS_FILTERS:
            self.filter_status = "open"
        zone, now = self.zone(), clock.now()
        user = self.current_user()
        can_act = bool(user and user.can(Role.OPERATOR))
        with db.read_session() as s:
            found = alerts.list_alerts(session=s, filters=self._filters(), limit=LIST_LIMIT)
            all_projects = projects.list_projects(session=s)
            chosen = int(self.filter_project) if self.filter_project.isdigit() else None
            pool = channels.list_channels(session=s, filters=channels.ChannelFilter(
                project_id=chosen))
            titles = {c.id: c.title for c in channels.list_channels(session=s)}
            self.kinds = alerts.kinds(session=s)
            self.open_counts = alerts.open_counts(session=s)
        names = {p.id: p.name for p in all_projects}
        self.projects = [{"id": str(p.id), "name": p.name} for p in all_projects]
        self.channels = [{"id": str(c.id), "name": c.title} for c in pool]
        self.truncated = len(found) >= LIST_LIMIT

        def when(value: Any) -> str:
            return local_time(value, zone, now) if value else ""

        # Unresolved first, the most severe first, then the most recent.
        found.sort(key=lambda a: (AlertStatus(a.status) == AlertStatus.RESOLVED,
                                  -SEVERITY_RANK[Severity(a.severity).value],
                                  -clock.as_utc(a.last_raised_at).timestamp()))
        self.rows = []
        for a in found:
            status = AlertStatus(a.status).value
            muted = alerts.is_muted(a)
            self.rows.append({
                "id": str(a.id),
                "severity": Severity(a.severity).value,
                "severity_color": SEVERITY_COLORS[Severity(a.severity).value],
                "kind": a.kind,
                "subject": a.subject,
                "message": a.message,
                "project": names.get(a.project_id, "") if a.project_id else "",
                "channel": (titles.get(a.channel_id) or f"channel {a.channel_id}")
                if a.channel_id else "",
                "status": status,
                "status_color": STATUS_COLORS[status],
                "occurrences": str(a.occurrences),
                "times": "time" if a.occurrences == 1 else "times",
                "first_raised": when(a.first_raised_at),
                "last_raised": when(a.last_raised_at),
                "acknowledged": (f"Acknowledged by {a.acknowledged_by} at "
                                 f"{when(a.acknowledged_at)}" if a.acknowledged_by else ""),
                "resolved": (f"Resolved by {a.resolved_by} at {when(a.resolved_at)}"
                             if a.resolved_by else ""),
                "muted": "yes" if muted else "",
                "muted_text": (f"Muted until {when(a.muted_until)} by {a.muted_by}"
                               if muted else ""),
                "can_ack": "yes" if can_act and status == "open" else "",
                "can_resolve": "yes" if can_act and status != "resolved" else "",
                "can_mute": "yes" if can_act and status != "resolved" else "",
            })

    @rx.event
    @requires(Role.OPERATOR)
    def acknowledge(self, alert_id: str) -> Any:
        return self._act(alert_id, "acknowledged", alerts.acknowledge)

    @rx.event
    @requires(Role.OPERATOR)
    def resolve(self, alert_id: str) -> Any:
        return self._act(alert_id, "resolved", alerts.resolve)

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
                alerts.mute(session=s, alert_id=int(self.mute_id), hours=hours,
                            actor=self.email)
        except InputError as exc:
            self.mute_error = f"Hours {exc.message}."
            return None
        except (NotFound, ValueError) as exc:
            self.mute_error = str(exc)
            return None
        self.mute_open = False
        self._refresh()
        return rx.toast.success(f"Muted for {hours:g} h: {self.mute_subject}")
