"""A new cycle may start from the country's accepted answers of the previous one, by key."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from questionnaire import services
from questionnaire.models import AnswerRevision, Question, QuestionType, SubmissionStatus
from tests import factories

pytestmark = pytest.mark.django_db
S = SubmissionStatus


@pytest.fixture
def accepted(complete_submission, focal_point, reviewer):
    services.answer_save(
        submission=complete_submission,
        question=Question.objects.get(version=complete_submission.cycle.version, key="policies"),
        value="<ul><li>Policy one</li></ul>",
    )
    services.submission_transition(
        submission=complete_submission, to_status=S.SUBMITTED, user=focal_point
    )
    return services.submission_transition(
        submission=complete_submission, to_status=S.ACCEPTED, user=reviewer
    )


@pytest.fixture
def next_cycle(accepted):
    draft = services.questionnaire_version_create_draft(source=accepted.cycle.version)
    Question.objects.get(version=draft, key="policies").delete()  # dropped in the new version
    lead = Question.objects.get(version=draft, key="lead")
    lead.text = "Who leads the review now?"
    lead.save()
    factories.QuestionFactory(section=draft.sections.first(), key="grid", label="z",
                              type=QuestionType.OBJECTIVES_GRID)  # fmt: skip
    version = services.questionnaire_version_publish(version=draft)
    cycle = factories.CycleFactory(
        version=version, opens_on=accepted.cycle.opens_on + datetime.timedelta(days=400),
        deadline=accepted.cycle.deadline + datetime.timedelta(days=400),
    )  # fmt: skip
    cycle.countries.add(accepted.country)
    return cycle


def test_prefill_copies_answers_by_key_and_marks_them(accepted, next_cycle, focal_point):
    new = services.submission_create(
        cycle=next_cycle, country=accepted.country, user=focal_point, carry_forward=True
    )
    answers = {a.question.key: a for a in new.answers.select_related("question")}
    assert set(answers) == {"mechanism", "lead"}  # "policies" was dropped, "grid" is new
    assert answers["lead"].value == "Ministry"
    assert all(a.prefilled for a in answers.values())
    assert new.carried_forward_from == accepted
    assert {r.kind for r in AnswerRevision.objects.filter(answer__submission=new)} == {
        AnswerRevision.Kind.CARRY_FORWARD
    }


def test_editing_a_prefilled_answer_clears_the_mark(accepted, next_cycle, focal_point):
    new = services.submission_create(
        cycle=next_cycle, country=accepted.country, user=focal_point, carry_forward=True
    )
    answer = new.answers.get(question__key="lead")
    edited = services.answer_save(
        submission=new, question=answer.question, value="Another ministry", user=focal_point,
        base_revision=answer.revision,
    )  # fmt: skip
    assert not edited.prefilled


def test_prefill_needs_an_accepted_earlier_submission(next_cycle, other_country, focal_point):
    next_cycle.countries.add(other_country)
    with pytest.raises(ValidationError):
        services.submission_create(cycle=next_cycle, country=other_country, carry_forward=True)


def test_a_closed_cycle_cannot_be_started(next_cycle, accepted):
    next_cycle.is_closed = True
    next_cycle.save()
    with pytest.raises(ValidationError):
        services.submission_create(cycle=next_cycle, country=accepted.country)
