"""Every write to the questionnaire's state goes through here.

Views, forms, admin actions, management commands and tasks call these functions, so each rule
lives in one place. `user=None` means the system itself (a management command such as
`loaddemo`); any real user is checked against `permissions`.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import logging
import secrets
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import usernames
from accounts.models import escwa_accounts
from gcmreview import formatting

from . import filetypes, i18n, notifications, permissions, signals
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
    PublicationAgreement,
    Question,
    QuestionnaireVersion,
    ReviewCycle,
    Section,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionStatus,
    refuse_escwa_member,
)
from .permissions import Action

logger = logging.getLogger(__name__)

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


def _plain_text(text: str | None) -> str:
    """What a user typed into a plain-text field (a name, a description, a message), without the
    characters `richtext.strip_control_characters` removes from every answer, and trimmed."""
    from . import richtext  # the one definition of which characters user text may hold

    return richtext.strip_control_characters(text or "").strip()


def _check_backdating(user, at) -> None:
    # History written by people is always "now"; only imports may carry their original dates.
    if at is not None and user is not None:
        raise ValueError("Only system imports may set the time of a change.")


# --- Questionnaire versions --------------------------------------------------------------------


@transaction.atomic
def questionnaire_version_create_draft(
    *, source: QuestionnaireVersion, notes: str = "", user=None
) -> QuestionnaireVersion:
    """A new draft that deep-copies `source` (sections, questions, options, their Arabic and French
    texts), keeping every key."""
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
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
        official_translations=source.official_translations,
        derived_from=source,
    )
    sections = list(source.sections.order_by("order", "pk"))
    questions = list(Question.objects.filter(section__version=source).order_by("order", "pk"))
    new_sections = Section.objects.bulk_create(
        [
            Section(
                version=draft,
                number=s.number,
                title=s.title,
                intro=s.intro,
                order=s.order,
                **{name: getattr(s, name) for name in i18n.translation_fields("section")},
            )
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
                **{name: getattr(q, name) for name in i18n.translation_fields("question")},
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
    *, version: QuestionnaireVersion, user=None, at: datetime.datetime | None = None
) -> QuestionnaireVersion:
    """Publish a draft. From then on nothing in it changes; the next cycle gets a new version.

    `at` back-dates an import of a version published elsewhere (system only).
    """
    _check_backdating(user, at)
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    _check_version_content(version)
    version.status = VersionStatus.PUBLISHED
    version.published_at = at or timezone.now()
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


def submission_previous_for_carry_forward(*, cycle: ReviewCycle, country: Country):
    """The country's accepted (or published) submission of the latest earlier cycle of the same
    questionnaire, from which a new submission may be prefilled; None when there is none."""
    return (
        Submission.objects.filter(
            country=country,
            cycle__version__questionnaire_id=cycle.version.questionnaire_id,
            cycle__opens_on__lt=cycle.opens_on,
            status__in=[S.ACCEPTED, S.PUBLISHED],
        )
        .select_related("cycle")
        .order_by("-cycle__opens_on")
        .first()
    )


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
        if old.question.type_handler.is_empty(old.value):
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
                kind=AnswerRevision.Kind.CARRY_FORWARD,
                created_by=user,
            )
        )
    AnswerRevision.objects.bulk_create(revisions)
    return len(answers)


def submission_missing_required(*, submission: Submission) -> list[Question]:
    """Required questions of the submission that are still unanswered, in questionnaire order."""
    answers = dict(Answer.objects.filter(submission=submission).values_list("question_id", "value"))
    return [
        q
        for q in Question.objects.filter(version=submission.cycle.version_id, required=True)
        .select_related("section")
        .order_by("section__order", "order")
        if q.type_handler.is_empty(answers.get(q.pk))
    ]


@transaction.atomic
def submission_transition(
    *,
    submission: Submission,
    to_status: str,
    user=None,
    message: str = "",
    at: datetime.datetime | None = None,
) -> Submission:
    """Move a submission along the workflow table, and record the move as an event.

    `at` back-dates a move replayed from an import (system only).
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
        missing = submission_missing_required(submission=submission)
        if missing:
            raise TransitionError(
                ngettext(
                    "%(count)d required question is still unanswered.",
                    "%(count)d required questions are still unanswered.",
                    len(missing),
                )
                % {"count": len(missing)}
            )
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


