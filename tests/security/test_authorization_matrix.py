"""Who gets what from every URL of the portal: URL × role × object → the expected answer.

The table ROUTES has one entry per named URL pattern (the admin's internals aside, which have
their own test below); `test_every_url_pattern_is_in_the_table` fails as soon as a URL is added
without an entry, so that nobody adds a page without saying who may reach it.

Roles: anonymous; the focal point, a contributor and a viewer of Morocco ("own" country); the focal
point of Jordan (another country); an ESCWA reviewer; an administrator. Objects: Morocco's
submissions in each state (draft, submitted, accepted, published), Jordan's draft, and an id that
does not exist; for the team, cycle, compilation and invitation pages, their own kinds of object.

Each cell is requested with GET and POST. A POST carries valid data, so a refusal is the
permission's doing, not the form's. Expected answers:

- "200", "302", "400", "410": that status; "login": a redirect to the login page;
- "401", "403", "404", "405": refused;
- a "+" suffix: the request changes the portal's data (it must), "=": it changes nothing, and
  "~": not checked (two-factor pages, whose devices live outside the portal's data).

Every answer without "+" must leave the data as it was (`snapshot`), GETs included: a refused POST
changes nothing, and no GET changes anything.

The expectations are written from the rules in docs/security.md, not computed with
`permissions.can`, so that a mistake in the permission module shows up here as a failure.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import docx as docx_module
import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.views.i18n import set_language as django_set_language

from accounts import services as account_services
from accounts.models import ApiToken, User
from questionnaire import services
from questionnaire.models import (
    Answer,
    AnswerRevision,
    Attachment,
    Comment,
    Country,
    CountryRole,
    DeadlineExtension,
    DocumentImport,
    Invitation,
    Membership,
    PublicationAgreement,
    Question,
    QuestionType,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
)
from questionnaire.word import writer
from reports import selectors as report_selectors
from reports import services as report_services
from reports.models import ChapterRevision, ChapterStatus, Compilation, JobStatus
from tests import factories
from tests.factories import PASSWORD

ROLES = (
    "anonymous",
    "focal_point",
    "contributor",
    "viewer",
    "other_focal_point",
    "reviewer",
    "admin",
)
STAFF = {"reviewer", "admin"}
# Which country each country role belongs to, and with which role.
ROLE_COUNTRY = {"focal_point": "MA", "contributor": "MA", "viewer": "MA", "other_focal_point": "JO"}
ROLE_KIND = {
    "focal_point": CountryRole.FOCAL_POINT,
    "contributor": CountryRole.CONTRIBUTOR,
    "viewer": CountryRole.VIEWER,
    "other_focal_point": CountryRole.FOCAL_POINT,
}

S = SubmissionStatus
SUBMISSIONS = (
    "own_draft",
    "own_submitted",
    "own_accepted",
    "own_published",
    "other_draft",
    "missing",
)
SUBMISSION_OF = {
    "own_draft": ("MA", S.DRAFT),
    "own_submitted": ("MA", S.SUBMITTED),
    "own_accepted": ("MA", S.ACCEPTED),
    "own_published": ("MA", S.PUBLISHED),
    "other_draft": ("JO", S.DRAFT),
}
COUNTRIES = ("own_country", "other_country", "missing_country")
COUNTRY_OF = {"own_country": "MA", "other_country": "JO"}
TEAM_OBJECTS = ("own", "other", "cross", "missing")
CYCLES = ("cycle", "missing_cycle")
# A chapter of the regional report with a draft in Arabic, one never written, one the cycle cannot
# have, and one of a cycle that does not exist.
CHAPTERS = ("chapter", "unwritten_chapter", "unknown_chapter", "missing_cycle")
PDF = factories.pdf_bytes()  # a genuine one: documents are parsed as PDFs
NEW_PASSWORD = "a-much-longer-new-passphrase"


# --- The rules, as the documentation states them -------------------------------------------------


def member_role(role: str, obj: str) -> str | None:
    """The role's role in the country of a submission slot, if it belongs to that country."""
    entry = SUBMISSION_OF.get(obj)
    if entry is None or ROLE_COUNTRY.get(role) != entry[0]:
        return None
    return ROLE_KIND[role]


def sees(role: str, obj: str) -> bool:
    """ESCWA staff see every country's submissions; a country's team sees its own; nobody sees
    one that does not exist."""
    return obj in SUBMISSION_OF and (role in STAFF or member_role(role, obj) is not None)


def edits(role: str, obj: str) -> bool:
    """Focal points and contributors edit their own country's draft; nobody else edits, ever."""
    return member_role(role, obj) in (CountryRole.FOCAL_POINT, CountryRole.CONTRIBUTOR) and (
        SUBMISSION_OF[obj][1] == S.DRAFT
    )


def status(obj: str) -> str:
    return SUBMISSION_OF[obj][1]


def read(role, obj):
    return "200" if sees(role, obj) else "404"


def read_then(code):
    return lambda role, obj: code if sees(role, obj) else "404"


def edit(ok):
    def rule(role, obj):
        if not sees(role, obj):
            return "404"
        return ok if edits(role, obj) else "403"

    return rule


def staff_review(ok_get):
    def rule(role, obj):
        if not sees(role, obj):
            return "404"
        return ok_get if role in STAFF else "403"

    return rule


def move_post(role, obj):
    if not sees(role, obj):
        return "404"
    if role not in STAFF:
        return "403"
    return "302+" if status(obj) == S.SUBMITTED else "400"  # accepting needs a submitted one


def comment_post(role, obj):
    if not sees(role, obj):
        return "404"
    return "403" if status(obj) == S.PUBLISHED else "302+"


def resolve_post(role, obj):
    """The comment is ESCWA's: only ESCWA (or its author) closes it, never the country."""
    if not sees(role, obj):
        return "404"
    if status(obj) == S.PUBLISHED:
        return "403"
    return "302+" if role in STAFF else "403"


def send_post(role, obj):
    """Sending one's side's unsent comments: the table's comment is ESCWA's, so ESCWA's send
    marks it sent; the country has nothing of its own to send."""
    if not sees(role, obj):
        return "404"
    if status(obj) == S.PUBLISHED:
        return "403"
    return "302+" if role in STAFF else "302="


def agree_rule(ok):
    """Agreeing to publication: the country's focal point, on its accepted submission only."""

    def rule(role, obj):
        if not sees(role, obj):
            return "404"
        focal = member_role(role, obj) == CountryRole.FOCAL_POINT
        return ok if focal and status(obj) == S.ACCEPTED else "403"

    return rule


def submit_post(role, obj):
    if not sees(role, obj):
        return "404"
    if status(obj) != S.DRAFT:
        return "302="  # no such move from there: back to the check page with the reason
    return "302+" if member_role(role, obj) == CountryRole.FOCAL_POINT else "403"


