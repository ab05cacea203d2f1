"""The staff pages that follow a cycle across countries: who reaches them, the dashboard's rows,
order, filters and counts, the form that grants a deadline extension, one question across
countries, the objectives matrix, and what each page costs in SQL."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from questionnaire import selectors, services
from questionnaire.models import Comment, DeadlineExtension, Submission, SubmissionStatus
from tests import factories

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("cycle_dashboard", {}),
    ("cycle_questions", {}),
    ("cycle_question", {"key": "committee"}),
    ("cycle_objectives", {}),
    ("cycle_search", {}),
]


def url(name, cycle, **kwargs):
    return reverse(name, kwargs={"slug": cycle.slug, **kwargs})


def rows_by_iso(dashboard):
    return {row.country.iso2: row for row in dashboard.rows}


def submission_in(cycle, status):
    return Submission.objects.get(cycle=cycle, status=status)


# --- Who may see the staff pages ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, big_cycle, name, kwargs):
    response = client.get(url(name, big_cycle, **kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_country_users_are_refused_even_for_their_own_cycle(client, big_cycle, name, kwargs):
    member = factories.MembershipFactory(country=big_cycle.countries.first()).user
    client.force_login(member)
    assert client.get(url(name, big_cycle, **kwargs)).status_code == 403


def test_country_users_learn_nothing_about_which_cycles_exist(client, focal_point):
    client.force_login(focal_point)
    response = client.get(reverse("cycle_dashboard", args=["no-such-cycle"]))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_reviewers_see_every_staff_page(client, big_cycle, reviewer, name, kwargs):
    client.force_login(reviewer)
    response = client.get(url(name, big_cycle, **kwargs), follow=True)
    assert response.status_code == 200


def test_an_unknown_cycle_is_404_for_staff(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("cycle_dashboard", args=["no-such-cycle"])).status_code == 404


def test_staff_home_links_each_cycle_to_its_dashboard(client, big_cycle, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("home"))
    assert f'href="{url("cycle_dashboard", big_cycle)}"' in response.content.decode()


def test_country_home_has_no_dashboard_link(client, big_cycle):
    member = factories.MembershipFactory(country=big_cycle.countries.first()).user
    client.force_login(member)
    response = client.get(reverse("home"))
    assert f'href="{url("cycle_dashboard", big_cycle)}"' not in response.content.decode()


def test_each_submission_links_to_its_page_and_its_pdf(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_dashboard", big_cycle)).content.decode()
    for submission in big_cycle.submissions.all():
        assert f'href="{reverse("submission_detail", args=[submission.pk])}"' in html
        assert f'href="{reverse("submission_pdf", args=[submission.pk])}"' in html


# --- The dashboard's rows -----------------------------------------------------------------------


def test_every_participating_country_has_a_row_with_its_status(big_cycle):
    dashboard = selectors.cycle_dashboard(cycle=big_cycle)
    statuses = sorted(row.status for row in dashboard.rows)
    assert statuses == sorted(
        ["no_submission", "draft", "submitted", "returned", "accepted", "published"]
    )
    counts = {entry.value: entry.count for entry in dashboard.status_counts}
    assert counts == {
        "no_submission": 1,
        "draft": 1,
        "submitted": 1,
        "returned": 1,
        "accepted": 1,
        "published": 1,
    }


def test_completion_agrees_with_the_submission_progress(cycle, country, other_country):
    """The dashboard counts answers in SQL from Answer.text; the answering page counts them from
    the values. They must agree, for every question type, answered or blank."""
    version = factories.cross_country_version()
    data = factories.cycle_with_countries(countries=0, version=version)
    data.countries.add(country)
    submission = services.submission_create(cycle=data, country=country)
    questions = {q.key: q for q in version.questions.all()}
    services.answer_save(submission=submission, question=questions["lead"], value="Interior")
    services.answer_save(submission=submission, question=questions["committee"], value="<p> </p>")
    services.answer_save(submission=submission, question=questions["plan"], value="adopted")
    row = rows_by_iso(selectors.cycle_dashboard(cycle=data))[country.iso2]
    progress = selectors.submission_progress(submission=submission)
    assert (
        (row.answered, row.total, row.missing_required)
        == (
            progress["answered"],
            progress["total"],
            progress["missing_required"],
        )
        == (2, 4, 1)
    )


def test_a_country_without_a_submission_misses_every_required_question(big_cycle):
    row = next(r for r in selectors.cycle_dashboard(cycle=big_cycle).rows if r.submission is None)
    assert (row.answered, row.missing_required) == (0, 2)


def test_days_to_deadline_count_for_countries_that_have_not_submitted(big_cycle):
    today = big_cycle.deadline - datetime.timedelta(days=10)
    rows = selectors.cycle_dashboard(cycle=big_cycle, today=today).rows
    days = {row.status: row.days_left for row in rows}
    assert days == {
        "no_submission": 10,
        "draft": 10,
        "returned": 10,
        "submitted": None,
        "accepted": None,
        "published": None,
    }


def test_past_the_deadline_countries_are_overdue_by_negative_days(big_cycle):
    today = big_cycle.deadline + datetime.timedelta(days=3)
    dashboard = selectors.cycle_dashboard(cycle=big_cycle, today=today)
    overdue = [row for row in dashboard.rows if row.is_overdue]
    assert {row.status for row in overdue} == {"no_submission", "draft", "returned"}
    assert {row.days_left for row in overdue} == {-3}
    assert dashboard.overdue_count == 3


def test_a_deadline_extension_moves_that_country_only(big_cycle, reviewer):
    draft = submission_in(big_cycle, "draft")
    services.deadline_extension_grant(
        cycle=big_cycle,
        country=draft.country,
        deadline=big_cycle.deadline + datetime.timedelta(days=20),
        reason="Elections",
        user=reviewer,
    )
    today = big_cycle.deadline + datetime.timedelta(days=3)
    rows = rows_by_iso(selectors.cycle_dashboard(cycle=big_cycle, today=today))
    extended = rows[draft.country.iso2]
    assert extended.days_left == 17
    assert not extended.is_overdue
    assert extended.extension.reason == "Elections"
    returned = rows[submission_in(big_cycle, "returned").country.iso2]
    assert returned.days_left == -3


def test_the_page_shows_the_extension_and_who_is_overdue(client, big_cycle, reviewer):
    big_cycle.deadline = timezone.localdate() - datetime.timedelta(days=2)
    big_cycle.opens_on = big_cycle.deadline - datetime.timedelta(days=60)
    big_cycle.save()
    DeadlineExtension.objects.create(
        cycle=big_cycle,
        country=submission_in(big_cycle, "draft").country,
        deadline=timezone.localdate() + datetime.timedelta(days=28),
        reason="Cabinet reshuffle",
    )
    client.force_login(reviewer)
    html = client.get(url("cycle_dashboard", big_cycle)).content.decode()
    assert "Overdue by 2 days" in html
    assert "28 days left" in html
    assert 'title="Cabinet reshuffle"' in html


def test_a_closed_cycle_counts_no_days(big_cycle):
    big_cycle.is_closed = True
    big_cycle.save()
    dashboard = selectors.cycle_dashboard(
        cycle=big_cycle, today=big_cycle.deadline + datetime.timedelta(days=1)
    )
    assert all(row.days_left is None for row in dashboard.rows)
    assert dashboard.overdue_count == 0


def dashboard_html(client, cycle, **params):
    return client.get(url("cycle_dashboard", cycle), params).content.decode()


def count_card(html, label):
    """The dashboard's count card with `label`: its class attribute and its number."""
    match = re.search(
        r'<a class="(dash-count[^"]*)"[^>]*>\s*<span class="dash-count-number">(\d+)</span>\s*'
        rf'<span class="dash-count-label">{re.escape(label)}</span>',
        html,
    )
    return (match.group(1), int(match.group(2))) if match else None


