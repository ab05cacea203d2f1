"""What the answering page costs in SQL: the same for the demo and for 200 questions.

The section page and an autosave each run a fixed number of queries, whatever the number of
sections, questions and answers (times belong in bench/answering.py, not here).
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from questionnaire import selectors, services
from questionnaire.models import Answer, Question, QuestionCondition, QuestionType, Submission
from tests import factories

pytestmark = pytest.mark.django_db

# session, user, the user's memberships, the submission (with cycle, country, version), its
# answers (with who saved them), the sections, their questions, the questions' conditions (with
# the questions they depend on), the section's open review comments, the country's previous
# cycle (none here: it would add one read of its answers); plus the GCM objectives on a section
# with an objectives grid (and, while the submission is returned, the event that returned it).
SECTION_PAGE_QUERIES = 10
# The same four reads (session, user, memberships, submission) and the question; the save
# (savepoint, the submission read again and locked, so that a submit cannot slip in between,
# the question's conditions (none), the answer locked, its update, the revision, the
# submission's activity time, release); then the progress shown beside the sections, by the one
# rule (the questions, all conditions, the answers, the values the conditions look at).
AUTOSAVE_QUERIES = 17
# A question with conditions: the rule over the saved answers, before saving (as above).
CONDITION_CHECK_QUERIES = 4


@pytest.fixture
def demo(db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")


@pytest.fixture
def jordan(demo):
    return User.objects.get(username="jordan")


@pytest.fixture
def large(demo, jordan):
    """200 questions in 4 sections, every type in turn, all answered by Jordan's focal point;
    about half of them shown only when an earlier answer calls for it (it does)."""
    version = factories.every_type_version(sections=4, questions=50, prefix="big", conditional=True)
    assert QuestionCondition.objects.filter(question__version=version).count() == 88
    submission = factories.every_type_submission(country=demo.country, version=version, user=jordan)
    assert submission.answers.count() == 200
    return submission


def count_queries(client, method, url, **kwargs):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, response.content[:500]
    return len(ctx), ctx


def has_grid(submission, number):
    return Question.objects.filter(
        version=submission.cycle.version_id,
        section__number=number,
        type=QuestionType.OBJECTIVES_GRID,
    ).exists()


def test_the_section_page_costs_the_same_for_the_demo_and_for_200_questions(
    client, demo, large, jordan
):
    client.force_login(jordan)
    counts = {}
    for submission in (demo, large):
        for section in submission.cycle.version.sections.all():
            url = reverse("answer_section", args=[submission.pk, section.number])
            n, ctx = count_queries(client, "get", url)
            expected = SECTION_PAGE_QUERIES + has_grid(submission, section.number)
            assert n == expected, "\n".join(q["sql"][:200] for q in ctx.captured_queries)
            counts[(submission.pk, section.number)] = n
    # 50 questions of every type cost what the demo's section III (4 long texts and the grid)
    # costs; the demo's other sections have no grid, hence no objectives to read.
    assert counts[(demo.pk, "III")] == counts[(large.pk, "S1")] == SECTION_PAGE_QUERIES + 1
    assert counts[(demo.pk, "I")] == SECTION_PAGE_QUERIES


def autosave(client, submission, key, value):
    answer = Answer.objects.get(submission=submission, question__key=key)
    url = reverse("answer_autosave", args=[submission.pk, key])
    body = json.dumps({"value": value, "revision": answer.revision})
    return count_queries(client, "post", url, data=body, content_type="application/json")


def test_an_autosave_costs_the_same_for_the_demo_and_for_200_questions(client, demo, large, jordan):
    client.force_login(jordan)
    # An answer that exists already (the usual case: the first save creates it, the next ones
    # update it), in the demo and in the large questionnaire.
    small_n, _ctx = autosave(client, demo, "review-data-availability", "<p>Surveys.</p>")
    large_n, large_ctx = autosave(client, large, "big-3-0", "<p>The national committee.</p>")
    # A question shown only when an earlier answer calls for it costs a little more (its
    # conditions, and the answers they look at), the same for any number of questions.
    cond_n, cond_ctx = autosave(client, large, "big-3-9", "Ministry of Labour")
    listing = "\n".join(q["sql"][:200] for q in large_ctx.captured_queries)
    assert small_n == large_n == AUTOSAVE_QUERIES, listing
    listing = "\n".join(q["sql"][:200] for q in cond_ctx.captured_queries)
    assert cond_n == AUTOSAVE_QUERIES + CONDITION_CHECK_QUERIES, listing


def test_the_progress_read_in_four_queries_counts_only_this_submissions_answers(demo, large):
    """Another country's answers to the same questions count for nothing here; an answer saved
    empty counts as unanswered."""
    other = factories.CountryFactory()
    version = large.cycle.version
    large.cycle.countries.add(other)
    blank = services.submission_create(cycle=large.cycle, country=other)
    required = Question.objects.get(version=version, key="big-1-0")  # long text, required
    services.answer_save(submission=blank, question=required, value="<p> </p>")
    services.answer_save(
        submission=blank, question=Question.objects.get(version=version, key="big-1-1"), value="x"
    )

    with CaptureQueriesContext(connection) as ctx:
        progress = selectors.submission_progress(submission=blank)
    # The questions, their conditions, the answers, and the values the conditions look at.
    assert len(ctx) == 4
    # Nothing answered yet: the questions shown only for a "yes" are hidden (and "is over 100"
    # does not hold for an unanswered number), 22 per section; all of them are odd, optional.
    assert progress["total"] == 200 - 88
    assert progress["answered"] == 1
    assert progress["sections"]["S1"] == {
        "answered": 1,
        "unreviewed": 0,
        "total": 28,
        "missing_required": 25,
    }
    assert progress["missing_required"] == 100
    full = selectors.submission_progress(submission=large)
    assert (full["answered"], full["missing_required"]) == (200, 0)
