"""Read-only pages: the home page per role, a whole submission, a questionnaire preview.

Views stay thin: the selectors decide what the user may see (404 or PermissionDenied otherwise);
the views only pick a template.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import permissions, selectors
from .permissions import Action


@login_required
@require_GET
def home(request):
    """ESCWA staff see every country per cycle; a country's team sees its own country."""
    return render(
        request,
        "questionnaire/home.html",
        {
            "overview": selectors.home_overview(user=request.user),
            # Only chooses the layout; the selector already limited the rows.
            "all_countries": permissions.can(request.user, Action.VIEW_ALL_COUNTRIES),
        },
    )


@login_required
@require_GET
def submission_detail(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    sections = selectors.submission_sections(submission=submission)
    return render(
        request,
        "questionnaire/submission_detail.html",
        {
            "submission": submission,
            "sections": sections,
            "objectives": selectors.objectives_for(sections=sections),
            # Timeline, return message, review decisions, and a comment thread on each question.
            "activity": selectors.submission_activity(
                user=request.user, submission=submission, sections=sections
            ),
        },
    )


@login_required
@require_GET
def version_preview(request, pk: int):
    version = selectors.version_for_preview(user=request.user, pk=pk)
    sections = selectors.version_sections(version=version)
    return render(
        request,
        "questionnaire/version_preview.html",
        {
            "version": version,
            "sections": sections,
            "objectives": selectors.objectives_for(sections=sections),
        },
    )
