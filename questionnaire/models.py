"""The questionnaire's data model.

Questionnaire → QuestionnaireVersion → Section → Question describe what is asked; ReviewCycle and
Submission say who answers which version; Answer holds the current value of one question in one
submission and AnswerRevision every value it ever had. See docs/architecture.md for the diagram.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import escwa_accounts

# QuestionType (the types' names as constants) is imported from here by much of the code.
from .types import BaseQuestionType, QuestionType, get_type
from .types import choices as question_type_choices


class ImmutableError(ValidationError):
    """Raised when code tries to change something that must never change after the fact."""


class TranslatedMixin:
    """Models whose texts have Arabic and French twins (`title_ar`, `title_fr`); see i18n."""

    def localized(self, field: str, language: str | None = None) -> str:
        """`field` in the active language (or `language`), English when it is not translated."""
        from .i18n import tr

        return tr(self, field, language)


# --- Reference data -------------------------------------------------------------------------


class Country(models.Model):
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100)
    las_member = models.BooleanField(_("League of Arab States member"), default=False)
    escwa_member = models.BooleanField(_("ESCWA member"), default=False)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_upper"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The country's name in the active language, English when there is none."""
        from django.utils.translation import get_language

        lang = (get_language() or "en")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_en


class Objective(TranslatedMixin, models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.TextField(_("title"))
    title_ar = models.TextField(_("title (Arabic)"), blank=True)
    title_fr = models.TextField(_("title (French)"), blank=True)
    short_label = models.CharField(_("short label"), max_length=60)
    short_label_ar = models.CharField(_("short label (Arabic)"), max_length=60, blank=True)
    short_label_fr = models.CharField(_("short label (French)"), max_length=60, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=23), name="objective_number_1_23"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.short_label}"


class GuidingPrinciple(models.Model):
    letter = models.CharField(_("letter"), max_length=1, unique=True)
    title = models.CharField(_("title"), max_length=100)

    class Meta:
        ordering = ["letter"]
        verbose_name = _("guiding principle")
        verbose_name_plural = _("guiding principles")

    def __str__(self) -> str:
        return self.title


# --- Questionnaires and their versions ---------------------------------------------------------


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


