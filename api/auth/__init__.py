"""Authentication: the node's signing keys, access-token minting and validation."""
