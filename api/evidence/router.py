"""Evidence API: recommendations and their follow-ups, ratings per outcome, and
indicator values compared across entries.

Reading needs only the entry to be visible (`VisibleEntry`), then the capacity
check `readable_evidence`; writing declares `rate` (curators of other
organizations) or `respond` (the owner's publishers) from the policy table."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import StringConstraints

from api.auth.dependencies import CurrentPrincipal
from api.bounds import DatabaseId
from api.db import ReadSession, WriteSession
from api.entries.dependencies import EntryFor, VisibleEntry, small_cell_k_of
from api.entries.schemas import (
    POLICY_KIND,
    EntryRoute,
    Objective,
    PolicyLevel,
    PolicyStatus,
    ReportingRule,
)
from api.errors import FieldError, NotFound, ValidationFailed, problem_responses
from api.evidence import service
from api.evidence.gap_map import GapFilters, GapMap, gap_map
from api.evidence.policy import PolicyFilters, PolicyTable, policy_table
from api.evidence.schemas import (
    DisputeIn,
    DisputeRead,
    FollowUpIn,
    FollowUpStatus,
    GapAxis,
    GapCell,
    GapMapRead,
    IndicatorList,
    IndicatorRow,
    PolicyByCountry,
    PolicyCell,
    PolicyRow,
    ProfileList,
    RatingIn,
    RatingList,
    RatingRead,
    RatingWithdrawal,
    RecommendationList,
    RecommendationRead,
    Timeline,
    TrackerPage,
)
from api.models import Entry
from api.vocabularies.registry import VocabularyRegistry
from api.vocabularies.router import registry_of

router = APIRouter(tags=["evidence"])

RatedEntry = Annotated[Entry, Depends(EntryFor("rate"))]
RespondingEntry = Annotated[Entry, Depends(EntryFor("respond"))]
ItemIdPath = Annotated[str, Path(pattern=r"^[a-z0-9_-]{1,16}$")]
Values = Annotated[list[str], Query(max_length=50)]


@router.get(
    "/v1/entries/{entry_id}/recommendations",
    summary="The entry's recommendations with their follow-up (management response)",
    responses=problem_responses(404),
)
def list_recommendations(
    entry: VisibleEntry, session: ReadSession, principal: CurrentPrincipal
) -> RecommendationList:
    items = service.recommendations(session, entry) if service.readable_evidence(
        principal, entry
    ) else []  # fmt: skip
    return RecommendationList(entry_id=entry.id, items=items)


@router.put(
    "/v1/entries/{entry_id}/recommendations/{recommendation_id}/follow-up",
    summary="Record the follow-up of a recommendation (the owner's publishers)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def put_follow_up(
    entry: RespondingEntry,
    recommendation_id: ItemIdPath,
    data: FollowUpIn,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> RecommendationRead:
    return service.set_follow_up(
        session, principal=principal, entry=entry, recommendation_id=recommendation_id, data=data
    )


@router.get(
    "/v1/follow-ups",
    summary="Management-response tracker: recommendations of the evaluations you may read",
    responses=problem_responses(422),
)
def list_follow_ups(
    session: ReadSession,
    principal: CurrentPrincipal,
    follow_up_status: Annotated[
        FollowUpStatus | Literal["none"] | None, Query(alias="status")
    ] = None,
    kind: Annotated[str | None, Query(max_length=64)] = None,
) -> TrackerPage:
    rows, counts = service.tracker(session, principal, status=follow_up_status, kind=kind)
    return TrackerPage(items=rows, counts=counts)


def _rating_list(session: ReadSession | WriteSession, entry: Entry, registry: VocabularyRegistry,
                 readable: bool) -> RatingList:  # fmt: skip
    current, history = service.ratings(session, entry, registry) if readable else ([], [])
    return RatingList(entry_id=entry.id, current=current, history=history)


def _one(session: WriteSession, entry: Entry, registry: VocabularyRegistry, rating_id: int
         ) -> RatingRead:  # fmt: skip
    current, history = service.ratings(session, entry, registry)
    return next(r for r in [*current, *history] if r.id == rating_id)


@router.get(
    "/v1/entries/{entry_id}/ratings",
    summary="Evidence labels per outcome: current ones and their history",
    responses=problem_responses(404),
)
def list_ratings(
    entry: VisibleEntry, request: Request, session: ReadSession, principal: CurrentPrincipal
) -> RatingList:
    return _rating_list(
        session, entry, registry_of(request), service.readable_evidence(principal, entry)
    )


@router.post(
    "/v1/entries/{entry_id}/ratings",
    status_code=status.HTTP_201_CREATED,
    summary="Rate an outcome (curators of other organizations); replaces its current rating",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def post_rating(
    entry: RatedEntry,
    data: RatingIn,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> RatingRead:
    registry = registry_of(request)
    row = service.rate(session, principal=principal, entry=entry, data=data, registry=registry)
    return _one(session, entry, registry, row.id)


@router.post(
    "/v1/entries/{entry_id}/ratings/{rating_id}/withdraw",
    summary="Withdraw a rating (it stays visible as history)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def withdraw_rating(
    entry: RatedEntry,
    rating_id: DatabaseId,
    data: RatingWithdrawal,
    request: Request,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> RatingRead:
    service.withdraw(
        session, principal=principal, entry=entry, rating_id=rating_id, comment=data.comment
    )
    return _one(session, entry, registry_of(request), rating_id)


@router.post(
    "/v1/entries/{entry_id}/ratings/{rating_id}/disputes",
    status_code=status.HTTP_201_CREATED,
    summary="Dispute a rating (the owner's publishers)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def dispute_rating(
    entry: RespondingEntry,
    rating_id: DatabaseId,
    data: DisputeIn,
    session: WriteSession,
    principal: CurrentPrincipal,
) -> DisputeRead:
    row = service.dispute(
        session, principal=principal, entry=entry, rating_id=rating_id, text=data.text
    )
    return DisputeRead(id=row.id, text=row.text, created_at=row.created_at)


def indicator_filters(
    request: Request,
    program_type: Values = [],  # noqa: B006 - FastAPI copies defaults per request
    region: Values = [],  # noqa: B006
    kind: Values = [],  # noqa: B006
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> service.IndicatorFilters:
    registry = registry_of(request)
    errors = [
        FieldError(f"query.{name}[{n}]", f"{code!r} is not a {vocabulary} code", code=code,
                   vocabulary=vocabulary, valid_codes=f"/v1/vocabularies/{vocabulary}")
        for name, vocabulary, codes in (("program_type", "program_type", program_type),
                                        ("region", "region", region), ("kind", "kind", kind))
        for n, code in enumerate(codes)
        if not registry.is_valid(vocabulary, code, allow_deprecated=True)
    ]  # fmt: skip
    if year_from is not None and year_to is not None and year_to < year_from:
        errors.append(FieldError("query.year_to", "year_to is before year_from"))
    if errors:
        raise ValidationFailed("Some filters have values that are not allowed.", errors=errors)
    return service.IndicatorFilters(
        program_type=tuple(program_type), region=tuple(region), kind=tuple(kind),
        year_from=year_from, year_to=year_to,
    )  # fmt: skip


IndicatorFiltersQuery = Annotated[service.IndicatorFilters, Depends(indicator_filters)]
CSV_COLUMNS = ("entry_id", "title", "organization", "kind", "program_types", "regions", "year",
               "follow_up_months", "evaluation_design", "evidence_level", "evidence_source",
               "effect", "value", "note", "href")  # fmt: skip


def indicator_csv(rows: list[IndicatorRow], public_url: str) -> str:
    """Rows as CSV: a small cell's value is written as its display ("< 10")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([
            row.entry.id, row.entry.title, row.entry.organization.name, row.entry.kind,
            " ".join(row.program_types), " ".join(row.regions), row.year or "",
            "" if row.follow_up_months is None else f"{row.follow_up_months:g}",
            row.evaluation_design or "", row.evidence_level or "", row.evidence_source or "",
            row.effect or "", row.display, row.note or "", public_url + row.entry.href,
        ])  # fmt: skip
    return out.getvalue()


