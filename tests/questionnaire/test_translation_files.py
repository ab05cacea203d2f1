"""A translator's round-trip: a version's texts exported as XLIFF 2.0, PO and XLSX, filled in as a
translator's tool would, imported with a preview, confirmed, and exported again."""

import io
from xml.etree import ElementTree

import pytest
from defusedxml import ElementTree as SafeElementTree
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from questionnaire import selectors, services, translation_files
from questionnaire.models import (
    Objective,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Section,
)
from tests import factories

pytestmark = pytest.mark.django_db

NS = translation_files.XLIFF_NS
ElementTree.register_namespace("", NS)

INTRO = "Describe how the review was prepared; see https://migrationnetwork.un.org/review."
HELP = "Name the <strong>bodies</strong> &amp; who chairs them, for %(country)s."


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft(db):
    """A draft with every kind of text: titles, an introduction, help texts with markup and a
    placeholder, choices, columns, a scale, and (for its objectives grid) two objectives."""
    questionnaire = factories.QuestionnaireFactory(slug="questionnaire", title="Regional review")
    version = factories.VersionFactory(questionnaire=questionnaire, number=2)
    first = factories.SectionFactory(
        version=version, number="I", title="Methodology", title_ar="المنهجية", intro=INTRO, order=1
    )
    second = factories.SectionFactory(version=version, number="II", title="Policy", order=2)
    factories.QuestionFactory(
        section=first, key="mechanism", label="a", order=1, text="Who coordinates?", help_text=HELP
    )
    factories.QuestionFactory(
        section=first,
        key="plan",
        label="b",
        order=2,
        type=QuestionType.SINGLE_CHOICE,
        text="Is there a plan?",
        options={
            "choices": [
                {"value": "law", "label": "A law"},
                {"value": "strategy", "label": "A strategy", "label_fr": "Une stratégie"},
                {"value": "none", "label": ""},
            ]
        },
    )
    factories.QuestionFactory(
        section=second,
        key="entities",
        label="a",
        order=1,
        type=QuestionType.ENTRY_LIST,
        text="Which entities?",
        options={"columns": [{"key": "entity", "label": "Entity"}]},
    )
    factories.QuestionFactory(
        section=second,
        key="grid",
        label="b",
        order=2,
        type=QuestionType.OBJECTIVES_GRID,
        text="Status of each objective?",
        options={"scale": [{"value": "planned", "label": "Planned"}]},
    )
    Objective.objects.create(number=1, title="Accurate data", short_label="Data")
    Objective.objects.create(number=2, title="Adverse drivers", short_label="Drivers")
    return version


ALL_KEYS = [
    "questionnaire.title",
    "section.I.title",
    "section.I.intro",
    "question.mechanism.text",
    "question.mechanism.help_text",
    "question.plan.text",
    "question.plan.choices.law",
    "question.plan.choices.strategy",
    "section.II.title",
    "question.entities.text",
    "question.entities.columns.entity",
    "question.grid.text",
    "question.grid.scale.planned",
    "objective.1.title",
    "objective.1.short_label",
    "objective.2.title",
    "objective.2.short_label",
]

# What a translator returns: new texts, one replacing a current translation, the markup and
# placeholder kept, letters beyond ASCII (Arabic, French accents, ligatures, a no-break space).
TRANSLATED = {
    "ar": {
        "section.I.title": "منهجية الاستعراض",  # replaces "المنهجية"
        "section.I.intro": "صِف كيف أُعدّ الاستعراض؛ انظر https://migrationnetwork.un.org/review.",
        "question.mechanism.help_text": (
            "اذكر <strong>الهيئات</strong> &amp; من يرأسها في %(country)s."
        ),
        "question.plan.choices.law": "قانون",
        "objective.2.short_label": "الدوافع",
    },
    "fr": {
        "questionnaire.title": "Examen régional",
        "question.mechanism.text": "Qui coordonne ? « Œuvre » çà et là",
        "question.plan.choices.strategy": "Une stratégie nationale",  # replaces "Une stratégie"
        "question.entities.columns.entity": "Entité",
        "question.grid.scale.planned": "Prévu",
    },
}


def url(name, *args):
    return reverse(f"admin:questionnaire_questionnaireversion_{name}", args=args)


