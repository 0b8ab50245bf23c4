"""Settings are read from TUBEFLEET_* variables and refuse values that would break later."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings


def test_defaults_use_an_sqlite_file_under_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUBEFLEET_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TUBEFLEET_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'tubefleet.db'}"
    assert settings.port == 3000


def test_database_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUBEFLEET_DATABASE_URL", "postgresql://u@db:5432/tubefleet")
    assert Settings().resolved_database_url == "postgresql://u@db:5432/tubefleet"


def test_chunk_size_must_be_a_multiple_of_256_kib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUBEFLEET_UPLOAD_CHUNK_BYTES", str(1_000_000))
    with pytest.raises(ValidationError, match="multiple of 256 KiB"):
        Settings()
    monkeypatch.setenv("TUBEFLEET_UPLOAD_CHUNK_BYTES", str(4 * 256 * 1024))
    assert Settings().upload_chunk_bytes == 1024 * 1024


def test_public_url_needs_a_scheme_and_loses_its_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TUBEFLEET_PUBLIC_URL", "dash.example.com")
    with pytest.raises(ValidationError, match="must start with http"):
        Settings()
    monkeypatch.setenv("TUBEFLEET_PUBLIC_URL", "https://dash.example.com/")
    settings = Settings()
    assert settings.oauth_redirect_uri == "https://dash.example.com/oauth/callback"
    assert settings.cookie_secure


def test_env_file_is_read_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TUBEFLEET_PORT=3456\n")
    monkeypatch.delenv("TUBEFLEET_PORT", raising=False)
    assert Settings(_env_file=env_file).port == 3456  # type: ignore[call-arg]


def test_byte_limits_past_2_gib_are_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The form's and the CLI's size limit and the per-person media quota are byte counts
    far past 2**31 (16 GiB and 50 GiB by default); nothing may cut them to 32 bits."""
    defaults = Settings()
    assert defaults.upload_max_bytes == 16 * 1024**3
    assert defaults.media_quota_bytes_per_user == 50 * 1024**3
    monkeypatch.setenv("TUBEFLEET_UPLOAD_MAX_BYTES", str(2**31 + 1))
    monkeypatch.setenv("TUBEFLEET_MEDIA_QUOTA_BYTES_PER_USER", str(2**40 + 3))
    settings = Settings()
    assert settings.upload_max_bytes == 2**31 + 1
    assert settings.media_quota_bytes_per_user == 2**40 + 3
