"""Tagged PDFs merged into one tagged PDF, with pikepdf (qpdf): the regional compilation.

Each piece is laid out by WeasyPrint with `pdf_tags=True`: what a page draws is marked content
(MCIDs), which the piece's structure tree reaches through its /ParentTree, keyed by the page's
/StructParents; the elements lead back to their page through /Pg. `TaggedMerge` keeps one
structure tree for the merged document:

- one /Document element, whose children are the pieces' own /Document elements, renamed (/Part
  for a country's review, /Div for a piece of the annexes), in the order the pieces are appended,
  which is page order; their elements are copied as they are, /Pg leading to the copied pages;
- one /ParentTree: each piece's keys shifted past the keys of the pieces before it, with the
  /StructParents of its pages and the /StructParent of its annotations shifted alike, so every
  MCID on a page still leads to the element that holds it;
- one /IDTree of the elements' identifiers (a table's header cells, which its cells name in
  /Headers), made unique within each piece's file by `unique_element_ids`.

Why pikepdf, when pypdf merged the untagged pieces before: the 22-country compilation holds some
70,000 structure elements. pypdf, which parses every object in Python, took 10.5 s of CPU to merge
the tagged pieces and 2.4 s to write them (11.5 MB); pikepdf takes 0.7 s and 0.3 s (3.7 MB),
about what pypdf's merge of the untagged pieces cost (0.8 s).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

# What a piece's /Document becomes in the merged tree.
PART = Name.Part  # a large division of the document: the front matter, a country's review
DIV = Name.Div  # a grouping with no meaning of its own: a piece of the annexes


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def page_count(data: bytes) -> int:
    """The number of pages of a PDF, without reading its other objects (pypdf parses the whole
    object stream that holds the page tree: a fifth of a second for a tagged country)."""
    with open_pdf(data) as pdf:
        return len(pdf.pages)


class UntaggedPiece(ValueError):
    """A piece with no structure tree: what it shows would be lost to screen readers."""


class TaggedMerge:
    """Pieces appended one after the other into `pdf`, their structure trees merged into one
    (see the module's docstring). Write the result with `save` once everything is drawn."""

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        # qpdf reads a copied stream's data from its own file when the merged one is written:
        # every piece stays open until then.
        self._sources: list[pikepdf.Pdf] = []
        self._tree_root = self.pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        self._document = self.pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Document, P=self._tree_root, K=Array())
        )
        self._nums: list = []  # the merged /ParentTree's [key, value, key, value, ...]
        self._ids: dict[bytes, pikepdf.Object] = {}
        self._next_key = 0

    def __len__(self) -> int:
        return len(self.pdf.pages)

    def open(self, data: bytes) -> pikepdf.Pdf:
        """A PDF to copy from (the pieces, an overlay), kept open until the merged file is
        written."""
        source = open_pdf(data)
        self._sources.append(source)
        return source

    def append(self, data: bytes, *, group: Name = PART) -> int:
        """Append a tagged PDF's pages and structure tree; return the index of its first page.
        Its /Document becomes a `group` element of the merged /Document."""
        source = self.open(data)
        tree_root = source.Root.get("/StructTreeRoot")
        if tree_root is None:
            raise UntaggedPiece("a piece of the document has no structure tree")
        top = [_detached(source, element) for element in _as_list(tree_root.get("/K"))]
        start = len(self.pdf.pages)
        # The pages first: the elements copied next find them copied and point to the copies.
        self.pdf.pages.extend(source.pages)

        offset, last = self._next_key, -1
        parent_tree = tree_root.get("/ParentTree")
        if parent_tree is not None:
            for key, value in number_tree(self.pdf.copy_foreign(_indirect(source, parent_tree))):
                self._nums.extend((offset + key, value))
                last = max(last, key)
        self._next_key = offset + max(last + 1, int(tree_root.get("/ParentTreeNextKey", 0)))
        for page in self.pdf.pages[start:]:
            _shift(page.obj, "/StructParents", offset)
            for annotation in page.obj.get("/Annots", Array()):
                _shift(annotation, "/StructParent", offset)

        for element in top:
            copied = self.pdf.copy_foreign(element)
            if copied.get("/S") == Name.Document:
                copied.S = group
            copied.P = self._document
            self._document.K.append(copied)
        id_tree = tree_root.get("/IDTree")
        if id_tree is not None:
            for identifier, element in name_tree(self.pdf.copy_foreign(_indirect(source, id_tree))):
                self._ids.setdefault(bytes(identifier), element)
        return start

    def save(self, **options) -> bytes:
        """The merged document, its structure tree in place, written with pikepdf's `options`."""
        root = self._tree_root
        root.K = Array([self._document])
        root.ParentTree = self.pdf.make_indirect(Dictionary(Nums=Array(self._nums)))
        root.ParentTreeNextKey = self._next_key
        if self._ids:
            # One Array made from a Python list: extending a pikepdf Array item by item copies
            # it each time (a second for the 2,400 identifiers of a 22-country compilation).
            names = []
            for identifier in sorted(self._ids):
                names.extend((pikepdf.String(identifier), self._ids[identifier]))
            root.IDTree = self.pdf.make_indirect(Dictionary(Names=Array(names)))
        self.pdf.Root.StructTreeRoot = root
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)
        buffer = io.BytesIO()
        self.pdf.save(buffer, **options)
        return buffer.getvalue()

    def close(self) -> None:
        for source in self._sources:
            source.close()
        self.pdf.close()


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def _indirect(source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """qpdf copies indirect objects from another file, with what they refer to."""
    return obj if obj.is_indirect else source.make_indirect(obj)


def _detached(source: pikepdf.Pdf, element: pikepdf.Object) -> pikepdf.Object:
    """A top-level element of a piece, without its link to the piece's tree root, which would
    otherwise be copied with it (and, through it, every list of the piece's tree)."""
    element = _indirect(source, element)
    if "/P" in element:
        del element["/P"]
    return element


def _shift(obj: pikepdf.Object, key: str, offset: int) -> None:
    if key in obj:
        obj[key] = int(obj[key]) + offset


def number_tree(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    """(key, value) of a number tree (ISO 32000-1, 7.9.7), leaves in order."""
    nums = node.get("/Nums", Array())
    for index in range(0, len(nums) - 1, 2):
        yield int(nums[index]), nums[index + 1]
    for kid in node.get("/Kids", Array()):
        yield from number_tree(kid)


def name_tree(node: pikepdf.Object) -> Iterator[tuple[pikepdf.String, pikepdf.Object]]:
    """(key, value) of a name tree (ISO 32000-1, 7.9.6)."""
    names = node.get("/Names", Array())
    for index in range(0, len(names) - 1, 2):
        yield names[index], names[index + 1]
    for kid in node.get("/Kids", Array()):
        yield from name_tree(kid)


def unique_element_ids(html: str) -> Callable:
    """A WeasyPrint `finisher` that makes the structure elements' identifiers unique across the
    pieces of a compilation, and lists them in an /IDTree (which WeasyPrint leaves out).

    WeasyPrint names a table's header cells `<object number>-<row>-<column>`, and its cells
    refer to them in /Headers: object numbers start again in every file, so two pieces have the
    same identifiers. Each gets the hash of its document as a prefix: one compilation never holds
    the same document twice."""
    prefix = hashlib.sha256(html.encode()).hexdigest()[:12] + "-"

    def finisher(document, pdf) -> None:
        import pydyf

        elements = [obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)]
        renamed = {}
        for element in elements:
            if "ID" in element and element.get("Type") == "/StructElem":
                renamed[element["ID"].string] = pydyf.String(prefix + element["ID"].string)
                element["ID"] = renamed[element["ID"].string]
        if not renamed:
            return
        for element in elements:
            attributes = element.get("A")
            if isinstance(attributes, pydyf.Dictionary) and "Headers" in attributes:
                attributes["Headers"] = pydyf.Array(
                    renamed.get(header.string, header) for header in attributes["Headers"]
                )
        names = pydyf.Array()
        for element in sorted(
            (e for e in elements if "ID" in e and e.get("Type") == "/StructElem"),
            key=lambda e: e["ID"].string,
        ):
            names.extend((element["ID"], element.reference))
        id_tree = pydyf.Dictionary({"Names": names})
        pdf.add_object(id_tree)
        tree_root = pdf.objects[int(pdf.catalog["StructTreeRoot"].split()[0])]
        tree_root["IDTree"] = id_tree.reference

    return finisher
