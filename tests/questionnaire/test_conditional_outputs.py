"""Pages follow the one rule (conditions.answer_states): a question that earlier answers hide is
not shown (its kept answer comes back when it applies again), and "Not applicable" reads
"Not applicable: reason" everywhere."""

import pytest
from django.urls import reverse

from questionnaire import selectors
from questionnaire.models import Submission, SubmissionStatus
from tests import factories
from tests.conditions_data import BODY_NAME, OTHER_TEXT, REASON, conditional_submission
from tests.factories import login

pytestmark = pytest.mark.django_db

NOT_APPLICABLE = (
    '<p class="portal-not-applicable">Not applicable: '
    f'<span class="portal-not-applicable-reason" dir="auto">{REASON}</span></p>'
)


@pytest.fixture
def data(country):
    return conditional_submission(country=country)


def publish(submission):
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.PUBLISHED)


def reopen(submission):
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.DRAFT)


def test_the_submission_page_shows_not_applicable_with_its_reason(client, focal_point, data):
    url = reverse("submission_detail", args=[data.submission.pk])
    html = login(client, focal_point).get(url).text
    assert NOT_APPLICABLE in html
    assert "A value kept while not applicable" not in html
    assert BODY_NAME in html and OTHER_TEXT in html


def test_the_reason_is_escaped(client, focal_point, country):
    from questionnaire import services

    data = conditional_submission(country=country)
    services.answer_save(
        submission=data.submission,
        question=data.consulted,
        value="",
        not_applicable_reason="<b>none</b>",
    )
    html = (
        login(client, focal_point).get(reverse("submission_detail", args=[data.submission.pk])).text
    )
    assert "Not applicable: " in html
    assert "&lt;b&gt;none&lt;/b&gt;" in html and "<b>none</b>" not in html


@pytest.mark.parametrize("who", ["focal_point", "reviewer"])
def test_a_hidden_question_is_not_shown_on_the_submission_page_until_it_applies_again(
    client, request, data, who
):
    login(client, request.getfixturevalue(who))
    url = reverse("submission_detail", args=[data.submission.pk])
    data.answer_has_body("no")
    response = client.get(url)
    assert BODY_NAME not in response.text
    assert "Not shown: Applies only when I.a is “Yes”." in response.text
    section = response.context["sections"][0]
    assert section.total == 3  # the hidden question is not counted
    assert "3 of 3 questions answered" in response.text

    data.answer_has_body("yes")
    response = client.get(url)
    assert BODY_NAME in response.text  # kept, and back
    assert "Not shown:" not in response.text
    assert "4 of 4 questions answered" in response.text


def test_the_public_page_leaves_out_hidden_questions_and_shows_not_applicable(client, data):
    data.answer_has_body("no")
    publish(data.submission)
    url = reverse("public_submission", args=[data.submission.pk])
    html = client.get(url).text
    assert BODY_NAME not in html
    assert data.body_name.text not in html  # the question itself is not there either
    assert NOT_APPLICABLE in html

    reopen(data.submission)
    data.answer_has_body("yes")
    publish(data.submission)
    html = client.get(url).text
    assert BODY_NAME in html and data.body_name.text in html


def test_one_question_across_countries_names_apart_the_countries_it_does_not_apply_to(
    client, reviewer, data, other_country
):
    hidden_for = factories.CountryFactory(iso2="TN", name_en="Tunisia")
    tunisia = conditional_submission(country=hidden_for, cycle=data.submission.cycle)
    tunisia.answer_has_body("no")
    cycle = data.submission.cycle
    login(client, reviewer)

    page = selectors.cycle_question_across_countries(cycle=cycle, key=data.body_name.key)
    assert [row.country.iso2 for row in page.answered] == ["MA"]
    assert [row.country.iso2 for row in page.not_shown] == ["TN"]
    assert page.unanswered == []
    html = client.get(reverse("cycle_question", args=[cycle.slug, data.body_name.key])).text
    assert "Does not apply, by the conditions on earlier answers (1 country):" in html
    assert html.count(BODY_NAME) == 1  # Morocco's; Tunisia's kept answer is not shown

    # "Not applicable" counts as answered and shows its reason.
    page = selectors.cycle_question_across_countries(cycle=cycle, key=data.consulted.key)
    assert {row.country.iso2 for row in page.answered} == {"MA", "TN"}
    html = client.get(reverse("cycle_question", args=[cycle.slug, data.consulted.key])).text
    assert html.count(NOT_APPLICABLE) == 2

    tunisia.answer_has_body("yes")
    page = selectors.cycle_question_across_countries(cycle=cycle, key=data.body_name.key)
    assert [row.country.iso2 for row in page.answered] == ["MA", "TN"]
    assert page.not_shown == []


def test_search_leaves_out_hidden_and_not_applicable_answers(data):
    cycle = data.submission.cycle
    assert selectors.cycle_answer_search(cycle=cycle, query="Higher Committee").total == 1
    data.answer_has_body("no")
    assert selectors.cycle_answer_search(cycle=cycle, query="Higher Committee").total == 0
    assert selectors.cycle_answer_search(cycle=cycle, query="kept while").total == 0
    data.answer_has_body("yes")
    assert selectors.cycle_answer_search(cycle=cycle, query="Higher Committee").total == 1


def test_the_objectives_matrix_leaves_empty_a_grid_that_is_hidden_or_not_applicable(country):
    from questionnaire import services
    from questionnaire.models import QuestionCondition, QuestionType

    factories.gcm_objectives()
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    source = factories.QuestionFactory(
        section=section, key="m-yes", type=QuestionType.YES_NO, order=1
    )
    grid = factories.QuestionFactory(
        section=section,
        key="m-grid",
        type=QuestionType.OBJECTIVES_GRID,
        allows_not_applicable=True,
        order=5,
    )
    QuestionCondition.objects.create(question=grid, source=source, value="yes")
    cycle = factories.CycleFactory(version=services.questionnaire_version_publish(version=version))
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    services.answer_save(submission=submission, question=source, value={"answer": "yes"})
    services.answer_save(
        submission=submission, question=grid, value={"4": {"status": "planned", "note": "Kept"}}
    )

    def row():
        (row,) = selectors.cycle_objectives_matrix(cycle=cycle).rows
        return row

    assert row().has_answer
    services.answer_save(submission=submission, question=source, value={"answer": "no"})
    assert not row().has_answer
    services.answer_save(submission=submission, question=source, value={"answer": "yes"})
    assert row().cells[3].note == "Kept"
    services.answer_save(
        submission=submission,
        question=grid,
        value={"4": {"status": "planned", "note": "Kept"}},
        not_applicable_reason=REASON,
    )
    assert not row().has_answer
