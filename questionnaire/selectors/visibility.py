"""The cycles a user takes part in, with their submissions, for the home page. Who may see what
is `permissions.submissions_visible_to` and `permissions.cycles_visible_to`."""

from __future__ import annotations

from .. import permissions
from ..models import (
    Submission,
)


def cycles_for_user(*, user) -> list[dict]:
    """For the home page: each cycle the user takes part in, with their submissions in it."""
    submissions = list(permissions.submissions_visible_to(user).order_by("country__name_en"))
    cycles = permissions.cycles_visible_to(user).prefetch_related("countries")
    by_cycle: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_cycle.setdefault(submission.cycle_id, []).append(submission)
    return [{"cycle": c, "submissions": by_cycle.get(c.pk, [])} for c in cycles]
