"""Member organizations of the node, and the accounts that act for them."""
