"""Bounds of integer request parameters: every integer that reaches a query is
kept inside the column type it is compared with (PostgreSQL INTEGER is 32-bit),
so an out-of-range number is a 422 naming the parameter, never a 500."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

INT32_MAX = 2**31 - 1

DatabaseId = Annotated[int, Path(ge=1, le=INT32_MAX, description="A numeric id")]
RevisionNumber = Annotated[int, Path(ge=1, le=INT32_MAX, description="A revision number")]
RevisionFrom = Annotated[int, Query(alias="from", ge=1, le=INT32_MAX)]
RevisionTo = Annotated[int, Query(alias="to", ge=1, le=INT32_MAX)]
# Event and audit ids are BIGINT: 64-bit on both databases.
CursorAfter = Annotated[int, Query(ge=0, le=2**63 - 1, description="The last id you have seen")]
