"""SQLModel tables, one module per aggregate; importing this registers them all."""

from models.alert import Alert, AlertPublic, AlertStatus, Severity
from models.api_token import ApiToken, ApiTokenPublic, IdempotencyKey
from models.audit import AuditEvent, AuditEventPublic
from models.channel import Channel, ChannelPublic, ChannelState, OAuthState
from models.project import Project, ProjectPublic
from models.quota import QuotaBucketHour, QuotaDayDetail, QuotaLedger, QuotaUsage
from models.system import PeriodicRun, SchedulerHeartbeat
from models.upload import (
    UNFINISHED,
    PublishMode,
    TargetKind,
    UploadEvent,
    UploadEventPublic,
    UploadJob,
    UploadJobPublic,
    UploadState,
    unfinished_jobs,
)
from models.user import LoginAttempt, Role, User, UserPublic, UserSession

__all__ = [
    "UNFINISHED",
    "Alert",
    "AlertPublic",
    "AlertStatus",
    "ApiToken",
    "ApiTokenPublic",
    "AuditEvent",
    "AuditEventPublic",
    "Channel",
    "ChannelPublic",
    "ChannelState",
    "IdempotencyKey",
    "LoginAttempt",
    "OAuthState",
    "PeriodicRun",
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
    "UploadEventPublic",
    "UploadJob",
    "UploadJobPublic",
    "UploadState",
    "User",
    "UserPublic",
    "UserSession",
    "unfinished_jobs",
]
