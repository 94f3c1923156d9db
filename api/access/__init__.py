"""Access: who may read what (the visibility rule), which fields, and who may do what.

- `principal`  - the caller (`Principal`) and how token scopes limit roles;
- `rule`       - the visibility rule as reader tags, per entry and per revision (pure);
- `redaction`  - the fields only the owner (or its reviewer) may see, who may know
                 an entry's organization, who reads a safety retraction's detail (pure);
- `policy`     - the action table, action x relation x state, and role grants (pure);
- `orm`        - the rule over database rows: SQL clause, adapters, `entry_reader` sync;
- `cells`      - gap-map cells kept beside the reader tags (their SQL clauses in `orm`).

Invariant: nothing outside this package decides readability or permission; every
surface that reads entries uses these functions, and every route that acts
declares its action against `policy`."""

from api.access.orm import (
    access_to,
    entry_facts,
    expiring_only_clause,
    gap_cell_readable_clause,
    live_clause,
    organization_known_clause,
    organization_shown,
    peer_facts,
    peer_receivable_clause,
    revision_facts,
    search_filter_tags,
    visible_clause,
    visible_or_listed_clause,
)
from api.access.principal import ANONYMOUS, Principal, scoped_roles
from api.access.redaction import (
    hidden_fields,
    knows_organization,
    organization_indexable,
    peer_knows_organization,
    redact,
    shows_safety_detail,
)
from api.access.rule import (
    NETWORK,
    PUBLIC,
    REVIEW,
    EntryAccess,
    EntryFacts,
    RevisionFacts,
    entry_access,
    entry_tag,
    may_read_revision,
    may_see_hold,
    org_tag,
    peer_partner_ids,
    peer_receives,
    principal_tags,
    reader_tags,
    search_tags,
)

__all__ = [
    "ANONYMOUS",
    "NETWORK",
    "PUBLIC",
    "REVIEW",
    "EntryAccess",
    "EntryFacts",
    "Principal",
    "RevisionFacts",
    "access_to",
    "entry_access",
    "entry_facts",
    "entry_tag",
    "expiring_only_clause",
    "gap_cell_readable_clause",
    "hidden_fields",
    "knows_organization",
    "live_clause",
    "may_read_revision",
    "may_see_hold",
    "org_tag",
    "organization_indexable",
    "organization_known_clause",
    "organization_shown",
    "peer_facts",
    "peer_knows_organization",
    "peer_partner_ids",
    "peer_receivable_clause",
    "peer_receives",
    "principal_tags",
    "reader_tags",
    "redact",
    "revision_facts",
    "scoped_roles",
    "search_filter_tags",
    "search_tags",
    "shows_safety_detail",
    "visible_clause",
    "visible_or_listed_clause",
]
