"""Metadata removal in the extraction worker: what is removed from PDF and DOCX, that
clean files are left alone, and that the rewrite stays within its limits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf
import pytest

from api.attachments.extract import process_document
from api.attachments.samples import make_docx
from api.attachments.sniff import DOCX, PDF, TEXT
from api.errors import UnprocessableDocument
from tests import docfactory

TIMEOUT = 5.0
ASKED = 10 * 1024 * 1024


def _write(tmp_path: Path, content: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


class TestPdf:
    def test_cleaned_copy_has_no_info_no_xmp_and_the_same_text(self, tmp_path: Path) -> None:
        path = _write(tmp_path, docfactory.pdf_with_metadata(), "m.pdf")
        done = process_document(path, PDF, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)
        assert done.cleaned is not None
        reader = pypdf.PdfReader(io.BytesIO(done.cleaned))
        assert reader.metadata is None
        assert "/Metadata" not in reader.trailer["/Root"]
        assert done.text == reader.pages[0].extract_text() == "Findings of the pilot."
        assert "creation_date" in done.removed_metadata

    def test_clean_pdf_is_not_rewritten(self, tmp_path: Path) -> None:
        path = _write(tmp_path, docfactory.pdf_without_metadata(), "c.pdf")
        done = process_document(path, PDF, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)
        assert (done.cleaned, done.removed_metadata) == (None, ())

    def test_nothing_is_rewritten_unless_asked(self, tmp_path: Path) -> None:
        path = _write(tmp_path, docfactory.pdf_with_metadata(), "m.pdf")
        done = process_document(path, PDF, timeout_seconds=TIMEOUT)
        assert (done.cleaned, done.removed_metadata) == (None, ())

    def test_a_rewrite_over_the_size_limit_is_refused(self, tmp_path: Path) -> None:
        path = _write(tmp_path, docfactory.pdf_with_metadata(), "m.pdf")
        with pytest.raises(UnprocessableDocument) as caught:
            process_document(path, PDF, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=100)
        assert caught.value.detail == "document too large once rewritten"


class TestDocx:
    def test_python_docx_defaults_are_people_fields_too(self, tmp_path: Path) -> None:
        # python-docx writes creator "python-docx", a description and revision 1.
        path = _write(tmp_path, make_docx(["Aftercare"]), "s.docx")
        done = process_document(path, DOCX, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)
        assert done.removed_metadata == ("author", "description", "revision")
        assert done.text == "Aftercare"

    def test_comment_parts_relationships_and_content_types_go_together(
        self, tmp_path: Path
    ) -> None:
        path = _write(tmp_path, docfactory.docx_with_metadata(), "m.docx")
        done = process_document(path, DOCX, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)
        assert done.cleaned is not None
        with zipfile.ZipFile(io.BytesIO(done.cleaned)) as package:
            names = package.namelist()
            rels = package.read("word/_rels/document.xml.rels")
            types = package.read("[Content_Types].xml")
            document = package.read("word/document.xml")
        assert "word/comments.xml" not in names
        assert b"comments" not in rels
        assert b"comments" not in types
        assert b"commentReference" not in document
        assert b"commentRangeStart" not in document

    def test_normal_template_name_is_not_a_path_and_stays(self, tmp_path: Path) -> None:
        path = _write(tmp_path, make_docx(["x"]), "s.docx")
        done = process_document(path, DOCX, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)
        assert done.cleaned is not None
        with zipfile.ZipFile(io.BytesIO(done.cleaned)) as package:
            assert b"<Template>Normal.dotm</Template>" in package.read("docProps/app.xml")

    def test_zip_bomb_is_still_refused_when_stripping(self, tmp_path: Path) -> None:
        path = _write(tmp_path, docfactory.docx_zip_bomb_lying_sizes(), "b.docx")
        with pytest.raises(UnprocessableDocument):
            process_document(path, DOCX, timeout_seconds=TIMEOUT, strip_metadata_max_bytes=ASKED)


class TestText:
    def test_text_files_have_no_metadata_to_remove(self, tmp_path: Path) -> None:
        path = _write(tmp_path, b"plain notes", "n.txt")
        done = process_document(path, TEXT, strip_metadata_max_bytes=ASKED)
        assert (done.text, done.cleaned, done.removed_metadata) == ("plain notes", None, ())
