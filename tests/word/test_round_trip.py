"""Word out, then in again (issue 17, "Proof"): what the portal writes, it reads back unchanged,
for every question type and in each language; an Arabic document edited in Word keeps its
text in logical order; and the preview tells what the document's origin means (conflicts,
another submission, another version)."""

from __future__ import annotations

import io

import docx
import pytest

from questionnaire import selectors, services
from questionnaire.models import Answer, Country, Submission
from questionnaire.word import writer
from tests import factories

from .documents import answer_cell, docx_bytes

pytestmark = pytest.mark.django_db


def preview_of(submission, user, data: bytes, *, name="answers.docx"):
    """What "Read the document" shows for `data`."""
    document_import = services.document_import_read(
        submission=submission, file=io.BytesIO(data), name=name, user=user
    )
    return selectors.document_import_preview(document_import=document_import)


def import_all(submission, user, data: bytes, *, name="answers.docx"):
    preview = preview_of(submission, user, data, name=name)
    document_import = preview.document_import
    services.document_import_confirm(
        document_import=document_import,
        user=user,
        take={item.question.key: item.base_revision for item in preview.proposed},
    )
    return preview


def values(submission) -> dict:
    return {
        answer.question.key: (answer.value, answer.not_applicable_reason)
        for answer in Answer.objects.filter(submission=submission).select_related("question")
    }


def test_moroccos_review_exported_and_imported_into_another_country_is_equal(
    morocco, tunisia_draft, tunisia_user
):
    data = writer.submission_docx(submission=morocco, language="en")
    preview = import_all(tunisia_draft, tunisia_user, data, name="Morocco.docx")
    assert {item.how for item in preview.items} == {"key"}
    assert any("another country (MA)" in warning for warning in preview.warnings)
    assert values(tunisia_draft) == values(morocco)
    assert len(values(tunisia_draft)) == 24


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_every_type_comes_back_as_it_went_out(language):
    factories.gcm_objectives()
    version = factories.every_type_version()
    algeria = factories.CountryFactory(iso2="DZ", iso3="DZA", name_en="Algeria")
    libya = factories.CountryFactory(iso2="LY", iso3="LBY", name_en="Libya")
    source = factories.every_type_submission(country=algeria, version=version)
    target = factories.every_type_submission(country=libya, version=version, answered=False)
    user = factories.MembershipFactory(country=libya).user
    data = writer.submission_docx(submission=source, language=language)
    preview = import_all(target, user, data)
    assert not preview.unmatched and not [i for i in preview.items if i.problem]
    assert values(target) == values(source)


def test_an_arabic_document_edited_in_word_keeps_its_logical_order(morocco):
    version = morocco.cycle.version
    jordan = Country.objects.get(iso2="JO")
    cycle = morocco.cycle
    cycle.is_closed = False
    cycle.save(update_fields=["is_closed"])
    draft = Submission.objects.create(cycle=cycle, country=jordan, language="ar")
    user = factories.MembershipFactory(country=jordan).user
    question = version.questions.get(key="review-coordination-mechanism")
    services.answer_save(
        submission=draft,
        question=question,
        value="<p>تجتمع اللجنة الوطنية كل شهر.</p>",
        user=user,
        base_revision=0,
    )
    document = docx.Document(io.BytesIO(writer.submission_docx(submission=draft, language="ar")))
    typed = "وفي عام 2024 انضمت 12 وزارة إلى اللجنة، ومنها وزارة العمل (ILO شريك تقني)."
    answer_cell(document, "review-coordination-mechanism").add_paragraph(typed)
    answer_cell(document, "review-lead-entity").paragraphs[0].add_run("وزارة الداخلية.")
    preview = import_all(draft, user, docx_bytes(document), name="الأردن.docx")
    assert not preview.warnings  # the same submission, nothing changed since
    answers = {k: v for k, (v, _reason) in values(draft).items()}
    assert answers["review-coordination-mechanism"] == (
        f"<p>تجتمع اللجنة الوطنية كل شهر.</p><p>{typed}</p>"
    )
    assert answers["review-lead-entity"] == "<p>وزارة الداخلية.</p>"


@pytest.fixture
def exported(tunisia_draft, tunisia_user, morocco):
    """Tunisia's draft holding Morocco's answers, and a document downloaded from it."""
    import_all(
        tunisia_draft, tunisia_user, writer.submission_docx(submission=morocco, language="en")
    )
    document = docx.Document(
        io.BytesIO(writer.submission_docx(submission=tunisia_draft, language="en"))
    )
    return document


def test_answers_changed_on_both_sides_are_conflicts_to_choose_between(
    tunisia_draft, tunisia_user, exported
):
    version = tunisia_draft.cycle.version
    both, portal_only = "review-lead-entity", "review-local-authorities"
    answer_cell(exported, both).add_paragraph("Written in Word.")
    for key in (both, portal_only):
        answer = Answer.objects.get(submission=tunisia_draft, question__key=key)
        services.answer_save(
            submission=tunisia_draft,
            question=version.questions.get(key=key),
            value="<p>Typed in the portal.</p>",
            user=tunisia_user,
            base_revision=answer.revision,
        )
    preview = preview_of(tunisia_draft, tunisia_user, docx_bytes(exported), name="back.docx")
    states = {item.question.key: item.state for item in preview.items}
    assert states[both] == "conflict"
    assert states[portal_only] == "stale"  # the document kept the old text: not proposed
    assert [item.question.key for item in preview.proposed] == [both]
    assert any("2 answers have been changed in the portal since" in w for w in preview.warnings)


def test_a_document_of_another_version_says_so_and_matches_by_key(
    morocco, tunisia_draft, tunisia_user
):
    v2_cycle = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO").cycle
    blank = writer.questionnaire_docx(version=v2_cycle.version, language="en", cycle=v2_cycle)
    document = docx.Document(io.BytesIO(blank))
    answer_cell(document, "review-local-authorities").paragraphs[0].add_run("Municipalities.")
    preview = preview_of(tunisia_draft, tunisia_user, docx_bytes(document), name="blank.docx")
    assert any("another version of the questionnaire" in w for w in preview.warnings)
    assert any("blank questionnaire, filled in" in w for w in preview.warnings)
    assert [item.question.key for item in preview.proposed] == ["review-local-authorities"]
    # Version 2's grid question is not in version 1: nothing to place it in, nothing proposed.
    assert all(item.how == "key" for item in preview.items)


def test_an_item_indented_with_tab_in_word_is_read_one_level_in(
    morocco, tunisia_draft, tunisia_user
):
    """In Word, Tab on a list item raises its level within the same list: it is read nested."""
    document = docx.Document(io.BytesIO(writer.submission_docx(submission=morocco, language="en")))
    item = answer_cell(document, "review-government-entities").paragraphs[1]
    item._p.pPr.find(docx.oxml.ns.qn("w:numPr")).find(docx.oxml.ns.qn("w:ilvl")).set(
        docx.oxml.ns.qn("w:val"), "1"
    )
    document_import = services.document_import_read(
        submission=tunisia_draft,
        file=io.BytesIO(docx_bytes(document)),
        name="t.docx",
        user=tunisia_user,
    )
    value = next(
        i["value"] for i in document_import.items if i["key"] == "review-government-entities"
    )
    assert value.startswith(
        "<ul><li>The Ministry of Foreign Affairs, African Cooperation and Moroccan Expatriates"
        "<ul><li>The Ministry Delegate"
    )
