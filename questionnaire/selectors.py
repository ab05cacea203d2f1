"""Reads of the questionnaire's state, shaped for pages, PDFs and exports.

Each selector runs a fixed number of queries whatever the number of sections, questions or
countries (tests assert it), and applies `permissions` so that no caller can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from . import permissions
from .models import (
    Answer,
    Country,
    Objective,
    Question,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    VersionStatus,
)
from .permissions import Action


def version_sections(*, version: QuestionnaireVersion) -> list[Section]:
    """Sections of a version in order, each with `.question_list` in order. Two queries."""
    return list(
        Section.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "pk"),
                to_attr="question_list",
            )
        )
    )


def submissions_visible_to(*, user) -> QuerySet[Submission]:
    """The submissions this user may open: all for ESCWA staff, their countries' for members."""
    qs = Submission.objects.select_related("cycle", "country", "cycle__version")
    if permissions.is_reviewer(user):
        return qs
    return qs.filter(country_id__in=list(permissions.country_roles(user)))


def submission_get(*, user, pk: int) -> Submission:
    """A submission the user may see, or 404: outsiders learn nothing, not even that it exists."""
    submission = get_object_or_404(submissions_visible_to(user=user), pk=pk)
    permissions.require(user, Action.VIEW_SUBMISSION, submission)
    return submission


@dataclass
class QuestionAnswer:
    question: Question
    answer: Answer | None

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def is_answered(self) -> bool:
        return self.answer is not None and not self.question.type_handler.is_empty(
            self.answer.value
        )


@dataclass
class SectionAnswers:
    section: Section
    items: list[QuestionAnswer] = field(default_factory=list)

    @property
    def answered_count(self) -> int:
        return sum(1 for item in self.items if item.is_answered)

    @property
    def missing_required(self) -> list[QuestionAnswer]:
        return [i for i in self.items if i.question.required and not i.is_answered]


def submission_sections(*, submission: Submission) -> list[SectionAnswers]:
    """Every section of the submission's version with each question and its answer. 3 queries."""
    answers = {
        a.question_id: a
        for a in Answer.objects.filter(submission=submission).select_related("updated_by")
    }
    return [
        SectionAnswers(
            section=section,
            items=[QuestionAnswer(q, answers.get(q.pk)) for q in section.question_list],
        )
        for section in version_sections(version=submission.cycle.version)
    ]


def cycles_for_user(*, user) -> list[dict]:
    """For the home page: each cycle the user takes part in, with their submissions in it."""
    submissions = list(submissions_visible_to(user=user).order_by("country__name_en"))
    if permissions.is_reviewer(user):
        cycles = ReviewCycle.objects.select_related("version__questionnaire").prefetch_related(
            "countries"
        )
    else:
        cycles = (
            ReviewCycle.objects.filter(countries__in=list(permissions.country_roles(user)))
            .distinct()
            .select_related("version__questionnaire")
            .prefetch_related("countries")
        )
    by_cycle: dict[int, list[Submission]] = {}
    for submission in submissions:
        by_cycle.setdefault(submission.cycle_id, []).append(submission)
    return [{"cycle": c, "submissions": by_cycle.get(c.pk, [])} for c in cycles]


def published_versions() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)


@dataclass
class VersionDiff:
    added: list[Question]
    removed: list[Question]
    changed: list[tuple[Question, Question, list[str]]]
    unchanged: int


COMPARED_FIELDS = ("label", "text", "help_text", "type", "required", "options")


def version_compare(*, old: QuestionnaireVersion, new: QuestionnaireVersion) -> VersionDiff:
    """Questions added, removed and changed between two versions, matched by key."""

    def questions(version):
        return {
            q.key: q
            for q in Question.objects.filter(version=version)
            .select_related("section")
            .order_by("section__order", "order")
        }

    before, after = questions(old), questions(new)
    changed = []
    unchanged = 0
    for key in after.keys() & before.keys():
        a, b = before[key], after[key]
        fields = [f for f in COMPARED_FIELDS if getattr(a, f) != getattr(b, f)]
        if a.section.number != b.section.number:
            fields.insert(0, "section")
        if fields:
            changed.append((a, b, fields))
        else:
            unchanged += 1
    order = list(after)
    changed.sort(key=lambda item: order.index(item[1].key))
    return VersionDiff(
        added=[q for k, q in after.items() if k not in before],
        removed=[q for k, q in before.items() if k not in after],
        changed=changed,
        unchanged=unchanged,
    )


# --- Pages: home, submission, preview ------------------------------------------------------------


@dataclass
class CountryRow:
    """One participating country in a cycle, with its submission when it has one."""

    country: Country
    submission: Submission | None


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
    both the country's team and ESCWA see who has not started. Four queries, whatever the number
    of cycles and countries.
    """
    staff = permissions.is_reviewer(user)
    member_of = set(permissions.country_roles(user))
    overview = []
    for entry in cycles_for_user(user=user):
        cycle = entry["cycle"]
        by_country = {s.country_id: s for s in entry["submissions"]}
        countries = [c for c in cycle.countries.all() if staff or c.pk in member_of]
        # A submission whose country later left the cycle is still listed.
        listed = {c.pk for c in countries}
        countries += [s.country for s in entry["submissions"] if s.country_id not in listed]
        countries.sort(key=lambda c: c.name)
        overview.append(
            CycleOverview(
                cycle=cycle,
                rows=[CountryRow(country=c, submission=by_country.get(c.pk)) for c in countries],
            )
        )
    return overview


def objectives_for(*, sections: list[Section] | list[SectionAnswers]) -> list[Objective]:
    """The GCM objectives in order when a question among `sections` is an objectives grid.

    At most one query; none when no question needs them.
    """
    questions = (
        question
        for section in sections
        for question in (
            [item.question for item in section.items]
            if isinstance(section, SectionAnswers)
            else section.question_list
        )
    )
    if any(q.type == QuestionType.OBJECTIVES_GRID for q in questions):
        return list(Objective.objects.order_by("number"))
    return []


def version_for_preview(*, user, pk: int) -> QuestionnaireVersion:
    """A questionnaire version the user may preview (PermissionDenied otherwise), or 404."""
    permissions.require(user, Action.PREVIEW_QUESTIONNAIRE)
    return get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
