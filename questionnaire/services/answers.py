"""Answers: every save is validated by its question type, checked against the revision it started
from, and kept in history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..conditions import condition_note, question_number
from ..models import (
    NOT_APPLICABLE_MAX_LENGTH,
    Answer,
    AnswerRevision,
    Question,
    Submission,
)
from ..permissions import Action
from ..selectors import submissions_progress
from ._common import _plain_text, _submission_locked


class SectionSaveError(ValidationError):
    """Nothing of a section was saved. By question key: `problems`, why a value was refused;
    `conflicts`, the stored answer of each question someone else saved meanwhile."""

    def __init__(self, *, problems: dict[str, str], conflicts: dict[str, Answer]):
        super().__init__(
            _("Nothing was saved: please look at the questions marked below, then save again."),
            code="section_not_saved",
        )
        self.problems = problems
        self.conflicts = conflicts


class AnswerConflict(Exception):
    """A save started from an older revision than the stored one: nobody's text is overwritten."""

    def __init__(self, current: Answer):
        super().__init__(_("This answer was changed by someone else while you were editing."))
        self.current = current


@transaction.atomic
def answer_save(
    *,
    submission: Submission,
    question: Question,
    value: Any,
    user=None,
    base_revision: int | None = None,
    kind: str = AnswerRevision.Kind.SAVE,
    not_applicable_reason: str | None = "",
    document_import=None,
) -> Answer:
    """Validate and store one answer, append its revision, and refuse stale saves.

    `base_revision` is the revision the user's text started from; when another save came in
    between, AnswerConflict carries the stored answer so the user can choose. `None` skips the
    check (system imports only).

    `not_applicable_reason`: "" for an answer that applies; a reason marks it "Not applicable"
    (questions that allow it), keeping `value` for when it applies again; None: "not
    applicable" but without a reason, which is refused.

    A person's save (or restore) of a question that the submission's conditions hide is
    refused: its stored answer is kept as it is until the question applies again.

    `document_import`: the Word document an answer of kind "import" was read from.
    """
    submission = _submission_locked(submission)
    if user is not None:
        permissions.require(user, Action.EDIT_ANSWERS, submission)
    elif not submission.is_editable and kind != AnswerRevision.Kind.IMPORT:
        raise ValidationError(_("This submission is not open for changes."))
    if question.version_id != submission.cycle.version_id:
        raise ValidationError(_("This question is not part of this submission's questionnaire."))
    cleaned = question.type_handler.clean(value, question.options or {})
    reason = _not_applicable_reason(question, not_applicable_reason)
    if kind in (AnswerRevision.Kind.SAVE, AnswerRevision.Kind.RESTORE):
        _check_question_shown(submission, question)

    answer = (
        Answer.objects.select_for_update().filter(submission=submission, question=question).first()
    )
    if answer is None:
        if base_revision not in (None, 0):
            raise ValidationError(_("This answer does not exist any more."))
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    submission=submission, question=question, value=None, revision=0
                )
        except IntegrityError:
            # Someone created it a moment ago: that is a conflict like any other.
            raise AnswerConflict(
                Answer.objects.get(submission=submission, question=question)
            ) from None
    elif base_revision is not None and base_revision != answer.revision:
        raise AnswerConflict(answer)

    unchanged = answer.value == cleaned and answer.not_applicable_reason == reason
    if answer.revision and unchanged and kind == AnswerRevision.Kind.SAVE:
        return answer  # nothing changed: no new revision, no new version number
    answer.value = cleaned
    answer.text = question.type_handler.as_text(cleaned, question.options or {})
    answer.not_applicable_reason = reason
    return _new_revision(answer, kind=kind, user=user, document_import=document_import)


def _new_revision(answer: Answer, *, kind: str, user, document_import=None) -> Answer:
    """Store `answer` as its next revision and append that revision to its history."""
    answer.revision += 1
    answer.updated_by = user
    answer.prefilled = kind == AnswerRevision.Kind.CARRY_FORWARD
    answer.save()
    AnswerRevision.objects.create(
        answer=answer,
        revision=answer.revision,
        value=answer.value,
        not_applicable_reason=answer.not_applicable_reason,
        kind=kind,
        created_by=user,
        document_import=document_import,
    )
    Submission.objects.filter(pk=answer.submission_id).update(updated_at=timezone.now())
    return answer


