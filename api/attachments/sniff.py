"""Content-based media type detection for uploaded attachments.

Owns the decision "what kind of document is this file?". Invariant: the answer
comes from the bytes alone — the client's filename only picks Markdown over plain
text among files already proven to be text, and the client's Content-Type is never
consulted. Anything that is not positively a PDF, a Word (DOCX) package or UTF-8
text is `None`, which the caller answers with 415.

Every check reads a bounded, linear amount of the file (the PDF and zip probes
read at most a few KiB plus the zip central directory; the text probe streams the
file once in chunks), so sniffing a hostile upload is as cheap as hashing it.
"""

from __future__ import annotations

import codecs
import re
import struct
from pathlib import Path
from typing import BinaryIO, Final

__all__ = ["DOCX", "MARKDOWN", "PDF", "SUPPORTED", "TEXT", "sniff_file"]

PDF: Final = "application/pdf"
DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKDOWN: Final = "text/markdown"
TEXT: Final = "text/plain"
SUPPORTED: Final = frozenset({PDF, DOCX, MARKDOWN, TEXT})

# PDF readers accept the header anywhere in the first KiB (some producers prepend junk).
_PDF_MAGIC = b"%PDF-"
_PDF_WINDOW = 1024

_ZIP_LOCAL_MAGIC = b"PK\x03\x04"
_EOCD_MAGIC = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR_MAGIC = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD_MAGIC = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
_CD_ENTRY_MAGIC = b"PK\x01\x02"
_CD_ENTRY_SIZE = 46
_MAX_ZIP_COMMENT = 0xFFFF
# The two parts every WordprocessingML package has; xlsx/pptx/odt lack the second.
_DOCX_PARTS = frozenset({b"[Content_Types].xml", b"word/document.xml"})

_TEXT_HEAD = 64 * 1024
_CHUNK = 64 * 1024
_UTF8_BOM = codecs.BOM_UTF8
# C0 controls other than the whitespace ones text files legitimately contain
# (tab, LF, CR, form feed), plus DEL. NUL is handled separately: it is never text.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c") + b"\x7f"
_MARKDOWN_LINE = re.compile(r"^(?:#|- |\* |```)", re.MULTILINE)
_MARKDOWN_SUFFIXES = (".md", ".markdown")


def sniff_file(path: Path, filename: str | None) -> str | None:
    """The media type of the file at `path` judged by content, or None if unsupported.

    `filename` (the client's name, untrusted) only distinguishes Markdown from
    plain text. Empty files are None: there is no document to accept.
    """
    with path.open("rb") as f:
        head = f.read(_PDF_WINDOW)
        if not head:
            return None
        if _PDF_MAGIC in head:
            return PDF
        if head.startswith(_ZIP_LOCAL_MAGIC):
            # A zip is never text (its headers hold NULs), so no fallthrough.
            return DOCX if _zip_lists_docx_parts(f) else None
        f.seek(0)
        text_head = _utf8_text_head(f)
    if text_head is None:
        return None
    if filename and filename.lower().endswith(_MARKDOWN_SUFFIXES):
        return MARKDOWN
    return MARKDOWN if _MARKDOWN_LINE.search(text_head) else TEXT


# --------------------------------------------------------------------------- zip


def _zip_lists_docx_parts(f: BinaryIO) -> bool:
    """Whether the zip's central directory names both required DOCX parts.

    Reads the directory record by record instead of via `zipfile.ZipFile`, which
    would build an object per member before we could look: this stops as soon as
    both names are seen and never allocates more than one record at a time.
    """
    located = _central_directory(f)
    if located is None:
        return False
    start, size, count = located
    f.seek(start)
    wanted = set(_DOCX_PARTS)
    consumed = 0
    for _ in range(count):
        header = f.read(_CD_ENTRY_SIZE)
        if len(header) < _CD_ENTRY_SIZE or not header.startswith(_CD_ENTRY_MAGIC):
            return False
        name_len, extra_len, comment_len = struct.unpack_from("<3H", header, 28)
        name = f.read(name_len)
        wanted.discard(name)
        if not wanted:
            return True
        f.seek(extra_len + comment_len, 1)
        consumed += _CD_ENTRY_SIZE + name_len + extra_len + comment_len
        if consumed > size:
            return False
    return False


def _central_directory(f: BinaryIO) -> tuple[int, int, int] | None:
    """(offset, size, entry count) of the central directory, located from the end.

    Offsets are computed backwards from the end-of-directory record (as `zipfile`
    does), so a zip with bytes prepended still resolves; None when malformed.
    """
    end = f.seek(0, 2)
    tail_len = min(end, _EOCD_SIZE + _MAX_ZIP_COMMENT)
    f.seek(end - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(_EOCD_MAGIC)
    if pos < 0 or tail_len - pos < _EOCD_SIZE:
        return None
    count, cd_size, cd_offset = struct.unpack_from("<HLL", tail, pos + 10)
    record_at = end - tail_len + pos
    if count == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
        record_at -= _ZIP64_LOCATOR_SIZE
        if record_at < _ZIP64_EOCD_SIZE:
            return None
        f.seek(record_at)
        if f.read(4) != _ZIP64_LOCATOR_MAGIC:
            return None
        # The zip64 end record sits right before its locator.
        record_at -= _ZIP64_EOCD_SIZE
        f.seek(record_at)
        record = f.read(_ZIP64_EOCD_SIZE)
        if len(record) < _ZIP64_EOCD_SIZE or not record.startswith(_ZIP64_EOCD_MAGIC):
            return None
        count, cd_size = struct.unpack_from("<QQ", record, 32)
    start = record_at - cd_size
    if start < 0:
        return None
    return start, cd_size, count


# -------------------------------------------------------------------------- text


def _utf8_text_head(f: BinaryIO) -> str | None:
    """The decoded first 64 KiB if the whole file is UTF-8 text, else None.

    The incremental decoder carries a multi-byte character split across a chunk
    boundary over to the next chunk, so chunking never causes a false negative;
    `final=True` at the end still rejects a file that ends mid-character.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    head: str | None = None
    total = controls = 0
    while chunk := f.read(_CHUNK):
        if head is None and chunk.startswith(_UTF8_BOM):
            chunk = chunk[len(_UTF8_BOM) :]
        if b"\x00" in chunk:
            return None
        controls += len(chunk) - len(chunk.translate(None, _CONTROL_BYTES))
        try:
            decoded = decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
        if head is None:
            head = decoded[:_TEXT_HEAD]
        total += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if head is None or total == 0:
        return None
    # A stray escape sequence or two is fine (pasted terminal output); binary data
    # that happens to be valid UTF-8 has far more.
    if controls > 2 + total // 100:
        return None
    return head
