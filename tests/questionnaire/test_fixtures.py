"""The seed data in fixtures/ and `manage.py loaddemo`, on a real database."""

import datetime
import json
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import StaffRole, User
from questionnaire import permissions, richtext, selectors, services
from questionnaire.models import (
    Answer,
    AnswerRevision,
    Country,
    CountryRole,
    GuidingPrinciple,
    Membership,
    Objective,
    PublicationAgreement,
    Question,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    VersionEvent,
    VersionStatus,
)
from questionnaire.permissions import Action
from questionnaire.types.objectives_grid import DEFAULT_OBJECTIVE_SCALE

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
REFERENCE = (
    Path(settings.BASE_DIR).parent / "shared" / "reference" / "morocco-2020-national-review.json"
)
DEMO_PASSWORD = "gcm-demo-2020"
SLUG = "gcm-arab-regional-review"
SECTION_TITLES = [
    ("I", "Questions on the methodology used to develop the national review of the Global Compact"),
    ("II", "Questions relating to public policy and the enabling environment"),
    ("III", "Questions regarding progress made in achieving the objectives of the Global Compact"),
    ("IV", "Issues related to implementation resources"),
    ("V", "Questions about the next steps"),
]
GRID_KEY = "objectives-status-grid"

pytestmark = pytest.mark.django_db

needs_reference = pytest.mark.skipif(
    not REFERENCE.is_file(), reason="the reference material (../shared/reference) is not here"
)


def fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def reference():
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def loaddemo():
    out = StringIO()
    call_command("loaddemo", stdout=out, stderr=out)
    return out.getvalue()


def version(number):
    return QuestionnaireVersion.objects.get(questionnaire__slug=SLUG, number=number)


def questions(number):
    return list(
        Question.objects.filter(version=version(number))
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )


def morocco_answers():
    submission = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    return {a.question.key: a.value for a in submission.answers.select_related("question")}


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # loaddemo hashes four passwords; the default hasher would make each run take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return loaddemo()


# --- The fixture files themselves ------------------------------------------------------------


def test_morocco_fixture_html_is_canonical():
    answers = fixture("morocco-2020.json")["answers"]
    assert len(answers) == 24
    for key, html in answers.items():
        assert richtext.clean_html(html) == html, key


def test_morocco_fixture_html_keeps_every_entry_in_order():
    data = fixture("morocco-2020.json")
    assert data["answers"].keys() == data["entries"].keys()
    for key, html in data["answers"].items():
        assert richtext.list_items(html) == data["entries"][key], key


def test_morocco_fixture_nests_sub_entries_inside_their_parent_item():
    html = fixture("morocco-2020.json")["answers"]["review-objectives-coverage"]
    assert "following objectives:<ul><li>Strengthening" in html
    assert "on the following topics:<ol><li>The issue of migration of unaccompanied minors;" in html
    assert html.count("<ol>") == 1 and html.startswith("<ul><li>")


def test_question_keys_are_unique_slugs():
    keys = [q["key"] for s in fixture("questionnaire-v1.json")["sections"] for q in s["questions"]]
    assert len(keys) == len(set(keys)) == 24
    assert all(len(key) <= 80 and key == key.lower() and " " not in key for key in keys)


@needs_reference
def test_fixture_files_match_the_reference():
    ref = reference()
    v1 = fixture("questionnaire-v1.json")
    assert v1["title"] == ref["title"]
    assert [(s["number"], s["title"]) for s in v1["sections"]] == [
        (s["number"], s["title"]) for s in ref["sections"]
    ]
    assert [(q["label"], q["text"]) for s in v1["sections"] for q in s["questions"]] == [
        (q["label"], q["text"]) for s in ref["sections"] for q in s["questions"]
    ]
    entries = fixture("morocco-2020.json")["entries"]
    assert list(entries.values()) == [q["answer"] for s in ref["sections"] for q in s["questions"]]


# --- What loaddemo stores --------------------------------------------------------------------


def test_reference_data(demo):
    assert Country.objects.count() == 22
    assert Country.objects.filter(las_member=True).count() == 22
    assert list(Country.objects.filter(escwa_member=False).values_list("iso2", flat=True)) == ["KM"]
    morocco = Country.objects.get(iso2="MA")
    assert (morocco.iso3, morocco.name_ar, morocco.name_fr) == ("MAR", "المغرب", "Maroc")
    palestine = Country.objects.get(iso2="PS")
    assert (palestine.iso3, palestine.name_en) == ("PSE", "State of Palestine")
    assert list(Objective.objects.values_list("number", flat=True)) == list(range(1, 24))
    assert Objective.objects.get(number=13).title.startswith("Use immigration detention only")
    assert list(GuidingPrinciple.objects.values_list("letter", flat=True)) == list("abcdefghij")
    assert GuidingPrinciple.objects.get(letter="j").title == "Whole-of-society approach"


