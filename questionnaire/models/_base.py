"""What the models share: the immutability error, translated fields, append-only history rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import i18n


class ImmutableError(ValidationError):
    """Raised when code tries to change something that must never change after the fact."""


class TranslatedMixin:
    """Models whose texts have Arabic and French twins (`title_ar`, `title_fr`); see i18n."""

    def localized(self, field: str, language: str | None = None) -> str:
        """`field` in the active language (or `language`), English when it is not translated."""
        return i18n.tr(self, field, language)


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