def test_a_closed_cycle_says_who_did_not_take_part_without_counts_or_deadlines(
    client, big_cycle, reviewer
):
    big_cycle.deadline = timezone.localdate() - datetime.timedelta(days=30)
    big_cycle.opens_on = big_cycle.deadline - datetime.timedelta(days=60)
    big_cycle.is_closed = True
    big_cycle.save()
    absent = next(row for row in selectors.cycle_dashboard(cycle=big_cycle).rows if row.absent)
    assert absent.submission is None
    assert absent.status_label == "Did not take part"
    client.force_login(reviewer)
    html = dashboard_html(client, big_cycle)
    assert count_card(html, "Did not take part") == ("dash-count", 1)
    # Overdue means nothing once a cycle is closed: no card, no filter, no column, no flag.
    assert count_card(html, "Overdue") is None
    assert 'name="overdue"' not in html
    assert "Days to deadline" not in html and "Overdue by" not in html
    assert "dash-row-overdue" not in html
    assert "No submission yet" not in html
    row = re.search(rf"<tr>\s*<th[^>]*>\s*{absent.country.name}\s*</th>(.*?)</tr>", html, re.S)
    cells = row.group(1)
    assert "Did not take part" in cells
    assert " / " not in cells and "dash-missing" not in cells  # no "0 / 4", no "2 missing"
    # A closed cycle without extensions has nothing to say about deadlines.
    assert 'id="extensions"' not in html


