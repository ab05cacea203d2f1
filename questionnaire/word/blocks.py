"""Answer HTML (`richtext.clean_html`'s subset: p, ul, ol, li nested, strong, em, br) as the
paragraphs a Word document holds: each with its kind (a plain paragraph, a list item at a level,
or the continuation of an item) and its runs. No python-docx here: the writer lays them out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_LIST_LEVEL = 3  # Word's default styles have "List Bullet", "List Bullet 2", "List Bullet 3"
_SPACE_RE = re.compile(r"\s+")


@dataclass
class Run:
    text: str = ""
    bold: bool = False
    italic: bool = False
    line_break: bool = False  # a <br>: a line break, no text
    small: bool = False  # in small type (a label's reference beside it)


@dataclass
class Block:
    """One paragraph. `list_kind` "ul"/"ol" for a list item (`continued`: a later paragraph of
    the same item, without its marker), "" for a plain paragraph; `level` 1 to 3; `list_id` tells
    the lists apart (each numbered list restarts at 1)."""

    list_kind: str = ""
    level: int = 0
    list_id: int = 0
    continued: bool = False
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join("\n" if run.line_break else run.text for run in self.runs)

    def is_blank(self) -> bool:
        return not self.text.strip()


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.lists: list[tuple[str, int]] = []  # open lists: (kind, list_id)
        self.item_started: list[bool] = []  # per open <li>: whether its marker paragraph exists
        self.bold = 0
        self.italic = 0
        self.list_count = 0

    # --- paragraphs --------------------------------------------------------------------------

    def _start(self, *, item: bool = False) -> Block:
        self._flush()
        if self.lists:
            kind, list_id = self.lists[-1]
            level = min(len(self.lists), MAX_LIST_LEVEL)
            # A paragraph of an item whose first paragraph is written continues it.
            continued = not item and bool(self.item_started) and self.item_started[-1]
            self.current = Block(list_kind=kind, level=level, list_id=list_id, continued=continued)
        else:
            self.current = Block()
        return self.current

    def _flush(self) -> None:
        block = self.current
        self.current = None
        if block is None:
            return
        # Spaces as a browser shows them: collapsed, none at the paragraph's ends.
        runs = []
        for run in block.runs:
            if run.line_break:
                runs.append(run)
                continue
            text = _SPACE_RE.sub(" ", run.text)
            if runs and not runs[-1].line_break and runs[-1].text.endswith(" "):
                text = text.lstrip(" ")
            if not runs or runs[-1].line_break:
                text = text.lstrip(" ")
            if text:
                runs.append(Run(text, run.bold, run.italic))
        while runs and not runs[-1].line_break and not runs[-1].text.strip():
            runs.pop()
        if runs and not runs[-1].line_break:
            runs[-1].text = runs[-1].text.rstrip(" ")
        block.runs = runs
        if not block.is_blank():
            self.blocks.append(block)
            if block.list_kind and not block.continued and self.item_started:
                self.item_started[-1] = True

    # --- the parser's events ------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "p":
            self._start()
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_count += 1
            self.lists.append((tag, self.list_count))
        elif tag == "li":
            self.item_started.append(False)
            self._start(item=True)
        elif tag == "strong":
            self.bold += 1
        elif tag == "em":
            self.italic += 1
        elif tag == "br":
            (self.current or self._start()).runs.append(Run(line_break=True))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li"):
            self._flush()
            if tag == "li" and self.item_started:
                self.item_started.pop()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "strong":
            self.bold = max(self.bold - 1, 0)
        elif tag == "em":
            self.italic = max(self.italic - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.current is None:
            if not data.strip():
                return  # between blocks
            self._start()
        self.current.runs.append(Run(data, bool(self.bold), bool(self.italic)))

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(html: str) -> list[Block]:
    """The paragraphs of answer HTML, in order, blank ones left out."""
    parser = _BlockParser()
    parser.feed(html or "")
    parser.close()
    return parser.blocks
