"""Rotation: score each channel's health, pick the healthiest eligible one for a job,
rest channels that keep failing, and bring reserve channels in when demand needs them.

Import it as `from core import rotation`; the modules, each one concern:
- `scoring`: a channel's score and eligibility from a snapshot (pure);
- `inputs`: the snapshot, read from the channels, the projects and today's quota;
- `stats`: each channel's recent outcomes and latest start, kept as uploads start and end;
- `ranking`: channels best first, and the choice for one job (or what it waits for);
- `breaker`: resting channels (the circuit breaker, and rests Google asks for);
- `pool`: reserves brought in when the active channels cannot cover demand;
- `rescoring`: the periodic job that stores every channel's score.
"""

from core.rotation.breaker import (
    CIRCUIT_BREAKER_FAILURES,
    CIRCUIT_BREAKER_REST,
    record_outcome,
    rest_channel,
)
from core.rotation.inputs import PoolSnapshot, snapshot
from core.rotation.pool import activate_reserves
from core.rotation.ranking import Choice, assess, candidates, choose, pick
from core.rotation.rescoring import refresh_scores
from core.rotation.scoring import DEFAULT_WEIGHTS, Candidate, Wait, evaluate, weights
from core.rotation.stats import RECENT as RECENT_JOBS

__all__ = [
    "CIRCUIT_BREAKER_FAILURES",
    "CIRCUIT_BREAKER_REST",
    "DEFAULT_WEIGHTS",
    "RECENT_JOBS",
    "Candidate",
    "Choice",
    "PoolSnapshot",
    "Wait",
    "activate_reserves",
    "assess",
    "candidates",
    "choose",
    "evaluate",
    "pick",
    "record_outcome",
    "refresh_scores",
    "rest_channel",
    "snapshot",
    "weights",
]
