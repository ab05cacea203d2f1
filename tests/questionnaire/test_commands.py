"""What the management commands share: finding the cycle `--cycle` names."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = pytest.mark.django_db

COMMANDS_WITH_A_CYCLE = [
    ["compile_region", "-o", "x.pdf"],
    ["export_answers"],
    ["render_submission", "MA"],
]


@pytest.mark.parametrize("command", COMMANDS_WITH_A_CYCLE, ids=lambda c: c[0])
def test_every_command_says_the_same_of_an_unknown_cycle(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    factories.CycleFactory(slug="arab-2024")
    factories.CycleFactory(slug="arab-2020")
    factories.CountryFactory(iso2="MA")
    with pytest.raises(CommandError) as refused:
        call_command(*command, "--cycle", "nope", stdout=io.StringIO())
    assert str(refused.value) == "There is no cycle 'nope'. Cycles: arab-2020, arab-2024."


def test_with_no_cycle_at_all_it_says_so():
    with pytest.raises(CommandError, match=r"Cycles: none yet\.$"):
        call_command("export_answers", "--cycle", "nope", "-o", "-", "--format", "csv")
