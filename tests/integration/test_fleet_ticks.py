"""The periodic ticks at fleet scale: the claim and "next up" read the unfinished jobs'
index, rotation's per-channel counters stay equal to a rebuild from the jobs, a fleet-wide
periodic job runs once per interval whichever process ticks, and media pruning deletes
exactly the files no job needs."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, select

from core import clock, db, periodic, rotation, uploads
from core.rotation import stats
from core.settings import reload_settings
from core.uploads.media import media_dir
from core.uploads.runner import claim_due
from models import Channel, PeriodicRun, TargetKind, UploadJob, UploadState
from tests.integration.world import SandboxWorld, fake_video, run_jobs_until_done

SYSTEM = uploads.CLI


def _job(state: UploadState, *, finished_days_ago: float | None = None, **fields: Any) -> UploadJob:
    now = clock.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    values: dict[str, Any] = {
        "created_at": now - timedelta(days=400),
        "created_by": "cli",
        "updated_at": now,
        "state": state,
        "not_before": (finished or now) - timedelta(minutes=5),
        "scheduled_for": (finished or now) - timedelta(minutes=5),
        "target_kind": TargetKind.AUTO,
        "file_path": "/nowhere/video.mp4",
        "file_name": "video.mp4",
        "file_size": 1000,
        "file_md5": "0" * 32,
        "title": "a video",
        "finished_at": finished,
    }
    values.update(fields)
    return UploadJob(**values)


def _statements(run: Any) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) `run` sends to the database."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append((sql, params))

    engine = db.engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _plan(sql: str, params: Any) -> str:
    """The database's plan for one statement, as text."""
    with db.read_session() as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            return "\n".join(str(row[-1]) for row in rows)
        rows = conn.exec_driver_sql("EXPLAIN " + sql, params).all()
        return "\n".join(str(row[0]) for row in rows)


def _full_scans(plan: str) -> list[str]:
    """Lines of a plan that read every row of upload_jobs."""
    return [
        line
        for line in plan.splitlines()
        if "Seq Scan on upload_jobs" in line
        or line.strip() == "SCAN upload_jobs"
        or line.strip().startswith("SCAN upload_jobs USING ROWID")
    ]


def test_the_claim_and_next_up_read_only_unfinished_jobs(any_database: str) -> None:
    """With thousands of finished jobs and fresh statistics, neither the runner's claim nor
    the Overview's "next up" reads the whole job table, on either database."""
    with db.session() as s:
        s.add_all(_job(UploadState.PUBLISHED, finished_days_ago=i / 10 + 1) for i in range(3000))
        s.add_all(_job(UploadState.FAILED, finished_days_ago=i + 1) for i in range(60))
        s.add_all(
            _job(UploadState.SCHEDULED, not_before=clock.now() + timedelta(hours=i + 1))
            for i in range(15)
        )
        s.add_all(_job(UploadState.QUEUED) for _ in range(5))
    with db.session() as s:
        s.execute(text("ANALYZE"))

    def claim() -> None:
        with db.session() as s:
            assert len(claim_due(s, owner="test", running=[], limit=8)) == 5
            s.rollback()

    def next_up() -> None:
        with db.read_session() as s:
            found = uploads.next_scheduled(session=s)
            assert [UploadState(j.state) for j in found] == [UploadState.QUEUED] * 5

    for name, work in (("claim", claim), ("next up", next_up)):
        [(sql, params)] = [
            (sql, params) for sql, params in _statements(work) if "upload_jobs" in sql
        ]
        plan = _plan(sql, params)
        assert _full_scans(plan) == [], f"{name} reads every job:\n{plan}"
        assert "upload_jobs" in plan


def _enqueue(video: Path, title: str) -> int:
    [job_id] = uploads.enqueue(
        uploads.UploadRequest(
            video=uploads.store_path(video), file_name=video.name, title=title, when_text="now"
        ),
        actor=SYSTEM,
    )
    return job_id


def _counters() -> dict[int, tuple[str, Any]]:
    with db.read_session() as s:
        return {
            c.id or 0: (c.recent_outcomes, c.last_started_at)
            for c in s.exec(select(Channel).order_by(Channel.id)).all()  # type: ignore[arg-type]
        }


