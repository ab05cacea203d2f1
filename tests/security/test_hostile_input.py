"""Hostile input through every way in: stored as text and inert where it is shown, or refused
with a clear message and nothing changed. Never a server error.

"Inert" is checked on the rendered page with a marker that each payload carries inside its active
part (the script's body, the handler, the URL): the marker may appear in the page's text and in
form values, never in a tag name, an attribute name, a URL or style attribute, an event handler,
or the body of a script or style element. The page must also hold no more `<script>`, `<img>`,
`<svg>`, `<iframe>`, … than the same page with harmless answers.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questionnaire import richtext, services
from questionnaire.models import (
    Answer,
    Attachment,
    Comment,
    CountryRole,
    Invitation,
    Membership,
    QuestionType,
    Submission,
    SubmissionStatus,
)
from reports import pdf
from tests import factories

pytestmark = pytest.mark.django_db

M = "gcmxss7"  # the marker: lowercase letters and digits, so no escaping changes it
HTML_PAYLOADS = [
    f"<script>alert('{M}')</script>",
    f"<img src=x onerror=alert('{M}')>",
    f"<a href=\"javascript:alert('{M}')\">link</a>",
    f"<a href=\"jav&#x09;ascript:alert('{M}')\">link</a>",
    f'<p style="background:url(javascript:{M})">css</p>',
    f"<div style=\"width:expression(alert('{M}'))\">ie</div>",
    f"<style>body{{background:url('http://{M}.example/x.png')}}</style>",
    f"<svg><script>alert('{M}')</script></svg>",
    f"<svg onload=alert('{M}')>",
    f'<svg><a xlink:href="javascript:{M}"><text>x</text></a></svg>',
    f"\"><script>alert('{M}')</script>",
    f"'><img src=x onerror=alert('{M}')>",
    f"</textarea><script>alert('{M}')</script>",
    f"<iframe src=\"javascript:alert('{M}')\"></iframe>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{M}')>",
    f"<!--<img src=x onerror=alert('{M}')>-->",
    f'<object data="http://{M}.example/x.swf"></object>',
    f"<a href=# onclick=alert('{M}')>x</a>",
]
FORMULAS = [
    '=HYPERLINK("http://evil.example","gcmxss7")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\x00", "\x1b", "\x07", "\x7f", "\x85"]
MEGABYTE = "A" * 1_000_000

DANGEROUS_TAGS = {
    "script", "img", "svg", "iframe", "object", "embed", "math", "style", "link", "meta", "base",
    "form", "input", "textarea", "button", "video", "audio", "source", "frame", "frameset",
}  # fmt: skip
# Where a user's text may legitimately stand in a tag: the value of a form field (escaped).
TEXT_ATTRIBUTES = {"value"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "style"}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: Counter = Counter()
        self._raw: str | None = None  # inside <script> or <style>
        self._json = False

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        if M in tag:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if M in name:
                self.problems.append(f"attribute name {name!r} in <{tag}>")
            elif name.startswith("on") and M in value:
                self.problems.append(f"event handler {name}={value!r} in <{tag}>")
            elif _live_attribute(name, value):
                self.problems.append(f"{name}={value!r} in <{tag}>")
        if tag in ("script", "style"):
            self._raw = tag
            self._json = tag == "script" and dict(attrs).get("type") == "application/json"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw and M in data and not self._json:
            self.problems.append(f"inside <{self._raw}>: {data[:80]!r}")


def _live_attribute(name: str, value: str) -> bool:
    """A URL or style attribute that could run or fetch something, or the marker in any other
    attribute but a form field's value. A link to the portal itself may carry the marker in its
    path or query (the login link's `next=` holds the current URL, encoded)."""
    if name in URL_ATTRIBUTES:
        squashed = "".join(value.split()).lower()
        if squashed.startswith(("javascript:", "vbscript:", "data:")):
            return True
        local = value.startswith(("/", "?", "#")) and not value.startswith("//")
        return M in value and (name == "style" or not local)
    return M in value and name not in TEXT_ATTRIBUTES and not name.startswith("data-")


def inspect_html(html: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def assert_inert(html: str, baseline: str | None = None) -> None:
    found = inspect_html(html)
    assert not found.problems, found.problems
    if baseline is not None:
        before = inspect_html(baseline).tags
        extra = {t: n - before[t] for t, n in found.tags.items() if t in DANGEROUS_TAGS}
        assert not {t: n for t, n in extra.items() if n > 0}, extra


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- One question of every type ------------------------------------------------------------------


@pytest.fixture
def every_type(country, focal_point):
    factories.gcm_objectives()
    version = factories.every_type_version()
    submission = factories.every_type_submission(country=country, version=version, answered=False)
    return submission, {q.type: q for q in version.questions.all()}


def shaped(kind: str, text: str):
    """A value of the type's shape with `text` wherever the type takes text (or as the value
    itself, where it takes none: those are refused)."""
    return {
        QuestionType.LONG_TEXT: text,
        QuestionType.SHORT_TEXT: text,
        QuestionType.SINGLE_CHOICE: text,
        QuestionType.MULTIPLE_CHOICE: [text],
        QuestionType.YES_NO: {"answer": "yes", "explanation": text},
        QuestionType.NUMBER: text,
        QuestionType.DATE: text,
        QuestionType.ENTRY_LIST: [{"entity": text, "role": text}],
        QuestionType.OBJECTIVES_GRID: {"4": {"status": "planned", "note": text}},
    }[kind]


def autosave(client, submission, question, value):
    answer = Answer.objects.filter(submission=submission, question=question).first()
    return client.post(
        reverse("answer_autosave", args=[submission.pk, question.key]),
        json.dumps({"value": value, "revision": answer.revision if answer else 0}),
        content_type="application/json",
    )


def pages(client, submission, users) -> dict[str, str]:
    """Every page that shows the submission's answers, as the user who reads it."""
    shown = {}
    for role, name, args in [
        ("contributor", "answer_section", [submission.pk, "S1"]),
        ("viewer", "submission_detail", [submission.pk]),
        ("reviewer", "submission_detail", [submission.pk]),
        ("viewer", "submission_check", [submission.pk]),
    ]:
        client.force_login(users[role])
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, (name, response.status_code)
        shown[f"{name} ({role})"] = response.text
    return shown


@pytest.fixture
def users(focal_point, contributor, viewer, reviewer):
    return {
        "focal_point": focal_point,
        "contributor": contributor,
        "viewer": viewer,
        "reviewer": reviewer,
    }


@pytest.mark.parametrize("payload", HTML_PAYLOADS)
def test_autosave_of_every_type_stores_text_and_every_page_shows_it_inert(
    client, every_type, users, payload
):
    submission, questions = every_type
    client.force_login(users["contributor"])
    typical = {kind: value for kind, _options, _help, value in factories.EVERY_TYPE}
    for kind, question in questions.items():
        assert autosave(client, submission, question, typical[kind]).status_code == 200
    baseline = pages(client, submission, users)

    client.force_login(users["contributor"])
    for kind, question in questions.items():
        before = Answer.objects.get(submission=submission, question=question).revision
        response = autosave(client, submission, question, shaped(kind, payload))
        assert response.status_code in (200, 400), (kind, response.status_code)
        body = response.json()
        if response.status_code == 400:
            assert body["error"] == "invalid" and body["message"], kind
            assert Answer.objects.get(submission=submission, question=question).revision == before
        else:
            assert_inert(body["display_html"])

    for name, html in pages(client, submission, users).items():
        assert_inert(html, baseline[name]), name


@pytest.mark.parametrize("payload", HTML_PAYLOADS[:6])
def test_the_section_form_of_every_type_stores_text_and_shows_it_inert(
    client, every_type, users, payload
):
    submission, questions = every_type
    data = {}
    for question in questions.values():
        name = f"q-{question.key}"
        data[name] = payload
        data[f"{name}-explanation"] = payload
        data[f"{name}-0-entity"] = payload
        data[f"{name}-0-role"] = payload
        data[f"{name}-4-status"] = "planned"
        data[f"{name}-4-note"] = payload
        data[f"{name}-revision"] = 0
    client.force_login(users["contributor"])
    response = client.post(reverse("answer_section_save", args=[submission.pk, "S1"]), data)
    # Choices, numbers and dates refuse the text: the page comes back with the reasons and the
    # typed text, and nothing is saved (all or nothing).
    assert response.status_code == 400
    assert_inert(response.text)
    assert not Answer.objects.filter(submission=submission).exists()
    data[f"q-{questions[QuestionType.YES_NO].key}"] = "yes"
    for key in ("single_choice", "multiple_choice", "number", "date"):
        question = questions[key]
        data[f"q-{question.key}"] = {"single_choice": "law", "multiple_choice": "plan"}.get(
            key, {"number": "12", "date": "2024-01-31"}.get(key)
        )
    response = client.post(reverse("answer_section_save", args=[submission.pk, "S1"]), data)
    assert response.status_code == 302
    assert Answer.objects.filter(submission=submission).count() == len(questions)
    for html in pages(client, submission, users).values():
        assert_inert(html)


@pytest.mark.parametrize(
    "text",
    [*(f"a{c}b" for c in CONTROLS + BIDI), "\ud800 lone surrogate", "no\ufffebreak\uffff"],
)
def test_controls_bidi_overrides_and_surrogates_are_stripped_from_every_text_type(
    client, every_type, users, text
):
    """Invisible reordering (U+202A–E, U+2066–9) and characters no database, page or XLSX can
    hold are removed from answers of every type; RLM and LRM, which Arabic needs, stay."""
    submission, questions = every_type
    client.force_login(users["contributor"])
    for kind in (QuestionType.LONG_TEXT, QuestionType.SHORT_TEXT, QuestionType.YES_NO,
                 QuestionType.ENTRY_LIST, QuestionType.OBJECTIVES_GRID):  # fmt: skip
        question = questions[kind]
        response = autosave(client, submission, question, shaped(kind, text + " \u200fنص\u200e"))
        assert response.status_code == 200, (kind, response.content)
        answer = Answer.objects.get(submission=submission, question=question)
        stored = json.dumps(answer.value, ensure_ascii=False) + answer.text
        assert richtext.strip_control_characters(stored) == stored, kind
        assert "\u200f" in stored and "\u200e" in stored


def test_bidi_controls_are_stripped_in_one_place():
    assert richtext.strip_control_characters("x\u202eexe.pdf\u202c") == "xexe.pdf"
    assert richtext.strip_control_characters("\u2067عربي\u2069") == "عربي"
    assert richtext.strip_control_characters("\u200fعربي\u200e\u061c") == "\u200fعربي\u200e\u061c"


# --- Malformed and oversized requests ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "malformed"),
        (b"\xff\xfe\x00garbage", 400, "malformed"),
        (b"[]", 400, "malformed"),
        (b'"value"', 400, "malformed"),
        (b'{"value": "x"}', 400, "malformed"),
        (b'{"value": "x", "revision": "1"}', 400, "malformed"),
        (b'{"value": "x", "revision": 1e400}', 400, "malformed"),
        (b'{"value": "x", "revision": ' + b"9" * 5000 + b"}", 400, "malformed"),
        (b"[" * 50_000 + b"]" * 50_000, 400, "malformed"),  # deeper than Python's recursion
        (b'{"value": "' + b"A" * 2_000_000 + b'", "revision": 0}', 413, "too_large"),
        (json.dumps({"value": MEGABYTE[:900_000], "revision": 0}).encode(), 400, "invalid"),
        (json.dumps({"value": [[[[[["deep"]]]]]], "revision": 0}).encode(), 400, "invalid"),
        (json.dumps({"value": {str(i): {} for i in range(20_000)}, "revision": 0}).encode(),
         400, "invalid"),
    ],
)  # fmt: skip
def test_malformed_and_huge_autosave_bodies_are_refused_cleanly(
    client, submission, contributor, body, status, error
):
    client.force_login(contributor)
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        body,
        content_type="application/json",
    )
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["message"]
    assert not Answer.objects.filter(submission=submission).exists()


