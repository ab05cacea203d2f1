"""A question's type options in the admin: its choices, columns and scale steps edited as rows
(questionnaire/admin/options.py), on the question's page and on its section's page."""

import re

import pytest

from questionnaire import services
from questionnaire.models import Question, QuestionType
from tests import factories
from tests.questionnaire.browser_post import options_post, posted_fields
from tests.questionnaire.test_admin import change_url, form_data, question_post

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "law", "label": "A law", "label_ar": "قانون", "label_fr": "Une loi"},
    {"value": "plan", "label": "A plan", "label_ar": "خطة"},
    {"value": "none", "label": "None"},
]


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(published_version):
    return services.questionnaire_version_create_draft(source=published_version)


@pytest.fixture
def choice_question(draft):
    return factories.QuestionFactory(
        section=draft.sections.get(number="I"),
        key="instrument",
        label="c",
        order=3,
        type=QuestionType.SINGLE_CHOICE,
        options={"choices": CHOICES},
    )


def post(admin_client, question, rows: dict | None = None, **changes):
    """The question's page posted with its options' tables as rendered, then `rows` changed."""
    data = question_post(question, **changes)
    data.update(rows or {})
    return admin_client.post(change_url(question), data)


def values(question) -> list[str]:
    question.refresh_from_db()
    return [choice["value"] for choice in question.options["choices"]]


# --- Rows become the options ----------------------------------------------------------------------


def test_rows_typed_into_a_new_choice_list_become_the_options(admin_client, draft):
    question = Question.objects.get(version=draft, key="mechanism")  # long text, no options
    rows = {
        "options-choices-0-ident": "yes",
        "options-choices-0-label": "Yes",
        "options-choices-0-label_ar": "نعم",
        "options-choices-0-label_fr": "Oui",
        "options-choices-1-ident": " no ",
        "options-choices-1-label": "No",
    }

    response = post(admin_client, question, rows, type=QuestionType.SINGLE_CHOICE)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.options == {
        "choices": [
            {"value": "yes", "label": "Yes", "label_ar": "نعم", "label_fr": "Oui"},
            {"value": "no", "label": "No"},
        ]
    }


def test_an_unchanged_form_stores_exactly_what_it_showed(admin_client, draft):
    options = {
        "choices": [
            # A key the table does not show, and a translation stored empty.
            {"value": "law", "label": "A law ", "label_fr": "", "hint": {"x": [1, 2.5]}},
            {"value": "plan", "label": "A plan", "label_ar": "خطة"},
        ],
        "columns": "not a list",  # what a table cannot show stays in the other settings
        "max_length": 300,
        "note": None,
    }
    question = factories.QuestionFactory(
        section=draft.sections.get(number="I"),
        key="odd",
        label="c",
        order=3,
        type=QuestionType.MULTIPLE_CHOICE,
        options=options,
    )
    data = form_data(admin_client.get(change_url(question)))

    response = admin_client.post(change_url(question), {**data, "_save": "Save"})

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.options == options
    assert '"columns": "not a list"' in data["options"]  # the other settings, as JSON


def test_the_rows_follow_their_order_numbers(admin_client, choice_question):
    rows = {"options-choices-2-order": "1.5", "options-choices-0-order": "9"}

    assert post(admin_client, choice_question, rows).status_code == 302

    assert values(choice_question) == ["none", "plan", "law"]
    assert choice_question.options["choices"][2] == CHOICES[0]  # labels move with the value


def test_a_row_ticked_for_removal_goes(admin_client, choice_question):
    response = post(admin_client, choice_question, {"options-choices-1-remove": "on"})

    assert response.status_code == 302
    assert values(choice_question) == ["law", "none"]


def test_a_blank_row_filled_in_is_added_at_the_end(admin_client, choice_question):
    page = admin_client.get(change_url(choice_question)).content.decode()
    assert 'name="options-choices-TOTAL" value="5"' in page  # three rows and two blank ones
    rows = {"options-choices-4-ident": "policy", "options-choices-4-label": "A policy"}

    assert post(admin_client, choice_question, rows).status_code == 302

    assert values(choice_question) == ["law", "plan", "none", "policy"]


