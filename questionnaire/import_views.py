"""Importing answers from a Word document: upload, preview, confirm (docs/word.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from . import permissions, selectors, services
from .forms import WordImportForm
from .permissions import Action
from .selectors.word_import import CONFLICT, TAKE


@login_required
@require_http_methods(["GET", "POST"])
def submission_import(request, pk: int):
    """Upload a filled Word document; it is read and shown as a preview, nothing written."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    permissions.require(request.user, Action.EDIT_ANSWERS, submission)
    form = WordImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document_import = services.document_import_read(
                submission=submission, file=upload, name=upload.name, user=request.user
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("submission_import_preview", pk=pk, import_pk=document_import.pk)
    return render(
        request,
        "questionnaire/word/import.html",
        {"submission": submission, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_import_preview(request, pk: int, import_pk: int):
    """Per question: the portal's answer, the document's, the difference and a checkbox (or,
    for a conflict, a choice); confirming writes the chosen ones as revisions of kind
    "import"."""
    submission = selectors.submission_get(user=request.user, pk=pk)
    document_import = selectors.document_import_get(
        user=request.user, submission=submission, pk=import_pk
    )
    preview = selectors.document_import_preview(document_import=document_import)
    errors: list[str] = []
    changed_keys: set[str] = set()
    if request.method == "POST" and document_import.confirmed_at is None:
        take, errors = _chosen(request.POST, preview)
        if not errors:
            try:
                saved = services.document_import_confirm(
                    document_import=document_import, user=request.user, take=take
                )
            except services.ImportConflicts as conflicts:
                errors = conflicts.messages
                changed_keys = set(conflicts.keys)
                preview = selectors.document_import_preview(document_import=document_import)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s answer was imported from %(file)s.",
                        "%(count)s answers were imported from %(file)s.",
                        len(saved),
                    )
                    % {"count": len(saved), "file": document_import.file_name},
                )
                return redirect(reverse("submission_detail", args=[pk]))
    _form_state(request.POST if errors else None, preview)
    return render(
        request,
        "questionnaire/word/preview.html",
        {
            "submission": submission,
            "preview": preview,
            "document_import": document_import,
            "errors": errors,
            "changed_keys": changed_keys,
        },
        status=400 if errors else 200,
    )


def _chosen(data, preview) -> tuple[dict[str, int], list[str]]:
    """The answers the form chose, each with the revision its preview showed; a conflict left
    without a choice is an error (nothing is guessed)."""
    take: dict[str, int] = {}
    undecided = []
    for item in preview.items:
        key = item.question.key
        try:
            base = int(data.get(f"base-{key}", ""))
        except ValueError:
            base = None
        if item.state == TAKE and data.get(f"take-{key}"):
            take[key] = base if base is not None else item.base_revision
        elif item.state == CONFLICT:
            choice = data.get(f"choice-{key}")
            if choice == "document":
                take[key] = base if base is not None else item.base_revision
            elif choice != "portal":
                undecided.append(f"{item.question.section.number}.{item.question.label}")
    if undecided:
        return take, [
            _("Choose which answer to keep for %(questions)s.")
            % {"questions": ", ".join(undecided)}
        ]
    if not take:
        return take, [_("No answer is ticked: tick the answers to import.")]
    return take, []


def _form_state(posted, preview) -> None:
    """As posted when the form comes back with an error (else as the preview proposes: ticked
    where the document changed an answer, conflicts not chosen)."""
    if posted is None:
        return
    for item in preview.items:
        item.checked = bool(posted.get(f"take-{item.question.key}"))
        item.choice = posted.get(f"choice-{item.question.key}", "")
