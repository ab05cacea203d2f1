"""The submission PDF, for everyone who may see the submission (404 for everyone else).

It is laid out in the submission's language; `?language=en` (or ar, fr) asks for another."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from questionnaire import selectors

from . import pdf


@login_required
@require_GET
def submission_pdf(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    language = pdf.submission_pdf_language(submission, request.GET.get("language"))
    response = HttpResponse(
        pdf.submission_pdf(submission=submission, language=language),
        content_type="application/pdf",
    )
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf.submission_pdf_filename(submission)
    )
    # A country's answers: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
