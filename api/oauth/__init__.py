"""The node as an OAuth 2 authorization server for machines: API clients, the
client_credentials token endpoint, client principals and key-backed metadata.

Kept import-light on purpose: `api.auth.dependencies` imports
`api.oauth.principals`, so nothing here may import the router."""
