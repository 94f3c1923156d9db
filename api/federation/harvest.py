"""The harvester: pulls each peer's change feed with its own cursor and stores what
it receives as local entries with provenance.

Guarantees:
- *only the origin speaks for its entries*: an upsert whose origin is not the peer
  we pulled it from (a relayed entry), or that claims an entry another peer
  delivered, is rejected and counted, never stored;
- *no resurrection, no duplicates*: provenance (origin node, origin id, version,
  sha256) is kept after a tombstone; an upsert or tombstone whose version is ≤
  the stored one is ignored, so replays and late creates change nothing — except
  an upsert of the same version with other content (see `_stale`);
- *atomic pages*: a page's changes and the cursor after it commit together, so a
  crash anywhere means the page is pulled again (and its replays ignored);
- tombstones delete the local entry in the page's transaction; the search index
  follows through the outbox like any deletion;
- the receiving node applies its own rule: a harvested entry keeps its visibility
  (public, or partners with the *local* organizations named in `shared_with`), is
  owned by the peer's organization row (no member), and is never re-exported
  (`peer_receives` refuses entries with an origin);
- each peer has its own state and backoff (`Peer.harvest_failures`,
  `next_harvest_at`); `HarvestLoop` runs each due peer in its own worker, so a
  dead or hanging peer (bounded by the HTTP timeout) delays no other."""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog
from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from api.config import Settings
from api.entries.service import insert_entry, new_entry_id, snapshot
from api.federation import repository
from api.federation.schemas import FederatedTombstone, FederatedUpsert
from api.federation.service import prune_feed
from api.models import (
    Entry,
    EntryRevision,
    FederatedAttachment,
    FederatedEntry,
    IndicatorValue,
    Peer,
)
from api.models.base import utcnow

log = structlog.get_logger("federation")
PRUNE_EVERY_SECONDS = 3600.0

CONTENT_FIELDS = (
    "kind", "title", "summary", "body", "language", "authors", "program_types", "regions",
    "settings", "target_populations", "actors", "evaluation_design", "evidence_level",
    "period_start", "period_end", "links", "license",
)  # fmt: skip
# Stored as the origin's JSON after validation (api.entries.schemas). A program
# profile's `program_id` link stays on the origin: its timeline is the origin's.
STRUCTURED_FIELDS = ("findings", "lessons", "recommendations", "profile", "policy")


class HarvestError(Exception):
    """The peer could not be harvested now (unreachable, refused, malformed)."""


@dataclass
class HarvestReport:
    peer: str
    pages: int = 0
    applied: int = 0
    ignored: int = 0
    rejected: int = 0
    tombstones: int = 0
    reconciled: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PeerAddress:
    id: int
    name: str
    base_url: str
    client_id: str
    client_secret: str
    cursor: str | None


class PeerConnection:
    """HTTP to one peer with a client-credentials token from the peer's own
    authorization server, refreshed when it expires or is refused."""

    def __init__(self, address: PeerAddress, http: httpx.Client) -> None:
        self.address = address
        self.http = http
        self._token: str | None = None

    def _fetch_token(self) -> str:
        response = self.http.post(
            f"{self.address.base_url}/oauth/token",
            data={"grant_type": "client_credentials", "scope": "federation"},
            auth=(self.address.client_id, self.address.client_secret),
        )
        if response.status_code != 200:
            raise HarvestError(f"token endpoint answered {response.status_code}")
        token = response.json().get("access_token")
        if not isinstance(token, str):
            raise HarvestError("token endpoint gave no access_token")
        return token

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._fetch_token()
            response = self.http.get(
                f"{self.address.base_url}{path}",
                params=params,
                headers={"Authorization": f"Bearer {self._token}"},
            )
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            return response
        raise AssertionError("unreachable")


# -- applying changes ------------------------------------------------------------------


def _content_values(upsert: FederatedUpsert) -> dict[str, Any]:
    content = upsert.entry
    values: dict[str, Any] = {name: getattr(content, name) for name in CONTENT_FIELDS}
    for name in STRUCTURED_FIELDS:
        value = getattr(content, name)
        values[name] = (
            [item.model_dump(mode="json") for item in value]
            if isinstance(value, list)
            else value.model_dump(mode="json")
            if value is not None
            else None
        )
    values["visibility"] = content.visibility
    values["organization_display"] = "named"
    values["internal_notes"] = ""
    return values


