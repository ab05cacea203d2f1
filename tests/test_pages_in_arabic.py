"""Every page of the portal, in Arabic, is laid out right to left: `<html lang="ar" dir="rtl">`.

Each URL pattern (Django's admin aside) is requested with sample arguments from the demo data, by
a country's focal point, an ESCWA reviewer and an administrator whose saved language is Arabic
(see accounts.language). A page someone may not see is still a page: its 403 or 404 must be right
to left too. Responses that are not pages (PDF, CSV, JSON, a 405 for a form's POST-only address)
and fragments of a page are left out. A new URL pattern without sample arguments fails the test.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import User
from questionnaire import services
from questionnaire.models import Question, QuestionnaireVersion, Submission, SubmissionStatus
from questionnaire.word import writer

pytestmark = pytest.mark.django_db

KEY = "review-coordination-mechanism"
HTML_TAG = re.compile(r"<html[^>]*>")


def url_names() -> set[str]:
    """Every named pattern, with its namespace ("api-v1:api_docs")."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":  # Django's own admin
                    inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                    yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns))


@pytest.fixture
def demo(db):
    call_command("loaddemo", verbosity=0)
    jordan = Submission.objects.get(country__iso2="JO", cycle__slug="arab-2024")
    # Published by the demo, so that the public pages have something to show.
    morocco = Submission.objects.get(country__iso2="MA", cycle__slug="arab-2020")
    assert morocco.status == SubmissionStatus.PUBLISHED
    escwa = User.objects.get(username="escwa")
    comment = services.comment_add(
        submission=jordan,
        question=Question.objects.get(version=jordan.cycle.version, key=KEY),
        user=escwa,
        body="مرحبًا",
    )
    _invitation, token = services.invitation_create(
        country=jordan.country,
        email="new@example.org",
        role="contributor",
        user=User.objects.get(username="jordan"),
        accept_url="https://example.org/invitations/{token}/",
    )
    # A Word document read for Jordan's draft: Morocco's 2020 answers, so its preview proposes some.
    document_import = services.document_import_read(
        submission=jordan,
        file=io.BytesIO(writer.submission_docx(submission=morocco, language="ar")),
        name="المغرب.docx",
        user=User.objects.get(username="jordan"),
    )
    User.objects.update(language="ar")
    return {
        "jordan": jordan,
        "morocco": morocco,
        "comment": comment,
        "token": token,
        "document_import": document_import,
    }


