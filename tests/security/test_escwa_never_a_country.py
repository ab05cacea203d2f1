"""ESCWA reviews a country's answers and never writes them (issue 12, finding 1).

The attack: a focal point invites an address that belongs to an ESCWA reviewer; the reviewer opens
the link, joins as focal point, then edits, submits, accepts and publishes the country's answers
alone. Each door is shut on its own: the invitation, the acceptance, the admin, and, whatever
rows exist, the permission module.
"""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from questionnaire import permissions, services
from questionnaire.models import (
    Answer,
    CountryRole,
    Invitation,
    Membership,
    Question,
    SubmissionStatus,
)
from questionnaire.permissions import Action
from tests import factories

pytestmark = pytest.mark.django_db

ACCEPT_URL = "http://testserver/invitations/{token}/"


def staff_with_a_country_role(country, *, role=CountryRole.FOCAL_POINT, factory=None):
    """The state the attack reached: an ESCWA account with a Membership row (made behind the
    services' back, as a row from before this rule would be)."""
    user = (factory or factories.ReviewerFactory)()
    Membership.objects.create(user=user, country=country, role=role)
    return user


@pytest.mark.parametrize("factory", [factories.ReviewerFactory, factories.AdminFactory])
def test_a_country_role_grants_an_escwa_account_nothing(submission, country, factory):
    staff = staff_with_a_country_role(country, factory=factory)
    assert permissions.country_roles(staff) == {}
    for action in (Action.EDIT_ANSWERS, Action.SUBMIT, Action.AGREE_TO_PUBLISH):
        assert not permissions.can(staff, action, submission), action
    assert not permissions.can(staff, Action.START_SUBMISSION, country)
    # What ESCWA does anyway is untouched.
    assert permissions.can(staff, Action.VIEW_SUBMISSION, submission)
    assert permissions.can(staff, Action.REVIEW, submission)


def test_an_escwa_account_with_a_country_role_cannot_answer_or_submit(
    client, complete_submission, country
):
    """The attack through the pages: autosave and submit are refused, nothing changes."""
    staff = staff_with_a_country_role(country)
    client.force_login(staff)
    question = Question.objects.filter(version=complete_submission.cycle.version).first()
    before = dict(Answer.objects.values_list("pk", "revision"))
    response = client.post(
        reverse("answer_autosave", args=[complete_submission.pk, question.key]),
        json.dumps({"value": "<p>Written by ESCWA</p>", "revision": 1}),
        content_type="application/json",
    )
    assert response.status_code == 403
    client.post(reverse("submission_submit", args=[complete_submission.pk]), {"confirm": "yes"})
    complete_submission.refresh_from_db()
    assert complete_submission.status == SubmissionStatus.DRAFT
    assert dict(Answer.objects.values_list("pk", "revision")) == before
    with pytest.raises(PermissionDenied):
        services.submission_transition(
            submission=complete_submission, to_status=SubmissionStatus.SUBMITTED, user=staff
        )


def test_inviting_an_escwa_address_is_refused(country, focal_point, mailoutbox):
    reviewer = factories.ReviewerFactory(email="Reviewer@escwa.example")
    with pytest.raises(ValidationError, match="belongs to an ESCWA account"):
        services.invitation_create(
            country=country,
            email="reviewer@ESCWA.example",
            role=CountryRole.FOCAL_POINT,
            user=focal_point,
            accept_url=ACCEPT_URL,
        )
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    assert not reviewer.memberships.exists()


def test_the_team_page_says_why_an_escwa_address_cannot_be_invited(client, country, focal_point):
    factories.ReviewerFactory(email="reviewer@escwa.example")
    client.force_login(focal_point)
    response = client.post(
        reverse("team_invite", args=[country.iso2]),
        {"email": "reviewer@escwa.example", "role": CountryRole.FOCAL_POINT},
    )
    assert response.status_code == 400
    assert "ESCWA staff review the countries" in response.text
    assert not Invitation.objects.exists()


def test_an_escwa_account_cannot_use_an_invitation(client, country, focal_point):
    """An invitation sent to a ministry address, opened by a logged-in reviewer: refused, and
    the page says why before they try."""
    _invitation, token = services.invitation_create(
        country=country,
        email="colleague@ministry.example",
        role=CountryRole.FOCAL_POINT,
        user=focal_point,
        accept_url=ACCEPT_URL,
    )
    reviewer = factories.ReviewerFactory(email="colleague@ministry.example")
    client.force_login(reviewer)
    path = reverse("invitation_accept", args=[token])
    page = client.get(path)
    assert "an ESCWA account" in page.text
    assert '<form method="post">' not in page.text
    response = client.post(path, {"confirm_other_address": "1"})
    assert response.status_code == 400
    assert "ESCWA staff review the countries" in response.text
    assert not reviewer.memberships.exists()
    with pytest.raises(ValidationError, match="ESCWA account"):
        services.invitation_accept(token=token, user=reviewer)
    assert Invitation.objects.get(pk=_invitation.pk).accepted_at is None


def test_the_admin_refuses_a_country_role_for_an_escwa_account(client, admin_user, country):
    reviewer = factories.ReviewerFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:questionnaire_membership_add"),
        {"user": reviewer.pk, "country": country.pk, "role": CountryRole.FOCAL_POINT},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "ESCWA staff review the countries" in response.text
    assert not Membership.objects.filter(user=reviewer).exists()


def test_the_admin_refuses_to_make_a_country_member_escwa_staff(client, admin_user, focal_point):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[focal_point.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "staff_role": "reviewer",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        }
    )
    data["last_login_0"] = data["last_login_1"] = ""
    data["date_joined_0"], data["date_joined_1"] = "2024-01-01", "00:00:00"
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 200, response.get("Location")
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["__all__"], errors
    assert "is on a country's team" in errors["__all__"][0]
    focal_point.refresh_from_db()
    assert focal_point.staff_role == ""
