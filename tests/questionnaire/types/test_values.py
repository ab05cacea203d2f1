"""Each question type validates its own value: good values normalise, bad ones are refused."""

import pytest
from django.core.exceptions import ValidationError

from questionnaire.types import REGISTRY as HANDLERS
from questionnaire.types import get_type
from questionnaire.types.objectives_grid import DEFAULT_OBJECTIVE_SCALE

CHOICES = {"choices": [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"}]}
COLUMNS = {"columns": [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role"}]}

GOOD = [
    ("long_text", "<p>One</p><ul><li>Two<ul><li>Three</li></ul></li></ul>", {},
     "<p>One</p><ul><li>Two<ul><li>Three</li></ul></li></ul>"),
    ("long_text", "Plain line\n\nSecond & last", {}, "<p>Plain line</p><p>Second &amp; last</p>"),
    ("long_text", '<p onclick="x()">Hi<script>alert(1)</script></p>', {}, "<p>Hi</p>"),
    # Text outside any block is put in a paragraph: stored answers are blocks, so cleaning them
    # again (every render does) changes nothing.
    ("long_text", "<b>bold</b> <i>it</i>", {}, "<p><strong>bold</strong> <em>it</em></p>"),
    ("long_text", '<a href="javascript:alert(1)">link</a>', {}, "<p>link</p>"),
    ("long_text", "", {}, ""),
    ("short_text", "  Ministry of Interior  ", {}, "Ministry of Interior"),
    ("short_text", "a\x00b", {}, "ab"),
    ("single_choice", "b", CHOICES, "b"),
    ("single_choice", "", CHOICES, None),
    ("multiple_choice", ["b", "a"], CHOICES, ["a", "b"]),
    ("multiple_choice", [], CHOICES, []),
    ("yes_no", {"answer": "yes", "explanation": "Because"}, {},
     {"answer": "yes", "explanation": "<p>Because</p>"}),
    ("yes_no", {"answer": "no"}, {}, {"answer": "no", "explanation": ""}),
    ("yes_no", {}, {}, None),
    ("number", "12.5", {}, "12.5"),
    ("number", "1,250", {}, "1250"),  # English, the tests' language: the comma groups thousands
    ("number", 3, {"min": 0, "max": 10}, "3"),
    ("number", "", {}, None),
    ("date", "2024-07-03", {}, "2024-07-03"),
    ("entry_list", [{"entity": "Ministry", "role": "Lead"}, {"entity": "", "role": ""}], COLUMNS,
     [{"entity": "Ministry", "role": "Lead"}]),
    ("objectives_grid", {"3": {"status": "planned", "note": "x"}, "1": {"status": "in_progress"}},
     {}, {"1": {"status": "in_progress", "note": ""}, "3": {"status": "planned", "note": "x"}}),
    ("objectives_grid", {"5": {"status": "", "note": ""}}, {}, {}),
]  # fmt: skip

BAD = [
    ("long_text", 42, {}),
    ("long_text", "x" * 30, {"max_length": 10}),
    ("short_text", "two\nlines", {}),
    ("short_text", "x" * 501, {}),
    ("short_text", ["list"], {}),
    ("single_choice", "c", CHOICES),
    ("single_choice", ["a"], CHOICES),
    ("multiple_choice", "a", CHOICES),
    ("multiple_choice", ["a", "z"], CHOICES),
    ("yes_no", {"answer": "maybe"}, {}),
    ("yes_no", {"explanation": "no answer given"}, {}),
    ("yes_no", {"answer": "yes", "extra": 1}, {}),
    ("yes_no", "yes", {}),
    ("number", "twelve", {}),
    ("number", "12,5", {}),  # English: not a thousands group, and not guessed at
    ("number", True, {}),
    ("number", "NaN", {}),
    ("number", "1e400", {}),
    ("number", -1, {"min": 0}),
    ("number", 11, {"max": 10}),
    ("date", "03/07/2024", {}),
    ("date", "2024-02-30", {}),
    ("date", 20240703, {}),
    ("entry_list", {"entity": "x"}, COLUMNS),
    ("entry_list", [{"entity": "x", "unknown": "y"}], COLUMNS),
    ("entry_list", [{"entity": "x" * 3000}], COLUMNS),
    ("objectives_grid", {"24": {"status": "planned"}}, {}),
    ("objectives_grid", {"0": {"status": "planned"}}, {}),
    # One objective under two names: the second would silently replace the first.
    ("objectives_grid", {"007": {"status": "planned"}, "7": {"status": "achieved"}}, {}),
    ("objectives_grid", {"07": {"status": "planned"}}, {}),
    ("objectives_grid", {"1": {"status": "done"}}, {}),
    ("objectives_grid", {"1": "planned"}, {}),
    ("objectives_grid", [], {}),
]


@pytest.mark.parametrize(("type_name", "value", "options", "expected"), GOOD)
def test_good_values_are_normalised(type_name, value, options, expected):
    assert get_type(type_name).clean(value, options) == expected


@pytest.mark.parametrize(("type_name", "value", "options"), BAD)
def test_bad_values_are_refused(type_name, value, options):
    with pytest.raises(ValidationError):
        get_type(type_name).clean(value, options)


def test_every_type_is_covered_by_good_and_bad_cases():
    assert {t for t, *_ in GOOD} == set(HANDLERS)
    assert {t for t, *_ in BAD} == set(HANDLERS)


@pytest.mark.parametrize(
    ("type_name", "options"),
    [
        ("single_choice", {}),
        ("single_choice", {"choices": [{"value": "A B", "label": "x"}]}),
        ("multiple_choice", {"choices": [{"value": "a", "label": "x"}] * 2}),
        ("entry_list", {"columns": []}),
        ("objectives_grid", {"scale": "not a list"}),
        ("long_text", {"max_length": 0}),
        ("number", {"min": "zero"}),
    ],
)
def test_bad_options_are_refused(type_name, options):
    with pytest.raises(ValidationError):
        get_type(type_name).validate_options(options)


def test_empty_values_count_as_unanswered():
    assert get_type("long_text").is_empty("<p> </p>")
    assert not get_type("long_text").is_empty("<p>x</p>")
    assert get_type("multiple_choice").is_empty([])
    assert get_type("objectives_grid").is_empty({})


def test_as_text_renders_labels_and_lists():
    assert get_type("multiple_choice").as_text(["a", "b"], CHOICES) == "Alpha; Beta"
    assert (
        get_type("long_text").as_text("<ul><li>One<ol><li>Sub</li></ol></li></ul>", {})
        == "- One\n  1. Sub"
    )
    grid = {"options": {}, "value": {"1": {"status": "planned", "note": "n"}}}
    label = DEFAULT_OBJECTIVE_SCALE[1]["label"]
    assert get_type("objectives_grid").as_text(grid["value"], grid["options"]) == f"1: {label} — n"


def test_plain_text_from_a_form_keeps_typed_markup_as_text():
    from questionnaire.richtext import clean_html, plain_text_to_html

    html = plain_text_to_html("<script>alert(1)</script>\nline two")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>line two</p>"
    assert clean_html(html) == html


@pytest.mark.parametrize(
    "html",
    [
        "<p>Intro</p><p>Second<br>line</p>",
        "<ul><li>One<ul><li>Sub &amp; more</li></ul></li>"
        "<li>Two<ol><li>A</li><li>B</li></ol></li></ul>",
        "<ol><li>First</li></ol><ul><li>Then<br>continued</li></ul><p>End</p>",
    ],
)
def test_text_form_round_trips_paragraphs_and_nested_lists(html):
    """A page without JavaScript edits long text as text; lists must survive the round trip."""
    from questionnaire.richtext import html_to_text, plain_text_to_html

    assert plain_text_to_html(html_to_text(html)) == html


def test_editor_nbsp_becomes_plain_space():
    assert get_type("long_text").clean("<p>a&nbsp;b\xa0c</p>", {}) == "<p>a b c</p>"
