"""Federation between real nodes: separate apps, databases (node A on SQLite and
on PostgreSQL, B and C on their own SQLite files), keys and loopback addresses.

Each class is one pitfall of federating entries between nodes; the README's
"Federation" section maps them."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from api.config import Settings
from api.db import make_engine
from api.federation.cursor import CursorCodec
from api.federation.harvest import HarvestLoop
from api.migrate import migrate
from api.models import (
    Entry,
    FederatedAttachment,
    FederatedEntry,
    FederationEvent,
    OaiRecord,
    Peer,
)
from tests.conftest import DatabaseUnderTest
from tests.factories import (
    bearer,
    create_entry,
    curator_token,
    member_token,
    patch_entry,
    publish,
    published_entry,
    wait_indexed,
)
from tests.federation import Node, link, peer_token, running_node


@pytest.fixture(scope="session")
def peer_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[DatabaseUnderTest]]:
    made = []
    for name in ("b", "c"):
        path = tmp_path_factory.mktemp(f"node-{name}") / "offramp.db"
        url = f"sqlite:///{path}"
        engine = make_engine(Settings(database_url=url, data_dir=path.parent))
        migrate(engine)
        made.append(DatabaseUnderTest("sqlite", url, engine))
    yield made
    for db in made:
        db.engine.dispose()


@pytest.fixture
def nodes(
    database: DatabaseUnderTest, peer_databases: list[DatabaseUnderTest], tmp_path: Path
) -> Iterator[tuple[Node, Node, Node]]:
    for db in peer_databases:
        db.reset()
    with (
        running_node("a", database.url, tmp_path / "a") as a,
        running_node("b", peer_databases[0].url, tmp_path / "b") as b,
        running_node("c", peer_databases[1].url, tmp_path / "c") as c,
    ):
        yield a, b, c


def feed(origin: Node, receiver: Node, cursor: str | None = None) -> dict:
    params = {"cursor": cursor} if cursor else {}
    response = origin.client.get(
        "/v1/federation/changes", params=params, headers=bearer(peer_token(origin, receiver))
    )
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


class TestPublicEntryTravels:
    def test_harvested_entry_is_searchable_on_the_receiver_and_marked_with_origin(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = published_entry(a.client, token, title="Mentoring returnees in Gao")
        link(a, b)
        report = b.harvest("a")
        assert report.errors == []
        assert report.applied == 1
        local = b.harvested(a)[entry["id"]]
        shown = b.client.get(f"/v1/entries/{local.id}").json()
        assert shown["origin"] == {"node": a.url, "id": entry["id"]}
        assert shown["title"] == "Mentoring returnees in Gao"
        page = b.client.get(f"/entries/{local.id}").text
        assert f'Harvested from <a href="{a.url}/entries/{entry["id"]}"' in page
        wait_indexed(b.app)
        hits = b.client.get("/v1/search", params={"q": "Gao"}).json()
        assert [(h["id"], h["origin"]) for h in hits["hits"]] == [
            (local.id, {"node": a.url, "id": entry["id"]})
        ]


def narrow(a: Node, token: str, entry_id: str, visibility: str, shared: list[str]) -> None:
    patch_entry(a.client, token, entry_id, visibility=visibility, shared_with=shared)
    publish(a.client, token, entry_id)


class TestAudienceChanges:
    """public → partners → private sends tombstones to exactly the peers that lost
    the entry; re-widening re-sends. Three nodes: B hosts partner X, C hosts none."""

    def test_tombstones_go_to_exactly_the_peers_that_lost_access(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, c = nodes
        member_token(a.app, "partner-x", "reader")
        link(a, b, hosted=("partner-x",))
        link(a, c)
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = published_entry(a.client, token, title="Audience test")
        for node in (b, c):
            assert node.harvest("a").applied == 1
            assert entry["id"] in node.harvested(a)

        narrow(a, token, entry["id"], "partners", ["partner-x"])
        b_report, c_report = b.harvest("a"), c.harvest("a")
        assert (b_report.tombstones, c_report.tombstones) == (0, 1)
        assert entry["id"] in b.harvested(a)
        assert entry["id"] not in c.harvested(a)
        kept = b.harvested(a)[entry["id"]]
        assert kept.visibility == "partners"
        # B has no organization partner-x: nobody on B reads it, not even anonymously.
        assert b.client.get(f"/v1/entries/{kept.id}").status_code == 404

        narrow(a, token, entry["id"], "private", [])
        assert (b.harvest("a").tombstones, c.harvest("a").tombstones) == (1, 0)
        assert entry["id"] not in b.harvested(a)

        narrow(a, token, entry["id"], "public", [])
        assert (b.harvest("a").applied, c.harvest("a").applied) == (1, 1)
        for node in (b, c):
            local = node.harvested(a)[entry["id"]]
            assert node.client.get(f"/v1/entries/{local.id}").json()["visibility"] == "public"

    def test_partners_entry_is_readable_by_the_hosted_organization_members_only(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        member_token(a.app, "partner-x", "reader")
        on_b = member_token(b.app, "partner-x", "reader")  # X's members sign in at B
        other_on_b = member_token(b.app, "someone-else", "reader")
        link(a, b, hosted=("partner-x",))
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = create_entry(a.client, token, visibility="partners", shared_with=["partner-x"])
        publish(a.client, token, entry["id"])
        assert b.harvest("a").applied == 1
        local = b.harvested(a)[entry["id"]]
        assert b.client.get(f"/v1/entries/{local.id}", headers=bearer(on_b)).status_code == 200
        for caller in (None, other_on_b):
            assert (
                b.client.get(f"/v1/entries/{local.id}", headers=bearer(caller)).status_code == 404
            )

    def test_retraction_reaches_peers_as_a_tombstone(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = published_entry(a.client, token)
        b.harvest("a")
        local_id = b.harvested(a)[entry["id"]].id
        retracted = a.client.post(
            f"/v1/entries/{entry['id']}/retract",
            json={"reason": "consent_withdrawn"},
            headers=bearer(curator_token(a.app)),
        )
        assert retracted.status_code == 200, retracted.text
        assert b.harvest("a").tombstones == 1
        assert b.client.get(f"/v1/entries/{local_id}").status_code == 404
        wait_indexed(b.app)
        assert b.client.get("/v1/search", params={"q": "reintegration"}).json()["hits"] == []


class TestNothingLeaves:
    """Network and private entries, drafts, internal notes, hidden organizations and
    what was harvested from elsewhere never leave the node; a peer that does not
    host a partner finds a partners entry on no URL."""

    def test_only_what_the_peer_may_receive_is_in_feed_inventory_and_fetch(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, c = nodes
        member_token(a.app, "partner-x", "reader")
        link(a, b, hosted=("partner-x",))
        link(a, c)
        token = member_token(a.app, "sahel-ngo", "publisher")
        public = published_entry(
            a.client, token, internal_notes="call Amadou first", organization_display="network"
        )
        network = published_entry(a.client, token, visibility="network")
        private = published_entry(a.client, token, visibility="private")
        partners = published_entry(
            a.client, token, visibility="partners", shared_with=["partner-x"]
        )
        draft = create_entry(a.client, token)
        sent = {e["id"]: e for e in feed(a, c)["changes"]}
        assert set(sent) == {public["id"]}
        document = sent[public["id"]]["entry"]
        assert "internal_notes" not in document
        assert "call Amadou" not in str(sent)
        assert document["organization"] is None  # display "network": members of A only
        assert {e["id"] for e in feed(a, b)["changes"]} == {public["id"], partners["id"]}
        c_token = peer_token(a, c)
        inventory = a.client.get("/v1/federation/inventory", headers=bearer(c_token)).json()
        assert [i["id"] for i in inventory["items"]] == [public["id"]]
        for hidden in (network, private, partners, draft):
            for url in (f"/v1/federation/entries/{hidden['id']}", f"/v1/entries/{hidden['id']}"):
                assert a.client.get(url, headers=bearer(c_token)).status_code == 404, url

    def test_attachments_are_referenced_and_fetched_through_a_url_that_asks_again(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, c = nodes
        member_token(a.app, "partner-x", "reader")
        link(a, b, hosted=("partner-x",))
        link(a, c)
        token = member_token(a.app, "sahel-ngo", "publisher")
        shared = create_entry(a.client, token, visibility="partners", shared_with=["partner-x"])
        uploaded = a.client.post(
            f"/v1/entries/{shared['id']}/attachments",
            files={"file": ("notes.txt", b"Aftercare findings, plain.", "text/plain")},
            headers=bearer(token),
        )
        assert uploaded.status_code == 201, uploaded.text
        publish(a.client, token, shared["id"])
        [document] = feed(a, b)["changes"]
        [reference] = document["entry"]["attachments"]
        assert reference["sha256"] == hashlib.sha256(b"Aftercare findings, plain.").hexdigest()
        path = reference["url"].removeprefix(a.url)
        fetched = a.client.get(path, headers=bearer(peer_token(a, b)))
        assert fetched.content == b"Aftercare findings, plain."
        assert a.client.get(path, headers=bearer(peer_token(a, c))).status_code == 404
        narrow(a, token, shared["id"], "private", [])
        assert a.client.get(path, headers=bearer(peer_token(a, b))).status_code == 404

    def test_the_receiver_lists_documents_and_fetches_them_from_the_origin_on_demand(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        member_token(a.app, "partner-x", "reader")
        link(a, b, hosted=("partner-x",))
        token = member_token(a.app, "sahel-ngo", "publisher")
        content = "Résumé des résultats.".encode()
        public = create_entry(a.client, token, title="Public with a document")
        shared = create_entry(a.client, token, visibility="partners", shared_with=["partner-x"])
        for entry in (public, shared):
            uploaded = a.client.post(
                f"/v1/entries/{entry['id']}/attachments",
                files={"file": ("résumé.txt", content, "text/plain")},
                headers=bearer(token),
            )
            assert uploaded.status_code == 201, uploaded.text
            publish(a.client, token, entry["id"])
        assert b.harvest("a").errors == []
        local = b.harvested(a)[public["id"]]

        [listed] = b.client.get(f"/v1/entries/{local.id}/attachments").json()
        assert (listed["filename"], listed["size_bytes"]) == ("résumé.txt", len(content))
        assert listed["sha256"] == hashlib.sha256(content).hexdigest()
        shown = b.client.get(f"/v1/entries/{local.id}").json()["attachments"]
        assert [d["id"] for d in shown] == [listed["id"]]
        fetched = b.client.get(listed["href"])
        assert fetched.status_code == 200, fetched.text
        assert fetched.content == content
        assert "utf-8''r%C3%A9sum%C3%A9.txt" in fetched.headers["content-disposition"]

        # The receiver's own rule first: partners entry, anonymous caller → 404.
        harvested_shared = b.harvested(a)[shared["id"]]
        assert b.client.get(f"/v1/entries/{harvested_shared.id}/attachments").status_code == 404

        # A document whose bytes differ from what was announced is not served.
        with b.app.state.session_factory() as session, session.begin():
            session.execute(
                update(FederatedAttachment)
                .where(FederatedAttachment.id == listed["id"])
                .values(sha256="0" * 64)
            )
        refused = b.client.get(listed["href"])
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        with b.app.state.session_factory() as session, session.begin():
            session.execute(
                update(FederatedAttachment)
                .where(FederatedAttachment.id == listed["id"])
                .values(sha256=hashlib.sha256(content).hexdigest())
            )

        # The origin asks its rule again: narrowed there (not yet harvested here), the
        # document is gone here too.
        narrow(a, token, public["id"], "private", [])
        assert b.client.get(listed["href"]).status_code == 404
        # ...and once the tombstone arrives, the references go with the entry.
        b.harvest("a")
        with b.app.state.session_factory() as session:
            assert session.get(FederatedAttachment, listed["id"]) is None

    def test_harvested_entries_are_never_re_exported(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, c = nodes
        link(a, b)
        link(b, c)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        assert b.harvest("a").applied == 1
        report = c.harvest("b")
        assert (report.errors, report.applied) == ([], 0)
        assert feed(b, c)["changes"] == []

    def test_a_relayed_entry_is_rejected(self, nodes: tuple[Node, Node, Node]) -> None:
        """An entry of node A arriving from node B is refused: only A speaks for it."""
        a, b, c = nodes
        link(a, b)
        link(b, c)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        relayed = feed(a, b)["changes"][0]
        with c.app.state.session_factory() as session, session.begin():
            from api.federation.harvest import HarvestReport, apply_change
            from api.federation.repository import get_peer

            peer_b = get_peer(session, "b")
            assert peer_b is not None
            report = HarvestReport(peer="b")
            apply_change(session, peer_b, relayed, report)
        assert (report.rejected, report.applied) == (1, 0)
        assert c.harvested(a) == {}

    def test_a_removed_peer_gets_an_explicit_error_not_an_empty_feed(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        token = peer_token(a, b)
        with a.app.state.session_factory() as session, session.begin():
            from api.federation.service import remove_peer
            from tests.federation import ADMIN

            remove_peer(session, "b", removed_by=ADMIN)
        response = a.client.get("/v1/federation/changes", headers=bearer(token))
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        report = b.harvest("a")
        assert report.errors

    def test_member_tokens_and_anonymous_callers_are_not_peers(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, _, _ = nodes
        member = member_token(a.app, "sahel-ngo", "admin")
        assert a.client.get("/v1/federation/changes").status_code == 401
        refused = a.client.get("/v1/federation/changes", headers=bearer(member))
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "federation"


def events_for(node: Node, peer: str) -> int:
    with node.app.state.session_factory() as session:
        peer_id = session.scalar(select(Peer.id).where(Peer.name == peer))
        count = session.scalar(
            select(func.count(FederationEvent.id)).where(FederationEvent.peer_id == peer_id)
        )
        return int(count or 0)


class TestCursor:
    def test_last_cursor_stays_valid_and_an_unchanged_feed_is_an_empty_page(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        first = feed(a, b)
        assert (len(first["changes"]), first["more"]) == (1, False)
        again = feed(a, b, first["cursor"])
        assert (again["changes"], again["more"], again["cursor"]) == ([], False, first["cursor"])

    def test_pages_follow_each_other_without_gaps(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        made = {published_entry(a.client, token, title=f"Entry {n}")["id"] for n in range(3)}
        seen: list[str] = []
        cursor = None
        headers = bearer(peer_token(a, b))
        while True:
            params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
            page = a.client.get("/v1/federation/changes", params=params, headers=headers).json()
            seen += [c["id"] for c in page["changes"]]
            cursor = page["cursor"]
            if not page["more"]:
                break
        assert sorted(seen) == sorted(made)

    def test_a_forged_or_foreign_cursor_is_refused_naming_the_field(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, c = nodes
        link(a, b)
        link(a, c)
        b_cursor = feed(a, b)["cursor"]
        for cursor in (b_cursor[:-2] + "xx", "not-a-cursor", b_cursor):
            response = a.client.get(
                "/v1/federation/changes",
                params={"cursor": cursor},
                headers=bearer(peer_token(a, c)),
            )
            assert response.status_code == 422, cursor
            assert response.json()["errors"][0]["field"] == "cursor"

    def test_a_cursor_past_the_horizon_gets_410_and_the_peer_reconciles(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        kept = published_entry(a.client, token, title="Kept")
        gone = published_entry(a.client, token, title="Gone")
        assert b.harvest("a").applied == 2
        old_cursor = feed(a, b)["cursor"]
        a.client.post(
            f"/v1/entries/{gone['id']}/retract",
            json={"reason": "duplicate"},
            headers=bearer(curator_token(a.app)),
        )
        new = published_entry(a.client, token, title="New")
        with a.app.state.session_factory() as session, session.begin():
            from api.federation.service import prune_feed

            prune_feed(session, retention=timedelta(0))
        response = a.client.get(
            "/v1/federation/changes",
            params={"cursor": old_cursor},
            headers=bearer(peer_token(a, b)),
        )
        assert response.status_code == 410
        report = b.harvest("a")
        assert report.errors == []
        assert report.reconciled
        assert set(b.harvested(a)) == {kept["id"], new["id"]}
        # and the cursor the inventory handed over continues the feed
        narrow(a, token, kept["id"], "private", [])
        assert b.harvest("a").tombstones == 1
        assert set(b.harvested(a)) == {new["id"]}

    def test_a_new_epoch_sends_every_peer_to_the_inventory(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        b.harvest("a")
        codec = a.app.state.federation_cursors
        # what a restart with OFFRAMP_FEDERATION_EPOCH bumped after a restore does
        a.app.state.federation_cursors = CursorCodec(codec.key, codec.epoch + 1)
        report = b.harvest("a")
        assert report.errors == []
        assert report.reconciled
        assert report.applied == 0  # the inventory matched what B holds


class TestOrdering:
    def test_a_transaction_committing_late_loses_no_event(
        self, nodes: tuple[Node, Node, Node], database: DatabaseUnderTest
    ) -> None:
        """A takes an earlier position, B a later one and commits first, the peer
        polls, then A commits: A's change is still delivered. (On SQLite writers are
        serialized, so only the first half applies.)"""
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        first = published_entry(a.client, token, title="First")
        second = published_entry(a.client, token, title="Second")
        b.harvest("a")
        factory = a.app.state.session_factory
        slow = factory()
        slow.begin()
        slow_entry = slow.get(Entry, first["id"])
        assert slow_entry is not None
        slow_entry.title = "First, changed by the slow transaction"
        slow.flush()
        try:
            if database.backend == "postgresql":
                with factory() as fast, fast.begin():
                    fast_entry = fast.get(Entry, second["id"])
                    assert fast_entry is not None
                    fast_entry.title = "Second, changed and committed first"
            b.harvest("a")
            slow.commit()
        finally:
            slow.close()
        assert b.harvest("a").errors == []
        titles = {k: e.title for k, e in b.harvested(a).items()}
        assert titles[first["id"]] == "First, changed by the slow transaction"
        if database.backend == "postgresql":
            assert titles[second["id"]] == "Second, changed and committed first"


class TestIdempotence:
    def test_a_replayed_feed_creates_no_duplicate(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, _ = nodes
        link(a, b)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        assert b.harvest("a").applied == 1
        with b.app.state.session_factory() as session, session.begin():
            peer = session.scalar(select(Peer).where(Peer.name == "a"))
            assert peer is not None
            peer.harvest_cursor = None  # a crash before the cursor was kept
        report = b.harvest("a")
        assert (report.applied, report.ignored) == (0, 1)
        assert len(b.harvested(a)) == 1

    def test_a_late_create_never_resurrects_a_deleted_entry(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        upsert = feed(a, b)["changes"][0]
        tombstone = {"action": "tombstone", "id": upsert["id"], "version": upsert["version"]}
        from api.federation.harvest import HarvestReport, apply_change
        from api.federation.repository import get_peer

        report = HarvestReport(peer="a")
        for change in (tombstone, upsert, upsert):  # the create arrives after the delete
            with b.app.state.session_factory() as session, session.begin():
                peer = get_peer(session, "a")
                assert peer is not None
                apply_change(session, peer, change, report)
        assert (report.applied, report.ignored) == (1, 2)
        assert b.harvested(a) == {}

    def test_an_unchanged_re_save_announces_nothing(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, _ = nodes
        link(a, b)
        entry = published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        before = events_for(a, "b")
        featured = a.client.put(
            f"/v1/entries/{entry['id']}/featured", headers=bearer(curator_token(a.app))
        )
        assert featured.status_code == 200, featured.text
        assert events_for(a, "b") == before

    def test_re_delivery_keeps_the_receivers_own_curation(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = published_entry(a.client, token)
        b.harvest("a")
        local = b.harvested(a)[entry["id"]]
        assert (
            b.client.put(
                f"/v1/entries/{local.id}/featured", headers=bearer(curator_token(b.app))
            ).status_code
            == 200
        )
        patch_entry(a.client, token, entry["id"], title="Retitled at the origin")
        publish(a.client, token, entry["id"])
        assert b.harvest("a").applied == 1
        again = b.harvested(a)[entry["id"]]
        assert (again.id, again.title, again.featured) == (local.id, "Retitled at the origin", True)


class TestOrganizationRename:
    def test_a_renamed_organization_reaches_peers_and_the_public_record(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher", "admin")
        entry = published_entry(a.client, token)
        assert b.harvest("a").applied == 1
        with a.app.state.session_factory() as session:
            before = session.get_one(OaiRecord, entry["id"]).sha256
        renamed = a.client.patch(
            "/v1/organizations/sahel-ngo", json={"name": "Sahel Bridges"}, headers=bearer(token)
        )
        assert renamed.status_code == 200, renamed.text

        assert b.harvest("a").applied == 1  # re-announced with the new name
        with b.app.state.session_factory() as session:
            provenance = session.scalars(
                select(FederatedEntry).where(FederatedEntry.origin_id == entry["id"])
            ).one()
        assert provenance.origin_organization == "Sahel Bridges"
        with a.app.state.session_factory() as session:
            stamped = session.get_one(OaiRecord, entry["id"]).sha256
        assert stamped != before  # the public record names the organization too
        a.client.patch(  # an unchanged name changes nothing
            "/v1/organizations/sahel-ngo", json={"name": "Sahel Bridges"}, headers=bearer(token)
        )
        assert b.harvest("a").applied == 0
        with a.app.state.session_factory() as session:
            assert session.get_one(OaiRecord, entry["id"]).sha256 == stamped


class TestIsolation:
    def test_a_dead_peer_delays_no_other(self, nodes: tuple[Node, Node, Node]) -> None:
        a, b, _ = nodes
        link(a, b)
        published_entry(a.client, member_token(a.app, "sahel-ngo", "publisher"))
        silent = socket.socket()  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        try:
            with b.app.state.session_factory() as session, session.begin():
                from api.federation.service import add_peer
                from tests.federation import ADMIN

                add_peer(
                    session,
                    name="dead",
                    base_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
                    organizations=[],
                    remote_client_id="x",
                    remote_client_secret="y",
                    created_by=ADMIN,
                )
            settings = b.settings.model_copy(update={"federation_http_timeout_seconds": 20.0})
            loop = HarvestLoop(b.app.state.session_factory, settings)
            loop.tick()
            alive = loop._running["a"].result(timeout=60)
            assert alive.applied == 1
            assert not loop._running["dead"].done()
            dead = loop._running["dead"].result(timeout=60)
            assert dead.errors
            with b.app.state.session_factory() as session:
                row = session.scalar(select(Peer).where(Peer.name == "dead"))
                assert row is not None
                assert row.harvest_failures == 1
                assert row.next_harvest_at is not None  # backing off
        finally:
            silent.close()


class TestStructuredContentTravels:
    """Findings, lessons, recommendations, a program profile's design fields and a
    policy framework's fields are content: they reach peers like the title does,
    shown as to anyone outside the owner organization (small cells withheld)."""

    def test_evidence_profile_and_policy_reach_the_peer_with_small_cells_withheld(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        a, b, _ = nodes
        token = member_token(a.app, "sahel-ngo", "publisher")
        program = published_entry(
            a.client, token, kind="program_profile", title="Gao mentoring program",
            findings=[{"text": "Mentored returnees found work sooner",
                       "program_types": ["reintegration"]}],
            recommendations=[{"text": "Fund aftercare for a full year"}],
            profile={"objectives": ["reintegration"], "reporting_rule": "imminent_harm_only",
                     "cohort_size": 6, "duration_months": 18},
            indicators=[{"code": "participants_enrolled", "value": 6}],
        )  # fmt: skip
        law = published_entry(
            a.client, token, kind="policy_framework", title="Material support law",
            evaluation_design=None, indicators=[],
            policy={"jurisdiction": "ML", "level": "national",
                    "impediment_types": ["material_support_law"], "effect": "restricts",
                    "status": "in_force", "source": {"citation": "Loi (synthetic citation)"}},
        )  # fmt: skip
        link(a, b)
        sent = {c["id"]: c["entry"] for c in feed(a, b)["changes"]}
        assert sent[program["id"]]["profile"]["cohort_size"] is None
        assert sent[program["id"]]["indicators"] == [
            {"code": "participants_enrolled", "value": None, "display": "< 10", "note": None}
        ]
        report = b.harvest("a")
        assert (report.errors, report.applied, report.rejected) == ([], 2, 0)
        held = b.harvested(a)
        shown = b.client.get(f"/v1/entries/{held[program['id']].id}").json()
        assert [f["text"] for f in shown["findings"]] == ["Mentored returnees found work sooner"]
        assert shown["findings"][0]["program_types"] == ["reintegration"]
        assert [r["text"] for r in shown["recommendations"]] == ["Fund aftercare for a full year"]
        assert shown["profile"]["reporting_rule"] == "imminent_harm_only"
        assert shown["profile"]["duration_months"] == 18
        assert shown["profile"]["cohort_size"] is None
        policy = b.client.get(f"/v1/entries/{held[law['id']].id}").json()["policy"]
        assert (policy["jurisdiction"], policy["effect"]) == ("ML", "restricts")
        assert policy["source"]["citation"] == "Loi (synthetic citation)"
        wait_indexed(b.app)
        hits = b.client.get("/v1/search", params={"q": "aftercare"}).json()["hits"]
        assert [h["id"] for h in hits] == [held[program["id"]].id]

    def test_the_sha256_a_peer_gets_does_not_depend_on_a_withheld_value(
        self, nodes: tuple[Node, Node, Node]
    ) -> None:
        """A withheld small cell (a count below k) has few candidate values: a
        fingerprint computed over it would give it away to anyone who hashes them."""
        a, b, _ = nodes
        link(a, b)
        token = member_token(a.app, "sahel-ngo", "publisher")
        entry = published_entry(
            a.client, token, indicators=[{"code": "participants_enrolled", "value": 6}]
        )
        b_token = peer_token(a, b)

        def state() -> tuple[int, str, str]:
            document = a.client.get(
                f"/v1/federation/entries/{entry['id']}", headers=bearer(b_token)
            ).json()
            listed = a.client.get("/v1/federation/inventory", headers=bearer(b_token)).json()
            (item,) = [i for i in listed["items"] if i["id"] == entry["id"]]
            return document["version"], document["sha256"], item["sha256"]

        version, sha, listed_sha = state()
        assert sha == listed_sha
        patch_entry(a.client, token, entry["id"],
                    indicators=[{"code": "participants_enrolled", "value": 7}])  # fmt: skip
        publish(a.client, token, entry["id"])
        later_version, later_sha, later_listed = state()
        assert later_version > version
        assert (later_sha, later_listed) == (sha, sha)
        patch_entry(a.client, token, entry["id"],
                    indicators=[{"code": "participants_enrolled", "value": 60}])  # fmt: skip
        publish(a.client, token, entry["id"])
        _, shown_sha, _ = state()
        assert shown_sha != sha
