"""Two servers running the day's reminders at the same moment send each reminder once.

Only PostgreSQL runs the runs side by side (each thread its own connection); SQLite writes one
transaction at a time and its test database lives in one connection, so there the race cannot
be played. tests/questionnaire/test_reminders.py plays the same story one step at a time on both.
"""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from questionnaire import reminders
from questionnaire.models import CountryRole, ReminderSent
from tests import factories

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections to one database: PostgreSQL (CI runs it)",
)

RUNS = 4
ROUNDS = 5


def play_round(today) -> list:
    """RUNS runs of the day's reminders, released together by a barrier."""
    barrier = threading.Barrier(RUNS)
    results, unexpected = [], []

    def one_run():
        try:
            barrier.wait(5)
            results.append(reminders.send_deadline_reminders(today=today, days=[7]))
        except Exception as exc:  # reported to the test
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not unexpected, unexpected
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_send_each_reminder_once():
    today = timezone.localdate()
    cycle = factories.cycle_with_countries(
        countries=3,
        statuses=(None, "draft", "returned"),
        opens_on=today - datetime.timedelta(days=30),
        deadline=today + datetime.timedelta(days=7),
    )
    for country in cycle.countries.all():
        for _ in range(2):
            factories.MembershipFactory(country=country, role=CountryRole.FOCAL_POINT)
    expected = 6  # two focal points in each of three countries
    for n in range(ROUNDS):
        ReminderSent.objects.all().delete()
        mail.outbox.clear()
        results = play_round(today)
        assert len(mail.outbox) == expected, f"round {n}: {len(mail.outbox)} e-mails"
        assert len({m.to[0] for m in mail.outbox}) == expected, f"round {n}"
        assert sum(len(r.sent) for r in results) == expected
        assert sum(r.already_sent for r in results) == expected * (RUNS - 1)
        assert ReminderSent.objects.count() == expected
