"""Fixtures shared by the questionnaire's tests."""

import pytest

from questionnaire import services
from questionnaire.models import Objective, SubmissionStatus
from tests import factories
from tests.factories import move, question


@pytest.fixture
def objectives(db):
    return Objective.objects.bulk_create(
        Objective(number=n, title=f"Objective title {n}", short_label=f"Objective {n}")
        for n in range(1, 24)
    )


@pytest.fixture
def big_cycle(db):
    """Six countries, one in each state: no submission, draft, submitted, returned, accepted,
    published."""
    return factories.cycle_with_countries(countries=6)


@pytest.fixture
def submitted(complete_submission, focal_point):
    return move(complete_submission, SubmissionStatus.SUBMITTED, focal_point)


@pytest.fixture
def returned(submitted, reviewer):
    return move(submitted, SubmissionStatus.RETURNED, reviewer, "Please name the lead ministry.")


@pytest.fixture
def comment(submission, reviewer):
    """ESCWA's open thread on the `mechanism` question."""
    return services.comment_add(
        submission=submission, question=question(submission), user=reviewer, body="Source?"
    )
