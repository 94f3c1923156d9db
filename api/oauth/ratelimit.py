"""Throttling of failed client authentications at the token endpoint.

Owns the failure counters and the lock-out decision; does not authenticate
anybody (`api.oauth.server`) and does not limit successful traffic.

Failures are counted in a sliding window under two keys: the remote address
and the presented client_id. Either key reaching `threshold` failures within
`window_seconds` locks it: every further request under that key — *including one
with the correct secret* — is refused with 429 until enough failures have aged
out of the window. So:
- a guesser cannot dodge the limit by varying client_id (the address counter
  still counts), nor by varying addresses against one client (the client
  counter does);
- a success resets nothing, so interleaving a known-good credential does not
  buy more guesses;
- refused (locked) attempts are not counted, so a lock ends `window_seconds`
  after the failures that caused it.
Trade-off, accepted: someone who knows a client_id can lock that client out for
a window by failing on purpose. Client secrets carry 256 bits, so the counters
exist to cap load and log noise, not because guessing could succeed.

Known limit: the counters live in this process's memory. With N replicas an
attacker gets up to N * threshold attempts per window, and a restart clears
them. Multi-replica deployments that want a strict bound need a shared store
(e.g. a Redis sorted set per key) behind the same two methods.

Invariant: memory is bounded — at most `max_keys` keys are tracked (the least
recently failing are forgotten first) and each key keeps at most `threshold`
timestamps."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

DEFAULT_THRESHOLD = 10
DEFAULT_WINDOW_SECONDS = 300.0
DEFAULT_MAX_KEYS = 100_000


class FailureLimiter:
    def __init__(
        self,
        *,
        threshold: int = DEFAULT_THRESHOLD,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        self.threshold = threshold
        self.window_seconds = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    @staticmethod
    def _keys(address: str, client_id: str | None) -> list[str]:
        keys = [f"addr:{address}"]
        if client_id:
            # Bounded so a megabyte-long client_id cannot become a megabyte-long key.
            keys.append(f"client:{client_id[:100]}")
        return keys

    def retry_after(self, address: str, client_id: str | None) -> int | None:
        """Seconds until a request under these keys is allowed again; None if allowed now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in self._keys(address, client_id):
                stamps = self._failures.get(key)
                if stamps is None:
                    continue
                self._expire(stamps, now)
                if len(stamps) >= self.threshold:
                    # Allowed again once the oldest failure leaves the window.
                    wait = max(wait, stamps[0] + self.window_seconds - now)
                elif not stamps:
                    del self._failures[key]
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record_failure(self, address: str, client_id: str | None) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(address, client_id):
                stamps = self._failures.pop(key, None)
                if stamps is None:
                    stamps = deque(maxlen=self.threshold)
                self._expire(stamps, now)
                stamps.append(now)
                self._failures[key] = stamps  # re-inserted: most recent last
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def _expire(self, stamps: deque[float], now: float) -> None:
        while stamps and stamps[0] <= now - self.window_seconds:
            stamps.popleft()
