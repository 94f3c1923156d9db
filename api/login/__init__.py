"""Federated browser login: member organizations' OIDC providers, server-side web
sessions, and the CSRF protection that cookie authentication needs."""
