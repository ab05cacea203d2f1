"""The data exports of a cycle: what they hold, who gets them, that they are safe to open."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from questionnaire import selectors, services
from questionnaire.models import (
    Answer,
    CountryRole,
    Objective,
    Question,
    QuestionType,
    ReviewCycle,
    Submission,
    SubmissionStatus,
)
from reports import exports
from tests import factories

pytestmark = pytest.mark.django_db

S = SubmissionStatus
BOM = "\ufeff".encode()
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
CHOICES = [{"value": "law", "label": "A law"}, {"value": "plan", "label": "An action plan"}]
COLUMNS = [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role"}]
SCALE = [{"value": "none", "label": "Nothing yet"}, {"value": "done", "label": "Done"}]
# The route from a draft to each status, through the workflow service.
ROUTES = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.RETURNED: [S.SUBMITTED, S.RETURNED],
    S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
    S.PUBLISHED: [S.SUBMITTED, S.ACCEPTED, S.PUBLISHED],
}
FORMULA_PAYLOADS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1"]


# --- Building a cycle ---------------------------------------------------------------------------


@pytest.fixture
def objectives(db):
    return Objective.objects.bulk_create(
        Objective(number=n, title=f"Objective title {n}", short_label=f"Short {n}")
        for n in range(1, 24)
    )


def typed_version(copies: int = 1):
    """Two sections holding every question type (`copies` times over); the grid has its own
    two-step scale."""
    version = factories.VersionFactory()
    first = factories.SectionFactory(version=version, number="I", title="Method", order=1)
    second = factories.SectionFactory(version=version, number="II", title="Progress", order=2)
    questions = [
        (first, "mechanism", "a", QuestionType.LONG_TEXT, {}),
        (first, "lead", "b", QuestionType.SHORT_TEXT, {}),
        (first, "instrument", "c", QuestionType.SINGLE_CHOICE, {"choices": CHOICES}),
        (first, "instruments", "d", QuestionType.MULTIPLE_CHOICE, {"choices": CHOICES}),
        (second, "observatory", "a", QuestionType.YES_NO, {}),
        (second, "staff", "b", QuestionType.NUMBER, {}),
        (second, "adopted", "c", QuestionType.DATE, {}),
        (second, "entities", "d", QuestionType.ENTRY_LIST, {"columns": COLUMNS}),
        (second, "grid", "e", QuestionType.OBJECTIVES_GRID, {"scale": SCALE}),
    ]
    for copy in range(copies):
        for order, (section, key, label, kind, options) in enumerate(questions):
            factories.QuestionFactory(
                section=section,
                key=f"{key}-{copy}" if copy else key,
                label=f"{label}{copy}" if copy else label,
                text=f"Question about {key}?",
                type=kind,
                options=options,
                required=False,
                order=copy * 10 + order,
            )
    return services.questionnaire_version_publish(version=version)


ANSWERS = {
    "mechanism": "<p>A national committee.</p><ul><li>Interior</li><li>Labour</li></ul>",
    "lead": "Ministry of Labour",
    "instrument": "plan",
    "instruments": ["law", "plan"],
    "observatory": {"answer": "yes", "explanation": "<p>Since 2019.</p>"},
    "staff": "-2.5",
    "adopted": "2024-05-17",
    "entities": [{"entity": "IOM", "role": "Adviser"}],
    "grid": {"4": {"status": "done", "note": "Birth registry"}, "7": {"status": "none"}},
}


def submission_in(cycle, country, status=S.SUBMITTED, answers=None):
    """A submission of `country` in `status`, through the services, with `answers` by key."""
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    questions = {q.key: q for q in cycle.version.questions.all()}
    for key, value in (ANSWERS if answers is None else answers).items():
        services.answer_save(submission=submission, question=questions[key], value=value)
    for to_status in ROUTES[status]:
        submission = services.submission_transition(
            submission=submission, to_status=to_status, message="Please complete section II."
        )
    return submission


def loaded(cycle):
    """The cycle as the views load it (`selectors.export_cycle_get`)."""
    return ReviewCycle.objects.select_related("version__questionnaire").get(pk=cycle.pk)


@pytest.fixture
def cycle(objectives):
    """Morocco submitted, Egypt accepted, Tunisia returned, Jordan's draft, Lebanon not started."""
    cycle = factories.CycleFactory(version=typed_version(), slug="arab-test")
    country = factories.CountryFactory
    submission_in(cycle, country(iso2="MA", iso3="MAR", name_en="Morocco", name_ar="المغرب"))
    submission_in(
        cycle,
        country(iso2="EG", iso3="EGY", name_en="Egypt"),
        S.ACCEPTED,
        {"lead": "Ministry of Emigration", "grid": {"1": {"status": "none", "note": "Census"}}},
    )
    submission_in(cycle, country(iso2="TN", iso3="TUN", name_en="Tunisia"), S.RETURNED, {})
    submission_in(
        cycle,
        country(iso2="JO", iso3="JOR", name_en="Jordan"),
        S.DRAFT,
        {"lead": "Draft answer of Jordan"},
    )
    cycle.countries.add(country(iso2="LB", iso3="LBN", name_en="Lebanon"))
    return loaded(cycle)


