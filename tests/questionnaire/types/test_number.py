"""Number answers in three languages (types.number.Number): typed as the language of the page
writes numbers, stored as a plain decimal, shown grouped for the reader, and read back unchanged
from what the page shows. Exports keep the plain decimal.

The rule: the point (and ٫) always starts the decimals; the comma does in French and groups
thousands in English and Arabic; spaces of every kind and ٬ group thousands, by threes only;
Arabic-Indic and Eastern Arabic digits count as 0-9. Anything else is refused with an example
in the person's language.
"""

from __future__ import annotations

import csv
import decimal
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from questionnaire import selectors, services
from questionnaire.models import Answer, QuestionType
from questionnaire.templatetags.answers import render_answer, render_question_widget
from questionnaire.types.number import NUMBER_MAX_DECIMALS, Number
from reports import exports
from tests import factories

NUMBER = Number()
NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"

ACCEPTED = [
    # language, as typed, stored
    ("en", "1250000.5", "1250000.5"),
    ("en", "1,250,000.5", "1250000.5"),
    ("en", "1,250", "1250"),
    ("en", "1 250 000", "1250000"),
    ("en", f"1{NBSP}250{NNBSP}000{THIN}000", "1250000000"),
    ("en", "-1,250.75", "-1250.75"),
    ("en", "\u22123", "-3"),  # the minus sign
    ("en", "+4", "4"),
    ("en", " 42 ", "42"),
    ("en", ".5", "0.5"),
    ("en", "5.", "5"),
    ("en", "-0", "0"),
    ("en", "0.000", "0"),
    ("en", "007", "7"),
    ("en", "١٬٢٥٠٬٠٠٠٫٥", "1250000.5"),  # Arabic-Indic digits, Arabic separators
    ("en", "۱۲۵۰", "1250"),  # Eastern Arabic (Persian) digits
    ("en", "999999999999999.999999999999999", "999999999999999.999999999999999"),
    ("fr", "1,5", "1.5"),
    ("fr", "1,250", "1.25"),
    ("fr", "1 250 000,5", "1250000.5"),
    ("fr", f"1{NBSP}250{NBSP}000,5", "1250000.5"),  # what the French page shows
    ("fr", f"1{NNBSP}250{NNBSP}000,5", "1250000.5"),
    ("fr", "1250000.5", "1250000.5"),  # the point works in every language
    ("fr", "-0,25", "-0.25"),
    ("fr", "١٬٢٥٠٫٥", "1250.5"),
    ("ar", "1,250,000.5", "1250000.5"),
    ("ar", "1,250", "1250"),
    ("ar", "١٬٢٥٠٬٠٠٠٫٥", "1250000.5"),
    ("ar", "١,٢٥٠", "1250"),
    ("ar", "\u200f١٬٢٥٠\u200f", "1250"),  # direction marks copied along with Arabic text
    ("ar", "۱۲۵۰٫۵", "1250.5"),
    ("ar", "1 250 000", "1250000"),
]

REFUSED = [
    ("en", "1,5"),  # a comma groups thousands in English: not guessed at
    ("en", "1,25"),
    ("en", "0,250"),
    ("en", "1,2345"),
    ("en", ",250"),
    ("en", "12 50"),
    ("en", "1  250"),
    ("en", "1.250,5"),
    ("en", "1.2.3"),
    ("en", "1.5 000"),
    ("en", "twelve"),
    ("en", "12 kg"),
    ("en", "1e5"),
    ("en", "NaN"),
    ("en", "Infinity"),
    ("en", "-"),
    ("en", "."),
    ("en", "--5"),
    ("en", "5-"),
    ("en", "１２"),  # fullwidth digits
    ("en", "1" * 61),
    ("fr", "1.250,5"),  # two decimal marks
    ("fr", "1.250.000"),
    ("fr", "1,250,000.5"),
    ("fr", "1,2,3"),
    ("ar", "1,5"),
    ("ar", "١،٥"),  # the Arabic comma is not a decimal mark
]

# The message for a refused number, in the person's language, with an example written their way.
POINT = "Enter a number, for example %(example)s (decimals after a point)."
COMMA = "Enter a number, for example %(example)s (decimals after a comma)."
EXAMPLES = {
    "en": (POINT, "1,250,000.5"),
    "fr": (COMMA, "1\u00a0250\u00a0000,5"),
    "ar": (POINT, "1,250,000.5"),
}


@pytest.mark.parametrize(("language", "typed", "stored"), ACCEPTED)
def test_accepted_forms(language, typed, stored):
    with translation.override(language):
        assert NUMBER.clean(typed, {}) == stored


