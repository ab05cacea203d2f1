"""Reads about accounts: who must use two-factor authentication, and with which devices; the
holder of an API token."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, is_escwa_staff, may_hold_api_token, may_use_admin_site


def two_factor_staff(user) -> bool:
    """The accounts a second factor protects: ESCWA staff (`is_escwa_staff`: they see every
    country), and whoever may open Django's admin site (`may_use_admin_site`), ESCWA staff or not,
    since the admin changes what everyone sees."""
    return is_escwa_staff(user) or may_use_admin_site(user)


def two_factor_required(user) -> bool:
    """Staff must use two-factor authentication (unless OTP_REQUIRED_FOR_STAFF is off, for a
    demo on a machine without an authenticator app); everyone else may choose to."""
    return settings.OTP_REQUIRED_FOR_STAFF and two_factor_staff(user)


def two_factor_authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any (there is at most one)."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def two_factor_enrolled(user) -> bool:
    """Whether the user has set up an authenticator app, and so must give a code at login."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_backup_codes_left(user) -> int:
    """How many unused backup codes the user has."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def two_factor_enrolment_cutoff() -> datetime.datetime:
    """Authenticators being set up that were started before this time have expired."""
    return timezone.now() - settings.TWO_FACTOR_SETUP_TIMEOUT


def two_factor_enrolment_pending(user, *, device_id) -> TOTPDevice | None:
    """The authenticator that this session started to set up (its id kept in the session): None
    once it is confirmed, has expired, or was replaced by a setup started again anywhere."""
    if not device_id or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(
        pk=device_id,
        user=user,
        confirmed=False,
        created_at__gte=two_factor_enrolment_cutoff(),
    ).first()


def api_tokens_of(user) -> list[ApiToken]:
    """The user's API tokens, newest first, revoked ones included (the profile page lists
    them). One query."""
    return list(ApiToken.objects.filter(user=user))


def api_token_holder(secret: str) -> ApiToken | None:
    """The live token whose secret this is, with its user, or None: unknown, revoked, or its
    user inactive or no longer allowed to hold one (`may_hold_api_token`). One query, two for
    a country member (their teams)."""
    if not secret or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=api_token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not may_hold_api_token(token.user):
        return None
    return token


def api_token_hash(secret: str) -> str:
    """What is stored of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()
