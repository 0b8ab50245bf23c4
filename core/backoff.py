"""How long to wait before trying again: exponential backoff with full jitter, the one retry
policy for everything that retries (uploads, token refreshes)."""

from __future__ import annotations

import random


def delay(attempt: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """Seconds to wait before try `attempt + 1`: anything up to base·2^attempt, at most `cap`.

    The full random spread (rather than a fixed doubling) keeps workers that failed together
    from all trying again at the same moment.
    """
    return random.uniform(0, min(cap, base * 2**attempt))
