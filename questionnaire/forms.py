"""Forms for the team and supporting-document pages. They validate input; services save it."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from accounts import usernames

from .models import CountryRole

ROLE_HELP = _(
    "Focal point: answers, submits and manages the team. Contributor: answers. Viewer: reads."
)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CountryRole.choices,
        initial=CountryRole.CONTRIBUTOR,
        help_text=ROLE_HELP,
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=CountryRole.choices)


class JoinForm(forms.Form):
    """A new account for someone who follows an invitation link without being logged in."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only. You will log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        return usernames.username_check_new(self.cleaned_data["username"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            first, _sep, last = cleaned.get("full_name", "").strip().partition(" ")
            # The validators compare the password with who the user will be.
            user = get_user_model()(
                username=cleaned.get("username", ""),
                email=self.email,
                first_name=first,
                last_name=last,
            )
            try:
                password_validation.validate_password(password1, user=user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT), 20 MB at most."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.docx,.xlsx,.odt,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.oasis.opendocument.text"
            }
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("Optional: what the document is, e.g. “National action plan, 2023”."),
    )


class WordImportForm(forms.Form):
    file = forms.FileField(
        label=_("Word document"),
        help_text=_(
            "A .docx file: one downloaded from this submission or the questionnaire ESCWA sent, "
            "filled in. 20 MB at most."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )
