"""`tubefleet upload`, `tubefleet jobs` and `tubefleet job`: schedule and follow uploads.

The CLI acts as the system (`uploads.CLI`), with an admin's rights over every job: whoever
can run it on the server can read the database and the key file anyway. Jobs it creates
belong to no person, so in the UI only operators and admins may change them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.output import CommandError, emit_json, listing
from core import categories, db, metadata, uploads
from core.errors import InputError, InputErrors, NotFound
from models import PublishMode, TargetKind, UploadJob, UploadState


def _local_zone() -> str:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # an unusual system setup must not stop an upload
        return "UTC"


def add_parsers(sub: Any) -> None:
    up = sub.add_parser("upload", help="schedule an upload (prints the job id)")
    up.add_argument("file", type=Path)
    up.add_argument("--title", required=True)
    up.add_argument("--description", default="")
    up.add_argument("--tags", default="", help="comma separated")
    up.add_argument("--category", default="22", help="videoCategories id (22 = People & Blogs)")
    up.add_argument("--privacy", default="private", choices=list(metadata.PRIVACY_STATUSES))
    up.add_argument("--made-for-kids", action="store_true")
    up.add_argument("--thumbnail", type=Path)
    up.add_argument("--playlist", default="", help="playlist title (created if missing)")
    target = up.add_mutually_exclusive_group()
    target.add_argument("--channel", type=int, help="channel id (see tubefleet channels)")
    target.add_argument("--group", help="the healthiest channel of this group")
    target.add_argument(
        "--auto", action="store_true", help="the healthiest channel of the pool (the default)"
    )
    up.add_argument(
        "--fan-out",
        action="store_true",
        help="with --group: one upload per enabled channel of the group "
        "({channel} in title/description becomes each channel's name)",
    )
    up.add_argument(
        "--at",
        default="now",
        help='when: "now", "tomorrow 9am", "next friday 18:00", "in 2 hours", '
        '"2026-12-01 14:30 Europe/Berlin"',
    )
    up.add_argument(
        "--publish-at", action="store_true", help="upload now as private; YouTube publishes at --at"
    )
    up.add_argument("--tz", default=None, help="time zone for --at (default: this machine's)")
    up.add_argument("--json", action="store_true")
    up.set_defaults(handler=cmd_upload)

    jobs = sub.add_parser("jobs", help="list upload jobs")
    jobs.add_argument("--state", choices=[s.value for s in UploadState])
    jobs.add_argument("--channel", type=int)
    jobs.add_argument("--group")
    jobs.add_argument("--limit", type=int, default=100)
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(handler=cmd_jobs)

    job = sub.add_parser(
        "job", help="one upload job with its history; or cancel, retry or reschedule it"
    )
    job.add_argument("job_id", type=int)
    job.add_argument(
        "action", nargs="?", choices=["show", "cancel", "retry", "reschedule"], default="show"
    )
    job.add_argument(
        "--at", help="with reschedule: the new time (for publish-at jobs, when YouTube publishes)"
    )
    job.add_argument("--tz", default=None, help="time zone for --at (default: this machine's)")
    job.add_argument("--json", action="store_true")
    job.set_defaults(handler=cmd_job)


def cmd_upload(args: argparse.Namespace) -> int:
    if args.fan_out and not args.group:
        raise CommandError("--fan-out needs --group")
    stored: list[uploads.StoredFile] = []
    try:
        video = uploads.store_path(args.file)
        stored.append(video)
        thumb = uploads.store_path(args.thumbnail, thumbnail=True) if args.thumbnail else None
        if thumb:
            stored.append(thumb)
        kind = (
            TargetKind.CHANNEL
            if args.channel
            else TargetKind.GROUP
            if args.group
            else TargetKind.AUTO
        )
        request = uploads.UploadRequest(
            video=video,
            file_name=args.file.name,
            title=args.title,
            description=args.description,
            tags=metadata.parse_tags(args.tags),
            category_id=args.category,
            privacy=args.privacy,
            made_for_kids=args.made_for_kids,
            thumbnail=thumb,
            playlist_title=args.playlist,
            target=kind,
            channel_id=args.channel,
            group=args.group or "",
            fan_out=args.fan_out,
            when_text=args.at,
            tz=args.tz or _local_zone(),
            mode=PublishMode.PUBLISH_AT if args.publish_at else PublishMode.UPLOAD_AT,
            categories=set(categories.assignable()) or None,
        )
        ids = uploads.enqueue(request, actor=uploads.CLI)
    except InputErrors as exc:
        _discard(stored)
        raise CommandError(
            "nothing was scheduled:\n"
            + "\n".join(f"  {field}: {message}" for field, message in exc.errors.items())
        ) from None
    except InputError as exc:
        _discard(stored)
        raise CommandError(f"nothing was scheduled: {exc}") from None
    if args.json:
        emit_json({"job_ids": ids})
    else:
        for job_id in ids:
            print(job_id)
    return 0


def _discard(stored: list[uploads.StoredFile]) -> None:
    for item in stored:
        uploads.discard(item)


def cmd_jobs(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        titles = uploads.channel_titles(session=s)
        rows = [
            uploads.public(j, titles)
            for j in uploads.list_jobs(
                session=s,
                filters=uploads.JobFilter(
                    state=args.state or "",
                    channel_id=args.channel,
                    group=args.group or "",
                    limit=args.limit,
                ),
            )
        ]
    listing(
        rows,
        [
            "id",
            "state",
            "title",
            "channel",
            "scheduled_for",
            "bytes_confirmed",
            "file_size",
            "video_id",
            "reason",
        ],
        args.json,
    )
    return 0


def cmd_job(args: argparse.Namespace) -> int:
    try:
        if args.action == "cancel":
            uploads.cancel(job_id=args.job_id, actor=uploads.CLI)
        elif args.action == "retry":
            uploads.retry(job_id=args.job_id, actor=uploads.CLI)
        elif args.action == "reschedule":
            if not args.at:
                raise CommandError("reschedule needs --at WHEN")
            uploads.reschedule(
                job_id=args.job_id,
                when_text=args.at,
                tz=args.tz or _local_zone(),
                actor=uploads.CLI,
            )
        with db.read_session() as s:
            job = s.get(UploadJob, args.job_id)
            if job is None:
                raise NotFound(f"upload job {args.job_id} does not exist")
            data = uploads.public(job, uploads.channel_titles(session=s))
            data["history"] = [
                {
                    "at": e.at,
                    "from": e.from_state,
                    "to": e.to_state,
                    "message": e.message,
                    "actor": e.actor,
                }
                for e in uploads.history(session=s, job_id=args.job_id)
            ]
    except (InputError, NotFound) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(data)
        return 0
    for key in (
        "id",
        "state",
        "reason",
        "title",
        "channel",
        "video_id",
        "scheduled_for",
        "bytes_confirmed",
        "file_size",
        "attempts",
        "last_error",
        "warning",
    ):
        print(f"{key:>16}: {data[key] if data[key] is not None else ''}")
    print("         history:")
    for event in data["history"]:
        print(
            f"    {event['at']:%Y-%m-%d %H:%M:%S} {event['from'] or '-':>15} -> "
            f"{event['to']:<15} {event['message']}"
        )
    return 0
