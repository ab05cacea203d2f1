"""A country's team: who is on it, pending invitations, and what an invitation link stands for."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext

from .. import permissions
from ..models import (
    Country,
    CountryRole,
    Invitation,
    Membership,
)
from ..permissions import Action


def countries_for_team_management(*, user) -> list[Country]:
    """Every country whose team the user may manage (all of them for admins), by name, each with
    `member_count`, `focal_point_count` and `pending_count`. One query."""
    now = timezone.now()
    countries = Country.objects.annotate(
        member_count=Count("memberships", distinct=True),
        focal_point_count=Count(
            "memberships",
            filter=Q(memberships__role=CountryRole.FOCAL_POINT),
            distinct=True,
        ),
        pending_count=Count(
            "invitations",
            filter=Q(
                invitations__accepted_at__isnull=True,
                invitations__revoked_at__isnull=True,
                invitations__expires_at__gt=now,
            ),
            distinct=True,
        ),
    )
    if not permissions.is_admin(user):
        countries = countries.filter(pk__in=list(permissions.country_roles(user)))
    return sorted(
        (c for c in countries if permissions.can(user, Action.MANAGE_TEAM, c)),
        key=lambda c: c.name,
    )


@dataclass
class Team:
    country: Country
    members: list[Membership]
    invitations: list[Invitation]

    @property
    def sole_focal_point(self) -> int | None:
        """The membership of the team's only focal point, which can be neither removed nor
        given another role (a country keeps at least one: services.teams._keep_a_focal_point)."""
        focal = [m.pk for m in self.members if m.role == CountryRole.FOCAL_POINT]
        return focal[0] if len(focal) == 1 else None


def country_team(*, country: Country) -> Team:
    """The country's members (focal points first, then by name) and its pending invitations
    (newest first). Two queries."""
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(CountryRole.values)),
        default=Value(len(CountryRole.values)),
    )
    members = list(
        Membership.objects.filter(country=country)
        .select_related("user")
        .order_by(role_order, "user__first_name", "user__last_name", "user__username")
    )
    invitations = list(
        Invitation.objects.filter(
            country=country,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
    return Team(country=country, members=members, invitations=invitations)


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation a link stands for in whatever state (used, expired, revoked), or None for a
    made-up link. Tells a dead link from a wrong one; whether it may still be used is
    `invitation_get_pending`'s decision."""
    return Invitation.objects.filter(token_hash=Invitation.hash_token(token)).first()


def invitation_get_pending(*, token: str) -> Invitation:
    """The invitation a link stands for, if it can still be used; ValidationError otherwise."""
    invitation = (
        Invitation.objects.select_related("country")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ValidationError(gettext("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise ValidationError(gettext("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(gettext("This invitation has expired; ask for a new one."))
    return invitation


def invitation_for_another_address(*, invitation: Invitation, user) -> bool:
    """Whether a signed-in `user` following the link is not the address it was sent to (a
    forwarded e-mail, a shared computer): they join only after confirming, and the inviter is
    told who joined."""
    return (user.email or "").strip().casefold() != invitation.email.strip().casefold()
