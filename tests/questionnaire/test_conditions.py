"""Issue 14: questions shown only when an earlier answer calls for them, "Not applicable" with a
reason, and the one rule (questionnaire/conditions.py) that every count reads."""

import decimal
import html
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from questionnaire import conditions, selectors, services
from questionnaire.models import (
    Answer,
    AnswerRevision,
    QuestionCondition,
    QuestionType,
)
from tests import factories

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "health", "label": "Health"},
    {"value": "labour", "label": "Labour"},
    {"value": "housing", "label": "Housing"},
]


@pytest.fixture
def version(db):
    """I.a yes/no; I.b only when I.a is yes; I.c a number; I.d only when I.c is over 10; I.e
    areas (several); I.f when I.e includes health or labour, or I.a is no; I.g may not apply;
    I.h only when I.b's question is shown and I.a is yes (a chain through I.b)."""
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    make = factories.QuestionFactory
    q = {}
    for order, (key, kind, required, options) in enumerate(
        [
            ("mech", QuestionType.YES_NO, True, {}),
            ("lead", QuestionType.LONG_TEXT, True, {}),
            ("count", QuestionType.NUMBER, False, {}),
            ("big", QuestionType.SHORT_TEXT, True, {}),
            ("areas", QuestionType.MULTIPLE_CHOICE, False, {"choices": CHOICES}),
            ("which", QuestionType.LONG_TEXT, False, {}),
            ("local", QuestionType.LONG_TEXT, True, {}),
        ],
        start=1,
    ):
        q[key] = make(
            section=section,
            key=key,
            label="abcdefg"[order - 1],
            type=kind,
            required=required,
            order=order,
            options=options,
            allows_not_applicable=key == "local",
        )
    QuestionCondition.objects.create(question=q["lead"], source=q["mech"], value="yes")
    QuestionCondition.objects.create(
        question=q["big"], source=q["count"], operator="greater_than", value="10"
    )
    which = q["which"]
    which.shown_when = "any"
    which.save()
    QuestionCondition.objects.create(
        question=which, source=q["areas"], operator="one_of", value="health, labour"
    )
    QuestionCondition.objects.create(question=which, source=q["mech"], value="no", order=1)
    return services.questionnaire_version_publish(version=version)


@pytest.fixture
def draft(version, country, focal_point):
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    return services.submission_create(cycle=cycle, country=country, user=focal_point)


def question(version, key):
    return version.questions.get(key=key)


def save(submission, key, value, user=None, **kwargs):
    return services.answer_save(
        submission=submission,
        question=question(submission.cycle.version, key),
        value=value,
        user=user,
        base_revision=None,
        **kwargs,
    )


def shown(submission):
    selectors.submissions_progress([submission])
    keys = dict(submission.cycle.version.questions.values_list("pk", "key"))
    return {keys[pk] for pk, state in submission.states.items() if state.shown}


YES = {"answer": "yes", "explanation": "<p>A committee.</p>"}
NO = {"answer": "no", "explanation": ""}


# --- The rule itself -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "operands", "subject", "expected"),
    [
        ("equals", ("yes",), frozenset({"yes"}), True),
        ("equals", ("yes",), frozenset({"no"}), False),
        ("equals", ("yes",), frozenset(), False),  # unanswered
        ("not_equals", ("yes",), frozenset(), True),  # unanswered: only "is not" holds
        ("not_equals", ("yes",), frozenset({"no"}), True),
        ("one_of", ("a", "b"), frozenset({"b", "c"}), True),
        ("one_of", ("a", "b"), frozenset({"c"}), False),
        ("greater_than", ("10",), decimal.Decimal("10.5"), True),
        ("greater_than", ("10",), decimal.Decimal("10"), False),
        ("less_than", ("10",), decimal.Decimal("-3"), True),
        ("equals", ("10",), decimal.Decimal("10.0"), True),
        ("greater_than", ("10",), None, False),
    ],
)
def test_one_condition(operator, operands, subject, expected):
    rule = conditions.Rule(source=1, operator=operator, operands=operands)
    assert conditions.rule_holds(rule, subject) is expected


