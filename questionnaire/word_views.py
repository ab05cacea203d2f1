"""Word documents to download (docs/word.md, "Out"): a submission with its current answers, for
everyone who may see it (404 for everyone else, as its PDF), and the blank questionnaire of a
review cycle, for ESCWA staff and the teams of the cycle's countries.

The submission's document is in the submission's language, the blank questionnaire in the
page's; `?language=en` (or ar, fr) asks for another. Any version's blank questionnaire also comes
from its preview, for those who may preview it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from gcmreview.downloads import file_download

from . import permissions, selectors
from .i18n import portal_language
from .permissions import Action
from .word import writer


def _portal_url() -> str:
    return settings.SITE_URL.rstrip("/") + "/"


@login_required
@require_GET
def submission_docx(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    language = portal_language(request.GET.get("language"), submission.language)
    # A country's answers: never kept by a cache (file_download's default).
    return file_download(
        writer.submission_docx(submission=submission, language=language, portal_url=_portal_url()),
        filename=writer.submission_filename(submission, language),
        content_type=writer.CONTENT_TYPE,
    )


@login_required
@require_GET
def version_docx(request, slug: str):
    """The blank questionnaire of the cycle's version. The permission is checked before the
    lookup; a cycle the user's countries take no part in is a 404, as on the home page."""
    permissions.require(request.user, Action.PREVIEW_QUESTIONNAIRE)
    cycle = get_object_or_404(permissions.cycles_visible_to(request.user), slug=slug)
    language = portal_language(request.GET.get("language"), get_language())
    return file_download(
        writer.questionnaire_docx(
            version=cycle.version, language=language, cycle=cycle, portal_url=_portal_url()
        ),
        filename=writer.questionnaire_filename(cycle, language),
        content_type=writer.CONTENT_TYPE,
    )


@login_required
@require_GET
def version_preview_docx(request, pk: int):
    """Any version's blank questionnaire, from its preview (a draft for ESCWA staff only, as
    the preview itself), so that a version can be sent round before any cycle uses it."""
    version = selectors.version_for_preview(user=request.user, pk=pk)
    language = portal_language(request.GET.get("language"), get_language())
    return file_download(
        writer.questionnaire_docx(version=version, language=language, portal_url=_portal_url()),
        filename=writer.version_filename(version, language),
        content_type=writer.CONTENT_TYPE,
    )
