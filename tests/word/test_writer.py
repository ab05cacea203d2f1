"""The Word documents the portal writes (questionnaire/word/writer.py, docs/word.md "Out"),
opened again with python-docx and read as Word would: headings, tables, repeating header rows,
a bookmark per question, the origin in the custom XML part, real Word lists, right to left in
Arabic; and their downloads, for whom they are."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse
from docx.oxml.ns import qn

from questionnaire import services
from questionnaire.models import Answer, Question, QuestionCondition
from questionnaire.word import format as word_format
from questionnaire.word import ooxml, writer
from tests import factories

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LISTS = (
    "<p>Intro with <strong>bold</strong> and <em>italic</em> words<br>and a second line.</p>"
    "<ul><li>Interior<ul><li>Border police<ol><li>North</li><li>South</li></ol></li></ul></li>"
    "<li>Labour</li></ul>"
    "<ol><li>First step</li><li>Second step</li></ol>"
    "<p>Between the lists.</p>"
    "<ol><li>Again one</li><li>Again two</li></ol>"
)
MIXED = "<p>تقوم اللجنة الوطنية بالتنسيق.</p><p>The committee meets monthly.</p>"


@pytest.fixture
def grid_objectives(db):
    return factories.gcm_objectives()


@pytest.fixture
def morocco(db):
    return factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco", name_ar="المغرب")


@pytest.fixture
def version(db, grid_objectives):
    return factories.every_type_version(conditional=True)


@pytest.fixture
def answered(morocco, version):
    return factories.every_type_submission(country=morocco, version=version)


def opened(data: bytes):
    return docx.Document(io.BytesIO(data))


def origin_of(document) -> word_format.Origin:
    parts = [
        rel.target_part
        for rel in document.part.rels.values()
        if rel.reltype == word_format.CUSTOM_XML_RELTYPE
    ]
    assert len(parts) == 1
    assert str(parts[0].partname) == word_format.CUSTOM_XML_PARTNAME
    origin = word_format.origin_from_xml(parts[0].blob)
    assert origin is not None
    return origin


def bookmarks(document) -> list[str]:
    return [b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))]


def question_of(submission, key: str) -> Question:
    return Question.objects.select_related("section").get(version=submission.cycle.version, key=key)


def answer_cell(document, submission, key: str):
    """The answer cell of the question `key`: the cell beside its bookmark."""
    name = word_format.bookmark_name(key)
    for start in document.element.body.iter(qn("w:bookmarkStart")):
        if start.get(qn("w:name")) == name:
            row = start.getparent().getparent().getparent()  # p → tc → tr
            return row.findall(qn("w:tc"))[1]
    raise AssertionError(key)


def paragraphs_of(element) -> list:
    return list(element.iter(qn("w:p")))


def text_of(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def style_names(document) -> dict[str, str]:
    return {style.style_id: style.name for style in document.styles}


# --- The layout ------------------------------------------------------------------------------


def test_a_submission_in_english(answered):
    document = opened(writer.submission_docx(submission=answered, language="en"))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == answered.cycle.version.display_title
    assert document.paragraphs[0].style.name == "Title"
    assert texts[1].startswith("Answers of Morocco, ")
    assert "“Answers” column" in texts[2]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["S1. Every type of question 1"]
    (table,) = document.tables
    header = table.rows[0]
    assert [c.text for c in header.cells] == ["Questions", "Answers"]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    # Nine questions, and the row spanning both columns under the objectives grid.
    assert len(table.rows) == 1 + 9 + 1
    keys = [f"t-1-{i}" for i in range(9)]
    assert bookmarks(document) == [word_format.bookmark_name(key) for key in keys]
    ids = [b.get(qn("w:id")) for b in document.element.body.iter(qn("w:bookmarkStart"))]
    ends = [b.get(qn("w:id")) for b in document.element.body.iter(qn("w:bookmarkEnd"))]
    assert len(set(ids)) == 9 and sorted(ids) == sorted(ends)
    first = table.rows[1].cells[0].text
    assert first.startswith("S1.a Long text: question 1 of section 1?")
    # The answers as the pages write them.
    assert text_of(answer_cell(document, answered, "t-1-1")) == "Ministry of Labour"
    choices = [text_of(p) for p in paragraphs_of(answer_cell(document, answered, "t-1-2"))]
    assert choices == ["☐ A law", "☒ A national strategy", "☐ An action plan"]
    several = [text_of(p) for p in paragraphs_of(answer_cell(document, answered, "t-1-3"))]
    assert several == ["☒ A law", "☐ A national strategy", "☒ An action plan"]
    yes_no = [text_of(p) for p in paragraphs_of(answer_cell(document, answered, "t-1-4"))]
    assert yes_no == ["☒ Yes", "☐ No", "Through the national observatory."]
    assert text_of(answer_cell(document, answered, "t-1-5")) == "1,250.5"
    assert text_of(answer_cell(document, answered, "t-1-6")) == "May 17, 2024"
    entries = answer_cell(document, answered, "t-1-7").find(qn("w:tbl"))
    rows = [[text_of(tc) for tc in tr.findall(qn("w:tc"))] for tr in entries.findall(qn("w:tr"))]
    assert rows == [["Entity", "Role in the review"], ["IOM", "Technical adviser"]]
    # A conditional question says when it applies, in italics, inside its bookmark.
    note_cell = table.rows[8].cells[0]
    assert note_cell.paragraphs[-1].text == "Applies only when S1.f is more than 100."
    assert note_cell.paragraphs[-1].runs[0].italic
    assert note_cell.paragraphs[-1]._p[-1].tag == qn("w:bookmarkEnd")
    properties = document.core_properties
    assert (properties.author, properties.language) == ("GCM Review Portal", "en")
    assert properties.title == answered.cycle.version.display_title


def test_the_objectives_grid_spans_both_columns(answered):
    document = opened(writer.submission_docx(submission=answered, language="en"))
    table = document.tables[0]
    spanning = table.rows[-1]._tr
    (cell,) = spanning.findall(qn("w:tc"))
    assert cell.tcPr.find(qn("w:gridSpan")).get(qn("w:val")) == "2"
    scale = [text_of(p) for p in cell.findall(qn("w:p"))][:2]
    assert scale[1] == "Not started · Planned · In progress · Largely achieved · Not applicable"
    grid = cell.find(qn("w:tbl"))
    rows = [[text_of(tc) for tc in tr.findall(qn("w:tc"))] for tr in grid.findall(qn("w:tr"))]
    assert len(rows) == 1 + 23
    assert rows[0] == ["No.", "GCM objective", "Status", "Note"]
    assert rows[4] == ["4", "Objective title 4", "Planned", "Birth registry"]
    assert rows[5] == ["5", "Objective title 5", "", ""]
    assert grid.findall(qn("w:tr"))[0].find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_the_origin_gives_each_answers_revision(answered):
    question = question_of(answered, "t-1-1")
    services.answer_save(submission=answered, question=question, value="Ministry of Interior")
    document = opened(
        writer.submission_docx(submission=answered, language="fr", portal_url="https://p.example/")
    )
    origin = origin_of(document)
    revisions = dict(
        Answer.objects.filter(submission=answered).values_list("question__key", "revision")
    )
    assert revisions["t-1-1"] == 2
    assert origin.revisions() == revisions
    assert origin.kind == word_format.KIND_SUBMISSION
    assert (origin.language, origin.portal, origin.country) == ("fr", "https://p.example/", "MA")
    assert origin.submission_id == answered.pk
    assert origin.cycle_slug == answered.cycle.slug
    version = answered.cycle.version
    assert (origin.version_id, origin.version_number) == (version.pk, version.number)
    assert origin.version_slug == version.questionnaire.slug
    assert origin.exported_at
    assert [(m.section, m.label) for m in origin.questions][:2] == [("S1", "a"), ("S1", "b")]


def test_not_applicable_and_unanswered(morocco, version):
    submission = factories.every_type_submission(country=morocco, version=version, answered=False)
    question = question_of(submission, "t-1-1")
    Question.objects.filter(pk=question.pk).update(allows_not_applicable=True)
    question.refresh_from_db()
    services.answer_save(
        submission=submission, question=question, value="", not_applicable_reason="No such body"
    )
    document = opened(writer.submission_docx(submission=submission, language="en"))
    assert text_of(answer_cell(document, submission, "t-1-1")) == "Not applicable: No such body"
    empty = answer_cell(document, submission, "t-1-2")
    assert text_of(empty) == "" and len(paragraphs_of(empty)) == 1
    assert origin_of(document).revisions()["t-1-1"] == 1
    assert origin_of(document).revisions()["t-1-0"] == 0


def test_the_blank_questionnaire(version):
    cycle = factories.CycleFactory(version=version)
    document = opened(writer.questionnaire_docx(version=version, language="en", cycle=cycle))
    body = text_of(document.element.body)
    assert "☒" not in body
    assert document.paragraphs[1].text.startswith("Blank questionnaire, version")
    table = document.tables[0]
    choices = [p.text for p in table.rows[3].cells[1].paragraphs]
    assert choices == ["☐ A law", "☐ A national strategy", "☐ An action plan"]
    assert [p.text for p in table.rows[5].cells[1].paragraphs] == ["☐ Yes", "☐ No"]
    assert table.rows[1].cells[1].text == ""  # long text
    entries = table.rows[8].cells[1].tables[0]
    assert len(entries.rows) == 1 + writer.BLANK_ENTRY_ROWS
    assert [c.text for c in entries.rows[1].cells] == ["", ""]
    grid = table.rows[-1].cells[0].tables[0]
    assert len(grid.rows) == 24
    assert all(row.cells[2].text == row.cells[3].text == "" for row in grid.rows[1:])
    origin = origin_of(document)
    assert origin.kind == word_format.KIND_QUESTIONNAIRE
    assert origin.submission_id is None and origin.cycle_slug == cycle.slug
    assert set(origin.revisions().values()) == {0} and len(origin.questions) == 9


# --- Answers' text: real Word lists ----------------------------------------------------------


def test_lists_are_word_lists_that_restart(answered):
    factories.answer(answered, "t-1-0", LISTS)
    document = opened(writer.submission_docx(submission=answered, language="en"))
    cell = answer_cell(document, answered, "t-1-0")
    names = style_names(document)
    numbering = document.part.numbering_part.element
    found = []
    for p in cell.findall(qn("w:p")):
        ppr = p.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")).get(qn("w:val")) if ppr is not None else "Normal"
        num = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id = num.find(qn("w:numId")).get(qn("w:val")) if num is not None else None
        found.append((names.get(style, style), text_of(p), num_id))
    assert [(style, text) for style, text, _num in found] == [
        ("Normal", "Intro with bold and italic wordsand a second line."),
        ("List Bullet", "Interior"),
        ("List Bullet 2", "Border police"),
        ("List Number 3", "North"),
        ("List Number 3", "South"),
        ("List Bullet", "Labour"),
        ("List Number", "First step"),
        ("List Number", "Second step"),
        ("Normal", "Between the lists."),
        ("List Number", "Again one"),
        ("List Number", "Again two"),
    ]
    assert all(num for style, _text, num in found if style != "Normal")
    # No typed bullets or numbers: Word draws them.
    assert not any(char in text_of(cell) for char in "•▪◦–")
    assert "1." not in text_of(cell)
    # Each list its own w:num on a multilevel abstract numbering (all nine levels defined, so
    # Tab in Word indents an item), at the item's level; numbered lists restart at 1.
    first, again = found[6][2], found[9][2]
    assert first != again and found[3][2] == found[4][2] and found[6][2] == found[7][2]
    levels = [
        p.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:ilvl")).get(qn("w:val"))
        for p in cell.findall(qn("w:p"))[1:6]
    ]
    assert levels == ["0", "1", "2", "2", "0"]
    nums = {n.get(qn("w:numId")): n for n in numbering.findall(qn("w:num"))}
    abstracts = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
    for num_id in (first, again):
        num = nums[num_id]
        abstract = abstracts[num.find(qn("w:abstractNumId")).get(qn("w:val"))]
        formats = [
            lvl.find(qn("w:numFmt")).get(qn("w:val")) for lvl in abstract.findall(qn("w:lvl"))
        ]
        assert len(formats) == ooxml.LIST_LEVELS and formats[0] == "decimal"
        starts = {o.get(qn("w:ilvl")): o.find(qn("w:startOverride")).get(qn("w:val"))
                  for o in num.findall(qn("w:lvlOverride"))}  # fmt: skip
        assert starts["0"] == "1" and len(starts) == ooxml.LIST_LEVELS
    bullets = abstracts[nums[found[1][2]].find(qn("w:abstractNumId")).get(qn("w:val"))]
    assert bullets.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val")) == "bullet"
    kinds = [child.tag.split("}")[1] for child in numbering]
    assert kinds == sorted(kinds, key=ooxml.NUMBERING_ORDER.index)
    # Bold, italic and the line break.
    intro = cell.findall(qn("w:p"))[0]
    runs = intro.findall(qn("w:r"))
    bold = [r for r in runs if r.find(qn("w:rPr")) is not None and r.rPr.b is not None]
    italic = [r for r in runs if r.find(qn("w:rPr")) is not None and r.rPr.i is not None]
    assert [text_of(r) for r in bold] == ["bold"] and [text_of(r) for r in italic] == ["italic"]
    assert len(list(intro.iter(qn("w:br")))) == 1


# --- Arabic ----------------------------------------------------------------------------------


def test_an_arabic_document_runs_right_to_left(answered):
    factories.answer(answered, "t-1-0", MIXED)
    document = opened(writer.submission_docx(submission=answered, language="ar"))
    section = document.sections[0]._sectPr
    order = [child.tag.split("}")[1] for child in section]
    assert "bidi" in order and order.index("bidi") < order.index("docGrid")
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in document.tables)
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0].text == "S1- Every type of question 1"
    cell = answer_cell(document, answered, "t-1-0")
    arabic, english = cell.findall(qn("w:p"))
    assert arabic.pPr.find(qn("w:bidi")) is not None
    assert all(r.rPr.find(qn("w:rtl")) is not None for r in arabic.findall(qn("w:r")))
    assert english.pPr is None or english.pPr.find(qn("w:bidi")) is None
    assert all(r.rPr is None or r.rPr.find(qn("w:rtl")) is None for r in english.findall(qn("w:r")))
    # The Arabic label, its reference in small type beside it.
    label = document.tables[0].rows[1].cells[0].paragraphs[0]
    assert label.runs[0].text == "أ)" and label.runs[0]._r.rPr.find(qn("w:rtl")) is not None
    assert label.runs[2].text == "S1.a"
    assert label.runs[2]._r.rPr.find(qn("w:sz")).get(qn("w:val")) == "16"
    # Yes and no in Arabic, right to left.
    yes = paragraphs_of(answer_cell(document, answered, "t-1-4"))[0]
    assert text_of(yes) == "☒ نعم" and yes.find(qn("w:pPr")).find(qn("w:bidi")) is not None
    # Empty cells are ready for Arabic.
    grid = document.tables[0].rows[-1].cells[0].tables[0]
    assert grid.rows[5].cells[3].paragraphs[0]._p.pPr.find(qn("w:bidi")) is not None
    # The complex-script font and sizes, theme fonts out of the way.
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:cs")) == writer.ARABIC_FONT and fonts.get(qn("w:cstheme")) is None
    assert defaults.find(qn("w:szCs")).get(qn("w:val")) == "28"
    assert not [f for f in styles.iter(qn("w:rFonts")) if f.get(qn("w:cstheme"))]
    heading = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:cs")) == writer.ARABIC_FONT
    assert document.core_properties.language == "ar"
    assert origin_of(document).language == "ar"


def test_an_english_document_keeps_arabic_answers_right_to_left(answered):
    factories.answer(answered, "t-1-0", MIXED)
    document = opened(writer.submission_docx(submission=answered, language="en"))
    assert document.sections[0]._sectPr.find(qn("w:bidi")) is None
    assert document.tables[0]._tbl.tblPr.find(qn("w:bidiVisual")) is None
    arabic, english = answer_cell(document, answered, "t-1-0").findall(qn("w:p"))
    assert arabic.pPr.find(qn("w:bidi")) is not None
    assert english.pPr is None


def _in_order(parent, order) -> bool:
    names = [child.tag.split("}")[1] for child in parent if child.tag.startswith(W)]
    known = [name for name in names if name in order]
    return known == sorted(known, key=order.index)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_elements_come_in_the_schemas_order(answered, language):
    """Word refuses a document whose properties come out of order (ECMA-376 Part 1, §17)."""
    factories.answer(answered, "t-1-0", LISTS + MIXED)
    document = opened(writer.submission_docx(submission=answered, language=language))
    body = document.element.body
    assert all(_in_order(ppr, ooxml.PPR_ORDER) for ppr in body.iter(qn("w:pPr")))
    assert all(_in_order(rpr, ooxml.RPR_ORDER) for rpr in body.iter(qn("w:rPr")))
    assert all(_in_order(trpr, ooxml.TRPR_ORDER) for trpr in body.iter(qn("w:trPr")))
    assert _in_order(document.sections[0]._sectPr, ooxml.SECTPR_ORDER)
    styles = document.styles.element
    assert all(_in_order(rpr, ooxml.RPR_ORDER) for rpr in styles.iter(qn("w:rPr")))
    # Every cell ends with a paragraph, as Word requires.
    assert all(tc[-1].tag == qn("w:p") for tc in body.iter(qn("w:tc")))
    # A bookmark starts after the paragraph's properties.
    for start in body.iter(qn("w:bookmarkStart")):
        previous = start.getprevious()
        assert previous is None or previous.tag == qn("w:pPr")


def test_the_queries_do_not_grow_with_the_questions(django_assert_max_num_queries, morocco):
    big = factories.every_type_version(sections=4, questions=18, prefix="big", conditional=True)
    submission = factories.every_type_submission(country=morocco, version=big)
    from questionnaire import selectors

    submission = selectors.submission_get(user=factories.ReviewerFactory(), pk=submission.pk)
    with django_assert_max_num_queries(5):
        writer.submission_docx(submission=submission, language="en")
    with django_assert_max_num_queries(4):
        writer.questionnaire_docx(version=submission.cycle.version, language="fr")


# --- The downloads ---------------------------------------------------------------------------


@pytest.fixture
def morocco_team(answered):
    from questionnaire.models import CountryRole

    return factories.MembershipFactory(country=answered.country, role=CountryRole.VIEWER).user


def test_a_country_downloads_its_answers(client, answered, morocco_team):
    factories.login(client, morocco_team)
    response = client.get(reverse("submission_docx", args=[answered.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == writer.CONTENT_TYPE
    assert response["Cache-Control"] == "private, no-store"
    slug = answered.cycle.slug
    expected = f"Morocco-{slug}-answers-{answered.language}.docx"
    assert expected in response["Content-Disposition"]
    assert origin_of(opened(response.content)).submission_id == answered.pk
    response = client.get(reverse("submission_docx", args=[answered.pk]) + "?language=ar")
    assert origin_of(opened(response.content)).language == "ar"
    assert "answers-ar.docx" in response["Content-Disposition"]
    response = client.get(reverse("submission_docx", args=[answered.pk]) + "?language=xx")
    assert origin_of(opened(response.content)).language == answered.language


def test_another_country_gets_nothing(client, answered):
    from questionnaire.models import CountryRole

    jordan = factories.CountryFactory(iso2="JO", iso3="JOR", name_en="Jordan")
    outsider = factories.MembershipFactory(country=jordan, role=CountryRole.FOCAL_POINT).user
    factories.login(client, outsider)
    assert client.get(reverse("submission_docx", args=[answered.pk])).status_code == 404
    # Jordan takes no part in the cycle: its blank questionnaire is not Jordan's to see.
    assert client.get(reverse("version_docx", args=[answered.cycle.slug])).status_code == 404
    client.logout()
    response = client.get(reverse("submission_docx", args=[answered.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_blank_questionnaire_of_a_cycle(client, answered, morocco_team):
    factories.login(client, morocco_team)
    url = reverse("version_docx", args=[answered.cycle.slug])
    response = client.get(url + "?language=ar")
    assert response.status_code == 200
    assert response["Content-Type"] == writer.CONTENT_TYPE
    assert f"{answered.cycle.slug}-questionnaire-ar.docx" in response["Content-Disposition"]
    document = opened(response.content)
    assert origin_of(document).kind == word_format.KIND_QUESTIONNAIRE
    assert document.sections[0]._sectPr.find(qn("w:bidi")) is not None
    assert client.get(reverse("version_docx", args=["no-such-cycle"])).status_code == 404


def test_the_submission_page_links_to_the_documents(client, answered, morocco_team):
    factories.login(client, morocco_team)
    page = client.get(reverse("submission_detail", args=[answered.pk])).content.decode()
    assert reverse("submission_docx", args=[answered.pk]) in page
    assert reverse("version_docx", args=[answered.cycle.slug]) in page


def test_a_hidden_question_is_written_with_its_condition(answered):
    """Colleagues may change the answer a condition depends on: every question is in the
    document, those the answers hide too."""
    number = question_of(answered, "t-1-5")
    factories.answer(answered, "t-1-5", "5")
    assert QuestionCondition.objects.filter(source=number, question__key="t-1-7").exists()
    document = opened(writer.submission_docx(submission=answered, language="en"))
    assert len(bookmarks(document)) == 9


def test_any_versions_blank_questionnaire_from_its_preview(client, reviewer, grid_objectives):
    """A draft no cycle uses yet: ESCWA staff download it from the version's preview, in the
    language they ask for."""
    draft = factories.VersionFactory()
    section = factories.SectionFactory(version=draft, number="I", order=1)
    factories.QuestionFactory(section=section, key="draft-question", label="a", order=1)
    client.force_login(reviewer)
    preview = client.get(reverse("version_preview", args=[draft.pk])).content.decode()
    url = reverse("version_preview_docx", args=[draft.pk])
    assert url in preview
    response = client.get(url + "?language=ar")
    assert response.status_code == 200
    assert f"-v{draft.number}-questionnaire-ar.docx" in response["Content-Disposition"]
    document = opened(response.content)
    assert origin_of(document).kind == word_format.KIND_QUESTIONNAIRE
    assert origin_of(document).version_id == draft.pk
