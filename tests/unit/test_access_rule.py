"""The visibility rule over random entry *histories*, against an oracle written here.

No I/O: a small model of the workflow (edit, submit, approve, request changes,
reject, retract, restore; widening waits for review, narrowing and partner
changes apply at once — README "Curation"; a flagged submission is held by the
sensitive-data guard until a curator releases or returns it, and editing
withdraws it — README "Safety") produces, after every step, the
entry's state and its revisions. For every kind of caller, the rule functions of
`api.access` (which entry, which capacity, which revision, which fields, which
content) must equal the oracle, which restates SPEC §2 in its own words and
knows nothing of reader tags."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.access import Principal
from api.access.redaction import OWNER_FIELDS, REVIEW_FIELDS, hidden_fields, knows_organization
from api.access.rule import (
    EntryFacts,
    RevisionFacts,
    entry_access,
    entry_tag,
    may_read_revision,
    may_see_hold,
    principal_tags,
    search_tags,
    shown_revision,
)

OWNER = 1
ORGS = (1, 2, 3, 4)
VISIBILITIES = ("public", "network", "partners", "private")
REVIEWED = ("public", "network")
RANK = {"private": 0, "partners": 1, "network": 2, "public": 3}


# -- callers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    org: int | None
    curator: bool = False
    reads: bool = True  # False: a token without entries:read

    def principal(self) -> Principal:
        if self.org is None:
            return Principal()
        roles = {"reader"} | ({"curator"} if self.curator else set())
        if not self.reads:
            return Principal(
                kind="client", organization_id=self.org, roles=frozenset({"publisher"}),
                scopes=frozenset({"entries:write"}),
            )  # fmt: skip
        return Principal(kind="member", organization_id=self.org, roles=frozenset(roles))


CALLERS = (
    Caller("anonymous", None),
    Caller("owner-reader", OWNER),
    Caller("owner-curator", OWNER, curator=True),
    *(Caller(f"member-{o}", o) for o in ORGS[1:]),
    *(Caller(f"curator-{o}", o, curator=True) for o in ORGS[1:]),
    Caller("write-only-client-of-owner", OWNER, reads=False),
    Caller("write-only-client-2", 2, reads=False),
)


# -- the workflow model ----------------------------------------------------------


@dataclass
class Revision:
    number: int
    visibility: str
    partners: frozenset[int]
    published: bool = False


@dataclass
class Model:
    status: str = "draft"
    visibility: str = "private"
    partners: frozenset[int] = frozenset()
    review_status: str | None = None
    requested: str | None = None
    revisions: list[Revision] = field(default_factory=list)
    working: int = 1
    published_revision: int | None = None
    listed: bool = False
    grants: frozenset[int] = frozenset()  # organizations holding an unexpired grant
    display: str = "named"  # organization_display

    @classmethod
    def new(cls, visibility: str, partners: frozenset[int]) -> Model:
        return cls(visibility=visibility, partners=partners,
                   revisions=[Revision(1, visibility, partners)])  # fmt: skip

    def revision(self, number: int) -> Revision:
        return self.revisions[number - 1]

    @property
    def pending(self) -> bool:
        return self.published_revision is not None and self.working != self.published_revision

    def wanted(self) -> str:
        return self.requested or self.revision(self.working).visibility

    def edit(self, visibility: str, partners: frozenset[int]) -> None:
        if not (self.status in ("draft", "changes_requested", "held") or (
            self.status == "published" and self.review_status != "submitted"
        )):  # fmt: skip
            return
        withdrawn = self.held
        if self.status == "held":
            self.status = "draft"
        if self.review_status == "held":
            self.review_status = None
        if withdrawn:
            self.requested = None
        self.working += 1
        self.revisions.append(Revision(self.working, visibility, partners))
        self.partners = partners
        if self.published_revision is None:
            self.visibility = visibility
        elif not (visibility in REVIEWED and RANK[visibility] > RANK[self.visibility]):
            self.visibility = visibility  # narrowing applies at once; widening waits
        if self.review_status == "rejected":
            self.review_status = None
        if self.requested is not None:
            # Changing the visibility asked for while curators look at it: they keep
            # looking only if it still needs them.
            self.requested = visibility if visibility in REVIEWED else None

    def _publish_working(self) -> None:
        revision = self.revision(self.working)
        revision.published = True
        self.visibility = revision.visibility
        self.published_revision = self.working
        self.status = "published"
        self.review_status = None
        self.requested = None

    def _submittable(self) -> bool:
        return self.status in ("draft", "changes_requested") or (
            self.status == "published" and self.pending
            and self.review_status not in ("submitted", "held")
        )  # fmt: skip

    def submit(self) -> None:
        if not self._submittable():
            return
        wanted = self.revision(self.working).visibility
        if wanted not in REVIEWED:
            self._publish_working()
            return
        if self.status == "published":
            self.review_status = "submitted"
        else:
            self.status = "submitted"
        self.requested = wanted

    def submit_flagged(self) -> None:
        """A submission the guard finds something in: held, unless private."""
        if not self._submittable():
            return
        wanted = self.revision(self.working).visibility
        if wanted == "private":
            self._publish_working()
            return
        if self.status == "published":
            self.review_status = "held"
        else:
            self.status = "held"
        self.requested = wanted if wanted in REVIEWED else None

    @property
    def held(self) -> bool:
        return "held" in (self.status, self.review_status)

    def release_hold(self) -> None:
        if not self.held:
            return
        if self.revision(self.working).visibility not in REVIEWED:
            self._publish_working()
        elif self.status == "published":
            self.review_status = "submitted"
        else:
            self.status = "submitted"

    def return_hold(self) -> None:
        if not self.held:
            return
        if self.status == "published":
            self.review_status = "changes_requested"
        else:
            self.status = "changes_requested"

    def _in_review(self) -> bool:
        return self.status == "submitted" or self.review_status == "submitted"

    def approve(self) -> None:
        if self._in_review():
            self._publish_working()

    def request_changes(self) -> None:
        if self._in_review():
            if self.status == "published":
                self.review_status = "changes_requested"
            else:
                self.status = "changes_requested"

    def reject(self) -> None:
        if self._in_review():
            if self.status == "published":
                self.review_status = "rejected"
                self.requested = None
            else:
                self.status = "rejected"

    def retract(self) -> None:
        if self.status == "published":
            self.status = "retracted"
            self.review_status = None
            self.requested = None

    def restore(self) -> None:
        if self.status == "retracted":
            self.status = "published"

    def list_it(self, listed: bool) -> None:
        self.listed = listed

    def grant(self, org: int) -> None:
        self.grants = self.grants | {org}

    def revoke(self, org: int) -> None:
        self.grants = self.grants - {org}

    def facts(self) -> EntryFacts:
        return EntryFacts(
            owner_id=OWNER, status=self.status, visibility=self.visibility,
            partner_ids=self.partners, review_status=self.review_status,
            requested_visibility=self.requested, working_revision=self.working,
            published_revision=self.published_revision, grant_ids=self.grants,
            listed=self.listed, organization_display=self.display,
        )  # fmt: skip


# -- the oracle: SPEC §2 restated ------------------------------------------------


def audience(caller: Caller, visibility: str, partners: frozenset[int]) -> bool:
    """Could `caller` read a published version with this visibility and partner list?"""
    if visibility == "public":
        return True
    if caller.org is None or not caller.reads:
        return False
    if visibility == "network":
        return True
    return visibility == "partners" and caller.org in partners


def is_owner(caller: Caller) -> bool:
    return caller.org == OWNER and caller.reads


UNDER_REVIEW = ("submitted", "held", "changes_requested")


def reviews(caller: Caller, m: Model) -> bool:
    """Curators read what is submitted to them (public/network asked) — held by the
    guard or not — and retracted public/network entries they may restore."""
    if not (caller.curator and caller.reads):
        return False
    under_review = m.status in UNDER_REVIEW or m.review_status in UNDER_REVIEW
    if under_review:
        return (m.requested or m.visibility) in REVIEWED
    return m.status == "retracted" and m.visibility in REVIEWED


def reads_live(caller: Caller, m: Model) -> bool:
    """In the live version's audience — or granted access by the owner (an access
    request approved for the caller's organization)."""
    granted = caller.org in m.grants and caller.reads
    return m.status == "published" and (audience(caller, m.visibility, m.partners) or granted)


