"""Importing answers from a Word document: reading, matching, the preview and the confirmation
(docs/word.md). Documents made outside the portal are built here with python-docx."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaire import richtext, selectors, services
from questionnaire.models import Answer, AnswerRevision, DocumentImport
from questionnaire.word import matching, reader
from questionnaire.word.reading import normal

from .documents import docx_bytes, reference, seed_layout_docx

pytestmark = pytest.mark.django_db


def read_into(submission, user, data: bytes, name="answers.docx") -> DocumentImport:
    return services.document_import_read(
        submission=submission, file=io.BytesIO(data), name=name, user=user
    )


def words(text: str) -> list[str]:
    return matching.words(text)


def test_a_document_in_the_seed_layout_imports_with_the_reference_words(
    tunisia_draft, tunisia_user
):
    """Morocco's answers typed as the published document has them ("▪" paragraphs, nested
    "-" and numbered lines, no hidden marks) keep ≥ 99 % of each answer's words, in order."""
    document_import = read_into(tunisia_draft, tunisia_user, seed_layout_docx())
    preview = selectors.document_import_preview(document_import=document_import)
    assert len(preview.proposed) == 24 and not preview.unmatched and not preview.unplaced
    assert {item.how for item in preview.items} == {matching.BY_LABEL}
    expected = {
        f"{s['number']}.{q['label']}": " ".join(q["answer"])
        for s in reference()["sections"]
        for q in s["questions"]
    }
    for item in preview.items:
        imported = words(richtext.html_to_text(item.value))
        wanted = words(expected[f"{item.question.section.number}.{item.question.label}"])
        assert matching.coverage(wanted, imported) >= 0.99, item.question.key
    # The typed glyphs became lists, nested as the glyphs were.
    principles = next(i for i in preview.items if i.question.key == "progress-successes-challenges")
    assert "▪" not in principles.value and "<ul>" in principles.value
    services.document_import_confirm(
        document_import=document_import,
        user=tunisia_user,
        take={item.question.key: item.base_revision for item in preview.proposed},
    )
    assert Answer.objects.filter(submission=tunisia_draft).count() == 24
    revisions = AnswerRevision.objects.filter(answer__submission=tunisia_draft)
    assert {(r.kind, r.created_by, r.document_import) for r in revisions} == {
        (AnswerRevision.Kind.IMPORT, tunisia_user, document_import)
    }
    document_import.refresh_from_db()
    assert document_import.confirmed_at is not None


def test_typed_glyph_levels_become_nested_lists(tunisia_draft, tunisia_user):
    def edit(section, label, markup):
        if (section, label) == ("I", "a"):
            return "▪ Outer one\n  - Inner one\n    1. Deepest\n  - Inner two\n▪ Outer two"
        return markup

    document_import = read_into(tunisia_draft, tunisia_user, seed_layout_docx(edit=edit))
    item = next(i for i in document_import.items if i["key"] == "review-coordination-mechanism")
    assert item["value"] == (
        "<ul><li>Outer one<ul><li>Inner one<ol><li>Deepest</li></ol></li><li>Inner two</li>"
        "</ul></li><li>Outer two</li></ul>"
    )


def test_questions_retyped_and_without_letters_still_match(tunisia_draft, tunisia_user):
    data = reference()
    section = data["sections"][0]
    section["questions"][1]["text"] = (
        section["questions"][1]["text"].replace("responsible", "“responsible”").upper()
    )  # smart quotes, shouting
    section["questions"][2]["label"] = "z"  # a wrong letter: the text decides
    document_import = read_into(tunisia_draft, tunisia_user, seed_layout_docx(data))
    keys = {item["key"]: item["how"] for item in document_import.items}
    assert keys["review-lead-entity"] == matching.BY_LABEL
    assert keys["review-government-entities"] == matching.BY_TEXT


