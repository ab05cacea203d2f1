"""Writes about accounts: two-factor devices and backup codes, login lockouts, API tokens.

A user has at most one authenticator app (a django-otp TOTPDevice) and one set of backup codes
(a StaticDevice whose tokens are deleted as they are used). Views, the admin and tests all go
through these functions.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from typing import NamedTuple

import axes.utils
import django_otp
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors
from .models import ApiToken, TwoFactorThrottle, User, may_hold_api_token

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
# Wrong codes: the longest wait they ask for, and when a count is forgotten (_throttle_open).
THROTTLE_MAX_DELAY = datetime.timedelta(hours=1)
THROTTLE_FORGET_AFTER = datetime.timedelta(days=1)


class TwoFactorThrottled(Exception):
    """Too many wrong codes in a row from this session or address: its codes are not checked
    until `until`."""

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
def two_factor_enrolment_confirm(
    *, user, device: TOTPDevice, token: str, session_id: str, address: str | None
) -> list[str] | None:
    """Confirm `device`, the authenticator this session started to set up, with a code from the
    app. It replaces any earlier authenticator of the user, every session of the user ends (the
    view keeps its own), and the user gets new backup codes, returned here to be shown once.
    None when the code is wrong; TwoFactorSetupExpired when the setup was started again or left
    too long."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied(_("This authenticator cannot be confirmed."))
    # Wrong codes here are throttled like those of the login's second step.
    throttle = _throttle_open(user=user, session_id=session_id, address=address)
    # Locked, so that a setup started at this moment in another session waits for this one.
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device.pk, user=user, confirmed=False)
        .filter(created_at__gte=selectors.two_factor_enrolment_cutoff())
        .first()
    )
    if device is None:
        raise TwoFactorSetupExpired()
    if not device.verify_token(_clean(token)):
        _throttle_failed(throttle)
        return None
    _throttle_passed(throttle)
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


class CodeCheck(NamedTuple):
    """What two_factor_verify found: the device that accepted the code (None if none did), and
    how many wrong codes were typed for the user in other sessions since the last right one."""

    device: Device | None
    wrong_elsewhere: int = 0


