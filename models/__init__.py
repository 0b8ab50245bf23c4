"""SQLModel tables, one module per aggregate; importing this registers them all."""

from models.alert import Alert, AlertStatus, Severity
from models.audit import AuditEvent
from models.system import SchedulerHeartbeat
from models.user import LoginAttempt, Role, User, UserPublic, UserSession

__all__ = [
    "Alert",
    "AlertStatus",
    "AuditEvent",
    "LoginAttempt",
    "Role",
    "SchedulerHeartbeat",
    "Severity",
    "User",
    "UserPublic",
    "UserSession",
]
