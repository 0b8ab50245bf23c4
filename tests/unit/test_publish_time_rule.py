"""The publish-at rule the form, the planner and reschedule share (core.uploads.rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.uploads.rules import publish_time_passed, publish_time_problem
from core.when import parse_when
from models import PublishMode

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def problem(text: str, mode: PublishMode = PublishMode.PUBLISH_AT) -> str:
    return publish_time_problem(mode, parse_when(text, tz="UTC", now=NOW), now=NOW)


def test_now_is_not_a_publish_time() -> None:
    assert "future time" in problem("now")


@pytest.mark.parametrize("text", ["in 1 minute", "in 2 minutes"])
def test_a_publish_time_the_runner_would_refuse_is_refused_when_planned(text: str) -> None:
    at = parse_when(text, tz="UTC", now=NOW)
    # What the runner does a few seconds later, when it starts the upload:
    assert publish_time_passed(at.at_utc, NOW + timedelta(seconds=30))
    assert problem(text) == (
        "choose a publish time at least 3 minutes from now: "
        "YouTube needs the video uploaded before it can publish it"
    )


@pytest.mark.parametrize("text", ["in 3 minutes", "in 10 minutes", "tomorrow 9am"])
def test_a_publish_time_far_enough_ahead_is_accepted(text: str) -> None:
    at = parse_when(text, tz="UTC", now=NOW)
    assert problem(text) == ""
    assert not publish_time_passed(at.at_utc, NOW + timedelta(seconds=30))


def test_upload_at_takes_any_time() -> None:
    assert problem("now", PublishMode.UPLOAD_AT) == ""
    assert problem("in 1 minute", PublishMode.UPLOAD_AT) == ""
