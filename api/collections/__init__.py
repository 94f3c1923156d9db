"""Collections: curated, ordered lists of entries ("getting started with prison-based programs")."""
