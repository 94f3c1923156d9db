"""Evidence use cases: follow-ups, ratings and disputes, and indicator comparisons.

Services flush, never commit, and decide no permission: routes declare the action
(`rate`, `respond` in `api.access.policy`). Which entries and rows a caller sees is
decided here only by the one rule: `readable_evidence` for one entry, and
`live_entries` (the visibility clause, then the same capacity check) for lists."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, func, select, type_coerce
from sqlalchemy.orm import Session

from api.access import (
    Principal,
    access_to,
    live_clause,
    org_tag,
    organization_known_clause,
    organization_shown,
    principal_tags,
)
from api.audit import record_event
from api.entries.schemas import OrganizationRef
from api.entries.views import entry_href, organization_ref, profile_read
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.evidence.schemas import (
    DisputeRead,
    EntryRef,
    FollowUpIn,
    FollowUpRead,
    IndicatorRow,
    ProfileRow,
    RatingIn,
    RatingRead,
    RecommendationRead,
    TimelineItem,
    TimelineValue,
    TrackerRow,
)
from api.evidence.sql import in_regions, json_codes, names_any
from api.models import (
    Entry,
    EvidenceRating,
    IndicatorValue,
    Organization,
    RatingDispute,
    RecommendationFollowUp,
)
from api.models.base import utcnow
from api.safety.small_cells import PEOPLE_COUNT, Indicator, protect_indicators
from api.vocabularies.registry import VocabularyRegistry

FOLLOW_UP_INDICATOR = "follow_up_months"
_CHUNK = 900  # ids per IN list (SQLite allows 32,766 parameters; plans stay small)
_MONTHS_IN_CODE = re.compile(r"_(\d+)m$")


def readable_evidence(principal: Principal, entry: Entry) -> bool:
    """Whether the caller sees an entry's follow-ups, ratings and indicator rows: the
    owner, and readers of its live published version — not a curator who only
    reviews a pending widening (they see the revision under review, nothing else)."""
    access = access_to(principal, entry)
    return access.owner or access.live


def live_entries(
    session: Session, principal: Principal, *conditions: Any, order: Sequence[Any] = ()
) -> list[Entry]:
    """Published entries the caller reads as owner or live reader, matching `conditions`."""
    query = select(Entry).where(live_clause(principal), *conditions)
    rows = session.scalars(query.order_by(*order, Entry.id)).all()
    return [entry for entry in rows if readable_evidence(principal, entry)]


def entry_ref(principal: Principal, entry: Entry) -> EntryRef:
    return EntryRef(
        id=entry.id,
        title=entry.title,
        kind=entry.kind,
        href=entry_href(entry.id),
        organization=organization_ref(organization_shown(principal, entry)),
    )


# -- recommendations and their follow-ups -----------------------------------------


def _follow_up_read(row: RecommendationFollowUp | None) -> FollowUpRead | None:
    if row is None:
        return None
    return FollowUpRead(
        action=row.action,
        responsible_unit=row.responsible_unit,
        due_date=row.due_date,
        status=row.status,
        updated_at=row.updated_at,
    )


def _follow_ups(session: Session, entry_ids: Iterable[str]) -> dict[tuple[str, str], Any]:
    ids = sorted(set(entry_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(RecommendationFollowUp).where(RecommendationFollowUp.entry_id.in_(ids))
    )
    return {(row.entry_id, row.recommendation_id): row for row in rows}


def _recommendation(item: dict[str, Any], follow_up: Any) -> RecommendationRead:
    return RecommendationRead(
        id=item["id"],
        text=item["text"],
        program_types=list(item.get("program_types") or []),
        outcomes=list(item.get("outcomes") or []),
        follow_up=_follow_up_read(follow_up),
    )


def recommendations(session: Session, entry: Entry) -> list[RecommendationRead]:
    """The live version's recommendations, each with its follow-up (caller checked
    `readable_evidence`)."""
    follow_ups = _follow_ups(session, [entry.id])
    return [
        _recommendation(item, follow_ups.get((entry.id, item["id"])))
        for item in entry.recommendations or []
    ]


def set_follow_up(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    recommendation_id: str,
    data: FollowUpIn,
) -> RecommendationRead:
    item = next((r for r in entry.recommendations or [] if r["id"] == recommendation_id), None)
    if item is None:
        raise NotFound("The published entry has no recommendation with this id.")
    row = session.scalar(
        select(RecommendationFollowUp).where(
            RecommendationFollowUp.entry_id == entry.id,
            RecommendationFollowUp.recommendation_id == recommendation_id,
        )
    )
    if row is None:
        row = RecommendationFollowUp(entry_id=entry.id, recommendation_id=recommendation_id)
        session.add(row)
    row.action = data.action
    row.responsible_unit = data.responsible_unit
    row.due_date = data.due_date
    row.status = data.status
    row.updated_by_account_id = principal.account_id
    row.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        principal=principal,
        action="evidence.follow_up_set",
        entry_id=entry.id,
        details={"recommendation": recommendation_id, "status": data.status},
    )
    return _recommendation(item, row)


def tracker(
    session: Session, principal: Principal, *, status: str | None, kind: str | None
) -> tuple[list[TrackerRow], dict[str, int]]:
    """Every recommendation of the entries the caller reads live, with its follow-up;
    `status` filters by follow-up status (`none`: no follow-up yet)."""
    conditions: list[Any] = [func.json_array_length(Entry.recommendations) > 0]
    if kind:
        conditions.append(Entry.kind == kind)
    entries = live_entries(session, principal, *conditions, order=(Entry.published_at.desc(),))
    follow_ups = _follow_ups(session, (e.id for e in entries))
    rows: list[TrackerRow] = []
    counts: dict[str, int] = {}
    for entry in entries:
        ref = entry_ref(principal, entry)
        for item in entry.recommendations or []:
            follow_up = follow_ups.get((entry.id, item["id"]))
            state = follow_up.status if follow_up is not None else "none"
            counts[state] = counts.get(state, 0) + 1
            if status is None or status == state:
                rows.append(TrackerRow(entry=ref, recommendation=_recommendation(item, follow_up)))
    return rows, counts


# -- evidence labels per outcome ---------------------------------------------------


def _rating_read(
    row: EvidenceRating, disputes: Sequence[RatingDispute], registry: VocabularyRegistry
) -> RatingRead:
    term = registry.get("indicator", row.outcome)
    return RatingRead(
        id=row.id,
        outcome=row.outcome,
        outcome_label=term.label if term else None,
        effect=row.effect,
        evaluation_design=row.evaluation_design,
        evidence_level=row.evidence_level,
        reasoning=row.reasoning,
        rated_at=row.rated_at,
        current=row.ended_at is None,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        end_comment=row.end_comment,
        disputes=[DisputeRead(id=d.id, text=d.text, created_at=d.created_at) for d in disputes],
    )


def ratings(
    session: Session, entry: Entry, registry: VocabularyRegistry
) -> tuple[list[RatingRead], list[RatingRead]]:
    """(current ratings by outcome, ended ones newest first) of an entry."""
    rows = session.scalars(
        select(EvidenceRating)
        .where(EvidenceRating.entry_id == entry.id)
        .order_by(EvidenceRating.rated_at.desc(), EvidenceRating.id.desc())
    ).all()
    disputes: dict[int, list[RatingDispute]] = {}
    if rows:
        for dispute in session.scalars(
            select(RatingDispute)
            .where(RatingDispute.rating_id.in_([r.id for r in rows]))
            .order_by(RatingDispute.created_at, RatingDispute.id)
        ):
            disputes.setdefault(dispute.rating_id, []).append(dispute)
    shown = [_rating_read(r, disputes.get(r.id, []), registry) for r in rows]
    current = sorted((r for r in shown if r.current), key=lambda r: r.outcome)
    return current, [r for r in shown if not r.current]


def _current_rating(session: Session, entry_id: str, outcome: str) -> EvidenceRating | None:
    return session.scalar(
        select(EvidenceRating).where(
            EvidenceRating.entry_id == entry_id,
            EvidenceRating.outcome == outcome,
            EvidenceRating.ended_at.is_(None),
        )
    )


def rate(
    session: Session,
    *,
    principal: Principal,
    entry: Entry,
    data: RatingIn,
    registry: VocabularyRegistry,
) -> EvidenceRating:
    errors = [
        FieldError(field, f"{value!r} is not a {vocabulary} code", code=value,
                   vocabulary=vocabulary, valid_codes=f"/v1/vocabularies/{vocabulary}")
        for field, vocabulary, value in (
            ("outcome", "indicator", data.outcome),
            ("evaluation_design", "evaluation_design", data.evaluation_design),
            ("evidence_level", "evidence_level", data.evidence_level),
        )
        if not registry.is_valid(vocabulary, value)
    ]  # fmt: skip
    if errors:
        raise ValidationFailed("Some fields have values that are not allowed.", errors=errors)
    now = utcnow()
    previous = _current_rating(session, entry.id, data.outcome)
    if previous is not None:
        previous.ended_at = now
        previous.end_reason = "changed"
    row = EvidenceRating(
        entry_id=entry.id,
        outcome=data.outcome,
        effect=data.effect,
        evaluation_design=data.evaluation_design,
        evidence_level=data.evidence_level,
        reasoning=data.reasoning,
        rated_by_account_id=principal.account_id,
        rated_at=now,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        principal=principal,
        action="evidence.rated",
        entry_id=entry.id,
        details={"outcome": data.outcome, "effect": data.effect, "level": data.evidence_level,
                 "replaces": previous.id if previous is not None else None},
    )  # fmt: skip
    return row


def _rating_of(session: Session, entry: Entry, rating_id: int) -> EvidenceRating:
    row = session.get(EvidenceRating, rating_id)
    if row is None or row.entry_id != entry.id:
        raise NotFound("This entry has no rating with this id.")
    return row


def withdraw(
    session: Session, *, principal: Principal, entry: Entry, rating_id: int, comment: str
) -> EvidenceRating:
    row = _rating_of(session, entry, rating_id)
    if row.ended_at is not None:
        raise Conflict("This rating was already changed or withdrawn; it stays as history.")
    row.ended_at = utcnow()
    row.end_reason = "withdrawn"
    row.end_comment = comment
    session.flush()
    record_event(session, principal=principal, action="evidence.rating_withdrawn",
                 entry_id=entry.id, details={"rating": row.id})  # fmt: skip
    return row


def dispute(
    session: Session, *, principal: Principal, entry: Entry, rating_id: int, text: str
) -> RatingDispute:
    rating = _rating_of(session, entry, rating_id)
    row = RatingDispute(rating_id=rating.id, text=text, created_by_account_id=principal.account_id)
    session.add(row)
    session.flush()
    record_event(session, principal=principal, action="evidence.rating_disputed",
                 entry_id=entry.id, details={"rating": rating.id})  # fmt: skip
    return row


# -- indicators across entries -----------------------------------------------------


@dataclass(frozen=True)
class IndicatorFilters:
    program_type: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None


def entry_year(entry: Any) -> int | None:
    """End of the period reported, else its start, else the year of publication."""
    moment = entry.period_end or entry.period_start or entry.published_at
    return moment.year if moment is not None else None


def _months_in_code(code: str) -> float | None:
    """The follow-up period an indicator's code names (`recidivism_any_12m` → 12)."""
    match = _MONTHS_IN_CODE.search(code)
    return float(match.group(1)) if match else None


