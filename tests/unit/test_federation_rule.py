"""What a peer node may receive (`peer_receives`), what it learns of partners and
of the organization, and feed cursors — pure, against an oracle written from the
README's words, not from the code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.access import EntryFacts, peer_knows_organization, peer_partner_ids, peer_receives
from api.errors import ValidationFailed
from api.federation.cursor import CursorCodec, Position
from api.federation.errors import CursorGone
from api.models import STATUSES, VISIBILITIES

ORGS = st.integers(min_value=1, max_value=6)

facts = st.builds(
    EntryFacts,
    owner_id=ORGS,
    status=st.sampled_from(STATUSES),
    visibility=st.sampled_from(VISIBILITIES),
    partner_ids=st.frozensets(ORGS, max_size=3),
    review_status=st.sampled_from([None, "submitted", "held", "changes_requested"]),
    requested_visibility=st.sampled_from([None, *VISIBILITIES]),
    grant_ids=st.frozensets(ORGS, max_size=2),
    listed=st.booleans(),
    organization_display=st.sampled_from(["named", "network", "partners"]),
)


def oracle(hosted: frozenset[int], entry: EntryFacts, harvested: bool) -> bool:
    """README "Federation": a peer gets published public entries, and published
    partners entries shared with an organization it hosts; nothing else, and
    nothing this node harvested itself."""
    if harvested or entry.status != "published":
        return False
    return entry.visibility == "public" or (
        entry.visibility == "partners" and any(p in hosted for p in entry.partner_ids)
    )


@given(hosted=st.frozensets(ORGS, max_size=3), entry=facts, harvested=st.booleans())
def test_a_peer_receives_exactly_what_the_oracle_allows(
    hosted: frozenset[int], entry: EntryFacts, harvested: bool
) -> None:
    assert peer_receives(hosted, entry, harvested=harvested) == oracle(hosted, entry, harvested)


@given(hosted=st.frozensets(ORGS, max_size=3), entry=facts)
def test_a_peer_learns_only_of_the_partners_it_hosts(
    hosted: frozenset[int], entry: EntryFacts
) -> None:
    told = peer_partner_ids(hosted, entry)
    assert told <= hosted
    assert told <= entry.partner_ids


@given(hosted=st.frozensets(ORGS, max_size=3), entry=facts)
def test_a_peer_never_learns_an_organization_only_members_may_know(
    hosted: frozenset[int], entry: EntryFacts
) -> None:
    knows = peer_knows_organization(hosted, entry)
    if entry.organization_display == "named":
        assert knows
    elif entry.organization_display == "network":
        assert knows == (entry.owner_id in hosted)
    else:
        assert knows == bool(({entry.owner_id} | entry.partner_ids) & hosted)


class TestCursor:
    codec = CursorCodec(b"k" * 32, epoch=3)

    def test_round_trip(self) -> None:
        cursor = self.codec.encode(7, Position(123, 45))
        assert self.codec.decode(7, cursor) == Position(123, 45)

    @pytest.mark.parametrize(
        "mangle",
        [lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"), lambda c: "x" + c, lambda c: "",
         lambda c: "é"],
    )  # fmt: skip
    def test_a_tampered_cursor_is_invalid_input_naming_the_field(self, mangle: object) -> None:
        cursor = self.codec.encode(7, Position(1, 2))
        with pytest.raises(ValidationFailed) as raised:
            self.codec.decode(7, mangle(cursor))  # type: ignore[operator]
        assert raised.value.errors == [
            {"field": "cursor", "message": "not a cursor issued to this peer"}
        ]

    def test_another_peers_cursor_is_invalid(self) -> None:
        with pytest.raises(ValidationFailed):
            self.codec.decode(8, self.codec.encode(7, Position(1, 2)))

    def test_a_cursor_of_an_older_epoch_is_gone(self) -> None:
        older = CursorCodec(self.codec.key, epoch=2).encode(7, Position(1, 2))
        with pytest.raises(CursorGone):
            self.codec.decode(7, older)