class QuestionnaireVersion(models.Model):
    """One frozen wording of a questionnaire. Only drafts may change; see services."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
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
        return f"{self.questionnaire} v{self.number} ({self.get_status_display()})"

    # What a published or retired version keeps for good (its sections and questions are guarded
    # by DraftOnlyMixin).
    FROZEN_FIELDS = (
        "number",
        "notes",
        "questionnaire_id",
        "published_at",
        "official_translations",
    )

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

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
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
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

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    # Denormalised from section.version so the database can enforce one key per version.
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions", editable=False
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


# --- Review cycles and submissions -------------------------------------------------------------


class ReviewCycle(models.Model):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.PROTECT,
        related_name="cycles",
        verbose_name=_("questionnaire version"),
    )
    opens_on = models.DateField(_("opening date"))
    deadline = models.DateField(_("deadline"))
    is_closed = models.BooleanField(
        _("closed"), default=False, help_text=_("A closed cycle takes no more answers.")
    )
    countries = models.ManyToManyField(
        Country, related_name="cycles", verbose_name=_("participating countries"), blank=True
    )

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("review cycle")
        verbose_name_plural = _("review cycles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_on")),
                name="cycle_deadline_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self._check_version_kept()

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "version" in update_fields:
            self._check_version_kept()
        super().save(*args, **kwargs)

    def _check_version_kept(self) -> None:
        """A cycle keeps its questionnaire version once a country has started answering it: the
        answers belong to that version's questions. Checked here so that the admin, the shell and
        any future API obey the same rule."""
        if self.pk is None:
            return
        stored = ReviewCycle.objects.filter(pk=self.pk).values_list("version_id", flat=True).first()
        if stored is not None and stored != self.version_id and self.submissions.exists():
            raise ImmutableError(
                _(
                    "This cycle's questionnaire version cannot change: countries have started "
                    "answering it."
                ),
                code="cycle_version_kept",
            )


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    ACCEPTED = "accepted", _("Accepted")
    PUBLISHED = "published", _("Published")


# The groups of statuses the rest of the code asks about, each named once. Tuples keep the
# workflow's order, for pages and exports that list them.
# The country's team may change answers (while the cycle is open: `Submission.is_editable`).
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# The country has sent its answers to ESCWA at least once; drafts are its work in progress,
# which staff may read, clearly marked, but which pages and exports leave out unless asked.
SENT_STATUSES = (
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.RETURNED,
    SubmissionStatus.ACCEPTED,
    SubmissionStatus.PUBLISHED,
)
# ESCWA accepted the answers: final for the country, compiled into the regional report, the
# source a later cycle may start from, no longer marked as a draft in PDFs.
FINAL_STATUSES = (SubmissionStatus.ACCEPTED, SubmissionStatus.PUBLISHED)


class Submission(models.Model):
    """One country's answers in one cycle. The status changes only through the workflow service."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.PROTECT, related_name="submissions")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="submissions")
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)
    # Denormalised from the event log for dashboards; the events are the record.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    carried_forward_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prefilled from"),
    )

    class Meta:
        ordering = ["cycle", "country__name_en"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "country"], name="one_submission_per_country_and_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} — {self.cycle}"

    # What pages and e-mails ask about a submission's status, so that no template compares
    # statuses itself. The moves between statuses are the workflow service's business.

    @property
    def is_editable(self) -> bool:
        """The country may change its answers: a draft, or returned for revision, in a cycle that
        is not closed."""
        return self.status in EDITABLE_STATUSES and not self.cycle.is_closed

    @property
    def is_with_escwa(self) -> bool:
        """The answers are with ESCWA now (submitted, accepted or published): not a draft, not
        returned for revision. (`SENT_STATUSES` is wider: sent at least once, returned included.)"""
        return self.status not in EDITABLE_STATUSES

    @property
    def is_draft(self) -> bool:
        """Never sent to ESCWA yet."""
        return self.status == SubmissionStatus.DRAFT

    @property
    def is_returned(self) -> bool:
        """ESCWA returned the answers for revision; the country is to send them again."""
        return self.status == SubmissionStatus.RETURNED

    @property
    def is_accepted(self) -> bool:
        """ESCWA accepted the answers, not yet published: the country may agree to publication."""
        return self.status == SubmissionStatus.ACCEPTED

    @property
    def is_published(self) -> bool:
        """ESCWA published the answers on the public pages: the review is complete."""
        return self.status == SubmissionStatus.PUBLISHED

    @property
    def is_final(self) -> bool:
        """Accepted or published: ESCWA accepted the answers, which are final."""
        return self.status in FINAL_STATUSES


class AppendOnlyModel(models.Model):
    """Rows that record history: created once, never updated or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(_("History rows cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("History rows cannot be deleted."))


class SubmissionEvent(AppendOnlyModel):
    """One move of a submission's status: who, from, to, why, when."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=SubmissionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=SubmissionStatus.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self) -> str:
        return f"{self.submission}: {self.from_status or '—'} → {self.to_status}"


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


