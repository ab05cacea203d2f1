"""How the portal names a person: one property, `User.display_name`, everywhere."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_full_name_else_the_user_name():
    named = factories.UserFactory(username="nh", first_name="Nadia", last_name="Haddad")
    assert named.display_name == "Nadia Haddad"
    assert factories.UserFactory(username="rk").display_name == "rk"


def test_the_person_filter_says_the_same_and_nothing_for_nobody():
    user = factories.UserFactory(username="yea", first_name="Youssef")
    template = Template("{% load portal %}[{{ user|person }}][{{ nobody|person }}]")
    assert template.render(Context({"user": user, "nobody": None})) == "[Youssef][]"


def test_no_template_or_module_builds_a_name_by_itself():
    pattern = re.compile(r"get_full_name")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "accounts", "questionnaire", "reports", "gcmreview")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt", ".py"}
        and path != ROOT / "accounts" / "models.py"
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use User.display_name (or the person filter)"
