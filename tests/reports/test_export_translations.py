"""Exports and the question set's translations: English columns stay where they are, an Arabic or
French export adds the version's translation after them, the JSON carries every language."""

import csv
import io
import json

import openpyxl
import pytest
from django.utils import translation

from questionnaire import services
from questionnaire.models import Objective, QuestionType
from reports import exports
from tests import factories

pytestmark = pytest.mark.django_db

SCALE = [
    {"value": "started", "label": "Started", "label_ar": "بدأ", "label_fr": "Commencé"},
    {"value": "done", "label": "Done"},
]


@pytest.fixture
def cycle(db):
    factories.gcm_objectives()
    Objective.objects.filter(number=1).update(short_label_ar="البيانات", title_ar="جمع البيانات")
    version = factories.VersionFactory()
    section = factories.SectionFactory(
        version=version, number="I", order=1, title="Method", title_ar="المنهجية"
    )
    factories.QuestionFactory(
        section=section, key="lead", label="a", order=1, text="Who leads?", text_ar="من يقود؟"
    )
    factories.QuestionFactory(section=section, key="plain", label="b", order=2, text="Plain?")
    factories.QuestionFactory(
        section=section,
        key="grid",
        label="c",
        order=3,
        type=QuestionType.OBJECTIVES_GRID,
        required=False,
        options={"scale": SCALE},
        text="Status?",
    )
    version = services.questionnaire_version_publish(version=version)
    cycle = factories.CycleFactory(version=version)
    country = factories.CountryFactory(iso2="MA", iso3="MAR", name_en="Morocco")
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    for key in ("lead", "plain"):
        services.answer_save(
            submission=submission, question=version.questions.get(key=key), value="<p>Yes</p>"
        )
    services.answer_save(
        submission=submission,
        question=version.questions.get(key="grid"),
        value={"1": {"status": "started", "note": ""}, "2": {"status": "done", "note": ""}},
    )
    services.submission_transition(submission=submission, to_status="submitted")
    return cycle


def rows(cycle, kind, fmt):
    content = exports.build_export(cycle=cycle, kind=kind, fmt=fmt).content
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_an_english_export_has_the_english_columns_only(cycle):
    table = rows(cycle, "answers-long", "csv")
    assert len(table[0]) == 11
    assert table[1][6] == "Who leads?"


def test_an_arabic_export_adds_the_translation_after_the_english(cycle):
    with translation.override("ar"):
        table = rows(cycle, "answers-long", "csv")

    assert len(table[0]) == 13
    by_key = {row[4]: row for row in table[1:]}
    assert by_key["lead"][3:7] == ["I. Method", "lead", "I.a", "Who leads?"]  # unmoved
    assert by_key["lead"][11:] == ["I. المنهجية", "من يقود؟"]
    assert by_key["plain"][12] == "Plain?"  # no Arabic: English


def test_the_objectives_matrix_is_labelled_in_the_exports_language(cycle):
    with translation.override("ar"):
        matrix = rows(cycle, "objectives", "xlsx")
    assert matrix[0][3] == "1. البيانات"
    assert matrix[0][4] == "2. Obj 2"  # no Arabic short label: English
    assert matrix[1][3:5] == ["بدأ", "Done"]


def test_the_json_document_carries_every_translation(cycle):
    document = json.loads(exports.build_export(cycle=cycle, kind="answers", fmt="json").content)

    section = document["sections"][0]
    assert section["title"] == "Method"
    assert section["translations"] == {"ar": {"title": "المنهجية"}}
    questions = {q["key"]: q for q in section["questions"]}
    assert questions["lead"]["translations"] == {"ar": {"text": "من يقود؟"}}
    assert questions["plain"]["translations"] == {}
    assert questions["grid"]["options"]["scale"][0]["label_fr"] == "Commencé"
    assert document["objectives"][0]["translations"] == {
        "ar": {"title": "جمع البيانات", "short_label": "البيانات"}
    }
    assert document["questionnaire"]["official_translations"] is False


@pytest.fixture
def titled_cycle(db):
    """A cycle with an Arabic name answering a version with its own English and French title."""
    version = factories.VersionFactory(
        questionnaire__title="First review",
        questionnaire__title_ar="الاستعراض الأول",
        title="Second review",
        title_fr="Deuxième examen",
    )
    section = factories.SectionFactory(version=version, number="I", order=1, title="Method")
    factories.QuestionFactory(section=section, key="lead", label="a", order=1, text="Who leads?")
    version = services.questionnaire_version_publish(version=version)
    return factories.CycleFactory(
        version=version, slug="second", name="Second cycle", name_ar="الدورة الثانية"
    )


def test_the_json_names_the_versions_title_and_the_cycles_translations(titled_cycle):
    document = json.loads(
        exports.build_export(cycle=titled_cycle, kind="answers", fmt="json").content
    )
    assert document["cycle"]["name"] == "Second cycle"
    assert document["cycle"]["translations"] == {"ar": {"name": "الدورة الثانية"}}
    # The version's own title; Arabic readers see its English, not the questionnaire's Arabic.
    assert document["questionnaire"]["title"] == "Second review"
    assert document["questionnaire"]["translations"] == {"fr": {"title": "Deuxième examen"}}


@pytest.mark.parametrize(
    ("language", "cycle_name", "title"),
    [
        ("ar", "الدورة الثانية", "Second review"),
        ("fr", "Second cycle", "Deuxième examen"),
    ],
)
def test_the_workbooks_about_sheet_names_cycle_and_title_in_the_exports_language(
    titled_cycle, language, cycle_name, title
):
    with translation.override(language):
        content = exports.build_export(cycle=titled_cycle, kind="answers-long", fmt="xlsx").content
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    about = [list(row) for row in workbook.worksheets[-1].iter_rows(values_only=True)]
    values = [row[1] for row in about if len(row) > 1]
    assert f"{cycle_name} (second)" in values
    assert any(str(value).startswith(f"{title}") for value in values if value)
    assert not any("First review" in str(value) for value in values if value)
    assert workbook.properties.title == f"{cycle_name} (second)"