def build(cycle, kind, fmt, include_drafts=False):
    return exports.build_export(
        cycle=loaded(cycle), kind=kind, fmt=fmt, include_drafts=include_drafts
    )


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes, sheet: int = 0) -> list[list[str]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    rows = workbook.worksheets[sheet].iter_rows(values_only=True)
    return [["" if value is None else value for value in row] for row in rows]


def read(content: bytes, fmt: str) -> list[list[str]]:
    return read_csv(content) if fmt == "csv" else read_xlsx(content)


def shown(text: str, fmt: str) -> str:
    """The rule the exports promise: in CSV, formula-like text starts with an apostrophe; in XLSX
    every cell is text as typed."""
    is_number = text.lstrip("-").replace(".", "", 1).isdigit()
    if fmt == "csv" and text.startswith(TRIGGERS) and not is_number:
        return "'" + text
    return text


def as_text(answer: Answer) -> str:
    question = answer.question
    return question.type_handler.as_text(answer.value, question.options)


def stamp(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def label(question: Question) -> str:
    return f"{question.section.number}.{question.label}"


def ordered_questions(cycle):
    return list(
        Question.objects.filter(version=cycle.version)
        .select_related("section")
        .order_by("section__order", "order")
    )


# --- Long form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_long_form_reads_back_equal_to_the_database(cycle, fmt):
    rows = read(build(cycle, "answers-long", fmt).content, fmt)

    assert rows[0] == [
        "Cycle",
        "Country code",
        "Country",
        "Section",
        "Question key",
        "Label",
        "Question",
        "Answer",
        "Not applicable because",
        "Status",
        "Last updated",
    ]
    questions = ordered_questions(cycle)
    expected = []
    # Sent submissions only (no draft), by country name, every question of the version.
    for iso2 in ["EG", "MA", "TN"]:
        submission = Submission.objects.get(cycle=cycle, country__iso2=iso2)
        answers = {a.question_id: a for a in submission.answers.select_related("question")}
        for question in questions:
            answer = answers.get(question.pk)
            expected.append(
                [
                    cycle.slug,
                    iso2,
                    submission.country.name_en,
                    f"{question.section.number}. {question.section.title}",
                    question.key,
                    label(question),
                    question.text,
                    shown(as_text(answer), fmt) if answer else "",
                    "",
                    submission.get_status_display(),
                    stamp(answer.updated_at) if answer else "",
                ]
            )
    assert rows[1:] == expected
    assert len(rows) == 1 + 3 * 9


def test_long_form_text_of_each_question_type(cycle):
    rows = read_csv(build(cycle, "answers-long", "csv").content)
    morocco = {row[4]: row[7] for row in rows if row[1] == "MA"}
    assert morocco == {
        "mechanism": "A national committee.\n\n- Interior\n- Labour",
        "lead": "Ministry of Labour",
        "instrument": "An action plan",
        "instruments": "A law; An action plan",
        "observatory": "Yes. Since 2019.",
        "staff": "-2.5",  # a number is never a formula: no apostrophe
        "adopted": "2024-05-17",
        "entities": "IOM | Adviser",
        "grid": "4: Done — Birth registry\n7: Nothing yet",
    }


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        # CSV: Excel would read the leading minus as a formula; only the first line is marked.
        ("csv", "'- Interior\n- Labour\n  - Inspection"),
        # XLSX: a string cell is never a formula, so the list reads as typed.
        ("xlsx", "- Interior\n- Labour\n  - Inspection"),
    ],
)
def test_a_list_answer_keeps_its_lines(cycle, fmt, expected):
    morocco = Submission.objects.get(cycle=cycle, country__iso2="MA")
    question = cycle.version.questions.get(key="mechanism")
    Answer.objects.filter(submission=morocco, question=question).update(
        value="<ul><li>Interior</li><li>Labour<ul><li>Inspection</li></ul></li></ul>"
    )
    rows = read(build(cycle, "answers-long", fmt).content, fmt)
    cell = next(row[7] for row in rows if row[1] == "MA" and row[4] == "mechanism")
    assert cell == expected


