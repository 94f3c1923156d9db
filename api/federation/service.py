"""Federation use cases: registering peers, and serving the change feed and the
inventory to a peer.

Owns peers and the read side of the feed. The write side (events in the same
transaction as each change) is `api.feedlog`; what a peer may receive is
`api.access.peer_receives`, asked again for every item served, so a change the
feed log has not caught up with still never leaks. Callers own the transaction.

Feed semantics (what a peer can rely on):
- at-least-once, in order: an upsert carries the entry's *current* content and
  version; a tombstone carries the version at which the peer lost the entry; the
  peer ignores anything whose version is ≤ what it holds (replays, reordering);
- a page's cursor is valid forever within the epoch and the retention horizon;
  re-reading from it yields the same or newer state, never a gap;
- a cursor older than the horizon or the epoch → 410, and the peer reconciles
  against the inventory (id, version, sha256 of everything it may receive now),
  which returns a cursor to continue from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from api.access import Principal, peer_facts, peer_receives
from api.audit import record_event
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.federation import repository
from api.federation.cursor import START, CursorCodec, Position
from api.federation.errors import CursorGone
from api.feedlog import announce, exported_content, fingerprint
from api.models import Attachment, Entry, Peer, PeerOrganization
from api.models.base import utcnow
from api.oauth.service import create_client, revoke_client
from api.organizations.service import create_organization, get_organization
from api.safety.small_cells import Indicator, protect_cohort, protect_indicators
from api.vocabularies.registry import VocabularyRegistry

NAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")


def normalize_base_url(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


@dataclass(frozen=True, slots=True)
class PeerView:
    peer: Peer
    organizations: list[str]


def add_peer(
    session: Session,
    *,
    name: str,
    base_url: str,
    organizations: list[str],
    remote_client_id: str | None,
    remote_client_secret: str | None,
    created_by: Principal,
) -> tuple[Peer, str]:
    """Register a peer; returns it and the plaintext secret of the client it calls
    us with (shown once). Announces at once everything it may receive, so its
    first pull from the start of the feed is a full sync."""
    errors: list[FieldError] = []
    if not NAME_PATTERN.fullmatch(name):
        errors.append(FieldError("name", "lowercase letters, digits and inner hyphens, ≤ 40"))
    url = normalize_base_url(base_url)
    if url is None:
        errors.append(FieldError("base_url", "an http(s) URL without query or fragment"))
    if (remote_client_id is None) != (remote_client_secret is None):
        errors.append(
            FieldError("remote_client_secret", "give the peer's client id and secret together")
        )
    hosted = []
    for slug in dict.fromkeys(organizations):
        org = get_organization(session, slug)
        if org is None:
            errors.append(FieldError("organizations", f"no organization {slug!r}"))
        else:
            hosted.append(org)
    if errors:
        raise ValidationFailed("The peer has invalid fields.", errors=errors)
    assert url is not None
    if repository.get_peer(session, name) is not None:
        raise Conflict(f"A peer named {name!r} exists already.")
    if repository.peer_at(session, url) is not None:
        raise Conflict(f"A peer at {url} exists already.")
    client, secret = create_client(
        session,
        name=f"peer node {name}",
        kind="peer",
        organization_slug=None,
        scopes=["federation"],
        created_by=created_by,
    )
    # Entries harvested from the peer are owned here by an organization standing
    # for the peer node; nobody is its member, so only the entries' own audience reads them.
    owner = get_organization(session, f"peer-{name}") or create_organization(
        session, slug=f"peer-{name}", name=f"{name} (peer node)"
    )
    peer = Peer(
        name=name,
        base_url=url,
        client_id=client.client_id,
        remote_client_id=remote_client_id,
        remote_client_secret=remote_client_secret,
        organization_id=owner.id,
    )
    session.add(peer)
    session.flush()
    session.add_all(PeerOrganization(peer_id=peer.id, organization_id=o.id) for o in hosted)
    session.flush()
    resync_peer(session, peer)
    record_event(
        session,
        principal=created_by,
        action="peer.added",
        subject_type="peer",
        subject_id=name,
        details={"base_url": url, "organizations": [o.slug for o in hosted]},
    )
    return peer, secret


def hosted_ids(session: Session, peer: Peer) -> frozenset[int]:
    return frozenset(o.id for o in repository.hosted_organizations(session, peer.id))


def resync_peer(session: Session, peer: Peer, *, batch: int = 500) -> int:
    """Announce to `peer` whatever it may receive and has not got (and tombstones
    for what it lost), over all entries; returns how many events were written."""
    hosted = hosted_ids(session, peer)
    written = 0
    ids = repository.all_entry_ids(session)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        entries = {e.id: e for e in repository.entries_by_ids(session, chunk)}
        written += announce(session, entries, {peer.id: hosted})
    return written


def list_peers(session: Session) -> list[PeerView]:
    return [
        PeerView(p, [o.slug for o in repository.hosted_organizations(session, p.id)])
        for p in repository.list_peers(session)
    ]


def remove_peer(session: Session, name: str, *, removed_by: Principal) -> None:
    """Revoke the peer's client (its next request is a 401, not an empty feed),
    delete what was harvested from it (nobody would tombstone it any more), and
    forget the peer with its feed and delivery state."""
    peer = repository.get_peer(session, name)
    if peer is None:
        raise NotFound(f"No peer {name!r}.")
    revoke_client(session, peer.client_id, revoked_by=removed_by)
    for prov in repository.provenance_of_peer(session, peer.id):
        if prov.entry_id is not None:
            entry = session.get(Entry, prov.entry_id)
            if entry is not None:
                session.delete(entry)
    session.flush()
    repository.forget_provenance(session, peer.id)
    session.delete(peer)
    session.flush()
    record_event(
        session, principal=removed_by, action="peer.removed", subject_type="peer", subject_id=name
    )


# -- serving the feed ----------------------------------------------------------------


def presented_content(
    entry: Entry, hosted: frozenset[int], *, registry: VocabularyRegistry, small_cell_k: int
) -> dict[str, Any]:
    """The exported content as a peer receives it: indicators shown as to anyone
    outside the owner organization (small cells as "< k", without value or note),
    and a program profile's cohort below k without its size."""
    content = exported_content(entry, hosted)
    units = [registry.get("indicator", i["code"]) for i in content["indicators"]]
    shown = protect_indicators(
        [
            Indicator(i["code"], i["value"], term.unit if term else None, i["note"])
            for i, term in zip(content["indicators"], units, strict=True)
        ],
        k=small_cell_k,
        viewer_is_owner=False,
    )
    content["indicators"] = [
        {"code": i.code, "value": i.value, "display": i.display, "note": i.note} for i in shown
    ]
    profile = content.get("profile")
    if isinstance(profile, dict):
        cohort = protect_cohort(profile.get("cohort_size"), k=small_cell_k, viewer_is_owner=False)
        if cohort is not None and cohort.suppressed:
            content["profile"] = {**profile, "cohort_size": None}
    return content


