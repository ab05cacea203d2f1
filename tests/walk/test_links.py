"""Every page a person may use can be reached by clicking, from the home page, in every language.

Each role (anonymous; Morocco's focal point, contributor and viewer; an ESCWA reviewer; an
administrator) walks the portal of tests/walk/world.py by its links and GET forms only
(tests/walk/crawler.py), once in English, Arabic and French. A form that posts somewhere counts as
reaching that URL: the person can press its button.

REACH lists every URL pattern of the project ONCE: the roles whose walk must reach it, or why no
walk does (it arrives by e-mail, a script calls it, a form redirects there...). The tests fail

- when a pattern is missing from REACH (a new page must say who reaches it, and how), or REACH
  names a pattern that no longer exists;
- when a role's walk does not reach a pattern REACH gives it, in any language: a page that only
  works when its URL is typed;
- when a walk reaches a pattern REACH does not give that role: a new door, which REACH should
  record (or a link shown to someone who may not use it);
- when a link or form the portal shows leads to an error page (4xx, 5xx).

Doors that issue 11 adds are marked `missing=...`: their test is expected to fail until the link
exists (strict: once it passes, remove the mark).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import LANGUAGES, ROLES

pytestmark = pytest.mark.django_db

LOGGED_IN = frozenset({"focal_point", "contributor", "viewer", "reviewer", "admin"})
EVERYONE = LOGGED_IN | {"anonymous"}
TEAM = frozenset({"focal_point", "contributor", "viewer"})
EDITORS = frozenset({"focal_point", "contributor"})
STAFF = frozenset({"reviewer", "admin"})
TEAM_MANAGERS = frozenset({"focal_point", "admin"})


@dataclass(frozen=True)
class Reach:
    """Who reaches a pattern by clicking from the home page; or, with no roles, how it is reached
    instead (`by`: "e-mail", "script", "redirect", "other") and why."""

    roles: frozenset[str] = frozenset()
    by: str = ""
    why: str = ""
    missing: str = ""  # a door not built yet: the issue and what is missing

    def __post_init__(self):
        assert bool(self.roles) != bool(self.by), "either roles, or how it is reached instead"
        assert self.roles <= EVERYONE, self.roles - EVERYONE
        assert self.by in ("", "e-mail", "script", "redirect", "other")
        assert self.why or self.roles, "say why no walk reaches it"


def only(by: str, why: str) -> Reach:
    return Reach(by=by, why=why)


# One entry per URL pattern (its name; "admin" for the whole Django admin).
REACH: dict[str, Reach] = {
    "home": Reach(EVERYONE),
    # A submission
    "submission_detail": Reach(LOGGED_IN),
    "submission_answer": Reach(EDITORS),
    "answer_section": Reach(EDITORS),
    "answer_section_save": Reach(EDITORS),
    "answer_autosave": only("script", "the answering page's script saves each answer as JSON"),
    "answer_fragment": only(
        "script", "the answering page's script reloads an answer after someone else saved it"
    ),
    "answer_history": Reach(EDITORS),
    "answer_restore": Reach(EDITORS),
    "answer_confirm": Reach(EDITORS),
    "submission_check": Reach(EDITORS),
    "submission_submit": Reach(frozenset({"focal_point"})),
    "submission_start": Reach(frozenset({"focal_point"})),
    "version_preview": Reach(LOGGED_IN),
    "submission_pdf": Reach(LOGGED_IN),
    "submission_docx": Reach(LOGGED_IN),
    "version_docx": Reach(LOGGED_IN),
    "version_preview_docx": Reach(LOGGED_IN),
    "submission_import": Reach(EDITORS),
    "submission_import_preview": only(
        "redirect",
        "where uploading a Word document leads (tests/browser/test_word_journey.py walks it)",
    ),
    # Review
    "submission_review": only(
        "redirect",
        "the former review page: links in e-mails sent before the review tools moved to the "
        "submission page still lead there, and it redirects to the submission page",
    ),
    "submission_move": Reach(STAFF),
    "comment_add": Reach(LOGGED_IN),
    # ESCWA's threads are ESCWA's to resolve; the country's editors resolve the country's own.
    "comment_resolve": Reach(EDITORS | STAFF),
    "comments_send": Reach(TEAM | STAFF),
    "publication_agree": Reach(frozenset({"focal_point"})),
    # Supporting documents
    "attachment_upload": Reach(EDITORS),
    "attachment_download": Reach(LOGGED_IN),
    "attachment_remove": Reach(EDITORS),
    # Teams
    "country_list": Reach(TEAM_MANAGERS),
    "country_team": Reach(TEAM_MANAGERS),
    "team_invite": Reach(TEAM_MANAGERS),
    "team_invitation_revoke": Reach(TEAM_MANAGERS),
    "team_member_role": Reach(TEAM_MANAGERS),
    "team_member_remove": Reach(TEAM_MANAGERS),
    "invitation_accept": only("e-mail", "the invitation link arrives by e-mail, and only there"),
    # Following a cycle across countries (ESCWA staff)
    "cycle_dashboard": Reach(STAFF),
    "deadline_extension_grant": Reach(STAFF),
    "cycle_questions": Reach(STAFF),
    "cycle_question": Reach(STAFF),
    "cycle_objectives": Reach(STAFF),
    "cycle_search": Reach(STAFF),
    "cycle_charts": Reach(STAFF),
    "cycle_chart_csv": Reach(STAFF),
    # What changed since the previous cycle: the region (staff), a country (staff, its team)
    "cycle_changes": Reach(STAFF),
    "country_changes": Reach(TEAM | STAFF),
    "cycle_exports": Reach(STAFF),
    "cycle_export_download": Reach(STAFF),
    "cycle_compilations": Reach(STAFF),
    "compilation_detail": Reach(STAFF),
    "cycle_chapters": Reach(STAFF),
    "chapter_edit": Reach(STAFF),
    "chapter_history": Reach(STAFF),
    "chapter_mark_final": Reach(STAFF),
    "chapter_restore": Reach(STAFF),
    "compilation_retry": Reach(STAFF),
    "compilation_download": Reach(STAFF),
    # Published reviews: the login page links to them, and the API's documentation (linked
    # from everyone's account page) to their index
    "public_index": Reach(EVERYONE),
    "public_cycle": Reach(EVERYONE),
    "public_submission": Reach(EVERYONE),
    "public_submission_pdf": Reach(EVERYONE),
    # Open data: the public cycle page offers its published answers as files; the API's
    # documentation is linked from the public pages and from each person's account page.
    "public_cycle_download": Reach(EVERYONE),
    "api_docs": Reach(EVERYONE),
    "openapi-json": Reach(EVERYONE),
    "api-root": only(
        "other",
        "django-ninja's name for the API's root, which api_index answers (the schema's "
        "paths are written from it)",
    ),
    **{
        name: only("script", "the read-only API, which scripts call (docs/api.md, tests/api/)")
        for name in (
            "api_index",
            "api_cycles",
            "api_cycle",
            "api_versions",
            "api_version",
            "api_objectives",
            "api_submissions",
            "api_submission",
            "api_submission_answers",
            "api_submission_objectives",
        )
    },  # fmt: skip
    # Accounts
    "profile": Reach(LOGGED_IN),
    "api_token_create": Reach(LOGGED_IN),
    "api_token_revoke": Reach(LOGGED_IN),
    "login": Reach(EVERYONE),  # logged-in people: "Log in again" when a session has ended
    "logout": Reach(LOGGED_IN),
    "set_language": Reach(EVERYONE),
    "session_keepalive": Reach(LOGGED_IN),
    "session_status": only("script", "the pages' script asks how long the session has left"),
    "password_change": Reach(LOGGED_IN),
    "password_change_done": only("redirect", "where changing the password leads"),
    "password_reset": Reach(frozenset({"anonymous"})),
    "password_reset_done": only("redirect", "where asking for a reset leads"),
    "password_reset_confirm": only("e-mail", "the reset link arrives by e-mail, and only there"),
    "password_reset_complete": only("redirect", "where setting the new password leads"),
    "two_factor": Reach(LOGGED_IN),
    "two_factor_setup": Reach(LOGGED_IN),
    "two_factor_verify": only(
        "redirect", "the login's second step: logging in leads there for those with an app"
    ),
    # The walk's staff have an authenticator app (they must), its country users none.
    "two_factor_backup_codes": Reach(STAFF),
    "two_factor_disable": only(
        "other",
        "offered only to country users who turned two-factor on (staff may not turn it off); "
        "tests/accounts/test_two_factor.py",
    ),
    "admin": Reach(frozenset({"admin"})),
}


def url_patterns(patterns=None, prefix: str = ""):
    """The name of every URL pattern of the project; the admin's as one, "admin"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin"
                continue
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name or prefix + str(pattern.pattern)


