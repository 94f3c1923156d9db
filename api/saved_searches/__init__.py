"""Saved searches, their Atom feeds and alerts (`/v1/me/saved-searches`, `/v1/me/alerts`,
`/feeds/saved-searches/{id}.atom`).

A member saves a `/v1/search` query string (validated as the search endpoint
validates it). Its feed and its alerts are always evaluated as the member's
*current* principal — read from the membership table at that moment, never a
copy kept from when it was saved — through the search service (reader tags in
the engine query) and `api.access.live_clause` (rechecked in the database, so a
narrowing the index has not caught up with hides the entry at once). An alert
row records a match; whether its member may still read the entry is decided
again on every read."""
