"""The public pages: published national reviews only, without logging in, and nothing else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import selectors
from questionnaire.models import Submission, SubmissionStatus
from tests import factories

pytestmark = pytest.mark.django_db

UNPUBLISHED = ["draft", "submitted", "returned", "accepted"]


@pytest.fixture
def six(db):
    """One country in each state, the last one published."""
    return factories.cycle_with_countries(countries=6)


def published(cycle):
    return Submission.objects.get(cycle=cycle, status=SubmissionStatus.PUBLISHED)


def test_the_index_lists_only_published_reviews(client, six):
    response = client.get(reverse("public_index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert published(six).country.name in html
    for submission in six.submissions.exclude(status=SubmissionStatus.PUBLISHED):
        assert submission.country.name not in html
        assert reverse("public_submission", args=[submission.pk]) not in html
    # Countries that never started are not named either.
    for country in six.countries.filter(submissions__isnull=True):
        assert country.name not in html


def test_a_cycle_page_lists_its_published_reviews(client, six):
    response = client.get(reverse("public_cycle", args=[six.slug]))
    assert response.status_code == 200
    assert [s.pk for s in response.context["entry"].submissions] == [published(six).pk]


def test_a_cycle_with_nothing_published_is_404(client):
    cycle = factories.cycle_with_countries(countries=4, statuses=("draft", "accepted"))
    assert client.get(reverse("public_cycle", args=[cycle.slug])).status_code == 404
    assert client.get(reverse("public_cycle", args=["no-such-cycle"])).status_code == 404
    assert selectors.public_cycles() == []


def test_a_published_review_reads_without_logging_in(client, six):
    submission = published(six)
    response = client.get(reverse("public_submission", args=[submission.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert submission.country.name in html
    assert "Ministry of Labour of" in html  # an answer, through render_answer
    # The public page offers no way into the portal's working pages.
    assert f'href="{reverse("submission_detail", args=[submission.pk])}' not in html


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_any_other_submission_is_404(client, six, status):
    submission = Submission.objects.get(cycle=six, status=status)
    assert client.get(reverse("public_submission", args=[submission.pk])).status_code == 404
    assert client.get(reverse("public_submission_pdf", args=[submission.pk])).status_code == 404


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_staff_get_no_more_from_the_public_pages_than_anyone(client, six, reviewer, status):
    client.force_login(reviewer)
    submission = Submission.objects.get(cycle=six, status=status)
    assert client.get(reverse("public_submission", args=[submission.pk])).status_code == 404


def test_a_published_review_downloads_as_pdf(client, six):
    submission = published(six)
    response = client.get(reverse("public_submission_pdf", args=[submission.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")


def test_the_login_page_links_to_the_published_reviews(client):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("public_index")}"' in html
    assert "Published national reviews" in html


def test_public_pages_do_not_ask_to_log_in(client, six):
    for path in (
        reverse("public_index"),
        reverse("public_cycle", args=[six.slug]),
        reverse("public_submission", args=[published(six).pk]),
    ):
        assert client.get(path).status_code == 200


def test_public_queries_do_not_grow_with_the_number_of_countries(client):
    statuses = ("published", "draft")
    small = factories.cycle_with_countries(countries=3, statuses=statuses)
    large = factories.cycle_with_countries(countries=12, statuses=statuses)

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx)

    for name, small_args, large_args in [
        ("public_cycle", [small.slug], [large.slug]),
        ("public_submission", [published_pk(small)], [published_pk(large)]),
    ]:
        count(reverse(name, args=small_args))
        assert count(reverse(name, args=small_args)) == count(reverse(name, args=large_args))
    # The index lists every cycle: one query, however many countries and cycles.
    assert count(reverse("public_index")) == 1


def published_pk(cycle):
    return cycle.submissions.filter(status=SubmissionStatus.PUBLISHED).first().pk
