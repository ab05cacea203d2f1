"""The GCM objectives grid: one row per objective (1–23), a status on the version's scale and
a note. Stored as {"<number>": {"status": …, "note": …}}, unset rows left out."""

from __future__ import annotations

import re
from html import escape as html_escape
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gcmreview import formatting
from questionnaire.i18n import language, option_label, option_labels, tr

from .base import BaseQuestionType, choice_list, clean_text, field_name

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

# One row of the answering page's grid (`widget_rows`; input.html holds the rest of the table).
# Wide screens: objective, status, note. Phones: each objective stacks its status and note below
# it (answering.css, by the cells' data-label). The script (static/js/types/objectives_grid.js)
# reads `data-objective` and the fields' `data-field`.
ROW_HTML = (
    '<tr data-objective="{number}">\n'
    '      <th scope="row" class="fw-normal" id="{title_id}"><span class="fw-semibold">{number}.'
    "</span> <bdi>{title}</bdi></th>\n"
    '      <td data-label="{status_heading}" class="answer-grid-status"><select class="form-select'
    ' form-select-sm" name="{status_name}" data-field="status" aria-label="{status_label}">\n'
    '        <option value="">{not_stated}</option>\n'
    "        {status_options}\n"
    "      </select></td>\n"
    '      <td data-label="{note_heading}" class="answer-grid-note"><textarea class="form-control'
    ' form-control-sm answer-grid-textarea" rows="2" dir="auto" name="{note_name}"'
    ' data-field="note" maxlength="{note_max_length}" aria-label="{note_label}"'
    ' aria-describedby="{hint_id} {left_id}">{note}</textarea><span class="form-text d-block'
    ' answer-grid-left" id="{left_id}" data-note-left-count hidden></span></td>\n'
    "    </tr>"
)


class ObjectivesGrid(BaseQuestionType):
    """One row per GCM objective (1–23): a status on the version's scale and a note."""

    name = "objectives_grid"
    option_lists = ("scale",)
    label = _("GCM objectives grid")
    order = 90
    empty_value: ClassVar[dict] = {}
    shows_objectives = True
    prints_full_width = True

    def scale(self, options: dict) -> list[dict]:
        return options.get("scale") or DEFAULT_OBJECTIVE_SCALE

    def validate_options(self, options: dict) -> None:
        super().validate_options(options)
        if "scale" in options:
            choice_list(options, "scale")

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
            note = clean_text(
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

    def value_from_post(self, question, data) -> dict:
        grid = {}
        for number in range(1, OBJECTIVE_COUNT + 1):
            status = data.get(field_name(question, f"{number}-status"), "")
            note = data.get(field_name(question, f"{number}-note"), "")
            if status or note:
                grid[str(number)] = {"status": status, "note": note}
        return grid

    def widget_context(self, question, value, *, typed=False, objectives=()) -> dict:
        options = question.options or {}
        # The longest note the type accepts (`clean`), as the field's maxlength and, in the
        # page's number format, in the hint above the grid.
        note_limit = options.get("max_length", OBJECTIVE_NOTE_MAX_LENGTH)
        hint_id = f"grid-hint-{question.key}"
        return {
            **super().widget_context(question, value, typed=typed),
            "note_max_length_display": formatting.number_text(note_limit),
            "hint_id": hint_id,
            "rows": self.widget_rows(
                question, value, objectives, note_limit=note_limit, hint_id=hint_id
            ),
        }

    def widget_rows(
        self, question, value: Any, objectives, *, note_limit: int, hint_id: str
    ) -> list[dict]:
        """The 23 rows of the answering page's grid (objective, status field, note field), each
        with its `html`, the table row that `input.html` prints.

        The rows are written here (`ROW_HTML`) rather than by the template: a page may hold
        several grids of 23 rows, and a template's tags and lookups, about thirty a row, cost
        more than the rest of the grid. Every value is escaped, as `format_html` does.
        """
        scale = [
            {**step, "label": option_label(step)} for step in self.scale(question.options or {})
        ]
        value = value if isinstance(value, dict) else {}
        code = language()
        options_by_status: dict[Any, SafeString] = {}
        key = question.key
        status_label = gettext("Status of objective %(n)s")
        note_label = gettext("Note on objective %(n)s")
        titles = {o.number: tr(o, "title", code) for o in objectives} if objectives else {}
        # What every row repeats, escaped once.
        shared = {
            "status_heading": html_escape(gettext("Status")),
            "note_heading": html_escape(gettext("Note")),
            "not_stated": html_escape(gettext("— not stated —")),
            "note_max_length": html_escape(str(note_limit)),
            "hint_id": html_escape(hint_id),
        }
        rows = []
        for number in range(1, OBJECTIVE_COUNT + 1):
            row = value.get(str(number)) or {}
            status = row.get("status", "")
            options = options_by_status.get(status)
            if options is None:
                options = options_by_status[status] = status_options(scale, status)
            fields = {
                "number": str(number),
                "title": titles.get(number, ""),
                "title_id": f"obj-{key}-{number}",
                "left_id": f"note-left-{key}-{number}",
                "status_name": field_name(question, f"{number}-status"),
                "note_name": field_name(question, f"{number}-note"),
                "status": status,
                "note": row.get("note", ""),
                "status_label": status_label % {"n": number},
                "note_label": note_label % {"n": number},
            }
            # Each value escaped as format_html would (django.utils.html.escape is this
            # html.escape of its text), without its lazy-string checks: 23 rows a grid.
            escaped = {name: html_escape(str(text)) for name, text in fields.items()}
            fields["status_options"] = options
            # Every value in it is escaped above (`escaped`, `shared`) or built by format_html.
            fields["html"] = mark_safe(  # noqa: S308  # nosec
                ROW_HTML.format(**shared, **escaped, status_options=options)
            )
            rows.append(fields)
        return rows

    def display_rows(self, question, value: Any, objectives) -> list[dict]:
        """All 23 objectives in order, each with its status label and note (blank when unset)."""
        scale = option_labels(self.scale(question.options or {}))
        titles = {o.number: o for o in objectives}
        value = value if isinstance(value, dict) else {}
        rows = []
        for number in range(1, OBJECTIVE_COUNT + 1):
            row = value.get(str(number)) or {}
            objective = titles.get(number)
            rows.append(
                {
                    "number": number,
                    "title": objective.localized("title") if objective else "",
                    "status": scale.get(row.get("status"), row.get("status") or ""),
                    "note": row.get("note", ""),
                }
            )
        return rows

    def display_context(self, question, value, objectives) -> dict:
        return {"grid": self.display_rows(question, value, objectives)}

    def preview_context(self, question, objectives) -> dict:
        return {
            "scale": [option_label(s) for s in self.scale(question.options or {})],
            "grid": self.display_rows(question, {}, objectives),
        }


def status_options(scale: list[dict], status: Any) -> SafeString:
    """The `<option>`s of a grid row's status, one per step of `scale` (labels in the page's
    language), `status`'s selected; escaped as the template would."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (step["value"], " selected" if step["value"] == status else "", step["label"])
            for step in scale
        ),
    )
