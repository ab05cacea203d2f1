"""Project-wide views: the CSRF failure page, the server error page."""

import sys

from django.http import JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from .outage import is_database_error, unavailable_response


def csrf_failure(request, reason: str = ""):
    """Scripts get JSON, so the answering page can keep the text and ask the user to log in;
    people get the portal's own page in their language (Django's default is English only, and
    renders without the page's layout)."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "ok": False,
                "error": "csrf",
                "message": _("Your session has changed. Log in again to save."),
            },
            status=403,
        )
    return render(
        request,
        "403_csrf.html",
        {"no_cookie": reason == REASON_NO_CSRF_COOKIE},
        status=403,
    )


def server_error(request):
    """handler500: an unreachable database is a 503 "try again" (gcmreview.outage), also when a
    middleware (the session, the user) is what hit it; anything else is Django's 500 page.

    Django calls this inside its `except` block, so the exception is still the current one."""
    if is_database_error(sys.exception()):
        return unavailable_response(request)
    return defaults.server_error(request)
