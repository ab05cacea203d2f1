"""While the database is unreachable, users get 503 "try again", never a crash page
(gcmreview.outage): JSON for the answering page's autosave (its script retries on any 5xx and
keeps the text), a short page that needs no database for everyone else. The real outage, a
PostgreSQL restart under load, is bench/load.py --restart-postgres-at."""

import json
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from questionnaire import services

pytestmark = pytest.mark.django_db


def database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


def connection_closed(request):
    raise InterfaceError("connection already closed")


def broken(request):
    raise ValueError("a bug, not an outage")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("down/", database_down),
    path("closed/", connection_closed),
    path("broken/", broken),
    path("fine/", fine),
]
handler500 = "gcmreview.views.server_error"


@pytest.fixture
def anonymous():
    # Let an exception that reaches Django's handler become the response, as in production.
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.gcmreview.test_outage")
@pytest.mark.parametrize("url", ["/down/", "/closed/"])
def test_a_page_that_cannot_reach_the_database_says_try_again(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "briefly unavailable" in text
    assert "What you had already saved is kept: try again in a moment." in text
    assert "Traceback" not in text


@pytest.mark.urls("tests.gcmreview.test_outage")
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_form_sent_during_an_outage_is_not_said_to_be_saved(anonymous, method):
    """What the page was sending may be lost (a section saved without JavaScript, an admin
    change): the page says so, and how to send it again, rather than "nothing is lost"."""
    response = getattr(anonymous, method)("/down/", {"name": "An edit"})
    assert response.status_code == 503
    text = response.content.decode()
    assert (
        "What you had already saved is kept, but what this page was sending may not have "
        "been saved: go back, check it, and send it again." in text
    )
    assert "Use your browser's Back button" in text
    assert "Nothing you saved is lost" not in text
    assert "is saved when the portal is back" not in text
    assert "Try again" not in text  # a link would load the page afresh, without the edit


@pytest.mark.urls("tests.gcmreview.test_outage")
def test_a_script_gets_json_it_can_retry_on(anonymous):
    response = anonymous.post(
        "/down/", data="{}", content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "ok": False,
        "error": "unavailable",
        "message": "The portal is briefly unavailable. Nothing you saved is lost: try again "
        "shortly.",
        "retry_after": 5,
    }


@pytest.mark.urls("tests.gcmreview.test_outage")
def test_other_errors_stay_server_errors(anonymous):
    response = anonymous.get("/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.urls("tests.gcmreview.test_outage")
def test_the_session_read_failing_in_a_middleware_is_a_503_too(anonymous, focal_point):
    """The database is first used by a middleware (the session behind request.user), before any
    view: Django's handler500 turns that into the same 503."""
    anonymous.force_login(focal_point)
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("server closed")):
        response = anonymous.get("/fine/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_an_autosave_during_an_outage_is_a_503_the_page_retries(anonymous, submission, focal_point):
    anonymous.force_login(focal_point)
    url = reverse("answer_autosave", args=[submission.pk, "mechanism"])
    body = json.dumps({"value": "<p>Our committee</p>", "revision": 0})
    with mock.patch.object(services, "answer_save", side_effect=OperationalError("restarting")):
        response = anonymous.post(
            url, body, content_type="application/json", HTTP_ACCEPT="application/json"
        )
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    # Once the database is back, the same save (same base revision) goes through: nothing was
    # written meanwhile.
    response = anonymous.post(
        url, body, content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json()["revision"] == 1


def test_the_section_form_saved_during_an_outage_is_not_said_to_be_saved(
    anonymous, submission, focal_point
):
    anonymous.force_login(focal_point)
    # The section is saved by services.section_save, which calls answer_save in its own module.
    with mock.patch.object(
        services.answers, "answer_save", side_effect=OperationalError("restarting")
    ):
        response = anonymous.post(
            reverse("answer_section_save", args=[submission.pk, "I"]),
            {"q-mechanism": "Our committee", "q-mechanism-revision": 0},
        )
    assert response.status_code == 503
    assert "may not have been saved" in response.content.decode()
    assert not submission.answers.exists()


def test_a_page_during_an_outage_is_the_friendly_503_page(anonymous, submission, focal_point):
    anonymous.force_login(focal_point)
    from questionnaire import selectors

    with mock.patch.object(
        selectors, "answering_section", side_effect=OperationalError("terminating connection")
    ):
        response = anonymous.get(reverse("answer_section", args=[submission.pk, "I"]))
    assert response.status_code == 503
    assert "The portal is briefly unavailable" in response.content.decode()