def test_nothing_is_written_until_confirmed_and_unticked_answers_stay(tunisia_draft, tunisia_user):
    document_import = read_into(tunisia_draft, tunisia_user, seed_layout_docx())
    assert not Answer.objects.filter(submission=tunisia_draft).exists()
    services.document_import_confirm(
        document_import=document_import,
        user=tunisia_user,
        take={"review-lead-entity": 0},
    )
    assert list(
        Answer.objects.filter(submission=tunisia_draft).values_list("question__key", flat=True)
    ) == ["review-lead-entity"]
    with pytest.raises(ValidationError, match="imported already"):
        services.document_import_confirm(
            document_import=document_import, user=tunisia_user, take={"review-local-authorities": 0}
        )


def test_an_answer_saved_after_the_preview_stops_the_whole_import(tunisia_draft, tunisia_user):
    document_import = read_into(tunisia_draft, tunisia_user, seed_layout_docx())
    preview = selectors.document_import_preview(document_import=document_import)
    question = next(i.question for i in preview.items if i.question.key == "review-lead-entity")
    services.answer_save(
        submission=tunisia_draft,
        question=question,
        value="<p>Typed meanwhile.</p>",
        user=tunisia_user,
        base_revision=0,
    )
    with pytest.raises(services.ImportConflicts) as caught:
        services.document_import_confirm(
            document_import=document_import,
            user=tunisia_user,
            take={item.question.key: item.base_revision for item in preview.proposed},
        )
    assert caught.value.keys == ["review-lead-entity"]
    assert Answer.objects.filter(submission=tunisia_draft).count() == 1  # nothing else written


def test_someone_elses_country_cannot_import(tunisia_draft, morocco):
    from questionnaire.models import Membership

    moroccan = Membership.objects.filter(country=morocco.country).first().user
    with pytest.raises(Exception) as caught:
        read_into(tunisia_draft, moroccan, seed_layout_docx())
    assert caught.type.__name__ in ("PermissionDenied", "Http404")
    assert not DocumentImport.objects.exists()


def test_a_blank_cell_never_removes_an_answer(tunisia_draft, tunisia_user):
    first = read_into(tunisia_draft, tunisia_user, seed_layout_docx())
    services.document_import_confirm(
        document_import=first, user=tunisia_user, take={"review-lead-entity": 0}
    )
    blank = read_into(
        tunisia_draft,
        tunisia_user,
        seed_layout_docx(edit=lambda s, label, markup: "" if (s, label) == ("I", "b") else markup),
    )
    preview = selectors.document_import_preview(document_import=blank)
    item = next(i for i in preview.items if i.question.key == "review-lead-entity")
    assert item.state == "blank" and item not in preview.proposed


# --- What the reader notes and refuses ----------------------------------------------------------


def test_pictures_comments_and_tracked_changes_are_noted(tunisia_draft, tunisia_user):
    document = docx.Document(io.BytesIO(seed_layout_docx()))
    cell = document.tables[0].rows[1].cells[1]
    paragraph = cell.paragraphs[0]
    document.add_comment(paragraph.runs[0], text="Check with the Ministry of Interior")
    inserted = docx.oxml.parse_xml(
        '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'w:id="90" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:t xml:space="preserve">'
        " Inserted words.</w:t></w:r></w:ins>"
    )
    deleted = docx.oxml.parse_xml(
        '<w:del xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'w:id="91" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:delText>Deleted words.'
        "</w:delText></w:r></w:del>"
    )
    paragraph._p.append(inserted)
    paragraph._p.append(deleted)
    document_import = read_into(tunisia_draft, tunisia_user, docx_bytes(document))
    codes = {note["code"] for note in document_import.notes}
    assert codes == {reader.NOTE_COMMENTS, reader.NOTE_TRACKED}
    item = next(i for i in document_import.items if i["key"] == "review-coordination-mechanism")
    assert "Inserted words." in item["value"] and "Deleted words" not in item["value"]
    assert "Ministry of Interior" not in item["value"]
    preview = selectors.document_import_preview(document_import=document_import)
    assert any("tracked changes" in note for note in preview.notes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"plain text, not a document", "not a Word document"),
        (b"%PDF-1.7\n%%EOF", "not a Word document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "Word 97"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\0" * 9,
            "password",
        ),
    ],
)
def test_files_that_are_not_a_docx_are_refused(tunisia_draft, tunisia_user, data, message):
    with pytest.raises(ValidationError, match=message):
        read_into(tunisia_draft, tunisia_user, data)
    assert not DocumentImport.objects.exists()


