"""The Django admin: questionnaire management through services, published versions read-only."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from questionnaire import services
from questionnaire.admin.options import TypeOptionsField
from questionnaire.models import (
    AnswerRevision,
    Attachment,
    Comment,
    CountryRole,
    DeadlineExtension,
    GuidingPrinciple,
    Invitation,
    Membership,
    Objective,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Section,
    SubmissionEvent,
    VersionEvent,
    VersionStatus,
)
from tests import factories
from tests.questionnaire.browser_post import options_post, posted_fields

pytestmark = pytest.mark.django_db

VERSIONS_URL = reverse("admin:questionnaire_questionnaireversion_changelist")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(published_version):
    """A draft copied from the published version: same keys, still editable."""
    return services.questionnaire_version_create_draft(source=published_version)


@pytest.fixture
def everything(submission, focal_point, admin_user, draft):
    """At least one row of every model the admin shows (creating a submission logs an event)."""
    Objective.objects.create(number=1, title="Accurate data", short_label="Data")
    GuidingPrinciple.objects.create(letter="a", title="People-centred")
    Group.objects.create(name="Secretariat")
    Invitation.objects.create(
        country=submission.country,
        email="new@example.org",
        role=CountryRole.CONTRIBUTOR,
        token_hash="0" * 64,
        invited_by=admin_user,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    Attachment.objects.create(
        submission=submission,
        file="attachments/report",
        original_name="report.pdf",
        kind=Attachment.Kind.PDF,
        size=1234,
        sha256="0" * 64,
        uploaded_by=focal_point,
    )
    question = Question.objects.filter(version=submission.cycle.version).first()
    services.answer_save(
        submission=submission, question=question, value="<p>Yes.</p>", user=focal_point
    )
    Comment.objects.create(
        submission=submission, question=question, author=admin_user, body="Please add a source."
    )
    DeadlineExtension.objects.create(
        cycle=submission.cycle,
        country=submission.country,
        deadline=submission.cycle.deadline + datetime.timedelta(days=14),
        reason="Elections",
        granted_by=admin_user,
    )


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def change_url(obj) -> str:
    return url(f"{obj._meta.app_label}_{obj._meta.model_name}_change", obj.pk)


def form_data(response) -> dict:
    """What a browser would post back from an admin change page, unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            if isinstance(form.fields[name], TypeOptionsField):  # tables of rows
                data.update(posted_fields(form[name]))
                continue
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def action(client, name: str, versions, **extra):
    return client.post(
        VERSIONS_URL, {"action": name, ACTION_CHECKBOX_NAME: [v.pk for v in versions], **extra}
    )


# --- Every page renders ------------------------------------------------------------------------

REGISTERED = [
    "accounts.user",
    "auth.group",
    "questionnaire.answer",
    "questionnaire.answerrevision",
    "questionnaire.attachment",
    "questionnaire.comment",
    "questionnaire.country",
    "questionnaire.deadlineextension",
    "questionnaire.guidingprinciple",
    "questionnaire.invitation",
    "questionnaire.membership",
    "questionnaire.objective",
    "questionnaire.question",
    "questionnaire.questionnaire",
    "questionnaire.questionnaireversion",
    "questionnaire.reviewcycle",
    "questionnaire.section",
    "questionnaire.submission",
    "questionnaire.submissionevent",
]


def test_every_registered_model_is_tested_here():
    ours = ("accounts", "auth", "questionnaire", "reports")
    registered = [model._meta.label_lower for model in admin.site._registry]
    assert sorted(label for label in registered if label.split(".")[0] in ours) == REGISTERED


# Written only by services: the admin shows them and offers no add page.
READ_ONLY = {
    "questionnaire.answer",
    "questionnaire.answerrevision",
    "questionnaire.attachment",
    "questionnaire.comment",
    "questionnaire.invitation",
    "questionnaire.submission",
    "questionnaire.submissionevent",
}


