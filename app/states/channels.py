"""Channels page state: the pool table, filters, connect/reconnect and per-channel edits."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from core import channels, connect, db, projects
from core.errors import InputError, NotFound
from models import ChannelState, Role
from youtube.errors import GoogleError

STATE_COLORS = {"active": "green", "reserve": "blue", "paused": "gray",
                "needs_reauth": "red", "disabled": "gray"}


def _fmt_time(value: Any, zone: Any) -> str:
    return value.astimezone(zone).strftime("%b %d %H:%M") if value else "—"


class ChannelsState(SessionState):
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

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        attempt = self.router.url.query_parameters.get("connect", "")
        result = (connect.result_for(attempt_id=int(attempt),
                                     login_token=self._connection_token())
                  if attempt.isdigit() and len(attempt) < 12 else None)
        if result is not None:
            self.banner, self.banner_ok = result.message, result.ok
        elif attempt:
            self.banner, self.banner_ok = ("This sign-in link is unknown or was started from "
                                           "another login session; nothing was changed."), False
        else:
            self.banner = ""
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

    def _refresh(self) -> None:
        zone = self.zone()
        filters = channels.ChannelFilter(
            state="" if self.filter_state == "all" else self.filter_state,
            group="" if self.filter_group == "all" else self.filter_group,
            project_id=None if self.filter_project == "all" else int(self.filter_project))
        with db.read_session() as s:
            listing = channels.pool_listing(session=s, filters=filters)
            all_rows = channels.pool_listing(session=s)
            self.projects = [{"id": str(p.id), "name": p.name}
                             for p in projects.list_projects(session=s)]
        self.groups = sorted({r["group"] for r in all_rows if r["group"]})
        self.counts = {state.value: sum(1 for r in all_rows if r["state"] == state.value)
                       for state in ChannelState}
        self.rows = [{
            "id": str(r["id"]), "title": r["title"], "handle": r["handle"],
            "thumbnail": r["thumbnail_url"], "state": r["state"],
            "state_color": STATE_COLORS[r["state"]], "group": r["group"] or "—",
            "project": r["project"], "expires": _fmt_time(r["token_expires_at"], zone),
            "uploads": f"{r['uploads_today']} / {r['daily_upload_cap']}",
            "quota": str(r["quota_units_today"]),
            "capabilities": ", ".join(r["capabilities"]) or "—",
            "score": f"{r['health_score']:.2f}" if r["score_breakdown"] else "—",
            "score_detail": ", ".join(f"{k} {v:.2f}" for k, v in
                                      (r["score_breakdown"] or {}).items()
                                      if isinstance(v, int | float)),
            "error": r["last_error"] or (f"resting until "
                                         f"{_fmt_time(r['resting_until'], zone)}: "
                                         f"{r['rest_reason']}" if r["resting_until"] else ""),
            "cap": str(r["daily_upload_cap"]),
        } for r in listing]
        if not self.connect_project and self.projects:
            self.connect_project = self.projects[0]["id"]

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_filter(self, which: str, value: str) -> None:
        setattr(self, f"filter_{which}", value)
        self._refresh()

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
            channel = s.get(channels.Channel, int(channel_id))
            project_id = channel.project_id if channel else 0
        return self._go_to_google(project_id, "", int(channel_id))

    def _go_to_google(self, project_id: int, group: str, reconnect: int | None) -> Any:
        token = self._connection_token()
        if token is None:
            return self.login_redirect()
        try:
            url = connect.start(project_id=project_id, user_email=self.email, login_token=token,
                                group=group, reconnect_channel_id=reconnect)
        except (InputError, NotFound, GoogleError) as exc:
            return rx.toast.error(str(exc))
        self.connect_open = False
        return rx.redirect(url, is_external=False)

    @rx.event
    @requires(Role.OPERATOR, before_password_change=True)
    def open_edit(self, channel_id: str) -> None:
        row = next((r for r in self.rows if r["id"] == channel_id), None)
        if row is None:
            return
        self.edit_id, self.edit_title = channel_id, row["title"]
        self.edit_group = "" if row["group"] == "—" else row["group"]
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
                cid = int(self.edit_id)
                channels.set_group(session=s, channel_id=cid, group=self.edit_group,
                                   actor=self.email)
                channels.set_daily_cap(session=s, channel_id=cid, cap=cap, actor=self.email)
                if self.edit_state != "needs_reauth":
                    channels.set_state(session=s, channel_id=cid, state=self.edit_state,
                                       actor=self.email)
        except (InputError, NotFound) as exc:
            self.edit_error = str(exc)
            return None
        self.edit_open = False
        self._refresh()
        return rx.toast.success(f"Saved {self.edit_title}.")

    @rx.event
    @requires(Role.OPERATOR)
    def quick_state(self, channel_id: str, state: str) -> Any:
        try:
            with db.session() as s:
                channels.set_state(session=s, channel_id=int(channel_id), state=state,
                                   actor=self.email)
        except (InputError, NotFound) as exc:
            return rx.toast.error(str(exc))
        self._refresh()
        return None