def _indicators(upsert: FederatedUpsert) -> list[dict[str, Any]]:
    # A small cell arrives without its value ("< k"): nothing to store or show.
    return [
        {"code": i.code, "value": i.value, "note": i.note}
        for i in upsert.entry.indicators
        if i.value is not None
    ]


def _stale(upsert: FederatedUpsert, prov: FederatedEntry) -> bool:
    """An older version, or this version again with the content we hold (a replay),
    or any upsert of a version we saw deleted (a late create). The same version
    with other content is newer: the origin changed what it exports without an
    edit of the entry (its organization was renamed). Feed rows carry no payload —
    the origin serves the current content — so a replay is never older content."""
    if upsert.version != prov.version:
        return upsert.version < prov.version
    return prov.deleted or upsert.sha256 == prov.sha256


def apply_upsert(session: Session, peer: Peer, raw: dict[str, Any]) -> str:
    """Store one upsert from `peer`: "applied", "ignored" or "rejected"."""
    try:
        upsert = FederatedUpsert.model_validate(raw)
    except ValidationError:
        return "rejected"
    if upsert.origin.node.rstrip("/") != peer.base_url or upsert.origin.id != upsert.id:
        log.warning("relayed entry rejected", peer=peer.name, origin=upsert.origin.node)
        return "rejected"
    prov = repository.provenance(session, peer.base_url, upsert.id)
    if prov is not None and prov.peer_id != peer.id:
        return "rejected"
    if prov is not None and _stale(upsert, prov):
        return "ignored"
    values = _content_values(upsert)
    partners = (
        list(repository.organizations_by_slug(session, upsert.entry.shared_with).values())
        if upsert.entry.visibility == "partners"
        else []
    )
    indicators = _indicators(upsert)
    now = utcnow()
    published_at = upsert.entry.published_at or now
    entry = session.get(Entry, prov.entry_id) if prov and prov.entry_id else None
    if entry is None:
        entry = insert_entry(
            session,
            entry_id=new_entry_id(),
            organization_id=peer.organization_id,
            values={**values, "origin_node": peer.base_url, "origin_id": upsert.id},
            partners=partners,
            indicators=indicators,
            status="published",
            published_at=published_at,
        )
    else:
        for name, value in values.items():
            setattr(entry, name, value)
        entry.partners = partners
        entry.indicators = [
            IndicatorValue(code=i["code"], value=i["value"], note=i["note"], position=n)
            for n, i in enumerate(indicators)
        ]
        number = entry.working_revision + 1
        entry.working_revision = number
        entry.published_revision = number
        entry.updated_at = now
        session.flush()
        session.add(
            EntryRevision(
                entry_id=entry.id,
                number=number,
                content=snapshot(entry, indicators),
                created_at=now,
                published_at=now,
            )
        )
    _store_documents(session, entry.id, upsert)  # its query flushes the entry first
    if prov is None:
        prov = FederatedEntry(peer_id=peer.id, origin_node=peer.base_url, origin_id=upsert.id)
        session.add(prov)
    prov.entry_id = entry.id
    prov.version = upsert.version
    prov.sha256 = upsert.sha256
    prov.origin_organization = upsert.entry.organization
    prov.deleted = False
    prov.fetched_at = now
    session.flush()
    return "applied"


def _store_documents(
    session: Session,
    entry_id: str,
    upsert: FederatedUpsert,
    held: dict[str, FederatedAttachment] | None = None,
) -> None:
    """Keep references to the entry's documents as announced; a document kept
    across updates keeps its local id (links to it stay valid). `held` = {} for an
    entry stored just now, which has none yet (no query per new entry)."""
    if held is None:
        held = {
            ref.origin_attachment_id: ref
            for ref in session.scalars(
                select(FederatedAttachment).where(FederatedAttachment.entry_id == entry_id)
            )
        }
    announced = {a.id for a in upsert.entry.attachments}
    for origin_id, ref in held.items():
        if origin_id not in announced:
            session.delete(ref)
    for position, document in enumerate(upsert.entry.attachments):
        ref = held.get(document.id) or FederatedAttachment(
            id=secrets.token_urlsafe(12), entry_id=entry_id, origin_attachment_id=document.id
        )
        ref.filename = document.filename
        ref.media_type = document.media_type
        ref.size_bytes = document.size_bytes
        ref.sha256 = document.sha256
        ref.position = position
        session.add(ref)


