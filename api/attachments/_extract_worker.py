"""Child-process side of text extraction: parse one PDF or DOCX and print its text.

Run only by `api.attachments.extract` as `python -I <this file> <request-json>`.
When the request asks for it, the same process also removes identifying
metadata from the document (`_strip_metadata`, loaded from beside this file)
under the same limits, and sends the cleaned document after the answer.
It owns the untrusted parsing; its invariant is that it can cost the service no
more than the limits it applies to itself before touching the document — address
space (RLIMIT_AS), CPU seconds (RLIMIT_CPU), no file writes (RLIMIT_FSIZE), no core
dumps — while the parent enforces wall-clock time and kills it.

Deliberately standalone (stdlib, lxml, pypdf; no `api` imports) so it runs under
`-I` without the service's import path or settings. It always answers with one
JSON object on one line of the original stdout:
    {"ok": true, "text": "...", "truncated": false, "removed_metadata": [...], "cleaned": 1234}
    {"ok": false, "detail": "...", "message": "...", "reason": "..."}
followed, when `cleaned` is a number, by exactly that many bytes: the document
with its metadata removed (JSON escapes newlines, so the first one ends it).
`detail`/`message` are safe to show a client; `reason` is for the server log only.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import resource
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import IO, Any

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MAX_PDF_PAGES = 5000
MAX_DOCX_MEMBERS = 1000
MAX_DOCX_RATIO = 200
RATIO_CHECK_MIN_BYTES = 1024 * 1024
DOCUMENT_PART = "word/document.xml"
_READ_CHUNK = 64 * 1024

# XML declaration, comments and PIs, then a DOCTYPE: spotted in the raw bytes so
# a DTD is refused before libxml2 reads a single entity declaration. The atomic
# group and possessive star keep the match linear on adversarial prologs.
_PROLOG_DOCTYPE = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?>(?:<\?.*?\?>|<!--.*?-->)\s*)*+<!DOCTYPE", re.DOTALL
)
_PROLOG_SCAN = 4096

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _T, _TAB, _BR, _CR = (_W + n for n in ("p", "tbl", "t", "tab", "br", "cr"))


class Rejected(Exception):
    """The document cannot be processed; `detail` and `message` are client-safe."""

    def __init__(self, detail: str, message: str, reason: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.message = message
        self.reason = reason or detail


def _limit_self(memory_bytes: int, cpu_seconds: int) -> None:
    def lower(which: int, soft: int, hard: int | None = None) -> None:
        _, current_hard = resource.getrlimit(which)
        hard = soft if hard is None else hard
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))

    lower(resource.RLIMIT_AS, memory_bytes)
    # Soft limit sends SIGXCPU; the hard one (a second later) SIGKILLs a process
    # stuck in C code. The parent's wall-clock timeout normally fires first.
    lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    lower(resource.RLIMIT_FSIZE, 0)  # parsers have no business writing files
    lower(resource.RLIMIT_CORE, 0)


# A document's text, whether it was cut, its cleaned bytes (None: nothing to
# remove, or not asked) and the names of the metadata removed.
Processed = tuple[str, bool, bytes | None, list[str]]


def _stripper() -> ModuleType:
    """`_strip_metadata`, loaded by path: under `python -I` this folder is not importable."""
    spec = importlib.util.spec_from_file_location(
        "_strip_metadata", Path(__file__).with_name("_strip_metadata.py")
    )
    if spec is None or spec.loader is None:
        raise ImportError("_strip_metadata.py is missing beside the extraction worker")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _strip(strip: Any, *args: Any) -> tuple[bytes | None, list[str]]:
    """Run a stripper; its refusals and the parser's errors become client-safe rejections."""
    stripper = _stripper()
    try:
        cleaned, removed = strip(stripper, *args)
    except stripper.StripError as exc:
        raise Rejected(exc.detail, exc.message) from exc
    except (Rejected, MemoryError):
        raise
    except Exception as exc:
        raise Rejected(
            "metadata could not be removed",
            "the document's metadata could not be removed (it may be damaged)",
            f"{type(exc).__name__}: {exc}"[:500],
        ) from exc
    return cleaned, list(removed)


# -------------------------------------------------------------------------- PDF


