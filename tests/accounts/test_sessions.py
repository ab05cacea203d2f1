"""How long a session lasts: 30 minutes without use, 8 hours at most; a password change or reset
ends the user's other sessions."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import sessions
from accounts.middleware import IdleSessionMiddleware
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
MINUTE = 60
HOUR = 3600


def shift(client, *, last_seen=None, login_at=None):
    """Move the session's recorded times back: the same as that much time passing."""
    session = client.session
    now = sessions.now()
    if last_seen is not None:
        session[sessions.LAST_SEEN] = now - last_seen
    if login_at is not None:
        session[sessions.LOGIN_AT] = now - login_at
    session.save()


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


# --- The middleware, with a clock that moves ------------------------------------------------------


class Clock:
    def __init__(self, start):
        self.at = start

    def __call__(self):
        return self.at


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_700_000_000)
    monkeypatch.setattr(sessions, "now", clock)
    return clock


def run(session, user, path="/"):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().get(path)
    request.session = session
    request.user = user
    request._messages = FallbackStorage(request)
    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse()

    IdleSessionMiddleware(view)(request)
    return seen["user"], request


def logged_in_session(user, at):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[sessions.LOGIN_AT] = at
    session[sessions.LAST_SEEN] = at
    session.save()
    return session


def test_the_middleware_ends_a_session_after_thirty_idle_minutes(clock, focal_point):
    session = logged_in_session(focal_point, clock.at)
    clock.at += 29 * MINUTE
    user, _request = run(session, focal_point)
    assert user == focal_point
    assert session[sessions.LAST_SEEN] == clock.at  # the request counted as activity

    clock.at += 30 * MINUTE + 1
    user, request = run(session, focal_point)
    assert not user.is_authenticated
    assert SESSION_KEY not in request.session
    assert "signed out because the portal was not used" in str(list(get_messages(request))[0])


def test_the_middleware_ends_any_session_eight_hours_after_login(clock, focal_point):
    session = logged_in_session(focal_point, clock.at)
    for _ in range(16):  # busy all day, a request every half hour less a minute
        clock.at += 29 * MINUTE
        user, _request = run(session, focal_point)
    assert user.is_authenticated  # 7 h 44 min
    clock.at += 17 * MINUTE
    user, _request = run(session, focal_point)
    assert not user.is_authenticated


def test_activity_is_written_at_most_once_a_minute(clock, focal_point):
    session = logged_in_session(focal_point, clock.at)
    clock.at += 30
    run(session, focal_point)
    assert session[sessions.LAST_SEEN] == clock.at - 30  # not rewritten
    clock.at += 30
    run(session, focal_point)
    assert session[sessions.LAST_SEEN] == clock.at


def test_asking_how_long_is_left_is_not_activity(clock, focal_point):
    session = logged_in_session(focal_point, clock.at)
    clock.at += 10 * MINUTE
    run(session, focal_point, path=reverse("session_status"))
    assert session[sessions.LAST_SEEN] == clock.at - 10 * MINUTE


# --- Through the pages --------------------------------------------------------------------------


def test_an_idle_session_sends_pages_to_log_in_with_a_note(client, focal_point):
    client.force_login(focal_point)
    shift(client, last_seen=31 * MINUTE)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == f"{reverse('login')}?next=/"
    assert "signed out because the portal was not used for a while" in response.text
    assert not logged_in(client)


def test_an_autosave_after_the_idle_end_gets_401_json(client, focal_point, submission):
    client.force_login(focal_point)
    shift(client, last_seen=31 * MINUTE)
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        data=json.dumps({"value": "<p>Typed late</p>", "revision": 0}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "login"
    assert not submission.answers.exists()


def test_a_recent_request_keeps_the_session(client, focal_point):
    client.force_login(focal_point)
    shift(client, last_seen=29 * MINUTE)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[sessions.LAST_SEEN] >= sessions.now() - 1


def test_the_status_says_how_long_is_left(client, focal_point):
    client.force_login(focal_point)
    shift(client, last_seen=10 * MINUTE)
    data = client.get(reverse("session_status")).json()
    assert 19 * MINUTE < data["seconds_left"] <= 20 * MINUTE
    assert data["warning_seconds"] == 5 * MINUTE


def test_the_status_of_an_ended_session_is_401(client, focal_point):
    client.force_login(focal_point)
    shift(client, last_seen=31 * MINUTE)
    response = client.get(reverse("session_status"))
    assert response.status_code == 401
    assert not logged_in(client)


def test_staying_signed_in_restarts_the_idle_clock(client, focal_point):
    client.force_login(focal_point)
    shift(client, last_seen=26 * MINUTE)
    response = client.post(reverse("session_keepalive"), HTTP_ACCEPT="application/json")
    assert response.json()["seconds_left"] > 29 * MINUTE


def test_staying_signed_in_without_javascript_comes_back(client, focal_point):
    client.force_login(focal_point)
    response = client.post(reverse("session_keepalive"), {"next": "/countries/"})
    assert response["Location"] == "/countries/"


def test_the_page_carries_the_clock_and_the_dialog(client, focal_point):
    client.force_login(focal_point)
    page = client.get(reverse("home")).text
    assert 'data-session-idle="1800"' in page
    assert 'data-session-warning="300"' in page
    assert f'data-session-status-url="{reverse("session_status")}"' in page
    assert 'id="session-dialog"' in page and "Stay signed in" in page


def test_anonymous_pages_have_no_clock(client):
    page = client.get(reverse("login")).text
    assert "data-session-idle" not in page and "session-dialog" not in page


# --- A new password ends the other sessions -----------------------------------------------------


def test_a_password_change_ends_the_other_sessions_only(focal_point):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.force_login(focal_point)
        assert client.get(reverse("home")).status_code == 200

    new = "a-fresh-and-long-passphrase"
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("password_change_done")
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302
    assert not logged_in(elsewhere)
