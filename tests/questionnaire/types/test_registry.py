"""The question types' registry (questionnaire/types/): every type is one class with its
templates and its script, and a new type needs nothing more.

The toy type at the end is defined in the test itself, its templates in a temporary directory:
it is answered, validated, shown and previewed without any other file knowing about it.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.loader import get_template
from django.urls import reverse

from questionnaire import services
from questionnaire.models import Answer, CountryRole, Question, QuestionType
from questionnaire.templatetags.answers import render_answer, render_question_widget
from questionnaire.types import REGISTRY, BaseQuestionType, all_types, get_type
from tests import factories

NAMES = [kind.name for kind in all_types()]


def test_every_choice_of_question_type_is_a_registered_class():
    field = Question._meta.get_field("type")
    assert [value for value, _label in field.choices] == NAMES
    assert [member.value for member in QuestionType] == NAMES
    for name in NAMES:
        assert get_type(name).name == name


def test_the_admin_lists_the_types_in_their_usual_order_and_words():
    assert [(value, str(label)) for value, label in Question._meta.get_field("type").choices] == [
        ("long_text", "Long text"),
        ("short_text", "Short text"),
        ("single_choice", "Single choice"),
        ("multiple_choice", "Multiple choice"),
        ("yes_no", "Yes / no with explanation"),
        ("number", "Number"),
        ("date", "Date"),
        ("entry_list", "List of entries"),
        ("objectives_grid", "GCM objectives grid"),
    ]


def test_an_unknown_type_is_refused():
    with pytest.raises(ValidationError):
        get_type("essay")


@pytest.mark.parametrize("name", NAMES)
def test_every_type_has_its_templates(name):
    kind = get_type(name)
    for template in (kind.input_template, kind.display_template, kind.preview_template):
        assert template.startswith(f"questionnaire/types/{name}/")
        get_template(template)  # TemplateDoesNotExist otherwise


@pytest.mark.parametrize("name", NAMES)
def test_every_type_s_script_registers_its_handler_under_the_type_s_name(name):
    path = finders.find(get_type(name).script)
    assert path, f"static/{get_type(name).script} is missing"
    source = Path(path).read_text()
    assert source.count("register(") == 1
    assert f'register("{name}",' in source


def test_there_is_no_script_for_a_type_that_does_not_exist():
    scripts = Path(settings.BASE_DIR, "static", "js", "types").glob("*.js")
    assert sorted(path.stem for path in scripts) == sorted(NAMES)


def test_answering_js_leaves_every_type_to_its_handler():
    """No branch on a type's name in the page's script: that is the handlers' job."""
    source = Path(settings.BASE_DIR, "static", "js", "answering.js").read_text()
    for name in NAMES:
        assert f'"{name}"' not in source, name


def test_two_types_cannot_share_a_name():
    with pytest.raises(ImproperlyConfigured):

        class AnotherNumber(BaseQuestionType):
            name = "number"
            label = "Another number"

    assert type(REGISTRY["number"]).__name__ == "Number"


# --- A tenth type, defined here --------------------------------------------------------------


@pytest.fixture
def toy_rating(settings, tmp_path):
    """A rating from one to `max` stars: a class and three templates, nothing else."""
    folder = tmp_path / "questionnaire" / "types" / "toy_rating"
    folder.mkdir(parents=True)
    (folder / "input.html").write_text(
        '<input type="number" name="{{ w.name }}" value="{{ w.value|default_if_none:"" }}">'
    )
    (folder / "display.html").write_text('<p class="toy">{{ stars }}</p>')
    (folder / "preview.html").write_text("<p>From 1 to {{ options.max }} stars.</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    class ToyRating(BaseQuestionType):
        name = "toy_rating"
        label = "Toy rating"

        def clean(self, value, options):
            if value in (None, ""):
                return None
            try:
                stars = int(value)
            except (TypeError, ValueError):
                raise ValidationError("Enter a whole number of stars.") from None
            if not 1 <= stars <= options.get("max", 5):
                raise ValidationError("Out of range.")
            return stars

        def as_text(self, value, options):
            return "" if value is None else f"{value}/{options.get('max', 5)}"

        def display_context(self, question, value, objectives):
            return {"stars": "★" * value}

    yield REGISTRY["toy_rating"]
    del REGISTRY["toy_rating"]


@pytest.mark.django_db
def test_a_tenth_type_needs_only_its_class_and_templates(toy_rating, client, country):
    assert ("toy_rating", "Toy rating") in Question._meta.get_field("type").choices
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", order=1)
    question = factories.QuestionFactory(
        section=section, key="rating", type="toy_rating", options={"max": 4}
    )
    Question._meta.get_field("type").validate("toy_rating", question)  # one of the choices
    version = services.questionnaire_version_publish(version=version)
    question = Question.objects.get(version=version, key="rating")
    assert question.type_handler is toy_rating

    assert str(render_question_widget(question)) == "<p>From 1 to 4 stars.</p>"
    assert "Not answered" in render_answer(question, None)
    assert str(render_answer(question, 3)) == '<p class="toy">★★★</p>'

    # Answered on the section page without JavaScript: its field, its script, its validation.
    cycle = factories.CycleFactory(version=version)
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    user = factories.MembershipFactory(country=country, role=CountryRole.CONTRIBUTOR).user
    client.force_login(user)
    page = client.get(reverse("answer_section", args=[submission.pk, "I"])).content.decode()
    assert '<input type="number" name="q-rating" value="">' in page
    assert '<script src="/static/js/types/toy_rating.js" defer></script>' in page
    url = reverse("answer_section_save", args=[submission.pk, "I"])
    response = client.post(url, {"q-rating": "9", "q-rating-revision": "0"})
    assert response.status_code == 400
    assert "Out of range." in response.content.decode()
    assert '<input type="number" name="q-rating" value="9">' in response.content.decode()
    client.post(url, {"q-rating": "3", "q-rating-revision": "0"})
    answer = Answer.objects.get(submission=submission, question=question)
    assert (answer.value, answer.text) == (3, "3/4")
    page = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert '<p class="toy">★★★</p>' in page
