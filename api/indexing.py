"""The API's side of search indexing: the in-process indexer (embedded default),
read-your-writes waiting after a commit, and the search readiness probe.

After a write commits, the request waits (bounded) until the outbox rows of the
entries it touched are gone — i.e. the engine confirmed them — before answering,
so the writer's next search already reflects the change. The wait polls the
outbox table, so it works the same with a separate `offramp worker`."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.models import SearchOutbox
from indexer.backends.base import SearchBackend
from indexer.consumer import outbox_lag
from indexer.runner import IndexerLoop

POLL_SECONDS = 0.01


class IndexFreshness:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        loop: IndexerLoop | None,
        *,
        wait_seconds: float,
    ) -> None:
        self.session_factory = session_factory
        self.loop = loop
        self.wait_seconds = wait_seconds

    def after_commit(self, entry_ids: Iterable[str]) -> bool:
        """Wake the indexer and wait until `entry_ids` are indexed; False on timeout."""
        ids = sorted(set(entry_ids))
        if not ids:
            return True
        if self.loop is not None:
            self.loop.wake()
            if not self.loop.healthy:
                return False  # the engine is failing: do not make every write wait
        deadline = time.monotonic() + self.wait_seconds
        while True:
            with self.session_factory() as session:
                pending = session.scalar(
                    select(func.count(SearchOutbox.id)).where(
                        SearchOutbox.entry_id.in_(ids), SearchOutbox.parked_at.is_(None)
                    )
                )
            if not pending:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def search_readiness(
    session_factory: sessionmaker[Session],
    backend: SearchBackend,
    loop: IndexerLoop | None,
    *,
    max_lag_seconds: float,
) -> dict[str, Any]:
    """The search part of /readyz: the engine answers, and the index is not further
    behind the database than `max_lag_seconds` (else `degraded`, and /readyz is 503)."""
    health = backend.health()
    with session_factory() as session:
        lag = outbox_lag(session)
    status = health.get("status", "unavailable")
    if status == "ok" and lag.oldest_age_seconds > max_lag_seconds:
        status = "degraded"
    result: dict[str, Any] = {
        "status": status,
        "max_outbox_lag_seconds": max_lag_seconds,
        "backend": backend.name,
        "outbox_rows": lag.rows,
        "outbox_oldest_age_seconds": round(lag.oldest_age_seconds, 3),
        # Parked rows do not make the node unready (search answers); they need an
        # operator: `offramp outbox list`.
        "outbox_parked": lag.parked,
    }
    if "error" in health:
        result["error"] = health["error"]
    if loop is not None and not loop.healthy:
        result["indexer"] = "retrying"
    return result
