"""Each question type's Word reader (questionnaire/word/reading.py), on cells as people fill
them rather than as the portal writes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from questionnaire.types.base import REGISTRY
from questionnaire.word import reading
from tests import factories

pytestmark = pytest.mark.django_db


def test_every_question_type_has_a_word_reader():
    assert set(reading.READERS) == set(REGISTRY)


def read(kind, html, *, options=None, language="en", allows_not_applicable=False):
    question = factories.QuestionFactory(
        type=kind, options=options or {}, allows_not_applicable=allows_not_applicable
    )
    return reading.answer_from_cell(question, html, language=language)


LAW = {"value": "law", "label": "A law", "label_fr": "Une loi", "label_ar": "قانون"}
PLAN = {"value": "plan", "label": "A plan", "label_fr": "Un plan", "label_ar": "خطة"}
CHOICES = {"choices": [LAW, PLAN]}


SINCE = "<p>Since 2019.</p>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>☒ Yes</p><p>☐ No</p><p>Since 2019.</p>", {"answer": "yes", "explanation": SINCE}),
        ("<p>Yes, since 2019.</p>", {"answer": "yes", "explanation": "<p>since 2019.</p>"}),
        ("<p>No.</p>", {"answer": "no", "explanation": ""}),
        ("<p>نعم، منذ 2019.</p>", {"answer": "yes", "explanation": "<p>منذ 2019.</p>"}),
        ("", None),
    ],
)
def test_yes_or_no_ticked_or_written(html, expected):
    assert read("yes_no", html).value == expected


def test_both_yes_and_no_ticked_is_refused():
    with pytest.raises(ValidationError, match="Both"):
        read("yes_no", "<p>☒ Yes</p><p>☒ No</p>")


def test_choices_by_box_by_checkbox_control_and_by_label_in_any_language():
    assert read("multiple_choice", "<p>☐ A law</p><p>☒ A plan</p>", options=CHOICES).value == [
        "plan"
    ]
    boxes = '<p><input type="checkbox" checked> A law</p><p><input type="checkbox"> A plan</p>'
    assert read("multiple_choice", boxes, options=CHOICES).value == ["law"]
    assert read("single_choice", "<p>Une loi</p>", options=CHOICES, language="fr").value == "law"
    with pytest.raises(ValidationError, match="one of the choices"):
        read("single_choice", "<p>☒ A treaty</p>", options=CHOICES)
    with pytest.raises(ValidationError, match="More than one"):
        read("single_choice", "<p>☒ A law</p><p>☒ A plan</p>", options=CHOICES)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2024-05-17", "en", "2024-05-17"),
        ("17/05/2024", "fr", "2024-05-17"),
        ("May 17, 2024", "en", "2024-05-17"),
        ("17 mai 2024", "fr", "2024-05-17"),
        ("١٧ مايو ٢٠٢٤", "ar", "2024-05-17"),
    ],
)
def test_dates_as_people_write_them(text, language, expected):
    assert read("date", f"<p>{text}</p>", language=language).value == expected


def test_numbers_in_the_documents_language():
    assert read("number", "<p>1 250,5</p>", language="fr").value == "1250.5"
    assert read("number", "<p>1,250.5</p>", language="en").value == "1250.5"


def test_not_applicable_with_its_reason_keeps_the_value():
    answer = read(
        "long_text", "<p>Not applicable: no local authorities.</p>", allows_not_applicable=True
    )
    assert answer.not_applicable_reason == "no local authorities."
    with pytest.raises(ValidationError, match="reason"):
        read("long_text", "<p>Sans objet</p>", allows_not_applicable=True)


def test_a_table_inside_a_long_answer_becomes_a_list_without_losing_words():
    html = (
        "<p>Partners:</p><table><tr><td><p>IOM</p></td><td><p>Data</p></td></tr>"
        "<tr><td><p>UNHCR</p></td><td><p>Protection</p></td></tr></table>"
    )
    assert read("long_text", html).value == (
        "<p>Partners:</p><ul><li>IOM — Data</li><li>UNHCR — Protection</li></ul>"
    )


def test_typed_html_is_cleaned_as_a_typed_answer():
    value = read("long_text", '<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>').value
    assert value == "<p>Hi <strong>there</strong></p>"


def test_entry_list_by_its_columns_labels():
    options = {"columns": [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role"}]}
    html = (
        "<table><tr><td>Role</td><td>Entity</td></tr>"
        "<tr><td>Technical adviser</td><td>IOM</td></tr></table>"
    )
    assert read("entry_list", html, options=options).value == [
        {"entity": "IOM", "role": "Technical adviser"}
    ]
