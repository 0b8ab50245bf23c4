"""`tubefleet quota` and `tubefleet alerts`: the real console script against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core import alerts, clock, db, projects, quota_ledger
from core.quota import Priority
from models import Project, Severity

TUBEFLEET = Path(sys.executable).parent / "tubefleet"
QUOTA_KEYS = {
    "project_id",
    "project",
    "bucket",
    "day",
    "used",
    "limit",
    "reserve",
    "upload_ceiling",
    "background_ceiling",
    "percent",
    "level",
    "exhausted",
    "exhausted_at",
    "resets_at",
    "rate_per_hour",
    "runs_out_at",
}
ALERT_KEYS = {
    "id",
    "severity",
    "kind",
    "status",
    "subject",
    "message",
    "project_id",
    "project",
    "channel_id",
    "channel",
    "occurrences",
    "first_raised_at",
    "last_raised_at",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_by",
    "resolved_at",
    "muted",
    "muted_until",
    "muted_by",
}


def tubefleet(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUBEFLEET_DATABASE_URL": url,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [str(TUBEFLEET), *args], env=env, text=True, capture_output=True, timeout=120, check=False
    )


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def add_project(name: str, **policy: object) -> Project:
    with db.session() as s:
        return projects.add_project(
            session=s,
            name=name,
            client_id=f"{name.replace(' ', '-')}.apps.test",
            client_secret="s3cret",
            actor="test",
            quota_policy={"preset": "current", **policy},
        )


def charge(project: Project, method: str, times: int = 1) -> None:
    for _ in range(times):
        r = quota_ledger.reserve(project=project, method=method, priority=Priority.UPLOAD)
        quota_ledger.settle(r, "ok")


def test_quota_json_lists_each_project_and_bucket(database: str, data_dir: Path) -> None:
    brand = add_project("Brand A", limits={"videos.insert": 250})
    add_project("Old project", preset="legacy")
    charge(brand, "videos.insert", 3)
    charge(brand, "thumbnails.set", 2)
    before = clock.now()
    rows = as_json(tubefleet(database, data_dir, "quota", "--json"))
    after = clock.now()

    assert [(r["project"], r["bucket"]) for r in rows] == [
        ("Brand A", "default"),
        ("Brand A", "videos.insert"),
        ("Brand A", "search.list"),
        ("Old project", "default"),
    ]
    assert all(set(r) == QUOTA_KEYS for r in rows)
    shared, inserts, searches, legacy = rows
    assert (shared["used"], shared["limit"], shared["reserve"]) == (100, 10_000, 200)
    assert (inserts["used"], inserts["limit"], inserts["reserve"]) == (3, 250, 0)
    assert inserts["percent"] == 1.2 and inserts["level"] == "ok"
    assert inserts["exhausted"] is False and inserts["exhausted_at"] is None
    assert searches["used"] == 0 and legacy["used"] == 0 and legacy["limit"] == 10_000
    resets = datetime.fromisoformat(shared["resets_at"])
    assert resets.utcoffset() == timedelta(0)
    assert resets in {clock.next_pacific_midnight(before), clock.next_pacific_midnight(after)}
    assert all(isinstance(r[k], int) for r in rows for k in ("used", "limit", "reserve"))


def test_quota_for_one_project_and_the_table_for_people(database: str, data_dir: Path) -> None:
    add_project("Brand A")
    brand_b = add_project("Brand B")
    charge(brand_b, "videos.list", 7)
    rows = as_json(tubefleet(database, data_dir, "quota", "--project", "Brand B", "--json"))
    assert {r["project"] for r in rows} == {"Brand B"}
    assert rows[0]["used"] == 7

    table = tubefleet(database, data_dir, "quota")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "PROJECT",
        "BUCKET",
        "USED",
        "LIMIT",
        "RESERVE",
        "PERCENT",
        "LEVEL",
        "RESETS_AT",
        "RUNS_OUT_AT",
    ]
    assert any(line.startswith("Brand B") and " 7 " in line and "10000" in line for line in lines)


def test_unknown_project_is_a_clear_error(database: str, data_dir: Path) -> None:
    add_project("Brand A")
    for command in ("quota", "alerts"):
        done = tubefleet(database, data_dir, command, "--project", "Brnd A")
        assert done.returncode == 2
        assert done.stderr.strip() == (
            "tubefleet: error: no project named 'Brnd A' (projects: Brand A)"
        )
    done = tubefleet(database, data_dir, "alerts", "--severity", "urgent")
    assert done.returncode == 2 and "invalid choice: 'urgent'" in done.stderr


def test_no_projects_yet_says_how_to_add_one(database: str, data_dir: Path) -> None:
    assert as_json(tubefleet(database, data_dir, "quota", "--json")) == []
    done = tubefleet(database, data_dir, "quota")
    assert done.returncode == 0 and "no projects yet" in done.stdout


@pytest.fixture
def three_alerts(database: str) -> dict[str, int]:
    brand = add_project("Brand A")
    add_project("Brand B")
    ids = {}
    with db.session() as s:
        for kind, severity, subject in (
            ("quota.threshold", Severity.WARNING, "Brand A: default at 80%"),
            ("quota.exhausted", Severity.CRITICAL, "Brand A: videos.insert exhausted"),
            ("token.dead", Severity.CRITICAL, "Travel Notes: refresh token revoked"),
        ):
            alert, _ = alerts.raise_alert(
                session=s,
                kind=kind,
                severity=severity,
                subject=subject,
                message="test",
                project_id=brand.id,
            )
            ids[kind] = alert.id or 0
        alerts.raise_alert(
            session=s,
            kind="quota.threshold",
            severity=Severity.WARNING,
            subject="Brand A: default at 80%",
            message="again",
            project_id=brand.id,
        )
    with db.session() as s:
        alerts.acknowledge(session=s, alert_id=ids["quota.exhausted"], actor="ops@example.com")
        alerts.resolve(session=s, alert_id=ids["token.dead"], actor="lead@example.com")
        alerts.mute(session=s, alert_id=ids["quota.threshold"], hours=3, actor="ops@example.com")
    return ids


def test_alerts_json_lists_unresolved_ones_by_default(
    database: str, data_dir: Path, three_alerts: dict[str, int]
) -> None:
    rows = as_json(tubefleet(database, data_dir, "alerts", "--json"))
    assert all(set(r) == ALERT_KEYS for r in rows)
    by_kind = {r["kind"]: r for r in rows}
    assert set(by_kind) == {"quota.threshold", "quota.exhausted"}
    threshold = by_kind["quota.threshold"]
    assert threshold["occurrences"] == 2 and threshold["status"] == "open"
    assert threshold["project"] == "Brand A" and threshold["muted"] is True
    assert threshold["muted_by"] == "ops@example.com"
    muted_until = datetime.fromisoformat(threshold["muted_until"])
    assert abs(muted_until - (clock.now() + timedelta(hours=3))) < timedelta(minutes=1)
    exhausted = by_kind["quota.exhausted"]
    assert exhausted["status"] == "acknowledged"
    assert exhausted["acknowledged_by"] == "ops@example.com"
    assert datetime.fromisoformat(exhausted["acknowledged_at"]).utcoffset() == timedelta(0)


@pytest.mark.slow
def test_alerts_filters(database: str, data_dir: Path, three_alerts: dict[str, int]) -> None:
    def kinds(*args: str) -> list[str]:
        return sorted(
            r["kind"] for r in as_json(tubefleet(database, data_dir, "alerts", "--json", *args))
        )

    assert kinds("--status", "all") == ["quota.exhausted", "quota.threshold", "token.dead"]
    assert kinds("--status", "resolved") == ["token.dead"]
    assert kinds("--status", "acknowledged") == ["quota.exhausted"]
    assert kinds("--severity", "critical") == ["quota.exhausted"]
    assert kinds("--severity", "critical", "--status", "all") == ["quota.exhausted", "token.dead"]
    assert kinds("--kind", "quota.threshold") == ["quota.threshold"]
    assert kinds("--project", "Brand B") == []
    resolved = as_json(tubefleet(database, data_dir, "alerts", "--json", "--status", "resolved"))[0]
    assert resolved["resolved_by"] == "lead@example.com" and resolved["resolved_at"]
    table = tubefleet(database, data_dir, "alerts")
    assert table.returncode == 0 and table.stdout.splitlines()[0].split()[:3] == [
        "ID",
        "SEVERITY",
        "STATUS",
    ]
