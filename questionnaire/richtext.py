"""The one place where answer HTML is cleaned and turned into text.

Long answers are stored as a small HTML subset: paragraphs, bulleted and numbered lists (nested),
bold, italic and line breaks, with no attributes at all. `clean_html` runs on every save and again
on every render, so the page, the PDF and the exports all see the same safe markup.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset({"p", "ul", "ol", "li", "strong", "em", "br"})
# Editors and Word paste produce these; they are mapped onto the subset before cleaning.
_TAG_ALIASES = (
    (re.compile(r"<(/?)b(\s[^>]*)?>", re.IGNORECASE), r"<\1strong>"),
    (re.compile(r"<(/?)i(\s[^>]*)?>", re.IGNORECASE), r"<\1em>"),
    (re.compile(r"<(/?)(?:div|h[1-6]|blockquote)(\s[^>]*)?>", re.IGNORECASE), r"<\1p>"),
)
# Characters that carry no meaning in anything a user types, and are removed from all of it
# (answers of every type, comments, names, descriptions, review messages):
# - C0/C1 control characters other than tab and newline: they break XML-based exports (XLSX) and
#   PDF text extraction, and PostgreSQL refuses NUL;
# - lone surrogates (JSON can carry "\ud800"): no UTF-8 page, XLSX or PostgreSQL can hold them;
# - the noncharacters U+FFFE and U+FFFF, which XML forbids;
# - the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). They are
#   invisible and reorder the text around them: an override can make "exe.pdf" read as "fdp.exe"
#   or reverse the digits of a figure, and one left open leaks into the page's own text. The pages,
#   the PDF and the exports set each answer's direction themselves (`dir="auto"`), so nobody needs
#   to type them. The marks Arabic text does use (RLM U+200F, LRM U+200E, ALM U+061C) are kept.
_CONTROL_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
_BLANK_PARAGRAPH_RE = re.compile(r"<p>(?:\s|<br>)*</p>")


def strip_control_characters(text: str) -> str:
    """`text` without the characters above, with every line break as "\\n"."""
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_html(value: str) -> str:
    """Return the canonical, safe stored form of an answer's HTML."""
    # Editors write every space as &nbsp; (Quill's getSemanticHTML does): plain spaces let text
    # wrap and compare equal to what was typed.
    value = strip_control_characters(value or "").replace("\xa0", " ")
    if "<" not in value:
        return plain_text_to_html(value)
    for pattern, replacement in _TAG_ALIASES:
        value = pattern.sub(replacement, value)
    cleaned = nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        attributes={},
        clean_content_tags={"script", "style"},
        strip_comments=True,
        link_rel=None,
    )
    cleaned = cleaned.replace("&nbsp;", " ").replace("\xa0", " ")
    cleaned = _wrap_loose_text(cleaned)
    cleaned = _BLANK_PARAGRAPH_RE.sub("", cleaned).strip()
    return cleaned


_TOKEN_RE = re.compile(r"(<[^>]*>)")
_BLOCK_TAGS = frozenset({"p", "ul", "ol", "li"})


def _wrap_loose_text(html: str) -> str:
    """Put text and inline tags that stand outside any paragraph or list into a paragraph.

    Stored answers are a sequence of blocks, so that cleaning a stored answer again (as every
    render does) gives it back unchanged: loose text such as "&lt;" or "a\\n\\nb", left by a
    removed tag, would otherwise be taken for typed text and escaped or split a second time.
    `html` is nh3's output: well formed, allowed tags only, no attributes. A block inside an
    inline tag ("<strong>a<p>b</p></strong>") ends the inline tag: the block keeps its text.
    """
    out: list[str] = []
    loose: list[str] = []
    open_inline: list[str] = []  # inline tags opened in `loose`
    depth = 0

    def flush() -> None:
        run = "".join(loose) + "".join(f"</{tag}>" for tag in reversed(open_inline))
        if _TOKEN_RE.sub("", run).strip():
            out.append(f"<p>{run.strip()}</p>")
        elif run.isspace():
            out.append(run)  # between blocks; a run of empty tags goes
        loose.clear()
        open_inline.clear()

    for token in _TOKEN_RE.split(html):
        if not token:
            continue
        closing = token.startswith("</")
        name = token.strip("</>").split()[0].lower() if token.startswith("<") else ""
        if name in _BLOCK_TAGS:
            if depth == 0:
                flush()
            depth += -1 if closing else 1
            out.append(token)
        elif depth > 0:
            out.append(token)
        elif name and name != "br":
            if not closing:
                open_inline.append(name)
                loose.append(token)
            elif name in open_inline:
                open_inline.remove(name)
                loose.append(token)
            # else: the close of an inline tag a block already ended
        else:
            loose.append(token)
    flush()
    return "".join(out)


