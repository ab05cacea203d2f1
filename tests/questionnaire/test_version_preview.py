"""The preview of a questionnaire version: who may open it and what it says of each question."""

import pytest
from django.urls import reverse

from questionnaire.models import QuestionType
from tests import factories
from tests.factories import build_submission, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("reviewer", 200),
        ("admin_user", 200),
        # permissions.can lets any country member preview (to prepare their answers).
        ("focal_point", 200),
        ("no_role_user", 403),
    ],
)
def test_who_may_preview_a_version(client, request, published_version, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    response = login(client, user).get(reverse("version_preview", args=[published_version.pk]))
    assert response.status_code == status


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory()


def test_preview_describes_each_question(client, reviewer, country, objectives):
    version = build_submission(country=country, sections=1).cycle.version
    question = version.questions.get(type=QuestionType.SHORT_TEXT)
    response = login(client, reviewer).get(reverse("version_preview", args=[version.pk]))
    assert response.status_code == 200
    assert question.text in response.text
    assert "Short text on one line, up to 500 characters." in response.text
    assert "Long text: paragraphs and bulleted or numbered lists, up to 20,000 characters." in (
        response.text
    )
    assert "<li>Second option</li>" in response.text
    assert '<th scope="col">Role in the review</th>' in response.text
    assert response.text.count("Objective title") == 23


def test_preview_of_a_missing_version_is_404(client, reviewer):
    assert login(client, reviewer).get(reverse("version_preview", args=[999])).status_code == 404


def test_a_draft_version_is_previewed_by_staff_only(client, reviewer, focal_point):
    draft = factories.VersionFactory()
    factories.SectionFactory(version=draft)
    url = reverse("version_preview", args=[draft.pk])
    assert login(client, focal_point).get(url).status_code == 404
    assert login(client, reviewer).get(url).status_code == 200
