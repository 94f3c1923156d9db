"""`/v1/search`: full-text search with facets, visibility applied inside the engine."""
