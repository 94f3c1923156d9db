"""The visibility rule holds on every read surface, for random callers and entries.

The oracle below is the rule of SPEC §2 written out in plain Python, independent
of `api.access`. Entries are created and moved through the workflow by the API
(draft, submitted for review, published, retracted); every caller — anonymous,
members of the owner, partner and other organizations, a curator, machine
clients with and without `entries:read`, all with real tokens — then reads every
entry, the list and its total, search hits, totals and facet counts, an
attachment and the revisions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from api.models import Entry
from api.outbox import mark_dirty
from tests.factories import (
    bearer,
    client_token,
    create_entry,
    member_token,
    publish,
    wait_indexed,
)

ORGS = ("org-a", "org-b", "org-c", "org-d")


@dataclass(frozen=True)
class EntrySpec:
    owner: str
    visibility: str
    partners: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Caller:
    name: str
    org: str | None
    roles: frozenset[str]
    client_scopes: tuple[str, ...] | None = None  # a machine client, with these scopes


CALLERS = (
    Caller("anonymous", None, frozenset()),
    Caller("reader-a", "org-a", frozenset({"reader"})),
    Caller("publisher-b", "org-b", frozenset({"publisher"})),
    Caller("curator-c", "org-c", frozenset({"curator"})),
    Caller("reader-d", "org-d", frozenset({"reader"})),
    Caller("client-b-read", "org-b", frozenset(), ("entries:read",)),
    Caller("client-b-write-only", "org-b", frozenset(), ("entries:write",)),
)
WORD = "zebrafinch"


def resulting_status(entry: EntrySpec) -> str:
    """Submitting a partners/private entry publishes it: only public/network need review."""
    if entry.status == "submitted" and entry.visibility in ("partners", "private"):
        return "published"
    return entry.status


def oracle_may_read(caller: Caller, spec: EntrySpec) -> bool:
    entry = EntrySpec(spec.owner, spec.visibility, spec.partners, resulting_status(spec))
    if caller.client_scopes is not None and "entries:read" not in caller.client_scopes:
        # a machine client without entries:read reads like an anonymous caller
        caller = Caller(caller.name, None, frozenset())
    if caller.org == entry.owner:
        return True
    if entry.status == "published":
        if entry.visibility == "public":
            return True
        if entry.visibility == "network":
            return caller.org is not None
        if entry.visibility == "partners":
            return caller.org in entry.partners
        return False
    return (
        entry.status in ("submitted", "changes_requested", "retracted")
        and entry.visibility in ("public", "network")
        and "curator" in caller.roles
    )


@st.composite
def entry_specs(draw: st.DrawFn) -> EntrySpec:
    owner = draw(st.sampled_from(ORGS))
    visibility = draw(st.sampled_from(["public", "network", "partners", "private"]))
    others = [o for o in ORGS if o != owner]
    partners = tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True)))
    status = draw(st.sampled_from(["draft", "published", "published", "submitted", "retracted"]))
    return EntrySpec(owner, visibility, partners, status)


class TestVisibilityRuleEverywhere:
    @pytest.mark.slow
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(specs=st.lists(entry_specs(), min_size=1, max_size=6))
    def test_api_answers_equal_the_rule(
        self, app: FastAPI, client: TestClient, specs: list[EntrySpec]
    ) -> None:
        publishers = {org: member_token(app, org, "publisher", person="owner") for org in ORGS}
        tokens = {c.name: self._token(app, client, c) for c in CALLERS}
        created: list[tuple[EntrySpec, str, str]] = []
        try:
            for spec in specs:
                token = publishers[spec.owner]
                entry = create_entry(
                    client,
                    token,
                    title=f"Programme evaluation {WORD}",
                    visibility=spec.visibility,
                    shared_with=list(spec.partners),
                )
                upload = client.post(
                    f"/v1/entries/{entry['id']}/attachments",
                    files={"file": ("notes.txt", b"field notes", "text/plain")},
                    headers=bearer(token),
                )
                assert upload.status_code == 201, upload.text
                if spec.status in ("published", "retracted"):
                    publish(client, token, entry["id"])
                if spec.status == "retracted":
                    retracted = client.post(
                        f"/v1/entries/{entry['id']}/retract",
                        json={"reason": "owner_request"},
                        headers=bearer(token),
                    )
                    assert retracted.status_code == 200, retracted.text
                elif spec.status == "submitted":
                    submitted = client.post(
                        f"/v1/entries/{entry['id']}/submit", headers=bearer(token)
                    )
                    assert submitted.status_code == 200, submitted.text
                created.append((spec, entry["id"], upload.json()["href"]))

            for caller in CALLERS:
                headers = bearer(tokens[caller.name])
                expected = {eid for spec, eid, _ in created if oracle_may_read(caller, spec)}
                listing = client.get("/v1/entries?per_page=100", headers=headers).json()
                assert {item["id"] for item in listing["items"]} == expected, caller
                assert listing["total"] == len(expected), caller
                searchable = {
                    eid
                    for spec, eid, _ in created
                    if eid in expected and resulting_status(spec) == "published"
                }
                found = client.get(
                    "/v1/search", params={"q": WORD, "per_page": 100}, headers=headers
                ).json()
                assert {hit["id"] for hit in found["hits"]} == searchable, caller
                assert found["total"] == len(searchable), caller
                assert sum(found["facets"].get("kind", {}).values()) == len(searchable)
                assert sum(found["facets"].get("organization", {}).values()) == len(searchable)
                for spec, entry_id, attachment_href in created:
                    want = 200 if entry_id in expected else 404
                    for url in (
                        f"/v1/entries/{entry_id}",
                        f"/v1/entries/{entry_id}/revisions",
                        f"/v1/entries/{entry_id}/revisions/1",
                        f"/v1/entries/{entry_id}/attachments",
                        attachment_href,
                    ):
                        got = client.get(url, headers=headers).status_code
                        if url.endswith("/revisions/1") and want == 200:
                            # revision 1 is published only if the entry was published;
                            # owners and reviewing curators also see unpublished ones
                            owner = caller.org == spec.owner
                            ever_published = resulting_status(spec) in ("published", "retracted")
                            want_rev = (
                                200
                                if owner or ever_published or "curator" in (caller.roles)
                                else 404
                            )
                            assert got == want_rev, (caller, spec, url)
                        else:
                            assert got == want, (caller, spec, url)
        finally:
            with app.state.session_factory() as session, session.begin():
                ids = list(session.scalars(select(Entry.id)))
                mark_dirty(session, ids)  # the index forgets them too
                session.execute(delete(Entry))
            wait_indexed(app)

    @staticmethod
    def _token(app: FastAPI, client: TestClient, caller: Caller) -> str | None:
        if caller.org is None:
            return None
        if caller.client_scopes is not None:
            return client_token(app, client, caller.org, list(caller.client_scopes))
        return member_token(app, caller.org, *caller.roles, person=caller.name)


class TestInvisibleIsExactlyMissing:
    def test_private_entry_answers_like_a_missing_one(
        self, app: FastAPI, client: TestClient
    ) -> None:
        owner = member_token(app, "org-a", "publisher")
        other = member_token(app, "org-b", "reader")
        entry = publish(client, owner, create_entry(client, owner, visibility="private")["id"])
        hidden = client.get(f"/v1/entries/{entry['id']}", headers=bearer(other))
        missing = client.get("/v1/entries/doesnotexist00", headers=bearer(other))
        assert hidden.status_code == missing.status_code == 404
        strip = {"instance"}
        assert {k: v for k, v in hidden.json().items() if k not in strip} == {
            k: v for k, v in missing.json().items() if k not in strip
        }
