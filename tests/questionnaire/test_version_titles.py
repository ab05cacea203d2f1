"""A questionnaire version's own title, and translated cycle names: the title a cycle's pages print
is the version's (else the questionnaire's), in the reader's language; a version keeps its title
once published and hands it to its next draft; the demo's 2024 cycle names the second review."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from questionnaire import i18n, selectors, services
from questionnaire.models import (
    ImmutableError,
    Questionnaire,
    QuestionnaireVersion,
    ReviewCycle,
    Submission,
)
from tests import factories

pytestmark = pytest.mark.django_db

# The demo's titles (loaddemo): version 1 is the first regional review's questionnaire, version 2
# the second's.
FIRST_EN = "First Regional Review of the Global Compact for Safe, Orderly and Regular Migration"
SECOND_EN = (
    "Second Regional Review of the Global Compact for Safe, Orderly and Regular Migration in the "
    "Arab Region: Questionnaire"
)
SECOND_AR = "الاستعراض الإقليمي الثاني للاتفاق العالمي من أجل الهجرة الآمنة والمنظمة والنظامية"
FIRST_AR = "الاستعراض الإقليمي الأول للاتفاق العالمي"
SECOND_FR = (
    "Deuxième examen régional du Pacte mondial pour des migrations sûres, ordonnées et régulières "
    "dans la région arabe\u202f: questionnaire"
)
FIRST_FR = "Premier examen régional du Pacte mondial"
CYCLE_2024 = {
    "en": "Second regional review of the GCM in the Arab region",
    "ar": "الاستعراض الإقليمي الثاني للاتفاق العالمي بشأن الهجرة في المنطقة العربية",
    "fr": "Deuxième examen régional du Pacte mondial sur les migrations dans la région arabe",
}


def unsaved_version(**titles) -> QuestionnaireVersion:
    questionnaire = Questionnaire(title="The questionnaire", title_ar="الاستبيان")
    return QuestionnaireVersion(questionnaire=questionnaire, number=2, **titles)


# --- The title a version shows ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("titles", "code", "expected"),
    [
        # The version's own title in the language asked for...
        ({"title": "Second review", "title_ar": "الاستعراض الثاني"}, "ar", "الاستعراض الثاني"),
        # ...else its English, before any of the questionnaire's titles...
        ({"title": "Second review"}, "ar", "Second review"),
        ({"title": "Second review", "title_ar": "الاستعراض الثاني"}, "fr", "Second review"),
        ({"title": "Second review", "title_ar": "الاستعراض الثاني"}, "en", "Second review"),
        # ...else the questionnaire's in that language, else its English.
        ({}, "ar", "الاستبيان"),
        ({}, "fr", "The questionnaire"),
        ({}, "en", "The questionnaire"),
        ({"title": "   "}, "ar", "الاستبيان"),
        # A translation without English is still the version's in its language.
        ({"title_fr": "Deuxième examen"}, "fr", "Deuxième examen"),
        ({"title_fr": "Deuxième examen"}, "en", "The questionnaire"),
    ],
)
def test_a_versions_title_falls_back_from_its_own_to_the_questionnaires(titles, code, expected):
    version = unsaved_version(**titles)
    assert i18n.version_title(version, code) == expected
    with translation.override(code):
        assert version.display_title == expected


@pytest.fixture
def titled_version(db):
    """A published version with its own English and Arabic title (no French)."""
    version = factories.VersionFactory(
        questionnaire__title="First review", title="Second review", title_ar="الاستعراض الثاني"
    )
    section = factories.SectionFactory(version=version, number="I", title="Methodology", order=1)
    factories.QuestionFactory(section=section, key="mechanism", label="a", order=1)
    return services.questionnaire_version_publish(version=version)


@pytest.mark.parametrize(
    ("field", "value"), [("title", "Renamed"), ("title_ar", "آخر"), ("title_fr", "Autre")]
)
def test_a_published_versions_title_never_changes(titled_version, field, value):
    setattr(titled_version, field, value)
    with pytest.raises(ImmutableError):
        titled_version.save()
    titled_version.refresh_from_db()
    assert (titled_version.title, titled_version.title_ar, titled_version.title_fr) == (
        "Second review",
        "الاستعراض الثاني",
        "",
    )


def test_a_draft_copies_its_sources_title_and_translations(titled_version):
    draft = services.questionnaire_version_create_draft(source=titled_version)
    draft.refresh_from_db()
    assert (draft.title, draft.title_ar, draft.title_fr) == (
        "Second review",
        "الاستعراض الثاني",
        "",
    )
    # And the draft may change it.
    draft.title_fr = "Deuxième examen"
    draft.save()
    draft.refresh_from_db()
    assert draft.title_fr == "Deuxième examen"


def test_missing_translations_list_the_versions_own_title(titled_version):
    ReviewCycle.objects.create(
        slug="untranslated",
        name="An untranslated cycle",
        version=titled_version,
        opens_on="2024-01-01",
        deadline="2024-12-31",
    )
    missing = selectors.version_missing_translations(version=titled_version)
    found = {(m.where, m.language, m.what) for m in missing}
    assert (f"Version {titled_version.number}", "fr", "title") in found
    assert (f"Version {titled_version.number}", "ar", "title") not in found
    # The questionnaire's title is not what this version shows; its cycles are not its texts.
    assert not any(m.where == "Questionnaire" for m in missing)
    assert not any(m.obj._meta.model_name == "reviewcycle" for m in missing)


def test_a_version_without_a_title_lists_the_questionnaires(published_version):
    missing = selectors.version_missing_translations(version=published_version)
    assert ("Questionnaire", "ar", "title") in {(m.where, m.language, m.what) for m in missing}


def test_a_cycles_name_falls_back_to_english_and_lists_what_is_missing():
    cycle = ReviewCycle(name="Second review", name_fr="Deuxième examen")
    assert i18n.tr(cycle, "name", "fr") == "Deuxième examen"
    assert i18n.tr(cycle, "name", "ar") == "Second review"
    assert i18n.missing(cycle) == [("ar", "name")]


def test_the_version_admin_page_has_the_title_beside_its_translations(client, admin_user):
    draft = factories.VersionFactory(title="Second review")
    client.force_login(admin_user)
    page = client.get(reverse("admin:questionnaire_questionnaireversion_change", args=[draft.pk]))
    html = page.content.decode()
    assert 'class="module aligned gcm-translations"' in html
    assert re.search(r'<input[^>]*name="title_ar"[^>]*lang="ar"[^>]*dir="rtl"', html) or re.search(
        r'<input[^>]*dir="rtl"[^>]*lang="ar"[^>]*name="title_ar"', html
    )
    assert 'value="Second review"' in html
    # Saving the draft's page keeps what the form holds.
    response = client.post(
        reverse("admin:questionnaire_questionnaireversion_change", args=[draft.pk]),
        {
            "title": "Second review",
            "title_ar": "الاستعراض الثاني",
            "title_fr": "",
            "notes": "",
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
            "sections-MIN_NUM_FORMS": "0",
            "sections-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.title_ar == "الاستعراض الثاني"
    # The add page stays as it was: the questionnaire, notes, official translations.
    add = client.get(reverse("admin:questionnaire_questionnaireversion_add")).content.decode()
    assert 'name="title"' not in add
    assert 'name="questionnaire"' in add


def test_the_cycle_admin_page_has_the_name_beside_its_translations(client, admin_user, cycle):
    client.force_login(admin_user)
    html = client.get(
        reverse("admin:questionnaire_reviewcycle_change", args=[cycle.pk])
    ).content.decode()
    assert 'class="module aligned gcm-translations"' in html
    for name in ("name", "name_ar", "name_fr", "slug", "version", "deadline", "countries"):
        assert f'name="{name}"' in html


# --- The demo -------------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("loaddemo", verbosity=0)
    return Submission.objects.select_related("cycle").get(
        country__iso2="JO", cycle__slug="arab-2024"
    )


def cycle_card(page: str, cycle) -> str:
    """The HTML of one cycle's card on the home page."""
    start = page.index(f'aria-labelledby="cycle-{cycle.pk}"')
    return page[start : page.index("</section>", start)]


