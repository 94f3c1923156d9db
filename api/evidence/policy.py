"""The inventory of legal and policy impediments by jurisdiction: per country (and
per region, for regional and global frameworks), how many policy frameworks the
caller may read carry each impediment type, and what effect they have on
civil-society engagement.

Computed live on every request from the entries themselves through the one rule
(`live_clause`: published entries read as owner or live reader — what search
shows the same caller), never from the search index, so it is never stale and
counts nothing the caller may not read. A framework counts once in its own
jurisdiction's row: a regional framework is a row of its region, not spread over
the region's countries (a country's row says what that country adopted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal, live_clause
from api.entries.schemas import POLICY_EFFECTS, POLICY_KIND
from api.models import Entry
from api.vocabularies.registry import VocabularyRegistry


@dataclass(frozen=True)
class PolicyFilters:
    """Within a field any of the values, across fields all of them; empty: any."""

    status: tuple[str, ...] = ()
    impediment_type: tuple[str, ...] = ()
    level: tuple[str, ...] = ()


@dataclass
class JurisdictionRow:
    jurisdiction: str
    is_country: bool
    total: int = 0  # frameworks, each once
    by_type: dict[str, int] = field(default_factory=dict)
    by_effect: dict[str, int] = field(default_factory=dict)


@dataclass
class PolicyTable:
    columns: list[str]  # impediment types, in the vocabulary's order
    effects: list[str]
    rows: list[JurisdictionRow]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def _matches(policy: dict[str, Any], filters: PolicyFilters) -> bool:
    types = set(policy.get("impediment_types") or [])
    return (
        (not filters.status or policy.get("status") in filters.status)
        and (not filters.level or policy.get("level") in filters.level)
        and (not filters.impediment_type or bool(types & set(filters.impediment_type)))
    )


def policy_table(
    session: Session, principal: Principal, registry: VocabularyRegistry, filters: PolicyFilters
) -> PolicyTable:
    """Rows are the jurisdictions with at least one matching framework: areas first
    (World, then regions, in the M49 order), then countries by name."""
    columns = list(filters.impediment_type) or [t.code for t in registry.terms("impediment_type")]
    wanted = set(columns)
    rows: dict[str, JurisdictionRow] = {}
    # Columns, not entities (as `indicator_rows`): `live_clause` is the rule's SQL
    # form of `readable_evidence`, and only the policy fields are needed.
    policies = session.scalars(
        select(Entry.policy).where(
            live_clause(principal), Entry.kind == POLICY_KIND, Entry.policy.is_not(None)
        )
    )
    for policy in policies:
        if not policy or not _matches(policy, filters):
            continue
        code = str(policy["jurisdiction"])
        row = rows.get(code)
        if row is None:
            row = rows[code] = JurisdictionRow(code, registry.is_country(code))
        row.total += 1
        for kind in dict.fromkeys(policy.get("impediment_types") or []):
            if kind in wanted:
                row.by_type[kind] = row.by_type.get(kind, 0) + 1
        effect = str(policy.get("effect"))
        row.by_effect[effect] = row.by_effect.get(effect, 0) + 1
    order = {t.code: n for n, t in enumerate(registry.terms("region"))}

    def label(code: str) -> str:
        term = registry.get("region", code)
        return term.label if term else code

    ordered = sorted(
        rows.values(),
        key=lambda r: (r.is_country, label(r.jurisdiction) if r.is_country else "",
                       order.get(r.jurisdiction, 1 << 30)),
    )  # fmt: skip
    return PolicyTable(columns=columns, effects=list(POLICY_EFFECTS), rows=ordered)
