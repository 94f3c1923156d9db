"""Keeps the search engine in sync with the database.

The database is the source of truth; the index is derived state fed from a
transactional outbox (`api.outbox`). The consumer re-reads current state for
each named entry, builds documents with a pure function and writes them to a
`SearchBackend`; outbox rows are deleted only after the engine confirmed."""
