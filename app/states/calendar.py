"""Calendar page state: the jobs in the range the calendar shows, moved by dragging (the
same rules as Reschedule), and a click on a free time that starts a new upload then."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx

from app.states.polled import PolledPage
from app.states.session import SessionState, requires
from app.states.upload_form import UploadFormState
from app.views import format
from app.views.calendar import calendar_event
from core import clock, db, uploads
from core.errors import InputError, NotFound
from models import Role, UploadJobPublic


def _instant(text: str) -> datetime | None:
    """FullCalendar's ISO time (with its offset, or none for all-day dates) as UTC."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return clock.as_utc(at) if at.tzinfo else None


class CalendarState(PolledPage, SessionState):
    events: list[dict[str, Any]] = []
    note: str = ""
    range_start: str = ""
    range_end: str = ""

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_range(self, start: str, end: str) -> None:
        if _instant(start) is None or _instant(end) is None:
            return
        self.range_start, self.range_end = start, end
        self._refresh()

    def _refresh(self) -> None:
        start, end = _instant(self.range_start), _instant(self.range_end)
        if start is None or end is None or not timedelta(0) < end - start <= timedelta(days=45):
            return  # the calendar has not said what it shows yet (or asked for too much)
        user = self.current_user()
        with db.read_session() as s:
            jobs = uploads.calendar_jobs(session=s, start=start, end=end)
            titles = uploads.titles_for_jobs(session=s, jobs=jobs)
        events = [
            calendar_event(
                UploadJobPublic.of(job, titles),
                movable=user is not None
                and "reschedule" in uploads.allowed_actions(job, actor=user),
            )
            for job in jobs
        ]
        more = len(jobs) >= uploads.CALENDAR_LIMIT
        self._assign(
            events=events,
            note=f"Showing the first {len(jobs):,} jobs of this range; pick a shorter one."
            if more
            else "",
        )

    @rx.event
    @requires(Role.MARKETER)
    def move(self, job_id: str, start: str) -> Any:
        """A job dragged to a new time: rescheduled as the Reschedule dialog would."""
        user = self.current_user()
        at = _instant(start)
        if user is None or at is None:
            return None
        local = at.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d %H:%M")
        try:
            job = uploads.reschedule(job_id=int(job_id), when_text=local, tz=self.tz, actor=user)
        except (InputError, NotFound, uploads.NotAllowed, ValueError) as exc:
            # Put it back where it was: send the events again (the calendar drew the drop).
            self.events = list(self.events)
            self._refresh()
            return rx.toast.error(format.problem(exc))
        self._refresh()
        return rx.toast.success(
            f"Rescheduled “{job.title}” to {format.date_time(job.scheduled_for, self.zone())}."
        )

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    async def start_at(self, when: str) -> Any:
        """A click on a time: the upload form, its time filled in."""
        at = _instant(when)
        if at is None:
            return None
        form = await self.get_state(UploadFormState)
        form.when_text = at.astimezone(ZoneInfo(self.tz)).strftime("%Y-%m-%d %H:%M")
        form._interpret()
        return rx.redirect("/uploads")
