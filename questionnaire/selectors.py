"""Reads of the questionnaire's state, shaped for pages, PDFs and exports.

Each selector runs a fixed number of queries whatever the number of sections, questions or
countries (tests assert it), and applies `permissions` so that no caller can forget to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, gettext_lazy

from . import i18n, permissions, search
from .models import (
    ESCWA_AUTHORED,
    Answer,
    AnswerRevision,
    Attachment,
    Comment,
    Country,
    CountryRole,
    DeadlineExtension,
    Invitation,
    Membership,
    Objective,
    PublicationAgreement,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionStatus,
)
from .permissions import Action
from .types import get_type
from .types.objectives_grid import OBJECTIVE_COUNT


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
    qs = Submission.objects.select_related("cycle", "country", "cycle__version__questionnaire")
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
    # Filled by the pages that show them (review, submission, answering): the question's comment
    # thread and, on the review page, what changed since the previous submission.
    comments: list[Comment] = field(default_factory=list)
    change: AnswerChange | None = None

    @property
    def open_comment_count(self) -> int:
        return sum(1 for comment in self.comments if comment.is_open)

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def answer_revision(self) -> int:
        return self.answer.revision if self.answer else 0

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


def cycles_for_user(*, user, counted: bool = False) -> list[dict]:
    """For the home page: each cycle the user takes part in, with their submissions in it;
    `counted` adds each submission's `answered` and `required_answered` (same query)."""
    submissions = submissions_visible_to(user=user).order_by("country__name_en")
    if counted:
        submissions = _with_answer_counts(submissions)
    submissions = list(submissions)
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


COMPARED_FIELDS = (
    "label",
    "text",
    "help_text",
    *i18n.translation_fields("question"),
    "type",
    "required",
    "options",
)


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


@dataclass
class MissingTranslation:
    """One text of a version (or of the GCM objectives it shows) with no Arabic or French yet."""

    obj: Questionnaire | Section | Question | Objective
    where: str  # "Section II", "Question II.c (policy-...)", "Objective 4", the questionnaire
    language: str  # "ar" or "fr"
    what: str  # "title", "help text", "choice “law”"

    @property
    def language_name(self) -> str:
        return str(i18n.LANGUAGE_NAMES[self.language])


def version_missing_translations(*, version: QuestionnaireVersion) -> list[MissingTranslation]:
    """Every text of the version that has English but no Arabic or French: the questionnaire's
    title, the sections' titles and introductions, the questions' texts, help texts and option
    labels, and, when the version has an objectives grid, the objectives' titles and short
    labels. Pages fall back to English for each; admins see the list. Four queries at most."""
    found: list[MissingTranslation] = []

    def add(obj, where: str) -> None:
        found.extend(
            MissingTranslation(obj=obj, where=where, language=code, what=what)
            for code, what in i18n.missing(obj)
        )

    questionnaire = version.questionnaire
    add(questionnaire, str(Questionnaire._meta.verbose_name).capitalize())
    sections = version_sections(version=version)
    for section in sections:
        add(section, gettext("Section %(number)s") % {"number": section.number})
        for question in section.question_list:
            where = gettext("Question %(number)s.%(label)s (%(key)s)") % {
                "number": section.number,
                "label": question.label,
                "key": question.key,
            }
            add(question, where)
    for objective in objectives_for(sections=sections):
        add(objective, gettext("Objective %(number)s") % {"number": objective.number})
    return found


# --- Pages: home, submission, preview ------------------------------------------------------------


class DaysLeft:
    """For rows with `days_left`: days from today to the deadline while the next move is the
    country's (negative: overdue), None otherwise."""

    days_left: int | None

    @property
    def is_overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.is_overdue else 0


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
    cycles = cycles_for_user(user=user, counted=not staff)
    # One query for the whole page: the earlier accepted submissions a team could start from.
    earlier = (
        []
        if staff
        else list(
            Submission.objects.filter(
                country_id__in=member_of,
                status__in=[SubmissionStatus.ACCEPTED, SubmissionStatus.PUBLISHED],
            )
            .select_related("cycle__version")
            .order_by("-cycle__opens_on")
        )
    )
    # And one each for the questions' totals per version and the countries' extensions.
    totals = {} if staff else _question_totals_by_version({e["cycle"].version_id for e in cycles})
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
                    totals=totals.get(cycle.version_id, (0, 0)),
                    extension=extensions.get((cycle.pk, country.pk)),
                    today=today,
                )
            rows.append(row)
        overview.append(CycleOverview(cycle=cycle, rows=rows))
    return overview


def _question_totals_by_version(version_ids) -> dict[int, tuple[int, int]]:
    """version id → (questions, required questions). One query (none for no version)."""
    if not version_ids:
        return {}
    rows = (
        Question.objects.filter(version__in=version_ids)
        .values("version")
        .annotate(total=Count("pk"), required=Count("pk", filter=Q(required=True)))
        .order_by()
    )
    return {row["version"]: (row["total"], row["required"]) for row in rows}


def _add_progress_and_deadline(
    row: CountryRow,
    *,
    cycle: ReviewCycle,
    totals: tuple[int, int],
    extension: DeadlineExtension | None,
    today: datetime.date,
) -> None:
    """Fill a country team's row: the same counts as `submission_progress` (the submission comes
    annotated by `_with_answer_counts`), and the deadline as the staff dashboard reckons it."""
    total, required = totals
    submission = row.submission
    row.total = total
    row.answered = submission.answered if submission else 0
    row.missing_required = required - (submission.required_answered if submission else 0)
    row.extension = extension
    row.deadline, row.days_left = _deadline(
        cycle=cycle, submission=submission, extension=extension, today=today
    )


def _deadline(
    *,
    cycle: ReviewCycle,
    submission: Submission | None,
    extension: DeadlineExtension | None,
    today: datetime.date,
) -> tuple[datetime.date, int | None]:
    """A country's deadline in a cycle (its extension's, else the cycle's) and the days left to
    it while the next move is the country's in an open cycle (negative: overdue; else None)."""
    deadline = extension.deadline if extension else cycle.deadline
    current = submission.status if submission else NO_SUBMISSION
    awaiting = current in AWAITING_COUNTRY and not cycle.is_closed
    return deadline, (deadline - today).days if awaiting else None


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
    """A questionnaire version the user may preview (PermissionDenied otherwise), or 404.

    Drafts are ESCWA's work in progress: only staff see them.
    """
    permissions.require(user, Action.PREVIEW_QUESTIONNAIRE)
    versions = QuestionnaireVersion.objects.select_related("questionnaire")
    if not permissions.is_reviewer(user):
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return get_object_or_404(versions, pk=pk)


