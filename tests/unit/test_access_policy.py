"""The action policy: the table printed in the README is the table the code uses,
cell by cell, and role grants follow the rule the README states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.access import Principal
from api.access.policy import (
    ACTIONS,
    POLICY,
    RELATIONS,
    STATES,
    allows,
    expand,
    may_grant,
    relations,
    render_table,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_table() -> dict[tuple[str, str], frozenset[str]]:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- policy-table:start -->\n(.*?)\n<!-- policy-table:end -->", text, re.S)
    assert match, "the README has no policy table"
    cells: dict[tuple[str, str], frozenset[str]] = {}
    for line in match.group(1).splitlines()[2:]:
        action, relation, states = (part.strip() for part in line.strip("|").split("|"))
        cells[(action, relation)] = expand(states)
    return cells


class TestReadmeTable:
    def test_every_action_relation_and_state_matches_the_code(self) -> None:
        cells = readme_table()
        mismatches = [
            (action, relation, state)
            for action in ACTIONS
            for relation in RELATIONS
            for state in STATES
            if allows(action, [relation], state)
            != (state in cells.get((action, relation), frozenset()))
        ]
        assert mismatches == []
        assert len(ACTIONS) * len(RELATIONS) * len(STATES) > 1000

    def test_the_readme_names_no_action_or_relation_the_code_lacks(self) -> None:
        for action, relation in readme_table():
            assert action in POLICY
            assert relation in RELATIONS

    def test_the_readme_shows_the_rendered_table(self) -> None:
        assert render_table() in README.read_text(encoding="utf-8")


class TestRelations:
    def test_a_curator_of_the_owner_organization_is_not_its_reviewer(self) -> None:
        own_curator = Principal(kind="member", organization_id=1,
                                roles=frozenset({"curator", "publisher"}))  # fmt: skip
        assert relations(own_curator, owner_id=1) == {"owner_member", "owner_publisher"}
        assert "curator" in relations(own_curator, owner_id=2)

    def test_anonymous(self) -> None:
        assert relations(Principal(), owner_id=1) == {"anonymous"}


def member(org: int, *roles: str, node_admin: bool = False) -> Principal:
    return Principal(kind="member", organization_id=org, roles=frozenset(roles),
                     node_admin=node_admin)  # fmt: skip


GRANTS = [
    # (granter, role, organization, allowed)
    (member(9, "admin", node_admin=True), "admin", 1, True),
    (member(9, "admin", node_admin=True), "curator", 1, True),
    (member(1, "admin"), "admin", 1, True),
    (member(1, "admin"), "publisher", 1, True),
    (member(1, "admin"), "reader", 1, True),
    (member(1, "admin"), "curator", 1, False),  # curator: node admins only
    (member(1, "admin"), "reader", 2, False),  # never outside one's organization
    (member(1, "curator"), "admin", 1, False),  # curators never grant admin
    (member(1, "curator"), "curator", 1, False),
    (member(1, "curator"), "publisher", 1, True),
    (member(1, "curator"), "publisher", 2, False),
    (member(1, "curator"), "admin", 9, False),  # the escalation: no
    (member(1, "publisher"), "reader", 1, False),
    (member(1, "reader"), "reader", 1, False),
    (
        Principal(
            kind="client",
            organization_id=1,
            roles=frozenset({"curator"}),
            scopes=frozenset({"curation"}),
        ),
        "admin",
        9,
        False,
    ),
]


class TestRoleGrants:
    @pytest.mark.parametrize(("granter", "role", "organization", "allowed"), GRANTS)
    def test_grant(self, granter: Principal, role: str, organization: int, allowed: bool) -> None:
        assert may_grant(granter, role, organization) is allowed

    def test_unknown_roles_are_never_grantable(self) -> None:
        assert not may_grant(member(9, "admin", node_admin=True), "owner", 1)
