"""Attacks on two-factor authentication by someone who holds the password (issue 12): a setup
shared between sessions, sessions that outlive the enrolment, wrong codes that lock the real
person out."""

import datetime
import threading
from base64 import b32decode

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

from .conftest import next_code, wait_out_the_delay

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]


def code_for(secret: str) -> str:
    """The code an authenticator app shows now for a key typed from the setup page."""
    return str(totp(b32decode(secret))).zfill(6)


def start_setup(client) -> str:
    """Open the setup page; returns the key it shows (as a person would type it)."""
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 200
    return response.context["secret"].replace(" ", "")


def confirm(client, code):
    return client.post(reverse("two_factor_setup"), {"code": code})


def confirmed_keys(user) -> list[bytes]:
    return [d.bin_key for d in TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")]


# --- 1. A setup belongs to the session that started it -------------------------------------------


@pytest.fixture
def attacker(reviewer):
    """A session of someone who has the reviewer's password."""
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def person(reviewer):
    """The reviewer's own session."""
    client = Client()
    client.force_login(reviewer)
    return client


def test_each_setup_shows_a_key_of_its_own(attacker, person):
    copied = start_setup(attacker)
    own = start_setup(person)
    assert own != copied


def test_a_key_copied_from_another_session_does_not_confirm_the_persons_setup(
    attacker, person, reviewer
):
    copied = start_setup(attacker)
    start_setup(person)
    assert confirm(person, code_for(copied)).status_code == 200
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_the_persons_own_key_confirms_and_only_it_counts(attacker, person, reviewer):
    copied = start_setup(attacker)
    own = start_setup(person)
    response = confirm(person, code_for(own))
    assert response["Location"] == reverse("two_factor_backup_codes")
    assert confirmed_keys(reviewer) == [b32decode(own)]
    assert b32decode(copied) not in confirmed_keys(reviewer)


def test_the_earlier_setup_stops_working_once_another_session_starts(attacker, person, reviewer):
    copied = start_setup(attacker)
    start_setup(person)
    response = confirm(attacker, code_for(copied))
    assert response.status_code == 200
    assert "started again" in response.text
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    # The attacker is shown a new key, and the person's setup is gone in turn: a key is only
    # ever good in the one session that was shown it.
    assert response.context["secret"].replace(" ", "") != copied


def test_a_setup_cannot_be_confirmed_from_a_session_that_never_started_one(person, reviewer):
    other = TOTPDevice.objects.create(user=reviewer, name="Authenticator app", confirmed=False)
    token = str(totp(other.bin_key)).zfill(6)
    assert confirm(person, token).status_code == 200
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_an_abandoned_setup_expires(person, reviewer, settings):
    settings.TWO_FACTOR_SETUP_TIMEOUT = datetime.timedelta(minutes=30)
    secret = start_setup(person)
    TOTPDevice.objects.filter(user=reviewer).update(
        created_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    response = confirm(person, code_for(secret))
    assert response.status_code == 200
    assert "started again" in response.text
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


def test_abandoned_setups_are_deleted_when_anyone_starts_one(person, reviewer, focal_point):
    old = timezone.now() - datetime.timedelta(hours=2)
    stale = TOTPDevice.objects.create(user=focal_point, name="Authenticator app", confirmed=False)
    TOTPDevice.objects.filter(pk=stale.pk).update(created_at=old)
    kept = TOTPDevice.objects.create(user=focal_point, name="Authenticator app", confirmed=True)
    TOTPDevice.objects.filter(pk=kept.pk).update(created_at=old)

    start_setup(person)
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()
    assert TOTPDevice.objects.filter(pk=kept.pk).exists()  # confirmed ones never expire


# --- 2. Turning two-factor authentication on ends the other sessions ---------------------------


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def enrol(client) -> None:
    response = confirm(client, code_for(start_setup(client)))
    assert response["Location"] == reverse("two_factor_backup_codes")


def verify(client, device):
    client.get(reverse("home"))  # the second step is asked for
    response = client.post(reverse("two_factor_verify"), {"code": next_code(device)})
    assert response.status_code == 302, response


def test_turning_it_on_ends_the_sessions_opened_before(focal_point):
    earlier, here = Client(), Client()
    earlier.force_login(focal_point)
    assert earlier.get(reverse("home")).status_code == 200
    here.force_login(focal_point)
    key_before = here.session.session_key

    enrol(here)
    response = earlier.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not logged_in(earlier)

    # The session that turned it on goes on, under a new key, having passed the second step.
    assert here.get(reverse("two_factor_backup_codes")).status_code == 200
    assert here.get(reverse("home")).status_code == 200
    assert here.session.session_key != key_before


def test_staff_setting_up_their_app_end_a_session_stuck_at_the_setup_page(reviewer):
    earlier, here = Client(), Client()
    for client in (earlier, here):
        client.force_login(reviewer)
    enrol(here)
    assert earlier.get(reverse("two_factor_setup")).status_code == 302
    assert not logged_in(earlier)


def test_a_new_phone_ends_the_other_sessions(enrolled_focal_point):
    device = TOTPDevice.objects.get(user=enrolled_focal_point)
    elsewhere, here = Client(), Client()
    for client in (elsewhere, here):
        client.force_login(enrolled_focal_point)
        verify(client, device)
    enrol(here)
    assert elsewhere.get(reverse("home")).status_code == 302
    assert not logged_in(elsewhere)
    assert here.get(reverse("home")).status_code == 200


def test_turning_it_off_ends_the_other_sessions(focal_point):
    here = Client()
    here.force_login(focal_point)
    enrol(here)
    device = TOTPDevice.objects.get(user=focal_point)
    elsewhere = Client()
    elsewhere.force_login(focal_point)
    verify(elsewhere, device)

    response = here.post(reverse("two_factor_disable"), {"code": next_code(device)})
    assert response["Location"] == reverse("two_factor")
    assert elsewhere.get(reverse("home")).status_code == 302
    assert not logged_in(elsewhere)
    assert here.get(reverse("home")).status_code == 200


def test_an_administrators_reset_ends_the_persons_sessions(admin_user, enrolled_focal_point):
    device = TOTPDevice.objects.get(user=enrolled_focal_point)
    person = Client()
    person.force_login(enrolled_focal_point)
    verify(person, device)
    admin = Client()
    admin.force_login(admin_user)
    verify(admin, factories.authenticator(admin_user))

    admin.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "reset_two_factor",
            "_selected_action": [enrolled_focal_point.pk, admin_user.pk],
        },
    )
    assert person.get(reverse("home")).status_code == 302
    assert not logged_in(person)
    # An administrator who reset their own devices keeps the session that did it.
    assert logged_in(admin)
    assert admin.get(reverse("two_factor_setup")).status_code == 200