# --- Wide form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_wide_form_reads_back_equal_to_the_database(cycle, fmt):
    rows = read(build(cycle, "answers-wide", fmt).content, fmt)

    questions = ordered_questions(cycle)
    assert rows[0] == [
        "Country code",
        "Country",
        "Status",
        "Last updated",
        *(f"{label(q)} {q.key}" for q in questions),
    ]
    assert rows[0][4:6] == ["I.a mechanism", "I.b lead"]
    # Every participating country, by name; answers of sent submissions only.
    assert [row[0] for row in rows[1:]] == ["EG", "JO", "LB", "MA", "TN"]
    by_country = {row[0]: row for row in rows[1:]}
    for iso2 in ["EG", "MA", "TN"]:
        submission = Submission.objects.get(cycle=cycle, country__iso2=iso2)
        answers = {a.question_id: a for a in submission.answers.select_related("question")}
        assert by_country[iso2][1:4] == [
            submission.country.name_en,
            submission.get_status_display(),
            stamp(submission.updated_at),
        ]
        assert by_country[iso2][4:] == [
            shown(as_text(answers[q.pk]), fmt) if q.pk in answers else "" for q in questions
        ]
    assert by_country["JO"][1:] == ["Jordan", "Draft (not included)", ""] + [""] * 9
    assert by_country["LB"][1:] == ["Lebanon", "No submission", ""] + [""] * 9


# --- JSON ---------------------------------------------------------------------------------------


def test_json_document_holds_values_and_texts(cycle):
    export = build(cycle, "answers", "json")
    document = json.loads(export.content.decode("utf-8"))

    assert document["cycle"]["slug"] == cycle.slug
    assert document["questionnaire"]["version"] == cycle.version.number
    assert document["included_statuses"] == ["submitted", "returned", "accepted", "published"]
    assert [
        (q["label"], q["key"], q["type"]) for s in document["sections"] for q in s["questions"]
    ] == [(label(q), q.key, q.type) for q in ordered_questions(cycle)]
    assert [o["short_label"] for o in document["objectives"]][:2] == ["Short 1", "Short 2"]

    countries = {c["iso2"]: c for c in document["countries"]}
    assert list(countries) == ["EG", "JO", "LB", "MA", "TN"]
    assert countries["LB"]["status"] is None and countries["LB"]["submission"] is None
    assert countries["JO"]["status"] == "draft" and countries["JO"]["included"] is False
    assert countries["JO"]["submission"] is None  # a draft's answers are not in it
    for iso2 in ["EG", "MA", "TN"]:
        submission = Submission.objects.get(cycle=cycle, country__iso2=iso2)
        entry = countries[iso2]
        assert entry["status"] == submission.status
        assert entry["included"] is True
        assert entry["submission"]["answers"] == {
            answer.question.key: {
                "value": answer.value,
                "text": as_text(answer),  # JSON is not a spreadsheet: no apostrophes
                "not_applicable_reason": "",
                "updated_at": stamp(answer.updated_at),
            }
            for answer in submission.answers.select_related("question")
        }
    assert countries["MA"]["submission"]["answers"]["grid"]["text"] == (
        "4: Done — Birth registry\n7: Nothing yet"
    )


# --- Objectives matrix --------------------------------------------------------------------------


def test_objectives_matrix(cycle):
    workbook = openpyxl.load_workbook(io.BytesIO(build(cycle, "objectives", "xlsx").content))
    assert workbook.sheetnames == ["Objectives", "Notes", "About"]
    matrix = read_xlsx(build(cycle, "objectives", "xlsx").content, sheet=0)

    assert matrix[0] == ["Country code", "Country", "Status"] + [
        f"{n}. Short {n}" for n in range(1, 24)
    ]
    rows = {row[0]: row for row in matrix[1:]}
    assert list(rows) == ["EG", "JO", "LB", "MA", "TN"]
    status = {iso2: dict(enumerate(row[3:], start=1)) for iso2, row in rows.items()}
    # The cell is the label from this version's scale.
    assert status["MA"][4] == "Done" and status["MA"][7] == "Nothing yet"
    assert [n for n, cell in status["MA"].items() if cell] == [4, 7]
    assert status["EG"][1] == "Nothing yet"
    # Countries without a grid answer (or not included) are rows of blanks.
    for iso2 in ["JO", "LB", "TN"]:
        assert set(status[iso2].values()) == {""}
    assert rows["TN"][2] == "Returned for revision"

    notes = read_xlsx(build(cycle, "objectives", "xlsx").content, sheet=1)
    assert notes == [
        ["Country code", "Country", "Objective", "Status of implementation", "Note"],
        ["EG", "Egypt", "1. Short 1", "Nothing yet", "Census"],
        ["MA", "Morocco", "4. Short 4", "Done", "Birth registry"],
    ]