def oracle_readable(caller: Caller, m: Model) -> bool:
    return is_owner(caller) or reads_live(caller, m) or reviews(caller, m)


def oracle_stub(caller: Caller, m: Model) -> bool:
    """A listed, published, restricted entry shows its stub to anyone who cannot read it."""
    return (
        not oracle_readable(caller, m)
        and m.listed
        and m.status == "published"
        and m.visibility != "public"
    )


def oracle_revision(caller: Caller, m: Model, revision: Revision) -> bool:
    if is_owner(caller):
        return True
    if not oracle_readable(caller, m):
        return False
    under_review = m.status in UNDER_REVIEW or m.review_status in UNDER_REVIEW
    if reviews(caller, m) and under_review and revision.number == m.working:
        return True
    return revision.published and audience(caller, revision.visibility, revision.partners)


def oracle_hidden(caller: Caller, m: Model) -> set[str]:
    if is_owner(caller):
        return set()
    if reviews(caller, m):
        return {"shared_with", "pending_revision"}
    return {"shared_with", "pending_revision", *REVIEW_FIELDS}


def oracle_knows_organization(caller: Caller, m: Model) -> bool:
    """Named: every reader. Network: members of the node (not the public, nor a token
    that reads as the public). Partners: the owner and the live partners."""
    if m.display == "named" or is_owner(caller):
        return True
    if caller.org is None or not caller.reads:
        return False
    return m.display == "network" or caller.org in m.partners


