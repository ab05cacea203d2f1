"""Every main page costs a fixed number of SQL queries, whatever the size of the data.

Each test counts one page's queries for a small and a large data set (3 and 12 countries, a
few and many questions, revisions, members or compilation parts) and asserts that the counts
are equal and within the page's budget. A page whose count grows with the data has an N+1
query; a page over its budget reads more than it did when the budget was set. Both fail here.
When a change adds a query on purpose, raise the budget and say why in the commit.

Pages whose cost is asserted elsewhere, not repeated here:

| page | test |
|---|---|
| home (reviewer) | tests/questionnaire/test_home.py::test_home_queries_do_not_grow_with_countries |
| submission page | tests/questionnaire/test_submission_page.py::test_submission_page_queries_do_not_grow_with_questions |
| section page, autosave | tests/questionnaire/test_answering_queries.py |
| review page | tests/questionnaire/test_review_views.py::test_the_review_page_costs_the_same_for_any_size |
| dashboard, one question across countries, objectives matrix | tests/questionnaire/test_dashboard.py::test_queries_do_not_grow_with_the_number_of_countries |
| search | tests/questionnaire/test_search.py::test_search_queries_do_not_grow_with_the_number_of_countries |
| public index, cycle, submission | tests/questionnaire/test_public.py::test_public_queries_do_not_grow_with_the_number_of_countries |
| export downloads | tests/reports/test_exports.py::test_download_view_queries_do_not_grow |
| public PDF, served from storage | tests/reports/test_public_pdf.py::test_serving_a_stored_pdf_costs_a_fixed_number_of_queries |
| every list of the API | tests/api/test_queries.py::test_lists_run_constant_queries |

Times belong in bench/ (docs/performance.md), never here.
"""  # noqa: E501

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import services
from questionnaire.models import CountryRole, DeadlineExtension, Membership, Submission
from reports.models import Compilation, CompilationPart, JobStatus
from tests import factories

pytestmark = pytest.mark.django_db

# Queries per page: the most each may run (the small and large data sets must cost the same).
BUDGETS = {
    # session, user, memberships, then the page's own reads; a country's team also gets its
    # deadline extensions and each submission's progress by the one rule of issue 14 (the
    # versions' questions, their conditions, the answers, the values conditions look at)
    "home (focal point)": 11,
    "home (contributor)": 11,
    "home (viewer)": 11,
    "home (administrator)": 7,
    "home (no role)": 3,
    "check": 10,  # + the open comment threads
    "history": 7,
    # + the questions' conditions and the country's previous cycle (issue 14)
    "answer fragment": 12,
    "questionnaire preview": 8,
    # Word documents (questionnaire/word): the submission and its cycle, country, version and
    # questionnaire; the sections, questions, conditions, answers and objectives
    "Word: answers": 9,
    "Word: blank questionnaire": 8,
    # session, user, memberships, the submission, its permission's team, the import, then the
    # preview's questions, answers, the revisions the document was written from, and the GCM
    # objectives (an objectives grid among the answers)
    "Word: import preview": 13,
    "exports page": 8,
    # session, user, memberships, the cycle; the objectives matrix (its grid, objectives,
    # submissions, their progress by the one rule, the grid's answers) and the dashboard (the
    # submissions, their progress, extensions, open comments): questionnaire/charts
    "charts": 25,
    "compilations": 7,  # + the previous cycle, whose comparison annex it offers
    # + the chapters of the regional report it printed and those it left out (their
    # revisions, the version's sections, the objectives)
    "compilation": 10,
    # session, user, the second factor, the cycle, the sections, the objectives, the chapters,
    # their revisions
    "regional report": 8,
    # + the revisions of the chapter in one language
    "chapter editor": 8,
    "chapter history": 8,
    # session, user, the cycle (and the country); the previous cycle, the submissions of
    # both, both versions' sections and questions, the progress by the one rule (four), the
    # answers, the GCM objectives; the cycle's tabs ask who sees every country
    "what changed (region)": 16,
    "what changed (country)": 17,
    "admin: submissions": 8,
    "team": 6,
    "countries": 5,
    # session, user, its tokens, its authenticator; may it hold a token (its teams)
    "your account": 6,
    # the API's documentation page, to an anonymous visitor: read from the schema, no query
    "API documentation": 0,
    # the public cycle's files: the cycle, its sections, questions, submissions, progress
    # (versions' questions and conditions, answers), the answers, the countries
    "public download (CSV)": 10,
    "public download (JSON)": 10,
}


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx)


def assert_budget(page: str, small: int, large: int) -> None:
    assert small == large, f"{page}: {small} queries for the small data, {large} for the large"
    assert large <= BUDGETS[page], f"{page}: {large} queries, budget {BUDGETS[page]}"


