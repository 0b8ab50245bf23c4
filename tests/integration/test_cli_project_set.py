"""Issue 9, finding 6: `tubefleet project set` changes a project's quota limits, reserves,
preset and audit flags through the same core function as the Settings page
(core.projects.configure_project, whose policy rule is core.quota_policy.merge_policy); a
wrong bucket or value is refused with the valid buckets named, exit status 2, and nothing changes.

The real console command as a subprocess, against a real database (SQLite, and
PostgreSQL when TUBEFLEET_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core import db, projects, quota_policy
from core.errors import InputError
from models import Project
from models.audit import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


def tubefleet(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TUBEFLEET_DATABASE_URL": url,
        "TUBEFLEET_ENV_FILE": "",
        "TUBEFLEET_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def add_project(name: str, **policy: Any) -> Project:
    with db.session() as s:
        return projects.add_project(
            session=s,
            name=name,
            client_id=f"{name}.apps.test",
            client_secret="s3cret",
            actor="test",
            quota_policy={"preset": "current", **policy},
        )


def stored(name: str) -> Project:
    with db.read_session() as s:
        return projects.by_name(session=s, name=name)


@pytest.mark.slow
def test_limits_reserve_and_flags_from_the_command_line(any_database: str, data_dir: Path) -> None:
    add_project("Brand-A", costs={"videos.update": 60})
    row = as_json(
        tubefleet(
            any_database,
            data_dir,
            "project",
            "set",
            "Brand-A",
            "--limit",
            "videos.insert=250",
            "--limit",
            "default=20,000",
            "--reserve",
            "5",
            "--reserve",
            "videos.insert=10",
            "--verified",
            "--consent-testing",
            "--json",
        )
    )
    assert row["limits"] == {"default": 20_000, "videos.insert": 250, "search.list": 100}
    assert row["reserve_percent"] == {"default": 5.0, "videos.insert": 10.0, "search.list": 0.0}
    assert row["verified"] is True and row["consent_testing"] is True
    project = stored("Brand-A")
    assert project.quota_policy == {
        "preset": "current",
        "limits": {"videos.insert": 250, "default": 20_000},
        "reserve_percent": {"default": 5.0, "videos.insert": 10.0},
        "costs": {"videos.update": 60},
    }  # what the command did not name is kept
    assert project.verified and project.consent_testing
    with db.read_session() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "project.update")).all()
    assert [(e.actor, e.target) for e in events] == [("cli", "Brand-A")]

    # What quota counting uses now: `tubefleet quota` shows the new limit and reserve.
    quota = {r["bucket"]: r for r in as_json(tubefleet(any_database, data_dir, "quota", "--json"))}
    assert (quota["default"]["limit"], quota["default"]["reserve"]) == (20_000, 1_000)
    assert (quota["videos.insert"]["limit"], quota["videos.insert"]["reserve"]) == (250, 25)

    # A limit back at the preset's default is no longer stored; flags turn off again.
    done = tubefleet(
        any_database,
        data_dir,
        "project",
        "set",
        "Brand-A",
        "--limit",
        "default=10000",
        "--unverified",
        "--no-consent-testing",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "Brand-A: current model: default 10,000 · "
        "videos.insert 250 · search.list 100; reserve default 5 %"
    )
    project = stored("Brand-A")
    assert project.quota_policy["limits"] == {"videos.insert": 250}
    assert not project.verified and not project.consent_testing


@pytest.mark.slow
def test_another_preset_starts_from_its_own_limits(any_database: str, data_dir: Path) -> None:
    add_project(
        "Old-one",
        limits={"videos.insert": 300, "default": 50_000},
        reserve_percent={"default": 4, "videos.insert": 1},
    )
    row = as_json(
        tubefleet(
            any_database, data_dir, "project", "set", "Old-one", "--preset", "legacy", "--json"
        )
    )
    assert row["quota_policy"] == {"preset": "legacy", "reserve_percent": {"default": 4.0}}
    assert row["limits"] == {"default": 10_000}
    # Limits given together with the preset apply to the new preset.
    row = as_json(
        tubefleet(
            any_database,
            data_dir,
            "project",
            "set",
            "Old-one",
            "--preset",
            "current",
            "--limit",
            "search.list=500",
            "--json",
        )
    )
    assert row["limits"] == {"default": 10_000, "videos.insert": 100, "search.list": 500}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--limit", "uploads=5"],
            "limits: the current preset has no bucket 'uploads' "
            "(buckets: default, videos.insert, search.list)",
        ),
        (
            ["--limit", "videos.insert=lots"],
            "limits: videos.insert limit must be a whole number, got 'lots'",
        ),
        (
            ["--limit", "videos.insert=-1"],
            "limits: videos.insert limit must be a whole number, got '-1'",
        ),
        (
            ["--limit", "250"],
            "limits: expected BUCKET=N, got '250' (buckets: default, videos.insert, search.list)",
        ),
        (
            ["--preset", "legacy", "--limit", "videos.insert=5"],
            "limits: the legacy preset has no bucket 'videos.insert' (buckets: default)",
        ),
        (
            ["--reserve", "search.lst=3"],
            "reserve: the current preset has no bucket "
            "'search.lst' (buckets: default, videos.insert, "
            "search.list)",
        ),
        (["--reserve", "half"], "reserve: default reserve must be a percentage, got 'half'"),
        (["--reserve", "75"], "reserve: default reserve must be between 0 and 50 %, got 75"),
    ],
)
def test_a_wrong_bucket_or_value_changes_nothing(
    database: str, data_dir: Path, args: list[str], message: str
) -> None:
    add_project("Brand-A", limits={"videos.insert": 250})
    before = stored("Brand-A")
    # Valid changes in the same command are not applied either.
    done = tubefleet(
        database, data_dir, "project", "set", "Brand-A", "--verified", "--consent-testing", *args
    )
    assert done.returncode == 2
    assert done.stderr == f"tubefleet: error: {message}\n"
    after = stored("Brand-A")
    assert (after.quota_policy, after.verified, after.consent_testing) == (
        before.quota_policy,
        before.verified,
        before.consent_testing,
    )


@pytest.mark.slow
def test_unknown_project_and_nothing_to_change(database: str, data_dir: Path) -> None:
    add_project("Brand-A")
    done = tubefleet(database, data_dir, "project", "set", "Brand-B", "--verified")
    assert (done.returncode, done.stderr) == (
        2,
        "tubefleet: error: project: no project named 'Brand-B' (projects: Brand-A)\n",
    )
    done = tubefleet(database, data_dir, "project", "set", "Brand-A")
    assert done.returncode == 2 and "nothing to change" in done.stderr
    done = tubefleet(database, data_dir, "project", "set", "Brand-A", "--verified", "--unverified")
    assert done.returncode == 2 and "not allowed with argument" in done.stderr


def test_merge_policy_is_the_settings_page_rule() -> None:
    """The page sends every bucket of the chosen preset as text; values at the preset's
    default are not stored, so the project follows the preset."""
    page = {"default": "10000", "videos.insert": "150", "search.list": "100"}
    assert quota_policy.merge_policy({"preset": "current"}, preset="current", limits=page) == {
        "preset": "current",
        "limits": {"videos.insert": 150},
    }
    assert quota_policy.merge_policy(None, limits={"search.list": "1_000"}) == {
        "preset": "current",
        "limits": {"search.list": 1000},
    }
    current = {
        "preset": "current",
        "limits": {"videos.insert": 150},
        "reserve_percent": {"default": 3.0},
    }
    assert quota_policy.merge_policy(current, reserve_percent={"videos.insert": "2.5%"}) == {
        "preset": "current",
        "limits": {"videos.insert": 150},
        "reserve_percent": {"default": 3.0, "videos.insert": 2.5},
    }
    with pytest.raises(InputError) as refused:
        quota_policy.merge_policy(current, limits={"videos.insert": "1.5"})
    assert refused.value.field == "limits"
    with pytest.raises(InputError):
        quota_policy.merge_policy(current, preset="newest")
