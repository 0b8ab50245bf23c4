"""Logging set-up: one format, the configured level, and secrets scrubbed from every line."""

from __future__ import annotations

import logging
import re
import threading

from core.settings import get_settings

# Shapes of OAuth secrets, redacted even if a library logs them.
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)((?:access_token|refresh_token|client_secret|code_verifier|code|token)"
               r"[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/-]{8,}"),
    re.compile(r"ya29\.[A-Za-z0-9._-]+"),
    re.compile(r"1//[A-Za-z0-9._-]{10,}"),
]
_known_secrets: set[str] = set()
_known_lock = threading.Lock()
_configured = False


def register_secret(value: str) -> None:
    """Redact this exact value from all future log lines (the vault calls this)."""
    if value and len(value) >= 8:
        with _known_lock:
            if len(_known_secrets) > 50_000:
                _known_secrets.clear()
            _known_secrets.add(value)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    with _known_lock:
        secrets = [s for s in _known_secrets if s in text]
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging() -> None:
    """Idempotent: safe to call from the app, the worker and the CLI."""
    global _configured
    if _configured:
        return
    _configured = True
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    logging.getLogger("tubefleet").setLevel(get_settings().log_level.upper())
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("googleapiclient.discovery_cache").setLevel(logging.ERROR)
