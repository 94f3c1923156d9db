"""Registering peers: the node administrators' API and the `offramp peer` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, make_org, member_token


def node_admin(app: FastAPI) -> str:
    return member_token(app, app.state.settings.operator_organization, "admin", person="root")


class TestPeersApi:
    def test_add_list_remove(self, app: FastAPI, client: TestClient) -> None:
        make_org(app, "partner-x")
        admin = bearer(node_admin(app))
        created = client.post(
            "/v1/peers",
            json={"name": "sahel-hub", "base_url": "https://hub.example.org/",
                  "organizations": ["partner-x"]},
            headers=admin,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["client_secret"].startswith("ofs_")
        assert (body["base_url"], body["organizations"]) == (
            "https://hub.example.org",
            ["partner-x"],
        )
        token = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(body["client_id"], body["client_secret"]),
        )
        assert token.json()["scope"] == "federation"
        listed = client.get("/v1/peers", headers=admin).json()
        assert [p["name"] for p in listed] == ["sahel-hub"]
        assert "client_secret" not in listed[0]
        assert client.delete("/v1/peers/sahel-hub", headers=admin).status_code == 204
        assert client.get("/v1/peers", headers=admin).json() == []
        assert client.delete("/v1/peers/sahel-hub", headers=admin).status_code == 404

    def test_bad_fields_are_named(self, app: FastAPI, client: TestClient) -> None:
        admin = bearer(node_admin(app))
        for body, field in (
            ({"name": "Bad Name", "base_url": "https://x.org"}, "name"),
            ({"name": "ok", "base_url": "ftp://x.org"}, "base_url"),
            ({"name": "ok", "base_url": "http://["}, "base_url"),
            ({"name": "ok", "base_url": "https://x.org:99999"}, "base_url"),
            ({"name": "ok", "base_url": "https://x.org", "organizations": ["nobody"]},
             "organizations"),
            ({"name": "ok", "base_url": "https://x.org", "remote_client_id": "abc"},
             "remote_client_secret"),
        ):  # fmt: skip
            response = client.post("/v1/peers", json=body, headers=admin)
            assert response.status_code == 422, body
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == [field]

    def test_a_second_peer_with_the_same_name_or_address_conflicts(
        self, app: FastAPI, client: TestClient
    ) -> None:
        admin = bearer(node_admin(app))
        first = {"name": "hub", "base_url": "https://hub.example.org"}
        assert client.post("/v1/peers", json=first, headers=admin).status_code == 201
        for again in (first, {"name": "hub-2", "base_url": "https://hub.example.org"}):
            assert client.post("/v1/peers", json=again, headers=admin).status_code == 409

    def test_only_node_administrators_manage_peers(self, app: FastAPI, client: TestClient) -> None:
        org_admin = bearer(member_token(app, "sahel-ngo", "admin"))
        assert client.get("/v1/peers", headers=org_admin).status_code == 403
        assert client.get("/v1/peers").status_code == 401

    def test_the_federation_scope_is_for_peers_only(self, app: FastAPI, client: TestClient) -> None:
        response = client.post(
            "/v1/clients",
            json={"name": "cms", "kind": "publisher", "organization": "operators",
                  "scopes": ["federation"]},
            headers=bearer(node_admin(app)),
        )  # fmt: skip
        assert response.status_code == 422


def _run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    environment["OFFRAMP_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


class TestPeerCommands:
    def test_peer_add_list_remove_and_harvest_of_an_unreachable_peer(self, tmp_path: Path) -> None:
        assert _run(["migrate"], tmp_path).returncode == 0
        assert _run(["org", "create", "partner-x", "--name", "X"], tmp_path).returncode == 0
        added = _run(
            ["peer", "add", "hub", "http://127.0.0.1:9", "--org", "partner-x",
             "--remote-client-id", "ofc_x", "--remote-client-secret", "ofs_y"],
            tmp_path,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert "client_secret: ofs_" in added.stdout
        listed = _run(["peer", "list"], tmp_path)
        assert listed.stdout.startswith("hub\thttp://127.0.0.1:9\tpartner-x\t")
        harvest = _run(["harvest", "hub"], tmp_path)
        assert harvest.returncode == 1
        assert "error:" in harvest.stderr
        assert "failing x1" in _run(["peer", "list"], tmp_path).stdout
        bad = _run(["peer", "add", "Bad Name", "http://x.org"], tmp_path)
        assert bad.returncode == 2
        assert "name:" in bad.stderr
        assert _run(["peer", "remove", "hub"], tmp_path).returncode == 0
        assert _run(["peer", "list"], tmp_path).stdout == ""
