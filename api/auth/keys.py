"""The node's token-signing keys, kept in the data directory.

The key file is created on first start (atomically, so concurrent replicas that
share the data directory agree on one key). It holds a list of private JWKs, the
last one current; tokens are always signed with the current key and the public
halves of all listed keys are published at `/.well-known/jwks.json`, which is
what lets a later rotation keep old tokens valid until they expire."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet

SIGNING_ALGORITHM = "ES256"
KEY_FILE = "signing-keys.json"


@dataclass(frozen=True)
class NodeKeys:
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


def load_or_create_keys(data_dir: Path) -> NodeKeys:
    directory = data_dir / "keys"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / KEY_FILE
    if not path.exists():
        _create_key_file(path)
    stored = json.loads(path.read_text())
    keys = tuple(ECKey.import_key(item) for item in stored["keys"])
    if not keys:
        raise RuntimeError(f"{path} lists no keys")
    return NodeKeys(current=keys[-1], all_keys=keys)


def _create_key_file(path: Path) -> None:
    key = ECKey.generate_key("P-256", auto_kid=True)
    document = json.dumps({"keys": [key.as_dict(private=True)]})
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(document)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        # link() fails if another process won the race; then its key is the key.
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink(missing_ok=True)
