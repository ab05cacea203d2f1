"""The compilation's optional annex comparing each country with the previous cycle (issue 18,
part 2): asked for on the compilations page, one cached piece per country after the other
annexes, in the contents and the bookmarks, in English and in Arabic."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from questionnaire.models import Submission
from reports import compilation
from reports.models import Compilation, CompilationPart, JobStatus
from tests import comparison_world, factories
from tests.reports.pdfutils import pdf_bookmarks, pdf_text, squash

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    world = comparison_world.build()
    # The annex compares final reviews only: the country's answers of this cycle are accepted.
    Submission.objects.filter(pk=world.submissions_now[0].pk).update(status="accepted")
    return world


def compile_(cycle, *, language="en", include_comparison=True) -> Compilation:
    job = Compilation.objects.create(
        cycle=cycle, language=language, include_comparison=include_comparison
    )
    job = compilation.run_inline(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def heading(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Annex %(n)s: comparison with %(previous)s") % {
            "n": 3,
            "previous": "Cycle then",
        }


def has_words(page: str, text: str) -> bool:
    """Every word of `text` is on the page: pdftotext gives a right-to-left line's Latin words
    and punctuation in the visual order, so an Arabic heading is not found as one string."""
    return all(word in page for word in re.findall(r"\w+", text))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_annex_compares_each_country_after_the_other_annexes(world, language):
    job = compile_(world.now, language=language)
    keys = list(job.parts.order_by("order").values_list("annex_key", flat=True))
    iso2 = world.compared[0].iso2.lower()
    assert keys[-1] == f"comparison-{iso2}"  # after the matrix and the answers by question
    assert keys.count(f"comparison-{iso2}") == 1
    data = job.file.open("rb").read()
    pages = [squash(page) for page in pdf_text(data)]
    # the heading, after the cover and the contents (which name the annex too)
    found = [i for i, page in enumerate(pages) if i > 1 and has_words(page, heading(language))]
    assert found, heading(language)
    annex = "".join(pages[found[0] :])
    # A changed answer, with the word it lost and the word it gained.
    assert squash("A national committee meets every") in annex
    assert "month" in annex and "week" in annex
    assert squash("A new labour migration policy of 2023.") in annex
    # The contents list it, and a bookmark leads to it and to the country.
    with translation.override(language):
        entry = translation.gettext("Comparison with %(cycle)s") % {"cycle": "Cycle then"}
    assert has_words(pages[1], entry)
    marks = pdf_bookmarks(data)
    with translation.override(language):
        name = world.compared[0].name
    assert [m.title for m in marks if m.level == 2 and m.title == entry] == [entry]
    country_mark = next(m for m in marks if m.title == name and m.level == 3)
    assert country_mark.page == found[0] + 1


def test_without_the_option_there_is_no_comparison(world):
    job = compile_(world.now, include_comparison=False)
    assert not job.parts.filter(annex_key__startswith="comparison-").exists()
    pages = "".join(squash(page) for page in pdf_text(job.file.open("rb").read()))
    assert squash("comparison with Cycle then") not in pages


def test_a_second_compilation_takes_the_comparison_from_the_cache(world):
    compile_(world.now)
    again = compile_(world.now)
    piece = again.parts.get(annex_key__startswith="comparison-")
    assert piece.from_cache


def test_the_first_cycle_has_no_comparison_to_add(world):
    Submission.objects.filter(cycle=world.then).update(status="accepted")
    job = compile_(world.then)
    assert not CompilationPart.objects.filter(
        compilation=job, annex_key__startswith="comparison-"
    ).exists()


def test_the_compilations_page_offers_the_annex_only_with_a_previous_cycle(client, world):
    client.force_login(factories.ReviewerFactory())
    page = client.get(reverse("cycle_compilations", args=[world.now.slug])).content.decode()
    assert "Include an annex comparing with <bdi>Cycle then</bdi>" in page
    first = client.get(reverse("cycle_compilations", args=[world.then.slug])).content.decode()
    assert 'name="include_comparison"' not in first
    client.post(
        reverse("cycle_compilations", args=[world.now.slug]),
        {"language": "en", "include_comparison": "on"},
    )
    client.post(reverse("cycle_compilations", args=[world.now.slug]), {"language": "en"})
    asked = list(Compilation.objects.order_by("pk").values_list("include_comparison", flat=True))
    assert asked == [True, False]