def test_lists_given_as_json_in_the_other_settings_are_kept_when_their_table_is_empty(
    admin_client, draft
):
    """A script (or an old form) may still post a whole list as JSON."""
    question = Question.objects.get(version=draft, key="mechanism")

    response = post(
        admin_client,
        question,
        type=QuestionType.SINGLE_CHOICE,
        options='{"choices": [{"value": "a", "label": "A"}], "max_length": 9}',
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.options == {"choices": [{"value": "a", "label": "A"}], "max_length": 9}


# --- Mistakes name their row ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"options-choices-2-ident": ""}, "Choice 3: the value is empty."),
        ({"options-choices-2-label": "  "}, "Choice 3 (“none”): the English label is empty."),
        (
            {"options-choices-3-ident": "law", "options-choices-3-label": "Law again"},
            "Choices 1 and 4 both have the value “law”.",
        ),
        (
            {"options-choices-1-ident": "A Plan"},
            "Choice 2: “A Plan” cannot be used; use lowercase letters, digits, _ and -",
        ),
        ({"options": "[1]"}, "Other settings are a JSON object"),
        (
            {"options": '{"choices": []}'},
            "Other settings: “choices” is edited in its table above",
        ),
    ],
)
def test_each_mistake_names_its_row_keeps_what_was_typed_and_saves_nothing(
    admin_client, choice_question, rows, message
):
    rows = {**rows, "options-choices-0-label_fr": "Une loi (modifiée)"}

    response = post(admin_client, choice_question, rows, text="Changed?")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(message in error for error in form.errors["options"]), form.errors
    assert not form.non_field_errors()
    page = response.content.decode()
    assert 'value="Une loi (modifiée)"' in page  # what was typed is shown again
    stored = Question.objects.get(pk=choice_question.pk)
    assert (stored.options, stored.text) == ({"choices": CHOICES}, choice_question.text)


def test_the_rows_shown_again_are_numbered_as_the_messages_count_them(
    admin_client, choice_question
):
    """Moved first and left without a label, "plan" is "Choice 1" in the message and the first
    row on the page."""
    rows = {"options-choices-1-order": "0", "options-choices-1-label": ""}

    response = post(admin_client, choice_question, rows)

    assert "Choice 1 (“plan”): the English label is empty." in response.content.decode()
    shown = posted_fields(response.context["adminform"].form["options"])
    assert [shown[f"options-choices-{n}-ident"] for n in range(5)] == [
        "plan",
        "law",
        "none",
        "",
        "",
    ]


def test_a_column_and_a_scale_step_are_named_as_such(admin_client, draft):
    section = draft.sections.get(number="I")
    entries = factories.QuestionFactory(
        section=section,
        key="entities",
        label="c",
        order=3,
        type=QuestionType.ENTRY_LIST,
        options={"columns": [{"key": "entity", "label": "Entity"}]},
    )
    grid = factories.QuestionFactory(
        section=section, key="grid", label="d", order=4, type=QuestionType.OBJECTIVES_GRID
    )

    column = post(admin_client, entries, {"options-columns-0-ident": ""})
    step = post(
        admin_client,
        grid,
        {
            "options-scale-0-ident": "done",
            "options-scale-0-label": "Done",
            "options-scale-1-ident": "done",
            "options-scale-1-label": "Done again",
        },
    )

    assert "Column 1: the key is empty." in column.content.decode()
    assert "Scale steps 1 and 2 both have the value “done”." in step.content.decode()
    assert Question.objects.get(pk=grid.pk).options == {}


def test_the_types_own_check_still_speaks(admin_client, choice_question):
    """Every choice removed: the single choice question's handler says it needs some."""
    rows = {f"options-choices-{n}-remove": "on" for n in range(3)}

    response = post(admin_client, choice_question, rows)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["options"]
    assert "“choices” must be a non-empty list." in errors
    assert values(choice_question) == ["law", "plan", "none"]


