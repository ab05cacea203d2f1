"""How long a session lasts: SESSION_IDLE_TIMEOUT seconds without a request, and never more than
SESSION_COOKIE_AGE seconds after logging in.

Two times are kept in the session, as Unix seconds: when the user logged in and when they were
last seen. "Last seen" is written at most every ACTIVITY_RESOLUTION seconds, so that a busy page
does not write its session on every request.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

LOGIN_AT = "accounts:login_at"
LAST_SEEN = "accounts:last_seen"


def now() -> int:
    return int(time.time())


def activity_resolution() -> int:
    """A thirtieth of the idle timeout, at most a minute: 30 minutes idle may last 31."""
    return min(60, settings.SESSION_IDLE_TIMEOUT // 30)


def session_start(session: SessionBase, *, at: int | None = None) -> None:
    at = now() if at is None else at
    session[LOGIN_AT] = at
    session[LAST_SEEN] = at


def session_seconds_left(session: SessionBase, *, at: int | None = None) -> int:
    """Seconds until the session ends (idle or absolute), 0 or less once it has. A session
    started before these times were kept counts from now."""
    at = now() if at is None else at
    last_seen = session.get(LAST_SEEN, at)
    login_at = session.get(LOGIN_AT, at)
    return min(
        last_seen + settings.SESSION_IDLE_TIMEOUT - at,
        login_at + settings.SESSION_COOKIE_AGE - at,
    )


def session_touch(session: SessionBase, *, at: int | None = None) -> None:
    """Record activity now (if the recorded time is older than the resolution)."""
    at = now() if at is None else at
    if LOGIN_AT not in session:
        session[LOGIN_AT] = at
    if at - session.get(LAST_SEEN, 0) >= max(activity_resolution(), 1) or LAST_SEEN not in session:
        session[LAST_SEEN] = at