def process_pdf(path: str, max_chars: int, max_output_bytes: int | None = None) -> Processed:
    """Text of the PDF and, when `max_output_bytes` is given, the PDF without its metadata."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    with open(path, "rb") as f:
        try:
            reader = PdfReader(f, strict=False)
            encrypted = reader.is_encrypted
        except MemoryError:
            raise
        except Exception as exc:
            raise _malformed_pdf(exc) from exc
        if encrypted:
            try:
                opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
            except (DependencyError, NotImplementedError):
                opened = False  # an encryption scheme we cannot even try
            except MemoryError:
                raise
            except Exception as exc:
                raise _malformed_pdf(exc) from exc
            if not opened:
                raise Rejected(
                    "encrypted PDF",
                    "the PDF is password-protected; upload a copy without a password",
                )
        parts: list[str] = []
        used = 0
        try:
            pages = reader.pages
            # Pages past the cap are not read, like text past max_chars.
            for index in range(min(len(pages), MAX_PDF_PAGES)):
                text = pages[index].extract_text() or ""
                parts.append(text)
                used += len(text) + 1
                if used >= max_chars:
                    break
        except MemoryError:
            raise
        except Exception as exc:
            raise _malformed_pdf(exc) from exc
        text, truncated = _clip("\n".join(parts), max_chars)
        cleaned, removed = (
            _strip(lambda m, *a: m.strip_pdf(*a), reader, max_output_bytes)
            if max_output_bytes is not None
            else (None, [])
        )
    return text, truncated, cleaned, removed


def _malformed_pdf(exc: BaseException) -> Rejected:
    return Rejected(
        "malformed PDF",
        "the file is not a readable PDF (it may be damaged or truncated)",
        f"{type(exc).__name__}: {exc}"[:500],
    )


# ------------------------------------------------------------------------- DOCX


def process_docx(
    path: str, max_chars: int, max_uncompressed: int, max_output_bytes: int | None = None
) -> Processed:
    """Text of the DOCX and, when `max_output_bytes` is given, the DOCX without its metadata."""
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _malformed_docx(exc) from exc
    with package:
        _check_package(package, max_uncompressed)
        try:
            with package.open(DOCUMENT_PART) as stream:
                text, truncated = _document_text(stream, max_chars, max_uncompressed)
        except Rejected:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # zlib.error, BadZipFile (CRC), XMLSyntaxError, ...
            raise _malformed_docx(exc) from exc
        cleaned, removed = (
            _strip(lambda m, *a: m.strip_docx(*a), package, max_uncompressed, max_output_bytes)
            if max_output_bytes is not None
            else (None, [])
        )
    return text, truncated, cleaned, removed


def _check_package(package: zipfile.ZipFile, max_uncompressed: int) -> None:
    """Refuse zip bombs from the central directory alone, before decompressing anything."""
    members = package.infolist()
    if len(members) > MAX_DOCX_MEMBERS:
        raise Rejected(
            "DOCX has too many parts",
            f"the package has {len(members)} parts; at most {MAX_DOCX_MEMBERS} are accepted",
        )
    declared = sum(m.file_size for m in members)
    if declared > max_uncompressed:
        raise Rejected(
            "DOCX expands to too much data",
            f"the package declares {declared} bytes uncompressed; "
            f"at most {max_uncompressed} are accepted",
        )
    for m in members:
        if m.file_size > RATIO_CHECK_MIN_BYTES and m.file_size > MAX_DOCX_RATIO * max(
            m.compress_size, 1
        ):
            raise Rejected(
                "DOCX is suspiciously compressed",
                f"part {m.filename[:100]!r} expands {m.file_size // max(m.compress_size, 1)}x; "
                f"at most {MAX_DOCX_RATIO}x is accepted",
            )
    if DOCUMENT_PART not in package.NameToInfo:
        raise Rejected("malformed DOCX", f"the package has no {DOCUMENT_PART} part")


def _document_text(stream: IO[bytes], max_chars: int, max_bytes: int) -> tuple[str, bool]:
    """Paragraph texts of WordprocessingML, streamed: bounded input, bounded tree.

    The declared sizes checked above are attacker-supplied, so the decompressed
    bytes are counted again here. The pull parser sees the XML in chunks and each
    finished paragraph/table is cleared, so memory tracks one paragraph, not the
    document. Entities are never resolved and any DTD is refused outright: OPC
    (ECMA-376 Part 2) forbids DTDs in package parts, so only an attack has one.
    """
    from lxml import etree  # type: ignore[import-untyped]  # no stubs installed

    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    paragraphs: list[str] = []
    used = 0
    read = 0
    checked_dtd = False
    while chunk := stream.read(_READ_CHUNK):
        if not read and _PROLOG_DOCTYPE.match(chunk, 0, _PROLOG_SCAN):
            raise _has_dtd()
        read += len(chunk)
        if read > max_bytes:
            raise Rejected(
                "DOCX expands to too much data",
                f"{DOCUMENT_PART} expands beyond {max_bytes} bytes",
            )
        parser.feed(chunk)
        for event, element in parser.read_events():
            if event == "start":
                if not checked_dtd:
                    checked_dtd = True
                    # Catches what the byte scan cannot (e.g. a UTF-16 part).
                    if element.getroottree().docinfo.internalDTD is not None:
                        raise _has_dtd()
                continue
            if element.tag == _P:
                text = _paragraph_text(element)
                paragraphs.append(text)
                used += len(text) + 1
                if used >= max_chars:
                    # Everything wanted is in hand: stop decompressing.
                    return _clip("\n".join(paragraphs), max_chars)
            if element.tag in (_P, _TBL):
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    parser.close()
    return _clip("\n".join(paragraphs), max_chars)


def _has_dtd() -> Rejected:
    return Rejected("DOCX contains a DTD", "document parts must not declare a DTD or entities")


def _paragraph_text(paragraph: Any) -> str:
    out: list[str] = []
    for node in paragraph.iter(_T, _TAB, _BR, _CR):
        if node.tag == _T:
            out.append(node.text or "")
        elif node.tag == _TAB:
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _malformed_docx(exc: BaseException) -> Rejected:
    return Rejected(
        "malformed DOCX",
        "the file is not a readable Word document (it may be damaged or truncated)",
        f"{type(exc).__name__}: {exc}"[:500],
    )


# ------------------------------------------------------------------------- main


def _clip(text: str, max_chars: int) -> tuple[str, bool]:
    # Lone surrogates (from broken PDF font maps) cannot be encoded as UTF-8 and
    # NUL cannot be stored in PostgreSQL text: neither may leave the worker.
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return (text[:max_chars], True) if len(text) > max_chars else (text, False)


def _run(request: dict[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    path, media_type, max_chars = request["path"], request["media_type"], request["max_chars"]
    max_output = request.get("strip_metadata_max_bytes")
    try:
        if media_type == PDF:
            text, truncated, cleaned, removed = process_pdf(path, max_chars, max_output)
        elif media_type == DOCX:
            text, truncated, cleaned, removed = process_docx(
                path, max_chars, request["docx_max_uncompressed_bytes"], max_output
            )
        else:
            raise Rejected("unsupported media type", "unsupported media type", media_type)
    except Rejected as exc:
        return {
            "ok": False,
            "detail": exc.detail,
            "message": exc.message,
            "reason": exc.reason,
        }, None
    except MemoryError:
        return {
            "ok": False,
            "detail": "document needs too much memory to process",
            "message": "the document is too large or too complex to extract text from",
            "reason": "MemoryError",
        }, None
    answer = {
        "ok": True,
        "text": text,
        "truncated": truncated,
        "removed_metadata": removed,
        "cleaned": None if cleaned is None else len(cleaned),
    }
    return answer, cleaned


def main(argv: list[str]) -> int:
    request = json.loads(argv[1])
    # Keep the real stdout for the answer; anything a library prints goes to stderr.
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _limit_self(int(request["memory_limit_bytes"]), int(request["cpu_seconds"]))
    cleaned: bytes | None = None
    try:
        result, cleaned = _run(request)
    except Exception as exc:  # a bug here, not a bad document; reported, never raised
        result = {
            "ok": False,
            "detail": "text extraction failed",
            "message": "the document could not be read",
            "reason": f"{type(exc).__name__}: {exc}"[:500],
        }
    answer.write(json.dumps(result, ensure_ascii=False).encode("utf-8", "replace") + b"\n")
    if cleaned is not None:
        answer.write(cleaned)
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
