"""Feed cursors: opaque, signed, stateless, long-lived.

A cursor is (epoch, peer, position) with an HMAC-SHA256 tag, base64url-encoded.
The position is the (xid, id) of the last event served (see `api.federation.feed`).
The epoch is `OFFRAMP_FEDERATION_EPOCH`: bumped after a restore, it turns every
older cursor into a 410, so peers resync instead of trusting positions the
restored database never reached. The key is a random secret kept in the data
directory (`federation-cursor.key`), created on first use; it only authenticates
cursors (they carry nothing secret), so losing it just means one reconcile."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from api.errors import FieldError, ValidationFailed
from api.federation.errors import CursorGone

KEY_FILE = "federation-cursor.key"


@dataclass(frozen=True, order=True, slots=True)
class Position:
    """Where a peer is in its feed: after the event (xid, id). (0, 0) is the start."""

    xid: int = 0
    id: int = 0


START = Position()


def load_cursor_key(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            with path.open("x") as handle:
                handle.write(key.hex())
            path.chmod(0o600)
        except FileExistsError:  # another process created it first: use theirs
            return bytes.fromhex(path.read_text().strip())
        return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class CursorCodec:
    key: bytes
    epoch: int

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).digest()[:16]

    def encode(self, peer_id: int, position: Position) -> str:
        body = f"{self.epoch}.{peer_id}.{position.xid}.{position.id}".encode("ascii")
        return _b64(body + b"." + self._tag(body))

    def decode(self, peer_id: int, cursor: str) -> Position:
        """The position in `cursor`; 422 naming `cursor` if it is not one of ours
        (or another peer's), 410 if it belongs to an older epoch."""
        invalid = ValidationFailed(
            "The cursor is not one this node issued to you.",
            errors=[FieldError("cursor", "not a cursor issued to this peer")],
        )
        try:
            raw = _unb64(cursor)
            body, tag = raw[:-17], raw[-16:]
            if raw[-17:-16] != b".":
                raise ValueError
            epoch_text, peer_text, xid_text, id_text = body.decode("ascii").split(".")
            epoch, owner, xid, event_id = (
                int(epoch_text), int(peer_text), int(xid_text), int(id_text)
            )  # fmt: skip
        except (ValueError, UnicodeDecodeError):
            raise invalid from None
        if not hmac.compare_digest(tag, self._tag(body)) or owner != peer_id:
            raise invalid
        if epoch != self.epoch:
            raise CursorGone(
                "The feed was reset (a new epoch) since this cursor was issued; reconcile "
                "against /v1/federation/inventory, which returns a fresh cursor."
            )
        return Position(xid, event_id)
