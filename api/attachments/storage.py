"""Where attachment bytes live: a `Storage` interface and its local-disk backend.

Owns the upload's byte lifecycle: *stage* (stream into a temporary object while
hashing and enforcing the size limit), then *commit* under a key or *discard*.
Invariants: a key names either nothing or a complete, durable object (commit is
an fsync'd atomic rename, so readers never see a partial file); a failed or
over-limit stage leaves nothing behind; keys are validated so they can never
address anything outside the store.

Another backend (e.g. S3: stage to a local temp file, commit = upload + delete)
only has to satisfy the `Storage` protocol.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from api.errors import PayloadTooLarge

__all__ = ["KEY_PATTERN", "LocalStorage", "StagedBlob", "Storage", "validate_key"]

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
_STAGE_PREFIX = "stage-"
_STAGE_SUFFIX = ".part"


@dataclass(frozen=True, slots=True)
class StagedBlob:
    """An upload written in full but not yet committed under a key."""

    path: Path
    sha256: str
    size: int


@runtime_checkable
class Storage(Protocol):
    def stage(self, chunks: Iterable[bytes], *, max_bytes: int) -> StagedBlob:
        """Write `chunks` to a temporary object, hashing; PayloadTooLarge past max_bytes."""
        ...

    def commit(self, staged: StagedBlob, key: str) -> None:
        """Make the staged object durable under `key` (atomically; replaces any old one)."""
        ...

    def discard(self, staged: StagedBlob) -> None:
        """Delete a staged object that will not be committed (idempotent)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The object's bytes for reading; FileNotFoundError if there is none."""
        ...

    def path(self, key: str) -> Path:
        """The local path of the object under `key` (which need not exist)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def exists(self, key: str) -> bool: ...


def validate_key(key: str) -> str:
    """`key` if it is a valid object key, else ValueError (no separators, dots or NULs)."""
    if not isinstance(key, str) or KEY_PATTERN.fullmatch(key) is None:
        raise ValueError(f"invalid storage key: {key!r:.80}")
    return key


class LocalStorage:
    """Objects at `root/objects/<key[:2]>/<key>`, staging files in `root/tmp/`.

    The staging directory sits on the same filesystem as the objects so commit is
    a rename, never a copy. The two-character fan-out keeps directories small.
    Keys are case-sensitive; do not put the root on a case-insensitive filesystem.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.tmp = self.root / "tmp"
        self.objects.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def stage(self, chunks: Iterable[bytes], *, max_bytes: int) -> StagedBlob:
        fd, name = tempfile.mkstemp(prefix=_STAGE_PREFIX, suffix=_STAGE_SUFFIX, dir=self.tmp)
        path = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    size += len(chunk)
                    # Checked before writing: an over-limit chunk never reaches disk.
                    if size > max_bytes:
                        raise PayloadTooLarge(f"the upload exceeds the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    f.write(chunk)
        except BaseException:
            # Over the limit, a client disconnect mid-stream, a full disk: no leftovers.
            path.unlink(missing_ok=True)
            raise
        return StagedBlob(path=path, sha256=digest.hexdigest(), size=size)

    def commit(self, staged: StagedBlob, key: str) -> None:
        target = self.path(key)
        source = self._staged_path(staged)
        target.parent.mkdir(exist_ok=True)
        # Data first, then the rename, then the directory entry: after a crash the
        # key holds either the old object or the complete new one.
        with source.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(source, target)
        _fsync_dir(target.parent)

    def discard(self, staged: StagedBlob) -> None:
        self._staged_path(staged).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def path(self, key: str) -> Path:
        validate_key(key)
        return self.objects / key[:2] / key

    def delete(self, key: str) -> None:
        target = self.path(key)
        target.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def sweep_staging(self, older_than_seconds: float = 24 * 3600) -> int:
        """Delete staging files abandoned by a crash; returns how many were removed."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for leftover in self.tmp.glob(f"{_STAGE_PREFIX}*{_STAGE_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
        return removed

    def _staged_path(self, staged: StagedBlob) -> Path:
        # Only files this store staged may be moved or deleted through it.
        path = Path(staged.path)
        if path.parent.resolve() != self.tmp.resolve() or not path.name.startswith(_STAGE_PREFIX):
            raise ValueError(f"not a file staged by this store: {path}")
        return path


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
