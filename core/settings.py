"""The one settings object: TUBEFLEET_* environment variables and an optional .env file."""

from __future__ import annotations

import functools
import os
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CHUNK_ALIGNMENT = 256 * 1024


class Settings(BaseSettings):
    """Everything TubeFleet reads from its environment; see .env.example."""

    model_config = SettingsConfigDict(
        env_prefix="TUBEFLEET_",
        # TUBEFLEET_ENV_FILE="" ignores .env (the tests do, so a developer's .env cannot leak in).
        env_file=os.environ.get("TUBEFLEET_ENV_FILE", ".env") or None,
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # Where the SQLite database, the key file, uploaded media and logs live.
    data_dir: Path = Path("data")
    # Any SQLAlchemy URL; empty means an SQLite file under data_dir.
    database_url: str = ""
    # Reflex state store for several replicas (redis://...); empty keeps state in memory.
    redis_url: str = ""

    # The address people use to reach the dashboard; OAuth redirect URIs derive from it.
    public_url: str = "http://localhost:3000"
    # Other origins (scheme://host[:port], comma separated) that may open the dashboard's
    # websocket and post to it, besides public_url's own (e.g. a second host name).
    allowed_origins: str = ""
    # Reverse proxies in front of the app that append to X-Forwarded-For (so the login
    # rate limit sees people's addresses, not the proxy's). 0: no proxy is trusted.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)
    # Addresses or networks (comma separated, e.g. "127.0.0.1,10.0.0.0/8") of those
    # proxies: X-Forwarded-For is read only from a peer in this list. Empty: loopback only.
    trusted_proxies: str = ""
    port: int = 3000
    host: str = "0.0.0.0"

    # auto: sandbox unless a Google OAuth client is configured (here or on the Settings page).
    mode: Literal["auto", "sandbox", "google"] = "auto"
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    sandbox_url: str = "http://127.0.0.1:3001"
    sandbox_port: int = 3001
    # 0.0.0.0 when browsers elsewhere must reach the consent page (its control API still
    # answers on loopback only).
    sandbox_host: str = "127.0.0.1"

    # Fernet keys (comma separated, newest first); empty means a key file under data_dir.
    secret_key: SecretStr = SecretStr("")

    admin_email: str = "admin@tubefleet.local"
    session_hours: int = Field(default=12, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)

    heartbeat_seconds: int = Field(default=10, ge=1)
    token_refresh_minutes: int = Field(default=5, ge=1)
    token_refresh_buffer_minutes: int = Field(default=30, ge=1)
    token_refresh_concurrency: int = Field(default=8, ge=1)

    upload_tick_seconds: int = Field(default=2, ge=1)
    upload_concurrency: int = Field(default=2, ge=1)
    upload_chunk_bytes: int = Field(default=8 * 1024 * 1024)
    upload_max_bytes: int = Field(default=16 * 1024**3, ge=1)
    upload_max_attempts: int = Field(default=8, ge=1)
    # Video bytes one person may have waiting in the media folder (their unfinished jobs'
    # files plus uploads in progress); 0 means no limit.
    media_quota_bytes_per_user: int = Field(default=50 * 1024**3, ge=0)
    lease_seconds: int = Field(default=60, ge=5)

    quota_emergency_reserve_percent: float = Field(default=2.0, ge=0, le=50)
    rotation_tick_minutes: int = Field(default=5, ge=1)
    # Channel score weights, e.g. "quota=0.35,success=0.25,idle=0.15,age=0.1,errors=0.15".
    rotation_weights: str = ""
    # Poll YouTube for a processed video this often at first (backing off up to a minute).
    processing_poll_seconds: int = Field(default=5, ge=1)

    log_level: str = "INFO"
    # Tests may move time; never set it in production.
    allow_clock_shift: bool = False

    @field_validator("upload_chunk_bytes")
    @classmethod
    def _chunk_is_aligned(cls, value: int) -> int:
        if value <= 0 or value % CHUNK_ALIGNMENT:
            raise ValueError(
                f"must be a positive multiple of 256 KiB ({CHUNK_ALIGNMENT} bytes), got {value}"
            )
        return value

    @field_validator("public_url", "sandbox_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tubefleet.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.keys"

    @property
    def oauth_redirect_uri(self) -> str:
        return f"{self.public_url}/oauth/callback"

    @property
    def cookie_secure(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def origins(self) -> list[str]:
        """Browser origins allowed to use the dashboard: public_url's, then allowed_origins."""
        found = [origin_of(self.public_url)]
        for extra in self.allowed_origins.split(","):
            if extra.strip() and origin_of(extra.strip()) not in found:
                found.append(origin_of(extra.strip()))
        return found

    @property
    def proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        """Where a trusted reverse proxy may connect from (loopback unless configured)."""
        text = self.trusted_proxies or "127.0.0.0/8,::1"
        return [ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]

    @field_validator("trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(
                        f"{part.strip()!r} is not an address or network "
                        "(e.g. 10.0.0.5 or 10.0.0.0/8)"
                    ) from None
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins_parse(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip() and not part.strip().startswith(("http://", "https://")):
                raise ValueError(f"{part.strip()!r} must start with http:// or https://")
        return value


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower case, default ports dropped (as browsers send)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def reload_settings() -> Settings:
    """Forget the cached settings (tests and the CLI change the environment)."""
    get_settings.cache_clear()
    return get_settings()
