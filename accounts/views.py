"""Account pages beyond django.contrib.auth's: two-factor authentication, the session's keep-alive,
and the password reset (Django's views, throttled, with links built from SITE_URL).

Who must pass the second step, and when, is decided in accounts.middleware.TwoFactorMiddleware;
these views only enrol, verify and manage devices through accounts.services.
"""

from __future__ import annotations

import datetime
import secrets
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from gcmreview import formatting

from . import selectors, services, sessions
from .forms import ThrottledPasswordResetForm, TwoFactorCodeForm, TwoFactorConfirmForm
from .lockout import client_ip
from .middleware import TWO_FACTOR_SESSION_KEY

# Backup codes wait here between the POST that made them and the page that shows them once.
BACKUP_CODES_SESSION_KEY = "accounts:new_backup_codes"
# The authenticator this session is setting up: only this session was shown its key.
SETUP_DEVICE_SESSION_KEY = "accounts:setup_device"
# What the throttle of wrong codes calls this session.
CODE_CLIENT_SESSION_KEY = "accounts:code_client"


def _next_url(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _throttled_message(error: services.TwoFactorThrottled) -> str:
    if error.until:
        return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
            "time": time_format(localtime(error.until), "H:i:s")
        }
    return _("Too many wrong codes. Wait a moment, then try again.")


def _code_client(request: HttpRequest) -> dict[str, str | None]:
    """Who is typing a code, as the throttle of wrong codes counts them: this session (by a
    random id kept in it, not the session key, which is a credential) and its address."""
    session_id = request.session.get(CODE_CLIENT_SESSION_KEY)
    if not session_id:
        session_id = request.session[CODE_CLIENT_SESSION_KEY] = secrets.token_urlsafe(18)
    return {"session_id": session_id, "address": client_ip(request)}


def _verified(request: HttpRequest, device) -> None:
    """Mark this session as having passed the second step with `device`."""
    django_otp.login(request, device)
    request.session[TWO_FACTOR_SESSION_KEY] = True


