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
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import permissions, selectors, services, workflow
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


def _back(request, submission, question=None) -> str:
    """Where a comment form sends the user back to: the answering page it was written on
    (`return_to=answer`), else the submission page; at the question's threads."""
    if question is not None and request.POST.get("return_to") == "answer":
        url = reverse("answer_section", args=[submission.pk, question.section.number])
        return f"{url}#question-{question.key}"
    url = reverse("submission_detail", args=[submission.pk])
    return f"{url}#thread-{question.key}" if question is not None else url


@login_required
@require_GET
def submission_review(request, pk: int):
    """The review page became the submission page with its review tools; links in e-mails sent
    before then still lead there."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    return redirect("submission_detail", pk=submission.pk)


@login_required
@require_http_methods(["GET", "POST"])
def submission_move(request, pk: int, move: str):
    """Confirm, then make a review decision. GET shows what will happen; POST does it."""
    decision = workflow.REVIEW_DECISIONS.get(move)
    if decision is None:
        raise Http404
    to_status = decision.to_status
    submission = selectors.submission_get(user=request.user, pk=pk)
    # The country's own team may see the submission but takes no review decision.
    permissions.require(request.user, workflow.review_move_action(to_status=to_status), submission)
    allowed = any(
        m.to_status == to_status
        for m in workflow.submission_moves(user=request.user, submission=submission)
    )
    # Publishing waits for the country's word; the service refuses it too.
    waiting_for_agreement = (
        allowed
        and to_status == S.PUBLISHED
        and selectors.submission_publication_agreement(submission=submission) is None
    )
    allowed = allowed and not waiting_for_agreement
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
                    str(decision.done) % {"country": submission.country.name},
                )
                return redirect("submission_detail", pk=pk)
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
            "decision": decision.wording(country=submission.country.name),
            "to_status": to_status,
            "to_label": S(to_status).label,
            "allowed": allowed,
            "waiting_for_agreement": waiting_for_agreement,
            "form": form,
            "error": error,
            # Accepting while threads are open is allowed, but said first, with the threads.
            "open_threads": selectors.submission_open_threads(
                submission=submission, user=request.user
            )
            if to_status == S.ACCEPTED
            else [],
        },
        status=status,
    )


@login_required
@require_POST
def comment_add(request, pk: int):
    """Open a thread on one question, or reply to one (`parent`), then go back to where it was
    written."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    question = selectors.submission_question(submission=submission, key=request.POST.get("key", ""))
    parent = None
    if request.POST.get("parent"):
        parent = selectors.comment_get(
            user=request.user, pk=pk, comment_id=_int_or_404(request.POST["parent"])
        )
    form = CommentForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.comment_add(
                submission=submission,
                question=question,
                user=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            delivery = selectors.COMMENT_DELIVERY[permissions.is_reviewer(request.user)]
            messages.success(request, f"{_COMMENT_STORED[bool(parent)]} {delivery}")
            return redirect(_back(request, submission, question))
    else:
        error = " ".join(form.errors.get("body", []))
    # Nothing was stored: show the text again rather than lose it.
    return render(
        request,
        "questionnaire/review/comment_error.html",
        {
            "submission": submission,
            "question": question,
            "parent": parent,
            "form": form,
            "error": error,
            "return_to": request.POST.get("return_to", ""),
            "back_url": _back(request, submission, question),
            "comment_max_length": services.COMMENT_MAX_LENGTH,
        },
        status=400,
    )


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


# Said once a comment is stored, before who receives it, and when (selectors.COMMENT_DELIVERY).
_COMMENT_STORED = {
    False: gettext_lazy("Your comment was added."),
    True: gettext_lazy("Your reply was added."),
}


@login_required
@require_POST
def comment_resolve(request, pk: int, comment_id: int):
    comment = selectors.comment_get(user=request.user, pk=pk, comment_id=comment_id)
    try:
        services.comment_resolve(comment=comment, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The thread was marked as resolved."))
    return redirect(_back(request, comment.submission, comment.question))


@login_required
@require_POST
def comments_send(request, pk: int):
    """E-mail the other side, in one message, the comments this side wrote since its last."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    count = services.comments_send(submission=submission, user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d comment was sent by e-mail.",
                "%(count)d comments were sent by e-mail.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There were no new comments to send."))
    return redirect(_back(request, submission))


@login_required
@require_http_methods(["GET", "POST"])
def publication_agree(request, pk: int):
    """A focal point agrees, for the country, that ESCWA publish its accepted answers. GET asks
    for confirmation; POST records it."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    permissions.require(request.user, permissions.Action.AGREE_TO_PUBLISH, submission)
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            services.submission_publication_agree(submission=submission, user=request.user)
            messages.success(
                request,
                _(
                    "Thank you: ESCWA's reviewers were told that %(country)s agrees to the "
                    "publication of its answers."
                )
                % {"country": submission.country.name},
            )
            return redirect("submission_detail", pk=pk)
        messages.error(request, _("Tick the box to confirm that your country agrees."))
    return render(
        request, "questionnaire/review/publication_agree.html", {"submission": submission}
    )
