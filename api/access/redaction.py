"""Field-level redaction: the one step every view applies before it renders an
entry, a revision, a diff, an event or an audit record.

Some fields belong to the owner organization only — who else it shares with, its
pending work — and some also to the curator reviewing it; nobody else ever sees
them, on any surface (SPEC §2: "partners never learn of each other"). Views build
a full mapping and pass it through `redact`; they never decide this themselves.

Invariant: a field not listed here is as readable as the entry or revision it
belongs to; a field listed here is removed (or nulled) for everyone the capacity
does not entitle to it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.access.rule import EntryAccess

# The owner organization only.
OWNER_FIELDS = frozenset({"shared_with", "pending_revision"})
# The owner organization and the curators reviewing the entry.
REVIEW_FIELDS = frozenset(
    {"review_status", "requested_visibility", "internal_notes", "retraction_reason", "comment"}
)
PROTECTED_FIELDS = OWNER_FIELDS | REVIEW_FIELDS


def hidden_fields(access: EntryAccess) -> frozenset[str]:
    if access.owner:
        return frozenset()
    if access.review:
        return OWNER_FIELDS
    return PROTECTED_FIELDS


def redact(data: Mapping[str, Any], access: EntryAccess, *, null: bool = False) -> dict[str, Any]:
    """`data` without the fields `access` does not entitle to; with `null=True` they
    are kept as None (for response models whose fields are always present)."""
    hidden = hidden_fields(access)
    if null:
        return {k: (None if k in hidden else v) for k, v in data.items()}
    return {k: v for k, v in data.items() if k not in hidden}
