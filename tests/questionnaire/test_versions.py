"""Published questionnaire versions never change; a new draft is a deep copy keeping keys."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from questionnaire import selectors, services
from questionnaire.models import (
    ImmutableError,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Section,
    VersionEvent,
    VersionStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


def test_publishing_sets_status_and_date(published_version):
    assert published_version.status == VersionStatus.PUBLISHED
    assert published_version.published_at is not None


def test_published_version_refuses_a_stray_save(published_version):
    published_version.notes = "changed"
    with pytest.raises(ImmutableError):
        published_version.save()
    published_version.refresh_from_db()
    assert published_version.notes == ""


def test_published_version_cannot_go_back_to_draft(published_version):
    published_version.status = VersionStatus.DRAFT
    with pytest.raises(ImmutableError):
        published_version.save()


def test_published_version_can_be_retired_once(published_version):
    retired = services.questionnaire_version_retire(version=published_version)
    assert retired.status == VersionStatus.RETIRED
    with pytest.raises(ValidationError):
        services.questionnaire_version_retire(version=retired)


@pytest.mark.parametrize("field", ["text", "key", "required", "options"])
def test_questions_of_a_published_version_refuse_edits(published_version, field):
    question = Question.objects.filter(version=published_version).first()
    before = getattr(question, field)
    setattr(question, field, {"max_length": 5} if field == "options" else "x")
    with pytest.raises(ImmutableError):
        question.save()
    assert getattr(Question.objects.get(pk=question.pk), field) == before


def test_sections_and_questions_of_a_published_version_cannot_be_added_or_deleted(
    published_version,
):
    section = published_version.sections.first()
    with pytest.raises(ImmutableError):
        factories.SectionFactory(version=published_version)
    with pytest.raises(ImmutableError):
        factories.QuestionFactory(section=section)
    with pytest.raises(ImmutableError):
        section.questions.first().delete()
    with pytest.raises(ImmutableError):
        section.delete()
    with pytest.raises(ImmutableError):
        published_version.delete()
    assert Question.objects.filter(version=published_version).count() == 3


def test_a_question_cannot_be_moved_out_of_a_published_version(published_version):
    question = Question.objects.filter(version=published_version).first()
    draft_section = factories.SectionFactory()
    question.section = draft_section
    with pytest.raises(ImmutableError):
        question.save()


def test_publishing_twice_is_refused(published_version):
    with pytest.raises(ValidationError):
        services.questionnaire_version_publish(version=published_version)


def test_publishing_refuses_bad_type_options(db):
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version)
    factories.QuestionFactory(section=section, type=QuestionType.SINGLE_CHOICE, options={})
    with pytest.raises(ValidationError):
        services.questionnaire_version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_draft_copy_keeps_keys_and_content(published_version):
    draft = services.questionnaire_version_create_draft(source=published_version)
    assert draft.status == VersionStatus.DRAFT
    assert draft.number == published_version.number + 1
    assert draft.derived_from == published_version

    def shape(version):
        return [
            (q.section.number, q.section.title, q.key, q.label, q.text, q.type, q.required,
             q.options, q.order)
            for q in Question.objects.filter(version=version).select_related("section")
            .order_by("section__order", "order")
        ]  # fmt: skip

    assert shape(draft) == shape(published_version)
    # A deep copy: different rows, and editing the draft leaves the original alone.
    assert not set(Section.objects.filter(version=draft).values_list("pk", flat=True)) & set(
        Section.objects.filter(version=published_version).values_list("pk", flat=True)
    )
    question = Question.objects.get(version=draft, key="mechanism")
    question.text = "Reworded"
    question.save()
    assert Question.objects.get(version=published_version, key="mechanism").text != "Reworded"


def test_a_key_is_unique_within_a_version(published_version):
    draft = services.questionnaire_version_create_draft(source=published_version)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.QuestionFactory(section=draft.sections.first(), key="mechanism", label="z")


def test_version_compare_matches_by_key(published_version):
    draft = services.questionnaire_version_create_draft(source=published_version)
    Question.objects.get(version=draft, key="lead").delete()
    changed = Question.objects.get(version=draft, key="mechanism")
    changed.text = "New wording?"
    changed.save()
    factories.QuestionFactory(section=draft.sections.last(), key="grid", label="b")

    diff = selectors.version_compare(old=published_version, new=draft)
    assert [q.key for q in diff.added] == ["grid"]
    assert [q.key for q in diff.removed] == ["lead"]
    assert [(a.key, fields) for a, _b, fields in diff.changed] == [("mechanism", ["text"])]
    assert diff.unchanged == 1


def test_version_numbers_are_unique_per_questionnaire(published_version):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireVersion.objects.create(
            questionnaire=published_version.questionnaire, number=published_version.number
        )


# --- One place for the version number, and the version's history --------------------------------


def test_a_new_version_is_numbered_after_the_highest_one(published_version):
    questionnaire = published_version.questionnaire
    highest = published_version.number + 5
    factories.VersionFactory(questionnaire=questionnaire, number=highest)
    created = services.questionnaire_version_create(questionnaire=questionnaire, notes="Empty")
    copied = services.questionnaire_version_create_draft(source=published_version)
    assert (created.number, created.status, created.notes) == (
        highest + 1,
        VersionStatus.DRAFT,
        "Empty",
    )
    assert (copied.number, copied.derived_from) == (highest + 2, published_version)


def test_only_administrators_create_versions(published_version, reviewer, admin_user):
    questionnaire = published_version.questionnaire
    with pytest.raises(PermissionDenied):
        services.questionnaire_version_create(questionnaire=questionnaire, user=reviewer)
    assert services.questionnaire_version_create(questionnaire=questionnaire, user=admin_user)


def test_creating_publishing_and_retiring_are_recorded(published_version, admin_user):
    draft = services.questionnaire_version_create_draft(source=published_version, user=admin_user)
    at = datetime.datetime(2027, 1, 4, 9, 0, tzinfo=datetime.UTC)
    services.questionnaire_version_publish(version=draft, at=at)
    services.questionnaire_version_retire(version=draft, user=admin_user)

    events = list(draft.events.order_by("pk").values_list("action", "actor", "created_at"))
    assert [(action, actor) for action, actor, _at in events] == [
        (VersionEvent.Action.CREATED, admin_user.pk),
        (VersionEvent.Action.PUBLISHED, None),
        (VersionEvent.Action.RETIRED, admin_user.pk),
    ]
    assert events[1][2] == at  # a back-dated import is recorded when it happened


def test_a_refused_publish_records_nothing(db):
    empty = services.questionnaire_version_create(questionnaire=factories.QuestionnaireFactory())
    with pytest.raises(ValidationError):
        services.questionnaire_version_publish(version=empty)
    assert list(empty.events.values_list("action", flat=True)) == [VersionEvent.Action.CREATED]


def test_version_events_are_never_changed_or_deleted(published_version):
    event = published_version.events.get()
    event.action = VersionEvent.Action.RETIRED
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()


# --- A cycle keeps its version once answered ---------------------------------------------------


@pytest.fixture
def other_published(published_version):
    return services.questionnaire_version_publish(
        version=services.questionnaire_version_create_draft(source=published_version)
    )


def test_a_cycle_keeps_its_version_once_a_country_has_started(submission, other_published):
    cycle = submission.cycle
    original = cycle.version_id
    cycle.version = other_published
    with pytest.raises(ValidationError, match="countries have started answering it"):
        cycle.full_clean()
    with pytest.raises(ImmutableError, match="countries have started answering it"):
        cycle.save()
    cycle.refresh_from_db()
    assert cycle.version_id == original


def test_a_cycle_nobody_answered_yet_may_change_its_version(cycle, other_published):
    cycle.version = other_published
    cycle.full_clean()
    cycle.save()
    cycle.refresh_from_db()
    assert cycle.version == other_published


def test_an_answered_cycle_still_saves_its_other_fields(submission):
    cycle = submission.cycle
    cycle.name = "Renamed"
    cycle.is_closed = True
    cycle.save()
    cycle.refresh_from_db()
    assert (cycle.name, cycle.is_closed) == ("Renamed", True)
