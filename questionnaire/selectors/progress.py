"""Progress and deadlines as the home page and the staff dashboard count them (one rule for
both)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy

from ..models import (
    DeadlineExtension,
    Question,
    ReviewCycle,
    Submission,
    SubmissionStatus,
)

if TYPE_CHECKING:
    from .home import CountryRow


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
