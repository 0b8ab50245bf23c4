"""SQLModel tables, one module per aggregate; importing this registers them all."""

from models.alert import Alert, AlertStatus, Severity
from models.audit import AuditEvent
from models.channel import Channel, ChannelState, OAuthState
from models.project import Project, ProjectPublic
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaLedger, QuotaUsage
from models.system import SchedulerHeartbeat
from models.upload import PublishMode, TargetKind, UploadEvent, UploadJob, UploadState
from models.user import LoginAttempt, Role, User, UserPublic, UserSession

__all__ = [
    "Alert",
    "AlertStatus",
    "AuditEvent",
    "Channel",
    "ChannelState",
    "LoginAttempt",
    "OAuthState",
    "Project",
    "ProjectPublic",
    "PublishMode",
    "QuotaBucketHour",
    "QuotaDayDetail",
    "QuotaLedger",
    "QuotaUsage",
    "Role",
    "SchedulerHeartbeat",
    "Severity",
    "TargetKind",
    "UploadEvent",
    "UploadJob",
    "UploadState",
    "User",
    "UserPublic",
    "UserSession",
]
