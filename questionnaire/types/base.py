"""The base of every question type, and the registry they join by being defined.

A question type is one class (after Wagtail's StreamField blocks) that carries everything about
its kind of answer:

- its value's shape: `clean(value, options)` turns what was submitted into the canonical stored
  JSON or raises ValidationError, `empty_value` and `is_empty(value)` say what counts as
  unanswered, `validate_options(options)` checks the admin's options for the type;
- reading the answering page's form: `value_from_post(question, data)` (without JavaScript; with
  it, the type's script in `static/js/types/<name>.js` sends the same value as JSON);
- its templates in `templates/questionnaire/types/<name>/`: `input.html` (the answering page's
  field, from `widget_context`), `display.html` (the answer as pages and PDFs show it, from
  `display_context`) and `preview.html` (how it will be answered, in a version's preview, from
  `preview_context`);
- its plain text: `as_text` for search, exports, diffs and `Answer.text` (choice labels in the
  active language, numbers machine-readable), and `display_text` for people to read;
- how it prints: the PDF shows `display.html`, in the direction of the text the country typed
  unless `holds_typed_text` is false (choices and numbers: the questionnaire's words), beside
  its question, or under it across the page when `prints_full_width`;
- its browser half: `script`, registered by answering.js under the same name.

Carrying answers forward is the same for every type (`services`: a non-empty answer is cleaned
again against the new version's question of the same type), so no method here.

A subclass that sets `name` registers itself (`__init_subclass__`); `questionnaire.types` imports
every module of its package, so a new type is a new module, its templates, its script and its
tests (docs/architecture.md, "Adding a question type").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gcmreview import formatting
from questionnaire import richtext
from questionnaire.i18n import TRANSLATION_LANGUAGES

if TYPE_CHECKING:
    from django.http import QueryDict
    from django.utils.functional import Promise

    from questionnaire.models import Question

# name → the one instance of each type, in the order of `order` once `all_types` sorts them.
REGISTRY: dict[str, BaseQuestionType] = {}
TEMPLATE_DIR = "questionnaire/types"
NOT_ANSWERED_TEMPLATE = f"{TEMPLATE_DIR}/not_answered.html"
_SLUG_RE = re.compile(r"^[a-z0-9_-]{1,60}$")


def field_name(question: Question, part: str = "") -> str:
    """The answering form's field for `question` (and one `part` of it): `q-<key>[-<part>]`."""
    return f"q-{question.key}" + (f"-{part}" if part else "")


