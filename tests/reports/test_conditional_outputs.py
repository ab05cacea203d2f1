"""Exports, PDFs and the regional compilation follow the one rule (conditions.answer_states): a
question that earlier answers hide is left out (its kept answer comes back when it applies
again), and "Not applicable" reads "Not applicable: reason", in its own column of the long
table."""

import csv
import io
import json

import pytest
from django.utils import translation

from questionnaire.models import ReviewCycle, Submission, SubmissionStatus
from reports import compilation, exports, pdf
from tests import factories
from tests.conditions_data import BODY_NAME, OTHER_TEXT, REASON, conditional_submission

from .pdfutils import pdf_text, squash

pytestmark = pytest.mark.django_db

KEPT = "A value kept while not applicable"


@pytest.fixture
def data(country):
    return conditional_submission(country=country)


def move(submission, status):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    submission.refresh_from_db()


def build(cycle, kind, fmt):
    cycle = ReviewCycle.objects.select_related("version__questionnaire").get(pk=cycle.pk)
    return exports.build_export(cycle=cycle, kind=kind, fmt=fmt, include_drafts=True)


def long_rows(cycle) -> dict[str, dict[str, str]]:
    """question key → the long table's row, by column header."""
    content = build(cycle, "answers-long", "csv").content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(content, newline=""))
    return {row[4]: dict(zip(header, row, strict=True)) for row in rows}


def wide_row(cycle) -> dict[str, str]:
    content = build(cycle, "answers-wide", "csv").content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(content, newline=""))
    (row,) = rows
    return dict(zip(header, row, strict=True))


def test_the_long_table_has_no_row_for_a_hidden_question_until_it_applies_again(data):
    cycle = data.submission.cycle
    data.answer_has_body("no")
    rows = long_rows(cycle)
    assert data.body_name.key not in rows
    assert list(rows) == [data.has_body.key, data.consulted.key, data.other.key]

    data.answer_has_body("yes")
    rows = long_rows(cycle)
    assert rows[data.body_name.key]["Answer"] == BODY_NAME


def test_the_long_table_gives_not_applicable_its_own_column(data):
    rows = long_rows(data.submission.cycle)
    assert rows[data.consulted.key]["Answer"] == ""
    assert rows[data.consulted.key]["Not applicable because"] == REASON
    assert rows[data.other.key]["Answer"] == OTHER_TEXT
    assert rows[data.other.key]["Not applicable because"] == ""


def test_the_wide_table_leaves_a_hidden_cell_empty_and_says_not_applicable(data):
    cycle = data.submission.cycle
    heading = f"I.b {data.body_name.key}"
    assert wide_row(cycle)[heading] == BODY_NAME
    data.answer_has_body("no")
    row = wide_row(cycle)
    assert row[heading] == ""
    assert row[f"I.c {data.consulted.key}"] == f"Not applicable: {REASON}"
    assert KEPT not in row.values()


def test_the_json_document_leaves_out_hidden_answers_and_holds_the_reason(data):
    data.answer_has_body("no")
    document = json.loads(build(data.submission.cycle, "answers", "json").content)
    (country,) = [c for c in document["countries"] if c["included"]]
    answers = country["submission"]["answers"]
    assert data.body_name.key not in answers
    assert answers[data.consulted.key] | {"updated_at": ""} == {
        "value": None,
        "text": "",
        "not_applicable_reason": REASON,
        "updated_at": "",
    }


def test_the_about_sheet_says_what_happens_to_questions_that_do_not_apply(data):
    about = exports.about_table(exports.selectors.cycle_answers(cycle=data.submission.cycle))
    assert "Questions that do not apply" in [row[0] for row in about.rows]


def test_the_pdf_leaves_out_a_hidden_question_and_prints_not_applicable(data):
    submission = data.submission
    data.answer_has_body("no")
    with translation.override("en"):
        html = pdf.submission_html(submission=submission)
    assert BODY_NAME not in html
    assert data.body_name.text not in html  # neither the question nor its line in the contents
    assert f'dir="ltr">{REASON}</span>' in html
    assert KEPT not in html
    text = squash("".join(pdf_text(pdf.html_to_pdf(html))))
    assert squash(f"Not applicable: {REASON}") in text
    assert squash(OTHER_TEXT) in text

    data.answer_has_body("yes")
    with translation.override("en"):
        html = pdf.submission_html(submission=submission)
    assert BODY_NAME in html and data.body_name.text in html


def test_the_pdf_marks_only_unreviewed_carried_answers(data):
    from questionnaire.models import Answer

    Answer.objects.filter(submission=data.submission).update(prefilled=True)
    with translation.override("en"):
        html = pdf.submission_html(submission=data.submission)
    line = "Carried forward from the previous cycle, not yet reviewed by the country"
    # I.a, I.b and I.d: I.c is "Not applicable", which the country said itself.
    assert html.count(line) == 3


def test_an_arabic_reason_in_an_english_pdf_runs_right_to_left_in_its_own_span(data):
    from questionnaire import services

    services.answer_save(
        submission=data.submission,
        question=data.consulted,
        value="",
        not_applicable_reason="لا توجد هيئة كهذه",
    )
    with translation.override("en"):
        html = pdf.submission_html(submission=data.submission)
    assert (
        '<td class="qa-a" dir="ltr" lang="en"><div class="qa-keep"' in html
        and 'Not applicable: <span class="portal-not-applicable-reason" dir="rtl">' in html
    )


def test_the_compilation_annex_names_apart_the_countries_a_question_does_not_apply_to(
    data, reviewer
):
    cycle = data.submission.cycle
    other = conditional_submission(
        country=factories.CountryFactory(iso2="TN", name_en="Tunisia"), cycle=cycle
    )
    other.answer_has_body("no")
    move(data.submission, SubmissionStatus.ACCEPTED)
    move(other.submission, SubmissionStatus.ACCEPTED)

    def piece(question):
        with translation.override("en"):
            pieces = {p.key: p for p in compilation.annex_pieces(cycle)}
            return pieces[compilation.QUESTION_PIECE + question.key].html()

    html = piece(data.body_name)
    assert html.count(BODY_NAME) == 1  # Morocco's; Tunisia's kept answer is left out
    assert "Does not apply, by the conditions on earlier answers: Tunisia." in html
    assert piece(data.consulted).count("Not applicable: <span") == 2
    assert KEPT not in piece(data.consulted)

    move(other.submission, SubmissionStatus.DRAFT)
    other.answer_has_body("yes")
    move(other.submission, SubmissionStatus.ACCEPTED)
    html = piece(data.body_name)
    assert html.count(BODY_NAME) == 2
    assert "Does not apply" not in html


def test_a_countrys_part_changes_with_the_reason(data):
    """The cached part is rendered again when only the reason changed."""
    from questionnaire import services

    before = compilation._part_material(data.submission, "en")
    services.answer_save(
        submission=data.submission,
        question=data.consulted,
        value=KEPT,
        not_applicable_reason="Another reason",
    )
    assert compilation._part_material(data.submission, "en") != before
