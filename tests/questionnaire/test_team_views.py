"""The team pages and the invitation link: who reaches what, and the whole invite → join flow."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from questionnaire import services
from questionnaire.models import CountryRole, Invitation, Membership
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-2024"
LINK = re.compile(r"http://testserver/invitations/([A-Za-z0-9_-]{20,})/")
ACCEPT_URL = "http://testserver/invitations/{token}/"

# Who may manage Morocco's team: its focal point and admins. Members who may not get 403;
# people who do not belong to Morocco get 404 and learn nothing about it.
MATRIX = [
    ("focal_point", "ok"),
    ("admin_user", "ok"),
    ("contributor", 403),
    ("viewer", 403),
    ("other_focal_point", 404),
    ("reviewer", 404),
]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def invite(country, user, email="colleague@ministry.example", role=CountryRole.CONTRIBUTOR):
    return services.invitation_create(
        country=country, email=email, role=role, user=user, accept_url=ACCEPT_URL
    )


@pytest.fixture
def invitation(country, focal_point):
    return invite(country, focal_point)  # (invitation, token)


# --- Who reaches what --------------------------------------------------------------------------


def team_url(country):
    return reverse("country_team", args=[country.iso2])


@pytest.mark.parametrize(("user_fixture", "expected"), MATRIX)
def test_who_may_open_the_team_page(client, request, country, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(team_url(country))
    assert response.status_code == (200 if expected == "ok" else expected)
    if expected == 404:
        assert "Morocco" not in response.text


def test_the_team_page_needs_a_login(client, country):
    response = client.get(team_url(country))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_country_is_404_even_for_admins(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("country_team", args=["ZZ"])).status_code == 404


def test_the_team_page_lists_members_and_pending_invitations(
    client, country, focal_point, contributor, invitation
):
    focal_point.first_name, focal_point.last_name = "Salma", "Benali"
    focal_point.save()
    # An expired and a used invitation are not pending.
    expired, _t = invite(country, focal_point, email="late@ministry.example")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    client.force_login(focal_point)
    text = client.get(team_url(country)).text
    assert "Salma Benali" in text
    assert focal_point.email in text
    assert contributor.email in text
    assert 'value="contributor" selected' in text  # the contributor's current role
    assert "colleague@ministry.example" in text
    assert "late@ministry.example" not in text
    assert reverse("team_invitation_revoke", args=["MA", invitation[0].pk]) in text


def post_url(name, country, obj=None):
    return reverse(name, args=[country.iso2] + ([obj.pk] if obj is not None else []))


@pytest.mark.parametrize(("user_fixture", "expected"), MATRIX)
def test_who_may_invite(client, request, country, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(
        post_url("team_invite", country), {"email": "new@ministry.example", "role": "viewer"}
    )
    assert response.status_code == (302 if expected == "ok" else expected)
    assert Invitation.objects.filter(email="new@ministry.example").exists() == (expected == "ok")


@pytest.mark.parametrize(("user_fixture", "expected"), MATRIX)
def test_who_may_change_a_role(client, request, country, contributor, user_fixture, expected):
    membership = Membership.objects.get(user=contributor)
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(post_url("team_member_role", country, membership), {"role": "viewer"})
    assert response.status_code == (302 if expected == "ok" else expected)
    membership.refresh_from_db()
    assert membership.role == (CountryRole.VIEWER if expected == "ok" else CountryRole.CONTRIBUTOR)


@pytest.mark.parametrize(("user_fixture", "expected"), MATRIX)
def test_who_may_remove_a_member(client, request, country, contributor, user_fixture, expected):
    membership = Membership.objects.get(user=contributor)
    client.force_login(request.getfixturevalue(user_fixture))
    url = post_url("team_member_remove", country, membership)
    assert client.get(url).status_code == (200 if expected == "ok" else expected)
    response = client.post(url)
    assert response.status_code == (302 if expected == "ok" else expected)
    assert Membership.objects.filter(pk=membership.pk).exists() == (expected != "ok")


@pytest.mark.parametrize(("user_fixture", "expected"), MATRIX)
def test_who_may_revoke_an_invitation(client, request, country, invitation, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(post_url("team_invitation_revoke", country, invitation[0]))
    assert response.status_code == (302 if expected == "ok" else expected)
    invitation[0].refresh_from_db()
    assert (invitation[0].revoked_at is not None) == (expected == "ok")


@pytest.mark.parametrize(
    "name", ["team_invite", "team_member_role", "team_member_remove", "team_invitation_revoke"]
)
def test_team_changes_need_a_login(client, country, focal_point, invitation, name):
    obj = {
        "team_invite": None,
        "team_member_role": Membership.objects.get(user=focal_point),
        "team_member_remove": Membership.objects.get(user=focal_point),
        "team_invitation_revoke": invitation[0],
    }[name]
    response = client.post(post_url(name, country, obj), {"email": "x@y.example", "role": "viewer"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Membership.objects.filter(user=focal_point, role=CountryRole.FOCAL_POINT).exists()
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_member_of_another_country_cannot_be_reached_through_this_one(
    client, country, focal_point, other_focal_point
):
    theirs = Membership.objects.get(user=other_focal_point)
    client.force_login(focal_point)
    response = client.post(post_url("team_member_role", country, theirs), {"role": "viewer"})
    assert response.status_code == 404
    response = client.post(post_url("team_member_remove", country, theirs))
    assert response.status_code == 404
    assert Membership.objects.get(pk=theirs.pk).role == CountryRole.FOCAL_POINT


# --- The list of teams and the link to them ----------------------------------------------------


def test_admins_get_every_country_linking_to_its_team(client, admin_user, country, other_country):
    client.force_login(admin_user)
    response = client.get(reverse("country_list"))
    assert response.status_code == 200
    assert reverse("country_team", args=["MA"]) in response.text
    assert reverse("country_team", args=["JO"]) in response.text
    assert response.text.count("None yet") == 2  # neither country has a focal point


def test_a_focal_point_goes_straight_to_their_team(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("country_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("country_team", args=["MA"])


@pytest.mark.parametrize("user_fixture", ["contributor", "viewer", "reviewer"])
def test_others_have_no_list_of_teams(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("country_list")).status_code == 403


@pytest.mark.parametrize(
    ("user_fixture", "label"),
    [
        ("focal_point", ">\n              Team\n"),
        ("admin_user", ">\n              Teams\n"),
        ("contributor", None),
        ("viewer", None),
        ("reviewer", None),
    ],
)
def test_the_navbar_links_to_the_team_for_those_who_manage_one(
    client, request, user_fixture, label
):
    client.force_login(request.getfixturevalue(user_fixture))
    text = client.get(reverse("home")).text
    assert (f'href="{reverse("country_list")}"' in text) == (label is not None)
    if label:
        assert label in text


# --- Inviting, changing roles, removing --------------------------------------------------------


def test_invite_join_and_log_in(
    client, settings, country, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    """The whole flow: the focal point invites, the e-mail carries the link, the colleague
    creates an account with it, is logged in, can log in again, and the link is then dead."""
    settings.SITE_URL = "http://testserver"
    client.force_login(focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            post_url("team_invite", country),
            {"email": "Colleague@Ministry.example", "role": "contributor"},
        )
    assert response.status_code == 302
    assert "An invitation to join as Contributor was sent" in messages_of(response)[0]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Colleague@ministry.example"]
    match = LINK.search(mailoutbox[0].body)
    assert match, mailoutbox[0].body  # the braces of {token} did not survive as %7B...%7D
    path = reverse("invitation_accept", args=[match.group(1)])

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Morocco" in page.text and "Contributor" in page.text
    assert focal_point.username in page.text  # who invited (no full name: the user name)
    assert 'name="password2"' in page.text

    response = client.post(
        path,
        {
            "username": "amina",
            "full_name": "Amina El Fassi",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "You are now on Morocco's team as Contributor" in messages_of(response)[0]
    amina = User.objects.get(username="amina")
    assert (amina.first_name, amina.last_name, amina.email) == (
        "Amina",
        "El Fassi",
        "Colleague@ministry.example",
    )
    assert Membership.objects.get(user=amina).role == CountryRole.CONTRIBUTOR
    assert client.get(reverse("home")).wsgi_request.user == amina  # logged in

    client.logout()
    # The login form, as people use it (django-axes, watching logins, needs their request).
    login = client.post(reverse("login"), {"username": "amina", "password": PASSWORD})
    assert login.status_code == 302 and login["Location"] == reverse("home")
    client.logout()
    again = client.post(
        path,
        {"username": "amina2", "full_name": "X", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert again.status_code == 410
    assert "already been used" in again.text
    assert not User.objects.filter(username="amina2").exists()
    assert client.get(path).status_code == 410


def test_a_logged_in_user_joins_with_one_button(client, country, focal_point, other_focal_point):
    _invitation, token = invite(country, focal_point, email=other_focal_point.email)
    client.force_login(other_focal_point)
    path = reverse("invitation_accept", args=[token])
    page = client.get(path)
    assert "Join Morocco as Contributor" in page.text
    assert 'name="password1"' not in page.text
    assert 'name="confirm_other_address"' not in page.text
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(user=other_focal_point, country=country).role == "contributor"
    assert client.post(path).status_code == 410


def test_a_link_opened_by_another_account_asks_first_and_tells_the_inviter(
    client,
    country,
    focal_point,
    other_focal_point,
    invitation,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """A forwarded link opened while logged in as someone else no longer joins that account
    silently: the page shows the invited address and asks; the inviter hears who joined."""
    _invitation, token = invitation  # sent to colleague@ministry.example
    client.force_login(other_focal_point)
    path = reverse("invitation_accept", args=[token])
    page = client.get(path)
    assert "colleague@ministry.example" in page.text
    assert 'name="confirm_other_address"' in page.text

    refused = client.post(path)
    assert refused.status_code == 400
    assert "This invitation was sent to colleague@ministry.example" in refused.text
    assert not Membership.objects.filter(user=other_focal_point, country=country).exists()
    assert Invitation.objects.get(pk=_invitation.pk).accepted_at is None

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path, {"confirm_other_address": "1"}).status_code == 302
    assert Membership.objects.get(user=other_focal_point, country=country).role == "contributor"
    [mail] = mailoutbox
    assert mail.to == [focal_point.email]
    assert other_focal_point.username in mail.body
    assert "colleague@ministry.example" in mail.body
    assert "the account that joined is not colleague@ministry.example" in mail.body


def test_the_inviter_hears_who_joined_by_the_invited_address(
    client, invitation, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    _invitation, token = invitation
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitation_accept", args=[token]),
            {
                "username": "amina",
                "full_name": "Amina Elfassi",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    [mail] = mailoutbox
    assert mail.to == [focal_point.email]
    assert "Amina Elfassi (user name amina) joined Morocco's team as Contributor" in mail.body
    assert "Please check" not in mail.body


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"password2": "another-long-pass-2024"}, "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "amina-elfassi", "password2": "amina-elfassi"}, "too similar"),
        ({"username": "taken"}, "That user name is taken"),
        ({"username": "no spaces please"}, "Enter a valid username."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_a_bad_account_form_changes_nothing(client, invitation, fields, error):
    factories.UserFactory(username="Taken")
    _invitation, token = invitation
    data = {
        "username": "amina-elfassi",
        "full_name": "Amina El Fassi",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    response = client.post(reverse("invitation_accept", args=[token]), data)
    assert response.status_code == 400
    assert error in response.text
    assert not User.objects.filter(username=data["username"]).exists()
    assert Invitation.objects.get(pk=_invitation.pk).accepted_at is None


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(client, invitation):
    _invitation, token = invitation
    Invitation.objects.filter(pk=_invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    path = reverse("invitation_accept", args=[token])
    page = client.get(path)
    assert page.status_code == 410
    assert "This invitation has expired; ask for a new one." in page.text
    assert "Morocco" not in page.text
    response = client.post(
        path,
        {"username": "late", "full_name": "L", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 410
    assert not User.objects.filter(username="late").exists()


def test_a_made_up_link_is_404(client, invitation):
    response = client.get(reverse("invitation_accept", args=["made-up-token"]))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.text


def test_a_revoked_link_is_gone(client, country, focal_point, invitation):
    _invitation, token = invitation
    client.force_login(focal_point)
    response = client.post(post_url("team_invitation_revoke", country, _invitation))
    assert "no longer works" in messages_of(response)[0]
    client.logout()
    assert client.get(reverse("invitation_accept", args=[token])).status_code == 410


def test_a_used_invitation_cannot_be_revoked(client, country, focal_point, invitation):
    _invitation, token = invitation
    services.invitation_accept(token=token, username="amina", password=PASSWORD, full_name="A")
    client.force_login(focal_point)
    response = client.post(post_url("team_invitation_revoke", country, _invitation))
    assert messages_of(response) == ["This invitation has already been used."]
    assert Invitation.objects.get(pk=_invitation.pk).revoked_at is None


def test_a_bad_e_mail_sends_nothing(client, country, focal_point, mailoutbox):
    client.force_login(focal_point)
    response = client.post(post_url("team_invite", country), {"email": "nope", "role": "viewer"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.text
    assert not Invitation.objects.exists() and not mailoutbox


def test_inviting_a_member_again_is_refused_with_a_message(
    client, country, focal_point, contributor, mailoutbox
):
    client.force_login(focal_point)
    response = client.post(
        post_url("team_invite", country), {"email": contributor.email.upper(), "role": "viewer"}
    )
    assert response.status_code == 400
    assert "is already on this team." in response.text
    assert not Invitation.objects.exists() and not mailoutbox


def test_a_role_change_says_what_happened(client, country, focal_point, contributor):
    contributor.first_name, contributor.last_name = "Karim", "Tazi"
    contributor.save()
    client.force_login(focal_point)
    membership = Membership.objects.get(user=contributor)
    response = client.post(post_url("team_member_role", country, membership), {"role": "viewer"})
    assert response["Location"] == team_url(country)
    assert messages_of(response) == ["Karim Tazi is now Viewer."]


def test_an_unknown_role_changes_nothing(client, country, focal_point, contributor):
    client.force_login(focal_point)
    membership = Membership.objects.get(user=contributor)
    response = client.post(post_url("team_member_role", country, membership), {"role": "owner"})
    assert messages_of(response) == ["Choose a role."]
    assert Membership.objects.get(pk=membership.pk).role == CountryRole.CONTRIBUTOR


def test_the_last_focal_point_cannot_step_down_or_be_removed(client, country, focal_point):
    client.force_login(focal_point)
    membership = Membership.objects.get(user=focal_point)
    response = client.post(post_url("team_member_role", country, membership), {"role": "viewer"})
    assert response["Location"] == team_url(country)
    assert messages_of(response) == [
        f"{focal_point.username}'s role was not changed: A country needs at least one focal point."
    ]
    response = client.post(post_url("team_member_remove", country, membership))
    assert messages_of(response)[-1] == (
        f"{focal_point.username} was not removed: A country needs at least one focal point."
    )
    assert Membership.objects.get(pk=membership.pk).role == CountryRole.FOCAL_POINT
    # The refusal is visible on the page the user is sent back to.
    assert "A country needs at least one focal point." in client.get(team_url(country)).text


def test_removal_asks_first(client, country, focal_point, contributor):
    client.force_login(focal_point)
    membership = Membership.objects.get(user=contributor)
    url = post_url("team_member_remove", country, membership)
    page = client.get(url)
    assert f"Remove <bdi>{contributor.username}</bdi> from Morocco's team?" in page.text
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(url)
    assert response["Location"] == team_url(country)
    assert messages_of(response) == [f"{contributor.username} is no longer on Morocco's team."]
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_focal_point_who_steps_down_goes_home(client, country, focal_point):
    second = factories.MembershipFactory(country=country, role=CountryRole.FOCAL_POINT)
    client.force_login(focal_point)
    membership = Membership.objects.get(user=focal_point)
    response = client.post(
        post_url("team_member_role", country, membership), {"role": "contributor"}
    )
    assert response["Location"] == reverse("home")
    assert Membership.objects.get(pk=second.pk).role == CountryRole.FOCAL_POINT
    assert client.get(team_url(country)).status_code == 403


def test_accepting_a_lesser_role_keeps_the_last_focal_point(client, country, focal_point):
    admin = factories.AdminFactory()
    _invitation, token = invite(country, admin, email="someone@ministry.example", role="viewer")
    client.force_login(focal_point)
    client.post(reverse("invitation_accept", args=[token]))
    assert Membership.objects.get(user=focal_point).role == CountryRole.FOCAL_POINT


def test_a_new_account_keeps_the_language_the_invitation_was_read_in(client, invitation):
    """Read in Arabic, joined in Arabic: the portal goes on in Arabic, not the default English."""
    _invitation, token = invitation
    client.cookies["django_language"] = "ar"
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"username": "amina", "full_name": "Amina", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="amina").language == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get(reverse("home")).text


def test_the_only_focal_point_is_offered_no_change_the_service_would_refuse(
    client, country, focal_point, contributor
):
    client.force_login(focal_point)
    page = client.get(reverse("country_team", args=[country.iso2])).text
    own = Membership.objects.get(user=focal_point)
    other = Membership.objects.get(user=contributor)
    assert reverse("team_member_remove", args=[country.iso2, own.pk]) not in page
    assert reverse("team_member_role", args=[country.iso2, own.pk]) not in page
    assert "The team's only focal point" in page
    assert reverse("team_member_remove", args=[country.iso2, other.pk]) in page
    assert reverse("team_member_role", args=[country.iso2, other.pk]) in page


def test_the_invitation_link_is_built_from_site_url_never_the_host_header(
    client, settings, country, focal_point, mailoutbox, django_capture_on_commit_callbacks
):
    """A request with a forged Host (the attacker's site) must not put the token in a link to
    that site."""
    settings.SITE_URL = "https://gcm-review.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    client.force_login(focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            post_url("team_invite", country),
            {"email": "colleague@ministry.example", "role": "contributor"},
            HTTP_HOST="attacker.example",
        )
    [mail] = mailoutbox
    assert "https://gcm-review.example.org/invitations/" in mail.body
    assert "attacker.example" not in mail.body


# --- User names that cannot log in or pass for someone else (issue 12, finding 7) -----------


def join(client, token, username):
    return client.post(
        reverse("invitation_accept", args=[token]),
        {
            "username": username,
            "full_name": "Someone New",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_a_full_width_user_name_is_stored_as_typed_at_login(client, invitation):
    """`ｊｏｒｄａｎ` used to be stored as such; Django's login form normalises what is typed
    (NFKC), so that account could never log in."""
    _invitation, token = invitation
    assert join(client, token, "ｊｏｒｄａｎ２").status_code == 302
    assert User.objects.filter(username="jordan2").exists()
    client.logout()
    response = client.post(reverse("login"), {"username": "ｊｏｒｄａｎ２", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("jordan", "ｊｏｒｄａｎ"),  # full-width
        ("jordan", "JORDAN"),
        ("jordan", "\u0458ordan"),  # a Cyrillic ј among Latin letters
        ("cop", "\u0441\u043e\u0440"),  # сор: all Cyrillic, looks exactly like "cop"
    ],
)
def test_a_user_name_that_looks_like_a_colleagues_is_refused(client, invitation, existing, typed):
    factories.UserFactory(username=existing)
    _invitation, token = invitation
    response = join(client, token, typed)
    assert response.status_code == 400
    assert User.objects.count() == 2  # the focal point who invited, and `existing`
    assert Invitation.objects.get(pk=_invitation.pk).accepted_at is None


def test_arabic_user_names_are_welcome(client, invitation):
    _invitation, token = invitation
    assert join(client, token, "أمينة").status_code == 302
    assert User.objects.filter(username="أمينة").exists()
