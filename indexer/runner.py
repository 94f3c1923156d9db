"""Running the consumer continuously: in a thread of the API process (embedded
default, woken right after each commit) or as the `offramp worker` process.

Failures back off exponentially (capped); rows stay in the outbox meanwhile, so
nothing is lost and the index converges once the engine is back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings
from api.shared_config import VOCABULARIES, read_versions
from api.vocabularies.registry import VocabularyRegistry
from api.vocabularies.service import load_registry_from
from indexer.backends.base import SearchBackend
from indexer.consumer import OutboxConsumer

log = structlog.get_logger("indexer")
BACKOFF_BASE_SECONDS = 0.25


class CachedRegistry:
    """The vocabulary registry, reloaded when its configuration version changed
    (checked at most every `check_seconds`; see api.shared_config), and at the
    latest every `ttl_seconds`."""

    def __init__(
        self,
        load: Callable[[], VocabularyRegistry],
        ttl_seconds: float = 60.0,
        *,
        version: Callable[[], int] | None = None,
        check_seconds: float = 2.0,
    ) -> None:
        self._load = load
        self._ttl = ttl_seconds
        self._version = version
        self._check = check_seconds
        self._value: VocabularyRegistry | None = None
        self._loaded_at = 0.0
        self._checked_at = 0.0
        self._seen_version: int | None = None

    def __call__(self) -> VocabularyRegistry:
        now = time.monotonic()
        stale = self._value is None or now - self._loaded_at > self._ttl
        if not stale and self._version is not None and now - self._checked_at >= self._check:
            self._checked_at = now
            stale = self._version() != self._seen_version
        if stale:
            if self._version is not None:
                self._seen_version = self._version()
                self._checked_at = now
            self._value = self._load()
            self._loaded_at = now
        assert self._value is not None
        return self._value


class IndexerLoop:
    def __init__(
        self,
        consumer: OutboxConsumer,
        *,
        poll_interval_seconds: float,
        max_backoff_seconds: float,
    ) -> None:
        self.consumer = consumer
        self.poll_interval = poll_interval_seconds
        self.max_backoff = max_backoff_seconds
        self.stop_event = threading.Event()
        self.wake_event = threading.Event()
        self.failures = 0
        self.last_error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def healthy(self) -> bool:
        return self.failures == 0

    def wake(self) -> None:
        self.wake_event.set()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.wake_event.clear()
            try:
                result = self.consumer.drain(should_stop=self.stop_event.is_set)
                if self.failures:
                    log.info("indexer recovered", after_failures=self.failures)
                self.failures = 0
                self.last_error = None
                if result.rows:
                    log.debug("indexed", rows=result.rows, upserted=result.upserted)
            except Exception as exc:  # engine or database down: keep rows, back off, retry
                self.failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                delay = min(self.max_backoff, BACKOFF_BASE_SECONDS * 2 ** (self.failures - 1))
                log.warning("indexing failed; will retry", error=self.last_error, retry_in=delay)
                self.stop_event.wait(delay)
                continue
            self.wake_event.wait(self.poll_interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="offramp-indexer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.wake_event.set()
        if self._thread is not None:
            self._thread.join(timeout)


def make_indexer_loop(
    settings: Settings, session_factory: sessionmaker[Session], backend: SearchBackend
) -> IndexerLoop:
    """The consumer and its loop as configured: the same for the API's in-process
    indexer and for `offramp worker`."""
    consumer = OutboxConsumer(
        session_factory,
        backend,
        CachedRegistry(
            lambda: load_registry_from(session_factory),
            version=lambda: read_versions(session_factory).get(VOCABULARIES, 0),
        ),
        batch_size=settings.indexer_batch_size,
        max_attempts=settings.indexer_max_attempts,
    )
    return IndexerLoop(
        consumer,
        poll_interval_seconds=settings.indexer_poll_interval_seconds,
        max_backoff_seconds=settings.indexer_max_backoff_seconds,
    )