def test_rotation_counters_match_a_rebuild_after_a_run_of_uploads(
    upload_world: SandboxWorld, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUBEFLEET_DATA_DIR", str(data_dir))
    reload_settings()
    project = upload_world.project()
    for _ in range(2):
        upload_world.connected_channel(project)
    ids = [_enqueue(fake_video(data_dir / f"v{i}.mp4", 300_000, seed=i), f"v{i}") for i in range(3)]
    done = run_jobs_until_done(ids)
    assert {UploadState(j.state) for j in done.values()} == {UploadState.PUBLISHED}
    # One more that YouTube refuses: a failed outcome on its channel.
    upload_world.control.add_fault(
        "status", method="videos.insert", status=400, reason="invalidTitle"
    )
    [failed] = run_jobs_until_done(
        [_enqueue(fake_video(data_dir / "x.mp4", 300_000), "x")]
    ).values()
    assert failed.state == UploadState.FAILED and failed.channel_id is not None

    kept = _counters()
    assert sum(stats.counts(outcomes)[0] for outcomes, _ in kept.values()) == 3
    assert sum(stats.counts(outcomes)[1] for outcomes, _ in kept.values()) == 1
    assert kept[failed.channel_id][0].startswith("f")  # the newest outcome comes first
    with db.session() as s:
        stats.rebuild_all(session=s)
    assert _counters() == kept
    # Scoring reads them: the channel that failed last has the lower success component.
    with db.read_session() as s:
        snap = rotation.snapshot(s)
    assert snap.success[failed.channel_id][1] == 1


@pytest.fixture
def two_processes() -> Iterator[None]:
    yield
    clock.reset()


def test_a_periodic_job_runs_once_per_interval_across_processes(
    any_database: str, two_processes: None
) -> None:
    """Two processes (two lease owners) tick the same periodic job: one runs it per
    interval; the other skips until the interval has passed."""
    runs: list[str] = []
    every = timedelta(minutes=5)

    def tick(process: str) -> bool:
        now = clock.now()
        if not periodic.claim("rescoring", every=every, owner=process, now=now):
            return False
        runs.append(process)
        periodic._finish("rescoring", process, done=True)
        return True

    assert tick("replica-a")
    assert not tick("replica-b")  # same interval: already done
    clock.shift(timedelta(minutes=2))
    assert not tick("replica-b") and not tick("replica-a")
    clock.shift(timedelta(minutes=3))
    assert tick("replica-b")  # next interval: whoever ticks first
    assert not tick("replica-a")
    assert runs == ["replica-a", "replica-b"]
    with db.read_session() as s:
        row = s.get(PeriodicRun, "rescoring")
        assert row is not None and row.runs == 2 and row.lease_owner is None


def test_a_periodic_job_held_by_a_running_process_is_skipped_and_a_failed_one_retried(
    any_database: str, two_processes: None
) -> None:
    every = timedelta(minutes=5)
    assert periodic.claim("housekeeping", every=every, owner="replica-a", now=clock.now())
    # replica-a is still running it: replica-b skips, even once the interval is over.
    clock.shift(every * 1.5)
    assert periodic.run_once("housekeeping", every=every, work=lambda: "ran") is None

    clock.shift(every)  # replica-a died: its lease expired after two intervals
    with pytest.raises(RuntimeError):
        periodic.run_once("housekeeping", every=every, work=_boom)
    # The failed run is due again at once, for any process.
    assert periodic.run_once("housekeeping", every=every, work=lambda: "ran") == "ran"
    assert periodic.run_once("housekeeping", every=every, work=lambda: "again") is None


def _boom() -> None:
    raise RuntimeError("housekeeping failed")


def test_prune_media_deletes_exactly_the_files_no_job_needs(
    any_database: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUBEFLEET_DATA_DIR", str(data_dir))
    reload_settings()
    media = media_dir()
    day_old = time.time() - 2 * 86400

    def stored(name: str) -> str:
        path = media / name
        path.write_bytes(b"x")
        os.utime(path, (day_old, day_old))
        return str(path)

    expired = [
        _job(
            UploadState.PUBLISHED,
            finished_days_ago=8,
            file_path=stored("old-pub.mp4"),
            thumbnail_path=stored("old-pub.png"),
        ),
        _job(UploadState.CANCELLED, finished_days_ago=31, file_path=stored("old-can.mp4")),
    ]
    kept = [
        _job(UploadState.PUBLISHED, finished_days_ago=6, file_path=stored("new-pub.mp4")),
        _job(UploadState.CANCELLED, finished_days_ago=20, file_path=stored("new-can.mp4")),
        _job(UploadState.FAILED, finished_days_ago=300, file_path=stored("failed.mp4")),
        _job(
            UploadState.SCHEDULED,
            file_path=stored("waiting.mp4"),
            thumbnail_path=stored("waiting.png"),
        ),
        # A fan-out: one expired job and one still running share the file.
        _job(UploadState.PUBLISHED, finished_days_ago=9, file_path=stored("shared.mp4")),
        _job(UploadState.UPLOADING, file_path=str(media / "shared.mp4")),
    ]
    abandoned = stored("never-submitted.mp4")  # a form upload nobody scheduled, 2 days old
    fresh = media / "just-uploaded.mp4"  # one that may still be scheduled
    fresh.write_bytes(b"x")
    with db.session() as s:
        s.add_all(expired + kept)

    assert uploads.prune_media() == 4
    left = sorted(p.name for p in media.iterdir())
    assert left == sorted(
        [
            "failed.mp4",
            "just-uploaded.mp4",
            "new-can.mp4",
            "new-pub.mp4",
            "shared.mp4",
            "waiting.mp4",
            "waiting.png",
        ]
    )
    assert not Path(abandoned).exists()
    assert uploads.prune_media() == 0  # nothing more to do


def test_the_hourly_pass_looks_only_at_what_expired_since_the_previous_one(
    any_database: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUBEFLEET_DATA_DIR", str(data_dir))
    reload_settings()
    media = media_dir()
    day_old = time.time() - 2 * 86400
    names = {}
    for key in ("just", "long"):
        path = media / f"{key}.mp4"
        path.write_bytes(b"x")
        os.utime(path, (day_old, day_old))
        names[key] = path
    with db.session() as s:
        s.add_all(
            _job(UploadState.PUBLISHED, finished_days_ago=days, file_path=str(names[key]))
            for key, days in (("just", 7.02), ("long", 40))
        )
    # The previous pass was an hour ago: the job that expired since goes; the one that
    # expired a month ago was that pass's (or an earlier one's) to remove.
    assert uploads.prune_media(since=clock.now() - timedelta(hours=1)) == 1
    assert not names["just"].exists() and names["long"].exists()
    assert uploads.prune_media() == 1  # a pass without `since` looks at every job


def test_counters_follow_each_history_line(session: Session) -> None:
    """A job starting moves its channel's latest start; an end puts its outcome first,
    keeping the last RECENT."""
    from models import Project

    project = Project(name="p", client_id="c", client_secret_enc="s", created_at=clock.now())
    session.add(project)
    session.flush()
    channel = Channel(
        youtube_id="UC1",
        project_id=project.id or 0,
        title="c",
        refresh_token_enc="x",
        connected_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(channel)
    session.flush()
    job = _job(UploadState.QUEUED, channel_id=channel.id, started_at=clock.now())
    session.add(job)
    session.flush()
    stats.job_moved(session, job.id or 0, "queued", "uploading")
    for _ in range(stats.RECENT):
        stats.job_moved(session, job.id or 0, "processing", "published")
    stats.job_moved(session, job.id or 0, "uploading", "failed")
    stats.job_moved(session, job.id or 0, "failed", "failed")  # not a change: not counted
    session.expire_all()
    fresh = session.get(Channel, channel.id)
    assert fresh is not None
    assert fresh.recent_outcomes == "f" + "p" * (stats.RECENT - 1)
    assert fresh.last_started_at is not None
