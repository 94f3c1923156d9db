"""Attachments: upload sniffed by content, bounded extraction, size limits, and
downloads only for callers who may read the entry."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.attachments.samples import make_docx, make_pdf
from api.models import Attachment
from tests import docfactory
from tests.factories import bearer, create_entry, member_token, publish


def _stored_files(app: FastAPI) -> list[Path]:
    root: Path = app.state.storage.root
    return [p for p in root.rglob("*") if p.is_file()]


def _attachment_rows(app: FastAPI) -> int:
    with app.state.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


@pytest.fixture
def owner(app: FastAPI, client: TestClient) -> str:
    return member_token(app, "ngo-a", "publisher")


@pytest.fixture
def entry_id(client: TestClient, owner: str) -> str:
    return str(create_entry(client, owner)["id"])


def _upload(
    client: TestClient, token: str, entry_id: str, name: str, content: bytes, ctype: str
) -> object:
    return client.post(
        f"/v1/entries/{entry_id}/attachments",
        files={"file": (name, content, ctype)},
        headers=bearer(token),
    )


class TestUpload:
    @pytest.mark.parametrize(
        ("name", "content", "media_type"),
        [
            ("report.pdf", make_pdf(["Aftercare findings from the pilot"]), "application/pdf"),
            (
                "report.docx",
                make_docx(["Aftercare findings from the pilot"]),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("notes.md", b"# Notes\n\nAftercare findings", "text/markdown"),
            ("notes.txt", b"Aftercare findings, plain.", "text/plain"),
        ],
    )
    def test_each_supported_type_is_stored_with_checksum(
        self,
        app: FastAPI,
        client: TestClient,
        owner: str,
        entry_id: str,
        name: str,
        content: bytes,
        media_type: str,
    ) -> None:
        response = _upload(client, owner, entry_id, name, content, "application/octet-stream")
        assert response.status_code == 201, response.text  # type: ignore[attr-defined]
        body = response.json()  # type: ignore[attr-defined]
        assert body["media_type"] == media_type
        with app.state.session_factory() as session:
            row = session.get(Attachment, body["id"])
            assert row is not None
            assert "Aftercare findings" in row.extracted_text
        download = client.get(body["href"], headers=bearer(owner))
        assert download.status_code == 200
        # The sample PDF and DOCX carry producer/creator fields, so what is stored
        # (and checksummed) is their cleaned copy; see TestMetadataRemoval.
        assert body["sha256"] == hashlib.sha256(download.content).hexdigest()
        assert body["size_bytes"] == len(download.content)
        assert download.headers["x-content-type-options"] == "nosniff"
        assert "attachment" in download.headers["content-disposition"]

    def test_name_does_not_decide_the_type(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        pdf_named_txt = _upload(client, owner, entry_id, "x.txt", make_pdf(["hi"]), "text/plain")
        assert pdf_named_txt.json()["media_type"] == "application/pdf"  # type: ignore[attr-defined]

    def test_executable_named_pdf_is_415_and_leaves_nothing(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str
    ) -> None:
        response = _upload(
            client, owner, entry_id, "report.pdf", docfactory.not_a_document(), "application/pdf"
        )
        assert response.status_code == 415  # type: ignore[attr-defined]
        assert response.json()["errors"][0]["field"] == "file"  # type: ignore[attr-defined]
        assert _stored_files(app) == []
        assert _attachment_rows(app) == 0

    def test_oversized_upload_is_413(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str
    ) -> None:
        too_big = b"a" * (app.state.settings.max_upload_bytes + 1)
        response = _upload(client, owner, entry_id, "big.txt", too_big, "text/plain")
        assert response.status_code == 413  # type: ignore[attr-defined]
        assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
        assert _stored_files(app) == []
        assert _attachment_rows(app) == 0

    def test_oversized_json_body_is_413(self, client: TestClient, owner: str) -> None:
        response = client.post(
            "/v1/entries",
            content=b'{"title": "' + b"x" * 2_000_000 + b'"}',
            headers={**bearer(owner), "Content-Type": "application/json"},
        )
        assert response.status_code == 413

    @pytest.mark.parametrize(
        "hostile",
        [
            docfactory.docx_zip_bomb,
            docfactory.docx_many_members,
            docfactory.docx_xml_entity_bomb,
            docfactory.pdf_spinning,
            docfactory.pdf_truncated,
        ],
    )
    def test_hostile_documents_fail_fast_with_422_and_leave_nothing(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str, hostile: object
    ) -> None:
        content = hostile()  # type: ignore[operator]
        started = time.monotonic()
        response = _upload(client, owner, entry_id, "doc.bin", content, "application/octet-stream")
        elapsed = time.monotonic() - started
        assert response.status_code == 422, response.text  # type: ignore[attr-defined]
        assert response.json()["errors"][0]["field"] == "file"  # type: ignore[attr-defined]
        assert elapsed < app.state.settings.extraction_timeout_seconds + 5
        assert _stored_files(app) == []
        assert _attachment_rows(app) == 0

    def test_only_publishers_of_the_owner_may_upload(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str
    ) -> None:
        reader = member_token(app, "ngo-a", "reader", person="bob")
        response = _upload(client, reader, entry_id, "n.txt", b"text", "text/plain")
        assert response.status_code == 403  # type: ignore[attr-defined]
        outsider = member_token(app, "ngo-b", "publisher", person="eve")
        response = _upload(client, outsider, entry_id, "n.txt", b"text", "text/plain")
        assert response.status_code == 404  # type: ignore[attr-defined]


class TestMetadataRemoval:
    """Identifying metadata is gone from the stored file, and the upload says what went."""

    def _stored(
        self, client: TestClient, owner: str, entry_id: str, name: str, content: bytes
    ) -> tuple[dict[str, object], bytes]:
        response = _upload(client, owner, entry_id, name, content, "application/octet-stream")
        assert response.status_code == 201, response.text  # type: ignore[attr-defined]
        body: dict[str, object] = response.json()  # type: ignore[attr-defined]
        download = client.get(str(body["href"]), headers=bearer(owner))
        assert body["sha256"] == hashlib.sha256(download.content).hexdigest()
        assert body["size_bytes"] == len(download.content)
        return body, download.content

    def test_pdf_loses_document_info_xmp_and_annotation_authors(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        body, stored = self._stored(
            client, owner, entry_id, "r.pdf", docfactory.pdf_with_metadata()
        )
        assert set(body["removed_metadata"]) >= {  # type: ignore[arg-type]
            "author",
            "creator",
            "producer",
            "title",
            "custom_properties",
            "xmp",
            "annotation_authors",
        }
        reader = pypdf.PdfReader(io.BytesIO(stored))
        assert reader.metadata is None
        assert "/Metadata" not in reader.trailer["/Root"]
        [note] = [a.get_object() for a in reader.pages[0]["/Annots"]]
        assert "/T" not in note
        assert reader.pages[0].extract_text() == "Findings of the pilot."
        for secret in (docfactory.AUTHOR, docfactory.REVIEWER, docfactory.COMPANY, "Acme"):
            assert secret.encode() not in stored

    def test_docx_loses_people_fields_comments_and_change_authors(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        body, stored = self._stored(
            client, owner, entry_id, "r.docx", docfactory.docx_with_metadata()
        )
        assert set(body["removed_metadata"]) == {  # type: ignore[arg-type]
            "author",
            "last_modified_by",
            "description",
            "revision",
            "company",
            "manager",
            "template",
            "comments",
            "tracked_change_authors",
        }
        document = docx.Document(io.BytesIO(stored))
        props = document.core_properties
        assert (props.author, props.last_modified_by, props.comments) == ("", "", "")
        assert props.title == "Lessons from the pilot"
        assert document.paragraphs[0].text == "Lessons from the pilot."
        with zipfile.ZipFile(io.BytesIO(stored)) as package:
            assert "word/comments.xml" not in package.namelist()
            # The tracked change itself stays; only its author's name goes.
            assert b'<w:ins w:id="91" w:author=""' in package.read("word/document.xml")
            everything = b"".join(package.read(name) for name in package.namelist())
        assert b"comments.xml" not in everything
        for secret in (docfactory.AUTHOR, docfactory.REVIEWER, docfactory.COMPANY, "adiallo"):
            assert secret.encode() not in everything

    def test_a_file_without_metadata_is_stored_byte_for_byte(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        content = docfactory.pdf_without_metadata()
        body, stored = self._stored(client, owner, entry_id, "clean.pdf", content)
        assert body["removed_metadata"] == []
        assert stored == content

    def test_listing_does_not_pretend_to_know_what_was_removed(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        self._stored(client, owner, entry_id, "r.pdf", docfactory.pdf_with_metadata())
        listed = client.get(f"/v1/entries/{entry_id}/attachments", headers=bearer(owner)).json()
        assert [a["removed_metadata"] for a in listed] == [None]


class TestDownloadVisibility:
    def test_private_entry_attachment_is_404_for_others(
        self, app: FastAPI, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(client, owner, visibility="private")
        publish(client, owner, entry["id"])
        href = _upload(client, owner, entry["id"], "n.txt", b"secret", "text/plain").json()["href"]  # type: ignore[attr-defined]
        other = member_token(app, "ngo-b", "reader", person="eve")
        assert client.get(href, headers=bearer(other)).status_code == 404
        assert client.get(href).status_code == 404
        assert client.get(href, headers=bearer(owner)).status_code == 200

    def test_public_entry_attachment_downloads_anonymously(
        self, client: TestClient, owner: str
    ) -> None:
        entry = create_entry(client, owner, visibility="public")
        href = _upload(client, owner, entry["id"], "n.txt", b"open", "text/plain").json()["href"]  # type: ignore[attr-defined]
        assert client.get(href).status_code == 404
        publish(client, owner, entry["id"])
        assert client.get(href).content == b"open"

    def test_attachment_of_another_entry_is_404(self, client: TestClient, owner: str) -> None:
        first = publish(client, owner, create_entry(client, owner)["id"])
        second = publish(client, owner, create_entry(client, owner)["id"])
        attachment = _upload(client, owner, first["id"], "n.txt", b"x", "text/plain").json()  # type: ignore[attr-defined]
        url = f"/v1/entries/{second['id']}/attachments/{attachment['id']}/content"
        assert client.get(url).status_code == 404


class TestDelete:
    def test_removing_an_attachment_deletes_row_and_file(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str
    ) -> None:
        attachment = _upload(client, owner, entry_id, "n.txt", b"x", "text/plain").json()  # type: ignore[attr-defined]
        assert len(_stored_files(app)) == 1
        response = client.delete(
            f"/v1/entries/{entry_id}/attachments/{attachment['id']}", headers=bearer(owner)
        )
        assert response.status_code == 204
        assert _stored_files(app) == []
        assert client.get(attachment["href"], headers=bearer(owner)).status_code == 404

    def test_deleting_a_draft_removes_it_and_its_files(
        self, app: FastAPI, client: TestClient, owner: str, entry_id: str
    ) -> None:
        _upload(client, owner, entry_id, "n.txt", b"x", "text/plain")
        response = client.delete(f"/v1/entries/{entry_id}", headers=bearer(owner))
        assert response.status_code == 204
        assert client.get(f"/v1/entries/{entry_id}", headers=bearer(owner)).status_code == 404
        assert _stored_files(app) == []
        assert _attachment_rows(app) == 0

    def test_published_entry_cannot_be_deleted(
        self, client: TestClient, owner: str, entry_id: str
    ) -> None:
        publish(client, owner, entry_id)
        response = client.delete(f"/v1/entries/{entry_id}", headers=bearer(owner))
        assert response.status_code == 409
