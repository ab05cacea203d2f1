"""A cycle compared with the previous one: per country, each answer then and now with a word
diff and each GCM objective's status then and now; for the region, which objectives moved and
which countries reported new or changed policies.

"The previous cycle" is the latest earlier cycle of the same questionnaire (`cycle_previous`):
one cycle for every country, so that the region's page counts like with like. A country is
compared when it has a submission in the cycle (in any status, shown with it; the compilation's
annex asks for final ones) and an accepted or published one in the previous cycle. Questions are
matched by key across versions, as carry-forward and the answering page's "previous cycle" panel
match them (`changes.answer_text`, `textdiff.diff_lines`), and by the same rule: a question whose
type changed is not compared as text, both answers are shown as they are.

A fixed number of queries whatever the number of countries and questions (tests assert it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import option_label
from ..models import (
    FINAL_STATUSES,
    Answer,
    Country,
    Objective,
    Question,
    QuestionType,
    ReviewCycle,
    Section,
    Submission,
)
from ..textdiff import DiffLine, diff_lines
from .changes import answer_text
from .progress import submissions_progress, version_rules
from .versions import version_sections

# The section whose new or changed answers are "new policies" on the region's page: section II,
# public policy and the enabling environment, in every version of the regional questionnaire.
POLICY_SECTION = "II"
# Steps of an objectives scale that say nothing of progress: an objective moving to or from one
# of them has not moved up or down.
UNORDERED_STEPS = frozenset({"not_applicable"})

UNCHANGED, CHANGED, ADDED, REMOVED = "unchanged", "changed", "added", "removed"
TYPE_CHANGED, NEW_QUESTION = "type_changed", "new_question"
UP, DOWN, SAME = "up", "down", "same"


@dataclass
class AnswerComparison:
    """One question of the current version and the answer with its key in the previous cycle.

    `kind`: unchanged, changed, added (no answer then), removed (no answer now), type_changed
    (asked with another kind of answer then: not compared as text) or new_question (not asked
    then)."""

    question: Question
    previous_question: Question | None
    previous: Answer | None
    current: Answer | None
    before: str
    after: str
    kind: str
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.kind in (CHANGED, ADDED, REMOVED, TYPE_CHANGED)

    @property
    def anchor(self) -> str:
        return f"q-{self.question.key}"


@dataclass
class SectionComparison:
    section: Section
    items: list[AnswerComparison]

    @property
    def changed(self) -> list[AnswerComparison]:
        return [item for item in self.items if item.changed]

    @property
    def unchanged(self) -> list[AnswerComparison]:
        return [item for item in self.items if not item.changed]


@dataclass
class StatusStep:
    value: str
    label: str
    position: int | None  # its place on the scale; None for a step that says nothing of progress


@dataclass
class ObjectiveComparison:
    objective: Objective
    then: StatusStep | None  # None: no status given (or the grid not asked)
    now: StatusStep | None
    note_then: str = ""
    note_now: str = ""

    @property
    def movement(self) -> str:
        """up, down or same when both statuses are on the scale's order; "" otherwise."""
        if self.then is None or self.now is None:
            return ""
        if self.then.value == self.now.value:
            return SAME
        if self.then.position is None or self.now.position is None:
            return ""
        return UP if self.now.position > self.then.position else DOWN


@dataclass
class CountryComparison:
    country: Country
    current: Submission
    previous: Submission
    sections: list[SectionComparison]
    dropped: list[AnswerComparison]  # asked then, no longer asked: `question` is the old one
    objectives: list[ObjectiveComparison]
    objectives_asked_then: bool
    objectives_asked_now: bool

    @property
    def items(self) -> list[AnswerComparison]:
        return [item for section in self.sections for item in section.items]

    @property
    def changed_count(self) -> int:
        return sum(1 for item in self.items if item.changed)

    @property
    def unchanged_count(self) -> int:
        return sum(1 for item in self.items if not item.changed)

    @property
    def new_policies(self) -> list[AnswerComparison]:
        """Section II's answers that are new or changed since the previous cycle."""
        return [
            item
            for section in self.sections
            if section.section.number == POLICY_SECTION
            for item in section.items
            if item.after and item.kind in (CHANGED, ADDED, TYPE_CHANGED, NEW_QUESTION)
        ]

    @property
    def objectives_up(self) -> int:
        return sum(1 for o in self.objectives if o.movement == UP)

    @property
    def objectives_down(self) -> int:
        return sum(1 for o in self.objectives if o.movement == DOWN)


@dataclass
class ObjectiveMovement:
    """How many countries moved on one objective between the cycles."""

    objective: Objective
    up: int = 0
    down: int = 0
    same: int = 0
    other: int = 0  # a status given in one cycle only, or off the scale's order


@dataclass
class CycleComparison:
    cycle: ReviewCycle
    previous_cycle: ReviewCycle | None  # None: the questionnaire's first cycle
    countries: list[CountryComparison]
    objectives: list[ObjectiveMovement]
    objectives_asked_then: bool
    objectives_asked_now: bool

    @property
    def with_new_policies(self) -> list[CountryComparison]:
        return [c for c in self.countries if c.new_policies]


