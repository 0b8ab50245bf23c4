"""Uploads page, the form: files streamed to disk as they are chosen, the fields, and the
request handed to core (which checks everything again)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.states.session import SessionState, requires
from app.states.upload_queue import UploadQueueState
from app.views.channels import channel_options
from app.views.uploads import category_options, file_info
from core import categories, channel_reads, db, metadata, uploads, when
from core.errors import InputError, InputErrors
from models import PublishMode, Role, TargetKind

FALLBACK_CATEGORIES = {"22": "People & Blogs"}
FIELDS = (
    "title",
    "description",
    "tags",
    "category",
    "privacy",
    "playlist",
    "target",
    "channel_id",
    "group",
    "made_for_kids",
)
TARGETS = {"channel": TargetKind.CHANNEL, "group": TargetKind.GROUP, "fanout": TargetKind.GROUP}


class UploadFormState(SessionState):
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
    # Channels (not disabled) and groups to pick from; the queue's filters use them too.
    channels: list[dict[str, str]] = []
    groups: list[str] = []
    category_options: list[dict[str, str]] = []
    fanout_preview: list[str] = []
    # Counts submissions: a click carries the number it saw, so a double-click's second
    # submit (same number, arriving after the first was scheduled) is dropped, not refused.
    form_version: int = 0
    # Server-side only: where the uploaded files are.
    _video: dict[str, Any] = {}
    _thumb: dict[str, Any] = {}

    @rx.event
    @requires(Role.MARKETER, before_password_change=True)
    def load(self) -> None:
        with db.read_session() as s:
            self.channels = channel_options(channel_reads.upload_targets(session=s))
            self.groups = channel_reads.group_names(session=s)
        self.category_options = category_options(categories.assignable() or FALLBACK_CATEGORIES)
        self._interpret()

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
                self.video_info = file_info(stored.size, stored.kind) if stored else ""
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
        if name not in FIELDS:
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
            # The publish-at rule, said while typing (core.uploads.plan enforces it too).
            problem = uploads.publish_time_problem(PublishMode(self.mode), at)
            if problem:
                self.when_display = ""
                errors["when"] = problem
            else:
                self.when_display = ("now, " + at.display) if at.is_now else at.display
        self.errors = errors

    def _preview(self) -> None:
        """A fan-out's titles, one per channel it will reach."""
        if self.target != "fanout" or not self.group:
            self.fanout_preview = []
            return
        try:
            at = when.parse_when(self.when_text, tz=self.tz)
        except InputError:
            at = when.parse_when("now", tz=self.tz)
        with db.read_session() as s:
            reached = channel_reads.fanout_titles(session=s, group=self.group)
        self.fanout_preview = [
            uploads.render_template(self.title, title, self.group, at) for title in reached
        ]

    # --- submit --------------------------------------------------------------------------------

    @rx.event
    @requires(Role.MARKETER)
    def submit(self, version: int) -> Any:
        if int(version) != self.form_version:
            return None  # the same click again: its upload is already scheduled
        errors: dict[str, str] = {}
        if not self._video:
            errors["file"] = "choose a video file (it uploads as soon as you pick it)"
        try:
            request = self._request()
            if errors:  # still check the other fields, so every problem shows at once
                raise InputErrors({**uploads.check(request), **errors})
            user = self.current_user()
            if user is None:
                raise uploads.NotAllowed("your session ended; log in again")
            ids = uploads.enqueue(request, actor=user)
        except InputErrors as exc:
            self.errors = {**exc.errors, **errors}
            return rx.toast.error("Nothing was scheduled: fix the fields marked in red.")
        from jobs import scheduler

        scheduler.wake("uploads")
        done = self._summary(ids)
        self._reset_form()
        return [rx.toast.success(done), UploadQueueState.refresh]

    def _summary(self, ids: list[int]) -> str:
        """What was scheduled, in the words of the form: title, when, where, how public."""
        where = {
            "auto": "the healthiest channel rotation picks then",
            "channel": next(
                (c["name"] for c in self.channels if c["id"] == self.channel_id), "the channel"
            ),
            "group": f"a channel of group {self.group}",
            "fanout": f"every channel of group {self.group} ({len(ids)} jobs)",
        }.get(self.target, "")
        visibility = (
            "private until then, public at that time"
            if self.mode == PublishMode.PUBLISH_AT.value
            else self.privacy
        )
        jobs = ", ".join(f"#{i}" for i in ids)
        return f"Scheduled “{self.title}” {self.when_display} to {where}, {visibility} ({jobs})."

    def _reset_form(self) -> None:
        """Back to a blank form: nothing of this upload carries into the next one."""
        self._video, self._thumb = {}, {}
        self.video_name = self.video_info = self.thumb_name = ""
        self.video_percent = self.thumb_percent = 0
        self.title = self.description = self.tags = self.playlist = ""
        self.category, self.privacy, self.made_for_kids = "22", "private", False
        self.target, self.channel_id, self.group = "auto", "", ""
        self.when_text, self.mode = "now", PublishMode.UPLOAD_AT.value
        self.fanout_preview, self.errors = [], {}
        self.form_version += 1
        self._interpret()

    def _request(self) -> uploads.UploadRequest:
        return uploads.UploadRequest(
            video=uploads.StoredFile(**self._video)
            if self._video
            else uploads.StoredFile("", 0, "", ""),
            file_name=self.video_name,
            title=self.title.strip(),
            description=self.description,
            tags=metadata.parse_tags(self.tags),
            category_id=self.category,
            privacy=self.privacy,
            made_for_kids=self.made_for_kids,
            thumbnail=uploads.StoredFile(**self._thumb) if self._thumb else None,
            playlist_title=self.playlist,
            target=TARGETS.get(self.target, TargetKind.AUTO),
            channel_id=int(self.channel_id) if self.channel_id else None,
            group=self.group,
            fan_out=self.target == "fanout",
            when_text=self.when_text,
            tz=self.tz,
            mode=PublishMode(self.mode),
            categories={c["id"] for c in self.category_options} or None,
        )
