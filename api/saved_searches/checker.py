"""The alert checker's loop inside `offramp worker`: every
`alerts_check_interval_seconds`, run every saved search as its member
(`service.check_all`). `offramp alerts check` runs one round by hand."""

from __future__ import annotations

import threading

import structlog
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings
from api.saved_searches.service import CheckReport, check_all
from api.vocabularies.service import load_registry_from
from indexer.backends.base import SearchBackend

log = structlog.get_logger("api.saved_searches.checker")


def check_round(
    factory: sessionmaker[Session], backend: SearchBackend, settings: Settings
) -> CheckReport:
    # The registry is read each round: curators add and deprecate terms meanwhile.
    return check_all(factory, backend, load_registry_from(factory), settings)


class AlertLoop:
    def __init__(
        self, factory: sessionmaker[Session], backend: SearchBackend, settings: Settings
    ) -> None:
        self.factory, self.backend, self.settings = factory, backend, settings
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stop_event.wait(self.settings.alerts_check_interval_seconds):
            try:
                report = check_round(self.factory, self.backend, self.settings)
                log.info("alerts checked", checked=report.checked, alerts=report.alerts,
                         failed=report.failed)  # fmt: skip
            except Exception as exc:  # the database or engine may be briefly unavailable
                log.warning("alert round failed", error=str(exc))

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="alert-loop", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(30)
