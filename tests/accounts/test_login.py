"""Logging in and out, changing one's password, and the account's place in the navbar."""

import pytest
from django.urls import reverse

from questionnaire.models import CountryRole
from tests import factories
from tests.factories import PASSWORD, login

pytestmark = pytest.mark.django_db


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text


def test_login_with_the_form_lands_on_home(client, focal_point):
    response = client.post(
        reverse("login"), {"username": focal_point.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == focal_point


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("submission_detail", args=[1]),
        reverse("version_preview", args=[1]),
        reverse("password_change"),
        reverse("password_change_done"),
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_logout_refuses_get(client, focal_point):
    login(client, focal_point)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200  # still logged in


def test_logout_by_post_ends_the_session(client, focal_point):
    login(client, focal_point)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, focal_point):
    login(client, focal_point)
    assert client.get(reverse("password_change")).status_code == 200
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    focal_point.refresh_from_db()
    assert focal_point.check_password(new)
    assert client.get(reverse("password_change_done")).status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, focal_point):
    login(client, focal_point)
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    focal_point.refresh_from_db()
    assert focal_point.check_password(PASSWORD)


def test_navbar_shows_the_user_and_a_post_logout(client, reviewer):
    reviewer.first_name, reviewer.last_name = "Rania", "Haddad"
    reviewer.save()
    page = login(client, reviewer).get(reverse("home")).text
    assert "Rania Haddad" in page
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert "Review cycles" in page


def test_navbar_for_a_country_member(client):
    member = factories.MembershipFactory(role=CountryRole.VIEWER).user
    page = login(client, member).get(reverse("home")).text
    assert "My submissions" in page
    assert reverse("admin:index") not in page
