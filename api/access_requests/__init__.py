"""Access requests for listed restricted entries, and the time-limited grants an
owner gives in answer (issue: tiered access — public metadata, restricted content)."""