def test_objectives_matrix_needs_a_grid(objectives):
    version = services.questionnaire_version_publish(
        version=factories.QuestionFactory(type=QuestionType.SHORT_TEXT).version
    )
    cycle = factories.CycleFactory(version=version)
    with pytest.raises(exports.ExportError):
        build(cycle, "objectives", "xlsx")
    assert "objectives" not in [kind.slug for kind in exports.kinds_for(cycle=cycle)]


# --- Which submissions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fmt"), [(k.slug, f) for k in exports.KINDS.values() for f in k.formats]
)
def test_drafts_only_when_asked_for(cycle, kind, fmt):
    draft = "Draft answer of Jordan"
    assert draft.encode() not in zipped_or_plain(build(cycle, kind, fmt).content)
    with_drafts = build(cycle, kind, fmt, include_drafts=True)
    assert with_drafts.filename == f"gcm-arab-test-{kind}-with-drafts.{fmt}"
    if kind != "objectives":  # Jordan's draft has no grid answer
        assert draft.encode() in zipped_or_plain(with_drafts.content)


def test_with_drafts_a_draft_is_a_row_like_any_other(cycle):
    rows = read_csv(build(cycle, "answers-wide", "csv", include_drafts=True).content)
    jordan = next(row for row in rows if row[0] == "JO")
    assert jordan[2] == "Draft"
    assert jordan[5] == "Draft answer of Jordan"
    document = json.loads(build(cycle, "answers", "json", include_drafts=True).content)
    assert document["included_statuses"][-1] == "draft"


def zipped_or_plain(content: bytes) -> bytes:
    """The text of a file: an XLSX's XML parts joined, or the file itself."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


# --- Safety -------------------------------------------------------------------------------------


@pytest.fixture
def hostile_cycle(objectives):
    """A submission whose answers are formula payloads, in every kind of cell."""
    cycle = factories.CycleFactory(version=typed_version(), slug="hostile")
    submission = submission_in(
        cycle,
        factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco"),
        answers={
            "lead": "placeholder",
            "entities": [{"entity": "=1+1", "role": "@x"}],
            "grid": {"3": {"status": "done", "note": '=HYPERLINK("http://x")'}},
        },
    )
    # Tests store their payloads directly, as an old import could have (the answer service would
    # strip a leading tab): the export must not trust the storage.
    return loaded(cycle), submission, cycle.version.questions.get(key="lead")


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_come_out_of_a_csv_marked_as_text(hostile_cycle, payload):
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value=payload)

    rows = read_csv(build(cycle, "answers-long", "csv").content)
    cell = next(row[7] for row in rows if row[4] == "lead")
    assert cell == "'" + payload


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_in_the_wide_csv(hostile_cycle, payload):
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value=payload)
    rows = read_csv(build(cycle, "answers-wide", "csv").content)
    column = rows[0].index("I.b lead")
    assert rows[1][column] == "'" + payload
    assert rows[1][rows[0].index("II.d entities")] == "'=1+1 | @x"


def xlsx_cell(content: bytes, key: str, kind: str = "answers-long"):
    """The cell of the answer to `key` in the only country's row, as openpyxl reads it back."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    if kind == "answers-long":
        row = next(r for r in sheet.iter_rows(min_row=2) if r[4].value == key)
        return row[7]
    column = next(i for i, h in enumerate(header) if h.endswith(f" {key}"))
    return sheet[2][column]


@pytest.mark.parametrize(
    "typed",
    [
        "- Ministry of Interior\n- Ministry of Labour",
        "=1+1",
        "-5",
        "-2.5",
        "+1",
        "@SUM(A1:A2)",
        '=HYPERLINK("http://x")',
        "\t=1",
    ],
)
@pytest.mark.parametrize("kind", ["answers-long", "answers-wide"])
def test_an_xlsx_keeps_the_text_as_typed_in_a_string_cell(hostile_cycle, typed, kind):
    """Read back with openpyxl: the text as the country typed it, a string cell, no formula, no
    number."""
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value=typed)
    content = build(cycle, kind, "xlsx").content

    cell = xlsx_cell(content, "lead", kind)
    assert cell.value == typed
    assert cell.data_type == "s"
    assert b"<f>" not in zipped_or_plain(content)


