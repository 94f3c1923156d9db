"""`GET /v1/entries/{id}/duplicates`: possible duplicates of an entry.

For the owner organization and curators (the `find_duplicates` action of the
policy table); the entry itself is loaded through the visibility rule (404 when
the caller may not read it), and the candidates are filtered by it again inside
`find_duplicates`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.access import Principal
from api.auth.dependencies import CurrentPrincipal
from api.curation.duplicates import find_duplicates
from api.curation.schemas import DuplicateRead
from api.db import ReadSession
from api.entries.dependencies import EntryFor
from api.entries.views import summary_of
from api.errors import problem_responses
from api.models import Entry

router = APIRouter(prefix="/v1/entries", tags=["curation"])


class DuplicateList(BaseModel):
    items: list[DuplicateRead]


@router.get(
    "/{entry_id}/duplicates",
    summary="Entries that may duplicate this one (same attachment, near-identical title)",
    responses=problem_responses(401, 403, 404),
)
def list_duplicates(
    entry: Annotated[Entry, Depends(EntryFor("find_duplicates"))],
    session: ReadSession,
    principal: CurrentPrincipal,
) -> DuplicateList:
    return DuplicateList(items=duplicate_reads(session, entry, principal))


def duplicate_reads(session: Session, entry: Entry, principal: Principal) -> list[DuplicateRead]:
    """Possible duplicates of `entry` among what `principal` may see, as response items."""
    return [
        DuplicateRead(
            entry_id=candidate.entry_id,
            title=candidate.title,
            organization=candidate.organization_slug,
            reasons=list(candidate.reasons),
        )
        for candidate in find_duplicates(
            session, entry, principal, shown_title=summary_of(session, entry, principal).title
        )
    ]
