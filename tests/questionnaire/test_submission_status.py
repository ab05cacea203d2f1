"""What pages ask about a submission's status: the model answers, templates never compare."""

import re
from pathlib import Path

import pytest

from questionnaire.models import ReviewCycle, Submission, SubmissionStatus

ROOT = Path(__file__).resolve().parent.parent.parent
S = SubmissionStatus

# status → (is_draft, is_returned, is_with_escwa, is_accepted, is_published, is_final)
TABLE = {
    S.DRAFT: (True, False, False, False, False, False),
    S.RETURNED: (False, True, False, False, False, False),
    S.SUBMITTED: (False, False, True, False, False, False),
    S.ACCEPTED: (False, False, True, True, False, True),
    S.PUBLISHED: (False, False, True, False, True, True),
}
QUESTIONS = ("is_draft", "is_returned", "is_with_escwa", "is_accepted", "is_published", "is_final")


def test_the_table_covers_every_status():
    assert set(TABLE) == set(SubmissionStatus)


@pytest.mark.parametrize("status", list(TABLE))
def test_each_question_about_the_status(status):
    submission = Submission(status=status)
    answers = tuple(getattr(submission, question) for question in QUESTIONS)
    assert dict(zip(QUESTIONS, answers, strict=True)) == dict(
        zip(QUESTIONS, TABLE[status], strict=True)
    )


@pytest.mark.parametrize("status", list(TABLE))
@pytest.mark.parametrize("closed", [False, True])
def test_editable_is_unsent_in_an_open_cycle(status, closed):
    submission = Submission(status=status, cycle=ReviewCycle(is_closed=closed))
    assert submission.is_editable == (not submission.is_with_escwa and not closed)


STATUS_TEST = re.compile(r"submission\.status\s*(==|!=|in\b|not in\b)")


def test_no_template_compares_a_submission_s_status():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*")
        if path.suffix in {".html", ".txt"}
        for match in STATUS_TEST.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "ask the model (Submission.is_returned, is_with_escwa, ...)"