def grows(client, page: str, url: str, grow) -> None:
    """Counts `url`'s queries, lets `grow()` add to the data, and counts them again."""
    client.get(url)  # first request: nothing cached
    small = count_queries(client, url)
    grow()
    assert_budget(page, small, count_queries(client, url))


def compare(client, page: str, small_url: str, large_url: str) -> None:
    client.get(small_url)  # first request: nothing cached on either side
    assert_budget(page, count_queries(client, small_url), count_queries(client, large_url))


# --- Data ----------------------------------------------------------------------------------------


def submission_of(country, *, sections: int, questions: int, user=None):
    version = factories.every_type_version(
        sections=sections, questions=questions, prefix=f"q{sections}x{questions}"
    )
    return factories.every_type_submission(country=country, version=version, user=user)


@pytest.fixture
def small_and_large(country, focal_point):
    """A submission of 9 questions (one of each type) and one of 72 (4 sections of 18), all
    answered by the focal point."""
    small = submission_of(country, sections=1, questions=9, user=focal_point)
    large = submission_of(country, sections=4, questions=18, user=focal_point)
    assert large.answers.count() == 8 * small.answers.count()
    return small, large


def grow_country_work(country, *, cycles: int, user) -> None:
    """More cycles, each with more countries, `country`'s submission in each and a later deadline
    for it."""
    for _ in range(cycles):
        cycle = factories.CycleFactory(version=factories.cross_country_version())
        others = [factories.CountryFactory() for _ in range(4)]
        cycle.countries.add(country, *others)
        DeadlineExtension.objects.create(
            cycle=cycle, country=country, deadline=cycle.deadline + datetime.timedelta(days=30)
        )
        for each in (country, *others[:2]):
            submission = services.submission_create(cycle=cycle, country=each)
            services.answer_save(
                submission=submission,
                question=cycle.version.questions.get(key="committee"),
                value="<p>The committee.</p>",
                user=user if each == country else None,
            )


# --- Home, for each role (the reviewer's is in questionnaire/test_home.py) ---------------------


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (CountryRole.FOCAL_POINT, "home (focal point)"),
        (CountryRole.CONTRIBUTOR, "home (contributor)"),
        (CountryRole.VIEWER, "home (viewer)"),
    ],
)
def test_home_of_a_country_member(client, submission, country, role, page):
    user = factories.MembershipFactory(country=country, role=role).user
    client.force_login(user)
    grows(client, page, reverse("home"), lambda: grow_country_work(country, cycles=3, user=None))


def test_home_of_an_administrator(client, admin_user, submission, country):
    client.force_login(admin_user)
    grows(
        client,
        "home (administrator)",
        reverse("home"),
        lambda: grow_country_work(country, cycles=3, user=None),
    )


def test_home_of_a_user_without_a_role(client, submission, country):
    client.force_login(factories.UserFactory())
    grows(
        client,
        "home (no role)",
        reverse("home"),
        lambda: grow_country_work(country, cycles=3, user=None),
    )


# --- A submission's pages -----------------------------------------------------------------------


def test_check_page(client, small_and_large, focal_point):
    small, large = small_and_large
    client.force_login(focal_point)
    compare(
        client,
        "check",
        reverse("submission_check", args=[small.pk]),
        reverse("submission_check", args=[large.pk]),
    )


def test_history_page(client, small_and_large, focal_point):
    """An answer saved twice, and one saved thirty times."""
    small, large = small_and_large
    few = small.answers.select_related("question").get(question__key="q1x9-1-1")
    many = large.answers.select_related("question").get(question__key="q4x18-1-1")
    for n in range(29):
        services.answer_save(
            submission=large, question=many.question, value=f"Ministry {n}", user=focal_point
        )
    services.answer_save(
        submission=small, question=few.question, value="Ministry of Interior", user=focal_point
    )
    client.force_login(focal_point)
    compare(
        client,
        "history",
        reverse("answer_history", args=[small.pk, few.question.key]),
        reverse("answer_history", args=[large.pk, many.question.key]),
    )


def test_answer_fragment(client, small_and_large, focal_point):
    """What "take theirs" loads: one question's widget (here the objectives grid, the costliest)."""
    small, large = small_and_large
    client.force_login(focal_point)
    compare(
        client,
        "answer fragment",
        reverse("answer_fragment", args=[small.pk, "q1x9-1-8"]),
        reverse("answer_fragment", args=[large.pk, "q4x18-4-17"]),
    )


def test_submission_as_word(client, small_and_large, focal_point):
    small, large = small_and_large
    client.force_login(focal_point)
    compare(
        client,
        "Word: answers",
        reverse("submission_docx", args=[small.pk]),
        reverse("submission_docx", args=[large.pk]),
    )


