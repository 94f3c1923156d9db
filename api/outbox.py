"""Asking for (re)indexing: `mark_dirty` is the only way, and it writes outbox rows
into the caller's transaction, so the change and the request commit together.

A session hook calls it for every flushed change that can alter what search
shows — an entry created, edited, published, deleted or re-shared (partners and
status live on the entry row), an attachment added or removed, an organization
renamed, an access grant given or revoked — so no service can forget. The entry
ids committed by a session are kept in `session.info[COMMITTED_KEY]` for
read-your-writes waiting."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from api.models import AccessGrant, Attachment, Entry, Organization, SearchOutbox

PENDING_KEY = "offramp.outbox.pending"
COMMITTED_KEY = "offramp.outbox.committed"


def mark_dirty(session: Session, entry_ids: Iterable[str]) -> None:
    pending: set[str] = session.info.setdefault(PENDING_KEY, set())
    for entry_id in sorted(set(entry_ids) - pending):
        session.add(SearchOutbox(entry_id=entry_id))
        pending.add(entry_id)


@event.listens_for(Session, "before_flush")
def _collect_changes(session: Session, _context: Any, _instances: Any) -> None:
    touched: set[str] = set()
    for obj in session.new:
        if isinstance(obj, Entry):
            touched.add(obj.id)
        elif isinstance(obj, Attachment | AccessGrant):
            touched.add(obj.entry_id)
    for obj in session.deleted:
        if isinstance(obj, Entry):
            touched.add(obj.id)
        elif isinstance(obj, Attachment):
            touched.add(obj.entry_id)
    renamed: list[int] = []
    for obj in session.dirty:
        if isinstance(obj, Entry) and session.is_modified(obj):
            touched.add(obj.id)
        elif isinstance(obj, AccessGrant) and session.is_modified(obj):
            touched.add(obj.entry_id)
        elif isinstance(obj, Organization) and session.is_modified(obj):
            renamed.append(obj.id)
    if renamed:
        with session.no_autoflush:
            touched.update(
                session.scalars(select(Entry.id).where(Entry.organization_id.in_(renamed)))
            )
    if touched:
        mark_dirty(session, touched)


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending:
        session.info.setdefault(COMMITTED_KEY, set()).update(pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
