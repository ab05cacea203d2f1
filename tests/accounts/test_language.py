"""Each person's language is remembered on their account and follows them from browser to
browser; before login the browser's cookie (or its languages) decide."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tests import factories
from tests.factories import login

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture
def person(db):
    return factories.UserFactory(username="rania", language="ar")


def html_tag(response) -> str:
    return response.content.decode().split("<head>")[0]


def log_in(client, username: str):
    return client.post(
        reverse("login"), {"username": username, "password": factories.PASSWORD}, follow=True
    )


def test_switching_language_while_logged_in_is_saved_on_the_account(client, person):
    client.force_login(person)
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("home")})

    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "fr"
    person.refresh_from_db()
    assert person.language == "fr"
    assert '<html lang="fr" dir="ltr">' in html_tag(client.get(reverse("home")))


def test_a_language_the_portal_does_not_offer_is_not_saved(client, person):
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "de", "next": reverse("home")})
    person.refresh_from_db()
    assert person.language == "ar"


def test_switching_language_before_logging_in_only_sets_the_cookie(client, person):
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})

    assert response.cookies[COOKIE].value == "fr"
    assert '<html lang="fr" dir="ltr">' in html_tag(client.get(reverse("login")))
    person.refresh_from_db()
    assert person.language == "ar"


def test_the_language_switch_takes_posts_only(client):
    assert client.get(reverse("set_language")).status_code == 405


def test_logging_in_brings_back_the_saved_language(client, person):
    """Another browser, or one someone else used in English: the account's language wins."""
    client.cookies[COOKIE] = "en"

    response = log_in(client, "rania")

    assert response.redirect_chain[-1][0] == reverse("home")
    assert '<html lang="ar" dir="rtl">' in html_tag(response)
    assert client.cookies[COOKIE].value == "ar"


def test_a_new_browser_gets_the_saved_language_without_a_cookie(client, person):
    client.force_login(person)
    response = client.get(reverse("home"))
    assert '<html lang="ar" dir="rtl">' in html_tag(response)
    assert response.cookies[COOKIE].value == "ar"
    # The cookie now agrees: it is not set again on every page.
    assert COOKIE not in client.get(reverse("home")).cookies


def test_the_login_page_after_logging_out_keeps_the_persons_language(client, person):
    log_in(client, "rania")
    client.post(reverse("logout"))
    assert '<html lang="ar" dir="rtl">' in html_tag(client.get(reverse("login")))


def test_the_saved_language_is_the_persons_own(client, person):
    other = factories.UserFactory(username="youssef", language="fr")
    log_in(client, "rania")
    client.post(reverse("logout"))
    response = log_in(client, "youssef")
    assert '<html lang="fr" dir="ltr">' in html_tag(response)
    assert User.objects.get(pk=person.pk).language == "ar"
    assert User.objects.get(pk=other.pk).language == "fr"


def test_switching_to_arabic_turns_the_page_right_to_left(client, focal_point):
    login(client, focal_point)
    response = client.post(reverse("set_language"), {"language": "ar", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home")).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    assert 'value="ar" lang="ar"' in page


def test_english_is_left_to_right(client, focal_point):
    page = login(client, focal_point).get(reverse("home")).text
    assert '<html lang="en" dir="ltr">' in page
    assert "bootstrap.rtl.min.css" not in page
