"""A small open-data world: one cycle where Morocco published, Jordan sent its answers and
Tunisia has a draft; the people who call the API, each with a personal token."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

from accounts import services as account_services
from questionnaire import services
from questionnaire.models import CountryRole
from tests import factories


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api_world(db):
    version = factories.cross_country_version()
    factories.gcm_objectives()
    cycle = factories.CycleFactory(version=version, slug="review-2024")
    countries = {
        iso2: factories.CountryFactory(iso2=iso2, iso3=iso3, name_en=name)
        for iso2, iso3, name in (("MA", "MAR", "Morocco"), ("JO", "JOR", "Jordan"),
                                 ("TN", "TUN", "Tunisia"))
    }  # fmt: skip
    cycle.countries.add(*countries.values())
    questions = {q.key: q for q in version.questions.all()}
    routes = {"MA": ["submitted", "accepted", "published"], "JO": ["submitted"], "TN": []}
    submissions = {}
    for iso2, steps in routes.items():
        submission = services.submission_create(cycle=cycle, country=countries[iso2])
        services.answer_save(
            submission=submission, question=questions["committee"], value="<p>A committee.</p>"
        )
        services.answer_save(
            submission=submission, question=questions["lead"], value=f"Ministry of {iso2}"
        )
        services.answer_save(
            submission=submission,
            question=questions["objectives"],
            value={"1": {"status": "planned", "note": "Data."}},
        )
        for step in steps:
            submission = services.submission_transition(submission=submission, to_status=step)
        submissions[iso2] = submission
    users = {
        "reviewer": factories.ReviewerFactory(),
        "focal_point": factories.MembershipFactory(
            country=countries["MA"], role=CountryRole.FOCAL_POINT
        ).user,
        "other_focal_point": factories.MembershipFactory(
            country=countries["JO"], role=CountryRole.FOCAL_POINT
        ).user,
        "viewer": factories.MembershipFactory(
            country=countries["MA"], role=CountryRole.VIEWER
        ).user,
    }
    tokens = {
        role: account_services.api_token_create(user=user, name=role)[1]
        for role, user in users.items()
    }
    return SimpleNamespace(
        cycle=cycle,
        version=version,
        countries=countries,
        submissions=submissions,
        users=users,
        tokens=tokens,
    )


@pytest.fixture
def api_client():
    return Client()
