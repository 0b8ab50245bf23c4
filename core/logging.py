"""Logging set-up: one format, the configured level, and secrets scrubbed from every line."""

from __future__ import annotations

import logging
import re
import threading

from core.settings import get_settings

# Shapes of OAuth secrets, redacted even if a library logs them.
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|code_verifier|code|token)"
        r"[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/-]{8,}"
    ),
    re.compile(r"ya29\.[A-Za-z0-9._-]+"),
    re.compile(r"1//[A-Za-z0-9._-]{10,}"),
]
# Secrets the vault handled, looked up by the token-like words of a line (a set lookup
# per word, not a scan of every secret per line). Oldest forgotten first past the cap.
_known_secrets: dict[str, None] = {}
_known_lock = threading.Lock()
_MAX_KNOWN = 50_000
_WORD = re.compile(r"[A-Za-z0-9._~+/=-]{8,}")
_configured = False


def register_secret(value: str) -> None:
    """Redact this exact value from all future log lines (the vault calls this)."""
    if value and len(value) >= 8:
        with _known_lock:
            _known_secrets.pop(value, None)
            _known_secrets[value] = None
            if len(_known_secrets) > _MAX_KNOWN:
                del _known_secrets[next(iter(_known_secrets))]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)

    def known(match: re.Match[str]) -> str:
        word = match.group(0)
        with _known_lock:
            hit = word in _known_secrets
        if hit:
            return "[redacted]"
        # A secret glued to its name ("secret=abc..."): try what follows each "=".
        for secret in _pieces(word):
            with _known_lock:
                if secret in _known_secrets:
                    return word.replace(secret, "[redacted]")
        return word

    return _WORD.sub(known, text)


def _pieces(word: str) -> list[str]:
    return [word[i + 1 :] for i, ch in enumerate(word) if ch == "=" and len(word) - i > 8]


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
