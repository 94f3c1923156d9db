"""Configuration changes reach every process: a version counter per kind of
configuration, bumped in the transaction that changes it, and a watcher that
polls the counters and reloads what changed.

Owns: which tables count as which configuration (`WATCHED`), the bump (a session
hook, so no write path can forget it) and `ConfigWatcher`. Does not know how to
reload anything: callers register what to do per name.

Why polling and not PostgreSQL LISTEN/NOTIFY: it works on SQLite too, survives a
lost connection without special handling, and costs one indexed read of a
two-row table every `interval` seconds per process. Configuration changes take
effect in every process within `interval` (2 s by default; the promise is 5 s)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import ConfigVersion, IdentityProvider, VocabularyTerm

log = structlog.get_logger("config")

VOCABULARIES = "vocabularies"
IDENTITY_PROVIDERS = "identity_providers"
WATCHED: dict[type[Any], str] = {
    VocabularyTerm: VOCABULARIES,
    IdentityProvider: IDENTITY_PROVIDERS,
}


@event.listens_for(Session, "after_flush")
def _bump_versions(session: Session, _context: Any) -> None:
    changed = {
        WATCHED[type(obj)]
        for obj in (*session.new, *session.dirty, *session.deleted)
        if type(obj) in WATCHED
    }
    connection = session.connection()
    for name in sorted(changed):
        bumped = connection.execute(
            update(ConfigVersion)
            .where(ConfigVersion.name == name)
            .values(version=ConfigVersion.version + 1)
        )
        if not bumped.rowcount:
            connection.execute(insert(ConfigVersion).values(name=name, version=1))


def read_versions(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {
            name: version
            for name, version in session.execute(select(ConfigVersion.name, ConfigVersion.version))
        }


class ConfigWatcher:
    """Polls the versions every `interval` seconds in a thread; calls the reloads
    registered for each name whose version changed since the last poll."""

    def __init__(self, session_factory: sessionmaker[Session], *, interval: float = 2.0) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self._reloads: dict[str, list[Callable[[], None]]] = {}
        self._seen: dict[str, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def on_change(self, name: str, reload: Callable[[], None]) -> None:
        self._reloads.setdefault(name, []).append(reload)

    def poll(self) -> list[str]:
        """One check; returns the names reloaded."""
        current = read_versions(self.session_factory)
        if self._seen is None:
            self._seen = current
            return []
        changed = [n for n in self._reloads if current.get(n, 0) != self._seen.get(n, 0)]
        for name in changed:
            for reload in self._reloads[name]:
                reload()
            log.info("configuration reloaded", name=name, version=current.get(name, 0))
        self._seen = current
        return changed

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception as exc:  # database briefly away: try again next time
                log.warning("configuration check failed", error=f"{type(exc).__name__}: {exc}")

    def start(self) -> None:
        self.poll()
        self._thread = threading.Thread(target=self._run, name="offramp-config", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
