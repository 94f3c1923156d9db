"""`/v1/organizations`: the public directory of member organizations."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.db import ReadSession
from api.errors import NotFound
from api.organizations import service

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])


class OrganizationRead(BaseModel):
    slug: str
    name: str
    country: str | None


@router.get("", summary="Member organizations of this node")
def list_organizations(session: ReadSession) -> list[OrganizationRead]:
    return [
        OrganizationRead(slug=o.slug, name=o.name, country=o.country)
        for o in service.list_organizations(session)
    ]


@router.get("/{slug}", responses={404: {"description": "No such organization"}})
def get_organization(slug: str, session: ReadSession) -> OrganizationRead:
    organization = service.get_organization(session, slug)
    if organization is None:
        raise NotFound(f"No organization with slug {slug!r}.")
    return OrganizationRead(
        slug=organization.slug, name=organization.name, country=organization.country
    )