def test_every_url_pattern_is_in_reach_once():
    names = list(url_patterns())
    assert sorted({n for n in names if names.count(n) > 1}) == [], "two patterns, one name"
    missing = sorted(set(names) - set(REACH))
    assert not missing, f"URL patterns without an entry in REACH (who reaches them?): {missing}"
    gone = sorted(set(REACH) - set(names))
    assert not gone, f"REACH entries for URL patterns that no longer exist: {gone}"


def reach_cases():
    for name, reach in REACH.items():
        for role in sorted(reach.roles):
            marks = [pytest.mark.xfail(strict=True, reason=reach.missing)] if reach.missing else []
            yield pytest.param(name, role, marks=marks, id=f"{name}-{role}")


@pytest.mark.parametrize(("name", "role"), list(reach_cases()))
def test_role_reaches_the_page_by_clicking(walks, name, role):
    """A page this role uses is linked (or a form posts to it) from a page it reaches from home,
    in every language."""
    missed = [lang for lang in LANGUAGES if not walks[role, lang].reaches(name)]
    assert not missed, f"{role} cannot reach {name} by clicking from the home page in {missed}"


@pytest.mark.parametrize("role", ROLES)
def test_walk_reaches_nothing_reach_does_not_list(walks, role):
    """A door REACH does not know of: record it in REACH, or stop showing the link."""
    allowed = {name for name, reach in REACH.items() if role in reach.roles}
    extra = {
        f"{name} (in {lang}, from {walks[role, lang].where(name)})"
        for lang in LANGUAGES
        for name in set(walks[role, lang].reached) | set(walks[role, lang].posted)
        if name not in allowed
    }
    assert not extra, f"{role} reaches what REACH does not give it: {sorted(extra)}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_an_error_page(walks, role, language):
    errors = walks[role, language].errors
    assert not errors, "\n".join(f"{page} links to {url}: {status}" for page, url, status in errors)
