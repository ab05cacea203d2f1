"""A country's team: memberships and invitations."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Country


class CountryRole(models.TextChoices):
    FOCAL_POINT = "focal_point", _("Focal point")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's role for one country. ESCWA roles are on the user (accounts.StaffRole)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
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

    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("country")
    )
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
