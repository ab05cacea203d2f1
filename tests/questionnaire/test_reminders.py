"""Deadline reminders: the right people, on the right days, in their language, and once."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from questionnaire import reminders, selectors
from questionnaire.models import CountryRole, DeadlineExtension, ReminderSent, Submission
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def cycle(db):
    """Four countries due in 7 days: one without a submission, a draft, a submitted one and a
    returned one."""
    return factories.cycle_with_countries(
        countries=4,
        statuses=(None, "draft", "submitted", "returned"),
        opens_on=TODAY - datetime.timedelta(days=60),
        deadline=TODAY + datetime.timedelta(days=7),
    )


@pytest.fixture
def people(cycle):
    """A focal point per country (Arabic, French, English, English), plus people who are not
    reminded: a contributor, a viewer, an inactive focal point, one without an e-mail address."""
    countries = list(cycle.countries.order_by("iso2"))
    focal = {}
    for country, language in zip(countries, ["ar", "fr", "en", "en"], strict=True):
        user = factories.UserFactory(language=language)
        factories.MembershipFactory(user=user, country=country, role=CountryRole.FOCAL_POINT)
        focal[country.iso2] = user
    first = countries[0]
    for role in (CountryRole.CONTRIBUTOR, CountryRole.VIEWER):
        factories.MembershipFactory(country=first, role=role)
    inactive = factories.UserFactory(is_active=False)
    factories.MembershipFactory(user=inactive, country=first, role=CountryRole.FOCAL_POINT)
    no_mail = factories.UserFactory(email="")
    factories.MembershipFactory(user=no_mail, country=first, role=CountryRole.FOCAL_POINT)
    return focal


def in_english(people):
    """For the tests that read the wording: every focal point reads English (the wording in
    each language is the catalogues' business; the language choice is tested below)."""
    for user in people.values():
        user.language = "en"
        user.save(update_fields=["language"])


def run(today=TODAY, days=reminders.DEFAULT_DAYS, **kwargs):
    return reminders.send_deadline_reminders(today=today, days=days, **kwargs)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def status_of(cycle, user):
    country = user.memberships.get().country
    submission = Submission.objects.filter(cycle=cycle, country=country).first()
    return submission.status if submission else None


def test_focal_points_of_countries_that_have_not_submitted_are_reminded(cycle, people):
    result = run()
    expected = sorted(
        user.email for user in people.values() if status_of(cycle, user) != "submitted"
    )
    assert recipients() == expected
    assert len(result.sent) == 3


def test_nobody_is_reminded_on_a_day_not_in_the_list(cycle, people):
    run(today=TODAY + datetime.timedelta(days=1))  # 6 days left
    assert mail.outbox == []


def test_the_days_are_configurable_and_include_the_day_itself(cycle, people):
    run(days=[0], today=cycle.deadline)
    assert len(mail.outbox) == 3
    language = {user.email: user.language for user in people.values()}
    for message in mail.outbox:
        with translation.override(language[message.to[0]]):
            today = translation.gettext(
                "Today is the deadline for %(country)s's answers to %(cycle)s"
            )
        assert message.subject.startswith(today.split("%(country)s")[0])
    mail.outbox.clear()
    run(days=[14, 3], today=TODAY)
    assert mail.outbox == []


def test_each_reminder_speaks_the_recipient_s_language(cycle, people):
    run()
    by_address = {m.to[0]: m for m in mail.outbox}
    for user in people.values():
        if user.email not in by_address:
            continue
        country = user.memberships.get().country
        name = {"en": country.name_en, "fr": country.name_fr, "ar": country.name_ar}
        assert name[user.language] in by_address[user.email].subject


def test_the_reminder_says_what_is_left_and_links_to_the_answers(cycle, people):
    in_english(people)
    run()
    draft = Submission.objects.get(cycle=cycle, status="draft")
    body = next(m.body for m in mail.outbox if m.to[0] == people[draft.country.iso2].email)
    assert "due in 7 days" in body
    assert f"/submissions/{draft.pk}/answer/" in body
    assert "4 of 4 questions are answered." in body
    returned = Submission.objects.get(cycle=cycle, status="returned")
    body = next(m.body for m in mail.outbox if m.to[0] == people[returned.country.iso2].email)
    assert "returned the answers for revision" in body
    (absent,) = (user for user in people.values() if status_of(cycle, user) is None)
    body = next(m.body for m in mail.outbox if m.to[0] == absent.email)
    assert "Your country has no submission yet." in body


def test_a_second_run_the_same_day_sends_nothing(cycle, people):
    run()
    assert len(mail.outbox) == 3
    again = run()
    assert len(mail.outbox) == 3
    assert (len(again.sent), again.already_sent) == (0, 3)


def test_the_next_day_sends_nothing_again(cycle, people):
    run()
    run(today=TODAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 3


def test_an_extension_moves_that_country_s_reminders(cycle, people):
    draft = Submission.objects.get(cycle=cycle, status="draft")
    DeadlineExtension.objects.create(
        cycle=cycle, country=draft.country, deadline=cycle.deadline + datetime.timedelta(days=10)
    )
    in_english(people)
    run()
    assert people[draft.country.iso2].email not in recipients()
    mail.outbox.clear()
    run(today=TODAY + datetime.timedelta(days=10))
    assert recipients() == [people[draft.country.iso2].email]
    assert "extension" in mail.outbox[0].body


def test_a_failed_send_is_retried_by_the_next_run(cycle, people):
    with mock.patch("questionnaire.reminders.send_mail", side_effect=OSError("down")):
        failed = run()
    assert (len(failed.sent), failed.failed) == (0, 3)
    retried = run()
    assert len(retried.sent) == 3


def test_each_reminder_sent_is_recorded_once_for_its_day(cycle, people):
    run()
    rows = set(ReminderSent.objects.values_list("cycle", "country", "person", "day"))
    expected = {
        (cycle.pk, user.memberships.get().country_id, user.pk, TODAY)
        for user in people.values()
        if status_of(cycle, user) != "submitted"
    }
    assert rows == expected


def test_a_failed_send_leaves_no_record(cycle, people):
    with mock.patch("questionnaire.reminders.send_mail", side_effect=OSError("down")):
        run()
    assert not ReminderSent.objects.exists()


def test_a_send_that_breaks_leaves_no_record(cycle, people):
    with (
        mock.patch("questionnaire.reminders.send_mail", side_effect=RuntimeError("bug")),
        pytest.raises(RuntimeError),
    ):
        run()
    assert not ReminderSent.objects.exists()
    assert len(run().sent) == 3


def test_a_reminder_another_run_claimed_meanwhile_is_not_sent(cycle, people):
    """Another server's run claimed every reminder after this run read the day's claims: the
    insert is refused and nothing is sent twice."""
    other_run = run()
    mail.outbox.clear()
    with mock.patch("questionnaire.reminders._claimed", return_value=set()):
        result = run()
    assert mail.outbox == []
    assert (len(result.sent), result.already_sent) == (0, len(other_run.sent))
    assert ReminderSent.objects.count() == len(other_run.sent)


def test_claims_of_long_past_days_are_deleted(cycle, people):
    old = TODAY - datetime.timedelta(days=reminders.KEEP_DAYS + 1)
    user = next(iter(people.values()))
    ReminderSent.objects.create(
        cycle=cycle, country=user.memberships.get().country, person=user, day=old
    )
    run()
    assert not ReminderSent.objects.filter(day=old).exists()


def test_a_dry_run_sends_and_records_nothing(cycle, people):
    dry = run(dry_run=True)
    assert len(dry.sent) == 3
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert len(run().sent) == 3


def test_closed_and_not_yet_open_cycles_send_nothing(cycle, people):
    cycle.is_closed = True
    cycle.save()
    run()
    cycle.is_closed = False
    cycle.opens_on = TODAY + datetime.timedelta(days=1)
    cycle.save()
    run()
    assert mail.outbox == []


def test_a_country_without_a_focal_point_is_reported(cycle):
    result = run()
    assert mail.outbox == []
    assert len(result.without_recipients) == 3


def test_who_is_due_costs_the_same_for_3_and_12_countries(db):
    def count(countries):
        factories.cycle_with_countries(
            countries=countries,
            statuses=(None, "draft"),
            opens_on=TODAY - datetime.timedelta(days=10),
            deadline=TODAY + datetime.timedelta(days=3),
        )
        with CaptureQueriesContext(connection) as ctx:
            due = selectors.deadline_reminders_due(today=TODAY, days=[3])
        return len(ctx), len(due)

    small, small_due = count(3)
    large, large_due = count(12)
    assert small == large
    assert (small_due, large_due) == (3, 15)


# --- The command -------------------------------------------------------------------------------


def command(*args):
    out, err = StringIO(), StringIO()
    call_command("send_deadline_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_reminds_once_a_day(cycle, people):
    out, _err = command("--days", "14,7")
    assert out.count("Reminded ") == 3
    assert "3 reminders sent" in out
    out, _err = command("--days", "14,7")
    assert "0 reminders sent, 3 already sent today" in out
    assert len(mail.outbox) == 3


def test_the_command_can_send_another_day_s_reminders(cycle, people):
    day = (cycle.deadline - datetime.timedelta(days=3)).isoformat()
    out, _err = command("--date", day, "--days", "3")
    assert "3 reminders sent" in out


def test_the_command_warns_about_countries_nobody_can_be_reminded_for(cycle):
    _out, err = command("--days", "7")
    assert err.count("has no active focal point") == 3


@pytest.mark.parametrize("days", ["", "seven", "7,-1"])
def test_the_command_refuses_bad_days(days):
    with pytest.raises(CommandError):
        command("--days", days)


def test_each_reminder_names_the_cycle_in_the_recipient_s_language(cycle, people):
    cycle.name_ar, cycle.name_fr = "الدورة الثانية", "Deuxième cycle"
    cycle.save()
    run()
    by_address = {m.to[0]: m for m in mail.outbox}
    names = {"ar": "الدورة الثانية", "fr": "Deuxième cycle", "en": cycle.name}
    languages = set()
    for user in people.values():
        message = by_address.get(user.email)
        if message is None:
            continue
        languages.add(user.language)
        assert names[user.language] in message.subject
        assert names[user.language] in message.body
    assert languages == {"ar", "fr", "en"}
