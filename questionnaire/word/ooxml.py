"""The WordprocessingML python-docx has no API for, written in the schema's order (ECMA-376
Part 1, §17): Word refuses a document whose elements come out of order. Right-to-left
paragraphs, runs, tables and sections; repeating header rows; bookmarks; numbered lists that
restart at 1; the complex-script font and sizes; the custom XML part."""

from __future__ import annotations

import uuid

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from gcmreview import bidi

from . import format as word_format

# Children of w:pPr (CT_PPrBase, then CT_PPr's own), in order.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
)  # fmt: skip
# Children of w:rPr (CT_RPr's EG_RPrBase).
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)  # fmt: skip
# Children of w:sectPr after the header and footer references: w:bidi comes before w:docGrid.
SECTPR_ORDER = (
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
    "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
    "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
)  # fmt: skip
# Children of w:trPr (CT_TrPrBase), in the order Word writes them.
TRPR_ORDER = (
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
    "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange",
)  # fmt: skip
# Children of w:numbering.
NUMBERING_ORDER = ("numPicBullet", "abstractNum", "num", "numIdMacAtCleanup")

CUSTOM_XML_PROPS_RELTYPE = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXmlProps"
)
CUSTOM_XML_PROPS_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
)


# --- Elements in their place ---------------------------------------------------------------------


def child(parent, name: str, order: tuple[str, ...]):
    """`parent`'s `w:name` child, made and put in its place by `order` when it has none."""
    found = parent.find(qn(f"w:{name}"))
    if found is not None:
        return found
    element = OxmlElement(f"w:{name}")
    position = order.index(name)
    later = {qn(f"w:{other}") for other in order[position + 1 :]}
    for index, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def set_on(parent, name: str, order: tuple[str, ...], **attributes: str):
    element = child(parent, name, order)
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    return element


# --- Direction -------------------------------------------------------------------------------


def direction_segments(text: str, paragraph_rtl: bool) -> list[tuple[str, bool]]:
    """`text` cut where its script changes direction: (piece, right to left). A piece without
    strong characters (digits, punctuation) takes the paragraph's direction, and neutral
    characters stay with the piece before them."""
    segments: list[list] = []
    for char in text:
        direction = bidi.strong_direction(char)
        rtl = None if direction is None else direction == "rtl"
        if segments and (rtl is None or segments[-1][1] in (None, rtl)):
            segments[-1][0].append(char)
            if segments[-1][1] is None:
                segments[-1][1] = rtl
        else:
            segments.append([[char], rtl])
    return [("".join(chars), paragraph_rtl if rtl is None else rtl) for chars, rtl in segments]


def set_paragraph_rtl(paragraph) -> None:
    set_on(paragraph._p.get_or_add_pPr(), "bidi", PPR_ORDER)


def set_run(run, *, rtl: bool = False, bold: bool = False, italic: bool = False, size=None):
    """A run's right-to-left flag, bold and italic (for complex scripts too: Arabic takes w:bCs
    and w:iCs) and size (both)."""
    rpr = run._r.get_or_add_rPr()
    if bold:
        child(rpr, "b", RPR_ORDER)
        child(rpr, "bCs", RPR_ORDER)
    if italic:
        child(rpr, "i", RPR_ORDER)
        child(rpr, "iCs", RPR_ORDER)
    if size is not None:
        set_on(rpr, "sz", RPR_ORDER, val=str(size))
        set_on(rpr, "szCs", RPR_ORDER, val=str(size))
    if rtl:
        child(rpr, "rtl", RPR_ORDER)
    if not len(rpr):
        run._r.remove(rpr)


def set_section_rtl(section) -> None:
    set_on(section._sectPr, "bidi", SECTPR_ORDER)


def set_table_rtl(table) -> None:
    """The table's first column on the right (w:bidiVisual)."""
    table._tbl.tblPr.get_or_add_bidiVisual()


def set_header_row(row) -> None:
    """The row repeats at the top of every page the table runs onto (w:tblHeader)."""
    set_on(row._tr.get_or_add_trPr(), "tblHeader", TRPR_ORDER)


# --- Bookmarks -------------------------------------------------------------------------------


class Bookmarks:
    """Bookmarks with ids unique in the document."""

    def __init__(self) -> None:
        self.next_id = 0

    def wrap(self, first_paragraph, last_paragraph, name: str) -> None:
        """A bookmark from the start of `first_paragraph` to the end of `last_paragraph`."""
        ident = str(self.next_id)
        self.next_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), ident)
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), ident)
        p = first_paragraph._p
        ppr = p.pPr
        p.insert(1 if ppr is not None else 0, start)
        last_paragraph._p.append(end)


# --- Lists -----------------------------------------------------------------------------------


LIST_LEVELS = 9  # as Word's own multilevel lists
BULLET_GLYPHS = ("\u2022", "\u25e6", "\u25aa")  # • ◦ ▪, in turn by level, as Word's own
NUMBER_FORMATS = (("decimal", "%{n}."), ("lowerLetter", "%{n})"), ("lowerRoman", "%{n}."))
LIST_INDENT = 360  # twentieths of a point a level indents (a quarter of an inch)


