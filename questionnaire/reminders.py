"""Deadline reminders: e-mail the focal points of countries that have not sent their answers,
a set number of days before their deadline (the cycle's, or the country's extension).

`manage.py send_deadline_reminders` runs this once a day (cron or a systemd timer). Two rules
keep each reminder single:

- Reminders go out only on exact day counts (by default 14, 7, 3 and 1 day before and on the
  day): a country due in 7 days today is due in 6 tomorrow, so a daily run never repeats a step.
- A run records each reminder it sent in a per-day ledger file
  (`REMINDER_LEDGER_DIR/sent-YYYY-MM-DD.log`, one line per cycle, country and person) under an
  exclusive lock, and skips what the ledger already holds: a second run the same day, or two runs
  at once, send nothing twice. A failed send is not recorded, so the next run that day retries.

A day whose run was missed is not caught up (the exact count has passed); run the command with
`--date` for that day to send its reminders late.
"""

from __future__ import annotations

import datetime
import fcntl
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from . import selectors
from .notifications import absolute_url

logger = logging.getLogger(__name__)

DEFAULT_DAYS = (14, 7, 3, 1, 0)
LEDGER_KEEP_DAYS = 60


def default_ledger_dir() -> Path:
    return Path(
        getattr(settings, "REMINDER_LEDGER_DIR", "")
        or os.environ.get("REMINDER_LEDGER_DIR", "")
        or Path(settings.BASE_DIR) / "var" / "reminders"
    )


@dataclass
class ReminderRun:
    sent: list[tuple[selectors.ReminderDue, object]] = field(default_factory=list)
    already_sent: int = 0
    failed: int = 0
    without_recipients: list[selectors.ReminderDue] = field(default_factory=list)


def _ledger_key(due: selectors.ReminderDue, user) -> str:
    return f"{due.cycle.slug}\t{due.country.iso2}\t{user.pk}"


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


def send_deadline_reminders(
    *,
    today: datetime.date,
    days=DEFAULT_DAYS,
    ledger_dir: Path | None = None,
    dry_run: bool = False,
) -> ReminderRun:
    """Send the day's reminders that the day's ledger does not hold yet; see the module's
    docstring. With `dry_run`, report what would be sent and send or record nothing."""
    run = ReminderRun()
    due_list = selectors.deadline_reminders_due(today=today, days=days)
    ledger_dir = Path(ledger_dir or default_ledger_dir())
    path = ledger_dir / f"sent-{today.isoformat()}.log"
    if dry_run:
        done = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
        _send_all(run, due_list, done, send=None)
        return run
    ledger_dir.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as ledger:
        # One run at a time: a second run waits here, then sees what the first one sent.
        fcntl.flock(ledger, fcntl.LOCK_EX)
        ledger.seek(0)
        done = {line.rstrip("\n") for line in ledger if line.strip()}

        def send(due, user, key) -> bool:
            if not reminder_send(due=due, user=user):
                return False
            ledger.write(key + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())
            return True

        _send_all(run, due_list, done, send=send)
    _prune(ledger_dir, today)
    return run


def _send_all(run: ReminderRun, due_list, done: set[str], *, send) -> None:
    for due in due_list:
        if not due.recipients:
            run.without_recipients.append(due)
        for user in due.recipients:
            key = _ledger_key(due, user)
            if key in done:
                run.already_sent += 1
            elif send is None or send(due, user, key):
                done.add(key)
                run.sent.append((due, user))
            else:
                run.failed += 1


def _prune(ledger_dir: Path, today: datetime.date) -> None:
    """Forget ledgers of long-past days: they only ever guard their own day."""
    oldest = today - datetime.timedelta(days=LEDGER_KEEP_DAYS)
    for path in ledger_dir.glob("sent-*.log"):
        try:
            day = datetime.date.fromisoformat(path.stem.removeprefix("sent-"))
        except ValueError:
            continue
        if day < oldest:
            path.unlink(missing_ok=True)
