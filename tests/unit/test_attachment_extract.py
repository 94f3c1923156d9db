"""Unit tests for `api.attachments.extract` and the sample builders it round-trips.

Hostile documents are checked behaviourally: each must be refused with
`UnprocessableDocument` well within the timeout, leave no file behind in the
temporary directory, and leave no child process running.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from api.attachments import _extract_worker, extract
from api.attachments.extract import extract_text
from api.attachments.samples import make_docx, make_pdf
from api.attachments.sniff import DOCX, MARKDOWN, PDF, TEXT, sniff_file
from api.errors import UnprocessableDocument
from tests import docfactory

TIMEOUT = 3.0
# The guarantee is timeout + ~2 s; the bound is generous for loaded CI machines.
BOUND = 10.0
PARAGRAPHS = [
    "Evaluation of the community diversion programme (2019-2023).",
    "Costs fell by 12% \\ per participant (adjusted), and re-arrest rates dropped.",
    "Participants described the café-based intake as naïve but welcoming.",
    *(f"Finding number {i}: the outcome held across sites and cohorts." for i in range(120)),
]

Write = Callable[[bytes, str], Path]


def normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private TMPDIR (inherited by the worker) that must be empty afterwards."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield tmp
    assert list(tmp.iterdir()) == []


@pytest.fixture
def write(tmp_path: Path, scratch: Path) -> Write:
    docs = tmp_path / "docs"
    docs.mkdir()

    def run(data: bytes, name: str) -> Path:
        path = docs / name
        path.write_bytes(data)
        return path

    return run


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every worker process started during the test."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = real(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(extract.subprocess, "Popen", spy)
    return started


def rejected(path: Path, media_type: str, **limits: int) -> tuple[UnprocessableDocument, float]:
    start = time.monotonic()
    with pytest.raises(UnprocessableDocument) as caught:
        extract_text(path, media_type, timeout_seconds=TIMEOUT, **limits)
    elapsed = time.monotonic() - start
    assert caught.value.status == 422
    assert caught.value.errors
    assert caught.value.errors[0]["field"] == "file"
    return caught.value, elapsed


class TestSamplePdf:
    def test_valid_under_strict_parsing(self) -> None:
        reader = pypdf.PdfReader(io.BytesIO(make_pdf(PARAGRAPHS, title="Title")), strict=True)
        assert len(reader.pages) > 1
        assert reader.metadata is not None
        assert reader.metadata.title == "Title"

    def test_deterministic(self) -> None:
        assert make_pdf(PARAGRAPHS, title="T") == make_pdf(PARAGRAPHS, title="T")
        assert make_pdf(PARAGRAPHS) != make_pdf(PARAGRAPHS[1:])

    def test_long_words_are_broken_to_fit(self) -> None:
        text = "\n".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(make_pdf(["x" * 500]))).pages
        )
        lines = [line for line in text.splitlines() if line]
        assert len(lines) > 1
        assert "".join(lines) == "x" * 500

    def test_empty_document_is_one_blank_page(self) -> None:
        assert len(pypdf.PdfReader(io.BytesIO(make_pdf([]))).pages) == 1

    def test_non_ascii_title_in_metadata(self) -> None:
        reader = pypdf.PdfReader(io.BytesIO(make_pdf(["x"], title="Évaluation 中文")))
        assert reader.metadata is not None
        assert reader.metadata.title == "Évaluation 中文"


class TestSampleDocx:
    def test_deterministic(self) -> None:
        assert make_docx(PARAGRAPHS, title="T") == make_docx(PARAGRAPHS, title="T")

    def test_control_characters_are_dropped(self, write: Write) -> None:
        path = write(make_docx(["bell\x07 and \x00nul"]), "c.docx")
        assert extract_text(path, DOCX) == "bell and nul"


class TestRoundTrip:
    def test_pdf(self, write: Write) -> None:
        path = write(make_pdf(PARAGRAPHS, title="Programme review"), "doc.pdf")
        assert sniff_file(path, None) == PDF
        text = normalized(extract_text(path, PDF, timeout_seconds=TIMEOUT))
        assert text.startswith("Programme review")
        for paragraph in PARAGRAPHS:
            assert normalized(paragraph) in text

    def test_docx(self, write: Write) -> None:
        path = write(make_docx(PARAGRAPHS, title="Programme review"), "doc.docx")
        assert sniff_file(path, None) == DOCX
        text = extract_text(path, DOCX, timeout_seconds=TIMEOUT)
        assert text.splitlines() == ["Programme review", *PARAGRAPHS]

    def test_docx_tabs_breaks_and_tables(self, write: Write) -> None:
        w = "w"
        body = (
            f"<{w}:p><{w}:r><{w}:t>a</{w}:t><{w}:tab/><{w}:t>b</{w}:t>"
            f"<{w}:br/><{w}:t>c</{w}:t></{w}:r></{w}:p>"
            f"<{w}:tbl><{w}:tr><{w}:tc><{w}:p><{w}:r><{w}:t>cell</{w}:t></{w}:r></{w}:p>"
            f"</{w}:tc></{w}:tr></{w}:tbl>"
        )
        xml = docfactory.DOCUMENT_HEAD + body.encode() + docfactory.DOCUMENT_TAIL
        path = write(docfactory.minimal_docx(xml), "t.docx")
        assert extract_text(path, DOCX) == "a\tb\nc\ncell"

    def test_markdown_strips_bom(self, write: Write) -> None:
        path = write(b"\xef\xbb\xbf# Title\n\n- point\n", "r.md")
        assert sniff_file(path, "r.md") == MARKDOWN
        assert extract_text(path, MARKDOWN) == "# Title\n\n- point\n"

    def test_text_keeps_line_endings(self, write: Write) -> None:
        path = write("naïve\r\nline two\n".encode(), "r.txt")
        assert extract_text(path, TEXT) == "naïve\r\nline two\n"

    def test_encrypted_pdf_with_empty_password_is_read(self, write: Write) -> None:
        path = write(docfactory.pdf_encrypted_empty_password(), "open.pdf")
        assert extract_text(path, PDF, timeout_seconds=TIMEOUT) == "confidential text"


class TestMaxChars:
    @pytest.mark.parametrize(
        ("build", "media_type"), [(make_pdf, PDF), (make_docx, DOCX)], ids=["pdf", "docx"]
    )
    def test_documents_are_cut(
        self, write: Write, build: Callable[[list[str]], bytes], media_type: str
    ) -> None:
        path = write(build(PARAGRAPHS), "doc")
        text = extract_text(path, media_type, max_chars=100, timeout_seconds=TIMEOUT)
        assert len(text) == 100
        assert text.startswith(PARAGRAPHS[0])

    def test_text_is_cut_in_characters_not_bytes(self, write: Write) -> None:
        path = write(("é" * 1000).encode(), "t.txt")
        assert extract_text(path, TEXT, max_chars=10) == "é" * 10


class TestHostileDocx:
    def test_zip_bomb(self, write: Write) -> None:
        path = write(docfactory.docx_zip_bomb(), "bomb.docx")
        error, elapsed = rejected(path, DOCX)
        assert error.detail == "DOCX expands to too much data"
        assert elapsed < BOUND

    def test_zip_bomb_lying_about_sizes(self, write: Write) -> None:
        # Passes the declared-size checks; stopped while actually inflating.
        path = write(docfactory.docx_zip_bomb_lying_sizes(), "liar.docx")
        error, elapsed = rejected(path, DOCX)
        assert error.detail == "malformed DOCX"
        assert elapsed < BOUND

    def test_compression_ratio_limit(self, write: Write) -> None:
        # 2 MiB of spaces: under the total limit, but ~1000:1.
        xml = docfactory.docx_xml(" " * (2 * 1024 * 1024))
        path = write(docfactory.minimal_docx(xml), "ratio.docx")
        error, _ = rejected(path, DOCX)
        assert error.detail == "DOCX is suspiciously compressed"

    def test_too_many_members(self, write: Write) -> None:
        path = write(docfactory.docx_many_members(), "many.docx")
        error, elapsed = rejected(path, DOCX)
        assert error.detail == "DOCX has too many parts"
        assert elapsed < BOUND

    def test_just_enough_members_are_fine(self, write: Write) -> None:
        path = write(docfactory.docx_many_members(997), "ok.docx")  # + 3 package parts
        assert extract_text(path, DOCX) == "padding"

    def test_entity_bomb(self, write: Write) -> None:
        path = write(docfactory.docx_xml_entity_bomb(), "laughs.docx")
        error, elapsed = rejected(path, DOCX)
        assert error.detail == "DOCX contains a DTD"
        assert elapsed < BOUND

    def test_harmless_dtd_is_refused_too(self, write: Write) -> None:
        error, _ = rejected(write(docfactory.docx_internal_entity(), "dtd.docx"), DOCX)
        assert error.detail == "DOCX contains a DTD"

    def test_dtd_in_utf16_part_is_refused(self, write: Write) -> None:
        # The byte scan cannot read UTF-16; the parser-level check must.
        xml = (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w:document>'
            f'<w:document xmlns:w="{docfactory.W_NS}"><w:body/></w:document>'
        ).encode("utf-16")
        error, _ = rejected(write(docfactory.minimal_docx(xml), "u16.docx"), DOCX)
        assert error.detail == "DOCX contains a DTD"

    def test_missing_document_part(self, write: Write) -> None:
        error, _ = rejected(write(docfactory.xlsx_like(), "x.docx"), DOCX)
        assert error.detail == "malformed DOCX"

    def test_inflated_bytes_are_counted_not_trusted(self) -> None:
        # zipfile already stops at the declared size; this bound is the second line.
        xml = docfactory.docx_xml("a" * 10_000)
        with pytest.raises(_extract_worker.Rejected, match="too much data"):
            _extract_worker._document_text(io.BytesIO(xml), 1_000_000, 5_000)

    def test_xml_is_parsed_without_entity_expansion(self) -> None:
        # Even if a DTD slipped past both checks, entities would stay unexpanded.
        xml = docfactory.docx_xml("a &amp; b")
        text, _ = _extract_worker._document_text(io.BytesIO(xml), 100, 10_000)
        assert text == "a & b"


class TestHostilePdf:
    def test_spinning_pdf_is_killed_at_the_timeout(
        self, write: Write, children: list[subprocess.Popen[bytes]]
    ) -> None:
        path = write(docfactory.pdf_spinning(), "spin.pdf")
        error, elapsed = rejected(path, PDF)
        assert error.detail == "text extraction took longer than 3 s"
        assert TIMEOUT <= elapsed < BOUND
        assert len(children) == 1
        assert children[0].returncode is not None

    def test_spinning_pdf_really_spins_without_the_guard(self) -> None:
        # One page unguarded, in-process: its cost times the page count must dwarf
        # the timeout, or the test above proves nothing.
        reader = pypdf.PdfReader(io.BytesIO(docfactory.pdf_spinning()))
        start = time.monotonic()
        reader.pages[0].extract_text()
        per_page = time.monotonic() - start
        assert per_page * len(reader.pages) > 10 * TIMEOUT

    def test_truncated(self, write: Write) -> None:
        error, elapsed = rejected(write(docfactory.pdf_truncated(), "cut.pdf"), PDF)
        assert error.detail == "malformed PDF"
        assert elapsed < BOUND

    def test_encrypted(self, write: Write) -> None:
        error, _ = rejected(write(docfactory.pdf_encrypted(), "locked.pdf"), PDF)
        assert error.detail == "encrypted PDF"

    def test_memory_limit(self, write: Write) -> None:
        path = write(docfactory.pdf_memory_hog(), "hog.pdf")
        error, elapsed = rejected(path, PDF, memory_limit_bytes=150 * 1024 * 1024)
        assert error.detail == "document needs too much memory to process"
        assert elapsed < BOUND

    def test_not_a_pdf_at_all(self, write: Write) -> None:
        error, _ = rejected(write(docfactory.not_a_document("elf"), "x.pdf"), PDF)
        assert error.detail == "malformed PDF"


class TestWorkerFailures:
    """The parent's handling of a worker that dies or answers nonsense."""

    def fake_worker(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
        script = tmp_path / "fake_worker.py"
        script.write_text(body)
        monkeypatch.setattr(extract, "_WORKER", script)

    def test_crash(self, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fake_worker(tmp_path, monkeypatch, "import os, signal\nos.kill(os.getpid(), 11)\n")
        error, _ = rejected(write(make_pdf(["x"]), "x.pdf"), PDF)
        assert error.detail == "text extraction failed"

    def test_cpu_limit_signal(
        self, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.fake_worker(tmp_path, monkeypatch, "import os, signal\nos.kill(os.getpid(), 24)\n")
        error, _ = rejected(write(make_pdf(["x"]), "x.pdf"), PDF)
        assert error.detail == "text extraction took longer than 3 s"

    def test_garbage_answer(
        self, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.fake_worker(tmp_path, monkeypatch, "print('not json')\n")
        error, _ = rejected(write(make_pdf(["x"]), "x.pdf"), PDF)
        assert error.detail == "text extraction failed"

    def test_unknown_media_type_is_a_caller_bug(self, write: Write) -> None:
        with pytest.raises(ValueError, match="no text extractor"):
            extract_text(write(b"x", "x.bin"), "application/octet-stream")

    def test_worker_does_not_depend_on_the_working_directory(
        self, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The worker runs under `python -I`: no cwd or PYTHONPATH on its path, so
        # it must not import `api`. From an unrelated cwd it must still work.
        path = write(make_docx(["elsewhere"]), "e.docx")
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("PYTHONPATH", "/nonexistent")
        assert extract_text(path, DOCX) == "elsewhere"
