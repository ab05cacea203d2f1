"""E-mail the focal points of countries that have not sent their answers, N days before their
deadline. Meant to run once a day; see questionnaire/reminders.py for why it never sends the same
reminder twice.

    python manage.py send_deadline_reminders [--days 14,7,3,1,0] [--date YYYY-MM-DD] [--dry-run]
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gcmreview.formatting import counted
from questionnaire import reminders


def day_list(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise CommandError(
            f"--days takes whole numbers separated by commas, not {value!r}."
        ) from None
    if not days or any(day < 0 for day in days):
        raise CommandError("--days needs at least one number of days, none negative.")
    return days


class Command(BaseCommand):
    help = (
        "E-mail the focal points of countries that have not submitted, a set number of days "
        "before their (possibly extended) deadline. Run it once a day; a second run the same day "
        "sends nothing again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            default=",".join(str(d) for d in reminders.DEFAULT_DAYS),
            help="Days before the deadline on which to remind, comma-separated (0: on the day). "
            "Default: %(default)s.",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Send the reminders of this day (YYYY-MM-DD) instead of today's.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be reminded; send nothing."
        )

    def handle(self, *args, **options) -> None:
        today = options["date"] or timezone.localdate()
        run = reminders.send_deadline_reminders(
            today=today,
            days=day_list(options["days"]),
            dry_run=options["dry_run"],
        )
        verb = "Would remind" if options["dry_run"] else "Reminded"
        for due, user in run.sent:
            self.stdout.write(
                f"{verb} {user.email} ({due.country.name_en}, {due.cycle.slug}): "
                f"{counted(due.days_left, 'day', 'days')} to {due.deadline.isoformat()}."
            )
        for due in run.without_recipients:
            self.stderr.write(
                self.style.WARNING(
                    f"{due.country.name_en} ({due.cycle.slug}) is due in "
                    f"{counted(due.days_left, 'day', 'days')} "
                    "but has no active focal point with an e-mail address."
                )
            )
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{today.isoformat()}: {counted(len(run.sent), 'reminder', 'reminders')} "
                f"{'to send' if options['dry_run'] else 'sent'}, "
                f"{run.already_sent} already sent today, {run.failed} failed."
            )
        if run.failed:
            raise CommandError(
                f"{counted(run.failed, 'reminder', 'reminders')} could not be sent; "
                "run again to retry."
            )
