"""What the writer and the reader of Word documents agree on (docs/word.md): the bookmark that
marks each question and the custom XML part that says where a document came from."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from xml.etree import ElementTree  # nosec: B405  # writing only; reading goes through defusedxml

from defusedxml import ElementTree as SafeElementTree

NAMESPACE = "urn:un-escwa:gcm-review-portal:word:1"
FORMAT = "1"
# Where the part lives in the package, and how the main document relates to it.
CUSTOM_XML_PARTNAME = "/customXml/item1.xml"
CUSTOM_XML_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
BOOKMARK_PREFIX = "gcmq_"
_BOOKMARK_RE = re.compile(r"^gcmq_[0-9a-f]{12}$")

KIND_QUESTIONNAIRE = "questionnaire"
KIND_SUBMISSION = "submission"


def bookmark_name(key: str) -> str:
    """The bookmark around a question's text: `gcmq_` and 12 hex digits of its key's SHA-1
    (Word allows 40 letters, digits and underscores; keys may be longer and hold hyphens)."""
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
    return BOOKMARK_PREFIX + digest[:12]


def is_question_bookmark(name: str) -> bool:
    return bool(_BOOKMARK_RE.match(name or ""))


@dataclasses.dataclass(frozen=True)
class QuestionMark:
    key: str
    section: str
    label: str
    revision: int = 0
    type: str = ""  # the question's type when the document was written

    @property
    def bookmark(self) -> str:
        return bookmark_name(self.key)


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a document came from, as its custom XML part says."""

    kind: str  # KIND_QUESTIONNAIRE or KIND_SUBMISSION
    language: str
    version_id: int | None
    version_slug: str
    version_number: int | None
    portal: str = ""
    cycle_slug: str = ""
    submission_id: int | None = None
    country: str = ""  # ISO 3166-1 alpha-2
    exported_at: str = ""  # ISO 8601
    questions: tuple[QuestionMark, ...] = ()

    def to_data(self) -> dict:
        """As JSON keeps it (`DocumentImport.origin`)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_data(cls, data: dict | None) -> Origin | None:
        """Back from `to_data`; None for a document that said nothing."""
        if not data:
            return None
        marks = tuple(QuestionMark(**mark) for mark in data.get("questions", ()))
        return cls(**{**data, "questions": marks})

    def types(self) -> dict[str, str]:
        """Each question's type when the document was written, by key (where it says)."""
        return {mark.key: mark.type for mark in self.questions if mark.type}

    def revisions(self) -> dict[str, int]:
        """The revision of each question's answer when the document was written, by key."""
        return {mark.key: mark.revision for mark in self.questions}


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def origin_to_xml(origin: Origin) -> bytes:
    """The custom XML part's content for `origin`."""
    ElementTree.register_namespace("gcm", NAMESPACE)
    root = ElementTree.Element(_tag("document"), {"format": FORMAT})
    ElementTree.SubElement(root, _tag("portal")).text = origin.portal
    ElementTree.SubElement(root, _tag("kind")).text = origin.kind
    ElementTree.SubElement(root, _tag("language")).text = origin.language
    ElementTree.SubElement(
        root,
        _tag("version"),
        {
            "id": str(origin.version_id or ""),
            "slug": origin.version_slug,
            "number": str(origin.version_number or ""),
        },
    )
    if origin.cycle_slug:
        ElementTree.SubElement(root, _tag("cycle"), {"slug": origin.cycle_slug})
    if origin.submission_id is not None:
        ElementTree.SubElement(
            root,
            _tag("submission"),
            {
                "id": str(origin.submission_id),
                "country": origin.country,
                "exported-at": origin.exported_at,
            },
        )
    questions = ElementTree.SubElement(root, _tag("questions"))
    for mark in origin.questions:
        ElementTree.SubElement(
            questions,
            _tag("question"),
            {
                "key": mark.key,
                "bookmark": mark.bookmark,
                "section": mark.section,
                "label": mark.label,
                "revision": str(mark.revision),
                "type": mark.type,
            },
        )
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() else None


def origin_from_xml(data: bytes) -> Origin | None:
    """The origin a custom XML part states, or None when the part is not ours (or is broken:
    a document edited by hand says nothing rather than something wrong)."""
    try:
        root = SafeElementTree.fromstring(data)
    except Exception:  # noqa: BLE001 — defusedxml's refusals and every parse error alike
        return None
    if root.tag != _tag("document"):
        return None

    def text(name: str) -> str:
        element = root.find(_tag(name))
        return (element.text or "").strip() if element is not None else ""

    version = root.find(_tag("version"))
    cycle = root.find(_tag("cycle"))
    submission = root.find(_tag("submission"))
    marks = []
    for element in root.iterfind(f"{_tag('questions')}/{_tag('question')}"):
        key = element.get("key") or ""
        if key:
            marks.append(
                QuestionMark(
                    key=key,
                    section=element.get("section") or "",
                    label=element.get("label") or "",
                    revision=_int(element.get("revision")) or 0,
                    type=element.get("type") or "",
                )
            )
    return Origin(
        kind=text("kind"),
        language=text("language"),
        portal=text("portal"),
        version_id=_int(version.get("id")) if version is not None else None,
        version_slug=(version.get("slug") or "") if version is not None else "",
        version_number=_int(version.get("number")) if version is not None else None,
        cycle_slug=(cycle.get("slug") or "") if cycle is not None else "",
        submission_id=_int(submission.get("id")) if submission is not None else None,
        country=(submission.get("country") or "") if submission is not None else "",
        exported_at=(submission.get("exported-at") or "") if submission is not None else "",
        questions=tuple(marks),
    )