def known_indicator(request: Request, code: str) -> str:
    if not registry_of(request).is_valid("indicator", code, allow_deprecated=True):
        raise NotFound("No indicator with this code; see /v1/vocabularies/indicator.")
    return code


@router.get(
    "/v1/indicators/{code}",
    summary="Values of one indicator across the entries visible to you",
    responses={**problem_responses(404, 422),
               200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)  # fmt: skip
def get_indicator(
    request: Request,
    code: Annotated[str, Depends(known_indicator)],
    filters: IndicatorFiltersQuery,
    session: ReadSession,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1_000)] = 100,
    format: Literal["json", "csv"] = "json",
) -> Response:
    registry = registry_of(request)
    k = small_cell_k_of(request)
    if format == "csv":
        rows = service.indicator_rows(session, principal, registry, code, filters, small_cell_k=k)
        return Response(
            indicator_csv(rows, request.app.state.settings.public_url.rstrip("/")),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="indicator-{code}.csv"'},
        )
    term = registry.get("indicator", code)
    total, items = service.indicator_page(
        session, principal, registry, code, filters, small_cell_k=k,
        offset=(page - 1) * per_page, limit=per_page,
    )  # fmt: skip
    body = IndicatorList(
        code=code, label=term.label if term else code, unit=registry.indicator_unit(code),
        items=items, total=total, page=page, per_page=per_page,
    )  # fmt: skip
    return Response(body.model_dump_json(), media_type="application/json")


