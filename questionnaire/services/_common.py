"""Helpers every service shares: the text people type, back-dated imports, the submission's row
lock."""

from __future__ import annotations

from .. import richtext
from ..models import (
    Submission,
)


def _plain_text(text: str | None) -> str:
    """What a user typed into a plain-text field (a name, a description, a message), without the
    characters `richtext.strip_control_characters` removes from every answer, and trimmed."""
    return richtext.strip_control_characters(text or "").strip()


def _check_backdating(user, at) -> None:
    # History written by people is always "now"; only imports may carry their original dates.
    if at is not None and user is not None:
        raise ValueError("Only system imports may set the time of a change.")


def _submission_locked(submission: Submission) -> Submission:
    """The submission's row read afresh and locked until the caller's transaction ends.

    Every write to a submission's content (answers, documents) starts with this, and so does
    `submission_transition`: a save and a submit then happen one after the other, never
    interleaved. Whichever comes second sees the other's outcome: a save that arrives during a
    submit waits, then finds the submission submitted and is refused; a submit that arrives during
    a save counts the saved answer (an emptied required answer stops it). The permission check
    must be made on the row returned, not on the object the caller read before the transaction.
    Only this row is locked (`of`), not its cycle: other countries' saves go on.
    """
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("cycle")
        .get(pk=submission.pk)
    )
