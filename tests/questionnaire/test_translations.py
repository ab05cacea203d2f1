"""The question set in Arabic and French: one accessor that falls back to English, the pages, the
copies of a version, the start of a submission in a language, and the demo's translations."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from questionnaire import i18n, selectors, services
from questionnaire.models import (
    ImmutableError,
    Objective,
    Question,
    QuestionnaireVersion,
    QuestionType,
    Section,
    Submission,
)
from questionnaire.templatetags.answers import render_answer
from questionnaire.types import get_type
from tests import factories

pytestmark = pytest.mark.django_db

CHOICES = [
    {"value": "law", "label": "A law", "label_ar": "قانون", "label_fr": "Une loi"},
    {"value": "plan", "label": "An action plan"},  # not translated
]
# The notice's class: its words are the interface catalogue's, in the page's language.
NOTICE = 'class="portal-translation-notice'


@pytest.fixture
def translated_version(db):
    """A published version: section I and its first question translated into Arabic (the
    French only in part), a single-choice question with one translated choice, and a grid."""
    version = factories.VersionFactory(questionnaire__title="Regional review")
    version.questionnaire.title_ar = "الاستعراض الإقليمي"
    version.questionnaire.save()
    section = factories.SectionFactory(
        version=version,
        number="I",
        order=1,
        title="Methodology",
        title_ar="المنهجية",
        title_fr="Méthodologie",
        intro="Answer for the whole government.",
        intro_ar="أجيبوا باسم الحكومة بأكملها.",
    )
    factories.QuestionFactory(
        section=section,
        key="mechanism",
        label="a",
        order=1,
        text="Has a mechanism been established?",
        text_ar="هل أُنشئت آلية؟",
        help_text="Name its members.",
        help_text_fr="Nommez ses membres.",
    )
    factories.QuestionFactory(
        section=section,
        key="instrument",
        label="b",
        order=2,
        type=QuestionType.SINGLE_CHOICE,
        options={"choices": CHOICES},
        text="Which instrument?",
    )
    factories.QuestionFactory(
        section=section,
        key="grid",
        label="c",
        order=3,
        type=QuestionType.OBJECTIVES_GRID,
        required=False,
        text="Status of each objective?",
    )
    return services.questionnaire_version_publish(version=version)


@pytest.fixture
def objectives(db):
    factories.gcm_objectives()
    Objective.objects.filter(number=4).update(title_ar="ضمان الهوية القانونية")
    return list(Objective.objects.order_by("number"))


def question(version, key):
    return Question.objects.get(version=version, key=key)


# --- The accessor ------------------------------------------------------------------------------


def test_the_active_language_picks_the_translation(translated_version):
    mechanism = question(translated_version, "mechanism")
    with translation.override("ar"):
        assert i18n.tr(mechanism, "text") == "هل أُنشئت آلية؟"
        assert mechanism.localized("text") == "هل أُنشئت آلية؟"
    with translation.override("fr"):
        assert i18n.tr(mechanism, "help_text") == "Nommez ses membres."


def test_a_missing_translation_falls_back_to_english(translated_version):
    mechanism = question(translated_version, "mechanism")
    section = mechanism.section
    with translation.override("fr"):
        assert i18n.tr(mechanism, "text") == "Has a mechanism been established?"
        assert i18n.tr(section, "intro") == "Answer for the whole government."
    with translation.override("ar"):
        assert i18n.tr(mechanism, "help_text") == "Name its members."
    # Blank counts as missing; English stays English.
    mechanism.text_fr = "   "
    with translation.override("fr"):
        assert i18n.tr(mechanism, "text") == "Has a mechanism been established?"
    with translation.override("en"):
        assert i18n.tr(mechanism, "text") == "Has a mechanism been established?"


@pytest.mark.parametrize(
    ("code", "expected"), [("ar", "قانون"), ("fr", "Une loi"), ("en", "A law"), ("de", "A law")]
)
def test_option_labels_follow_the_language_and_fall_back(code, expected):
    assert i18n.option_label(CHOICES[0], code) == expected
    assert i18n.option_label(CHOICES[1], code) == "An action plan"


@pytest.mark.parametrize(
    ("active", "expected"), [("ar", "ar"), ("fr-ca", "fr"), ("en-gb", "en"), ("de", "en")]
)
def test_any_other_language_reads_english(active, expected):
    with translation.override(active):
        assert i18n.language() == expected


def test_the_template_filters_translate_and_fall_back(translated_version):
    template = Template(
        '{% load translated %}{{ q|tr:"text" }}|{{ q|tr:"help_text" }}|{{ choice|option_label }}'
    )
    context = Context({"q": question(translated_version, "mechanism"), "choice": CHOICES[0]})
    with translation.override("ar"):
        assert template.render(context) == "هل أُنشئت آلية؟|Name its members.|قانون"
    with translation.override("en"):
        assert template.render(context) == (
            "Has a mechanism been established?|Name its members.|A law"
        )


def test_answers_show_choice_and_status_labels_in_the_language(translated_version, objectives):
    instrument = question(translated_version, "instrument")
    grid = question(translated_version, "grid")
    value = {"4": {"status": "planned", "note": ""}}
    with translation.override("ar"):
        assert "قانون" in render_answer(instrument, "law")
        html = render_answer(grid, value, objectives)
        assert "مُخطَّط له" in html  # the default scale's Arabic
        assert "ضمان الهوية القانونية" in html  # objective 4's Arabic title
        assert "Objective title 1" in html  # objective 1 has no Arabic: English
        assert get_type("single_choice").as_text("law", instrument.options) == "قانون"
    with translation.override("fr"):
        assert get_type("objectives_grid").as_text(value, grid.options) == "4: Prévu"


def test_a_label_translation_must_be_text():
    with pytest.raises(ValidationError, match="label_ar"):
        get_type("single_choice").validate_options(
            {"choices": [{"value": "a", "label": "A", "label_ar": 5}]}
        )


# --- Versions: copies, comparison, immutability, what is missing -------------------------------


def test_a_new_draft_keeps_every_translation(translated_version):
    draft = services.questionnaire_version_create_draft(source=translated_version)

    section = draft.sections.get(number="I")
    assert (section.title_ar, section.title_fr, section.intro_ar) == (
        "المنهجية",
        "Méthodologie",
        "أجيبوا باسم الحكومة بأكملها.",
    )
    copied = question(draft, "mechanism")
    assert (copied.text_ar, copied.help_text_fr) == ("هل أُنشئت آلية؟", "Nommez ses membres.")
    assert question(draft, "instrument").options == {"choices": CHOICES}
    assert selectors.version_compare(old=translated_version, new=draft).changed == []


def test_the_comparison_shows_a_changed_translation(translated_version):
    draft = services.questionnaire_version_create_draft(source=translated_version)
    Question.objects.filter(version=draft, key="mechanism").update(text_fr="Existe-t-il ?")

    diff = selectors.version_compare(old=translated_version, new=draft)

    assert [(new.key, fields) for _old, new, fields in diff.changed] == [("mechanism", ["text_fr"])]


def test_translations_of_a_published_version_never_change(translated_version):
    mechanism = question(translated_version, "mechanism")
    mechanism.text_fr = "Un mécanisme a-t-il été créé ?"
    with pytest.raises(ImmutableError):
        mechanism.save()
    section = mechanism.section
    section.title_fr = "Autre"
    with pytest.raises(ImmutableError):
        section.save()
    translated_version.official_translations = True
    with pytest.raises(ImmutableError):
        translated_version.save()


def test_missing_translations_of_a_version_are_listed(translated_version, objectives):
    missing = selectors.version_missing_translations(version=translated_version)
    found = {(m.where, m.language, m.what) for m in missing}

    assert ("Questionnaire", "fr", "title") in found
    assert ("Questionnaire", "ar", "title") not in found
    assert ("Section I", "fr", "introduction") in found
    assert ("Section I", "ar", "title") not in found
    assert ("Question I.a (mechanism)", "fr", "question text") in found
    assert ("Question I.a (mechanism)", "ar", "help text") in found
    assert ("Question I.b (instrument)", "ar", "choice “plan”") in found
    assert ("Question I.b (instrument)", "ar", "choice “law”") not in found
    # The grid shows the objectives: theirs count too (objective 4 has its Arabic title).
    assert ("Objective 4", "ar", "title") not in found
    assert ("Objective 5", "ar", "title") in found
    # Nothing to translate where there is no English.
    assert not any(m.what == "help text" for m in missing if "instrument" in m.where)


def test_a_fully_translated_question_is_missing_nothing():
    q = Question(
        text="Q?",
        text_ar="س؟",
        text_fr="Q ?",
        options={"choices": [{"value": "a", "label": "A", "label_ar": "أ", "label_fr": "A"}]},
    )
    assert i18n.missing(q) == []


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def answering(translated_version, objectives):
    country = factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco")
    cycle = factories.CycleFactory(version=translated_version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country, language="ar")
    services.answer_save(
        submission=submission, question=question(translated_version, "instrument"), value="law"
    )
    user = factories.MembershipFactory(country=country).user
    return submission, user


def in_language(client, user, code):
    user.language = code
    user.save()
    client.force_login(user)
    return client


def test_the_answering_page_shows_the_question_set_in_arabic(client, answering):
    submission, user = answering
    page = in_language(client, user, "ar").get(reverse("answer_section", args=[submission.pk, "I"]))
    html = page.content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "المنهجية" in html  # the section's title
    assert "أجيبوا باسم الحكومة بأكملها." in html  # its introduction
    assert "هل أُنشئت آلية؟" in html  # the question
    assert "Name its members." in html  # its help text, not translated: English
    assert ">قانون</label>" in html  # the translated choice
    assert ">An action plan</label>" in html  # the untranslated one
    assert "مُخطَّط له" in html  # a step of the grid's scale
    assert "ضمان الهوية القانونية" in html  # objective 4
    assert NOTICE in html


def test_the_question_set_stays_english_in_english(client, answering):
    submission, user = answering
    html = (
        in_language(client, user, "en")
        .get(reverse("answer_section", args=[submission.pk, "I"]))
        .content.decode()
    )
    assert "Has a mechanism been established?" in html
    assert "هل أُنشئت آلية؟" not in html
    assert NOTICE not in html


def test_official_translations_carry_no_notice(client, answering):
    submission, user = answering
    QuestionnaireVersion.objects.filter(pk=submission.cycle.version_id).update(
        official_translations=True
    )
    html = (
        in_language(client, user, "ar")
        .get(reverse("answer_section", args=[submission.pk, "I"]))
        .content.decode()
    )
    assert "هل أُنشئت آلية؟" in html
    assert NOTICE not in html


def test_an_untranslated_version_carries_no_notice(client, submission, focal_point):
    html = (
        in_language(client, focal_point, "fr")
        .get(reverse("submission_detail", args=[submission.pk]))
        .content.decode()
    )
    assert '<html lang="fr" dir="ltr">' in html
    assert NOTICE not in html


@pytest.mark.parametrize("name", ["submission_detail", "version_preview"])
def test_the_read_only_pages_show_the_question_set_in_french(client, answering, reviewer, name):
    submission, _user = answering
    pk = submission.cycle.version_id if name == "version_preview" else submission.pk
    html = in_language(client, reviewer, "fr").get(reverse(name, args=[pk])).content.decode()

    assert "Méthodologie" in html
    assert "Nommez ses membres." in html or name != "version_preview"
    assert "Has a mechanism been established?" in html  # no French: English
    assert ">Une loi<" in html


def test_the_cross_country_pages_show_the_question_set_in_arabic(client, answering, reviewer):
    submission, _user = answering
    client = in_language(client, reviewer, "ar")
    slug = submission.cycle.slug
    question_page = client.get(reverse("cycle_question", args=[slug, "mechanism"]))
    assert "هل أُنشئت آلية؟" in question_page.content.decode()
    matrix = client.get(reverse("cycle_objectives", args=[slug])).content.decode()
    assert "ضمان الهوية القانونية" in matrix
    assert "مُخطَّط له" in matrix  # the scale's legend


def test_the_submission_header_says_the_language(client, answering):
    submission, user = answering
    html = (
        in_language(client, user, "en")
        .get(reverse("submission_detail", args=[submission.pk]))
        .content.decode()
    )
    assert 'lang="ar">العربيّة</dd>' in html
    # The page is in English, the submission in Arabic: a PDF in each is offered.
    assert f"{reverse('submission_pdf', args=[submission.pk])}?language=en" in html


# --- A submission's language -----------------------------------------------------------------


def test_the_start_form_offers_the_languages(client, cycle, country, focal_point):
    cycle.countries.add(country)
    html = in_language(client, focal_point, "fr").get(reverse("home")).content.decode()
    assert 'name="language"' in html
    assert '<option value="fr" lang="fr" selected>' in html
    assert '<option value="ar" lang="ar">' in html


def test_a_submission_starts_in_the_chosen_language(client, cycle, country, focal_point):
    cycle.countries.add(country)
    client.force_login(focal_point)
    response = client.post(
        reverse("submission_start", args=[cycle.slug, country.iso2]), {"language": "ar"}
    )
    assert response.status_code == 302
    assert Submission.objects.get(cycle=cycle, country=country).language == "ar"


def test_a_submission_cannot_start_in_another_language(cycle, country):
    cycle.countries.add(country)
    with pytest.raises(ValidationError, match="not one of the portal's languages"):
        services.submission_create(cycle=cycle, country=country, language="de")


# --- Dates and numbers in the page's language ----------------------------------------------------


def test_dates_and_numbers_are_written_the_languages_way(client, country, focal_point):
    version = factories.every_type_version()
    submission = factories.every_type_submission(country=country, version=version)
    html = (
        in_language(client, focal_point, "fr")
        .get(reverse("submission_detail", args=[submission.pk]))
        .content.decode()
    )
    assert "17 mai 2024" in html  # the date answer
    # The number answer, grouped as French writes numbers (a no-break space between thousands).
    assert '<span class="portal-number">1\u00a0250,5</span>' in html
    with translation.override("en"):
        assert '<span class="portal-number">1,250.5</span>' in render_answer(
            version.questions.get(type=QuestionType.NUMBER), "1250.5"
        )


# --- The demo's translations -----------------------------------------------------------------


def test_the_demo_questionnaire_is_translated_throughout(db):
    call_command("loaddemo", verbosity=0)
    for number in (1, 2):
        version = QuestionnaireVersion.objects.get(number=number)
        assert selectors.version_missing_translations(version=version) == []
        assert not version.official_translations
        assert "unofficial translations" in version.notes
    grid = Question.objects.get(version__number=2, type=QuestionType.OBJECTIVES_GRID)
    with translation.override("ar"):
        assert grid.localized("text").startswith("يُرجى بيان حالة تنفيذ")
        assert [i18n.option_label(step) for step in grid.options["scale"]][0] == ("لم يبدأ التنفيذ")
    objective = Objective.objects.get(number=1)
    assert objective.short_label_fr == "Données"
    assert objective.title_ar.startswith("جمع واستخدام بيانات")


def test_the_translation_fixture_covers_every_question_and_says_it_is_unofficial(settings):
    from pathlib import Path

    fixtures = Path(settings.BASE_DIR) / "fixtures"
    translations = json.loads((fixtures / "questionnaire-translations.json").read_text("utf-8"))
    questionnaire = json.loads((fixtures / "questionnaire-v1.json").read_text("utf-8"))

    assert translations["status"] == "unofficial"
    assert "UNOFFICIAL" in translations["note"]
    keys = {q["key"] for s in questionnaire["sections"] for q in s["questions"]}
    assert set(translations["questions"]) == keys | {"objectives-status-grid"}
    assert set(translations["sections"]) == {s["number"] for s in questionnaire["sections"]}
    assert set(translations["objectives"]) == {str(n) for n in range(1, 24)}
    for entry in [*translations["questions"].values(), *translations["sections"].values()]:
        for text in entry.values():
            # French punctuation: a no-break space before ? : ; ! and never a plain one.
            assert " ?" not in text and " :" not in text


def test_a_rerun_of_the_demo_says_nothing_about_translations(db):
    call_command("loaddemo", verbosity=0)
    err = StringIO()
    call_command("loaddemo", verbosity=0, stderr=err)
    assert err.getvalue() == ""


def test_a_demo_version_published_before_its_translations_keeps_its_wording(db):
    call_command("loaddemo", verbosity=0)
    # As in a database loaded before the translations existed (the guard is bypassed here only).
    Question.objects.filter(version__number=1).update(text_ar="")
    Section.objects.filter(version__number=1).update(title_fr="")
    err = StringIO()

    call_command("loaddemo", verbosity=0, stderr=err)

    assert "v1" in err.getvalue() and "questionnaire-translations.json" in err.getvalue()
    assert not Question.objects.filter(version__number=1).exclude(text_ar="").exists()
