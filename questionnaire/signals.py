"""Signals other apps listen to, so that the questionnaire never imports them.

`submission_published` is sent inside the transaction that publishes a submission (any actor,
the system's replayed moves included); a receiver that starts work elsewhere defers it with
`transaction.on_commit`, so a rolled-back publication starts nothing. The reports app renders the
review's public PDFs (`reports.public_pdf`).
"""

from django.dispatch import Signal

# Arguments: submission (the Submission, already saved as published).
submission_published = Signal()