class _Admits:
    """The program-type and year filters applied to one listed entry (kind and region
    are decided in SQL, `_narrowing`); each distinct type list (they recur across
    thousands of entries) is parsed once."""

    def __init__(self, filters: IndicatorFilters) -> None:
        self.filters = filters
        self._types: dict[Any, bool] = {}

    def _of_type(self, value: Any) -> bool:
        key = value if isinstance(value, str) else tuple(value or ())
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = bool(set(self.filters.program_type) & set(json_codes(value)))
        return found

    def __call__(self, entry: Any) -> bool:
        filters = self.filters
        if filters.program_type and not self._of_type(entry.program_types):
            return False
        year = entry_year(entry)
        if filters.year_from is not None and (year is None or year < filters.year_from):
            return False
        return filters.year_to is None or (year is not None and year <= filters.year_to)


def _listing_order(entry: Any) -> tuple[bool, int, str, str]:
    year = entry_year(entry)
    return (year is None, year or 0, entry.title, entry.id)


def _narrowing(filters: IndicatorFilters) -> list[Any]:
    """SQL conditions that keep every published entry `_Admits` admits and drop most
    (kind and region: all) of the others."""
    conditions: list[Any] = []
    if filters.kind:
        conditions.append(Entry.kind.in_(filters.kind))
    if filters.program_type:
        conditions.append(names_any(Entry.program_types, filters.program_type))
    if filters.region:
        conditions.append(in_regions(filters.region))
    return conditions


