"""Deadline reminders: e-mail the focal points of countries that have not sent their answers,
a set number of days before their deadline (the cycle's, or the country's extension).

`manage.py send_deadline_reminders` runs this once a day (cron or a systemd timer). Two rules
keep each reminder single:

- Reminders go out only on exact day counts (by default 14, 7, 3 and 1 day before and on the
  day): a country due in 7 days today is due in 6 tomorrow, so a daily run never repeats a step.
- Before sending a reminder, a run claims it: it inserts a `ReminderSent` row (cycle, country,
  person, day), which a unique constraint allows once. A run whose insert is refused skips that
  reminder, so a second run the same day, or two runs at once on different servers, send nothing
  twice. A failed send deletes its claim, so the next run that day retries.

A day whose run was missed is not caught up (the exact count has passed); run the command with
`--date` for that day to send its reminders late.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import selectors
from .models import ReminderSent
from .notifications import absolute_url

logger = logging.getLogger(__name__)

DEFAULT_DAYS = (14, 7, 3, 1, 0)
# Claims only ever guard their own day; older ones are deleted.
KEEP_DAYS = 60


@dataclass
class ReminderRun:
    sent: list[tuple[selectors.ReminderDue, object]] = field(default_factory=list)
    already_sent: int = 0
    failed: int = 0
    without_recipients: list[selectors.ReminderDue] = field(default_factory=list)


def _key(due: selectors.ReminderDue, user) -> tuple[int, int, int]:
    return (due.cycle.pk, due.country.pk, user.pk)


def _reminder_url(due: selectors.ReminderDue) -> str:
    if due.submission is not None:
        return absolute_url(reverse("submission_answer", args=[due.submission.pk]))
    return absolute_url(reverse("home"))


def reminder_send(*, due: selectors.ReminderDue, user) -> bool:
    """E-mail one focal point about one country's deadline, in the person's own language.
    False when the mail server refused it (logged; the caller may retry)."""
    context = {"reminder": due, "recipient": user, "url": _reminder_url(due)}
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        subject = " ".join(
            render_to_string("emails/deadline_reminder_subject.txt", context).split()
        )
        body = render_to_string("emails/deadline_reminder.txt", context)
    try:
        return bool(send_mail(subject, body, None, [user.email]))
    except OSError:
        logger.exception("Could not send the deadline reminder to %s", user.email)
        return False


def reminder_claim(*, due: selectors.ReminderDue, user, day: datetime.date) -> bool:
    """Record that `user` is being reminded today of `due`; False when that reminder is recorded
    already (sent by an earlier run, or being sent by one running at the same time). Outside a
    transaction, as the command runs, the row is committed before the send, so a run on another
    server sees it at once."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(cycle=due.cycle, country=due.country, person=user, day=day)
    except IntegrityError:
        return False
    return True


def reminder_unclaim(*, due: selectors.ReminderDue, user, day: datetime.date) -> None:
    """Forget a claim whose send failed, so that the next run retries it."""
    ReminderSent.objects.filter(cycle=due.cycle, country=due.country, person=user, day=day).delete()


def _claimed(day: datetime.date) -> set[tuple[int, int, int]]:
    return set(
        ReminderSent.objects.filter(day=day).values_list("cycle_id", "country_id", "person_id")
    )


def send_deadline_reminders(
    *,
    today: datetime.date,
    days=DEFAULT_DAYS,
    dry_run: bool = False,
) -> ReminderRun:
    """Send the day's reminders that no run has claimed yet; see the module's docstring. With
    `dry_run`, report what would be sent and send or record nothing."""
    run = ReminderRun()
    due_list = selectors.deadline_reminders_due(today=today, days=days)
    done = _claimed(today)  # read once; a claim made since is caught by the constraint
    if dry_run:
        _send_all(run, due_list, done, send=None)
        return run

    def send(due, user) -> bool | None:
        if not reminder_claim(due=due, user=user, day=today):
            return None  # another run has it
        try:
            sent = reminder_send(due=due, user=user)
        except BaseException:  # not sent: the next run must not take it for sent
            reminder_unclaim(due=due, user=user, day=today)
            raise
        if not sent:
            reminder_unclaim(due=due, user=user, day=today)
        return sent

    _send_all(run, due_list, done, send=send)
    _prune(today)
    return run


def _send_all(run: ReminderRun, due_list, done: set, *, send) -> None:
    for due in due_list:
        if not due.recipients:
            run.without_recipients.append(due)
        for user in due.recipients:
            key = _key(due, user)
            if key in done:
                run.already_sent += 1
                continue
            sent = True if send is None else send(due, user)
            if sent is None:
                run.already_sent += 1
            elif sent:
                done.add(key)
                run.sent.append((due, user))
            else:
                run.failed += 1


def _prune(today: datetime.date) -> None:
    """Forget the claims of long-past days: they only ever guard their own day."""
    ReminderSent.objects.filter(day__lt=today - datetime.timedelta(days=KEEP_DAYS)).delete()
