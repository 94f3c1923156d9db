"""Key publication: `/.well-known/jwks.json`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json", summary="The node's public token-signing keys")
def jwks(request: Request) -> dict[str, Any]:
    document: dict[str, Any] = request.app.state.node_keys.public_jwks()
    return document