def export(client, version, language, fmt) -> bytes:
    response = client.get(url("translations_export", version.pk, language, fmt))
    assert response.status_code == 200
    name = translation_files.file_name(version, language, fmt)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    return response.content


def upload(client, version, language, data: bytes, name: str):
    file = io.BytesIO(data)
    file.name = name
    return client.post(url("translations_import", version.pk), {"language": language, "file": file})


def confirm(client, version, preview):
    return client.post(url("translations_confirm", version.pk), {"token": preview.context["token"]})


# --- What a translator's tool does to each format ------------------------------------------------


def fill_xliff(data: bytes, targets: dict, sources: dict | None = None, extra=()) -> bytes:
    root = SafeElementTree.fromstring(data)
    file = root.find(f"{{{NS}}}file")
    for unit in root.iter(f"{{{NS}}}unit"):
        segment = unit.find(f"{{{NS}}}segment")
        if unit.get("id") in targets:
            segment.find(f"{{{NS}}}target").text = targets[unit.get("id")]
            segment.set("state", "translated")
        if unit.get("id") in (sources or {}):
            segment.find(f"{{{NS}}}source").text = sources[unit.get("id")]
    for key, source, target in extra:
        unit = ElementTree.SubElement(file, f"{{{NS}}}unit", id=key)
        segment = ElementTree.SubElement(unit, f"{{{NS}}}segment")
        ElementTree.SubElement(segment, f"{{{NS}}}source").text = source
        ElementTree.SubElement(segment, f"{{{NS}}}target").text = target
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def fill_po(data: bytes, targets: dict, sources: dict | None = None, extra=(), tmp_path=None):
    import polib

    path = tmp_path / "returned.po"
    path.write_bytes(data)
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt in targets:
            entry.msgstr = targets[entry.msgctxt]
        if entry.msgctxt in (sources or {}):
            entry.msgid = sources[entry.msgctxt]
    for key, source, target in extra:
        po.append(polib.POEntry(msgctxt=key, msgid=source, msgstr=target))
    po.save(str(path))
    return path.read_bytes()


