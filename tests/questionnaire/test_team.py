"""Teams: single-use, expiring invitations; roles; a country always keeps a focal point."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone

from questionnaire import selectors, services
from questionnaire.models import CountryRole, Invitation, Membership
from tests import factories

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


# --- membership_create: the admin and loaddemo add members through it --------------------------


def test_a_focal_point_or_an_admin_adds_a_member(country, focal_point, admin_user):
    first, second = factories.UserFactory(), factories.UserFactory()
    services.membership_create(
        member=first, country=country, role=CountryRole.VIEWER, user=focal_point
    )
    services.membership_create(
        member=second, country=country, role=CountryRole.CONTRIBUTOR, user=admin_user
    )
    assert {(m.user, m.role) for m in Membership.objects.exclude(user=focal_point)} == {
        (first, CountryRole.VIEWER),
        (second, CountryRole.CONTRIBUTOR),
    }


def test_a_contributor_may_not_add_members(country, contributor):
    newcomer = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        services.membership_create(
            member=newcomer, country=country, role=CountryRole.VIEWER, user=contributor
        )
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_escwa_account_never_joins_a_team(country, reviewer):
    with pytest.raises(ValidationError, match="is an ESCWA account"):
        services.membership_create(member=reviewer, country=country, role=CountryRole.VIEWER)
    assert not Membership.objects.filter(user=reviewer).exists()


def test_one_role_per_person_and_country(country, contributor):
    with pytest.raises(ValidationError, match="already on this team"):
        services.membership_create(
            member=contributor, country=country, role=CountryRole.FOCAL_POINT
        )
    assert Membership.objects.get(user=contributor).role == CountryRole.CONTRIBUTOR


def test_a_member_needs_a_known_role(country):
    with pytest.raises(ValidationError, match="Choose a role"):
        services.membership_create(member=factories.UserFactory(), country=country, role="boss")
