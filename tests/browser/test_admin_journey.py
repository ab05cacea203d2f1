"""The administrator's journey through a question set, by clicks from the portal's home page:
a new draft, a question's translations, a new question with choices, the comparison with the
version it came from, publishing refused for want of a French text, the translator's file
exported, filled in and imported with a preview, and publishing with nothing missing. Pictured by
`make tour` at two laptop widths (1,366 and 1,280 px), in English and Arabic (docs/tour/admin/).

Each step also checks the layout a picture can hide: the English, Arabic and French boxes of a
text side by side, each in its own column, none running off the screen, Arabic right to left.
"""

from __future__ import annotations

import re

import polib
import pytest
from playwright.sync_api import Page, expect

from questionnaire.models import Question, QuestionnaireVersion, VersionStatus

from .journeys import LAPTOP_WIDTHS

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "ar"]

WORDS = {
    "en": {
        "notes": "For the 2028 review: a question on budgets added.",
        "help": "Name the ministries and agencies that took part.",
    },
    "ar": {
        "notes": "لاستعراض عام 2028: أُضيف سؤال عن الميزانيات.",
        "help": "اذكروا الوزارات والهيئات التي شاركت.",
    },
}
BUDGET_QUESTION = (
    "Has the national review's budget been reviewed since 2022?",
    "هل رُوجعت ميزانية الاستعراض الوطني منذ عام 2022؟",
    "Le budget de l’examen national a-t-il été révisé depuis 2022 ?",
)
BUDGET_CHOICES = [  # value, English, Arabic, French; "none" is typed second, then moved down
    ("yes", "Yes, wholly", "نعم، بالكامل", "Oui, entièrement"),
    ("none", "Not at all", "لا، إطلاقًا", "Pas du tout"),
    ("partly", "Partly", "جزئيًا", "En partie"),
]
HELP_AR = "اذكروا الوزارات والهيئات التي شاركت."
HELP_FR = "Nommez les ministères et organismes qui ont pris part."


def three_boxes_side_by_side(page: Page, field: str) -> None:
    """The English, Arabic and French boxes of `field` at each laptop width: in one row, none
    overlapping another, all on the screen; the Arabic one right to left."""
    first_width, first_height = next(iter(LAPTOP_WIDTHS.values()))
    for width, height in LAPTOP_WIDTHS.values():
        page.set_viewport_size({"width": width, "height": height})
        boxes = [
            page.locator(f"#id_{name}").bounding_box()
            for name in (field, f"{field}_ar", f"{field}_fr")
        ]
        assert all(box is not None for box in boxes), field
        row = sorted(boxes, key=lambda box: box["x"])
        for left, right in zip(row, row[1:], strict=False):
            assert left["x"] + left["width"] <= right["x"] + 0.5, (field, width, boxes)
        assert row[0]["x"] >= 0 and row[-1]["x"] + row[-1]["width"] <= width, (field, width)
        assert abs(boxes[0]["y"] - boxes[2]["y"]) < 2, (field, width)  # one row
        # Nothing on the page (a select, a table of conditions) runs past the screen's edge.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (field, width)
    expect(page.locator(f"#id_{field}_ar")).to_have_attribute("dir", "rtl")
    page.set_viewport_size({"width": first_width, "height": first_height})