def test_version_1_has_the_sections_and_questions_of_the_fixture(demo):
    v1 = version(1)
    assert v1.status == VersionStatus.PUBLISHED
    assert v1.notes.startswith("As sent to countries for the first regional review, 2020.\n")
    assert "unofficial translations" in v1.notes
    assert [(s.number, s.title) for s in v1.sections.order_by("order")] == SECTION_TITLES
    stored = questions(1)
    assert len(stored) == 24
    expected = [
        (s["number"], q["key"], q["label"], q["text"])
        for s in fixture("questionnaire-v1.json")["sections"]
        for q in s["questions"]
    ]
    assert [(q.section.number, q.key, q.label, q.text) for q in stored] == expected
    assert all(q.type == QuestionType.LONG_TEXT and q.required for q in stored)
    assert stored[0].text.startswith("Has a mechanism been established to coordinate the review?")


@needs_reference
def test_version_1_questions_are_the_reference_text(demo):
    expected = [
        (s["number"], s["title"], q["label"], q["text"])
        for s in reference()["sections"]
        for q in s["questions"]
    ]
    assert [(q.section.number, q.section.title, q.label, q.text) for q in questions(1)] == expected


def test_version_2_adds_the_objectives_grid(demo):
    v1, v2 = version(1), version(2)
    assert v2.status == VersionStatus.PUBLISHED and v2.derived_from == v1
    stored = questions(2)
    assert len(stored) == 25
    assert [q.key for q in stored if q.key != GRID_KEY] == [q.key for q in questions(1)]
    grid = next(q for q in stored if q.key == GRID_KEY)
    assert (grid.section.number, grid.label, grid.type, grid.required) == (
        "III",
        "e",
        QuestionType.OBJECTIVES_GRID,
        False,
    )
    assert grid.options == {"scale": DEFAULT_OBJECTIVE_SCALE}
    section_iii = [q.label for q in stored if q.section.number == "III"]
    assert section_iii == ["a", "b", "c", "d", "e"]


def test_morocco_2020_submission_is_published(demo):
    """Public in reality, published in the demo the portal's way: accepted, then the country's
    agreement, then ESCWA's publication, all replayed by the system on their 2020-2021 dates."""
    cycle = ReviewCycle.objects.get(slug="arab-2020")
    assert cycle.version == version(1) and cycle.is_closed
    assert (cycle.opens_on, cycle.deadline) == (
        datetime.date(2020, 6, 1),
        datetime.date(2020, 12, 31),
    )
    assert cycle.countries.count() == 22
    submission = Submission.objects.get(cycle=cycle, country__iso2="MA")
    assert submission.status == SubmissionStatus.PUBLISHED
    assert submission.language == "en"
    assert submission.submitted_at and submission.accepted_at
    assert submission.accepted_at.year == 2021
    moves = list(submission.events.values_list("from_status", "to_status", "actor"))
    assert moves == [
        ("", "draft", None),
        ("draft", "submitted", None),
        ("submitted", "accepted", None),
        ("accepted", "published", None),
    ]
    published_at = submission.events.get(to_status="published").created_at
    agreement = PublicationAgreement.objects.get(submission=submission)
    assert agreement.actor is None
    assert submission.accepted_at < agreement.created_at < published_at
    # Its last activity is its publication in 2021, not the day the demo was loaded.
    assert submission.updated_at == published_at and published_at.year == 2021
    assert submission.answers.count() == 24
    assert set(
        AnswerRevision.objects.filter(answer__submission=submission).values_list("revision", "kind")
    ) == {(1, AnswerRevision.Kind.IMPORT)}


def test_morocco_answers_keep_the_fixture_entries(demo):
    data = fixture("morocco-2020.json")
    stored = morocco_answers()
    assert stored == data["answers"]  # stored exactly as committed: the fixture is canonical
    for key, entries in data["entries"].items():
        assert richtext.list_items(stored[key]) == entries, key