def samples(demo) -> dict[str, dict]:
    """Keyword arguments for every named URL (outside the admin)."""
    pk = demo["jordan"].pk
    version = QuestionnaireVersion.objects.get(number=2).pk
    return {
        "login": {},
        "logout": {},
        "password_change": {},
        "password_change_done": {},
        "password_reset": {},
        "password_reset_done": {},
        "password_reset_confirm": {"uidb64": "MQ", "token": "no-such-token"},
        "password_reset_complete": {},
        "two_factor": {},
        "two_factor_verify": {},
        "two_factor_setup": {},
        "two_factor_backup_codes": {},
        "two_factor_disable": {},
        "session_status": {},
        "session_keepalive": {},
        "set_language": {},
        "home": {},
        "submission_detail": {"pk": pk},
        "submission_answer": {"pk": pk},
        "answer_section": {"pk": pk, "number": "I"},
        "answer_section_save": {"pk": pk, "number": "I"},
        "answer_autosave": {"pk": pk, "key": KEY},
        "answer_fragment": {"pk": pk, "key": KEY},
        "answer_history": {"pk": pk, "key": KEY},
        "answer_restore": {"pk": pk, "key": KEY, "revision": 1},
        "answer_confirm": {"pk": pk, "key": KEY},
        "submission_review": {"pk": pk},
        "submission_move": {"pk": pk, "move": "return"},
        "comment_add": {"pk": pk},
        "comment_resolve": {"pk": pk, "comment_id": demo["comment"].pk},
        "comments_send": {"pk": pk},
        "publication_agree": {"pk": demo["morocco"].pk},
        "submission_check": {"pk": pk},
        "submission_submit": {"pk": pk},
        "submission_start": {"slug": "arab-2024", "iso2": "JO"},
        "version_preview": {"pk": version},
        "country_list": {},
        "country_team": {"iso2": "JO"},
        "team_invite": {"iso2": "JO"},
        "team_invitation_revoke": {"iso2": "JO", "pk": 1},
        "team_member_role": {"iso2": "JO", "pk": 1},
        "team_member_remove": {"iso2": "JO", "pk": 1},
        "invitation_accept": {"token": demo["token"]},
        "attachment_upload": {"pk": pk},
        "attachment_download": {"pk": pk, "attachment_id": 999},
        "attachment_remove": {"pk": pk, "attachment_id": 999},
        "cycle_dashboard": {"slug": "arab-2024"},
        "deadline_extension_grant": {"slug": "arab-2024"},
        "cycle_questions": {"slug": "arab-2024"},
        "cycle_question": {"slug": "arab-2024", "key": KEY},
        "cycle_objectives": {"slug": "arab-2024"},
        "cycle_search": {"slug": "arab-2024"},
        "cycle_charts": {"slug": "arab-2024"},
        "cycle_chart_csv": {"slug": "arab-2024", "key": "objectives"},
        "cycle_changes": {"slug": "arab-2024"},
        "country_changes": {"slug": "arab-2024", "iso2": "MA"},
        "public_index": {},
        "public_submission": {"pk": demo["morocco"].pk},
        "public_submission_pdf": {"pk": demo["morocco"].pk},
        "public_cycle": {"slug": "arab-2020"},
        "cycle_compilations": {"slug": "arab-2024"},
        "cycle_chapters": {"slug": "arab-2024"},
        "chapter_edit": {"slug": "arab-2024", "key": "introduction", "language": "ar"},
        "chapter_history": {"slug": "arab-2024", "key": "introduction", "language": "ar"},
        "chapter_mark_final": {
            "slug": "arab-2024",
            "key": "introduction",
            "language": "ar",
            "number": 1,
        },
        "chapter_restore": {
            "slug": "arab-2024",
            "key": "introduction",
            "language": "ar",
            "number": 1,
        },
        "compilation_detail": {"pk": 999},
        "compilation_retry": {"pk": 999},
        "compilation_download": {"pk": 999},
        "submission_pdf": {"pk": pk},
        "submission_docx": {"pk": pk},
        "version_docx": {"slug": "arab-2024"},
        "version_preview_docx": {"pk": version},
        "submission_import": {"pk": pk},
        "submission_import_preview": {"pk": pk, "import_pk": demo["document_import"].pk},
        "cycle_exports": {"slug": "arab-2024"},
        "cycle_export_download": {"slug": "arab-2024", "kind": "answers-long", "fmt": "csv"},
        "public_cycle_download": {"slug": "arab-2020", "fmt": "csv"},
        "profile": {},
        "api_token_create": {},
        "api_token_revoke": {"pk": 999},
        # The API answers JSON (left out below), but for its documentation page.
        **{
            f"api-v1:{name}": {}
            for name in (
                "api_index",
                "api-root",
                "api_cycles",
                "api_versions",
                "api_objectives",
                "api_submissions",
                "openapi-json",
                "api_docs",
            )
        },  # fmt: skip
        "api-v1:api_cycle": {"slug": "arab-2020"},
        "api-v1:api_version": {"version_id": version},
        **{
            f"api-v1:{name}": {"submission_id": demo["morocco"].pk}
            for name in ("api_submission", "api_submission_answers", "api_submission_objectives")
        },
    }


def is_page(response) -> bool:
    """A whole HTML document (not a fragment the answering page inserts into itself)."""
    return response["Content-Type"].startswith("text/html") and response.content.lstrip()[
        :15
    ].lower().startswith(b"<!doctype html")


@pytest.mark.parametrize("username", ["jordan", "escwa", "admin"])
def test_every_page_is_right_to_left_in_arabic(client, demo, username):
    arguments = samples(demo)
    assert url_names() <= set(arguments), "add sample arguments for " + ", ".join(
        sorted(url_names() - set(arguments))
    )
    client.force_login(User.objects.get(username=username))
    wrong, pages = [], 0
    for name in sorted(url_names()):
        if name in {"logout", "set_language"}:
            continue  # POST-only, and they would end the test's session or language
        url = reverse(name, kwargs=arguments[name])
        response = client.get(url, follow=True)
        if not is_page(response):
            continue
        pages += 1
        tag = HTML_TAG.search(response.content.decode())
        if tag is None or tag.group(0) != '<html lang="ar" dir="rtl">':
            wrong.append(f"{url} ({response.status_code}): {tag and tag.group(0)}")
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert not wrong, "\n".join(wrong)
    assert pages >= 25  # the test looked at pages, not only at files and refusals


def test_the_pages_before_login_follow_the_cookie(client, demo):
    client.cookies["django_language"] = "ar"
    for name in ("login", "public_index", "api-v1:api_docs"):
        page = client.get(reverse(name)).content.decode()
        assert '<html lang="ar" dir="rtl">' in page, name
    public = client.get(reverse("public_submission", args=[demo["morocco"].pk])).content.decode()
    assert '<html lang="ar" dir="rtl">' in public
    assert "أسئلة حول المنهجية" in public  # section I's (unofficial) Arabic title
