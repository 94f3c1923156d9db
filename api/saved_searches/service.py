"""Saved searches: the query they keep, who they run as, their feeds and alerts.

Owns: normalising and validating a saved query (the search endpoint's own
parameter declarations and checks), the per-account cap, feed keys (random,
stored as SHA-256, compared in constant time), the member's current principal,
and the alert checker. Does not own: who may read an entry (`api.access`), how a
search matches (`api.search.service`)."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Annotated, Any, get_args, get_origin, get_type_hints
from urllib.parse import parse_qsl, urlencode, urlsplit

import structlog
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.access import ANONYMOUS, Principal, live_clause
from api.access.policy import keeps_saved_searches, may_manage_saved_search
from api.auth.principals import principal_for_account
from api.config import Settings
from api.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from api.models import Entry, Organization, SavedSearch, SavedSearchAlert
from api.models.base import utcnow
from api.search import service as search_service
from api.search.router import SearchParams, search_params
from api.search.schemas import SearchResponse
from api.vocabularies.registry import VocabularyRegistry
from indexer.backends.base import FACETS, SearchBackend

log = structlog.get_logger("api.saved_searches")

MAX_SAVED_SEARCHES = 50  # per account
FEED_SIZE = 50  # newest matching entries in a feed
# The checker looks back this far before its last check, so an entry published
# just before it but indexed just after is not missed (alerts are unique per
# saved search and entry, so nothing is alerted twice).
LOOKBACK = timedelta(days=1)
CHECK_PAGE_SIZE = 100
CHECK_PAGES = 10


class SavedSearchNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such saved search.")


# -- the query ---------------------------------------------------------------------


@cache
def _declarations() -> dict[str, tuple[TypeAdapter[Any], bool]]:
    """`GET /v1/search`'s own parameter declarations (types, bounds, lengths), as
    validators: a saved query is refused exactly where the search would refuse it."""
    hints = get_type_hints(search_params, include_extras=True)
    found: dict[str, tuple[TypeAdapter[Any], bool]] = {}
    for name in inspect.signature(search_params).parameters:
        hint = hints[name]
        base = get_args(hint)[0] if get_origin(hint) is Annotated else hint
        found[name] = (TypeAdapter(hint), get_origin(base) is list)
    return found


def query_pairs(raw: str) -> list[tuple[str, str]]:
    """A search address in any form — a full URL, `/search?…`, `?…` or the bare
    query string — as its parameters."""
    text = raw.strip()
    if "?" in text:
        try:
            text = urlsplit(text).query if "://" in text else text.split("?", 1)[1]
        except ValueError as refused:  # e.g. a malformed IPv6 host
            raise ValidationFailed(
                "The query is not a search address.",
                errors=[FieldError("query", f"not a search address: {refused}")],
            ) from refused
    return parse_qsl(text.split("#", 1)[0])


def params_of(pairs: Iterable[tuple[str, str]]) -> SearchParams:
    """Parameters → `SearchParams`, validated by the search endpoint's declarations
    (errors name `query.<parameter>` as the search endpoint's do)."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    declarations = _declarations()
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, given in grouped.items():
        if name not in declarations:
            errors.append(FieldError(f"query.{name}", "is not a search parameter", value=name))
            continue
        adapter, many = declarations[name]
        try:
            values[name] = adapter.validate_python(given if many else given[-1])
        except ValidationError as refused:
            for error in refused.errors():
                where = "".join(f"[{part}]" for part in error["loc"] if isinstance(part, int))
                errors.append(FieldError(f"query.{name}{where}", error["msg"], type=error["type"]))
    if errors:
        raise ValidationFailed(
            "The saved query has invalid search parameters; see errors[].", errors=errors
        )
    return search_params(**values)


def normalised(params: SearchParams) -> str:
    """The query string kept: words, each filter's values sorted, years — in a fixed
    order, without presentation (page, sort, facets), so equal searches are equal."""
    items: list[tuple[str, str | int]] = []
    if params.q.strip():
        items.append(("q", params.q.strip()))
    for facet in FACETS:
        items.extend((facet, value) for value in sorted(set(params.filters.get(facet, ()))))
    if params.year_from is not None:
        items.append(("year_from", params.year_from))
    if params.year_to is not None:
        items.append(("year_to", params.year_to))
    return urlencode(items)


def validated_query(
    session_factory: sessionmaker[Session], registry: VocabularyRegistry, raw: str
) -> str:
    """The normalised query string, or the 422 the search endpoint would answer."""
    params = params_of(query_pairs(raw))
    search_service.check_request(
        session_factory, registry, params.filters, params.year_from, params.year_to
    )
    return normalised(params)


def stored_params(query: str) -> SearchParams:
    return params_of(parse_qsl(query))


# -- the saved searches ------------------------------------------------------------


def require_person(principal: Principal) -> int:
    """Saved searches belong to people: a signed-in member (machine clients have none)."""
    if not keeps_saved_searches(principal) or principal.account_id is None:
        raise Forbidden("Saved searches belong to members' accounts; machine clients have none.")
    return principal.account_id


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_feed_key() -> tuple[str, str]:
    """A random key and the hash that is kept."""
    key = secrets.token_urlsafe(32)
    return key, _hash(key)


def key_matches(saved: SavedSearch, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(saved.feed_key_hash, _hash(presented))


def list_own(session: Session, principal: Principal) -> list[SavedSearch]:
    account_id = require_person(principal)
    return list(
        session.scalars(
            select(SavedSearch)
            .where(SavedSearch.account_id == account_id)
            .order_by(SavedSearch.created_at.desc(), SavedSearch.id.desc())
        )
    )


def get_own(
    session: Session, principal: Principal, saved_id: int, action: str = "read_saved_search"
) -> SavedSearch:
    """The saved search if the caller may do `action` on it (`api.access.policy`);
    another member's answers like a missing one."""
    require_person(principal)
    saved = session.get(SavedSearch, saved_id)
    if saved is None or not may_manage_saved_search(principal, action, saved.account_id):
        raise SavedSearchNotFound()
    return saved


def create(
    session: Session, principal: Principal, *, name: str, query: str
) -> tuple[SavedSearch, str]:
    """`query` already validated and normalised. Returns the row and its feed key."""
    account_id = require_person(principal)
    assert principal.organization_id is not None  # a member acts for an organization
    count = session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.account_id == account_id)
    )
    if (count or 0) >= MAX_SAVED_SEARCHES:
        raise Conflict(
            f"An account keeps at most {MAX_SAVED_SEARCHES} saved searches; delete one first.",
            errors=[FieldError("name", f"no more than {MAX_SAVED_SEARCHES} saved searches")],
        )
    key, digest = new_feed_key()
    now = utcnow()
    saved = SavedSearch(
        account_id=account_id,
        organization_id=principal.organization_id,
        name=name,
        query=query,
        feed_key_hash=digest,
        created_at=now,
        checked_at=now,
    )
    session.add(saved)
    session.flush()
    return saved, key


