"""Supporting documents through the pages: upload, list, download, remove, and who may."""

import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaire import services
from questionnaire.models import Attachment, SubmissionStatus
from tests import factories

pytestmark = pytest.mark.django_db

PDF = factories.pdf_bytes()  # a genuine one: documents are parsed as PDFs
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" '
            f'ContentType="{DOCX_TYPE}.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def upload(client, submission, content=PDF, name="Plan d'action.pdf", **extra):
    return client.post(
        reverse("attachment_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content), "description": "National plan", **extra},
    )


@pytest.fixture
def attachment(submission, contributor):
    return services.attachment_add(
        submission=submission,
        file=io.BytesIO(PDF),
        name="Plan d'action.pdf",
        user=contributor,
        description="National action plan, 2023",
    )


def download_url(attachment):
    return reverse("attachment_download", args=[attachment.submission_id, attachment.pk])


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("focal_point", 302),
        ("contributor", 302),
        ("viewer", 403),
        ("reviewer", 403),
        ("admin_user", 403),  # ESCWA never changes a country's submission
        ("other_focal_point", 404),
    ],
)
def test_who_may_upload(client, request, submission, media, user_fixture, status):
    client.force_login(request.getfixturevalue(user_fixture))
    response = upload(client, submission)
    assert response.status_code == status
    assert submission.attachments.exists() == (status == 302)
    assert bool(stored_files(media)) == (status == 302)


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("focal_point", 200),
        ("contributor", 200),
        ("viewer", 200),
        ("reviewer", 200),
        ("admin_user", 200),
        ("other_focal_point", 404),
    ],
)
def test_who_may_download(client, request, attachment, user_fixture, status):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(download_url(attachment))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("focal_point", 302),
        ("contributor", 302),
        ("viewer", 403),
        ("reviewer", 403),
        ("admin_user", 403),
        ("other_focal_point", 404),
    ],
)
def test_who_may_remove(
    client, request, attachment, user_fixture, status, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse("attachment_remove", args=[attachment.submission_id, attachment.pk])
    assert client.get(url).status_code == (200 if status == 302 else status)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == status
    assert Attachment.objects.filter(pk=attachment.pk).exists() == (status != 302)


@pytest.mark.parametrize("name", ["upload", "download", "remove"])
def test_anonymous_users_are_sent_to_log_in(client, attachment, name):
    pk, attachment_id = attachment.submission_id, attachment.pk
    url = {
        "upload": reverse("attachment_upload", args=[pk]),
        "download": download_url(attachment),
        "remove": reverse("attachment_remove", args=[pk, attachment_id]),
    }[name]
    response = client.post(url) if name != "download" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert Attachment.objects.filter(pk=attachment_id).exists()


def test_guessed_ids_are_404(client, viewer, attachment, cycle, other_country, other_focal_point):
    """An id that does not exist, or belongs to another submission, says nothing."""
    other = services.submission_create(cycle=cycle, country=other_country)
    theirs = services.attachment_add(
        submission=other, file=io.BytesIO(PDF), name="theirs.pdf", user=other_focal_point
    )
    client.force_login(viewer)
    own = attachment.submission_id
    assert client.get(reverse("attachment_download", args=[own, 999999])).status_code == 404
    # Another country's document through the viewer's own submission: still 404.
    assert client.get(reverse("attachment_download", args=[own, theirs.pk])).status_code == 404
    # And through its own submission, which the viewer may not see: 404 too.
    assert client.get(download_url(theirs)).status_code == 404
    remove = reverse("attachment_remove", args=[own, theirs.pk])
    assert client.post(remove).status_code == 404
    assert Attachment.objects.filter(pk=theirs.pk).exists()


# --- Uploading ---------------------------------------------------------------------------------


def test_a_pdf_is_uploaded_listed_and_downloaded(client, contributor, viewer, submission):
    client.force_login(contributor)
    response = upload(client, submission)
    assert response["Location"] == reverse("submission_detail", args=[submission.pk]) + "#documents"
    assert messages_of(response) == ["“Plan d'action.pdf” was added."]
    attachment = submission.attachments.get()
    assert (attachment.kind, attachment.size, attachment.uploaded_by) == (
        "pdf",
        len(PDF),
        contributor,
    )

    client.force_login(viewer)
    page = client.get(reverse("submission_detail", args=[submission.pk])).text
    assert "Supporting documents" in page
    assert download_url(attachment) in page
    assert "Plan d&#x27;action.pdf" in page
    assert f"{len(PDF)}\xa0bytes" in page  # human-readable size
    assert "National plan" in page
    assert contributor.username in page  # uploaded by
    assert 'enctype="multipart/form-data"' not in page  # a viewer gets no upload form

    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Plan d\'action.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_docx_is_served_as_a_word_document(client, focal_point, submission):
    client.force_login(focal_point)
    upload(client, submission, content=docx_bytes(), name="Rapport national.docx")
    attachment = submission.attachments.get()
    assert attachment.kind == "docx"
    response = client.get(download_url(attachment))
    assert response["Content-Type"] == DOCX_TYPE
    assert 'filename="Rapport national.docx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == docx_bytes()


def test_an_arabic_name_survives_the_download_header(client, focal_point, submission):
    client.force_login(focal_point)
    upload(client, submission, name="خطة العمل الوطنية.pdf")
    response = client.get(download_url(submission.attachments.get()))
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert "%D8%AE%D8%B7%D8%A9" in response["Content-Disposition"]  # "خطة", percent-encoded


def test_editors_get_the_upload_form_on_both_pages(client, contributor, submission):
    client.force_login(contributor)
    for name in ("submission_detail", "submission_check"):
        page = client.get(reverse(name, args=[submission.pk])).text
        assert 'enctype="multipart/form-data"' in page
        assert reverse("attachment_upload", args=[submission.pk]) in page
        assert "No supporting documents yet." in page


def test_the_check_page_lists_the_documents(client, focal_point, attachment):
    client.force_login(focal_point)
    page = client.get(reverse("submission_check", args=[attachment.submission_id])).text
    assert download_url(attachment) in page
    assert "National action plan, 2023" in page
    assert reverse("attachment_remove", args=[attachment.submission_id, attachment.pk]) in page


def test_the_check_page_is_where_the_user_goes_back_to(client, contributor, submission):
    client.force_login(contributor)
    check = reverse("submission_check", args=[submission.pk])
    response = upload(client, submission, next=check)
    assert response["Location"] == check + "#documents"
    response = upload(client, submission, next="https://evil.example/")
    assert response["Location"] == reverse("submission_detail", args=[submission.pk]) + "#documents"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03 a Windows program", "report.pdf", "This file is not a PDF"),
        (b"<html><script>alert(1)</script></html>", "page.docx", "This file is not a PDF"),
        (b"", "empty.pdf", "The submitted file is empty."),
    ],
)
def test_a_refused_file_leaves_a_message_and_nothing_stored(
    client, contributor, submission, media, content, name, message
):
    client.force_login(contributor)
    response = upload(client, submission, content=content, name=name)
    assert response.status_code == 302
    assert message in messages_of(response)[0]
    assert messages_of(response)[0].startswith("The document was not added:")
    assert not submission.attachments.exists()
    assert stored_files(media) == []
    # The message is shown in the documents block, where the user is taken back to.
    page = client.get(response["Location"]).text
    documents = page[page.index('id="documents"') :]
    assert message in documents


