"""Questionnaire versions as pages show them: their sections and questions, what changed between two
versions, what is not translated yet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.utils.translation import gettext

from .. import i18n
from ..conditions import ONE_OF, condition_note
from ..models import (
    Objective,
    Question,
    QuestionCondition,
    Questionnaire,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)

if TYPE_CHECKING:
    from .answering import SectionAnswers


def version_sections(*, version: QuestionnaireVersion) -> list[Section]:
    """Sections of a version in order, each with `.question_list` in order. Two queries."""
    return list(
        Section.objects.filter(version=version)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "pk"),
                to_attr="question_list",
            )
        )
    )


def version_preview_sections(*, version: QuestionnaireVersion) -> list[Section]:
    """`version_sections`, each question with `condition_note` ("Applies only when I.a is
    “Yes”.", empty when always shown), for the version's preview. Three queries."""
    sections = version_sections(version=version)
    conditions = version_conditions(
        version_id=version.pk, questions={q.pk: q for s in sections for q in s.question_list}
    )
    for section in sections:
        for question in section.question_list:
            question.condition_note = condition_note(question, conditions.get(question.pk, []))
    return sections


def version_conditions(
    *, version_id: int, questions: dict[int, Question] | None = None
) -> dict[int, list[QuestionCondition]]:
    """question id → its conditions, in order. One query. Each condition's earlier question is
    taken from `questions` (the version's, by id, already loaded with their sections) when given,
    else loaded with it."""
    found: dict[int, list[QuestionCondition]] = {}
    conditions = QuestionCondition.objects.filter(question__version=version_id).order_by(
        "order", "pk"
    )
    if questions is None:
        conditions = conditions.select_related("source__section")
    for condition in conditions:
        if questions is not None:
            condition.source = questions[condition.source_id]
        found.setdefault(condition.question_id, []).append(condition)
    return found


def question_dependents(*, questions) -> list[QuestionCondition]:
    """The conditions of other questions on `questions` (a queryset or a list): what keeps them
    from being deleted on their own. The deleted questions' own conditions do not count."""
    pks = [q.pk for q in questions] if isinstance(questions, list) else questions.values("pk")
    return list(
        QuestionCondition.objects.filter(source__in=pks)
        .exclude(question__in=pks)
        .select_related("question__section", "source__section")
        .order_by("question__section__order", "question__order", "question_id", "order", "pk")
    )


def published_versions() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)


@dataclass
class VersionDiff:
    added: list[Question]
    removed: list[Question]
    changed: list[tuple[Question, Question, list[str]]]
    unchanged: int


COMPARED_FIELDS = (
    "label",
    "text",
    "help_text",
    *i18n.translation_fields("question"),
    "type",
    "required",
    "allows_not_applicable",
    "options",
    # Not a field: whether it is shown (`conditions_compared`).
    "conditions",
)


def conditions_compared(question: Question) -> tuple:
    """What decides whether a question is shown, comparable across versions: its conditions as
    (source key, operator, values) and, with more than one, whether all or any must hold. Needs
    `question.condition_list` (set by `version_compare`)."""
    conditions = tuple(
        (
            c.source.key,
            c.operator,
            tuple(sorted(c.operands) if c.operator == ONE_OF else c.operands),
        )
        for c in question.condition_list
    )
    return (question.shown_when if len(conditions) > 1 else "all", conditions)


def version_compare(*, old: QuestionnaireVersion, new: QuestionnaireVersion) -> VersionDiff:
    """Questions added, removed and changed between two versions, matched by key. Each question
    has `condition_list`, its conditions (`conditions.condition_note` reads them). Four
    queries."""

    def questions(version):
        conditions = version_conditions(version_id=version.pk)
        found = {}
        for q in (
            Question.objects.filter(version=version)
            .select_related("section")
            .order_by("section__order", "order")
        ):
            q.condition_list = conditions.get(q.pk, [])
            found[q.key] = q
        return found

    def compared(question, name):
        if name == "conditions":
            return conditions_compared(question)
        return getattr(question, name)

    before, after = questions(old), questions(new)
    changed = []
    unchanged = 0
    for key in after.keys() & before.keys():
        a, b = before[key], after[key]
        fields = [f for f in COMPARED_FIELDS if compared(a, f) != compared(b, f)]
        if a.section.number != b.section.number:
            fields.insert(0, "section")
        if fields:
            changed.append((a, b, fields))
        else:
            unchanged += 1
    order = list(after)
    changed.sort(key=lambda item: order.index(item[1].key))
    return VersionDiff(
        added=[q for k, q in after.items() if k not in before],
        removed=[q for k, q in before.items() if k not in after],
        changed=changed,
        unchanged=unchanged,
    )


@dataclass
class MissingTranslation:
    """One text of a version (or of the GCM objectives it shows) with no Arabic or French yet."""

    obj: Questionnaire | QuestionnaireVersion | Section | Question | Objective
    where: str  # "Version 2", "Section II", "Question II.c (policy-...)", "Objective 4", …
    language: str  # "ar" or "fr"
    what: str  # "title", "help text", "choice “law”"