def delete(session: Session, saved: SavedSearch) -> None:
    session.delete(saved)
    session.flush()


def renew_feed_key(session: Session, saved: SavedSearch) -> str:
    key, saved.feed_key_hash = new_feed_key()
    session.flush()
    return key


def mark_alerts_read(session: Session, saved: SavedSearch) -> None:
    saved.alerts_read_at = utcnow()
    session.flush()


# -- running as the member ---------------------------------------------------------


def member_principal(session: Session, saved: SavedSearch, settings: Settings) -> Principal:
    """The saved search's member as they are *now*: organization membership and
    roles read afresh. Someone no longer a member of the organization it was saved
    as is anonymous (public entries only)."""
    slug = session.scalar(select(Organization.slug).where(Organization.id == saved.organization_id))
    if slug is None:
        return ANONYMOUS
    try:
        return principal_for_account(
            session,
            saved.account_id,
            slug,
            operator=settings.operator_organization,
            channel="feed",
        )
    except Unauthorized:
        return ANONYMOUS


def _readable(session: Session, principal: Principal, ids: Sequence[str]) -> set[str]:
    """Of `ids`, the published entries `principal` reads now (owner or live reader):
    the database decides, so an entry narrowed or retracted a moment ago is gone
    even if the index has not caught up yet."""
    if not ids:
        return set()
    return set(session.scalars(select(Entry.id).where(Entry.id.in_(ids), live_clause(principal))))


def _search(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    principal: Principal,
    params: SearchParams,
    *,
    page: int,
    per_page: int,
) -> SearchResponse:
    return search_service.search_entries(
        session_factory,
        backend=backend,
        registry=registry,
        principal=principal,
        text=params.q,
        filters=params.filters,
        year_from=params.year_from,
        year_to=params.year_to,
        sort="newest",
        page=page,
        per_page=per_page,
    )


def feed_results(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    principal: Principal,
    saved: SavedSearch,
) -> SearchResponse:
    """The newest entries matching the saved search that `principal` reads now."""
    result = _search(
        session_factory,
        backend,
        registry,
        principal,
        stored_params(saved.query),
        page=1,
        per_page=FEED_SIZE,
    )
    with session_factory() as session:
        readable = _readable(session, principal, [hit.id for hit in result.hits])
    hits = [hit for hit in result.hits if hit.id in readable]
    return result.model_copy(update={"hits": hits, "total": len(hits)})


# -- alerts ------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckReport:
    checked: int
    alerts: int
    failed: int