class BaseQuestionType:
    name: ClassVar[str]  # stored in Question.type; names the templates and the script
    label: ClassVar[str | Promise]  # the admin's name for the type
    order: ClassVar[int] = 1000  # where the type comes in the admin's list
    empty_value: ClassVar[Any] = None
    # Whether the value holds text the country typed (the PDF then sets its cell's direction from
    # that text) rather than only the questionnaire's words (choices) or digits.
    holds_typed_text: ClassVar[bool] = True
    # Whether the PDF prints the answer across the page's width, under its question, rather than
    # in the answers' column beside it (a wide table: the objectives grid).
    prints_full_width: ClassVar[bool] = False
    # Whether its templates show the GCM objectives (pages then load them: `objectives_for`).
    shows_objectives: ClassVar[bool] = False
    # The conditions a later question may put on this type's answers (ConditionOperator values;
    # none: no question may depend on it). `questionnaire.conditions` evaluates them from
    # `condition_subject`, and answering.js mirrors that from the type script's `value`.
    condition_operators: ClassVar[tuple[str, ...]] = ()
    # The lists of labelled items this type's options hold (`i18n.OPTION_LISTS`: "choices",
    # "columns", "scale"): what the admin edits as rows, and what is translated item by item.
    option_lists: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return  # a shared base of several types, not a type
        if cls.name in REGISTRY:
            raise ImproperlyConfigured(f"Two question types are named {cls.name!r}.")
        REGISTRY[cls.name] = cls()

    # --- the value ---------------------------------------------------------------------------

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

    # --- conditions on this type's answers (questionnaire/conditions.py) ---------------------

    def condition_values(self, options: dict) -> list[tuple[str, str]] | None:
        """The values a condition may name, with their labels in the active language; None: any
        number."""
        return None

    def condition_subject(self, value: Any) -> frozenset[str] | Any:
        """What a condition compares: the set of values chosen (empty when unanswered) or, for
        numbers, a Decimal (None when unanswered)."""
        return frozenset()

    # --- the answering page ------------------------------------------------------------------

    def value_from_post(self, question: Question, data: QueryDict) -> Any:
        """The answer value the section form posted for `question` (not yet validated)."""
        return data.get(field_name(question), "")

    def widget_context(
        self, question: Question, value: Any, *, typed: bool = False, objectives=()
    ) -> dict:
        """What `input.html` needs (as `w`) to show `value`: stored, or posted back when
        `typed`; labels of choices, columns and scale steps in the page's language."""
        return {"name": field_name(question), "value": value}

    def saved_field_value(self, value: Any) -> str | None:
        """What the field shows once an autosave has stored `value`, when the script should
        replace what was typed with it (None: leave the field alone)."""
        return None

    @property
    def input_template(self) -> str:
        return f"{TEMPLATE_DIR}/{self.name}/input.html"

    @property
    def script(self) -> str:
        """The static path of the type's handler, which registers itself under `name`."""
        return f"js/types/{self.name}.js"

    # --- showing an answer -------------------------------------------------------------------

    @property
    def display_template(self) -> str:
        return f"{TEMPLATE_DIR}/{self.name}/display.html"

    def display_context(self, question: Question, value: Any, objectives) -> dict:
        """What `display.html` needs beside `question` and `value`, shaped here so that the
        template stays logic-free."""
        return {}

    def render_display(self, question: Question, value: Any, objectives=()) -> SafeString:
        """The answer as pages and the PDF show it, or “Not answered”."""
        if self.is_empty(value):
            return render_to_string(NOT_ANSWERED_TEMPLATE)
        context = {"question": question, "value": value}
        context.update(self.display_context(question, value, objectives))
        return render_to_string(self.display_template, context)

    # --- a version's preview -----------------------------------------------------------------

    @property
    def preview_template(self) -> str:
        return f"{TEMPLATE_DIR}/{self.name}/preview.html"

    def preview_context(self, question: Question, objectives) -> dict:
        """What `preview.html` needs beside `question` and its `options`."""
        return {}

    def render_preview(self, question: Question, objectives=()) -> SafeString:
        """How the question will be answered, described for a preview of the questionnaire."""
        context = {"question": question, "options": question.options or {}}
        context.update(self.preview_context(question, objectives))
        return render_to_string(self.preview_template, context)


def get_type(name: str) -> BaseQuestionType:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValidationError(_("Unknown question type “%(name)s”.") % {"name": name}) from None


def all_types() -> list[BaseQuestionType]:
    """Every registered type, in the admin's order."""
    return sorted(REGISTRY.values(), key=lambda kind: (kind.order, kind.name))


def choices() -> list[tuple[str, Any]]:
    """`Question.type`'s choices: every registered type (a callable, so a new type needs no
    migration)."""
    return [(kind.name, kind.label) for kind in all_types()]


# --- Shared by several types ----------------------------------------------------------------------


def choice_list(options: dict, name: str) -> list[dict]:
    """`options[name]`, checked: a non-empty list of {value (or key, for columns), label, and
    label_<code> for each translation}, identifiers unique."""
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


def clean_text(value: Any, *, max_length: int, field: str | None = None) -> str:
    """Plain text as stored: control characters removed, stripped, at most `max_length` long."""
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


def limit_context(limit: int) -> dict:
    """A text limit for a preview's sentence: the count (for the plural) and how it is written."""
    return {"limit_count": limit, "max_length": formatting.number_text(limit)}
