"""docs/security.md's table "Who may see and do what" says what `permissions.can` answers: this
test reads the table and checks every cell, so that the documentation cannot drift from the code.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from questionnaire.permissions import Action, can

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"
# The table's columns, left to right, as tests/conftest.py's fixtures.
COLUMNS = ["viewer", "contributor", "focal_point", "other_focal_point", "reviewer", "admin_user"]
ON_THE_COUNTRY = {Action.START_SUBMISSION, Action.MANAGE_TEAM}


def table_rows() -> dict[Action, list[bool]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Who may see and do what", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|.*\(`(?P<action>[A-Z_]+)`\)\s*\|(?P<cells>.*)\|\s*$", line)
        if match:
            cells = [cell.strip() for cell in match["cells"].split("|")]
            assert set(cells) <= {"yes", "no"} and len(cells) == len(COLUMNS), line
            rows[Action[match["action"]]] = [cell == "yes" for cell in cells]
    return rows


def test_the_table_has_a_row_for_every_action():
    assert set(table_rows()) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_each_cell_is_what_permissions_can_answers_on_a_draft(request, submission, action):
    expected = table_rows()[action]
    obj = submission.country if action in ON_THE_COUNTRY else submission
    answers = [can(request.getfixturevalue(role), action, obj) for role in COLUMNS]
    assert answers == expected, dict(zip(COLUMNS, answers, strict=True))