def test_the_session_check_survives_a_secret_key_rotation(focal_point, settings):
    """Ending sessions changes the hash Django keeps in each session; sessions signed with a
    previous SECRET_KEY (listed in SECRET_KEY_FALLBACKS) must still be recognised."""
    from accounts import services

    services.user_sessions_end(user=focal_point)
    old = focal_point.get_session_auth_hash()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert focal_point.get_session_auth_hash() != old
    assert old in list(focal_point.get_session_auth_fallback_hash())


# --- 3. Wrong codes slow the guesser, never the person with the right code ---------------------

ATTACKER = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


def session_from(address, user) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def guess(client, code="000000"):
    return client.post(reverse("two_factor_verify"), {"code": code})


def test_wrong_codes_elsewhere_never_refuse_the_right_code(reviewer):
    device = factories.authenticator(reviewer)
    attacker = session_from(ATTACKER, reviewer)
    assert "This code is not right" in guess(attacker).text
    assert "Too many wrong codes" in guess(attacker).text

    person = session_from(ELSEWHERE, reviewer)
    response = guess(person, next_code(device))
    assert response["Location"] == reverse("home")
    assert person.get(reverse("home")).status_code == 200


def test_many_wrong_codes_elsewhere_never_refuse_the_right_code(reviewer):
    device = factories.authenticator(reviewer)
    attacker = session_from(ATTACKER, reviewer)
    for _ in range(20):
        assert "This code is not right" in guess(attacker).text
        wait_out_the_delay()
    assert "This code is not right" in guess(attacker).text
    assert "Too many wrong codes" in guess(attacker).text

    person = session_from(ELSEWHERE, reviewer)
    assert guess(person, next_code(device))["Location"] == reverse("home")


def test_while_the_delay_lasts_the_guessers_codes_are_not_even_checked(reviewer):
    device = factories.authenticator(reviewer)
    attacker = session_from(ATTACKER, reviewer)
    guess(attacker)
    response = guess(attacker, next_code(device))
    assert "Too many wrong codes" in response.text
    assert attacker.get(reverse("home")).status_code == 302
    device.refresh_from_db()
    assert device.last_t == -1  # the right code was never tried


