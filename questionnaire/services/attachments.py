"""Supporting documents: checked by size and content before they are stored."""

from __future__ import annotations

import decimal
import hashlib
import logging
import os
import re
import unicodedata
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from gcmreview import formatting

from .. import filetypes, permissions
from ..models import (
    Attachment,
    Submission,
)
from ..permissions import Action
from ._common import _plain_text, _submission_locked

logger = logging.getLogger(__name__)


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def attachment_add(
    *, submission: Submission, file: IO[bytes], name: str, user, description: str = ""
) -> Attachment:
    """Store a supporting document after checking its size and, by content, its type.

    The file is checked before the submission's row is locked (a large document takes a moment
    to check, and saves of the same submission would wait); whether the user may still add it is
    checked again on the locked row, so that no document lands after a submit.
    """
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    check_size(size)
    try:
        kind = filetypes.check(file)
    except filetypes.Refused as refused:
        logger.info("Document refused (%s): %s", refused.reason, refused.detail or "-")
        raise ValidationError(refusal_message(refused.reason), code=refused.reason) from None
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    submission = _submission_locked(submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    attachment = Attachment(
        submission=submission,
        original_name=_display_name(name, kind),
        kind=kind,
        size=size,
        sha256=digest.hexdigest(),
        description=_plain_text(description)[:300],
        uploaded_by=user,
    )
    attachment.file.save("upload", File(file), save=False)
    attachment.save()
    return attachment


def check_size(size: int) -> None:
    """Refuse an empty file, or one over ATTACHMENT_MAX_BYTES (documents and Word imports)."""
    if size > ATTACHMENT_MAX_BYTES:
        megabytes = decimal.Decimal(size / 1024 / 1024).quantize(decimal.Decimal("0.1"))
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": formatting.number_text(megabytes),
                "limit": formatting.number_text(ATTACHMENT_MAX_BYTES // 1024 // 1024),
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")


def refusal_message(reason: str) -> str:
    """What the person uploading is told about a document `filetypes` refused, and what to do."""
    messages = {
        filetypes.NOT_A_DOCUMENT: _(
            "This file is not a PDF, Word (DOCX), Excel (XLSX) or OpenDocument (ODT) document."
        ),
        filetypes.DAMAGED: _(
            "This file is damaged: it cannot be read as a Word, Excel or OpenDocument document."
        ),
        filetypes.TOO_COMPLEX: _(
            "This document is too large or too complex to be checked. Save it again (for "
            "example with smaller pictures) or split it, and upload it again."
        ),
        filetypes.ACTIVE_CONTENT: _(
            "This document contains macros or active content, which the portal does not "
            "accept. Save it without macros (as .docx, .xlsx or .odt) and upload it again."
        ),
        filetypes.PDF_DAMAGED: _("This file is damaged or is not really a PDF."),
        filetypes.PDF_ENCRYPTED: _(
            "This PDF is encrypted or protected by a password. Save a copy without the "
            "protection and upload it again."
        ),
        filetypes.PDF_ACTIVE_CONTENT: _(
            "This PDF contains scripts, automatic actions or embedded files, which the portal "
            "does not accept. Save or print it again as a plain PDF and upload that."
        ),
    }
    return messages[reason]


def _display_name(name: str, kind: str) -> str:
    """A safe name to show and to offer on download: no path, no control characters, and the
    extension of what the file really is (so "report.pdf.exe" cannot pass as anything else)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base).strip(" .") or "document"
    return f"{stem[:200]}.{kind}"


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user) -> None:
    """Remove a supporting document while the submission is open for changes (checked on its
    locked row, so that no document disappears after a submit)."""
    submission = _submission_locked(attachment.submission)
    permissions.require(user, Action.EDIT_ANSWERS, submission)
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))