_ITEM_RE = re.compile(
    r"^(?P<indent>[ \t]*)(?:(?P<bullet>[-*•▪✓])|(?P<number>\d{1,3})[.)])\s+(?P<text>.*)$"
)


def plain_text_to_html(text: str) -> str:
    """Typed text (a plain textarea, no editor) → answer HTML, keeping the typist's structure.

    Blank-line-separated blocks become paragraphs; lines starting with a bullet (-, *, •, ▪) or a
    number ("1." or "1)") become list items, nested by indentation (two spaces a level). This is
    the inverse of `html_to_text`, so a page without JavaScript can edit lists too. Anything that
    looks like markup is escaped: typed HTML stays text.
    """
    text = strip_control_characters(text or "").expandtabs(2).strip("\n")
    if not text.strip():
        return ""
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # open lists: (tag, indent)
    paragraph: list[str] = []

    def close_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def close_lists(to_indent: int = -1) -> None:
        while stack and stack[-1][1] > to_indent:
            out.append(f"</li></{stack.pop()[0]}>")

    for line in text.split("\n"):
        match = _ITEM_RE.match(line)
        if match:
            close_paragraph()
            indent = len(match["indent"])
            tag = "ol" if match["number"] else "ul"
            close_lists(indent)
            if stack and stack[-1][1] == indent and stack[-1][0] == tag:
                out.append("</li><li>")
            else:
                if stack and stack[-1][1] == indent:  # same level, other kind of list
                    out.append(f"</li></{stack.pop()[0]}>")
                out.append(f"<{tag}><li>")
                stack.append((tag, indent))
            out.append(html.escape(match["text"].strip(), quote=False))
        elif not line.strip():
            close_paragraph()
            close_lists()
        elif stack and line.startswith(" "):
            out.append("<br>" + html.escape(line.strip(), quote=False))  # continuation of item
        else:
            close_lists()
            paragraph.append(html.escape(line.strip(), quote=False))
    close_paragraph()
    close_lists()
    return "".join(out)


class _TextExtractor(HTMLParser):
    """Plain text of answer HTML: a line per paragraph and list item, lists indented."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.lists: list[list] = []  # stack of [kind, counter]

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.lines.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in {"p", "ul", "ol"}:
            self._flush()
            if tag != "p" and not self.lists and self.lines and self.lines[-1]:
                self.lines.append("")  # a top-level list starts a new block
        if tag in {"ul", "ol"}:
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}."
            else:
                marker = "-"
            self.prefix = "  " * depth + marker + " "
        elif tag == "br":
            self._flush()
            if self.lists:  # a continuation line of the item, indented under its text
                self.prefix = "  " * len(self.lists)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._flush()
            self.lines.append("")  # paragraphs are separated by a blank line
        elif tag == "li":
            self._flush()
        elif tag in {"ul", "ol"}:
            self._flush()
            if self.lists:
                self.lists.pop()

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def text(self) -> str:
        self._flush()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip("\n")


def has_text(value: str) -> bool:
    """Whether stored answer HTML (`clean_html`'s: no comments, scripts or styles) holds any
    text: what `html_to_text(value).strip()` says, without parsing (every render of every answer
    asks)."""
    return bool(html.unescape(_TOKEN_RE.sub("", value or "")).strip())


def html_to_text(value: str) -> str:
    parser = _TextExtractor()
    parser.feed(value or "")
    parser.close()
    return parser.text()


def list_items(value: str) -> list[str]:
    """The text of every list item and paragraph, in document order (nested items included).

    Used to check that an answer keeps each entry of the reference, in order.
    """
    return [
        re.sub(r"^\s*(?:-|\d+\.)\s", "", line).strip()
        for line in html_to_text(value).split("\n")
        if line.strip()
    ]
