"""Direction and language of a piece of text, decided on the server.

Browsers honour `dir="auto"`; WeasyPrint does not, so the PDFs decide on the server: `detect`
for a question, a title or a reason (the dominant script), `direct_blocks` for an answer (each
paragraph, list item and cell from its first strong character, as a browser does). An answer
written in Arabic reads right to left and a French one left to right in the same document,
whatever the submission's declared language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import unescape

from gcmreview.bidi import first_strong

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
# Words and letters that mark French rather than English in a Latin-script answer.
_FRENCH_WORDS = frozenset(
    {
        "le", "la", "les", "des", "du", "de", "et", "est", "une", "un", "dans", "pour", "par",
        "sur", "au", "aux", "avec", "sont", "ont", "été", "cette", "ces", "qui", "que", "nous",
        "vous", "leur", "leurs", "ainsi", "également", "entre",
    }
)  # fmt: skip
_ENGLISH_WORDS = frozenset(
    {
        "the", "and", "of", "to", "in", "is", "are", "was", "were", "for", "with", "by", "on",
        "this", "that", "these", "have", "has", "been", "which", "from", "an", "as", "at", "be",
        "its", "their", "also", "between",
    }
)  # fmt: skip
_WORD_RE = re.compile(r"[^\W\d_]+")
_LETTER_RE = re.compile(r"[^\W\d_]")
# Letters of Arabic, Arabic Supplement, Arabic Extended-A/B and the presentation forms.
_ARABIC_LETTER_RE = re.compile(
    r"(?=[^\W\d_])[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"
)


@dataclass(frozen=True)
class TextDirection:
    dir: str  # "ltr" or "rtl"
    lang: str  # a BCP 47 primary language tag


def direction_of_language(lang: str) -> str:
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def detect(text: str, default_lang: str = "en") -> TextDirection:
    """The dominant script of `text`: Arabic letters → rtl/ar, other letters → ltr.

    A Latin-script text keeps `default_lang` unless its common words say English or French more
    clearly. A text without letters (numbers, dates, empty) takes `default_lang` and its direction.
    """
    default_lang = (default_lang or "en").split("-")[0].lower()
    letters = len(_LETTER_RE.findall(text))
    if not letters:
        return TextDirection(direction_of_language(default_lang), default_lang)
    if len(_ARABIC_LETTER_RE.findall(text)) * 2 > letters:
        return TextDirection("rtl", "ar")
    return TextDirection("ltr", latin_language(text, default_lang))


def latin_language(text: str, default_lang: str = "en") -> str:
    """English or French, when `text`'s common words say so clearly, else `default_lang` (English
    for a right-to-left one)."""
    default_lang = (default_lang or "en").split("-")[0].lower()
    latin_lang = default_lang if default_lang not in RTL_LANGUAGES else "en"
    words = [w.lower() for w in _WORD_RE.findall(unicodedata.normalize("NFC", text))]
    french = sum(1 for w in words if w in _FRENCH_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if french > english * 2 and french >= 2:
        return "fr"
    if english > french * 2 and english >= 2:
        return "en"
    return latin_lang


# --- Each block its own direction ---------------------------------------------------------------

# Elements that hold a paragraph of their own: each gets its `dir` and `lang`.
_BLOCKS = frozenset(
    {"p", "li", "ul", "ol", "td", "th", "div", "blockquote", "dd", "dt", "caption",
     "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_LISTS = frozenset({"ul", "ol"})
_VOID = frozenset({"br", "hr", "img", "col", "input", "meta", "wbr"})
_TAG_RE = re.compile(r"(<[^>]*>)")
_DIR_ATTR_RE = re.compile(r"""\sdir\s*=\s*(["']?)(\w+)\1""", re.IGNORECASE)
_LANG_ATTR_RE = re.compile(r"""\slang\s*=\s*(["']?)([\w-]+)\1""", re.IGNORECASE)


# What a block's language is guessed from: its first characters are enough, and a list or a cell
# would otherwise gather the text of every block inside it.
_LANGUAGE_SAMPLE = 400


@dataclass
class _Block:
    index: int  # of its start tag in the token list
    name: str
    dir: str | None = None
    text: list[str] | None = None  # its first _LANGUAGE_SAMPLE characters or so
    length: int = 0
    item_dirs: set[str] | None = None  # a list's items' directions
    parent: _Block | None = None  # the nearest enclosing block, or element stating its direction
    lang: str | None = None  # decided once the text is read (stated, for a stating element)

    def __post_init__(self):
        self.text = []
        self.item_dirs = set()


@dataclass(frozen=True)
class DirectedHtml:
    html: str
    # The first block's direction and language (the cell's alignment follows it); None when the
    # fragment has no letters.
    direction: TextDirection | None


def direct_blocks(
    html: str, default_lang: str = "en", inherited: TextDirection | None = None
) -> DirectedHtml:
    """`html` with its blocks' directions and languages, from each block's first strong
    character, as a browser does for `dir="auto"`; WeasyPrint does not. A block that has letters
    and no direction of its own (`dir="auto"` counts as none) gets a `dir` and a `lang` where they
    differ from what it inherits: from the block around it, else from `inherited` (the cell's,
    or when None the first block's, which the cell then takes). Only what differs is written:
    every `lang` costs the layout a font lookup. A list whose items run in both directions gets
    the class `bidi-mixed`, so the stylesheet can keep room for markers on both sides.

    `html` is markup the portal wrote (templates, and answers `richtext.clean_html` cleaned): well
    formed, with quoted attributes. Text inside an element that states its own direction does not
    count for the blocks around it."""
    tokens = _TAG_RE.split(html)
    stack: list[tuple[str, _Block | None, bool]] = []  # (tag, block or stating element, states)
    blocks: list[_Block] = []
    for index, token in enumerate(tokens):
        if not token:
            continue
        if not token.startswith("<"):
            _take_text(stack, unescape(token))
            continue
        if token.startswith(("<!", "<?")):
            continue
        closing = token.startswith("</")
        name = token.strip("</>").split()[0].lower() if token.strip("</>") else ""
        if closing:
            while stack:
                tag, block, _explicit = stack.pop()
                if block is not None and block.name == "li" and block.dir:
                    for _tag, outer, _e in reversed(stack):
                        if outer is not None and outer.name in _LISTS:
                            outer.item_dirs.add(block.dir)
                            break
                if tag == name:
                    break
            continue
        if name in _VOID or token.endswith("/>"):
            continue
        stated = _DIR_ATTR_RE.search(token)
        explicit = bool(stated) and stated.group(2).lower() in ("ltr", "rtl")
        parent = next((entry for _tag, entry, _e in reversed(stack) if entry is not None), None)
        block = None
        if explicit:
            stated_lang = _LANG_ATTR_RE.search(token)
            block = _Block(index, name, dir=stated.group(2).lower(), parent=parent,
                           lang=stated_lang.group(2) if stated_lang else None)  # fmt: skip
        elif name in _BLOCKS:
            block = _Block(index, name, parent=parent)
            blocks.append(block)
        stack.append((name, block, explicit))
    for block in blocks:
        if block.dir is not None:
            text = "".join(block.text)
            block.lang = "ar" if block.dir == "rtl" else latin_language(text, default_lang)
    first = next((b for b in blocks if b.dir), None)
    direction = TextDirection(first.dir, first.lang) if first is not None else None
    root = inherited or direction
    for block in blocks:
        around = _effective(block.parent, root)
        if block.dir is None:  # no letters: it runs as what is around it
            block.dir, block.lang = around.dir, around.lang
            continue
        extra = ""
        if around is None or block.dir != around.dir:
            extra += f' dir="{block.dir}"'
        if around is None or block.lang != around.lang:
            extra += f' lang="{block.lang}"'
        token = _DIR_ATTR_RE.sub("", tokens[block.index])
        if block.name in _LISTS and len(block.item_dirs) > 1:
            token = _add_class(token, "bidi-mixed")
        tokens[block.index] = token[:-1].rstrip("/").rstrip() + extra + ">"
    return DirectedHtml("".join(tokens), direction)


def _effective(block: _Block | None, root: TextDirection | None) -> TextDirection | None:
    """The direction and language a block runs in: its own (once decided), else its
    surroundings'."""
    if block is None:
        return root
    if block.dir is None:
        return _effective(block.parent, root)
    if block.lang is None:  # an element stating its direction but not its language
        around = _effective(block.parent, root)
        return TextDirection(block.dir, around.lang if around else "")
    return TextDirection(block.dir, block.lang)


def _take_text(stack, text: str) -> None:
    """Give `text` to the open blocks it belongs to, up to the nearest element that states its
    own direction."""
    strong = None
    for _tag, block, explicit in reversed(stack):
        if explicit:
            break
        if block is None:
            continue
        if block.length < _LANGUAGE_SAMPLE:
            block.text.append(text)
            block.length += len(text)
        if block.dir is None:
            if strong is None:
                strong = first_strong(text) or ""
            block.dir = strong or None


def _add_class(token: str, name: str) -> str:
    match = re.search(r"""\sclass\s*=\s*(["'])(.*?)\1""", token)
    if match:
        start, end = match.span(2)
        return token[:start] + f"{match.group(2)} {name}".strip() + token[end:]
    return token[:-1].rstrip() + f' class="{name}">'