class Numbering:
    """Word lists with every level defined, so that an item someone indents with Tab in Word
    is a level deeper, as in Word's own lists: one multilevel abstract numbering for bullets and
    one for numbers, and a w:num for each list of an answer, each numbered list starting at 1."""

    def __init__(self, document) -> None:
        self.numbering = document.part.numbering_part.element
        self.abstracts: dict[str, str] = {}

    def _next_id(self, tag: str, attribute: str) -> str:
        used = [int(n.get(qn(attribute))) for n in self.numbering.findall(qn(tag))]
        return str(max(used, default=0) + 1)

    def _abstract(self, kind: str) -> str:
        """The w:abstractNumId of the multilevel list of `kind` ("ul" or "ol"), made once."""
        if kind in self.abstracts:
            return self.abstracts[kind]
        abstract_id = self._next_id("w:abstractNum", "w:abstractNumId")
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), abstract_id)
        multi = OxmlElement("w:multiLevelType")
        multi.set(qn("w:val"), "hybridMultilevel")
        abstract.append(multi)
        for level in range(LIST_LEVELS):
            abstract.append(_level(kind, level))
        # The schema puts every w:abstractNum before the first w:num.
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.numbering.append(abstract)
        self.abstracts[kind] = abstract_id
        return abstract_id

    def new_list(self, kind: str) -> str:
        """A w:numId for one list of `kind`: its levels counted afresh from 1."""
        num_id = self._next_id("w:num", "w:numId")
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), num_id)
        abstract_ref = OxmlElement("w:abstractNumId")
        abstract_ref.set(qn("w:val"), self._abstract(kind))
        num.append(abstract_ref)
        if kind == "ol":
            for level in range(LIST_LEVELS):
                override = OxmlElement("w:lvlOverride")
                override.set(qn("w:ilvl"), str(level))
                start = OxmlElement("w:startOverride")
                start.set(qn("w:val"), "1")
                override.append(start)
                num.append(override)
        later = self.numbering.find(qn("w:numIdMacAtCleanup"))
        if later is not None:
            later.addprevious(num)
        else:
            self.numbering.append(num)
        return num_id


def _level(kind: str, level: int):
    """One w:lvl: its start, format, text, and its indent (hanging, for the marker)."""
    element = OxmlElement("w:lvl")
    element.set(qn("w:ilvl"), str(level))
    if kind == "ol":
        number_format, text = NUMBER_FORMATS[level % len(NUMBER_FORMATS)]
        text = text.replace("{n}", str(level + 1))
    else:
        number_format, text = "bullet", BULLET_GLYPHS[level % len(BULLET_GLYPHS)]
    for name, value in (("w:start", "1"), ("w:numFmt", number_format), ("w:lvlText", text)):
        node = OxmlElement(name)
        node.set(qn("w:val"), value)
        element.append(node)
    justify = OxmlElement("w:lvlJc")
    justify.set(qn("w:val"), "left")
    element.append(justify)
    ppr = OxmlElement("w:pPr")
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), str(LIST_INDENT * (level + 1)))
    indent.set(qn("w:hanging"), str(LIST_INDENT))
    ppr.append(indent)
    element.append(ppr)
    return element


def set_numbering(paragraph, num_id: str, level: int = 0) -> None:
    numpr = child(paragraph._p.get_or_add_pPr(), "numPr", PPR_ORDER)
    set_on(numpr, "ilvl", ("ilvl", "numId"), val=str(level))
    set_on(numpr, "numId", ("ilvl", "numId"), val=num_id)


# --- Fonts -----------------------------------------------------------------------------------


def set_complex_script_font(document, font: str, *, size_ratio: float | None = None) -> None:
    """`font` for complex scripts (Arabic) in the document's defaults and wherever a style names
    fonts; `size_ratio`: complex-script sizes as that share of the Latin ones wherever a size is
    set (Arabic letters look smaller than Latin ones of the same size)."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    child(defaults, "rFonts", RPR_ORDER)
    for fonts in styles.iter(qn("w:rFonts")):
        # A theme font wins over a named one: w:cstheme would keep the theme's.
        fonts.attrib.pop(qn("w:cstheme"), None)
        fonts.set(qn("w:cs"), font)
    if size_ratio is None:
        return
    for rpr in styles.iter(qn("w:rPr")):
        size = rpr.find(qn("w:sz"))
        if size is not None:
            scaled = round(int(size.get(qn("w:val"))) * size_ratio)
            set_on(rpr, "szCs", RPR_ORDER, val=str(scaled))


def set_default_languages(document, *, latin: str, bidi: str = "ar-SA") -> None:
    """The languages Word proofs text in: `latin` for Latin-script runs, `bidi` for Arabic."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    set_on(rpr.find(qn("w:rPr")), "lang", RPR_ORDER, val=latin, bidi=bidi)


# --- The custom XML part ---------------------------------------------------------------------


def add_custom_xml(document, data: bytes) -> Part:
    """`data` as the custom XML part `format` names, related from the main document, with the
    properties part Word writes beside its own (a datastore item id), so that Word keeps it."""
    package = document.part.package
    # python-docx's template carries a custom XML part of its own (an empty bibliography) where
    # ours goes, and a thumbnail of an empty page: neither says anything true of this document.
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype == word_format.CUSTOM_XML_RELTYPE:
            document.part.drop_rel(rel_id)
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/metadata/thumbnail"):
            package.rels.pop(rel_id)
    item = Part(PackURI(word_format.CUSTOM_XML_PARTNAME), "application/xml", data, package=package)
    item_id = "{" + str(uuid.uuid4()).upper() + "}"
    props_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<ds:datastoreItem ds:itemID="' + item_id + '" '
        'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml">'
        '<ds:schemaRefs><ds:schemaRef ds:uri="' + word_format.NAMESPACE + '"/></ds:schemaRefs>'
        "</ds:datastoreItem>"
    ).encode()
    props_name = word_format.CUSTOM_XML_PARTNAME.replace("item", "itemProps")
    props = Part(PackURI(props_name), CUSTOM_XML_PROPS_CONTENT_TYPE, props_xml, package=package)
    item.relate_to(props, CUSTOM_XML_PROPS_RELTYPE)
    document.part.relate_to(item, word_format.CUSTOM_XML_RELTYPE)
    return item
