"""The node's token-signing keys, kept in the data directory, and their rotation.

Owns the key file (`<data_dir>/keys/signing-keys.json`), its rotation, and the
running process's view of it (`KeyStore`). Does not mint or validate tokens
(`api.auth.tokens`, `api.auth.validation`).

The file is created on first start (atomically, so concurrent replicas that share
the data directory agree on one key). It lists keys in order, each with
`created_at` and, once rotated out, `retired_at` and `publish_until`:

    {"keys": [{"jwk": {...private JWK...}, "created_at": "...",
               "retired_at": "...", "publish_until": "..."}, ...]}

(A legacy file whose items are bare JWKs is still read.) Invariants:
- tokens are always signed with the *current* key: the last key not retired;
- the public halves of the current key and of every retired key whose
  `publish_until` lies in the future are published at `/.well-known/jwks.json`
  and accepted for verification — nothing else is. `rotate_keys` sets
  `publish_until = retired_at + keep_seconds`, where `keep_seconds` must cover the
  longest token lifetime plus the validation leeway, so a token signed just
  before a rotation stays valid until it expires; after that the key is gone
  from the JWKS at once and from the file at the next rotation;
- a running process re-reads the file when it changes (checked at most every
  `RELOAD_INTERVAL_SECONDS`), so `offramp keys rotate` needs no restart."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from joserfc.jwk import ECKey, Key, KeySet

SIGNING_ALGORITHM = "ES256"
KEY_FILE = "signing-keys.json"
# How stale a process's view of the key file may get. Keep it well below the
# validation leeway: a replica may sign with the old key for this long after a
# rotation, and `keep_seconds` must absorb that.
RELOAD_INTERVAL_SECONDS = 2.0

log = structlog.get_logger("api.auth.keys")


@dataclass(frozen=True)
class NodeKeys:
    """One consistent snapshot: the signing key and every key that verifies."""

    current: ECKey
    all_keys: tuple[ECKey, ...]

    @property
    def verification_set(self) -> KeySet:
        return KeySet(list(self.all_keys))

    def public_jwks(self) -> dict[str, Any]:
        keys = []
        for key in self.all_keys:
            public = key.as_dict(private=False)
            public.update(use="sig", alg=SIGNING_ALGORITHM)
            keys.append(public)
        return {"keys": keys}


@dataclass(frozen=True)
class StoredKey:
    """One item of the key file."""

    key: ECKey
    created_at: datetime | None
    retired_at: datetime | None = None
    publish_until: datetime | None = None

    def is_published(self, now: datetime) -> bool:
        if self.retired_at is None:
            return True
        # A retired key without a window is treated as withdrawn.
        return self.publish_until is not None and self.publish_until > now

    def to_json(self) -> dict[str, Any]:
        return {
            "jwk": self.key.as_dict(private=True),
            "created_at": _iso(self.created_at),
            "retired_at": _iso(self.retired_at),
            "publish_until": _iso(self.publish_until),
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> StoredKey:
        if "kty" in item:  # legacy file: a bare private JWK
            return cls(key=ECKey.import_key(item), created_at=None)
        return cls(
            key=ECKey.import_key(item["jwk"]),
            created_at=_parse(item.get("created_at")),
            retired_at=_parse(item.get("retired_at")),
            publish_until=_parse(item.get("publish_until")),
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_file_path(data_dir: Path) -> Path:
    return data_dir / "keys" / KEY_FILE


def _ensure_key_file(data_dir: Path) -> Path:
    path = key_file_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        _create_key_file(path)
    return path


def _read(path: Path) -> list[StoredKey]:
    stored = json.loads(path.read_text())
    return [StoredKey.from_json(item) for item in stored["keys"]]


def _select(stored: list[StoredKey], now: datetime, source: Path) -> NodeKeys:
    active = [item for item in stored if item.retired_at is None]
    if not active:
        raise RuntimeError(f"{source} lists no current (unretired) key")
    published = tuple(item.key for item in stored if item.is_published(now))
    return NodeKeys(current=active[-1].key, all_keys=published)


def load_or_create_keys(data_dir: Path, *, now: datetime | None = None) -> NodeKeys:
    path = _ensure_key_file(data_dir)
    return _select(_read(path), now or _utcnow(), path)


def rotate_keys(data_dir: Path, *, keep_seconds: int, now: datetime | None = None) -> NodeKeys:
    """Append a new current key; retire the previous one, published `keep_seconds` more.

    Retired keys whose window has passed are removed from the file here."""
    if keep_seconds < 0:
        raise ValueError("keep_seconds must not be negative")
    path = _ensure_key_file(data_dir)
    with _exclusive_lock(path.parent / ".rotate.lock"):
        moment = now or _utcnow()
        kept: list[StoredKey] = []
        for item in _read(path):
            if item.retired_at is None:
                item = replace(
                    item, retired_at=moment, publish_until=moment + timedelta(seconds=keep_seconds)
                )
            elif not item.is_published(moment):
                continue
            kept.append(item)
        kept.append(StoredKey(ECKey.generate_key("P-256", auto_kid=True), created_at=moment))
        _replace_file(path, kept)
    return _select(kept, moment, path)


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    # Two operators rotating at once must not both retire the same key and lose one
    # of the new ones; readers never need the lock because the file is replaced whole.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_temp(path: Path, stored: list[StoredKey]) -> Path:
    document = json.dumps({"keys": [item.to_json() for item in stored]}, indent=1)
    temp = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(document)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def _replace_file(path: Path, stored: list[StoredKey]) -> None:
    temp = _write_temp(path, stored)
    try:
        # Readers see the old file or the new one, never a half-written one.
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _create_key_file(path: Path) -> None:
    key = ECKey.generate_key("P-256", auto_kid=True)
    temp = _write_temp(path, [StoredKey(key, created_at=_utcnow())])
    try:
        # link() fails if another process won the race; then its key is the key.
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)


def _file_signature(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    # The inode changes on every os.replace, so two rotations within one mtime tick
    # are still told apart.
    return status.st_mtime_ns, status.st_ino, status.st_size


class KeyStore:
    """The process's current view of the key file; a drop-in for `NodeKeys`.

    `keys()` returns a consistent snapshot, re-reading the file when its
    mtime/inode changed (checked at most every `check_interval_seconds`) and
    re-applying the publication windows, so retired keys also drop out on time
    when the file does not change. A file that cannot be read keeps the previous
    keys (logged) rather than taking the node's signing down."""

    def __init__(
        self,
        data_dir: Path,
        *,
        check_interval_seconds: float = RELOAD_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = _ensure_key_file(data_dir)
        self.check_interval_seconds = check_interval_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._signature = _file_signature(self.path)
        self._stored = _read(self.path)
        self._snapshot = _select(self._stored, _utcnow(), self.path)
        self._checked_at = clock()
        self.verification_set: KeySet = LiveKeySet(self)

    def keys(self) -> NodeKeys:
        if self._clock() - self._checked_at >= self.check_interval_seconds:
            return self.refresh()
        return self._snapshot

    def refresh(self) -> NodeKeys:
        with self._lock:
            self._checked_at = self._clock()
            try:
                signature = _file_signature(self.path)
                if signature != self._signature:
                    self._stored = _read(self.path)
                    self._signature = signature
                self._snapshot = _select(self._stored, _utcnow(), self.path)
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                log.error("key file unreadable; keeping the loaded keys", error=str(exc))
            return self._snapshot

    # The `NodeKeys` surface, so callers holding `app.state.node_keys` need not change.
    @property
    def current(self) -> ECKey:
        return self.keys().current

    @property
    def all_keys(self) -> tuple[ECKey, ...]:
        return self.keys().all_keys

    def public_jwks(self) -> dict[str, Any]:
        return self.keys().public_jwks()


class LiveKeySet(KeySet):
    """A `KeySet` whose members are always the store's current verification keys,
    so a `TrustedIssuer` built once at start-up follows rotations."""

    def __init__(self, store: KeyStore) -> None:
        self._store = store
        super().__init__([])

    @property
    def keys(self) -> list[Key]:
        return list(self._store.keys().all_keys)

    @keys.setter
    def keys(self, value: list[Key]) -> None:
        # KeySet.__init__ assigns the list it was given; the store owns the members.
        pass
