"""The submission PDF, for everyone who may see the submission (404 for everyone else).

It is laid out in the submission's language; `?language=en` (or ar, fr) asks for another."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from gcmreview.downloads import file_download
from questionnaire import selectors

from . import pdf


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