@pytest.mark.parametrize(
    "label",
    ["questionnaire.submissionevent", "questionnaire.answerrevision", "questionnaire.comment"],
)
def test_history_is_browsable_by_date(admin_client, everything, label):
    prefix = label.replace(".", "_")
    year = timezone.now().year
    this_year = admin_client.get(url(f"{prefix}_changelist"), {"created_at__year": year})
    long_ago = admin_client.get(url(f"{prefix}_changelist"), {"created_at__year": 2000})

    assert this_year.context["cl"].date_hierarchy == "created_at"
    assert this_year.context["cl"].result_count >= 1
    assert long_ago.context["cl"].result_count == 0


def test_an_admin_grants_a_deadline_extension_and_is_recorded_as_granting_it(
    admin_client, admin_user, submission
):
    deadline = submission.cycle.deadline + datetime.timedelta(days=30)
    response = admin_client.post(
        url("questionnaire_deadlineextension_add"),
        {
            "cycle": submission.cycle.pk,
            "country": submission.country.pk,
            "deadline": deadline.isoformat(),
            "reason": "National elections",
        },
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert (extension.deadline, extension.granted_by) == (deadline, admin_user)


def test_comments_cannot_be_edited_in_the_admin(admin_client, everything):
    comment = Comment.objects.get()
    response = admin_client.post(change_url(comment), {"body": "Changed"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Please add a source."


@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_and_change_pages_render(admin_client, everything, label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    prefix = f"{model._meta.app_label}_{model._meta.model_name}"
    objects = list(model._default_manager.all())

    assert objects
    assert admin_client.get(url(f"{prefix}_changelist")).status_code == 200
    assert admin_client.get(url(f"{prefix}_changelist"), {"q": "a"}).status_code == 200
    for obj in objects:
        assert admin_client.get(change_url(obj)).status_code == 200, obj
    add = admin_client.get(url(f"{prefix}_add"))
    assert add.status_code == (403 if label in READ_ONLY else 200)


# --- Actions: new draft, publish, retire -------------------------------------------------------


def test_new_draft_action_copies_the_published_version_with_the_same_keys(
    admin_client, published_version
):
    response = action(admin_client, "create_drafts", [published_version], index=0)

    assert response.status_code == 302
    new = QuestionnaireVersion.objects.exclude(pk=published_version.pk).get()
    assert new.status == VersionStatus.DRAFT
    assert new.derived_from == published_version
    keys = set(Question.objects.filter(version=new).values_list("key", flat=True))
    assert keys == set(published_version.questions.values_list("key", flat=True))
    page = admin_client.get(response.url)
    assert change_url(new) in page.content.decode()  # the message links to the draft


def test_new_draft_page_takes_notes(admin_client, published_version):
    page = url("questionnaire_questionnaireversion_new_draft", published_version.pk)
    assert admin_client.get(page).status_code == 200

    response = admin_client.post(page, {"notes": "For the 2028 cycle"})

    new = QuestionnaireVersion.objects.get(derived_from=published_version)
    assert response.status_code == 302 and response.url == change_url(new)
    assert new.notes == "For the 2028 cycle"


def test_publish_action_asks_for_confirmation_before_publishing(admin_client, draft):
    response = action(admin_client, "publish_versions", [draft], index=0)

    assert response.status_code == 200
    assert "nothing in it can change" in response.content.decode()
    assert str(draft.questionnaire) in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    # The factory's draft is in English only: publishing it needs the "publish anyway".
    response = action(admin_client, "publish_versions", [draft], post="yes", publish_anyway="yes")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None


def test_publish_refusal_is_shown_and_publishes_none_of_the_selection(admin_client, draft):
    empty = factories.VersionFactory(questionnaire=draft.questionnaire, number=99)

    response = action(
        admin_client, "publish_versions", [draft, empty], post="yes", publish_anyway="yes"
    )

    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()
    assert "A version needs at least one section." in page
    assert "Nothing was published." in page
    assert set(
        QuestionnaireVersion.objects.filter(pk__in=[draft.pk, empty.pk]).values_list(
            "status", flat=True
        )
    ) == {VersionStatus.DRAFT}


def test_publish_button_on_the_change_page_confirms_first(admin_client, draft):
    page = admin_client.get(change_url(draft)).content.decode()
    publish = url("questionnaire_questionnaireversion_publish", draft.pk)
    assert publish in page

    assert admin_client.get(publish).status_code == 200
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    response = admin_client.post(publish, {"post": "yes", "publish_anyway": "yes"})

    assert response.status_code == 302 and response.url == change_url(draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_retire_action_confirms_then_retires(admin_client, published_version):
    response = action(admin_client, "retire_versions", [published_version], index=0)
    assert response.status_code == 200
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.PUBLISHED

    action(admin_client, "retire_versions", [published_version], post="yes")

    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.RETIRED


@pytest.fixture
def staff_reviewer(db):
    """ESCWA reviewer with admin access and every Django permission on versions: not an admin."""
    user = factories.ReviewerFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__model="questionnaireversion"))
    return user


def test_staff_who_are_not_admins_cannot_publish(client, staff_reviewer, draft):
    client.force_login(staff_reviewer)

    listing = client.get(VERSIONS_URL)
    assert listing.status_code == 200
    assert "publish_versions" not in listing.content.decode()
    action(client, "publish_versions", [draft], post="yes")
    publish = client.post(
        url("questionnaire_questionnaireversion_publish", draft.pk), {"post": "yes"}
    )

    assert publish.status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_staff_who_are_not_admins_cannot_edit_drafts(client, staff_reviewer, draft):
    client.force_login(staff_reviewer)

    response = client.post(change_url(draft), {"notes": "changed"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.notes != "changed"


# --- Published versions are read-only ----------------------------------------------------------


def test_published_version_page_has_no_save_button_and_no_fields(admin_client, published_version):
    response = admin_client.get(change_url(published_version))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="_save"' not in page
    assert 'name="notes"' not in page
    assert 'name="sections-0-title"' not in page
    assert "create a new draft" in page


def test_draft_version_page_is_editable(admin_client, draft):
    page = admin_client.get(change_url(draft)).content.decode()

    assert 'name="_save"' in page
    assert 'name="notes"' in page
    assert 'name="sections-0-title"' in page


def test_posting_to_a_published_version_changes_nothing(admin_client, published_version):
    section = published_version.sections.first()
    data = {
        "notes": "changed",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-0-id": section.pk,
        "sections-0-version": published_version.pk,
        "sections-0-number": section.number,
        "sections-0-title": "Changed",
        "sections-0-order": "0",
        "_save": "Save",
    }

    response = admin_client.post(change_url(published_version), data)

    assert response.status_code == 403
    published_version.refresh_from_db()
    section.refresh_from_db()
    assert published_version.notes == ""
    assert section.title == "Methodology"


def test_sections_and_questions_of_a_published_version_cannot_be_edited(
    admin_client, published_version
):
    section = published_version.sections.get(number="I")
    question = section.questions.first()

    for obj in (section, question):
        page = admin_client.get(change_url(obj)).content.decode()
        assert 'name="_save"' not in page

    section_post = admin_client.post(
        change_url(section),
        {"number": "I", "title": "Changed", "order": "1", "_save": "Save"},
    )
    question_post = admin_client.post(
        change_url(question),
        {
            "section": section.pk,
            "key": question.key,
            "label": question.label,
            "text": "Changed?",
            "type": question.type,
            "order": "1",
            "options": "{}",
            "_save": "Save",
        },
    )
    delete = admin_client.post(url("questionnaire_question_delete", question.pk), {"post": "yes"})

    assert (section_post.status_code, question_post.status_code, delete.status_code) == (
        403,
        403,
        403,
    )
    section.refresh_from_db()
    question.refresh_from_db()
    assert section.title == "Methodology"
    assert question.text != "Changed?"


def test_bulk_delete_refuses_published_versions(admin_client, published_version):
    confirmation = action(admin_client, "delete_selected", [published_version], index=0)
    confirmed = action(admin_client, "delete_selected", [published_version], post="yes")

    assert "permission to delete" in confirmation.content.decode()
    assert confirmed.status_code == 403
    assert QuestionnaireVersion.objects.filter(pk=published_version.pk).exists()


def test_bulk_delete_removes_a_draft_with_its_content(admin_client, draft):
    response = action(admin_client, "delete_selected", [draft], post="yes")

    assert response.status_code == 302
    assert not QuestionnaireVersion.objects.filter(pk=draft.pk).exists()
    assert not Section.objects.filter(version_id=draft.pk).exists()


def test_a_publish_racing_an_edit_ends_in_a_message_not_a_server_error(
    admin_client, draft, monkeypatch
):
    """Should the version be published between the permission check and the save, the model
    guard refuses the save; the admin says so instead of failing."""
    page = admin_client.get(change_url(draft))
    data = {**form_data(page), "notes": "changed", "_save": "Save"}
    services.questionnaire_version_publish(version=draft)
    # The admin still believes it is a draft, as it would have a moment before.
    monkeypatch.setattr(QuestionnaireVersion, "is_editable", property(lambda self: True))

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 302
    monkeypatch.undo()
    follow = admin_client.get(response.url).content.decode()
    assert "cannot be changed" in follow
    draft.refresh_from_db()
    assert draft.notes != "changed"


# --- Editing drafts ----------------------------------------------------------------------------


def test_a_draft_section_and_its_questions_are_edited_inline(admin_client, draft):
    section = draft.sections.get(number="I")
    page = admin_client.get(change_url(section))
    data = form_data(page)
    data["title"] = "Methods"
    data["questions-0-text"] = "Which mechanism?"

    response = admin_client.post(change_url(section), {**data, "_save": "Save"})

    assert response.status_code == 302, response.context and response.context["errors"]
    section.refresh_from_db()
    assert section.title == "Methods"
    assert section.questions.order_by("order").first().text == "Which mechanism?"


def new_question_rows(data: dict, *rows: dict) -> dict:
    """Add rows to the question inline of a section's form data."""
    total = int(data["questions-TOTAL_FORMS"])
    for i, row in enumerate(rows, start=total):
        defaults = {"order": 9, "text": "New?", "type": QuestionType.LONG_TEXT, "options": "{}"}
        data.update({f"questions-{i}-{k}": v for k, v in {**defaults, **row}.items()})
    data["questions-TOTAL_FORMS"] = str(total + len(rows))
    return data


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"label": "z", "key": "policies"}], "already uses this key"),  # in section II
        (
            [{"label": "y", "key": "fresh"}, {"label": "z", "key": "fresh"}],
            "used twice: fresh",
        ),
    ],
)
def test_the_question_inline_refuses_a_key_used_twice_in_the_version(
    admin_client, draft, rows, message
):
    section = draft.sections.get(number="I")
    data = new_question_rows(form_data(admin_client.get(change_url(section))), *rows)

    response = admin_client.post(change_url(section), {**data, "_save": "Save"})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert section.questions.count() == 2


