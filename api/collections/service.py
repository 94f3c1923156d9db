"""Collection use cases: create, edit, delete, set the items, and read them per caller.

Owns the `collection` and `collection_item` rows. It does not decide who may read
an entry: every query over entries here goes through `api.access.visible_clause`,
so items are filtered for the caller when read — an entry made private or
retracted after it was added drops out of everyone's view but those still
entitled to it, and out of their counts and positions too. A collection's own
visibility (`public` | `network`) uses the caller's reader tags from the same module.
A public collection is an OAI-PMH set: every change of its name, visibility or
items has its entries' records re-stamped (`api.feedlog.touch`).

Invariant: nothing built here names, counts or positions an entry the caller may
not read. Services flush; the request's unit of work commits."""

from __future__ import annotations

from sqlalchemy import Subquery, delete, func, select
from sqlalchemy.orm import Session

from api.access import NETWORK, PUBLIC, Principal, access_to, principal_tags, visible_clause
from api.audit import record_event
from api.collections.schemas import CollectionCreate, CollectionItemIn, CollectionUpdate
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.feedlog import touch
from api.models import Collection, CollectionItem, Entry
from api.models.base import utcnow

SUBJECT = "collection"


class CollectionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No collection with this name is visible to you.")


def readable_visibilities(principal: Principal) -> list[str]:
    """Collection visibilities the caller may read: the entry tags `public`/`network`
    mean the same thing here, so a machine client without `entries:read` sees only
    public collections, exactly as it sees only public entries."""
    tags = principal_tags(principal)
    return [v for v in (PUBLIC, NETWORK) if v in tags]


def _visible_item_counts(principal: Principal) -> Subquery:
    return (
        select(CollectionItem.collection_id, func.count().label("n"))
        .join(Entry, Entry.id == CollectionItem.entry_id)
        .where(visible_clause(principal))
        .group_by(CollectionItem.collection_id)
        .subquery()
    )


def list_collections(session: Session, principal: Principal) -> list[tuple[Collection, int]]:
    """Readable collections with the number of items the caller can see in each."""
    counts = _visible_item_counts(principal)
    rows = session.execute(
        select(Collection, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.collection_id == Collection.id)
        .where(Collection.visibility.in_(readable_visibilities(principal)))
        .order_by(Collection.title, Collection.slug)
    ).all()
    return [(collection, int(count)) for collection, count in rows]


def get_readable_collection(session: Session, principal: Principal, slug: str) -> Collection:
    """The collection, or 404 — also for a network collection asked for anonymously."""
    collection = session.scalar(
        select(Collection).where(
            Collection.slug == slug,
            Collection.visibility.in_(readable_visibilities(principal)),
        )
    )
    if collection is None:
        raise CollectionNotFound()
    return collection


def visible_items(
    session: Session, principal: Principal, collection: Collection
) -> list[tuple[CollectionItem, Entry]]:
    """The items whose entry the caller may read, in the curated order."""
    rows = session.execute(
        select(CollectionItem, Entry)
        .join(Entry, Entry.id == CollectionItem.entry_id)
        .where(CollectionItem.collection_id == collection.id, visible_clause(principal))
        .order_by(CollectionItem.position, CollectionItem.id)
    ).all()
    return [(item, entry) for item, entry in rows]


def collections_containing(
    session: Session, principal: Principal, entry_id: str
) -> list[Collection]:
    """Readable collections that list `entry_id`. The caller must already have been
    allowed to read the entry itself (this looks at collections, not at entries)."""
    return list(
        session.scalars(
            select(Collection)
            .join(CollectionItem, CollectionItem.collection_id == Collection.id)
            .where(
                CollectionItem.entry_id == entry_id,
                Collection.visibility.in_(readable_visibilities(principal)),
            )
            .order_by(Collection.title, Collection.slug)
            .distinct()
        )
    )


def create_collection(
    session: Session, *, principal: Principal, data: CollectionCreate
) -> Collection:
    if session.scalar(select(Collection.id).where(Collection.slug == data.slug)) is not None:
        raise Conflict(f"A collection named {data.slug!r} exists already.")
    now = utcnow()
    collection = Collection(
        slug=data.slug,
        title=data.title,
        description=data.description,
        visibility=data.visibility,
        created_by_account_id=principal.account_id,
        created_at=now,
        updated_at=now,
    )
    session.add(collection)
    session.flush()
    record_event(
        session,
        principal=principal,
        action="collection.created",
        subject_type=SUBJECT,
        subject_id=collection.slug,
        details={"title": collection.title, "visibility": collection.visibility},
    )
    return collection


