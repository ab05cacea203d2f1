"""Published national reviews: what anyone may read without logging in."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    QuerySet,
)
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import (
    ReviewCycle,
    Submission,
    SubmissionStatus,
)


@dataclass
class PublicCycle:
    cycle: ReviewCycle
    submissions: list[Submission]


def _published() -> QuerySet[Submission]:
    # The only filter between the public and every country's work: published, nothing else.
    return Submission.objects.filter(status=SubmissionStatus.PUBLISHED).select_related(
        "cycle__version__questionnaire", "country"
    )


def public_cycles() -> list[PublicCycle]:
    """The cycles that have at least one published national review, newest first, each with its
    published submissions by country name. One query."""
    cycles: dict[int, PublicCycle] = {}
    for submission in _published().order_by("-cycle__opens_on", "cycle__pk"):
        entry = cycles.setdefault(submission.cycle_id, PublicCycle(submission.cycle, []))
        entry.submissions.append(submission)
    for entry in cycles.values():
        entry.submissions.sort(key=lambda s: (s.country.name, s.country.iso2))
    return list(cycles.values())


def public_cycle_get(*, slug: str) -> PublicCycle:
    """A cycle's published national reviews; 404 when it has none (a cycle with nothing
    published is nobody's business outside the portal). One query."""
    submissions = sorted(
        _published().filter(cycle__slug=slug), key=lambda s: (s.country.name, s.country.iso2)
    )
    if not submissions:
        raise Http404
    return PublicCycle(cycle=submissions[0].cycle, submissions=submissions)


def public_submission_get(*, pk: int) -> Submission:
    """A published submission, or 404 for any other (whatever its status: a draft, a
    submission under review or an accepted one not yet published all look like no page)."""
    return get_object_or_404(_published(), pk=pk)