def _row_columns(principal: Principal) -> Select[*tuple[Any, ...]]:
    """What a row shows of its entry. Whether the caller may know each one's
    organization comes from `organization_known_clause` (the SQL form of
    `organization_shown`)."""
    return select(
        Entry.id, Entry.title, Entry.kind, Entry.organization_id, Entry.program_types,
        Entry.regions, Entry.period_start, Entry.period_end, Entry.published_at,
        Entry.evaluation_design, Entry.evidence_level, Organization.slug, Organization.name,
        organization_known_clause(principal).label("known"),
    ).join(Organization, Organization.id == Entry.organization_id)  # fmt: skip


def _indicator_entries(
    session: Session,
    principal: Principal,
    code: str,
    filters: IndicatorFilters,
    *,
    whole: bool = True,
) -> list[Any]:
    """The entries holding a value of `code` that the caller reads live or owns
    (`live_clause`) and the filters admit, in listing order (year, title, id).

    Columns, not entities. `whole=False` reads only what listing and filtering need
    (id, title, kind, dates, the type list only when filtered on, unparsed) and how
    many values of `code` each holds (its rows): a page then reads the rest for its
    own entries (`indicator_page`)."""
    has_code = select(IndicatorValue.entry_id).where(IndicatorValue.code == code)
    if whole:
        query = _row_columns(principal)
    else:
        values = (
            select(func.count())
            .where(IndicatorValue.entry_id == Entry.id, IndicatorValue.code == code)
            .scalar_subquery()
        )
        columns: list[Any] = [Entry.id, Entry.title, Entry.kind, Entry.period_start,
                              Entry.period_end, Entry.published_at,
                              values.label("values")]  # fmt: skip
        if filters.program_type:
            columns.append(type_coerce(Entry.program_types, String).label("program_types"))
        query = select(*columns)
    query = query.where(live_clause(principal), Entry.id.in_(has_code),
                        *_narrowing(filters))  # fmt: skip
    admits = _Admits(filters)
    entries = [e for e in session.execute(query) if admits(e)]
    entries.sort(key=_listing_order)
    return entries


