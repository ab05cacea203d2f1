"""Which questions a submission shows, and which count: the one rule.

A question may carry conditions on earlier questions of its version (`QuestionCondition`): it is
shown when all of them hold (or any, `Question.shown_when`). A hidden question's answer is kept,
but it neither counts as answered nor as missing, and pages, PDFs, exports and the compilation
leave it out. A question that allows it may be answered "Not applicable" with a reason, which
counts as answered. An answer carried forward from the previous cycle counts as having a value
(it is not missing) but not as answered until someone edits it or confirms it is still accurate.

`answer_states` is that rule, and the only place it is written: progress counts, the check page,
submitting, the dashboard, reminders, exports, the PDF and the compilation all read its result.
It is pure: the selectors load `QuestionRule`s and `AnswerFacts` (a fixed number of queries for
any number of questions or submissions) and call it. answering.js mirrors `rule_holds` in the
browser to show and hide questions while the person answers; the server decides on save.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .types import get_type

if TYPE_CHECKING:
    from .models import Answer, Question, QuestionCondition


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", gettext_lazy("is")
    NOT_EQUALS = "not_equals", gettext_lazy("is not")
    ONE_OF = "one_of", gettext_lazy("is one of")
    GREATER_THAN = "greater_than", gettext_lazy("is greater than")
    LESS_THAN = "less_than", gettext_lazy("is less than")


EQUALS, NOT_EQUALS, ONE_OF = (
    ConditionOperator.EQUALS,
    ConditionOperator.NOT_EQUALS,
    ConditionOperator.ONE_OF,
)
GREATER_THAN, LESS_THAN = ConditionOperator.GREATER_THAN, ConditionOperator.LESS_THAN

# How a condition reads on the answering page, for choices (several may be chosen) and others.
_PHRASES = {
    EQUALS: gettext_lazy("%(question)s is “%(value)s”"),
    NOT_EQUALS: gettext_lazy("%(question)s is not “%(value)s”"),
    ONE_OF: gettext_lazy("%(question)s is one of %(value)s"),
    GREATER_THAN: gettext_lazy("%(question)s is more than %(value)s"),
    LESS_THAN: gettext_lazy("%(question)s is less than %(value)s"),
}
_MULTIPLE_PHRASES = {
    EQUALS: gettext_lazy("%(question)s includes “%(value)s”"),
    NOT_EQUALS: gettext_lazy("%(question)s does not include “%(value)s”"),
    ONE_OF: gettext_lazy("%(question)s includes one of %(value)s"),
}


@dataclass(frozen=True)
class Rule:
    """One condition, as evaluated: `source`'s answer compared with `operands`."""

    source: int  # the earlier question's pk
    operator: str
    operands: tuple[str, ...]

    def as_json(self, source_key: str, source_type: str) -> dict:
        """For answering.js (data-shown-when), which evaluates it the same way."""
        return {
            "source": source_key,
            "type": source_type,
            "op": self.operator,
            "values": list(self.operands),
        }


@dataclass(frozen=True)
class QuestionRule:
    """What the rule needs to know of a question."""

    pk: int
    section: str  # the section's number
    kind: str  # the question type's name
    required: bool
    mode: str = "all"  # "all" or "any" of `rules`
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class AnswerFacts:
    """What the rule needs to know of an answer."""

    has_value: bool = False
    not_applicable: bool = False
    carried: bool = False  # carried forward and neither edited nor confirmed since
    subject: Any = None  # what conditions compare (only loaded for questions others depend on)


NO_ANSWER = AnswerFacts()


@dataclass(frozen=True)
class AnswerState:
    """Where one question stands in one submission."""

    shown: bool
    has_value: bool
    not_applicable: bool
    carried: bool
    required: bool

    @property
    def answered(self) -> bool:
        """Answered by the country: a value or "Not applicable", not an unreviewed carry."""
        return self.shown and (self.not_applicable or (self.has_value and not self.carried))

    @property
    def unreviewed(self) -> bool:
        """Carried forward from the previous cycle and not yet edited or confirmed."""
        return self.shown and self.carried and self.has_value and not self.not_applicable

    @property
    def missing(self) -> bool:
        """Required, shown, and without any answer (an unreviewed carry is not missing: it may
        be submitted after a second confirmation)."""
        return self.shown and self.required and not (self.has_value or self.not_applicable)

    @property
    def printed(self) -> bool:
        """Whether pages, PDFs and exports show the answer at all."""
        return self.shown


