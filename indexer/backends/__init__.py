"""Search engines behind one small protocol. Imports nothing from `api`."""
