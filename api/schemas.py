"""The shapes of the API's answers: what the OpenAPI schema documents and every response is
checked against. Texts a questionnaire holds in three languages come as {"en", "fr", "ar"},
null where a translation is missing (the portal then shows the English)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class Texts(Schema):
    en: str | None
    fr: str | None
    ar: str | None


class Licence(Schema):
    name: str
    url: str
    attribution: str


class ChangelogEntry(Schema):
    version: str
    date: str
    changes: list[str]


class Index(Schema):
    api_version: str
    schema_version: str
    links: dict[str, str]
    licence: Licence
    changelog: list[ChangelogEntry]
    authenticated: bool


class Error(Schema):
    detail: str


class CycleOut(Schema):
    slug: str
    name: Texts
    opens_on: date
    deadline: date
    is_closed: bool
    questionnaire_version: int
    links: dict[str, str]


class CyclePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[CycleOut]


class QuestionOut(Schema):
    key: str
    label: str
    number: str
    type: str
    required: bool
    allows_not_applicable: bool
    text: Texts
    help_text: Texts
    options: dict


class SectionOut(Schema):
    number: str
    title: Texts
    intro: Texts
    questions: list[QuestionOut]


class VersionSummary(Schema):
    id: int
    questionnaire: str
    number: int
    title: Texts
    status: str
    published_at: datetime | None
    official_translations: bool
    links: dict[str, str]


class VersionPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[VersionSummary]


class VersionOut(VersionSummary):
    sections: list[SectionOut]


class ObjectiveOut(Schema):
    number: int
    title: Texts
    short_label: Texts


class ObjectiveList(Schema):
    count: int
    items: list[ObjectiveOut]


class CountryOut(Schema):
    iso2: str
    iso3: str
    name: Texts


class SubmissionOut(Schema):
    id: int
    cycle: str
    country: CountryOut
    language: str
    status: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    published_at: datetime | None
    links: dict[str, str]


class SubmissionPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[SubmissionOut]


class AnswerOut(Schema):
    key: str
    number: str
    section: str
    type: str
    answered: bool
    not_applicable_reason: str
    html: str
    text: str
    value: object | None


class AnswerList(Schema):
    submission: int
    language: str
    count: int
    items: list[AnswerOut]


class ObjectiveStatus(Schema):
    question_key: str
    objective: int
    status: str | None
    status_label: str
    note: str


class ObjectiveStatusList(Schema):
    submission: int
    scale: dict[str, list[dict]]
    count: int
    items: list[ObjectiveStatus]
