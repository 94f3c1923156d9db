"""Curation: the review workflow, review threads, retraction, coordinator tools."""