@needs_reference
def test_morocco_answers_keep_every_reference_entry_in_order(demo):
    stored = morocco_answers()
    keys = [q.key for q in questions(1)]
    ref_questions = [q for s in reference()["sections"] for q in s["questions"]]
    assert len(keys) == len(ref_questions)
    for key, ref in zip(keys, ref_questions, strict=True):
        assert richtext.list_items(stored[key]) == ref["answer"], key


def test_2024_cycle_has_a_jordan_draft_and_moroccos_invented_review(demo):
    cycle = ReviewCycle.objects.get(slug="arab-2024")
    assert cycle.version == version(2) and not cycle.is_closed
    assert cycle.opens_on == datetime.date(2024, 1, 15)
    assert cycle.deadline > timezone.localdate()
    assert cycle.countries.count() == 22
    assert sorted(cycle.submissions.values_list("country__iso2", "status")) == [
        ("JO", "draft"),
        ("MA", "accepted"),
    ]
    jordan = cycle.submissions.get(country__iso2="JO")
    answers = {a.question.key: a.value for a in jordan.answers.select_related("question")}
    assert 3 <= len(answers) <= 4
    assert answers == fixture("jordan-2024-draft.json")["answers"]
    assert any(isinstance(v, str) and v.startswith("<ul>") for v in answers.values())
    # I.a is a yes/no question in version 2.
    assert answers["review-coordination-mechanism"]["answer"] == "yes"


def test_moroccos_2024_review_is_carried_forward_from_2020_with_a_few_answers_edited(demo):
    """Invented demo data (the fixture says so), to compare the two cycles."""
    data = fixture("morocco-2024-demo.json")
    assert "Invented demo data, not Morocco's real 2024 national review" in data["note"]
    morocco = Submission.objects.get(cycle__slug="arab-2024", country__iso2="MA")
    assert morocco.carried_forward_from == Submission.objects.get(
        cycle__slug="arab-2020", country__iso2="MA"
    )
    answers = {a.question.key: a for a in morocco.answers.select_related("question")}
    assert {key: answers[key].value for key in data["answers"]} == data["answers"]
    # The others are the 2020 answers, carried forward and sent as they were.
    carried = [a for key, a in answers.items() if key not in data["answers"]]
    assert len(carried) == 20 and all(a.prefilled for a in carried)
    _previous, compared = selectors.country_comparison(cycle=morocco.cycle, country=morocco.country)
    assert compared.changed_count == 4  # I.a's type changed, II.c, II.f and IV.b edited
    assert [item.question.key for item in compared.new_policies] == [
        "policy-migration-policies-since-2018",
        "policy-institutional-reforms",
    ]
    assert not compared.objectives_asked_then and compared.objectives_asked_now


def test_the_demo_may_leave_moroccos_2024_review_out(db):
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    assert not Submission.objects.filter(cycle__slug="arab-2024", country__iso2="MA").exists()


# --- Demo users ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "staff_role", "superuser", "country"),
    [
        ("admin", StaffRole.ADMIN, True, None),
        ("escwa", StaffRole.REVIEWER, False, None),
        ("morocco", StaffRole.NONE, False, "MA"),
        ("jordan", StaffRole.NONE, False, "JO"),
    ],
)
def test_demo_users_log_in_with_their_roles(demo, username, staff_role, superuser, country):
    # django-axes watches every authentication: it needs the request, as the login form gives it.
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password=DEMO_PASSWORD)
    assert user is not None and user.username == username
    assert (user.staff_role, user.is_superuser, user.is_staff) == (
        staff_role,
        superuser,
        superuser,
    )
    assert user.email and user.get_full_name()
    roles = list(user.memberships.values_list("country__iso2", "role"))
    assert roles == ([(country, CountryRole.FOCAL_POINT)] if country else [])


def test_demo_roles_reach_the_right_submissions(demo):
    morocco_2020 = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    jordan_2024 = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    morocco, jordan, escwa = (User.objects.get(username=u) for u in ("morocco", "jordan", "escwa"))
    assert permissions.can(morocco, Action.VIEW_SUBMISSION, morocco_2020)
    assert not permissions.can(morocco, Action.VIEW_SUBMISSION, jordan_2024)
    assert permissions.can(jordan, Action.EDIT_ANSWERS, jordan_2024)
    assert permissions.can(escwa, Action.REVIEW, jordan_2024)
    assert not permissions.can(escwa, Action.EDIT_ANSWERS, jordan_2024)


