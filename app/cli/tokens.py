"""`tubefleet token create|list|revoke`: API tokens for pipelines."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from app.cli.output import CommandError, emit_json, listing
from core import api_tokens, db
from core.auth import SystemActor
from core.errors import InputError, NotFound
from models import Role, User

CLI = SystemActor("cli")


def add_parsers(sub: Any) -> None:
    token = sub.add_parser("token", help="manage API tokens for pipelines")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser(
        "create", help="make a token for a user (printed once; only its hash is kept)"
    )
    create.add_argument("owner", help="the email of the user the token acts as")
    create.add_argument("--name", required=True, help="what it is for, e.g. 'render farm'")
    create.add_argument(
        "--role", choices=[r.value for r in Role], help="at most the owner's (the default)"
    )
    create.add_argument("--expires-days", type=int, metavar="N", help="expire after N days")
    create.add_argument("--group", default="", help="only jobs of this channel group")
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=cmd_create)
    show = token_sub.add_parser("list", help="list tokens (never their secrets)")
    show.add_argument("--owner", help="only this user's tokens (email)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token for good")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=cmd_revoke)


def cmd_create(args: argparse.Namespace) -> int:
    expires = None
    if args.expires_days is not None:
        if args.expires_days < 1:
            raise CommandError("--expires-days must be at least 1")
        expires = datetime.now(UTC) + timedelta(days=args.expires_days)
    try:
        with db.session() as s:
            public, plain = api_tokens.create_token(
                session=s,
                actor=CLI,
                owner_email=args.owner,
                name=args.name,
                role=args.role,
                expires_at=expires,
                group=args.group,
            )
    except InputError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json({**public.model_dump(mode="json"), "token": plain})
    else:
        print(f"token {public.id} ({public.name}) for {public.owner}, role {public.role.value}")
        print("copy it now; it is not shown again:")
        print(plain)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        owner_id = None
        if args.owner:
            user = s.exec(select(User).where(User.email == args.owner.strip().lower())).first()
            if user is None:
                raise CommandError(f"owner: no user with email {args.owner}")
            owner_id = user.id
        rows = [
            t.model_dump(mode="json") for t in api_tokens.list_tokens(session=s, owner_id=owner_id)
        ]
    columns = ["id", "name", "owner", "role", "group", "prefix", "expires_at", "last_used_at"]
    listing(rows, [*columns, "revoked_at"], args.json)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    try:
        with db.session() as s:
            api_tokens.revoke_token(session=s, token_id=args.id, actor=CLI)
    except NotFound as exc:
        raise CommandError(str(exc)) from None
    print(f"token {args.id} revoked")
    return 0
