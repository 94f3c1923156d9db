"""Loader dependencies: fetch an entry *and* check the caller's right in one step.

- `VisibleEntry` - the entry, through the visibility rule: one the caller may not
  read is `EntryNotFound` (404), exactly like one that does not exist;
- `EntryFor(action)` - a visible entry on which the caller may do `action` now,
  per the policy table (`api.access.policy`). Refusals: 401 without credentials,
  409 listing the allowed workflow steps when the caller could do it in another
  state, 403 otherwise (`insufficient_scope` when a token's scope withholds it);
- `HoldFor(action)` - the same, where a curator of another organization may also
  reach a *held* entry it cannot read (`api.access.may_see_hold`), to act on the
  hold only: a held partners entry is never shown to them;
- `SafetyGuard` - what the sensitive-data guard needs for this request.

Aliases name the usual ones, so a route's signature says who may call it:
`EditableEntry` (edit), `ReviewableEntry` (approve), …"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from api.access import Principal, entry_facts, may_see_hold
from api.access.policy import (
    POLICY,
    RELATION_ROLES,
    EntryState,
    allowed_actions,
    allows,
    entry_state,
    ever_allows,
    relations,
)
from api.auth.dependencies import CurrentPrincipal
from api.auth.permissions import refusal, require_signed_in
from api.db import ReadSession
from api.entries import repository
from api.errors import Conflict, NotFound
from api.models import Entry
from api.safety import repository as safety_repository
from api.safety.holds import SubmissionGuard, guard_for

EntryId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
WORKFLOW_ACTIONS = ("submit", "publish", "approve", "request_changes", "reject", "retract",
                    "restore", "release_hold", "return_hold")  # fmt: skip


class EntryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No entry with this id is visible to you.")


def visible_entry(entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal) -> Entry:
    entry = repository.get_visible_entry(session, principal, entry_id)
    if entry is None:
        raise EntryNotFound()
    return entry


VisibleEntry = Annotated[Entry, Depends(visible_entry)]


def visible_or_listed_entry(
    entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal
) -> Entry:
    entry = repository.get_visible_or_listed_entry(session, principal, entry_id)
    if entry is None:
        raise EntryNotFound()
    return entry


# The entry, or only its public stub when it is listed and the caller may not read it
# (views render it as such); for the few routes built to show stubs.
EntryOrStub = Annotated[Entry, Depends(visible_or_listed_entry)]


def state_of(session: Session, entry: Entry) -> EntryState:
    return entry_state(entry_facts(entry), repository.working_visibility(session, entry))


def permitted_actions(session: Session, principal: Principal, entry: Entry) -> list[str]:
    """Every action the caller may take on the entry now (for UIs and 409 bodies)."""
    return allowed_actions(
        relations(principal, entry.organization_id), state_of(session, entry).key
    )


def check_action(session: Session, principal: Principal, entry: Entry, action: str) -> None:
    held = relations(principal, entry.organization_id)
    state = state_of(session, entry)
    if allows(action, held, state.key):
        return
    require_signed_in(principal)
    if ever_allows(action, held):
        allowed = [a for a in allowed_actions(held, state.key) if a in WORKFLOW_ACTIONS]
        raise Conflict(
            f"{action!r} is not possible now (the entry is {state.lifecycle.replace('_', ' ')}).",
            allowed=allowed,
            status_now=entry.status,
        )
    roles = [RELATION_ROLES[r] for r in POLICY[action] if r in RELATION_ROLES]
    raise refusal(
        principal,
        roles[0] if roles else "publisher",
        f"You may not {action.replace('_', ' ')} this entry.",
    )


class EntryFor:
    """Dependency: the entry, loaded through the visibility rule, on which the caller
    may do `action` now."""

    def __init__(self, action: str) -> None:
        if action not in POLICY:
            raise ValueError(f"unknown action {action!r}")
        self.action = action

    def __call__(
        self, entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal
    ) -> Entry:
        entry = visible_entry(entry_id, session, principal)
        check_action(session, principal, entry, self.action)
        return entry


def held_or_visible_entry(
    entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal
) -> Entry:
    """A visible entry, or a held one the caller may act on as a curator."""
    entry = repository.get_visible_entry(session, principal, entry_id)
    if entry is None:
        held = safety_repository.get_held_entry(session, entry_id)
        if held is None or not may_see_hold(principal, entry_facts(held)):
            raise EntryNotFound()
        entry = held
    return entry


class HoldFor(EntryFor):
    """Dependency: like `EntryFor`, reaching held entries through the hold capacity."""

    def __call__(
        self, entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal
    ) -> Entry:
        entry = held_or_visible_entry(entry_id, session, principal)
        check_action(session, principal, entry, self.action)
        return entry


def submission_guard(request: Request) -> SubmissionGuard:
    return guard_for(
        request.app.state.vocabularies,
        small_cell_k=request.app.state.settings.small_cell_k,
    )


def small_cell_k_of(request: Request) -> int:
    """The node's small-cell threshold, for views (`OFFRAMP_SMALL_CELL_K`)."""
    k: int = request.app.state.settings.small_cell_k
    return k


SafetyGuard = Annotated[SubmissionGuard, Depends(submission_guard)]
EditableEntry = Annotated[Entry, Depends(EntryFor("edit"))]
DeletableEntry = Annotated[Entry, Depends(EntryFor("delete"))]
ReviewableEntry = Annotated[Entry, Depends(EntryFor("approve"))]
ThreadEntry = Annotated[Entry, Depends(EntryFor("read_thread"))]
CommentableEntry = Annotated[Entry, Depends(EntryFor("comment"))]