def test_word_import_preview(client, small_and_large, focal_point):
    """A document downloaded from the submission, read back after one answer changed in the
    portal: every question's answer compared, the revisions the document was written from
    looked up."""
    from questionnaire.word import writer

    client.force_login(focal_point)
    urls = []
    for submission in small_and_large:
        data = writer.submission_docx(submission=submission, language="en")
        answer = submission.answers.select_related("question").order_by("pk").first()
        services.answer_save(
            submission=submission,
            question=answer.question,
            value="<p>Changed in the portal.</p>",
            user=focal_point,
        )
        document_import = services.document_import_read(
            submission=submission, file=io.BytesIO(data), name="a.docx", user=focal_point
        )
        urls.append(reverse("submission_import_preview", args=[submission.pk, document_import.pk]))
    compare(client, "Word: import preview", *urls)


def test_blank_questionnaire_as_word(client, reviewer):
    versions = [
        factories.every_type_version(sections=1, questions=9, prefix="s", conditional=True),
        factories.every_type_version(sections=4, questions=18, prefix="l", conditional=True),
    ]
    small, large = (factories.CycleFactory(version=version) for version in versions)
    client.force_login(reviewer)
    compare(
        client,
        "Word: blank questionnaire",
        reverse("version_docx", args=[small.slug]),
        reverse("version_docx", args=[large.slug]),
    )


def test_questionnaire_preview(client, reviewer):
    small = factories.every_type_version(sections=1, questions=9, prefix="s")
    large = factories.every_type_version(sections=4, questions=18, prefix="l")
    client.force_login(reviewer)
    compare(
        client,
        "questionnaire preview",
        reverse("version_preview", args=[small.pk]),
        reverse("version_preview", args=[large.pk]),
    )


# --- A cycle's staff pages (dashboard, question, matrix, search: see the module's docstring) ----


@pytest.fixture
def three_and_twelve():
    return factories.cycle_with_countries(countries=3), factories.cycle_with_countries(countries=12)


def test_exports_page(client, reviewer, three_and_twelve):
    small, large = three_and_twelve
    client.force_login(reviewer)
    compare(
        client,
        "exports page",
        reverse("cycle_exports", args=[small.slug]),
        reverse("cycle_exports", args=[large.slug]),
    )


def compilation_of(cycle, *, jobs: int = 1) -> Compilation:
    """`jobs` compilations of the cycle, the last one half done: a part per country and one
    annex piece per question."""
    submissions = list(Submission.objects.filter(cycle=cycle).order_by("pk"))
    # Annex pieces are parts of their own where the compilation renders its annexes apart.
    has_annex = any(f.name == "annex_key" for f in CompilationPart._meta.get_fields())
    questions = list(cycle.version.questions.order_by("pk")) if has_annex else []
    for _ in range(jobs):
        job = Compilation.objects.create(cycle=cycle, status=JobStatus.RUNNING)
        parts = [
            CompilationPart(compilation=job, submission=s, order=i, content_hash=f"{i}")
            for i, s in enumerate(submissions)
        ] + [
            CompilationPart(
                compilation=job,
                annex_key=f"question:{q.key}",
                order=len(submissions) + i,
                content_hash=f"a{i}",
            )
            for i, q in enumerate(questions)
        ]
        for i, part in enumerate(parts):
            if i % 2:
                part.status = JobStatus.SUCCEEDED
        CompilationPart.objects.bulk_create(parts)
    return job


def test_charts_page(client, reviewer, three_and_twelve):
    small, large = three_and_twelve
    client.force_login(reviewer)
    compare(
        client,
        "charts",
        reverse("cycle_charts", args=[small.slug]),
        reverse("cycle_charts", args=[large.slug]),
    )


def test_compilation_pages(client, reviewer, three_and_twelve):
    small, large = three_and_twelve
    small_job = compilation_of(small, jobs=1)
    large_job = compilation_of(large, jobs=4)
    client.force_login(reviewer)
    compare(
        client,
        "compilations",
        reverse("cycle_compilations", args=[small.slug]),
        reverse("cycle_compilations", args=[large.slug]),
    )
    compare(
        client,
        "compilation",
        reverse("compilation_detail", args=[small_job.pk]),
        reverse("compilation_detail", args=[large_job.pk]),
    )


def write_chapters(cycle, user, *, saves: int) -> None:
    """`saves` revisions in each language of the introduction and of every section, each
    language's first one final, and one per objective in English."""
    from reports import selectors as report_selectors
    from reports import services as report_services

    factories.gcm_objectives()
    for place in report_selectors.chapter_slots(cycle=cycle):
        languages = ("en",) if place.kind == "objective" else ("en", "ar", "fr")
        for language in languages:
            for number in range(saves if place.kind != "objective" else 1):
                revision = report_services.chapter_save(
                    slot=report_selectors.chapter_slot_get(user=user, cycle=cycle, key=place.key),
                    language=language,
                    body=f"<p>{place.key} {language} {number}</p>",
                    user=user,
                    base_number=number,
                )
                if number == 0:
                    report_services.chapter_mark_final(revision=revision, user=user)


