"""Every API list answers in the same number of queries for one row as for many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

from .conftest import bearer

pytestmark = pytest.mark.django_db

LISTS = [
    ("api_cycles", ()),
    ("api_versions", ()),
    ("api_objectives", ()),
    ("api_submissions", ()),
    ("api_submission_answers", ("submission",)),
    ("api_submission_objectives", ("submission",)),
]


def _grow(world_cycle, count: int) -> None:
    """`count` more published submissions, in a cycle of their own, and more versions."""
    cycle = factories.cycle_with_countries(countries=count, statuses=("published",))
    factories.cycle_with_countries(countries=1, statuses=("published",), version=cycle.version)


def _queries(client, name, args, headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(f"api-v1:{name}", args=args), **headers)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("caller", ["anonymous", "reviewer", "focal_point"])
@pytest.mark.parametrize(("name", "args"), LISTS)
def test_lists_run_constant_queries(api_world, client, name, args, caller):
    headers = bearer(api_world.tokens[caller]) if caller != "anonymous" else {}
    real_args = [api_world.submissions["MA"].pk for _ in args]
    _queries(client, name, real_args, headers)  # a token's first use is noted (one UPDATE)
    small = _queries(client, name, real_args, headers)
    _grow(api_world.cycle, 4)
    # A bigger questionnaire for the answers: many questions, one submission published.
    big = factories.build_submission(
        country=factories.CountryFactory(), sections=4, questions_per_type=2
    )
    assert _queries(client, name, real_args, headers) == small, "more rows, more queries"
    if args:
        from questionnaire import services

        for step in ("submitted", "accepted", "published"):
            big = services.submission_transition(submission=big, to_status=step)
        assert _queries(client, name, [big.pk], headers) == small


def test_an_answers_page_runs_a_known_number_of_queries(
    api_world, client, django_assert_num_queries
):
    url = reverse("api-v1:api_submission_answers", args=[api_world.submissions["MA"].pk])
    # The submission; its answers; sections; questions; conditions; objectives.
    with django_assert_num_queries(6):
        client.get(url)
