"""Unit tests for `api.attachments.sniff.sniff_file`: media type by content, not by name."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from api.attachments.samples import make_docx, make_pdf
from api.attachments.sniff import DOCX, MARKDOWN, PDF, TEXT, sniff_file
from tests import docfactory

Sniff = Callable[[bytes, str | None], str | None]


@pytest.fixture
def sniff(tmp_path: Path) -> Sniff:
    """sniff(bytes, filename) -> media type, via a real file on disk."""
    counter = iter(range(1_000_000))

    def run(data: bytes, filename: str | None) -> str | None:
        path = tmp_path / f"upload-{next(counter)}"
        path.write_bytes(data)
        return sniff_file(path, filename)

    return run


class TestPdf:
    def test_pdf_by_content(self, sniff: Sniff) -> None:
        assert sniff(make_pdf(["hello"]), "report.pdf") == PDF

    def test_pdf_named_as_text_is_still_pdf(self, sniff: Sniff) -> None:
        assert sniff(make_pdf(["hello"]), "x.txt") == PDF

    def test_header_after_leading_junk_within_first_kib(self, sniff: Sniff) -> None:
        assert sniff(b"\x00" * 900 + make_pdf(["hello"]), None) == PDF

    def test_header_beyond_first_kib_is_not_pdf(self, sniff: Sniff) -> None:
        assert sniff(b"\x00" * 1100 + make_pdf(["hello"]), "x.pdf") is None

    def test_truncated_pdf_is_still_sniffed_as_pdf(self, sniff: Sniff) -> None:
        # Sniffing names the type; rejecting damage is extraction's job (422, not 415).
        assert sniff(docfactory.pdf_truncated(), None) == PDF


class TestDocx:
    def test_docx_by_content(self, sniff: Sniff) -> None:
        assert sniff(make_docx(["hello"]), "report.docx") == DOCX

    def test_docx_named_as_pdf_is_docx(self, sniff: Sniff) -> None:
        assert sniff(make_docx(["hello"]), "report.pdf") == DOCX

    def test_minimal_package(self, sniff: Sniff) -> None:
        assert sniff(docfactory.minimal_docx(docfactory.docx_xml("hi")), None) == DOCX

    def test_other_office_zip_is_rejected(self, sniff: Sniff) -> None:
        assert sniff(docfactory.xlsx_like(), "sheet.docx") is None

    def test_plain_zip_is_rejected(self, sniff: Sniff) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("readme.txt", "hello")
        assert sniff(buf.getvalue(), "x.docx") is None

    def test_required_names_only_in_file_data_do_not_count(self, sniff: Sniff) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("notes.txt", "[Content_Types].xml word/document.xml")
        assert sniff(buf.getvalue(), "x.docx") is None

    def test_zip_without_central_directory_is_rejected(self, sniff: Sniff) -> None:
        data = make_docx(["hello"])
        assert sniff(data[: len(data) // 2], "x.docx") is None

    def test_docx_appended_to_an_executable_is_rejected(self, sniff: Sniff) -> None:
        assert sniff(docfactory.not_a_document("pe") + make_docx(["hi"]), "x.docx") is None

    def test_zip64_directory_with_parts_listed_last(self, sniff: Sniff) -> None:
        # >65535 members forces the zip64 end records; the parts are found at the end.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
            for i in range(65_536):
                zf.writestr(f"p{i}", b"")
            zf.writestr("[Content_Types].xml", docfactory.CONTENT_TYPES)
            zf.writestr("word/document.xml", docfactory.docx_xml("hi"))
        data = buf.getvalue()
        assert b"PK\x06\x06" in data[-200:]
        assert sniff(data, None) == DOCX

    def test_hostile_docx_is_still_a_docx(self, sniff: Sniff) -> None:
        # Policy limits (member count, sizes) belong to extraction, which answers 422.
        assert sniff(docfactory.docx_many_members(), None) == DOCX
        assert sniff(docfactory.docx_zip_bomb(), None) == DOCX


class TestNotADocument:
    @pytest.mark.parametrize("kind", ["elf", "pe", "png"])
    @pytest.mark.parametrize("filename", ["x.pdf", "x.docx", "x.txt", "x.md", None])
    def test_binary_files_are_rejected_whatever_their_name(
        self, sniff: Sniff, kind: str, filename: str | None
    ) -> None:
        assert sniff(docfactory.not_a_document(kind), filename) is None

    def test_empty_file(self, sniff: Sniff) -> None:
        assert sniff(b"", "empty.txt") is None

    def test_bom_only(self, sniff: Sniff) -> None:
        assert sniff(codecs.BOM_UTF8, "empty.txt") is None


class TestUtf8Text:
    def test_ascii(self, sniff: Sniff) -> None:
        assert sniff(b"Plain notes.\nSecond line.\n", "notes.txt") == TEXT

    def test_multibyte_with_bom(self, sniff: Sniff) -> None:
        data = codecs.BOM_UTF8 + "Évaluation — naïve 中文 😀\n".encode()
        assert sniff(data, None) == TEXT

    @pytest.mark.parametrize("offset", [1, 2, 3])
    def test_character_straddling_a_chunk_edge(self, sniff: Sniff, offset: int) -> None:
        # The 4-byte emoji starts 1-3 bytes before the 64 KiB boundary.
        data = b"a" * (64 * 1024 - offset) + "😀".encode() + b" more text\n" * 10
        assert sniff(data, None) == TEXT

    def test_invalid_byte_after_first_64_kib(self, sniff: Sniff) -> None:
        data = b"line of text\n" * 10_000 + b"\xff\xfe" + b"tail\n"
        assert len(data) > 64 * 1024
        assert sniff(data, "x.txt") is None

    def test_file_ending_mid_character(self, sniff: Sniff) -> None:
        assert sniff(b"text then half a char " + "é".encode()[:1], None) is None

    def test_latin1_is_not_utf8(self, sniff: Sniff) -> None:
        assert sniff("café crème".encode("latin-1"), "x.txt") is None

    def test_utf16_is_rejected(self, sniff: Sniff) -> None:
        assert sniff("hello world".encode("utf-16"), "x.txt") is None

    def test_nul_byte_is_binary(self, sniff: Sniff) -> None:
        assert sniff(b"looks like text\x00but is not", None) is None

    def test_nul_byte_late_in_file_is_binary(self, sniff: Sniff) -> None:
        assert sniff(b"x" * 200_000 + b"\x00", None) is None

    def test_many_control_characters_are_binary(self, sniff: Sniff) -> None:
        assert sniff(bytes(range(1, 32)) * 20, None) is None

    def test_a_few_control_characters_are_tolerated(self, sniff: Sniff) -> None:
        data = b"build log\n\x1b[1mbold\x1b[0m\n" + b"ordinary line\n" * 20 + b"page\x0cbreak\n"
        assert sniff(data, None) == TEXT


class TestMarkdown:
    @pytest.mark.parametrize(
        "content",
        [
            "# Findings\n\nText.",
            "Intro\n- first\n- second\n",
            "Intro\n* item\n",
            "```\ncode\n```\n",
        ],
    )
    def test_markdown_by_content(self, sniff: Sniff, content: str) -> None:
        assert sniff(content.encode(), None) == MARKDOWN

    def test_markdown_content_named_txt_is_markdown(self, sniff: Sniff) -> None:
        assert sniff(b"# Heading\n", "notes.txt") == MARKDOWN

    @pytest.mark.parametrize("filename", ["notes.md", "NOTES.MD", "notes.markdown"])
    def test_markdown_by_filename(self, sniff: Sniff, filename: str) -> None:
        assert sniff(b"Just prose without any markup.\n", filename) == MARKDOWN

    def test_prose_is_plain_text(self, sniff: Sniff) -> None:
        data = b"See issue #5 - it is fixed * mostly.\nNo markup at line starts.\n"
        assert sniff(data, "notes.txt") == TEXT

    def test_markdown_name_does_not_make_binary_text(self, sniff: Sniff) -> None:
        assert sniff(docfactory.not_a_document("png"), "readme.md") is None