def _indicator_rows_of(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    code: str,
    entries: Sequence[Any],
    *,
    small_cell_k: int,
) -> list[IndicatorRow]:
    """The rows of `entries` (in their order; an entry's values in theirs): only the
    indicator values the small-cell rule needs are read (this code, the people counts
    its bases come from, the follow-up period), and the current rating of the outcome."""
    if not entries:
        return []
    people = [t.code for t in registry.terms("indicator") if t.unit == PEOPLE_COUNT]
    needed = sorted({code, FOLLOW_UP_INDICATOR, *people})
    unit_of = {c: registry.indicator_unit(c) for c in needed}
    values: dict[str, list[Any]] = {}
    current: dict[str, EvidenceRating] = {}
    ids = [e.id for e in entries]
    # The entries are those found by the caller's rule; their ids bound both queries.
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for found in session.execute(
            select(IndicatorValue.entry_id, IndicatorValue.code, IndicatorValue.value,
                   IndicatorValue.note)
            .where(IndicatorValue.entry_id.in_(chunk), IndicatorValue.code.in_(needed))
            .order_by(IndicatorValue.entry_id, IndicatorValue.position)
        ):  # fmt: skip
            values.setdefault(found.entry_id, []).append(found)
        for label in session.scalars(
            select(EvidenceRating).where(EvidenceRating.entry_id.in_(chunk),
                                         EvidenceRating.outcome == code,
                                         EvidenceRating.ended_at.is_(None))
        ):  # fmt: skip
            current[label.entry_id] = label
    tags = principal_tags(principal)
    hidden = organization_ref(None)
    named_months = _months_in_code(code)
    rows: list[IndicatorRow] = []
    for entry in entries:
        owner = org_tag(entry.organization_id) in tags
        items = values.get(entry.id, [])
        shown = protect_indicators(
            [Indicator(i.code, i.value, unit_of[i.code], i.note) for i in items],
            k=small_cell_k, viewer_is_owner=owner, codes=(code,),
        )  # fmt: skip
        if not shown:
            continue
        rating = current.get(entry.id)
        ref = EntryRef(
            id=entry.id, title=entry.title, kind=entry.kind, href=entry_href(entry.id),
            organization=OrganizationRef(slug=entry.slug, name=entry.name) if entry.known
            else hidden,
        )  # fmt: skip
        stated = next((i.value for i in items if i.code == FOLLOW_UP_INDICATOR), None)
        for value in shown:
            rows.append(
                IndicatorRow(
                    entry=ref,
                    program_types=list(entry.program_types or []),
                    regions=list(entry.regions or []),
                    year=entry_year(entry),
                    follow_up_months=stated if stated is not None else named_months,
                    evaluation_design=rating.evaluation_design if rating
                    else entry.evaluation_design,
                    evidence_level=rating.evidence_level if rating else entry.evidence_level,
                    evidence_source="rating" if rating
                    else ("entry" if entry.evidence_level else None),
                    effect=rating.effect if rating else None,
                    value=value.value,
                    display=value.display,
                    suppressed=value.suppressed,
                    note=value.note,
                )
            )  # fmt: skip
    return rows