def test_regional_report_pages(client, reviewer, three_and_twelve):
    small, large = three_and_twelve
    write_chapters(small, reviewer, saves=1)
    write_chapters(large, reviewer, saves=5)
    client.force_login(reviewer)
    compare(
        client,
        "regional report",
        reverse("cycle_chapters", args=[small.slug]),
        reverse("cycle_chapters", args=[large.slug]),
    )
    for page, name in (("chapter editor", "chapter_edit"), ("chapter history", "chapter_history")):
        compare(
            client,
            page,
            reverse(name, args=[small.slug, "introduction", "ar"]),
            reverse(name, args=[large.slug, "introduction", "ar"]),
        )


def test_compilation_page_with_chapters(client, reviewer, three_and_twelve):
    from reports import compilation as reports_compilation

    small, large = three_and_twelve
    write_chapters(large, reviewer, saves=2)
    small_job = compilation_of(small)
    large_job = compilation_of(large)
    for order, piece in enumerate(reports_compilation.chapters.chapter_pieces(large, "en")):
        CompilationPart.objects.create(
            compilation=large_job,
            annex_key=piece.key,
            chapter_revision=piece.revision,
            order=1000 + order,
            content_hash=f"c{order}",
        )
    client.force_login(reviewer)
    compare(
        client,
        "compilation",
        reverse("compilation_detail", args=[small_job.pk]),
        reverse("compilation_detail", args=[large_job.pk]),
    )


def test_what_changed_pages(client, reviewer):
    from tests import comparison_world

    small = comparison_world.build(countries=1)
    large = comparison_world.build(countries=8)
    client.force_login(reviewer)
    compare(
        client,
        "what changed (region)",
        reverse("cycle_changes", args=[small.now.slug]),
        reverse("cycle_changes", args=[large.now.slug]),
    )
    compare(
        client,
        "what changed (country)",
        reverse("country_changes", args=[small.now.slug, small.compared[0].iso2]),
        reverse("country_changes", args=[large.now.slug, large.compared[-1].iso2]),
    )


def test_admin_changelist_of_submissions(client, admin_user):
    factories.cycle_with_countries(countries=3)
    client.force_login(admin_user)
    grows(
        client,
        "admin: submissions",
        reverse("admin:questionnaire_submission_changelist"),
        lambda: factories.cycle_with_countries(countries=12),
    )


# --- Teams ---------------------------------------------------------------------------------------


def test_team_page(client, country, focal_point):
    """A team of one (the focal point), then of 12 members and 6 pending invitations."""
    other = factories.CountryFactory(iso2="TN", iso3="TUN", name_en="Tunisia")
    Membership.objects.create(
        user=factories.UserFactory(), country=other, role=CountryRole.FOCAL_POINT
    )

    def grow():
        for role in [CountryRole.CONTRIBUTOR] * 6 + [CountryRole.VIEWER] * 5:
            factories.MembershipFactory(country=country, role=role)
        for n in range(6):
            services.invitation_create(
                country=country,
                email=f"invitee{n}@example.org",
                role=CountryRole.CONTRIBUTOR,
                user=focal_point,
                accept_url="http://testserver/invitations/{token}/",
            )

    client.force_login(focal_point)
    grows(client, "team", reverse("country_team", args=[country.iso2]), grow)


def test_country_list(client, admin_user, country):

    def grow():
        for _ in range(11):
            each = factories.CountryFactory()
            factories.MembershipFactory(country=each, role=CountryRole.FOCAL_POINT)

    client.force_login(admin_user)
    grows(client, "countries", reverse("country_list"), grow)


def test_your_account(client, focal_point):
    """No token, then twelve, some revoked."""
    from accounts import services as account_services

    def grow():
        for n in range(12):
            token, _secret = account_services.api_token_create(user=focal_point, name=f"s{n}")
            if n % 3 == 0:
                account_services.api_token_revoke(user=focal_point, token_id=token.pk)

    client.force_login(focal_point)
    grows(client, "your account", reverse("profile"), grow)


def test_api_documentation(client):
    grows(client, "API documentation", reverse("api-v1:api_docs"), lambda: None)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_public_download(client, fmt):
    """A cycle where 3 countries published, then one where 12 did."""
    small = factories.cycle_with_countries(countries=3, statuses=("published",))
    large = factories.cycle_with_countries(countries=12, statuses=("published", "draft"))
    compare(
        client,
        f"public download ({fmt.upper()})",
        reverse("public_cycle_download", args=[small.slug, fmt]),
        reverse("public_cycle_download", args=[large.slug, fmt]),
    )