# --- Answering ---------------------------------------------------------------------------------


def submission_question(*, submission: Submission, key: str) -> Question:
    """A question of the submission's version by key, or 404."""
    return get_object_or_404(
        Question.objects.select_related("section"), version=submission.cycle.version_id, key=key
    )


def submission_progress(*, submission: Submission) -> dict:
    """Answered / total and required-still-missing, per section and overall. One query."""
    sections: dict[str, dict] = {}
    # Every autosave runs this over the whole questionnaire: one query that joins each question
    # to this submission's answer, read as tuples rather than model instances.
    questions = (
        Question.objects.filter(version=submission.cycle.version_id)
        .annotate(
            this_answer=FilteredRelation("answers", condition=Q(answers__submission=submission))
        )
        .order_by("section__order", "section__pk", "order", "pk")
        .values_list("section__number", "type", "required", "this_answer__value")
    )
    for number, kind, required, value in questions:
        entry = sections.setdefault(number, {"answered": 0, "total": 0, "missing_required": 0})
        entry["total"] += 1
        if not get_type(kind).is_empty(value):
            entry["answered"] += 1
        elif required:
            entry["missing_required"] += 1
    overall = {
        key: sum(s[key] for s in sections.values())
        for key in ("answered", "total", "missing_required")
    }
    return {"sections": sections, **overall}


@dataclass
class AnsweringPage:
    submission: Submission
    sections: list[SectionAnswers]
    current: SectionAnswers
    objectives: list[Objective]
    # Why ESCWA returned the submission, while it is returned.
    return_notice: SubmissionEvent | None = None

    def _url(self, section: SectionAnswers | None) -> str | None:
        if section is None:
            return None
        return reverse("answer_section", args=[self.submission.pk, section.section.number])

    @property
    def index(self) -> int:
        return self.sections.index(self.current)

    @property
    def url(self) -> str:
        return self._url(self.current)

    @property
    def previous_url(self) -> str | None:
        return self._url(self.sections[self.index - 1]) if self.index > 0 else None

    @property
    def next_url(self) -> str | None:
        following = self.sections[self.index + 1 :]
        return self._url(following[0]) if following else None


def answering_section(
    *, user, pk: int, number: str, submission: Submission | None = None
) -> AnsweringPage:
    """One section of a submission with every section's progress, for the answering page.

    A fixed number of queries however many questions there are (asserted in the tests).
    """
    submission = submission or submission_get(user=user, pk=pk)
    sections = submission_sections(submission=submission)
    current = next((s for s in sections if s.section.number == number), None)
    if current is None:
        raise Http404
    # The open comments of this section's questions, in one query.
    _attach_comments(
        [current],
        comment_threads(
            submission=submission,
            user=user,
            questions=[item.question for item in current.items],
            open_only=True,
        ),
    )
    return AnsweringPage(
        submission=submission,
        sections=sections,
        current=current,
        objectives=objectives_for(sections=[current]),
        return_notice=submission_return_notice(submission=submission),
    )


def answer_history(*, submission: Submission, question: Question):
    """The answer (or None) and all its revisions, newest first, with who saved each."""
    answer = (
        Answer.objects.filter(submission=submission, question=question)
        .select_related("updated_by")
        .first()
    )
    if answer is None:
        return None, []
    revisions = list(answer.revisions.select_related("created_by").order_by("-revision"))
    return answer, revisions


def country_for_member(*, user, iso2: str) -> Country:
    """A country the user belongs to (any country for admins), or 404."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    if not (permissions.is_admin(user) or country.pk in permissions.country_roles(user)):
        raise Http404
    return country


def cycle_and_country_for_start(*, user, slug: str, iso2: str) -> tuple[ReviewCycle, Country]:
    """The cycle and the country a submission is to be started for: 404 unless the user belongs
    to the country (any country for admins), checked before the cycle is looked up so that an
    outsider learns nothing about either. Whether they may start it is the service's decision."""
    country = country_for_member(user=user, iso2=iso2)
    cycle = get_object_or_404(ReviewCycle.objects.select_related("version"), slug=slug)
    return cycle, country


# --- Teams and supporting documents -------------------------------------------------------------


def country_for_team(*, user, iso2: str) -> Country:
    """A country whose team the user may manage: 404 when they do not belong to it (outsiders
    learn nothing), PermissionDenied when they belong but may not manage it."""
    country = country_for_member(user=user, iso2=iso2)
    permissions.require(user, Action.MANAGE_TEAM, country)
    return country


def countries_for_team_management(*, user) -> list[Country]:
    """Every country whose team the user may manage (all of them for admins), by name, each with
    `member_count`, `focal_point_count` and `pending_count`. One query."""
    now = timezone.now()
    countries = Country.objects.annotate(
        member_count=Count("memberships", distinct=True),
        focal_point_count=Count(
            "memberships",
            filter=Q(memberships__role=CountryRole.FOCAL_POINT),
            distinct=True,
        ),
        pending_count=Count(
            "invitations",
            filter=Q(
                invitations__accepted_at__isnull=True,
                invitations__revoked_at__isnull=True,
                invitations__expires_at__gt=now,
            ),
            distinct=True,
        ),
    )
    if not permissions.is_admin(user):
        countries = countries.filter(pk__in=list(permissions.country_roles(user)))
    return sorted(
        (c for c in countries if permissions.can(user, Action.MANAGE_TEAM, c)),
        key=lambda c: c.name,
    )


@dataclass
class Team:
    country: Country
    members: list[Membership]
    invitations: list[Invitation]

    @property
    def sole_focal_point(self) -> int | None:
        """The membership of the team's only focal point, which can be neither removed nor
        given another role (a country keeps at least one: services._keep_a_focal_point)."""
        focal = [m.pk for m in self.members if m.role == CountryRole.FOCAL_POINT]
        return focal[0] if len(focal) == 1 else None


