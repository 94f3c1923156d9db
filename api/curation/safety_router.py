"""The sensitive-data guard's holds over HTTP: findings, explanations, release,
return, and the curators' safety queue (what each caller is shown of them is
`api.curation.safety_views`).

Who may do what is the policy table (`explain_finding`, `release_hold`,
`return_hold`, `read_findings`), declared at each route. Curators reach a held
entry they cannot read — a partners one — through `HoldFor` (the hold capacity,
`api.access.may_see_hold`), and are then shown only what `finding_read` lets
through: fields and kinds of finding, never a snippet, the entry or its
organization. A curator who reads the entry as its reviewer (public/network)
also sees the masked snippets, and the entry through the usual views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.audit import record_event
from api.auth.dependencies import Curator, CurrentPrincipal
from api.bounds import DatabaseId
from api.curation import workflow
from api.curation.safety_views import finding_list, finding_read, hold_item, holds_for
from api.curation.schemas import (
    ExplanationCreate,
    FindingList,
    FindingRead,
    HoldOutcome,
    SafetyHoldPage,
    TransitionRequest,
)
from api.db import ReadSession, WriteSession
from api.entries.dependencies import EntryFor, HoldFor
from api.errors import problem_responses
from api.models import Entry
from api.safety import holds

router = APIRouter(tags=["safety"])


@router.get(
    "/v1/entries/{entry_id}/findings",
    summary="What the sensitive-data guard found in the revision submitted",
    responses=problem_responses(401, 403, 404),
)
def list_findings(
    entry: Annotated[Entry, Depends(HoldFor("read_findings"))],
    session: ReadSession,
    principal: CurrentPrincipal,
) -> FindingList:
    return finding_list(session, principal, entry)


@router.post(
    "/v1/entries/{entry_id}/findings/{finding_id}/explain",
    summary="Say why a finding may stay (the owner, while the entry is held)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def explain_finding(
    entry: Annotated[Entry, Depends(EntryFor("explain_finding"))],
    finding_id: DatabaseId,
    data: ExplanationCreate,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> FindingRead:
    row = holds.explain(
        session, entry, finding_id=finding_id, principal=principal, explanation=data.explanation
    )
    record_event(
        session,
        principal=principal,
        action="entry.finding_explained",
        entry_id=entry.id,
        details={"finding": row.id, "field": row.field, "detector": row.detector},
    )
    return finding_read(row, content=True)


def _hold_step(action: str, outcome: str) -> Any:
    run = workflow.HOLD_TRANSITIONS[action]

    def endpoint(
        entry: Entry,
        session: WriteSession,
        principal: CurrentPrincipal,
        data: TransitionRequest | None = None,
    ) -> HoldOutcome:
        run(session, principal=principal, entry=entry, comment=data.comment if data else None)
        return HoldOutcome(
            entry_id=entry.id, outcome=outcome, status=workflow.review_state(entry) or entry.status
        )

    endpoint.__name__ = action
    endpoint.__annotations__["entry"] = Annotated[Entry, Depends(HoldFor(action))]
    return endpoint


router.add_api_route(
    "/v1/entries/{entry_id}/release-hold",
    _hold_step("release_hold", "released"),
    methods=["POST"],
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Curator: let a held submission through (on to review, or published)",
)
router.add_api_route(
    "/v1/entries/{entry_id}/return-hold",
    _hold_step("return_hold", "returned"),
    methods=["POST"],
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Curator: return a held submission to its owner (changes requested)",
)


@router.get(
    "/v1/review/safety-holds",
    summary="Held submissions awaiting a curator of another organization, oldest first",
    responses=problem_responses(401, 403),
)
def safety_holds(
    session: ReadSession,
    principal: Curator,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SafetyHoldPage:
    """Every held submission the caller may release or return. A partners one shows
    its kind and which fields hold which kinds of finding — no text, no entry, no
    organization; a public or network one also its summary and masked snippets."""
    held = holds_for(session, principal)
    window = held[(page - 1) * per_page : page * per_page]
    return SafetyHoldPage(
        items=[hold_item(session, principal, entry) for entry in window],
        total=len(held),
        page=page,
        per_page=per_page,
    )
