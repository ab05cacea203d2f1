"""Property-based tests of every question type's validation: whatever a client sends, `clean`
either refuses it with a ValidationError (never another exception, which would be a server error)
or returns a value that is canonical (cleaning it again changes nothing), JSON-serialisable, whose
plain text is a str, and (long text) whose HTML holds only the allowed tags, without attributes.

The inputs are what the autosave endpoint can receive: any JSON document, with text of any
unicode (lone surrogates, controls and bidi characters included), shaped like each type's value
often enough to reach past the first type check.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire import richtext
from questionnaire.types import REGISTRY as HANDLERS
from questionnaire.types.objectives_grid import DEFAULT_OBJECTIVE_SCALE

# Modest: the suite runs these on every CI run. No example database: nothing left in the tree.
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

CHOICES = [{"value": "a", "label": "Alpha"}, {"value": "b-2", "label": "Beta"}]
COLUMNS = [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role"}]
OPTIONS = {
    "long_text": {},
    "short_text": {},
    "single_choice": {"choices": CHOICES},
    "multiple_choice": {"choices": CHOICES},
    "yes_no": {},
    "number": {"min": -1000, "max": 1e12},
    "date": {},
    "entry_list": {"columns": COLUMNS},
    "objectives_grid": {},
}

# Text from every plane, surrogates included (JSON can carry "\ud800"), with the characters that
# matter here drawn more often: markup, controls, bidi, RLM/LRM, no-break and odd spaces.
SPECIAL = list(
    "<>&\"'=/ \n\r\t\x00\x1b\x7f\x85\xa0\u200e\u200f\u202a\u202e\u2066\u2069\u2028\ufeff"
)
TAGS = ["<p>", "</p>", "<b>", "<i>", "<ul><li>", "</li></ul>", "<br>", "<script>", "<img src=x>",
        "<svg onload=alert(1)>", "<a href='javascript:x'>", "<style>", "<!--", "-->", "&nbsp;",
        "&amp;", "<p style='x'>", "<div>", "<h1>", "<ol><li>", "</ol>"]  # fmt: skip
text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=80),
    st.text(st.sampled_from(SPECIAL) | st.characters(max_codepoint=0x7FF), max_size=60),
    st.lists(st.sampled_from(TAGS) | st.text(max_size=8), max_size=12).map("".join),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    text,
    st.sampled_from(["a", "b-2", "yes", "no", "1", "23", "planned", "2024-02-29", "1e-999999999"]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.one_of(text, st.sampled_from(["1", "answer", "entity"])), children, max_size=4
        )
    ),
    max_leaves=20,
)


def shaped(kind: str):
    """Values shaped like the type's own, with arbitrary content, plus anything at all."""
    anything = json_values
    if kind in ("long_text", "short_text", "number", "date", "single_choice"):
        return st.one_of(text, anything)
    if kind == "multiple_choice":
        return st.one_of(st.lists(st.one_of(st.sampled_from(["a", "b-2"]), text)), anything)
    if kind == "yes_no":
        return st.one_of(
            st.fixed_dictionaries(
                {"answer": st.sampled_from(["yes", "no", "", None]) | json_values},
                optional={"explanation": st.one_of(text, json_values)},
            ),
            anything,
        )
    if kind == "entry_list":
        row = st.fixed_dictionaries({}, optional={"entity": text | json_values, "role": text})
        return st.one_of(st.lists(row, max_size=5), anything)
    if kind == "objectives_grid":
        keys = st.one_of(
            st.integers(1, 23).map(str), st.sampled_from(["0", "24", "01", "²", "٣", " 1"]), text
        )
        statuses = st.sampled_from([s["value"] for s in DEFAULT_OBJECTIVE_SCALE] + [""])
        row = st.fixed_dictionaries(
            {}, optional={"status": statuses | json_values, "note": text | json_values}
        )
        return st.one_of(st.dictionaries(keys, row, max_size=5), anything)
    raise AssertionError(kind)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def tags_of(html: str) -> list[tuple[str, list]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def check_clean(kind: str, value) -> None:
    handler, options = HANDLERS[kind], OPTIONS[kind]
    try:
        cleaned = handler.clean(value, options)
    except ValidationError:
        return
    assert handler.clean(cleaned, options) == cleaned, "clean() is not idempotent"
    assert json.loads(json.dumps(cleaned)) == cleaned, "not JSON-serialisable as is"
    assert isinstance(handler.as_text(cleaned, options), str)
    for piece in _strings(cleaned):
        # Nothing that PostgreSQL's jsonb, XLSX's XML or the page's UTF-8 cannot hold.
        assert richtext.strip_control_characters(piece) == piece, repr(piece)
    html_parts = []
    if kind == "long_text":
        html_parts = [cleaned]
    elif kind == "yes_no" and cleaned:
        html_parts = [cleaned["explanation"]]
    for html in html_parts:
        for tag, attrs in tags_of(html):
            assert tag in richtext.ALLOWED_TAGS, tag
            assert attrs == [], attrs


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _property(kind: str):
    @PROPERTY_SETTINGS
    @given(value=shaped(kind))
    def test(value):
        check_clean(kind, value)

    test.__name__ = f"test_{kind}_clean_refuses_or_returns_a_canonical_safe_value"
    test.__doc__ = f"{kind}: clean() raises ValidationError or returns a canonical, safe value."
    return test


test_long_text = _property("long_text")
test_short_text = _property("short_text")
test_single_choice = _property("single_choice")
test_multiple_choice = _property("multiple_choice")
test_yes_no = _property("yes_no")
test_number = _property("number")
test_date = _property("date")
test_entry_list = _property("entry_list")
test_objectives_grid = _property("objectives_grid")


def test_every_question_type_has_a_property_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    assert set(HANDLERS) <= tested


@PROPERTY_SETTINGS
@given(value=text)
def test_stripping_control_characters_is_idempotent_and_keeps_arabic_marks(value):
    once = richtext.strip_control_characters(value)
    assert richtext.strip_control_characters(once) == once
    assert once.count("\u200f") == value.count("\u200f")  # RLM: Arabic text needs it
    assert once.count("\u200e") == value.count("\u200e")  # LRM