def test_rerun_resets_a_demo_password(demo):
    user = User.objects.get(username="morocco")
    user.set_password("something-else-entirely")
    user.save()
    loaddemo()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="morocco", password=DEMO_PASSWORD) is not None
    assert User.objects.filter(username="morocco").count() == 1


# --- Idempotence -----------------------------------------------------------------------------


def snapshot():
    models = [*apps.get_app_config("questionnaire").get_models(), User]
    counts = {model.__name__: model.objects.count() for model in models}
    return {
        "counts": counts,
        "countries": list(Country.objects.order_by("iso2").values()),
        "versions": list(
            QuestionnaireVersion.objects.order_by("number").values(
                "pk", "number", "status", "published_at", "notes"
            )
        ),
        "questions": list(Question.objects.order_by("pk").values()),
        "cycles": list(ReviewCycle.objects.order_by("slug").values()),
        "submissions": list(
            Submission.objects.order_by("pk").values(
                "pk", "status", "submitted_at", "accepted_at", "updated_at", "language"
            )
        ),
        "answers": list(
            Answer.objects.order_by("pk").values("pk", "value", "revision", "updated_at")
        ),
        "revisions": list(
            AnswerRevision.objects.order_by("pk").values_list("answer_id", "revision", "value")
        ),
        "events": list(SubmissionEvent.objects.order_by("pk").values_list("pk", "to_status")),
        "users": list(User.objects.order_by("username").values()),
    }


def test_loaddemo_twice_gives_the_same_data(demo):
    first = snapshot()
    output = loaddemo()
    assert snapshot() == first
    assert "Answer revisions added by this run: 0." in output
    # Morocco 2020 (24), Jordan's draft (4), Morocco 2024 (23 carried forward, 5 edited); the
    # events of Morocco 2020's route to publication and of Morocco 2024's to acceptance
    assert first["counts"]["AnswerRevision"] == 56
    assert first["counts"]["SubmissionEvent"] == 8


def test_rerun_keeps_the_open_cycle_deadline(demo, monkeypatch):
    deadline = ReviewCycle.objects.get(slug="arab-2024").deadline
    later = timezone.localdate() + datetime.timedelta(days=400)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    loaddemo()
    assert ReviewCycle.objects.get(slug="arab-2024").deadline == deadline


def test_rerun_keeps_a_demo_users_edit(demo):
    jordan = User.objects.get(username="jordan")
    submission = Submission.objects.get(cycle__slug="arab-2024", country__iso2="JO")
    question = Question.objects.get(version=version(2), key="review-data-availability")
    answer = services.answer_save(
        submission=submission, question=question, value="<p>Edited.</p>", user=jordan
    )
    loaddemo()
    answer.refresh_from_db()
    assert (answer.value, answer.revision) == ("<p>Edited.</p>", 2)


def test_the_demo_versions_history_says_the_system_made_them(demo):
    events = {
        number: list(version(number).events.order_by("pk").values_list("action", "actor"))
        for number in (1, 2)
    }
    assert events == {
        1: [(VersionEvent.Action.CREATED, None), (VersionEvent.Action.PUBLISHED, None)],
        2: [(VersionEvent.Action.CREATED, None), (VersionEvent.Action.PUBLISHED, None)],
    }
    published = version(1).events.get(action=VersionEvent.Action.PUBLISHED)
    assert published.created_at == version(1).published_at


def test_rerun_gives_a_demo_user_back_their_focal_point_role(demo):
    morocco = User.objects.get(username="morocco")
    membership = Membership.objects.get(user=morocco)
    services.membership_create(
        member=User.objects.create(username="ma-second"),
        country=membership.country,
        role=CountryRole.FOCAL_POINT,
    )
    services.membership_set_role(membership=membership, role=CountryRole.VIEWER)
    with mock.patch.object(
        services, "membership_set_role", wraps=services.membership_set_role
    ) as set_role:
        loaddemo()
    set_role.assert_called_once()
    assert Membership.objects.get(user=morocco).role == CountryRole.FOCAL_POINT


def test_a_demo_membership_removed_is_created_again_by_the_service(demo):
    jordan = User.objects.get(username="jordan")
    Membership.objects.filter(user=jordan).delete()
    with mock.patch.object(
        services, "membership_create", wraps=services.membership_create
    ) as create:
        loaddemo()
    create.assert_called_once()
    assert Membership.objects.get(user=jordan).role == CountryRole.FOCAL_POINT
