"""`tubefleet project|projects|channel|channels|keys|tokens`: the channel pool from a terminal."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.output import CommandError, emit_json, listing, read_secret
from core import channels, db, projects, tokens, vault
from core.errors import InputError
from models import ChannelState
from youtube.errors import GoogleError


def add_parsers(sub: Any) -> None:
    project = sub.add_parser("project", help="manage Google Cloud projects (OAuth clients)")
    project_sub = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    add = project_sub.add_parser("add", help="add an OAuth client (client secret from stdin)")
    add.add_argument("name")
    add.add_argument("--client-id", required=True)
    add.add_argument("--verified", action="store_true",
                     help="the project passed Google's API audit (public uploads allowed)")
    add.add_argument("--consent-testing", action="store_true",
                     help="the consent screen is in testing (refresh tokens die after 7 days)")
    add.add_argument("--preset", choices=["current", "legacy"], default="current",
                     help="Google's quota model for this project (default: current)")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_project_add)

    listing_parser = sub.add_parser("projects", help="list projects (no secrets)")
    listing_parser.add_argument("--json", action="store_true")
    listing_parser.set_defaults(handler=cmd_projects)

    channel = sub.add_parser("channel", help="manage channels")
    channel_sub = channel.add_subparsers(dest="channel_command", required=True,
                                         metavar="ACTION")
    imp = channel_sub.add_parser("import", help="add a channel from a refresh token (stdin)")
    imp.add_argument("--project", required=True, help="project name")
    imp.add_argument("--group", default="")
    imp.add_argument("--reserve", action="store_true", help="add it to the reserve pool")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=cmd_channel_import)
    state = channel_sub.add_parser("state", help="set a channel's state")
    state.add_argument("channel_id", type=int)
    state.add_argument("state", choices=[s.value for s in ChannelState
                                         if s != ChannelState.NEEDS_REAUTH])
    state.set_defaults(handler=cmd_channel_state)

    chans = sub.add_parser("channels", help="list the channel pool (no secrets)")
    chans.add_argument("--state", choices=[s.value for s in ChannelState])
    chans.add_argument("--group")
    chans.add_argument("--project", help="project name")
    chans.add_argument("--json", action="store_true")
    chans.set_defaults(handler=cmd_channels)

    keys = sub.add_parser("keys", help="encryption keys of the token vault")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    rotate = keys_sub.add_parser("rotate", help="new key, re-encrypt every secret, retire old")
    rotate.set_defaults(handler=cmd_keys_rotate)

    tok = sub.add_parser("tokens", help="OAuth tokens")
    tok_sub = tok.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    refresh = tok_sub.add_parser("refresh", help="run one token refresh tick now")
    refresh.add_argument("--json", action="store_true")
    refresh.set_defaults(handler=cmd_tokens_refresh)


def cmd_project_add(args: argparse.Namespace) -> int:
    secret = read_secret("Client secret: ")
    try:
        with db.session() as s:
            project = projects.add_project(
                session=s, name=args.name, client_id=args.client_id, client_secret=secret,
                verified=args.verified, consent_testing=args.consent_testing,
                quota_policy={"preset": args.preset}, actor="cli")
            data = projects.public(project)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(data)
    else:
        print(f"added project {data['name']} (id {data['id']})")
    return 0


def cmd_projects(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        rows = [projects.public(p) for p in projects.list_projects(session=s)]
    listing(rows, ["id", "name", "client_id", "verified", "is_sandbox", "consent_testing"],
            args.json)
    return 0


def cmd_channel_import(args: argparse.Namespace) -> int:
    refresh_token = read_secret("Refresh token: ")
    try:
        with db.read_session() as s:
            project = projects.by_name(session=s, name=args.project)
        channel = channels.import_channel(
            project=project, refresh_token=refresh_token, actor="cli", group=args.group,
            state=ChannelState.RESERVE if args.reserve else ChannelState.ACTIVE)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    except GoogleError as exc:
        raise CommandError(f"Google refused: {exc}") from None
    data = channels.public(channel, project.name)
    if args.json:
        emit_json(data)
    else:
        print(f"imported {data['title']} ({data['youtube_id']}) as channel {data['id']}, "
              f"state {data['state']}")
    return 0


def cmd_channel_state(args: argparse.Namespace) -> int:
    try:
        with db.session() as s:
            channel = channels.set_state(session=s, channel_id=args.channel_id,
                                         state=args.state, actor="cli")
            print(f"{channel.title}: {args.state}")
    except (InputError, LookupError) as exc:
        raise CommandError(str(exc)) from None
    return 0


def cmd_channels(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        project_id = projects.by_name(session=s, name=args.project).id if args.project else None
        rows = channels.pool_listing(session=s, filters=channels.ChannelFilter(
            state=args.state or "", group=args.group or "", project_id=project_id))
    listing(rows, ["id", "title", "state", "group", "project", "token_expires_at",
                   "uploads_today", "quota_units_today", "last_error"], args.json)
    return 0


def cmd_keys_rotate(_args: argparse.Namespace) -> int:
    report = vault.rotate()
    print(f"re-encrypted {report.re_encrypted} secrets; retired {report.keys_retired} old "
          f"key(s)" + (f"; key file {report.key_file}" if report.key_file else
                       "; keys come from TUBEFLEET_SECRET_KEY: remove the old keys from it now"))
    return 0


def cmd_tokens_refresh(args: argparse.Namespace) -> int:
    report = tokens.refresh_due()
    data = {"due": report.due, "refreshed": report.refreshed,
            "needs_reauth": report.needs_reauth, "failed": report.failed,
            "seconds": round(report.seconds, 3)}
    if args.json:
        emit_json(data)
    else:
        print(", ".join(f"{k}: {v}" for k, v in data.items()))
    return 0
