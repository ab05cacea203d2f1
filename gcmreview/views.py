"""Project-wide views: the CSRF failure page."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason: str = ""):
    """Scripts get JSON, so the answering page can keep the text and ask the user to log in."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "ok": False,
                "error": "csrf",
                "message": _("Your session has changed. Log in again to save."),
            },
            status=403,
        )
    return django_csrf_failure(request, reason=reason)