def _delete_local(session: Session, prov: FederatedEntry) -> None:
    if prov.entry_id is not None:
        entry = session.get(Entry, prov.entry_id)
        if entry is not None:
            session.delete(entry)
    prov.entry_id = None
    prov.deleted = True
    prov.fetched_at = utcnow()


def apply_tombstone(session: Session, peer: Peer, raw: dict[str, Any]) -> str:
    try:
        tombstone = FederatedTombstone.model_validate(raw)
    except ValidationError:
        return "rejected"
    prov = repository.provenance(session, peer.base_url, tombstone.id)
    if prov is not None and prov.peer_id != peer.id:
        return "rejected"
    if prov is not None and tombstone.version <= prov.version and prov.deleted:
        return "ignored"
    if prov is not None and tombstone.version < prov.version:
        return "ignored"
    if prov is None:
        # Remember the deletion, so a late create of the same version stays dead.
        prov = FederatedEntry(
            peer_id=peer.id, origin_node=peer.base_url, origin_id=tombstone.id, sha256="0" * 64
        )
        session.add(prov)
    _delete_local(session, prov)
    prov.version = tombstone.version
    session.flush()
    return "applied"


def apply_change(session: Session, peer: Peer, raw: Any, report: HarvestReport) -> None:
    action = raw.get("action") if isinstance(raw, dict) else None
    if action == "upsert":
        outcome = apply_upsert(session, peer, raw)
    elif action == "tombstone":
        outcome = apply_tombstone(session, peer, raw)
        if outcome == "applied":
            report.tombstones += 1
    else:
        outcome = "rejected"
    if outcome == "applied":
        report.applied += 1
    elif outcome == "ignored":
        report.ignored += 1
    else:
        report.rejected += 1


def _insert_new(session: Session, peer: Peer, upserts: list[FederatedUpsert]) -> None:
    """Store entries seen for the first time, a page at a time: two flushes for the
    whole page instead of two per entry (the hooks that derive reader tags, the
    search outbox and the feed log then run once for all of them)."""
    slugs = sorted({s for u in upserts if u.entry.visibility == "partners"
                    for s in u.entry.shared_with})  # fmt: skip
    local = repository.organizations_by_slug(session, slugs)
    now = utcnow()
    made: list[tuple[FederatedUpsert, Entry, list[dict[str, Any]]]] = []
    for upsert in upserts:
        published_at = upsert.entry.published_at or now
        entry = Entry(
            id=new_entry_id(),
            organization_id=peer.organization_id,
            status="published",
            working_revision=1,
            published_revision=1,
            published_at=published_at,
            created_at=published_at,
            updated_at=now,
            origin_node=peer.base_url,
            origin_id=upsert.id,
            **_content_values(upsert),
        )
        indicators = _indicators(upsert)
        partners = (
            [local[s] for s in upsert.entry.shared_with if s in local]
            if upsert.entry.visibility == "partners"
            else []
        )
        values = [
            IndicatorValue(code=i["code"], value=i["value"], note=i["note"], position=n)
            for n, i in enumerate(indicators)
        ]
        # An empty collection of a new object is set as loaded, not assigned: the
        # same [] to every reader (the flush hooks too), without collection events.
        for name, items in (("partners", partners), ("indicators", values)):
            if items:
                setattr(entry, name, items)
            else:
                set_committed_value(entry, name, [])
        made.append((upsert, entry, indicators))
    session.add_all(entry for _, entry, _ in made)
    session.flush()
    for upsert, entry, _ in made:
        _store_documents(session, entry.id, upsert, held={})
    # Revisions and provenance rows concern no flush hook: one executemany each
    # instead of a unit-of-work object per row (most of a page's time otherwise).
    session.execute(
        insert(EntryRevision),
        [
            {
                "entry_id": entry.id,
                "number": 1,
                "content": snapshot(entry, indicators),
                "created_at": entry.created_at,
                "published_at": entry.published_at,
            }
            for _, entry, indicators in made
        ],
    )
    session.execute(
        insert(FederatedEntry),
        [
            {
                "peer_id": peer.id,
                "origin_node": peer.base_url,
                "origin_id": upsert.id,
                "entry_id": entry.id,
                "version": upsert.version,
                "sha256": upsert.sha256,
                "origin_organization": upsert.entry.organization,
                "fetched_at": now,
            }
            for upsert, entry, _ in made
        ],
    )
    session.flush()


