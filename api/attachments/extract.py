"""Plain-text extraction from accepted attachments, with hostile input contained.

Owns turning a sniffed document (see `api.attachments.sniff`) into searchable
text. Invariant: a document can cost at most `timeout_seconds` of wall-clock
time and `memory_limit_bytes` of address space, and every way it can fail —
zip/entity bomb, parser spinning or crashing, encryption, damage — surfaces as
`UnprocessableDocument` (422), never a hang, an out-of-memory service or a 500.

PDF and DOCX are parsed in a fresh child process (`_extract_worker`, started
with `python -I`) that limits its own memory and CPU before reading a byte; the
parent kills it when the wall clock runs out. A fresh process per document costs
~0.2 s but means nothing a parser leaks, corrupts or loops on can reach the
service. Text and Markdown are only decoded, so they stay in-process. No
temporary files are created: the child reads the staged upload in place and
answers over a pipe.

`process_document` also asks the child to remove identifying metadata (PDF
document information and XMP; DOCX people fields, comments, tracked-change
authors — see `_strip_metadata`) while it has the document open, under the same
limits, and returns the cleaned bytes for the caller to store instead.
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.attachments.sniff import DOCX, MARKDOWN, PDF, TEXT
from api.errors import FieldError, UnprocessableDocument

__all__ = ["ProcessedDocument", "extract_text", "process_document"]

log = logging.getLogger(__name__)

MiB = 1024 * 1024
_WORKER = Path(__file__).with_name("_extract_worker.py")
# Environment for the child: -I already ignores PYTHON* variables; dropping the
# rest keeps locale/malloc tuning of the service out of the parser's behaviour.
_CHILD_ENV_KEYS = ("PATH", "TMPDIR", "SYSTEMROOT")


@dataclass(frozen=True, slots=True)
class ProcessedDocument:
    """A document's text and, if it carried identifying metadata, its cleaned bytes."""

    text: str
    cleaned: bytes | None
    removed_metadata: tuple[str, ...]


def extract_text(path: Path, media_type: str, **limits: Any) -> str:
    """The document's text only, nothing rewritten; `limits` as for `process_document`."""
    return process_document(path, media_type, **limits).text


def process_document(
    path: Path,
    media_type: str,
    *,
    timeout_seconds: float = 5.0,
    memory_limit_bytes: int = 768 * MiB,
    max_chars: int = 2_000_000,
    docx_max_uncompressed_bytes: int = 100 * MiB,
    strip_metadata_max_bytes: int | None = None,
) -> ProcessedDocument:
    """The document's text, at most `max_chars` characters (longer text is cut), and
    with `strip_metadata_max_bytes`, the document without its identifying metadata.

    `media_type` must come from `sniff_file`, not from the client. Raises
    `UnprocessableDocument` when the document cannot be read (or cleaned) within
    the limits; `ValueError` for a media type this module does not handle (a
    caller bug). `cleaned` is None when there was nothing to remove: store the
    upload as it is. A cleaned document over `strip_metadata_max_bytes` is refused.
    """
    if media_type in (TEXT, MARKDOWN):
        return ProcessedDocument(_read_text(path, max_chars), None, ())
    if media_type not in (PDF, DOCX):
        raise ValueError(f"no text extractor for {media_type!r}")
    request = {
        "path": str(path.resolve()),
        "media_type": media_type,
        "max_chars": max_chars,
        "docx_max_uncompressed_bytes": docx_max_uncompressed_bytes,
        "memory_limit_bytes": memory_limit_bytes,
        # Backstop for a parser stuck in C code ignoring everything but SIGKILL;
        # the wall-clock kill below normally comes first.
        "cpu_seconds": math.ceil(timeout_seconds) + 1,
        "strip_metadata_max_bytes": strip_metadata_max_bytes,
    }
    result, cleaned = _run_worker(request, timeout_seconds)
    if not result.get("ok"):
        log.info(
            "text extraction rejected %s: %s (%s)",
            media_type,
            result.get("detail"),
            result.get("reason"),
        )
        raise UnprocessableDocument(
            str(result.get("detail") or "text extraction failed"),
            errors=[FieldError("file", str(result.get("message") or "unreadable document"))],
        )
    text = result.get("text")
    removed = result.get("removed_metadata") or []
    if not isinstance(text, str) or not isinstance(removed, list):
        raise _failed("the extractor returned no text")
    return ProcessedDocument(text[:max_chars], cleaned, tuple(str(name) for name in removed))


def _read_text(path: Path, max_chars: int) -> str:
    # Sniffing proved the file is UTF-8; "replace" only guards against the file
    # changing underneath us. read(n) decodes at most n characters, so a huge
    # file costs no more than max_chars.
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        return f.read(max_chars).replace("\x00", "")


def _run_worker(
    request: dict[str, Any], timeout_seconds: float
) -> tuple[dict[str, Any], bytes | None]:
    env = {k: v for k, v in os.environ.items() if k in _CHILD_ENV_KEYS}
    env["LC_ALL"] = "C.UTF-8"
    try:
        # Not preexec_fn for the rlimits: it is unsafe in a threaded server (the
        # API runs sync code in a thread pool); the child limits itself instead.
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, our interpreter and script
            [sys.executable, "-I", str(_WORKER), json.dumps(request)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
    except OSError as exc:
        log.error("cannot start the text extraction worker: %s", exc)
        raise _failed("the text extractor could not be started") from exc
    try:
        out, _ = proc.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise UnprocessableDocument(
            f"text extraction took longer than {timeout_seconds:g} s",
            errors=[
                FieldError(
                    "file",
                    f"the document could not be read within {timeout_seconds:g} s; "
                    "it may be too large or deliberately malformed",
                )
            ],
        ) from None
    except BaseException:
        # Includes KeyboardInterrupt/cancellation: never leave the child running.
        _kill(proc)
        raise
    if proc.returncode != 0:
        raise _from_exit_status(proc.returncode, timeout_seconds)
    header, _, document = out.partition(b"\n")
    try:
        result = json.loads(header)
    except ValueError as exc:
        raise _failed("the text extractor gave an unreadable answer") from exc
    if not isinstance(result, dict):
        raise _failed("the text extractor gave an unreadable answer")
    size = result.get("cleaned")
    if size is None:
        return result, None
    if not isinstance(size, int) or size != len(document):
        raise _failed("the text extractor gave an unreadable answer")
    return result, document


def _kill(proc: subprocess.Popen[bytes]) -> None:
    # The child leads its own session; killing the group also takes anything a
    # library might have spawned.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except OSError:
        proc.kill()
    proc.communicate()  # reap; the pipes close with the process


def _from_exit_status(returncode: int, timeout_seconds: float) -> UnprocessableDocument:
    log.warning("text extraction worker exited with status %s", returncode)
    if returncode == -signal.SIGXCPU:
        return UnprocessableDocument(
            f"text extraction took longer than {timeout_seconds:g} s",
            errors=[FieldError("file", "the document used up its processing-time budget")],
        )
    if returncode == -signal.SIGKILL:
        # Not us (we only kill on timeout): the kernel's OOM killer or the CPU hard limit.
        return UnprocessableDocument(
            "document needs too much memory or time to process",
            errors=[FieldError("file", "the document is too large or too complex to read")],
        )
    return _failed("the text extractor crashed on this document")


def _failed(message: str) -> UnprocessableDocument:
    return UnprocessableDocument("text extraction failed", errors=[FieldError("file", message)])