@pytest.mark.parametrize("kind", list(QuestionType))
def test_a_megabyte_in_any_type_is_refused_with_a_message(client, every_type, users, kind):
    submission, questions = every_type
    client.force_login(users["contributor"])
    response = autosave(client, submission, questions[kind], shaped(kind, MEGABYTE[:500_000]))
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Answer.objects.filter(submission=submission).exists()


@pytest.mark.parametrize("number", ["1e-999999999", "1" * 100, "0." + "0" * 60 + "1", "NaN"])
def test_numbers_that_would_write_out_huge_are_refused(client, every_type, users, number):
    submission, questions = every_type
    client.force_login(users["contributor"])
    response = autosave(client, submission, questions[QuestionType.NUMBER], number)
    assert response.status_code == 400


# --- Comments ------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*HTML_PAYLOADS, *FORMULAS, "a\u202eb\x1bc"])
def test_comments_are_stored_as_text_and_shown_inert(client, submission, viewer, reviewer, payload):
    client.force_login(viewer)
    response = client.post(
        reverse("comment_add", args=[submission.pk]),
        {"key": "lead", "body": payload, "return_to": "detail"},
    )
    assert response.status_code == 302
    body = Comment.objects.get().body
    assert richtext.strip_control_characters(body) == body
    for user, name in [(viewer, "submission_detail"), (reviewer, "submission_detail")]:
        client.force_login(user)
        assert_inert(client.get(reverse(name, args=[submission.pk])).text)