def test_no_file_at_all_is_refused(client, contributor, submission):
    client.force_login(contributor)
    response = client.post(reverse("attachment_upload", args=[submission.pk]), {"description": "x"})
    assert "This field is required." in messages_of(response)[0]
    assert not submission.attachments.exists()


def test_20_mb_is_accepted_and_a_byte_more_is_refused(client, contributor, submission, media):
    limit = 20 * 1024 * 1024
    client.force_login(contributor)
    response = upload(client, submission, content=PDF + b"0" * (limit - len(PDF)), name="big.pdf")
    assert messages_of(response) == ["“big.pdf” was added."]
    assert submission.attachments.get().size == limit
    response = upload(client, submission, content=PDF + b"0" * (limit + 1 - len(PDF)))
    assert "the limit is 20 MB" in messages_of(response)[-1]
    assert submission.attachments.count() == 1
    assert len(stored_files(media)) == 1


def test_nothing_is_added_once_the_submission_is_submitted(
    client, focal_point, complete_submission
):
    services.submission_transition(
        submission=complete_submission, to_status=SubmissionStatus.SUBMITTED, user=focal_point
    )
    client.force_login(focal_point)
    assert upload(client, complete_submission).status_code == 403
    page = client.get(reverse("submission_detail", args=[complete_submission.pk])).text
    assert 'enctype="multipart/form-data"' not in page
    assert not complete_submission.attachments.exists()


# --- Removing ----------------------------------------------------------------------------------


def test_removal_asks_first_then_deletes_the_file(
    client, focal_point, attachment, media, django_capture_on_commit_callbacks
):
    client.force_login(focal_point)
    url = reverse("attachment_remove", args=[attachment.submission_id, attachment.pk])
    page = client.get(url)
    assert "Remove “<bdi>Plan d&#x27;action.pdf</bdi>”?" in page.text
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response["Location"].endswith("#documents")
    assert messages_of(response) == ["“Plan d'action.pdf” was removed."]
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_files(media) == []


def test_a_document_lost_from_storage_is_404_not_500(
    client, submission, contributor, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    attachment = services.attachment_add(
        submission=submission, file=io.BytesIO(PDF), name="a.pdf", user=contributor
    )
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(contributor)
    url = reverse("attachment_download", args=[submission.pk, attachment.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("enforce_csrf", [False, True])
@pytest.mark.parametrize("stem", ["a" * 1100, "خطة العمل الوطنية للهجرة " * 50])
def test_a_document_with_a_very_long_name_is_added_under_a_shorter_one(
    submission, contributor, media, enforce_csrf, stem
):
    """Django refuses a multipart part whose headers pass 1 KB with a bare 400, which a name of
    some 900 bytes (450 Arabic letters) reached; the name is shortened anyway."""
    from django.test import Client

    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(contributor)
    client.get(reverse("submission_detail", args=[submission.pk]))  # the CSRF cookie
    upload = io.BytesIO(PDF)
    upload.name = f"{stem}.pdf"  # a SimpleUploadedFile would cut it to 255 characters
    assert len(upload.name.encode()) > 1100
    response = client.post(
        reverse("attachment_upload", args=[submission.pk]),
        {"file": upload, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    attachment = submission.attachments.get()
    assert messages_of(response) == [f"“{attachment.original_name}” was added."]
    assert attachment.original_name == f"{stem.strip()[:200]}.pdf"
