"""What the read-only API (api/, docs/api.md) and the public bulk downloads may read.

The rule is the pages' rule, widened by nothing: everyone reads published national reviews
(`public.py`); a caller with a personal token reads, besides, what its holder may open in the
portal (`permissions.submissions_visible_to`: ESCWA staff every submission, a country's team its
own country's). The API asks these selectors and nothing else, so that an id in a URL is no
credential: what the caller may not read is 404, as on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .. import permissions
from ..models import (
    Objective,
    QuestionnaireVersion,
    ReviewCycle,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionStatus,
)
from .answering import QuestionAnswer, submission_sections
from .exports import CycleAnswers, cycle_answers
from .versions import objectives_for, version_sections


def _visible_filter(user) -> Q:
    """Published, or (for a token's holder) any submission `permissions` lets them open."""
    published = Q(status=SubmissionStatus.PUBLISHED)
    if user is None or not user.is_authenticated:
        return published
    if permissions.is_reviewer(user):
        return Q()  # every submission of every cycle
    return published | Q(country_id__in=list(permissions.country_roles(user)))


def _with_published_at(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    """`published_at`: when ESCWA last published it (its event), None for the others."""
    published = (
        SubmissionEvent.objects.filter(
            submission=OuterRef("pk"), to_status=SubmissionStatus.PUBLISHED
        )
        .values("submission")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    return qs.annotate(published_at=Subquery(published))


def api_submissions(*, user, cycle: str = "", country: str = "") -> QuerySet[Submission]:
    """The submissions the caller may read, newest cycle first, then by country name;
    `cycle` (a slug) and `country` (ISO alpha-2 or alpha-3) narrow them. One query (and one
    for the holder's teams)."""
    qs = _with_published_at(
        Submission.objects.filter(_visible_filter(user)).select_related("cycle", "country")
    ).order_by("-cycle__opens_on", "cycle__pk", "country__name_en", "pk")

    if cycle:
        qs = qs.filter(cycle__slug=cycle)
    if country:
        qs = qs.filter(Q(country__iso2=country.upper()) | Q(country__iso3=country.upper()))
    return qs


def api_submission_get(*, user, pk: int) -> Submission:
    """One submission the caller may read, or 404 (whatever the reason: missing, or not
    theirs, or not published)."""
    submission = (
        _with_published_at(Submission.objects.filter(_visible_filter(user), pk=pk))
        .select_related("cycle__version__questionnaire", "country")
        .first()
    )
    if submission is None:
        raise Http404
    return submission


def api_cycles(*, user) -> QuerySet[ReviewCycle]:
    """The cycles in which the caller may read at least one submission, and for a token's
    holder the cycles they take part in (`permissions.cycles_visible_to`), newest first. A cycle
    with nothing published is nobody's business outside the portal. One query."""
    readable = Submission.objects.filter(_visible_filter(user), cycle=OuterRef("pk"))
    condition = Q(Exists(readable))
    if user is not None and user.is_authenticated:
        condition |= Q(pk__in=permissions.cycles_visible_to(user).values("pk"))
    return (
        ReviewCycle.objects.filter(condition)
        .select_related("version__questionnaire")
        .order_by("-opens_on", "pk")
    )


def api_cycle_get(*, user, slug: str) -> ReviewCycle:
    cycle = api_cycles(user=user).filter(slug=slug).first()
    if cycle is None:
        raise Http404
    return cycle


def api_versions() -> QuerySet[QuestionnaireVersion]:
    """Every questionnaire version ever sent to countries (published or retired; never a
    draft, which may still change), newest first. Their text is the questionnaire the
    countries answered, public with each published review. One query."""
    return (
        QuestionnaireVersion.objects.exclude(status=VersionStatus.DRAFT)
        .select_related("questionnaire")
        .order_by("-published_at", "-pk")
    )


def api_version_get(*, pk: int) -> QuestionnaireVersion:
    version = api_versions().filter(pk=pk).first()
    if version is None:
        raise Http404
    version.section_list = version_sections(version=version)
    return version


def api_objectives() -> list[Objective]:
    """The 23 GCM objectives in order. One query."""
    return list(Objective.objects.order_by("number"))


@dataclass
class SubmissionAnswers:
    """A submission's shown questions with their answers (None when unanswered), and the GCM
    objectives when a question shows them."""

    submission: Submission
    items: list[QuestionAnswer]
    objectives: list[Objective]


def api_submission_answers(*, submission: Submission) -> SubmissionAnswers:
    """The questions the submission shows by the one rule (conditions.answer_states: a
    question its earlier answers hide is left out, as in the PDF and the exports), in order,
    each with its answer. Five queries whatever the number of questions."""
    sections = submission_sections(submission=submission, authors=False)
    items = [item for section in sections for item in section.shown_items]
    return SubmissionAnswers(
        submission=submission,
        items=items,
        objectives=objectives_for(sections=sections),
    )


def public_cycle_answers(*, slug: str) -> CycleAnswers:
    """Every published answer of the cycle, for the public bulk downloads: only the countries
    that published, nothing of the others (not even that they took part). 404 when nothing of
    the cycle is published. A fixed number of queries."""
    cycle = (
        ReviewCycle.objects.filter(slug=slug, submissions__status=SubmissionStatus.PUBLISHED)
        .select_related("version__questionnaire")
        .first()
    )
    if cycle is None:
        raise Http404
    return cycle_answers(cycle=cycle, published_only=True)