def fill_xlsx(data: bytes, targets: dict, sources: dict | None = None, extra=()) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    for row in sheet.iter_rows(min_row=2):
        key = row[0].value
        if key in targets:
            row[3].value = targets[key]
        if key in (sources or {}):
            row[2].value = sources[key]
    for key, source, target in extra:
        sheet.append([key, "", source, target, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fill(fmt, data, targets, tmp_path, sources=None, extra=()):
    if fmt == "po":
        return fill_po(data, targets, sources, extra, tmp_path=tmp_path)
    return {"xliff": fill_xliff, "xlsx": fill_xlsx}[fmt](data, targets, sources, extra)


def current(version, language) -> dict:
    """The version's translations as the database has them now."""
    version = QuestionnaireVersion.objects.get(pk=version.pk)
    return {
        unit.key: unit.target
        for unit in selectors.version_translation_units(version=version, language=language)
    }


# --- The collector -------------------------------------------------------------------------------


def test_every_text_with_english_is_a_unit_with_a_stable_key(draft):
    units = selectors.version_translation_units(version=draft, language="ar")

    assert [unit.key for unit in units] == ALL_KEYS
    by_key = {unit.key: unit for unit in units}
    assert by_key["section.I.title"].target == "المنهجية"
    assert by_key["question.mechanism.help_text"].where == "Section I, question I.a, help text"
    assert by_key["question.plan.choices.law"].where == "Section I, question I.b, choice “law”"
    assert by_key["objective.1.short_label"].shared
    # The choice with no English label ("none") is not a text to translate.
    assert "question.plan.choices.none" not in by_key


def test_objectives_are_texts_only_of_a_version_with_an_objectives_grid(draft):
    Question.objects.filter(version=draft, key="grid").delete()

    keys = [u.key for u in selectors.version_translation_units(version=draft, language="fr")]

    assert not [key for key in keys if key.startswith("objective.")]


# --- The round trip, per format and language -----------------------------------------------------


@pytest.mark.parametrize("language", ["ar", "fr"])
@pytest.mark.parametrize("fmt", ["xliff", "po", "xlsx"])
def test_round_trip(admin_client, draft, fmt, language, tmp_path):
    before = current(draft, language)
    exported = export(admin_client, draft, language, fmt)
    returned = fill(fmt, exported, TRANSLATED[language], tmp_path)
    name = translation_files.file_name(draft, language, fmt)

    preview = upload(admin_client, draft, language, returned, name)

    assert preview.status_code == 200
    review = preview.context["review"]
    assert {change.key: change.new for change in review.changes} == TRANSLATED[language]
    assert {c.key: c.current for c in review.changes} == {
        key: before[key] for key in TRANSLATED[language]
    }
    assert review.refused == []
    page = preview.content.decode()
    for text in TRANSLATED[language].values():
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page
    # Nothing is written before the administrator confirms.
    assert current(draft, language) == before

    response = confirm(admin_client, draft, preview)

    assert response.status_code == 302
    after = current(draft, language)
    assert after == {**before, **TRANSLATED[language]}
    # Exported again, every imported text is there, exactly, and marked translated.
    again = translation_files.read_file(name=name, data=export(admin_client, draft, language, fmt))
    assert again.language == language
    targets = {entry.key: entry.target for entry in again.entries}
    for key, text in TRANSLATED[language].items():
        assert targets[key] == text


def test_xliff_is_xliff_2_with_notes_and_states(admin_client, draft):
    root = SafeElementTree.fromstring(export(admin_client, draft, "ar", "xliff"))

    assert root.tag == f"{{{NS}}}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en", "ar")
    unit = next(u for u in root.iter(f"{{{NS}}}unit") if u.get("id") == "section.I.title")
    assert unit.find(f"{{{NS}}}notes/{{{NS}}}note").text == "Section I, title"
    segment = unit.find(f"{{{NS}}}segment")
    assert segment.get("state") == "translated"
    assert segment.find(f"{{{NS}}}source").text == "Methodology"
    assert segment.find(f"{{{NS}}}target").text == "المنهجية"
    help_unit = next(
        u for u in root.iter(f"{{{NS}}}unit") if u.get("id") == "question.mechanism.help_text"
    )
    assert help_unit.find(f"{{{NS}}}segment").get("state") == "initial"
    assert help_unit.find(f"{{{NS}}}segment/{{{NS}}}source").text == HELP


def test_po_has_the_language_and_its_plural_forms(admin_client, draft, tmp_path):
    import polib

    path = tmp_path / "x.po"
    path.write_bytes(export(admin_client, draft, "ar", "po"))
    po = polib.pofile(str(path))

    assert po.metadata["Language"] == "ar"
    assert po.metadata["Plural-Forms"].startswith("nplurals=6;")
    entry = po.find("Methodology", msgctxt="section.I.title")
    assert (entry.msgstr, entry.comment) == ("المنهجية", "Section I, title")


def test_xlsx_is_a_readable_sheet_with_the_arabic_right_to_left(admin_client, draft):
    sheet = load_workbook(io.BytesIO(export(admin_client, draft, "ar", "xlsx"))).active

    assert [c.value for c in sheet[1]] == ["key", "where", "English (en)", "Arabic (ar)", "status"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 40
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert [c.value for c in rows["section.I.title"]][2:] == [
        "Methodology",
        "المنهجية",
        "translated",
    ]
    assert rows["section.I.intro"][4].value == "missing"
    assert rows["section.I.title"][3].alignment.readingOrder == 2
    assert rows["section.I.intro"][2].alignment.wrap_text


# --- What is refused, and why --------------------------------------------------------------------


def reasons(preview) -> dict:
    review = preview.context["review"]
    return {r.key: r.reason for r in review.refused + review.left_empty}


def test_each_refusal_has_its_reason_and_writes_nothing(admin_client, draft):
    exported = export(admin_client, draft, "ar", "xlsx")
    Question.objects.filter(version=draft, key="plan").update(text="Is there a national plan?")
    returned = fill_xlsx(
        exported,
        {
            "section.I.title": "",  # empty: the current Arabic stays
            "section.I.intro": "صف كيف أعد الاستعراض.",  # the address is gone
            "question.mechanism.help_text": "اذكر الهيئات في %(country)s.",  # <strong> gone
            "question.plan.text": "هل توجد خطة؟",  # its English changed since the export
            "question.plan.choices.law": "قانون",  # accepted
        },
        extra=[("question.gone.text", "Gone?", "ذهب؟")],
    )
    before = current(draft, "ar")

    preview = upload(admin_client, draft, "ar", returned, "back.xlsx")

    assert [c.key for c in preview.context["review"].changes] == ["question.plan.choices.law"]
    found = reasons(preview)
    assert "Unknown key" in found["question.gone.text"]
    assert "English has changed" in found["question.plan.text"]
    assert "https://migrationnetwork.un.org/review" in found["section.I.intro"]
    assert "<strong>" in found["question.mechanism.help_text"]
    assert "current one is kept" in found["section.I.title"]
    assert current(draft, "ar") == before

    confirm(admin_client, draft, preview)

    assert current(draft, "ar") == {**before, "question.plan.choices.law": "قانون"}
    assert Section.objects.get(version=draft, number="I").title_ar == "المنهجية"


@pytest.mark.parametrize(
    ("source", "target", "problem"),
    [
        ("For %(country)s.", "Pour %(pays)s.", "%(country)s"),
        ("Since %s.", "Depuis.", "%s"),
        ("In {year}.", "En {année}.", "{year}"),
        ("A <em>law</em>.", "Une loi.", "<em>"),
        ("Fish &amp; chips", "Poisson et frites", "&amp;"),
        ('See <a href="/help/">help</a>.', 'Voir <a href="/aide/">aide</a>.', "/help/"),
        ("See https://un.org/gcm.", "Voir https://un.org/pacte.", "https://un.org/gcm"),
    ],
)
def test_a_changed_placeholder_tag_entity_or_address_is_named(source, target, problem):
    assert problem in translation_files.markup_differences(source, target)


def test_kept_markup_passes_whatever_the_punctuation_after_an_address():
    source = 'For %(country)s, see <a href="https://un.org/">the UN</a> &amp; https://un.org/gcm.'
    target = (
        'لـ %(country)s، انظر <a href="https://un.org/">الأمم المتحدة</a> &amp; https://un.org/gcm،'
    )
    assert translation_files.markup_differences(source, target) == ""


def test_a_published_version_refuses_the_whole_import_but_exports(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "fr", "xlsx"), TRANSLATED["fr"])
    services.questionnaire_version_publish(version=draft)

    response = upload(admin_client, draft, "fr", data, "back.xlsx")

    assert response.status_code == 200
    assert "review" not in response.context
    assert "its texts never change, so nothing was imported" in response.content.decode()
    assert current(draft, "fr")["questionnaire.title"] == ""
    assert export(admin_client, draft, "fr", "xliff").startswith(b"<?xml")


def test_a_version_published_between_preview_and_confirm_is_not_changed(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "fr", "xlsx"), TRANSLATED["fr"])
    preview = upload(admin_client, draft, "fr", data, "back.xlsx")
    services.questionnaire_version_publish(version=draft)

    response = confirm(admin_client, draft, preview)

    assert response.status_code == 302
    assert current(draft, "fr")["question.grid.scale.planned"] == ""
    message = [str(m) for m in response.wsgi_request._messages]
    assert any("its texts never change" in m for m in message)