# Whose unsent comments a move's e-mail carries: the country's (False) or ESCWA's (True).
COMMENTS_SENT_WITH = {S.SUBMITTED: False, S.RETURNED: True, S.ACCEPTED: True, S.PUBLISHED: True}


@transaction.atomic
def submission_publication_agree(*, submission: Submission, user) -> PublicationAgreement:
    """A focal point agrees, for the country, that ESCWA publish its accepted answers
    (Action.AGREE_TO_PUBLISH). Given once; ESCWA's reviewers are told by e-mail."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("cycle", "country")
        .get(pk=submission.pk)
    )
    permissions.require(user, Action.AGREE_TO_PUBLISH, submission)
    agreement, created = PublicationAgreement.objects.get_or_create(
        submission=submission, defaults={"actor": user}
    )
    if created:
        transaction.on_commit(
            lambda: notifications.publication_agreed(submission=submission, actor=user)
        )
    return agreement


# --- Answers -----------------------------------------------------------------------------------


def _submission_locked(submission: Submission) -> Submission:
    """The submission's row read afresh and locked until the caller's transaction ends.

    Every write to a submission's content (answers, documents) starts with this, and so does
    `submission_transition`: a save and a submit then happen one after the other, never
    interleaved. Whichever comes second sees the other's outcome: a save that arrives during a
    submit waits, then finds the submission submitted and is refused; a submit that arrives during
    a save counts the saved answer (an emptied required answer stops it). The permission check
    must be made on the row returned, not on the object the caller read before the transaction.
    Only this row is locked (`of`), not its cycle: other countries' saves go on.
    """
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=submission.pk)
    )


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
    submission = _submission_locked(submission)
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
    answer.text = question.type_handler.as_text(cleaned, question.options or {})
    answer.revision += 1
    answer.updated_by = user
    answer.prefilled = kind == AnswerRevision.Kind.CARRY_FORWARD
    answer.save()
    AnswerRevision.objects.create(
        answer=answer, revision=answer.revision, value=cleaned, kind=kind, created_by=user
    )
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now())
    return answer


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
    )


# --- Teams -------------------------------------------------------------------------------------

INVITATION_LIFETIME = datetime.timedelta(days=7)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *, country: Country, email: str, role: str, user, accept_url: str
) -> tuple[Invitation, str]:
    """Invite someone to a country's team and e-mail them a single-use link.

    `accept_url` is the absolute URL of the accept page with `{token}` where the token goes.
    Returns the invitation and the raw token (the only copy; the database keeps its hash).
    """
    permissions.require(user, Action.MANAGE_TEAM, country)
    if role not in CountryRole.values:
        raise ValidationError(_("Choose a role."))
    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(escwa_accounts(), email__iexact=email).exists():
        raise ValidationError(
            _(
                "%(email)s belongs to an ESCWA account. ESCWA staff review the countries' "
                "answers and cannot be on a country's team; invite a ministry address."
            )
            % {"email": email}
        )
    if Membership.objects.filter(country=country, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already on this team.") % {"email": email})
    # A new invitation replaces any pending one to the same address.
    Invitation.objects.filter(
        country=country, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        country=country,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = accept_url.replace("{token}", token)
    transaction.on_commit(lambda: notifications.invitation_sent(invitation=invitation, link=link))
    return invitation, token


def invitation_get_pending(*, token: str) -> Invitation:
    """The invitation a link stands for, if it can still be used; ValidationError otherwise."""
    invitation = (
        Invitation.objects.select_related("country").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired; ask for a new one."))
    return invitation


def invitation_for_another_address(*, invitation: Invitation, user) -> bool:
    """Whether a signed-in `user` following the link is not the address it was sent to (a
    forwarded e-mail, a shared computer): they join only after confirming, and the inviter is
    told who joined."""
    return (user.email or "").strip().casefold() != invitation.email.strip().casefold()


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user=None,
    username: str = "",
    password: str = "",
    full_name: str = "",
    language: str = "",
    confirm_other_address: bool = False,
):
    """Use an invitation: join the team as the signed-in user, or as a new account.

    A new account keeps `language`, the one the invitation page was read in, so that the portal
    goes on in it. A signed-in user whose address is not the invited one must confirm
    (`confirm_other_address`). ESCWA accounts are refused. Whoever sent the invitation is told
    who joined. Returns the user. The link works once: a second use is refused.
    """
    invitation = invitation_get_pending(token=token)
    invitation = (
        Invitation.objects.select_for_update().select_related("country").get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    User = get_user_model()
    if user is not None and user.is_authenticated:
        refuse_escwa_member(user)
        if invitation_for_another_address(invitation=invitation, user=user) and not (
            confirm_other_address
        ):
            raise ValidationError(
                _(
                    "This invitation was sent to %(email)s, not to your account's address. "
                    "Confirm that you want to join with your account."
                )
                % {"email": invitation.email}
            )
    else:
        username = usernames.username_check_new(username)
        first, _sep, last = _plain_text(full_name).partition(" ")
        user = User(username=username, email=invitation.email, first_name=first, last_name=last)
        if language in dict(settings.LANGUAGES):
            user.language = language
        user.set_password(password)
        user.save()
    # Accepting never demotes: someone already on the team keeps the stronger of the two roles
    # (so the last focal point cannot lose that role by following a viewer's link).
    rank = {CountryRole.VIEWER: 0, CountryRole.CONTRIBUTOR: 1, CountryRole.FOCAL_POINT: 2}
    membership = (
        Membership.objects.select_for_update().filter(user=user, country=invitation.country).first()
    )
    if membership is None:
        Membership.objects.create(user=user, country=invitation.country, role=invitation.role)
    elif rank[invitation.role] > rank[membership.role]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    transaction.on_commit(lambda: notifications.invitation_accepted(invitation=invitation))
    return user


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, user) -> Membership:
    permissions.require(user, Action.MANAGE_TEAM, membership.country)
    if role not in CountryRole.values:
        raise ValidationError(_("Choose a role."))
    if membership.role == CountryRole.FOCAL_POINT and role != CountryRole.FOCAL_POINT:
        _keep_a_focal_point(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, user) -> None:
    """Take someone off a country's team. A country always keeps at least one focal point."""
    permissions.require(user, Action.MANAGE_TEAM, membership.country)
    if membership.role == CountryRole.FOCAL_POINT:
        _keep_a_focal_point(membership)
    membership.delete()


