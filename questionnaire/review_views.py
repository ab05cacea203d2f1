"""ESCWA's review: the review page, the decisions (return, accept, publish) and comment threads.

Every decision has a confirmation page (GET) whose form posts the move; the move itself is
`services.submission_transition`, so the workflow table and the permission module decide, and a
refused move changes nothing and says why. Comments go through `services.comment_add` and
`services.comment_resolve`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import permissions, selectors, services
from .models import SubmissionStatus

S = SubmissionStatus
MOVE_MESSAGE_MAX_LENGTH = 5000


class MoveForm(forms.Form):
    """A review decision; returning needs a message saying what to change."""

    message = forms.CharField(
        label=gettext_lazy("Message to the country"),
        required=False,
        max_length=MOVE_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, to_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_status = to_status
        field = self.fields["message"]
        if to_status == S.RETURNED:
            field.required = True
            field.label = gettext_lazy("What should the country change?")
            field.help_text = gettext_lazy(
                "The country's focal points and contributors see this message on their "
                "answering pages and receive it by e-mail."
            )
            field.error_messages["required"] = gettext_lazy("Say what the country should change.")
        else:
            field.help_text = gettext_lazy("Optional. Kept in the submission's timeline.")


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=services.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write a comment first.")},
    )


# Said once the decision is recorded (translated when used).
DONE_MESSAGES = {
    S.RETURNED: gettext_lazy(
        "%(country)s's submission was returned for revision. Its team has been told what to change."
    ),
    S.ACCEPTED: gettext_lazy("%(country)s's submission was accepted."),
    S.PUBLISHED: gettext_lazy("%(country)s's submission was published."),
}


# Where a comment form sends the user back to; anything else means the submission page.
RETURN_PAGES = {"review": "submission_review", "detail": "submission_detail"}


def _back(request, pk: int, key: str = "") -> str:
    page = RETURN_PAGES.get(request.POST.get("return_to", ""), "submission_detail")
    return reverse(page, args=[pk]) + (f"#thread-{key}" if key else "")


@login_required
@require_GET
def submission_review(request, pk: int):
    """The review page: answers, what changed since the previous submission, comment threads,
    the decisions open to the reviewer, and the timeline."""
    page = selectors.review_page(user=request.user, pk=pk)
    return render(
        request,
        "questionnaire/review/review.html",
        {
            "page": page,
            "submission": page.submission,
            "activity": page.activity,
            "sections": page.sections,
            "objectives": page.objectives,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_move(request, pk: int, move: str):
    """Confirm, then make a review decision. GET shows what will happen; POST does it."""
    to_status = selectors.REVIEW_MOVES.get(move)
    if to_status is None:
        raise Http404
    submission = selectors.submission_get(user=request.user, pk=pk)
    # The country's own team may see the submission but takes no review decision.
    permissions.require(request.user, selectors.review_move_action(to_status=to_status), submission)
    allowed = any(
        m.to_status == to_status
        for m in selectors.submission_moves(user=request.user, submission=submission)
    )
    form = MoveForm(request.POST if request.method == "POST" else None, to_status=to_status)
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submission_transition(
                    submission=submission,
                    to_status=to_status,
                    user=request.user,
                    message=form.cleaned_data["message"],
                )
            except PermissionDenied:
                error, status = _("You are not allowed to take this decision."), 403
            except ValidationError as exc:  # TransitionError: the move is not (or no longer) open
                error, status = " ".join(exc.messages), 400
            else:
                messages.success(
                    request,
                    str(DONE_MESSAGES[to_status]) % {"country": submission.country.name},
                )
                return redirect("submission_review", pk=pk)
            # The move may have become impossible meanwhile (a colleague decided first).
            submission.refresh_from_db()
            allowed = False
        else:
            status = 400
    return render(
        request,
        "questionnaire/review/move_confirm.html",
        {
            "submission": submission,
            "move": move,
            "to_status": to_status,
            "to_label": S(to_status).label,
            "allowed": allowed,
            "form": form,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def comment_add(request, pk: int):
    """Add a comment to one question's thread, then go back to where it was written."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    question = selectors.submission_question(submission=submission, key=request.POST.get("key", ""))
    form = CommentForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.comment_add(
                submission=submission,
                question=question,
                user=request.user,
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(_back(request, pk, question.key))
    else:
        error = " ".join(form.errors.get("body", []))
    # Nothing was stored: show the text again rather than lose it.
    return render(
        request,
        "questionnaire/review/comment_error.html",
        {
            "submission": submission,
            "question": question,
            "form": form,
            "error": error,
            "return_to": request.POST.get("return_to", ""),
            "back_url": _back(request, pk, question.key),
            "comment_max_length": services.COMMENT_MAX_LENGTH,
        },
        status=400,
    )


@login_required
@require_POST
def comment_resolve(request, pk: int, comment_id: int):
    comment = selectors.comment_get(user=request.user, pk=pk, comment_id=comment_id)
    services.comment_resolve(comment=comment, user=request.user)
    messages.success(request, _("The comment was marked as resolved."))
    return redirect(_back(request, pk, comment.question.key))
