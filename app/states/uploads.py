"""Uploads page state: the scheduling form (files streamed to disk) and the live queue."""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import col, select

from app.states.session import SessionState, requires
from core import auth, categories, clock, db, uploads, when
from core.errors import InputError, InputErrors, NotFound
from models import Channel, ChannelState, PublishMode, Role, TargetKind
from youtube import limits

STATE_COLORS = {"queued": "gray", "scheduled": "blue", "uploading": "amber",
                "processing": "violet", "published": "green", "failed": "red",
                "cancelled": "gray", "waiting_quota": "orange", "waiting_channel": "orange",
                "waiting_reauth": "red"}
FALLBACK_CATEGORIES = {"22": "People & Blogs"}


def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):,.1f} MiB"


def _eta(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


class UploadsState(SessionState):
    # The form.
    video_name: str = ""
    video_info: str = ""
    video_percent: int = 0
    thumb_name: str = ""
    thumb_percent: int = 0
    title: str = ""
    description: str = ""
    tags: str = ""
    category: str = "22"
    privacy: str = "private"
    made_for_kids: bool = False
    playlist: str = ""
    target: str = "auto"  # channel | group | auto | fanout
    channel_id: str = ""
    group: str = ""
    when_text: str = "now"
    mode: str = "upload_at"
    when_display: str = ""
    errors: dict[str, str] = {}
    channels: list[dict[str, str]] = []
    groups: list[str] = []
    category_options: list[dict[str, str]] = []
    fanout_preview: list[str] = []
    # Server-side only: where the uploaded files are.
    _video: dict[str, Any] = {}
    _thumb: dict[str, Any] = {}
    # The queue.
    rows: list[dict[str, str]] = []
    filter_state: str = "all"
    filter_channel: str = "all"
    filter_group: str = "all"
    filter_day: str = ""
    counts: dict[str, int] = {}
    history_open: bool = False
    history_title: str = ""
    history: list[dict[str, str]] = []
    reschedule_open: bool = False
    reschedule_id: str = ""
    reschedule_text: str = ""
    reschedule_display: str = ""

    # --- loading -----------------------------------------------------------------------

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        with db.read_session() as s:
            rows = s.exec(select(Channel).order_by(col(Channel.title))).all()
        self.channels = [{"id": str(c.id), "title": c.title,
                          "state": ChannelState(c.state).value} for c in rows
                         if ChannelState(c.state) != ChannelState.DISABLED]
        self.groups = sorted({c.group_name for c in rows if c.group_name})
        found = categories.assignable() or FALLBACK_CATEGORIES
        self.category_options = [{"id": k, "title": v} for k, v in
                                 sorted(found.items(), key=lambda kv: kv[1])]
        self._interpret()
        self._refresh()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def refresh(self, _tick: str = "") -> None:
        self._refresh()

    def _refresh(self) -> None:
        zone = self.zone()
        user = self.current_user()
        filters = uploads.JobFilter(
            state="" if self.filter_state == "all" else self.filter_state,
            channel_id=None if self.filter_channel == "all" else int(self.filter_channel),
            group="" if self.filter_group == "all" else self.filter_group,
            day=self.filter_day, tz=self.tz)
        try:
            with db.read_session() as s:
                titles = uploads.channel_titles(session=s)
                jobs = uploads.list_jobs(session=s, filters=filters)
                self.counts = uploads.summary(session=s)
        except InputError as exc:
            self.errors = {**self.errors, "filter": exc.message}
            return
        rows = []
        for job in jobs:
            data = uploads.public(job, titles)
            # Buttons only for what this person may do (core checks again on click).
            allowed = uploads.allowed_actions(job, actor=user) if user else set()
            size = max(job.file_size, 1)
            running = data["state"] == "uploading" and not job.video_id
            rows.append({
                "id": str(job.id), "title": job.title, "file": job.file_name,
                "by": job.created_by,
                "channel": data["channel"] or (f"group {job.target_group}" if job.target_group
                                               else data["target"]),
                "state": data["state"], "color": STATE_COLORS[data["state"]],
                "reason": job.state_reason,
                "when": clock.as_utc(job.scheduled_for).astimezone(zone)
                .strftime("%a %d %b %H:%M"),
                "percent": str(min(100, int(100 * job.bytes_confirmed / size))),
                "bytes": f"{_mib(job.bytes_confirmed)} of {_mib(job.file_size)}",
                "speed": f"{job.speed_bps / (1024 * 1024):.1f} MiB/s" if running else "",
                "eta": _eta(job.eta_seconds) if running else "",
                "video": job.video_id or "", "warning": job.warning,
                "error": job.last_error if data["state"] == "failed" else "",
                **{f"can_{action}": "yes" if action in allowed else ""
                   for action in ("cancel", "retry", "reschedule")},
            })
        self.rows = rows

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_filter(self, which: str, value: str) -> None:
        setattr(self, f"filter_{which}", value)
        self._refresh()

    # --- files: streamed to data/media as they arrive ----------------------------------------

    @rx.event(background=True)
    @requires(Role.MARKETER)
    async def receive_video(self, chunks: rx.UploadChunkIterator) -> None:
        await self._receive(chunks, thumbnail=False)

    @rx.event(background=True)
    @requires(Role.MARKETER)
    async def receive_thumbnail(self, chunks: rx.UploadChunkIterator) -> None:
        await self._receive(chunks, thumbnail=True)

    async def _receive(self, chunks: rx.UploadChunkIterator, *, thumbnail: bool) -> None:
        async with self:
            user = self.current_user()
            allowed = user is not None and user.can(Role.MARKETER)
            # A new file replaces the one chosen before, whatever happens to it: let the old
            # one go now, so it does not count against the person's media quota meanwhile.
            old = self._thumb if thumbnail else self._video
            if thumbnail:
                self._thumb, self.thumb_name = {}, ""
            else:
                self._video, self.video_name, self.video_info = {}, "", ""
        if old:
            uploads.discard(uploads.StoredFile(**old))
        stored: uploads.StoredFile | None = None
        error = ""
        if not allowed:
            async for _chunk in chunks:
                pass  # drain the stream; keep nothing
        else:
            # core deletes the partial file whatever stops the upload, including the
            # browser going away (Reflex then cancels this task: CancelledError goes on up).
            try:
                stored = await uploads.receive(chunks, owner=user, thumbnail=thumbnail)
            except InputError as exc:
                error = exc.message
            except Exception:
                error = "the upload broke off before the end; choose the file again"
        async with self:
            key = "thumbnail" if thumbnail else "file"
            errors = {k: v for k, v in self.errors.items() if k != key}
            if not allowed:
                errors[key] = "your session ended; log in again"
            elif error or stored is None:
                errors[key] = error or "nothing arrived"
            record = stored.__dict__ if stored else {}
            name = stored.name if stored else ""
            if thumbnail:
                self._thumb, self.thumb_name = record, name
            else:
                self._video, self.video_name = record, name
                self.video_info = (f"{_mib(stored.size)} · {stored.kind.upper()}"
                                   if stored else "")
                if stored and not self.title:
                    self.title = name.rsplit(".", 1)[0][:100]
            self.errors = errors

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def video_progress(self, progress: dict[str, Any]) -> None:
        self.video_percent = int(100 * float(progress.get("progress", 0)))

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def thumb_progress(self, progress: dict[str, Any]) -> None:
        self.thumb_percent = int(100 * float(progress.get("progress", 0)))

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def clear_thumbnail(self) -> None:
        if self._thumb:
            uploads.discard(uploads.StoredFile(**self._thumb))
        self._thumb, self.thumb_name, self.thumb_percent = {}, "", 0

    # --- fields ------------------------------------------------------------------------------

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_field(self, name: str, value: Any) -> None:
        if name not in ("title", "description", "tags", "category", "privacy", "playlist",
                        "target", "channel_id", "group", "made_for_kids"):
            return
        setattr(self, name, value)
        self.errors = {k: v for k, v in self.errors.items() if k != name}
        if name in ("target", "group", "title", "description"):
            self._preview()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_when(self, value: str) -> None:
        self.when_text = value
        self._interpret()

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_mode(self, value: str) -> None:
        self.mode = value
        self._interpret()

    def _interpret(self) -> None:
        """Show the time back as the person will get it, or say what is wrong."""
        errors = {k: v for k, v in self.errors.items() if k != "when"}
        try:
            at = when.parse_when(self.when_text, tz=self.tz)
        except InputError as exc:
            self.when_display = ""
            errors["when"] = exc.message
        else:
            if at.is_now and self.mode == PublishMode.PUBLISH_AT.value:
                self.when_display = ""
                errors["when"] = "choose a future time for YouTube to publish at"
            else:
                self.when_display = ("now, " + at.display) if at.is_now else at.display
        self.errors = errors

    def _preview(self) -> None:
        if self.target != "fanout" or not self.group:
            self.fanout_preview = []
            return
        try:
            at = when.parse_when(self.when_text, tz=self.tz)
        except InputError:
            at = when.parse_when("now", tz=self.tz)
        members = [c["title"] for c in self.channels if c["state"] in ("active", "reserve")]
        with db.read_session() as s:
            in_group = set(s.exec(select(Channel.title).where(
                Channel.group_name == self.group)).all())
        self.fanout_preview = [uploads.render_template(self.title, m, self.group, at)
                               for m in members if m in in_group]

    # --- submit --------------------------------------------------------------------------------

    @rx.event
    @requires(Role.MARKETER)
    def submit(self) -> Any:
        errors: dict[str, str] = {}
        if not self._video:
            errors["file"] = "choose a video file (it uploads as soon as you pick it)"
        target = {"channel": TargetKind.CHANNEL, "group": TargetKind.GROUP,
                  "fanout": TargetKind.GROUP}.get(self.target, TargetKind.AUTO)
        try:
            tag_list = limits.parse_tags(self.tags)
            request = uploads.UploadRequest(
                video=uploads.StoredFile(**self._video) if self._video else
                uploads.StoredFile("", 0, "", ""),
                file_name=self.video_name, title=self.title.strip(),
                description=self.description, tags=tag_list, category_id=self.category,
                privacy=self.privacy, made_for_kids=self.made_for_kids,
                thumbnail=uploads.StoredFile(**self._thumb) if self._thumb else None,
                playlist_title=self.playlist, target=target,
                channel_id=int(self.channel_id) if self.channel_id else None,
                group=self.group, fan_out=self.target == "fanout", when_text=self.when_text,
                tz=self.tz, mode=PublishMode(self.mode),
                categories={c["id"] for c in self.category_options} or None)
            if errors:  # still check the other fields, so every problem shows at once
                raise InputErrors({**uploads.check(request), **errors})
            ids = uploads.enqueue(request, actor=self._actor())
        except InputErrors as exc:
            self.errors = {**exc.errors, **errors}
            return rx.toast.error("Nothing was scheduled: fix the fields marked in red.")
        from jobs import scheduler

        scheduler.wake("uploads")
        self._video, self._thumb = {}, {}
        self.video_name = self.video_info = self.thumb_name = ""
        self.video_percent = self.thumb_percent = 0
        self.title = self.description = self.tags = self.playlist = ""
        self.errors = {}
        self._refresh()
        return rx.toast.success(f"Scheduled: job {', '.join(map(str, ids))}.")

    # --- queue actions -------------------------------------------------------------------------

    @rx.event
    @requires(Role.MARKETER)
    def cancel(self, job_id: str) -> Any:
        return self._act(uploads.cancel, job_id, "Cancelled")

    @rx.event
    @requires(Role.MARKETER)
    def retry(self, job_id: str) -> Any:
        return self._act(uploads.retry, job_id, "Queued again")

    def _actor(self) -> auth.CurrentUser:
        """The person acting (the handlers' `requires` already turned anyone else away)."""
        user = self.current_user()
        if user is None:
            raise uploads.NotAllowed("your session ended; log in again")
        return user

    def _act(self, action: Any, job_id: str, done: str) -> Any:
        try:
            action(job_id=int(job_id), actor=self._actor())
        except InputError as exc:
            return rx.toast.error(exc.message)
        except (NotFound, uploads.NotAllowed) as exc:
            return rx.toast.error(str(exc))
        self._refresh()
        return rx.toast.success(f"{done}: job {job_id}.")

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def show_history(self, job_id: str) -> None:
        zone = self.zone()
        with db.read_session() as s:
            events = uploads.history(session=s, job_id=int(job_id))
        row = next((r for r in self.rows if r["id"] == job_id), None)
        self.history_title = f"Job {job_id}: {row['title'] if row else ''}"
        self.history = [{"at": clock.as_utc(e.at).astimezone(zone).strftime("%d %b %H:%M:%S"),
                         "to": e.to_state, "message": e.message, "actor": e.actor}
                        for e in events]
        self.history_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_history_open(self, value: bool) -> None:
        self.history_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def open_reschedule(self, job_id: str) -> None:
        self.reschedule_id, self.reschedule_text, self.reschedule_display = job_id, "", ""
        self.reschedule_open = True

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_reschedule_open(self, value: bool) -> None:
        self.reschedule_open = value

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def set_reschedule_text(self, value: str) -> None:
        self.reschedule_text = value
        try:
            self.reschedule_display = when.parse_when(value, tz=self.tz).display
        except InputError as exc:
            self.reschedule_display = exc.message

    @rx.event
    @requires(Role.MARKETER)
    def reschedule(self) -> Any:
        try:
            uploads.reschedule(job_id=int(self.reschedule_id), when_text=self.reschedule_text,
                               tz=self.tz, actor=self._actor())
        except InputError as exc:
            return rx.toast.error(exc.message)
        except (NotFound, uploads.NotAllowed) as exc:
            return rx.toast.error(str(exc))
        self.reschedule_open = False
        self._refresh()
        return rx.toast.success(f"Rescheduled job {self.reschedule_id}.")