def team(ok, country: str | None, *, found: bool = True):
    """A country's team pages: its focal points and administrators; 404 for outsiders, 403 for
    its other members."""

    def decide(role):
        if country is None:
            return "404"
        if role == "admin":
            return ok if found else "404"
        if ROLE_COUNTRY.get(role) != country:
            return "404"
        if ROLE_KIND[role] != CountryRole.FOCAL_POINT:
            return "403"
        return ok if found else "404"

    return decide


def team_rule(ok):
    return lambda role, obj: team(ok, COUNTRY_OF.get(obj))(role)


def team_item_rule(ok):
    """A member or invitation of a team, addressed under a country: `cross` is Jordan's under
    Morocco's code, `missing` an id that does not exist."""

    def rule(role, obj):
        country = "JO" if obj == "other" else "MA"
        return team(ok, country, found=obj in ("own", "other"))(role)

    return rule


def start_rule(role, obj):
    if obj == "missing_country":
        return "404"
    country = "JO" if obj == "other_country" else "MA"
    member = ROLE_COUNTRY.get(role) == country
    if not (member or role == "admin") or obj == "missing_cycle":
        return "404"
    return "302+" if member and ROLE_KIND[role] == CountryRole.FOCAL_POINT else "403"


def staff_only(ok, found=("cycle",)):
    """Pages across countries: ESCWA staff only. Others learn nothing, not even whether the
    object exists (403 before the lookup)."""
    return lambda role, obj: "403" if role not in STAFF else ok if obj in found else "404"


def changes_rule(role, obj):
    """A country's comparison with the previous cycle: ESCWA staff, and the country's team."""
    if obj == "missing_country":
        return "404"
    country = "JO" if obj == "other_country" else "MA"
    if role not in STAFF and ROLE_COUNTRY.get(role) != country:
        return "404"
    return "404" if obj == "missing_cycle" else "200"


def preview_rule(role, obj):
    if obj == "published_version":
        return "200"
    if obj == "draft_version":
        return "200" if role in STAFF else "404"
    return "404"


def country_list_rule(role, obj):
    if role == "admin":
        return "200"
    if ROLE_KIND.get(role) == CountryRole.FOCAL_POINT:
        return "302="  # straight to their own team
    return "403"


def public(role, obj):
    return "200" if obj == "own_published" else "404"


def token_rule(ok):
    return lambda role, obj: {"valid_token": ok, "used_token": "410", "bogus_token": "404"}[obj]


def accept_rule(role, obj):
    """Anyone with a valid link joins, except ESCWA's accounts: ESCWA never holds a country role
    (refused with the reason, nothing changes)."""
    return token_rule("400" if role in STAFF else "302+")(role, obj)


def always(code):
    return lambda role, obj: code


def logged_in(code):
    return lambda role, obj: code


# --- The routes ----------------------------------------------------------------------------------

Rule = Callable[[str, str], str]


@dataclass(frozen=True)
class Route:
    url: Callable  # (world, obj) → path
    objects: tuple[str, ...] = ("-",)
    get: Rule | None = None  # None: the view refuses the method
    post: Rule | None = None
    data: Callable | None = None  # (world, obj) → POST data
    login: bool = True  # login_required outermost: anonymous visitors are sent to log in
    json: bool = False  # the POST body is JSON
    anonymous: Rule | None = None  # the answer to an anonymous visitor, when login is False


def sub_url(name, *extra):
    return lambda w, obj: reverse(name, args=[w.pk(obj), *extra])


def answer_data(keys):
    def data(w, obj):
        values = {"mechanism": "A national committee.", "lead": "Ministry of the Interior"}
        fields = {}
        for key in keys:
            fields[f"q-{key}"] = values[key]
            fields[f"q-{key}-revision"] = w.revision(obj, key)
        return fields

    return data


DJANGO_SET_LANGUAGE = resolve(reverse("set_language")).func is django_set_language

