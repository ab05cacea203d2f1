"""Writes about accounts: two-factor devices and backup codes, and login lockouts.

A user has at most one authenticator app (a django-otp TOTPDevice) and one set of backup codes
(a StaticDevice whose tokens are deleted as they are used). Views, the admin and tests all go
through these functions.
"""

from __future__ import annotations

import datetime

import axes.utils
import django_otp
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors
from .models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"


class TwoFactorThrottled(Exception):
    """Too many wrong codes in a row: the next attempt is refused until `until`."""

    def __init__(self, until: datetime.datetime | None):
        super().__init__(until)
        self.until = until


class TwoFactorSetupExpired(Exception):
    """The authenticator this session was setting up is gone: a setup was started again (in this
    session or another one), or it was left longer than TWO_FACTOR_SETUP_TIMEOUT."""


@transaction.atomic
def two_factor_enrolment_start(*, user) -> TOTPDevice:
    """A new authenticator to set up, with a new random key, for the one session that asked (the
    view keeps its id there, and only that session may confirm it).

    Whatever the user had started before goes, in whichever session: a key copied by someone else
    who had the password stops working once the person starts their own setup, and nobody is
    shown a key that another session has seen. Setups older than TWO_FACTOR_SETUP_TIMEOUT go
    too, anyone's: they are cleaned here, so no periodic job is needed (until then they confirm
    nothing: see selectors.two_factor_enrolment_pending)."""
    _stale_enrolments().delete()
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def two_factor_enrolment_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device`, the authenticator this session started to set up, with a code from the
    app. It replaces any earlier authenticator of the user, every session of the user ends (the
    view keeps its own), and the user gets new backup codes, returned here to be shown once.
    None when the code is wrong; TwoFactorSetupExpired when the setup was started again or left
    too long."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied(_("This authenticator cannot be confirmed."))
    # Locked, so that a setup started at this moment in another session waits for this one.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device.pk, user=user, confirmed=False)
        .filter(created_at__gte=selectors.two_factor_enrolment_cutoff())
        .first()
    )
    if device is None:
        raise TwoFactorSetupExpired()
    _check_throttle(device)
    if not device.verify_token(_clean(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    # Sessions opened with the password alone would otherwise go on without a code.
    user_sessions_end(user=user)
    return two_factor_backup_codes_generate(user=user)


@transaction.atomic
def two_factor_backup_codes_generate(*, user) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones, returned to be shown
    once: only the user keeps them."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user, token: str) -> Device | None:
    """The device that accepts `token`: six digits are a code from the authenticator app,
    anything else a backup code (which then stops working). None when nothing accepts it.
    Each wrong code doubles the wait before the next one is tried (django-otp's throttling):
    raises TwoFactorThrottled while it lasts."""
    token = _clean(token)
    if not token:
        return None
    if token.isdigit():
        device = selectors.two_factor_authenticator(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    _check_throttle(device)
    return django_otp.verify_token(user, device.persistent_id, token)


@transaction.atomic
def two_factor_disable(*, user) -> None:
    """Remove the user's authenticator and backup codes, and end the user's sessions (the view
    keeps its own). Refused to those who must use two-factor authentication (staff): an
    administrator removes a lost device in the admin instead, and the user sets up a new one at
    their next login."""
    if selectors.two_factor_required(user):
        raise PermissionDenied(_("ESCWA staff cannot turn off two-factor authentication."))
    two_factor_reset(user=user)


@transaction.atomic
def two_factor_reset(*, user) -> int:
    """An administrator's answer to a lost phone and lost backup codes: remove the user's
    devices, and end the user's sessions (whoever has the phone may be in one). Staff set up a
    new authenticator at their next login; others log in with their password alone until they
    set one up again. Returns how many devices went."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    static, _by_model = StaticDevice.objects.filter(user=user).delete()
    user_sessions_end(user=user)
    return removed + static


def user_sessions_end(*, user) -> None:
    """End every session of `user`, wherever it is, at its next request: each session holds a
    hash that includes user.session_epoch (User.get_session_auth_hash), raised here. Called when
    the way the user logs in changes (two-factor turned on, replaced, off or reset). A view that
    keeps its own session calls django.contrib.auth.update_session_auth_hash afterwards."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def login_lockout_clear(*, username: str) -> int:
    """Forget the failed logins of `username` from every address, so that a locked-out user who
    has just reset their password can log in with it (the attempts were guessing a password that
    is no longer theirs). Returns how many records went."""
    return axes.utils.reset(username=username)


def _clean(token: str) -> str:
    """Codes are typed with spaces (`123 456`) and backup codes in any case."""
    return "".join((token or "").split()).lower()


def _stale_enrolments():
    """Unconfirmed authenticators older than TWO_FACTOR_SETUP_TIMEOUT (or from before django-otp
    kept the time a device was made)."""
    return TOTPDevice.objects.filter(confirmed=False).filter(
        Q(created_at__lt=selectors.two_factor_enrolment_cutoff()) | Q(created_at__isnull=True)
    )


def _check_throttle(device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise TwoFactorThrottled((data or {}).get("locked_until"))
