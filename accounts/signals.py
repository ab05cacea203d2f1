"""What every login does to its session, however the user logged in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import selectors, sessions
from .middleware import TWO_FACTOR_SESSION_KEY


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def session_started(sender, request, user, **kwargs):
    """Start the session's clocks, and note whether this user owes a code from their
    authenticator (read once here rather than on every request)."""
    if request is None or not hasattr(request, "session"):
        return
    sessions.session_start(request.session)
    request.session[TWO_FACTOR_SESSION_KEY] = selectors.two_factor_enrolled(user)
