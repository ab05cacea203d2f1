"""Two cycles of one questionnaire to compare (issue 18, part 2), built with the factories and
the services: version 1 for the first cycle, version 2 for the second, matched by key.

Version 1: I.a `mechanism` (long text), I.b `kind` (long text; yes/no in version 2), I.c `gone`
(only in version 1), II.a `policies`, II.b `reforms` (long text), III.a `grid` (objectives).
Version 2 adds I.d `fresh`. Each of `countries` countries answers both cycles (accepted then; a
draft now); `only_then` and `only_now` countries answered one cycle only, `draft_then` one
answered the first cycle without being accepted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from questionnaire import services
from questionnaire.models import Question, QuestionType, ReviewCycle, Submission
from tests import factories

GRID_THEN = {
    "1": {"status": "planned", "note": ""},
    "2": {"status": "in_progress", "note": ""},
    "3": {"status": "in_progress", "note": ""},
    "4": {"status": "planned", "note": ""},
}
GRID_NOW = {
    "1": {"status": "in_progress", "note": "Now under way."},
    "2": {"status": "planned", "note": ""},
    "3": {"status": "in_progress", "note": ""},
    "4": {"status": "not_applicable", "note": ""},
}
ANSWERS_THEN = {
    "mechanism": "<p>A national committee meets every month.</p>",
    "kind": "<p>A committee of the ministries.</p>",
    "gone": "<p>An answer to a question no longer asked.</p>",
    "policies": "<p>The strategy of 2014.</p>",
    "reforms": "<p>No reform yet.</p>",
    "grid": GRID_THEN,
}
ANSWERS_NOW = {
    "mechanism": "<p>A national committee meets every week.</p>",
    "kind": {"answer": "yes", "explanation": "<p>A committee of the ministries.</p>"},
    "policies": "<p>The strategy of 2014.</p><p>A new labour migration policy of 2023.</p>",
    "reforms": "<p>No reform yet.</p>",
    "fresh": "<p>A new answer.</p>",
    "grid": GRID_NOW,
}


@dataclass
class World:
    then: ReviewCycle
    now: ReviewCycle
    compared: list = field(default_factory=list)  # the countries that answered both
    submissions_now: list[Submission] = field(default_factory=list)
    others: dict = field(default_factory=dict)  # only_then, only_now, draft_then → country


def _version_1():
    version = factories.VersionFactory()
    first = factories.SectionFactory(version=version, number="I", title="Methodology", order=1)
    second = factories.SectionFactory(version=version, number="II", title="Policy", order=2)
    third = factories.SectionFactory(version=version, number="III", title="Progress", order=3)
    for order, key in enumerate(["mechanism", "kind", "gone"], start=1):
        factories.QuestionFactory(section=first, key=key, label="abc"[order - 1], order=order,
                                  text=f"The {key}?", required=False)  # fmt: skip
    for order, key in enumerate(["policies", "reforms"], start=1):
        factories.QuestionFactory(section=second, key=key, label="ab"[order - 1], order=order,
                                  text=f"The {key}?", required=False)  # fmt: skip
    factories.QuestionFactory(section=third, key="grid", label="a", order=1, required=False,
                              type=QuestionType.OBJECTIVES_GRID, text="Objectives?")  # fmt: skip
    return services.questionnaire_version_publish(version=version)


def _version_2(v1):
    draft = services.questionnaire_version_create_draft(source=v1)
    Question.objects.get(version=draft, key="gone").delete()
    kind = Question.objects.get(version=draft, key="kind")
    kind.type = QuestionType.YES_NO
    kind.save()
    factories.QuestionFactory(section=draft.sections.get(number="I"), key="fresh", label="d",
                              order=9, text="Something new?", required=False)  # fmt: skip
    return services.questionnaire_version_publish(version=draft)


def _answer(cycle, country, answers, status):
    submission = services.submission_create(cycle=cycle, country=country)
    questions = {q.key: q for q in cycle.version.questions.all()}
    for key, value in answers.items():
        services.answer_save(submission=submission, question=questions[key], value=value)
    return factories.set_status(submission, status)


def build(*, countries: int = 1, extras: bool = True) -> World:
    factories.gcm_objectives()
    v1 = _version_1()
    v2 = _version_2(v1)
    today = datetime.date.today()
    then = factories.CycleFactory(version=v1, name="Cycle then",
                                  opens_on=today - datetime.timedelta(days=1500),
                                  deadline=today - datetime.timedelta(days=1300))  # fmt: skip
    now = factories.CycleFactory(version=v2, name="Cycle now")
    world = World(then=then, now=now)
    for _index in range(countries):
        country = factories.CountryFactory()
        then.countries.add(country)
        now.countries.add(country)
        _answer(then, country, ANSWERS_THEN, "accepted")
        world.submissions_now.append(_answer(now, country, ANSWERS_NOW, "draft"))
        world.compared.append(country)
    if extras:
        for name, cycles in (("only_then", [then]), ("only_now", [now]), ("draft_then", [then])):
            country = factories.CountryFactory()
            world.others[name] = country
            for cycle in cycles:
                cycle.countries.add(country)
                status = "draft" if name == "draft_then" or cycle == now else "accepted"
                _answer(cycle, country, ANSWERS_THEN if cycle == then else ANSWERS_NOW, status)
        now.countries.add(world.others["draft_then"])
        _answer(now, world.others["draft_then"], ANSWERS_NOW, "draft")
    return world
