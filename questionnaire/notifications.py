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
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import StaffRole, escwa_staff

from .models import CountryRole, SubmissionStatus

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
    """ESCWA staff who hear about the countries' submissions and comments: `escwa_staff()` with a
    staff role. A superuser without one is ESCWA staff, but a technical account (the one the
    portal was installed with), not a reviewer's inbox."""
    User = get_user_model()
    return User.objects.filter(escwa_staff(), staff_role__in=[StaffRole.REVIEWER, StaffRole.ADMIN])


# After a review decision, the country's people who act on it hear about it.
DECISION_TEMPLATES = {
    SubmissionStatus.RETURNED: "submission_returned",
    SubmissionStatus.ACCEPTED: "submission_accepted",
    SubmissionStatus.PUBLISHED: "submission_published",
}


def submission_moved(*, submission, actor, message: str, comments=()) -> int:
    """A submission was submitted (to ESCWA's reviewers) or returned, accepted or published (to
    the country's focal points and contributors). `comments`: the comments written since the
    last message, listed in this one."""
    context = {
        "submission": submission,
        "actor": actor,
        "message": message,
        "comments": comments,
        "url": absolute_url(reverse("submission_detail", args=[submission.pk])),
    }
    if submission.status == SubmissionStatus.SUBMITTED:
        return _send(template="submission_submitted", recipients=reviewers(), context=context)
    if submission.status in DECISION_TEMPLATES:
        return _send(
            template=DECISION_TEMPLATES[submission.status],
            recipients=country_editors(submission.country_id).exclude(pk=actor.pk),
            context=context,
        )
    return 0


def publication_agreed(*, submission, actor) -> int:
    """A country agreed that its accepted answers be published: ESCWA's reviewers may now."""
    return _send(
        template="publication_agreed",
        recipients=reviewers(),
        context={
            "submission": submission,
            "actor": actor,
            "url": absolute_url(reverse("submission_detail", args=[submission.pk])),
        },
    )


def invitation_sent(*, invitation, link: str) -> int:
    context = {"invitation": invitation, "link": link}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    return send_mail(subject, body, None, [invitation.email])


def invitation_accepted(*, invitation) -> int:
    """Tell whoever sent an invitation who used it, and say so plainly when the account that
    joined is not the invited address (a forwarded link)."""
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return 0
    joined = invitation.accepted_by
    return _send(
        template="invitation_accepted",
        recipients=[inviter],
        context={
            "invitation": invitation,
            "joined": joined,
            "other_address": (joined.email or "").strip().casefold()
            != invitation.email.strip().casefold(),
            "url": absolute_url(reverse("country_team", args=[invitation.country.iso2])),
        },
    )


def country_team(country_id: int):
    """Everyone active on a country's team, whatever their role."""
    User = get_user_model()
    return User.objects.filter(is_active=True, memberships__country_id=country_id).distinct()


def country_editors(country_id: int):
    """The country's focal points and contributors: the people who change the answers."""
    return country_team(country_id).filter(
        memberships__role__in=[CountryRole.FOCAL_POINT, CountryRole.CONTRIBUTOR]
    )


def comments_sent(*, submission, sender, comments, from_escwa: bool) -> int:
    """One message with the comments one side wrote since its last message: ESCWA's to the
    country's whole team, the country's to ESCWA's reviewers. Nobody is told of their own."""
    recipients = country_team(submission.country_id) if from_escwa else reviewers()
    return _send(
        template="comments_sent",
        recipients=recipients.exclude(pk=sender.pk),
        context={
            "submission": submission,
            "sender": sender,
            "comments": comments,
            "from_escwa": from_escwa,
            "url": absolute_url(reverse("submission_detail", args=[submission.pk])),
        },
    )
