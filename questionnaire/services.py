"""Every write to the questionnaire's state goes through here.

Views, forms, admin actions, management commands and tasks call these functions, so each rule
lives in one place. `user=None` means the system itself (a management command such as
`loaddemo`); any real user is checked against `permissions`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions
from .models import (
    Answer,
    AnswerRevision,
    Country,
    Question,
    QuestionnaireVersion,
    ReviewCycle,
    Section,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionStatus,
)
from .permissions import Action

S = SubmissionStatus

# The workflow, as data: (from, to) → the action the user needs. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], Action] = {
    (S.DRAFT, S.SUBMITTED): Action.SUBMIT,
    (S.SUBMITTED, S.RETURNED): Action.REVIEW,
    (S.RETURNED, S.SUBMITTED): Action.SUBMIT,
    (S.SUBMITTED, S.ACCEPTED): Action.REVIEW,
    (S.ACCEPTED, S.PUBLISHED): Action.PUBLISH,
}
# Moves that must say why (the country needs to know what to change).
TRANSITIONS_NEEDING_MESSAGE = frozenset({(S.SUBMITTED, S.RETURNED)})


class TransitionError(ValidationError):
    pass


class AnswerConflict(Exception):
    """A save started from an older revision than the stored one: nobody's text is overwritten."""

    def __init__(self, current: Answer):
        super().__init__(_("This answer was changed by someone else while you were editing."))
        self.current = current


# --- Questionnaire versions --------------------------------------------------------------------


@transaction.atomic
def questionnaire_version_create_draft(
    *, source: QuestionnaireVersion, notes: str = ""
) -> QuestionnaireVersion:
    """A new draft that deep-copies `source` (sections, questions, options), keeping every key."""
    number = (
        QuestionnaireVersion.objects.filter(questionnaire=source.questionnaire).aggregate(
            Max("number")
        )["number__max"]
        or 0
    ) + 1
    draft = QuestionnaireVersion.objects.create(
        questionnaire=source.questionnaire,
        number=number,
        status=VersionStatus.DRAFT,
        notes=notes or _("Copied from version %(number)s.") % {"number": source.number},
        derived_from=source,
    )
    sections = list(source.sections.order_by("order", "pk"))
    questions = list(Question.objects.filter(section__version=source).order_by("order", "pk"))
    new_sections = Section.objects.bulk_create(
        [
            Section(version=draft, number=s.number, title=s.title, intro=s.intro, order=s.order)
            for s in sections
        ]
    )
    section_map = {old.pk: new for old, new in zip(sections, new_sections, strict=True)}
    Question.objects.bulk_create(
        [
            Question(
                section=section_map[q.section_id],
                version=draft,
                key=q.key,
                label=q.label,
                text=q.text,
                help_text=q.help_text,
                type=q.type,
                required=q.required,
                order=q.order,
                options=q.options,
            )
            for q in questions
        ]
    )
    return draft


def _check_version_content(version: QuestionnaireVersion) -> None:
    problems = []
    sections = list(version.sections.all())
    if not sections:
        problems.append(_("A version needs at least one section."))
    for question in Question.objects.filter(version=version).select_related("section"):
        if question.section.version_id != version.pk:
            problems.append(_("Question %(key)s is misfiled.") % {"key": question.key})
        try:
            question.clean()
        except ValidationError as exc:
            problems.append(f"{question.key}: {' '.join(exc.messages)}")
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def questionnaire_version_publish(
    *, version: QuestionnaireVersion, user=None
) -> QuestionnaireVersion:
    """Publish a draft. From then on nothing in it changes; the next cycle gets a new version."""
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    _check_version_content(version)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def questionnaire_version_retire(
    *, version: QuestionnaireVersion, user=None
) -> QuestionnaireVersion:
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    version.status = VersionStatus.RETIRED
    version.save()
    return version


# --- Submissions -------------------------------------------------------------------------------


@transaction.atomic
def submission_create(
    *, cycle: ReviewCycle, country: Country, user=None, language: str = "en"
) -> Submission:
    """Open a country's submission for a cycle: one per country and cycle, drafts only."""
    if user is not None:
        permissions.require(user, Action.START_SUBMISSION, country)
    if cycle.version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("This cycle's questionnaire is not published."))
    if not cycle.countries.filter(pk=country.pk).exists():
        raise ValidationError(
            _("%(country)s does not take part in this cycle.") % {"country": country}
        )
    if Submission.objects.filter(cycle=cycle, country=country).exists():
        raise ValidationError(_("This country already has a submission for this cycle."))
    submission = Submission.objects.create(cycle=cycle, country=country, language=language)
    SubmissionEvent.objects.create(
        submission=submission, actor=user, from_status="", to_status=S.DRAFT
    )
    return submission


@transaction.atomic
def submission_transition(
    *, submission: Submission, to_status: str, user=None, message: str = ""
) -> Submission:
    """Move a submission along the workflow table, and record the move as an event."""
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
    message = (message or "").strip()
    if move in TRANSITIONS_NEEDING_MESSAGE and not message:
        raise TransitionError(_("Say what the country should change."))
    now = timezone.now()
    submission.status = to_status
    if to_status == S.SUBMITTED:
        submission.submitted_at = now
    elif to_status == S.ACCEPTED:
        submission.accepted_at = now
    submission.save(update_fields=["status", "submitted_at", "accepted_at", "updated_at"])
    SubmissionEvent.objects.create(
        submission=submission,
        actor=user,
        from_status=move[0],
        to_status=to_status,
        message=message,
    )
    return submission


# --- Answers -----------------------------------------------------------------------------------


@transaction.atomic
def answer_save(
    *,
    submission: Submission,
    question: Question,
    value: Any,
    user=None,
    base_revision: int | None = None,
    kind: str = AnswerRevision.Kind.SAVE,
) -> Answer:
    """Validate and store one answer, append its revision, and refuse stale saves.

    `base_revision` is the revision the user's text started from; when another save came in
    between, AnswerConflict carries the stored answer so the user can choose. `None` skips the
    check (system imports only).
    """
    if user is not None:
        permissions.require(user, Action.EDIT_ANSWERS, submission)
    elif not submission.is_editable and kind != AnswerRevision.Kind.IMPORT:
        raise ValidationError(_("This submission is not open for changes."))
    if question.version_id != submission.cycle.version_id:
        raise ValidationError(_("This question is not part of this submission's questionnaire."))
    cleaned = question.type_handler.clean(value, question.options or {})

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

    if answer.revision and answer.value == cleaned and kind == AnswerRevision.Kind.SAVE:
        return answer  # nothing changed: no new revision, no new version number
    answer.value = cleaned
    answer.revision += 1
    answer.updated_by = user
    answer.prefilled = kind == AnswerRevision.Kind.CARRY_FORWARD
    answer.save()
    AnswerRevision.objects.create(
        answer=answer, revision=answer.revision, value=cleaned, kind=kind, created_by=user
    )
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now())
    return answer
