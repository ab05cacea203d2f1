"""How django-axes sees a client, and what a locked-out client is shown.

Axes counts failed logins per username and client address (settings.AXES_LOCKOUT_PARAMETERS);
after AXES_FAILURE_LIMIT of them the pair is locked out for AXES_COOLOFF_TIME, counted from the
latest attempt. ESCWA administrators unlock a pair early by deleting its row under
Administration › Axes › Access attempts; a password reset unlocks the user too.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the portal's reverse proxy (BEHIND_PROXY) it is the last
    address of X-Forwarded-For, the one the proxy itself appended: a client can put anything
    before it, never after."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page shown instead of the login form while a username and address are locked out:
    it says when to try again (every further attempt moves that time on)."""
    retry_at = timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed attempts to log in. For your security, logging in with this "
        "username from this computer is blocked for %(minutes)d minute.",
        "Too many failed attempts to log in. For your security, logging in with this "
        "username from this computer is blocked for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    status = settings.AXES_HTTP_RESPONSE_CODE
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {"ok": False, "error": "locked", "message": message, "retry_at": retry_at.isoformat()},
            status=status,
        )
    return render(
        request,
        "accounts/lockout.html",
        {"message": message, "retry_at": retry_at, "minutes": minutes},
        status=status,
    )
