"""A deployed process freezes what it built at start (api.heap), so the cyclic
collector stops re-walking it; the test environment does not (an app per test)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.heap import freeze_startup_heap
from api.main import create_app


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # give this test process its collector back


def test_only_the_test_environment_leaves_the_heap_alone_by_default() -> None:
    assert Settings(environment="production", database_url="postgresql://db/x").freezes_heap
    assert Settings(environment="development").freezes_heap
    assert not Settings(environment="test").freezes_heap
    assert Settings(environment="test", gc_freeze=True).freezes_heap
    assert not Settings(environment="development", gc_freeze=False).freezes_heap


@pytest.mark.usefixtures("unfrozen")
def test_freezing_moves_the_heap_out_of_the_collectors_sight() -> None:
    assert not freeze_startup_heap(Settings(environment="test"))
    assert gc.get_freeze_count() == 0
    assert freeze_startup_heap(Settings(environment="test", gc_freeze=True))
    assert gc.get_freeze_count() > 10_000


@pytest.mark.usefixtures("unfrozen")
def test_the_service_freezes_once_it_has_started(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"gc_freeze": True}))
    assert gc.get_freeze_count() == 0  # building the app is not starting it
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000
        assert client.get("/healthz").status_code == 200


@pytest.mark.usefixtures("unfrozen")
def test_a_test_node_does_not_freeze(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0
