"""The read-only pages: who reaches what, what an answer looks like, and what it costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questionnaire import services
from questionnaire.models import Answer, CountryRole, Objective, QuestionType
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CHOICES = [{"value": "one", "label": "First option"}, {"value": "two", "label": "Second option"}]
COLUMNS = [{"key": "entity", "label": "Entity"}, {"key": "role", "label": "Role in the review"}]

# One question of every type, with its options and a typical answer.
TYPED_QUESTIONS = [
    (QuestionType.LONG_TEXT, {}, "<ul><li>Alpha item</li><li>Beta item</li></ul>"),
    (QuestionType.SHORT_TEXT, {}, "Ministry of Labour"),
    (QuestionType.SINGLE_CHOICE, {"choices": CHOICES}, "two"),
    (QuestionType.MULTIPLE_CHOICE, {"choices": CHOICES}, ["one", "two"]),
    (QuestionType.YES_NO, {}, {"answer": "yes", "explanation": "<p>Because of the law.</p>"}),
    (QuestionType.NUMBER, {}, "1250.5"),
    (QuestionType.DATE, {}, "2020-05-17"),
    (QuestionType.ENTRY_LIST, {"columns": COLUMNS}, [{"entity": "IOM", "role": "Adviser"}]),
    (QuestionType.OBJECTIVES_GRID, {}, {"4": {"status": "planned", "note": "Birth registry"}}),
]


@pytest.fixture
def objectives(db):
    return Objective.objects.bulk_create(
        Objective(number=n, title=f"Objective title {n}", short_label=f"Objective {n}")
        for n in range(1, 24)
    )


def login(client, user):
    client.force_login(user)
    return client


def build_submission(*, country, sections: int, questions_per_type: int = 1):
    """A published version with `sections` sections, each holding every question type
    `questions_per_type` times, and a submission answering all of them."""
    version = factories.VersionFactory()
    for s in range(sections):
        section = factories.SectionFactory(version=version, number=f"S{s}", order=s)
        for repeat in range(questions_per_type):
            for i, (kind, options, _value) in enumerate(TYPED_QUESTIONS):
                factories.QuestionFactory(
                    section=section,
                    key=f"q-{s}-{repeat}-{i}",
                    label=f"{repeat}{chr(97 + i)}",
                    type=kind,
                    options=options,
                    order=repeat * 10 + i,
                )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    values = {kind: value for kind, _options, value in TYPED_QUESTIONS}
    for question in version.questions.all():
        services.answer_save(submission=submission, question=question, value=values[question.type])
    return submission


def answer(submission, key, value):
    question = submission.cycle.version.questions.get(key=key)
    return services.answer_save(submission=submission, question=question, value=value)


# --- Logging in and out --------------------------------------------------------------------------


def test_login_page_renders_the_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text


def test_login_with_the_form_lands_on_home(client, focal_point):
    response = client.post(
        reverse("login"), {"username": focal_point.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == focal_point


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("submission_detail", args=[1]),
        reverse("version_preview", args=[1]),
        reverse("password_change"),
        reverse("password_change_done"),
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_logout_refuses_get(client, focal_point):
    login(client, focal_point)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200  # still logged in


def test_logout_by_post_ends_the_session(client, focal_point):
    login(client, focal_point)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, focal_point):
    login(client, focal_point)
    assert client.get(reverse("password_change")).status_code == 200
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    focal_point.refresh_from_db()
    assert focal_point.check_password(new)
    assert client.get(reverse("password_change_done")).status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, focal_point):
    login(client, focal_point)
    new = "a-much-longer-new-passphrase"
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    focal_point.refresh_from_db()
    assert focal_point.check_password(PASSWORD)


# --- Home ----------------------------------------------------------------------------------------


def test_home_for_a_focal_point_lists_only_their_country(
    client, focal_point, submission, other_country
):
    other = services.submission_create(cycle=submission.cycle, country=other_country)
    response = login(client, focal_point).get(reverse("home"))
    assert response.status_code == 200
    assert reverse("submission_detail", args=[submission.pk]) in response.text
    assert reverse("submission_detail", args=[other.pk]) not in response.text
    assert "Jordan" not in response.text


def test_home_for_a_member_says_when_a_cycle_has_no_submission_yet(
    client, focal_point, cycle, country
):
    cycle.countries.add(country)
    response = login(client, focal_point).get(reverse("home"))
    assert cycle.name in response.text
    assert "No submission yet for this cycle." in response.text


def test_home_for_a_reviewer_lists_every_submission(client, reviewer, submission, other_country):
    other = services.submission_create(cycle=submission.cycle, country=other_country)
    response = login(client, reviewer).get(reverse("home"))
    assert response.status_code == 200
    for sub in (submission, other):
        assert reverse("submission_detail", args=[sub.pk]) in response.text
    assert "Morocco" in response.text
    assert "Jordan" in response.text


def test_home_for_a_reviewer_names_the_countries_that_have_not_started(
    client, reviewer, submission
):
    # The `submission` fixture enrols Morocco and Jordan; only Morocco has started.
    page = login(client, reviewer).get(reverse("home")).text
    assert "No submission yet (1 country):" in page
    assert "Jordan" in page.split("No submission yet")[1]


def test_home_for_a_reviewer_names_who_did_not_take_part_in_a_closed_cycle(
    client, reviewer, submission
):
    submission.cycle.is_closed = True
    submission.cycle.save()
    page = login(client, reviewer).get(reverse("home")).text
    assert "Did not take part (1 country):" in page
    assert "No submission yet" not in page


def test_home_for_a_user_without_a_role_explains_why_it_is_empty(client):
    user = factories.UserFactory()
    response = login(client, user).get(reverse("home"))
    assert response.status_code == 200
    assert "No review cycle includes your country yet." in response.text


def test_home_queries_do_not_grow_with_countries(client, reviewer, cycle):
    login(client, reviewer)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        return len(ctx)

    cycle.countries.add(factories.CountryFactory())
    few = count()
    for _ in range(6):
        country = factories.CountryFactory()
        cycle.countries.add(country)
        services.submission_create(cycle=cycle, country=country)
    factories.CycleFactory(version=cycle.version).countries.add(factories.CountryFactory())
    assert count() == few


# --- The submission page -------------------------------------------------------------------------


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
def test_who_may_open_a_submission(client, request, submission, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    response = login(client, user).get(reverse("submission_detail", args=[submission.pk]))
    assert response.status_code == status


def test_a_user_without_a_role_gets_404(client, submission):
    response = login(client, factories.UserFactory()).get(
        reverse("submission_detail", args=[submission.pk])
    )
    assert response.status_code == 404


def test_the_404_page_uses_the_portal_layout(client, other_focal_point, submission):
    response = login(client, other_focal_point).get(
        reverse("submission_detail", args=[submission.pk])
    )
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Morocco" not in response.text  # not even the country's name leaks


def test_submission_header(client, viewer, submission):
    response = login(client, viewer).get(reverse("submission_detail", args=[submission.pk]))
    version = submission.cycle.version
    assert "Morocco" in response.text
    assert submission.cycle.name in response.text
    assert f"<bdi>{version.questionnaire.title}</bdi>, version {version.number}" in response.text
    assert 'class="status-badge status-draft">Draft<' in response.text


def test_long_text_lists_render_as_list_items(client, focal_point, submission):
    answer(submission, "mechanism", "<ul><li>National committee</li><li>Survey</li></ul>")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<ul><li>National committee</li><li>Survey</li></ul>" in response.text


def test_short_text_is_escaped(client, focal_point, submission):
    answer(submission, "lead", "<script>alert('x')</script>")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<script>alert(" not in response.text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.text


def test_long_text_is_cleaned_again_when_rendered(client, focal_point, submission):
    # Written past the service, as a bad import or a manual database edit would.
    question = submission.cycle.version.questions.get(key="mechanism")
    Answer.objects.create(
        submission=submission,
        question=question,
        value='<p onclick="steal()">Kept</p><script>steal()</script><img src=x onerror=steal()>',
    )
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<p>Kept</p>" in response.text
    assert "steal()" not in response.text


def test_unanswered_questions_say_so(client, focal_point, submission):
    answer(submission, "mechanism", "Answered.")
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    assert "<p>Answered.</p>" in response.text
    assert response.text.count("Not answered") == 2  # "lead" and "policies"


def test_every_question_type_renders(client, focal_point, country, objectives):
    submission = build_submission(country=country, sections=1)
    response = login(client, focal_point).get(reverse("submission_detail", args=[submission.pk]))
    text = response.text
    assert response.status_code == 200
    assert "<li>Alpha item</li>" in text  # long text
    assert "Ministry of Labour" in text  # short text
    assert '<p class="mb-0">Second option</p>' in text  # single choice: the label
    assert "<li>First option</li><li>Second option</li>" in text  # multiple choice
    assert "<strong>Yes</strong>" in text and "<p>Because of the law.</p>" in text
    assert "1,250.5" in text  # grouped as English writes numbers
    assert 'datetime="2020-05-17"' in text
    assert '<th scope="col">Role in the review</th>' in text  # entry list column labels
    assert "<td>IOM</td><td>Adviser</td>" in text
    # Objectives grid: 23 rows titled from the Objective table, statuses from the scale.
    assert text.count('<th scope="row" class="fw-normal">Objective title') == 23
    assert "Planned" in text and "Birth registry" in text
    assert "Not answered" not in text


def test_submission_page_queries_do_not_grow_with_questions(client, focal_point, country):
    small = build_submission(country=country, sections=1)
    large = build_submission(country=country, sections=4, questions_per_type=3)
    assert large.answers.count() == 12 * small.answers.count()
    login(client, focal_point)

    def count(submission):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("submission_detail", args=[submission.pk]))
        assert response.status_code == 200
        return len(ctx)

    # Session, user, memberships, the submission (with its cycle, version and questionnaire), its
    # answers, the sections, their questions, the objectives, the timeline, the comment threads,
    # the publication agreement, the supporting documents.
    assert count(large) == count(small) <= 12


# --- Questionnaire preview -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [
        ("reviewer", 200),
        ("admin_user", 200),
        # permissions.can lets any country member preview (to prepare their answers).
        ("focal_point", 200),
        ("no_role_user", 403),
    ],
)
def test_who_may_preview_a_version(client, request, published_version, user_fixture, status):
    user = request.getfixturevalue(user_fixture)
    response = login(client, user).get(reverse("version_preview", args=[published_version.pk]))
    assert response.status_code == status


@pytest.fixture
def no_role_user(db):
    return factories.UserFactory()


def test_preview_describes_each_question(client, reviewer, country, objectives):
    version = build_submission(country=country, sections=1).cycle.version
    question = version.questions.get(type=QuestionType.SHORT_TEXT)
    response = login(client, reviewer).get(reverse("version_preview", args=[version.pk]))
    assert response.status_code == 200
    assert question.text in response.text
    assert "Short text on one line, up to 500 characters." in response.text
    assert "Long text: paragraphs and bulleted or numbered lists, up to 20,000 characters." in (
        response.text
    )
    assert "<li>Second option</li>" in response.text
    assert '<th scope="col">Role in the review</th>' in response.text
    assert response.text.count("Objective title") == 23


def test_preview_of_a_missing_version_is_404(client, reviewer):
    assert login(client, reviewer).get(reverse("version_preview", args=[999])).status_code == 404


# --- Language ------------------------------------------------------------------------------------


def test_switching_to_arabic_turns_the_page_right_to_left(client, focal_point):
    login(client, focal_point)
    response = client.post(reverse("set_language"), {"language": "ar", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home")).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page
    assert 'value="ar" lang="ar"' in page


def test_english_is_left_to_right(client, focal_point):
    page = login(client, focal_point).get(reverse("home")).text
    assert '<html lang="en" dir="ltr">' in page
    assert "bootstrap.rtl.min.css" not in page


def test_navbar_shows_the_user_and_a_post_logout(client, reviewer):
    reviewer.first_name, reviewer.last_name = "Rania", "Haddad"
    reviewer.save()
    page = login(client, reviewer).get(reverse("home")).text
    assert "Rania Haddad" in page
    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert "Review cycles" in page


def test_navbar_for_a_country_member(client):
    member = factories.MembershipFactory(role=CountryRole.VIEWER).user
    page = login(client, member).get(reverse("home")).text
    assert "My submissions" in page
    assert reverse("admin:index") not in page


def test_a_draft_version_is_previewed_by_staff_only(client, reviewer, focal_point):
    draft = factories.VersionFactory()
    factories.SectionFactory(version=draft)
    url = reverse("version_preview", args=[draft.pk])
    assert login(client, focal_point).get(url).status_code == 404
    assert login(client, reviewer).get(url).status_code == 200