def tools_below_the_title(page: Page) -> None:
    """A version's tools (compare, new draft, publish…) do not cover its title."""
    title = page.locator("#content h2").first.bounding_box()
    tools = page.locator("#content .object-tools").bounding_box()
    assert title["y"] + title["height"] <= tools["y"] + 0.5, (title, tools)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_administrator_edits_a_question_set(journey_factory, language, tmp_path):  # noqa: PLR0915
    j = journey_factory("admin", "Editing a question set", language, {}, widths=LAPTOP_WIDTHS)
    w = WORDS[language]
    j.at("2026-03-02 09:00")
    admin = j.person("admin")
    page = admin.page
    v3 = QuestionnaireVersion.objects.get(number=3)

    with j.step(admin, "index", "The administration: question sets first"):
        page.get_by_role("link", name=j.t("Administration")).click()
        expect(page.locator("#content-main caption").first).to_contain_text(
            re.compile(re.escape(j.t("Question sets")), re.I)
        )

    with j.step(admin, "version", "Version 3, published: read-only, with its tools"):
        versions = re.compile(f"^{re.escape(j.t('questionnaire versions'))}$", re.I)
        page.get_by_role("link", name=versions).first.click()
        page.locator(f'#result_list a[href$="/{v3.pk}/change/"]').first.click()
        expect(page.get_by_role("link", name=j.t("New draft from this version"))).to_be_visible()
        tools_below_the_title(page)

    with j.step(admin, "new-draft", "A new draft from it, with a note on what it is for"):
        page.get_by_role("link", name=j.t("New draft from this version")).click()
        page.get_by_label(j.t("Notes")).fill(w["notes"])
        page.get_by_role("button", name=j.t("Create the draft")).click()
        expect(page.locator(".messagelist")).to_be_visible()
        tools_below_the_title(page)
    draft = QuestionnaireVersion.objects.get(number=4)
    assert draft.status == VersionStatus.DRAFT and draft.notes == w["notes"]

    translations = page.locator("fieldset.gcm-translations").first
    with j.step(
        admin, "question", "A question's help text, in English and Arabic", focus=translations
    ):
        page.locator("a.inlinechangelink").first.click()
        # A real click: the heading's English name keeps its own direction on the Arabic page
        # (admin.css), so its "Change" link is where it is drawn.
        page.locator("a.inlinechangelink").nth(1).click()
        page.locator("#id_help_text").fill("Name the ministries and agencies that took part.")
        page.locator("#id_help_text_ar").fill(HELP_AR)
        page.get_by_role("button", name=j.t("Save and continue editing")).click()
        expect(page.locator(".messagelist")).to_be_visible()
        three_boxes_side_by_side(page, "text")
        three_boxes_side_by_side(page, "help_text")
    question = Question.objects.get(version=draft, key="review-lead-entity")
    assert question.help_text_ar == HELP_AR and question.help_text_fr == ""

    choices = page.locator('[data-options-list="choices"]')
    with j.step(
        admin, "new-question", "A new question with three choices, in three languages",
        focus=choices,
    ):  # fmt: skip
        page.get_by_role("button", name=j.t("Save and add another")).click()
        section = draft.sections.get(number="IV")
        page.locator("#id_section").select_option(str(section.pk))
        page.locator("#id_order").fill("9")
        page.locator("#id_label").fill("g")
        page.locator("#id_key").fill("resources-budget-review")
        for field, text in zip(("text", "text_ar", "text_fr"), BUDGET_QUESTION, strict=True):
            page.locator(f"#id_{field}").fill(text)
        page.locator("#id_type").select_option("single_choice")
        expect(choices).to_be_visible()
        rows = choices.locator("[data-options-row]")
        for number, (value, *labels) in enumerate(BUDGET_CHOICES):
            if number >= rows.count():
                choices.get_by_role("button", name=j.t("Add a row")).click()
            row = rows.nth(number)
            row.locator('[data-field="ident"]').fill(value)
            for field, label in zip(("label", "label_ar", "label_fr"), labels, strict=True):
                row.locator(f'[data-field="{field}"]').fill(label)
        # "None" last: moved down past "Partly" from the keyboard.
        rows.nth(1).locator('[data-options-move="down"]').focus()
        page.keyboard.press("Enter")
        page.get_by_role("button", name=j.t("Save and continue editing")).click()
        expect(page.locator(".messagelist")).to_be_visible()
        expect(choices.locator('[data-field="ident"]').nth(2)).to_have_value("none")
    added = Question.objects.get(version=draft, key="resources-budget-review")
    assert [c["value"] for c in added.options["choices"]] == ["yes", "partly", "none"]
    assert added.options["choices"][0]["label_ar"] == BUDGET_CHOICES[0][2]

    with j.step(admin, "compare", "Compared with version 3: the changed help text"):
        page.locator(".field-version a").click()
        page.get_by_role("link", name=j.t("Compare with another version")).click()
        expect(page.locator("#changed")).to_be_visible()
        expect(page.locator("#content-main")).to_contain_text(HELP_AR)
        expect(page.locator("#content-main")).to_contain_text(BUDGET_QUESTION[0])

    gaps = page.locator(".gcm-publish-gaps")
    with j.step(admin, "publish-warning", "Publishing: one French text is missing", focus=gaps):
        page.locator(".breadcrumbs a").nth(3).click()
        page.get_by_role("link", name=j.t("Publish…")).click()
        expect(gaps).to_contain_text(j.t("One text has no translation yet"))

    with j.step(admin, "publish-refused", "“Yes, publish” alone publishes nothing"):
        page.get_by_role("button", name=j.t("Yes, publish")).click()
        refused = j.t(
            "Nothing was published. Tick “Publish anyway” to publish with these texts in "
            "English, or translate them first."
        )
        expect(page.locator(".errornote")).to_have_text(refused)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT

    with j.step(admin, "translations", "The translations page: files per language"):
        page.get_by_role("link", name=j.t("No, take me back")).click()
        page.get_by_role("link", name=j.t("Translations: export and import")).click()
        french = page.locator("tr", has_text=j.t("French"))
        with page.expect_download() as download:
            french.get_by_role("link", name=j.t("PO (gettext)")).click()
    # The translator, in their own tool: the one missing French text.
    catalogue = polib.pofile(download.value.path().read_text(encoding="utf-8"))
    missing = [entry for entry in catalogue if not entry.msgstr]
    assert [entry.msgctxt for entry in missing] == ["question.review-lead-entity.help_text"]
    missing[0].msgstr = HELP_FR
    returned = tmp_path / "gcm-fr.po"
    catalogue.save(str(returned))

    with j.step(admin, "import-preview", "The file back: a preview, nothing written yet"):
        page.get_by_label(j.t("Language of the translation")).select_option("fr")
        page.get_by_label(j.t("Returned file")).set_input_files(str(returned))
        page.get_by_role("button", name=j.t("Upload and preview")).click()
        expect(page.locator("#content-main")).to_contain_text(HELP_FR)
    assert Question.objects.get(pk=question.pk).help_text_fr == ""

    with j.step(admin, "imported", "Imported: back on the version, French complete"):
        page.locator("#content-main input[type=submit]").click()
        expect(page.locator(".messagelist")).to_be_visible()
    assert Question.objects.get(pk=question.pk).help_text_fr == HELP_FR

    with j.step(admin, "published", "Published: nothing was missing, no question asked"):
        page.get_by_role("link", name=j.t("Publish…")).click()
        expect(gaps).to_have_count(0)
        page.get_by_role("button", name=j.t("Yes, publish")).click()
        expect(page.locator(".messagelist")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    j.finish()
