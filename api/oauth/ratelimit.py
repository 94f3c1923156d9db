"""Throttling of failed client authentications at the token endpoint.

Owns the failure counters and the lock-out decision; does not authenticate
anybody (`api.oauth.server`) and does not limit successful traffic.

The counters live in the database (`client_auth_failure`), so every API process
counts the same failures: ten failures spread over three processes trip the
limit once, and a restart clears nothing. (Why a table and not Redis: see
`api.models.shared_state`.)

Failures are counted in a sliding window under two keys:
- the pair (client_id, remote address), locked after `threshold` failures: a
  caller who keeps failing locks out *itself* — neither the same client calling
  from elsewhere nor another client behind the same address (a NAT, a proxy, a
  hosting provider's egress) is affected;
- the remote address alone, locked only after `address_threshold` failures
  (ten times as many): this caps a caller who sprays made-up client_ids, at a
  level that ordinary failing clients behind a shared address never reach.
A locked key refuses every further request under it — *including one with the
correct secret* — with 429 until enough failures have aged out of the window.
- a success resets nothing, so interleaving a known-good credential does not
  buy more guesses;
- refused (locked) attempts are not counted, so a lock ends `window_seconds`
  after the failures that caused it.
Trade-off, accepted: a botnet gets `threshold` guesses per address against one
client. Client secrets carry 256 bits, so the counters exist to cap load and log
noise, not because guessing could succeed; a per-client key across addresses
would let anyone who knows a client_id lock that client out.

Concurrency: processes read and write the counters without a lock, so a burst of
simultaneous failures may pass the threshold by the number of requests in
flight; the lock then holds for all of them.

Invariant: rows older than the window are deleted — for the key on every
failure, and for all keys by `sweep` (the API's periodic maintenance)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from api.models import ClientAuthFailure
from api.models.base import utcnow

DEFAULT_THRESHOLD = 10
DEFAULT_ADDRESS_FACTOR = 10
DEFAULT_WINDOW_SECONDS = 300.0
KEY_LENGTH = 200


class FailureLimiter:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        threshold: int = DEFAULT_THRESHOLD,
        address_threshold: int | None = None,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.session_factory = session_factory
        self.threshold = threshold
        self.address_threshold = address_threshold or threshold * DEFAULT_ADDRESS_FACTOR
        self.window = timedelta(seconds=window_seconds)
        self._clock = clock

    def _keys(self, address: str, client_id: str | None) -> list[tuple[str, int]]:
        # Bounded so a megabyte-long client_id cannot become a megabyte-long key.
        pair = f"pair:{(client_id or '')[:100]}|{address}"[:KEY_LENGTH]
        return [(pair, self.threshold), (f"addr:{address}"[:KEY_LENGTH], self.address_threshold)]

    def retry_after(self, address: str, client_id: str | None) -> int | None:
        """Seconds until a request under these keys is allowed again; None if allowed now."""
        now = self._clock()
        wait = 0.0
        with self.session_factory() as session:
            for key, limit in self._keys(address, client_id):
                stamps = session.scalars(
                    select(ClientAuthFailure.failed_at)
                    .where(
                        ClientAuthFailure.key == key,
                        ClientAuthFailure.failed_at > now - self.window,
                    )
                    .order_by(ClientAuthFailure.failed_at.desc())
                    .limit(limit)
                ).all()
                if len(stamps) >= limit:
                    # Allowed again once the oldest of the last `limit` failures leaves the window.
                    wait = max(wait, (min(stamps) + self.window - now).total_seconds())
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record_failure(self, session: Session, address: str, client_id: str | None) -> None:
        """Count a failure in the caller's transaction (with its audit record)."""
        now = self._clock()
        for key, _ in self._keys(address, client_id):
            session.execute(
                delete(ClientAuthFailure).where(
                    ClientAuthFailure.key == key, ClientAuthFailure.failed_at <= now - self.window
                )
            )
            session.add(ClientAuthFailure(key=key, failed_at=now))
        session.flush()

    def sweep(self, session: Session) -> int:
        """Delete every failure older than the window; returns how many."""
        result = session.execute(
            delete(ClientAuthFailure).where(
                ClientAuthFailure.failed_at <= self._clock() - self.window
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
