"""Who may move an entry into `published`: the gate between editing and readers.

Interim rule, until curators review submissions: a publisher of the owner
organization publishes directly, whatever the visibility. The curation workflow
replaces `check_may_publish` (and adds submit/approve transitions) without any
change to its callers."""

from __future__ import annotations

from api.access import Principal
from api.errors import Conflict, Forbidden
from api.models import Entry


def check_may_publish(principal: Principal, entry: Entry) -> None:
    if principal.organization_id != entry.organization_id or not principal.has_role("publisher"):
        raise Forbidden("Only publishers of the owner organization may publish this entry.")
    if entry.status not in ("draft", "published"):
        raise Conflict(f"A {entry.status} entry cannot be published.")