def indicator_rows(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    code: str,
    filters: IndicatorFilters,
    *,
    small_cell_k: int,
) -> list[IndicatorRow]:
    """Every value of indicator `code` the caller may see, one row per entry and value,
    ordered by year, then title: small cells "< k" unless the caller owns the entry."""
    entries = _indicator_entries(session, principal, code, filters)
    return _indicator_rows_of(session, principal, registry, code, entries,
                              small_cell_k=small_cell_k)  # fmt: skip


def indicator_page(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    code: str,
    filters: IndicatorFilters,
    *,
    small_cell_k: int,
    offset: int,
    limit: int,
) -> tuple[int, list[IndicatorRow]]:
    """`indicator_rows[offset : offset + limit]` and the number of rows, building only
    the rows asked for: the total counts the values of `code` per listed entry (every
    value is a row, a small cell too), so the rest are never read or protected."""
    entries = _indicator_entries(session, principal, code, filters, whole=False)
    total, skipped, wanted = 0, 0, []
    for entry in entries:
        n = entry.values
        if total + n <= offset:
            skipped += n
        elif total < offset + limit:
            wanted.append(entry)
        total += n
    # The page's entries in full, through the same rule, in the listing's order.
    ids = [e.id for e in wanted]
    full = {e.id: e for e in session.execute(
        _row_columns(principal).where(live_clause(principal), Entry.id.in_(ids)))}  # fmt: skip
    rows = _indicator_rows_of(session, principal, registry, code,
                              [full[i] for i in ids if i in full],
                              small_cell_k=small_cell_k)  # fmt: skip
    first = offset - skipped
    return total, rows[first : first + limit]


