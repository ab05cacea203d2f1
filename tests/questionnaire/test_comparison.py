"""What changed since the previous cycle: the comparison selector (issue 18, part 2)."""

import pytest

from questionnaire import selectors
from questionnaire.models import Submission
from questionnaire.selectors import comparison
from tests import comparison_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return comparison_world.build()


def _items(result):
    return {item.question.key: item for item in result.items}


def test_the_previous_cycle_is_the_latest_earlier_one_of_the_questionnaire(world):
    assert selectors.cycle_previous(cycle=world.now) == world.then
    assert selectors.cycle_previous(cycle=world.then) is None


def test_answers_are_matched_by_key_across_versions_with_a_word_diff(world):
    previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    assert previous == world.then
    item = _items(result)["mechanism"]
    assert item.previous_question.version_id == world.then.version_id
    assert item.question.version_id == world.now.version_id
    assert (item.before, item.after, item.kind) == (
        "A national committee meets every month.",
        "A national committee meets every week.",
        "changed",
    )
    segments = [(s.kind, s.text) for line in item.lines for s in line.segments]
    assert ("delete", "month") in segments and ("insert", "week") in segments
    assert _items(result)["reforms"].kind == "unchanged"


def test_a_question_whose_type_changed_is_not_compared_as_text(world):
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    item = _items(result)["kind"]
    assert item.kind == "type_changed" and item.changed
    assert item.lines == []
    assert item.previous.value == "<p>A committee of the ministries.</p>"
    assert item.current.value["answer"] == "yes"


def test_questions_in_one_version_only(world):
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    fresh = _items(result)["fresh"]
    assert fresh.kind == "new_question" and fresh.previous_question is None
    assert fresh not in result.sections[0].changed  # not asked then: nothing changed
    assert [d.question.key for d in result.dropped] == ["gone"]
    assert result.dropped[0].before == "An answer to a question no longer asked."


def test_objectives_moved_up_down_or_stayed(world):
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    moves = {o.objective.number: o.movement for o in result.objectives}
    assert moves[1] == "up" and moves[2] == "down" and moves[3] == "same"
    assert moves[4] == ""  # "Not applicable" is off the scale's order
    assert moves[5] == ""  # no status either time
    assert result.objectives[0].note_now == "Now under way."
    assert (result.objectives_up, result.objectives_down) == (1, 1)


def test_the_grid_is_compared_objective_by_objective_not_as_text(world):
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    assert "grid" not in _items(result)


def test_new_policies_are_section_iis_new_or_changed_answers(world):
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    assert [item.question.key for item in result.new_policies] == ["policies"]
    region = selectors.cycle_comparison(cycle=world.now)
    assert region.with_new_policies == region.countries


def test_the_region_counts_only_countries_that_answered_both_cycles(world):
    region = selectors.cycle_comparison(cycle=world.now)
    assert region.previous_cycle == world.then
    assert [c.country for c in region.countries] == world.compared  # not only_then, only_now,
    # nor draft_then, whose review of the first cycle was never accepted
    first = region.objectives[0]
    assert (first.up, first.down, first.same, first.other) == (1, 0, 0, 0)
    assert region.objectives[3].other == 1 and region.objectives[4].other == 0
    entry = region.countries[0]
    assert entry.changed_count == 3  # mechanism, kind (its type), policies
    assert entry.unchanged_count == 2  # reforms; fresh (not asked then)
    assert selectors.cycle_compared_country_ids(cycle=world.now) == {world.compared[0].pk}


def test_the_current_submission_counts_in_any_status_the_annex_only_when_final(world):
    assert selectors.cycle_comparison(cycle=world.now).countries
    assert selectors.cycle_comparison(cycle=world.now, final_only=True).countries == []
    Submission.objects.filter(pk=world.submissions_now[0].pk).update(status="accepted")
    final = selectors.cycle_comparison(cycle=world.now, final_only=True)
    assert [c.country for c in final.countries] == world.compared


def test_the_first_cycle_has_nothing_to_compare(world):
    region = selectors.cycle_comparison(cycle=world.then)
    assert region.previous_cycle is None and region.countries == []
    assert selectors.country_comparison(cycle=world.then, country=world.compared[0]) == (
        None,
        None,
    )
    assert selectors.cycle_compared_country_ids(cycle=world.then) == set()


def test_a_country_that_answered_one_cycle_only_has_no_comparison(world):
    for name in ("only_then", "only_now", "draft_then"):
        previous, result = selectors.country_comparison(cycle=world.now, country=world.others[name])
        assert previous == world.then and result is None


def test_a_hidden_answer_is_not_compared(world, monkeypatch):
    submission = world.submissions_now[0]
    real = comparison.shown

    def hide_mechanism(sub, question):
        return (
            False
            if sub.pk == submission.pk and question.key == "mechanism"
            else real(sub, question)
        )

    monkeypatch.setattr(comparison, "shown", hide_mechanism)
    _previous, result = selectors.country_comparison(cycle=world.now, country=world.compared[0])
    assert _items(result)["mechanism"].kind == "removed"


def test_queries_do_not_grow_with_countries(django_assert_max_num_queries):
    small = comparison_world.build(countries=1, extras=False)
    with django_assert_max_num_queries(12) as few:
        selectors.cycle_comparison(cycle=small.now)
    large = comparison_world.build(countries=6, extras=False)  # a questionnaire of its own
    with django_assert_max_num_queries(len(few.captured_queries)):
        region = selectors.cycle_comparison(cycle=large.now)
    assert len(region.countries) == 6