def rule_holds(rule: Rule, subject: Any) -> bool:
    """Whether one condition holds for the source's `subject` (None or empty: unanswered, or
    the source itself hidden). Unanswered, only "is not" holds."""
    if subject is None or subject == frozenset():
        return rule.operator == NOT_EQUALS
    if isinstance(subject, decimal.Decimal):
        try:
            operand = decimal.Decimal(rule.operands[0])
        except (decimal.InvalidOperation, IndexError):
            return False
        return {
            EQUALS: subject == operand,
            NOT_EQUALS: subject != operand,
            GREATER_THAN: subject > operand,
            LESS_THAN: subject < operand,
        }.get(rule.operator, False)
    if rule.operator == EQUALS:
        return rule.operands[0] in subject if rule.operands else False
    if rule.operator == NOT_EQUALS:
        return rule.operands[0] not in subject if rule.operands else True
    if rule.operator == ONE_OF:
        return bool(subject & set(rule.operands))
    return False


def answer_states(
    questions: Sequence[QuestionRule], facts: Mapping[int, AnswerFacts]
) -> dict[int, AnswerState]:
    """Every question's state in one submission: the one rule (module docstring).

    `questions` in questionnaire order; `facts` by question pk (absent: no answer). A condition
    on a hidden question sees no answer; one on a question that is not earlier (which the admin
    refuses) cannot hold, except "is not", as for an unanswered one.
    """
    states: dict[int, AnswerState] = {}
    for question in questions:
        fact = facts.get(question.pk, NO_ANSWER)
        shown = True
        if question.rules:
            results = (
                rule_holds(rule, _visible_subject(rule.source, states, facts))
                for rule in question.rules
            )
            shown = all(results) if question.mode != "any" else any(results)
        states[question.pk] = AnswerState(
            shown=shown,
            has_value=fact.has_value,
            not_applicable=fact.not_applicable,
            carried=fact.carried,
            required=question.required,
        )
    return states


def rule_results(
    question: QuestionRule, states: Mapping[int, AnswerState], facts: Mapping[int, AnswerFacts]
) -> list[bool]:
    """Whether each of the question's conditions holds, as `answer_states` found (`states` from
    it): the answering page's script uses these for questions on other pages."""
    return [
        rule_holds(rule, _visible_subject(rule.source, states, facts)) for rule in question.rules
    ]


def _visible_subject(source: int, states: Mapping[int, AnswerState], facts) -> Any:
    state = states.get(source)
    if state is None or not state.shown:
        return None
    fact = facts.get(source)
    return fact.subject if fact is not None and not fact.not_applicable else None


def progress_from_states(
    questions: Sequence[QuestionRule], states: Mapping[int, AnswerState]
) -> dict:
    """Per section and overall: questions shown (`total`), `answered`, carried forward and not
    yet reviewed (`unreviewed`), required ones without an answer (`missing_required`)."""
    keys = ("answered", "unreviewed", "total", "missing_required")
    sections: dict[str, dict] = {}
    for question in questions:
        entry = sections.setdefault(question.section, dict.fromkeys(keys, 0))
        state = states[question.pk]
        if not state.shown:
            continue
        entry["total"] += 1
        entry["answered"] += state.answered
        entry["unreviewed"] += state.unreviewed
        entry["missing_required"] += state.missing
    overall = {key: sum(s[key] for s in sections.values()) for key in keys}
    return {"sections": sections, **overall}


def facts_for(
    kind: str,
    *,
    has_value: bool,
    value: Any = None,
    not_applicable_reason: str = "",
    prefilled=False,
) -> AnswerFacts:
    """An answer's facts: `value` only matters for questions others depend on."""
    return AnswerFacts(
        has_value=has_value,
        not_applicable=bool(not_applicable_reason),
        carried=bool(prefilled),
        subject=get_type(kind).condition_subject(value) if value is not None else None,
    )


def answer_facts_of(answer: Answer, kind: str, *, with_subject: bool) -> AnswerFacts:
    """`facts_for` a loaded Answer (`with_subject`: its question is one others depend on)."""
    return facts_for(
        kind,
        has_value=bool(answer.text),
        value=answer.value if with_subject else None,
        not_applicable_reason=answer.not_applicable_reason,
        prefilled=answer.prefilled,
    )


def lone_answer_state(question: Question, answer: Answer | None) -> AnswerState:
    """The rule's verdict on one answer seen alone, its conditions aside (an answer read
    outside its submission's pages, e.g. in an autosave's reply)."""
    facts = (
        {question.pk: answer_facts_of(answer, question.type, with_subject=False)} if answer else {}
    )
    return answer_states([rule_for(question, ())], facts)[question.pk]


def not_applicable_text(reason: str) -> str:
    """ "Not applicable: reason" as plain text (exports, diffs); pages and PDFs print the same
    sentence through `{% show_answer %}`."""
    return _("Not applicable: %(reason)s") % {"reason": reason}


def sources_of(questions: Iterable[QuestionRule]) -> set[int]:
    """The questions others depend on: their values must be loaded."""
    return {rule.source for question in questions for rule in question.rules}


# --- Conditions as the admin edits them --------------------------------------------------------


