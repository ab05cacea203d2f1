"""Reads of the reports' own state (regional compilations), with the permission applied.

Like `questionnaire.selectors`, every lookup a view makes from an id in the URL goes through here,
so that the permission is checked before the database says whether the object exists.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from questionnaire import permissions
from questionnaire.permissions import Action

from .models import Compilation


def compilation_get(*, user, pk: int) -> Compilation:
    """A regional compilation, for ESCWA staff only: it gathers every country's answers.

    PermissionDenied for everyone else, whatever the id (a country's user learns nothing, not
    even which compilations exist); 404 for a staff member asking for an unknown one.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    # The cycle's questionnaire too: the page shows the cycle's header and tabs.
    compilations = Compilation.objects.select_related(
        "cycle__version__questionnaire", "requested_by"
    )
    return get_object_or_404(compilations, pk=pk)


def cycle_compilations(*, cycle, limit: int = 20) -> list[Compilation]:
    """The cycle's latest compilations, newest first, with who asked for each. One query.
    Callers check the permission first (`questionnaire.selectors.cycle_get_for_staff`)."""
    return list(Compilation.objects.filter(cycle=cycle).select_related("requested_by")[:limit])
