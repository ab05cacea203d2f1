"""Attacks on two-factor authentication by someone who holds the password (issue 12): a setup
shared between sessions, sessions that outlive the enrolment, wrong codes that lock the real
person out."""

import datetime
from base64 import b32decode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def confirmed_keys(user) -> list[str]:
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
