"""Who is calling the federation routes: a peer node, authenticated by a token of
the client we issued it (scope `federation`), resolved to its `Peer` row.

A revoked or removed peer's token is refused by `api.auth.principals` (401) —
never an empty success; a token without the scope, or of a client that is no
peer, is a 403 naming the scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.access.principal import FEDERATION_SCOPE
from api.auth.dependencies import CurrentPrincipal
from api.config import Settings
from api.db import ReadSession
from api.errors import InsufficientScope, Unauthorized
from api.federation import repository
from api.federation.cursor import CursorCodec, load_cursor_key
from api.models import Peer


def _peer(principal: CurrentPrincipal, session: ReadSession) -> Peer:
    if principal.is_anonymous:
        raise Unauthorized("peers authenticate with their client credentials")
    if principal.kind != "client" or FEDERATION_SCOPE not in (principal.scopes or frozenset()):
        raise InsufficientScope("Only peer nodes read the federation feed.", scope=FEDERATION_SCOPE)
    peer = repository.peer_for_client(session, principal.client_id or "")
    if peer is None:
        raise InsufficientScope("This client is not a registered peer.", scope=FEDERATION_SCOPE)
    return peer


def cursor_codec(request: Request) -> CursorCodec:
    codec = getattr(request.app.state, "federation_cursors", None)
    if not isinstance(codec, CursorCodec):
        settings: Settings = request.app.state.settings
        codec = CursorCodec(load_cursor_key(settings.data_dir), settings.federation_epoch)
        request.app.state.federation_cursors = codec
    return codec


CurrentPeer = Annotated[Peer, Depends(_peer)]
Cursors = Annotated[CursorCodec, Depends(cursor_codec)]
