"""Questionnaires and their versions: sections, questions, and each version's history. A published
version never changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import i18n
from ..conditions import (
    ConditionOperator,
    condition_phrases,
    condition_validate,
    operands_of,
)
from ..types import BaseQuestionType, QuestionType, get_type
from ..types import choices as question_type_choices
from ._base import AppendOnlyModel, ImmutableError, TranslatedMixin


class Questionnaire(TranslatedMixin, models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionnaireVersion(TranslatedMixin, models.Model):
    """One frozen wording of a questionnaire. Only drafts may change; see services."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("questionnaire"),
    )
    number = models.PositiveIntegerField(_("version number"))
    # A later review may ask much the same questions under another title (the second regional
    # review's questionnaire is version 2 of the first's): the title is part of the wording.
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_(
            "The title of this version when it differs from the questionnaire's, for example "
            "for a later review. Left blank, the questionnaire's title is shown."
        ),
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    official_translations = models.BooleanField(
        _("official translations"),
        default=False,
        help_text=_(
            "Tick when the Arabic and French texts of this version are official translations. "
            "Otherwise pages that show them say that the translation is unofficial and that the "
            "English text is authoritative."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="derivatives",
        verbose_name=_("derived from"),
    )

    class Meta:
        ordering = ["questionnaire", "number"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        # The title the version goes by (its own, else the questionnaire's), so that the admin's
        # lists and selects tell the second review's version from the first's.
        return f"{self.display_title} v{self.number} ({self.get_status_display()})"

    # What a published or retired version keeps for good (its sections and questions are guarded
    # by DraftOnlyMixin).
    FROZEN_FIELDS = (
        "number",
        "title",
        "title_ar",
        "title_fr",
        "notes",
        "questionnaire_id",
        "published_at",
        "official_translations",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def display_title(self) -> str:
        """What readers see as this version's title, in the active language: its own title,
        else the questionnaire's (`i18n.version_title`)."""
        return i18n.version_title(self)

    def save(self, *args, **kwargs) -> None:
        # A published or retired version may only move forward in status (published → retired);
        # its wording, number and notes never change once a country could have answered it.
        if self.pk:
            stored = (
                QuestionnaireVersion.objects.filter(pk=self.pk)
                .values("status", *self.FROZEN_FIELDS)
                .first()
            )
            if stored and stored["status"] != VersionStatus.DRAFT:
                changed = [
                    field for field in self.FROZEN_FIELDS if stored[field] != getattr(self, field)
                ]
                allowed_status = self.status == stored["status"] or (
                    stored["status"] == VersionStatus.PUBLISHED
                    and self.status == VersionStatus.RETIRED
                )
                if changed or not allowed_status:
                    raise ImmutableError(
                        _("Version %(number)s is %(status)s and cannot be changed.")
                        % {"number": stored["number"], "status": stored["status"]}
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT:
            raise ImmutableError(_("Only draft versions can be deleted."))
        return super().delete(*args, **kwargs)


class DraftOnlyMixin(models.Model):
    """Sections and questions change only while their version is a draft."""

    class Meta:
        abstract = True

    def _version_id_for_guard(self) -> int | None:
        raise NotImplementedError

    def _check_version_is_draft(self) -> None:
        version_ids = {self._version_id_for_guard()}
        if self.pk:
            # Moving a row out of a published version is a change to that version too.
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None:
                version_ids.add(stored._version_id_for_guard())
        locked = QuestionnaireVersion.objects.filter(pk__in=version_ids).exclude(
            status=VersionStatus.DRAFT
        )
        if locked.exists():
            raise ImmutableError(
                _("This questionnaire version is published; create a new draft to change it.")
            )

    def save(self, *args, **kwargs) -> None:
        self._check_version_is_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_version_is_draft()
        return super().delete(*args, **kwargs)


class Section(TranslatedMixin, DraftOnlyMixin):
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("questionnaire version"),
    )
    number = models.CharField(_("number"), max_length=8, help_text=_("Roman numeral: I, II, …"))
    title = models.CharField(_("title"), max_length=300)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_ar = models.TextField(_("introduction (Arabic)"), blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="section_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def _version_id_for_guard(self) -> int | None:
        return self.version_id


class Question(TranslatedMixin, DraftOnlyMixin):
    """One question. `key` is stable across versions so answers can be carried forward."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    # Denormalised from section.version so the database can enforce one key per version.
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="questions",
        editable=False,
        verbose_name=_("questionnaire version"),
    )
    key = models.SlugField(
        _("key"),
        max_length=80,
        help_text=_("Stable identifier kept across versions; answers carry forward by key."),
    )
    label = models.CharField(_("label"), max_length=8, help_text=_("a, b, c, …"))
    text = models.TextField(_("question text"))
    text_ar = models.TextField(_("question text (Arabic)"), blank=True)
    text_fr = models.TextField(_("question text (French)"), blank=True)
    help_text = models.TextField(_("help text"), blank=True)
    help_text_ar = models.TextField(_("help text (Arabic)"), blank=True)
    help_text_fr = models.TextField(_("help text (French)"), blank=True)
    # The registered question types (questionnaire/types/): a callable, so that a new type
    # changes neither this model nor its migrations.
    type = models.CharField(
        _("type"), max_length=20, choices=question_type_choices, default=QuestionType.LONG_TEXT
    )
    required = models.BooleanField(_("required"), default=True)
    allows_not_applicable = models.BooleanField(
        _("may be answered “not applicable”"),
        default=False,
        help_text=_("The country may then answer “Not applicable” with a short reason."),
    )
    # How the question's conditions (QuestionCondition) combine; no condition: always shown.
    shown_when = models.CharField(
        _("shown when"),
        max_length=3,
        choices=[
            ("all", _("all of its conditions hold")),
            ("any", _("any of its conditions holds")),
        ],
        default="all",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    options = models.JSONField(
        _("type options"),
        default=dict,
        blank=True,
        help_text=_(
            "Per type: choices [{value, label}], max_length, columns [{key, label}], "
            "scale [{value, label}] for the objectives grid, min/max for numbers. Each label may "
            "have its Arabic and French beside it: {value, label, label_ar, label_fr}."
        ),
    )

    class Meta:
        ordering = ["section__order", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="question_key_unique"),
            models.UniqueConstraint(fields=["section", "label"], name="question_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.section.number}.{self.label}) {self.text[:80]}"

    def _version_id_for_guard(self) -> int | None:
        return self.version_id

    def save(self, *args, **kwargs) -> None:
        self.version_id = self.section.version_id
        super().save(*args, **kwargs)

    @property
    def type_handler(self) -> BaseQuestionType:
        """The question's type (questionnaire/types/): its value, templates, text and script."""
        return get_type(self.type)

    def clean(self) -> None:
        self.type_handler.validate_options(self.options or {})


class QuestionCondition(DraftOnlyMixin):
    """One condition for showing a question: an earlier question of the same version has (or has
    not) a given value. A question with conditions is shown when all (or any, `shown_when`) hold;
    `questionnaire.conditions` checks and evaluates them."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("question")
    )
    # RESTRICT: a question others depend on cannot be deleted on its own (the admin says which);
    # deleting its whole section or version takes the conditions with it.
    source = models.ForeignKey(
        Question,
        on_delete=models.RESTRICT,
        related_name="dependent_conditions",
        verbose_name=_("earlier question"),
    )
    operator = models.CharField(
        _("condition"), max_length=12, choices=ConditionOperator.choices, default="equals"
    )
    value = models.CharField(
        _("value"),
        max_length=300,
        help_text=_(
            "A choice (for “is one of”, several separated by commas) or a number, as the earlier "
            "question's answer holds it."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")

    def __str__(self) -> str:
        """ "I.a is “Yes”": as the answering page words it."""
        return condition_phrases(self.question, [self])[0]

    def _version_id_for_guard(self) -> int | None:
        return self.question.version_id if self.question_id else None

    @property
    def operands(self) -> list[str]:
        """The value as a list: several for “is one of”."""
        return operands_of(self.operator, self.value)

    def clean(self) -> None:
        condition_validate(self)


class VersionEvent(AppendOnlyModel):
    """One step in a questionnaire version's life: created, published or retired; who and when.

    Written by the services that take the step (`questionnaire_version_create`,
    `_create_draft`, `_publish`, `_retire`); shown on the version's admin page.
    """

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    # CASCADE, not PROTECT: a draft may be deleted, and its history goes with it. Published and
    # retired versions are never deleted (the model guard and their cycles' PROTECT).
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("questionnaire version"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("version event")
        verbose_name_plural = _("version events")

    def __str__(self) -> str:
        return f"{self.version}: {self.action}"
