"""The home page: each cycle the user takes part in, one row per country."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .. import permissions
from ..models import (
    FINAL_STATUSES,
    Country,
    DeadlineExtension,
    ReviewCycle,
    Submission,
)
from .progress import DaysLeft, _add_progress_and_deadline, submissions_progress, version_rules
from .visibility import cycles_for_user


@dataclass
class CountryRow(DaysLeft):
    """One participating country in a cycle, with its submission when it has one."""

    country: Country
    submission: Submission | None
    # For a country's own team: the accepted submission a new one may be prefilled from.
    previous: Submission | None = None
    # For a country's own team (None on ESCWA's overview): the submission's progress, counted
    # as the answering page's section navigation counts it, and the country's deadline.
    answered: int | None = None
    unreviewed: int | None = None  # carried forward, not yet reviewed
    total: int | None = None
    missing_required: int | None = None
    deadline: datetime.date | None = None  # the cycle's, or the country's extension
    extension: DeadlineExtension | None = None
    # Days from today to `deadline` while the next move is the country's and the cycle is open
    # (negative: overdue); None otherwise.
    days_left: int | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass
class CycleOverview:
    cycle: ReviewCycle
    rows: list[CountryRow] = field(default_factory=list)

    @property
    def started(self) -> list[CountryRow]:
        return [row for row in self.rows if row.submission is not None]

    @property
    def not_started(self) -> list[Country]:
        return [row.country for row in self.rows if row.submission is None]


def home_overview(*, user) -> list[CycleOverview]:
    """Each cycle the user takes part in, one row per country they may see (all for staff).

    A participating country without a submission yet gets a row with `submission=None`, so that
    both the country's team and ESCWA see who has not started. A country's team also gets each
    row's progress (answered, total, required still missing) and deadline (its extension if
    ESCWA granted one, days left while the next move is the country's). Four queries for staff,
    six for a country's team, whatever the number of cycles and countries.
    """
    staff = permissions.is_reviewer(user)
    member_of = set(permissions.country_roles(user))
    cycles = cycles_for_user(user=user)
    # One query for the whole page: the earlier accepted submissions a team could start from.
    earlier = (
        []
        if staff
        else list(
            Submission.objects.filter(
                country_id__in=member_of,
                status__in=FINAL_STATUSES,
            )
            .select_related("cycle__version")
            .order_by("-cycle__opens_on")
        )
    )
    # And one each for the questions' totals per version and the countries' extensions.
    rules = {} if staff else version_rules({e["cycle"].version_id for e in cycles})
    if not staff:
        submissions_progress([s for e in cycles for s in e["submissions"]], rules=rules)
    extensions = (
        {}
        if staff or not member_of
        else {
            (e.cycle_id, e.country_id): e
            for e in DeadlineExtension.objects.filter(country_id__in=member_of)
        }
    )
    today = timezone.localdate()
    overview = []
    for entry in cycles:
        cycle = entry["cycle"]
        by_country = {s.country_id: s for s in entry["submissions"]}
        countries = [c for c in cycle.countries.all() if staff or c.pk in member_of]
        # A submission whose country later left the cycle is still listed.
        listed = {c.pk for c in countries}
        countries += [s.country for s in entry["submissions"] if s.country_id not in listed]
        countries.sort(key=lambda c: c.name)
        rows = []
        for country in countries:
            previous = next(
                (
                    s
                    for s in earlier
                    if s.country_id == country.pk
                    and s.cycle.opens_on < cycle.opens_on
                    and s.cycle.version.questionnaire_id == cycle.version.questionnaire_id
                ),
                None,
            )
            row = CountryRow(
                country=country, submission=by_country.get(country.pk), previous=previous
            )
            if not staff:
                _add_progress_and_deadline(
                    row,
                    cycle=cycle,
                    questions=rules.get(cycle.version_id, []),
                    extension=extensions.get((cycle.pk, country.pk)),
                    today=today,
                )
            rows.append(row)
        overview.append(CycleOverview(cycle=cycle, rows=rows))
    return overview