@pytest.mark.parametrize(("language", "typed"), REFUSED)
def test_refused_forms_say_how_to_write_a_number_in_the_language(language, typed):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        NUMBER.clean(typed, {})
    message = " ".join(refused.value.messages)
    with translation.override(language):
        rule, example = EXAMPLES[language]
        expected = translation.gettext(rule) % {"example": example}
        limits = translation.gettext(
            "Enter a number with at most %(digits)s digits before the decimals and "
            "%(decimals)s after them."
        ).split("%(digits)s")[0]
    assert message == expected or message.startswith(limits)


@pytest.mark.parametrize(
    "value", ["1000000000000000", "1,000,000,000,000,000", "0.0000000000000001", 1e15]
)
def test_too_large_or_too_precise_says_the_limits(value):
    with pytest.raises(ValidationError, match="at most 15 digits before the decimals and 15"):
        NUMBER.clean(value, {})


def test_json_numbers_from_a_script_need_no_language():
    with translation.override("fr"):
        assert NUMBER.clean(1250000, {}) == "1250000"
        assert NUMBER.clean(2.5, {}) == "2.5"
    for bad in (True, [1], {"n": 1}, float("nan"), float("inf")):
        with pytest.raises(ValidationError):
            NUMBER.clean(bad, {})


@pytest.mark.parametrize(
    ("language", "below", "above"),
    [
        ("en", "1,000", "2,500,000.5"),
        ("fr", "1\u00a0000", "2\u00a0500\u00a0000,5"),
        ("ar", "1,000", "2,500,000.5"),
    ],
)
def test_bounds_are_written_as_the_language_writes_numbers(language, below, above):
    options = {"min": 1000, "max": 2500000.5}
    with translation.override(language):
        for typed, bound in (("999", below), ("2500001", above)):
            with pytest.raises(ValidationError) as refused:
                NUMBER.clean(typed, options)
            assert bound in refused.value.messages[0]


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "-1,250,000.5"),
        ("fr", "-1\u00a0250\u00a0000,5"),
        ("ar", "-1,250,000.5"),
    ],
)
def test_a_stored_number_is_shown_grouped_for_the_language(language, shown):
    with translation.override(language):
        assert NUMBER.format("-1250000.5") == shown
        assert NUMBER.display_text("-1250000.5", {}) == shown
        # The plain text that exports and search use stays machine-readable.
        assert NUMBER.as_text("-1250000.5", {}) == "-1250000.5"


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        (
            "en",
            "For example 1,250,000.5: decimals after a point; commas or spaces between "
            "thousands are optional.",
        ),
        (
            "fr",
            "For example 1\u00a0250\u00a0000,5: decimals after a comma; spaces between "
            "thousands are optional.",
        ),
    ],
)
def test_the_field_help_states_the_rule_with_an_example(language, help_text):
    example = help_text.split(":")[0].removeprefix("For example ")
    with translation.override(language):
        expected = translation.gettext(help_text.replace(example, "%(example)s", 1))
        assert NUMBER.help_text() == expected % {"example": example}


# --- Round trips: what a page shows reads back as the same number --------------------------------

stored_numbers = st.decimals(
    min_value=decimal.Decimal("-999999999999999.999999999999999"),
    max_value=decimal.Decimal("999999999999999.999999999999999"),
    places=NUMBER_MAX_DECIMALS,
    allow_nan=False,
    allow_infinity=False,
).map(lambda number: NUMBER.clean(format(number, "f"), {}))

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN_ARABIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@PROPERTY_SETTINGS
@given(value=stored_numbers)
def test_format_then_parse_gives_the_value_back(language, value):
    with translation.override(language):
        shown = NUMBER.format(value)
        assert NUMBER.clean(shown, {}) == value
        # The same number in Arabic-Indic or Eastern Arabic digits.
        assert NUMBER.clean(shown.translate(ARABIC_INDIC), {}) == value
        assert NUMBER.clean(shown.translate(EASTERN_ARABIC), {}) == value
        # Grouped by any kind of space instead of the language's own separator.
        group = "\u00a0" if language == "fr" else ","
        for space in (" ", NBSP, NNBSP, THIN, "\u066c"):
            assert NUMBER.clean(shown.replace(group, space), {}) == value
        # The canonical form itself, which exports hold, is read in every language.
        assert NUMBER.clean(value, {}) == value


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@PROPERTY_SETTINGS
@given(value=stored_numbers)
def test_stored_values_are_canonical_in_every_language(language, value):
    with translation.override(language):
        assert NUMBER.clean(NUMBER.clean(value, {}), {}) == value
    assert decimal.Decimal(value) == decimal.Decimal(NUMBER.format(value).replace(",", ""))


# --- Pages, forms, autosave, PDF cells, exports ---------------------------------------------------


@pytest.fixture
def number_submission(db, country):
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    factories.QuestionFactory(
        section=section,
        key="staff",
        label="a",
        type=QuestionType.NUMBER,
        required=False,
        options={"min": -2000000},
    )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    return services.submission_create(cycle=cycle, country=country)


