"""Reads of the questionnaire's state, shaped for pages, PDFs and exports.

Each selector runs a fixed number of queries whatever the number of sections, questions or
countries (tests assert it), and applies `permissions` so that no caller can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from . import permissions
from .models import (
    Answer,
    AnswerRevision,
    Attachment,
    Comment,
    Country,
    CountryRole,
    Invitation,
    Membership,
    Objective,
    Question,
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
    # For a country's own team: the accepted submission a new one may be prefilled from.
    previous: Submission | None = None


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
    cycles = cycles_for_user(user=user)
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
            rows.append(
                CountryRow(
                    country=country, submission=by_country.get(country.pk), previous=previous
                )
            )
        overview.append(CycleOverview(cycle=cycle, rows=rows))
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
    """Answered / total and required-still-missing, per section and overall. Two queries."""
    answers = dict(Answer.objects.filter(submission=submission).values_list("question_id", "value"))
    sections: dict[str, dict] = {}
    for question in (
        Question.objects.filter(version=submission.cycle.version_id)
        .select_related("section")
        .order_by("section__order", "order")
    ):
        entry = sections.setdefault(
            question.section.number, {"answered": 0, "total": 0, "missing_required": 0}
        )
        entry["total"] += 1
        if not question.type_handler.is_empty(answers.get(question.pk)):
            entry["answered"] += 1
        elif question.required:
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


def comment_threads(
    *, submission: Submission, questions: list[Question] | None = None, open_only: bool = False
) -> dict[int, list[Comment]]:
    """Question id → its comments, oldest first, each with its author, who resolved it, and
    `from_escwa` (written by ESCWA staff). Only `questions`' threads when given; only unresolved
    comments with `open_only`. One query."""
    comments = (
        Comment.objects.filter(submission=submission)
        .select_related("author", "resolved_by")
        .order_by("created_at", "pk")
    )
    if questions is not None:
        comments = comments.filter(question_id__in=[q.pk for q in questions])
    if open_only:
        comments = comments.filter(resolved_at__isnull=True)
    threads: dict[int, list[Comment]] = {}
    for comment in comments:
        # Whether ESCWA wrote it stays true after the author's account is closed.
        comment.from_escwa = bool(comment.author.staff_role or comment.author.is_superuser)
        threads.setdefault(comment.question_id, []).append(comment)
    return threads


def _attach_comments(sections: list[SectionAnswers], threads: dict[int, list[Comment]]) -> None:
    for entry in sections:
        for item in entry.items:
            item.comments = threads.get(item.question.pk, [])


def open_comment_counts(*, submissions) -> dict[int, int]:
    """Submission id → how many of its comments are still unresolved (0 included), for the given
    submissions (objects or ids; a queryset is evaluated). One query."""
    ids = [getattr(s, "pk", s) for s in submissions]
    counts = dict.fromkeys(ids, 0)
    rows = (
        Comment.objects.filter(submission_id__in=ids, resolved_at__isnull=True)
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


@dataclass
class SubmissionActivity:
    """What the submission and review pages show around the answers."""

    timeline: list[SubmissionEvent]
    return_notice: SubmissionEvent | None
    moves: list[WorkflowMove]
    may_review: bool
    may_comment: bool
    may_resolve: bool
    open_comments: int

    @property
    def comment_max_length(self) -> int:
        from .services import COMMENT_MAX_LENGTH

        return COMMENT_MAX_LENGTH


def submission_activity(
    *, user, submission: Submission, sections: list[SectionAnswers]
) -> SubmissionActivity:
    """The timeline, the return message while returned, the decisions open to the user, and every
    question's comment thread attached to `sections` (`item.comments`). Two queries."""
    timeline = submission_timeline(submission=submission)
    threads = comment_threads(submission=submission)
    _attach_comments(sections, threads)
    return SubmissionActivity(
        timeline=timeline,
        return_notice=submission_return_notice(submission=submission, events=timeline),
        moves=submission_moves(user=user, submission=submission),
        may_review=permissions.can(user, Action.REVIEW, submission),
        may_comment=permissions.can(user, Action.COMMENT, submission),
        may_resolve=permissions.can(user, Action.RESOLVE_COMMENT, submission),
        open_comments=sum(
            1 for thread in threads.values() for comment in thread if comment.is_open
        ),
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
        return question.type_handler.as_text(value, question.options or {})
    except (KeyError, TypeError, ValueError, AttributeError):
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
class ReviewPage:
    submission: Submission
    sections: list[SectionAnswers]
    objectives: list[Objective]
    activity: SubmissionActivity
    changes: SubmissionChanges | None


def review_page(*, user, pk: int) -> ReviewPage:
    """A submission for ESCWA's review: every answer with its comment thread and, once it was
    submitted again, what changed since the previous submission. 404 for whoever may not see the
    submission; PermissionDenied for its country's own team. A fixed number of queries."""
    submission = submission_get(user=user, pk=pk)
    permissions.require(user, Action.REVIEW, submission)
    sections = submission_sections(submission=submission)
    activity = submission_activity(user=user, submission=submission, sections=sections)
    changes = submission_changes(submission=submission, events=activity.timeline)
    if changes is not None:
        for entry in sections:
            for item in entry.items:
                item.change = changes.by_question.get(item.question.pk)
    return ReviewPage(
        submission=submission,
        sections=sections,
        objectives=objectives_for(sections=sections),
        activity=activity,
        changes=changes,
    )


def comment_get(*, user, pk: int, comment_id: int) -> Comment:
    """A comment of a submission the user may see, or 404 (also for another submission's)."""
    submission = submission_get(user=user, pk=pk)
    comment = get_object_or_404(
        Comment.objects.select_related("question"), submission=submission, pk=comment_id
    )
    comment.submission = submission
    return comment


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
