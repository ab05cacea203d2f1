"""Review cycles, a country's deadline extension, and the reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ._base import ImmutableError, TranslatedMixin
from .reference import Country
from .versions import QuestionnaireVersion


class ReviewCycle(TranslatedMixin, models.Model):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    # Printed on pages, PDFs and e-mails in the reader's language: `i18n.tr(cycle, "name")`.
    name = models.CharField(_("name"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
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


class DeadlineExtension(models.Model):
    """A later deadline granted to one country in one cycle."""

    cycle = models.ForeignKey(
        ReviewCycle,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("review cycle"),
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="+", verbose_name=_("country")
    )
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

    cycle = models.ForeignKey(
        ReviewCycle, on_delete=models.CASCADE, related_name="+", verbose_name=_("review cycle")
    )
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="+", verbose_name=_("country")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
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
