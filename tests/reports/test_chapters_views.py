"""The chapters pages: staff only; the form works without JavaScript; a save that crossed another
shows both texts and keeps the typed one; marking final and restoring from the pages."""

import pytest
from django.urls import reverse

from reports.models import ChapterRevision, ChapterStatus
from tests import factories

pytestmark = pytest.mark.django_db


def edit_url(cycle, key="introduction", language="en"):
    return reverse("chapter_edit", args=[cycle.slug, key, language])


@pytest.fixture
def staff(client, reviewer):
    client.force_login(reviewer)
    return client


def test_the_chapters_page_lists_every_chapter_and_is_linked_from_the_cycle(staff, cycle):
    factories.gcm_objectives()
    page = staff.get(reverse("cycle_chapters", args=[cycle.slug])).content.decode()
    assert "Section I: Methodology" in page and "Objective 23:" in page
    assert edit_url(cycle, "objective-23", "ar") in page
    dashboard = staff.get(reverse("cycle_compilations", args=[cycle.slug])).content.decode()
    assert reverse("cycle_chapters", args=[cycle.slug]) in dashboard


@pytest.mark.parametrize("who", ["focal_point", "anonymous"])
def test_country_users_and_visitors_are_refused(client, cycle, focal_point, who):
    if who == "focal_point":
        client.force_login(focal_point)
    for url in (reverse("cycle_chapters", args=[cycle.slug]), edit_url(cycle)):
        response = client.get(url)
        assert response.status_code == (403 if who == "focal_point" else 302)
        response = client.post(edit_url(cycle), {"body": "x", "base": "0"})
        assert response.status_code in (302, 403)
    assert not ChapterRevision.objects.exists()


def test_without_javascript_the_text_area_saves_lists_and_paragraphs(staff, cycle, reviewer):
    form = staff.get(edit_url(cycle, language="ar")).content.decode()
    assert 'lang="ar" dir="rtl"' in form  # the text's language sets the field's direction
    response = staff.post(
        edit_url(cycle, language="ar"), {"body": "فقرة أولى\n\n- بند\n- بند آخر", "base": "0"}
    )
    assert response.status_code == 302
    revision = ChapterRevision.objects.get()
    assert revision.body == "<p>فقرة أولى</p><ul><li>بند</li><li>بند آخر</li></ul>"
    assert (revision.language, revision.number, revision.author) == ("ar", 1, reviewer)


def test_the_editors_html_is_cleaned(staff, cycle):
    staff.post(
        edit_url(cycle),
        {"body": "ignored", "body_html": "<p>Kept</p><script>alert(1)</script>", "base": "0"},
    )
    assert ChapterRevision.objects.get().body == "<p>Kept</p>"


def test_save_and_mark_as_final(staff, cycle):
    staff.post(edit_url(cycle), {"body": "Final text.", "base": "0", "final": "1"})
    assert ChapterRevision.objects.get().status == ChapterStatus.FINAL


def test_a_crossed_save_keeps_the_typed_text_and_shows_theirs(staff, cycle):
    staff.post(edit_url(cycle), {"body": "Start.", "base": "0"})
    other = factories.ReviewerFactory(first_name="Omar", last_name="Saleh")
    staff.force_login(other)
    staff.post(edit_url(cycle), {"body": "Their new paragraph.", "base": "1"})
    staff.force_login(factories.ReviewerFactory())
    response = staff.post(edit_url(cycle), {"body": "My own paragraph.", "base": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this chapter while you were writing" in page
    assert "Their new paragraph." in page and "My own paragraph." in page
    assert "Omar Saleh" in page
    assert 'name="base" value="2"' in page  # saving again now saves mine, on top of theirs
    assert ChapterRevision.objects.count() == 2
    # "Keep both": their text, then mine, as one new version.
    staff.post(edit_url(cycle), {"body": "My own paragraph.", "base": "2", "choice": "both"})
    latest = ChapterRevision.objects.order_by("-number").first()
    assert latest.number == 3
    assert latest.body == "<p>Their new paragraph.</p><p>My own paragraph.</p>"


def test_history_shows_word_diffs_and_restores(staff, cycle):
    staff.post(edit_url(cycle), {"body": "The first text.", "base": "0"})
    staff.post(edit_url(cycle), {"body": "The second text.", "base": "1"})
    history = reverse("chapter_history", args=[cycle.slug, "introduction", "en"])
    page = staff.get(history).content.decode()
    assert "removed: </span>first</del>" in page and "added: </span>second</ins>" in page
    response = staff.post(reverse("chapter_restore", args=[cycle.slug, "introduction", "en", 1]))
    assert response.status_code == 302
    restored = ChapterRevision.objects.get(number=3)
    assert restored.body == "<p>The first text.</p>" and restored.restored_from.number == 1
    staff.post(reverse("chapter_mark_final", args=[cycle.slug, "introduction", "en", 2]))
    assert ChapterRevision.objects.get(number=2).status == ChapterStatus.FINAL
    assert "restored from version 1" in staff.get(history).content.decode()


def test_unknown_chapters_languages_and_versions_are_404(staff, cycle):
    assert staff.get(edit_url(cycle, "section-IX")).status_code == 404
    assert staff.get(edit_url(cycle, language="de")).status_code == 404
    url = reverse("chapter_mark_final", args=[cycle.slug, "introduction", "en", 5])
    assert staff.post(url).status_code == 404
