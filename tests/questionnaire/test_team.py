"""Teams: single-use, expiring invitations; roles; a country always keeps a focal point."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from questionnaire import selectors, services
from questionnaire.models import CountryRole, Invitation, Membership

pytestmark = pytest.mark.django_db
ACCEPT_URL = "https://portal.example.org/invitations/{token}/"


def invite(country, user, email="colleague@ministry.example", role=CountryRole.CONTRIBUTOR):
    return services.invitation_create(
        country=country, email=email, role=role, user=user, accept_url=ACCEPT_URL
    )


def test_invitation_emails_a_single_use_link(
    country, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(country, focal_point)
    assert mailoutbox[0].to == ["colleague@ministry.example"]
    assert ACCEPT_URL.replace("{token}", token) in mailoutbox[0].body
    assert token not in invitation.token_hash  # only the hash is stored

    user = services.invitation_accept(
        token=token, username="colleague", password="a-long-pass-phrase-2024", full_name="Ana B"
    )
    assert Membership.objects.get(user=user, country=country).role == CountryRole.CONTRIBUTOR
    request = RequestFactory().post("/accounts/login/")  # django-axes needs the request
    assert authenticate(request, username="colleague", password="a-long-pass-phrase-2024") == user
    with pytest.raises(ValidationError, match="already been used"):
        services.invitation_accept(token=token, username="other", password="x" * 20)


def test_an_expired_invitation_is_refused(country, focal_point):
    invitation, token = invite(country, focal_point)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.invitation_accept(token=token, username="late", password="x" * 20)
    assert not Membership.objects.filter(user__username="late").exists()


def test_a_wrong_token_is_refused(country, focal_point):
    invite(country, focal_point)
    with pytest.raises(ValidationError):
        selectors.invitation_get_pending(token="guessed")


def test_a_new_invitation_replaces_the_pending_one(country, focal_point):
    _first, first_token = invite(country, focal_point)
    invite(country, focal_point)
    with pytest.raises(ValidationError):
        selectors.invitation_get_pending(token=first_token)


@pytest.mark.parametrize("role", ["contributor", "viewer", "other_focal_point", "reviewer"])
def test_only_the_focal_point_or_an_admin_invites(request, country, role):
    with pytest.raises(PermissionDenied):
        invite(country, request.getfixturevalue(role))


def test_an_admin_may_invite_for_any_country(other_country, admin_user):
    invitation, _token = invite(other_country, admin_user, role=CountryRole.FOCAL_POINT)
    assert invitation.country == other_country


def test_roles_change_and_members_are_removed(country, focal_point, contributor):
    membership = Membership.objects.get(user=contributor)
    services.membership_set_role(membership=membership, role=CountryRole.VIEWER, user=focal_point)
    assert Membership.objects.get(user=contributor).role == CountryRole.VIEWER
    services.membership_remove(membership=membership, user=focal_point)
    assert not Membership.objects.filter(user=contributor).exists()


def test_the_last_focal_point_stays(country, focal_point):
    membership = Membership.objects.get(user=focal_point)
    with pytest.raises(ValidationError):
        services.membership_remove(membership=membership, user=focal_point)
    with pytest.raises(ValidationError):
        services.membership_set_role(
            membership=membership, role=CountryRole.VIEWER, user=focal_point
        )
    assert Membership.objects.get(user=focal_point).role == CountryRole.FOCAL_POINT
