"""Identifying metadata removed from PDF and DOCX files before they are stored.

Runs inside the extraction worker (`_extract_worker`, under its memory, CPU and
no-file-write limits) on a document it has already opened and checked, so it is
standalone too: stdlib, lxml and pypdf only, no `api` imports. Each function
returns the cleaned document's bytes — or None when there was nothing to remove,
so a clean file is stored byte for byte — and the names of what it removed.

What goes, and why:
- PDF: the whole document information dictionary (author, creator, producer,
  title, subject, keywords, dates, custom keys) and every XMP metadata stream
  (catalog and pages), application private data (PieceInfo), and the author
  (/T) of annotations. Print drivers fill Title and Creator with the source
  file's name ("Microsoft Word - interview_Amadou.docx") and dates carry the
  author's time zone, so none of the dictionary is kept.
- DOCX: the people fields of the core properties (creator, lastModifiedBy,
  lastPrinted, description — Word's "comments" property — and revision), the
  company, manager and template path of the application properties, custom
  properties, the comments parts and people.xml (the list of reviewers) with
  their relationships and content types, comment anchors in the text, and the
  names and initials on tracked changes. Title, subject and keywords are
  written on purpose by the author and describe the content: they stay.

Tracked-change authors and comment anchors are removed from the raw XML of the
text parts by pattern, relying on the `w:` prefix that Word, LibreOffice and
Google Docs all write; a hand-made file with another prefix keeps them. That is
accepted: this protects honest uploaders from what their software recorded, and
a file built to hide a name somewhere else can hide it in the text just as well.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

PDF_INFO_NAMES = {
    "/Author": "author",
    "/Creator": "creator",
    "/Producer": "producer",
    "/Title": "title",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/CreationDate": "creation_date",
    "/ModDate": "modification_date",
}


class StripError(Exception):
    """The document cannot be cleaned within the limits; `detail` and `message` are client-safe."""

    def __init__(self, detail: str, message: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message = message


# -------------------------------------------------------------------------- PDF


def strip_pdf(reader: Any, max_output_bytes: int) -> tuple[bytes | None, list[str]]:
    """`reader` is an open (and decrypted) pypdf PdfReader."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    removed: list[str] = []
    info = reader.trailer.get("/Info")
    info = info.get_object() if info is not None else None
    if info:
        for key, value in info.items():
            if str(value.get_object() if hasattr(value, "get_object") else value).strip():
                name = PDF_INFO_NAMES.get(key, "custom_properties")
                if name not in removed:
                    removed.append(name)
    root = reader.trailer["/Root"].get_object()
    pages = list(reader.pages)
    if "/Metadata" in root or any("/Metadata" in page for page in pages):
        removed.append("xmp")
    if "/PieceInfo" in root or any("/PieceInfo" in page for page in pages):
        removed.append("application_data")
    if any(_annotation_authors(page) for page in pages):
        removed.append("annotation_authors")
    if not removed:
        return None, []

    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    for key in ("/Metadata", "/PieceInfo"):
        writer.root_object.pop(NameObject(key), None)
    for page in writer.pages:
        for key in ("/Metadata", "/PieceInfo"):
            page.pop(NameObject(key), None)
        for annotation in _annotations(page):
            annotation.pop(NameObject("/T"), None)
    # Cloning copied every object; the ones just unlinked (the XMP stream, the
    # information dictionary) would still be written unless dropped as orphans.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    writer.pdf_header = reader.pdf_header
    out = io.BytesIO()
    writer.write(out)
    return _bounded(out.getvalue(), max_output_bytes), removed


def _annotations(page: Any) -> list[Any]:
    annotations = page.get("/Annots")
    if annotations is None:
        return []
    return [a.get_object() for a in annotations.get_object()]


def _annotation_authors(page: Any) -> bool:
    return any(str(a.get("/T", "")).strip() for a in _annotations(page))


# ------------------------------------------------------------------------- DOCX

_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_DC = "http://purl.org/dc/elements/1.1/"
_EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"

CORE_PART = "docProps/core.xml"
APP_PART = "docProps/app.xml"
CUSTOM_PART = "docProps/custom.xml"
CORE_FIELDS = {
    f"{{{_DC}}}creator": "author",
    f"{{{_CP}}}lastModifiedBy": "last_modified_by",
    f"{{{_CP}}}lastPrinted": "last_printed",
    f"{{{_DC}}}description": "description",
    f"{{{_CP}}}revision": "revision",
}
APP_FIELDS = {
    f"{{{_EP}}}Company": "company",
    f"{{{_EP}}}Manager": "manager",
    f"{{{_EP}}}HyperlinkBase": "hyperlink_base",
    f"{{{_EP}}}Template": "template",
}
# Parts that exist only to record who commented or reviewed.
PEOPLE_PARTS = {
    "word/comments.xml": "comments",
    "word/commentsExtended.xml": "comments",
    "word/commentsIds.xml": "comments",
    "word/commentsExtensible.xml": "comments",
    "word/people.xml": "people",
}
_TEXT_PART = re.compile(r"word/(?:document|header\d*|footer\d*|footnotes|endnotes)\.xml")
_COMMENT_ANCHOR = re.compile(rb"<w:comment(?:RangeStart|RangeEnd|Reference)\b[^>]*/>")
_AUTHOR_ATTRIBUTE = re.compile(rb'\sw:(?:author|initials)="([^"]*)"')


