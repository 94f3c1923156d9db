"""Errors of the federation surfaces (rendered as problem+json by api.errors)."""

from __future__ import annotations

from api.errors import AppError


class CursorGone(AppError):
    """The cursor predates the retention horizon or the feed's epoch: the peer must
    reconcile against the inventory, which hands it a fresh cursor."""

    status = 410
    slug = "cursor-gone"
    title = "Cursor expired"


class NotAPeer(AppError):
    status = 403
    slug = "not-a-peer"
    title = "Not a peer node"