def test_a_csv_marks_formulas_and_leaves_plain_text_alone(hostile_cycle):
    cycle, submission, question = hostile_cycle
    for typed, cell in [("=1+1", "'=1+1"), ("Ministry of Interior", "Ministry of Interior")]:
        Answer.objects.filter(submission=submission, question=question).update(value=typed)
        rows = read_csv(build(cycle, "answers-long", "csv").content)
        assert next(row[7] for row in rows if row[4] == "lead") == cell


@pytest.mark.parametrize(
    ("kind", "fmt"), [(k.slug, f) for k in exports.KINDS.values() for f in k.formats if f != "json"]
)
def test_no_cell_of_a_spreadsheet_is_a_formula(hostile_cycle, kind, fmt):
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value="=SUM(A1)")
    content = build(cycle, kind, fmt).content
    if fmt == "csv":
        cells = [cell for row in read_csv(content) for cell in row]
    else:
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet_cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
        assert {cell.data_type for cell in sheet_cells} <= {"s", "n"}  # n: empty cells
        assert not [c for c in sheet_cells if c.data_type == "n" and c.value is not None]
        assert b"<f>" not in zipped_or_plain(content)  # no formula element anywhere
        cells = [cell.value for cell in sheet_cells if cell.value is not None]
    assert cells
    if fmt == "csv":
        assert not [cell for cell in cells if cell.startswith(TRIGGERS)]
    else:  # as typed, in string cells (the data types checked above)
        assert [cell for cell in cells if cell.startswith("=")]


def test_the_objectives_notes_are_text_as_typed(hostile_cycle):
    cycle, _submission, _question = hostile_cycle
    content = build(cycle, "objectives", "xlsx").content
    note = openpyxl.load_workbook(io.BytesIO(content)).worksheets[1]["E2"]
    assert note.value == '=HYPERLINK("http://x")'
    assert note.data_type == "s"


def test_json_keeps_the_text_as_it_is(hostile_cycle):
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value="=1")
    document = json.loads(build(cycle, "answers", "json").content)
    assert document["countries"][0]["submission"]["answers"]["lead"]["text"] == "=1"


def test_characters_xml_cannot_hold_are_dropped(hostile_cycle):
    cycle, submission, question = hostile_cycle
    Answer.objects.filter(submission=submission, question=question).update(value="a\x01b\x0bc")
    for fmt in ("csv", "xlsx"):
        rows = read(build(cycle, "answers-long", fmt).content, fmt)
        assert next(row[7] for row in rows if row[4] == "lead") == "abc"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("-2.5", "-2.5"),
        ("-12", "-12"),
        ("-", "'-"),
        ("- item", "'- item"),
        ("- Ministry of Interior", "'- Ministry of Interior"),
        ("+1", "'+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("1-2", "1-2"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("\t=1", "'\t=1"),
        ("\x00=1", "'=1"),  # dropped first (XML cannot hold it), then checked
        ("Ministry of Interior", "Ministry of Interior"),
        ("", ""),
        (None, ""),
        (" =1", " =1"),
    ],
)
def test_csv_cell_text(text, cell):
    assert exports.csv_cell_text(text) == cell


@pytest.mark.parametrize(
    ("text", "cell"),
    [("- item", "- item"), ("=1+1", "=1+1"), ("-5", "-5"), ("a\x00b", "ab"), (None, "")],
)
def test_xlsx_cell_text_is_the_text_as_typed(text, cell):
    assert exports.xlsx_cell_text(text) == cell


def test_an_xlsx_cell_is_cut_at_excels_limit():
    text = exports.xlsx_cell_text("x" * 40_000)
    assert len(text) == exports.XLSX_CELL_LIMIT
    assert text.endswith("the full text is in the CSV and JSON exports]")


# --- Arabic and other languages -----------------------------------------------------------------


ARABIC = "وزارة العمل والهجرة"


def test_arabic_round_trips(objectives):
    cycle = factories.CycleFactory(version=typed_version(), slug="arabic")
    submission_in(
        cycle,
        factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco", name_ar="المغرب"),
        answers={
            "lead": ARABIC,
            "mechanism": "<ul><li>لجنة وطنية</li><li>وزارة الداخلية</li></ul>",
        },
    )
    cycle = loaded(cycle)
    for fmt in ("csv", "xlsx"):
        rows = read(build(cycle, "answers-long", fmt).content, fmt)
        answers = {row[4]: row[7] for row in rows[1:]}
        assert answers["lead"] == ARABIC
        assert answers["mechanism"] == shown("- لجنة وطنية\n- وزارة الداخلية", fmt)
    document = json.loads(build(cycle, "answers", "json").content.decode("utf-8"))
    assert document["countries"][0]["name"]["ar"] == "المغرب"
    assert document["countries"][0]["submission"]["answers"]["lead"]["value"] == ARABIC
    # In Arabic, the country column is the Arabic name.
    with translation.override("ar"):
        rows = read_csv(build(cycle, "answers-long", "csv").content)
    assert rows[1][2] == "المغرب"


