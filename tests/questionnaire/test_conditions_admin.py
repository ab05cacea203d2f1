"""Conditions in the admin: edited as fields on a question's page, refused when they could not be
evaluated, copied into new drafts by key, compared, checked again on publishing, previewed; and a
question others depend on is not deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from questionnaire import services
from questionnaire.models import (
    Question,
    QuestionCondition,
    QuestionnaireVersion,
    QuestionType,
    Section,
)
from tests import factories
from tests.factories import login
from tests.questionnaire.test_admin import action, change_url, form_data, url

pytestmark = pytest.mark.django_db

APPLIES = "Applies only when I.a is “Yes”."


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(published_version):
    """A draft of the published version where I.a (mechanism) is a yes/no question: I.b (lead)
    is short text, II.a (policies) long text."""
    draft = services.questionnaire_version_create_draft(source=published_version)
    Question.objects.filter(version=draft, key="mechanism").update(type=QuestionType.YES_NO)
    return draft


def q(version, key) -> Question:
    return Question.objects.select_related("section").get(version=version, key=key)


@pytest.fixture
def conditional(draft):
    """II.a (policies) applies only when I.a (mechanism) is "yes"."""
    policies = q(draft, "policies")
    QuestionCondition.objects.create(
        question=policies, source=q(draft, "mechanism"), operator="equals", value="yes"
    )
    return policies


def with_conditions(data: dict, *rows: dict) -> dict:
    """Add rows to the conditions inline of a question's form data."""
    total = int(data["conditions-TOTAL_FORMS"])
    for i, row in enumerate(rows, start=total):
        data.update({f"conditions-{i}-{name}": value for name, value in row.items()})
    data["conditions-TOTAL_FORMS"] = str(total + len(rows))
    return {**data, "_save": "Save"}


def condition_errors(response) -> dict:
    formset = response.context["inline_admin_formsets"][0].formset
    return {name: " ".join(errors) for name, errors in formset.forms[-1].errors.items()}


# --- Editing ----------------------------------------------------------------------------------


