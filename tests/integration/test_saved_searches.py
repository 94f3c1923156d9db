"""Saved searches, their Atom feeds and alerts: a member's own, validated like the
search, and always evaluated as the member is *now* — a network entry reaches a
member's feed and alerts, another organization's private one never does, and an
entry narrowed after it was alerted drops out of the alerts at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import feedparser
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from api.config import Settings
from api.models import Account, Entry, Membership, SavedSearch, SavedSearchAlert
from api.saved_searches import service
from api.saved_searches.checker import check_round
from tests.factories import (
    bearer,
    client_token,
    member_token,
    patch_entry,
    publish,
    published_entry,
    wait_indexed,
)

WORD = "kingfisherwatch"


def save(client: TestClient, token: str, query: str, name: str = "Mentoring") -> Any:
    return client.post(
        "/v1/me/saved-searches", json={"name": name, "query": query}, headers=bearer(token)
    )


def saved(client: TestClient, token: str, query: str = f"q={WORD}") -> dict[str, Any]:
    response = save(client, token, query)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def feed_ids(client: TestClient, url: str, token: str | None = None) -> list[str]:
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return [item.link.rsplit("/", 1)[-1] for item in parsed.entries]


def alert_ids(client: TestClient, token: str, **params: Any) -> set[str]:
    response = client.get("/v1/me/alerts", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["entry"]["id"] for item in body["items"]}


def check(app: FastAPI) -> service.CheckReport:
    wait_indexed(app)
    return check_round(app.state.session_factory, app.state.search_backend, app.state.settings)


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> dict[str, str]:
    """Tokens: a reader of org-a (who saves searches) and publishers of org-a/org-b."""
    return {
        "reader": member_token(app, "org-a", "reader", person="rita"),
        "pub_a": member_token(app, "org-a", "publisher", person="paul"),
        "pub_b": member_token(app, "org-b", "publisher", person="bea"),
        "other": member_token(app, "org-c", "reader", person="olga"),
    }


def matching_entries(client: TestClient, world: dict[str, str]) -> dict[str, str]:
    def entry(token: str, visibility: str, title: str) -> str:
        return str(published_entry(client, token, title=title, visibility=visibility)["id"])

    return {
        "public": entry(world["pub_b"], "public", f"Public {WORD} study"),
        "network": entry(world["pub_b"], "network", f"Network {WORD} study"),
        "private_b": entry(world["pub_b"], "private", f"Private {WORD} study of org-b"),
        "private_a": entry(world["pub_a"], "private", f"Private {WORD} study of org-a"),
        "unrelated": entry(world["pub_b"], "public", "Unrelated public study"),
    }


class TestSavedSearchCrud:
    def test_save_list_read_delete_own_only(
        self, app: FastAPI, client: TestClient, world: dict[str, str]
    ) -> None:
        created = save(
            client,
            world["reader"],
            "https://node.example/search?region=KE&q=+mentoring+&page=2"
            "&program_type=mentoring&program_type=mentoring&sort=newest",
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["query"] == "q=mentoring&region=KE&program_type=mentoring"
        assert created.headers["location"] == body["href"]
        assert body["feed_key"]
        assert body["feed_url"].endswith(f"?key={body['feed_key']}")
        assert body["new_count"] == 0
        with app.state.session_factory() as session:
            row = session.get(SavedSearch, body["id"])
            assert row is not None
            assert body["feed_key"] not in row.feed_key_hash

        listing = client.get("/v1/me/saved-searches", headers=bearer(world["reader"])).json()
        assert [s["id"] for s in listing["items"]] == [body["id"]]
        assert "feed_key" not in listing["items"][0]
        assert client.get(body["href"], headers=bearer(world["reader"])).json()["name"] == (
            "Mentoring"
        )

        # Another member: the list is theirs (empty); the saved search is a 404.
        other = bearer(world["other"])
        assert client.get("/v1/me/saved-searches", headers=other).json()["items"] == []
        assert client.get(body["href"], headers=other).status_code == 404
        assert client.delete(body["href"], headers=other).status_code == 404
        assert client.post(f"{body['href']}/feed-key", headers=other).status_code == 404
        alerts = client.get(f"/v1/me/alerts?saved_search={body['id']}", headers=other)
        assert alerts.status_code == 404
        assert client.get("/v1/me/saved-searches").status_code == 401

        assert client.delete(body["href"], headers=bearer(world["reader"])).status_code == 204
        assert client.get(body["href"], headers=bearer(world["reader"])).status_code == 404

    def test_machine_clients_keep_no_saved_searches(self, app: FastAPI, client: TestClient) -> None:
        token = client_token(app, client, "org-a", ["entries:read"])
        refused = save(client, token, "q=x")
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"


class TestValidation:
    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("region=XX-nowhere", "query.region"),
            ("/search?program_type=juggling", "query.program_type"),
            ("q=x&colour=blue", "query.colour"),
            ("page=0", "query.page"),
            ("year_from=2020&year_to=2010", "query.year_from"),
            ("facets=nonsense", "query.facets"),
            ("http://[::1?q=x", "query"),
        ],
    )
    def test_bad_query_is_the_search_endpoints_problem(
        self, client: TestClient, world: dict[str, str], query: str, field: str
    ) -> None:
        refused = save(client, world["reader"], query)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in refused.json()["errors"]]
        # The search endpoint names the same field for the same query string.
        searched = client.get(f"/v1/search?{query.split('?')[-1]}", headers=bearer(world["reader"]))
        if searched.status_code == 422:
            assert field in [e["field"] for e in searched.json()["errors"]]
        listing = client.get("/v1/me/saved-searches", headers=bearer(world["reader"])).json()
        assert listing["total"] == 0  # nothing saved

    def test_name_too_long_or_empty(self, client: TestClient, world: dict[str, str]) -> None:
        for name in ("x" * 201, "   ", "tab\there", "nul\x00", "bell\x07"):
            refused = save(client, world["reader"], "q=x", name=name)
            assert refused.status_code == 422
            assert [e["field"] for e in refused.json()["errors"]] == ["name"]
        assert save(client, world["reader"], "q=x", name="x" * 200).status_code == 201

    def test_cap_per_account(
        self, client: TestClient, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "MAX_SAVED_SEARCHES", 2)
        assert save(client, world["reader"], "q=one").status_code == 201
        assert save(client, world["reader"], "q=two").status_code == 201
        refused = save(client, world["reader"], "q=three")
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert (
            client.get("/v1/me/saved-searches", headers=bearer(world["reader"])).json()["total"]
            == 2
        )
        # The cap is per account: another member still saves.
        assert save(client, world["other"], "q=three").status_code == 201


class TestFeed:
    def test_feed_shows_what_the_member_reads_now(
        self, app: FastAPI, client: TestClient, world: dict[str, str]
    ) -> None:
        mine = saved(client, world["reader"])
        ids = matching_entries(client, world)
        # Published in the same second, they would tie: make the order certain.
        with app.state.session_factory() as session, session.begin():
            for days, key in enumerate(("private_a", "network", "public")):
                entry = session.get_one(Entry, ids[key])
                entry.published_at = entry.published_at - timedelta(days=days)
        wait_indexed(app)
        url = mine["feed_url"].split("://", 1)[1].split("/", 1)[1]
        expected = {ids["public"], ids["network"], ids["private_a"]}
        assert set(feed_ids(client, f"/{url}")) == expected
        # Newest first.
        assert feed_ids(client, f"/{url}")[0] == ids["private_a"]
        # Its owner, signed in, needs no key; nobody else gets anything without it.
        assert set(feed_ids(client, mine["feed_href"], world["reader"])) == expected
        assert client.get(mine["feed_href"]).status_code == 404
        assert client.get(mine["feed_href"], headers=bearer(world["other"])).status_code == 404
        assert client.get(f"{mine['feed_href']}?key=wrong").status_code == 404
        assert client.get("/feeds/saved-searches/999999.atom?key=x").status_code == 404

        # A new key: the old one stops working.
        renewed = client.post(f"{mine['href']}/feed-key", headers=bearer(world["reader"]))
        assert renewed.status_code == 200
        assert client.get(f"/{url}").status_code == 404
        new_url = "/" + renewed.json()["feed_url"].split("://", 1)[1].split("/", 1)[1]
        assert set(feed_ids(client, new_url)) == expected

        # Narrowed a moment ago (the index may lag): gone from the feed at once.
        patch_entry(client, world["pub_b"], ids["network"], visibility="private")
        publish(client, world["pub_b"], ids["network"])
        assert set(feed_ids(client, new_url)) == {ids["public"], ids["private_a"]}

        # The member leaves the organization: the key shows public entries only.
        with app.state.session_factory() as session, session.begin():
            account = session.scalar(select(Account.id).where(Account.subject.like("%:rita")))
            session.execute(delete(Membership).where(Membership.account_id == account))
        assert set(feed_ids(client, new_url)) == {ids["public"]}


class TestAlerts:
    def test_alerts_only_for_entries_the_member_reads(
        self, app: FastAPI, client: TestClient, world: dict[str, str]
    ) -> None:
        before = published_entry(client, world["pub_b"], title=f"Older {WORD} study")["id"]
        wait_indexed(app)
        mine = saved(client, world["reader"])
        ids = matching_entries(client, world)
        report = check(app)
        assert report.alerts >= 3
        assert report.failed == 0
        expected = {ids["public"], ids["network"], ids["private_a"]}
        assert alert_ids(client, world["reader"]) == expected  # not private_b, not `before`
        assert before not in alert_ids(client, world["reader"])
        listing = client.get("/v1/me/saved-searches", headers=bearer(world["reader"])).json()
        assert listing["items"][0]["new_count"] == 3
        # Checking again records nothing twice.
        check(app)
        with app.state.session_factory() as session:
            rows = session.scalars(
                select(SavedSearchAlert.entry_id).where(
                    SavedSearchAlert.saved_search_id == mine["id"]
                )
            ).all()
        assert sorted(rows) == sorted(expected)

        # The network entry alerted the member; the feed without a key shows nothing.
        assert client.get(mine["feed_href"]).status_code == 404

        # Narrowed after it was alerted: no longer shown, no longer counted.
        patch_entry(client, world["pub_b"], ids["network"], visibility="private")
        publish(client, world["pub_b"], ids["network"])
        assert alert_ids(client, world["reader"]) == {ids["public"], ids["private_a"]}
        assert alert_ids(client, world["reader"], saved_search=mine["id"]) == {
            ids["public"],
            ids["private_a"],
        }
        one = client.get(mine["href"], headers=bearer(world["reader"])).json()
        assert one["new_count"] == 2

        # Marked read: nothing new until the next match.
        marked = client.post(f"{mine['href']}/alerts/read", headers=bearer(world["reader"]))
        assert marked.status_code == 204
        assert client.get(mine["href"], headers=bearer(world["reader"])).json()["new_count"] == 0
        later = published_entry(client, world["pub_b"], title=f"Later {WORD} study")["id"]
        check(app)
        body = client.get("/v1/me/alerts", headers=bearer(world["reader"])).json()
        assert body["items"][0]["entry"]["id"] == later
        assert body["items"][0]["new"] is True
        assert client.get(mine["href"], headers=bearer(world["reader"])).json()["new_count"] == 1

    def test_another_organizations_private_entry_never_alerts(
        self, app: FastAPI, client: TestClient, world: dict[str, str]
    ) -> None:
        saved(client, world["other"])  # org-c: neither owner nor partner of anything
        ids = matching_entries(client, world)
        check(app)
        assert alert_ids(client, world["other"]) == {ids["public"], ids["network"]}
        with app.state.session_factory() as session:
            alerted = set(session.scalars(select(SavedSearchAlert.entry_id)))
        assert ids["private_b"] not in alerted
        assert ids["private_a"] not in alerted


class TestCommandLine:
    def test_offramp_alerts_check(
        self, app: FastAPI, client: TestClient, world: dict[str, str], settings: Settings
    ) -> None:
        saved(client, world["reader"])
        ids = matching_entries(client, world)
        wait_indexed(app)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")} | {
            "OFFRAMP_ENVIRONMENT": settings.environment,
            "OFFRAMP_DATA_DIR": str(settings.data_dir),
            "OFFRAMP_DATABASE_URL": str(settings.database_url),
        }
        result = subprocess.run(
            [sys.executable, "-m", "api.cli", "alerts", "check"],
            capture_output=True, text=True, env=environment, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "checked 1 saved searches: 3 new alerts" in result.stdout
        assert alert_ids(client, world["reader"]) == {
            ids["public"],
            ids["network"],
            ids["private_a"],
        }