def apply_page(session: Session, peer: Peer, changes: list[Any], report: HarvestReport) -> None:
    """Apply a page of changes in order; upserts of entries never seen before are
    stored together at the end (a page names each entry at most once, so their
    order against the page's other changes does not matter)."""
    ids = [c.get("id") for c in changes if isinstance(c, dict)]
    if len(ids) != len(set(ids)) or len(ids) != len(changes):
        for raw in changes:
            apply_change(session, peer, raw, report)
        return
    known = repository.known_origin_ids(session, peer.base_url, [str(i) for i in ids])
    fresh: list[FederatedUpsert] = []
    for raw in changes:
        if raw.get("action") == "upsert" and raw.get("id") not in known:
            try:
                upsert = FederatedUpsert.model_validate(raw)
            except ValidationError:
                report.rejected += 1
                continue
            if upsert.origin.node.rstrip("/") == peer.base_url and upsert.origin.id == upsert.id:
                fresh.append(upsert)
                continue
        apply_change(session, peer, raw, report)
    if fresh:
        _insert_new(session, peer, fresh)
        report.applied += len(fresh)


# -- pulling -------------------------------------------------------------------------


def peer_address(session: Session, name: str) -> PeerAddress:
    peer = repository.get_peer(session, name)
    if peer is None:
        raise HarvestError(f"no peer {name!r}")
    if peer.remote_client_id is None or peer.remote_client_secret is None:
        raise HarvestError(f"no credentials to harvest {name!r}")
    return PeerAddress(
        peer.id,
        peer.name,
        peer.base_url,
        peer.remote_client_id,
        peer.remote_client_secret,
        peer.harvest_cursor,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise HarvestError("the peer answered something that is not JSON") from None
    if not isinstance(body, dict):
        raise HarvestError("the peer answered an unexpected document")
    return body


def _reconcile(
    factory: sessionmaker[Session], connection: PeerConnection, report: HarvestReport
) -> str:
    """After a 410: make local copies match the peer's inventory and continue
    from the cursor it gives. Missing entries are deleted; newer ones fetched."""
    response = connection.get("/v1/federation/inventory")
    if response.status_code != 200:
        raise HarvestError(f"inventory answered {response.status_code}")
    body = _json(response)
    items = {str(i["id"]): i for i in body.get("items", []) if isinstance(i, dict) and "id" in i}
    cursor = body.get("cursor")
    if not isinstance(cursor, str):
        raise HarvestError("inventory gave no cursor")
    with factory() as session, session.begin():
        peer = session.get(Peer, connection.address.id)
        assert peer is not None
        held = {p.origin_id: p for p in repository.provenance_of_peer(session, peer.id)}
        for origin_id, prov in held.items():
            if origin_id not in items and not prov.deleted:
                _delete_local(session, prov)
                report.tombstones += 1
        wanted = [
            origin_id
            for origin_id, item in items.items()
            if origin_id not in held
            or held[origin_id].deleted
            or int(item.get("version", 0)) > held[origin_id].version
        ]
    for origin_id in wanted:
        fetched = connection.get(f"/v1/federation/entries/{origin_id}")
        if fetched.status_code == 404:
            continue
        if fetched.status_code != 200:
            raise HarvestError(f"entry fetch answered {fetched.status_code}")
        with factory() as session, session.begin():
            peer = session.get(Peer, connection.address.id)
            assert peer is not None
            apply_change(session, peer, _json(fetched), report)
    report.reconciled = True
    return cursor


def harvest_peer(
    factory: sessionmaker[Session],
    name: str,
    settings: Settings,
    *,
    http: httpx.Client | None = None,
    max_pages: int = 10_000,
) -> HarvestReport:
    """Pull `name`'s feed until it has nothing more; record success or back off."""
    report = HarvestReport(peer=name)
    with factory() as session:
        address = peer_address(session, name)
    owned = http is None
    client = http or httpx.Client(timeout=settings.federation_http_timeout_seconds)
    connection = PeerConnection(address, client)
    # The next page is pulled while this one is stored (one request in flight at a
    # time, pages still applied strictly in order): the peer's serving and our
    # writing overlap. A prefetched page whose predecessor failed is dropped.
    prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"harvest-{name}")
    cursor = address.cursor

    def pull(at: str | None) -> httpx.Response:
        return connection.get("/v1/federation/changes", {"cursor": at} if at else None)

    pending: Future[httpx.Response] | None = None
    try:
        for _ in range(max_pages):
            response = pending.result() if pending is not None else pull(cursor)
            pending = None
            if response.status_code == 410:
                cursor = _reconcile(factory, connection, report)
                _store_cursor(factory, address.id, cursor)
                continue
            if response.status_code != 200:
                raise HarvestError(
                    f"changes answered {response.status_code}: {response.text[:200]}"
                )
            body = _json(response)
            changes, next_cursor = body.get("changes"), body.get("cursor")
            if not isinstance(changes, list) or not isinstance(next_cursor, str):
                raise HarvestError("changes page without changes[] and cursor")
            if body.get("more"):
                pending = prefetch.submit(pull, next_cursor)
            with factory() as session, session.begin():
                peer = session.get(Peer, address.id)
                assert peer is not None
                apply_page(session, peer, changes, report)
                peer.harvest_cursor = next_cursor
            report.pages += 1
            cursor = next_cursor
            if not body.get("more"):
                break
    except (httpx.HTTPError, HarvestError) as exc:
        report.errors.append(str(exc) or type(exc).__name__)
        _record_failure(factory, address.id, settings, str(exc) or type(exc).__name__)
        return report
    finally:
        if pending is not None:
            pending.cancel()
        prefetch.shutdown(wait=True)
        if owned:
            client.close()
    _record_success(factory, address.id)
    return report


