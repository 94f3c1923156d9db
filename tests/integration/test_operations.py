"""Errors as problem documents, health, readiness, metrics and request ids."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import bearer, member_token

PROBLEM_KEYS = {"type", "title", "status", "detail"}


class TestProblemDocuments:
    def test_unknown_route_is_404_problem(self, client: TestClient) -> None:
        response = client.get("/v1/nothing-here")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json().keys() >= PROBLEM_KEYS

    def test_wrong_method_is_405_problem(self, client: TestClient) -> None:
        response = client.put("/v1/entries")
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 405

    def test_malformed_json_is_422_naming_the_problem(
        self, app: FastAPI, client: TestClient
    ) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.post(
            "/v1/entries",
            content=b"{not json",
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["type"] == "json_invalid"

    def test_missing_and_extra_fields_are_named(self, app: FastAPI, client: TestClient) -> None:
        token = member_token(app, "ngo-a", "publisher")
        response = client.post(
            "/v1/entries", json={"kind": "evaluation", "colour": "red"}, headers=bearer(token)
        )
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {"title", "colour"}

    def test_per_page_over_100_is_422_on_the_query_parameter(self, client: TestClient) -> None:
        response = client.get("/v1/entries?per_page=101")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.per_page"

    def test_unexpected_error_is_a_bare_500_problem(self, app: FastAPI) -> None:
        @app.get("/boom")
        def boom() -> None:
            raise RuntimeError("secret internals: password=hunter2")

        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text


class TestOperations:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_checks_the_database(self, client: TestClient) -> None:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"]["database"]["status"] == "ok"

    def test_readyz_is_503_when_the_database_is_gone(self, app: FastAPI) -> None:
        with TestClient(app) as client:
            app.state.engine.dispose()
            from sqlalchemy import create_engine

            from api.db import make_session_factory

            app.state.session_factory = make_session_factory(
                create_engine("postgresql+psycopg://127.0.0.1:1/none")
            )
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["database"]["status"] == "unavailable"

    def test_metrics_are_labelled_by_route_template(self, client: TestClient) -> None:
        client.get("/v1/entries/abc123")
        client.get("/v1/entries/def456")
        text = client.get("/metrics").text
        assert 'route="/v1/entries/{entry_id}"' in text
        assert "abc123" not in text
        assert "offramp_http_request_duration_seconds_bucket" in text

    def test_request_id_is_echoed_or_generated(self, client: TestClient) -> None:
        given = client.get("/healthz", headers={"X-Request-ID": "trace-42"})
        assert given.headers["x-request-id"] == "trace-42"
        hostile = client.get("/healthz", headers={"X-Request-ID": "bad id;<x>"})
        assert hostile.headers["x-request-id"] != "bad id;<x>"
        assert len(hostile.headers["x-request-id"]) == 32

    def test_openapi_and_docs_are_served(self, client: TestClient) -> None:
        spec = client.get("/openapi.json").json()
        assert "/v1/entries/{entry_id}" in spec["paths"]
        assert client.get("/docs").status_code == 200


class TestVocabulariesApi:
    def test_lists_all_vocabularies(self, client: TestClient) -> None:
        names = {v["name"] for v in client.get("/v1/vocabularies").json()["items"]}
        assert {"region", "program_type", "language", "indicator", "kind"} <= names

    def test_region_tree_and_ancestors(self, client: TestClient) -> None:
        body = client.get("/v1/vocabularies/region").json()
        kenya = next(t for t in body["terms"] if t["code"] == "KE")
        assert kenya["ancestors"] == ["014", "202", "002", "001"]
        assert body["tree"][0]["code"] == "001"

    def test_unknown_vocabulary_is_404(self, client: TestClient) -> None:
        assert client.get("/v1/vocabularies/colours").status_code == 404

    def test_languages_come_from_iso_639_1(self, client: TestClient) -> None:
        codes = {t["code"] for t in client.get("/v1/vocabularies/language").json()["terms"]}
        assert {"en", "fr", "ar", "so", "sw"} <= codes
        assert "eng" not in codes
