"""Questionnaire versions: a new draft (empty, or copied from another version), publishing,
retiring. Each step appends a `VersionEvent`."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import i18n, permissions
from ..conditions import condition_validate, question_number
from ..models import (
    Question,
    QuestionCondition,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionEvent,
    VersionStatus,
)
from ..permissions import Action
from ._common import _check_backdating


def _record(
    version: QuestionnaireVersion, action: str, user, at: datetime.datetime | None = None
) -> None:
    VersionEvent.objects.create(
        version=version, action=action, actor=user, created_at=at or timezone.now()
    )


@transaction.atomic
def questionnaire_version_create(
    *,
    questionnaire: Questionnaire,
    notes: str = "",
    official_translations: bool = False,
    derived_from: QuestionnaireVersion | None = None,
    titles: dict[str, str] | None = None,
    user=None,
) -> QuestionnaireVersion:
    """A new, empty draft of `questionnaire`, numbered one after its highest version so far.
    `titles`: its own title and translations (`{"title": …, "title_ar": …}`), none by default:
    the questionnaire's title stands for it.

    The only place a version number is chosen. The questionnaire's row is locked meanwhile, so two
    drafts created at the same moment get two numbers.
    """
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    number = (
        QuestionnaireVersion.objects.filter(questionnaire=questionnaire).aggregate(Max("number"))[
            "number__max"
        ]
        or 0
    ) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=number,
        status=VersionStatus.DRAFT,
        notes=notes,
        official_translations=official_translations,
        derived_from=derived_from,
        **_version_titles(titles or {}),
    )
    _record(version, VersionEvent.Action.CREATED, user)
    return version


def _version_titles(source: Any) -> dict[str, str]:
    """`{"title": …, "title_ar": …, "title_fr": …}` from a version or a dict."""
    names = ["title", *i18n.translation_fields("questionnaireversion")]
    if isinstance(source, dict):
        return {name: source.get(name, "") for name in names}
    return {name: getattr(source, name) for name in names}


@transaction.atomic
def questionnaire_version_create_draft(
    *, source: QuestionnaireVersion, notes: str = "", user=None
) -> QuestionnaireVersion:
    """A new draft that deep-copies `source` (its title, sections, questions, options, their Arabic
    and French texts, their conditions), keeping every key: a copied condition depends on the
    draft's question with its source's key."""
    draft = questionnaire_version_create(
        questionnaire=source.questionnaire,
        notes=notes or _("Copied from version %(number)s.") % {"number": source.number},
        official_translations=source.official_translations,
        derived_from=source,
        titles=_version_titles(source),
        user=user,
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
    new_questions = Question.objects.bulk_create(
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
                allows_not_applicable=q.allows_not_applicable,
                shown_when=q.shown_when,
                order=q.order,
                options=q.options,
                **{name: getattr(q, name) for name in i18n.translation_fields("question")},
            )
            for q in questions
        ]
    )
    by_key = {q.key: q for q in new_questions}
    QuestionCondition.objects.bulk_create(
        [
            QuestionCondition(
                question=by_key[c.question.key],
                source=by_key[c.source.key],
                operator=c.operator,
                value=c.value,
                order=c.order,
            )
            for c in QuestionCondition.objects.filter(question__version=source)
            .select_related("question", "source")
            .order_by("order", "pk")
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
    # Questions may have moved since their conditions were made: each source must still be an
    # earlier question of this version that can hold the value (so no condition goes round a loop).
    for condition in QuestionCondition.objects.filter(question__version=version).select_related(
        "question__section", "source__section"
    ):
        try:
            condition_validate(condition)
        except ValidationError as exc:
            question = condition.question
            problems.append(
                f"{question_number(question)} ({question.key}): {' '.join(exc.messages)}"
            )
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
    _record(version, VersionEvent.Action.PUBLISHED, user, at=version.published_at)
    return version


@transaction.atomic
def questionnaire_version_retire(
    *, version: QuestionnaireVersion, user=None
) -> QuestionnaireVersion:
    """Retire a published version: no new cycle may use it; its cycles and answers stay."""
    if user is not None:
        permissions.require(user, Action.MANAGE_QUESTIONNAIRES)
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    version.status = VersionStatus.RETIRED
    version.save()
    _record(version, VersionEvent.Action.RETIRED, user)
    return version
