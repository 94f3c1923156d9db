"""Builders for small, valid sample documents (PDF and DOCX) from plain paragraphs.

Used at runtime by the demo-data generator and by tests as known-good inputs.
Invariant: the output is a function of the arguments only (no timestamps, no
random IDs), and the text written is the text `api.attachments.extract` reads back
(modulo line wrapping, and characters outside Windows-1252 becoming "?" in PDFs).

The PDF writer is hand-rolled rather than a dependency: a few hundred bytes of
structure (catalog, page tree, one standard Type1 font, uncompressed content
streams, classic xref table) are all a text-only document needs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = ["make_docx", "make_pdf"]

# US Letter in PostScript points, one-inch margins.
_PAGE_WIDTH = 612
_PAGE_HEIGHT = 792
_MARGIN = 72
_TEXT_WIDTH = _PAGE_WIDTH - 2 * _MARGIN

_BODY = ("F1", 11.0, 14.0)  # font resource, size, leading
_TITLE = ("F2", 16.0, 22.0)

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from the standard AFM.
# Only used for line wrapping, so bytes outside this range get an average width.
_HELVETICA_WIDTHS = (
    [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278]
    + [556] * 10
    + [278, 278, 584, 584, 584, 556, 1015]
    + [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833]
    + [722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]
    + [278, 278, 278, 469, 556, 333]
    + [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833]
    + [556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]
    + [334, 260, 334, 584]
)
_DEFAULT_WIDTH = 556
# Helvetica-Bold runs up to ~10% wider than the regular metrics above.
_BOLD_FACTOR = 1.1

# Characters XML 1.0 (and therefore DOCX) cannot carry at all.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_TIME = datetime(2024, 1, 1, tzinfo=UTC)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- PDF


def _encode(text: str) -> bytes:
    # Helvetica is declared with /WinAnsiEncoding, which is (near enough) cp1252.
    return text.encode("cp1252", errors="replace")


def _width(data: bytes, size: float, factor: float = 1.0) -> float:
    units = sum(_HELVETICA_WIDTHS[b - 32] if 32 <= b <= 126 else _DEFAULT_WIDTH for b in data)
    return units * size * factor / 1000.0


def _wrap(text: str, size: float, factor: float) -> list[bytes]:
    """Greedy word wrap to the text width; words longer than a line are split."""
    lines: list[bytes] = []
    for hard_line in text.splitlines() or [""]:
        current = b""
        for word in (_encode(w) for w in hard_line.split()):
            candidate = current + b" " + word if current else word
            if _width(candidate, size, factor) <= _TEXT_WIDTH:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = b""
            while _width(word, size, factor) > _TEXT_WIDTH:
                cut = len(word) - 1
                while cut > 1 and _width(word[:cut], size, factor) > _TEXT_WIDTH:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _pdf_string(data: bytes) -> bytes:
    """A PDF literal string: parentheses and backslashes escaped, non-ASCII as octal."""
    out = bytearray(b"(")
    for b in data:
        if b in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 0x20 or b > 0x7E:
            out += b"\\%03o" % b
        else:
            out.append(b)
    out += b")"
    return bytes(out)


def _pdf_text_string(text: str) -> bytes:
    """A string for the document information dictionary (PDFDocEncoding or UTF-16BE)."""
    if text.isascii():
        return _pdf_string(text.encode("ascii"))
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _layout(paragraphs: Sequence[str], title: str | None) -> list[list[bytes]]:
    """Lines placed on pages; returns one content stream body per page."""
    pages: list[list[bytes]] = [[]]
    y = float(_PAGE_HEIGHT - _MARGIN)

    def place(line: bytes, font: str, size: float, leading: float) -> None:
        nonlocal y
        if y - leading < _MARGIN:
            pages.append([])
            y = float(_PAGE_HEIGHT - _MARGIN)
        y -= leading
        if line:
            pages[-1].append(
                b"BT /%s %.1f Tf 1 0 0 1 %d %.2f Tm %s Tj ET"
                % (font.encode(), size, _MARGIN, y, _pdf_string(line))
            )

    if title:
        font, size, leading = _TITLE
        for line in _wrap(title, size, _BOLD_FACTOR):
            place(line, font, size, leading)
    font, size, leading = _BODY
    for index, paragraph in enumerate(paragraphs):
        if index or title:
            place(b"", font, size, leading / 2)  # paragraph spacing
        for line in _wrap(paragraph, size, 1.0):
            place(line, font, size, leading)
    return pages


def make_pdf(paragraphs: Sequence[str], *, title: str | None = None) -> bytes:
    """A valid PDF 1.4 with `title` (bold, optional) then `paragraphs`, wrapped and paginated."""
    pages = _layout(paragraphs, title)
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(pages)))
    info = b"/Producer (Offramp Exchange samples)"
    if title:
        info += b" /Title " + _pdf_text_string(title)

    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< " + info + b" >>",
    ]
    for i, lines in enumerate(pages):
        content = b"\n".join(lines) + b"\n"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
            % (_PAGE_WIDTH, _PAGE_HEIGHT, first_page + 2 * i + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))

    # The binary comment on line 2 tells transfer tools the file is not text.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


# -------------------------------------------------------------------------- DOCX


def make_docx(paragraphs: Sequence[str], *, title: str | None = None) -> bytes:
    """A DOCX (python-docx default template) with an optional title heading, then paragraphs."""
    import docx  # a heavy import; only pay for it when a DOCX is actually built

    document = docx.Document()
    props = document.core_properties
    props.created = props.modified = _FIXED_TIME
    props.last_modified_by = ""
    if title:
        props.title = _XML_INVALID.sub("", title)
        document.add_heading(_XML_INVALID.sub("", title), level=0)
    for paragraph in paragraphs:
        document.add_paragraph(_XML_INVALID.sub("", paragraph))
    raw = io.BytesIO()
    document.save(raw)

    # python-docx stamps each zip member with the current time; rewrite them with
    # a fixed one so the same input always gives the same bytes.
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(member))
    return fixed.getvalue()
