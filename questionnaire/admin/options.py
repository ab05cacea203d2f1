"""A question's type options in the admin: its choices, columns and scale steps as rows of a table
(value, English, Arabic, French), the rest as a short JSON object.

Administrators are not programmers: a list typed as JSON failed with "Enter a valid JSON." and
nothing more. Here each list is a table whose rows are added, removed and reordered (with
JavaScript: buttons and drag and drop, static/js/admin_options.js; without it: an order number and
a remove box per row, and two blank rows), and each mistake names its row ("Choice 3: the value is
empty.").

Nothing stored is lost: a row keeps the keys it has beyond the four it shows (in a hidden field),
a list the table cannot show exactly (not a list of items with a valid value and one-line labels)
stays in "Other settings (JSON)" as it was, and a form posted back unchanged gives back exactly the
options it showed.

The posted form is read into an `OptionsDraft` (rows in their new order, removed and blank rows
dropped): it is what the table shows again when something is wrong, so "Choice 3" in a message is
the third row on the page, and what `TypeOptionsField.clean` turns into the options.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import i18n
from ..types import all_types

LABEL_KEYS = ("label", *(f"label_{code}" for code in i18n.TRANSLATION_LANGUAGES))
BLANK_ROWS = 2  # empty rows below each table, to fill in without JavaScript
MAX_ROWS = 500  # rows read from one posted table
_IDENT_RE = re.compile(r"^[a-z0-9_-]{1,60}$")  # as questionnaire.types.base.choice_list checks


@dataclass(frozen=True)
class OptionList:
    """One list of a question's options that is edited as a table."""

    name: str  # its key in the options
    ident: str  # the key that identifies an item: "value", or "key" for columns
    heading: Any
    row: Any  # "Choice %(n)s"
    duplicate: Any  # "Choices %(first)s and %(second)s both have the value “%(ident)s”."
    help: Any = ""

    @property
    def ident_label(self):
        return _("Key") if self.ident == "key" else _("Value")

    def row_name(self, number: int, ident: str = "") -> str:
        name = self.row % {"n": number}
        return format_ident(name, ident)


def format_ident(name: str, ident: str) -> str:
    """ "Choice 3 (“law”)": a row's name and, when it has one, its value."""
    return gettext("%(row)s (“%(ident)s”)") % {"row": name, "ident": ident} if ident else name


# How each list is edited; which types have which list is theirs to say (`option_lists`).
OPTION_LISTS = (
    OptionList(
        name="choices",
        ident="value",
        heading=_("Choices"),
        row=_("Choice %(n)s"),
        duplicate=_("Choices %(first)s and %(second)s both have the value “%(ident)s”."),
        help=_(
            "The value is stored with each answer and names the choice in conditions: lowercase "
            "letters, digits, _ and -. Change it only before any answer uses it."
        ),
    ),
    OptionList(
        name="columns",
        ident="key",
        heading=_("Columns"),
        row=_("Column %(n)s"),
        duplicate=_("Columns %(first)s and %(second)s both have the key “%(ident)s”."),
        help=_("The key names the column in stored answers: lowercase letters, digits, _ and -."),
    ),
    OptionList(
        name="scale",
        ident="value",
        heading=_("Scale"),
        row=_("Scale step %(n)s"),
        duplicate=_("Scale steps %(first)s and %(second)s both have the value “%(ident)s”."),
        help=_(
            "The statuses each objective may have. Left empty, the default scale is used: Not "
            "started, Planned, In progress, Largely achieved, Not applicable."
        ),
    ),
)
LISTS_BY_NAME = {option_list.name: option_list for option_list in OPTION_LISTS}
TYPE_LISTS = {kind.name: list(kind.option_lists) for kind in all_types() if kind.option_lists}


@dataclass
class Row:
    """One row of a table: the identifier, the three labels as typed, and the item's other keys
    (JSON text, kept as they came)."""

    ident: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    extra: str = ""

    def is_blank(self) -> bool:
        return not (self.ident.strip() or any(v.strip() for v in self.labels.values()))

    def extra_data(self) -> dict | None:
        """The item's other keys, or None when the hidden field was tampered with."""
        if not self.extra:
            return {}
        try:
            data = json.loads(self.extra)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


@dataclass
class OptionsDraft:
    """The options as the form shows them: a table of rows per list, and the rest as JSON text.
    `posted` names the tables the form sent (a post without them, e.g. from a script, gives the
    whole options as JSON)."""

    lists: dict[str, list[Row]] = field(default_factory=dict)
    other: str = ""
    posted: frozenset[str] = frozenset()