def page_of(client, user, url: str, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def jordan(demo):
    return demo.country.memberships.get(user__username="jordan").user


def test_the_demo_versions_have_their_reviews_titles(demo):
    v1, v2 = QuestionnaireVersion.objects.order_by("number")
    assert v1.title.startswith(FIRST_EN) and v1.title == v1.questionnaire.title
    assert (v1.title_ar, v1.title_fr) == (v1.questionnaire.title_ar, v1.questionnaire.title_fr)
    assert (v2.title, v2.title_fr) == (SECOND_EN, SECOND_FR)
    assert v2.title_ar.startswith(SECOND_AR)
    assert demo.cycle.version == v2
    assert (demo.cycle.name, demo.cycle.name_ar, demo.cycle.name_fr) == tuple(CYCLE_2024.values())
    first = ReviewCycle.objects.get(slug="arab-2020")
    assert first.name_ar.startswith("الاستعراض الإقليمي الأول")
    assert first.name_fr.startswith("Premier examen régional")


def test_loading_the_demo_again_changes_no_title_or_name(demo):
    before = list(QuestionnaireVersion.objects.values()) + list(ReviewCycle.objects.values())
    err = StringIO()
    call_command("loaddemo", verbosity=0, stderr=err)
    after = list(QuestionnaireVersion.objects.values()) + list(ReviewCycle.objects.values())
    assert after == before
    assert err.getvalue() == ""


@pytest.mark.parametrize(
    ("language", "title", "other"),
    [("en", SECOND_EN, FIRST_EN), ("ar", SECOND_AR, FIRST_AR), ("fr", SECOND_FR, FIRST_FR)],
)
def test_the_home_page_names_the_2024_cycle_and_its_questionnaire(
    client, demo, language, title, other
):
    card = cycle_card(page_of(client, jordan(demo), reverse("home"), language), demo.cycle)
    assert CYCLE_2024[language] in card
    assert title in card
    assert other not in card


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_submission_page_names_the_cycle_and_the_questionnaire_in_the_readers_language(
    client, demo, language
):
    url = reverse("submission_detail", args=[demo.pk])
    page = page_of(client, jordan(demo), url, language)
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert CYCLE_2024[language] in title
    header = page[page.index('class="portal-page-header') :]
    assert f"<bdi>{CYCLE_2024[language]}</bdi>" in header
    assert {"ar": SECOND_AR, "fr": SECOND_FR}[language] in header
    assert CYCLE_2024["en"] not in page
    assert FIRST_EN not in page


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_the_dashboard_names_the_cycle_and_the_questionnaire_in_the_readers_language(
    client, demo, language
):
    escwa = factories.ReviewerFactory()
    url = reverse("cycle_dashboard", args=[demo.cycle.slug])
    page = page_of(client, escwa, url, language)
    assert CYCLE_2024[language] in page
    assert {"ar": SECOND_AR, "fr": SECOND_FR}[language] in page
    assert CYCLE_2024["en"] not in page
