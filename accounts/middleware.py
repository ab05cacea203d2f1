"""Two checks on every request of a logged-in user: has the session ended, and has the user passed
the second step of the login where they must?"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import selectors, sessions

# Set at login (and by enrolment) for users with an authenticator: they must give a code too.
TWO_FACTOR_SESSION_KEY = "accounts:two_factor"

# What a logged-in user who still owes a code may reach: the second step itself, the way out,
# and what those pages need.
TWO_FACTOR_OPEN_URLS = (
    "login",
    "logout",
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_backup_codes",
    "session_status",
    "session_keepalive",
    "set_language",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
)


def is_api(request: HttpRequest) -> bool:
    """A request to the read-only API, to which a session is no credential (api/http.py): it
    neither counts as activity nor is sent to the second step."""
    return request.path_info.startswith(settings.API_PATH_PREFIX)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


class IdleSessionMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request, or SESSION_COOKIE_AGE
    seconds after login, and records activity otherwise.

    An ended session is logged out and the request goes on as an anonymous one: pages send the
    visitor to log in (with a note saying why), and the answering page's autosave gets its 401
    JSON answer, so the text kept in the browser is saved after logging in again.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._quiet_paths = None

    def quiet_paths(self) -> set[str]:
        """Requests that do not count as activity: asking how long is left."""
        if self._quiet_paths is None:
            self._quiet_paths = {reverse("session_status")}
        return self._quiet_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # Looking at the session, not request.user: no query for this check.
        if session is not None and SESSION_KEY in session:
            if sessions.session_seconds_left(session) <= 0:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out because the portal was not used for a while. "
                        "Log in again to continue: what you typed is kept."
                    ),
                )
            elif request.path_info not in self.quiet_paths() and not is_api(request):
                sessions.session_touch(session)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends a logged-in user who must give a code and has not yet to the second step: staff who
    have an authenticator to the code, staff without one to set it up, users who chose to use one
    to the code. Only TWO_FACTOR_OPEN_URLS and static files stay open meanwhile; the Django admin
    is covered like every other page. Scripts get a 401 JSON answer instead of a redirect."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self) -> set[str]:
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in TWO_FACTOR_OPEN_URLS}
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and (request.session.get(TWO_FACTOR_SESSION_KEY) or selectors.two_factor_required(user))
            and not self.is_open(request.path_info)
            and not is_api(request)
        ):
            enrolled = selectors.two_factor_enrolled(user)
            if enrolled or selectors.two_factor_required(user):
                return self.second_step(request, enrolled=enrolled)
            # An administrator removed the authenticator of a user who had chosen one.
            request.session[TWO_FACTOR_SESSION_KEY] = False
        return self.get_response(request)

    def is_open(self, path: str) -> bool:
        return path in self.open_paths() or path.startswith(f"/{settings.STATIC_URL.lstrip('/')}")

    def second_step(self, request: HttpRequest, *, enrolled: bool) -> HttpResponse:
        if wants_json(request):
            return JsonResponse(
                {
                    "ok": False,
                    "error": "login",
                    "message": _("Enter the code from your authenticator app to continue."),
                },
                status=401,
            )
        target = reverse("two_factor_verify" if enrolled else "two_factor_setup")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