def test_a_closed_cycle_has_no_deadline_sort_and_ignores_an_overdue_filter(
    client, big_cycle, reviewer
):
    big_cycle.is_closed = True
    big_cycle.save()
    client.force_login(reviewer)
    response = client.get(url("cycle_dashboard", big_cycle), {"overdue": "on"})
    assert len(response.context["dashboard"].rows) == 6
    assert "sort=deadline" not in response.content.decode()


def test_an_open_cycle_past_its_deadline_shows_who_is_overdue(client, big_cycle, reviewer):
    big_cycle.deadline = timezone.localdate() - datetime.timedelta(days=4)
    big_cycle.opens_on = big_cycle.deadline - datetime.timedelta(days=60)
    big_cycle.save()
    client.force_login(reviewer)
    html = dashboard_html(client, big_cycle)
    # The country without a submission, the draft and the returned one.
    assert count_card(html, "Overdue") == ("dash-count dash-count-alert", 3)
    assert html.count("Overdue by 4 days") == 3
    assert html.count('class="dash-row-overdue"') == 3
    assert count_card(html, "No submission yet") == ("dash-count", 1)
    assert 'name="overdue"' in html


def test_no_one_overdue_is_not_shown_as_an_alert(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = dashboard_html(client, big_cycle)
    assert big_cycle.deadline > timezone.localdate()
    assert count_card(html, "Overdue") == ("dash-count", 0)


def test_no_submission_and_the_objective_status_not_started_are_two_words(
    client, big_cycle, reviewer
):
    """The objectives grid says "Not started" (a status, in the questionnaire's words); a country
    without a submission is "No submission yet" wherever the cycle's pages name it."""
    client.force_login(reviewer)
    html = dashboard_html(client, big_cycle)
    assert "Not started" not in html
    assert 'class="status-badge status-no-submission">No submission yet<' in html
    assert '<option value="no_submission">No submission yet</option>' in html
    matrix = client.get(url("cycle_objectives", big_cycle)).content.decode()
    assert ">Not started</span>" in matrix  # the scale's legend
    assert '<span class="d-block small text-body-secondary">No submission yet</span>' in matrix
    question = client.get(url("cycle_question", big_cycle, key="lead")).content.decode()
    assert "Not started" not in question
    assert "No submission yet (1 country):" in question


def test_open_comments_are_counted_per_country(big_cycle, reviewer):
    submitted = submission_in(big_cycle, "submitted")
    question = big_cycle.version.questions.get(key="committee")
    for body in ("Which ministry?", "And who chairs it?"):
        Comment.objects.create(submission=submitted, question=question, author=reviewer, body=body)
    Comment.objects.create(
        submission=submitted,
        question=question,
        author=reviewer,
        body="Done",
        resolved_at=timezone.now(),
        resolved_by=reviewer,
    )
    dashboard = selectors.cycle_dashboard(cycle=big_cycle)
    assert rows_by_iso(dashboard)[submitted.country.iso2].open_comments == 2
    assert dashboard.with_comments_count == 1


# --- Order and filters -------------------------------------------------------------------------


def test_sorting_by_completion_descending_puts_countries_without_a_submission_last(big_cycle):
    rows = selectors.cycle_dashboard(cycle=big_cycle, sort="completion", descending=True).rows
    assert rows[-1].status == "no_submission"
    assert [r.completion for r in rows] == sorted((r.completion for r in rows), reverse=True)


def test_sorting_by_a_date_keeps_rows_without_one_last_both_ways(big_cycle):
    for descending in (False, True):
        rows = selectors.cycle_dashboard(
            cycle=big_cycle, sort="submitted", descending=descending
        ).rows
        dates = [r.submission.submitted_at if r.submission else None for r in rows]
        assert dates[-2:] == [None, None]  # the draft and the country without a submission
        assert None not in dates[:-2]


def test_sorting_by_status_follows_the_workflow(big_cycle):
    rows = selectors.cycle_dashboard(cycle=big_cycle, sort="status").rows
    assert [r.status for r in rows] == [
        "no_submission",
        "draft",
        "submitted",
        "returned",
        "accepted",
        "published",
    ]


def test_the_sorted_column_says_so_and_its_link_reverses_the_order(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_dashboard", big_cycle), {"sort": "status"}).content.decode()
    headers = re.findall(r"<th scope=\"col\"[^>]*>\s*<a[^>]*>", html)
    sorted_headers = [h for h in headers if "aria-sort" in h]
    assert len(sorted_headers) == 1
    assert 'aria-sort="ascending"' in sorted_headers[0]
    assert "sort=status&amp;dir=desc" in sorted_headers[0]
    html = client.get(
        url("cycle_dashboard", big_cycle), {"sort": "status", "dir": "desc"}
    ).content.decode()
    assert 'aria-sort="descending"' in html


def test_sort_links_keep_the_filters(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_dashboard", big_cycle), {"status": "draft"}).content.decode()
    assert "status=draft&amp;sort=country" in html


def test_an_unknown_sort_or_status_falls_back_to_everything_by_name(client, big_cycle, reviewer):
    client.force_login(reviewer)
    response = client.get(url("cycle_dashboard", big_cycle), {"sort": "x", "status": "nope"})
    assert response.status_code == 200
    assert len(response.context["dashboard"].rows) == 6


@pytest.mark.parametrize(
    ("params", "statuses"),
    [
        ({"status": "draft"}, {"draft"}),
        ({"status": "no_submission"}, {"no_submission"}),
        ({"overdue": "on"}, {"no_submission", "draft", "returned"}),
        ({"comments": "on"}, {"accepted"}),
        ({"overdue": "on", "status": "returned"}, {"returned"}),
    ],
)
def test_filters_narrow_the_rows_but_not_the_counts(client, big_cycle, reviewer, params, statuses):
    accepted = submission_in(big_cycle, "accepted")
    Comment.objects.create(
        submission=accepted,
        question=big_cycle.version.questions.get(key="lead"),
        author=reviewer,
        body="Which department?",
    )
    big_cycle.deadline = timezone.localdate() - datetime.timedelta(days=1)
    big_cycle.opens_on = big_cycle.deadline - datetime.timedelta(days=60)
    big_cycle.save()
    client.force_login(reviewer)
    response = client.get(url("cycle_dashboard", big_cycle), params)
    dashboard = response.context["dashboard"]
    assert {row.status for row in dashboard.rows} == statuses
    assert sum(entry.count for entry in dashboard.status_counts) == 6


# --- Deadline extensions -------------------------------------------------------------------------


def test_the_dashboard_form_grants_an_extension(client, big_cycle, reviewer):
    country = big_cycle.countries.first()
    client.force_login(reviewer)
    new = big_cycle.deadline + datetime.timedelta(days=9)
    response = client.post(
        url("deadline_extension_grant", big_cycle),
        {"country": country.pk, "deadline": new.isoformat(), "reason": "Floods"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#extensions")
    assert DeadlineExtension.objects.get(cycle=big_cycle, country=country).deadline == new


def test_the_dashboard_form_shows_why_a_date_is_refused(client, big_cycle, reviewer):
    client.force_login(reviewer)
    response = client.post(
        url("deadline_extension_grant", big_cycle),
        {
            "country": big_cycle.countries.first().pk,
            "deadline": (big_cycle.deadline - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot be before the cycle" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_country_users_cannot_post_an_extension(client, big_cycle):
    country = big_cycle.countries.first()
    client.force_login(factories.MembershipFactory(country=country).user)
    response = client.post(
        url("deadline_extension_grant", big_cycle),
        {"country": country.pk, "deadline": big_cycle.deadline.isoformat()},
    )
    assert response.status_code == 403
    assert not DeadlineExtension.objects.exists()


# --- One question across countries ---------------------------------------------------------------


def test_one_question_shows_every_country_and_marks_drafts(client, big_cycle, reviewer):
    client.force_login(reviewer)
    response = client.get(url("cycle_question", big_cycle, key="plan"))
    page = response.context["page"]
    assert len(page.rows) == 6
    html = response.content.decode()
    # Through render_answer: the choice's label, not its stored value.
    assert "Being drafted" in html
    assert "Draft: not yet submitted, may still change" in html
    assert "No submission yet (1 country):" in html


def folded_line(html, heading_id):
    """The names listed in one of the folded lines after the answers (in page order)."""
    match = re.search(
        rf'<ul class="dash-inline-list" aria-labelledby="{heading_id}">(.*?)</ul>', html, re.S
    )
    items = re.findall(r"<li>(.*?)</li>", match.group(1))
    return [re.sub(r"<[^>]+>", "", item).strip() for item in items]


def test_answers_come_first_and_the_countries_without_one_fold_into_a_line_each(client, reviewer):
    cycle = factories.cycle_with_countries(
        countries=7, statuses=(None, "accepted", None, "draft", None, "submitted", None)
    )
    by_status = {s.status: s for s in cycle.submissions.select_related("country")}
    # The draft's answer to this question was emptied; the others answered it.
    services.answer_save(
        submission=by_status["draft"],
        question=cycle.version.questions.get(key="lead"),
        value="",
    )
    client.force_login(reviewer)
    response = client.get(url("cycle_question", cycle, key="lead"))
    html = response.content.decode()
    page = response.context["page"]
    assert [row.submission.status for row in page.answered] == sorted(
        ["accepted", "submitted"],
        key=lambda status: by_status[status].country.name,
    )
    assert html.count('<article class="dash-country-answer') == 2
    assert "No answer to this question (1 country):" in html
    assert folded_line(html, "unanswered-heading") == [f"{by_status['draft'].country.name} (draft)"]
    # Each country without a submission is named once, in one line, alphabetically.
    without = sorted(c.name for c in cycle.countries.filter(submissions__isnull=True))
    assert "No submission yet (4 countries):" in html
    assert folded_line(html, "without-submission-heading") == without
    # The answers come before the folded lines.
    assert html.index('class="dash-country-answer') < html.index('class="dash-folded')


def test_a_closed_cycle_names_the_countries_that_did_not_take_part(client, big_cycle, reviewer):
    big_cycle.is_closed = True
    big_cycle.save()
    client.force_login(reviewer)
    html = client.get(url("cycle_question", big_cycle, key="lead")).content.decode()
    assert "Did not take part (1 country):" in html
    assert "No submission yet" not in html


def test_leaving_out_drafts_keeps_only_countries_that_sent_their_answers(
    client, big_cycle, reviewer
):
    client.force_login(reviewer)
    response = client.get(url("cycle_question", big_cycle, key="plan"), {"sent": "on"})
    rows = response.context["page"].rows
    assert {row.submission.status for row in rows} == {
        "submitted",
        "returned",
        "accepted",
        "published",
    }


def test_answers_link_to_the_question_in_each_submission(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_question", big_cycle, key="lead")).content.decode()
    submission = submission_in(big_cycle, "accepted")
    assert f"{reverse('submission_detail', args=[submission.pk])}#question-lead" in html


def test_the_question_picker_goes_to_the_chosen_question(client, big_cycle, reviewer):
    client.force_login(reviewer)
    response = client.get(url("cycle_questions", big_cycle), {"key": "plan", "sent": "on"})
    assert response["Location"] == url("cycle_question", big_cycle, key="plan") + "?sent=on"
    response = client.get(url("cycle_questions", big_cycle))
    assert response["Location"] == url("cycle_question", big_cycle, key="committee")


def test_an_unknown_question_is_404(client, big_cycle, reviewer):
    client.force_login(reviewer)
    assert client.get(url("cycle_question", big_cycle, key="nope")).status_code == 404


# --- The objectives matrix ---------------------------------------------------------------------


def test_the_matrix_has_a_row_per_country_and_a_column_per_objective(big_cycle):
    matrix = selectors.cycle_objectives_matrix(cycle=big_cycle)
    assert len(matrix.rows) == 6
    assert all(len(row.cells) == 23 for row in matrix.rows)
    answered = next(row for row in matrix.rows if row.submission and row.has_answer)
    first = answered.cells[0]
    assert (first.status, first.label, first.tone) == ("planned", "Planned", 1)
    assert first.note.startswith("Data note of")
    assert answered.cells[1].tone == -1


def test_the_matrix_page_shows_labels_colours_notes_and_titles(client, big_cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_objectives", big_cycle)).content.decode()
    # Colour (the tone class) and words (the label) together; the note as the cell's title.
    assert re.search(r'class="dash-cell obj-tone-1" title="Data note of [^"]+">\s*Planned', html)
    assert '<span class="dash-objective-label">Obj 4</span>' in html
    assert 'title="4. Objective title 4"' in html
    assert "Largely achieved" in html


def test_a_questionnaire_without_a_grid_says_so(client, cycle, reviewer):
    client.force_login(reviewer)
    html = client.get(url("cycle_objectives", cycle)).content.decode()
    assert "has no grid of the GCM objectives" in html


# --- What the pages cost -------------------------------------------------------------------------


def count_queries(client, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    ("name", "kwargs", "params"),
    [
        ("cycle_dashboard", {}, {}),
        ("cycle_dashboard", {}, {"sort": "deadline", "dir": "desc", "overdue": "on"}),
        ("cycle_question", {"key": "committee"}, {}),
        ("cycle_question", {"key": "objectives"}, {"sent": "on"}),
        ("cycle_objectives", {}, {}),
        ("cycle_charts", {}, {}),
    ],
)
def test_queries_do_not_grow_with_the_number_of_countries(client, reviewer, name, kwargs, params):
    small = factories.cycle_with_countries(countries=3)
    large = factories.cycle_with_countries(countries=12)
    for cycle in (small, large):
        for submission in cycle.submissions.exclude(status=SubmissionStatus.PUBLISHED):
            Comment.objects.create(
                submission=submission,
                question=cycle.version.questions.get(key="committee"),
                author=reviewer,
                body="?",
            )
        country = cycle.countries.first()
        DeadlineExtension.objects.create(
            cycle=cycle, country=country, deadline=cycle.deadline + datetime.timedelta(days=3)
        )
    client.force_login(reviewer)
    count_queries(client, url(name, small, **kwargs), params)  # session, caches
    assert count_queries(client, url(name, small, **kwargs), params) == count_queries(
        client, url(name, large, **kwargs), params
    )
