"""Loader dependencies: fetch an entry *and* apply the visibility rule in one step.

An entry the caller may not read is `EntryNotFound` (404), exactly like one that
does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from api.auth.dependencies import CurrentPrincipal
from api.db import ReadSession, WriteSession
from api.entries import repository
from api.entries.service import EntryNotFound
from api.models import Entry

EntryId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


def visible_entry(entry_id: EntryId, session: ReadSession, principal: CurrentPrincipal) -> Entry:
    entry = repository.get_visible_entry(session, principal, entry_id)
    if entry is None:
        raise EntryNotFound()
    return entry


def visible_entry_for_write(
    entry_id: EntryId, session: WriteSession, principal: CurrentPrincipal
) -> Entry:
    entry = repository.get_visible_entry(session, principal, entry_id)
    if entry is None:
        raise EntryNotFound()
    return entry


VisibleEntry = Annotated[Entry, Depends(visible_entry)]
WritableEntry = Annotated[Entry, Depends(visible_entry_for_write)]
