"""What YouTube accepts in an upload's fields, for the form and the CLI (app/ imports this,
never youtube/ itself)."""

from __future__ import annotations

from youtube import limits

# The privacy statuses an upload may ask for.
PRIVACY_STATUSES = limits.PRIVACY_STATUSES


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, without repeats (the first spelling wins)."""
    return limits.parse_tags(text)