@dataclass
class TranslationCompleteness:
    """How much of a version reads in one language: `translated` of `total` texts."""

    language: str  # "ar" or "fr"
    total: int
    translated: int
    missing: list[MissingTranslation]

    @property
    def name(self) -> str:
        return str(i18n.LANGUAGE_NAMES[self.language])

    @property
    def percent(self) -> int:
        """Rounded down, so that 99.9 % never reads as complete."""
        return 100 if not self.total else self.translated * 100 // self.total

    @property
    def is_complete(self) -> bool:
        return not self.missing


@dataclass
class TextHolder:
    """A row that holds texts of a version (the questionnaire, the version, a section, a
    question, an objective), as `version_text_holders` lists them."""

    obj: Questionnaire | QuestionnaireVersion | Section | Question | Objective
    prefix: str  # what the translators' files key its texts by: "section.I", "question.<key>"
    where: str  # "Questionnaire", "Version 2", "Section II", "Question II.c (policy-...)"
    # The questionnaire's title and the objectives belong to every version of the questionnaire.
    shared: bool = False
    # Whether pages print its title: the version's own title, else the questionnaire's
    # (`i18n.version_title`); the other one is still translated, but no reader sees it.
    printed: bool = True


def version_text_holders(*, version: QuestionnaireVersion) -> list[TextHolder]:
    """Every row holding texts of `version`, in the order a reader meets them: the questionnaire
    and the version (their titles), the sections, their questions, and, when the version has an
    objectives grid, the objectives. The one walk of a version's texts: what is untranslated
    (`version_missing_translations`, `version_translation_completeness`) and the translators'
    files (`version_translation_units`) read it. Its texts are the fields `i18n.TRANSLATED_FIELDS`
    names for each row's model. Four queries at most."""
    own_title = not i18n.is_blank(version.title)
    holders = [
        TextHolder(
            obj=version.questionnaire,
            prefix="questionnaire",
            where=str(Questionnaire._meta.verbose_name).capitalize(),
            shared=True,
            printed=not own_title,
        ),
        TextHolder(
            obj=version,
            prefix="version",
            where=gettext("Version %(number)s") % {"number": version.number},
            printed=own_title,
        ),
    ]
    sections = version_sections(version=version)
    for section in sections:
        holders.append(
            TextHolder(
                obj=section,
                prefix=f"section.{section.number}",
                where=gettext("Section %(number)s") % {"number": section.number},
            )
        )
        for question in section.question_list:
            question.section = section  # saving it (an import) reads its section's version
            where = gettext("Question %(number)s.%(label)s (%(key)s)") % {
                "number": section.number,
                "label": question.label,
                "key": question.key,
            }
            holders.append(TextHolder(obj=question, prefix=f"question.{question.key}", where=where))
    for objective in objectives_for(sections=sections):
        holders.append(
            TextHolder(
                obj=objective,
                prefix=f"objective.{objective.number}",
                where=gettext("Objective %(number)s") % {"number": objective.number},
                shared=True,
            )
        )
    return holders


def version_missing_translations(*, version: QuestionnaireVersion) -> list[MissingTranslation]:
    """Every text of the version that has English but no Arabic or French: its title (its own, or
    the questionnaire's when it has none), the sections' titles and introductions, the
    questions' texts, help texts and option labels, and, when the version has an objectives
    grid, the objectives' titles and short labels. Pages fall back to English for each; admins
    see the list. Four queries at most."""
    return [
        MissingTranslation(obj=holder.obj, where=holder.where, language=code, what=what)
        for holder in version_text_holders(version=version)
        if holder.printed
        for code, what in i18n.missing(holder.obj)
    ]


def version_translation_completeness(
    *, version: QuestionnaireVersion
) -> list[TranslationCompleteness]:
    """Per translation language (Arabic, French): how many of the version's texts are translated,
    and which are not, in the order of `version_missing_translations`. Four queries at most."""
    status = {
        code: TranslationCompleteness(language=code, total=0, translated=0, missing=[])
        for code in i18n.TRANSLATION_LANGUAGES
    }
    for holder in version_text_holders(version=version):
        if not holder.printed:
            continue
        obj, where = holder.obj, holder.where
        for what, translated in i18n.texts(obj):
            for code, entry in status.items():
                entry.total += 1
                if code in translated:
                    entry.translated += 1
                else:
                    entry.missing.append(
                        MissingTranslation(obj=obj, where=where, language=code, what=what)
                    )
    return list(status.values())


def objectives_for(*, sections: list[Section] | list[SectionAnswers]) -> list[Objective]:
    """The GCM objectives in order when a question among `sections` shows them (its type's
    `shows_objectives`: the objectives grid).

    At most one query; none when no question needs them.
    """
    return objectives_shown_by(q for section in sections for q in section.question_list)


def objectives_shown_by(questions: Iterable[Question]) -> list[Objective]:
    """The GCM objectives in order when one of `questions` shows them; at most one query."""
    if any(q.type_handler.shows_objectives for q in questions):
        return list(Objective.objects.order_by("number"))
    return []
