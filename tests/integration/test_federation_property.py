"""Every federation egress returns exactly what the rule lets that peer (or the
public) have.

Random entries — status, visibility, partners, organization display, harvested
or not, internal notes — and random peers hosting random organizations. Then,
for every peer, through HTTP: the feed from the start, the inventory and a direct
fetch of every entry id must hold exactly the entries the oracle below allows,
name the organization only where the peer may know it, tell of partners only
those the peer hosts, and never carry internal notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from api.access import Principal
from api.entries.service import insert_entry, new_entry_id
from api.federation.service import add_peer
from api.models.base import utcnow
from tests.conftest import DatabaseUnderTest
from tests.factories import bearer, make_org

OAI = "http://www.openarchives.org/OAI/2.0/"
ORGS = ("owner-org", "org-x", "org-y", "org-z")
NOTE = "internal-note-never-leaves"


@dataclass(frozen=True)
class Spec:
    status: str
    visibility: str
    partners: frozenset[str]
    display: str
    harvested: bool


specs = st.builds(
    Spec,
    status=st.sampled_from(["published", "draft", "submitted", "held", "retracted"]),
    visibility=st.sampled_from(["public", "network", "partners", "private"]),
    partners=st.frozensets(st.sampled_from(ORGS[1:]), max_size=2),
    display=st.sampled_from(["named", "network", "partners"]),
    harvested=st.booleans(),
)
peers = st.lists(st.frozensets(st.sampled_from(ORGS), max_size=2), min_size=1, max_size=3)


def receives(hosted: frozenset[str], spec: Spec) -> bool:
    if spec.harvested or spec.status != "published":
        return False
    return spec.visibility == "public" or (
        spec.visibility == "partners" and bool(spec.partners & hosted)
    )


def knows_organization(hosted: frozenset[str], spec: Spec) -> bool:
    if spec.display == "named":
        return True
    if spec.display == "network":
        return "owner-org" in hosted
    return bool(({"owner-org"} | spec.partners) & hosted)


def _insert(app: FastAPI, spec: Spec) -> str:
    from api.organizations.service import get_organization

    entry_id = new_entry_id()
    with app.state.session_factory() as session, session.begin():
        owner = get_organization(session, "owner-org")
        assert owner is not None
        partners = [get_organization(session, slug) for slug in sorted(spec.partners)]
        values: dict[str, Any] = {
            "kind": "evaluation", "title": f"Entry {entry_id}", "summary": "s", "body": "b",
            "language": "en", "authors": [], "program_types": [], "regions": [], "settings": [],
            "target_populations": [], "actors": [], "evaluation_design": None,
            "evidence_level": None, "period_start": None, "period_end": None, "links": [],
            "license": None, "visibility": spec.visibility, "internal_notes": NOTE,
            "organization_display": spec.display,
        }  # fmt: skip
        if spec.harvested:
            values |= {"origin_node": "https://elsewhere.example", "origin_id": entry_id}
        insert_entry(
            session,
            entry_id=entry_id,
            organization_id=owner.id,
            values=values,
            partners=[p for p in partners if p is not None],
            indicators=[],
            status=spec.status,
            published_at=utcnow(),
        )
    return entry_id


def _peer_token(app: FastAPI, client: TestClient, n: int, hosted: frozenset[str]) -> str:
    with app.state.session_factory() as session, session.begin():
        peer, secret = add_peer(
            session,
            name=f"peer-{n}",
            base_url=f"https://peer-{n}.example",
            organizations=sorted(hosted),
            remote_client_id=None,
            remote_client_secret=None,
            created_by=Principal(display_name="tests"),
        )
        client_id = peer.client_id
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    token: str = response.json()["access_token"]
    return token


def _oai_records(client: TestClient) -> dict[str, bool]:
    """Entry id → whether OAI-PMH shows it with metadata (False: a deleted record)."""
    shown: dict[str, bool] = {}
    params: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    while True:
        tree = etree.fromstring(client.get("/oai", params=params).content)
        for record in tree.iter(f"{{{OAI}}}record"):
            header = record.find(f"{{{OAI}}}header")
            assert header is not None
            identifier = header.findtext(f"{{{OAI}}}identifier") or ""
            entry_id = identifier.rsplit(":", 1)[1]
            deleted = header.get("status") == "deleted"
            assert deleted == (record.find(f"{{{OAI}}}metadata") is None)
            shown[entry_id] = not deleted
        token = tree.findtext(f".//{{{OAI}}}resumptionToken")
        if not token:
            return shown
        params = {"verb": "ListRecords", "resumptionToken": token}


def _all_changes(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/federation/changes", params=params, headers=headers).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=st.lists(specs, min_size=1, max_size=8), hosted_sets=peers)
def test_every_egress_returns_exactly_what_the_peer_may_receive(
    database: DatabaseUnderTest,
    app: FastAPI,
    client: TestClient,
    entries: list[Spec],
    hosted_sets: list[frozenset[str]],
) -> None:
    database.reset()
    for slug in ORGS:
        make_org(app, slug)
    made = {_insert(app, spec): spec for spec in entries}
    for n, hosted in enumerate(hosted_sets):
        headers = bearer(_peer_token(app, client, n, hosted))
        allowed = {i for i, spec in made.items() if receives(hosted, spec)}
        changes = _all_changes(client, headers)
        assert {c["id"] for c in changes} == allowed
        assert all(c["action"] == "upsert" for c in changes)
        inventory = client.get("/v1/federation/inventory", headers=headers).json()["items"]
        assert {i["id"] for i in inventory} == allowed
        for entry_id in made:
            fetched = client.get(f"/v1/federation/entries/{entry_id}", headers=headers)
            assert fetched.status_code == (200 if entry_id in allowed else 404)
        for change in changes:
            spec = made[change["id"]]
            document = change["entry"]
            assert NOTE not in str(change)
            assert set(document["shared_with"]) <= hosted
            assert (document["organization"] is not None) == knows_organization(hosted, spec)
    # The public egresses: OAI-PMH shows with metadata exactly the public entries of
    # this node (harvested ones are their origin's to publish); JSON-LD exists for
    # exactly what an anonymous caller reads.
    public = {i for i, spec in made.items() if spec.status == "published"
              and spec.visibility == "public"}  # fmt: skip
    shown = _oai_records(client)
    assert {i for i, with_metadata in shown.items() if with_metadata} == {
        i for i in public if not made[i].harvested
    }
    for entry_id in made:
        jsonld = client.get(f"/v1/entries/{entry_id}", headers={"Accept": "application/ld+json"})
        assert jsonld.status_code == (200 if entry_id in public else 404), entry_id
        assert NOTE not in jsonld.text