def _representable(items: Any, ident: str) -> bool:
    """Whether a table shows `items` exactly: a non-empty list of items each with a valid
    identifier and one-line text labels (English present)."""
    if not isinstance(items, list) or not items:
        return False
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(ident), str):
            return False
        if not _IDENT_RE.match(item[ident]) or not isinstance(item.get("label"), str):
            return False
        for key in LABEL_KEYS:
            text = item.get(key, "")
            if not isinstance(text, str) or "\n" in text or "\r" in text:
                return False
    return True


def _row_from_item(item: dict, ident: str) -> Row:
    extra = {k: v for k, v in item.items() if k != ident and k not in LABEL_KEYS}
    # A translation stored as "" stays "" (rather than absent) when left empty.
    extra.update({k: "" for k in LABEL_KEYS[1:] if item.get(k) == ""})
    return Row(
        ident=item[ident],
        labels={key: item.get(key, "") for key in LABEL_KEYS},
        extra=json.dumps(extra, ensure_ascii=False) if extra else "",
    )


def draft_from_options(options: Any) -> OptionsDraft:
    """What the form shows for stored `options`."""
    if not isinstance(options, dict):
        # Not an object (only a script could have stored it): shown as it is, to be corrected.
        return OptionsDraft(other=json.dumps(options, ensure_ascii=False, indent=2))
    rest = dict(options)
    lists = {}
    for option_list in OPTION_LISTS:
        items = options.get(option_list.name)
        if _representable(items, option_list.ident):
            lists[option_list.name] = [_row_from_item(item, option_list.ident) for item in items]
            del rest[option_list.name]
    other = json.dumps(rest, ensure_ascii=False, indent=2) if rest else ""
    return OptionsDraft(lists=lists, other=other)


def _order(text: str | None, position: int) -> float:
    try:
        number = float((text or "").strip().replace(",", "."))
    except ValueError:
        return float(position)
    return number if math.isfinite(number) else float(position)


def draft_from_post(data, name: str) -> OptionsDraft:
    """The rows a form posted, in the order their order numbers give (ties and blanks keep their
    place), without the ones ticked for removal and the blank ones."""
    lists: dict[str, list[Row]] = {}
    posted = set()
    for option_list in OPTION_LISTS:
        base = f"{name}-{option_list.name}"
        try:
            total = int(data.get(f"{base}-TOTAL", ""))
        except ValueError:
            continue
        posted.add(option_list.name)
        rows = []
        for index in range(min(max(total, 0), MAX_ROWS)):
            prefix = f"{base}-{index}"
            if data.get(f"{prefix}-remove"):
                continue
            row = Row(
                ident=(data.get(f"{prefix}-ident") or "").strip(),
                labels={key: data.get(f"{prefix}-{key}") or "" for key in LABEL_KEYS},
                extra=data.get(f"{prefix}-extra") or "",
            )
            if row.is_blank() and not row.extra:
                continue
            rows.append((_order(data.get(f"{prefix}-order"), index + 1), index, row))
        lists[option_list.name] = [row for _o, _i, row in sorted(rows, key=lambda r: r[:2])]
    return OptionsDraft(lists=lists, other=data.get(name) or "", posted=frozenset(posted))