def operands_of(operator: str, value: str) -> list[str]:
    """A condition's value as a list: several, separated by commas, for “is one of”."""
    parts = value.split(",") if operator == ONE_OF else [value]
    return [part.strip() for part in parts if part.strip()]


def question_position(question: Question) -> tuple:
    """Where a question comes in its version (the order of `version_sections`). One not saved
    yet (the admin's add page) comes after the saved ones of its section and order."""
    return (
        question.section.order,
        question.section_id,
        question.order,
        question.pk if question.pk else float("inf"),
    )


def condition_validate(condition: QuestionCondition) -> None:
    """Refuse, with a message naming what is wrong, a condition that could not be evaluated:
    on the question itself, on a later question or one of another version, an operator the
    source's type does not have, or a value it cannot hold."""
    question, source = condition.question, condition.source
    if source is None or not condition.source_id:
        raise ValidationError({"source": _("Choose the earlier question this one depends on.")})
    if question.pk and source.pk == question.pk:
        raise ValidationError({"source": _("A question cannot depend on itself.")})
    if source.section.version_id != question.section.version_id:
        raise ValidationError(
            {"source": _("The earlier question must belong to the same questionnaire version.")}
        )
    if question_position(source) >= question_position(question):
        raise ValidationError(
            {
                "source": _(
                    "%(source)s comes after this question: a question can only depend on an "
                    "earlier one."
                )
                % {"source": question_number(source)}
            }
        )
    kind = source.type_handler
    if condition.operator not in kind.condition_operators:
        if not kind.condition_operators:
            raise ValidationError(
                {
                    "source": _(
                        "%(source)s is a “%(type)s” question: only a choice, yes/no or number "
                        "question can decide whether another is shown."
                    )
                    % {"source": question_number(source), "type": kind.label}
                }
            )
        raise ValidationError(
            {
                "operator": _("A “%(type)s” question cannot be compared with “%(operator)s”.")
                % {"type": kind.label, "operator": operator_label(condition.operator)}
            }
        )
    operands = condition.operands
    if not operands:
        raise ValidationError({"value": _("Give the value the earlier answer must have.")})
    if condition.operator != ONE_OF and len(operands) != 1:
        raise ValidationError({"value": _("Give one value (“is one of” takes several).")})
    allowed = kind.condition_values(source.options or {})
    if allowed is None:
        try:
            [decimal.Decimal(operand) for operand in operands]
        except decimal.InvalidOperation:
            raise ValidationError(
                {"value": _("Give a number, with a point for decimals (1250000.5).")}
            ) from None
        return
    values = [value for value, _label in allowed]
    unknown = [operand for operand in operands if operand not in values]
    if unknown:
        raise ValidationError(
            {
                "value": _("“%(value)s” is not an answer of %(source)s; its answers are: %(list)s.")
                % {
                    "value": unknown[0],
                    "source": question_number(source),
                    "list": ", ".join(values),
                }
            }
        )


def operator_label(operator: str) -> str:
    return str(dict(ConditionOperator.choices).get(operator, operator))


def question_number(question: Question) -> str:
    """ "I.a": how pages number a question."""
    return f"{question.section.number}.{question.label}"


def condition_phrases(question: Question, conditions: Sequence[QuestionCondition]) -> list[str]:
    """Each condition as people read it, in the active language: “I.a is “Yes””."""
    phrases = []
    for condition in conditions:
        source = condition.source
        kind = source.type_handler
        labels = dict(kind.condition_values(source.options or {}) or [])
        shown = [str(labels.get(operand, operand)) for operand in condition.operands]
        table = _MULTIPLE_PHRASES if source.type == "multiple_choice" else _PHRASES
        phrase = table.get(condition.operator, _PHRASES[EQUALS])
        value = ", ".join(f"“{v}”" for v in shown) if condition.operator == ONE_OF else shown[0]
        phrases.append(phrase % {"question": question_number(source), "value": value})
    return phrases


def condition_note(question: Question, conditions: Sequence[QuestionCondition]) -> str:
    """ "Applies only when I.a is “Yes”.": the note beside a conditional question."""
    phrases = condition_phrases(question, conditions)
    if not phrases:
        return ""
    joined = (_(" and ") if question.shown_when != "any" else _(" or ")).join(phrases)
    return _("Applies only when %(conditions)s.") % {"conditions": joined}


def rule_for(question: Question, conditions: Iterable[QuestionCondition]) -> QuestionRule:
    """A question's rule from its model and its conditions."""
    return QuestionRule(
        pk=question.pk,
        section=question.section.number,
        kind=question.type,
        required=question.required,
        mode=question.shown_when,
        rules=tuple(
            Rule(source=c.source_id, operator=c.operator, operands=tuple(c.operands))
            for c in conditions
        ),
    )
