"""`tubefleet quota` and `tubefleet alerts`: today's quota and the alert list from a terminal."""

from __future__ import annotations

import argparse
from typing import Any

from sqlmodel import Session, select

from app.cli.output import CommandError, emit_json, listing
from core import alerts, clock, db, projects, quota_report
from core.errors import InputError
from models import Alert, AlertStatus, Channel, Severity

STATUSES = ["open", "acknowledged", "resolved", "all"]
QUOTA_COLUMNS = [
    "project",
    "bucket",
    "used",
    "limit",
    "reserve",
    "percent",
    "level",
    "resets_at",
    "runs_out_at",
]
ALERT_COLUMNS = [
    "id",
    "severity",
    "status",
    "kind",
    "subject",
    "project",
    "occurrences",
    "last_raised_at",
    "muted_until",
]


def add_parsers(sub: Any) -> None:
    q = sub.add_parser(
        "quota",
        help="today's quota per project and bucket (used, limit, reserve, reset)",
        description="Today's quota per Google Cloud project and bucket. The day runs "
        "midnight to midnight Pacific time; times are UTC.",
    )
    q.add_argument("--project", metavar="NAME", help="only this project")
    q.add_argument("--json", action="store_true", help="print JSON for scripts")
    q.set_defaults(handler=cmd_quota)

    a = sub.add_parser(
        "alerts", help="list alerts (unresolved ones unless --status says otherwise)"
    )
    a.add_argument("--severity", choices=[s.value for s in Severity])
    a.add_argument("--kind", help="e.g. quota.threshold, quota.exhausted")
    a.add_argument(
        "--status",
        choices=STATUSES,
        default="open",
        help="open = not resolved yet, acknowledged or not (default: open)",
    )
    a.add_argument("--project", metavar="NAME", help="only alerts about this project")
    a.add_argument(
        "--limit", type=_positive, default=200, help="at most this many, newest first (default 200)"
    )
    a.add_argument("--json", action="store_true", help="print JSON for scripts")
    a.set_defaults(handler=cmd_alerts)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= number <= 10_000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 10000, got {number}")
    return number


def _project_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    try:
        return projects.by_name(session=session, name=name).id
    except InputError as exc:
        raise CommandError(exc.message) from None


def cmd_quota(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        project_id = _project_id(s, args.project)
        buckets = quota_report.bucket_status(session=s, project_id=project_id)
    if args.json:
        emit_json([b.public() for b in buckets])
        return 0
    if not buckets:
        print("no projects yet: add one with `tubefleet project add` or on the Settings page")
        return 0
    listing(
        [
            {
                **b.public(),
                "percent": f"{b.percent:.1f} %",
                "resets_at": b.resets_at,
                "runs_out_at": b.runs_out_at or "",
            }
            for b in buckets
        ],
        QUOTA_COLUMNS,
        False,
    )
    return 0


def alert_public(alert: Alert, project: str, channel: str) -> dict[str, Any]:
    """One alert as `tubefleet alerts --json` prints it (times ISO 8601, UTC)."""

    def iso(value: Any) -> str | None:
        return clock.as_utc(value).isoformat() if value else None

    return {
        "id": alert.id,
        "severity": Severity(alert.severity).value,
        "kind": alert.kind,
        "status": AlertStatus(alert.status).value,
        "subject": alert.subject,
        "message": alert.message,
        "project_id": alert.project_id,
        "project": project,
        "channel_id": alert.channel_id,
        "channel": channel,
        "occurrences": alert.occurrences,
        "first_raised_at": iso(alert.first_raised_at),
        "last_raised_at": iso(alert.last_raised_at),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": iso(alert.acknowledged_at),
        "resolved_by": alert.resolved_by,
        "resolved_at": iso(alert.resolved_at),
        "muted": alerts.is_muted(alert),
        "muted_until": iso(alert.muted_until) if alerts.is_muted(alert) else None,
        "muted_by": alert.muted_by if alerts.is_muted(alert) else None,
    }


def cmd_alerts(args: argparse.Namespace) -> int:
    with db.read_session() as s:
        project_id = _project_id(s, args.project)
        filters = alerts.AlertFilter(
            severity=args.severity or "",
            kind=args.kind or "",
            status="" if args.status == "all" else args.status,
            project_id=project_id,
        )
        found = alerts.list_alerts(session=s, filters=filters, limit=args.limit)
        names = {p.id: p.name for p in projects.list_projects(session=s)}
        channel_ids = {a.channel_id for a in found if a.channel_id}
        titles = (
            dict(
                s.exec(select(Channel.id, Channel.title).where(Channel.id.in_(channel_ids))).all()  # type: ignore[union-attr]
            )
            if channel_ids
            else {}
        )
    rows = [
        alert_public(
            a,
            names.get(a.project_id, "") if a.project_id else "",
            titles.get(a.channel_id, "") if a.channel_id else "",
        )
        for a in found
    ]
    if args.json:
        emit_json(rows)
    else:
        listing([{**r, "muted_until": r["muted_until"] or ""} for r in rows], ALERT_COLUMNS, False)
    return 0
