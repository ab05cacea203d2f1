"""What changed since the previous submission (selectors.changes, textdiff), and what it costs."""

import pytest

from questionnaire import selectors, services, textdiff
from questionnaire.models import (
    SubmissionStatus,
)
from tests.factories import answer, build_submission, move

pytestmark = pytest.mark.django_db
S = SubmissionStatus


# --- What changed since the previous submission ---------------------------------------------------


def test_nothing_to_compare_before_a_second_submission(submitted):
    assert selectors.submission_changes(submission=submitted) is None


def test_changes_between_the_previous_submission_and_now(returned, focal_point, reviewer):
    answer(returned, "mechanism", "<p>Answer</p><ul><li>Interior</li></ul>", focal_point)
    answer(returned, "lead", "Ministry of Interior", focal_point)
    answer(returned, "policies", "<p>A national strategy.</p>", focal_point)
    resubmitted = move(returned, S.SUBMITTED, focal_point)

    changes = selectors.submission_changes(submission=resubmitted)

    by_key = {c.question.key: c for c in changes.by_question.values()}
    assert changes.since.to_status == S.SUBMITTED
    assert (by_key["lead"].before, by_key["lead"].after) == ("Ministry", "Ministry of Interior")
    assert by_key["lead"].kind == "changed"
    assert by_key["policies"].kind == "added"
    assert by_key["mechanism"].kind == "changed"
    assert [line.kind for line in by_key["mechanism"].lines] == ["equal", "insert"]
    assert [c.question.key for c in changes.changed] == ["mechanism", "lead", "policies"]


def test_only_the_value_at_the_previous_submission_counts(returned, focal_point):
    answer(returned, "lead", "Ministry of Labour", focal_point)
    answer(returned, "lead", "Ministry", focal_point)  # back to what was submitted
    resubmitted = move(returned, S.SUBMITTED, focal_point)

    changes = selectors.submission_changes(submission=resubmitted)

    assert changes.changed == []
    assert all(c.kind == "unchanged" for c in changes.by_question.values())


def test_while_returned_the_changes_run_from_the_last_submission(returned, focal_point):
    answer(returned, "lead", "Ministry of Interior", focal_point)

    changes = selectors.submission_changes(submission=returned)

    assert [c.question.key for c in changes.changed] == ["lead"]


def test_the_changes_cost_two_queries_whatever_the_size(
    country, focal_point, reviewer, django_assert_num_queries
):
    submission = build_submission(country=country, sections=3)
    version = submission.cycle.version
    move(submission, S.SUBMITTED, None)
    move(submission, S.RETURNED, None, "Revise")
    for q in version.questions.filter(type="short_text"):
        services.answer_save(submission=submission, question=q, value="Changed", user=focal_point)
    submission = move(submission, S.SUBMITTED, None)

    with django_assert_num_queries(2):
        changes = selectors.submission_changes(submission=submission)

    assert len(changes.changed) == 3
    assert len(changes.by_question) == 27


def test_a_word_changed_in_a_long_line_is_shown_word_by_word():
    lines = textdiff.diff_lines(
        "The Ministry of Labour leads the review.", "The Ministry of Interior leads the review."
    )
    assert len(lines) == 1
    assert [(s.kind, s.text) for s in lines[0].segments] == [
        ("equal", "The Ministry of "),
        ("delete", "Labour"),
        ("insert", "Interior"),
        ("equal", " leads the review."),
    ]


def test_a_rewritten_line_is_shown_removed_then_added():
    lines = textdiff.diff_lines("Alpha beta gamma", "Completely different words here")
    assert [line.kind for line in lines] == ["delete", "insert"]