# --- The demo data ------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("loaddemo", verbosity=0)


def test_demo_2020_long_form_is_moroccos_answers(demo):
    cycle = ReviewCycle.objects.get(slug="arab-2020")
    morocco = Submission.objects.get(cycle=cycle, country__iso2="MA")
    for fmt in ("csv", "xlsx"):
        export = build(cycle, "answers-long", fmt)
        assert export.filename == f"gcm-arab-2020-answers-long.{fmt}"
        rows = read(export.content, fmt)
        assert {row[1] for row in rows[1:]} == {"MA"}
        assert {row[9] for row in rows[1:]} == {"Published"}  # published by the demo
        assert {row[4]: row[7] for row in rows[1:]} == {
            answer.question.key: shown(as_text(answer), fmt)
            for answer in morocco.answers.select_related("question")
        }


def test_demo_2024_jordans_draft_only_with_drafts(demo):
    cycle = ReviewCycle.objects.get(slug="arab-2024")
    jordan = Submission.objects.get(cycle=cycle, country__iso2="JO")
    document = json.loads(build(cycle, "answers", "json").content)
    assert len(document["countries"]) == 22
    # Only Morocco's accepted (invented) review of 2024 without drafts.
    assert [c["iso2"] for c in document["countries"] if c["included"]] == ["MA"]

    document = json.loads(build(cycle, "answers", "json", include_drafts=True).content)
    entry = next(c for c in document["countries"] if c["iso2"] == "JO")
    assert {key: a["value"] for key, a in entry["submission"]["answers"].items()} == {
        answer.question.key: answer.value for answer in jordan.answers.select_related("question")
    }
    matrix = read_xlsx(build(cycle, "objectives", "xlsx", include_drafts=True).content)
    assert matrix[0][3:5] == ["1. Data", "2. Minimize adverse drivers"]
    assert len(matrix) == 1 + 22


# --- Spreadsheet layout -------------------------------------------------------------------------