def profile_filters(
    request: Request,
    objective: Annotated[list[Objective], Query(max_length=5)] = [],  # noqa: B006
    entry_route: Annotated[list[EntryRoute], Query(max_length=4)] = [],  # noqa: B006
    reporting_rule: Annotated[list[ReportingRule], Query(max_length=5)] = [],  # noqa: B006
    discipline: Values = [],  # noqa: B006
    program_type: Values = [],  # noqa: B006
    region: Values = [],  # noqa: B006
) -> service.ProfileFilters:
    registry = registry_of(request)
    errors = [
        FieldError(f"query.{name}[{n}]", f"{code!r} is not a {vocabulary} code", code=code,
                   vocabulary=vocabulary, valid_codes=f"/v1/vocabularies/{vocabulary}")
        for name, vocabulary, codes in (("discipline", "actor", discipline),
                                        ("program_type", "program_type", program_type),
                                        ("region", "region", region))
        for n, code in enumerate(codes)
        if not registry.is_valid(vocabulary, code, allow_deprecated=True)
    ]  # fmt: skip
    if errors:
        raise ValidationFailed("Some filters have values that are not allowed.", errors=errors)
    return service.ProfileFilters(
        objective=tuple(objective), entry_route=tuple(entry_route), discipline=tuple(discipline),
        reporting_rule=tuple(reporting_rule), program_type=tuple(program_type),
        region=tuple(region),
    )  # fmt: skip


ProfileFiltersQuery = Annotated[service.ProfileFilters, Depends(profile_filters)]
CompareIds = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]],
    Query(alias="id", min_length=2, max_length=4, description="2 to 4 entry ids, in order"),
]


@router.get(
    "/v1/program-profiles",
    summary="Program profiles you may read, filtered by their design fields",
    responses=problem_responses(422),
)
def list_profiles(
    request: Request, filters: ProfileFiltersQuery, session: ReadSession,
    principal: CurrentPrincipal,
) -> ProfileList:  # fmt: skip
    rows = service.profile_rows(session, principal, registry_of(request), filters,
                                small_cell_k=small_cell_k_of(request))  # fmt: skip
    return ProfileList(items=rows, total=len(rows))


@router.get(
    "/v1/program-profiles/compare",
    summary="2 to 4 program profiles side by side",
    responses=problem_responses(404, 422),
)
def compare_profiles(
    request: Request, ids: CompareIds, session: ReadSession, principal: CurrentPrincipal
) -> ProfileList:
    rows = service.profile_rows(session, principal, registry_of(request),
                                service.ProfileFilters(), small_cell_k=small_cell_k_of(request),
                                ids=ids)  # fmt: skip
    if len(rows) != len(set(ids)):
        raise NotFound("Some of these entries are not program profiles visible to you.")
    return ProfileList(items=rows, total=len(rows))


