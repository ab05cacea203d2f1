"""What changed since the previous cycle: the region's page (ESCWA staff, like the dashboard) and
each country's (staff, and the country's own team). The comparison itself is
`selectors.cycle_comparison` / `selectors.country_comparison`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import permissions, selectors
from .permissions import Action


@login_required
@require_GET
def cycle_changes(request, slug: str):
    """Which objectives moved, which countries reported new policies, and each country that
    answered both cycles with how many of its answers changed."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    comparison = selectors.cycle_comparison(cycle=cycle)
    return render(
        request,
        "questionnaire/comparison/cycle_changes.html",
        {"cycle": cycle, "current": "changes", "comparison": comparison},
    )


@login_required
@require_GET
def country_changes(request, slug: str, iso2: str):
    """One country's answers then and now, side by side with a word diff, and its objectives."""
    cycle, country = selectors.comparison_country_get(user=request.user, slug=slug, iso2=iso2)
    previous_cycle, comparison = selectors.country_comparison(cycle=cycle, country=country)
    return render(
        request,
        "questionnaire/comparison/country_changes.html",
        {
            "cycle": cycle,
            "country": country,
            "previous_cycle": previous_cycle,
            "comparison": comparison,
            "sees_all_countries": permissions.can(request.user, Action.VIEW_ALL_COUNTRIES),
        },
    )
