"""Dates, times and counts (gcmreview.formatting): one format in each language, the same on a page
and in the JSON its script shows, and `<time datetime>` values that HTML allows."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from gcmreview import formatting
from questionnaire import services
from questionnaire.models import Answer, Question, Submission
from tests import factories

# HTML's valid date string, or global date and time string: at most three digits of fractions
# of a second, and a "Z" or an offset with a colon.
HTML_DATETIME = re.compile(r"\d{4,}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?")
MOMENT = datetime.datetime(2026, 12, 6, 10, 38, 36, 176078, tzinfo=datetime.UTC)


def datetime_attributes(html: str) -> list[str]:
    return re.findall(r'datetime="([^"]*)"', html)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Dec. 6, 2026 10:38"),
        ("fr", "6 décembre 2026 10:38"),
        ("ar", "6 ديسمبر، 2026 10:38"),
    ],
)
def test_one_format_for_a_moment_in_each_language(language, text):
    with translation.override(language):
        assert formatting.datetime_text(MOMENT) == text
        html = render_to_string("includes/datetime.html", {"value": MOMENT})
    assert f">{text}</time>" in html


def test_the_time_element_carries_a_valid_html_datetime():
    html = render_to_string("includes/datetime.html", {"value": MOMENT})
    assert datetime_attributes(html) == ["2026-12-06T10:38:36+00:00"]
    html = render_to_string("includes/datetime.html", {"value": MOMENT, "date_only": True})
    assert datetime_attributes(html) == ["2026-12-06T10:38:36+00:00"]
    assert ">Dec. 6, 2026</time>" in html
    assert formatting.html_datetime(MOMENT.date()) == "2026-12-06"


def test_datetimes_are_in_the_server_time_zone(settings):
    settings.TIME_ZONE = "Asia/Amman"
    with timezone.override("Asia/Amman"):
        assert formatting.datetime_text(MOMENT) == "Dec. 6, 2026 13:38"
        assert formatting.html_datetime(MOMENT) == "2026-12-06T13:38:36+03:00"


@pytest.mark.django_db
def test_pages_carry_only_valid_datetime_attributes(client, submission, focal_point):
    """Pages with moments from the database (microseconds and all): an answer's history, the
    submission page with its timeline."""
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(submission=submission, question=question, value="<p>One</p>")
    Submission.objects.filter(pk=submission.pk).update(updated_at=MOMENT)
    client.force_login(focal_point)
    pages = [
        reverse("answer_history", args=[submission.pk, "mechanism"]),
        reverse("submission_detail", args=[submission.pk]),
        reverse("home"),
    ]
    seen = []
    for url in pages:
        html = client.get(url).content.decode()
        seen += datetime_attributes(html)
    assert "2026-12-06T10:38:36+00:00" in seen  # the submission's last change, to the second
    for value in seen:
        assert HTML_DATETIME.fullmatch(value), value


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_saved_state_from_autosave_is_the_page_s_own_text(
    client, submission, focal_point, language
):
    focal_point.language = language
    focal_point.save(update_fields=["language"])
    client.force_login(focal_point)
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        data=json.dumps({"value": "<p>Ours</p>", "revision": 0, "language": language}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    saved = response.json()["saved_text"]
    answer = Answer.objects.get(submission=submission)
    with translation.override(language):
        assert formatting.date_text(answer.updated_at) in saved
        assert formatting.time_text(answer.updated_at) in saved
    page = client.get(reverse("answer_section", args=[submission.pk, "I"])).content.decode()
    state = re.search(r"data-save-state[^>]*>([^<]*)</span>", page).group(1)
    assert state == saved  # what the page says after a reload is what the script said


@pytest.mark.django_db
def test_the_conflict_names_who_saved_and_when(client, submission, focal_point, contributor):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(
        submission=submission, question=question, value="<p>Theirs</p>", user=contributor
    )
    answer = Answer.objects.get()
    client.force_login(focal_point)
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        data=json.dumps({"value": "<p>Mine</p>", "revision": 0}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    current = response.json()["current"]
    who = contributor.get_full_name() or contributor.username
    assert current["saved_by_text"] == (
        f"Saved by {who} on {formatting.date_text(answer.updated_at)} at "
        f"{formatting.time_text(answer.updated_at)}"
    )


@pytest.mark.django_db
def test_the_session_warning_time_comes_from_the_server(client, focal_point, settings):
    client.force_login(focal_point)
    data = client.get(reverse("session_status")).json()
    ends = timezone.now() + datetime.timedelta(seconds=data["seconds_left"])
    assert data["ends_at_text"] in {
        formatting.time_text(ends),
        formatting.time_text(ends - datetime.timedelta(minutes=1)),
    }


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [("en", 1250, "1,250"), ("fr", 1250, "1\u00a0250"), ("ar", 1250, "1,250"), ("en", 7, "7")],
)
def test_counts_are_grouped_for_the_reader(language, count, text):
    with translation.override(language):
        assert formatting.number_text(count) == text
        assert render_to_string_inline("{% load formatting %}{{ n|number }}", n=count) == text


def render_to_string_inline(source: str, **context) -> str:
    from django.template import Context, Template

    return Template(source).render(Context(context))


def test_command_output_says_one_country_and_two_countries():
    assert formatting.counted(1, "country", "countries") == "1 country"
    assert formatting.counted(2, "country", "countries") == "2 countries"
    assert formatting.counted(1250, "page", "pages") == "1,250 pages"


@pytest.mark.django_db
def test_a_count_of_one_is_singular_on_the_pages(client, focal_point, submission):
    """ "1 of 1 question answered", not "questions"; "1 required question is still
    unanswered", not "are"."""
    html = render_to_string(
        "questionnaire/answering/progress.html", {"answered": 0, "total": 1, "missing": 1}
    )
    assert html.strip() == (
        '0 of 1 answered · <span class="text-danger-emphasis">1 required missing</span>'
    )
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    factories.QuestionFactory(section=section, key="only", label="a")
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(submission.country)
    alone = services.submission_create(cycle=cycle, country=submission.country)
    client.force_login(focal_point)
    page = client.get(reverse("submission_check", args=[alone.pk])).content.decode()
    assert "0 of 1 question answered." in page
    with pytest.raises(services.TransitionError, match="1 required question is still unanswered"):
        services.submission_transition(submission=alone, to_status="submitted")