class PublicationAgreement(AppendOnlyModel):
    """A country's agreement that ESCWA publish its accepted answers on the public pages.

    Given once, by one of the country's focal points, on an accepted submission; publishing
    needs it (services.submission_transition). A history row: never changed or deleted.
    """

    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="publication_agreement"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed by"),
    )
    created_at = models.DateTimeField(
        _("agreed at"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("publication agreement")
        verbose_name_plural = _("publication agreements")

    def __str__(self) -> str:
        return f"{self.submission}: agreed to publication"

    # Told apart from the status moves beside it in a submission's timeline.
    is_publication_agreement = True


class Answer(models.Model):
    """The current value of one question in one submission.

    `revision` counts saves: a save must name the revision it started from, so that two people
    editing the same answer never overwrite each other silently.
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("value"), null=True, blank=True)
    # The value as plain text (question type's as_text), kept in step by services.answer_save,
    # for search and exports.
    text = models.TextField(_("text"), blank=True, default="", editable=False)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    prefilled = models.BooleanField(
        _("prefilled from the previous cycle"),
        default=False,
        help_text=_("Carried forward and not yet edited."),
    )

    class Meta:
        ordering = ["question__section__order", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission} / {self.question.key}"


class AnswerRevision(AppendOnlyModel):
    """Every value an answer ever had, in order. A restore is a new revision."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        RESTORE = "restore", _("Restored")
        CARRY_FORWARD = "carry_forward", _("Carried forward")
        IMPORT = "import", _("Imported")

    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField(_("revision"))
    value = models.JSONField(_("value"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SAVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["answer", "revision"]
        verbose_name = _("answer revision")
        verbose_name_plural = _("answer revisions")
        constraints = [
            models.UniqueConstraint(fields=["answer", "revision"], name="answer_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.answer} r{self.revision}"


# --- Who belongs where -------------------------------------------------------------------------


class CountryRole(models.TextChoices):
    FOCAL_POINT = "focal_point", _("Focal point")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's role for one country. ESCWA roles are on the user (accounts.StaffRole)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=CountryRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["country__name_en", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "country"], name="one_role_per_country")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.country} ({self.get_role_display()})"

    def clean(self) -> None:
        # The admin's forms call this; in the user's page, `user` is the account as edited.
        try:
            user = self.user
        except ObjectDoesNotExist:
            return  # no user chosen: the form says so
        refuse_escwa_member(user)


def refuse_escwa_member(user) -> None:
    """ESCWA's accounts (reviewers, administrators) never hold a country role: ESCWA reviews the
    countries' answers and never writes them. Refused at invitation, at acceptance and in the
    admin; `permissions.country_roles` ignores any such row that exists anyway."""
    if user.is_escwa:
        raise ValidationError(
            _(
                "%(user)s is an ESCWA account. ESCWA staff review the countries' answers and "
                "cannot be on a country's team; use a ministry account instead."
            )
            % {"user": user.get_username()},
            code="escwa_member",
        )


class Invitation(models.Model):
    """A single-use, expiring invitation to join a country's team.

    Only a hash of the token is stored: the link in the e-mail is the only copy of the secret.
    """

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=16, choices=CountryRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.country} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        """How a link's token is stored and looked up: its SHA-256, never the token itself."""
        return hashlib.sha256(token.encode()).hexdigest()


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    # The stored name never comes from the user: no path tricks, no clashes, no guessing.
    import uuid

    return f"attachments/{instance.submission_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A supporting document of a submission (PDF, DOCX, XLSX, ODT), checked by content."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        ODT = "odt", "OpenDocument text (ODT)"

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


# Comments written by ESCWA's accounts (reviewers, admins), as a filter.
ESCWA_AUTHORED = escwa_accounts("author__")
COMMENT_MAX_LENGTH = 5000  # characters of one comment's plain text


class Comment(models.Model):
    """A remark on one question of a submission, between ESCWA and the country.

    A comment without `parent` opens a thread; the thread is open until someone marks it
    resolved. Replies (`parent` set) belong to that thread and are never open or resolved on
    their own. `notified_at` is when the other side was e-mailed about it: comments travel in one
    message with the next review decision or submission (or when their author sends them), not
    one e-mail each.
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="comments")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    notified_at = models.DateTimeField(_("sent by e-mail at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["submission", "question"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False),
                name="comment_resolution_consistent",
            ),
            # A thread is resolved as a whole: its replies carry no state of their own.
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(resolved_at__isnull=True),
                name="comment_reply_not_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} / {self.question.key}: {self.body[:40]}"

    @property
    def is_open(self) -> bool:
        """Whether the thread this comment opens still waits for an answer (replies: never)."""
        return self.parent_id is None and self.resolved_at is None


class DeadlineExtension(models.Model):
    """A later deadline granted to one country in one cycle."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="extensions")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    deadline = models.DateField(_("extended deadline"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        ordering = ["cycle", "country__name_en"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "country"], name="one_extension_per_country_and_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} — {self.cycle}: {self.deadline}"


class ReminderSent(models.Model):
    """One deadline reminder claimed for (and, unless its send failed, e-mailed to) one person,
    about one country's deadline in one cycle, on one day.

    The unique constraint is what sends each reminder once, however many servers run
    `send_deadline_reminders` at the same moment: a run inserts the row before it sends, and a
    run whose insert fails knows another one has it (questionnaire/reminders.py). Not shown in the
    admin: operators read the command's output."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="+")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "country", "person", "day"], name="one_reminder_per_person_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.cycle_id}/{self.country_id} → {self.person_id}"