def _items_from_rows(
    option_list: OptionList, rows: list[Row], errors: list[str], bad: set[int] | None = None
) -> list[dict]:
    """The items of a table's rows; a message per mistake in `errors`, the mistaken rows' numbers
    in `bad`."""
    bad = set() if bad is None else bad
    items = []
    first_row_of: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        name = option_list.row_name(number)
        if not row.ident:
            message = (
                gettext("%(row)s: the key is empty.")
                if option_list.ident == "key"
                else gettext("%(row)s: the value is empty.")
            )
            errors.append(message % {"row": name})
            bad.add(number)
        elif not _IDENT_RE.match(row.ident):
            errors.append(
                gettext(
                    "%(row)s: “%(ident)s” cannot be used; use lowercase letters, digits, _ and - "
                    "(at most 60), without spaces."
                )
                % {"row": name, "ident": row.ident}
            )
            bad.add(number)
        elif row.ident in first_row_of:
            errors.append(
                str(option_list.duplicate)
                % {"first": first_row_of[row.ident], "second": number, "ident": row.ident}
            )
            bad.update((first_row_of[row.ident], number))
        else:
            first_row_of[row.ident] = number
        if not row.labels.get("label", "").strip():
            errors.append(
                gettext("%(row)s: the English label is empty.")
                % {"row": option_list.row_name(number, row.ident)}
            )
            bad.add(number)
        extra = row.extra_data()
        if extra is None:
            errors.append(
                gettext("%(row)s: its other settings could not be read.")
                % {"row": option_list.row_name(number, row.ident)}
            )
            bad.add(number)
            extra = {}
        item = {option_list.ident: row.ident, "label": row.labels.get("label", "")}
        for key in LABEL_KEYS[1:]:
            if row.labels.get(key):
                item[key] = row.labels[key]
        for key, value in extra.items():
            if key in LABEL_KEYS:  # kept empty, as stored, unless something was typed
                item.setdefault(key, value if isinstance(value, str) else "")
            elif key != option_list.ident:
                item[key] = value
        items.append(item)
    return items


def options_from_draft(draft: OptionsDraft) -> dict:
    """The options the form stores, or ValidationError with a message per mistake, each naming
    its row."""
    errors: list[str] = []
    other: Any = {}
    if draft.other.strip():
        try:
            other = json.loads(draft.other)
        except ValueError as exc:
            errors.append(
                gettext(
                    "Other settings: this is not valid JSON (line %(line)s, column %(column)s)."
                )
                % {"line": getattr(exc, "lineno", 1), "column": getattr(exc, "colno", 1)}
            )
            other = {}
        if not isinstance(other, dict):
            errors.append(
                gettext('Other settings are a JSON object, for example {"max_length": 500}.')
            )
            other = {}
    options = dict(other)
    for option_list in OPTION_LISTS:
        rows = draft.lists.get(option_list.name) or []
        if not rows:
            continue  # an emptied table: the list goes (or stays in the other settings)
        if option_list.name in other:
            errors.append(
                gettext(
                    "Other settings: “%(name)s” is edited in its table above; remove it from "
                    "the other settings."
                )
                % {"name": option_list.name}
            )
            continue
        options[option_list.name] = _items_from_rows(option_list, rows, errors)
    try:
        json.dumps(options, allow_nan=False)
    except ValueError:
        errors.append(gettext("NaN and Infinity are not allowed."))
    if errors:
        raise ValidationError(errors, code="invalid")
    return options


# --- The field and its widget --------------------------------------------------------------------