def test_a_question_depending_on_a_hidden_one_sees_no_answer():
    rules = [
        conditions.QuestionRule(pk=1, section="I", kind="yes_no", required=True),
        conditions.QuestionRule(
            pk=2,
            section="I",
            kind="single_choice",
            required=True,
            rules=(conditions.Rule(1, "equals", ("yes",)),),
        ),
        conditions.QuestionRule(
            pk=3,
            section="I",
            kind="long_text",
            required=True,
            rules=(conditions.Rule(2, "equals", ("a",)),),
        ),
    ]
    facts = {
        1: conditions.AnswerFacts(has_value=True, subject=frozenset({"no"})),
        2: conditions.AnswerFacts(has_value=True, subject=frozenset({"a"})),
        3: conditions.AnswerFacts(has_value=True),
    }
    states = conditions.answer_states(rules, facts)
    assert [states[pk].shown for pk in (1, 2, 3)] == [True, False, False]
    progress = conditions.progress_from_states(rules, states)
    assert (progress["total"], progress["answered"], progress["missing_required"]) == (1, 1, 0)


# --- Which questions a submission shows, and what counts -----------------------------------------


def test_questions_appear_and_disappear_with_the_answers_they_depend_on(draft):
    # Nothing answered: I.b (needs yes), I.d (needs a number over 10) and I.f are hidden.
    assert shown(draft) == {"mech", "count", "areas", "local"}
    save(draft, "mech", YES)
    save(draft, "count", "12")
    assert shown(draft) == {"mech", "lead", "count", "big", "areas", "local"}
    save(draft, "areas", ["housing", "labour"])  # any of: I.e includes labour
    assert "which" in shown(draft)
    save(draft, "areas", ["housing"])
    save(draft, "mech", NO)  # ... or I.a is no
    assert shown(draft) == {"mech", "count", "big", "areas", "which", "local"}


def test_a_hidden_answer_is_kept_but_neither_counted_nor_missing_and_comes_back(draft):
    save(draft, "mech", YES)
    save(draft, "lead", "<p>The Ministry of Interior.</p>")
    progress = selectors.submission_progress(submission=draft)
    assert (progress["answered"], progress["total"], progress["missing_required"]) == (2, 5, 1)
    save(draft, "mech", NO)
    progress = selectors.submission_progress(submission=draft)
    # I.b is hidden: not counted, not missing; I.f now applies (optional).
    assert (progress["answered"], progress["total"], progress["missing_required"]) == (1, 5, 1)
    assert [q.key for q in selectors.submission_missing_required(submission=draft)] == ["local"]
    lead = Answer.objects.get(submission=draft, question__key="lead")
    assert lead.value == "<p>The Ministry of Interior.</p>"  # kept
    save(draft, "mech", YES)
    assert selectors.submission_progress(submission=draft)["answered"] == 2  # back, with its value


def test_the_home_page_dashboard_and_reminders_count_by_the_same_rule(draft):
    save(draft, "mech", NO)
    save(draft, "local", "", not_applicable_reason="No local authorities.")
    selectors.submissions_progress([draft])
    page = selectors.submission_sections(submission=draft)
    by_sections = sum(entry.answered_count for entry in page), sum(e.total for e in page)
    assert by_sections == (draft.progress["answered"], draft.progress["total"]) == (2, 5)
    rows = selectors.cycle_dashboard(cycle=draft.cycle).all_rows
    row = next(r for r in rows if r.submission == draft)
    assert (row.answered, row.total, row.missing_required) == (2, 5, 0)


# --- Saving: the server decides ------------------------------------------------------------------


def test_a_save_to_a_hidden_question_is_refused_and_changes_nothing(draft, focal_point):
    with pytest.raises(ValidationError) as refused:
        save(draft, "lead", "<p>Typed anyway.</p>", user=focal_point)
    assert refused.value.code == "does_not_apply"
    assert "I.b does not apply with the answers given so far" in refused.value.messages[0]
    assert "Applies only when I.a is “Yes”." in refused.value.messages[0]
    assert not Answer.objects.filter(submission=draft, question__key="lead").exists()