@pytest.fixture
def person(country):
    return factories.MembershipFactory(country=country).user


def speaking(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def save(submission, value):
    question = submission.cycle.version.questions.get(key="staff")
    services.answer_save(submission=submission, question=question, value=value)
    return question


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "1,250,000.5"), ("fr", "1\u00a0250\u00a0000,5"), ("ar", "1,250,000.5")],
)
def test_the_form_shows_the_number_as_the_language_writes_it_and_reads_it_back(
    client, number_submission, person, language, shown
):
    save(number_submission, "1250000.5")
    speaking(client, person, language)
    page = client.get(reverse("answer_section", args=[number_submission.pk, "I"]))
    field = f'name="q-staff" id="field-staff" value="{shown}"'
    assert field in page.content.decode()
    assert 'aria-describedby="format-staff"' in page.content.decode()
    # Without JavaScript, the section form posts what the field shows: nothing changes.
    answer = Answer.objects.get(submission=number_submission)
    response = client.post(
        reverse("answer_section_save", args=[number_submission.pk, "I"]),
        {"language": language, "q-staff": shown, "q-staff-revision": answer.revision},
        follow=True,
    )
    with translation.override(language):
        unchanged = translation.gettext("Nothing had changed in this section.")
    assert [str(m) for m in response.context["messages"]] == [unchanged]
    answer.refresh_from_db()
    assert (answer.value, answer.revision) == ("1250000.5", 1)


def test_the_section_form_reads_the_comma_in_the_language_of_the_page(
    client, number_submission, person
):
    # The person's language is English now (another tab), but this page was in French.
    speaking(client, person, "en")
    response = client.post(
        reverse("answer_section_save", args=[number_submission.pk, "I"]),
        {"language": "fr", "q-staff": "1 250,5", "q-staff-revision": 0},
    )
    assert response.status_code == 302
    assert Answer.objects.get(submission=number_submission).value == "1250.5"


def test_a_refused_number_stays_as_typed_with_the_example(client, number_submission, person):
    speaking(client, person, "fr")
    response = client.post(
        reverse("answer_section_save", args=[number_submission.pk, "I"]),
        {"language": "fr", "q-staff": "1.250,5", "q-staff-revision": 0},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'value="1.250,5"' in text
    assert "1\u00a0250\u00a0000,5" in text  # the example, in the field's help and the error
    assert not Answer.objects.exists()


def autosave(client, submission, value, revision=0, **body):
    return client.post(
        reverse("answer_autosave", args=[submission.pk, "staff"]),
        data=json.dumps({"value": value, "revision": revision, **body}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def test_autosave_reads_the_page_language_and_answers_with_the_field_text(
    client, number_submission, person
):
    speaking(client, person, "en")
    response = autosave(client, number_submission, "1250000,5", language="fr")
    assert response.status_code == 200
    data = response.json()
    assert data["value"] == "1250000.5"
    # What the French field shows once the person has left it.
    assert data["field_value"] == "1\u00a0250\u00a0000,5"
    # The same text in English is refused, with the English example.
    response = autosave(client, number_submission, "1250000,5", revision=1)
    assert response.status_code == 400
    assert response.json()["message"] == POINT % {"example": "1,250,000.5"}
    # A language the portal does not have is ignored: the request's applies.
    response = autosave(client, number_submission, "1,250", revision=1, language="xx")
    assert response.json()["value"] == "1250"
    response = autosave(client, number_submission, "7", revision=2, language=["fr"])
    assert response.json()["value"] == "7"


@pytest.mark.parametrize(
    ("language", "shown", "least"),
    [
        ("en", "1,250,000.5", "-2,000,000"),
        ("fr", "1\u00a0250\u00a0000,5", "-2\u00a0000\u00a0000"),
        ("ar", "1,250,000.5", "-2,000,000"),
    ],
)
def test_pages_and_pdf_cells_show_the_number_grouped(number_submission, language, shown, least):
    question = save(number_submission, "1250000.5")
    with translation.override(language):
        # render_answer draws the answer on every page, in the PDF and in the compilation.
        answer = render_answer(question, "1250000.5")
        assert f'<span class="portal-number">{shown}</span>' in answer
        # The questionnaire's preview states the bounds the same way.
        assert least in render_question_widget(question)


def test_the_review_comparison_shows_numbers_as_people_read_them(number_submission):
    question = save(number_submission, "1250000.5")
    assert selectors.changes.answer_text(question, "1250000.5") == "1,250,000.5"


def test_exports_keep_the_plain_decimal(number_submission):
    save(number_submission, "1250000.5")
    services.submission_transition(submission=number_submission, to_status="submitted")
    cycle = number_submission.cycle
    with translation.override("fr"):
        export = exports.build_export(cycle=cycle, kind="answers-long", fmt="csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"), newline="")))
    assert "1250000.5" in rows[1]
