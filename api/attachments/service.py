"""Attachment use cases: upload (stream → sniff → extract and clean → record), list, delete.

A PDF or DOCX is stored without its identifying metadata (authors, reviewers,
comments, company — see `api.attachments._strip_metadata`): the cleaned copy
replaces the upload before it is committed, so the stored bytes, their size and
their sha256 are those of the clean file, and `UploadedAttachment` tells which
fields were removed. A file with nothing to remove is stored byte for byte.

Attachments of a published entry are shown at once, so a document uploaded to an
entry published beyond its organization is scanned by the sensitive-data guard
first and refused if it holds identifiers (a draft's are scanned when it is
submitted). Adding or removing a document of a held entry withdraws the hold.

Bytes and rows are kept consistent across the transaction boundary: a stored
file is removed again if the transaction rolls back, and files of deleted rows
are removed only after the deletion committed — so a crash can at worst leave an
orphan file, never a row pointing at nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from api.access import Principal
from api.attachments.extract import process_document
from api.attachments.sniff import sniff_file
from api.attachments.storage import StagedBlob, Storage
from api.audit import record_event
from api.config import Settings
from api.errors import FieldError, NotFound, UnsupportedMediaType, ValidationFailed
from api.models import Attachment, Entry, FederatedAttachment
from api.models.base import utcnow
from api.safety.guard import scan_fields
from api.safety.holds import hidden_terms, withdraw

ACCEPTED = "PDF, DOCX, Markdown or plain text"


@dataclass(frozen=True, slots=True)
class UploadedAttachment:
    attachment: Attachment
    removed_metadata: tuple[str, ...]


class AttachmentNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No attachment with this id is visible to you.")


def safe_filename(name: str | None) -> str:
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned.strip()[:200] or "document"


def list_attachments(session: Session, entry_id: str) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.entry_id == entry_id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def get_attachment(session: Session, entry: Entry, attachment_id: str) -> Attachment:
    attachment = session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.entry_id == entry.id)
    )
    if attachment is None:
        raise AttachmentNotFound()
    return attachment


def readable_documents(
    session: Session, entry: Entry
) -> list[Attachment] | list[FederatedAttachment]:
    """The documents a reader of `entry` is shown: its attachments, or for an entry
    harvested from a peer the references to the documents kept at its origin."""
    if entry.origin_node is None:
        return list_attachments(session, entry.id)
    return list(
        session.scalars(
            select(FederatedAttachment)
            .where(FederatedAttachment.entry_id == entry.id)
            .order_by(FederatedAttachment.position, FederatedAttachment.id)
        )
    )


def readable_document(
    session: Session, entry: Entry, attachment_id: str
) -> Attachment | FederatedAttachment:
    if entry.origin_node is None:
        return get_attachment(session, entry, attachment_id)
    reference = session.scalar(
        select(FederatedAttachment).where(
            FederatedAttachment.id == attachment_id, FederatedAttachment.entry_id == entry.id
        )
    )
    if reference is None:
        raise AttachmentNotFound()
    return reference


def attachment_storage_keys(session: Session, entry_id: str) -> list[str]:
    return list(
        session.scalars(select(Attachment.storage_key).where(Attachment.entry_id == entry_id))
    )


def delete_blobs_after_commit(session: Session, storage: Storage, keys: Iterable[str]) -> None:
    pending = list(keys)
    if not pending:
        return

    def _delete(_session: Session) -> None:
        for key in pending:
            storage.delete(key)

    event.listen(session, "after_commit", _delete, once=True)


def _remove_blob_on_rollback(session: Session, storage: Storage, key: str) -> None:
    def _remove(_session: Session) -> None:
        storage.delete(key)

    event.listen(session, "after_rollback", _remove, once=True)


def _refuse_if_flagged(entry: Entry, filename: str, text: str) -> None:
    """A document for an entry already published beyond its organization goes live at
    once: it must not hold identifiers (nor the name of an organization publishing
    hidden). Findings are reported masked, never in clear."""
    if entry.published_revision is None or entry.visibility == "private":
        return
    found = scan_fields(
        {"file": text, "filename": filename},
        hidden_terms=hidden_terms(entry, entry.organization_display),
    )
    if found:
        raise ValidationFailed(
            "The document holds what must not be shared (masked below); remove it and upload "
            "again. A document attached before submitting can be explained to a curator instead.",
            errors=[
                FieldError("file", f"{f.label}: {f.snippet}", detector=f.detector) for f in found
            ],
        )


def add_attachment(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    filename: str | None,
    chunks: Iterable[bytes],
    storage: Storage,
    settings: Settings,
) -> UploadedAttachment:
    staged: StagedBlob = storage.stage(chunks, max_bytes=settings.max_upload_bytes)
    committed = False
    try:
        name = safe_filename(filename)
        media_type = sniff_file(staged.path, name)
        if media_type is None:
            raise UnsupportedMediaType(
                f"The file is not a {ACCEPTED} document (decided by its content, not its name).",
                errors=[FieldError("file", f"unsupported content; accepted: {ACCEPTED}")],
            )
        # Rewriting may grow a file a little (a PDF's compressed object streams
        # are written out); twice the upload limit bounds it without refusing that.
        processed = process_document(
            staged.path,
            media_type,
            timeout_seconds=settings.extraction_timeout_seconds,
            memory_limit_bytes=settings.extraction_memory_limit_bytes,
            max_chars=settings.extracted_text_max_chars,
            docx_max_uncompressed_bytes=settings.docx_max_uncompressed_bytes,
            strip_metadata_max_bytes=2 * settings.max_upload_bytes,
        )
        text = processed.text
        _refuse_if_flagged(entry, name, text)
        if processed.cleaned is not None:
            cleaned = storage.stage([processed.cleaned], max_bytes=len(processed.cleaned))
            storage.discard(staged)
            staged = cleaned
        key = secrets.token_urlsafe(24)
        attachment = Attachment(
            id=secrets.token_urlsafe(12),
            entry_id=entry.id,
            filename=name,
            media_type=media_type,
            size_bytes=staged.size,
            sha256=staged.sha256,
            storage_key=key,
            extracted_text=text.replace("\x00", ""),
            created_by_account_id=principal.account_id,
            created_at=utcnow(),
        )
        session.add(attachment)
        withdraw(entry)
        session.flush()
        storage.commit(staged, key)
        committed = True
        _remove_blob_on_rollback(session, storage, key)
    finally:
        if not committed:
            storage.discard(staged)
    record_event(
        session,
        principal=principal,
        action="attachment.added",
        entry_id=entry.id,
        subject_type="attachment",
        subject_id=attachment.id,
        details={
            "sha256": staged.sha256,
            "media_type": media_type,
            "size_bytes": staged.size,
            "removed_metadata": list(processed.removed_metadata),
        },
    )
    return UploadedAttachment(attachment, processed.removed_metadata)


def remove_attachment(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    attachment: Attachment,
    storage: Storage,
) -> None:
    key = attachment.storage_key
    record_event(
        session,
        principal=principal,
        action="attachment.removed",
        entry_id=entry.id,
        subject_type="attachment",
        subject_id=attachment.id,
    )
    session.delete(attachment)
    withdraw(entry)
    session.flush()
    delete_blobs_after_commit(session, storage, [key])
