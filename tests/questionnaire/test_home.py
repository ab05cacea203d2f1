"""The home page: for a country's team, per cycle and country, the submission's status,
progress, deadline and the actions that fit the person and the state; for ESCWA, every
country's submission and who has not started."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from questionnaire import selectors, services
from questionnaire.models import DeadlineExtension, Question, SubmissionStatus
from tests import factories
from tests.factories import login

pytestmark = pytest.mark.django_db


def home_of(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.text


def block(page: str, cycle, country) -> str:
    """The HTML of one country's block in one cycle's card."""
    start = page.index(f'aria-labelledby="country-{cycle.pk}-{country.iso2}"')
    return page[start : page.index("</article>", start)]


def test_progress_is_counted_as_the_answering_page_counts_it(client, focal_point, submission):
    # Three questions, two required; one required answered.
    services.answer_save(
        submission=submission,
        question=Question.objects.get(version=submission.cycle.version, key="lead"),
        value="Ministry of Labour",
    )
    progress = selectors.submission_progress(submission=submission)
    assert (progress["answered"], progress["total"], progress["missing_required"]) == (1, 3, 1)
    html = block(home_of(client, focal_point), submission.cycle, submission.country)
    assert "1 of 3 answered" in html
    assert "1 required missing" in html
    assert '<progress class="portal-progress d-block" value="1" max="3"' in html


def test_days_left_count_to_the_cycles_deadline(client, focal_point, submission):
    cycle = submission.cycle
    cycle.deadline = timezone.localdate() + datetime.timedelta(days=12)
    cycle.save()
    html = block(home_of(client, focal_point), cycle, submission.country)
    assert f'<time datetime="{cycle.deadline:%Y-%m-%d}">' in html
    assert "12 days left" in html
    assert "Extended" not in html


def test_a_countrys_extension_replaces_the_cycles_deadline(client, focal_point, submission):
    cycle = submission.cycle
    later = cycle.deadline + datetime.timedelta(days=30)
    DeadlineExtension.objects.create(cycle=cycle, country=submission.country, deadline=later)
    html = block(home_of(client, focal_point), cycle, submission.country)
    assert f'<time datetime="{later:%Y-%m-%d}">' in html
    assert f"{(later - timezone.localdate()).days} days left" in html
    assert "Extended for your country by ESCWA" in html


def test_an_overdue_submission_says_so_plainly(client, focal_point, submission):
    cycle = submission.cycle
    cycle.deadline = timezone.localdate() - datetime.timedelta(days=3)
    cycle.save()
    html = block(home_of(client, focal_point), cycle, submission.country)
    assert "Overdue by 3 days" in html
    assert "days left" not in html


def test_the_last_day_says_due_today(client, focal_point, submission):
    cycle = submission.cycle
    cycle.deadline = timezone.localdate()
    cycle.save()
    assert "Due today" in block(home_of(client, focal_point), cycle, submission.country)


def test_no_countdown_once_the_answers_are_with_escwa(client, focal_point, complete_submission):
    submission = services.submission_transition(
        submission=complete_submission, to_status=SubmissionStatus.SUBMITTED
    )
    cycle = submission.cycle
    cycle.deadline = timezone.localdate() - datetime.timedelta(days=3)
    cycle.save()
    html = block(home_of(client, focal_point), cycle, submission.country)
    assert "Overdue" not in html
    assert "days left" not in html
    # Submitted: nothing to edit or submit, only to read.
    assert reverse("submission_answer", args=[submission.pk]) not in html
    assert reverse("submission_check", args=[submission.pk]) not in html
    assert reverse("submission_detail", args=[submission.pk]) in html


def test_a_closed_cycle_says_closed_and_offers_no_start(client, focal_point, cycle, country):
    cycle.countries.add(country)
    cycle.is_closed = True
    cycle.save()
    html = block(home_of(client, focal_point), cycle, country)
    assert "Closed (the deadline was" in html
    assert "No submission yet for this cycle." in html
    assert "days left" not in html
    assert "<form" not in html


def test_a_closed_cycles_draft_is_only_read(client, focal_point, submission):
    cycle = submission.cycle
    cycle.is_closed = True
    cycle.save()
    html = block(home_of(client, focal_point), cycle, submission.country)
    assert "Closed (the deadline was" in html
    assert reverse("submission_answer", args=[submission.pk]) not in html
    assert reverse("submission_detail", args=[submission.pk]) in html


@pytest.mark.parametrize(
    ("member", "answer", "check"),
    [("focal_point", True, True), ("contributor", True, False), ("viewer", False, False)],
)
def test_each_role_gets_the_actions_it_may_use(client, submission, request, member, answer, check):
    user = request.getfixturevalue(member)
    html = block(home_of(client, user), submission.cycle, submission.country)
    assert (f'href="{reverse("submission_answer", args=[submission.pk])}"' in html) is answer
    assert ("Answer the questionnaire" in html) is answer
    assert (f'href="{reverse("submission_check", args=[submission.pk])}"' in html) is check
    assert ("Check and submit" in html) is check
    assert f'href="{reverse("submission_detail", args=[submission.pk])}"' in html
    assert "View the submission" in html


def test_a_returned_submission_offers_to_revise_the_answers(
    client, focal_point, complete_submission, reviewer
):
    submission = services.submission_transition(
        submission=complete_submission, to_status=SubmissionStatus.SUBMITTED
    )
    services.submission_transition(
        submission=submission, to_status=SubmissionStatus.RETURNED, message="Please add sources."
    )
    html = block(home_of(client, focal_point), submission.cycle, submission.country)
    assert "Returned for revision" in html
    assert "Revise answers" in html
    assert "Answer the questionnaire" not in html
    assert f'href="{reverse("submission_check", args=[submission.pk])}"' in html


def test_the_focal_point_starts_with_a_language_and_the_earlier_answers(
    client, focal_point, country, published_version
):
    earlier = factories.CycleFactory(
        version=published_version,
        opens_on=timezone.localdate() - datetime.timedelta(days=800),
        deadline=timezone.localdate() - datetime.timedelta(days=700),
    )
    earlier.countries.add(country)
    accepted = services.submission_create(cycle=earlier, country=country)
    accepted.status = SubmissionStatus.ACCEPTED  # history does not matter here
    accepted.save()
    cycle = factories.CycleFactory(version=published_version)
    cycle.countries.add(country)
    html = block(home_of(client, focal_point), cycle, country)
    assert f'action="{reverse("submission_start", args=[cycle.slug, country.iso2])}"' in html
    assert 'name="language"' in html
    assert 'name="carry_forward"' in html
    assert f"Start from our answers to {earlier.name}" in html
    assert "60 days left" in html


def test_others_are_told_who_starts_the_submission(client, contributor, cycle, country):
    cycle.countries.add(country)
    html = block(home_of(client, contributor), cycle, country)
    assert "<form" not in html
    assert "Your country's focal point starts the submission." in html


def test_escwas_home_reaches_each_cycles_dashboard_exports_and_compilation(
    client, reviewer, submission
):
    page = home_of(client, reviewer)
    slug = submission.cycle.slug
    for name in ("cycle_dashboard", "cycle_exports", "cycle_compilations"):
        assert f'href="{reverse(name, args=[slug])}"' in page


def test_home_for_a_focal_point_lists_only_their_country(
    client, focal_point, submission, other_country
):
    other = services.submission_create(cycle=submission.cycle, country=other_country)
    response = login(client, focal_point).get(reverse("home"))
    assert response.status_code == 200
    assert reverse("submission_detail", args=[submission.pk]) in response.text
    assert reverse("submission_detail", args=[other.pk]) not in response.text
    assert "Jordan" not in response.text


def test_home_for_a_member_says_when_a_cycle_has_no_submission_yet(
    client, focal_point, cycle, country
):
    cycle.countries.add(country)
    response = login(client, focal_point).get(reverse("home"))
    assert cycle.name in response.text
    assert "No submission yet for this cycle." in response.text


def test_home_for_a_reviewer_lists_every_submission(client, reviewer, submission, other_country):
    other = services.submission_create(cycle=submission.cycle, country=other_country)
    response = login(client, reviewer).get(reverse("home"))
    assert response.status_code == 200
    for sub in (submission, other):
        assert reverse("submission_detail", args=[sub.pk]) in response.text
    assert "Morocco" in response.text
    assert "Jordan" in response.text


def test_home_for_a_reviewer_names_the_countries_that_have_not_started(
    client, reviewer, submission
):
    # The `submission` fixture enrols Morocco and Jordan; only Morocco has started.
    page = login(client, reviewer).get(reverse("home")).text
    assert "No submission yet (1 country):" in page
    assert "Jordan" in page.split("No submission yet")[1]


def test_home_for_a_reviewer_names_who_did_not_take_part_in_a_closed_cycle(
    client, reviewer, submission
):
    submission.cycle.is_closed = True
    submission.cycle.save()
    page = login(client, reviewer).get(reverse("home")).text
    assert "Did not take part (1 country):" in page
    assert "No submission yet" not in page


def test_home_for_a_user_without_a_role_explains_why_it_is_empty(client):
    user = factories.UserFactory()
    response = login(client, user).get(reverse("home"))
    assert response.status_code == 200
    assert "No review cycle includes your country yet." in response.text


def test_home_queries_do_not_grow_with_countries(client, reviewer, cycle):
    login(client, reviewer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx)

    cycle.countries.add(factories.CountryFactory())
    few = count()
    for _ in range(6):
        country = factories.CountryFactory()
        cycle.countries.add(country)
        services.submission_create(cycle=cycle, country=country)
    factories.CycleFactory(version=cycle.version).countries.add(factories.CountryFactory())
    assert count() == few