def test_a_nul_in_a_comment_is_refused_with_a_reason(client, submission, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("comment_add", args=[submission.pk]),
        {"key": "lead", "body": "a\x00b", "return_to": "detail"},
    )
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.text
    assert not Comment.objects.exists()


def test_an_over_long_comment_is_refused_and_the_text_given_back(client, submission, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("comment_add", args=[submission.pk]),
        {"key": "lead", "body": HTML_PAYLOADS[0] + MEGABYTE, "return_to": "detail"},
    )
    assert response.status_code == 400
    assert "at most" in response.text
    assert not Comment.objects.exists()
    assert_inert(response.text)


# --- Review decisions and deadline extensions ----------------------------------------------------


@pytest.mark.parametrize("payload", HTML_PAYLOADS[:4] + ["Revise\u202e section I\x1b"])
def test_a_return_message_is_stored_as_text_and_shown_inert(
    client, complete_submission, focal_point, reviewer, payload
):
    services.submission_transition(submission=complete_submission, to_status="submitted")
    client.force_login(reviewer)
    response = client.post(
        reverse("submission_move", args=[complete_submission.pk, "return"]), {"message": payload}
    )
    assert response.status_code == 302
    event = complete_submission.events.order_by("-pk").first()
    assert richtext.strip_control_characters(event.message) == event.message
    client.force_login(focal_point)
    for name in ("submission_detail", "submission_check"):
        assert_inert(client.get(reverse(name, args=[complete_submission.pk])).text)


