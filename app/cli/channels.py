"""`tubefleet channel|channels`: the channel pool: import a channel, set its state, list it."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.output import CommandError, emit_json, listing, read_secret
from core import channel_reads, channels, db, projects
from core.errors import GoogleError, InputError
from models import ChannelState


def add_parsers(sub: Any) -> None:
    channel = sub.add_parser("channel", help="manage channels")
    channel_sub = channel.add_subparsers(dest="channel_command", required=True, metavar="ACTION")
    imp = channel_sub.add_parser("import", help="add a channel from a refresh token (stdin)")
    imp.add_argument("--project", required=True, help="project name")
    imp.add_argument("--group", default="")
    imp.add_argument("--reserve", action="store_true", help="add it to the reserve pool")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=cmd_channel_import)
    state = channel_sub.add_parser("state", help="set a channel's state")
    state.add_argument("channel_id", type=int)
    state.add_argument(
        "state", choices=[s.value for s in ChannelState if s != ChannelState.NEEDS_REAUTH]
    )
    state.set_defaults(handler=cmd_channel_state)

    chans = sub.add_parser("channels", help="list the channel pool (no secrets)")
    chans.add_argument("--state", choices=[s.value for s in ChannelState])
    chans.add_argument("--group")
    chans.add_argument("--project", help="project name")
    chans.add_argument("--json", action="store_true")
    chans.set_defaults(handler=cmd_channels)


def cmd_channel_import(args: argparse.Namespace) -> int:
    refresh_token = read_secret("Refresh token: ")
    try:
        with db.read_session() as s:
            project = projects.by_name(session=s, name=args.project)
        channel = channels.import_channel(
            project=project,
            refresh_token=refresh_token,
            actor="cli",
            group=args.group,
            state=ChannelState.RESERVE if args.reserve else ChannelState.ACTIVE,
        )
    except InputError as exc:
        raise CommandError(str(exc)) from None
    except GoogleError as exc:
        raise CommandError(f"Google refused: {exc}") from None
    data = channel_reads.public(channel, project.name)
    if args.json:
        emit_json(data)
    else:
        print(
            f"imported {data['title']} ({data['youtube_id']}) as channel {data['id']}, "
            f"state {data['state']}"
        )
    return 0


def cmd_channel_state(args: argparse.Namespace) -> int:
    try:
        with db.session() as s:
            channel = channels.set_state(
                session=s, channel_id=args.channel_id, state=args.state, actor="cli"
            )
            print(f"{channel.title}: {args.state}")
    except (InputError, LookupError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_channels(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        project_id = projects.by_name(session=s, name=args.project).id if args.project else None
        rows = channel_reads.pool_listing(
            session=s,
            filters=channel_reads.ChannelFilter(
                state=args.state or "", group=args.group or "", project_id=project_id
            ),
        )
    listing(
        rows,
        [
            "id",
            "title",
            "state",
            "group",
            "project",
            "token_expires_at",
            "uploads_today",
            "quota_units_today",
            "last_error",
        ],
        args.json,
    )
    return 0