def test_a_text_edited_between_preview_and_confirm_stops_the_import(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "ar", "xlsx"), TRANSLATED["ar"])
    preview = upload(admin_client, draft, "ar", data, "back.xlsx")
    Section.objects.filter(version=draft, number="I").update(title_ar="عنوان آخر")

    response = confirm(admin_client, draft, preview)

    assert response.status_code == 302
    assert current(draft, "ar")["question.plan.choices.law"] == ""  # nothing written
    assert current(draft, "ar")["section.I.title"] == "عنوان آخر"
    assert any("changed since the preview" in str(m) for m in response.wsgi_request._messages)


def test_a_tampered_preview_is_refused(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "ar", "xlsx"), TRANSLATED["ar"])
    preview = upload(admin_client, draft, "ar", data, "back.xlsx")
    token = preview.context["token"]

    admin_client.post(url("translations_confirm", draft.pk), {"token": token[:-3] + "abc"})

    assert current(draft, "ar")["question.plan.choices.law"] == ""


def test_a_file_for_french_imported_as_arabic_is_refused(admin_client, draft):
    data = fill_xliff(export(admin_client, draft, "fr", "xliff"), TRANSLATED["fr"])

    response = upload(admin_client, draft, "ar", data, "back.xlf")

    assert "review" not in response.context
    errors = response.context["form"].errors["file"]
    assert errors == [
        "This file is a translation into French, but Arabic was chosen. Nothing was imported: "
        "choose French, or upload the Arabic file."
    ]
    assert current(draft, "ar")["question.plan.choices.law"] == ""


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b'<?xml version="1.0"?><xliff xmlns="urn:oasis:names:tc:xliff:document:2.0"',
            "a.xlf",
            "not well-formed",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "a.xlf",
            "entities or a document type",
        ),
        (
            b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>',
            "a.xlf",
            "Only XLIFF 2.0",
        ),
        (b"PK\x03\x04 not really a workbook", "a.xlsx", "cannot be opened"),
        (b"Just some words.", "a.txt", "not an XLIFF 2.0, PO or XLSX file"),
        (b'msgid ""\nmsgstr ""\n"Language: ar\\n"\n\nmsgid "x\nmsgstr', "a.po", "PO file"),
    ],
)
def test_a_malformed_file_is_refused_clearly(admin_client, draft, data, name, message):
    before = current(draft, "ar")

    response = upload(admin_client, draft, "ar", data, name)

    assert response.status_code == 200
    assert "review" not in response.context
    assert message in " ".join(response.context["form"].errors["file"])
    assert current(draft, "ar") == before