def oracle_hold(caller: Caller, m: Model) -> bool:
    """Curators of other organizations answer every hold — a partners one without
    reading the entry."""
    return m.held and caller.curator and caller.reads and caller.org != OWNER


def oracle_shown(caller: Caller, m: Model) -> int | None:
    """A reviewer who may not read a published entry's live version sees what it reviews."""
    if is_owner(caller) or reads_live(caller, m) or not reviews(caller, m):
        return None
    return m.working if m.status == "published" else None


# -- the test ----------------------------------------------------------------------

WORKFLOW_STEPS = ["submit", "approve", "request_changes", "reject", "retract", "restore",
                  "submit_flagged", "release_hold", "return_hold"]  # fmt: skip
ACCESS_STEPS = ["list", "unlist", "grant", "revoke"]
Step = tuple[str, str | None, frozenset[int] | None]
partner_sets = st.frozensets(st.sampled_from(ORGS[1:]), max_size=2)
steps = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(VISIBILITIES), partner_sets),
    st.tuples(st.sampled_from(WORKFLOW_STEPS), st.none(), st.none()),
    st.tuples(st.sampled_from(ACCESS_STEPS), st.none(), partner_sets),
    st.tuples(st.just("display"), st.sampled_from(("named", "network", "partners")), st.none()),
)
histories = st.tuples(
    st.sampled_from(VISIBILITIES), partner_sets, st.lists(steps, min_size=0, max_size=14)
)


def finds_in_search(caller: Caller, m: Model) -> bool:
    """What search decides: the document's tags meet the caller's tags, plus the
    entry tag of each grant the caller's organization holds (from the database).
    Only published entries have a document (`indexer.documents.build_document`)."""
    if m.status != "published":
        return False
    document = search_tags(entry_id="e", status=m.status, visibility=m.visibility,
                           owner_id=OWNER, partner_ids=m.partners)  # fmt: skip
    held = set(principal_tags(caller.principal()))
    if caller.org is not None and caller.reads and caller.org in m.grants:
        held.add(entry_tag("e"))
    return bool(document & held)


