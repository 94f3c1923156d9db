"""Synthetic demo data for Offramp Exchange.

This package owns the deterministic generator of fictional organizations and
entries (evaluations, lessons learned, program profiles, policy frameworks)
used to populate demo and benchmark instances. It is pure: it reads only the
shipped vocabulary data files and never touches a database, the network or the
clock; rendering attachment bytes and loading into the database happen
elsewhere.

Invariant: `generate(size, seed=...)` is a pure function of its arguments, and
entry *i* depends only on `(seed, i)`, so the first N entries of any larger
dataset are identical (ids included) to `generate(N, seed=seed)`.
"""