def country_team(*, country: Country) -> Team:
    """The country's members (focal points first, then by name) and its pending invitations
    (newest first). Two queries."""
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(CountryRole.values)),
        default=Value(len(CountryRole.values)),
    )
    members = list(
        Membership.objects.filter(country=country)
        .select_related("user")
        .order_by(role_order, "user__first_name", "user__last_name", "user__username")
    )
    invitations = list(
        Invitation.objects.filter(
            country=country,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
    return Team(country=country, members=members, invitations=invitations)


def team_membership(*, country: Country, pk: int) -> Membership:
    """One member of the country's team, or 404."""
    return get_object_or_404(
        Membership.objects.select_related("user", "country"), country=country, pk=pk
    )


def team_invitation(*, country: Country, pk: int) -> Invitation:
    """One invitation of the country's team, or 404."""
    return get_object_or_404(Invitation.objects.select_related("country"), country=country, pk=pk)


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation a link stands for in whatever state (used, expired, revoked), or None for a
    made-up link. Tells a dead link from a wrong one; whether it may still be used is
    `services.invitation_get_pending`'s decision."""
    from .services import _token_hash  # the one definition of how tokens are stored

    return Invitation.objects.filter(token_hash=_token_hash(token)).first()


def submission_attachments(*, submission: Submission) -> list[Attachment]:
    """The submission's supporting documents, oldest first, with who uploaded each. One query."""
    return list(
        Attachment.objects.filter(submission=submission)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )


def attachment_get(*, user, pk: int, attachment_id: int) -> Attachment:
    """A supporting document of a submission the user may see, or 404 (for someone else's
    submission too, and for an id that belongs to another submission)."""
    submission = submission_get(user=user, pk=pk)
    attachment = get_object_or_404(
        Attachment.objects.select_related("uploaded_by"), submission=submission, pk=attachment_id
    )
    attachment.submission = submission  # already loaded, with its cycle
    return attachment


# --- Exports -------------------------------------------------------------------------------------

# What a country has sent to ESCWA at least once. Drafts are the country's work in progress:
# exported only when a staff member asks for them (`include_drafts`), never by default. A returned
# submission is exported with its current answers and its status, which says they may be revised.
EXPORTED_STATUSES = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.RETURNED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.PUBLISHED,
)


def export_cycle_get(*, user, slug: str) -> ReviewCycle:
    """A cycle whose answers the user may export: every country's data, so ESCWA staff only.

    The permission is checked before the lookup, so a country's user learns nothing, not even
    which cycles exist (PermissionDenied); a staff member gets 404 for an unknown slug.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    return get_object_or_404(
        ReviewCycle.objects.select_related("version__questionnaire"), slug=slug
    )


@dataclass
class CountryAnswers:
    """One country of an exported cycle: its submission, and its answers when it is exported."""

    country: Country
    submission: Submission | None
    included: bool
    answers: dict[int, Answer] = field(default_factory=dict)  # question id → answer


@dataclass
class CycleAnswers:
    cycle: ReviewCycle
    sections: list[Section]
    rows: list[CountryAnswers]
    objectives: list[Objective]
    statuses: tuple[str, ...]

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.question_list]

    @property
    def included(self) -> list[CountryAnswers]:
        return [row for row in self.rows if row.included]


def cycle_answers(*, cycle: ReviewCycle, include_drafts: bool = False) -> CycleAnswers:
    """Everything an export of the cycle needs, in a fixed number of queries (six at most).

    One row per participating country (and per country whose exported submission outlived its
    participation), by name. Answers are read only for submissions in `EXPORTED_STATUSES`, plus
    drafts when `include_drafts`. Callers check the permission first (`export_cycle_get`).
    """
    statuses = EXPORTED_STATUSES + ((SubmissionStatus.DRAFT,) if include_drafts else ())
    sections = version_sections(version=cycle.version)
    submissions = {
        s.country_id: s for s in Submission.objects.filter(cycle=cycle).select_related("country")
    }
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(submission__cycle=cycle, submission__status__in=statuses):
        answers.setdefault(answer.submission_id, {})[answer.question_id] = answer
    countries = {c.pk: c for c in cycle.countries.all()}
    for submission in submissions.values():
        if submission.status in statuses:
            countries.setdefault(submission.country_id, submission.country)
    rows = []
    for country in sorted(countries.values(), key=lambda c: (c.name, c.iso2)):
        submission = submissions.get(country.pk)
        included = submission is not None and submission.status in statuses
        rows.append(
            CountryAnswers(
                country=country,
                submission=submission,
                included=included,
                answers=answers.get(submission.pk, {}) if included else {},
            )
        )
    return CycleAnswers(
        cycle=cycle,
        sections=sections,
        rows=rows,
        objectives=objectives_for(sections=sections),
        statuses=statuses,
    )


@dataclass
class ExportCounts:
    countries: int
    by_status: dict[str, int]

    @property
    def sent(self) -> int:
        return sum(self.by_status.get(status, 0) for status in EXPORTED_STATUSES)

    @property
    def drafts(self) -> int:
        return self.by_status.get(SubmissionStatus.DRAFT, 0)

    @property
    def statuses(self) -> list[tuple[str, int]]:
        """(label, count) of each status some submission is in, in workflow order."""
        return [
            (status.label, self.by_status[status])
            for status in SubmissionStatus
            if self.by_status.get(status)
        ]


def cycle_export_counts(*, cycle: ReviewCycle) -> ExportCounts:
    """How many countries take part in the cycle and how many submissions are in each status,
    for the exports page to say what a download will hold. Two queries."""
    by_status: dict[str, int] = {}
    for status in Submission.objects.filter(cycle=cycle).values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    return ExportCounts(countries=cycle.countries.count(), by_status=by_status)


# --- Reports -----------------------------------------------------------------------------------


def submission_for_country_and_cycle(*, iso2: str, cycle_slug: str) -> Submission:
    """A country's submission in a cycle, for system jobs that run without a user (commands).

    No permission check: callers serving a user go through `submission_get`. Raises the
    DoesNotExist of whichever is missing (country, cycle or submission) with a message that
    says which.
    """
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise Country.DoesNotExist(f"No country has the ISO code {iso2!r}.")
    cycle = ReviewCycle.objects.filter(slug=cycle_slug).first()
    if cycle is None:
        raise ReviewCycle.DoesNotExist(f"No review cycle has the slug {cycle_slug!r}.")
    submission = (
        Submission.objects.select_related("cycle__version__questionnaire", "country")
        .filter(cycle=cycle, country=country)
        .first()
    )
    if submission is None:
        raise Submission.DoesNotExist(f"{country.name_en} has no submission in {cycle.slug}.")
    return submission


# --- Regional compilation ----------------------------------------------------------------------


def cycle_compilation_annex(*, cycle: ReviewCycle, statuses) -> dict:
    """For the compilation's annexes: the country × objective matrix and, per question, every
    compiled country's answer. A fixed number of queries whatever the size of the cycle."""
    submissions = list(
        Submission.objects.filter(cycle=cycle, status__in=statuses)
        .select_related("country")
        .order_by("country__name_en")
    )
    sections = version_sections(version=cycle.version)
    answers = {
        (a.submission_id, a.question_id): a
        for a in Answer.objects.filter(submission__in=submissions)
    }
    questions = [q for section in sections for q in section.question_list]
    grids = [q for q in questions if q.type == QuestionType.OBJECTIVES_GRID]
    objectives = list(Objective.objects.order_by("number")) if grids else []
    matrix = []
    for grid in grids:
        scale = i18n.option_labels(grid.type_handler.scale(grid.options or {}))
        rows = []
        for submission in submissions:
            answer = answers.get((submission.pk, grid.pk))
            value = answer.value if answer and isinstance(answer.value, dict) else {}
            rows.append(
                {
                    "country": submission.country,
                    "cells": [
                        scale.get((value.get(str(o.number)) or {}).get("status"), "")
                        for o in objectives
                    ],
                }
            )
        matrix.append({"question": grid, "rows": rows})
    by_question = [
        {
            "section": section,
            "question": question,
            "answers": [
                {"country": s.country, "answer": answers.get((s.pk, question.pk))}
                for s in submissions
            ],
        }
        for section in sections
        for question in section.question_list
        if question.type != QuestionType.OBJECTIVES_GRID
    ]
    return {
        "submissions": submissions,
        "objectives": objectives,
        "matrix": matrix,
        "by_question": by_question,
    }


# --- Review: timeline, comments, decisions, what changed ----------------------------------------

# The review decisions, by the word their URL uses. The moves themselves, and who may make them,
# are services.TRANSITIONS.
REVIEW_MOVES: dict[str, str] = {
    "return": SubmissionStatus.RETURNED,
    "accept": SubmissionStatus.ACCEPTED,
    "publish": SubmissionStatus.PUBLISHED,
}


def submission_timeline(*, submission: Submission) -> list[SubmissionEvent]:
    """Every move of the submission, oldest first, with who made it. One query."""
    return list(
        SubmissionEvent.objects.filter(submission=submission)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


def submission_return_notice(
    *, submission: Submission, events: list[SubmissionEvent] | None = None
) -> SubmissionEvent | None:
    """While the submission is returned, the event that returned it: its message says what the
    country should change. No query unless the submission is returned and `events` are not given.
    """
    if submission.status != SubmissionStatus.RETURNED:
        return None
    if events is not None:
        returns = [e for e in events if e.to_status == SubmissionStatus.RETURNED]
        return returns[-1] if returns else None
    return (
        SubmissionEvent.objects.filter(submission=submission, to_status=SubmissionStatus.RETURNED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


def comments_visible_to(*, user) -> Q:
    """A comment reaches the other side when it is sent (with the next review decision or
    submission, or by its author's "send"): until then only its own side sees it, so that a
    reviewer's remarks reach the country together, once the review is done."""
    own_side = ESCWA_AUTHORED if permissions.is_reviewer(user) else ~ESCWA_AUTHORED
    return Q(notified_at__isnull=False) | own_side


def comment_threads(
    *,
    submission: Submission,
    user,
    questions: list[Question] | None = None,
    open_only: bool = False,
) -> dict[int, list[Comment]]:
    """Question id → the threads on it that `user` may read, oldest first: each thread is the
    comment that opened it, with its replies in `comment.thread_replies` (oldest first). Every
    comment carries its author, who resolved it, and `from_escwa` (written by ESCWA staff). Only
    `questions`' threads when given; only unresolved threads with `open_only`. One query."""
    comments = (
        Comment.objects.filter(submission=submission)
        .filter(comments_visible_to(user=user))
        .select_related("author", "resolved_by", "question__section")
        .order_by("created_at", "pk")
    )
    if questions is not None:
        comments = comments.filter(question_id__in=[q.pk for q in questions])
    if open_only:
        comments = comments.filter(
            Q(parent__isnull=True, resolved_at__isnull=True)
            | Q(parent__isnull=False, parent__resolved_at__isnull=True)
        )
    roots: dict[int, Comment] = {}
    replies: list[Comment] = []
    for comment in comments:
        comment.submission = submission  # permissions read it; no query per comment
        # Whether ESCWA wrote it stays true after the author's account is closed.
        comment.from_escwa = permissions.is_escwa_account(comment.author)
        if comment.parent_id is None:
            comment.thread_replies = []
            roots[comment.pk] = comment
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in roots:
            roots[reply.parent_id].thread_replies.append(reply)
    threads: dict[int, list[Comment]] = {}
    for root in roots.values():
        threads.setdefault(root.question_id, []).append(root)
    return threads


def _attach_comments(sections: list[SectionAnswers], threads: dict[int, list[Comment]]) -> None:
    for entry in sections:
        for item in entry.items:
            item.comments = threads.get(item.question.pk, [])


def open_comment_counts(*, submissions) -> dict[int, int]:
    """Submission id → how many of its threads are still unresolved (0 included), for the given
    submissions (objects or ids; a queryset is evaluated), as ESCWA's pages count them: the
    country's threads once sent, ESCWA's own at once. One query."""
    ids = [getattr(s, "pk", s) for s in submissions]
    counts = dict.fromkeys(ids, 0)
    rows = (
        Comment.objects.filter(submission_id__in=ids, parent__isnull=True, resolved_at__isnull=True)
        .filter(Q(notified_at__isnull=False) | ESCWA_AUTHORED)
        .values("submission_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({row["submission_id"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class WorkflowMove:
    slug: str  # a key of REVIEW_MOVES
    to_status: str


def submission_moves(*, user, submission: Submission) -> list[WorkflowMove]:
    """The review decisions (return, accept, publish) the user may take on the submission in its
    present status, in the order of the workflow table. No query."""
    from .services import TRANSITIONS  # the workflow table lives with the service that applies it

    slugs = {status: slug for slug, status in REVIEW_MOVES.items()}
    return [
        WorkflowMove(slug=slugs[to], to_status=to)
        for (frm, to), action in TRANSITIONS.items()
        if frm == submission.status and to in slugs and permissions.can(user, action, submission)
    ]


def review_move_action(*, to_status: str) -> Action:
    """The permission a review decision needs, whatever the status it starts from."""
    from .services import TRANSITIONS

    return next(action for (_frm, to), action in TRANSITIONS.items() if to == to_status)


def submission_publication_agreement(*, submission: Submission) -> PublicationAgreement | None:
    """The country's agreement to publish the submission, with who gave it, or None. One query."""
    return (
        PublicationAgreement.objects.filter(submission=submission).select_related("actor").first()
    )


# Who receives a side's comments, and when: they travel together (services.COMMENTS_SENT_WITH).
# Keyed by whether the writer is ESCWA's.
COMMENT_DELIVERY = {
    True: gettext_lazy(
        "The country's team receives your comments together by e-mail when you return or "
        "accept the submission, or when you send them."
    ),
    False: gettext_lazy(
        "ESCWA's reviewers receive your comments together by e-mail when your answers are "
        "submitted, or when you send them."
    ),
}


@dataclass
class SubmissionActivity:
    """What the submission page (and the check page) shows around the answers: the timeline,
    the return message, the review decisions, the comment threads' state, publication."""

    timeline: list[SubmissionEvent]
    return_notice: SubmissionEvent | None
    moves: list[WorkflowMove]
    may_review: bool
    may_comment: bool
    open_comments: int
    # Comments the user's side wrote that the other side was not e-mailed about yet.
    unsent_comments: int = 0
    publication_agreement: PublicationAgreement | None = None
    may_agree_to_publish: bool = False

    @property
    def comment_max_length(self) -> int:
        from .services import COMMENT_MAX_LENGTH

        return COMMENT_MAX_LENGTH

    @property
    def comment_delivery(self) -> str:
        return str(COMMENT_DELIVERY[self.may_review])

    @property
    def timeline_entries(self) -> list:
        """The status moves and the country's agreement to publication, oldest first."""
        entries = list(self.timeline)
        if self.publication_agreement is not None:
            entries.append(self.publication_agreement)
            entries.sort(key=lambda entry: entry.created_at)
        return entries


def submission_activity(
    *, user, submission: Submission, sections: list[SectionAnswers]
) -> SubmissionActivity:
    """The timeline, the return message while returned, the decisions open to the user, the
    publication agreement, and every question's comment threads attached to `sections`
    (`item.comments`). Three queries."""
    timeline = submission_timeline(submission=submission)
    threads = comment_threads(submission=submission, user=user)
    _attach_comments(sections, threads)
    roots = [root for thread in threads.values() for root in thread]
    mine_escwa = permissions.is_reviewer(user)
    unsent = sum(
        1
        for root in roots
        for comment in (root, *root.thread_replies)
        if comment.notified_at is None and comment.from_escwa == mine_escwa
    )
    may_comment = permissions.can(user, Action.COMMENT, submission)
    return SubmissionActivity(
        timeline=timeline,
        return_notice=submission_return_notice(submission=submission, events=timeline),
        moves=submission_moves(user=user, submission=submission),
        may_review=permissions.can(user, Action.REVIEW, submission),
        may_comment=may_comment,
        open_comments=sum(1 for root in roots if root.is_open),
        # Once threads are closed (published, cycle closed) nothing more is sent.
        unsent_comments=unsent if may_comment else 0,
        publication_agreement=submission_publication_agreement(submission=submission),
        may_agree_to_publish=permissions.can(user, Action.AGREE_TO_PUBLISH, submission),
    )


@dataclass
class AnswerChange:
    """One answer then (at the previous submission) and now, as text, and the lines between."""

    question: Question
    before: str
    after: str
    lines: list = field(default_factory=list)  # textdiff.DiffLine

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def kind(self) -> str:
        if not self.changed:
            return "unchanged"
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed"


@dataclass
class SubmissionChanges:
    since: SubmissionEvent  # the previous submission
    by_question: dict[int, AnswerChange]

    @property
    def changed(self) -> list[AnswerChange]:
        return [c for c in self.by_question.values() if c.changed]


def _answer_text(question: Question, value) -> str:
    if question.type_handler.is_empty(value):
        return ""
    try:
        return question.type_handler.display_text(value, question.options or {})
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        # A value that no longer fits its type (an old import): show it rather than fail.
        return str(value)


def submission_changes(
    *, submission: Submission, events: list[SubmissionEvent] | None = None
) -> SubmissionChanges | None:
    """What changed in each answer since the submission was previously submitted, or None when
    it has not been submitted before.

    "Then" is the latest revision saved at or before the previous `submitted` event (while the
    submission is returned: the last one); "now" is the current value. Both are compared as the
    question type's text, line by line. Two queries (one when `events` are given).
    """
    from django.db.models import JSONField, OuterRef, Subquery

    from .textdiff import diff_lines

    events = submission_timeline(submission=submission) if events is None else events
    submitted = [e for e in events if e.to_status == SubmissionStatus.SUBMITTED]
    if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
        submitted = submitted[:-1]  # the latest submission is what is being read now
    if not submitted:
        return None
    since = submitted[-1]
    then = (
        AnswerRevision.objects.filter(answer=OuterRef("pk"), created_at__lte=since.created_at)
        .order_by("-revision")
        .values("value")[:1]
    )
    answers = (
        Answer.objects.filter(submission=submission)
        .select_related("question__section")
        .annotate(value_then=Subquery(then, output_field=JSONField()))
    )
    changes = {}
    for answer in answers:
        before = _answer_text(answer.question, answer.value_then)
        after = _answer_text(answer.question, answer.value)
        changes[answer.question_id] = AnswerChange(
            question=answer.question,
            before=before,
            after=after,
            lines=diff_lines(before, after) if before != after else [],
        )
    return SubmissionChanges(since=since, by_question=changes)


@dataclass
class SubmissionPage:
    """One submission as its page shows it, to its country's team and to ESCWA alike; the review
    tools (decisions, what changed since the previous submission) for those who may review."""

    submission: Submission
    sections: list[SectionAnswers]
    objectives: list[Objective]
    activity: SubmissionActivity
    changes: SubmissionChanges | None
    may_edit: bool
    may_submit: bool


def submission_page(*, user, pk: int) -> SubmissionPage:
    """A submission for its page: every answer with its comment threads and, for ESCWA's
    reviewers once it was submitted again, what changed since the previous submission. 404 for
    whoever may not see the submission. A fixed number of queries."""
    submission = submission_get(user=user, pk=pk)
    sections = submission_sections(submission=submission)
    activity = submission_activity(user=user, submission=submission, sections=sections)
    changes = None
    if activity.may_review:
        changes = submission_changes(submission=submission, events=activity.timeline)
        # While the country revises, its changes so far; nothing changed yet: just the answers.
        if (
            changes is not None
            and not changes.changed
            and submission.status != SubmissionStatus.SUBMITTED
        ):
            changes = None
    if changes is not None:
        for entry in sections:
            for item in entry.items:
                item.change = changes.by_question.get(item.question.pk)
    return SubmissionPage(
        submission=submission,
        sections=sections,
        objectives=objectives_for(sections=sections),
        activity=activity,
        changes=changes,
        may_edit=permissions.can(user, Action.EDIT_ANSWERS, submission),
        may_submit=permissions.can(user, Action.SUBMIT, submission),
    )


@dataclass
class OpenThread:
    """An open thread as the check page lists it: where it is and what was said."""

    question: Question
    comment: Comment

    @property
    def said(self) -> list[Comment]:
        """What the check page quotes: the comment that opened the thread, and the latest reply."""
        return [self.comment, *self.comment.thread_replies[-1:]]


def submission_open_threads(*, submission: Submission, user) -> list[OpenThread]:
    """Every unresolved thread of the submission that `user` may read, in questionnaire order,
    with its replies, for the check page. One query."""
    threads = comment_threads(submission=submission, user=user, open_only=True)
    return sorted(
        (
            OpenThread(question=root.question, comment=root)
            for roots in threads.values()
            for root in roots
        ),
        key=lambda t: (t.question.section.order, t.question.order, t.comment.created_at),
    )


def comment_get(*, user, pk: int, comment_id: int) -> Comment:
    """A comment of a submission the user may see, or 404 (also for another submission's)."""
    submission = submission_get(user=user, pk=pk)
    comment = get_object_or_404(
        Comment.objects.select_related("question"), submission=submission, pk=comment_id
    )
    comment.submission = submission
    return comment


# --- Following a cycle across countries (ESCWA staff) -------------------------------------------

# A participating country without a submission. Named apart from the objectives grid's own "Not
# started" (a status of implementation, in the questionnaire's words), which the same pages show.
NO_SUBMISSION = "no_submission"
NO_SUBMISSION_LABEL = gettext_lazy("No submission yet")
# In a closed cycle a country without a submission never took part: nothing is "yet" about it.
DID_NOT_TAKE_PART_LABEL = gettext_lazy("Did not take part")
# The dashboard's statuses in workflow order, "no submission" first.
DASHBOARD_STATUSES: list[tuple[str, str]] = [
    (NO_SUBMISSION, NO_SUBMISSION_LABEL),
    *SubmissionStatus.choices,
]
DASHBOARD_STATUS_LABELS = dict(DASHBOARD_STATUSES)
_STATUS_ORDER = {value: index for index, (value, _label) in enumerate(DASHBOARD_STATUSES)}
# Statuses in which the next move is the country's: the deadline still concerns them.
AWAITING_COUNTRY = frozenset({NO_SUBMISSION, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})


def dashboard_statuses(*, cycle: ReviewCycle) -> list[tuple[str, str]]:
    """DASHBOARD_STATUSES as the cycle's pages name them: in a closed cycle, a country without a
    submission "did not take part"."""
    if not cycle.is_closed:
        return DASHBOARD_STATUSES
    return [(NO_SUBMISSION, DID_NOT_TAKE_PART_LABEL), *DASHBOARD_STATUSES[1:]]


def no_submission_label(*, cycle: ReviewCycle) -> str:
    """What the cycle's pages call a country without a submission."""
    return DID_NOT_TAKE_PART_LABEL if cycle.is_closed else NO_SUBMISSION_LABEL


def cycle_get_for_staff(*, user, slug: str) -> ReviewCycle:
    """A review cycle for the pages that show every country at once (dashboard, one question
    across countries, objectives matrix, search): ESCWA staff only.

    The permission is checked before the lookup, so a country's user learns nothing, not even
    which cycles exist (PermissionDenied); a staff member gets 404 for an unknown slug.
    """
    permissions.require(user, Action.VIEW_ALL_COUNTRIES)
    return get_object_or_404(
        ReviewCycle.objects.select_related("version__questionnaire"), slug=slug
    )


def _with_answer_counts(submissions: QuerySet[Submission]) -> QuerySet[Submission]:
    """Each submission with `answered` and `required_answered`, counted by the database.

    An answer counts when its plain text (`Answer.text`, kept by `services.answer_save`) is not
    empty: every question type's `as_text` is empty exactly when its `is_empty` is true, so this
    agrees with `submission_progress` (a test holds them together) without reading the values.
    """
    answered = ~Q(answers__text="")
    return submissions.annotate(
        answered=Count("answers", filter=answered),
        required_answered=Count("answers", filter=answered & Q(answers__question__required=True)),
    )


def _question_totals(*, version_id: int) -> tuple[int, int]:
    return _question_totals_by_version({version_id}).get(version_id, (0, 0))


def _countries_of(cycle: ReviewCycle, submissions) -> list[Country]:
    """The cycle's countries, plus any whose submission outlived its participation, by name."""
    countries = {c.pk: c for c in cycle.countries.all()}
    for submission in submissions:
        countries.setdefault(submission.country_id, submission.country)
    return sorted(countries.values(), key=lambda c: (c.name, c.iso2))


@dataclass
class DashboardRow(DaysLeft):
    """One country of a cycle on the staff dashboard."""

    country: Country
    submission: Submission | None
    answered: int
    total: int
    missing_required: int
    deadline: datetime.date  # the cycle's, or the country's extension
    extension: DeadlineExtension | None
    # Days from today to `deadline` while the next move is the country's and the cycle is
    # open (negative: overdue); None otherwise.
    days_left: int | None
    open_comments: int
    # A closed cycle's country without a submission: it did not take part, so nothing was
    # missing or due (its counts are not shown, and sort last).
    absent: bool = False

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else NO_SUBMISSION

    @property
    def status_label(self) -> str:
        if self.absent:
            return str(DID_NOT_TAKE_PART_LABEL)
        return DASHBOARD_STATUS_LABELS[self.status]

    @property
    def completion(self) -> float:
        return self.answered / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.completion)


DASHBOARD_SORTS = {
    "country": lambda row: (row.country.name.casefold(), row.country.iso2),
    "status": lambda row: _STATUS_ORDER[row.status],
    "completion": lambda row: None if row.absent else row.completion,
    "missing": lambda row: None if row.absent else row.missing_required,
    "activity": lambda row: row.submission.updated_at if row.submission else None,
    "submitted": lambda row: row.submission.submitted_at if row.submission else None,
    "accepted": lambda row: row.submission.accepted_at if row.submission else None,
    "deadline": lambda row: row.days_left,
    "comments": lambda row: row.open_comments,
}


def dashboard_sort(rows: list[DashboardRow], *, sort: str, descending: bool = False):
    """Rows ordered by one of DASHBOARD_SORTS; rows without a value (no date yet) come last
    either way, and equal values keep the countries' alphabetical order."""
    key = DASHBOARD_SORTS.get(sort, DASHBOARD_SORTS["country"])
    rows = sorted(rows, key=DASHBOARD_SORTS["country"])
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing


@dataclass
class StatusCount:
    value: str
    label: str
    count: int


@dataclass
class CycleDashboard:
    cycle: ReviewCycle
    today: datetime.date
    rows: list[DashboardRow]  # filtered and sorted
    all_rows: list[DashboardRow]
    total_questions: int
    required_questions: int

    @property
    def status_counts(self) -> list[StatusCount]:
        statuses = dashboard_statuses(cycle=self.cycle)
        counts = {value: 0 for value, _label in statuses}
        for row in self.all_rows:
            counts[row.status] += 1
        return [StatusCount(v, label, counts[v]) for v, label in statuses]

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.all_rows if row.is_overdue)

    @property
    def with_comments_count(self) -> int:
        return sum(1 for row in self.all_rows if row.open_comments)

    @property
    def extensions(self) -> list[DashboardRow]:
        return [row for row in self.all_rows if row.extension is not None]


def cycle_dashboard(
    *,
    cycle: ReviewCycle,
    sort: str = "country",
    descending: bool = False,
    status: str = "",
    overdue: bool = False,
    with_comments: bool = False,
    today: datetime.date | None = None,
) -> CycleDashboard:
    """Every country of the cycle with its status, completion, dates, days to its (possibly
    extended) deadline and open comments; filtered and sorted as asked, counted unfiltered.
    Deadlines count only while the cycle is open: once it is closed no one is overdue, and a
    country without a submission did not take part (`DashboardRow.absent`).

    Five queries whatever the number of countries and questions. Callers check the permission
    first (`cycle_get_for_staff`).
    """
    today = today or timezone.localdate()
    submissions = list(
        _with_answer_counts(Submission.objects.filter(cycle=cycle).select_related("country"))
    )
    total, required = _question_totals(version_id=cycle.version_id)
    extensions = {
        e.country_id: e
        for e in DeadlineExtension.objects.filter(cycle=cycle).select_related("granted_by")
    }
    comments = open_comment_counts(submissions=submissions)
    by_country = {s.country_id: s for s in submissions}
    rows = []
    for country in _countries_of(cycle, submissions):
        submission = by_country.get(country.pk)
        extension = extensions.get(country.pk)
        deadline, days_left = _deadline(
            cycle=cycle, submission=submission, extension=extension, today=today
        )
        rows.append(
            DashboardRow(
                country=country,
                submission=submission,
                answered=submission.answered if submission else 0,
                total=total,
                missing_required=required - (submission.required_answered if submission else 0),
                deadline=deadline,
                extension=extension,
                days_left=days_left,
                open_comments=comments.get(submission.pk, 0) if submission else 0,
                absent=cycle.is_closed and submission is None,
            )
        )
    shown = [
        row
        for row in rows
        if (not status or row.status == status)
        and (not overdue or row.is_overdue)
        and (not with_comments or row.open_comments)
    ]
    return CycleDashboard(
        cycle=cycle,
        today=today,
        rows=dashboard_sort(shown, sort=sort, descending=descending),
        all_rows=rows,
        total_questions=total,
        required_questions=required,
    )


# Statuses in which a country has sent its answers to ESCWA at least once; the rest (drafts) are
# work in progress that staff may read, clearly marked, but that a page can leave out.
SENT_STATUSES = frozenset(
    {
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.RETURNED,
        SubmissionStatus.ACCEPTED,
        SubmissionStatus.PUBLISHED,
    }
)


@dataclass
class CountryAnswer:
    """One country's answer to one question (None when it has none)."""

    country: Country
    submission: Submission | None
    answer: Answer | None

    @property
    def value(self):
        return self.answer.value if self.answer else None

    @property
    def is_draft(self) -> bool:
        return self.submission is not None and self.submission.status == SubmissionStatus.DRAFT


@dataclass
class QuestionAcrossCountries:
    cycle: ReviewCycle
    question: Question
    sections: list[Section]  # every section with its questions, for the question picker
    rows: list[CountryAnswer]
    objectives: list[Objective]
    include_drafts: bool

    @property
    def questions(self) -> list[Question]:
        return [q for section in self.sections for q in section.question_list]

    @property
    def previous(self) -> Question | None:
        questions = self.questions
        index = questions.index(self.question)
        return questions[index - 1] if index > 0 else None

    @property
    def next(self) -> Question | None:
        questions = self.questions
        index = questions.index(self.question)
        return questions[index + 1] if index + 1 < len(questions) else None

    def _is_answered(self, row: CountryAnswer) -> bool:
        return row.answer is not None and not self.question.type_handler.is_empty(row.value)

    @property
    def answered(self) -> list[CountryAnswer]:
        """The countries that answered this question, shown in full (before the others)."""
        return [row for row in self.rows if self._is_answered(row)]

    @property
    def unanswered(self) -> list[CountryAnswer]:
        """The countries whose submission has no answer to this question, named in one line."""
        return [row for row in self.rows if row.submission and not self._is_answered(row)]

    @property
    def without_submission(self) -> list[Country]:
        """The countries with no submission (in a closed cycle: that did not take part)."""
        return [row.country for row in self.rows if row.submission is None]

    @property
    def no_submission_label(self) -> str:
        return no_submission_label(cycle=self.cycle)

    @property
    def answered_count(self) -> int:
        return len(self.answered)


def _submissions_shown(cycle: ReviewCycle, include_drafts: bool) -> list[Submission]:
    submissions = Submission.objects.filter(cycle=cycle).select_related("country")
    if not include_drafts:
        submissions = submissions.filter(status__in=SENT_STATUSES)
    return list(submissions)


def cycle_question_across_countries(
    *, cycle: ReviewCycle, key: str, include_drafts: bool = True
) -> QuestionAcrossCountries:
    """One question of the cycle's questionnaire (by key, else 404) with every country's answer.

    Staff may read drafts: with `include_drafts` they are listed and marked; without, only
    countries that have sent their answers are. Five or six queries whatever the number of
    countries. Callers check the permission first (`cycle_get_for_staff`).
    """
    sections = version_sections(version=cycle.version)
    question = next(
        (q for section in sections for q in section.question_list if q.key == key), None
    )
    if question is None:
        raise Http404
    submissions = _submissions_shown(cycle, include_drafts)
    answers = {
        a.submission_id: a
        for a in Answer.objects.filter(
            submission__in=[s.pk for s in submissions], question=question
        )
    }
    by_country = {s.country_id: s for s in submissions}
    countries = (
        _countries_of(cycle, submissions)
        if include_drafts
        else sorted((s.country for s in submissions), key=lambda c: (c.name, c.iso2))
    )
    rows = [
        CountryAnswer(
            country=country,
            submission=by_country.get(country.pk),
            answer=answers.get(by_country[country.pk].pk) if country.pk in by_country else None,
        )
        for country in countries
    ]
    objectives = (
        list(Objective.objects.order_by("number"))
        if question.type == QuestionType.OBJECTIVES_GRID
        else []
    )
    return QuestionAcrossCountries(
        cycle=cycle,
        question=question,
        sections=sections,
        rows=rows,
        objectives=objectives,
        include_drafts=include_drafts,
    )


@dataclass
class MatrixCell:
    number: int
    status: str  # the value on the scale; "" when none is given
    label: str
    tone: int  # the status's position on the scale (for its colour); -1 when none is given
    note: str


@dataclass
class MatrixRow:
    country: Country
    submission: Submission | None
    cells: list[MatrixCell]

    @property
    def notes(self) -> list[MatrixCell]:
        return [cell for cell in self.cells if cell.note]

    @property
    def is_draft(self) -> bool:
        return self.submission is not None and self.submission.status == SubmissionStatus.DRAFT

    @property
    def has_answer(self) -> bool:
        return any(cell.status or cell.note for cell in self.cells)


@dataclass
class ScaleStep:
    value: str
    label: str
    tone: int
    count: int = 0  # cells at this step across the matrix


@dataclass
class ObjectivesMatrix:
    cycle: ReviewCycle
    question: Question | None  # None when the questionnaire has no objectives grid
    grid_questions: list[Question]
    objectives: list[Objective]
    scale: list[ScaleStep]
    rows: list[MatrixRow]
    include_drafts: bool

    @property
    def no_submission_label(self) -> str:
        # Not the scale's own "Not started", which is a status of an objective.
        return no_submission_label(cycle=self.cycle)


def cycle_objectives_matrix(
    *, cycle: ReviewCycle, key: str = "", include_drafts: bool = True
) -> ObjectivesMatrix:
    """Countries × the 23 GCM objectives: each country's status (on the version's scale) and
    note for each objective, from the cycle's objectives-grid question (the one named by `key`
    when the questionnaire has several). Five queries whatever the number of countries.
    Callers check the permission first (`cycle_get_for_staff`)."""
    grids = list(
        Question.objects.filter(version=cycle.version_id, type=QuestionType.OBJECTIVES_GRID)
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )
    question = next((q for q in grids if q.key == key), grids[0] if grids else None)
    if key and (question is None or question.key != key):
        raise Http404
    if question is None:
        return ObjectivesMatrix(cycle, None, [], [], [], [], include_drafts)
    scale = [
        ScaleStep(value=step.get("value", ""), label=i18n.option_label(step), tone=index)
        for index, step in enumerate(question.type_handler.scale(question.options or {}))
    ]
    steps = {step.value: step for step in scale}
    objectives = list(Objective.objects.order_by("number"))
    numbers = [o.number for o in objectives] or list(range(1, OBJECTIVE_COUNT + 1))
    submissions = _submissions_shown(cycle, include_drafts)
    values = dict(
        Answer.objects.filter(
            submission__in=[s.pk for s in submissions], question=question
        ).values_list("submission_id", "value")
    )
    by_country = {s.country_id: s for s in submissions}
    countries = (
        _countries_of(cycle, submissions)
        if include_drafts
        else sorted((s.country for s in submissions), key=lambda c: (c.name, c.iso2))
    )
    rows = []
    for country in countries:
        submission = by_country.get(country.pk)
        value = values.get(submission.pk) if submission else None
        value = value if isinstance(value, dict) else {}
        cells = []
        for number in numbers:
            entry = value.get(str(number)) or {}
            status = entry.get("status") or ""
            step = steps.get(status)
            if step is not None:
                step.count += 1
            cells.append(
                MatrixCell(
                    number=number,
                    status=status,
                    label=step.label if step else status,
                    tone=step.tone if step else -1,
                    note=entry.get("note") or "",
                )
            )
        rows.append(MatrixRow(country=country, submission=submission, cells=cells))
    return ObjectivesMatrix(
        cycle=cycle,
        question=question,
        grid_questions=grids,
        objectives=objectives,
        scale=scale,
        rows=rows,
        include_drafts=include_drafts,
    )


@dataclass
class SearchHit:
    answer: Answer  # with its submission, country, question and section
    snippet: SafeString

    @property
    def is_draft(self) -> bool:
        return self.answer.submission.status == SubmissionStatus.DRAFT


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    full_text: bool  # PostgreSQL's full-text search (else the regular-expression fallback)
    limit: int
    ignored: list[str] = field(default_factory=list)  # the stop words left out of the query
    searched: bool = True  # False when nothing was left to look for (only common words)

    @property
    def country_count(self) -> int:
        return len({hit.answer.submission.country_id for hit in self.hits})

    @property
    def truncated(self) -> bool:
        return self.total > len(self.hits)


def cycle_answer_search(
    *,
    cycle: ReviewCycle,
    query: str,
    include_drafts: bool = True,
    limit: int | None = None,
    language: str | None = None,
) -> SearchResults:
    """The answers of the cycle that match `query`, best first, each with a highlighted snippet
    (see `search`: full-text on PostgreSQL, regular expressions on SQLite, the same words
    either way). `language` is the one searched in (the page's by default): its stop words are
    left out. One query whatever the number of countries. Callers check the permission
    (`cycle_get_for_staff`) and the query's length first."""
    limit = limit or search.RESULT_LIMIT
    parsed = search.parse(query, language=language or get_language())
    answers = Answer.objects.filter(submission__cycle=cycle)
    if not include_drafts:
        answers = answers.filter(submission__status__in=SENT_STATUSES)
    matched, full_text = search.answers_matching(answers, parsed)
    # The number of matches comes with the rows (a window over the whole match), so the text
    # is searched once rather than once more for a count.
    found = list(
        matched.annotate(match_count=Window(Count("pk")))
        .select_related("submission__country", "question__section")
        .defer("value")[:limit]
    )
    hits = [
        SearchHit(answer=a, snippet=search.snippet(a, parsed, full_text=full_text)) for a in found
    ]
    total = found[0].match_count if found else 0
    return SearchResults(
        query=query,
        hits=hits,
        total=total,
        full_text=full_text,
        limit=limit,
        ignored=parsed.ignored,
        searched=not parsed.is_empty,
    )


# --- Published national reviews (public, no login) -----------------------------------------------


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


# --- Deadline reminders --------------------------------------------------------------------------


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
    submissions = {
        (s.cycle_id, s.country_id): s
        for s in _with_answer_counts(Submission.objects.filter(cycle__in=cycles))
    }
    extensions = {
        (e.cycle_id, e.country_id): e for e in DeadlineExtension.objects.filter(cycle__in=cycles)
    }
    totals = {
        row["version"]: row
        for row in Question.objects.filter(version__in={c.version_id for c in cycles})
        .values("version")
        .annotate(total=Count("pk"), required=Count("pk", filter=Q(required=True)))
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
        total = totals.get(cycle.version_id, {"total": 0, "required": 0})
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
                    answered=submission.answered if submission else 0,
                    total=total["total"],
                    missing_required=total["required"]
                    - (submission.required_answered if submission else 0),
                )
            )
    return due
