"""Pages that follow a cycle across countries, for ESCWA staff, and the public pages.

Staff pages: the cycle dashboard (one row per country), one question across all countries, the
countries × objectives matrix and a search of the answers. `selectors.cycle_get_for_staff`
decides who may see them (PermissionDenied for everyone but ESCWA staff).

Public pages (no login): the published national reviews, each readable and downloadable as PDF.
`selectors.public_*` return published submissions only; nothing else can reach these pages.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gcmreview.licence import LICENCE

from . import permissions, selectors, services
from .dashboard_forms import (
    AnswerSearchForm,
    DashboardFilterForm,
    DeadlineExtensionForm,
    IncludeDraftsForm,
)
from .permissions import Action

logger = logging.getLogger(__name__)

# The dashboard's columns: (sort key, heading). Every column sorts.
DASHBOARD_COLUMNS = [
    ("country", gettext_lazy("Country")),
    ("status", gettext_lazy("Status")),
    ("completion", gettext_lazy("Answered")),
    ("missing", gettext_lazy("Required missing")),
    ("activity", gettext_lazy("Last activity")),
    ("submitted", gettext_lazy("Submitted")),
    ("accepted", gettext_lazy("Accepted")),
    ("deadline", gettext_lazy("Days to deadline")),
    ("comments", gettext_lazy("Open comments")),
]


def _cycle_nav(cycle, current: str) -> dict:
    """What the cycle's tabs need (templates/questionnaire/dashboard/includes/cycle_nav.html)."""
    return {"cycle": cycle, "current": current}


def _sort_headers(request, *, sort: str, descending: bool, closed: bool) -> list[dict]:
    """Each column's heading with the link that sorts by it (the current column's link reverses
    the order) and its aria-sort, keeping the filters of the query string. A closed cycle has
    no deadline column: no one is due any more."""
    headers = []
    for key, label in DASHBOARD_COLUMNS:
        if closed and key == "deadline":
            continue
        current = key == sort
        params = request.GET.copy()
        params["sort"] = key
        params["dir"] = "asc" if current and descending else ("desc" if current else "asc")
        headers.append(
            {
                "key": key,
                "label": label,
                "url": f"?{params.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "next_descending": params["dir"] == "desc",
            }
        )
    return headers


def _filter_url(request, **changes) -> str:
    params = request.GET.copy()
    for name in ("status", "overdue", "comments"):
        params.pop(name, None)
    for name, value in changes.items():
        params[name] = value
    return f"?{params.urlencode()}" if params else "?"


def _render_dashboard(request, cycle, *, extension_form=None, status: int = 200):
    filters = DashboardFilterForm(request.GET, cycle=cycle)
    options = filters.options()
    dashboard = selectors.cycle_dashboard(cycle=cycle, **options)
    may_extend = permissions.can(request.user, Action.MANAGE_DEADLINES) and not cycle.is_closed
    if may_extend and extension_form is None:
        extension_form = DeadlineExtensionForm(cycle=cycle)
    status_links = [
        {"count": entry, "url": _filter_url(request, status=entry.value)}
        for entry in dashboard.status_counts
    ]
    return render(
        request,
        "questionnaire/dashboard/cycle_dashboard.html",
        {
            **_cycle_nav(cycle, "dashboard"),
            "dashboard": dashboard,
            "filters": filters,
            "options": options,
            "filtered": bool(options["status"] or options["overdue"] or options["with_comments"]),
            "headers": _sort_headers(
                request,
                sort=options["sort"],
                descending=options["descending"],
                closed=cycle.is_closed,
            ),
            "status_links": status_links,
            "overdue_url": _filter_url(request, overdue="on"),
            "comments_url": _filter_url(request, comments="on"),
            "clear_url": _filter_url(request),
            "extension_form": extension_form if may_extend else None,
            # The rows that link to what changed since the previous cycle.
            "compared_country_ids": selectors.cycle_compared_country_ids(cycle=cycle),
        },
        status=status,
    )