def test_autosave_to_a_hidden_question_is_a_400_the_page_can_explain(client, draft, focal_point):
    factories.login(client, focal_point)
    response = client.post(
        reverse("answer_autosave", args=[draft.pk, "lead"]),
        data=json.dumps({"value": "<p>x</p>", "revision": 0}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "does_not_apply"
    assert not Answer.objects.filter(submission=draft).exists()


def section_post(question_values, **extra):
    data = {f"q-{key}": value for key, value in question_values.items()}
    data.update({f"q-{key}-revision": "0" for key in question_values})
    data.update(extra)
    return data


def test_the_form_without_javascript_decides_on_the_posted_answers(client, draft, focal_point):
    factories.login(client, focal_point)
    url = reverse("answer_section_save", args=[draft.pk, "I"])
    # I.a "no" and text in I.b, which then does not apply: refused, nothing saved, text kept.
    response = client.post(url, section_post({"mech": "no", "lead": "Ministry of Interior"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "I.b does not apply" in page and "Ministry of Interior" in page
    assert not Answer.objects.filter(submission=draft).exists()
    # I.a "yes" in the same post: I.b applies, both are saved.
    response = client.post(url, section_post({"mech": "yes", "lead": "Ministry of Interior"}))
    assert response.status_code == 302
    assert Answer.objects.filter(submission=draft).count() == 2


def test_an_unchanged_hidden_answer_does_not_stop_the_section_form(client, draft, focal_point):
    save(draft, "mech", YES)
    save(draft, "lead", "<p>Interior.</p>")
    save(draft, "mech", NO)
    factories.login(client, focal_point)
    revisions = dict(
        Answer.objects.filter(submission=draft).values_list("question__key", "revision")
    )
    data = section_post({"mech": "no", "mech-explanation": "Not yet.", "lead": "Interior."})
    data.update({f"q-{k}-revision": str(r) for k, r in revisions.items()})
    response = client.post(reverse("answer_section_save", args=[draft.pk, "I"]), data)
    assert response.status_code == 302
    assert Answer.objects.get(submission=draft, question__key="lead").revision == 1


def test_the_section_page_says_when_a_question_applies(client, draft, focal_point):
    save(draft, "mech", NO)
    factories.login(client, focal_point)
    page = client.get(reverse("answer_section", args=[draft.pk, "I"])).content.decode()
    assert "Applies only when I.a is “Yes”." in page
    assert "Applies only when I.e includes one of “Health”, “Labour” or I.a is “No”." in page
    assert "With the answers saved so far it does not apply" in page  # I.b, for the no-script page
    attribute = re.search(r'id="question-lead".*?data-shown-when="([^"]*)"', page, re.S)
    spec = json.loads(html.unescape(attribute.group(1)))
    assert spec == {
        "mode": "all",
        "rules": [
            {"source": "mech", "type": "yes_no", "op": "equals", "values": ["yes"], "held": False}
        ],
    }


# --- Not applicable ------------------------------------------------------------------------------


def test_not_applicable_needs_a_reason_and_counts_as_answered(draft, focal_point):
    with pytest.raises(ValidationError, match="Say briefly why"):
        save(draft, "local", "", user=focal_point, not_applicable_reason=None)
    with pytest.raises(ValidationError, match="cannot be answered “Not applicable”"):
        save(draft, "mech", YES, user=focal_point, not_applicable_reason="No reason.")
    with pytest.raises(ValidationError, match="the limit is 300"):
        save(draft, "local", "", user=focal_point, not_applicable_reason="x" * 301)
    assert not Answer.objects.filter(submission=draft).exists()
    save(draft, "local", "<p>Draft text.</p>", user=focal_point, not_applicable_reason=" None. ")
    answer = Answer.objects.get(submission=draft, question__key="local")
    assert answer.not_applicable_reason == "None."
    assert answer.value == "<p>Draft text.</p>"  # kept for when it applies again
    assert "local" not in [q.key for q in selectors.submission_missing_required(submission=draft)]
    assert answer.revisions.get().not_applicable_reason == "None."


def test_restoring_brings_back_whether_it_applied(draft, focal_point):
    save(draft, "local", "<p>Mayors.</p>", user=focal_point)
    answer = save(draft, "local", "<p>Mayors.</p>", user=focal_point, not_applicable_reason="No.")
    assert answer.revision == 2
    restored = services.answer_restore(answer=answer, revision=1, user=focal_point)
    assert (restored.revision, restored.not_applicable_reason) == (3, "")
    restored = services.answer_restore(answer=restored, revision=2, user=focal_point)
    assert restored.not_applicable_reason == "No."


def test_not_applicable_by_autosave_and_by_the_form(client, draft, focal_point):
    factories.login(client, focal_point)
    url = reverse("answer_autosave", args=[draft.pk, "local"])

    def autosave(reason, revision=0):
        body = {"value": "", "revision": revision, "not_applicable": reason}
        return client.post(url, data=json.dumps(body), content_type="application/json")

    assert autosave(None).json()["message"] == "Say briefly why this question does not apply."
    assert autosave(["list"]).json()["error"] == "malformed"
    data = autosave("No municipalities.").json()
    assert data["ok"] and data["answered"]
    form = reverse("answer_section_save", args=[draft.pk, "I"])
    refused = client.post(form, section_post({"local": ""}, **{"q-local-na": "yes"}))
    assert refused.status_code == 400
    assert "Say briefly why" in refused.content.decode()


# --- Carried forward is not reviewed ------------------------------------------------------------


@pytest.fixture
def carried(draft):
    """The draft with I.a and I.g carried forward from the previous cycle, not yet reviewed."""
    for key, value in (("mech", YES), ("local", "<p>Mayors were consulted.</p>")):
        save(draft, key, value, kind=AnswerRevision.Kind.CARRY_FORWARD)
    return draft


def test_carried_answers_are_not_answered_until_reviewed(carried, focal_point):
    progress = selectors.submission_progress(submission=carried)
    assert (progress["answered"], progress["unreviewed"], progress["missing_required"]) == (0, 2, 1)
    answer = Answer.objects.get(submission=carried, question__key="mech")
    confirmed = services.answer_confirm(answer=answer, user=focal_point, base_revision=1)
    assert (confirmed.revision, confirmed.prefilled, confirmed.value) == (2, False, YES)
    revision = confirmed.revisions.get(revision=2)
    assert (revision.kind, revision.created_by) == ("confirm", focal_point)
    progress = selectors.submission_progress(submission=carried)
    assert (progress["answered"], progress["unreviewed"]) == (1, 1)
    with pytest.raises(ValidationError, match="already reviewed"):
        services.answer_confirm(answer=confirmed, user=focal_point, base_revision=2)
    with pytest.raises(services.AnswerConflict):
        services.answer_confirm(answer=answer, user=focal_point, base_revision=1)


def test_still_accurate_from_the_page(client, carried, focal_point):
    factories.login(client, focal_point)
    page = client.get(reverse("answer_section", args=[carried.pk, "I"])).content.decode()
    assert "Still accurate" in page
    url = reverse("answer_confirm", args=[carried.pk, "local"])
    data = client.post(url, {"revision": 1}, HTTP_ACCEPT="application/json").json()
    assert data["ok"] and data["revision"] == 2 and data["answered"]
    assert data["progress"]["unreviewed"] == 1
    # Without the script: back to the question, with a message.
    response = client.post(reverse("answer_confirm", args=[carried.pk, "mech"]), {"revision": 1})
    assert response.status_code == 302 and response["Location"].endswith("#question-mech")
    assert not Answer.objects.filter(submission=carried, prefilled=True).exists()


def test_submitting_unreviewed_answers_needs_their_number(client, carried, focal_point):
    save(carried, "lead", "<p>Interior.</p>")
    factories.login(client, focal_point)
    check = client.get(reverse("submission_check", args=[carried.pk])).content.decode()
    assert "2 answers carried forward from the previous cycle are not yet reviewed" in check
    assert reverse("answer_section", args=[carried.pk, "I"]) + "#question-local" in check
    assert 'name="unreviewed" value="2"' in check
    submit = reverse("submission_submit", args=[carried.pk])
    client.post(submit, {"confirm": "yes"})
    carried.refresh_from_db()
    assert carried.is_draft
    client.post(submit, {"confirm": "yes", "unreviewed": "1"})  # not the number there is
    carried.refresh_from_db()
    assert carried.is_draft
    client.post(submit, {"confirm": "yes", "unreviewed": "2"})
    carried.refresh_from_db()
    assert carried.status == "submitted"


def test_the_dashboard_shows_how_many_carried_answers_were_not_reviewed(client, carried, reviewer):
    factories.login(client, reviewer)
    page = client.get(reverse("cycle_dashboard", args=[carried.cycle.slug])).content.decode()
    assert "2 carried forward, not reviewed" in page