def test_one_of_each_is_singular_and_thousands_are_grouped():
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser

    from questionnaire.types import get_type

    job = SimpleNamespace(
        pk=1, status="succeeded", page_count=1250, created_at=MOMENT, requested_by=None
    )
    html = render_to_string(
        "reports/compilation_detail.html",
        {
            "job": job,
            "cycle": SimpleNamespace(slug="c", name="C"),
            "progress": {"done": 1, "cached": 0},
            "user": AnonymousUser(),  # the page's tabs ask what the reader may do
        },
    )
    assert "1,250 pages." in html
    assert "1 country, 0 of them unchanged" in html
    with pytest.raises(ValidationError) as refused:
        get_type("long_text").clean("<p>ab</p>", {"max_length": 1})
    assert refused.value.messages == ["The answer is 2 characters long; the limit is 1 character."]
    with pytest.raises(ValidationError) as refused:
        get_type("short_text").clean("x" * 1250, {"max_length": 1000})
    assert refused.value.messages == [
        "The answer is 1,250 characters long; the limit is 1,000 characters."
    ]


@pytest.mark.django_db
def test_a_lockout_of_one_minute_says_one_minute(rf, settings):
    from accounts.lockout import lockout_response

    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    response = lockout_response(rf.get("/", HTTP_ACCEPT="application/json"))
    assert "is blocked for 1 minute." in json.loads(response.content)["message"]