def test_a_macro_enabled_document_is_refused(tunisia_draft, tunisia_user):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(seed_layout_docx())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("word/vbaProject.bin", b"\0" * 100)
    with pytest.raises(ValidationError, match="macros"):
        read_into(tunisia_draft, tunisia_user, buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_inflated(tunisia_draft, tunisia_user):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(seed_layout_docx())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("word/media/huge.bin", b"\0" * (120 * 1024 * 1024))
    with pytest.raises(ValidationError, match="too large or too complex"):
        read_into(tunisia_draft, tunisia_user, buffer.getvalue())


def test_a_file_over_the_limit_is_refused(tunisia_draft, tunisia_user, settings):
    data = seed_layout_docx() + b"\0" * (services.ATTACHMENT_MAX_BYTES)
    with pytest.raises(ValidationError, match="the limit is 20 MB"):
        read_into(tunisia_draft, tunisia_user, data)


def test_another_questionnaire_and_an_empty_document_are_refused(tunisia_draft, tunisia_user):
    other = docx.Document()
    other.add_paragraph("Annual report on fisheries")
    table = other.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "a) How many boats are registered?"
    table.rows[0].cells[1].text = "Twelve thousand."
    with pytest.raises(ValidationError, match="not this questionnaire"):
        read_into(tunisia_draft, tunisia_user, docx_bytes(other))
    with pytest.raises(ValidationError, match="empty"):
        read_into(tunisia_draft, tunisia_user, docx_bytes(docx.Document()))
    assert not DocumentImport.objects.exists()


def test_loose_comparison_folds_quotes_case_and_vowel_marks():
    assert normal("“Mechanism’s”  CHAIR") == normal('"mechanism\'s" chair')
    assert normal("الهِجْرَة") == normal("الهجرة")


# --- The pages ------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_history(client, tunisia_draft, tunisia_user):
    client.force_login(tunisia_user)
    page = client.get(reverse("submission_detail", args=[tunisia_draft.pk]))
    assert reverse("submission_import", args=[tunisia_draft.pk]).encode() in page.content
    upload = SimpleUploadedFile("Morocco answers.docx", seed_layout_docx())
    response = client.post(reverse("submission_import", args=[tunisia_draft.pk]), {"file": upload})
    assert response.status_code == 302
    preview_url = response["Location"]
    preview = client.get(preview_url)
    assert preview.status_code == 200
    assert preview.content.count(b'type="checkbox"') == 24
    assert b"does not say where it came from" in preview.content
    response = client.post(
        preview_url, {"take-review-lead-entity": "1", "base-review-lead-entity": "0"}
    )
    assert response.status_code == 302
    history = client.get(reverse("answer_history", args=[tunisia_draft.pk, "review-lead-entity"]))
    assert b"Imported" in history.content and b"Morocco answers.docx" in history.content


def test_the_preview_refuses_to_import_nothing(client, tunisia_draft, tunisia_user):
    client.force_login(tunisia_user)
    upload = SimpleUploadedFile("a.docx", seed_layout_docx())
    preview_url = client.post(
        reverse("submission_import", args=[tunisia_draft.pk]), {"file": upload}
    )["Location"]
    response = client.post(preview_url, {})
    assert response.status_code == 400 and b"No answer is ticked" in response.content
    assert not Answer.objects.filter(submission=tunisia_draft).exists()


def test_a_bad_file_is_refused_on_the_page(client, tunisia_draft, tunisia_user):
    client.force_login(tunisia_user)
    upload = SimpleUploadedFile("notes.docx", b"just text")
    response = client.post(reverse("submission_import", args=[tunisia_draft.pk]), {"file": upload})
    assert response.status_code == 400
    assert b"not a Word document" in response.content