def test_a_new_session_from_the_same_address_is_still_slowed(reviewer):
    factories.authenticator(reviewer)
    guess(session_from(ATTACKER, reviewer))
    assert "Too many wrong codes" in guess(session_from(ATTACKER, reviewer)).text


def test_the_same_session_from_another_address_is_still_slowed(reviewer):
    factories.authenticator(reviewer)
    attacker = session_from(ATTACKER, reviewer)
    guess(attacker)
    response = attacker.post(
        reverse("two_factor_verify"), {"code": "000000"}, REMOTE_ADDR=ELSEWHERE
    )
    assert "Too many wrong codes" in response.text


def test_addresses_of_one_ipv6_network_count_as_one(reviewer):
    factories.authenticator(reviewer)
    guess(session_from("2001:db8:1:2::1", reviewer))
    assert "Too many wrong codes" in guess(session_from("2001:db8:1:2:ffff::9", reviewer)).text
    assert "This code is not right" in guess(session_from("2001:db8:1:3::1", reviewer)).text


def test_one_users_wrong_codes_do_not_slow_another_user_at_the_same_address(reviewer, admin_user):
    factories.authenticator(reviewer)
    device = factories.authenticator(admin_user)
    guess(session_from(ATTACKER, reviewer))
    colleague = session_from(ATTACKER, admin_user)
    assert guess(colleague, next_code(device))["Location"] == reverse("home")


def test_each_wrong_code_doubles_the_wait_up_to_an_hour(reviewer):
    from accounts import services

    device = factories.authenticator(reviewer)
    waits = []
    for _ in range(14):
        wait_out_the_delay()
        assert (
            services.two_factor_verify(
                user=reviewer, token="000000", session_id="s", address=ATTACKER
            ).device
            is None
        )
        with pytest.raises(services.TwoFactorThrottled) as throttled:
            services.two_factor_verify(
                user=reviewer, token=next_code(device), session_id="s", address=ATTACKER
            )
        waits.append(round((throttled.value.until - timezone.now()).total_seconds()))
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]


def test_the_right_code_clears_the_count_of_its_session_and_address(reviewer):
    device = factories.authenticator(reviewer)
    person = session_from(ELSEWHERE, reviewer)
    guess(person)
    wait_out_the_delay()
    assert guess(person, next_code(device))["Location"] == reverse("home")
    person.post(reverse("logout"))
    person.force_login(reviewer)
    assert "This code is not right" in guess(person).text  # a first wrong code, not the second


def test_the_person_hears_of_wrong_codes_typed_elsewhere(reviewer):
    device = factories.authenticator(reviewer)
    attacker = session_from(ATTACKER, reviewer)
    guess(attacker)
    wait_out_the_delay()
    guess(attacker)
    person = session_from(ELSEWHERE, reviewer)
    guess(person)  # their own typo is no news to them
    wait_out_the_delay()
    response = guess(person, next_code(device))
    page = person.get(response["Location"]).text
    assert "2 wrong codes were typed for your account in another session" in page

    # Once told, not again.
    person.post(reverse("logout"))
    person.force_login(reviewer)
    guess(person, next_code(device))
    assert "wrong code" not in person.get(reverse("home")).text


def test_wrong_codes_at_the_setup_slow_that_session_too(reviewer):
    person = session_from(ELSEWHERE, reviewer)
    secret = start_setup(person)
    assert "This code is not right" in confirm(person, "000000").text
    assert "Too many wrong codes" in confirm(person, code_for(secret)).text
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: SQLite has none")
@pytest.mark.django_db(transaction=True)
def test_codes_sent_all_at_once_are_checked_one_at_a_time(reviewer):
    """Twenty wrong backup codes (0 and 1 are never in one) sent together from one session that
    has guessed before: the first is checked, the others see its count and wait. Without the
    row locks they would all read the same count and all be checked."""
    from accounts import services

    services.two_factor_backup_codes_generate(user=reviewer)

    def attempt(token):
        return services.two_factor_verify(
            user=reviewer, token=token, session_id="burst", address=ATTACKER
        )

    assert attempt("guess000").device is None
    wait_out_the_delay()
    start = threading.Barrier(20)
    outcomes = []

    def one_of_many(n):
        try:
            start.wait()
            outcomes.append("checked" if attempt(f"guess{n:03d}").device is None else "accepted")
        except services.TwoFactorThrottled:
            outcomes.append("waits")
        finally:
            connection.close()

    threads = [threading.Thread(target=one_of_many, args=(n,)) for n in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["checked"] + ["waits"] * 19
