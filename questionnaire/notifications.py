"""E-mail the people concerned when something happens to a submission or a team.

Each message is rendered from templates/emails/ in the recipient's own language. Sending runs
after the transaction commits (services use transaction.on_commit), so a rolled-back change
never sends mail.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffRole

from .models import SubmissionStatus

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(*, template: str, recipients, context: dict) -> int:
    sent = 0
    for user in recipients:
        if not user.email:
            continue
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
            body = render_to_string(f"emails/{template}.txt", {**context, "recipient": user})
        try:
            sent += send_mail(subject, body, None, [user.email])
        except OSError:  # the mail server is down: log it, never lose the user's action
            logger.exception("Could not e-mail %s about %s", user.email, template)
    return sent


def reviewers():
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(
        Q(staff_role__in=[StaffRole.REVIEWER, StaffRole.ADMIN])
    )


def submission_moved(*, submission, actor, message: str) -> int:
    context = {
        "submission": submission,
        "actor": actor,
        "message": message,
        "url": absolute_url(reverse("submission_detail", args=[submission.pk])),
    }
    if submission.status == SubmissionStatus.SUBMITTED:
        return _send(template="submission_submitted", recipients=reviewers(), context=context)
    return 0


def invitation_sent(*, invitation, link: str) -> int:
    context = {"invitation": invitation, "link": link}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    return send_mail(subject, body, None, [invitation.email])
