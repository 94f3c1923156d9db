"""Unit tests for `api.attachments.storage.LocalStorage`."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.attachments.storage import LocalStorage, StagedBlob, Storage, validate_key
from api.errors import PayloadTooLarge

KEY = "abcDEF123_-x"
CHUNKS = [b"first chunk ", b"second chunk ", b"", b"third"]
DATA = b"".join(CHUNKS)


@pytest.fixture
def store(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "store")


def staging_files(store: LocalStorage) -> list[Path]:
    return list(store.tmp.iterdir())


class TestInterface:
    def test_local_storage_satisfies_the_protocol(self, store: LocalStorage) -> None:
        assert isinstance(store, Storage)

    def test_layout_is_created(self, store: LocalStorage) -> None:
        assert store.objects.is_dir()
        assert store.tmp.is_dir()
        assert store.tmp.parent == store.objects.parent  # same filesystem: commit renames


class TestStageAndCommit:
    def test_round_trip(self, store: LocalStorage) -> None:
        staged = store.stage(iter(CHUNKS), max_bytes=1024)
        assert staged.size == len(DATA)
        assert staged.sha256 == hashlib.sha256(DATA).hexdigest()
        assert staged.path.parent == store.tmp
        assert staged.path.read_bytes() == DATA

        store.commit(staged, KEY)
        assert store.exists(KEY)
        assert store.path(KEY) == store.root / "objects" / "ab" / KEY
        with store.open(KEY) as f:
            assert f.read() == DATA
        assert not staged.path.exists()
        assert staging_files(store) == []

    def test_limit_is_inclusive(self, store: LocalStorage) -> None:
        staged = store.stage([DATA], max_bytes=len(DATA))
        assert staged.size == len(DATA)
        store.discard(staged)

    def test_empty_upload(self, store: LocalStorage) -> None:
        staged = store.stage([], max_bytes=10)
        assert staged.size == 0
        assert staged.sha256 == hashlib.sha256(b"").hexdigest()
        store.discard(staged)

    def test_commit_replaces_an_existing_object(self, store: LocalStorage) -> None:
        store.commit(store.stage([b"old"], max_bytes=10), KEY)
        store.commit(store.stage([b"new"], max_bytes=10), KEY)
        assert store.path(KEY).read_bytes() == b"new"

    def test_discard_is_idempotent(self, store: LocalStorage) -> None:
        staged = store.stage(CHUNKS, max_bytes=1024)
        store.discard(staged)
        store.discard(staged)
        assert staging_files(store) == []

    def test_only_files_staged_here_can_be_committed(
        self, store: LocalStorage, tmp_path: Path
    ) -> None:
        outside = tmp_path / "stage-evil.part"
        outside.write_bytes(b"x")
        forged = StagedBlob(path=outside, sha256="0" * 64, size=1)
        with pytest.raises(ValueError, match="not a file staged"):
            store.commit(forged, KEY)
        with pytest.raises(ValueError, match="not a file staged"):
            store.discard(forged)
        assert outside.exists()
        assert not store.exists(KEY)


class TestSizeLimit:
    def test_exceeding_the_limit_raises_413_and_leaves_nothing(self, store: LocalStorage) -> None:
        with pytest.raises(PayloadTooLarge) as caught:
            store.stage(iter(CHUNKS), max_bytes=len(DATA) - 1)
        assert caught.value.status == 413
        assert staging_files(store) == []

    def test_stops_reading_as_soon_as_the_limit_is_passed(self, store: LocalStorage) -> None:
        pulled = 0

        def endless() -> Iterator[bytes]:
            nonlocal pulled
            while True:
                pulled += 1
                yield b"x" * 1000

        with pytest.raises(PayloadTooLarge):
            store.stage(endless(), max_bytes=10_000)
        assert pulled == 11
        assert staging_files(store) == []

    def test_failing_source_leaves_nothing(self, store: LocalStorage) -> None:
        def broken() -> Iterator[bytes]:
            yield b"partial"
            raise ConnectionResetError("client went away")

        with pytest.raises(ConnectionResetError):
            store.stage(broken(), max_bytes=1024)
        assert staging_files(store) == []


class TestDeleteAndExists:
    def test_delete_is_idempotent(self, store: LocalStorage) -> None:
        store.commit(store.stage([b"x"], max_bytes=10), KEY)
        store.delete(KEY)
        assert not store.exists(KEY)
        store.delete(KEY)

    def test_open_missing_key(self, store: LocalStorage) -> None:
        with pytest.raises(FileNotFoundError):
            store.open(KEY)


class TestKeys:
    @pytest.mark.parametrize(
        "key",
        [
            "../../../etc/passwd",
            "..abcdefgh",
            "abc/defgh",
            "abc\\defgh",
            "/abcdefgh",
            "abcdefg",  # too short
            "a" * 65,  # too long
            "abcdefgh\n",
            "abcdefgh\x00",
            "abcdéfgh",
            "",
        ],
    )
    def test_invalid_keys_are_rejected_everywhere(
        self, store: LocalStorage, key: str, tmp_path: Path
    ) -> None:
        staged = store.stage([b"x"], max_bytes=10)
        for call in (store.path, store.open, store.delete, store.exists, validate_key):
            with pytest.raises(ValueError, match="invalid storage key"):
                call(key)
        with pytest.raises(ValueError, match="invalid storage key"):
            store.commit(staged, key)
        assert staged.path.exists()  # a refused commit does not consume the upload
        store.discard(staged)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]

    @pytest.mark.parametrize("key", ["abcdefgh", "A" * 64, "0123-_ab"])
    def test_valid_keys(self, store: LocalStorage, key: str) -> None:
        assert validate_key(key) == key
        assert store.path(key).is_relative_to(store.objects)


class TestSweep:
    def test_only_old_staging_files_are_swept(self, store: LocalStorage) -> None:
        old = store.stage([b"old"], max_bytes=10)
        fresh = store.stage([b"fresh"], max_bytes=10)
        long_ago = time.time() - 2 * 86_400
        os.utime(old.path, (long_ago, long_ago))
        assert store.sweep_staging(older_than_seconds=86_400) == 1
        assert not old.path.exists()
        assert fresh.path.exists()