@login_required
@require_GET
def cycle_dashboard(request, slug: str):
    """Every country of a cycle: status, completion, dates, deadline and open comments."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    return _render_dashboard(request, cycle)


@login_required
@require_POST
def deadline_extension_grant(request, slug: str):
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    form = DeadlineExtensionForm(request.POST, cycle=cycle)
    if form.is_valid():
        try:
            extension = services.deadline_extension_grant(
                cycle=cycle,
                country=form.cleaned_data["country"],
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("deadline", error)
        else:
            messages.success(
                request,
                _("%(country)s now has until %(deadline)s.")
                % {
                    "country": extension.country.name,
                    "deadline": date_format(extension.deadline),
                },
            )
            return redirect(reverse("cycle_dashboard", args=[cycle.slug]) + "#extensions")
    return _render_dashboard(request, cycle, extension_form=form, status=400)


@login_required
@require_GET
def cycle_question_pick(request, slug: str):
    """The question picker's target: to the question chosen, or the first one."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    key = request.GET.get("key", "")
    if not key:
        sections = selectors.version_sections(version=cycle.version)
        first = next((q for s in sections for q in s.question_list), None)
        if first is None:
            raise Http404
        key = first.key
    try:
        url = reverse("cycle_question", args=[cycle.slug, key])
    except NoReverseMatch:  # not a question key at all ("<script>", "a/b"): no such question
        raise Http404 from None
    if request.GET.get("sent"):
        url += "?sent=on"
    return redirect(url)


@login_required
@require_GET
def cycle_question(request, slug: str, key: str):
    """One question with every country's answer, side by side."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    drafts = IncludeDraftsForm(request.GET)
    page = selectors.cycle_question_across_countries(
        cycle=cycle, key=key, include_drafts=drafts.include_drafts()
    )
    return render(
        request,
        "questionnaire/dashboard/cycle_question.html",
        {
            **_cycle_nav(cycle, "questions"),
            "page": page,
            "sent_only": not page.include_drafts,
            "query": "?sent=on" if not page.include_drafts else "",
        },
    )


@login_required
@require_GET
def cycle_objectives(request, slug: str):
    """Countries × the 23 GCM objectives, from the questionnaire's objectives grid."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    drafts = IncludeDraftsForm(request.GET)
    matrix = selectors.cycle_objectives_matrix(
        cycle=cycle, key=request.GET.get("key", ""), include_drafts=drafts.include_drafts()
    )
    return render(
        request,
        "questionnaire/dashboard/cycle_objectives.html",
        {
            **_cycle_nav(cycle, "objectives"),
            "matrix": matrix,
            "sent_only": not matrix.include_drafts,
        },
    )


@login_required
@require_GET
def cycle_search(request, slug: str):
    """Search every answer of the cycle; results link to the answer in its submission."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    results = None
    form = AnswerSearchForm(request.GET if "q" in request.GET else None)
    if form.is_bound:
        if form.is_valid():
            results = selectors.cycle_answer_search(
                cycle=cycle,
                query=form.cleaned_data["q"],
                include_drafts=not form.cleaned_data["sent"],
            )
        elif "q" in form.errors and not form.data.get("q", "").strip():
            messages.info(request, _("Type one or more words to search the answers."))
        else:
            for error in form.errors.get("q", []):
                messages.error(request, error)
    return render(
        request,
        "questionnaire/dashboard/cycle_search.html",
        {**_cycle_nav(cycle, "search"), "form": form, "results": results},
    )


# --- Public pages ------------------------------------------------------------------------------


@require_GET
def public_index(request):
    """Every published national review, by cycle. No login."""
    return render(
        request,
        "questionnaire/dashboard/public_index.html",
        {"cycles": selectors.public_cycles(), "api_docs_url": reverse("api-v1:api_docs")},
    )


@require_GET
def public_cycle(request, slug: str):
    """The published national reviews of one cycle. No login."""
    return render(
        request,
        "questionnaire/dashboard/public_cycle.html",
        {
            "entry": selectors.public_cycle_get(slug=slug),
            "licence": LICENCE,
            "api_docs_url": reverse("api-v1:api_docs"),
        },
    )


@require_GET
def public_submission(request, pk: int):
    """One published national review, read-only. No login; 404 for anything not published."""
    submission = selectors.public_submission_get(pk=pk)
    sections = selectors.submission_sections(submission=submission)
    return render(
        request,
        "questionnaire/dashboard/public_submission.html",
        {
            "submission": submission,
            "sections": sections,
            "objectives": selectors.objectives_for(sections=sections),
        },
    )