def gap_filters(
    request: Request,
    region: Annotated[str, Query(max_length=64)] = "001",
    program_type: Values = [],  # noqa: B006
    kind: Values = ["evaluation"],  # noqa: B006
    evidence_level: Values = [],  # noqa: B006
    evaluation_design: Values = [],  # noqa: B006
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> GapFilters:
    registry = registry_of(request)
    errors = [
        FieldError(f"query.{name}[{n}]", f"{code!r} is not a {vocabulary} code", code=code,
                   vocabulary=vocabulary, valid_codes=f"/v1/vocabularies/{vocabulary}")
        for name, vocabulary, codes in (
            ("program_type", "program_type", program_type), ("kind", "kind", kind),
            ("evidence_level", "evidence_level", evidence_level),
            ("evaluation_design", "evaluation_design", evaluation_design))
        for n, code in enumerate(codes)
        if not registry.is_valid(vocabulary, code, allow_deprecated=True)
    ]  # fmt: skip
    if not registry.is_valid("region", region, allow_deprecated=True):
        errors.append(FieldError("query.region", f"{region!r} is not a region code",
                                 valid_codes="/v1/vocabularies/region"))  # fmt: skip
    if year_from is not None and year_to is not None and year_to < year_from:
        errors.append(FieldError("query.year_to", "year_to is before year_from"))
    if errors:
        raise ValidationFailed("Some filters have values that are not allowed.", errors=errors)
    return GapFilters(
        region=region, program_type=tuple(program_type), kind=tuple(kind),
        evidence_level=tuple(evidence_level), evaluation_design=tuple(evaluation_design),
        year_from=year_from, year_to=year_to,
    )  # fmt: skip


GapFiltersQuery = Annotated[GapFilters, Depends(gap_filters)]


def _label(registry: VocabularyRegistry, vocabulary: str, code: str) -> str:
    term = registry.get(vocabulary, code)
    return term.label if term else code


def gap_map_read(result: GapMap, filters: GapFilters, registry: VocabularyRegistry,
                 *, api: bool = True) -> GapMapRead:  # fmt: skip
    """The map with its links: rows drill down (same filters), cells open the search
    their entries come from. `api`: links to /v1 (else to the pages)."""
    base: list[tuple[str, str]] = [("kind", k) for k in filters.kind]
    base += [("evidence_level", v) for v in filters.evidence_level]
    base += [("evaluation_design", v) for v in filters.evaluation_design]
    years = [(k, str(v)) for k, v in (("year_from", filters.year_from),
                                      ("year_to", filters.year_to)) if v is not None]  # fmt: skip
    columns = [("program_type", c) for c in filters.program_type]
    prefix = "/v1" if api else ""
    return GapMapRead(
        region=result.region,
        rows=[GapAxis(code=r, label=_label(registry, "region", r),
                      href=f"{prefix}/gap-map?" + urlencode([("region", r), *columns, *base,
                                                              *years])
                      if r in result.drillable else None)
              for r in result.rows],
        columns=[GapAxis(code=c, label=_label(registry, "program_type", c))
                 for c in result.columns],
        cells=[GapCell(region=r, program_type=c, total=result.cell(r, c).total,
                       by_level=result.cell(r, c).by_level,
                       search_href=f"{prefix}/search?" + urlencode(
                           [("region", r), ("program_type", c), *base, *years]))
               for r in result.rows for c in result.columns],
    )  # fmt: skip


def gap_csv(body: GapMapRead) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    levels = ["strong", "moderate", "preliminary", "descriptive", "not_assessed"]
    writer.writerow(["region", "region_label", "program_type", "total", *levels])
    labels = {row.code: row.label for row in body.rows}
    for cell in body.cells:
        writer.writerow([cell.region, labels[cell.region], cell.program_type, cell.total,
                         *(cell.by_level.get(level, 0) for level in levels)])  # fmt: skip
    return out.getvalue()


@router.get(
    "/v1/gap-map",
    summary="Evidence gap map: region x program type, visible evaluations by evidence level",
    responses={**problem_responses(422),
               200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)  # fmt: skip
def get_gap_map(
    request: Request, filters: GapFiltersQuery, session: ReadSession,
    principal: CurrentPrincipal, format: Literal["json", "csv"] = "json",
) -> Response:  # fmt: skip
    registry = registry_of(request)
    body = gap_map_read(gap_map(session, principal, registry, filters), filters, registry)
    if format == "csv":
        disposition = f'attachment; filename="gap-map-{filters.region}.csv"'
        return Response(gap_csv(body), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})  # fmt: skip
    return Response(body.model_dump_json(), media_type="application/json")


@router.get(
    "/v1/entries/{entry_id}/timeline",
    summary="A program profile's evaluations and lessons over the years, with indicators",
    responses=problem_responses(404),
)
def get_timeline(
    entry: VisibleEntry, request: Request, session: ReadSession, principal: CurrentPrincipal
) -> Timeline:
    items = (
        service.timeline(session, principal, registry_of(request), entry,
                         small_cell_k=small_cell_k_of(request))
        if service.readable_evidence(principal, entry) else []
    )  # fmt: skip
    return Timeline(program=service.entry_ref(principal, entry), items=items)


def policy_filters(
    request: Request,
    policy_status: Annotated[list[PolicyStatus], Query(alias="status", max_length=3)] = [],  # noqa: B006
    impediment_type: Values = [],  # noqa: B006
    level: Annotated[list[PolicyLevel], Query(max_length=4)] = [],  # noqa: B006
) -> PolicyFilters:
    registry = registry_of(request)
    errors = [
        FieldError(f"query.impediment_type[{n}]", f"{code!r} is not an impediment_type code",
                   code=code, vocabulary="impediment_type",
                   valid_codes="/v1/vocabularies/impediment_type")
        for n, code in enumerate(impediment_type)
        if not registry.is_valid("impediment_type", code, allow_deprecated=True)
    ]  # fmt: skip
    if errors:
        raise ValidationFailed("Some filters have values that are not allowed.", errors=errors)
    return PolicyFilters(
        status=tuple(dict.fromkeys(policy_status)),
        impediment_type=tuple(dict.fromkeys(impediment_type)),
        level=tuple(dict.fromkeys(level)),
    )


PolicyFiltersQuery = Annotated[PolicyFilters, Depends(policy_filters)]


def policy_read(table: PolicyTable, filters: PolicyFilters, registry: VocabularyRegistry,
                *, api: bool = True) -> PolicyByCountry:  # fmt: skip
    """The table with its links: each cell opens the search of the frameworks it
    counts (kind, jurisdiction, impediment type and the table's filters)."""
    base = [("kind", POLICY_KIND)]
    base += [("policy_status", s) for s in filters.status]
    base += [("policy_level", lv) for lv in filters.level]
    prefix = "/v1" if api else ""

    def href(*items: tuple[str, str]) -> str:
        return f"{prefix}/search?" + urlencode([*base, *items])

    rows = []
    for row in table.rows:
        where = ("jurisdiction", row.jurisdiction)
        types = [("impediment_type", t) for t in filters.impediment_type]
        rows.append(PolicyRow(
            jurisdiction=row.jurisdiction, label=_label(registry, "region", row.jurisdiction),
            is_country=row.is_country, total=row.total, by_effect=row.by_effect,
            cells=[PolicyCell(impediment_type=c, count=row.by_type.get(c, 0),
                              search_href=href(where, ("impediment_type", c)))
                   for c in table.columns],
            search_href=href(where, *types),
        ))  # fmt: skip
    return PolicyByCountry(
        columns=[GapAxis(code=c, label=_label(registry, "impediment_type", c))
                 for c in table.columns],
        effects=table.effects, rows=rows, total=table.total,
    )  # fmt: skip


def policy_csv(body: PolicyByCountry) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [c.code for c in body.columns]
    writer.writerow(["jurisdiction", "label", "is_country", "total", *columns,
                     *(f"effect_{e}" for e in body.effects)])  # fmt: skip
    for row in body.rows:
        counts = {cell.impediment_type: cell.count for cell in row.cells}
        writer.writerow([row.jurisdiction, row.label, "yes" if row.is_country else "no",
                         row.total, *(counts[c] for c in columns),
                         *(row.by_effect.get(e, 0) for e in body.effects)])  # fmt: skip
    return out.getvalue()


@router.get(
    "/v1/policy-frameworks/by-country",
    summary="Legal and policy impediments by country: visible frameworks by impediment type "
    "and effect",
    responses={**problem_responses(422),
               200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}},
)  # fmt: skip
def get_policy_by_country(
    request: Request, filters: PolicyFiltersQuery, session: ReadSession,
    principal: CurrentPrincipal, format: Literal["json", "csv"] = "json",
) -> Response:  # fmt: skip
    """Per jurisdiction (countries; regions and World for regional and global
    frameworks), the policy frameworks you may read, counted live from the entries."""
    registry = registry_of(request)
    body = policy_read(policy_table(session, principal, registry, filters), filters, registry)
    if format == "csv":
        disposition = 'attachment; filename="policy-frameworks-by-country.csv"'
        return Response(policy_csv(body), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition})  # fmt: skip
    return Response(body.model_dump_json(), media_type="application/json")