# --- Teams: invitations and accepting them -------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        f"<script>{M}</script>@example.org",
        f'"><img src=x onerror={M}>@example.org',
        "a@b.c\r\nBcc: everyone@example.org",
        "x" * 1_000_000 + "@example.org",
        "=HYPERLINK(1)@example.org",
        "\u202eroi.dlehcim@example.org",
        "",
    ],
)
def test_a_hostile_invitation_address_is_refused_and_nothing_is_sent(
    client, country, focal_point, mailoutbox, email
):
    client.force_login(focal_point)
    response = client.post(
        reverse("team_invite", args=[country.iso2]), {"email": email, "role": "contributor"}
    )
    assert response.status_code == 400
    assert "No invitation was sent" in " ".join(messages_of(response))
    assert not Invitation.objects.exists() and mailoutbox == []
    assert_inert(response.text)


def test_a_role_that_is_not_a_role_is_refused(client, country, focal_point):
    client.force_login(focal_point)
    response = client.post(
        reverse("team_invite", args=[country.iso2]),
        {"email": "someone@example.org", "role": "<script>admin</script>"},
    )
    assert response.status_code == 400
    assert not Invitation.objects.exists()


@pytest.fixture
def invitation_token(country, focal_point):
    _invitation, token = services.invitation_create(
        country=country,
        email="invited@example.org",
        role=CountryRole.CONTRIBUTOR,
        user=focal_point,
        accept_url="http://testserver/{token}",
    )
    return token


