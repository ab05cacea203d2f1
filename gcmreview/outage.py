"""While the database is unreachable (a restart, a failover, a network cut), users get a
"try again" answer rather than a crash page: 503 with Retry-After, as JSON for the answering
page's autosave (whose script keeps the text and retries on any 5xx) and as a short page for
everyone else.

Two ways in, because Django turns an exception into a response at every middleware layer:

- `DatabaseUnavailableMiddleware.process_exception` catches what a view raises;
- `gcmreview.views.server_error` (handler500) catches what the middleware raises (the session
  read when `request.user` is first used, the session written after the view), which reaches
  Django's error handler instead.

What the page says is what is true: answers and forms saved before are kept, but a form that was
being sent when the database went away (a section without JavaScript, an admin page) may not
have been saved, so the page says to go back, check it and send it again. The answering page's
autosave gets JSON and keeps its text in the browser, retrying by itself.

The connection itself recovers by itself: CONN_HEALTH_CHECKS (settings.DATABASES) checks a
persistent connection before a request uses it, and Django closes an unusable one at the end of
the request, so the first request after PostgreSQL is back opens a fresh connection. The page
rendered here touches neither the database nor the session.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Transient by nature: the server is down or restarting, a connection was cut, a deadlock or a
# serialisation failure (psycopg2 raises both as OperationalError subclasses).
DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds the client is asked to wait; a PostgreSQL restart takes a few.
RETRY_AFTER_SECONDS = 5


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "") or (
        request.content_type == "application/json"
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for scripts, a page (no database, no session) for people."""
    if wants_json(request):
        # The autosave keeps its text in the browser and sends it again by itself.
        message = _(
            "The portal is briefly unavailable. Nothing you saved is lost: try again shortly."
        )
        response = JsonResponse(
            {
                "ok": False,
                "error": "unavailable",
                "message": message,
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        sending = request.method not in ("GET", "HEAD", "OPTIONS")
        if sending:
            message = _(
                "The portal is briefly unavailable. What you had already saved is kept, but "
                "what this page was sending may not have been saved: go back, check it, and "
                "send it again."
            )
        else:
            message = _(
                "The portal is briefly unavailable. What you had already saved is kept: try "
                "again in a moment."
            )
        context = {"message": message, "sending": sending}
        try:
            body = render_to_string("503.html", context)
        except Exception:  # the page must not fail in turn (a missing static manifest entry...)
            logger.exception("Could not render 503.html")
            body = f"<!DOCTYPE html><title>503</title><p>{escape(message)}</p>"
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_error(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_ERRORS)


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unreachable answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_database_error(exception):
            return None
        logger.warning(
            "Database unavailable during %s %s: %s", request.method, request.path, exception
        )
        return unavailable_response(request)
