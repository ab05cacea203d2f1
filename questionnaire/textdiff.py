"""A readable diff of two answers' plain text, line by line, with words inside changed lines.

Answers are compared as the text their question type gives (`as_text`: long text through
`richtext.html_to_text`, one line per paragraph or list item). Lines are matched with difflib; a
line that was edited rather than replaced is shown word by word, so that one changed word in a
long paragraph does not read as the whole paragraph removed and added again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
# Below this similarity an edited line reads better as one line removed and another added.
WORD_DIFF_MIN_RATIO = 0.4
_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    kind: str  # EQUAL, DELETE or INSERT
    text: str


@dataclass
class DiffLine:
    kind: str  # EQUAL, DELETE, INSERT, or "changed" (a line edited word by word)
    segments: list[Segment] = field(default_factory=list)


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].kind == segment.kind:
            merged[-1] = Segment(segment.kind, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def _word_diff(before: str, after: str) -> DiffLine:
    a, b = _TOKEN_RE.findall(before), _TOKEN_RE.findall(after)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    segments = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment(EQUAL, "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment(DELETE, "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(Segment(INSERT, "".join(b[j1:j2])))
    return DiffLine("changed", _merge(segments))


def diff_lines(before: str, after: str) -> list[DiffLine]:
    """The lines of `after` with what changed since `before` marked, in reading order."""
    # Blank lines only separate paragraphs; each line is shown as a block of its own anyway.
    a = [line.rstrip() for line in (before or "").splitlines() if line.strip()]
    b = [line.rstrip() for line in (after or "").splitlines() if line.strip()]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine(EQUAL, [Segment(EQUAL, line)]) for line in b[j1:j2]]
            continue
        old, new = a[i1:i2], b[j1:j2]
        if tag == "replace":
            # Pair edited lines in order; what is left over was removed or added outright.
            paired = min(len(old), len(new))
            for x, y in zip(old[:paired], new[:paired], strict=True):
                if SequenceMatcher(None, x, y, autojunk=False).ratio() >= WORD_DIFF_MIN_RATIO:
                    lines.append(_word_diff(x, y))
                else:
                    lines.append(DiffLine(DELETE, [Segment(DELETE, x)]))
                    lines.append(DiffLine(INSERT, [Segment(INSERT, y)]))
            old, new = old[paired:], new[paired:]
        lines += [DiffLine(DELETE, [Segment(DELETE, line)]) for line in old]
        lines += [DiffLine(INSERT, [Segment(INSERT, line)]) for line in new]
    return lines
