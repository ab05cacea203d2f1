"""The submission workflow, as data: which moves exist, who may make them, what must come with
them, and the words each review decision uses.

`services.submission_transition` applies the table; pages read it (through
`submission_moves`) to offer only the decisions the user may take now. The status groups the
rest of the code asks about ("may the country still edit?", "has it been sent?") are named once,
beside `SubmissionStatus`, in `models/submissions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from . import permissions
from .models import Submission, SubmissionStatus
from .permissions import Action

S = SubmissionStatus

# The workflow, as data: (from, to) → the action the user needs. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], Action] = {
    (S.DRAFT, S.SUBMITTED): Action.SUBMIT,
    (S.SUBMITTED, S.RETURNED): Action.REVIEW,
    (S.RETURNED, S.SUBMITTED): Action.SUBMIT,
    (S.SUBMITTED, S.ACCEPTED): Action.REVIEW,
    (S.ACCEPTED, S.PUBLISHED): Action.PUBLISH,
}
# Moves that must say why (the country needs to know what to change).
TRANSITIONS_NEEDING_MESSAGE = frozenset({(S.SUBMITTED, S.RETURNED)})

# Whose unsent comments a move's e-mail carries: the country's (False) or ESCWA's (True).
COMMENTS_SENT_WITH = {S.SUBMITTED: False, S.RETURNED: True, S.ACCEPTED: True, S.PUBLISHED: True}


@dataclass(frozen=True)
class ReviewDecision:
    """A review decision as ESCWA's pages word it: the link that offers it, the confirmation
    page's question, what happens, its button, and what is said once it is recorded."""

    slug: str  # the word its URL uses
    to_status: str
    link: str
    title: str
    question: str  # with %(country)s
    explanation: str
    button: str
    done: str  # with %(country)s

    def wording(self, *, country: str) -> dict[str, SafeString]:
        """The texts in the current language for a page, as `{% blocktranslate %}` would give
        them: our own wording is not escaped, the country's name is."""
        # The catalogues are ours (as trusted as the templates); only the name is data.
        return {
            name: mark_safe(  # noqa: S308  # nosec
                str(getattr(self, name)) % {"country": conditional_escape(country)}
            )
            for name in ("link", "title", "question", "explanation", "button", "done")
        }


REVIEW_DECISIONS: dict[str, ReviewDecision] = {
    decision.slug: decision
    for decision in (
        ReviewDecision(
            slug="return",
            to_status=S.RETURNED,
            link=gettext_lazy("Return for revision…"),
            title=gettext_lazy("Return for revision"),
            question=gettext_lazy("Return %(country)s's answers for revision?"),
            explanation=gettext_lazy(
                "The answers go back to the country's team, who can change them and submit them "
                "again. Your message is shown on their answering pages and sent to the focal "
                "points and contributors by e-mail."
            ),
            button=gettext_lazy("Return for revision"),
            done=gettext_lazy(
                "%(country)s's submission was returned for revision. Its team has been told what "
                "to change."
            ),
        ),
        ReviewDecision(
            slug="accept",
            to_status=S.ACCEPTED,
            link=gettext_lazy("Accept…"),
            title=gettext_lazy("Accept"),
            question=gettext_lazy("Accept %(country)s's answers?"),
            explanation=gettext_lazy(
                "The answers become final: the country can no longer change them. The focal "
                "points and contributors are told by e-mail. Accepted answers can then be "
                "published, once the country agrees."
            ),
            button=gettext_lazy("Accept the answers"),
            done=gettext_lazy("%(country)s's submission was accepted."),
        ),
        ReviewDecision(
            slug="publish",
            to_status=S.PUBLISHED,
            link=gettext_lazy("Publish…"),
            title=gettext_lazy("Publish"),
            question=gettext_lazy("Publish %(country)s's answers?"),
            explanation=gettext_lazy(
                "Publishing shows the accepted answers, with their PDF, on the portal's public "
                "pages, as the country agreed. It cannot be undone. The focal points and "
                "contributors are told by e-mail."
            ),
            button=gettext_lazy("Publish the answers"),
            done=gettext_lazy("%(country)s's submission was published."),
        ),
    )
}


@dataclass(frozen=True)
class WorkflowMove:
    slug: str  # a key of REVIEW_DECISIONS
    to_status: str

    @property
    def decision(self) -> ReviewDecision:
        return REVIEW_DECISIONS[self.slug]


def submission_moves(*, user, submission: Submission) -> list[WorkflowMove]:
    """The review decisions (return, accept, publish) the user may take on the submission in its
    present status, in the order of the workflow table. No query."""
    slugs = {decision.to_status: slug for slug, decision in REVIEW_DECISIONS.items()}
    return [
        WorkflowMove(slug=slugs[to], to_status=to)
        for (frm, to), action in TRANSITIONS.items()
        if frm == submission.status and to in slugs and permissions.can(user, action, submission)
    ]


def review_move_action(*, to_status: str) -> Action:
    """The permission a review decision needs, whatever the status it starts from."""
    return next(action for (_frm, to), action in TRANSITIONS.items() if to == to_status)
