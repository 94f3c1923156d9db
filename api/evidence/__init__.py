"""Evidence for practitioners: follow-ups of recommendations, evidence labels per
outcome with their history, and indicators compared across entries.

Every surface here reads entries through the one rule (`api.access`): an entry's
follow-ups and ratings are shown to whoever reads its *live* version or owns it
(`readable_evidence`) — a curator who only reviews a pending widening sees none
of them — and cross-entry lists (`/v1/indicators/{code}`, `/v1/follow-ups`) take
the same entries, name organizations through `organization_shown` and show small
cells as "< k" to anyone but the owner (`api.safety.small_cells`)."""
