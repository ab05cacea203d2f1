"""A country's submission: opening it (with last cycle's answers), the workflow moves, the
agreement to publish."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import notifications, permissions, signals
from ..models import (
    Answer,
    AnswerRevision,
    Country,
    PublicationAgreement,
    Question,
    ReviewCycle,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionStatus,
)
from ..permissions import Action
from ..selectors import submission_previous_for_carry_forward, submissions_progress
from ..workflow import COMMENTS_SENT_WITH, TRANSITIONS, TRANSITIONS_NEEDING_MESSAGE
from ._common import _check_backdating, _plain_text
from .comments import _comments_take_unsent

S = SubmissionStatus


class TransitionError(ValidationError):
    pass


@transaction.atomic
def submission_create(
    *,
    cycle: ReviewCycle,
    country: Country,
    user=None,
    language: str = "en",
    carry_forward: bool = False,
    at: datetime.datetime | None = None,
) -> Submission:
    """Open a country's submission for a cycle: one per country and cycle.

    With `carry_forward`, every answer of the country's accepted submission of the previous cycle
    is copied to the question with the same key (and type), marked as prefilled until edited.
    `at` back-dates an imported submission (system only).
    """
    _check_backdating(user, at)
    if user is not None:
        permissions.require(user, Action.START_SUBMISSION, country)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("“%(language)s” is not one of the portal's languages.") % {"language": language}
        )
    if cycle.version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("This cycle's questionnaire is not published."))
    if cycle.is_closed:
        raise ValidationError(_("This review cycle is closed."))
    if not cycle.countries.filter(pk=country.pk).exists():
        raise ValidationError(
            _("%(country)s does not take part in this cycle.") % {"country": country}
        )
    if Submission.objects.filter(cycle=cycle, country=country).exists():
        raise ValidationError(_("This country already has a submission for this cycle."))
    source = None
    if carry_forward:
        source = submission_previous_for_carry_forward(cycle=cycle, country=country)
        if source is None:
            raise ValidationError(_("There is no accepted submission of an earlier cycle."))
    submission = Submission.objects.create(
        cycle=cycle, country=country, language=language, carried_forward_from=source
    )
    SubmissionEvent.objects.create(
        submission=submission,
        actor=user,
        from_status="",
        to_status=S.DRAFT,
        created_at=at or timezone.now(),
    )
    if source is not None:
        _carry_answers_forward(source=source, target=submission, user=user)
    return submission


def _carry_answers_forward(*, source: Submission, target: Submission, user) -> int:
    questions = {q.key: q for q in Question.objects.filter(version=target.cycle.version_id)}
    previous = Answer.objects.filter(submission=source).select_related("question")
    answers, revisions = [], []
    for old in previous:
        question = questions.get(old.question.key)
        if question is None or question.type != old.question.type:
            continue  # a question that was dropped or changed its kind of answer
        if old.question.type_handler.is_empty(old.value) and not old.not_applicable_reason:
            continue
        try:
            value = question.type_handler.clean(old.value, question.options or {})
        except ValidationError:
            continue  # the new version's options no longer admit the old value
        answers.append(
            Answer(
                submission=target,
                question=question,
                value=value,
                text=question.type_handler.as_text(value, question.options or {}),
                not_applicable_reason=old.not_applicable_reason
                if question.allows_not_applicable
                else "",
                revision=1,
                updated_by=user,
                prefilled=True,
            )
        )
    Answer.objects.bulk_create(answers)
    for answer in Answer.objects.filter(submission=target):
        revisions.append(
            AnswerRevision(
                answer=answer,
                revision=1,
                value=answer.value,
                not_applicable_reason=answer.not_applicable_reason,
                kind=AnswerRevision.Kind.CARRY_FORWARD,
                created_by=user,
            )
        )
    AnswerRevision.objects.bulk_create(revisions)
    return len(answers)


class UnreviewedAnswers(TransitionError):
    """Submitting answers carried forward and never reviewed needs a second confirmation."""

    def __init__(self, count: int):
        super().__init__(
            ngettext(
                "%(count)d answer carried forward from the previous cycle has not been reviewed. "
                "Confirm that you submit it as it is, or review it first.",
                "%(count)d answers carried forward from the previous cycle have not been "
                "reviewed. Confirm that you submit them as they are, or review them first.",
                count,
            )
            % {"count": count},
            code="unreviewed",
        )
        self.count = count


@transaction.atomic
def submission_transition(
    *,
    submission: Submission,
    to_status: str,
    user=None,
    message: str = "",
    at: datetime.datetime | None = None,
    unreviewed_confirmed: int | None = None,
) -> Submission:
    """Move a submission along the workflow table, and record the move as an event.

    `at` back-dates a move replayed from an import (system only). A person submitting answers
    carried forward from the previous cycle that nobody reviewed must confirm it by naming their
    number (`unreviewed_confirmed`): UnreviewedAnswers otherwise.
    """
    _check_backdating(user, at)
    submission = (
        Submission.objects.select_for_update().select_related("cycle").get(pk=submission.pk)
    )
    move = (submission.status, to_status)
    if move not in TRANSITIONS:
        raise TransitionError(
            _("A submission cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(submission.status).label, "to": S(to_status).label}
        )
    if user is not None:
        permissions.require(user, TRANSITIONS[move], submission)
    message = _plain_text(message)
    if move in TRANSITIONS_NEEDING_MESSAGE and not message:
        raise TransitionError(_("Say what the country should change."))
    if to_status == S.SUBMITTED:
        submissions_progress([submission])
        missing = submission.progress["missing_required"]
        if missing:
            raise TransitionError(
                ngettext(
                    "%(count)d required question is still unanswered.",
                    "%(count)d required questions are still unanswered.",
                    missing,
                )
                % {"count": missing}
            )
        unreviewed = submission.progress["unreviewed"]
        if unreviewed and user is not None and unreviewed_confirmed != unreviewed:
            raise UnreviewedAnswers(unreviewed)
    if (
        to_status == S.PUBLISHED
        and user is not None  # a replayed import records what happened before agreements
        and not PublicationAgreement.objects.filter(submission=submission).exists()
    ):
        raise TransitionError(
            _(
                "%(country)s has not agreed to the publication of its answers yet. One of its "
                "focal points can agree on the submission's page."
            )
            % {"country": submission.country.name}
        )
    now = at or timezone.now()
    submission.status = to_status
    if to_status == S.SUBMITTED:
        submission.submitted_at = now
    elif to_status == S.ACCEPTED:
        submission.accepted_at = now
    submission.save(update_fields=["status", "submitted_at", "accepted_at", "updated_at"])
    if at is not None:
        # A replayed move is the submission's last activity then, not the day of the import
        # (`auto_now` would say today).
        Submission.objects.filter(pk=submission.pk).update(updated_at=at)
        submission.updated_at = at
    SubmissionEvent.objects.create(
        submission=submission,
        actor=user,
        from_status=move[0],
        to_status=to_status,
        message=message,
        created_at=now,
    )
    if to_status == S.PUBLISHED:
        # Whoever moved it, the system included: the reports app renders its public PDFs.
        signals.submission_published.send(sender=Submission, submission=submission)
    if user is not None:  # system moves (imports, loaddemo) notify nobody
        # The comments written since the last message travel with this one: the country's with
        # its submission, ESCWA's with its decision.
        comments = []
        if to_status in COMMENTS_SENT_WITH:
            comments = _comments_take_unsent(
                submission=submission, from_escwa=COMMENTS_SENT_WITH[to_status]
            )
        transaction.on_commit(
            lambda: notifications.submission_moved(
                submission=submission, actor=user, message=message, comments=comments
            )
        )
    return submission


@transaction.atomic
def submission_publication_agree(
    *, submission: Submission, user, at: datetime.datetime | None = None
) -> PublicationAgreement:
    """A focal point agrees, for the country, that ESCWA publish its accepted answers
    (Action.AGREE_TO_PUBLISH). Given once; ESCWA's reviewers are told by e-mail.

    `user=None` with `at`: an agreement given outside the portal, replayed by an import (the
    demo's Morocco 2020), on an accepted submission; nobody is told."""
    _check_backdating(user, at)
    submission = (
        Submission.objects.select_for_update()
        .select_related("cycle", "country")
        .get(pk=submission.pk)
    )
    if user is None:
        if at is None or not submission.is_accepted:
            raise ValueError("A replayed agreement needs its date and an accepted submission.")
    else:
        permissions.require(user, Action.AGREE_TO_PUBLISH, submission)
    defaults = {"actor": user} if at is None else {"actor": user, "created_at": at}
    agreement, created = PublicationAgreement.objects.get_or_create(
        submission=submission, defaults=defaults
    )
    if created and user is not None:
        transaction.on_commit(
            lambda: notifications.publication_agreed(submission=submission, actor=user)
        )
    return agreement
