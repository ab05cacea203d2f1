"""What an answer cell of a Word document means for each question type (docs/word.md).

One reader per type, registered under the type's name, the way telepath registers one adapter
per block: `answer_from_cell(question, html, language)` finds the type's reader, which turns the
cell's HTML (mammoth's, nested tables included) into a value that the type's own `clean` then
checks, as a typed answer is. Text is never trusted for markup: long answers go through the one
sanitiser (`richtext.clean_html`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from lxml import html as lxml_html

from .. import richtext
from ..i18n import TRANSLATION_LANGUAGES
from ..types.objectives_grid import OBJECTIVE_COUNT
from .reader import text_of

READERS: dict[str, Callable[..., Any]] = {}
TICKED = "☒☑✓✔✗✘⊠■"
UNTICKED = "☐□◻⬜"
# Typed bullets and numbers at the start of a paragraph: Word's own glyphs and what people type.
_BULLET_RE = re.compile(r"^\s*([▪•●◦○■□▫‣⁃∙·\-–—*✓✔➢➤►>o§])\s+(?=\S)")
_NUMBERED_RE = re.compile(r"^\s*(\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s+(?=\S)")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
NOT_APPLICABLE_WORDS = ("not applicable", "sans objet", "non applicable", "لا ينطبق")
YES_WORDS = ("yes", "oui", "نعم")
NO_WORDS = ("no", "non", "لا")


def reader(name: str):
    def register(function):
        READERS[name] = function
        return function

    return register


@dataclasses.dataclass(frozen=True)
class ReadAnswer:
    value: Any
    not_applicable_reason: str = ""


def normal(text: str) -> str:
    """Text compared loosely: compatibility forms, smart quotes, case and spaces folded."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.translate(str.maketrans("‘’‚‛“”„‟«»ـ", '\'\'\'\'"""""" '))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")  # Arabic vowel marks
    return re.sub(r"\s+", " ", text).strip().casefold()


def fragment(html: str):
    return lxml_html.fragment_fromstring(html or "", create_parent="div")


def answer_from_cell(question, html: str, *, language: str, current=None) -> ReadAnswer:
    """The answer a cell holds for `question`, cleaned by its type; ValidationError when the
    cell cannot be read as one. "Not applicable: reason" keeps `current` as the value."""
    root = fragment(html)
    text = text_of(root)
    if question.allows_not_applicable:
        reason = _not_applicable(text)
        if reason is not None:
            if not reason:
                raise ValidationError(_("“Not applicable” needs a reason after it."))
            return ReadAnswer(value=current, not_applicable_reason=reason[:300])
    read = READERS.get(question.type)
    if read is None:
        raise ValidationError(_("This kind of question cannot be read from a Word document."))
    options = question.options or {}
    with translation.override(language):
        value = read(question, root, options)
        value = question.type_handler.clean(value, options)
    return ReadAnswer(value=value)


def _not_applicable(text: str) -> str | None:
    folded = normal(text)
    for word in NOT_APPLICABLE_WORDS:
        if folded.startswith(word):
            return text[len(word) :].lstrip(" :.-–—").strip()
    return None


# --- Long text --------------------------------------------------------------------------------


def long_text_html(root) -> str:
    """The cell as the long text's HTML: nested tables as lists (one item per row, its cells
    joined), typed bullets and numbers as lists, checkboxes as their glyph; then cleaned."""
    for box in list(root.iter("input")):
        glyph = "☒ " if box.get("checked") is not None else "☐ "
        box.tail = glyph + (box.tail or "")
        box.drop_tree()
    for table in reversed(list(root.iter("table"))):
        table.getparent().replace(table, _table_as_list(table))
    _typed_lists(root)
    inner = (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return richtext.clean_html(inner)


def _table_as_list(table):
    items = []
    for tr in table.iter("tr"):
        cells = [text_of(cell) for cell in tr if cell.tag in ("td", "th")]
        cells = [cell for cell in cells if cell]
        if cells:
            item = lxml_html.Element("li")
            item.text = " — ".join(cells)
            items.append(item)
    listing = lxml_html.Element("ul")
    listing.extend(items)
    return listing


def _typed_lists(root) -> None:
    """Runs of paragraphs that start with a typed bullet ("▪", "•", "-", "✓"…) or number ("1.",
    "a)") become lists; a glyph not yet seen in the run goes one level in, one seen before goes
    back to its level (Morocco's answers: "▪" outside, "-" and "✓" inside, "1." further in)."""
    children = list(root)
    index = 0
    while index < len(children):
        element = children[index]
        if element.tag != "p" or _marker(element) is None:
            index += 1
            continue
        run = []
        while index < len(children):
            marker = _marker(children[index]) if children[index].tag == "p" else None
            if marker is None:
                break
            run.append((children[index], marker))
            index += 1
        _replace_run(root, run)


def _marker(paragraph) -> tuple[str, str] | None:
    """(kind, the text it starts with) of a typed bullet or number, or None."""
    text = paragraph.text or ""
    match = _BULLET_RE.match(text)
    if match:
        return ("ul:" + match.group(1), match.group(0))
    match = _NUMBERED_RE.match(text)
    if match:
        style = "1" if match.group(1).isdigit() else "a"
        return ("ol:" + style, match.group(0))
    return None


def _replace_run(root, run) -> None:
    levels: list[tuple[str, Any]] = []  # (kind, the list element) from the outermost in
    first = run[0][0]
    anchor = lxml_html.Element("div")
    first.addprevious(anchor)
    outer = None
    for paragraph, (kind, prefix) in run:
        depth = next((i for i, (k, _list) in enumerate(levels) if k == kind), None)
        if depth is None:
            listing = lxml_html.Element("ol" if kind.startswith("ol") else "ul")
            if levels:
                parent_items = levels[-1][1].findall("li")
                if parent_items:
                    parent_items[-1].append(listing)
                else:
                    levels[-1][1].append(listing)
            else:
                outer = listing
            levels.append((kind, listing))
        else:
            del levels[depth + 1 :]
        item = lxml_html.Element("li")
        item.text = (paragraph.text or "")[len(prefix) :]
        for child in paragraph:
            item.append(child)
        levels[-1][1].append(item)
        root.remove(paragraph)
    anchor.addprevious(outer)
    root.remove(anchor)


@reader("long_text")
def read_long_text(question, root, options):
    return long_text_html(root)


# --- Short values -----------------------------------------------------------------------------


def _paragraph_texts(root) -> list[str]:
    texts = [text_of(block) for block in root.iter("p", "li")]
    return [text for text in texts if text] or ([text_of(root)] if text_of(root) else [])


@reader("short_text")
def read_short_text(question, root, options):
    return " ".join(_paragraph_texts(root))


@reader("number")
def read_number(question, root, options):
    return " ".join(_paragraph_texts(root))


@reader("date")
def read_date(question, root, options):
    """ISO ("2024-05-17"), day/month/year in figures, or as the documents write dates in any of
    the three languages ("17 May 2024", "May 17, 2024", "17 mai 2024", "17 مايو، 2024")."""
    text = " ".join(_paragraph_texts(root)).translate(_ARABIC_DIGITS).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007
        except ValueError:
            continue
    numbers = re.findall(r"\d+", text)
    month = _month_named(text)
    if month and len(numbers) == 2:
        day, year = sorted(numbers, key=len)
        with contextlib.suppress(ValueError):
            return datetime.date(int(year), month, int(day)).isoformat()
    return text  # the type refuses it, with its own message


def _month_named(text: str) -> int | None:
    """The month a date's text names, in any of the portal's languages (full or short)."""
    folded = normal(text)
    found = None
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for month in range(1, 13):
                day = datetime.date(2000, month, 1)
                for form in ("F", "N", "b", "E"):
                    name = normal(dateformat.format(day, form)).strip(".")
                    pattern = rf"(?<!\w){re.escape(name)}\.?(?!\w)"
                    longer = found is None or len(name) > found[1]
                    if len(name) >= 3 and longer and re.search(pattern, folded):
                        found = (month, len(name))
    return found[0] if found else None


# --- Choices ----------------------------------------------------------------------------------


def _labels(item: dict) -> list[str]:
    labels = [item.get("label", ""), item.get("value") or item.get("key") or ""]
    labels += [item.get(f"label_{code}", "") for code in TRANSLATION_LANGUAGES]
    return [normal(label) for label in labels if label]


def _ticked_lines(root) -> list[tuple[bool | None, str]]:
    """Each line of the cell with whether it is ticked (True), unticked (False) or carries no
    box at all (None)."""
    lines = []
    blocks = list(root.iter("p", "li")) or [root]
    for block in blocks:
        boxes = list(block.iter("input"))
        text = text_of(block)
        if boxes:
            lines.append((boxes[0].get("checked") is not None, text))
        elif text[:1] in TICKED or text[:3].lower() in ("[x]", "(x)"):
            lines.append((True, text.lstrip(TICKED).removeprefix("[x]").removeprefix("(x)")))
        elif text[:1] in UNTICKED or text[:3] in ("[ ]", "( )"):
            lines.append((False, text.lstrip(UNTICKED).removeprefix("[ ]").removeprefix("( )")))
        elif text:
            lines.append((None, text))
    return lines


def chosen_values(root, choices: list[dict]) -> list[str]:
    """The choices ticked in the cell; when nothing in it is a box, the choices whose label is
    all a line says (someone deleted the others)."""
    lines = _ticked_lines(root)
    boxed = any(state is not None for state, _text in lines)
    chosen = []
    for state, text in lines:
        if (boxed and not state) or not text:
            continue
        folded = normal(text)
        for choice in choices:
            if folded in _labels(choice) and choice["value"] not in chosen:
                chosen.append(choice["value"])
                break
        else:
            if boxed:
                raise ValidationError(
                    _("“%(text)s” is not one of the choices.") % {"text": text.strip()}
                )
    return chosen


@reader("single_choice")
def read_single_choice(question, root, options):
    chosen = chosen_values(root, options.get("choices", []))
    if len(chosen) > 1:
        raise ValidationError(_("More than one choice is ticked; this question takes one."))
    return chosen[0] if chosen else None


@reader("multiple_choice")
def read_multiple_choice(question, root, options):
    return chosen_values(root, options.get("choices", []))


@reader("yes_no")
def read_yes_no(question, root, options):
    """ "☒ Yes ☐ No" lines (or a first word "Yes." or "No."), then the explanation."""
    answer = None
    blocks = [block for block in root if text_of(block) or block.tag == "table"]
    consumed = 0
    for block in blocks:
        lines = _ticked_lines(
            lxml_html.fragment_fromstring(
                lxml_html.tostring(block, encoding="unicode"), create_parent="div"
            )
        )
        if not lines or any(state is None for state, _text in lines):
            break
        for state, text in lines:
            word = _yes_no_word(text, whole=True)
            if state and word:
                if answer and answer != word:
                    raise ValidationError(_("Both “yes” and “no” are ticked."))
                answer = word
        consumed += 1
    rest = blocks[consumed:]
    if answer is None and rest:
        first = rest[0]
        word = _yes_no_word(text_of(first), whole=False)
        if word:
            answer = word
            _strip_first_word(first)
    for block in blocks[:consumed]:
        root.remove(block)
    explanation = long_text_html(root)
    if answer is None and not richtext.has_text(explanation):
        return None
    return {"answer": answer or "", "explanation": explanation}


def _yes_no_word(text: str, *, whole: bool) -> str | None:
    folded = normal(text).strip(" .:;,!-–—")
    if not whole:
        folded = re.split(r"[\s.,:;!\-–—،]", folded, maxsplit=1)[0]
    if folded in YES_WORDS:
        return "yes"
    if folded in NO_WORDS:
        return "no"
    return None


def _strip_first_word(block) -> None:
    """Remove the "Yes." or "No," that starts an explanation's first paragraph."""
    text = block.text or ""
    match = re.match(r"^\s*\w+\s*[.,:;!\-–—،]?\s*", text)
    if match:
        block.text = text[match.end() :]


# --- Tables -----------------------------------------------------------------------------------


def table_rows(root) -> list[list[str]]:
    """The first table's rows as the cells' texts."""
    table = next(root.iter("table"), None)
    if table is None:
        return []
    return [[text_of(cell) for cell in tr if cell.tag in ("td", "th")] for tr in table.iter("tr")]


@reader("entry_list")
def read_entry_list(question, root, options):
    columns = options.get("columns", [])
    rows = table_rows(root)
    if not rows:
        texts = _paragraph_texts(root)
        if not texts:
            return []
        raise ValidationError(_("The entries must be in a table, one row each."))
    by_label = {label: column["key"] for column in columns for label in _labels(column)}
    header = [by_label.get(normal(text)) for text in rows[0]]
    if any(header):
        rows = rows[1:]
    else:
        header = [column["key"] for column in columns]
    entries = []
    for cells in rows:
        entry = {key: text for key, text in zip(header, cells, strict=False) if key}
        if any(entry.values()):
            entries.append(entry)
    return entries


def _objective_number(text: str) -> int | None:
    match = re.match(r"^\s*(\d{1,2})\b", text.translate(_ARABIC_DIGITS))
    if match and 1 <= int(match.group(1)) <= OBJECTIVE_COUNT:
        return int(match.group(1))
    return None


@reader("objectives_grid")
def read_objectives_grid(question, root, options):
    """Rows "No. | Objective | Status | Note" (or "Objective | Status | Note", the number
    leading the objective's title); the status by its label in any language."""
    scale = question.type_handler.scale(options)
    by_label = {label: step["value"] for step in scale for label in _labels(step)}
    grid = {}
    for cells in table_rows(root):
        if not cells:
            continue
        number = _objective_number(cells[0])
        if number is None:
            continue  # the header row
        rest = cells[2:] if cells[0].strip().translate(_ARABIC_DIGITS).isdigit() else cells[1:]
        status_text = rest[0] if rest else ""
        note = rest[1] if len(rest) > 1 else ""
        status = by_label.get(normal(status_text).strip(" .")) if status_text else ""
        if status is None:
            raise ValidationError(
                _("Objective %(n)s: “%(status)s” is not a status on this questionnaire's scale.")
                % {"n": number, "status": status_text}
            )
        if status or note:
            grid[str(number)] = {"status": status, "note": note}
    return grid
