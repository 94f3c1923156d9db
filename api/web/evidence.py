"""Evidence pages: the indicator explorer and an entry's evidence (findings, lessons,
recommendations with follow-ups, evidence labels with their history, program profile).

Owns: HTTP for these pages only. The rows come from `api.evidence.service` — the
same functions, the same caller, as `/v1/indicators/{code}`, `/v1/entries/{id}/
recommendations` and `…/ratings` — so a page shows exactly what the API shows,
small cells "< k" included; an entry the caller may not read is the 404 page.
The chart is SVG drawn on the server (`api.web.evidence_chart`), the CSV link is
the API's own export with the same filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.audit import record_read
from api.db import ReadSession
from api.entries import repository
from api.entries.dependencies import EntryNotFound
from api.entries.views import entry_read
from api.errors import NotFound
from api.evidence import service
from api.evidence.gap_map import gap_map
from api.evidence.policy import policy_table
from api.evidence.router import (
    CompareIds,
    GapFiltersQuery,
    IndicatorFiltersQuery,
    PolicyFiltersQuery,
    ProfileFiltersQuery,
    gap_map_read,
    policy_read,
)
from api.web.dependencies import Page
from api.web.evidence_chart import LEVELS, build_chart
from api.web.router import ENTRY_ID, WEB_TAG, WebRoute
from api.web.templating import render

router = APIRouter(
    tags=[WEB_TAG],
    include_in_schema=False,
    default_response_class=HTMLResponse,
    route_class=WebRoute,
)
MAX_TABLE_ROWS = 500


@router.get("/indicators")
def indicators(page: Page) -> HTMLResponse:
    return render(page, "indicators.html", terms=page.registry.terms("indicator"))


def _indicator_code(page: Page, code: str) -> str:
    if not page.registry.is_valid("indicator", code, allow_deprecated=True):
        raise NotFound("No indicator with this code.")
    return code


@router.get("/indicators/{code}")
def indicator(
    code: str,
    page: Page,
    request: Request,
    session: ReadSession,
    filters: IndicatorFiltersQuery,
) -> HTMLResponse:
    _indicator_code(page, code)
    rows = service.indicator_rows(
        session, page.principal, page.registry, code, filters,
        small_cell_k=request.app.state.settings.small_cell_k,
    )  # fmt: skip
    query = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
    return render(
        page,
        "indicator.html",
        code=code,
        term=page.registry.get("indicator", code),
        unit=page.registry.indicator_unit(code),
        rows=rows[:MAX_TABLE_ROWS],
        total=len(rows),
        chart=build_chart(rows),
        levels=[*LEVELS, "unknown"],
        filters=filters,
        program_types=page.registry.terms("program_type"),
        csv_href=f"/v1/indicators/{code}?" + urlencode([*query, ("format", "csv")]),
    )


@router.get("/entries/{entry_id}/evidence")
def entry_evidence(
    entry_id: str, page: Page, request: Request, session: ReadSession
) -> HTMLResponse:
    found = (
        repository.get_visible_entry(session, page.principal, entry_id)
        if ENTRY_ID.fullmatch(entry_id)
        else None
    )
    if found is None:
        raise EntryNotFound()
    record_read(request.app.state.session_factory, principal=page.principal, entry=found)
    view = entry_read(session, found, page.principal, page.registry,
                      small_cell_k=request.app.state.settings.small_cell_k)  # fmt: skip
    readable = service.readable_evidence(page.principal, found)
    current, history = service.ratings(session, found, page.registry) if readable else ([], [])
    follow_ups = (
        {r.id: r.follow_up for r in service.recommendations(session, found)} if readable else {}
    )
    k = request.app.state.settings.small_cell_k
    timeline = service.timeline(session, page.principal, page.registry, found, small_cell_k=k) if (
        readable
    ) else []  # fmt: skip
    codes = sorted({c for item in timeline for c in item.indicators})
    return render(
        page,
        "entry_evidence.html",
        entry=view,
        follow_ups=follow_ups,
        current=current,
        history=history,
        timeline=timeline,
        timeline_codes=codes,
        unit_of=page.registry.indicator_unit,
    )


@router.get("/profiles")
def profiles(
    page: Page, request: Request, session: ReadSession, filters: ProfileFiltersQuery
) -> HTMLResponse:
    rows = service.profile_rows(session, page.principal, page.registry, filters,
                                small_cell_k=request.app.state.settings.small_cell_k)  # fmt: skip
    return render(page, "profiles.html", rows=rows, filters=filters)


@router.get("/profiles/compare")
def profiles_compare(
    page: Page, request: Request, session: ReadSession, ids: CompareIds
) -> HTMLResponse:
    rows = service.profile_rows(session, page.principal, page.registry, service.ProfileFilters(),
                                small_cell_k=request.app.state.settings.small_cell_k,
                                ids=ids)  # fmt: skip
    if len(rows) != len(set(ids)):
        raise NotFound("Some of these entries are not program profiles visible to you.")
    return render(page, "profiles_compare.html", rows=rows)


@router.get("/gap-map")
def gap_map_page(
    page: Page, request: Request, session: ReadSession, filters: GapFiltersQuery
) -> HTMLResponse:
    result = gap_map(session, page.principal, page.registry, filters)
    body = gap_map_read(result, filters, page.registry, api=False)
    highest = max((c.total for c in body.cells), default=0)

    def heat(total: int) -> int:
        """0 for a gap, else 1-4 by quarter of the highest cell."""
        return 0 if total == 0 else min(4, 1 + (4 * total - 1) // max(highest, 1))

    ancestors = page.registry.ancestors(filters.region)
    query = [(k, v) for k, v in request.query_params.multi_items() if v != "" and k != "region"]
    return render(
        page,
        "gap_map.html",
        map=body,
        cells={(c.region, c.program_type): c for c in body.cells},
        heat=heat,
        parent=f"/gap-map?{urlencode([('region', ancestors[0]), *query])}" if ancestors else None,
        csv_href="/v1/gap-map?"
        + urlencode([("region", filters.region), *query, ("format", "csv")]),
    )


@router.get("/policies")
def policies_page(
    page: Page, request: Request, session: ReadSession, filters: PolicyFiltersQuery
) -> HTMLResponse:
    """The by-country table of legal and policy impediments: the API's own rows
    (`/v1/policy-frameworks/by-country`), links to the search pages."""
    table = policy_table(session, page.principal, page.registry, filters)
    body = policy_read(table, filters, page.registry, api=False)
    query = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
    return render(
        page,
        "policies.html",
        table=body,
        filters=filters,
        impediment_types=page.registry.terms("impediment_type"),
        csv_href="/v1/policy-frameworks/by-country?" + urlencode([*query, ("format", "csv")]),
    )
