"""Login attempts: each one recorded, and the rate limits the failed ones set."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core import clock
from core.settings import get_settings
from models import LoginAttempt


class LoginRefused(Exception):
    """A login that did not succeed; the message is safe to show."""


class RateLimited(LoginRefused):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"Too many failed logins. Try again in {say_wait(retry_after)}.")
        self.retry_after = retry_after


def say_wait(wait: timedelta) -> str:
    """'40 seconds', '3 minutes': how long to wait, rounded up, in words."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds > 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


# Per account, failures beyond the limit slow further tries down instead of locking the
# account: each one doubles the wait after the last failure, up to this cap. Anyone may
# type a known email, so a hard per-account lock would let anyone lock anyone out.
_MAX_ACCOUNT_DELAY = timedelta(seconds=60)
# An address that logged in to an account recently is that person's: it skips the delay.
_KNOWN_ADDRESS_DAYS = 30
# How long attempts are kept (prune).
_KEEP_DAYS = 7


def record(session: Session, *, email: str, ip: str, succeeded: bool, at: datetime) -> None:
    """Count one try at an account's password (a login, or the current password when
    changing it); failed ones count towards the rate limits."""
    session.add(LoginAttempt(email=email, ip=ip, succeeded=succeeded, at=at))


def check_rate_limit(session: Session, email: str, ip: str) -> None:
    """Refuse a try now (RateLimited) when this address, or this account, failed too often.

    - an address that failed `login_max_failures` times within the window (any accounts)
      waits until the window has passed: it only locks itself out;
    - an account that failed that often gets a growing delay after its last failure
      (1 s, 2 s, 4 s … at most a minute), except from an address it logged in from lately.
    """
    settings = get_settings()
    now = clock.now()
    window = timedelta(minutes=settings.login_window_minutes)
    limit = settings.login_max_failures
    failed = LoginAttempt.succeeded.is_(False)  # type: ignore[attr-defined]
    if ip:
        by_address = session.exec(
            select(LoginAttempt.at)
            .where(LoginAttempt.ip == ip, LoginAttempt.at >= now - window, failed)
            .order_by(col(LoginAttempt.at).desc())
            .limit(limit)
        ).all()
        if len(by_address) >= limit:
            retry_after = clock.as_utc(by_address[-1]) + window - now
            raise RateLimited(max(retry_after, timedelta(seconds=1)))
    by_account = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.at >= now - window, failed
        )
    ).one()
    count, last = by_account
    if count < limit or last is None or _known_address(session, email, ip):
        return
    delay = min(timedelta(seconds=2 ** min(count - limit, 10)), _MAX_ACCOUNT_DELAY)
    wait = clock.as_utc(last) + delay - now
    if wait > timedelta(0):
        raise RateLimited(wait)


def _known_address(session: Session, email: str, ip: str) -> bool:
    if not ip:
        return False
    since = clock.now() - timedelta(days=_KNOWN_ADDRESS_DAYS)
    return (
        session.exec(
            select(LoginAttempt.id)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.ip == ip,
                LoginAttempt.succeeded.is_(True),  # type: ignore[attr-defined]
                LoginAttempt.at >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


def prune(*, session: Session, now: datetime) -> None:
    """Drop attempts too old to count towards any limit."""
    too_old = now - timedelta(days=_KEEP_DAYS)
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) < too_old))
