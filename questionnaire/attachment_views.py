"""Supporting documents of a submission: upload, download, remove.

`selectors.submission_get` decides who may see a submission (404 otherwise), so a download link
is worth nothing outside the country's team and ESCWA; `services.attachment_add` checks the type
by content and the size, and `permissions` who may change the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gcmreview.downloads import file_download

from . import filetypes, forms, permissions, selectors, services
from .permissions import Action

# The outcome is shown in the documents block the user is taken back to, not at the page's top.
SHOWN_WITH_DOCUMENTS = "documents"


def _back(request, submission) -> str:
    """Where the form was: the submission page or the check page, at the documents."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("submission_detail", args=[submission.pk])
    return target.split("#")[0] + "#documents"


@login_required
@require_POST
def attachment_upload(request, pk: int):
    submission = selectors.submission_get(user=request.user, pk=pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [m for errors in form.errors.values() for m in errors]
        messages.error(
            request,
            _("The document was not added: %(reason)s") % {"reason": " ".join(problems)},
            extra_tags=SHOWN_WITH_DOCUMENTS,
        )
        return redirect(_back(request, submission))
    upload = form.cleaned_data["file"]
    try:
        attachment = services.attachment_add(
            submission=submission,
            file=upload,
            name=upload.name,
            user=request.user,
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("The document was not added: %(reason)s") % {"reason": " ".join(exc.messages)},
            extra_tags=SHOWN_WITH_DOCUMENTS,
        )
    else:
        messages.success(
            request,
            _("“%(name)s” was added.") % {"name": attachment.original_name},
            extra_tags=SHOWN_WITH_DOCUMENTS,
        )
    return redirect(_back(request, submission))


@login_required
@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    attachment = selectors.attachment_get(user=request.user, pk=pk, attachment_id=attachment_id)
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:  # lost from storage (a restore without files): say so, no 500
        raise Http404 from None
    # Never let a browser guess another type (and run it) from the bytes: file_download's nosniff.
    return file_download(
        stream,
        filename=attachment.original_name,
        content_type=filetypes.CONTENT_TYPES[attachment.kind],
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_remove(request, pk: int, attachment_id: int):
    """GET asks for confirmation; POST removes the document."""
    attachment = selectors.attachment_get(user=request.user, pk=pk, attachment_id=attachment_id)
    if request.method == "GET":
        # The confirmation is the remove button's first half: only for those who may press it.
        permissions.require(request.user, Action.EDIT_ANSWERS, attachment.submission)
        return render(
            request,
            "questionnaire/attachments/remove.html",
            {
                "attachment": attachment,
                "submission": attachment.submission,
                "next": _back(request, attachment.submission).split("#")[0],
            },
        )
    name = attachment.original_name
    services.attachment_remove(attachment=attachment, user=request.user)
    messages.success(
        request, _("“%(name)s” was removed.") % {"name": name}, extra_tags=SHOWN_WITH_DOCUMENTS
    )
    return redirect(_back(request, attachment.submission))
