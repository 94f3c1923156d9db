"""Bulk import: many entries of one organization from a JSON or CSV file, all or nothing."""
