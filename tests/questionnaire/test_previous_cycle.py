"""Issue 14 on the demo: version 2's conditional I.b and its yes/no I.a, Morocco's 2024 answers
started from 2020 (not reviewed until someone looks), and last cycle's answer beside this one."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from questionnaire import selectors, services
from questionnaire.models import Country, QuestionType, ReviewCycle, Submission
from tests import factories

pytestmark = pytest.mark.django_db

MECHANISM, LEAD, ENTITIES = (
    "review-coordination-mechanism",
    "review-lead-entity",
    "review-government-entities",
)


@pytest.fixture
def demo(db):
    # Morocco starts 2024 itself here: without the demo's invented 2024 review of Morocco.
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)


@pytest.fixture
def morocco_2024(demo):
    """Morocco starts 2024 from its 2020 answers, as its focal point does from the home page."""
    return services.submission_create(
        cycle=ReviewCycle.objects.get(slug="arab-2024"),
        country=Country.objects.get(iso2="MA"),
        user=User.objects.get(username="morocco"),
        carry_forward=True,
    )


def test_version_2_asks_i_a_as_yes_or_no_and_i_b_only_after_a_yes(demo):
    cycle = ReviewCycle.objects.get(slug="arab-2024")
    questions = {q.key: q for q in cycle.version.questions.all()}
    assert questions[MECHANISM].type == QuestionType.YES_NO
    condition = questions[LEAD].conditions.get()
    made = (condition.source.key, condition.operator, condition.value)
    assert made == (MECHANISM, "equals", "yes")
    assert questions["review-local-authorities"].allows_not_applicable
    # Version 1, the historical record, is as it was.
    old = ReviewCycle.objects.get(slug="arab-2020").version.questions.get(key=MECHANISM)
    assert old.type == QuestionType.LONG_TEXT and not old.dependent_conditions.exists()


def test_carried_answers_are_to_review_not_answered(morocco_2024):
    progress = selectors.submission_progress(submission=morocco_2024)
    # I.a changed type (not carried), so I.b, carried, is hidden until I.a is "yes".
    assert progress["sections"]["I"] == {
        "answered": 0,
        "unreviewed": 6,
        "total": 7,
        "missing_required": 1,
    }
    assert progress["answered"] == 0 and progress["unreviewed"] == 22


def test_the_answering_page_shows_last_cycles_answer_and_what_changed(client, morocco_2024):
    client.force_login(User.objects.get(username="morocco"))
    url = reverse("answer_section", args=[morocco_2024.pk, "I"])
    page = client.get(url).content.decode()
    assert page.count("Your answer in First regional review of the GCM in the Arab region") == 8
    # I.a was asked as long text: its answer is there for reference, open, to start from.
    assert "The question was asked differently then" in page
    assert "Start my explanation from this text" in page
    assert "No mechanism was established to coordinate the review" in page
    assert "What changed since" not in page  # nothing edited yet
    question = morocco_2024.cycle.version.questions.get(key=ENTITIES)
    answer = morocco_2024.answers.get(question=question)
    services.answer_save(
        submission=morocco_2024,
        question=question,
        value="<ul><li>The Ministry of the Interior;</li><li>The Ministry of Health.</li></ul>",
        user=User.objects.get(username="morocco"),
        base_revision=answer.revision,
    )
    page = client.get(url).content.decode()
    assert "What changed since First regional review of the GCM in the Arab region" in page
    assert '<ins><span class="visually-hidden" lang="en" dir="ltr">added: </span>Health' in page


def test_escwa_sees_what_changed_since_the_previous_cycle(client, morocco_2024):
    question = morocco_2024.cycle.version.questions.get(key=ENTITIES)
    services.answer_save(
        submission=morocco_2024,
        question=question,
        value="<p>The Ministry of Health.</p>",
        base_revision=None,
    )
    factories.login(client, User.objects.get(username="escwa"))
    page = client.get(reverse("submission_detail", args=[morocco_2024.pk])).content.decode()
    assert "Changed since the previous cycle (First regional review" in page
    assert "Unchanged since the previous cycle (First regional review" in page
    assert "Asked differently in First regional review" in page


def test_jordan_answers_i_b_only_after_a_yes(client, demo):
    jordan = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    assert jordan.answers.get(question__key=MECHANISM).value["answer"] == "yes"
    assert LEAD in [q.key for q in selectors.submission_missing_required(submission=jordan)]
    client.force_login(User.objects.get(username="jordan"))
    page = client.get(reverse("answer_section", args=[jordan.pk, "I"])).content.decode()
    assert "Applies only when I.a is “Yes”." in page
    assert "Not applicable to my country" in page  # I.d and I.h
