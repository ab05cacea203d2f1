"""Answers imported from a Word document (docs/word.md), in two steps: `document_import_read`
reads the file and keeps what it found (no answer changes); the person looks at the preview
(`selectors.document_import_preview`) and `document_import_confirm` writes the answers they
chose, each as a revision of kind "import" pointing at the document."""

from __future__ import annotations

import hashlib
import logging
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..i18n import portal_language
from ..models import Answer, AnswerRevision, DocumentImport, Question, Submission
from ..permissions import Action
from ..word import reader, reading
from ..word.matching import match_rows
from ._common import _submission_locked
from .answers import AnswerConflict, answer_save
from .attachments import ATTACHMENT_MAX_BYTES, _display_name, check_size

logger = logging.getLogger(__name__)
UNPLACED_MAX_CHARACTERS = 2000  # of each piece of text shown as not placed


class ImportConflicts(ValidationError):
    """Answers changed in the portal after the preview was shown: nothing was imported."""

    def __init__(self, keys: list[str]):
        super().__init__(
            _(
                "Some answers were changed in the portal while you were looking at the "
                "preview; nothing was imported. Look at them again below, then confirm."
            ),
            code="changed_meanwhile",
        )
        self.keys = keys


def _questions(submission: Submission) -> list[Question]:
    return list(
        Question.objects.filter(version=submission.cycle.version_id)
        .select_related("section")
        .order_by("section__order", "order")
    )


def document_import_read(
    *, submission: Submission, file: IO[bytes], name: str, user
) -> DocumentImport:
    """Read a Word document for `submission` and keep what it holds for the preview.

    Refuses, with a message and nothing kept, what is not a DOCX the portal may read
    (`reader.DocumentRefused`), an empty document, and a document in which no row matches a
    question of the submission's questionnaire."""
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    file.seek(0, 2)
    check_size(file.tell())  # before reading: its message says how large the file is
    file.seek(0)
    data = file.read(ATTACHMENT_MAX_BYTES + 1)
    document = reader.read_docx(data)
    if document.is_empty:
        raise reader.DocumentRefused(_("The document is empty: it holds no text."), code="empty")
    questions = _questions(submission)
    matching = match_rows(document.rows, questions)
    if not matching.matches:
        raise reader.DocumentRefused(
            _(
                "This document is not this questionnaire: none of its rows is one of the "
                "questions of “%(title)s”. Import a document downloaded from this submission, "
                "or the questionnaire ESCWA sent, with its “Questions | Answers” tables."
            )
            % {"title": submission.cycle.version.display_title},
            code="other_questionnaire",
        )
    origin = document.origin
    language = portal_language(origin.language if origin else None, submission.language)
    current = {
        answer.question_id: answer
        for answer in Answer.objects.filter(submission=submission, question__in=questions)
    }
    types = origin.types() if origin else {}
    items = []
    for match in matching.matches:
        question = match.question
        answer = current.get(question.pk)
        item = {"question": question.pk, "key": question.key, "how": match.how}
        if types.get(question.key, question.type) != question.type:
            # As when answers are carried forward: only into a question of the same type.
            item.update(
                problem=_(
                    "The document asks this question in another form (another version of "
                    "the questionnaire): copy what applies into the answer by hand."
                ),
                text=_row_text(match.row),
            )
            items.append(item)
            continue
        try:
            read = reading.answer_from_cell(
                question,
                match.row.answer_html,
                language=language,
                current=answer.value if answer else None,
            )
        except ValidationError as error:
            item.update(problem=" ".join(error.messages), text=_row_text(match.row))
        else:
            item.update(value=read.value, reason=read.not_applicable_reason)
        items.append(item)
    unplaced = [
        {"question": row.question_text[:300], "text": _row_text(row)} for row in matching.unplaced
    ] + [{"question": "", "text": text[:UNPLACED_MAX_CHARACTERS]} for text in document.loose]
    return DocumentImport.objects.create(
        submission=submission,
        file_name=_display_name(name, "docx"),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        language=language,
        origin=origin.to_data() if origin else {},
        items=items,
        unmatched=[question.pk for question in matching.unmatched],
        unplaced=unplaced,
        notes=document.notes,
        created_by=user,
    )


def _row_text(row: reader.Row) -> str:
    return reader.text_of(reading.fragment(row.answer_html))[:UNPLACED_MAX_CHARACTERS]


@transaction.atomic
def document_import_confirm(
    *, document_import: DocumentImport, user, take: dict[str, int]
) -> list[Answer]:
    """Write the answers chosen from `document_import`: `take` maps each chosen question's key
    to the revision of its answer the preview showed (0: none). All or nothing: when one of
    them has changed since, ImportConflicts names them and nothing is written."""
    submission = _submission_locked(document_import.submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    document_import = DocumentImport.objects.select_for_update().get(pk=document_import.pk)
    if document_import.confirmed_at is not None:
        raise ValidationError(
            _("The answers of this document were imported already."), code="imported"
        )
    items = {item["key"]: item for item in document_import.items if "problem" not in item}
    unknown = set(take) - set(items)
    if unknown:
        raise ValidationError(_("The import request was malformed."), code="malformed")
    questions = {
        question.key: question
        for question in Question.objects.filter(
            version=submission.cycle.version_id, key__in=list(take)
        ).select_related("section")
    }
    saved, conflicts = [], []
    for key, base in take.items():
        item = items[key]
        try:
            with transaction.atomic():
                saved.append(
                    answer_save(
                        submission=submission,
                        question=questions[key],
                        value=item.get("value"),
                        user=user,
                        base_revision=base,
                        kind=AnswerRevision.Kind.IMPORT,
                        not_applicable_reason=item.get("reason", ""),
                        document_import=document_import,
                    )
                )
        except AnswerConflict:
            conflicts.append(key)
    if conflicts:
        raise ImportConflicts(conflicts)
    document_import.confirmed_at = timezone.now()
    document_import.save(update_fields=["confirmed_at"])
    logger.info(
        "Imported %s answers into submission %s from %s",
        len(saved),
        submission.pk,
        document_import.file_name,
    )
    return saved
