"""`tubefleet user add|reset-password` and `tubefleet users`."""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import select

from app.cli.output import CommandError, emit_json, listing, read_secret
from core import auth, db
from core.errors import InputError
from models import Role, User, UserPublic


def add_parsers(sub: Any) -> None:
    user = sub.add_parser("user", help="manage people who can log in")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add a user (password read from stdin)")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--json", action="store_true", help="print the new user as JSON")
    add.set_defaults(handler=cmd_add)
    reset = user_sub.add_parser(
        "reset-password", help="set a new password (from stdin, or generated with --generate)"
    )
    reset.add_argument("email")
    reset.add_argument(
        "--generate", action="store_true", help="generate a one-time password and print it"
    )
    reset.set_defaults(handler=cmd_reset)

    users = sub.add_parser("users", help="list users")
    users.add_argument("--json", action="store_true")
    users.set_defaults(handler=cmd_list)


def _public(user: User) -> dict[str, Any]:
    return UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")


def cmd_add(args: argparse.Namespace) -> int:
    password = read_secret("Password: ")
    try:
        with db.session() as s:
            user = auth.create_user(
                session=s, email=args.email, password=password, role=args.role, actor="cli"
            )
            data = _public(user)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(data)
    else:
        print(f"added {data['email']} ({data['role']})")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    password = auth.generate_password() if args.generate else read_secret("New password: ")
    try:
        with db.session() as s:
            auth.set_password(
                session=s, email=args.email, password=password, one_time=args.generate, actor="cli"
            )
    except InputError as exc:
        raise CommandError(str(exc)) from None
    if args.generate:
        print(f"one-time password for {args.email}: {password}")
    else:
        print(f"password changed for {args.email}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        rows = [_public(u) for u in s.exec(select(User).order_by(User.email)).all()]
    listing(rows, ["id", "email", "role", "disabled", "last_login_at"], args.json)
    return 0
