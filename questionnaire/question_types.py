"""Question types: each one validates and normalises its own stored value.

A value is stored as JSON on `Answer.value`. Each handler knows
- `validate_options(options)`: whether the admin's type options make sense;
- `clean(value, options)`: the canonical stored form of a submitted value, or ValidationError;
- `is_empty(value)`: whether the question still counts as unanswered;
- `as_text(value, options)`: a plain-text rendering for exports and search, choice and status
  labels in the active language (`i18n.option_label`), numbers machine-readable ("1250000.5");
- `display_text(value, options)`: the same for people to read (numbers as the language writes
  them: "1,250,000.5").

Long text is stored as a small HTML subset cleaned by `richtext.clean_html` on every save, and
rendered by the page and the PDF through the same function.
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gcmreview import formatting

from . import richtext
from .i18n import TRANSLATION_LANGUAGES, option_labels

DEFAULT_MAX_LENGTH = 20_000
SHORT_TEXT_MAX_LENGTH = 500
MAX_ENTRIES = 200
NUMBER_MAX_CHARACTERS = 60  # of a number as typed, separators included
NUMBER_MAX_DIGITS = 15  # before the decimal mark
NUMBER_MAX_DECIMALS = 15
# Enough precision for every allowed number (15 + 15 digits): the default context's 28 digits
# would round 999999999999999.999999999999999 when normalising it.
_EXACT = decimal.Context(prec=64)

# The default status scale of the objectives grid: no official template fixes one, so each
# questionnaire version may override it in the question's options. Like every label of a question's
# options it carries its own Arabic and French (unofficial translations, see i18n).
DEFAULT_OBJECTIVE_SCALE = [
    {
        "value": "not_started",
        "label": "Not started",
        "label_ar": "لم يبدأ التنفيذ",
        "label_fr": "Pas encore commencé",
    },
    {"value": "planned", "label": "Planned", "label_ar": "مُخطَّط له", "label_fr": "Prévu"},
    {
        "value": "in_progress",
        "label": "In progress",
        "label_ar": "قيد التنفيذ",
        "label_fr": "En cours",
    },
    {
        "value": "largely_achieved",
        "label": "Largely achieved",
        "label_ar": "تحقّق إلى حدّ كبير",
        "label_fr": "Largement atteint",
    },
    {
        "value": "not_applicable",
        "label": "Not applicable",
        "label_ar": "لا ينطبق",
        "label_fr": "Sans objet",
    },
]
OBJECTIVE_COUNT = 23
OBJECTIVE_NOTE_MAX_LENGTH = 2000  # a note on one objective, unless the question's options say

_SLUG_RE = re.compile(r"^[a-z0-9_-]{1,60}$")


def _choice_list(options: dict, name: str) -> list[dict]:
    items = options.get(name)
    if not isinstance(items, list) or not items:
        raise ValidationError(_("“%(name)s” must be a non-empty list.") % {"name": name})
    seen = set()
    for item in items:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("value") if name != "columns" else item.get("key"), str)
            and isinstance(item.get("label"), str)
        ):
            raise ValidationError(
                _("Each entry of “%(name)s” needs a value (or key) and a label.") % {"name": name}
            )
        ident = item.get("value") if name != "columns" else item.get("key")
        for code in TRANSLATION_LANGUAGES:
            if not isinstance(item.get(f"label_{code}", ""), str):
                raise ValidationError(
                    _("The label_%(code)s of “%(ident)s” must be text.")
                    % {"code": code, "ident": ident}
                )
        if not _SLUG_RE.match(ident):
            raise ValidationError(
                _("“%(ident)s” is not a valid identifier (lowercase letters, digits, _ and -).")
                % {"ident": ident}
            )
        if ident in seen:
            raise ValidationError(_("“%(ident)s” appears twice.") % {"ident": ident})
        seen.add(ident)
    return items


def _text(value: Any, *, max_length: int, field: str | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(_("Expected text."))
    value = richtext.strip_control_characters(value).strip()
    if len(value) > max_length:
        raise ValidationError(
            ngettext(
                "%(field)s is %(length)s characters long; the limit is %(max)s character.",
                "%(field)s is %(length)s characters long; the limit is %(max)s characters.",
                max_length,
            )
            % {
                "field": field or _("The answer"),
                "length": formatting.number_text(len(value)),
                "max": formatting.number_text(max_length),
            }
        )
    return value


class QuestionTypeHandler:
    name: ClassVar[str]
    empty_value: ClassVar[Any] = None

    def validate_options(self, options: dict) -> None:
        max_length = options.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            raise ValidationError(_("max_length must be a positive whole number."))

    def clean(self, value: Any, options: dict) -> Any:
        raise NotImplementedError

    def is_empty(self, value: Any) -> bool:
        return value in (None, "", [], {})

    def as_text(self, value: Any, options: dict) -> str:
        return "" if value is None else str(value)

    def display_text(self, value: Any, options: dict) -> str:
        """The plain text people read (the review's comparison of versions): `as_text`, except
        where that is machine-readable (numbers)."""
        return self.as_text(value, options)


class LongText(QuestionTypeHandler):
    name = "long_text"
    empty_value = ""

    def clean(self, value: Any, options: dict) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValidationError(_("Expected text."))
        html = richtext.clean_html(value)
        max_length = options.get("max_length", DEFAULT_MAX_LENGTH)
        length = len(richtext.html_to_text(html))
        if length > max_length:
            raise ValidationError(
                ngettext(
                    "The answer is %(length)s characters long; the limit is %(max)s character.",
                    "The answer is %(length)s characters long; the limit is %(max)s characters.",
                    max_length,
                )
                % {
                    "length": formatting.number_text(length),
                    "max": formatting.number_text(max_length),
                }
            )
        return html

    def is_empty(self, value: Any) -> bool:
        return not value or not richtext.html_to_text(value).strip()

    def as_text(self, value: Any, options: dict) -> str:
        return richtext.html_to_text(value or "")


class ShortText(QuestionTypeHandler):
    name = "short_text"
    empty_value = ""

    def clean(self, value: Any, options: dict) -> str:
        text = _text(value, max_length=options.get("max_length", SHORT_TEXT_MAX_LENGTH))
        if "\n" in text:
            raise ValidationError(_("A short answer fits on one line."))
        return text


class SingleChoice(QuestionTypeHandler):
    name = "single_choice"

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        _choice_list(options, "choices")

    def clean(self, value: Any, options: dict) -> str | None:
        if value in (None, ""):
            return None
        allowed = {c["value"] for c in options.get("choices", [])}
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": value})
        return value

    def as_text(self, value: Any, options: dict) -> str:
        labels = option_labels(options.get("choices", []))
        return labels.get(value, "") if value else ""


class MultipleChoice(QuestionTypeHandler):
    name = "multiple_choice"
    empty_value: ClassVar[list] = []

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        _choice_list(options, "choices")

    def clean(self, value: Any, options: dict) -> list[str]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_("Expected a list of choices."))
        order = [c["value"] for c in options.get("choices", [])]
        unknown = [v for v in value if v not in order]
        if unknown:
            raise ValidationError(
                _("“%(value)s” is not one of the choices.") % {"value": unknown[0]}
            )
        chosen = set(value)
        return [v for v in order if v in chosen]  # canonical: the questionnaire's order

    def as_text(self, value: Any, options: dict) -> str:
        labels = option_labels(options.get("choices", []))
        return "; ".join(labels.get(v, v) for v in value or [])


class YesNo(QuestionTypeHandler):
    """A yes or a no, and an explanation in long text."""

    name = "yes_no"

    def clean(self, value: Any, options: dict) -> dict | None:
        if value in (None, "", {}):
            return None
        if not isinstance(value, dict) or set(value) - {"answer", "explanation"}:
            raise ValidationError(_("Expected an answer and an explanation."))
        answer = value.get("answer") or None
        if answer not in (None, "yes", "no"):
            raise ValidationError(_("Answer yes or no."))
        explanation = LongText().clean(value.get("explanation") or "", options)
        if answer is None and not explanation:
            return None
        if answer is None:
            raise ValidationError(_("Answer yes or no before explaining."))
        return {"answer": answer, "explanation": explanation}

    def as_text(self, value: Any, options: dict) -> str:
        if not value:
            return ""
        word = {"yes": _("Yes"), "no": _("No")}[value["answer"]]
        explanation = richtext.html_to_text(value.get("explanation") or "")
        return f"{word}. {explanation}".strip() if explanation else str(word)


class Number(QuestionTypeHandler):
    """A decimal number, stored as a plain decimal string ("1250000.5", "-3"): JSON floats would
    round 0.1 + 0.2 and large integers.

    People type it as they write numbers in the language of the page (`parse`); pages and PDFs
    show it the same way (`format`: "1,250,000.5", "1 250 000,5"), and what a page shows is
    read back unchanged. The rule, also in docs/languages.md and the field's help:

    - Arabic-Indic (٠-٩) and Eastern Arabic (۰-۹) digits are read as 0-9;
    - the point, and the Arabic decimal separator ٫, always start the decimals;
    - the comma starts the decimals in a language whose decimal separator is the comma (French:
      "1,5" is one and a half), and separates thousands in the others (English and Arabic:
      "1,250" is twelve hundred and fifty);
    - spaces (ordinary, no-break, narrow no-break, thin) and the Arabic thousands separator ٬
      separate thousands in every language;
    - thousands separators stand between groups of three digits, before the decimals only:
      "1,25" in English is refused rather than guessed at, and so are two decimal marks
      ("1.250,5" in French);
    - a sign in front (-, −, +); invisible direction marks are ignored; nothing else (no
      exponents, no letters).
    """

    name = "number"
    # The example in the field's help and in its error message, shown in the page's language.
    EXAMPLE = decimal.Decimal("1250000.5")
    _DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
    _MINUS = "-\u2212"  # hyphen-minus, minus sign
    _DECIMAL_MARKS = ".\u066b"  # point, Arabic decimal separator
    _GROUP_MARKS = " \u00a0\u202f\u2009\u2007\u066c"  # spaces, Arabic thousands separator
    # Direction marks that copying Arabic text brings along: LRM, RLM, ALM, embeddings, isolates.
    _INVISIBLE_RE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
    # Grouped digits: "1,250,000" (the comma standing for any thousands separator); not "0,250".
    _GROUPED_RE = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        for bound in ("min", "max"):
            if bound in options and not isinstance(options[bound], (int, float)):
                raise ValidationError(_("%(bound)s must be a number.") % {"bound": bound})

    @staticmethod
    def decimal_comma() -> bool:
        """Whether the active language writes decimals after a comma (French)."""
        return formats.get_format("DECIMAL_SEPARATOR", use_l10n=True) == ","

    def format(self, value: Any) -> str:
        """A stored value as the active language writes it: "1,250,000.5", "1 250 000,5"."""
        return formatting.number_text(decimal.Decimal(str(value)).normalize(_EXACT))

    def refusal(self) -> ValidationError:
        if self.decimal_comma():
            message = _("Enter a number, for example %(example)s (decimals after a comma).")
        else:
            message = _("Enter a number, for example %(example)s (decimals after a point).")
        return ValidationError(message % {"example": self.format(self.EXAMPLE)})

    def help_text(self) -> str:
        """The field's help: the rule above, in a sentence, with the example."""
        if self.decimal_comma():
            text = _(
                "For example %(example)s: decimals after a comma; spaces between thousands "
                "are optional."
            )
        else:
            text = _(
                "For example %(example)s: decimals after a point; commas or spaces between "
                "thousands are optional."
            )
        return text % {"example": self.format(self.EXAMPLE)}

    def parse(self, text: str) -> decimal.Decimal:
        """`text` as typed in the active language, as a Decimal; ValidationError otherwise."""
        text = self._INVISIBLE_RE.sub("", text).strip().translate(self._DIGITS)
        sign = ""
        if text[:1] in self._MINUS or text[:1] == "+":
            sign = "-" if text[0] in self._MINUS else ""
            text = text[1:].lstrip()
        comma_is_decimal = self.decimal_comma()
        integer, decimals, marks = [], [], 0
        for char in text:
            if "0" <= char <= "9":
                (decimals if marks else integer).append(char)
            elif char in self._DECIMAL_MARKS or (char == "," and comma_is_decimal):
                marks += 1
                if marks > 1:
                    raise self.refusal()
            elif (char in self._GROUP_MARKS or char == ",") and not marks:
                integer.append(",")  # one mark for every thousands separator
            else:
                raise self.refusal()
        whole = "".join(integer)
        if not (whole or decimals) or ("," in whole and not self._GROUPED_RE.fullmatch(whole)):
            raise self.refusal()
        return decimal.Decimal(
            sign + (whole.replace(",", "") or "0") + "." + ("".join(decimals) or "0")
        )

    def clean(self, value: Any, options: dict) -> str | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.refusal()
        if isinstance(value, str):
            if len(value) > NUMBER_MAX_CHARACTERS:
                raise self.refusal()
            if not value.strip():
                return None
            number = self.parse(value)
        else:  # a JSON number, from a script: no language in it
            try:
                number = decimal.Decimal(str(value))
            except (decimal.InvalidOperation, ValueError):
                raise self.refusal() from None
        if not number.is_finite():
            raise self.refusal()
        # "1e-999999999" is short, but written out in full it is a gigabyte of zeros.
        if (
            number.copy_abs() >= decimal.Decimal("1e15")
            or (number and number.adjusted() < -NUMBER_MAX_DECIMALS)
            or number.normalize(_EXACT).as_tuple().exponent < -NUMBER_MAX_DECIMALS
        ):
            raise ValidationError(
                _(
                    "Enter a number with at most %(digits)s digits before the decimals and "
                    "%(decimals)s after them."
                )
                % {"digits": NUMBER_MAX_DIGITS, "decimals": NUMBER_MAX_DECIMALS}
            )
        if "min" in options and number < decimal.Decimal(str(options["min"])):
            raise ValidationError(
                _("Enter %(min)s or more.") % {"min": self.format(options["min"])}
            )
        if "max" in options and number > decimal.Decimal(str(options["max"])):
            raise ValidationError(
                _("Enter %(max)s or less.") % {"max": self.format(options["max"])}
            )
        if not number:
            return "0"  # not "-0", nor "0E-7"
        return format(number.normalize(_EXACT), "f")

    def display_text(self, value: Any, options: dict) -> str:
        # as_text stays the plain decimal: exports' cells and search read it.
        return "" if value in (None, "") else self.format(value)


class Date(QuestionTypeHandler):
    name = "date"

    def clean(self, value: Any, options: dict) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


class EntryList(QuestionTypeHandler):
    """Repeating rows with named columns, e.g. the entities involved and their role."""

    name = "entry_list"
    empty_value: ClassVar[list] = []

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        _choice_list(options, "columns")

    def clean(self, value: Any, options: dict) -> list[dict]:
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of rows."))
        if len(value) > options.get("max_rows", MAX_ENTRIES):
            raise ValidationError(_("Too many rows."))
        columns = [c["key"] for c in options.get("columns", [])]
        labels = option_labels(options.get("columns", []), key="key")
        rows = []
        for row in value:
            if not isinstance(row, dict) or set(row) - set(columns):
                raise ValidationError(_("A row has a column this question does not have."))
            cleaned = {
                key: _text(
                    row.get(key), max_length=options.get("max_length", 2000), field=labels[key]
                )
                for key in columns
            }
            if any(cleaned.values()):  # blank rows are dropped, not stored
                rows.append(cleaned)
        return rows

    def as_text(self, value: Any, options: dict) -> str:
        columns = [c["key"] for c in options.get("columns", [])]
        return "\n".join(" | ".join(row.get(k, "") for k in columns) for row in value or [])


class ObjectivesGrid(QuestionTypeHandler):
    """One row per GCM objective (1–23): a status on the version's scale and a note."""

    name = "objectives_grid"
    empty_value: ClassVar[dict] = {}

    def scale(self, options: dict) -> list[dict]:
        return options.get("scale") or DEFAULT_OBJECTIVE_SCALE

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        if "scale" in options:
            _choice_list(options, "scale")

    def clean(self, value: Any, options: dict) -> dict:
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_("Expected one row per objective."))
        allowed = {s["value"] for s in self.scale(options)}
        rows = {}
        for key, row in value.items():
            # The objective's number as written, ASCII digits without leading zeros: "²" passes
            # str.isdigit() and int() refuses it, and "007" beside "7" would name the same row
            # twice, the second silently replacing the first.
            if not (
                isinstance(key, str)
                and re.fullmatch(r"[1-9][0-9]?", key)
                and int(key) <= OBJECTIVE_COUNT
            ):
                raise ValidationError(_("There is no objective “%(key)s”.") % {"key": key})
            if not isinstance(row, dict) or set(row) - {"status", "note"}:
                raise ValidationError(_("Each objective has a status and a note."))
            status = row.get("status") or ""
            if status and (not isinstance(status, str) or status not in allowed):
                raise ValidationError(
                    _("“%(status)s” is not on this questionnaire's scale.") % {"status": status}
                )
            note = _text(
                row.get("note"),
                max_length=options.get("max_length", OBJECTIVE_NOTE_MAX_LENGTH),
                field=_("The note on objective %(n)s") % {"n": key},
            )
            if status or note:
                rows[key] = {"status": status, "note": note}
        return dict(sorted(rows.items(), key=lambda item: int(item[0])))

    def as_text(self, value: Any, options: dict) -> str:
        labels = option_labels(self.scale(options))
        lines = []
        for key, row in (value or {}).items():
            status = labels.get(row.get("status"), "")
            note = row.get("note", "")
            lines.append(f"{key}: {status}" + (f" — {note}" if note else ""))
        return "\n".join(lines)


HANDLERS: dict[str, QuestionTypeHandler] = {
    handler.name: handler
    for handler in (
        LongText(),
        ShortText(),
        SingleChoice(),
        MultipleChoice(),
        YesNo(),
        Number(),
        Date(),
        EntryList(),
        ObjectivesGrid(),
    )
}


def get_type(name: str) -> QuestionTypeHandler:
    try:
        return HANDLERS[name]
    except KeyError:
        raise ValidationError(_("Unknown question type “%(name)s”.") % {"name": name}) from None
