"""A questionnaire with a conditional question and one that allows "Not applicable", answered:
what the tests of every output (pages, exports, PDFs, the compilation) start from."""

from __future__ import annotations

from dataclasses import dataclass

from questionnaire import services
from questionnaire.models import Question, QuestionCondition, QuestionType, Submission

from . import factories

BODY_NAME = "The Higher Committee for Migration"
REASON = "No such body in our country"
OTHER_TEXT = "Ministry of Labour"


@dataclass
class Conditional:
    submission: Submission
    has_body: Question  # yes/no
    body_name: Question  # shown only when has_body is "yes"
    consulted: Question  # allows "Not applicable"; answered so, with REASON
    other: Question  # always shown, answered OTHER_TEXT

    def answer_has_body(self, answer: str) -> None:
        """Set the yes/no source: "no" hides `body_name` (its answer is kept), "yes" shows it."""
        services.answer_save(
            submission=self.submission, question=self.has_body, value={"answer": answer}
        )


def conditional_version(prefix: str = "c"):
    """A published version: I.a has a body? (yes/no), I.b its name (only when I.a is "yes"),
    I.c consulted whom (may be "Not applicable"), I.d the lead ministry."""
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, number="I", title="Bodies", order=1)
    has_body = factories.QuestionFactory(
        section=section,
        key=f"{prefix}-has-body",
        label="a",
        text="Is there a national body on migration?",
        type=QuestionType.YES_NO,
        order=1,
    )
    body_name = factories.QuestionFactory(
        section=section,
        key=f"{prefix}-body-name",
        label="b",
        text="What is the body called?",
        type=QuestionType.SHORT_TEXT,
        order=2,
    )
    QuestionCondition.objects.create(
        question=body_name, source=has_body, operator="equals", value="yes"
    )
    factories.QuestionFactory(
        section=section,
        key=f"{prefix}-consulted",
        label="c",
        text="Which body was consulted?",
        type=QuestionType.SHORT_TEXT,
        allows_not_applicable=True,
        order=3,
    )
    factories.QuestionFactory(
        section=section,
        key=f"{prefix}-other",
        label="d",
        text="Which ministry leads?",
        type=QuestionType.SHORT_TEXT,
        order=4,
    )
    return services.questionnaire_version_publish(version=version)


def conditional_submission(*, country, cycle=None, version=None, prefix: str = "c") -> Conditional:
    """`country`'s submission with every question answered: I.a "yes", I.b BODY_NAME, I.c "Not
    applicable" (REASON, over a kept value), I.d OTHER_TEXT. A draft, unless the caller moves it."""
    if cycle is None:
        cycle = factories.CycleFactory(version=version or conditional_version(prefix))
    cycle.countries.add(country)
    submission = services.submission_create(cycle=cycle, country=country)
    questions = {q.key.removeprefix(f"{prefix}-"): q for q in cycle.version.questions.all()}
    data = Conditional(
        submission=submission,
        has_body=questions["has-body"],
        body_name=questions["body-name"],
        consulted=questions["consulted"],
        other=questions["other"],
    )
    data.answer_has_body("yes")
    services.answer_save(submission=submission, question=data.body_name, value=BODY_NAME)
    services.answer_save(
        submission=submission,
        question=data.consulted,
        value="A value kept while not applicable",
        not_applicable_reason=REASON,
    )
    services.answer_save(submission=submission, question=data.other, value=OTHER_TEXT)
    return data