def strip_docx(
    package: zipfile.ZipFile, max_uncompressed: int, max_output_bytes: int
) -> tuple[bytes | None, list[str]]:
    """`package` has passed the extractor's zip-bomb checks; parts are read within a budget."""
    budget = _Budget(max_uncompressed)
    names = set(package.NameToInfo)
    replaced: dict[str, bytes] = {}
    dropped: set[str] = set()
    removed: list[str] = []

    def note(name: str) -> None:
        if name not in removed:
            removed.append(name)

    if CORE_PART in names:
        cleaned = _drop_fields(budget.read(package, CORE_PART), CORE_FIELDS, note)
        if cleaned is not None:
            replaced[CORE_PART] = cleaned
    if APP_PART in names:
        cleaned = _drop_fields(budget.read(package, APP_PART), APP_FIELDS, note, _is_template_path)
        if cleaned is not None:
            replaced[APP_PART] = cleaned
    if CUSTOM_PART in names:
        dropped.add(CUSTOM_PART)
        note("custom_properties")
    for part, name in PEOPLE_PARTS.items():
        if part in names:
            dropped.add(part)
            note(name)
    for part in sorted(names):
        if not _TEXT_PART.fullmatch(part):
            continue
        data = budget.read(package, part)
        cleaned_text = _COMMENT_ANCHOR.sub(b"", data)
        if any(m.group(1).strip() for m in _AUTHOR_ATTRIBUTE.finditer(cleaned_text)):
            note("tracked_change_authors")
        cleaned_text = _AUTHOR_ATTRIBUTE.sub(
            lambda m: m.group(0)[: m.start(1) - m.start(0)] + b'"', cleaned_text
        )
        if cleaned_text != data:
            replaced[part] = cleaned_text
    if not removed:
        return None, []

    for rels in sorted(n for n in names if n.endswith(".rels")):
        cleaned = _drop_relationships(budget.read(package, rels), rels, dropped)
        if cleaned is not None:
            replaced[rels] = cleaned
    content_types = "[Content_Types].xml"
    if content_types in names:
        cleaned = _drop_overrides(budget.read(package, content_types), dropped)
        if cleaned is not None:
            replaced[content_types] = cleaned

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in package.infolist():
            if member.filename in dropped:
                continue
            data = replaced.get(member.filename) or budget.read(package, member.filename)
            info = zipfile.ZipInfo(member.filename, date_time=member.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, data)
            if out.tell() > max_output_bytes:
                raise _too_large(max_output_bytes)
    return _bounded(out.getvalue(), max_output_bytes), removed


class _Budget:
    """Counts inflated bytes across every part read, like the text extractor does for one."""

    def __init__(self, max_bytes: int) -> None:
        self.left = max_bytes
        self.cache: dict[str, bytes] = {}

    def read(self, package: zipfile.ZipFile, name: str) -> bytes:
        if name in self.cache:
            return self.cache[name]
        chunks: list[bytes] = []
        with package.open(name) as stream:
            while chunk := stream.read(64 * 1024):
                self.left -= len(chunk)
                if self.left < 0:
                    raise StripError(
                        "DOCX expands to too much data",
                        "the package expands beyond the accepted size",
                    )
                chunks.append(chunk)
        data = b"".join(chunks)
        # Only small parts are worth keeping for a second read (rels, content types).
        if len(data) < 1024 * 1024:
            self.cache[name] = data
        return data


def _parse(data: bytes) -> Any:
    from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    root = etree.fromstring(data, parser)
    if root.getroottree().docinfo.internalDTD is not None:
        raise StripError("DOCX contains a DTD", "document parts must not declare a DTD or entities")
    return root


def _serialize(root: Any) -> bytes:
    from lxml import etree

    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return result


def _is_template_path(value: str) -> bool:
    # "Normal.dotm" names Word's default; a path names the user's folders.
    return "/" in value or "\\" in value


def _drop_fields(
    data: bytes,
    fields: dict[str, str],
    note: Any,
    keep_unless: Any = None,
) -> bytes | None:
    root = _parse(data)
    changed = False
    for element in list(root):
        name = fields.get(element.tag)
        if name is None:
            continue
        value = (element.text or "").strip()
        if keep_unless is not None and name == "template" and not keep_unless(value):
            continue
        root.remove(element)
        changed = True
        if value:
            note(name)
    return _serialize(root) if changed else None


def _part_of(rels: str, target: str) -> str:
    """The package part a relationship target points at, from the .rels file's own folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    folder = rels.rsplit("_rels/", 1)[0]
    parts: list[str] = [p for p in folder.split("/") if p]
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _drop_relationships(data: bytes, rels: str, dropped: set[str]) -> bytes | None:
    root = _parse(data)
    changed = False
    for relationship in list(root):
        target = relationship.get("Target", "")
        if relationship.get("TargetMode") != "External" and _part_of(rels, target) in dropped:
            root.remove(relationship)
            changed = True
    return _serialize(root) if changed else None


def _drop_overrides(data: bytes, dropped: set[str]) -> bytes | None:
    root = _parse(data)
    changed = False
    for override in list(root):
        if override.tag == f"{{{_CT}}}Override" and override.get("PartName", "").lstrip("/") in (
            dropped
        ):
            root.remove(override)
            changed = True
    return _serialize(root) if changed else None


def _bounded(data: bytes, max_output_bytes: int) -> bytes:
    if len(data) > max_output_bytes:
        raise _too_large(max_output_bytes)
    return data


def _too_large(max_output_bytes: int) -> StripError:
    return StripError(
        "document too large once rewritten",
        f"removing the document's metadata would make it larger than {max_output_bytes} bytes",
    )
