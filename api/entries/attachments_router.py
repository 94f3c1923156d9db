"""`/v1/entries/{id}/attachments`: upload, list, download, delete.

Downloads go through the entry's visibility rule first: an attachment of an
entry the caller may not read is a 404, like one that does not exist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from api.attachments import service
from api.audit import record_read
from api.auth.dependencies import CurrentPrincipal
from api.db import ReadSession, WriteSession
from api.entries.dependencies import EntryFor, VisibleEntry
from api.entries.schemas import AttachmentRead
from api.entries.views import attachment_of
from api.errors import problem_responses
from api.models import Entry, FederatedAttachment

router = APIRouter(prefix="/v1/entries/{entry_id}/attachments", tags=["attachments"])

AttachmentId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
CHUNK_BYTES = 1024 * 1024


def _disposition(filename: str) -> str:
    """As Starlette's FileResponse writes it (RFC 6266; RFC 5987 for non-ASCII)."""
    quoted = quote(filename)
    if quoted != filename:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{filename}"'


def _chunks(upload: UploadFile) -> Iterator[bytes]:
    while chunk := upload.file.read(CHUNK_BYTES):
        yield chunk


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 413, 415, 422),
    summary="Attach a PDF, DOCX, Markdown or text document",
)
def upload_attachment(
    entry: Annotated[Entry, Depends(EntryFor("attach"))],
    file: Annotated[UploadFile, File(description="The document")],
    request: Request,
    response: Response,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> AttachmentRead:
    uploaded = service.add_attachment(
        session,
        principal=principal,
        entry=entry,
        filename=file.filename,
        chunks=_chunks(file),
        storage=request.app.state.storage,
        settings=request.app.state.settings,
    )
    read = attachment_of(uploaded.attachment).model_copy(
        update={"removed_metadata": list(uploaded.removed_metadata)}
    )
    response.headers["Location"] = read.href
    return read


@router.get("", responses=problem_responses(401, 403, 404))
def list_attachments(entry: VisibleEntry, session: ReadSession) -> list[AttachmentRead]:
    return [attachment_of(a) for a in service.readable_documents(session, entry)]


@router.get("/{attachment_id}", responses=problem_responses(401, 403, 404))
def get_attachment(
    entry: VisibleEntry, attachment_id: AttachmentId, session: ReadSession
) -> AttachmentRead:
    return attachment_of(service.readable_document(session, entry, attachment_id))


@router.get(
    "/{attachment_id}/content",
    responses={
        **problem_responses(404),
        200: {"content": {"application/octet-stream": {}}, "description": "The document"},
    },
    response_class=FileResponse,
)
def download_attachment(
    entry: VisibleEntry,
    attachment_id: AttachmentId,
    request: Request,
    session: ReadSession,
    principal: CurrentPrincipal,
) -> Response:
    attachment = service.readable_document(session, entry, attachment_id)
    record_read(
        request.app.state.session_factory,
        principal=principal,
        entry=entry,
        action="attachment.read",
        subject_type="attachment",
        subject_id=attachment.id,
    )
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
    if isinstance(attachment, FederatedAttachment):
        # Kept at the entry's origin: fetched now, through the origin's own rule.
        document = request.app.state.origin_documents.fetch(session, entry, attachment)
        return Response(
            document.content,
            media_type=document.media_type,
            headers={**headers, "Content-Disposition": _disposition(document.filename)},
        )
    path = request.app.state.storage.path(attachment.storage_key)
    return FileResponse(
        path, media_type=attachment.media_type, filename=attachment.filename, headers=headers
    )


@router.delete(
    "/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
)
def delete_attachment(
    entry: Annotated[Entry, Depends(EntryFor("detach"))],
    attachment_id: AttachmentId,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> Response:
    attachment = service.get_attachment(session, entry, attachment_id)
    service.remove_attachment(
        session,
        principal=principal,
        entry=entry,
        attachment=attachment,
        storage=request.app.state.storage,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
