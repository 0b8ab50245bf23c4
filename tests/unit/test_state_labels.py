"""The words people read for job states: a video nobody can see yet is not "published"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.views import labels
from models import PublishMode, TargetKind, UploadJobPublic, UploadState

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def job(state: UploadState, privacy: str = "public", **extra: object) -> UploadJobPublic:
    fields: dict[str, object] = {
        "id": 1,
        "title": "t",
        "file_name": "f.mp4",
        "file_size": 1,
        "state": state,
        "state_reason": "",
        "privacy": privacy,
        "target_kind": TargetKind.AUTO,
        "publish_mode": PublishMode.UPLOAD_AT,
        "publish_at": None,
    }
    fields.update(extra)
    return UploadJobPublic.model_construct(**fields)  # type: ignore[arg-type]


def test_only_a_public_video_is_called_published() -> None:
    assert labels.job_state(job(UploadState.PUBLISHED), BERLIN, NOW) == "published"
    assert labels.job_state(job(UploadState.PUBLISHED, "private"), BERLIN, NOW) == (
        "uploaded (private)"
    )
    assert labels.job_state(job(UploadState.PUBLISHED, "unlisted"), BERLIN, NOW) == (
        "uploaded (unlisted)"
    )


def test_a_publish_at_video_says_when_it_goes_public() -> None:
    later = job(
        UploadState.PUBLISHED,
        "public",
        publish_mode=PublishMode.PUBLISH_AT,
        publish_at=NOW + timedelta(days=1),
    )
    assert labels.job_state(later, BERLIN, NOW).startswith("uploaded, public ")
    assert "13:00" in labels.job_state(later, BERLIN, NOW)  # 12:00 UTC in Berlin
    gone_public = later.model_copy(update={"publish_at": NOW - timedelta(hours=1)})
    assert labels.job_state(gone_public, BERLIN, NOW) == "published"


def test_every_state_has_words_and_waiting_states_say_for_what() -> None:
    assert set(labels.JOB_STATES) == set(UploadState)
    assert labels.job_state(job(UploadState.WAITING_QUOTA), BERLIN, NOW) == "waiting for quota"
    assert labels.job_state_word("waiting_reauth") == "waiting for re-consent"
    assert labels.job_state_word("something_else") == "something_else"


def test_errors_name_fields_in_words_not_internal_names() -> None:
    from app.views import format
    from core.errors import InputError, NotFound

    cap = InputError("daily_upload_cap", "must be between 0 and 500, got 900")
    assert format.problem(cap) == "Daily upload cap: must be between 0 and 500, got 900."
    assert format.problem(NotFound("channel 7 does not exist")) == "channel 7 does not exist"
