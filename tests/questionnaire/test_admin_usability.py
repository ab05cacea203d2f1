"""The admin as its people use it: the index's headings, what publishing says about missing
translations, a version's completeness per language, the preview in each language."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from questionnaire import selectors, services
from questionnaire.models import Question, Section, VersionStatus
from tests import factories

pytestmark = pytest.mark.django_db

VERSIONS_URL = reverse("admin:questionnaire_questionnaireversion_changelist")


@pytest.fixture
def draft(published_version):
    return services.questionnaire_version_create_draft(source=published_version)


def translate_everything(version) -> None:
    """Arabic and French for every text of `version` (and its questionnaire)."""
    questionnaire = version.questionnaire
    questionnaire.title_ar, questionnaire.title_fr = "استبيان", "Questionnaire"
    questionnaire.save()
    Section.objects.filter(version=version).update(title_ar="قسم", title_fr="Section")
    Question.objects.filter(version=version).update(text_ar="سؤال؟", text_fr="Question ?")
    for section in Section.objects.filter(version=version).exclude(intro=""):
        section.intro_ar, section.intro_fr = "مقدمة", "Introduction"
        section.save()
    for question in Question.objects.filter(version=version).exclude(help_text=""):
        question.help_text_ar, question.help_text_fr = "مساعدة", "Aide"
        question.save()


def headings(page: str) -> list[str]:
    return re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', page)


# --- The index --------------------------------------------------------------------------------


def test_the_index_puts_question_sets_first_and_technical_tables_under_system(client):
    client.force_login(factories.AdminFactory())

    page = client.get(reverse("admin:index")).content.decode()

    found = headings(page)
    assert found[:2] == ["Question sets", "Review cycles and countries"]
    assert found[-1] == "System"
    assert "Axes" not in found and "OTP_STATIC" not in found
    system = page[page.index(">System<") :]
    for table in ("Access attempts (login lockout)", "TOTP devices (two-factor authentication)"):
        assert table in system
    sets = page[page.index(">Question sets<") : page.index(">Review cycles and countries<")]
    assert "Questionnaire versions" in sets and "Submissions" not in sets


def test_administrators_who_are_not_superusers_do_not_see_the_system_tables(client):
    admin = factories.AdminFactory(is_superuser=False)
    client.force_login(admin)

    page = client.get(reverse("admin:index")).content.decode()

    assert "Question sets" in headings(page)
    assert "System" not in headings(page)
    assert "Access attempts" not in page and "TOTP devices" not in page


# --- Publishing with missing translations -----------------------------------------------------


def publish(client, version, **extra):
    url = reverse("admin:questionnaire_questionnaireversion_publish", args=[version.pk])
    return client.post(url, {"post": "yes", **extra}) if extra is not None else client.get(url)


def test_publishing_lists_what_is_missing_per_language_and_needs_publish_anyway(client, draft):
    client.force_login(factories.AdminFactory())
    translate_everything(draft)
    Question.objects.filter(version=draft, key="lead").update(text_fr="")
    url = reverse("admin:questionnaire_questionnaireversion_publish", args=[draft.pk])

    page = client.get(url).content.decode()

    assert "One text has no translation yet" in page
    assert "French: 1 of " in page
    assert "Question I.b (lead): question text" in page
    assert "Arabic:" not in page
    assert 'name="publish_anyway"' in page

    refused = client.post(url, {"post": "yes"})

    assert refused.status_code == 200
    assert "Nothing was published." in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    response = client.post(url, {"post": "yes", "publish_anyway": "yes"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_a_wholly_translated_version_publishes_without_the_question(client, draft):
    client.force_login(factories.AdminFactory())
    translate_everything(draft)
    url = reverse("admin:questionnaire_questionnaireversion_publish", args=[draft.pk])

    page = client.get(url).content.decode()
    assert "no translation yet" not in page and "publish_anyway" not in page

    assert client.post(url, {"post": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED


def test_the_publish_action_asks_for_publish_anyway_too(client, draft):
    client.force_login(factories.AdminFactory())
    data = {"action": "publish_versions", ACTION_CHECKBOX_NAME: [draft.pk], "post": "yes"}

    response = client.post(VERSIONS_URL, data)

    assert response.status_code == 200
    assert "texts have no translation yet" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


# --- Completeness, preview ----------------------------------------------------------------------


def test_completeness_counts_each_language_apart(draft):
    translate_everything(draft)
    Question.objects.filter(version=draft, key="lead").update(text_fr="")
    Question.objects.filter(version=draft, key="policies").update(
        options={"choices": [{"value": "law", "label": "A law", "label_ar": "قانون"}]}
    )

    arabic, french = selectors.version_translation_completeness(version=draft)

    assert (arabic.language, french.language) == ("ar", "fr")
    assert arabic.total == french.total == 1 + 2 + 3 + 1  # title, sections, questions, choice
    assert (arabic.translated, french.translated) == (7, 5)
    assert [item.what for item in french.missing] == ["question text", "choice “law”"]
    assert arabic.is_complete and not french.is_complete
    assert french.percent == 71  # rounded down


def test_the_version_page_shows_completeness_per_language_and_preview_links(client, draft):
    client.force_login(factories.AdminFactory())
    translate_everything(draft)
    Question.objects.filter(version=draft, key="lead").update(text_fr="")
    url = reverse("admin:questionnaire_questionnaireversion_change", args=[draft.pk])

    page = client.get(url).content.decode()

    assert "6 of 6 texts translated (100 %)" in page
    assert "5 of 6 texts translated (83 %)" in page
    assert re.search(r'<progress id="gcm-completeness-fr" max="6" value="5">', page)
    preview = reverse("version_preview", args=[draft.pk])
    for code in ("en", "ar", "fr"):
        assert f'href="{preview}?language={code}"' in page


def test_the_preview_shows_a_draft_in_the_language_asked_without_changing_the_readers(
    client, draft
):
    translate_everything(draft)
    client.force_login(factories.AdminFactory())
    preview = reverse("version_preview", args=[draft.pk])

    response = client.get(preview, {"language": "ar"})

    page = response.content.decode()
    assert response.headers["Content-Language"] == "ar"
    assert '<html lang="ar" dir="rtl"' in page
    assert "سؤال؟" in page
    # The reader's own language stays: the next page, and a preview without the parameter.
    assert '<html lang="en"' in client.get(preview).content.decode()
    # The language switcher comes back to the preview without the parameter.
    assert f'name="next" value="{preview}"' in page


def test_an_unknown_preview_language_is_ignored(client, draft):
    client.force_login(factories.AdminFactory())

    response = client.get(reverse("version_preview", args=[draft.pk]), {"language": "xx"})

    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_the_admin_header_switches_language_like_the_portal(client):
    client.force_login(factories.AdminFactory())

    page = client.get(reverse("admin:index")).content.decode()

    form = page[
        page.index('class="gcm-admin-languages"') : page.index(
            "</form>", page.index('class="gcm-admin-languages"')
        )
    ]
    assert f'name="next" value="{reverse("admin:index")}"' in form
    assert re.search(r'value="en" lang="en" aria-current="true" disabled>English<', form)
    assert 'value="ar" lang="ar">العربيّة<' in form
    response = client.post(
        reverse("set_language"), {"language": "fr", "next": reverse("admin:index")}
    )
    assert '<html lang="fr"' in client.get(response.url).content.decode()