def _keep_a_focal_point(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(country=membership.country, role=CountryRole.FOCAL_POINT)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(_("A country needs at least one focal point."))


# --- Supporting documents ----------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def attachment_add(
    *, submission: Submission, file: IO[bytes], name: str, user, description: str = ""
) -> Attachment:
    """Store a supporting document after checking its size and, by content, its type.

    The file is checked before the submission's row is locked (a large document takes a moment
    to check, and saves of the same submission would wait); whether the user may still add it is
    checked again on the locked row, so that no document lands after a submit.
    """
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if size > ATTACHMENT_MAX_BYTES:
        megabytes = decimal.Decimal(size / 1024 / 1024).quantize(decimal.Decimal("0.1"))
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": formatting.number_text(megabytes),
                "limit": formatting.number_text(ATTACHMENT_MAX_BYTES // 1024 // 1024),
            }
        )
    if size == 0:
        raise ValidationError(_("The file is empty."))
    try:
        kind = filetypes.check(file)
    except filetypes.Refused as refused:
        logger.info("Document refused (%s): %s", refused.reason, refused.detail or "-")
        raise ValidationError(_refusal_message(refused.reason), code=refused.reason) from None
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    submission = _submission_locked(submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    attachment = Attachment(
        submission=submission,
        original_name=_display_name(name, kind),
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        description=_plain_text(description)[:300],
        uploaded_by=user,
    )
    attachment.file.save("upload", File(file), save=False)
    attachment.save()
    return attachment


def _refusal_message(reason: str) -> str:
    """What the person uploading is told about a document `filetypes` refused, and what to do."""
    messages = {
        filetypes.NOT_A_DOCUMENT: _(
            "This file is not a PDF, Word (DOCX), Excel (XLSX) or OpenDocument (ODT) document."
        ),
        filetypes.DAMAGED: _(
            "This file is damaged: it cannot be read as a Word, Excel or OpenDocument document."
        ),
        filetypes.TOO_COMPLEX: _(
            "This document is too large or too complex to be checked. Save it again (for "
            "example with smaller pictures) or split it, and upload it again."
        ),
        filetypes.ACTIVE_CONTENT: _(
            "This document contains macros or active content, which the portal does not "
            "accept. Save it without macros (as .docx, .xlsx or .odt) and upload it again."
        ),
        filetypes.PDF_DAMAGED: _("This file is damaged or is not really a PDF."),
        filetypes.PDF_ENCRYPTED: _(
            "This PDF is encrypted or protected by a password. Save a copy without the "
            "protection and upload it again."
        ),
        filetypes.PDF_ACTIVE_CONTENT: _(
            "This PDF contains scripts, automatic actions or embedded files, which the portal "
            "does not accept. Save or print it again as a plain PDF and upload that."
        ),
    }
    return messages[reason]


def _display_name(name: str, kind: str) -> str:
    """A safe name to show and to offer on download: no path, no control characters, and the
    extension of what the file really is (so "report.pdf.exe" cannot pass as anything else)."""
    import os
    import re
    import unicodedata

    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "document"
    return f"{stem[:200]}.{kind}"


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user) -> None:
    """Remove a supporting document while the submission is open for changes (checked on its
    locked row, so that no document disappears after a submit)."""
    submission = _submission_locked(attachment.submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user) -> Invitation:
    """Withdraw a pending invitation so that its link stops working. Used links stay as they are:
    the person has joined, and taking them off the team is `membership_remove`'s job."""
    permissions.require(user, Action.MANAGE_TEAM, invitation.country)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


