"""The forms of the questionnaire's pages: a question, a section, a new draft, a comparison.

A question's or section's form checks what Django's own validation skips once a field is read-only
or not on the form (one key per version, one section number per version), and refuses a change to
a published version before the model guard has to.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .. import i18n
from ..models import Question, Questionnaire, QuestionnaireVersion, Section
from ._common import line_widgets, text_widgets


class TypeOptionsField(forms.JSONField):
    """A question's type options as indented JSON; always an object, `{}` when left empty."""

    widget = forms.Textarea(
        attrs={
            "rows": 8,
            "class": "vLargeTextField",
            "style": "font-family: monospace",
            "spellcheck": "false",
        }
    )

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(
                _('Type options are a JSON object, for example {"max_length": 500}.'),
                code="invalid",
            )
        try:
            json.dumps(value, allow_nan=False)
        except ValueError:
            raise ValidationError(_("NaN and Infinity are not allowed."), code="invalid") from None
        return value


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "slug", *i18n.translation_fields("questionnaire")]
        widgets = line_widgets("title")


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "section",
            "order",
            "label",
            "key",
            "text",
            *(f"text_{code}" for code in i18n.TRANSLATION_LANGUAGES),
            "help_text",
            *(f"help_text_{code}" for code in i18n.TRANSLATION_LANGUAGES),
            "type",
            "required",
            "options",
        ]
        field_classes = {"options": TypeOptionsField}
        widgets = {**text_widgets("text"), **text_widgets("help_text", rows=2)}

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section")
        if section is not None and section.version_id is not None:
            if not section.version.is_editable:
                raise ValidationError(
                    _("This questionnaire version is published; create a new draft to change it.")
                )
            # `version` is not a form field, so Django skips the one-key-per-version constraint.
            key = cleaned.get("key")
            if (
                key
                and Question.objects.filter(version_id=section.version_id, key=key)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("key", _("Another question of this version already uses this key."))
        if "type" in cleaned and "options" in cleaned:
            try:
                # The model's own check (the type handler's validate_options), on the field.
                Question(type=cleaned["type"], options=cleaned["options"]).clean()
            except ValidationError as exc:
                self.add_error("options", exc)
        if "type" not in cleaned or "options" not in cleaned:
            # Keep the stored type and options together on the instance, so that the model's
            # clean() does not report the same problem a second time at the top of the form.
            cleaned.pop("type", None)
            cleaned.pop("options", None)
        return cleaned


class QuestionInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        duplicates: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                duplicates.add(key)
            if key:
                seen.add(key)
        if duplicates:
            raise ValidationError(
                _("Each question needs its own key; used twice: %(keys)s.")
                % {"keys": ", ".join(sorted(duplicates))}
            )


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = [
            "version",
            "number",
            "title",
            "intro",
            "order",
            *i18n.translation_fields("section"),
        ]
        widgets = {**line_widgets("title"), **text_widgets("intro")}

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            version = cleaned.get("version")
        else:
            version = self.instance.version if self.instance.version_id else None
        if version is None or version.pk is None:
            return cleaned
        if not version.is_editable:
            raise ValidationError(
                _("This questionnaire version is published; create a new draft to change it.")
            )
        number = cleaned.get("number")
        # With `version` read-only Django skips the (version, number) constraint: check it here.
        if (
            "version" not in self.fields
            and number
            and Section.objects.filter(version=version, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("number", _("This version already has a section with this number."))
        return cleaned


class NewDraftForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text=_(
            "What this draft is for. Left empty, it says which version it was copied from."
        ),
    )


class VersionCompareForm(forms.Form):
    other = forms.ModelChoiceField(
        label=_("Compare with"), queryset=QuestionnaireVersion.objects.none(), empty_label=None
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = versions
