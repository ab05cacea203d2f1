"""A cycle's charts for ESCWA staff (questionnaire/charts): the page, and each chart's numbers
as CSV. `selectors.cycle_get_for_staff` decides who may see them, as for the cycle's other
pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gcmreview.downloads import ascii_name, file_download

from . import charts, selectors


@login_required
@require_GET
def cycle_charts(request, slug: str):
    """Every chart of the cycle, each with its data table and CSV; every country, drafts
    marked."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    return render(
        request,
        "questionnaire/dashboard/cycle_charts.html",
        {"cycle": cycle, "current": "charts", "charts": charts.cycle_charts(cycle=cycle)},
    )


@login_required
@require_GET
def cycle_chart_csv(request, slug: str, key: str):
    """One chart's numbers as CSV, as shown on the charts page."""
    cycle = selectors.cycle_get_for_staff(user=request.user, slug=slug)
    if key not in charts.CHART_KEYS:
        raise Http404
    chart = charts.cycle_charts(cycle=cycle, keys=(key,)).get(key)
    return file_download(
        charts.chart_csv(chart),
        filename=f"gcm-{ascii_name(cycle.slug)}-{key}.csv",
        content_type="text/csv; charset=utf-8",
    )