def _not_applicable_reason(question: Question, reason: str | None) -> str:
    """The reason as stored: plain text, refused when missing or when the question does not
    allow "Not applicable"."""
    if reason == "":
        return ""
    if not question.allows_not_applicable:
        raise ValidationError(_("This question cannot be answered “Not applicable”."))
    reason = _plain_text(reason or "")
    if not reason:
        raise ValidationError(_("Say briefly why this question does not apply."))
    if len(reason) > NOT_APPLICABLE_MAX_LENGTH:
        raise ValidationError(
            _("The reason is %(length)s characters long; the limit is %(max)s.")
            % {"length": len(reason), "max": NOT_APPLICABLE_MAX_LENGTH}
        )
    return reason


def _check_question_shown(submission: Submission, question: Question) -> None:
    """Refuse a save to a question the submission's conditions hide (its note says when it
    applies)."""
    conditions = list(question.conditions.select_related("source__section"))
    if not conditions:
        return
    submissions_progress([submission])
    if not submission.states[question.pk].shown:
        raise ValidationError(
            _(
                "%(question)s does not apply with the answers given so far (%(note)s) Nothing "
                "was saved."
            )
            % {"question": question_number(question), "note": condition_note(question, conditions)},
            code="does_not_apply",
        )


@transaction.atomic
def answer_confirm(*, answer: Answer, user, base_revision: int) -> Answer:
    """ "Still accurate": a carried-forward answer is reviewed as it stands. A new revision of
    kind "confirm" with who and when; the value is unchanged."""
    submission = _submission_locked(answer.submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if base_revision != answer.revision:
        raise AnswerConflict(answer)
    if not answer.prefilled:
        raise ValidationError(_("This answer was already reviewed."))
    return _new_revision(answer, kind=AnswerRevision.Kind.CONFIRM, user=user)


@transaction.atomic
def answer_restore(
    *, answer: Answer, revision: int, user=None, base_revision: int | None = None
) -> Answer:
    """Bring back an earlier value of an answer. A restore is a new revision: nothing is lost.

    `answer_save` locks the submission and checks that it is open before anything is written.
    """
    old = AnswerRevision.objects.filter(answer=answer, revision=revision).first()
    if old is None:
        raise ValidationError(_("There is no such earlier version of this answer."))
    return answer_save(
        submission=answer.submission,
        question=answer.question,
        value=old.value,
        user=user,
        base_revision=answer.revision if base_revision is None else base_revision,
        kind=AnswerRevision.Kind.RESTORE,
        not_applicable_reason=old.not_applicable_reason,
    )


@transaction.atomic
def section_save(
    *,
    submission: Submission,
    values_by_question: dict[Question, Any],
    user=None,
    base_revisions: dict[Question, int],
    reasons_by_question: dict[Question, str | None] | None = None,
) -> list[Answer]:
    """Save a section's answers all or nothing (the Save button without JavaScript).

    Each value is saved by `answer_save` from the revision it started from (`base_revisions`, 0
    for a new answer); a value equal to the stored one, from the stored revision, is left alone.
    One refused value or one conflict and nothing is saved: `SectionSaveError` carries every
    question's problem. Returns the answers saved (none when nothing had changed).
    `reasons_by_question`: each question's "not applicable" reason, as `answer_save` takes it.
    """
    reasons_by_question = reasons_by_question or {}
    if user is not None:
        permissions.require(user, Action.EDIT_ANSWERS, _submission_locked(submission))
    stored = {
        answer.question_id: answer
        for answer in Answer.objects.filter(
            submission=submission, question__in=list(values_by_question)
        )
    }
    saved, problems, conflicts = [], {}, {}
    for question, value in values_by_question.items():
        base = base_revisions.get(question, 0)
        try:
            cleaned = question.type_handler.clean(value, question.options or {})
        except ValidationError as exc:
            problems[question.key] = " ".join(exc.messages)
            continue
        current = stored.get(question.pk)
        reason = reasons_by_question.get(question, "")
        unchanged = cleaned == (
            current.value if current else question.type_handler.empty_value
        ) and reason == (current.not_applicable_reason if current else "")
        if unchanged and base == (current.revision if current else 0):
            continue
        try:
            saved.append(
                answer_save(
                    submission=submission,
                    question=question,
                    value=value,
                    user=user,
                    base_revision=base,
                    not_applicable_reason=reason,
                )
            )
        except AnswerConflict as conflict:
            conflicts[question.key] = conflict.current
        except ValidationError as exc:
            problems[question.key] = " ".join(exc.messages)
    if problems or conflicts:
        raise SectionSaveError(problems=problems, conflicts=conflicts)
    return saved
