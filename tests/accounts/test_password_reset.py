"""Password reset by e-mail: a link that works once, nothing said about who has an account, at most
a few e-mails an hour, and every session of the user ended."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-and-long-passphrase"
LINK = re.compile(r"(https?://\S+/accounts/password/reset/\S+/\S+/)")


def ask(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def link_in(mail) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)


def test_the_login_page_links_to_the_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).text


def test_a_known_and_an_unknown_address_get_the_same_answer(client, focal_point, mailoutbox):
    known = ask(client, focal_point.email)
    unknown = ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [focal_point.email]
    assert "If an account uses that address" in client.get(reverse("password_reset_done")).text


def test_the_link_comes_from_site_url_not_from_the_request(
    client, focal_point, mailoutbox, settings
):
    settings.SITE_URL = "https://gcm-review.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    ask(client, focal_point.email, HTTP_HOST="attacker.example")
    assert link_in(mailoutbox[0]).startswith("https://gcm-review.example.org/accounts/")
    assert "attacker.example" not in mailoutbox[0].body
    assert focal_point.username in mailoutbox[0].body
    assert "GCM Review Portal" in mailoutbox[0].subject


def test_the_link_sets_a_new_password_once(client, focal_point, mailoutbox):
    ask(client, focal_point.email)
    path = link_in(mailoutbox[0])
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.text
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == reverse("password_reset_complete")
    focal_point.refresh_from_db()
    assert focal_point.check_password(NEW)
    assert not focal_point.check_password(PASSWORD)

    again = client.get(path, follow=True)
    assert "This link no longer works" in again.text


def test_the_new_password_must_pass_the_validators(client, focal_point, mailoutbox):
    ask(client, focal_point.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.text
    focal_point.refresh_from_db()
    assert focal_point.check_password(PASSWORD)


def test_a_reset_ends_every_session_of_the_user(client, focal_point, mailoutbox):
    elsewhere = Client()
    elsewhere.force_login(focal_point)
    assert elsewhere.get(reverse("home")).status_code == 200

    ask(client, focal_point.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert elsewhere.get(reverse("home")).status_code == 302
    assert SESSION_KEY not in elsewhere.session


def test_a_reset_lifts_a_lockout(client, focal_point, mailoutbox):
    for _ in range(5):
        client.post(reverse("login"), {"username": focal_point.username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=focal_point.username).exists()

    ask(client, focal_point.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    response = client.post(reverse("login"), {"username": focal_point.username, "password": NEW})
    assert response.status_code == 302


def test_at_most_five_emails_an_hour(client, focal_point, mailoutbox):
    answers = {ask(client, focal_point.email)["Location"] for _ in range(7)}
    assert answers == {reverse("password_reset_done")}  # the throttle does not show
    assert len(mailoutbox) == 5


def test_one_client_cannot_send_more_than_five_an_hour(client, mailoutbox):
    from tests import factories

    users = [factories.UserFactory() for _ in range(7)]
    for user in users:
        ask(client, user.email)
    assert len(mailoutbox) == 5


@pytest.mark.real_two_factor
def test_a_reset_does_not_skip_the_second_step_for_staff(client, reviewer, mailoutbox):
    from tests import factories

    factories.authenticator(reviewer)
    ask(client, reviewer.email)
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    client.post(reverse("login"), {"username": reviewer.username, "password": NEW})
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
