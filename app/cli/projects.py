"""`tubefleet project|projects`: Google Cloud projects (OAuth clients) and their quota policy."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import demo
from app.cli.output import CommandError, emit_json, listing, read_secret
from core import db, projects, quota
from core.errors import InputError, NotFound
from core.process import mode as current_mode
from models import Project


def add_parsers(sub: Any) -> None:
    project = sub.add_parser("project", help="manage Google Cloud projects (OAuth clients)")
    project_sub = project.add_subparsers(dest="project_command", required=True, metavar="ACTION")
    add = project_sub.add_parser(
        "add",
        help="add an OAuth client (client secret from stdin); in sandbox mode the "
        "sandbox registers it",
        description="Add a Google Cloud project's OAuth client. In sandbox mode the project "
        "is created in the sandbox too (its client id and secret come from the "
        "sandbox unless --client-id is given, then the secret is read from stdin); "
        "--google adds a real Google project instead.",
    )
    add.add_argument("name")
    add.add_argument("--client-id", help="the OAuth client ID (required for Google projects)")
    add.add_argument(
        "--google",
        action="store_true",
        help="in sandbox mode: a real Google project, not a sandbox one",
    )
    add.add_argument(
        "--verified",
        action="store_true",
        help="the project passed Google's API audit (public uploads allowed)",
    )
    add.add_argument(
        "--consent-testing",
        action="store_true",
        help="the consent screen is in testing (refresh tokens die after 7 days)",
    )
    add.add_argument(
        "--preset",
        choices=list(projects.PRESETS),
        default="current",
        help="Google's quota model for this project (default: current)",
    )
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=cmd_project_add)

    change = project_sub.add_parser(
        "set",
        help="change a project's quota limits, reserve, preset and audit flags",
        description="Change a project as the Settings page does. Buckets: "
        + "; ".join(
            f"{name} preset: {', '.join(p['buckets'])}" for name, p in projects.PRESETS.items()
        )
        + ". A limit equal to the preset's default follows the preset again.",
    )
    change.add_argument("name")
    change.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="BUCKET=N",
        help="the bucket's daily limit (repeat for several buckets)",
    )
    change.add_argument(
        "--reserve",
        action="append",
        default=[],
        metavar="PERCENT|BUCKET=PERCENT",
        help="percent of the bucket kept for finishing uploads already "
        f"started (no bucket: {projects.DEFAULT_BUCKET}); repeatable",
    )
    change.add_argument(
        "--preset",
        choices=list(projects.PRESETS),
        help="Google's quota model (another preset starts from its limits)",
    )
    flags = change.add_mutually_exclusive_group()
    flags.add_argument(
        "--verified",
        dest="verified",
        action="store_true",
        default=None,
        help="passed Google's API audit (public uploads allowed)",
    )
    flags.add_argument("--unverified", dest="verified", action="store_false")
    testing = change.add_mutually_exclusive_group()
    testing.add_argument(
        "--consent-testing",
        dest="consent_testing",
        action="store_true",
        default=None,
        help="the consent screen is in testing",
    )
    testing.add_argument("--no-consent-testing", dest="consent_testing", action="store_false")
    change.add_argument("--json", action="store_true")
    change.set_defaults(handler=cmd_project_set)

    listing_parser = sub.add_parser("projects", help="list projects (no secrets)")
    listing_parser.add_argument("--json", action="store_true")
    listing_parser.set_defaults(handler=cmd_projects)


def cmd_project_add(args: argparse.Namespace) -> int:
    in_sandbox = current_mode() == "sandbox" and not args.google
    if not in_sandbox and not args.client_id:
        raise CommandError("--client-id is required for a Google project")
    secret = read_secret("Client secret: ") if args.client_id else None
    try:
        if in_sandbox:
            data = demo.add_sandbox_project(
                name=args.name,
                client_id=args.client_id,
                client_secret=secret,
                verified=args.verified,
                consent_testing=args.consent_testing,
                preset=args.preset,
            )
        else:
            with db.session() as s:
                project = projects.add_project(
                    session=s,
                    name=args.name,
                    client_id=args.client_id or "",
                    client_secret=secret or "",
                    verified=args.verified,
                    consent_testing=args.consent_testing,
                    quota_policy={"preset": args.preset},
                    actor="cli",
                )
                data = projects.public(project)
    except InputError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(data)
    else:
        where = " in the sandbox" if data["is_sandbox"] else ""
        print(
            f"added project {data['name']} (id {data['id']}){where}, client id {data['client_id']}"
        )
    return 0


def _assignments(
    values: list[str], field: str, bare_bucket: str | None, preset: str
) -> dict[str, str]:
    """`--limit videos.insert=200` style options as {bucket: text}; a value without a
    bucket goes to `bare_bucket` (or is refused when there is none)."""
    found: dict[str, str] = {}
    for text in values:
        bucket, sep, value = text.partition("=")
        if not sep:
            if bare_bucket is None:
                buckets = ", ".join(projects.PRESETS[preset]["buckets"])
                raise InputError(field, f"expected BUCKET=N, got {text!r} (buckets: {buckets})")
            bucket, value = bare_bucket, text
        found[bucket.strip()] = value.strip()
    return found


def project_row(project: Project) -> dict[str, Any]:
    """A project with its effective limits and reserves (what quota counting uses)."""
    policy = quota.policy_of(project)
    limits = projects.bucket_limits(policy)
    return {
        **projects.public(project),
        "limits": limits,
        "reserve_percent": {b: quota.reserve_percent(policy, b) for b in limits},
    }


def cmd_project_set(args: argparse.Namespace) -> int:
    if not (
        args.limit
        or args.reserve
        or args.preset
        or args.verified is not None
        or args.consent_testing is not None
    ):
        raise CommandError(
            "nothing to change: give --limit, --reserve, --preset, "
            "--verified/--unverified or --consent-testing/--no-consent-testing"
        )
    try:
        with db.session() as s:
            project = projects.by_name(session=s, name=args.name)
            preset = args.preset or quota.policy_of(project).get("preset", "current")
            project = projects.configure_project(
                session=s,
                project_id=project.id or 0,
                actor="cli",
                preset=args.preset,
                limits=_assignments(args.limit, "limits", None, preset),
                reserve_percent=_assignments(
                    args.reserve, "reserve", projects.DEFAULT_BUCKET, preset
                ),
                verified=args.verified,
                consent_testing=args.consent_testing,
            )
            data = project_row(project)
            summary = projects.policy_summary(project)
    except (InputError, NotFound) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(data)
    else:
        reserves = ", ".join(f"{b} {p:g} %" for b, p in data["reserve_percent"].items())
        print(
            f"{data['name']}: {summary}; reserve {reserves}; "
            f"verified {'yes' if data['verified'] else 'no'}; "
            f"consent testing {'yes' if data['consent_testing'] else 'no'}"
        )
    return 0


def cmd_projects(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        rows = [projects.public(p) for p in projects.list_projects(session=s)]
    listing(
        rows, ["id", "name", "client_id", "verified", "is_sandbox", "consent_testing"], args.json
    )
    return 0
