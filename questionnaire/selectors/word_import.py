"""The preview of a Word document's answers before they are imported (docs/word.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import permissions
from ..models import Answer, AnswerRevision, DocumentImport, Question, Submission
from ..permissions import Action
from ..textdiff import diff_lines
from ..word import reader
from ..word.format import KIND_QUESTIONNAIRE, Origin
from .changes import answer_text
from .versions import objectives_shown_by

TAKE = "take"  # the document's answer replaces the portal's
CONFLICT = "conflict"  # both changed since the export: the person chooses
SAME = "same"  # the document says what the portal already holds
STALE = "stale"  # the document kept an answer the portal changed since: not proposed
BLANK = "blank"  # the document's cell is empty: the portal's answer is kept
PROBLEM = "problem"  # the cell could not be read as an answer to its question


@dataclasses.dataclass
class ImportItem:
    question: Question
    how: str  # matching.BY_KEY, BY_LABEL or BY_TEXT
    state: str  # TAKE, CONFLICT, SAME, STALE or PROBLEM
    current: Answer | None
    value: Any = None
    reason: str = ""  # "not applicable" reason read
    problem: str = ""
    text: str = ""  # the cell's text, when it could not be read
    lines: list = dataclasses.field(default_factory=list)  # the word diff, current → imported
    # The form's state: the box ticked, the conflict's choice ("portal" or "document").
    checked: bool = False
    choice: str = ""

    @property
    def base_revision(self) -> int:
        return self.current.revision if self.current else 0


@dataclasses.dataclass
class ImportPreview:
    document_import: DocumentImport
    items: list[ImportItem]
    unmatched: list[Question]
    unplaced: list[dict]
    warnings: list[str]  # where the document came from, said plainly
    notes: list[str]  # what was left out or read otherwise
    objectives: list  # the GCM objectives, when an answer shown is the objectives grid

    @property
    def proposed(self) -> list[ImportItem]:
        return [item for item in self.items if item.state in (TAKE, CONFLICT)]

    @property
    def same(self) -> list[ImportItem]:
        return [item for item in self.items if item.state == SAME]

    @property
    def others(self) -> list[ImportItem]:
        """Not proposed, each for its own reason: left blank, older than the portal's, or
        unreadable (the answers the same as the portal's are only counted: `same`)."""
        return [item for item in self.items if item.state not in (TAKE, CONFLICT, SAME)]


def document_import_get(*, user, submission: Submission, pk: int) -> DocumentImport:
    """An import of `submission` that `user` may confirm, or 404."""
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    return get_object_or_404(DocumentImport, submission=submission, pk=pk)


def document_import_preview(*, document_import: DocumentImport) -> ImportPreview:
    """Each question the document answers, with the portal's answer, the document's and how
    they differ; what could not be matched or placed; what the document's origin means. Four
    queries, five when an answer is the objectives grid."""
    submission = document_import.submission
    questions = {
        question.pk: question
        for question in Question.objects.filter(version=submission.cycle.version_id)
        .select_related("section")
        .order_by("section__order", "order")
    }
    answers = {
        answer.question_id: answer for answer in Answer.objects.filter(submission=submission)
    }
    origin = Origin.from_data(document_import.origin)
    from_here = origin is not None and origin.submission_id == submission.pk
    exported = origin.revisions() if from_here else {}
    # The value each answer had when the document was written, to tell what the document
    # changed from what the portal changed since.
    wanted = [
        (answers[pk].pk, exported[q.key])
        for pk, q in questions.items()
        if pk in answers and exported.get(q.key)
    ]
    then: dict[int, tuple[Any, str]] = {}
    if wanted:
        revisions = AnswerRevision.objects.filter(
            answer_id__in=[answer for answer, _revision in wanted],
            revision__in={revision for _answer, revision in wanted},
        ).values_list("answer_id", "revision", "value", "not_applicable_reason")
        wanted_set = set(wanted)
        then = {
            answer: (value, reason)
            for answer, revision, value, reason in revisions
            if (answer, revision) in wanted_set
        }
    items = []
    for data in document_import.items:
        question = questions.get(data["question"])
        if question is None:
            continue  # the version lost the question since: nothing to import into
        current = answers.get(question.pk)
        item = ImportItem(question=question, how=data["how"], state=TAKE, current=current)
        if "problem" in data:
            item.state, item.problem, item.text = PROBLEM, data["problem"], data.get("text", "")
            items.append(item)
            continue
        item.value, item.reason = data.get("value"), data.get("reason", "")
        now_value = current.value if current else None
        now_reason = current.not_applicable_reason if current else ""
        before = answer_text(question, now_value, now_reason)
        after = answer_text(question, item.value, item.reason)
        if (item.value, item.reason) == (now_value, now_reason) or before == after:
            item.state = SAME
        elif not after:
            item.state = BLANK
        elif current and question.key in exported and current.revision > exported[question.key]:
            kept = then.get(current.pk, (None, ""))
            item.state = STALE if answer_text(question, *kept) == after else CONFLICT
        item.lines = diff_lines(before, after) if item.state not in (SAME, BLANK) else []
        item.checked = item.state == TAKE
        items.append(item)
    unmatched = [questions[pk] for pk in document_import.unmatched if pk in questions]
    return ImportPreview(
        document_import=document_import,
        items=items,
        unmatched=unmatched,
        unplaced=document_import.unplaced,
        warnings=_warnings(origin, submission, answers.values(), questions),
        notes=[_note(note) for note in document_import.notes],
        objectives=objectives_shown_by(item.question for item in items),
    )


def _warnings(origin: Origin | None, submission: Submission, answers, questions) -> list[str]:
    if origin is None:
        return [
            _(
                "This document does not say where it came from (it was not downloaded from "
                "the portal, or its hidden part was removed): its answers were matched by "
                "section, letter and question text. Check each one."
            )
        ]
    warnings = []
    version = submission.cycle.version
    if origin.version_id != version.pk:
        warnings.append(
            _(
                "This document was written for another version of the questionnaire "
                "(version %(theirs)s; this submission answers version %(ours)s). Questions "
                "were matched by their keys; those the versions do not share are listed below."
            )
            % {"theirs": origin.version_number or "?", "ours": version.number}
        )
    if origin.kind == KIND_QUESTIONNAIRE:
        warnings.append(_("This document is the blank questionnaire, filled in."))
    elif origin.submission_id != submission.pk:
        if origin.country and origin.country != submission.country.iso2:
            warnings.append(
                _(
                    "This document holds the answers of another country (%(country)s), not "
                    "those of %(ours)s."
                )
                % {"country": origin.country, "ours": submission.country.name}
            )
        else:
            warnings.append(_("This document was downloaded from another submission."))
    else:
        revisions = origin.revisions()
        newer = sum(
            1
            for answer in answers
            if answer.question_id in questions
            and answer.revision > revisions.get(questions[answer.question_id].key, 0)
        )
        if newer:
            warnings.append(
                ngettext(
                    "This document was downloaded on %(date)s; %(count)s answer has been "
                    "changed in the portal since. Where the document changed it too, choose "
                    "which to keep.",
                    "This document was downloaded on %(date)s; %(count)s answers have been "
                    "changed in the portal since. Where the document changed them too, choose "
                    "which to keep.",
                    newer,
                )
                % {"date": origin.exported_at[:10], "count": newer}
            )
    return warnings


def _note(note: dict) -> str:
    count = note.get("count", 0)
    if note.get("code") == reader.NOTE_IMAGES:
        return ngettext(
            "%(count)s picture was left out: answers hold text only. Attach it as a "
            "supporting document if it matters.",
            "%(count)s pictures were left out: answers hold text only. Attach them as a "
            "supporting document if they matter.",
            count,
        ) % {"count": count}
    if note.get("code") == reader.NOTE_COMMENTS:
        return ngettext(
            "%(count)s comment in the margin was left out.",
            "%(count)s comments in the margin were left out.",
            count,
        ) % {"count": count}
    return _(
        "The document has tracked changes: they were read as if accepted (insertions kept, "
        "deletions left out)."
    )
