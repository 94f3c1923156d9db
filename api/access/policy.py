"""Who may *do* what: one policy table, action x relation x entry state → allowed.

Reading is the visibility rule (`api.access.rule`); this module decides actions.
Routes declare the action they perform (`api.entries.dependencies.EntryFor`), the
dependency loads the entry through the visibility rule and consults this table;
services keep only state mechanics. `python -m api.access.policy` prints the table
the README shows, and a test compares the two cell by cell.

Relations of a caller to an entry (a caller may hold several):
- ``owner_publisher`` - a publisher of the owner organization;
- ``owner_admin``     - an admin of the owner organization;
- ``owner_member``    - any member of the owner organization;
- ``curator``         - a curator of *another* organization: nobody reviews,
                        approves, tags or features their own organization's work;
- ``member``          - any other signed-in member or machine client;
- ``anonymous``.

States are ``<lifecycle>/<class>``. Lifecycle: the workflow status, where a
published entry is split by its pending revision (``published`` — none,
``published_pending`` — saved, not submitted, ``published_in_review``,
``published_held``, ``published_changes_requested``). ``held``: a submission the
sensitive-data guard holds for a curator (`api.safety.holds`). Class: ``direct``
when the visibility asked for is partners/private (the owner publishes it),
``reviewed`` when it is public/network (a curator approves it), ``widening`` when
a published partners/private entry asks to become public/network."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from api.access.principal import Principal
from api.access.rule import REVIEWED_VISIBILITIES, EntryFacts

RELATIONS = ("owner_publisher", "owner_admin", "owner_member", "curator", "member", "anonymous")
LIFECYCLES = (
    "draft",
    "submitted",
    "held",
    "changes_requested",
    "rejected",
    "published",
    "published_pending",
    "published_in_review",
    "published_held",
    "published_changes_requested",
    "retracted",
)
CLASSES = ("direct", "reviewed", "widening")
PENDING_LIFECYCLES = ("published_pending", "published_in_review", "published_held",
                      "published_changes_requested")  # fmt: skip
PUBLISHED_LIFECYCLES = ("published", *PENDING_LIFECYCLES)
VISIBILITY_RANK = {"private": 0, "partners": 1, "network": 2, "public": 3}


def _valid(lifecycle: str, klass: str) -> bool:
    # Only a published entry's pending revision can ask for more than the live version.
    return klass != "widening" or lifecycle in PENDING_LIFECYCLES


STATES = tuple(f"{lc}/{c}" for lc in LIFECYCLES for c in CLASSES if _valid(lc, c))


def _states(lifecycles: Iterable[str], classes: Iterable[str] = CLASSES) -> frozenset[str]:
    wanted = set(classes)
    return frozenset(f"{lc}/{c}" for lc in lifecycles for c in CLASSES
                     if c in wanted and _valid(lc, c))  # fmt: skip


HELD = ("held", "published_held")  # the guard holds it; editing withdraws the submission
EDITABLE = ("draft", "changes_requested", "published", "published_pending",
            "published_changes_requested", *HELD)  # fmt: skip
SUBMITTABLE = ("draft", "changes_requested", "published_pending", "published_changes_requested")
IN_REVIEW = ("submitted", "published_in_review")
UNDER_REVIEW = ("submitted", "changes_requested", "published_in_review",
                "published_changes_requested", *HELD)  # fmt: skip
LIVE_REVIEWED = ("reviewed",)  # the live version is public/network
REVIEW_CLASSES = ("reviewed", "widening")  # the version asked for is public/network

# action → relation → states in which it is allowed. Anything absent is refused.
POLICY: Mapping[str, Mapping[str, frozenset[str]]] = {
    "edit": {"owner_publisher": _states(EDITABLE)},
    "delete": {"owner_publisher": _states(("draft", "held", "rejected"))},
    "attach": {"owner_publisher": _states(EDITABLE)},
    "detach": {"owner_publisher": _states(EDITABLE)},
    "submit": {"owner_publisher": _states(SUBMITTABLE)},
    "publish": {"owner_publisher": _states(SUBMITTABLE, ("direct",))},
    "approve": {"curator": _states(IN_REVIEW, REVIEW_CLASSES)},
    "request_changes": {"curator": _states(IN_REVIEW, REVIEW_CLASSES)},
    "reject": {"curator": _states(IN_REVIEW, REVIEW_CLASSES)},
    "retract": {
        "owner_publisher": _states(PUBLISHED_LIFECYCLES),
        "curator": _states(PUBLISHED_LIFECYCLES, LIVE_REVIEWED),
    },
    "restore": {
        "owner_publisher": _states(("retracted",), ("direct",)),
        "curator": _states(("retracted",), LIVE_REVIEWED),
    },
    "read_thread": {
        "owner_publisher": frozenset(STATES),
        "owner_member": frozenset(STATES),
        "curator": _states(UNDER_REVIEW, REVIEW_CLASSES) | _states(("retracted",), LIVE_REVIEWED),
    },
    "comment": {
        "owner_publisher": frozenset(STATES),
        "owner_member": frozenset(STATES),
        "curator": _states(UNDER_REVIEW, REVIEW_CLASSES),
    },
    "tag": {"curator": _states((*UNDER_REVIEW, *PUBLISHED_LIFECYCLES), LIVE_REVIEWED)},
    "feature": {"curator": _states(PUBLISHED_LIFECYCLES, LIVE_REVIEWED)},
    "manage_access": {"owner_publisher": _states(PUBLISHED_LIFECYCLES)},
    "find_duplicates": {
        "owner_publisher": frozenset(STATES),
        "owner_member": frozenset(STATES),
        "curator": _states(UNDER_REVIEW, REVIEW_CLASSES)
        | _states(PUBLISHED_LIFECYCLES, LIVE_REVIEWED),
    },
    # The sensitive-data guard's hold (api.safety.holds): the owner explains a
    # finding; a curator of another organization releases the submission or returns
    # it — for a partners/private one knowing only its kind, fields and detectors.
    "explain_finding": {"owner_publisher": _states(HELD)},
    "release_hold": {"curator": _states(HELD)},
    "return_hold": {"curator": _states(HELD)},
    "read_findings": {
        "owner_publisher": frozenset(STATES),
        "owner_member": frozenset(STATES),
        "curator": _states(HELD) | _states(UNDER_REVIEW, REVIEW_CLASSES),
    },
    # Who read the organization's non-public entry, and when (api.readlog).
    "read_reads": {"owner_publisher": frozenset(STATES), "owner_admin": frozenset(STATES)},
    # Evidence labels per outcome (api.evidence): a curator of another organization
    # rates, changes or withdraws a public/network entry's label, as it tags it.
    "rate": {"curator": _states(PUBLISHED_LIFECYCLES, LIVE_REVIEWED)},
    # The owner's answers on published evidence: the follow-up of a recommendation
    # (management response) and disputes of a rating. No review: they are the
    # owner's own statements, shown as such.
    "respond": {"owner_publisher": _states(PUBLISHED_LIFECYCLES)},
}
ACTIONS = tuple(POLICY)
# The role each relation stands for (for `insufficient_scope` answers).
RELATION_ROLES = {"owner_publisher": "publisher", "owner_admin": "admin", "curator": "curator",
                  "owner_member": "reader"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class EntryState:
    lifecycle: str
    klass: str

    @property
    def key(self) -> str:
        return f"{self.lifecycle}/{self.klass}"


def lifecycle_of(entry: EntryFacts) -> str:
    if entry.status != "published":
        return entry.status
    if entry.published_revision is None or entry.working_revision == entry.published_revision:
        return "published"
    if entry.review_status == "submitted":
        return "published_in_review"
    if entry.review_status == "held":
        return "published_held"
    if entry.review_status == "changes_requested":
        return "published_changes_requested"
    return "published_pending"


def entry_state(entry: EntryFacts, wanted_visibility: str) -> EntryState:
    """`wanted_visibility`: what the working revision asks for (the live one unless a
    pending revision of a published entry says otherwise)."""
    lifecycle = lifecycle_of(entry)
    if wanted_visibility not in REVIEWED_VISIBILITIES:
        klass = "direct"
    elif lifecycle in PENDING_LIFECYCLES and entry.visibility not in REVIEWED_VISIBILITIES:
        klass = "widening"
    else:
        klass = "reviewed"
    return EntryState(lifecycle, klass)


def relations(principal: Principal, owner_id: int) -> frozenset[str]:
    if principal.is_anonymous:
        return frozenset({"anonymous"})
    if principal.organization_id == owner_id:
        found = {"owner_member"}
        if principal.has_role("publisher"):
            found.add("owner_publisher")
        if principal.has_role("admin"):
            found.add("owner_admin")
        return frozenset(found)
    if principal.has_role("curator"):
        return frozenset({"curator", "member"})
    return frozenset({"member"})


def allows(action: str, held: Iterable[str], state: str) -> bool:
    rules = POLICY[action]
    return any(state in rules.get(relation, frozenset()) for relation in held)


def ever_allows(action: str, held: Iterable[str]) -> bool:
    """Whether these relations may do `action` in *some* state (409 vs 403)."""
    rules = POLICY[action]
    return any(rules.get(relation) for relation in held)


def allowed_actions(held: Iterable[str], state: str) -> list[str]:
    held = tuple(held)
    return [action for action in ACTIONS if allows(action, held, state)]


# -- role grants -----------------------------------------------------------------

ROLE_RANK = {"reader": 0, "publisher": 1, "curator": 2, "admin": 3}


def may_grant(principal: Principal, role: str, organization_id: int) -> bool:
    """Whether `principal` may grant (or revoke) `role` in the organization.

    Node admins (and the CLI, which does not come through here) grant anything
    anywhere. Otherwise only within one's own organization, never above one's own
    role: an organization's admins grant reader, publisher and admin; its curators
    reader and publisher. `curator` is a network role, granted by node admins only;
    curators never grant `admin`."""
    if role not in ROLE_RANK:
        return False
    if principal.node_admin:
        return True
    if principal.organization_id != organization_id or role == "curator":
        return False
    own = max((ROLE_RANK[r] for r in principal.roles if r in ROLE_RANK), default=-1)
    if principal.has_role("admin"):
        return ROLE_RANK[role] <= own
    if principal.has_role("curator"):
        return ROLE_RANK[role] < ROLE_RANK["curator"]
    return False


def grantable_roles(principal: Principal, organization_id: int) -> list[str]:
    return [role for role in ROLE_RANK if may_grant(principal, role, organization_id)]


# -- saved searches (api.saved_searches) -------------------------------------------

# A member's own saved searches, their feed keys and alerts. Only the person who
# saved one reads, renews or deletes it (another member's answers like a missing
# one); machine clients keep none. What a saved search *shows* is the visibility
# rule, evaluated as its member's current principal.
SAVED_SEARCH_ACTIONS = ("save_search", "list_saved_searches", "read_saved_search",
                        "delete_saved_search", "renew_feed_key", "read_alerts")  # fmt: skip


def keeps_saved_searches(principal: Principal) -> bool:
    """Saved searches belong to people: a signed-in member's account."""
    return principal.kind == "member" and principal.account_id is not None


