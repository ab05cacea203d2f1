from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """Roles held at ESCWA, across all countries. Country roles live in Membership."""

    NONE = "", _("None")
    REVIEWER = "reviewer", _("ESCWA reviewer")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    staff_role = models.CharField(
        _("staff role"), max_length=16, choices=StaffRole.choices, blank=True, default=""
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_escwa(self) -> bool:
        """Whether the account belongs to ESCWA (a reviewer or an administrator), active or not.

        ESCWA reviews the countries' answers and never writes them, so such an account never
        holds a country role (questionnaire.models.Membership.clean)."""
        return bool(self.staff_role or self.is_superuser)

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username
