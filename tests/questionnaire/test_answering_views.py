"""The answering pages over HTTP: autosave JSON, the no-JavaScript form, history, submit, start."""

import json

import pytest
from django.urls import reverse

from questionnaire import services
from questionnaire.models import (
    Answer,
    AnswerRevision,
    Question,
    QuestionType,
    Submission,
    SubmissionStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


def autosave(client, submission, key, value, revision, **extra):
    return client.post(
        reverse("answer_autosave", args=[submission.pk, key]),
        data=json.dumps({"value": value, "revision": revision}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **extra,
    )


def test_autosave_saves_and_reports_progress(client, submission, contributor):
    client.force_login(contributor)
    response = autosave(client, submission, "mechanism", "<p>Our committee</p>", 0)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["revision"] == 1 and data["answered"]
    assert data["progress"]["sections"]["I"] == {
        "answered": 1,
        "unreviewed": 0,
        "total": 2,
        "missing_required": 1,
        # The section list's line as the page writes it (the script shows it as it is).
        "html": '1 of 2 answered · <span class="text-danger-emphasis">1 required missing</span>',
    }
    assert Answer.objects.get(submission=submission).value == "<p>Our committee</p>"


def test_a_stale_autosave_gets_409_with_the_newer_answer(client, submission, contributor):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(submission=submission, question=question, value="<p>Theirs</p>")
    client.force_login(contributor)
    response = autosave(client, submission, "mechanism", "<p>Mine</p>", 0)
    assert response.status_code == 409
    current = response.json()["current"]
    assert current["revision"] == 1
    assert current["value"] == "<p>Theirs</p>"
    assert "Theirs" in current["display_html"]
    assert Answer.objects.get(submission=submission).value == "<p>Theirs</p>"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"value": "x"}',
        b'{"revision": 0}',
        b'{"value": "x", "revision": "0"}',
        b'{"value": "x", "revision": -1}',
        b'{"value": "x", "revision": true}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_autosave_is_refused_and_changes_nothing(client, submission, contributor, body):
    client.force_login(contributor)
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"
    assert not Answer.objects.exists()


def test_a_huge_autosave_body_is_refused(client, submission, contributor):
    client.force_login(contributor)
    response = autosave(client, submission, "mechanism", "x" * (1024 * 1024 + 1), 0)
    assert response.status_code == 413
    assert not Answer.objects.exists()


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_a_body_over_djangos_limit_gets_the_same_json_413(submission, contributor, enforce_csrf):
    """Beyond DATA_UPLOAD_MAX_MEMORY_SIZE Django refuses to read the body at all; the page still
    needs JSON it can show (and keeps the text in the box), not Django's bare HTML 400."""
    from django.conf import settings
    from django.test import Client

    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(contributor)
    client.get(reverse("answer_section", args=[submission.pk, "I"]))  # the CSRF cookie
    body = json.dumps({"value": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "revision": 0})
    response = client.post(
        reverse("answer_autosave", args=[submission.pk, "mechanism"]),
        data=body,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "too long to save" in response.json()["message"]
    assert not Answer.objects.exists()


def test_an_invalid_value_gets_a_clear_message(client, submission, contributor):
    client.force_login(contributor)
    response = autosave(client, submission, "lead", "two\nlines", 0)
    assert response.status_code == 400
    assert response.json()["message"] == "A short answer fits on one line."
    assert not Answer.objects.exists()


def test_an_unknown_question_is_404_json(client, submission, contributor):
    client.force_login(contributor)
    response = autosave(client, submission, "no-such-question", "<p>x</p>", 0)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_an_expired_session_gets_401_json_not_a_redirect(client, submission):
    response = autosave(client, submission, "mechanism", "<p>x</p>", 0)
    assert response.status_code == 401
    assert response.json()["error"] == "login"


def test_a_stale_csrf_token_gets_json(submission, contributor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(contributor)
    response = autosave(client, submission, "mechanism", "<p>x</p>", 0)
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "reviewer", "admin_user"])
def test_those_who_may_not_edit_get_403(client, request, submission, role):
    client.force_login(request.getfixturevalue(role))
    response = autosave(client, submission, "mechanism", "<p>x</p>", 0)
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_another_countrys_member_gets_404(client, submission, other_focal_point):
    client.force_login(other_focal_point)
    response = autosave(client, submission, "mechanism", "<p>x</p>", 0)
    assert response.status_code == 404
    assert client.get(reverse("answer_section", args=[submission.pk, "I"])).status_code == 404


def test_a_save_into_a_submitted_submission_is_refused(client, complete_submission, focal_point):
    services.submission_transition(
        submission=complete_submission, to_status=SubmissionStatus.SUBMITTED, user=focal_point
    )
    client.force_login(focal_point)
    before = list(Answer.objects.values_list("pk", "revision", "value"))
    response = autosave(client, complete_submission, "mechanism", "<p>Late</p>", 1)
    assert response.status_code == 403
    assert list(Answer.objects.values_list("pk", "revision", "value")) == before


def test_script_typed_into_an_answer_is_shown_as_text(client, submission, contributor):
    client.force_login(contributor)
    autosave(client, submission, "lead", "<script>alert(1)</script>", 0)
    page = client.get(reverse("answer_section", args=[submission.pk, "I"])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- The section page and its no-JavaScript form -----------------------------------------------


def test_the_section_page_shows_fields_for_editors_and_answers_for_readers(
    client, submission, contributor, viewer
):
    url = reverse("answer_section", args=[submission.pk, "I"])
    client.force_login(contributor)
    page = client.get(url).content.decode()
    assert 'name="q-mechanism"' in page and "data-revision-field" in page
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert 'name="q-mechanism"' not in page
    assert "Not answered" in page


def test_an_unknown_section_is_404(client, submission, contributor):
    client.force_login(contributor)
    assert client.get(reverse("answer_section", args=[submission.pk, "IX"])).status_code == 404


def test_the_save_button_saves_the_section(client, submission, contributor):
    client.force_login(contributor)
    response = client.post(
        reverse("answer_section_save", args=[submission.pk, "I"]),
        {
            "q-mechanism": "- One\n  - Nested",
            "q-mechanism-revision": "0",
            "q-lead": "Ministry",
            "q-lead-revision": "0",
        },
    )
    assert response.status_code == 302
    values = dict(Answer.objects.values_list("question__key", "value"))
    assert values == {
        "mechanism": "<ul><li>One<ul><li>Nested</li></ul></li></ul>",
        "lead": "Ministry",
    }


def test_the_save_button_saves_nothing_when_one_answer_is_invalid(client, submission, contributor):
    client.force_login(contributor)
    response = client.post(
        reverse("answer_section_save", args=[submission.pk, "I"]),
        {"q-mechanism": "Fine", "q-mechanism-revision": "0", "q-lead": "x" * 600,
         "q-lead-revision": "0"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "the limit is 500" in page
    assert 'value="' + "x" * 600 in page  # the user's input is kept in the field
    assert not Answer.objects.exists()


def test_the_save_button_shows_a_conflict_and_keeps_the_users_text(client, submission, contributor):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(submission=submission, question=question, value="<p>Theirs</p>")
    client.force_login(contributor)
    response = client.post(
        reverse("answer_section_save", args=[submission.pk, "I"]),
        {"q-mechanism": "Mine", "q-mechanism-revision": "0", "q-lead": "", "q-lead-revision": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Theirs" in page and ">Mine</textarea>" in page
    # The form now carries their revision, so saving again keeps the user's text deliberately.
    assert 'name="q-mechanism-revision" value="1"' in page
    assert Answer.objects.get().value == "<p>Theirs</p>"


# --- History and restore -----------------------------------------------------------------------


def test_history_lists_revisions_and_restores_one(client, submission, contributor):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(
        submission=submission, question=question, value="<p>First</p>", user=contributor
    )
    services.answer_save(
        submission=submission, question=question, value="<p>Second</p>", user=contributor,
        base_revision=1,
    )  # fmt: skip
    client.force_login(contributor)
    page = client.get(reverse("answer_history", args=[submission.pk, "mechanism"]))
    assert page.status_code == 200
    assert b"First" in page.content and b"Second" in page.content
    response = client.post(
        reverse("answer_restore", args=[submission.pk, "mechanism", 1]), {"revision": "2"}
    )
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.value, answer.revision) == ("<p>First</p>", 3)
    assert answer.revisions.order_by("-revision").first().kind == AnswerRevision.Kind.RESTORE


def test_a_restore_from_a_stale_history_page_changes_nothing(client, submission, contributor):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    for revision, text in enumerate(["A", "B", "C"]):
        services.answer_save(
            submission=submission, question=question, value=f"<p>{text}</p>", base_revision=revision
        )
    client.force_login(contributor)
    client.post(reverse("answer_restore", args=[submission.pk, "mechanism", 1]), {"revision": "2"})
    assert Answer.objects.get().value == "<p>C</p>"


def test_a_viewer_cannot_restore(client, submission, viewer):
    question = Question.objects.get(version=submission.cycle.version, key="mechanism")
    services.answer_save(submission=submission, question=question, value="<p>A</p>")
    services.answer_save(submission=submission, question=question, value="<p>B</p>")
    client.force_login(viewer)
    response = client.post(
        reverse("answer_restore", args=[submission.pk, "mechanism", 1]), {"revision": "2"}
    )
    assert response.status_code == 403
    assert Answer.objects.get().value == "<p>B</p>"


# --- Check, submit, start ----------------------------------------------------------------------


def test_the_check_page_links_each_missing_required_question(client, submission, focal_point):
    client.force_login(focal_point)
    page = client.get(reverse("submission_check", args=[submission.pk])).content.decode()
    section_url = reverse("answer_section", args=[submission.pk, "I"])
    assert f'href="{section_url}#question-mechanism"' in page
    assert f'href="{section_url}#question-lead"' in page


def test_submitting_needs_the_confirmation_box(client, complete_submission, focal_point):
    client.force_login(focal_point)
    client.post(reverse("submission_submit", args=[complete_submission.pk]))
    complete_submission.refresh_from_db()
    assert complete_submission.status == SubmissionStatus.DRAFT
    client.post(reverse("submission_submit", args=[complete_submission.pk]), {"confirm": "yes"})
    complete_submission.refresh_from_db()
    assert complete_submission.status == SubmissionStatus.SUBMITTED
    event = complete_submission.events.latest("created_at")
    assert (event.actor, event.to_status) == (focal_point, SubmissionStatus.SUBMITTED)


def test_a_contributor_cannot_submit(client, complete_submission, contributor):
    client.force_login(contributor)
    response = client.post(
        reverse("submission_submit", args=[complete_submission.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 403
    complete_submission.refresh_from_db()
    assert complete_submission.status == SubmissionStatus.DRAFT


def test_the_focal_point_starts_a_submission_from_the_home_page(
    client, cycle, country, focal_point
):
    cycle.countries.add(country)
    client.force_login(focal_point)
    home = client.get(reverse("home")).content.decode()
    start_url = reverse("submission_start", args=[cycle.slug, country.iso2])
    assert start_url in home
    response = client.post(start_url)
    submission = Submission.objects.get(cycle=cycle, country=country)
    assert response.status_code == 302
    assert response["Location"] == reverse("submission_answer", args=[submission.pk])
    assert client.get(response["Location"])["Location"] == reverse(
        "answer_section", args=[submission.pk, "I"]
    )


def test_a_contributor_cannot_start_and_a_stranger_gets_404(
    client, cycle, country, contributor, other_focal_point
):
    cycle.countries.add(country)
    start_url = reverse("submission_start", args=[cycle.slug, country.iso2])
    client.force_login(contributor)
    assert client.post(start_url).status_code == 403
    client.force_login(other_focal_point)
    assert client.post(start_url).status_code == 404
    assert not Submission.objects.exists()


def test_morocco_can_start_2024_from_its_2020_answers(client, transactional_db):
    from django.core.management import call_command

    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    client.post(reverse("login"), {"username": "morocco", "password": "gcm-demo-2020"})
    home = client.get(reverse("home")).content.decode()
    assert "Start from our answers to First regional review" in home
    client.post(reverse("submission_start", args=["arab-2024", "MA"]), {"carry_forward": "yes"})
    new = Submission.objects.get(cycle__slug="arab-2024", country__iso2="MA")
    old = Submission.objects.get(cycle__slug="arab-2020", country__iso2="MA")
    assert new.carried_forward_from == old
    # I.a became a yes/no question in version 2: its long answer is not forced into it.
    assert old.answers.count() == 24
    assert new.answers.count() == 23
    assert not new.answers.filter(question__key="review-coordination-mechanism").exists()
    assert all(new.answers.values_list("prefilled", flat=True))
    page = client.get(reverse("answer_section", args=[new.pk, "I"])).content.decode()
    assert "From First regional review of the GCM in the Arab region, not yet reviewed" in page


def test_each_question_type_round_trips_through_the_form(client, db):
    """The no-JavaScript form posts every type; the stored values are the canonical ones."""
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    make = factories.QuestionFactory
    make(
        section=section,
        key="single",
        type=QuestionType.SINGLE_CHOICE,
        required=False,
        options={"choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    )
    make(
        section=section,
        key="multi",
        type=QuestionType.MULTIPLE_CHOICE,
        required=False,
        options={"choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
    )
    make(section=section, key="yn", type=QuestionType.YES_NO, required=False)
    make(section=section, key="num", type=QuestionType.NUMBER, required=False)
    make(section=section, key="day", type=QuestionType.DATE, required=False)
    make(
        section=section,
        key="rows",
        type=QuestionType.ENTRY_LIST,
        required=False,
        options={"columns": [{"key": "who", "label": "Who"}, {"key": "role", "label": "Role"}]},
    )
    make(section=section, key="grid", type=QuestionType.OBJECTIVES_GRID, required=False)
    version = services.questionnaire_version_publish(version=version)  # fmt: skip
    cycle = factories.CycleFactory(version=version)
    country = factories.CountryFactory()
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    user = factories.MembershipFactory(country=country).user
    client.force_login(user)
    response = client.post(
        reverse("answer_section_save", args=[submission.pk, "I"]),
        {
            "q-single": "b", "q-multi": ["b", "a"], "q-yn": "yes", "q-yn-explanation": "Why",
            # Typed on a French page: the comma starts the decimals (question_types.Number).
            "language": "fr", "q-num": "1,5", "q-day": "2024-07-03",
            "q-rows-0-who": "Ministry", "q-rows-0-role": "Lead", "q-rows-1-who": "Office",
            "q-rows-1-role": "", "q-rows-1-delete": "1", "q-rows-2-who": "", "q-rows-2-role": "",
            "q-grid-1-status": "planned", "q-grid-1-note": "Soon", "q-grid-2-status": "",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    values = dict(Answer.objects.values_list("question__key", "value"))
    assert values == {
        "single": "b",
        "multi": ["a", "b"],
        "yn": {"answer": "yes", "explanation": "<p>Why</p>"},
        "num": "1.5",
        "day": "2024-07-03",
        "rows": [{"who": "Ministry", "role": "Lead"}],
        "grid": {"1": {"status": "planned", "note": "Soon"}},
    }
    page = client.get(reverse("answer_section", args=[submission.pk, "I"])).content.decode()
    assert 'value="b" checked' in page and 'value="2024-07-03"' in page
    assert '<option value="planned" selected>' in page
    assert 'value="1.5"' in page  # the English page writes it with a point


@pytest.mark.parametrize(
    ("options", "limit", "shown"),
    [({}, 2000, "2,000"), ({"max_length": 500}, 500, "500")],
)
def test_a_grid_note_is_a_text_area_with_its_limit_shown(client, db, options, limit, shown):
    """The limit the question type enforces (ObjectivesGrid.clean) is the field's maxlength and
    is written above the grid; a note of several lines comes back as it was posted."""
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    factories.QuestionFactory(
        section=section, key="grid", type=QuestionType.OBJECTIVES_GRID, options=options
    )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    country = factories.CountryFactory()
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    client.force_login(factories.MembershipFactory(country=country).user)
    url = reverse("answer_section", args=[submission.pk, "I"])
    page = client.get(url).content.decode()
    assert f"Each note may be up to {shown} characters long." in page
    assert page.count(f'data-field="note" maxlength="{limit}"') == 23
    assert page.count("<textarea") == 23
    client.post(
        reverse("answer_section_save", args=[submission.pk, "I"]),
        {"q-grid-3-status": "planned", "q-grid-3-note": "First line\r\nSecond line"},
    )
    assert Answer.objects.get().value == {
        "3": {"status": "planned", "note": "First line\nSecond line"}
    }
    page = client.get(url).content.decode()
    assert ">First line\nSecond line</textarea>" in page