def question_post(question, **changes):
    """The question's page posted back with `changes`; `options` given as text is the "Other
    settings (JSON)" field (the tables then post the question's own lists)."""
    data = {
        "section": question.section_id,
        "order": question.order,
        "label": question.label,
        "key": question.key,
        "text": question.text,
        "help_text": question.help_text,
        "type": question.type,
        **options_post(question.options, question_type=question.type),
        "shown_when": question.shown_when,
        "_save": "Save",
        # The conditions inline, unchanged (tests/questionnaire/test_conditions_admin.py).
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
    }
    if question.required:
        data["required"] = "on"
    return {**data, **changes}


@pytest.mark.parametrize(
    ("type_", "options", "message"),
    [
        (QuestionType.SINGLE_CHOICE, "{}", "“choices” must be a non-empty list."),
        (
            QuestionType.SINGLE_CHOICE,
            '{"choices": [{"value": "Not A Slug", "label": "x"}]}',
            "is not a valid identifier",
        ),
        (QuestionType.SHORT_TEXT, '{"max_length": 0}', "max_length must be a positive"),
        (
            QuestionType.SHORT_TEXT,
            '{"max_length": 10',
            "Other settings: this is not valid JSON (line 1, column 18).",
        ),
        (QuestionType.SHORT_TEXT, "[1, 2]", "Other settings are a JSON object"),
    ],
)
def test_bad_type_options_show_an_error_on_the_field_and_save_nothing(
    admin_client, draft, type_, options, message
):
    question = Question.objects.filter(version=draft).first()

    response = admin_client.post(
        change_url(question), question_post(question, type=type_, options=options, text="New?")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(message in error for error in form.errors["options"])
    assert not form.non_field_errors()  # said once, next to the options
    stored = Question.objects.get(pk=question.pk)
    assert (stored.type, stored.options, stored.text) == (
        question.type,
        question.options,
        question.text,
    )


def test_good_type_options_are_saved_and_shown_as_rows(admin_client, draft):
    question = Question.objects.filter(version=draft).first()
    options = {"choices": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]}

    response = admin_client.post(
        change_url(question),
        question_post(
            question,
            type=QuestionType.SINGLE_CHOICE,
            **options_post(options, question_type=QuestionType.SINGLE_CHOICE),
        ),
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.options == options
    page = admin_client.get(change_url(question)).content.decode()
    assert 'name="options-choices-1-ident" value="no"' in page
    assert 'name="options-choices-1-label" value="No"' in page


def test_empty_type_options_are_stored_as_an_empty_object(admin_client, draft):
    question = Question.objects.filter(version=draft).first()

    response = admin_client.post(change_url(question), question_post(question, options=""))

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.options == {}


def test_a_key_used_elsewhere_in_the_version_is_a_form_error(admin_client, draft):
    first, second = Question.objects.filter(version=draft).order_by("pk")[:2]

    response = admin_client.post(change_url(second), question_post(second, key=first.key))

    assert response.status_code == 200
    assert "already uses this key" in str(response.context["adminform"].form.errors["key"])


def test_new_questions_go_only_into_drafts(admin_client, published_version, draft):
    page = admin_client.get(url("questionnaire_question_add"))
    choices = page.context["adminform"].form.fields["section"].queryset

    assert set(choices) == set(draft.sections.all())


def test_review_cycles_choose_among_published_versions(admin_client, published_version, draft):
    page = admin_client.get(url("questionnaire_reviewcycle_add"))

    assert list(page.context["adminform"].form.fields["version"].queryset) == [published_version]


# --- Comparing versions ------------------------------------------------------------------------


def test_compare_lists_added_removed_and_changed_questions(admin_client, published_version):
    draft = services.questionnaire_version_create_draft(source=published_version)
    Question.objects.get(version=draft, key="lead").delete()
    mechanism = Question.objects.get(version=draft, key="mechanism")
    mechanism.text = "Which coordination mechanism reviews the GCM?"
    mechanism.save()
    factories.QuestionFactory(
        section=draft.sections.get(number="II"), key="budget", label="b", text="What budget?"
    )
    before = Question.objects.get(version=published_version, key="mechanism").text

    response = admin_client.get(
        url("questionnaire_questionnaireversion_compare", draft.pk),
        {"other": published_version.pk},
    )

    assert response.status_code == 200
    diff = response.context["diff"]
    assert [q.key for q in diff.added] == ["budget"]
    assert [q.key for q in diff.removed] == ["lead"]
    assert [(old.key, fields) for old, _new, fields in diff.changed] == [("mechanism", ["text"])]
    page = response.content.decode()
    assert "What budget?" in page
    assert before in page
    assert "Which coordination mechanism reviews the GCM?" in page


def test_compare_defaults_to_the_version_a_draft_was_copied_from(admin_client, draft):
    response = admin_client.get(url("questionnaire_questionnaireversion_compare", draft.pk))

    assert response.status_code == 200
    assert response.context["old"] == draft.derived_from
    assert response.context["diff"].unchanged == 3


def test_compare_is_linked_from_the_version_page(admin_client, published_version):
    page = admin_client.get(change_url(published_version)).content.decode()

    assert url("questionnaire_questionnaireversion_compare", published_version.pk) in page


def test_compare_offers_only_versions_of_the_same_questionnaire(admin_client, draft):
    stranger = factories.VersionFactory()

    response = admin_client.get(
        url("questionnaire_questionnaireversion_compare", draft.pk), {"other": stranger.pk}
    )

    assert response.status_code == 200
    assert response.context["diff"] is None
    assert response.context["form"].errors


# --- History is read-only ----------------------------------------------------------------------


@pytest.mark.parametrize("model", [SubmissionEvent, AnswerRevision])
def test_history_rows_cannot_be_added_changed_or_deleted(admin_client, everything, model):
    obj = model.objects.first()
    prefix = f"questionnaire_{model._meta.model_name}"

    page = admin_client.get(change_url(obj)).content.decode()
    add = admin_client.get(url(f"{prefix}_add"))
    delete = admin_client.post(url(f"{prefix}_delete", obj.pk), {"post": "yes"})
    change = admin_client.post(change_url(obj), {"message": "rewritten"})

    assert 'name="_save"' not in page
    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert model.objects.filter(pk=obj.pk).exists()


# --- Teams -------------------------------------------------------------------------------------


def test_a_role_change_in_the_admin_goes_through_the_team_rules(admin_client, focal_point):
    membership = Membership.objects.get(user=focal_point)

    response = admin_client.post(
        change_url(membership), {"role": CountryRole.VIEWER, "_save": "Save"}
    )

    assert response.status_code == 302
    assert "at least one focal point" in admin_client.get(response.url).content.decode()
    membership.refresh_from_db()
    assert membership.role == CountryRole.FOCAL_POINT


def test_the_last_focal_point_cannot_be_removed_in_the_admin(admin_client, focal_point):
    membership = Membership.objects.get(user=focal_point)

    single = admin_client.post(
        url("questionnaire_membership_delete", membership.pk), {"post": "yes"}
    )
    bulk = admin_client.post(
        url("questionnaire_membership_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [membership.pk], "post": "yes"},
    )

    assert (single.status_code, bulk.status_code) == (302, 302)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_role_change_that_keeps_a_focal_point_is_saved(admin_client, focal_point, contributor):
    membership = Membership.objects.get(user=contributor)

    response = admin_client.post(
        change_url(membership), {"role": CountryRole.FOCAL_POINT, "_save": "Save"}
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == CountryRole.FOCAL_POINT


def test_an_extension_before_the_cycle_deadline_is_refused_in_the_admin(client, cycle, country):
    from questionnaire.models import DeadlineExtension

    admin_user = factories.AdminFactory(username="ext-admin")
    client.force_login(admin_user)
    cycle.countries.add(country)
    response = client.post(
        reverse("admin:questionnaire_deadlineextension_add"),
        {
            "cycle": cycle.pk,
            "country": country.pk,
            "deadline": (cycle.deadline - datetime.timedelta(days=1)).isoformat(),
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "cannot be before the cycle" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


# --- Translations: side by side, and what is missing -------------------------------------------


def test_a_questions_translations_are_edited_beside_its_english(admin_client, draft):
    question = Question.objects.get(version=draft, key="mechanism")
    page = admin_client.get(change_url(question)).content.decode()

    assert "gcm-translations" in page
    assert "css/admin_translations.css" in page
    for name, lang, direction in [("text", "en", "ltr"), ("text_ar", "ar", "rtl")]:
        assert re.search(rf'<textarea name="{name}"[^>]*lang="{lang}" dir="{direction}"', page)
    assert 'name="help_text_fr"' in page

    response = admin_client.post(
        change_url(question),
        question_post(question, text_ar="هل توجد آلية؟", text_fr="Existe-t-il un mécanisme ?"),
    )

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text_ar, question.text_fr) == ("هل توجد آلية؟", "Existe-t-il un mécanisme ?")


def test_a_sections_translations_are_saved_with_its_questions(admin_client, draft):
    section = draft.sections.get(number="I")
    data = form_data(admin_client.get(change_url(section)))
    data["title_ar"] = "المنهجية"
    data["questions-0-text_fr"] = "Quel mécanisme ?"

    response = admin_client.post(change_url(section), {**data, "_save": "Save"})

    assert response.status_code == 302, response.context and response.context["errors"]
    section.refresh_from_db()
    assert section.title_ar == "المنهجية"
    assert section.questions.order_by("order").first().text_fr == "Quel mécanisme ?"


def test_a_published_versions_translations_are_read_only(admin_client, published_version):
    question = Question.objects.filter(version=published_version).first()
    page = admin_client.get(change_url(question)).content.decode()
    assert 'name="text_ar"' not in page
    assert "Question text (Arabic)" in page


def test_the_version_page_lists_the_missing_translations(admin_client, draft):
    Question.objects.filter(version=draft, key="mechanism").update(
        text_ar="هل توجد آلية؟", text_fr="Existe-t-il un mécanisme ?"
    )
    page = admin_client.get(change_url(draft)).content.decode()

    # Two sections' titles, two questions' texts and the questionnaire's title, in two languages.
    assert "10 texts are shown in English for want of a translation" in page
    assert "Question I.b (lead): Arabic: question text; French: question text" in page
    assert "Question I.a (mechanism)" not in page
    assert 'name="official_translations"' in page

    changelist = admin_client.get(VERSIONS_URL).content.decode()
    assert '<td class="field-missing_translation_count">10</td>' in changelist


def test_the_lists_flag_what_is_not_translated(admin_client, draft):
    Question.objects.filter(version=draft, key="mechanism").update(text_ar="هل توجد آلية؟")
    Objective.objects.create(number=1, title="Data", short_label="Data", title_fr="Données")

    questions = admin_client.get(
        url("questionnaire_question_changelist") + f"?version__id__exact={draft.pk}"
    ).content.decode()
    objectives = admin_client.get(url("questionnaire_objective_changelist")).content.decode()

    assert re.search(r'field-missing_translations">French</td>', questions)  # mechanism
    assert re.search(r'field-missing_translations">Arabic, French</td>', questions)  # the others
    assert re.search(r'field-missing_translations">Arabic, French</td>', objectives)


def test_type_options_document_their_translations(admin_client, draft):
    question = Question.objects.get(version=draft, key="mechanism")
    choices = [{"value": "law", "label": "A law", "label_ar": "قانون"}]
    response = admin_client.post(
        change_url(question),
        question_post(
            question,
            type=QuestionType.SINGLE_CHOICE,
            **options_post({"choices": choices}, question_type=QuestionType.SINGLE_CHOICE),
        ),
    )
    assert response.status_code == 302
    page = admin_client.get(change_url(question)).content.decode()
    assert "label_ar" in page and "label_fr" in page  # the options' help text
    assert 'lang="ar" dir="rtl"' in page  # each choice's Arabic label, typed right to left
    assert "choice “law”" in page  # its French is missing


# --- Every write goes through a service ----------------------------------------------------------


def test_a_version_added_in_the_admin_is_numbered_and_recorded_by_the_service(
    admin_client, admin_user, published_version
):
    add = url("questionnaire_questionnaireversion_add")
    data = {
        **form_data(admin_client.get(add)),
        "questionnaire": published_version.questionnaire.pk,
        "notes": "For the 2028 cycle",
        "_save": "Save",
    }
    with mock.patch.object(
        services, "questionnaire_version_create", wraps=services.questionnaire_version_create
    ) as create:
        response = admin_client.post(add, data)

    assert response.status_code == 302
    create.assert_called_once()
    new = QuestionnaireVersion.objects.exclude(pk=published_version.pk).get()
    assert (new.number, new.status, new.notes) == (
        published_version.number + 1,
        VersionStatus.DRAFT,
        "For the 2028 cycle",
    )
    assert list(new.events.values_list("action", "actor")) == [
        (VersionEvent.Action.CREATED, admin_user.pk)
    ]


def test_the_version_page_lists_who_created_published_and_retired_it(
    admin_client, admin_user, published_version
):
    admin_user.first_name, admin_user.last_name = "Leila", "Nasser"
    admin_user.save()
    draft = services.questionnaire_version_create_draft(source=published_version, user=admin_user)
    services.questionnaire_version_publish(version=draft, user=admin_user)

    page = admin_client.get(change_url(draft)).content.decode()
    history = page[page.index("field-history") :]
    assert "Created (Leila Nasser)" in history
    assert "Published (Leila Nasser)" in history
    system = admin_client.get(change_url(published_version)).content.decode()
    assert "Published (System)" in system[system.index("field-history") :]


def test_a_member_added_in_the_admin_goes_through_the_service(admin_client, country):
    member = factories.UserFactory()
    with mock.patch.object(
        services, "membership_create", wraps=services.membership_create
    ) as create:
        response = admin_client.post(
            url("questionnaire_membership_add"),
            {"user": member.pk, "country": country.pk, "role": CountryRole.VIEWER, "_save": "Save"},
        )

    assert response.status_code == 302
    create.assert_called_once()
    assert Membership.objects.get(user=member).role == CountryRole.VIEWER


def test_an_extension_changed_in_the_admin_is_granted_again_by_the_service(
    admin_client, admin_user, everything
):
    extension = DeadlineExtension.objects.get()
    extension.granted_by = None
    extension.save()
    later = extension.deadline + datetime.timedelta(days=7)
    data = {
        "cycle": extension.cycle.pk,
        "country": extension.country.pk,
        "deadline": later.isoformat(),
        "reason": "Elections moved",
        "_save": "Save",
    }
    with mock.patch.object(
        services, "deadline_extension_grant", wraps=services.deadline_extension_grant
    ) as grant:
        response = admin_client.post(change_url(extension), data)

    assert response.status_code == 302
    grant.assert_called_once()
    extension.refresh_from_db()
    assert (extension.deadline, extension.reason, extension.granted_by) == (
        later,
        "Elections moved",
        admin_user,
    )


def test_an_extension_moved_to_another_country_in_the_admin_is_one_extension(
    admin_client, everything, other_country
):
    extension = DeadlineExtension.objects.get()
    response = admin_client.post(
        change_url(extension),
        {
            "cycle": extension.cycle.pk,
            "country": other_country.pk,
            "deadline": extension.deadline.isoformat(),
            "reason": extension.reason,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert list(DeadlineExtension.objects.values_list("country", flat=True)) == [other_country.pk]


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_an_extension_removed_in_the_admin_goes_through_the_service(admin_client, everything, how):
    extension = DeadlineExtension.objects.get()
    with mock.patch.object(
        services, "deadline_extension_remove", wraps=services.deadline_extension_remove
    ) as remove:
        if how == "single":
            response = admin_client.post(
                url("questionnaire_deadlineextension_delete", extension.pk), {"post": "yes"}
            )
        else:
            response = admin_client.post(
                url("questionnaire_deadlineextension_changelist"),
                {"action": "delete_selected", ACTION_CHECKBOX_NAME: [extension.pk], "post": "yes"},
            )

    assert response.status_code == 302
    remove.assert_called_once()
    assert not DeadlineExtension.objects.exists()


def test_a_country_added_on_a_users_page_goes_through_the_service(admin_client, country):
    member = factories.UserFactory()
    page = url("accounts_user_change", member.pk)
    form = admin_client.get(page).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    for name in ("last_login", "date_joined", "groups", "user_permissions"):
        data.pop(name, None)
    data.update(
        {
            "date_joined_0": "2024-01-01",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-country": country.pk,
            "memberships-0-role": CountryRole.CONTRIBUTOR,
            "_save": "Save",
        }
    )
    with mock.patch.object(
        services, "membership_create", wraps=services.membership_create
    ) as create:
        response = admin_client.post(page, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    create.assert_called_once()
    assert Membership.objects.get(user=member).role == CountryRole.CONTRIBUTOR
