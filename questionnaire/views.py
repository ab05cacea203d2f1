"""Read-only pages: the home page per role, a whole submission, a questionnaire preview.

Views stay thin: the selectors decide what the user may see (404 or PermissionDenied otherwise);
the views only pick a template.
"""

from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation
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
    """One page per submission for everyone who may see it: the answers with their comment
    threads and timeline; the ways on for the country's team (revise, check and submit, agree to
    publication); the review tools (decisions, what changed) for ESCWA."""
    page = selectors.submission_page(user=request.user, pk=pk)
    compared_with = selectors.submission_compared_with(
        submission=page.submission,
        previous=page.previous_cycle.submission if page.previous_cycle else None,
    )
    return render(
        request,
        "questionnaire/submission_detail.html",
        {
            "page": page,
            "compared_with": compared_with,
            "submission": page.submission,
            "sections": page.sections,
            "objectives": page.objectives,
            "activity": page.activity,
        },
    )


@login_required
@require_GET
def version_preview(request, pk: int):
    """A version as a country's focal point will see it. `?language=ar` shows it in another
    language than the reader's own, without changing theirs: an administrator checks a draft's
    Arabic and French from its admin page."""
    version = selectors.version_for_preview(user=request.user, pk=pk)
    sections = selectors.version_preview_sections(version=version)
    shown = request.GET.get("language")
    if shown not in dict(settings.LANGUAGES):
        shown = None
    with translation.override(shown) if shown else nullcontext():
        response = render(
            request,
            "questionnaire/version_preview.html",
            {
                "version": version,
                "sections": sections,
                "objectives": selectors.objectives_for(sections=sections),
                "preview_languages": [
                    (code, translation.get_language_info(code)["name_local"])
                    for code, _name in settings.LANGUAGES
                ],
                # The language switcher changes the reader's own language and comes back to the
                # preview in it, not to the language this one was asked in.
                "language_next": request.path,
            },
        )
    if shown:
        response.headers["Content-Language"] = shown
    return response