@transaction.atomic
def two_factor_verify(*, user, token: str, session_id: str, address: str | None) -> CodeCheck:
    """Check a code typed in the session `session_id` from `address`: six digits are a code from
    the authenticator app, anything else a backup code (which then stops working).

    Wrong codes are throttled per session and per user and address, never per user alone: while
    the wait lasts, the codes of that session, or of that user from that address, are not
    checked at all (TwoFactorThrottled), but another session from another address is never
    refused. So someone who has the password cannot keep the person out by typing wrong codes,
    and a right code typed during the wait is not accepted either (else the wait would not slow
    a guesser down). See _throttle_open for the waits and what they mean for guessing."""
    token = _clean(token)
    if not token:
        return CodeCheck(None)
    if token.isdigit():
        device = selectors.two_factor_authenticator(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return CodeCheck(None)
    throttle = _throttle_open(user=user, session_id=session_id, address=address)
    # django-otp still counts wrong codes on the devices (its own wait is off in the settings):
    # across every session, that is the number the person is told of.
    wrong_before = _device_wrong_codes(user)
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        _throttle_failed(throttle)
        return CodeCheck(None)
    _throttle_passed(throttle)
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    return CodeCheck(verified, max(0, wrong_before - throttle["session"].failures))


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


def _throttle_open(*, user, session_id: str, address: str | None) -> dict[str, TwoFactorThrottle]:
    """The wrong-code counts of this session and of this user from this address, locked until
    the transaction ends (codes sent at once are checked one after the other, each seeing the
    count the one before left). Raises TwoFactorThrottled while either asks to wait.

    After n wrong codes in a row, the next is checked 2^(n-1) seconds after the last (1, 2, 4,
    ... seconds) and at most THROTTLE_MAX_DELAY (an hour) after it; a count is forgotten
    THROTTLE_FORGET_AFTER (a day) after its last wrong code, and a right code clears it.
    Addresses are counted per user (another user behind the same address is not held up) and
    an IPv6 address by its /64 network (one machine or one home holds all of it).

    What this leaves a guesser: each guess at an app's code hits with a chance of at most
    3 in 10^6 (the previous, current and next 30-second codes are accepted, each once), so an
    even chance takes about 231,000 guesses. From one address, whatever the number of
    sessions: 13 guesses in the first 68 minutes, then one an hour, at most 36 the first day and
    24 a day after, so about 26 years for an even chance (a 1% chance after 140 days). Each
    further address (or IPv6 /64) adds as much: a hundred of them bring an even chance within
    about three months, which is why the person is told after their next right code how many
    wrong codes were typed elsewhere (CodeCheck.wrong_elsewhere). A backup code (8 letters and
    digits, 40 bits, ten of them) is hit with a chance of 10 in 2^40 (10^-11) per guess."""
    now = timezone.now()
    rows = {}
    for kind, key in sorted(
        {
            "session": f"session:{session_id}",
            "address": f"address:{user.pk}:{_address_block(address)}",
        }.items(),
        key=lambda item: item[1],  # always locked in the same order
    ):
        row, _created = TwoFactorThrottle.objects.select_for_update().get_or_create(key=key)
        if row.last_failure_at and now - row.last_failure_at >= THROTTLE_FORGET_AFTER:
            row.failures = 0
        rows[kind] = row
    until = max(
        (
            row.last_failure_at + _throttle_delay(row.failures)
            for row in rows.values()
            if row.failures
        ),
        default=None,
    )
    if until is not None and until > now:
        raise TwoFactorThrottled(until)
    return rows


def _throttle_delay(failures: int) -> datetime.timedelta:
    return min(datetime.timedelta(seconds=2 ** min(failures - 1, 30)), THROTTLE_MAX_DELAY)


def _throttle_failed(throttle: dict[str, TwoFactorThrottle]) -> None:
    now = timezone.now()
    for row in throttle.values():
        row.failures += 1
        row.last_failure_at = now
        row.save(update_fields=["failures", "last_failure_at"])
    TwoFactorThrottle.objects.filter(last_failure_at__lt=now - THROTTLE_FORGET_AFTER).delete()


def _throttle_passed(throttle: dict[str, TwoFactorThrottle]) -> None:
    TwoFactorThrottle.objects.filter(pk__in=[row.pk for row in throttle.values()]).delete()


def _address_block(address: str | None) -> str:
    """An IPv4 address as it is; an IPv6 address as its /64 network."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _device_wrong_codes(user) -> int:
    """Wrong codes typed for the user since the last right one, in any session (django-otp
    counts them on the devices)."""
    return sum(
        model.objects.filter(user=user, confirmed=True).aggregate(
            n=Coalesce(Sum("throttling_failure_count"), 0)
        )["n"]
        for model in (TOTPDevice, StaticDevice)
    )


# --- Personal API tokens (docs/api.md) ----------------------------------------------------------

# A label that tells a token apart, not a secret.
API_TOKEN_PREFIX = "gcm_"  # noqa: S105  # nosec B105
# How often a token's `last_used_at` is written: not on every request of a busy script.
API_TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=5)


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Make a read-only API token for `user` and return it with its secret, which is shown
    once and never stored (only its SHA-256 is). Only `may_hold_api_token` users may:
    PermissionDenied otherwise."""
    if not may_hold_api_token(user):
        raise PermissionDenied(
            _("Only ESCWA staff and the members of a country's team use API tokens.")
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or _("API token"),
        prefix=secret[: len(API_TOKEN_PREFIX) + 8],
        secret_hash=selectors.api_token_hash(secret),
    )
    return token, secret


def api_token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (from then on every request with it gets 401). A
    token of someone else's is as unknown as a missing one: ApiToken.DoesNotExist. Revoking
    twice keeps the first time."""
    token = ApiToken.objects.get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Note that the token was used now, at most once per API_TOKEN_USE_RESOLUTION."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