# --- The second step at login ------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for a code from the authenticator app (or a backup code) after the password."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not selectors.two_factor_enrolled(user):
        if selectors.two_factor_required(user):
            return redirect(_with_next("two_factor_setup", next_url))
        # An administrator removed the device: nothing is left to verify.
        request.session[TWO_FACTOR_SESSION_KEY] = False
        return redirect(next_url)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.two_factor_verify(
                user=user, token=form.cleaned_data["code"], **_code_client(request)
            )
        except services.TwoFactorThrottled as error:
            form.add_error("code", _throttled_message(error))
        else:
            device = check.device
            if device is not None:
                _verified(request, device)
                if check.wrong_elsewhere:
                    messages.warning(
                        request,
                        ngettext(
                            "Since your last right code, %(count)d wrong code was typed for your "
                            "account in another session. If that was not you, someone knows "
                            "your password: change it now.",
                            "Since your last right code, %(count)d wrong codes were typed for "
                            "your account in another session. If that was not you, someone "
                            "knows your password: change it now.",
                            check.wrong_elsewhere,
                        )
                        % {"count": check.wrong_elsewhere},
                    )
                if isinstance(device, StaticDevice):
                    left = selectors.two_factor_backup_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "You used a backup code: %(left)d left. If you lost your phone, set "
                            "up your authenticator again on the two-factor authentication page."
                        )
                        % {"left": left},
                    )
                return redirect(next_url)
            form.add_error(
                "code", _("This code is not right, or it has been used already. Try again.")
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


# --- Setting up an authenticator app -----------------------------------------------------------


def _qr_svg(device) -> str:
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    # Made here from the device's own otpauth URL: no user-typed markup in it.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308  # nosec


def _secret_for_typing(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan a QR code (or type the secret), then confirm with a code: the device counts from then
    on, and new backup codes are shown once. Each session gets a key of its own, which only that
    session can confirm (services.two_factor_enrolment_start)."""
    user = request.user
    next_url = _next_url(request)
    if selectors.two_factor_enrolled(user) and not user.is_verified():
        # Replacing an authenticator takes a code from the current one (or a backup code).
        return redirect(_with_next("two_factor_verify", request.get_full_path()))
    # The setup this session started, if it still stands: a reload keeps the QR code scanned.
    device = selectors.two_factor_enrolment_pending(
        user, device_id=request.session.get(SETUP_DEVICE_SESSION_KEY)
    )
    form = TwoFactorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if device is None:
                raise services.TwoFactorSetupExpired()
            codes = services.two_factor_enrolment_confirm(
                user=user,
                device=device,
                token=form.cleaned_data["code"],
                **_code_client(request),
            )
        except services.TwoFactorSetupExpired:
            device = None
            form.add_error(
                "code",
                _(
                    "This setup was started again elsewhere, or left for too long: its code no "
                    "longer works. Add the new key below to your app (you may delete the old "
                    "entry), then type the code it shows."
                ),
            )
        except services.TwoFactorThrottled as error:
            form.add_error("code", _throttled_message(error))
        else:
            if codes is not None:
                request.session.pop(SETUP_DEVICE_SESSION_KEY, None)
                # The service ended every session of the user: this one goes on, under a new key.
                update_session_auth_hash(request, user)
                _verified(request, device)
                request.session[BACKUP_CODES_SESSION_KEY] = {"codes": codes, "next": next_url}
                messages.success(request, _("Two-factor authentication is on for your account."))
                return redirect("two_factor_backup_codes")
            form.add_error(
                "code",
                _(
                    "This code is not right. Check that the time on your phone is set "
                    "automatically, then type the code the app shows now."
                ),
            )
    if device is None:
        device = services.two_factor_enrolment_start(user=user)
        request.session[SETUP_DEVICE_SESSION_KEY] = device.pk
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": _qr_svg(device),
            "secret": _secret_for_typing(device),
            "required": selectors.two_factor_required(user),
            "replacing": selectors.two_factor_enrolled(user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """GET shows new backup codes once; POST replaces the codes (from a verified session)."""
    if request.method == "POST":
        if not request.user.is_verified():
            return redirect(_with_next("two_factor_verify", reverse("two_factor")))
        codes = services.two_factor_backup_codes_generate(user=request.user)
        request.session[BACKUP_CODES_SESSION_KEY] = {"codes": codes, "next": reverse("two_factor")}
        return redirect("two_factor_backup_codes")
    pending = request.session.pop(BACKUP_CODES_SESSION_KEY, None)
    if not pending:
        return redirect("two_factor")
    return render(
        request,
        "accounts/two_factor_backup_codes.html",
        {"codes": pending["codes"], "next": pending["next"]},
    )


# --- The account page --------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    """What the user has set up, and what they may do about it."""
    user = request.user
    authenticator = selectors.two_factor_authenticator(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "authenticator": authenticator,
            "backup_codes_left": selectors.two_factor_backup_codes_left(user),
            "required": selectors.two_factor_required(user),
            "disable_form": TwoFactorCodeForm(),
        },
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off, confirmed by a current code."""
    user = request.user
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            check = services.two_factor_verify(
                user=user, token=form.cleaned_data["code"], **_code_client(request)
            )
        except services.TwoFactorThrottled as error:
            form.add_error("code", _throttled_message(error))
        else:
            if check.device is not None:
                services.two_factor_disable(user=user)
                update_session_auth_hash(request, user)  # the others have ended
                request.session.pop(DEVICE_ID_SESSION_KEY, None)
                request.session[TWO_FACTOR_SESSION_KEY] = False
                messages.success(request, _("Two-factor authentication is off for your account."))
                return redirect("two_factor")
            form.add_error("code", _("This code is not right, or it has been used already."))
    return render(
        request,
        "accounts/two_factor.html",
        {
            "authenticator": selectors.two_factor_authenticator(user),
            "backup_codes_left": selectors.two_factor_backup_codes_left(user),
            "required": selectors.two_factor_required(user),
            "disable_form": form,
        },
        status=400,
    )


# --- The session's clock -----------------------------------------------------------------------


def _session_payload(request: HttpRequest) -> dict:
    seconds_left = max(0, sessions.session_seconds_left(request.session))
    return {
        "ok": True,
        "seconds_left": seconds_left,
        "warning_seconds": settings.SESSION_WARNING_BEFORE,
        # When the session ends, as the pages write times: the dialog shows it as is, rather
        # than the browser's own clock and time zone.
        "ends_at_text": formatting.time_text(now() + datetime.timedelta(seconds=seconds_left)),
    }


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left. Asking does not count as activity (the middleware skips
    this URL), so an open tab does not keep a session alive by itself."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "error": "login", "seconds_left": 0}, status=401)
    return JsonResponse(_session_payload(request))


@never_cache
@require_POST
def session_keepalive(request: HttpRequest) -> HttpResponse:
    """'Stay signed in': the request itself is the activity that the middleware records."""
    if "application/json" not in request.headers.get("Accept", ""):
        if not request.user.is_authenticated:
            return redirect(settings.LOGIN_URL)
        return redirect(_next_url(request))
    if not request.user.is_authenticated:
        return JsonResponse(
            {"ok": False, "error": "login", "message": _("Your session has ended.")}, status=401
        )
    return JsonResponse(_session_payload(request))


# --- Password reset ----------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request: the same answer whether or not the address has an account, the
    e-mail's link built from SITE_URL (never from the request's Host header)."""

    form_class = ThrottledPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": client_ip(self.request) or ""}

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting the new password ends every session of the user (their session hash changes),
    and lifts a lockout of their username."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_lockout_clear(username=form.user.get_username())
        return response
