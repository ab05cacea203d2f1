"""The submission PDF, for everyone who may see the submission (404 for everyone else), and the
public PDF of a published national review (no login).

It is laid out in the submission's language; `?language=en` (or ar, fr) asks for another."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_GET

from accounts.lockout import client_ip
from gcmreview.downloads import file_download
from questionnaire import selectors

from . import pdf, public_pdf, throttle

logger = logging.getLogger(__name__)


@login_required
@require_GET
def submission_pdf(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    language = pdf.submission_pdf_language(submission, request.GET.get("language"))
    # A country's answers: never kept by a cache (file_download's default).
    return file_download(
        pdf.submission_pdf(submission=submission, language=language),
        filename=pdf.submission_pdf_filename(submission),
        content_type="application/pdf",
    )


@require_GET
def public_submission_pdf(request, pk: int):
    """The PDF of a published national review (the same document as staff download). No login;
    404 for anything not published.

    Served from storage with an ETag (the file's SHA-256) and a Last-Modified, so browsers and
    proxies keep it and ask again with If-None-Match (304). Rendered here only when no current
    PDF is stored (`reports.public_pdf`), under `reports.throttle`'s limits: beyond them 503 or
    429 with Retry-After, and a page that says so.
    """
    submission = selectors.public_submission_get(pk=pk)
    language = pdf.submission_pdf_language(submission, request.GET.get("language"))
    stored = public_pdf.public_pdf_current(submission=submission, language=language)
    if stored is not None:
        not_modified = get_conditional_response(request, **_validators(stored))
        if not_modified is not None:
            return _cacheable(request, not_modified, stored)
    file = _open_stored(stored)
    if file is None:
        try:
            stored = public_pdf.public_pdf_render_on_demand(
                submission=submission,
                language=language,
                client=client_ip(request) or "",
                lost=stored,
            )
        except throttle.RenderRefused as refused:
            response = render(
                request,
                "questionnaire/dashboard/public_pdf_wait.html",
                {"submission": submission, "too_many": refused.status == 429},
                status=refused.status,
            )
            response["Retry-After"] = str(refused.retry_after)
            response["Cache-Control"] = "no-store"
            return response
        file = stored.file.open("rb")
    response = file_download(
        file,
        filename=pdf.submission_pdf_filename(submission),
        content_type="application/pdf",
        inline=True,
        private=False,  # a published review: _cacheable says how long caches may keep it
    )
    return _cacheable(request, response, stored)


def _validators(stored) -> dict:
    return {"etag": quote_etag(stored.sha256), "last_modified": int(stored.rendered_at.timestamp())}


def _open_stored(stored):
    """The stored file, open; None when there is none, or it left the storage (it is then
    rendered again, as if it had never been)."""
    if stored is None:
        return None
    try:
        return stored.file.open("rb")
    except FileNotFoundError:
        logger.warning("Public PDF %s is missing from the storage: rendering it again", stored)
        return None


def _cacheable(request, response, stored):
    """The stored PDF's validators, and how long browsers and proxies may keep it."""
    validators = _validators(stored)
    response["ETag"] = validators["etag"]
    response["Last-Modified"] = http_date(validators["last_modified"])
    # A published review is the same for everyone; a logged-in visitor's response may carry their
    # session cookie, which no shared cache may keep.
    who = "public" if settings.SESSION_COOKIE_NAME not in request.COOKIES else "private"
    patch_cache_control(response, **{who: True}, max_age=settings.PUBLIC_PDF_MAX_AGE)
    return response