ROUTES: dict[str, Route] = {
    # Home and a submission's pages
    "home": Route(url=lambda w, o: reverse("home"), get=logged_in("200")),
    "submission_detail": Route(url=sub_url("submission_detail"), objects=SUBMISSIONS, get=read),
    "submission_answer": Route(
        url=sub_url("submission_answer"), objects=SUBMISSIONS, get=read_then("302=")
    ),
    "answer_section": Route(url=sub_url("answer_section", "I"), objects=SUBMISSIONS, get=read),
    "answer_section_save": Route(
        url=sub_url("answer_section_save", "I"),
        objects=SUBMISSIONS,
        post=edit("302+"),
        data=answer_data(["mechanism", "lead"]),
    ),
    "answer_autosave": Route(
        url=sub_url("answer_autosave", "lead"),
        objects=SUBMISSIONS,
        post=edit("200+"),
        data=lambda w, o: {"value": "Ministry of the Interior", "revision": w.revision(o, "lead")},
        login=False,
        json=True,
        anonymous=always("401"),  # JSON for the page's script, which keeps the text
    ),
    "answer_fragment": Route(url=sub_url("answer_fragment", "lead"), objects=SUBMISSIONS, get=read),
    "answer_history": Route(url=sub_url("answer_history", "lead"), objects=SUBMISSIONS, get=read),
    # The world's answers were typed, not carried forward: "still accurate" is refused (and
    # changes nothing) for those who may edit; tests/questionnaire/test_carried_review.py
    # confirms a carried one.
    "answer_confirm": Route(
        url=sub_url("answer_confirm", "lead"),
        objects=SUBMISSIONS,
        post=edit("302="),
        data=lambda w, o: {"revision": w.revision(o, "lead")},
    ),
    "answer_restore": Route(
        url=sub_url("answer_restore", "lead", 1),
        objects=SUBMISSIONS,
        post=edit("302+"),
        data=lambda w, o: {"revision": w.revision(o, "lead")},
    ),
    "submission_check": Route(url=sub_url("submission_check"), objects=SUBMISSIONS, get=read),
    "submission_submit": Route(
        url=sub_url("submission_submit"),
        objects=SUBMISSIONS,
        post=submit_post,
        data=lambda w, o: {"confirm": "yes"},
    ),
    "submission_start": Route(
        url=lambda w, o: reverse(
            "submission_start",
            args=[
                "no-such-cycle" if o == "missing_cycle" else w.new_cycle.slug,
                {"other_country": "JO", "missing_country": "ZZ"}.get(o, "MA"),
            ],
        ),
        objects=(*COUNTRIES, "missing_cycle"),
        post=start_rule,
        data=lambda w, o: {"language": "ar"},
    ),
    "version_preview": Route(
        url=lambda w, o: reverse("version_preview", args=[w.versions[o]]),
        objects=("published_version", "draft_version", "missing_version"),
        get=preview_rule,
    ),
    # The blank questionnaire of any version, from its preview: whoever may preview it.
    "version_preview_docx": Route(
        url=lambda w, o: reverse("version_preview_docx", args=[w.versions[o]]),
        objects=("published_version", "draft_version", "missing_version"),
        get=preview_rule,
    ),
    # Review
    # The former review page: now the submission page's own review tools; old links redirect.
    "submission_review": Route(
        url=sub_url("submission_review"), objects=SUBMISSIONS, get=read_then("302=")
    ),
    "submission_move": Route(
        url=sub_url("submission_move", "accept"),
        objects=SUBMISSIONS,
        get=staff_review("200"),
        post=move_post,
        data=lambda w, o: {"message": "Thank you."},
    ),
    "comment_add": Route(
        url=sub_url("comment_add"),
        objects=SUBMISSIONS,
        post=comment_post,
        data=lambda w, o: {"key": "lead", "body": "Which ministry leads?", "return_to": "detail"},
    ),
    "comment_resolve": Route(
        url=lambda w, o: reverse("comment_resolve", args=[w.pk(o), w.comment(o)]),
        objects=SUBMISSIONS,
        post=resolve_post,
    ),
    "comments_send": Route(url=sub_url("comments_send"), objects=SUBMISSIONS, post=send_post),
    "publication_agree": Route(
        url=sub_url("publication_agree"),
        objects=SUBMISSIONS,
        get=agree_rule("200"),
        post=agree_rule("302+"),
        data=lambda w, o: {"confirm": "yes"},
    ),
    # Supporting documents
    "attachment_upload": Route(
        url=sub_url("attachment_upload"),
        objects=SUBMISSIONS,
        post=edit("302+"),
        data=lambda w, o: {
            "file": SimpleUploadedFile("plan.pdf", PDF),
            "description": "National plan",
        },
    ),
    "attachment_download": Route(
        url=lambda w, o: reverse("attachment_download", args=[w.pk(o), w.attachment(o)]),
        objects=SUBMISSIONS,
        get=read,
    ),
    "attachment_remove": Route(
        url=lambda w, o: reverse("attachment_remove", args=[w.pk(o), w.attachment(o)]),
        objects=SUBMISSIONS,
        get=edit("200"),
        post=edit("302+"),
    ),
    # Word documents in: the upload reads a document downloaded from the submission; the preview
    # confirms the import of one changed answer ("lead"). Only those who edit the draft may.
    "submission_import": Route(
        url=sub_url("submission_import"),
        objects=SUBMISSIONS,
        get=edit("200"),
        post=edit("302+"),
        data=lambda w, o: {"file": SimpleUploadedFile("answers.docx", w.docx(o))},
    ),
    "submission_import_preview": Route(
        url=lambda w, o: reverse("submission_import_preview", args=[w.pk(o), w.import_of(o)]),
        objects=SUBMISSIONS,
        get=edit("200"),
        post=edit("302+"),
        data=lambda w, o: {"take-lead": "1", "base-lead": w.revision(o, "lead")},
    ),
    # PDF
    "submission_pdf": Route(url=sub_url("submission_pdf"), objects=SUBMISSIONS, get=read),
    # Word documents: the answers as the PDF (who sees the submission); the blank questionnaire of
    # a cycle for ESCWA staff and the teams of its countries (Morocco and Jordan both take part).
    "submission_docx": Route(url=sub_url("submission_docx"), objects=SUBMISSIONS, get=read),
    "version_docx": Route(
        url=lambda w, o: reverse("version_docx", args=[w.slug(o)]),
        objects=CYCLES,
        get=lambda role, obj: "200" if obj == "cycle" else "404",
    ),
    # Teams
    "country_list": Route(url=lambda w, o: reverse("country_list"), get=country_list_rule),
    "country_team": Route(
        url=lambda w, o: reverse("country_team", args=[w.iso2(o)]),
        objects=COUNTRIES,
        get=team_rule("200"),
    ),
    "team_invite": Route(
        url=lambda w, o: reverse("team_invite", args=[w.iso2(o)]),
        objects=COUNTRIES,
        post=team_rule("302+"),
        data=lambda w, o: {"email": "new.person@example.org", "role": CountryRole.CONTRIBUTOR},
    ),
    "team_invitation_revoke": Route(
        url=lambda w, o: reverse("team_invitation_revoke", args=w.team_item(o, "invitation")),
        objects=TEAM_OBJECTS,
        post=team_item_rule("302+"),
    ),
    "team_member_role": Route(
        url=lambda w, o: reverse("team_member_role", args=w.team_item(o, "membership")),
        objects=TEAM_OBJECTS,
        post=team_item_rule("302+"),
        data=lambda w, o: {"role": CountryRole.CONTRIBUTOR},
    ),
    "team_member_remove": Route(
        url=lambda w, o: reverse("team_member_remove", args=w.team_item(o, "membership")),
        objects=TEAM_OBJECTS,
        get=team_item_rule("200"),
        post=team_item_rule("302+"),
    ),
    "invitation_accept": Route(
        url=lambda w, o: reverse("invitation_accept", args=[w.tokens[o]]),
        objects=("valid_token", "used_token", "bogus_token"),
        get=token_rule("200"),
        post=accept_rule,
        data=lambda w, o: {
            "username": "newcomer",
            "full_name": "New Comer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            # Logged-in users are not the invited address: they confirm the link is for them.
            "confirm_other_address": "1",
        },
        login=False,  # the token is the credential
        anonymous=None,
    ),
    # Following a cycle across countries (ESCWA staff)
    "cycle_dashboard": Route(
        url=lambda w, o: reverse("cycle_dashboard", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "deadline_extension_grant": Route(
        url=lambda w, o: reverse("deadline_extension_grant", args=[w.slug(o)]),
        objects=CYCLES,
        post=staff_only("302+"),
        data=lambda w, o: {
            "country": w.countries["MA"].pk,
            "deadline": (w.cycle.deadline + datetime.timedelta(days=30)).isoformat(),
            "reason": "Elections",
        },
    ),
    "cycle_questions": Route(
        url=lambda w, o: reverse("cycle_questions", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("302="),
    ),
    "cycle_question": Route(
        url=lambda w, o: reverse("cycle_question", args=[w.slug(o), "lead"]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "cycle_objectives": Route(
        url=lambda w, o: reverse("cycle_objectives", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "cycle_search": Route(
        url=lambda w, o: reverse("cycle_search", args=[w.slug(o)]) + "?q=Ministry",
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "cycle_charts": Route(
        url=lambda w, o: reverse("cycle_charts", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "cycle_chart_csv": Route(
        url=lambda w, o: reverse(
            "cycle_chart_csv",
            args=[w.slug(o), "no-such-chart" if o == "unknown_kind" else "objectives"],
        ),
        objects=(*CYCLES, "unknown_kind"),
        get=staff_only("200", found=("cycle",)),
    ),
    # What changed since the previous cycle: the region for ESCWA staff; a country's page for
    # staff and the country's own team (outsiders learn nothing: 404), in an existing cycle.
    "cycle_changes": Route(
        url=lambda w, o: reverse("cycle_changes", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "country_changes": Route(
        url=lambda w, o: reverse(
            "country_changes",
            args=[
                "no-such-cycle" if o == "missing_cycle" else w.cycle.slug,
                {"other_country": "JO", "missing_country": "ZZ"}.get(o, "MA"),
            ],
        ),
        objects=(*COUNTRIES, "missing_cycle"),
        get=changes_rule,
    ),
    # Published national reviews: anyone, published ones only
    "public_index": Route(url=lambda w, o: reverse("public_index"), get=always("200"), login=False),
    "public_cycle": Route(
        url=lambda w, o: reverse("public_cycle", args=[w.slug(o)]),
        objects=("published_cycle", "cycle", "missing_cycle"),
        get=lambda role, obj: "200" if obj == "published_cycle" else "404",
        login=False,
    ),
    "public_submission": Route(
        url=sub_url("public_submission"), objects=SUBMISSIONS, get=public, login=False
    ),
    "public_submission_pdf": Route(
        url=sub_url("public_submission_pdf"), objects=SUBMISSIONS, get=public, login=False
    ),
    # Open data: the public bulk downloads, and the API, to which a session is no credential:
    # every role logged in by its session reads what the public reads (tokens are tested in
    # test_api_token_matrix below). Every API endpoint takes GET only.
    "public_cycle_download": Route(
        url=lambda w, o: reverse("public_cycle_download", args=[w.slug(o), "csv"]),
        objects=("published_cycle", "cycle", "missing_cycle"),
        get=lambda role, obj: "200" if obj == "published_cycle" else "404",
        login=False,
    ),
    **{
        name: Route(
            url=lambda w, o, name=name: reverse(f"api-v1:{name}"), get=always("200"), login=False
        )
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
    "api_cycle": Route(
        url=lambda w, o: reverse("api-v1:api_cycle", args=[w.slug(o)]),
        objects=("published_cycle", "cycle", "missing_cycle"),
        get=lambda role, obj: "200" if obj == "published_cycle" else "404",
        login=False,
    ),
    "api_version": Route(
        url=lambda w, o: reverse("api-v1:api_version", args=[w.versions[o]]),
        objects=("published_version", "draft_version", "missing_version"),
        get=lambda role, obj: "200" if obj == "published_version" else "404",
        login=False,
    ),
    **{
        name: Route(url=sub_url(f"api-v1:{name}"), objects=SUBMISSIONS, get=public, login=False)
        for name in ("api_submission", "api_submission_answers", "api_submission_objectives")
    },
    # Exports and the regional compilation (ESCWA staff)
    "cycle_exports": Route(
        url=lambda w, o: reverse("cycle_exports", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "cycle_export_download": Route(
        url=lambda w, o: (
            reverse(
                "cycle_export_download",
                args=[w.slug(o), "no-such-kind" if o == "unknown_kind" else "answers-long", "csv"],
            )
            + "?drafts=1"
        ),
        objects=(*CYCLES, "unknown_kind"),
        get=staff_only("200", found=("cycle",)),
    ),
    "cycle_compilations": Route(
        url=lambda w, o: reverse("cycle_compilations", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
        post=staff_only("302+"),
        data=lambda w, o: {"language": "en"},
    ),
    "compilation_detail": Route(
        url=lambda w, o: reverse("compilation_detail", args=[w.compilations[o]]),
        objects=("compilation", "failed_compilation", "missing_compilation"),
        get=staff_only("200", found=("compilation", "failed_compilation")),
    ),
    "compilation_retry": Route(
        url=lambda w, o: reverse("compilation_retry", args=[w.compilations[o]]),
        objects=("compilation", "failed_compilation", "missing_compilation"),
        post=lambda role, obj: staff_only(
            "302+" if obj == "failed_compilation" else "302=",
            found=("compilation", "failed_compilation"),
        )(role, obj),
    ),
    "compilation_download": Route(
        url=lambda w, o: reverse("compilation_download", args=[w.compilations[o]]),
        objects=("compilation", "failed_compilation", "missing_compilation"),
        get=staff_only("200", found=("compilation",)),
    ),
    # The regional report's chapters (ESCWA staff, as the compilation)
    "cycle_chapters": Route(
        url=lambda w, o: reverse("cycle_chapters", args=[w.slug(o)]),
        objects=CYCLES,
        get=staff_only("200"),
    ),
    "chapter_edit": Route(
        url=lambda w, o: reverse("chapter_edit", args=[w.slug(o), w.chapter_key(o), "ar"]),
        objects=CHAPTERS,
        get=staff_only("200", found=("chapter", "unwritten_chapter")),
        post=staff_only("302+", found=("chapter", "unwritten_chapter")),
        data=lambda w, o: {"body": "نص جديد", "base": w.chapter_base(o)},
    ),
    "chapter_history": Route(
        url=lambda w, o: reverse("chapter_history", args=[w.slug(o), w.chapter_key(o), "ar"]),
        objects=CHAPTERS,
        get=staff_only("200", found=("chapter", "unwritten_chapter")),
    ),
    "chapter_mark_final": Route(
        url=lambda w, o: reverse("chapter_mark_final", args=[w.slug(o), w.chapter_key(o), "ar", 1]),
        objects=CHAPTERS,
        post=staff_only("302+", found=("chapter",)),
    ),
    "chapter_restore": Route(
        url=lambda w, o: reverse("chapter_restore", args=[w.slug(o), w.chapter_key(o), "ar", 1]),
        objects=CHAPTERS,
        post=staff_only("302+", found=("chapter",)),
    ),
    # Accounts
    "login": Route(
        url=lambda w, o: reverse("login"),
        # The form; someone already logged in goes home.
        get=lambda role, obj: "200" if role == "anonymous" else "302=",
        post=always("302="),  # logs in (nothing of the portal's data changes)
        data=lambda w, o: {"username": "m-focal", "password": PASSWORD},
        login=False,
    ),
    "logout": Route(url=lambda w, o: reverse("logout"), post=always("login"), login=False),
    "password_change": Route(
        url=lambda w, o: reverse("password_change"),
        get=logged_in("200"),
        post=logged_in("302+"),
        data=lambda w, o: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    "password_change_done": Route(
        url=lambda w, o: reverse("password_change_done"), get=logged_in("200")
    ),
    "password_reset": Route(
        url=lambda w, o: reverse("password_reset"),
        get=always("200"),
        post=always("302="),  # the same answer whether or not the address has an account
        data=lambda w, o: {"email": "m-focal@example.org"},
        login=False,
    ),
    "password_reset_done": Route(
        url=lambda w, o: reverse("password_reset_done"), get=always("200"), login=False
    ),
    "password_reset_confirm": Route(
        url=lambda w, o: reverse("password_reset_confirm", args=["MQ", "bad-token"]),
        get=always("200"),  # "this link is not valid"
        post=always("200="),
        data=lambda w, o: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        login=False,
    ),
    "password_reset_complete": Route(
        url=lambda w, o: reverse("password_reset_complete"), get=always("200"), login=False
    ),
    "two_factor": Route(url=lambda w, o: reverse("two_factor"), get=logged_in("200")),
    "two_factor_verify": Route(
        url=lambda w, o: reverse("two_factor_verify"),
        get=logged_in("302="),  # already verified, or nothing to verify
        post=logged_in("302="),
        data=lambda w, o: {"code": "000000"},
    ),
    "two_factor_setup": Route(
        url=lambda w, o: reverse("two_factor_setup"),
        get=logged_in("200~"),
        post=logged_in("200~"),  # a wrong code: the form again
        data=lambda w, o: {"code": "000000"},
    ),
    "two_factor_backup_codes": Route(
        url=lambda w, o: reverse("two_factor_backup_codes"),
        get=logged_in("302="),  # no new codes to show
        post=logged_in("302~"),
    ),
    "two_factor_disable": Route(
        url=lambda w, o: reverse("two_factor_disable"),
        post=logged_in("400="),  # a wrong code
        data=lambda w, o: {"code": "000000"},
    ),
    # "Your account" and its API tokens: everyone in the table may hold one (ESCWA staff, a
    # country's team); a token is revoked by its holder only (Morocco's focal point's here).
    "profile": Route(url=lambda w, o: reverse("profile"), get=logged_in("200")),
    "api_token_create": Route(
        url=lambda w, o: reverse("api_token_create"),
        post=logged_in("200+"),
        data=lambda w, o: {"name": "Statistics office"},
    ),
    "api_token_revoke": Route(
        url=lambda w, o: reverse("api_token_revoke", args=[w.api_token_ids[o]]),
        objects=("focal_points_token", "missing_token"),
        post=lambda role, obj: (
            "302+" if role == "focal_point" and obj == "focal_points_token" else "404"
        ),
    ),
    "session_status": Route(
        url=lambda w, o: reverse("session_status"),
        get=logged_in("200"),
        login=False,
        anonymous=always("401"),
    ),
    "session_keepalive": Route(
        url=lambda w, o: reverse("session_keepalive"),
        post=logged_in("302="),
        login=False,
        anonymous=always("login"),
    ),
    "set_language": Route(
        url=lambda w, o: reverse("set_language"),
        # Django's own view answers a GET with a redirect that changes nothing; the portal's
        # (accounts.language, which also saves a logged-in user's choice) takes POST only.
        get=always("302=") if DJANGO_SET_LANGUAGE else None,
        post=always("302="),
        data=lambda w, o: {"language": "fr", "next": "/"},
        login=False,
    ),
}


@dataclass(frozen=True)
class Expected:
    code: str  # "200", "login", …
    effect: str  # "+" changes the data, "=" changes nothing, "~" not checked


def expected(route: Route, role: str, obj: str, method: str) -> Expected:
    rule = route.get if method == "GET" else route.post
    if role == "anonymous" and route.login:
        code = "login"
    elif rule is None:
        code = "405"
    elif role == "anonymous" and route.anonymous is not None:
        code = route.anonymous(role, obj)
    else:
        code = rule(role, obj)
    if method == "GET" and code.endswith("+"):
        raise AssertionError("a GET must never change anything: fix the table")
    effect = code[-1] if code[-1] in "+=~" else "="
    return Expected(code.rstrip("+=~"), effect)


def answer_of(response, *, admin: bool = False) -> str:
    """The answer as the table writes it: the status, or "login" for a redirect to log in."""
    login_url = reverse("admin:login" if admin else "login")
    if response.status_code == 302 and response.url.startswith(login_url):
        return "login"
    return str(response.status_code)


# --- The world -----------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """Morocco (MA) with a submission in each state, each in its own cycle; Jordan (JO) with a
    draft; a cycle not yet started; teams, invitations, comments, documents, compilations."""
    w = SimpleNamespace()
    w.countries = {
        "MA": factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco"),
        "JO": factories.CountryFactory(iso2="JO", iso3="JOR", name_en="Jordan"),
    }
    ma, jo = w.countries["MA"], w.countries["JO"]
    password = make_password(PASSWORD)

    def user(username, **fields):
        return User.objects.create(
            username=username, email=f"{username}@example.org", password=password, **fields
        )

    w.users = {
        "focal_point": user("m-focal"),
        "contributor": user("m-contributor"),
        "viewer": user("m-viewer"),
        "other_focal_point": user("j-focal"),
        "reviewer": user("reviewer", staff_role="reviewer"),
        "admin": user("admin", staff_role="admin", is_staff=True, is_superuser=True),
        "reviewer_staff": user("reviewer-staff", staff_role="reviewer", is_staff=True),
    }
    for role, country in ROLE_COUNTRY.items():
        Membership.objects.create(
            user=w.users[role], country=w.countries[country], role=ROLE_KIND[role]
        )
    j_viewer = Membership.objects.create(user=user("j-viewer"), country=jo, role="viewer")
    w.memberships = {
        "own": Membership.objects.get(user=w.users["viewer"]).pk,
        "other": j_viewer.pk,
    }

    version = factories.VersionFactory()
    first = factories.SectionFactory(version=version, number="I", order=1)
    second = factories.SectionFactory(version=version, number="II", order=2)
    factories.QuestionFactory(section=first, key="mechanism", label="a", order=1)
    factories.QuestionFactory(
        section=first, key="lead", label="b", order=2, type=QuestionType.SHORT_TEXT
    )
    factories.QuestionFactory(section=second, key="policies", label="a", order=1, required=False)
    version = services.questionnaire_version_publish(version=version)
    draft_version = factories.VersionFactory()
    w.versions = {
        "published_version": version.pk,
        "draft_version": draft_version.pk,
        "missing_version": draft_version.pk + 1000,
    }

    routes = {
        S.DRAFT: [],
        S.SUBMITTED: [S.SUBMITTED],
        S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
        S.PUBLISHED: [S.SUBMITTED, S.ACCEPTED, S.PUBLISHED],
    }
    w.submissions, w.comments, w.attachments, w.imports = {}, {}, {}, {}
    lead = Question.objects.get(version=version, key="lead")
    reviewer = w.users["reviewer"]
    cycles = {}
    for slot, (iso2, target) in SUBMISSION_OF.items():
        if slot == "other_draft":
            cycle = cycles[S.DRAFT]  # Jordan's draft sits beside Morocco's
        else:
            cycle = cycles[target] = factories.CycleFactory(version=version)
            cycle.countries.add(ma, jo)
        submission = services.submission_create(cycle=cycle, country=w.countries[iso2])
        for question in Question.objects.filter(version=version):
            value = "Ministry of Labour" if question.key == "lead" else "<p>A committee.</p>"
            services.answer_save(submission=submission, question=question, value=value)
        focal = w.users["other_focal_point" if iso2 == "JO" else "focal_point"]
        w.attachments[slot] = services.attachment_add(
            submission=submission, file=io.BytesIO(PDF), name="plan.pdf", user=focal
        ).pk
        w.imports[slot] = DocumentImport.objects.create(
            submission=submission,
            file_name="answers.docx",
            size=1,
            items=[{"question": lead.pk, "key": "lead", "how": "key", "value": "Interior"}],
            created_by=focal,
        ).pk
        w.comments[slot] = services.comment_add(
            submission=submission,
            question=Question.objects.get(version=version, key="lead"),
            user=reviewer,
            body="Which ministry?",
        ).pk
        for step in routes[target]:
            submission = services.submission_transition(submission=submission, to_status=step)
        w.submissions[slot] = submission.pk
    w.cycle = cycles[S.DRAFT]
    w.published_cycle = cycles[S.PUBLISHED]
    w.new_cycle = factories.CycleFactory(version=version)
    w.new_cycle.countries.add(ma, jo)
    w.missing_pk = max(w.submissions.values()) + 1000

    invitation, token = services.invitation_create(
        country=ma,
        email="invited@example.org",
        role=CountryRole.CONTRIBUTOR,
        user=w.users["focal_point"],
        accept_url="http://testserver/{token}",
    )
    other_invitation, _token = services.invitation_create(
        country=jo,
        email="invited@example.org",
        role=CountryRole.VIEWER,
        user=w.users["other_focal_point"],
        accept_url="http://testserver/{token}",
    )
    _used, used_token = services.invitation_create(
        country=ma,
        email="used@example.org",
        role=CountryRole.VIEWER,
        user=w.users["focal_point"],
        accept_url="http://testserver/{token}",
    )
    services.invitation_accept(
        token=used_token, username="m-used", password=PASSWORD, full_name="Used Link"
    )
    w.invitations = {"own": invitation.pk, "other": other_invitation.pk}
    w.tokens = {"valid_token": token, "used_token": used_token, "bogus_token": "x" * 43}

    done = Compilation.objects.create(
        cycle=cycles[S.ACCEPTED], requested_by=reviewer, status=JobStatus.SUCCEEDED, page_count=1
    )
    done.file.save("compilation.pdf", ContentFile(PDF))
    failed = Compilation.objects.create(
        cycle=cycles[S.ACCEPTED], requested_by=reviewer, status=JobStatus.FAILED, error="x"
    )
    # The introduction of the cycle's regional report: two drafts in Arabic.
    for text in ("مسودة أولى", "مسودة ثانية"):
        report_services.chapter_save(
            slot=report_selectors.chapter_slot_get(
                user=reviewer, cycle=w.cycle, key="introduction"
            ),
            language="ar",
            body=text,
            user=reviewer,
            base_number=ChapterRevision.objects.filter(language="ar").count(),
        )
    w.chapter_key = lambda obj: {
        "unwritten_chapter": "section-I",
        "unknown_chapter": "section-XX",
    }.get(obj, "introduction")
    w.chapter_base = lambda obj: 2 if obj == "chapter" else 0
    w.compilations = {
        "compilation": done.pk,
        "failed_compilation": failed.pk,
        "missing_compilation": failed.pk + 1000,
    }

    def pk(obj):
        return w.submissions.get(obj, w.missing_pk)

    def revision(obj, key):
        answer = Answer.objects.filter(submission_id=pk(obj), question__key=key).first()
        return answer.revision if answer else 0

    def docx(obj):
        # A document downloaded from the submission, "lead" changed: what an editor imports.
        submission = Submission.objects.get(pk=w.submissions.get(obj, w.submissions["own_draft"]))
        document = docx_module.Document(
            io.BytesIO(writer.submission_docx(submission=submission, language="en"))
        )
        for row in document.tables[0].rows:
            if "Ministry of Labour" in row.cells[-1].text:
                row.cells[-1].paragraphs[0].add_run(" and of the Interior")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    w.pk = pk
    w.revision = revision
    w.docx = docx
    w.import_of = lambda obj: w.imports.get(obj, w.imports["own_draft"])
    # For the missing submission: a real document or comment id, under an id that is not.
    w.attachment = lambda obj: w.attachments.get(obj, w.attachments["own_draft"])
    w.comment = lambda obj: w.comments.get(obj, w.comments["own_draft"])
    w.iso2 = lambda obj: {"own_country": "MA", "other_country": "JO"}.get(obj, "ZZ")
    w.slug = lambda obj: {
        "cycle": w.cycle.slug,
        "chapter": w.cycle.slug,
        "unwritten_chapter": w.cycle.slug,
        "unknown_chapter": w.cycle.slug,
        "published_cycle": w.published_cycle.slug,
        "unknown_kind": w.cycle.slug,
    }.get(obj, "no-such-cycle")

    def team_item(obj, kind):
        ids = w.invitations if kind == "invitation" else w.memberships
        return {
            "own": ["MA", ids["own"]],
            "other": ["JO", ids["other"]],
            "cross": ["MA", ids["other"]],  # Jordan's, under Morocco's code
            "missing": ["MA", max(ids.values()) + 1000],
        }[obj]

    w.team_item = team_item

    # API tokens: one per role, and two that no longer open anything.
    w.api_secrets = {
        role: account_services.api_token_create(user=w.users[role], name=role)[1]
        for role in ROLES
        if role != "anonymous"
    }
    revoked, w.api_secrets["revoked_token"] = account_services.api_token_create(
        user=w.users["reviewer"], name="old script"
    )
    account_services.api_token_revoke(user=w.users["reviewer"], token_id=revoked.pk)
    closed = user("m-closed")
    Membership.objects.create(user=closed, country=ma, role=CountryRole.FOCAL_POINT)
    w.api_secrets["inactive_user"] = account_services.api_token_create(user=closed, name="x")[1]
    User.objects.filter(pk=closed.pk).update(is_active=False)
    focal_token = ApiToken.objects.get(user=w.users["focal_point"])
    w.api_token_ids = {"focal_points_token": focal_token.pk, "missing_token": revoked.pk + 1000}
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of it (pytest-django's `db`), so nothing a test does outlives it."""
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def http():
    """One test client for the module: its handler loads the middleware once (WhiteNoise's
    start-up alone costs a fifth of a second), instead of once per cell."""
    return Client()


@pytest.fixture(autouse=True)
def _pdf_stub(monkeypatch):
    """Who gets a PDF is the question here, not what is in it (tests/reports/test_pdf.py and the
    hostile-input tests render real ones): the renderer is replaced by a one-page stand-in."""
    from reports import pdf

    monkeypatch.setattr(pdf, "submission_pdf", lambda **kwargs: PDF)


@pytest.fixture
def client(http, db):
    http.logout()  # a new, empty session: nothing carries over from the previous cell
    return http


def _weights(column: str, values) -> str:
    """SQL giving each value of `column` its own weight, so that a sum notices a change."""
    cases = " ".join(f"WHEN '{value}' THEN {n}" for n, value in enumerate(values, 2))
    return f"CASE {column} {cases} ELSE 1 END"


def _select(expression: str, table: str) -> str:
    # Model table names and the fixed expressions below: no outside input reaches this SQL.
    return f"(SELECT {expression} FROM {table})"  # noqa: S608


def _fingerprint_sql() -> str:
    """One query over everything a request could change (the matrix sends 3,892 requests: one
    query each rather than twelve): counts, and sums that move when a status, a role, a revision,
    a resolution, a password or a deadline changes."""
    t = {model: model._meta.db_table for model in (
        Submission, SubmissionEvent, Answer, AnswerRevision, Comment, PublicationAgreement,
        Attachment, Membership,
        Invitation, User, Country, DeadlineExtension, Compilation, DocumentImport, ApiToken,
        ChapterRevision,
    )}  # fmt: skip
    status = _weights("status", SubmissionStatus.values)
    role = _weights("role", CountryRole.values)
    job = _weights("status", JobStatus.values)
    columns = [
        _select("COUNT(*)", t[Submission]),
        _select(f"SUM(id * {status})", t[Submission]),
        _select("COUNT(*)", t[SubmissionEvent]),
        _select("COUNT(*)", t[Answer]),
        _select("SUM(revision)", t[Answer]),
        _select("COUNT(*)", t[AnswerRevision]),
        _select("COUNT(*)", t[Comment]),
        _select("COUNT(resolved_at)", t[Comment]),
        _select("COUNT(notified_at)", t[Comment]),
        _select("COUNT(*)", t[PublicationAgreement]),
        _select("COUNT(*)", t[Attachment]),
        _select("SUM(id)", t[Attachment]),
        _select("COUNT(*)", t[DocumentImport]),
        _select("COUNT(confirmed_at)", t[DocumentImport]),
        _select("COUNT(*)", t[Membership]),
        _select(f"SUM(id * {role})", t[Membership]),
        _select("COUNT(*)", t[Invitation]),
        _select("COUNT(revoked_at)", t[Invitation]),
        _select("COUNT(accepted_at)", t[Invitation]),
        _select("COUNT(*)", t[User]),
        _select("COUNT(DISTINCT password)", t[User]),
        _select("COUNT(*)", t[Country]),
        _select("COUNT(*)", t[DeadlineExtension]),
        _select("MAX(deadline)", t[DeadlineExtension]),
        _select("COUNT(*)", t[Compilation]),
        _select(f"SUM(id * {job})", t[Compilation]),
        _select("COUNT(*)", t[ApiToken]),
        _select("COUNT(revoked_at)", t[ApiToken]),
        _select("COUNT(*)", t[ChapterRevision]),
        _select(f"SUM(id * {_weights('status', ChapterStatus.values)})", t[ChapterRevision]),
    ]
    return "SELECT " + ", ".join(columns)


def snapshot() -> tuple:
    """The portal's data that a request could change, as one comparable row."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return tuple(cursor.fetchone())


def log_in(client, world, role: str) -> None:
    if role != "anonymous":
        # Staff pass the second step too (tests/conftest.py's autouse fixture).
        client.force_login(world.users[role])


def send(client, route: Route, world, obj: str, method: str, url: str):
    if method == "GET":
        return client.get(url)
    data = route.data(world, obj) if route.data else {}
    if route.json:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def finish(response) -> None:
    """Read a file response to its end, which closes the file the way a server would. Not
    `response.close()`: the test client closed the response already, and closing it again
    signals the end of a request, on which Django closes a database connection that is inside
    a transaction (the test's own, on PostgreSQL)."""
    if response.streaming:
        b"".join(response.streaming_content)


def assert_answer(response, code: str, *, admin: bool = False) -> None:
    finish(response)
    assert answer_of(response, admin=admin) == code


# --- The matrix ----------------------------------------------------------------------------------


def _named_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin's internals: test_the_admin_is_for_staff_only below
            yield from _named_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name or prefix + str(pattern.pattern), pattern


def present_routes() -> list[str]:
    """The table's URLs that this checkout has (the accounts pages arrive with their own work;
    an entry written ahead of its URL is simply not exercised)."""
    names = set(dict(_named_patterns(get_resolver().url_patterns)))
    return [name for name in ROUTES if name in names]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", present_routes())
def test_authorization_matrix(world, client, name, role):
    """One URL, one role: every object of the URL's kind, with GET and with POST.

    Each request runs in a savepoint that is rolled back, so each starts from the same data.
    All the cells that differ from the table are listed together."""
    route = ROUTES[name]
    log_in(client, world, role)
    initial = snapshot()
    wrong = []
    for obj in route.objects:
        for method in ("GET", "POST"):
            want = expected(route, role, obj, method)
            with transaction.atomic():
                try:
                    response = send(client, route, world, obj, method, route.url(world, obj))
                except Exception as error:  # noqa: BLE001 — a server error is a wrong cell too
                    got, changed = f"raised {error!r}"[:200], False
                else:
                    got, changed = answer_of(response), snapshot() != initial
                    finish(response)
                transaction.set_rollback(True)
            if got != want.code:
                wrong.append(f"{method} {obj}: expected {want.code}, got {got}")
            elif want.effect == "=" and changed:
                wrong.append(f"{method} {obj}: {got} but the data changed")
            elif want.effect == "+" and not changed:
                wrong.append(f"{method} {obj}: {got} but nothing changed")
    assert not wrong, f"{name} as {role}:\n" + "\n".join(wrong)


def matrix_size() -> tuple[int, int, int]:
    """URLs, roles and the cells of the table (URL × role × object × method)."""
    cells = sum(len(route.objects) for route in ROUTES.values()) * len(ROLES) * 2
    return len(ROUTES), len(ROLES), cells


def test_every_url_pattern_is_in_the_table():
    patterns = dict(_named_patterns(get_resolver().url_patterns))
    missing = sorted(set(patterns) - set(ROUTES))
    assert not missing, f"URLs without an entry in ROUTES (say who may reach them): {missing}"


# --- The API with personal tokens -----------------------------------------------------------------

API_ROUTES = [name for name in ROUTES if name.startswith("api") and "token" not in name] + [
    "openapi-json"
]
TOKEN_CALLERS = (*ROLES, "revoked_token", "inactive_user")
# Answered without looking at the Authorization header: the schema and its page.
API_OPEN = {"openapi-json", "api_docs"}


def api_token_rule(name: str, caller: str, obj: str) -> str:
    """What a token opens (docs/api.md): what its holder may read in the portal (`sees`),
    besides what is published; every cycle they take part in (all the world's cycles have
    Morocco and Jordan); a token that no longer opens anything is 401 everywhere, never
    silently anonymous. Without a token: the public's answers, as in ROUTES."""
    if name in API_OPEN:
        return "200"
    if caller in ("revoked_token", "inactive_user"):
        return "401"
    if caller == "anonymous":
        return ROUTES[name].get(caller, obj)
    if name == "api_cycle":
        return "404" if obj == "missing_cycle" else "200"
    if ROUTES[name].objects == SUBMISSIONS:
        return "200" if sees(caller, obj) or obj == "own_published" else "404"
    return ROUTES[name].get(caller, obj)


@pytest.mark.parametrize("caller", TOKEN_CALLERS)
@pytest.mark.parametrize("name", API_ROUTES)
def test_api_token_matrix(world, client, name, caller):
    """Every API endpoint × every caller's token (and none, a revoked one, an inactive
    holder's) × every object, GET and POST (405: the API only reads)."""
    route = ROUTES[name]
    secret = world.api_secrets.get(caller)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    initial = snapshot()
    wrong = []
    for obj in route.objects:
        url = route.url(world, obj)
        want = api_token_rule(name, caller, obj)
        got = answer_of(client.get(url, **headers))
        if got != want:
            wrong.append(f"GET {obj}: expected {want}, got {got}")
        posted = answer_of(client.post(url, {}, **headers))
        if posted != "405":
            wrong.append(f"POST {obj}: expected 405, got {posted}")
    assert snapshot() == initial
    assert not wrong, f"{name} with the token of {caller}:\n" + "\n".join(wrong)


# --- Guessed and sequential ids ------------------------------------------------------------------


def around(ids) -> range:
    """Every id from a little below the smallest real one to a little past the largest."""
    ids = list(ids)
    return range(max(0, min(ids) - 3), max(ids) + 4)


# Every page of a submission that a GET reaches, with the answer its readers get.
SUBMISSION_PAGES = {
    "submission_detail": [],
    "submission_answer": [],
    "answer_section": ["I"],
    "answer_fragment": ["lead"],
    "answer_history": ["lead"],
    "submission_check": [],
    "submission_review": [],
    "submission_move": ["accept"],
    "publication_agree": [],
}


@pytest.mark.parametrize("role", ["focal_point", "viewer", "other_focal_point", "reviewer"])
@pytest.mark.parametrize("name", list(SUBMISSION_PAGES))
def test_ids_around_the_real_ones_are_404_unless_the_user_may_see_them(
    world, db, client, name, role
):
    """An id in a URL is no credential: for every id from below the first submission to past the
    last, a user gets 404 unless the submission is one they may see (never a 200, nor a 403
    that would say it exists)."""
    log_in(client, world, role)
    slot_of = {pk: slot for slot, pk in world.submissions.items()}
    ids = around(slot_of)
    wrong = []
    for pk in ids:
        slot = slot_of.get(pk, "missing")
        response = client.get(reverse(name, args=[pk, *SUBMISSION_PAGES[name]]))
        visible = sees(role, slot)
        if (response.status_code == 404) == visible:
            wrong.append((pk, slot, response.status_code))
    assert not wrong, f"{name} as {role}: (id, submission, status) {wrong}"


def test_document_ids_only_open_under_their_own_submission(world, db, client):
    """Morocco's focal point tries every document id under Morocco's draft: only that draft's
    own document opens, not Jordan's nor Morocco's others (which exist, under other ids)."""
    log_in(client, world, "focal_point")
    own = world.submissions["own_draft"]
    ids = around(world.attachments.values())
    for attachment_id in ids:
        for name in ("attachment_download", "attachment_remove"):
            response = client.get(reverse(name, args=[own, attachment_id]))
            finish(response)
            mine = attachment_id == world.attachments["own_draft"]
            assert response.status_code == (200 if mine else 404), (name, attachment_id)


def test_comment_ids_only_resolve_under_their_own_submission(world, db, client):
    log_in(client, world, "reviewer")
    own = world.submissions["own_draft"]
    for comment_id in around(world.comments.values()):
        with transaction.atomic():
            before = snapshot()
            response = client.post(reverse("comment_resolve", args=[own, comment_id]))
            mine = comment_id == world.comments["own_draft"]
            assert response.status_code == (302 if mine else 404), comment_id
            assert (snapshot() != before) == mine
            transaction.set_rollback(True)


def test_public_ids_only_show_published_reviews(world, db, client):
    slot_of = {pk: slot for slot, pk in world.submissions.items()}
    for pk in around(slot_of):
        published = slot_of.get(pk) == "own_published"
        for name in ("public_submission", "public_submission_pdf"):
            response = client.get(reverse(name, args=[pk]))
            assert response.status_code == (200 if published else 404), (name, pk)


@pytest.mark.parametrize("role", ["focal_point", "other_focal_point", "reviewer"])
def test_compilation_ids_are_staff_only_whatever_the_id(world, db, client, role):
    log_in(client, world, role)
    real = set(world.compilations.values()) - {world.compilations["missing_compilation"]}
    for pk in around(real):
        response = client.get(reverse("compilation_detail", args=[pk]))
        if role in STAFF:
            assert response.status_code == (200 if pk in real else 404), pk
        else:
            assert response.status_code == 403, pk


# --- Every lookup by id goes through the selectors -----------------------------------------------

VIEW_MODULES = (
    "questionnaire.views",
    "questionnaire.answering_views",
    "questionnaire.team_views",
    "questionnaire.attachment_views",
    "questionnaire.review_views",
    "questionnaire.dashboard_views",
    "reports.views",
    "reports.export_views",
    "reports.compile_views",
    "reports.chapter_views",
)


@pytest.mark.parametrize("module_name", VIEW_MODULES)
def test_views_look_nothing_up_themselves(module_name):
    """Views turn ids and slugs into objects only through the selectors, which apply the
    permission before saying whether the object exists; a direct query in a view is how an
    unchecked id slips in."""
    source = inspect.getsource(importlib.import_module(module_name))
    for forbidden in ("get_object_or_404", "get_list_or_404", ".objects."):
        assert forbidden not in source, f"{module_name} uses {forbidden}: use a selector"


# --- The Django admin ----------------------------------------------------------------------------

ADMIN_PAGES = [
    ("admin:index", None, "200"),
    ("admin:questionnaire_submission_changelist", None, "403"),
    ("admin:questionnaire_submission_change", "own_draft", "403"),
    ("admin:questionnaire_answer_changelist", None, "403"),
    ("admin:questionnaire_comment_changelist", None, "403"),
    ("admin:questionnaire_attachment_changelist", None, "403"),
    ("admin:accounts_user_changelist", None, "403"),
    ("admin:questionnaire_questionnaireversion_changelist", None, "403"),
    ("admin:questionnaire_country_add", None, "403"),
]


@pytest.mark.parametrize(("page", "obj", "for_staff_reviewer"), ADMIN_PAGES)
@pytest.mark.parametrize("role", [*ROLES, "reviewer_staff"])
def test_the_admin_is_for_staff_only(world, db, client, role, page, obj, for_staff_reviewer):
    """Country users and reviewers without `is_staff` are sent to the admin's login; a reviewer
    with `is_staff` (and no model permissions) sees an empty index and is refused every page;
    administrators see them all. A POST from anyone but an administrator changes nothing."""
    log_in(client, world, role)
    url = reverse(page, args=[world.pk(obj)] if obj else [])
    if role == "admin":
        want = "200"
    elif role == "reviewer_staff":
        want = for_staff_reviewer
    else:
        want = "login"
    assert_answer(client.get(url), want, admin=True)
    if role != "admin":
        before = snapshot()
        data = {"iso2": "ZZ", "iso3": "ZZZ", "name_en": "Nowhere", "las_member": "on"}
        assert_answer(client.post(url, data), want, admin=True)
        assert snapshot() == before
