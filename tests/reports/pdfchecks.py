"""What can be checked mechanically of a PDF/A-3b file and of a tagged PDF, with pikepdf (qpdf).

No full PDF/A validator can be installed here (veraPDF is on none of the registries this project
reaches). `archival_problems` checks what ISO 19005-3 level B asks that a program can check
without interpreting the pages: the identification in XMP, the output intent and its embedded ICC
profile, the information dictionary agreeing with the XMP, the file identifier, no encryption,
the PDF version, every font embedded, qpdf's syntax check. `tagging_problems` checks the
structure tree the way a screen reader walks it: every marked-content identifier (MCID) drawn on
a page is reached through the /ParentTree from that page's /StructParents, and leads to an
element that holds that MCID on that page and belongs to the tree; text and images are drawn only
inside marked content (tagged or artifact); element identifiers are unique and listed. Each
returns a list of problems, empty when all is well, so that a failing test says what is wrong.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from reports.pdf_merge import name_tree, number_tree

PAINTING = {"Tj", "TJ", "'", '"', "Do"}  # text, images and forms


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


# --- PDF/A-3b --------------------------------------------------------------------------------


def archival_problems(data: bytes) -> list[str]:
    problems = []
    header = data[: data.index(b"\n")]
    if header not in {f"%PDF-1.{minor}".encode() for minor in range(8)}:
        problems.append(f"header {header!r} is not PDF 1.0 to 1.7")
    comment = data.split(b"\n", 2)[1]
    if not (comment.startswith(b"%") and sum(byte > 127 for byte in comment[1:5]) == 4):
        problems.append("no comment of four binary bytes after the header")
    with open_pdf(data) as pdf:
        problems += [f"qpdf: {problem}" for problem in pdf.check_pdf_syntax()]
        if "/Encrypt" in pdf.trailer:
            problems.append("the file is encrypted")
        file_id = pdf.trailer.get("/ID")
        if not (isinstance(file_id, Array) and len(file_id) == 2 and all(map(bytes, file_id))):
            problems.append("the trailer has no file identifier (/ID)")
        problems += _output_intent_problems(pdf)
        problems += _metadata_problems(pdf)
        problems += [f"font {name} is not embedded" for name in unembedded_fonts(pdf)]
    return problems


def _output_intent_problems(pdf: pikepdf.Pdf) -> list[str]:
    intents = [
        intent
        for intent in pdf.Root.get("/OutputIntents", Array())
        if intent.get("/S") == Name.GTS_PDFA1
    ]
    if len(intents) != 1:
        return [f"{len(intents)} PDF/A output intents instead of one"]
    profile = intents[0].get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        return ["the output intent has no embedded ICC profile"]
    icc = profile.read_bytes()
    problems = []
    if icc[36:40] != b"acsp" or icc[16:20] != b"RGB ":
        problems.append("the output intent's profile is not an RGB ICC profile")
    if int(profile.get("/N", 0)) != 3:
        problems.append("the output intent's profile does not say it has 3 components")
    return problems


def _metadata_problems(pdf: pikepdf.Pdf) -> list[str]:
    stream = pdf.Root.get("/Metadata")
    if stream is None or stream.get("/Subtype") != Name.XML:
        return ["the catalog has no XMP metadata stream"]
    meta = pdf.open_metadata()
    problems = []
    if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("3", "B"):
        problems.append(
            f"XMP says PDF/A part {meta.get('pdfaid:part')!r} conformance "
            f"{meta.get('pdfaid:conformance')!r}, not 3 B"
        )
    info = pdf.docinfo
    pairs = {
        "/Title": "dc:title",
        "/Subject": "dc:description",
        "/Keywords": "pdf:Keywords",
        "/Creator": "xmp:CreatorTool",
        "/Producer": "pdf:Producer",
    }
    for key, prop in pairs.items():
        if key in info and str(info[key]) != meta.get(prop):
            problems.append(f"{key} {str(info[key])!r} differs from {prop} {meta.get(prop)!r}")
    if "/Author" in info and str(info["/Author"]) != ", ".join(meta.get("dc:creator", [])):
        problems.append(f"/Author differs from dc:creator {meta.get('dc:creator')!r}")
    for key, prop in {"/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}.items():
        if key in info and _pdf_date(str(info[key])) != _xmp_date(meta.get(prop)):
            problems.append(f"{key} {str(info[key])!r} differs from {prop} {meta.get(prop)!r}")
    return problems


def _pdf_date(value: str) -> datetime.datetime:
    text = value.removeprefix("D:").replace("'", "")
    text = text[:-1] + "+0000" if text.endswith("Z") else text
    return datetime.datetime.strptime(text, "%Y%m%d%H%M%S%z")


def _xmp_date(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(value).replace(microsecond=0)


def unembedded_fonts(pdf: pikepdf.Pdf) -> list[str]:
    """The fonts drawn with (on the pages and in their form XObjects) with no font program."""
    missing = []
    seen = set()
    for resources in _all_resources(pdf):
        for name, font in resources.get("/Font", Dictionary()).items():
            if font.objgen in seen and font.objgen != (0, 0):
                continue
            seen.add(font.objgen)
            if font.get("/Subtype") == Name.Type3:
                continue  # glyphs drawn by content streams, nothing to embed
            described = font.DescendantFonts[0] if font.get("/Subtype") == Name.Type0 else font
            descriptor = described.get("/FontDescriptor", Dictionary())
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(f"{name} ({font.get('/BaseFont')})")
    return missing


def _all_resources(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    stack = [page.obj.get("/Resources", Dictionary()) for page in pdf.pages]
    seen = set()
    while stack:
        resources = stack.pop()
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        yield resources
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == Name.Form and "/Resources" in xobject:
                stack.append(xobject.Resources)


def pdfa_identification(data: bytes) -> tuple[str | None, str | None]:
    with open_pdf(data) as pdf:
        meta = pdf.open_metadata()
        return meta.get("pdfaid:part"), meta.get("pdfaid:conformance")


# --- Tagged PDF ------------------------------------------------------------------------------


def kids(element) -> list:
    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def structure_elements(tree_root) -> Iterator[pikepdf.Dictionary]:
    """Every element of the tree, depth first, in the order of the tree."""
    stack = list(reversed(kids(tree_root)))
    while stack:
        element = stack.pop()
        if isinstance(element, Dictionary) and "/S" in element:
            yield element
            stack.extend(reversed(kids(element)))


def page_marks(page: pikepdf.Page) -> tuple[list[int], list[str]]:
    """The MCIDs a page's content draws, and its problems: painting outside marked content,
    an MCID inside an artifact, marked content left open."""
    mcids, problems, stack = [], [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            properties = operands[1] if op == "BDC" else None
            mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
            if mcid is not None:
                if "/Artifact" in stack:
                    problems.append(f"MCID {int(mcid)} inside an artifact")
                mcids.append(int(mcid))
            stack.append(tag)
        elif op == "EMC":
            if not stack:
                problems.append("EMC without a marked content to end")
            else:
                stack.pop()
        elif op in PAINTING and not stack:
            problems.append(f"{op} outside marked content")
    if stack:
        problems.append(f"marked content left open: {stack}")
    return mcids, problems


def artifacts(page: pikepdf.Page) -> list[tuple[str, dict]]:
    """The properties of each /Artifact marked content on the page."""
    found = []
    for operands, _operator in pikepdf.parse_content_stream(page, "BDC"):
        if str(operands[0]) == "/Artifact" and isinstance(operands[1], Dictionary):
            found.append({str(k): str(v) for k, v in operands[1].items()})
    return found


def tagging_problems(data: bytes) -> list[str]:
    with open_pdf(data) as pdf:
        return _tagging_problems(pdf)


def _tagging_problems(pdf: pikepdf.Pdf) -> list[str]:
    root = pdf.Root
    problems = []
    if not bool(root.get("/MarkInfo", Dictionary()).get("/Marked", False)):
        problems.append("/MarkInfo /Marked is not true")
    if not str(root.get("/Lang", "")):
        problems.append("the catalog has no /Lang")
    if not bool(root.get("/ViewerPreferences", Dictionary()).get("/DisplayDocTitle", False)):
        problems.append("viewers are not asked to show the title (DisplayDocTitle)")
    if not str(pdf.docinfo.get("/Title", "")) or not pdf.open_metadata().get("dc:title"):
        problems.append("the document has no title")
    tree_root = root.get("/StructTreeRoot")
    if tree_root is None:
        return [*problems, "no /StructTreeRoot"]
    top = kids(tree_root)
    if len(top) != 1 or top[0].get("/S") != Name.Document:
        problems.append(
            f"the tree's root holds {[str(e.get('/S')) for e in top]}, not one /Document"
        )

    parent_tree: dict[int, object] = {}
    for key, value in number_tree(tree_root.get("/ParentTree", Dictionary())):
        if key in parent_tree:
            problems.append(f"ParentTree key {key} twice")
        parent_tree[key] = value
    next_key = tree_root.get("/ParentTreeNextKey")  # optional
    if parent_tree and next_key is not None and int(next_key) <= max(parent_tree):
        problems.append("/ParentTreeNextKey is not past the last key")

    in_tree = {element.objgen for element in structure_elements(tree_root)}
    used_keys = set()
    for number, page in enumerate(pdf.pages, start=1):
        mcids, page_problems = page_marks(page)
        problems += [f"page {number}: {problem}" for problem in page_problems]
        key = page.obj.get("/StructParents")
        if key is None:
            if mcids:
                problems.append(f"page {number} draws marked content but has no /StructParents")
            continue
        key = int(key)
        if key in used_keys:
            problems.append(f"page {number}: /StructParents {key} is another page's")
        used_keys.add(key)
        entries = parent_tree.get(key)
        if not isinstance(entries, Array):
            problems.append(f"page {number}: no ParentTree entry for /StructParents {key}")
            continue
        if len(set(mcids)) != len(mcids):
            problems.append(f"page {number}: an MCID is drawn twice")
        for mcid in mcids:
            if mcid >= len(entries) or not isinstance(entries[mcid], Dictionary):
                problems.append(f"page {number}: MCID {mcid} has no element")
                continue
            element = entries[mcid]
            if not _holds(element, mcid, page.obj):
                problems.append(f"page {number}: the element of MCID {mcid} does not hold it")
            if not _reaches_root(element, tree_root, in_tree):
                problems.append(f"page {number}: the element of MCID {mcid} is not in the tree")
        if len(entries) != len(set(mcids)):
            problems.append(f"page {number}: {len(entries)} ParentTree entries, {len(mcids)} MCIDs")
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                used_keys.add(int(annotation.StructParent))
                if not isinstance(parent_tree.get(int(annotation.StructParent)), Dictionary):
                    problems.append(f"page {number}: an annotation's /StructParent leads nowhere")
    problems += _identifier_problems(tree_root)
    return problems


def _holds(element, mcid: int, page) -> bool:
    for kid in kids(element):
        if isinstance(kid, int):
            if kid == mcid and "/Pg" in element:
                return element.Pg.objgen == page.objgen
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR and int(kid.MCID) == mcid:
            return kid.get("/Pg", element.get("/Pg")).objgen == page.objgen
    return False


def _reaches_root(element, tree_root, in_tree: set) -> bool:
    """The element's /P chain ends at the tree's root (WeasyPrint leaves the running headers'
    elements out of their parent's /K, so this, not membership of the tree, is what holds)."""
    for _depth in range(200):
        parent = element.get("/P")
        if parent is None:
            return False
        if parent.objgen == tree_root.objgen:
            return True
        element = parent
    return False


def _identifier_problems(tree_root) -> list[str]:
    problems = []
    identified: dict[bytes, object] = {}
    headers = []
    for element in structure_elements(tree_root):
        if "/ID" in element:
            identifier = bytes(element.ID)
            if identifier in identified:
                problems.append(f"element identifier {identifier!r} used twice")
            identified[identifier] = element
        attributes = element.get("/A")
        if isinstance(attributes, Dictionary) and "/Headers" in attributes:
            headers += [bytes(header) for header in attributes.Headers]
    listed = {bytes(k): v for k, v in name_tree(tree_root.get("/IDTree", Dictionary()))}
    for identifier, element in identified.items():
        if identifier not in listed or listed[identifier].objgen != element.objgen:
            problems.append(f"element identifier {identifier!r} is not in the /IDTree")
    problems += [f"/Headers names {h!r}, no element's /ID" for h in headers if h not in identified]
    return problems


def element_pages(element, page_numbers: dict) -> list[int]:
    """The page numbers (1-based) the element and its descendants have content on."""
    found = []
    stack = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, Dictionary):
            if "/Pg" in node and node.Pg.objgen in page_numbers:
                found.append(page_numbers[node.Pg.objgen])
            if "/S" in node:
                stack.extend(kids(node))
    return found