def cycle_previous(*, cycle: ReviewCycle) -> ReviewCycle | None:
    """The latest cycle of the same questionnaire opened before this one, or None. One query."""
    return (
        ReviewCycle.objects.filter(
            version__questionnaire_id=cycle.version.questionnaire_id,
            opens_on__lt=cycle.opens_on,
        )
        .select_related("version")
        .order_by("-opens_on", "-pk")
        .first()
    )


def _pairs(
    cycle: ReviewCycle, previous_cycle: ReviewCycle, *, final_only: bool, country=None
) -> list[tuple[Submission, Submission]]:
    """(now, then) per country that answered both cycles: then final, now in any status (or
    final with `final_only`). Two queries."""
    current = Submission.objects.filter(cycle=cycle).select_related("country", "cycle")
    if final_only:
        current = current.filter(status__in=FINAL_STATUSES)
    previous = Submission.objects.filter(cycle=previous_cycle, status__in=FINAL_STATUSES)
    if country is not None:
        current, previous = current.filter(country=country), previous.filter(country=country)
    then = {s.country_id: s for s in previous.select_related("cycle")}
    return sorted(
        ((s, then[s.country_id]) for s in current if s.country_id in then),
        key=lambda pair: (pair[0].country.name, pair[0].country.iso2),
    )


def _grid(sections: list[Section], key: str = "") -> Question | None:
    grids = [q for s in sections for q in s.question_list if q.type == QuestionType.OBJECTIVES_GRID]
    return next((q for q in grids if q.key == key), grids[0] if grids else None)


def _steps(question: Question | None) -> dict[str, StatusStep]:
    if question is None:
        return {}
    steps, position = {}, 0
    for step in question.type_handler.scale(question.options or {}):
        value = step.get("value", "")
        ordered = value not in UNORDERED_STEPS
        steps[value] = StatusStep(value, option_label(step), position if ordered else None)
        position += ordered
    return steps


def shown(submission: Submission, question: Question) -> bool:
    """Whether the submission's pages show its answer to the question (its conditions hold)."""
    state = submission.states.get(question.pk)
    return state is None or state.printed


def _grid_rows(answer: Answer | None, shown: bool) -> dict:
    if answer is None or not shown or answer.not_applicable_reason:
        return {}
    return answer.value if isinstance(answer.value, dict) else {}


def _compare(
    cycle: ReviewCycle,
    previous_cycle: ReviewCycle,
    pairs: list[tuple[Submission, Submission]],
) -> tuple[list[CountryComparison], list[Objective], bool, bool]:
    """Each pair compared. Nine queries at most, whatever the number of pairs."""
    sections_now = version_sections(version=cycle.version)
    sections_then = (
        sections_now
        if previous_cycle.version_id == cycle.version_id
        else version_sections(version=previous_cycle.version)
    )
    questions_then = {q.key: q for s in sections_then for q in s.question_list}
    keys_now = {q.key for s in sections_now for q in s.question_list}
    grid_now = _grid(sections_now)
    grid_then = _grid(sections_then, grid_now.key if grid_now else "")
    objectives = list(Objective.objects.order_by("number")) if grid_now or grid_then else []
    steps_now, steps_then = _steps(grid_now), _steps(grid_then)
    submissions = [s for pair in pairs for s in pair]
    if submissions:
        submissions_progress(
            submissions, rules=version_rules({cycle.version_id, previous_cycle.version_id})
        )
    answers: dict[int, dict[int, Answer]] = {s.pk: {} for s in submissions}
    for answer in Answer.objects.filter(submission__in=[s.pk for s in submissions]):
        answers[answer.submission_id][answer.question_id] = answer
    compared = []
    for now, then in pairs:
        result = []
        for section in sections_now:
            items = []
            for question in section.question_list:
                if question.type == QuestionType.OBJECTIVES_GRID:
                    continue  # compared objective by objective
                old_question = questions_then.get(question.key)
                current = answers[now.pk].get(question.pk) if shown(now, question) else None
                previous = None
                if old_question is not None and shown(then, old_question):
                    previous = answers[then.pk].get(old_question.pk)
                items.append(_answer_comparison(question, old_question, previous, current))
            result.append(SectionComparison(section=section, items=items))
        dropped = [
            _answer_comparison(q, q, answers[then.pk].get(q.pk), None)
            for s in sections_then
            for q in s.question_list
            if q.key not in keys_now
            and q.type != QuestionType.OBJECTIVES_GRID
            and shown(then, q)
            and answers[then.pk].get(q.pk) is not None
        ]
        rows_now = _grid_rows(
            answers[now.pk].get(grid_now.pk) if grid_now else None,
            grid_now is not None and shown(now, grid_now),
        )
        rows_then = _grid_rows(
            answers[then.pk].get(grid_then.pk) if grid_then else None,
            grid_then is not None and shown(then, grid_then),
        )
        per_objective = []
        for objective in objectives:
            entry_then = rows_then.get(str(objective.number)) or {}
            entry_now = rows_now.get(str(objective.number)) or {}
            per_objective.append(
                ObjectiveComparison(
                    objective=objective,
                    then=steps_then.get(entry_then.get("status") or ""),
                    now=steps_now.get(entry_now.get("status") or ""),
                    note_then=entry_then.get("note") or "",
                    note_now=entry_now.get("note") or "",
                )
            )
        compared.append(
            CountryComparison(
                country=now.country,
                current=now,
                previous=then,
                sections=result,
                dropped=[d for d in dropped if d.before],
                objectives=per_objective,
                objectives_asked_then=grid_then is not None,
                objectives_asked_now=grid_now is not None,
            )
        )
    return compared, objectives, grid_then is not None, grid_now is not None


