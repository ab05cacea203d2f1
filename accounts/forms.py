"""Forms of the account pages: codes for two-factor authentication, and the password reset."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from gcmreview.counters import window_count, window_increment


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The six-digit code your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class TwoFactorConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        help_text=_("The six digits the app shows for the GCM Review Portal."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending at most PASSWORD_RESET_PER_HOUR e-mails an hour to one
    address and for one client. The page says the same whatever happens: whether an address
    belongs to an account, or was throttled, is never shown."""

    def __init__(self, *args, client: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        keys = [f"password-reset:email:{email}", f"password-reset:client:{self.client}"]
        if any(window_count(key) >= settings.PASSWORD_RESET_PER_HOUR for key in keys):
            return
        for key in keys:
            window_increment(key, seconds=3600)
        super().save(*args, **kwargs)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example: “Statistics office dashboard”. Only you see it."),
    )