def entry_document(
    entry: Entry,
    hosted: frozenset[int],
    *,
    node_url: str,
    registry: VocabularyRegistry,
    small_cell_k: int,
) -> dict[str, Any]:
    """The feed's upsert document: the presented content and provenance. Its sha256
    is of what the peer receives — never of a withheld small cell, which a peer
    could otherwise recover by hashing the few candidate values below k."""
    content = presented_content(entry, hosted, registry=registry, small_cell_k=small_cell_k)
    sha = fingerprint(content)
    base = f"{node_url}/v1/federation/entries/{entry.id}/attachments"
    content["attachments"] = [{**a, "url": f"{base}/{a['id']}"} for a in content["attachments"]]
    return {
        "action": "upsert",
        "id": entry.id,
        "version": entry.version,
        "sha256": sha,
        "origin": {"node": node_url, "id": entry.id, "url": f"{node_url}/entries/{entry.id}"},
        "entry": content,
    }


@dataclass(frozen=True, slots=True)
class ChangesPage:
    changes: list[dict[str, Any]]
    position: Position
    more: bool


def check_position(peer: Peer, position: Position) -> None:
    if position < Position(peer.floor_xid, peer.floor_id):
        raise CursorGone(
            "Changes before this cursor are past the retention horizon; reconcile against "
            "/v1/federation/inventory, which returns a fresh cursor."
        )


