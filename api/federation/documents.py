"""Documents of harvested entries, fetched from their origin on demand.

A harvested entry's attachments stay at the origin node; this node keeps
references (`FederatedAttachment`). A reader who may read the local entry (the
download route asks the one rule first) gets the document fetched through the
origin's per-peer URL — `/v1/federation/entries/{origin id}/attachments/{id}`
with our client-credentials token — which asks the origin's rule again, so a
document the origin no longer shares with us is a 404 here too.

The URL is built from the peer's registered base URL and the stored ids, never
taken from the feed (a peer cannot make us fetch another address). What comes
back must have the announced size and sha256, else it is not served."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy.orm import Session

from api.config import Settings
from api.errors import NotFound, ServiceUnavailable
from api.federation import repository
from api.federation.harvest import HarvestError, PeerConnection, peer_address
from api.models import Entry, FederatedAttachment

log = structlog.get_logger(__name__)


class DocumentGone(NotFound):
    def __init__(self) -> None:
        super().__init__("The origin node no longer shares this document.")


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


class OriginDocuments:
    """Fetches referenced documents from the peers they came from."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def fetch(self, session: Session, entry: Entry, reference: FederatedAttachment) -> Document:
        unavailable = ServiceUnavailable(
            "The document is kept at the node the entry came from, which did not "
            "deliver it; try again later."
        )
        peer = repository.peer_at(session, entry.origin_node or "")
        if peer is None or entry.origin_id is None:
            raise DocumentGone()  # the peer was removed: nothing to fetch it from
        if reference.size_bytes > self.settings.max_upload_bytes:
            raise unavailable
        path = (
            f"/v1/federation/entries/{entry.origin_id}/attachments/{reference.origin_attachment_id}"
        )
        try:
            address = peer_address(session, peer.name)
            with httpx.Client(timeout=self.settings.federation_http_timeout_seconds) as http:
                response = PeerConnection(address, http).get(path)
        except (HarvestError, httpx.HTTPError) as exc:
            log.warning("origin document unavailable", peer=peer.name, error=str(exc))
            raise unavailable from exc
        if response.status_code == 404:
            raise DocumentGone()
        content = response.content
        if (
            response.status_code != 200
            or len(content) != reference.size_bytes
            or hashlib.sha256(content).hexdigest() != reference.sha256
        ):
            log.warning("origin document refused", peer=peer.name, status=response.status_code)
            raise unavailable
        return Document(content, reference.media_type, reference.filename)