def check_one(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    settings: Settings,
    saved_id: int,
) -> int:
    """Run one saved search as its member now; record an alert per entry published
    since the last check (less `LOOKBACK`, never before it was saved) that matches
    and that the member reads. Returns the number of alerts recorded."""
    started = utcnow()
    with session_factory() as session:
        saved = session.get(SavedSearch, saved_id)
        if saved is None:
            return 0
        principal = member_principal(session, saved, settings)
        since = max(saved.created_at, saved.checked_at - LOOKBACK)
        params = stored_params(saved.query)
    candidates: list[str] = []
    for page in range(1, CHECK_PAGES + 1):
        result = _search(
            session_factory,
            backend,
            registry,
            principal,
            params,
            page=page,
            per_page=CHECK_PAGE_SIZE,
        )
        candidates.extend(hit.id for hit in result.hits)
        oldest = result.hits[-1].published_at if result.hits else None
        if len(result.hits) < CHECK_PAGE_SIZE or (oldest is not None and oldest < since.date()):
            break
    with session_factory() as session, session.begin():
        saved = session.get(SavedSearch, saved_id)
        if saved is None:
            return 0
        new = set()
        if candidates:
            new = set(
                session.scalars(
                    select(Entry.id).where(
                        Entry.id.in_(candidates),
                        live_clause(principal),
                        Entry.published_at > since,
                    )
                )
            )
        if new:
            new -= set(
                session.scalars(
                    select(SavedSearchAlert.entry_id).where(
                        SavedSearchAlert.saved_search_id == saved_id,
                        SavedSearchAlert.entry_id.in_(sorted(new)),
                    )
                )
            )
        session.add_all(
            SavedSearchAlert(saved_search_id=saved_id, entry_id=entry_id, created_at=started)
            for entry_id in sorted(new)
        )
        saved.checked_at = started
    return len(new)


def check_all(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    registry: VocabularyRegistry,
    settings: Settings,
) -> CheckReport:
    """Every saved search, each in its own transaction: one that fails (a filter
    code since removed from its vocabulary, a concurrent checker) does not stop the
    others, and is tried again next time."""
    with session_factory() as session:
        ids = list(session.scalars(select(SavedSearch.id).order_by(SavedSearch.id)))
    alerts = failed = 0
    for saved_id in ids:
        try:
            alerts += check_one(session_factory, backend, registry, settings, saved_id)
        except (ValidationFailed, IntegrityError) as exc:
            failed += 1
            log.warning("saved search check failed", saved_search=saved_id, error=str(exc))
    return CheckReport(checked=len(ids), alerts=alerts, failed=failed)


def _visible_alerts(principal: Principal, account_id: int) -> Any:
    return (
        select(SavedSearchAlert, SavedSearch, Entry)
        .join(SavedSearch, SavedSearch.id == SavedSearchAlert.saved_search_id)
        .join(Entry, Entry.id == SavedSearchAlert.entry_id)
        .where(SavedSearch.account_id == account_id, live_clause(principal))
    )


def new_counts(
    session: Session, principal: Principal, saved: Sequence[SavedSearch]
) -> Mapping[int, int]:
    """Per saved search, the alerts since it was marked read whose entry the caller
    reads now (an entry retracted or narrowed since is not counted)."""
    if not saved:
        return {}
    account_id = require_person(principal)
    rows = session.execute(
        select(SavedSearchAlert.saved_search_id, func.count())
        .join(SavedSearch, SavedSearch.id == SavedSearchAlert.saved_search_id)
        .join(Entry, Entry.id == SavedSearchAlert.entry_id)
        .where(
            SavedSearch.account_id == account_id,
            SavedSearch.id.in_([s.id for s in saved]),
            (SavedSearch.alerts_read_at.is_(None))
            | (SavedSearchAlert.created_at > SavedSearch.alerts_read_at),
            live_clause(principal),
        )
        .group_by(SavedSearchAlert.saved_search_id)
    )
    return {saved_id: count for saved_id, count in rows}


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    saved_id: int | None,
    page: int,
    per_page: int,
) -> tuple[list[tuple[SavedSearchAlert, SavedSearch, Entry]], int]:
    """The caller's alerts, newest first, each entry rechecked against the caller's
    visibility now."""
    account_id = require_person(principal)
    query = _visible_alerts(principal, account_id)
    if saved_id is not None:
        get_own(session, principal, saved_id, "read_alerts")
        query = query.where(SavedSearch.id == saved_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(SavedSearchAlert.created_at.desc(), SavedSearchAlert.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(alert, saved, entry) for alert, saved, entry in rows], total


def is_new(alert: SavedSearchAlert, saved: SavedSearch) -> bool:
    return saved.alerts_read_at is None or alert.created_at > saved.alerts_read_at
