"""Numbers: typed as the page's language writes them, stored as a plain decimal string."""

from __future__ import annotations

import decimal
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from gcmreview import formatting

from .base import BaseQuestionType

NUMBER_MAX_CHARACTERS = 60  # of a number as typed, separators included
NUMBER_MAX_DIGITS = 15  # before the decimal mark
NUMBER_MAX_DECIMALS = 15
# Enough precision for every allowed number (15 + 15 digits): the default context's 28 digits
# would round 999999999999999.999999999999999 when normalising it.
_EXACT = decimal.Context(prec=64)


class Number(BaseQuestionType):
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
    label = _("Number")
    order = 60
    holds_typed_text = False
    condition_operators = ("equals", "not_equals", "greater_than", "less_than")
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

    def condition_subject(self, value: Any) -> decimal.Decimal | None:
        try:
            return decimal.Decimal(value) if isinstance(value, str) and value else None
        except decimal.InvalidOperation:
            return None

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

    # --- pages -------------------------------------------------------------------------------

    def _field_text(self, value: Any) -> Any:
        """A stored number as the page's language writes it, which the field reads back as the
        same number (a value that no longer fits its type is shown as stored)."""
        if value in (None, ""):
            return value
        try:
            return self.format(value)
        except (ArithmeticError, ValueError):
            return value

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        context = super().widget_context(question, value, typed=typed)
        if not typed:  # what the person typed stays as they typed it
            context["value"] = self._field_text(value)
        context["help"] = self.help_text()
        return context

    def saved_field_value(self, value: Any) -> Any:
        # Once the person has left the field, it shows what was understood ("1 250 000,5").
        return self._field_text(value)

    def display_context(self, question, value, objectives) -> dict:
        # Stored as a plain decimal string; shown as the language writes numbers ("1,250,000.5",
        # "1 250 000,5"), in pages and PDFs alike.
        try:
            return {"number": self.format(value)}
        except (ArithmeticError, ValueError):
            return {"number": value}

    def preview_context(self, question, objectives) -> dict:
        options = question.options or {}
        return {
            "bounds": {
                bound: self.format(options[bound]) for bound in ("min", "max") if bound in options
            }
        }