# --- Review: comments on questions ---------------------------------------------------------------

COMMENT_MAX_LENGTH = 5000


@transaction.atomic
def comment_add(
    *, submission: Submission, question: Question, user, body: str, parent: Comment | None = None
) -> Comment:
    """Open a thread on one question of a submission, or reply to one (`parent`).

    Who may write is `permissions` (Action.COMMENT): ESCWA staff and anyone on the country's team,
    until the submission is published or its cycle closed. A reply goes into an open thread of
    the same question. The body is plain text (shown escaped, with its line breaks), required and
    at most COMMENT_MAX_LENGTH characters. Nobody is e-mailed yet: comments travel together with
    the next review decision or submission, or when their author sends them (`comments_send`).
    """
    permissions.require(user, Action.COMMENT, submission)
    if question.version_id != submission.cycle.version_id:
        raise ValidationError(_("This question is not part of this submission's questionnaire."))
    if parent is not None:
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.submission_id != submission.pk or parent.question_id != question.pk:
            raise ValidationError(_("This thread belongs to another question."))
        if parent.parent_id is not None:
            parent = Comment.objects.select_for_update().get(pk=parent.parent_id)
        if not parent.is_open:
            raise ValidationError(
                _("This thread was marked as resolved; start a new comment instead.")
            )
    body = _plain_text(body)
    if not body:
        raise ValidationError(_("Write a comment first."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            ngettext(
                "A comment can be at most %(max)s character long; this one has %(count)s.",
                "A comment can be at most %(max)s characters long; this one has %(count)s.",
                COMMENT_MAX_LENGTH,
            )
            % {
                "max": formatting.number_text(COMMENT_MAX_LENGTH),
                "count": formatting.number_text(len(body)),
            }
        )
    return Comment.objects.create(
        submission=submission, question=question, author=user, body=body, parent=parent
    )


@transaction.atomic
def comment_resolve(*, comment: Comment, user) -> Comment:
    """Mark a thread as dealt with (Action.RESOLVE_COMMENT on the comment: ESCWA staff or the
    thread's author; the country's editors only for threads the country opened).

    Resolving twice keeps the first resolution: who closed a thread, and when, is not rewritten.
    """
    permissions.require(user, Action.RESOLVE_COMMENT, comment)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.parent_id is not None:
        raise ValidationError(_("A reply cannot be resolved on its own: resolve its thread."))
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


def _comments_take_unsent(*, submission: Submission, from_escwa: bool) -> list[Comment]:
    """One side's comments on the submission that nobody was e-mailed about yet, oldest first,
    marked sent now (the caller e-mails them after the commit). Inside the caller's
    transaction, so two requests never send the same comment."""
    unsent = list(
        Comment.objects.select_for_update(of=("self",))
        .filter(submission=submission, notified_at__isnull=True)
        .filter(ESCWA_AUTHORED if from_escwa else ~ESCWA_AUTHORED)
        .select_related("author", "question__section", "parent__author")
        .order_by("question__section__order", "question__order", "created_at", "pk")
    )
    if unsent:
        Comment.objects.filter(pk__in=[c.pk for c in unsent]).update(notified_at=timezone.now())
    return unsent


@transaction.atomic
def comments_send(*, submission: Submission, user) -> int:
    """E-mail the other side, in one message, the comments the user's side wrote on the
    submission since its last message; return how many. ESCWA's go to the country's team, the
    country's to ESCWA's reviewers (Action.COMMENT). Sending nothing sends no e-mail."""
    permissions.require(user, Action.COMMENT, submission)
    from_escwa = permissions.is_reviewer(user)
    comments = _comments_take_unsent(submission=submission, from_escwa=from_escwa)
    if comments:
        transaction.on_commit(
            lambda: notifications.comments_sent(
                submission=submission, sender=user, comments=comments, from_escwa=from_escwa
            )
        )
    return len(comments)


# --- Deadlines ---------------------------------------------------------------------------------


@transaction.atomic
def deadline_extension_grant(
    *, cycle: ReviewCycle, country: Country, deadline: datetime.date, reason: str = "", user=None
) -> DeadlineExtension:
    """Give one participating country of an open cycle a later deadline (ESCWA staff only).

    A country has at most one extension per cycle: granting again replaces it (with who granted
    it and when). The date may not be before the cycle's own deadline; granting the cycle's
    deadline itself takes an earlier extension back.
    """
    if user is not None:
        permissions.require(user, Action.MANAGE_DEADLINES)
    deadline_extension_check(cycle=cycle, country=country, deadline=deadline)
    extension, _created = DeadlineExtension.objects.update_or_create(
        cycle=cycle,
        country=country,
        defaults={
            "deadline": deadline,
            "reason": _plain_text(reason)[:300],
            "granted_by": user,
            "granted_at": timezone.now(),
        },
    )
    return extension


def deadline_extension_check(*, cycle: ReviewCycle, country: Country, deadline) -> None:
    """The rules an extension must meet, wherever it is granted (the dashboard, the admin)."""
    from django.utils.formats import date_format

    if cycle.is_closed:
        raise ValidationError(_("This review cycle is closed."))
    if not cycle.countries.filter(pk=country.pk).exists():
        raise ValidationError(
            _("%(country)s does not take part in this cycle.") % {"country": country}
        )
    if deadline < cycle.deadline:
        raise ValidationError(
            _("An extended deadline cannot be before the cycle's deadline (%(deadline)s).")
            % {"deadline": date_format(cycle.deadline)}
        )