def test_a_file_that_does_not_say_its_language_is_refused(admin_client, draft):
    data = export(admin_client, draft, "ar", "xliff").replace(b' trgLang="ar"', b"")

    response = upload(admin_client, draft, "ar", data, "a.xlf")

    assert "does not say which language" in " ".join(response.context["form"].errors["file"])


# --- Who may do it -------------------------------------------------------------------------------


@pytest.fixture
def staff_viewer(db):
    """Staff who may view versions in the admin, but do not manage questionnaires."""
    user = factories.ReviewerFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_questionnaireversion"))
    return user


def test_staff_who_may_view_export_but_never_import(client, staff_viewer, admin_user, draft):
    client.force_login(admin_user)
    data = fill_xlsx(export(client, draft, "ar", "xlsx"), TRANSLATED["ar"])
    preview = upload(client, draft, "ar", data, "back.xlsx")
    client.logout()
    client.force_login(staff_viewer)

    page = client.get(url("translations", draft.pk))
    assert page.status_code == 200
    assert url("translations_import", draft.pk) not in page.content.decode()
    assert export(client, draft, "fr", "xliff")
    assert upload(client, draft, "ar", data, "back.xlsx").status_code == 403
    assert confirm(client, draft, preview).status_code == 403
    assert current(draft, "ar")["question.plan.choices.law"] == ""


def test_the_service_refuses_anyone_but_an_administrator(draft, staff_viewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.questionnaire_version_translations_import(
            version=draft, language="ar", changes=[], user=staff_viewer
        )


def test_country_users_cannot_export(client, focal_point, draft):
    client.force_login(focal_point)

    response = client.get(url("translations_export", draft.pk, "ar", "xlsx"))

    assert response.status_code == 302  # to the admin's login
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_version_page_links_to_the_translations(admin_client, draft):
    page = admin_client.get(
        reverse("admin:questionnaire_questionnaireversion_change", args=[draft.pk])
    ).content.decode()

    assert url("translations", draft.pk) in page
    assert "Translations: export and import" in page


def test_the_pages_mark_arabic_right_to_left(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "ar", "xlsx"), TRANSLATED["ar"])

    page = upload(admin_client, draft, "ar", data, "back.xlsx").content.decode()

    assert '<td class="text new" lang="ar" dir="rtl">قانون</td>' in page


def test_the_questionnaire_title_changes_in_every_version(admin_client, draft):
    data = fill_xlsx(export(admin_client, draft, "fr", "xlsx"), TRANSLATED["fr"])
    preview = upload(admin_client, draft, "fr", data, "back.xlsx")

    assert "shared by every version" in preview.content.decode()
    confirm(admin_client, draft, preview)

    assert Questionnaire.objects.get(pk=draft.questionnaire_id).title_fr == "Examen régional"
