"""Template context for every page: the session's clock (for static/js/session.js) and whether
the user still owes the second step of their login (the menu then offers only "Log out")."""

from django.conf import settings

from .middleware import TWO_FACTOR_SESSION_KEY
from .selectors import two_factor_required


def account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    verified = getattr(user, "is_verified", lambda: True)()
    return {
        "session_clock": {
            "idle_seconds": settings.SESSION_IDLE_TIMEOUT,
            "warning_seconds": settings.SESSION_WARNING_BEFORE,
        },
        "two_factor_pending": not verified
        and bool(request.session.get(TWO_FACTOR_SESSION_KEY) or two_factor_required(user)),
    }
