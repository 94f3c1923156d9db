"""Request and response bodies of the login, identity-provider and `/v1/me` routes.

Owns: the wire shapes only. Invariant: no response model has a field for an IdP's
client secret, a session cookie value or its hash — the secret is write-only
(`SecretStr`, masked in reprs and logs) and the cookie is only ever a Set-Cookie."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

IDP_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"

IdpName = Annotated[str, Field(pattern=IDP_NAME_PATTERN, max_length=64)]
DefaultRole = Literal["reader", "publisher"]


class OrganizationRef(BaseModel):
    slug: str
    name: str


class IdentityProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: IdpName = Field(description="Short name used in /login/{name}; a-z, 0-9, hyphens")
    issuer: Annotated[str, Field(min_length=8, max_length=500)] = Field(
        description="The OIDC issuer URL exactly as its discovery document states it"
    )
    client_id: Annotated[str, Field(min_length=1, max_length=200)]
    client_secret: Annotated[SecretStr, Field(min_length=1, max_length=500)] = Field(
        description="Write-only; never returned"
    )
    organization: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="Slug of the organization this provider vouches for"
    )
    default_role: DefaultRole = Field(
        default="reader", description="Role granted on a person's first-ever sign-in"
    )


class IdentityProviderRead(BaseModel):
    name: str
    issuer: str
    client_id: str
    organization: OrganizationRef
    default_role: str
    enabled: bool
    created_at: datetime
    login_url: str
    callback_url: str = Field(description="Register this redirect URI at the provider")


class LoginOption(BaseModel):
    name: str
    organization: OrganizationRef
    login_url: str


class MeRead(BaseModel):
    kind: Literal["member", "client"]
    authenticated_by: Literal["session", "bearer"]
    display_name: str | None = None
    issuer: str | None = None
    subject: str | None = None
    organization: OrganizationRef | None = None
    roles: list[str] = []
    client_id: str | None = None
    scopes: list[str] | None = Field(
        default=None, description="The token's OAuth scopes; null when nothing limits it"
    )
    csrf_token: str | None = Field(
        default=None,
        description="Session only: send it as X-CSRF-Token on POST/PUT/PATCH/DELETE",
    )
    session_expires_at: datetime | None = None


class ApiTokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the RFC 6750 scheme name
    expires_in: int
    organization: str