def join(client, token, **fields):
    data = {
        "username": "newcomer",
        "full_name": "New Comer",
        "password1": "a-much-longer-new-passphrase",
        "password2": "a-much-longer-new-passphrase",
        **fields,
    }
    return client.post(reverse("invitation_accept", args=[token]), data)


@pytest.mark.parametrize(
    "username",
    [f"<script>{M}</script>", "../../etc/passwd", "a\x00b", "x" * 1000, "new comer", "=1+1"],
)
def test_a_hostile_user_name_is_refused_with_a_reason(client, invitation_token, username):
    memberships = Membership.objects.count()
    response = join(client, invitation_token, username=username)
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.text or "errorlist" in response.text
    # Counted, not looked up by name: PostgreSQL refuses a NUL even in a query.
    assert Membership.objects.count() == memberships
    assert_inert(response.text)


@pytest.mark.parametrize(
    "full_name", [*HTML_PAYLOADS[:6], "Ali\u202e ilA", "=HYPERLINK(1) Name", "Nul\x07 Name"]
)
def test_a_hostile_full_name_is_stored_as_text_and_shown_inert(
    client, invitation_token, country, focal_point, full_name
):
    response = join(client, invitation_token, full_name=full_name[:150])
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        user = Membership.objects.get(user__username="newcomer").user
        name = user.first_name + " " + user.last_name
        assert richtext.strip_control_characters(name) == name
    client.force_login(focal_point)
    assert_inert(client.get(reverse("country_team", args=[country.iso2])).text)


# --- Supporting documents ------------------------------------------------------------------------