def _answer_comparison(
    question: Question,
    old_question: Question | None,
    previous: Answer | None,
    current: Answer | None,
) -> AnswerComparison:
    """The rule of the "previous cycle" panel: matched by key; a question whose type changed is
    shown both ways, not diffed."""
    before = (
        answer_text(old_question, previous.value, previous.not_applicable_reason)
        if previous is not None and old_question is not None
        else ""
    )
    after = (
        answer_text(question, current.value, current.not_applicable_reason)
        if current is not None
        else ""
    )
    if old_question is None:
        kind = NEW_QUESTION
    elif old_question.type != question.type and (before or after):
        kind = TYPE_CHANGED
    elif before == after:
        kind = UNCHANGED
    elif not before:
        kind = ADDED
    elif not after:
        kind = REMOVED
    else:
        kind = CHANGED
    lines = diff_lines(before, after) if kind in (CHANGED, ADDED, REMOVED) else []
    return AnswerComparison(
        question=question,
        previous_question=old_question,
        previous=previous,
        current=current,
        before=before,
        after=after,
        kind=kind,
        lines=lines,
    )


def country_comparison(
    *, cycle: ReviewCycle, country: Country, final_only: bool = False
) -> tuple[ReviewCycle | None, CountryComparison | None]:
    """The previous cycle and the country's comparison with it (None when the country did not
    answer both). Callers check the permission first (`comparison_country_get`)."""
    previous_cycle = cycle_previous(cycle=cycle)
    if previous_cycle is None:
        return None, None
    pairs = _pairs(cycle, previous_cycle, final_only=final_only, country=country)
    compared, *_rest = _compare(cycle, previous_cycle, pairs)
    return previous_cycle, (compared[0] if compared else None)


def cycle_comparison(*, cycle: ReviewCycle, final_only: bool = False) -> CycleComparison:
    """Every country that answered both this cycle and the previous one, compared; per objective
    how many moved up, down or stayed. Callers check the permission (`cycle_get_for_staff`)."""
    previous_cycle = cycle_previous(cycle=cycle)
    if previous_cycle is None:
        return CycleComparison(cycle, None, [], [], False, False)
    pairs = _pairs(cycle, previous_cycle, final_only=final_only)
    compared, objectives, asked_then, asked_now = _compare(cycle, previous_cycle, pairs)
    movements = []
    for index, objective in enumerate(objectives):
        movement = ObjectiveMovement(objective=objective)
        for country in compared:
            entry = country.objectives[index]
            if entry.then is None and entry.now is None:
                continue  # no status either time: nothing to count
            kind = entry.movement or "other"
            setattr(movement, kind, getattr(movement, kind) + 1)
        movements.append(movement)
    return CycleComparison(
        cycle=cycle,
        previous_cycle=previous_cycle,
        countries=compared,
        objectives=movements,
        objectives_asked_then=asked_then,
        objectives_asked_now=asked_now,
    )


def cycle_compared_country_ids(*, cycle: ReviewCycle) -> set[int]:
    """The countries the dashboard links to their comparison: a submission now and a final one
    in the previous cycle. Two queries."""
    previous_cycle = cycle_previous(cycle=cycle)
    if previous_cycle is None:
        return set()
    then = Submission.objects.filter(cycle=previous_cycle, status__in=FINAL_STATUSES)
    return set(
        Submission.objects.filter(
            cycle=cycle, country_id__in=then.values("country_id")
        ).values_list("country_id", flat=True)
    )


def submission_compared_with(
    *, submission: Submission, previous: Submission | None
) -> ReviewCycle | None:
    """The cycle the submission's "what changed" page compares it with, when `previous` (its
    country's previous answers, `changes.previous_cycle_answers`) are that cycle's final ones;
    None otherwise, so that its page links only a comparison that exists. One query, none
    without `previous`."""
    if previous is None or not previous.is_final:
        return None
    previous_cycle = cycle_previous(cycle=submission.cycle)
    if previous_cycle is None or previous_cycle.pk != previous.cycle_id:
        return None
    return previous_cycle
