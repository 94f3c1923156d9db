"""Federation between real nodes: separate apps, databases (node A on SQLite and
on PostgreSQL, B and C on their own SQLite files), keys and loopback addresses.

Each class is one pitfall of federating entries between nodes; the README's
"Federation" section maps them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.config import Settings
from api.db import make_engine
from api.migrate import migrate
from tests.conftest import DatabaseUnderTest
from tests.factories import (
    bearer,
    member_token,
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
        wait_indexed(b.app)
        hits = b.client.get("/v1/search", params={"q": "Gao"}).json()
        assert [(h["id"], h["origin"]) for h in hits["hits"]] == [
            (local.id, {"node": a.url, "id": entry["id"]})
        ]