PDF = factories.pdf_bytes()  # a genuine one: documents are parsed as PDFs


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\win.ini",
        "report.pdf.exe",
        "a.pdf%00.exe",
        "a.pdf\x00.exe",
        "evil\r\nContent-Type: text/html\r\n\r\n<script>x</script>.pdf",
        f"<img src=x onerror=alert('{M}')>.pdf",
        "\u202efdp.exe",
        "=HYPERLINK(1).pdf",
        "x" * 5000 + ".pdf",
    ],
)
def test_document_names_lose_their_paths_controls_and_false_extensions(
    client, submission, contributor, viewer, media, name
):
    client.force_login(contributor)
    response = client.post(
        reverse("attachment_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, PDF), "description": HTML_PAYLOADS[1]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    shown = attachment.original_name
    assert shown.endswith(".pdf") and "/" not in shown and "\\" not in shown
    assert richtext.strip_control_characters(shown) == shown and "\u202e" not in shown
    assert len(shown) <= 210
    stored = (media / attachment.file.name).resolve()
    assert stored.is_relative_to(media.resolve()) and stored.read_bytes() == PDF
    client.force_login(viewer)
    download = client.get(reverse("attachment_download", args=[submission.pk, attachment.pk]))
    disposition = download["Content-Disposition"]
    b"".join(download.streaming_content)  # to its end, which closes the file
    assert "\n" not in disposition and "\r" not in disposition
    assert download["Content-Type"] == "application/pdf"
    assert_inert(client.get(reverse("submission_detail", args=[submission.pk])).text)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.pdf", f"<html><script>alert('{M}')</script></html>".encode()),
        ("image.pdf", f'<svg xmlns="http://www.w3.org/2000/svg" onload="{M}"/>'.encode()),
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("macro.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_a_document_that_is_not_what_its_name_says_is_refused(
    client, submission, contributor, media, name, content
):
    client.force_login(contributor)
    response = client.post(
        reverse("attachment_upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content), "description": "x"},
    )
    assert response.status_code == 302
    assert "was not added" in " ".join(messages_of(response))
    assert not Attachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


# --- Staff pages: search, question across countries, exports -------------------------------------


@pytest.mark.parametrize(
    "query", [*HTML_PAYLOADS[:6], "a\x00b", "\u202e" * 10, "x" * 1_000_000, "'; DROP TABLE x; --"]
)
def test_the_search_query_is_shown_inert(client, reviewer, query):
    cycle = factories.cycle_with_countries(countries=3)
    client.force_login(reviewer)
    response = client.get(reverse("cycle_search", args=[cycle.slug]), {"q": query})
    assert response.status_code == 200
    assert_inert(response.text)


@pytest.mark.parametrize("key", [f"<script>{M}</script>", "../../admin", "a b", "%00"])
def test_a_question_key_that_is_no_key_is_a_404(client, reviewer, key):
    cycle = factories.cycle_with_countries(countries=1)
    client.force_login(reviewer)
    response = client.get(reverse("cycle_questions", args=[cycle.slug]), {"key": key})
    assert response.status_code == 404


@pytest.fixture
def hostile_cycle(db):
    """A cycle whose submitted answers begin with formulas and hold markup and controls."""
    cycle = factories.cycle_with_countries(countries=2, statuses=("submitted",))
    version = cycle.version
    for submission in Submission.objects.filter(cycle=cycle):
        for question, value in [
            ("committee", "<p>" + FORMULAS[0] + "</p><p>" + HTML_PAYLOADS[0] + "</p>"),
            ("lead", FORMULAS[1]),
            ("objectives", {"1": {"status": "planned", "note": FORMULAS[2]}}),
        ]:
            Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.DRAFT)
            submission.refresh_from_db()
            services.answer_save(
                submission=submission, question=version.questions.get(key=question), value=value
            )
            Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.SUBMITTED)
    return cycle


def _cells(kind, fmt, content) -> list[str]:
    if fmt == "csv":
        return [
            cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row
        ]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value is not None:
                    cells.append(str(cell.value))
    return cells


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("answers-long", "csv"),
        ("answers-long", "xlsx"),
        ("answers-wide", "csv"),
        ("answers-wide", "xlsx"),
        ("objectives", "xlsx"),
    ],
)
def test_spreadsheet_exports_neutralise_formulas(client, reviewer, hostile_cycle, kind, fmt):
    """CSV: no cell begins like a formula (an apostrophe first). XLSX: every cell is a string
    cell (`_cells` refuses a formula), the payloads kept as typed."""
    client.force_login(reviewer)
    response = client.get(reverse("cycle_export_download", args=[hostile_cycle.slug, kind, fmt]))
    assert response.status_code == 200
    cells = _cells(kind, fmt, response.content)
    payload_cells = [c for c in cells if "cmd|" in c or "HYPERLINK" in c]
    assert payload_cells, "the payloads are in the export"
    if fmt == "xlsx":
        assert set(cells) & set(FORMULAS), "a payload, as typed"
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            assert not [name for name in archive.namelist() if b"<f>" in archive.read(name)]
        return
    for cell in cells:
        assert (
            not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
            or cell.lstrip("-").replace(".", "").isdigit()
        ), cell


def test_the_json_export_carries_the_payloads_as_data(client, reviewer, hostile_cycle):
    client.force_login(reviewer)
    response = client.get(
        reverse("cycle_export_download", args=[hostile_cycle.slug, "answers", "json"])
    )
    text = json.dumps(json.loads(response.content), ensure_ascii=False)
    assert FORMULAS[1] in text  # as the country wrote it: JSON is data, not a spreadsheet


@pytest.mark.parametrize(
    "query", ["?drafts=<script>", "?drafts=1%00", "?drafts=" + "1" * 10_000, "?fmt=exe"]
)
def test_export_parameters_are_taken_for_what_they_are(client, reviewer, hostile_cycle, query):
    client.force_login(reviewer)
    url = reverse("cycle_export_download", args=[hostile_cycle.slug, "answers-long", "csv"])
    assert client.get(url + query).status_code == 200
    assert_inert(client.get(reverse("cycle_exports", args=[hostile_cycle.slug]) + query).text)


@pytest.mark.parametrize(
    "path", ["answers-long.exe", "answers-long.csv.exe", "..%2f..%2fsettings.csv", "answers.pdf"]
)
def test_unknown_export_kinds_and_formats_are_404(client, reviewer, hostile_cycle, path):
    client.force_login(reviewer)
    url = reverse("cycle_exports", args=[hostile_cycle.slug]) + path
    assert client.get(url).status_code == 404


