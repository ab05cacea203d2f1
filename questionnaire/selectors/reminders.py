"""Which deadline reminders are due on a day."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..models import (
    Country,
    CountryRole,
    DeadlineExtension,
    Membership,
    ReviewCycle,
    Submission,
    VersionStatus,
)
from .progress import (
    AWAITING_COUNTRY,
    NO_SUBMISSION,
    blank_progress,
    submissions_progress,
    version_rules,
)


@dataclass
class ReminderDue:
    """A country of an open cycle whose answers are due in `days_left` days and not yet sent."""

    cycle: ReviewCycle
    country: Country
    submission: Submission | None
    deadline: datetime.date
    extension: DeadlineExtension | None
    days_left: int
    recipients: list  # the country's active focal points with an e-mail address
    answered: int
    total: int
    missing_required: int


def deadline_reminders_due(*, today: datetime.date, days) -> list[ReminderDue]:
    """Every country that has not sent its answers (no submission, a draft, or returned) in an
    open cycle, whose deadline (the cycle's or its extension) is exactly one of `days` away,
    with its focal points to remind. Six queries whatever the number of cycles and countries.

    Exact day counts are what make a daily run remind each country once per step (14, 7, …
    days before): tomorrow the same country is one day further along.
    """
    days = set(days)
    cycles = list(
        ReviewCycle.objects.filter(
            is_closed=False, opens_on__lte=today, version__status=VersionStatus.PUBLISHED
        )
        .select_related("version")
        .prefetch_related("countries")
        .order_by("deadline", "slug")
    )
    if not cycles or not days:
        return []
    listed = list(Submission.objects.filter(cycle__in=cycles).select_related("cycle"))
    rules = submissions_progress(listed, rules=version_rules({c.version_id for c in cycles}))
    submissions = {(s.cycle_id, s.country_id): s for s in listed}
    extensions = {
        (e.cycle_id, e.country_id): e for e in DeadlineExtension.objects.filter(cycle__in=cycles)
    }
    focal_points: dict[int, list] = {}
    for membership in (
        Membership.objects.filter(role=CountryRole.FOCAL_POINT, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    ):
        focal_points.setdefault(membership.country_id, []).append(membership.user)
    due = []
    for cycle in cycles:
        blank = blank_progress(rules[cycle.version_id])
        for country in sorted(cycle.countries.all(), key=lambda c: c.iso2):
            submission = submissions.get((cycle.pk, country.pk))
            status = submission.status if submission else NO_SUBMISSION
            if status not in AWAITING_COUNTRY:
                continue
            extension = extensions.get((cycle.pk, country.pk))
            deadline = extension.deadline if extension else cycle.deadline
            days_left = (deadline - today).days
            if days_left not in days:
                continue
            due.append(
                ReminderDue(
                    cycle=cycle,
                    country=country,
                    submission=submission,
                    deadline=deadline,
                    extension=extension,
                    days_left=days_left,
                    recipients=focal_points.get(country.pk, []),
                    answered=(submission.progress if submission else blank)["answered"],
                    total=(submission.progress if submission else blank)["total"],
                    missing_required=(submission.progress if submission else blank)[
                        "missing_required"
                    ],
                )
            )
    return due
