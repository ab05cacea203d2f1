"""Repeated failed logins lock a username out from one address (django-axes)."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def attempt(client, username, password="not-the-password", ip=ATTACKER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_username_out_from_that_address(client, focal_point):
    for _ in range(4):
        response = attempt(client, focal_point.username)
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter a correct username and password" in response.text

    fifth = attempt(client, focal_point.username)
    assert fifth.status_code == 429
    assert "Logging in is blocked for now" in fifth.text
    assert "blocked for 30 minutes" in fifth.text
    assert "You can try again after" in fifth.text
    assert reverse("password_reset") in fifth.text

    # Even the right password is refused while the lockout lasts.
    assert attempt(client, focal_point.username, PASSWORD).status_code == 429
    assert not logged_in(client)


def test_the_lockout_page_says_when_to_try_again(client, focal_point):
    for _ in range(5):
        response = attempt(client, focal_point.username)
    retry_at = response.context["retry_at"]
    expected = timezone.now() + datetime.timedelta(minutes=30)
    assert abs((retry_at - expected).total_seconds()) < 60
    assert timezone.localtime(retry_at).strftime("%H:%M") in response.text


def test_the_lockout_holds_one_username_from_one_address_only(client, focal_point, contributor):
    for _ in range(5):
        attempt(client, focal_point.username)
    # The same person from another address, and another user from the same address, log in.
    assert attempt(client, focal_point.username, PASSWORD, ip=ELSEWHERE).status_code == 302
    client.logout()
    assert attempt(client, contributor.username, PASSWORD).status_code == 302


def test_a_successful_login_starts_the_count_again(client, focal_point):
    for _ in range(4):
        attempt(client, focal_point.username)
    assert attempt(client, focal_point.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, focal_point.username).status_code == 200


def test_the_lockout_ends_after_thirty_minutes(client, focal_point):
    for _ in range(5):
        attempt(client, focal_point.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert attempt(client, focal_point.username, PASSWORD).status_code == 302


def test_an_administrator_unlocks_in_the_admin(client, focal_point, admin_user):
    for _ in range(5):
        attempt(client, focal_point.username)
    locked = AccessAttempt.objects.get(username=focal_point.username)

    client.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert focal_point.username in client.get(changelist).text
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [locked.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()

    assert attempt(client, focal_point.username, PASSWORD).status_code == 302


def test_the_admin_login_is_watched_too(client, admin_user):
    for _ in range(5):
        response = client.post(
            reverse("admin:login"),
            {"username": admin_user.username, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
        )
    assert response.status_code == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, focal_point, settings):
    settings.BEHIND_PROXY = True
    for n in range(5):
        # Whatever the client puts first, the proxy appends the address it saw last.
        client.post(
            reverse("login"),
            {"username": focal_point.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    response = client.post(
        reverse("login"),
        {"username": focal_point.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )
    assert response.status_code == 429