# --- Which tables, where --------------------------------------------------------------------------


def test_a_question_shows_the_tables_of_its_type_and_hides_the_others(
    admin_client, choice_question
):
    page = admin_client.get(change_url(choice_question)).content.decode()

    assert re.search(r'data-options-list="choices" data-row-template="Choice %\(n\)s">', page)
    assert re.search(r'data-options-list="columns" [^>]*hidden>', page)
    assert 'src="/static/js/admin_options.js"' in page
    for name in ("Move Choice 2 up", "Move Choice 2 down", "Remove Choice 2"):
        assert f'aria-label="{name}"' in page


def test_the_section_page_edits_each_questions_rows(admin_client, choice_question):
    section = choice_question.section
    page = admin_client.get(change_url(section))
    data = form_data(page)
    index = next(
        n
        for n in range(int(data["questions-TOTAL_FORMS"]))
        if str(data[f"questions-{n}-id"]) == str(choice_question.pk)
    )
    prefix = f"questions-{index}-options-choices"
    assert f'name="{prefix}-0-ident"' in page.content.decode()
    assert "questions-__prefix__-options-choices-0-ident" in page.content.decode()  # new ones

    unchanged = admin_client.post(change_url(section), {**data, "_save": "Save"})
    assert unchanged.status_code == 302
    assert Question.objects.get(pk=choice_question.pk).options == {"choices": CHOICES}

    bad = admin_client.post(
        change_url(section), {**data, f"{prefix}-1-ident": "law", "_save": "Save"}
    )
    assert bad.status_code == 200
    assert "Choices 1 and 2 both have the value “law”." in bad.content.decode()

    data.update({f"{prefix}-0-remove": "on", f"{prefix}-1-order": "9"})
    moved = admin_client.post(change_url(section), {**data, "_save": "Save"})
    assert moved.status_code == 302
    assert values(choice_question) == ["none", "plan"]


# --- Published: read only -------------------------------------------------------------------------


def test_a_published_question_shows_its_rows_read_only(admin_client, published_version):
    # As if it had had these options when the version was published (the model guard refuses
    # a save now; a queryset update bypasses it).
    question = Question.objects.get(version=published_version, key="policies")
    Question.objects.filter(pk=question.pk).update(
        type=QuestionType.SINGLE_CHOICE, options={"choices": CHOICES, "max_length": 40}
    )

    page = admin_client.get(change_url(question)).content.decode()
    section_page = admin_client.get(change_url(question.section)).content.decode()

    for html in (page, section_page):
        assert 'name="options-choices-0-ident"' not in html
        assert "<caption>Choices</caption>" in html
        assert re.search(
            r'<tr><td dir="ltr"><code>law</code></td><td lang="en" dir="ltr">A law</td>'
            r'<td lang="ar" dir="rtl">قانون</td><td lang="fr" dir="ltr">Une loi</td></tr>',
            html,
        )
    assert "&quot;max_length&quot;: 40" in page


def test_the_options_post_helper_reads_the_widget_as_a_browser_would():
    """The tests' stand-in for a browser: blank rows post empty fields, boxes unticked none."""
    data = options_post({"choices": CHOICES[:1]}, question_type="single_choice")

    assert data["options-choices-TOTAL"] == "3"
    assert data["options-choices-0-label_ar"] == "قانون"
    assert data["options-choices-2-ident"] == ""
    assert "options-choices-0-remove" not in data
    assert data["options"] == ""


def test_each_types_lists_have_a_table_and_translations():
    from questionnaire import i18n
    from questionnaire.admin.options import LISTS_BY_NAME, TYPE_LISTS
    from questionnaire.types import all_types

    assert TYPE_LISTS == {
        "single_choice": ["choices"],
        "multiple_choice": ["choices"],
        "entry_list": ["columns"],
        "objectives_grid": ["scale"],
    }
    for kind in all_types():
        for name in kind.option_lists:
            assert name in LISTS_BY_NAME and name in i18n.OPTION_LISTS, (kind.name, name)