# -- program profiles ----------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFilters:
    objective: tuple[str, ...] = ()
    entry_route: tuple[str, ...] = ()
    discipline: tuple[str, ...] = ()
    reporting_rule: tuple[str, ...] = ()
    program_type: tuple[str, ...] = ()
    region: tuple[str, ...] = ()


def _profile_matches(entry: Entry, filters: ProfileFilters, registry: VocabularyRegistry) -> bool:
    """Within a field, any of the values; across fields, all of them."""
    profile = entry.profile or {}
    wanted = (
        (filters.objective, profile.get("objectives") or []),
        (filters.entry_route, profile.get("entry_routes") or []),
        (filters.discipline, profile.get("disciplines") or []),
        (filters.reporting_rule, [profile["reporting_rule"]] if profile.get("reporting_rule")
         else []),
        (filters.program_type, entry.program_types or []),
        (filters.region, registry.expand_regions(entry.regions or [])),
    )  # fmt: skip
    return all(not want or set(want) & set(have) for want, have in wanted)


def profile_rows(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    filters: ProfileFilters,
    *,
    small_cell_k: int,
    ids: Sequence[str] = (),
) -> list[ProfileRow]:
    """Program profiles the caller reads live (or owns), filtered; with `ids`, those
    entries in that order (an id the caller may not read is left out)."""
    conditions: list[Any] = [Entry.profile.isnot(None)]
    if ids:
        conditions.append(Entry.id.in_(list(ids)))
    entries = [
        e
        for e in live_entries(session, principal, *conditions, order=(Entry.title,))
        if e.profile and _profile_matches(e, filters, registry)
    ]
    if ids:
        position = {entry_id: n for n, entry_id in enumerate(ids)}
        entries.sort(key=lambda e: position[e.id])
    rows = []
    for entry in entries:
        shown = profile_read(entry.profile, owner=access_to(principal, entry).owner,
                             small_cell_k=small_cell_k)  # fmt: skip
        assert shown is not None
        rows.append(ProfileRow(
            entry=entry_ref(principal, entry), program_types=list(entry.program_types),
            regions=list(entry.regions), year=entry_year(entry), profile=shown,
        ))  # fmt: skip
    return rows


# -- program timeline ----------------------------------------------------------------


def timeline(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    program: Entry,
    *,
    small_cell_k: int,
) -> list[TimelineItem]:
    """The entries that belong to a program profile (`program_id`) and that the caller
    reads live or owns, oldest period first, each with its indicators as the caller
    may see them (small cells "< k"): the program's results over the years."""
    entries = live_entries(session, principal, Entry.program_id == program.id)
    items = []
    for entry in entries:
        owner = access_to(principal, entry).owner
        shown = protect_indicators(
            [Indicator(i.code, i.value, registry.indicator_unit(i.code), i.note)
             for i in entry.indicators],
            k=small_cell_k, viewer_is_owner=owner,
        )  # fmt: skip
        items.append(TimelineItem(
            entry=entry_ref(principal, entry), year=entry_year(entry),
            evaluation_design=entry.evaluation_design, evidence_level=entry.evidence_level,
            indicators={s.code: TimelineValue(value=s.value, display=s.display,
                                              suppressed=s.suppressed) for s in shown},
            findings=[f["text"] for f in entry.findings or []],
            recommendations=[r["text"] for r in entry.recommendations or []],
        ))  # fmt: skip
    items.sort(key=lambda i: (i.year is None, i.year or 0, i.entry.title))
    return items
