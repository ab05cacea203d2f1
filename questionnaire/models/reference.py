"""Reference data: countries, the 23 GCM objectives, the guiding principles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ._base import TranslatedMixin


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