def may_manage_saved_search(principal: Principal, action: str, owner_account_id: int) -> bool:
    if action not in SAVED_SEARCH_ACTIONS:
        raise ValueError(f"unknown saved-search action {action!r}")
    return keeps_saved_searches(principal) and principal.account_id == owner_account_id


def widens_into_review(old: str, new: str) -> bool:
    """A visibility change of a published entry that must be approved before it applies."""
    return new in REVIEWED_VISIBILITIES and VISIBILITY_RANK[new] > VISIBILITY_RANK[old]


def render_table() -> str:
    """The policy as the Markdown table the README shows (one row per action x relation)."""
    lines = ["| action | relation | allowed in states |", "|---|---|---|"]
    for action in ACTIONS:
        for relation in RELATIONS:
            states = POLICY[action].get(relation)
            if not states:
                continue
            lines.append(f"| {action} | {relation} | {_compact(states)} |")
    return "\n".join(lines)


def _compact(states: frozenset[str]) -> str:
    """`draft/*` when every class of a lifecycle is allowed, else the classes listed."""
    parts = []
    for lifecycle in LIFECYCLES:
        possible = [c for c in CLASSES if _valid(lifecycle, c)]
        allowed = [c for c in possible if f"{lifecycle}/{c}" in states]
        if not allowed:
            continue
        if allowed == possible:
            parts.append(f"{lifecycle}/*")
        else:
            parts.append(f"{lifecycle}/{'+'.join(allowed)}")
    return ", ".join(parts)


def expand(compact: str) -> frozenset[str]:
    """Inverse of `_compact` (used by the README test)."""
    states: set[str] = set()
    for part in (p.strip() for p in compact.split(",") if p.strip()):
        lifecycle, _, classes = part.partition("/")
        chosen = CLASSES if classes == "*" else tuple(classes.split("+"))
        states.update(f"{lifecycle}/{c}" for c in chosen if _valid(lifecycle, c))
    return frozenset(states)


if __name__ == "__main__":
    print(render_table())
