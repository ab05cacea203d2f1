"""A country's team: invitations and memberships. A country always keeps a focal point; ESCWA
accounts never join."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import usernames
from accounts.models import escwa_accounts

from .. import notifications, permissions
from ..models import (
    Country,
    CountryRole,
    Invitation,
    Membership,
    refuse_escwa_member,
)
from ..permissions import Action
from ..selectors import invitation_for_another_address, invitation_get_pending
from ._common import _plain_text

INVITATION_LIFETIME = datetime.timedelta(days=7)


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
        token_hash=Invitation.hash_token(token),
        invited_by=user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = accept_url.replace("{token}", token)
    transaction.on_commit(lambda: notifications.invitation_sent(invitation=invitation, link=link))
    return invitation, token


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
        # The invitation is the permission: created as the system would.
        membership_create(member=user, country=invitation.country, role=invitation.role)
    elif rank[invitation.role] > rank[membership.role]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    transaction.on_commit(lambda: notifications.invitation_accepted(invitation=invitation))
    return user


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


@transaction.atomic
def membership_create(*, member, country: Country, role: str, user=None) -> Membership:
    """Put `member` on `country`'s team with `role`: one role per person and country, and never an
    ESCWA account (`refuse_escwa_member`). Those who manage the country's team may; `user=None`
    is the system (an import, the demo)."""
    if user is not None:
        permissions.require(user, Action.MANAGE_TEAM, country)
    if role not in CountryRole.values:
        raise ValidationError(_("Choose a role."))
    refuse_escwa_member(member)
    if Membership.objects.filter(user=member, country=country).exists():
        raise ValidationError(
            _("%(user)s is already on this team.") % {"user": member.get_username()}
        )
    return Membership.objects.create(user=member, country=country, role=role)


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, user=None) -> Membership:
    """Change someone's role on a country's team; a country always keeps a focal point.
    `user=None` is the system (the demo gives its users their documented roles back)."""
    if user is not None:
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