def test_a_condition_is_added_on_the_questions_page(admin_client, draft):
    policies, mechanism = q(draft, "policies"), q(draft, "mechanism")
    data = form_data(admin_client.get(change_url(policies)))
    data.update(shown_when="any", allows_not_applicable="on")

    response = admin_client.post(
        change_url(policies),
        with_conditions(data, {"source": mechanism.pk, "operator": "equals", "value": "yes"}),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    policies.refresh_from_db()
    assert (policies.shown_when, policies.allows_not_applicable) == ("any", True)
    assert [(c.source, c.operator, c.value) for c in policies.conditions.all()] == [
        (mechanism, "equals", "yes")
    ]


def test_a_condition_is_changed_and_removed_on_the_questions_page(admin_client, draft, conditional):
    data = form_data(admin_client.get(change_url(conditional)))
    assert data["conditions-0-value"] == "yes"
    data["conditions-0-operator"] = "not_equals"

    assert admin_client.post(change_url(conditional), {**data, "_save": "Save"}).status_code == 302
    assert conditional.conditions.get().operator == "not_equals"

    data["conditions-0-DELETE"] = "on"
    assert admin_client.post(change_url(conditional), {**data, "_save": "Save"}).status_code == 302
    assert not conditional.conditions.exists()


def test_the_earlier_question_is_chosen_among_earlier_comparable_questions_in_order(
    admin_client, draft
):
    Question.objects.filter(version=draft, key="lead").update(
        type=QuestionType.NUMBER, text="How many ministries " + "take part " * 10 + "?"
    )
    page = admin_client.get(change_url(q(draft, "policies")))
    field = page.context["inline_admin_formsets"][0].formset.empty_form.fields["source"]

    assert [label for _value, label in field.choices] == [
        "---------",
        f"I.a) {q(draft, 'mechanism').text}",
        "I.b) How many ministries take part take part take part take part take part…",
    ]
    # The first question has nothing earlier to depend on.
    first = admin_client.get(change_url(q(draft, "mechanism")))
    empty = first.context["inline_admin_formsets"][0].formset.empty_form
    assert list(empty.fields["source"].choices) == [("", "---------")]


def test_a_new_question_with_a_condition_is_added(admin_client, draft):
    section = draft.sections.get(number="II")
    page = admin_client.get(url("questionnaire_question_add"))
    choices = page.context["inline_admin_formsets"][0].formset.empty_form.fields["source"].choices
    assert [group for group, _items in list(choices)[1:]] == [str(draft)]
    data = {
        "section": section.pk,
        "order": 5,
        "label": "b",
        "key": "budget",
        "text": "What budget?",
        "type": QuestionType.LONG_TEXT,
        "options": "{}",
        "shown_when": "all",
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
    }

    response = admin_client.post(
        url("questionnaire_question_add"),
        with_conditions(
            data, {"source": q(draft, "mechanism").pk, "operator": "equals", "value": "no"}
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    budget = q(draft, "budget")
    assert [(c.source.key, c.value) for c in budget.conditions.all()] == [("mechanism", "no")]


@pytest.mark.parametrize(
    ("source_key", "operator", "value", "field", "message"),
    [
        ("policies", "equals", "yes", "source", "A question cannot depend on itself."),
        (
            "later",
            "equals",
            "yes",
            "source",
            "II.b comes after this question: a question can only depend on an earlier one.",
        ),
        (
            "other-version",
            "equals",
            "yes",
            "source",
            "The earlier question must belong to the same questionnaire version.",
        ),
        (
            "lead",
            "equals",
            "x",
            "source",
            "I.b is a “Short text” question: only a choice, yes/no or number "
            "question can decide whether another is shown.",
        ),
        (
            "mechanism",
            "greater_than",
            "1",
            "operator",
            "A “Yes / no with explanation” question cannot be compared with “is greater than”.",
        ),
        (
            "mechanism",
            "equals",
            "maybe",
            "value",
            "“maybe” is not an answer of I.a; its answers are: yes, no.",
        ),
        (
            "choice",
            "one_of",
            "law, maybe",
            "value",
            "“maybe” is not an answer of I.d; its answers are: law, plan.",
        ),
        ("", "equals", "yes", "source", "This field is required."),
        ("mechanism", "equals", "", "value", "Give the value the earlier answer must have."),
        ("number", "less_than", "many", "value", "Give a number, with a point for decimals"),
    ],
)
def test_a_condition_that_could_not_be_evaluated_is_refused_on_its_field(
    admin_client, draft, published_version, source_key, operator, value, field, message
):
    policies = q(draft, "policies")
    factories.QuestionFactory(
        section=policies.section, key="later", label="b", order=2, type=QuestionType.YES_NO
    )
    factories.QuestionFactory(
        section=q(draft, "mechanism").section,
        key="number",
        label="c",
        order=3,
        type=QuestionType.NUMBER,
    )
    factories.QuestionFactory(
        section=q(draft, "mechanism").section,
        key="choice",
        label="d",
        order=4,
        type=QuestionType.SINGLE_CHOICE,
        options={
            "choices": [{"value": "law", "label": "A law"}, {"value": "plan", "label": "A plan"}]
        },
    )
    source = (
        q(published_version, "mechanism")
        if source_key == "other-version"
        else q(draft, source_key)
        if source_key
        else None
    )
    data = form_data(admin_client.get(change_url(policies)))
    data["text"] = "Changed?"

    response = admin_client.post(
        change_url(policies),
        with_conditions(
            data, {"source": source.pk if source else "", "operator": operator, "value": value}
        ),
    )

    assert response.status_code == 200
    assert message in condition_errors(response)[field]
    assert not QuestionCondition.objects.exists()
    assert q(draft, "policies").text != "Changed?"


def test_a_condition_whose_source_moved_after_it_is_shown_with_its_error(
    admin_client, draft, conditional
):
    Section.objects.filter(pk=q(draft, "mechanism").section_id).update(order=9)
    data = form_data(admin_client.get(change_url(conditional)))
    assert data["conditions-0-source"] == q(draft, "mechanism").pk  # still offered

    response = admin_client.post(change_url(conditional), {**data, "_save": "Save"})

    assert response.status_code == 200
    assert "I.a comes after this question" in condition_errors(response)["source"]


def test_a_question_others_depend_on_cannot_move_after_them(admin_client, draft, conditional):
    mechanism = q(draft, "mechanism")
    data = form_data(admin_client.get(change_url(mechanism)))
    data["section"] = conditional.section_id
    data["label"] = "z"
    data["order"] = 9

    response = admin_client.post(change_url(mechanism), {**data, "_save": "Save"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "II.a depends on this question, which must come first." in errors["order"]
    assert q(draft, "mechanism").section.number == "I"


def test_a_question_others_depend_on_keeps_a_type_that_holds_their_value(
    admin_client, draft, conditional
):
    mechanism = q(draft, "mechanism")
    data = form_data(admin_client.get(change_url(mechanism)))
    data["type"] = QuestionType.LONG_TEXT

    response = admin_client.post(change_url(mechanism), {**data, "_save": "Save"})

    assert response.status_code == 200
    assert "II.a depends on this question: I.a is a “Long text" in str(
        response.context["adminform"].form.errors["type"]
    )
    assert q(draft, "mechanism").type == QuestionType.YES_NO


def test_a_published_versions_conditions_are_shown_read_only(admin_client, draft, conditional):
    services.questionnaire_version_publish(version=draft)

    page = admin_client.get(change_url(conditional))

    assert page.status_code == 200
    text = page.content.decode()
    assert "I.a) " in text
    assert "yes (Yes), no (No)" in text
    assert 'name="conditions-0-source"' not in text


# --- Deleting -----------------------------------------------------------------------------------


def test_a_question_others_depend_on_is_not_deleted_and_the_page_says_which(
    admin_client, draft, conditional
):
    mechanism = q(draft, "mechanism")
    delete = url("questionnaire_question_delete", mechanism.pk)

    page = admin_client.get(delete)
    refused = admin_client.post(delete, {"post": "yes"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Other questions depend on what you are deleting" in text
    assert f"II.a) {conditional.text}: {APPLIES}" in text
    assert refused.status_code == 200
    assert Question.objects.filter(pk=mechanism.pk).exists()


def test_bulk_delete_of_questions_refuses_one_others_depend_on(admin_client, draft, conditional):
    mechanism = q(draft, "mechanism")
    changelist = url("questionnaire_question_changelist")
    data = {"action": "delete_selected", "_selected_action": [mechanism.pk], "post": "yes"}

    response = admin_client.post(changelist, data)

    assert "Other questions depend on what you are deleting" in response.content.decode()
    assert Question.objects.filter(pk=mechanism.pk).exists()
    # With the question that depends on it, both go.
    data["_selected_action"] = [mechanism.pk, conditional.pk]
    assert admin_client.post(changelist, data).status_code == 302
    assert not Question.objects.filter(pk__in=[mechanism.pk, conditional.pk]).exists()


def test_a_section_whose_questions_others_depend_on_is_not_deleted(
    admin_client, draft, conditional
):
    first = draft.sections.get(number="I")

    response = admin_client.post(url("questionnaire_section_delete", first.pk), {"post": "yes"})

    assert response.status_code == 200
    assert "Other questions depend on what you are deleting" in response.content.decode()
    assert Section.objects.filter(pk=first.pk).exists()
    # The section holding the dependent question goes, its conditions with it.
    second = conditional.section
    assert (
        admin_client.post(url("questionnaire_section_delete", second.pk), {"post": "yes"})
    ).status_code == 302
    assert not QuestionCondition.objects.exists()


def test_deleting_such_a_section_or_question_inline_is_a_form_error(
    admin_client, draft, conditional
):
    page = admin_client.get(change_url(draft))
    data = form_data(page)
    index = next(
        i
        for i, form in enumerate(page.context["inline_admin_formsets"][0].formset.forms)
        if form.instance.number == "I"
    )
    data[f"sections-{index}-DELETE"] = "on"

    response = admin_client.post(change_url(draft), {**data, "_save": "Save"})

    assert response.status_code == 200
    assert "Other questions depend on what you are deleting" in response.content.decode()
    assert draft.sections.filter(number="I").exists()

    section = q(draft, "mechanism").section
    data = form_data(admin_client.get(change_url(section)))
    data["questions-0-DELETE"] = "on"  # mechanism, the first by order
    response = admin_client.post(change_url(section), {**data, "_save": "Save"})
    assert response.status_code == 200
    assert "II.a) " in response.content.decode()
    assert Question.objects.filter(version=draft, key="mechanism").exists()


def test_a_whole_draft_with_conditions_is_deleted(admin_client, draft, conditional):
    response = action(admin_client, "delete_selected", [draft], post="yes")

    assert response.status_code == 302
    assert not QuestionnaireVersion.objects.filter(pk=draft.pk).exists()
    assert not QuestionCondition.objects.exists()


# --- Drafts, comparing, publishing, the preview --------------------------------------------


def test_a_new_draft_copies_conditions_by_key(draft, conditional):
    Question.objects.filter(pk=conditional.pk).update(shown_when="any", allows_not_applicable=True)
    services.questionnaire_version_publish(version=draft)

    copy = services.questionnaire_version_create_draft(source=draft)

    policies = q(copy, "policies")
    assert (policies.shown_when, policies.allows_not_applicable) == ("any", True)
    condition = policies.conditions.get()
    assert condition.source == q(copy, "mechanism")
    assert (condition.operator, condition.value) == ("equals", "yes")
    assert q(draft, "policies").conditions.get().source == q(draft, "mechanism")


def test_compare_shows_a_changed_condition_and_not_applicable_in_words(
    admin_client, published_version, draft, conditional
):
    Question.objects.filter(pk=conditional.pk).update(allows_not_applicable=True)

    response = admin_client.get(
        url("questionnaire_questionnaireversion_compare", draft.pk),
        {"other": published_version.pk},
    )

    changed = {old.key: fields for old, _new, fields in response.context["diff"].changed}
    assert changed["policies"] == ["allows_not_applicable", "conditions"]
    assert changed["mechanism"] == ["type"]
    text = response.content.decode()
    assert "Always" in text
    assert APPLIES in text
    assert "May be answered “not applicable”" in text


def test_compare_sees_no_change_in_conditions_copied_by_key(draft, conditional):
    services.questionnaire_version_publish(version=draft)
    copy = services.questionnaire_version_create_draft(source=draft)

    from questionnaire import selectors

    assert selectors.version_compare(old=draft, new=copy).changed == []


def test_publishing_refuses_a_condition_on_a_question_that_moved_after_it(draft, conditional):
    Section.objects.filter(pk=q(draft, "mechanism").section_id).update(order=9)

    with pytest.raises(ValidationError) as refused:
        services.questionnaire_version_publish(version=draft)

    assert (
        "II.a (policies): I.a comes after this question: a question can only depend on an "
        "earlier one." in refused.value.messages
    )


def test_the_publish_action_names_the_question_whose_condition_no_longer_holds(
    admin_client, draft, conditional
):
    Question.objects.filter(pk=q(draft, "mechanism").pk).update(type=QuestionType.LONG_TEXT)

    response = action(admin_client, "publish_versions", [draft], post="yes", publish_anyway="yes")

    assert response.status_code == 302
    messages = admin_client.get(response.url).content.decode()
    assert "II.a (policies): I.a is a “Long text" in messages
    draft.refresh_from_db()
    assert draft.is_editable


def test_the_preview_says_when_a_question_applies_and_that_it_may_be_not_applicable(
    client, reviewer, draft, conditional
):
    Question.objects.filter(pk=conditional.pk).update(allows_not_applicable=True)

    page = login(client, reviewer).get(reverse("version_preview", args=[draft.pk]))

    text = page.content.decode()
    assert text.count(APPLIES) == 1
    assert text.count("May be answered “Not applicable”.") == 1


def test_the_question_page_and_its_conditions_render_in_arabic(admin_client, admin_user, draft):
    admin_user.language = "ar"
    admin_user.save()

    page = admin_client.get(change_url(q(draft, "policies")), HTTP_ACCEPT_LANGUAGE="ar")

    assert page.status_code == 200
    assert 'lang="ar"' in page.content.decode()