# --- Languages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "next_url"),
    [
        ("<script>", "/"),
        ("fr", "javascript:alert(1)"),
        ("fr", "//evil.example/"),
        ("fr", "https://evil.example/"),
        ("fr\r\nSet-Cookie: x=1", "/"),
        ("x" * 100_000, "/"),
    ],
)
def test_the_language_switcher_goes_nowhere_else_and_sets_nothing_else(
    client, focal_point, language, next_url
):
    client.force_login(focal_point)
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response.url == "/" or response.url.startswith("/"), response.url
    assert not response.url.startswith("//")
    cookie = response.cookies.get("django_language")
    assert cookie is None or cookie.value in ("en", "ar", "fr")


@pytest.mark.parametrize("language", ["<script>", "xx", "x" * 10_000, "en\x00"])
def test_starting_a_submission_in_no_language_is_refused(
    client, cycle, country, other_country, focal_point, language
):
    cycle.countries.add(country)
    client.force_login(focal_point)
    response = client.post(
        reverse("submission_start", args=[cycle.slug, country.iso2]), {"language": language}
    )
    assert response.status_code == 302
    assert "languages" in " ".join(messages_of(response))
    assert not Submission.objects.exists()


# --- The PDF: text only, nothing fetched ---------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    from tests.reports.pdfutils import recording_server

    with recording_server(_Recorder) as httpd:
        yield httpd


def test_hostile_answers_end_as_text_in_the_pdf_and_fetch_nothing(every_type, server):
    """End to end, as in tests/reports/test_fetcher.py: answers of every type full of markup,
    CSS and URLs of a live local server; the PDF holds their text, no script or action, no
    embedded file, and the server hears nothing."""
    submission, questions = every_type
    url = f"http://127.0.0.1:{server.server_port}"
    markup = "".join(HTML_PAYLOADS) + (
        f'<img src="{url}/img.png"><link rel="stylesheet" href="{url}/x.css">'
        f'<p style="background:url({url}/bg.png)">styled</p>'
        f"<style>@import url({url}/import.css);</style>"
    )
    for kind, question in questions.items():
        try:
            services.answer_save(
                submission=submission, question=question, value=shaped(kind, markup[:400])
            )
        except Exception:  # noqa: BLE001, S112 — the types that take no text refuse it
            continue
    services.answer_save(
        submission=submission,
        question=questions[QuestionType.LONG_TEXT],
        value="<p>Visible words</p>" + markup,
    )

    data = pdf.submission_pdf(submission=submission)

    from tests.reports.pdfutils import pdf_reader, pdf_text

    assert server.paths == []
    text = "".join(pdf_text(data))
    assert "Visible words" in text
    assert "<script>" in text  # the short answer's markup, shown as the text it is
    reader = pdf_reader(data)
    assert not reader.attachments
    for token in (b"/JavaScript", b"/JS ", b"/Launch", b"/EmbeddedFile", b"/SubmitForm"):
        assert token not in data, token


def test_the_inspector_catches_what_it_should():
    """A control: the check itself finds each kind of live payload in a page."""
    for live in [
        f"<script>alert('{M}')</script>",
        f"<img src=x onerror=alert('{M}')>",
        f"<a href=\"javascript:alert('{M}')\">x</a>",
        f'<p style="background:url({M})">x</p>',
        f"<style>p{{background:url({M})}}</style>",
        f'<input value="" {M}="1">',
    ]:
        assert inspect_html(f"<p>before</p>{live}").problems, live
    for inert in [
        f"&lt;script&gt;alert('{M}')&lt;/script&gt;",
        f"<input value=\"&lt;img src=x onerror=alert('{M}')&gt;\">",
        f'<script type="application/json">"\\u003Cscript\\u003E{M}"</script>',
    ]:
        assert not inspect_html(inert).problems, inert


def test_a_focal_point_typing_markup_in_a_short_answer_reads_it_back(client, every_type, users):
    submission, questions = every_type
    client.force_login(users["contributor"])
    autosave(client, submission, questions[QuestionType.SHORT_TEXT], "a <b> & c")
    client.force_login(users["viewer"])
    assert (
        "a &lt;b&gt; &amp; c" in client.get(reverse("submission_detail", args=[submission.pk])).text
    )