def changes_page(
    session: Session,
    peer: Peer,
    position: Position,
    *,
    limit: int,
    node_url: str,
    registry: VocabularyRegistry,
    small_cell_k: int,
) -> ChangesPage:
    check_position(peer, position)
    events = repository.events_after(session, peer.id, position, limit + 1)
    more = len(events) > limit
    events = events[:limit]
    if not events:
        return ChangesPage([], position, False)
    last: dict[str, Any] = {}
    for item in events:  # the last event of an entry in the page stands for all of them
        last[item.entry_id] = item
    hosted = hosted_ids(session, peer)
    upserts = [i for i in last.values() if i.action == "upsert"]
    current = {
        e.id: e
        for e in repository.receivable_entries(session, hosted, [i.entry_id for i in upserts])
    }
    changes: list[dict[str, Any]] = []
    for item in sorted(last.values(), key=lambda e: (e.xid, e.id)):
        if item.action == "tombstone":
            changes.append({"action": "tombstone", "id": item.entry_id, "version": item.version})
            continue
        entry = current.get(item.entry_id)
        # The one rule again, at serve time: a later tombstone is on its way if not.
        if entry is None or not peer_receives(hosted, peer_facts(entry), harvested=False):
            continue
        changes.append(
            entry_document(
                entry, hosted, node_url=node_url, registry=registry, small_cell_k=small_cell_k
            )
        )
    return ChangesPage(changes, Position(events[-1].xid, events[-1].id), more)


def receivable_document(
    session: Session,
    peer: Peer,
    entry_id: str,
    *,
    node_url: str,
    registry: VocabularyRegistry,
    small_cell_k: int,
) -> dict[str, Any]:
    hosted = hosted_ids(session, peer)
    found = repository.receivable_entries(session, hosted, [entry_id])
    if not found or not peer_receives(hosted, peer_facts(found[0]), harvested=False):
        raise NotFound("No such entry.")
    return entry_document(
        found[0], hosted, node_url=node_url, registry=registry, small_cell_k=small_cell_k
    )


def receivable_attachment(
    session: Session, peer: Peer, entry_id: str, attachment_id: str
) -> Attachment:
    """An attachment of an entry the peer may receive — asked again on every fetch."""
    hosted = hosted_ids(session, peer)
    found = repository.receivable_entries(session, hosted, [entry_id])
    if not found or not peer_receives(hosted, peer_facts(found[0]), harvested=False):
        raise NotFound("No such attachment.")
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.entry_id != entry_id:
        raise NotFound("No such attachment.")
    return attachment


def inventory(
    session: Session, peer: Peer, *, registry: VocabularyRegistry, small_cell_k: int
) -> tuple[list[dict[str, Any]], Position]:
    """Everything `peer` may receive now as (id, version, sha256), and the position
    to continue the feed from. The position is taken first: any change committed
    after it is also in the feed after it, so nothing falls between the two."""
    position = repository.head_position(session, peer.id)
    position = max(position, Position(peer.floor_xid, peer.floor_id))
    hosted = hosted_ids(session, peer)
    items = [
        {
            "id": entry.id,
            "version": entry.version,
            "sha256": fingerprint(
                presented_content(entry, hosted, registry=registry, small_cell_k=small_cell_k)
            ),
        }
        for entry in repository.receivable_entries(session, hosted)
        if peer_receives(hosted, peer_facts(entry), harvested=False)
    ]
    return items, position


def note_pulled(session: Session, peer: Peer) -> None:
    peer.last_pulled_at = utcnow()


def prune_feed(session: Session, *, retention: timedelta) -> int:
    """Delete events older than `retention`, raising each peer's floor: a cursor
    from before it answers 410. Returns how many peers' feeds were pruned."""
    horizon = utcnow() - retention
    pruned = 0
    for peer in repository.list_peers(session):
        floor = repository.last_event_before(session, peer.id, horizon)
        if floor is None:
            continue
        repository.prune_events(session, peer.id, floor)
        peer.floor_xid, peer.floor_id = floor.xid, floor.id
        pruned += 1
    session.flush()
    return pruned


def start_position(codec: CursorCodec, peer: Peer, cursor: str | None) -> Position:
    return START if cursor is None else codec.decode(peer.id, cursor)
