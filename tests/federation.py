"""Real nodes for federation tests: each its own app, database, data directory
(keys, cursor secret, index) and loopback HTTP address, linked as peers the way
administrators link them (client credentials both ways)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.access import Principal
from api.config import Settings
from api.federation.harvest import HarvestReport, harvest_peer
from api.federation.service import add_peer
from api.main import create_app
from api.models import Entry
from tests.loopback import serve

ADMIN = Principal(display_name="tests")


@dataclass
class Node:
    name: str
    app: FastAPI
    client: TestClient
    url: str

    @property
    def settings(self) -> Settings:
        settings: Settings = self.app.state.settings
        return settings

    def harvest(self, peer: str) -> HarvestReport:
        return harvest_peer(self.app.state.session_factory, peer, self.settings)

    def harvested(self, origin: Node) -> dict[str, Entry]:
        """Entries harvested from `origin`, by their id there."""
        with self.app.state.session_factory() as session:
            rows = session.scalars(select(Entry).where(Entry.origin_node == origin.url))
            return {e.origin_id: e for e in rows if e.origin_id is not None}


@contextmanager
def running_node(name: str, database_url: str, data_dir: Path, **overrides: Any) -> Iterator[Node]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        node_name=f"node {name}",
        **overrides,
    )
    app = create_app(settings)
    with ExitStack() as stack:
        client = stack.enter_context(TestClient(app))
        url = stack.enter_context(serve(app, sock))
        yield Node(name, app, client, url)


def link(origin: Node, receiver: Node, *, hosted: tuple[str, ...] = ()) -> str:
    """Make `receiver` a peer of `origin` hosting the `hosted` organizations of
    `origin`, and give `receiver` the credentials to harvest it. Returns the
    receiver's client id at the origin."""
    with origin.app.state.session_factory() as session, session.begin():
        peer, secret = add_peer(
            session,
            name=receiver.name,
            base_url=receiver.url,
            organizations=list(hosted),
            remote_client_id=None,
            remote_client_secret=None,
            created_by=ADMIN,
        )
        client_id = peer.client_id
    with receiver.app.state.session_factory() as session, session.begin():
        add_peer(
            session,
            name=origin.name,
            base_url=origin.url,
            organizations=[],
            remote_client_id=client_id,
            remote_client_secret=secret,
            created_by=ADMIN,
        )
    return client_id


def peer_token(origin: Node, receiver: Node) -> str:
    """A token `receiver` holds for calling `origin` (from origin's token endpoint)."""
    with receiver.app.state.session_factory() as session:
        from api.federation.repository import get_peer

        peer = get_peer(session, origin.name)
        assert peer is not None
        credentials = (peer.remote_client_id or "", peer.remote_client_secret or "")
    response = origin.client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