def _collection_for_change(session: Session, slug: str) -> Collection:
    # Curators and node admins are signed-in members, so they may read every
    # collection: looking it up without the readability filter hides nothing.
    collection = session.scalar(select(Collection).where(Collection.slug == slug))
    if collection is None:
        raise CollectionNotFound()
    return collection


def _item_ids(session: Session, collection: Collection) -> list[str]:
    return list(
        session.scalars(
            select(CollectionItem.entry_id)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(CollectionItem.position)
        )
    )


def update_collection(
    session: Session,
    *,
    principal: Principal,
    slug: str,
    data: CollectionUpdate,
) -> Collection:
    collection = _collection_for_change(session, slug)
    changed: dict[str, str] = {}
    for name in sorted(data.model_fields_set):
        value = getattr(data, name)
        if value is None:
            raise ValidationFailed(
                "A field cannot be null.", errors=[FieldError(name, f"{name} cannot be null")]
            )
        if getattr(collection, name) != value:
            setattr(collection, name, value)
            changed[name] = value
    if changed:
        collection.updated_at = utcnow()
        if "visibility" in changed:
            touch(session, _item_ids(session, collection))
        session.flush()
        record_event(
            session,
            principal=principal,
            action="collection.updated",
            subject_type=SUBJECT,
            subject_id=collection.slug,
            details={"changed": changed},
        )
    return collection


def delete_collection(session: Session, *, principal: Principal, slug: str) -> None:
    collection = _collection_for_change(session, slug)
    record_event(
        session,
        principal=principal,
        action="collection.deleted",
        subject_type=SUBJECT,
        subject_id=collection.slug,
        details={"title": collection.title},
    )
    items = _item_ids(session, collection)
    session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    session.delete(collection)
    touch(session, items)  # after the statements above, whose autoflush would consume it
    session.flush()


def set_items(
    session: Session,
    *,
    principal: Principal,
    slug: str,
    items: list[CollectionItemIn],
) -> Collection:
    """Replace the collection's items with `items`, in that order.

    Every item must be a published entry the curator can read; an id they cannot
    read gets the same message as one that does not exist. Items already in the
    collection that this curator cannot read are replaced like the rest: the
    list sent is the whole list."""
    collection = _collection_for_change(session, slug)
    wanted = [item.entry_id for item in items]
    # Collected entries are shown to their readers: the curator must read the
    # entry's live version (reviewing a pending widening is not reading it).
    readable: dict[str, str] = {
        entry.id: entry.status
        for entry in session.scalars(
            select(Entry).where(Entry.id.in_(set(wanted)), visible_clause(principal))
        )
        if not access_to(principal, entry).review_only
    }
    errors: list[FieldError] = []
    first_seen: dict[str, int] = {}
    for index, entry_id in enumerate(wanted):
        field = f"items[{index}].entry_id"
        if entry_id in first_seen:
            errors.append(
                FieldError(field, f"listed twice (first as items[{first_seen[entry_id]}])")
            )
            continue
        first_seen[entry_id] = index
        status = readable.get(entry_id)
        if status is None:
            errors.append(
                FieldError(field, "no entry with this id is visible to you", entry_id=entry_id)
            )
        elif status != "published":
            errors.append(
                FieldError(field, f"only published entries can be collected (this one is {status})")
            )
    if errors:
        raise ValidationFailed("Some items cannot be put in the collection.", errors=errors)

    before = _item_ids(session, collection)
    session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    session.add_all(
        CollectionItem(
            collection_id=collection.id, entry_id=item.entry_id, position=n, note=item.note
        )
        for n, item in enumerate(items, start=1)
    )
    collection.updated_at = utcnow()
    touch(session, set(before) ^ set(wanted))
    session.flush()
    record_event(
        session,
        principal=principal,
        action="collection.items_set",
        subject_type=SUBJECT,
        subject_id=collection.slug,
        details={
            "entry_ids": wanted,
            "added": sorted(set(wanted) - set(before)),
            "removed": sorted(set(before) - set(wanted)),
        },
    )
    return collection