class TypeOptionsWidget(forms.Widget):
    """The tables of a question's option lists and the other settings' text area.

    Rendered with the project's templates (templates/admin/questionnaire/widgets/), its script
    and style from static files: the admin's Content-Security-Policy allows no inline code.
    `question_type` (set by the form) says which tables to show; the script shows those of the
    type chosen in the form's type select.
    """

    template_name = "admin/questionnaire/widgets/type_options.html"
    question_type = ""

    class Media:
        css = {"all": ("css/admin_options.css",)}
        js = ("js/admin_options.js",)

    def value_from_datadict(self, data, files, name):
        return draft_from_post(data, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(
            f"{name}-{option_list.name}-TOTAL" in data for option_list in OPTION_LISTS
        )

    def format_value(self, value):
        if isinstance(value, OptionsDraft):
            return value
        return draft_from_options(value if value is not None else {})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        draft = context["widget"]["value"]
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        used = TYPE_LISTS.get(self.question_type, [])
        cell_label = gettext("%(column)s, %(row)s")
        columns = [
            ("label", gettext("English"), "en", "ltr"),
            *(
                (f"label_{code}", i18n.LANGUAGE_NAMES[code], code, "rtl" if code == "ar" else "ltr")
                for code in i18n.TRANSLATION_LANGUAGES
            ),
        ]
        tables = []
        for option_list in OPTION_LISTS:
            rows = list(draft.lists.get(option_list.name) or [])
            filled = len(rows)
            bad: set[int] = set()
            if draft.posted:  # shown again after a mistake: mark the rows the messages name
                _items_from_rows(option_list, rows, [], bad)
            rows += [Row() for _ in range(BLANK_ROWS)]
            base = f"{name}-{option_list.name}"
            ident_label = str(option_list.ident_label)
            table_rows = []
            for index, row in enumerate(rows):
                row_name = option_list.row_name(index + 1)
                table_rows.append(
                    {
                        "prefix": f"{base}-{index}",
                        "id": f"{widget_id}-{option_list.name}-{index}",
                        "number": index + 1,
                        "invalid": index + 1 in bad,
                        "name": row_name,
                        "ident": row.ident,
                        "ident_label": cell_label % {"column": ident_label, "row": row_name},
                        "order_label": cell_label % {"column": gettext("Order"), "row": row_name},
                        "remove_label": gettext("Remove %(row)s") % {"row": row_name},
                        "up_label": gettext("Move %(row)s up") % {"row": row_name},
                        "down_label": gettext("Move %(row)s down") % {"row": row_name},
                        "extra": row.extra,
                        "labels": [
                            {
                                "key": key,
                                "value": row.labels.get(key, ""),
                                "lang": lang,
                                "dir": direction,
                                "column": str(heading),
                                "aria_label": cell_label
                                % {"column": str(heading), "row": row_name},
                            }
                            for key, heading, lang, direction in columns
                        ],
                    }
                )
            tables.append(
                {
                    "list": option_list,
                    "base": base,
                    "id": f"{widget_id}-{option_list.name}",
                    "total": len(rows),
                    "rows": table_rows,
                    "shown": option_list.name in used or filled > 0,
                    "ident_label": ident_label,
                    "row_template": str(option_list.row),
                }
            )
        context["widget"].update(
            {
                "id": widget_id,
                "tables": tables,
                "columns": [(str(heading), lang) for _k, heading, lang, _d in columns],
                "other": draft.other,
                "type_lists": json.dumps(TYPE_LISTS),
                "cell_template": cell_label,
                "remove_template": gettext("Remove %(row)s"),
                "up_template": gettext("Move %(row)s up"),
                "down_template": gettext("Move %(row)s down"),
                "moved_template": gettext("%(row)s is now row %(n)s of %(count)s."),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine (the form renderer's own sees only Django's templates).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))


class TypeOptionsField(forms.Field):
    """A question's type options: its lists as tables of rows, the rest as a JSON object; `{}`
    when nothing is filled in."""

    widget = TypeOptionsWidget

    def __init__(self, *, encoder=None, decoder=None, **kwargs):
        # A model JSONField's form field is given these; the options are plain JSON.
        kwargs.pop("empty_value", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, OptionsDraft) else draft_from_options(value or {})

    def to_python(self, value):
        if isinstance(value, OptionsDraft):
            return options_from_draft(value)
        if value in (None, ""):
            return {}
        return value

    def validate(self, value):
        pass  # `{}` is a valid value: a type without options

    def bound_data(self, data, initial):
        return data

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (initial or {})
        except ValidationError:
            return True


# --- Read-only (a published version) --------------------------------------------------------------


def options_table(options: Any):
    """A published question's options: each list as a table (identifier, English, Arabic,
    French), the other settings as JSON below."""
    draft = draft_from_options(options)
    parts = []
    headings = [
        ("en", "ltr", gettext("English")),
        *(
            (code, "rtl" if code == "ar" else "ltr", str(i18n.LANGUAGE_NAMES[code]))
            for code in i18n.TRANSLATION_LANGUAGES
        ),
    ]
    for option_list in OPTION_LISTS:
        rows = draft.lists.get(option_list.name)
        if not rows:
            continue
        head = format_html_join("", '<th scope="col">{}</th>', ((h,) for _c, _d, h in headings))
        body = format_html_join(
            "\n",
            '<tr><td dir="ltr"><code>{}</code></td>{}</tr>',
            (
                (
                    row.ident,
                    format_html_join(
                        "",
                        '<td lang="{}" dir="{}">{}</td>',
                        (
                            (code, direction, row.labels.get(key, ""))
                            for key, (code, direction, _h) in zip(LABEL_KEYS, headings, strict=True)
                        ),
                    ),
                )
                for row in rows
            ),
        )
        parts.append(
            format_html(
                '<table class="gcm-options-readonly"><caption>{}</caption><thead><tr>'
                '<th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>',
                option_list.heading,
                option_list.ident_label,
                head,
                body,
            )
        )
    if draft.other:
        parts.append(
            format_html(
                '<p class="gcm-options-other">{}</p><pre class="gcm-json">{}</pre>',
                _("Other settings"),
                draft.other,
            )
        )
    if not parts:
        return "—"
    return format_html_join("\n", "{}", ((part,) for part in parts))
