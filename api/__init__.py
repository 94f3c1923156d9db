"""Offramp Exchange: the HTTP service, its data model and command line."""