def check(m: Model) -> None:
    facts = m.facts()
    for caller in CALLERS:
        principal = caller.principal()
        access = entry_access(principal, facts)
        # Search shows the live published version: to its audience, grantees, the owner.
        assert finds_in_search(caller, m) == (
            m.status == "published" and (reads_live(caller, m) or is_owner(caller))
        ), (caller, m)
        assert access.readable == oracle_readable(caller, m), (caller, m)
        assert access.stub == oracle_stub(caller, m), (caller, m)
        assert may_see_hold(principal, facts) == oracle_hold(caller, m), (caller, m)
        assert knows_organization(principal, facts) == oracle_knows_organization(caller, m), (
            caller, m
        )  # fmt: skip
        if not access.readable:
            for revision in m.revisions:
                facts_r = RevisionFacts(
                    revision.number, revision.published, revision.visibility, revision.partners
                )
                assert not may_read_revision(principal, facts, facts_r), (caller, m)
            continue
        assert set(hidden_fields(access)) == oracle_hidden(caller, m), (caller, m)
        assert shown_revision(access, facts) == oracle_shown(caller, m), (caller, m)
        for revision in m.revisions:
            got = may_read_revision(
                principal, facts,
                RevisionFacts(revision.number, revision.published, revision.visibility,
                              revision.partners),
            )  # fmt: skip
            assert got == oracle_revision(caller, m, revision), (caller, revision, m)


@pytest.mark.slow
class TestRuleOverHistories:
    @settings(max_examples=10_000, deadline=None)
    @given(history=histories)
    def test_every_caller_every_revision_every_field(
        self,
        history: tuple[str, frozenset[int], list[tuple[str, str | None, frozenset[int] | None]]],
    ) -> None:
        visibility, partners, ops = history
        m = Model.new(visibility, partners)
        check(m)
        for name, new_visibility, new_partners in ops:
            if name == "edit":
                assert new_visibility is not None
                assert new_partners is not None
                m.edit(new_visibility, new_partners)
            elif name in ("list", "unlist"):
                m.list_it(name == "list")
            elif name in ("grant", "revoke"):
                for org in new_partners or ():
                    getattr(m, name)(org)
            elif name == "display":
                assert new_visibility is not None
                m.display = new_visibility
            else:
                getattr(m, name)()
            check(m)


class TestOracleSanity:
    """The oracle itself on the cases the issue reported."""

    def test_private_body_stays_private_after_widening(self) -> None:
        m = Model.new("private", frozenset())
        m.submit()  # published private
        m.edit("public", frozenset())
        m.submit()
        m.approve()
        anonymous = CALLERS[0]
        assert (m.status, m.visibility) == ("published", "public")
        assert not oracle_revision(anonymous, m, m.revision(1))
        assert oracle_revision(anonymous, m, m.revision(2))
        facts = m.facts()
        assert not may_read_revision(
            anonymous.principal(), facts, RevisionFacts(1, True, "private", frozenset())
        )

    def test_reviewer_of_a_widening_sees_only_the_revision_under_review(self) -> None:
        m = Model.new("private", frozenset())
        m.submit()
        m.edit("public", frozenset())
        m.submit()
        curator = next(c for c in CALLERS if c.name == "curator-3")
        access = entry_access(curator.principal(), m.facts())
        assert access.review_only
        assert shown_revision(access, m.facts()) == 2
        assert not oracle_revision(curator, m, m.revision(1))

    def test_owner_fields_hidden_from_partners(self) -> None:
        m = Model.new("partners", frozenset({2, 3}))
        m.submit()
        partner = next(c for c in CALLERS if c.name == "member-2")
        hidden = hidden_fields(entry_access(partner.principal(), m.facts()))
        assert hidden >= OWNER_FIELDS

    def test_write_only_client_reads_like_anonymous(self) -> None:
        m = Model.new("network", frozenset())
        m.submit()
        m.approve()
        client = next(c for c in CALLERS if c.name == "write-only-client-2")
        assert not entry_access(client.principal(), m.facts()).readable
        assert replace(client, reads=True).principal().reads_beyond_public
