"""The answering page's fields that a type writes itself rather than through its template (a
page may hold many of them): escaped, named and labelled as the template would have done."""

from types import SimpleNamespace

from django.utils.translation import override

from questionnaire.models import Question
from questionnaire.types import get_type


def grid_rows(value, *, scale=None, objectives=()):
    question = Question(
        key="grid", type="objectives_grid", options={"scale": scale} if scale else {}
    )
    return get_type("objectives_grid").widget_context(question, value, objectives=objectives)[
        "rows"
    ]


def test_a_grid_row_escapes_what_people_and_administrators_wrote():
    scale = [{"value": "a&b", "label": "<b>Done</b>"}, {"value": "x", "label": "X"}]
    objectives = [SimpleNamespace(number=2, title='Safe "and" <orderly>')]
    rows = grid_rows(
        {"2": {"status": "a&b", "note": "</textarea><script>alert(1)</script>"}},
        scale=scale,
        objectives=objectives,
    )
    row = rows[1]["html"]
    assert "<script>" not in row
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in row
    assert "<bdi>Safe &quot;and&quot; &lt;orderly&gt;</bdi>" in row
    # The row's status is selected, the others not; labels and values escaped.
    assert '<option value="a&amp;b" selected>&lt;b&gt;Done&lt;/b&gt;</option>' in row
    assert '<option value="x">X</option>' in row
    assert '<option value="x">X</option>' in rows[0]["html"]
    assert "selected" not in rows[0]["html"]


def test_a_grid_row_has_the_names_ids_and_labels_the_script_and_the_form_read():
    rows = grid_rows({})
    assert len(rows) == 23
    row = rows[22]["html"]
    assert row.startswith('<tr data-objective="23">') and row.endswith("</tr>")
    assert 'id="obj-grid-23"' in row
    assert 'name="q-grid-23-status" data-field="status" aria-label="Status of objective 23"' in row
    assert 'name="q-grid-23-note" data-field="note" maxlength="2000"' in row
    assert 'aria-describedby="grid-hint-grid note-left-grid-23"' in row
    assert 'id="note-left-grid-23" data-note-left-count hidden' in row
    assert '<option value="">— not stated —</option>' in row


def test_a_grid_row_speaks_the_pages_language():
    objectives = [SimpleNamespace(number=1, title="Data", title_fr="Données", title_ar="")]
    with override("fr"):
        row = grid_rows({}, objectives=objectives)[0]["html"]
    assert "<bdi>Données</bdi>" in row
    assert "Pas encore commencé" in row  # the default scale's French


def test_an_entry_lists_fields_are_named_by_column_and_row():
    question = Question(
        key="who",
        type="entry_list",
        options={"columns": [{"key": "entity", "label": "Entity & role"}]},
    )
    rows = get_type("entry_list").widget_context(question, [{"entity": "A"}])["rows"]
    assert [row["cells"][0]["aria_label"] for row in rows] == [
        "Entity & role, row 1",
        "Entity & role, row 2",
        "Entity & role, row 3",
    ]
    assert rows[2]["delete_label"] == "Remove row 3"
