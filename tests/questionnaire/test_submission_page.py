"""The submission page: who reaches it, what an answer looks like there, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire.models import Answer
from tests import factories
from tests.factories import answer, build_submission, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("focal_point", 200),
        ("contributor", 200),
        ("viewer", 200),
        ("reviewer", 200),
        ("admin_user", 200),
        ("other_focal_point", 404),
    ],
)
def test_who_may_open_a_submission(client, request, submission, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    response = login(client, user).get(reverse("submission_detail", args=[submission.pk]))
    assert response.status_code == status


def test_a_user_without_a_role_gets_404(client, submission):
    response = login(client, factories.UserFactory()).get(
        reverse("submission_detail", args=[submission.pk])
    )
    assert response.status_code == 404


def test_the_404_page_uses_the_portal_layout(client, other_focal_point, submission):
    response = login(client, other_focal_point).get(
        reverse("submission_detail", args=[submission.pk])
    )
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Morocco" not in response.text  # not even the country's name leaks


def test_submission_header(client, viewer, submission):
    response = login(client, viewer).get(reverse("submission_detail", args=[submission.pk]))
    version = submission.cycle.version
    assert "Morocco" in response.text
    assert submission.cycle.name in response.text
    assert f"<bdi>{version.questionnaire.title}</bdi>, version {version.number}" in response.text
    assert 'class="status-badge status-draft">Draft<' in response.text


def test_long_text_lists_render_as_list_items(client, focal_point, submission):
    answer(submission, "mechanism", "<ul><li>National committee</li><li>Survey</li></ul>")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<ul><li>National committee</li><li>Survey</li></ul>" in response.text


def test_short_text_is_escaped(client, focal_point, submission):
    answer(submission, "lead", "<script>alert('x')</script>")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<script>alert(" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.text


def test_long_text_is_cleaned_again_when_rendered(client, focal_point, submission):
    # Written past the service, as a bad import or a manual database edit would.
    question = submission.cycle.version.questions.get(key="mechanism")
    Answer.objects.create(
        submission=submission,
        question=question,
        value='<p onclick="steal()">Kept</p><script>steal()</script><img src=x onerror=steal()>',
    )
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<p>Kept</p>" in response.text
    assert "steal()" not in response.text


def test_unanswered_questions_say_so(client, focal_point, submission):
    answer(submission, "mechanism", "Answered.")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<p>Answered.</p>" in response.text
    assert response.text.count("Not answered") == 2  # "lead" and "policies"


def test_every_question_type_renders(client, focal_point, country, objectives):
    submission = build_submission(country=country, sections=1)
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    text = response.text
    assert response.status_code == 200
    assert "<li>Alpha item</li>" in text  # long text
    assert "Ministry of Labour" in text  # short text
    assert '<p class="mb-0">Second option</p>' in text  # single choice: the label
    assert "<li>First option</li><li>Second option</li>" in text  # multiple choice
    assert "<strong>Yes</strong>" in text and "<p>Because of the law.</p>" in text
    assert "1,250.5" in text  # grouped as English writes numbers
    assert 'datetime="2020-05-17"' in text
    assert '<th scope="col">Role in the review</th>' in text  # entry list column labels
    assert "<td>IOM</td><td>Adviser</td>" in text
    # Objectives grid: 23 rows titled from the Objective table, statuses from the scale.
    assert text.count('<th scope="row" class="fw-normal">Objective title') == 23
    assert "Planned" in text and "Birth registry" in text
    assert "Not answered" not in text


def test_submission_page_queries_do_not_grow_with_questions(client, focal_point, country):
    small = build_submission(country=country, sections=1)
    large = build_submission(country=country, sections=4, questions_per_type=3)
    assert large.answers.count() == 12 * small.answers.count()
    login(client, focal_point)

    def count(submission):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("submission_detail", args=[submission.pk]))
        assert response.status_code == 200
        return len(ctx)

    # Session, user, memberships, the submission (with its cycle, version and questionnaire), its
    # answers, the sections, their questions, the objectives, the timeline, the comment threads,
    # the publication agreement, the supporting documents, and the questions' conditions (which
    # decide, by the one rule, which questions the page shows).
    assert count(large) == count(small) <= 13
