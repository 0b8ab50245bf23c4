"""Fault injection rules: which request they hit, how many times, and what they do."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

ACTIONS = ("status", "drop", "auth_401", "latency")

# Default Google reason for an injected status, so a rule can name only the code.
DEFAULT_REASONS = {
    400: "badRequest",
    401: "authError",
    403: "rateLimitExceeded",
    404: "notFound",
    429: "rateLimitExceeded",
    500: "internalError",
    502: "backendError",
    503: "backendError",
    504: "backendError",
}


@dataclass
class Fault:
    id: int
    action: str
    method: str | None = None
    nth: int = 1
    count: int = 1
    client_id: str | None = None
    channel_id: str | None = None
    status: int | None = None
    reason: str | None = None
    message: str | None = None
    after_bytes: int = 0
    latency_ms: int = 0
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.fired >= self.count

    def matches(self, method: str, client_id: str | None, channel_id: str | None) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.client_id is not None and self.client_id != client_id:
            return False
        return self.channel_id is None or self.channel_id == channel_id

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "exhausted": self.exhausted}


class FaultError(ValueError):
    """A fault rule that cannot work as given."""


def parse_fault(spec: dict[str, Any], fault_id: int) -> Fault:
    action = spec.get("action")
    if action not in ACTIONS:
        raise FaultError(f"action must be one of {', '.join(ACTIONS)}")
    match = spec.get("match") or {}
    if not isinstance(match, dict):
        raise FaultError("match must be an object")
    fault = Fault(
        id=fault_id,
        action=action,
        method=match.get("method", spec.get("method")),
        nth=int(match.get("nth", spec.get("nth", 1))),
        count=int(spec.get("count", 1)),
        client_id=match.get("client_id"),
        channel_id=match.get("channel_id"),
        after_bytes=int(spec.get("after_bytes", 0)),
        latency_ms=int(spec.get("latency_ms", spec.get("ms", 0))),
        message=spec.get("message"),
    )
    if fault.nth < 1 or fault.count < 1:
        raise FaultError("nth and count must be at least 1")
    if action == "status":
        status = spec.get("status")
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise FaultError("a status fault needs an HTTP error status (400-599)")
        fault.status = status
        fault.reason = spec.get("reason") or DEFAULT_REASONS.get(status, "backendError")
    if action == "latency" and fault.latency_ms <= 0:
        raise FaultError("a latency fault needs latency_ms > 0")
    if action == "drop" and fault.after_bytes < 0:
        raise FaultError("after_bytes must not be negative")
    return fault


class FaultBook:
    """The active rules; kept in memory because faults belong to one test run."""

    def __init__(self) -> None:
        self._faults: dict[int, Fault] = {}
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any]) -> Fault:
        fault = parse_fault(spec, next(self._ids))
        self._faults[fault.id] = fault
        return fault

    def list(self) -> list[Fault]:
        return list(self._faults.values())

    def delete(self, fault_id: int) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        self._faults.clear()

    def take(
        self, method: str, client_id: str | None, channel_id: str | None
    ) -> tuple[int, Fault | None]:
        """Count this request against every matching rule; return (latency ms, effect).

        Latency rules add up; of the other rules, the oldest one due fires. A rule that
        is due but did not fire stays due for the next matching request.
        """
        latency = 0
        effect: Fault | None = None
        for fault in self._faults.values():
            if fault.exhausted or not fault.matches(method, client_id, channel_id):
                continue
            fault.seen += 1
            if fault.seen < fault.nth:
                continue
            if fault.action == "latency":
                fault.fired += 1
                latency += fault.latency_ms
            elif effect is None:
                fault.fired += 1
                effect = fault
        return latency, effect