def test_sheets_are_tidy(cycle):
    workbook = openpyxl.load_workbook(io.BytesIO(build(cycle, "answers-long", "xlsx").content))
    sheet = workbook["Answers"]
    assert sheet.freeze_panes == "D2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.auto_filter.ref == f"A1:K{sheet.max_row}"
    assert sheet.column_dimensions["H"].width == 80
    assert sheet["G2"].alignment.wrap_text  # the question
    assert sheet["G2"].alignment.vertical == "top"
    about = dict(workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Submissions included"] == "Submitted, Returned for revision, Accepted, Published"


# --- Views --------------------------------------------------------------------------------------


def export_urls(slug="arab-test"):
    return [reverse("cycle_exports", args=[slug])] + [
        reverse("cycle_export_download", args=[slug, kind.slug, fmt])
        for kind in exports.KINDS.values()
        for fmt in kind.formats
    ]


@pytest.fixture
def users(cycle):
    morocco = cycle.countries.get(iso2="MA")
    return {
        "focal_point": factories.MembershipFactory(
            country=morocco, role=CountryRole.FOCAL_POINT
        ).user,
        "viewer": factories.MembershipFactory(country=morocco, role=CountryRole.VIEWER).user,
        "no_role": factories.UserFactory(),
        "reviewer": factories.ReviewerFactory(),
        "admin": factories.AdminFactory(username="admin-user"),
    }


@pytest.mark.parametrize("url", export_urls())
@pytest.mark.parametrize(
    ("who", "status"),
    [("focal_point", 403), ("viewer", 403), ("no_role", 403), ("reviewer", 200), ("admin", 200)],
)
def test_who_may_export(client, users, url, who, status):
    client.force_login(users[who])
    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", export_urls())
def test_anonymous_is_sent_to_login(client, cycle, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_a_country_user_learns_nothing_about_unknown_cycles(client, users):
    client.force_login(users["focal_point"])
    assert client.get(reverse("cycle_exports", args=["no-such-cycle"])).status_code == 403


@pytest.mark.parametrize(
    "args",
    [
        ["no-such-cycle", "answers-long", "csv"],
        ["arab-test", "answers-long", "json"],
        ["arab-test", "objectives", "csv"],
        ["arab-test", "everything", "xlsx"],
    ],
)
def test_unknown_exports_are_404_for_staff(client, users, args):
    client.force_login(users["reviewer"])
    assert client.get(reverse("cycle_export_download", args=args)).status_code == 404


@pytest.mark.parametrize(
    ("kind", "fmt", "content_type"),
    [
        ("answers-long", "xlsx", exports.CONTENT_TYPES["xlsx"]),
        ("answers-long", "csv", "text/csv; charset=utf-8"),
        ("answers-wide", "csv", "text/csv; charset=utf-8"),
        ("answers", "json", "application/json"),
        ("objectives", "xlsx", exports.CONTENT_TYPES["xlsx"]),
    ],
)
def test_download_headers(client, users, kind, fmt, content_type):
    client.force_login(users["reviewer"])
    response = client.get(reverse("cycle_export_download", args=["arab-test", kind, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (f'attachment; filename="gcm-arab-test-{kind}.{fmt}"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    # The file served is the one build_export makes, which the command writes too.
    expected = build(ReviewCycle.objects.get(slug="arab-test"), kind, fmt).content
    assert read_any(response.content, fmt) == read_any(expected, fmt)


def read_any(content: bytes, fmt: str):
    """A file's content without the time it was made (the JSON's and the About sheet's)."""
    if fmt == "csv":
        return content
    if fmt == "json":
        document = json.loads(content)
        document.pop("exported_at")
        return document
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets[:-1]]


def test_drafts_are_asked_for_with_a_parameter(client, users):
    client.force_login(users["reviewer"])
    url = reverse("cycle_export_download", args=["arab-test", "answers-wide", "csv"])
    response = client.get(url + "?drafts=1")
    assert (
        'filename="gcm-arab-test-answers-wide-with-drafts.csv"' in response["Content-Disposition"]
    )
    assert "Draft answer of Jordan" in response.content.decode("utf-8-sig")
    assert "Draft answer of Jordan" not in client.get(url).content.decode("utf-8-sig")


def test_the_exports_page_lists_each_download(client, users, cycle):
    client.force_login(users["reviewer"])
    response = client.get(reverse("cycle_exports", args=["arab-test"]))
    assert response.status_code == 200
    for url in export_urls()[1:]:
        assert f'href="{url}"' in response.text
    assert "gcm-arab-test-answers-long.xlsx" in response.text
    assert "5 participating countries." in response.text
    assert "(3 now)" in response.text  # submitted, returned and accepted: 3 sent
    assert "?drafts=1" in response.text

    response = client.get(reverse("cycle_exports", args=["arab-test"]) + "?drafts=1")
    assert 'answers-long.xlsx?drafts=1"' in response.text
    assert "gcm-arab-test-answers-long-with-drafts.xlsx" in response.text


def test_the_exports_page_offers_no_matrix_without_a_grid(client, demo):
    client.force_login(factories.ReviewerFactory())
    response = client.get(reverse("cycle_exports", args=["arab-2020"]))
    assert "objectives.xlsx" not in response.text
    assert "answers-long.csv" in response.text


def test_staff_home_links_to_the_exports(client, users, cycle):
    client.force_login(users["reviewer"])
    assert reverse("cycle_exports", args=["arab-test"]) in client.get(reverse("home")).text
    client.force_login(users["focal_point"])
    assert "/exports/" not in client.get(reverse("home")).text


# --- Queries ------------------------------------------------------------------------------------


def cycle_with(countries: int):
    cycle = factories.CycleFactory(version=typed_version())
    for _ in range(countries):
        submission_in(cycle, factories.CountryFactory())
    cycle.countries.add(factories.CountryFactory())  # and one that has not started
    return loaded(cycle)


# sections, questions, submissions, answers, countries, objectives, and for the one rule of which
# questions each submission shows (conditions.answer_states): the version's conditions and
# questions, and the answers' facts (one more when some question depends on another's value)
EXPORT_QUERIES = 9


@pytest.mark.parametrize("countries", [2, 5])
@pytest.mark.parametrize(
    ("kind", "fmt"), [(k.slug, f) for k in exports.KINDS.values() for f in k.formats]
)
def test_queries_do_not_grow_with_countries(
    objectives, django_assert_num_queries, countries, kind, fmt
):
    cycle = cycle_with(countries)
    with django_assert_num_queries(EXPORT_QUERIES):
        exports.build_export(cycle=cycle, kind=kind, fmt=fmt, include_drafts=True)


def test_queries_do_not_grow_with_questions(objectives, django_assert_num_queries):
    cycle = factories.CycleFactory(version=typed_version(copies=3))
    for _ in range(2):
        submission_in(cycle, factories.CountryFactory())
    assert cycle.version.questions.count() == 27
    cycle = loaded(cycle)
    with django_assert_num_queries(EXPORT_QUERIES):
        exports.build_export(cycle=cycle, kind="answers-long", fmt="xlsx")


@pytest.mark.parametrize("countries", [2, 5])
def test_download_view_queries_do_not_grow(
    client, objectives, django_assert_num_queries, countries
):
    cycle = cycle_with(countries)
    client.force_login(factories.ReviewerFactory())
    url = reverse("cycle_export_download", args=[cycle.slug, "answers-wide", "xlsx"])
    # session, user, the authenticator that verified the reviewer's login, the cycle, and the
    # export's own
    with django_assert_num_queries(4 + EXPORT_QUERIES):
        assert client.get(url).status_code == 200


# --- The command --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "filename"),
    [
        (["--format", "xlsx"], "gcm-arab-test-answers-long.xlsx"),
        (["--format", "csv"], "gcm-arab-test-answers-long.csv"),
        (["--format", "csv", "--shape", "wide"], "gcm-arab-test-answers-wide.csv"),
        (["--format", "xlsx", "--shape", "wide"], "gcm-arab-test-answers-wide.xlsx"),
        (["--format", "json"], "gcm-arab-test-answers.json"),
        (["--kind", "objectives"], "gcm-arab-test-objectives.xlsx"),
        (["--kind", "objectives", "--include-drafts"], "gcm-arab-test-objectives-with-drafts.xlsx"),
    ],
)
def test_command_writes_each_export(cycle, tmp_path, monkeypatch, options, filename):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    call_command("export_answers", "--cycle", "arab-test", *options, stdout=out)
    written = tmp_path / filename
    assert f"Wrote {filename}" in out.getvalue()
    kind = filename.removeprefix("gcm-arab-test-").split(".")[0].removesuffix("-with-drafts")
    fmt = filename.rsplit(".", 1)[1]
    expected = build(cycle, kind, fmt, include_drafts="--include-drafts" in options).content
    if fmt == "csv":
        assert written.read_bytes() == expected
    else:
        assert read_any(written.read_bytes(), fmt) == read_any(expected, fmt)


def test_command_takes_the_format_from_the_output_file(cycle, tmp_path):
    target = tmp_path / "answers.xlsx"
    call_command("export_answers", "--cycle", "arab-test", "-o", str(target), stdout=io.StringIO())
    rows = read_xlsx(target.read_bytes())
    assert rows[0][0] == "Cycle" and len(rows) == 1 + 3 * 9


def test_command_writes_json_to_standard_output(cycle):
    out = io.StringIO()
    call_command(
        "export_answers", "--cycle", "arab-test", "--format", "json", "-o", "-", stdout=out
    )
    assert json.loads(out.getvalue())["cycle"]["slug"] == "arab-test"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--cycle", "nope", "--format", "csv"], "There is no cycle 'nope'"),
        (["--cycle", "arab-test", "--format", "json", "--shape", "wide"], "one shape"),
        (["--cycle", "arab-test", "--kind", "objectives", "--format", "csv"], "xlsx only"),
        (["--cycle", "arab-test", "--kind", "objectives", "--shape", "long"], "one shape"),
        (["--cycle", "arab-test", "--format", "xlsx", "-o", "-"], "standard output"),
        (["--cycle", "arab-test", "-o", "answers.txt"], "Cannot tell the format"),
        (["--cycle", "arab-test", "--format", "pdf"], "invalid choice"),
        (["--cycle", "arab-test", "--shape", "tall"], "invalid choice"),
        (["--format", "csv"], "--cycle"),
    ],
)
def test_command_refuses_bad_input(cycle, tmp_path, monkeypatch, options, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("export_answers", *options, stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_command_refuses_a_matrix_without_a_grid(demo, tmp_path):
    with pytest.raises(CommandError, match="no objectives grid"):
        call_command(
            "export_answers", "--cycle", "arab-2020", "--kind", "objectives", "-o", str(tmp_path)
        )


def test_selector_refuses_country_users(cycle, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        selectors.export_cycle_get(user=users["focal_point"], slug="arab-test")
    assert selectors.export_cycle_get(user=users["reviewer"], slug="arab-test") == cycle
