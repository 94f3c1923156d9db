"""Entries: what organizations share. Create, read, list, edit, publish, revisions."""