def _store_cursor(factory: sessionmaker[Session], peer_id: int, cursor: str) -> None:
    with factory() as session, session.begin():
        peer = session.get(Peer, peer_id)
        if peer is not None:
            peer.harvest_cursor = cursor


def _record_success(factory: sessionmaker[Session], peer_id: int) -> None:
    with factory() as session, session.begin():
        peer = session.get(Peer, peer_id)
        if peer is not None:
            peer.last_harvest_at = utcnow()
            peer.harvest_failures = 0
            peer.next_harvest_at = None
            peer.last_error = None


def backoff_seconds(failures: int, settings: Settings) -> float:
    base = max(settings.federation_poll_interval_seconds, 1.0)
    return float(min(base * 2 ** min(failures, 20), settings.federation_max_backoff_seconds))


def _record_failure(
    factory: sessionmaker[Session], peer_id: int, settings: Settings, error: str
) -> None:
    with factory() as session, session.begin():
        peer = session.get(Peer, peer_id)
        if peer is not None:
            peer.harvest_failures += 1
            peer.last_error = error[:1000]
            peer.next_harvest_at = utcnow() + timedelta(
                seconds=backoff_seconds(peer.harvest_failures, settings)
            )
    log.warning("harvest failed", peer_id=peer_id, error=error)


def due_peers(session: Session, now: datetime | None = None) -> list[str]:
    moment = now or datetime.now(UTC)
    rows = repository.harvest_schedule(session)
    return [name for name, due in rows if due is None or due <= moment]


class HarvestLoop:
    """Harvest every due peer every `federation_poll_interval_seconds`, each in its
    own worker thread: a peer still being harvested (slow, hanging until the HTTP
    timeout) is skipped this round while the others go ahead."""

    def __init__(
        self, factory: sessionmaker[Session], settings: Settings, *, workers: int = 8
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.stop_event = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="harvest")
        self._running: dict[str, Future[HarvestReport]] = {}
        self._thread: threading.Thread | None = None
        self._pruned_at = -PRUNE_EVERY_SECONDS

    def tick(self) -> None:
        self._running = {n: f for n, f in self._running.items() if not f.done()}
        with self.factory() as session:
            names = due_peers(session)
        for name in names:
            if name not in self._running:
                self._running[name] = self._pool.submit(
                    harvest_peer, self.factory, name, self.settings
                )

    def prune(self) -> None:
        """Drop our own feed's events past the retention horizon (hourly)."""
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        with self.factory() as session, session.begin():
            prune_feed(session, retention=timedelta(days=self.settings.federation_retention_days))
        self._pruned_at = now

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.tick()
                self.prune()
            except Exception as exc:  # the database may be briefly unavailable
                log.warning("harvest round failed", error=str(exc))
            self.stop_event.wait(self.settings.federation_poll_interval_seconds)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="harvest-loop", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(30)
