"""Quota rules: how much of a bucket each kind of work may use, and when to warn.

Ceilings by priority: background reads stop at 90 % and never touch the
emergency reserve; new uploads may use everything but the reserve; work that
finishes an upload already started (thumbnail, playlist, processing polls) may
use the reserve, so no video is left half-done.

What charges calls against these ceilings is `core/quota_ledger.py`; the alerts it raises
are `core/quota_alerts.py`'s; a project's policy is checked and changed by
`core/quota_policy.py`.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any

from core.settings import get_settings
from models import Project, Severity
from youtube import costs

THRESHOLDS = ((90, Severity.CRITICAL), (80, Severity.WARNING), (70, Severity.INFO))
BACKGROUND_CEILING = 0.90


class Priority(StrEnum):
    BACKGROUND = "background"  # stats syncs, scoring reads: stop first
    UPLOAD = "upload"  # starting new work
    FINISH = "finish"  # follow-ups of an upload already started: may use the reserve


def policy_of(project: Project) -> dict[str, Any]:
    return project.quota_policy or {"preset": "current"}


def reserve_percent(policy: dict[str, Any], bucket: str) -> float:
    """A project's own setting, else TUBEFLEET_QUOTA_EMERGENCY_RESERVE_PERCENT for the
    shared bucket (where an upload's follow-ups are charged), else the preset's."""
    own = policy.get("reserve_percent", {})
    if bucket in own:
        return float(own[bucket])
    if bucket == costs.DEFAULT_BUCKET:
        return get_settings().quota_emergency_reserve_percent
    return costs.reserve_percent(policy, bucket)


def ceiling(limit: int, reserve_pct: float, priority: Priority) -> int:
    """The most a bucket may reach for work of this priority."""
    reserve = math.ceil(limit * reserve_pct / 100) if reserve_pct > 0 else 0
    if priority == Priority.FINISH:
        return limit
    if priority == Priority.UPLOAD:
        return max(0, limit - reserve)
    return max(0, min(limit - reserve, math.floor(limit * BACKGROUND_CEILING)))
