"""services.section_save: a section's answers saved all or nothing, every problem reported."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from questionnaire import services
from questionnaire.models import Answer, AnswerRevision, Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def section_one(submission):
    """The questions of section I, by key."""
    return {
        q.key: q
        for q in Question.objects.filter(version=submission.cycle.version, section__number="I")
    }


def test_a_section_is_saved_in_one_go(submission, section_one, contributor):
    mechanism, lead = section_one["mechanism"], section_one["lead"]
    saved = services.section_save(
        submission=submission,
        values_by_question={mechanism: "<p>Committee</p>", lead: "Ministry"},
        user=contributor,
        base_revisions={mechanism: 0, lead: 0},
    )
    assert {a.question.key for a in saved} == {"mechanism", "lead"}
    assert dict(Answer.objects.values_list("question__key", "value")) == {
        "mechanism": "<p>Committee</p>",
        "lead": "Ministry",
    }


def test_one_refused_value_saves_nothing_and_is_named_by_its_key(
    submission, section_one, contributor
):
    mechanism, lead = section_one["mechanism"], section_one["lead"]
    with pytest.raises(services.SectionSaveError) as refused:
        services.section_save(
            submission=submission,
            values_by_question={mechanism: "<p>Fine</p>", lead: "x" * 600},
            user=contributor,
            base_revisions={mechanism: 0, lead: 0},
        )
    assert isinstance(refused.value, ValidationError)
    assert list(refused.value.problems) == ["lead"]
    assert "the limit is 500" in refused.value.problems["lead"]
    assert refused.value.conflicts == {}
    assert not Answer.objects.exists()
    assert not AnswerRevision.objects.exists()


def test_a_conflict_saves_nothing_and_carries_the_stored_answer(
    submission, section_one, contributor
):
    mechanism, lead = section_one["mechanism"], section_one["lead"]
    theirs = services.answer_save(submission=submission, question=mechanism, value="<p>Theirs</p>")
    with pytest.raises(services.SectionSaveError) as refused:
        services.section_save(
            submission=submission,
            values_by_question={mechanism: "<p>Mine</p>", lead: "Ministry"},
            user=contributor,
            base_revisions={mechanism: 0, lead: 0},
        )
    assert refused.value.problems == {}
    assert refused.value.conflicts == {"mechanism": theirs}
    assert list(Answer.objects.values_list("question__key", "value")) == [
        ("mechanism", "<p>Theirs</p>")
    ]


def test_values_that_did_not_change_are_not_saved_again(submission, section_one, contributor):
    mechanism, lead = section_one["mechanism"], section_one["lead"]
    services.answer_save(submission=submission, question=mechanism, value="<p>Same</p>")
    saved = services.section_save(
        submission=submission,
        values_by_question={mechanism: "<p>Same</p>", lead: ""},
        user=contributor,
        base_revisions={mechanism: 1, lead: 0},
    )
    assert saved == []
    assert AnswerRevision.objects.count() == 1


def test_a_viewer_may_not_save_a_section(submission, section_one, viewer):
    mechanism = section_one["mechanism"]
    with pytest.raises(PermissionDenied):
        services.section_save(
            submission=submission,
            values_by_question={mechanism: "<p>Mine</p>"},
            user=viewer,
            base_revisions={mechanism: 0},
        )
    assert not Answer.objects.exists()
