"""The node as an OAuth 2 authorization server for machines: API clients, the
client_credentials token endpoint and the metadata document. Turning a client's
token into a principal is `api.auth.principals`."""
