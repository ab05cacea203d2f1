"""The "Supporting documents" block shown on the submission and check pages."""

from django import template

from questionnaire import permissions, selectors, services
from questionnaire.forms import AttachmentForm
from questionnaire.permissions import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def supporting_documents(context, submission) -> dict:
    """`{% supporting_documents submission as documents %}`: the list, and the upload form for
    those who may change it. One query (the list)."""
    user = context["request"].user
    can_edit = permissions.can(user, Action.EDIT_ANSWERS, submission)
    return {
        "attachments": selectors.submission_attachments(submission=submission),
        "can_edit": can_edit,
        "form": AttachmentForm() if can_edit else None,
        "max_mb": services.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }
