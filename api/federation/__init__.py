"""Federation between nodes: peers, the per-peer change feed, the harvester."""
