"""The regional report's chapters: every save a new revision, numbered per language; one final
revision per language; restoring is a new revision; a save that crossed another keeps both texts;
the text is cleaned like an answer's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from reports import selectors, services
from reports.models import Chapter, ChapterRevision, ChapterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def slot(cycle, key="introduction", user=None):
    return selectors.chapter_slot_get(
        user=user or factories.ReviewerFactory(), cycle=cycle, key=key
    )


def save(cycle, reviewer, body, *, language="en", base=None, key="introduction"):
    place = slot(cycle, key, reviewer)
    if base is None:
        latest = (
            place.chapter.revisions.filter(language=language).first() if place.chapter else None
        )
        base = latest.number if latest else 0
    return services.chapter_save(
        slot=place, language=language, body=body, user=reviewer, base_number=base
    )


def test_every_save_is_a_new_draft_revision_numbered_per_language(cycle, reviewer):
    first = save(cycle, reviewer, "<p>One.</p>")
    second = save(cycle, reviewer, "<p>Two.</p>")
    arabic = save(cycle, reviewer, "<p>مقدمة.</p>", language="ar")
    assert (first.number, second.number, arabic.number) == (1, 2, 1)
    assert {first.status, second.status, arabic.status} == {ChapterStatus.DRAFT}
    assert first.chapter_id == second.chapter_id == arabic.chapter_id
    first.refresh_from_db()
    assert first.body == "<p>One.</p>"  # never overwritten
    assert second.author == reviewer
    assert Chapter.objects.get().key == "introduction"


def test_an_unchanged_text_is_not_saved_again(cycle, reviewer):
    first = save(cycle, reviewer, "<p>Same.</p>")
    assert save(cycle, reviewer, "Same.") == first
    assert ChapterRevision.objects.count() == 1


def test_sections_and_objectives_have_their_own_chapters(cycle, reviewer):
    factories.gcm_objectives()
    section = save(cycle, reviewer, "<p>On section II.</p>", key="section-II")
    objective = save(cycle, reviewer, "<p>On objective 7.</p>", key="objective-7")
    assert (section.chapter.kind, section.chapter.ref) == ("section", "II")
    assert (objective.chapter.kind, objective.chapter.ref) == ("objective", "7")
    assert section.number == objective.number == 1


def test_a_key_the_cycle_has_no_chapter_for_is_404(cycle, reviewer):
    from django.http import Http404

    factories.gcm_objectives()
    for key in ("section-IX", "objective-24", "conclusion", "section-"):
        with pytest.raises(Http404):
            slot(cycle, key, reviewer)


def test_mark_final_keeps_one_final_revision_per_language(cycle, reviewer):
    first = save(cycle, reviewer, "<p>One.</p>")
    second = save(cycle, reviewer, "<p>Two.</p>")
    services.chapter_mark_final(revision=first, user=reviewer)
    services.chapter_mark_final(revision=second, user=reviewer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ChapterStatus.REPLACED
    assert second.status == ChapterStatus.FINAL
    assert second.finalized_by == reviewer and second.finalized_at is not None
    assert first.body == "<p>One.</p>" and second.body == "<p>Two.</p>"
    finals = selectors.chapters_final(cycle=cycle, language="en")
    assert finals == {("introduction", ""): second}


def test_the_database_refuses_two_final_revisions_of_one_language(cycle, reviewer):
    first = save(cycle, reviewer, "<p>One.</p>")
    save(cycle, reviewer, "<p>Two.</p>")
    ChapterRevision.objects.filter(pk=first.pk).update(status=ChapterStatus.FINAL)
    with pytest.raises(IntegrityError):
        ChapterRevision.objects.exclude(pk=first.pk).update(status=ChapterStatus.FINAL)


def test_a_later_draft_leaves_the_final_revision_printed(cycle, reviewer):
    final = save(cycle, reviewer, "<p>Printed.</p>")
    services.chapter_mark_final(revision=final, user=reviewer)
    save(cycle, reviewer, "<p>Still being written.</p>")
    assert selectors.chapters_final(cycle=cycle, language="en")[("introduction", "")] == final


def test_restoring_is_a_new_revision_with_the_old_text(cycle, reviewer):
    first = save(cycle, reviewer, "<p>One.</p>")
    save(cycle, reviewer, "<p>Two.</p>")
    restored = services.chapter_restore(revision=first, user=reviewer)
    assert restored.number == 3
    assert restored.body == "<p>One.</p>"
    assert restored.restored_from == first
    assert restored.status == ChapterStatus.DRAFT
    assert ChapterRevision.objects.count() == 3


def test_a_save_that_crossed_another_saves_nothing_and_names_the_other(cycle, reviewer):
    other = factories.ReviewerFactory()
    save(cycle, reviewer, "<p>Start.</p>")
    theirs = save(cycle, other, "<p>Their paragraph.</p>", base=1)
    with pytest.raises(services.ChapterConflict) as conflict:
        save(cycle, reviewer, "<p>My paragraph.</p>", base=1)
    assert conflict.value.latest == theirs
    assert ChapterRevision.objects.count() == 2


def test_sanitising_strips_scripts_and_attributes(cycle, reviewer):
    revision = save(
        cycle,
        reviewer,
        '<p onclick="x()">Safe <b>bold</b></p><script>alert(1)</script><img src=x onerror=y()>',
    )
    assert revision.body == "<p>Safe <strong>bold</strong></p>"


def test_only_escwa_staff_write_chapters(cycle, reviewer, focal_point):
    place = slot(cycle, user=reviewer)
    with pytest.raises(PermissionDenied):
        services.chapter_save(
            slot=place, language="en", body="<p>x</p>", user=focal_point, base_number=0
        )
    revision = save(cycle, reviewer, "<p>x</p>")
    with pytest.raises(PermissionDenied):
        services.chapter_mark_final(revision=revision, user=focal_point)
    with pytest.raises(PermissionDenied):
        services.chapter_restore(revision=revision, user=focal_point)
    with pytest.raises(PermissionDenied):
        selectors.chapter_slot_get(user=focal_point, cycle=cycle, key="introduction")


def test_a_language_the_portal_does_not_have_is_refused(cycle, reviewer):
    with pytest.raises(ValueError):
        save(cycle, reviewer, "<p>x</p>", language="de")


def test_the_chapters_page_reads_each_languages_state(cycle, reviewer, django_assert_num_queries):
    factories.gcm_objectives()
    final = save(cycle, reviewer, "<p>One.</p>")
    services.chapter_mark_final(revision=final, user=reviewer)
    draft = save(cycle, reviewer, "<p>Two.</p>")
    save(cycle, reviewer, "<p>II</p>", key="section-II", language="ar")
    with django_assert_num_queries(4):
        slots = selectors.cycle_chapters(cycle=cycle)
    assert [s.key for s in slots[:3]] == ["introduction", "section-I", "section-II"]
    assert [s.key for s in slots[3:]] == [f"objective-{n}" for n in range(1, 24)]
    intro = slots[0].states
    assert intro["en"] == {"latest": draft, "final": final}
    assert intro["ar"] == {"latest": None, "final": None}
    assert slots[2].states["ar"]["latest"].number == 1
