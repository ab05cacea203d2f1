"""Fixtures shared by the questionnaire's tests."""

import pytest

from questionnaire.models import Objective


@pytest.fixture
def objectives(db):
    return Objective.objects.bulk_create(
        Objective(number=n, title=f"Objective title {n}", short_label=f"Objective {n}")
        for n in range(1, 24)
    )
