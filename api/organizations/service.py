"""Organization and membership use cases (creation from the CLI for now; the
identity work adds the API for curators and organization admins)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import Conflict, FieldError, ValidationFailed
from api.models import ROLES, Account, Membership, Organization

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def create_organization(
    session: Session, *, slug: str, name: str, country: str | None = None
) -> Organization:
    errors = []
    if not SLUG_PATTERN.match(slug):
        errors.append(FieldError("slug", "lowercase letters, digits and inner hyphens, ≤ 64"))
    if not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        errors.append(FieldError("country", "an ISO 3166-1 alpha-2 code, e.g. KE"))
    if errors:
        raise ValidationFailed("The organization has invalid fields.", errors=errors)
    if session.scalar(select(Organization).where(Organization.slug == slug)) is not None:
        raise Conflict(f"An organization with slug {slug!r} exists already.")
    organization = Organization(slug=slug, name=name.strip(), country=country)
    session.add(organization)
    session.flush()
    return organization


def get_organization(session: Session, slug: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.slug == slug))


def list_organizations(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.slug)))


def ensure_account(session: Session, *, issuer: str, subject: str, display_name: str) -> Account:
    """The account of (issuer, subject), created if new.

    Two first sign-ins of one person can race; the loser's INSERT hits the unique
    constraint inside a savepoint and it reads the winner's row instead."""
    query = select(Account).where(Account.issuer == issuer, Account.subject == subject)
    account = session.scalar(query)
    if account is not None:
        return account
    try:
        with session.begin_nested():
            account = Account(issuer=issuer, subject=subject, display_name=display_name)
            session.add(account)
    except IntegrityError:
        account = session.scalar(query)
        if account is None:
            raise
    return account


def grant_role(
    session: Session, *, account: Account, organization: Organization, role: str
) -> None:
    if role not in ROLES:
        raise ValidationFailed(
            "Unknown role.", errors=[FieldError("role", f"one of {', '.join(ROLES)}")]
        )
    exists = session.scalar(
        select(Membership).where(
            Membership.account_id == account.id,
            Membership.organization_id == organization.id,
            Membership.role == role,
        )
    )
    if exists is None:
        session.add(Membership(account_id=account.id, organization_id=organization.id, role=role))
        session.flush()


def update_organization(
    session: Session, organization: Organization, *, name: str | None, country: str | None
) -> Organization:
    errors = []
    if name is not None and not name.strip():
        errors.append(FieldError("name", "must not be empty"))
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        errors.append(FieldError("country", "an ISO 3166-1 alpha-2 code, e.g. KE"))
    if errors:
        raise ValidationFailed("The organization has invalid fields.", errors=errors)
    if name is not None:
        organization.name = name.strip()
    if country is not None:
        organization.country = country
    session.flush()
    return organization


def list_members(session: Session, organization: Organization) -> list[tuple[Account, list[str]]]:
    rows = session.execute(
        select(Account, Membership.role)
        .join(Membership, Membership.account_id == Account.id)
        .where(Membership.organization_id == organization.id)
        .order_by(Account.display_name, Account.id, Membership.role)
    ).all()
    members: dict[int, tuple[Account, list[str]]] = {}
    for account, role in rows:
        members.setdefault(account.id, (account, []))[1].append(role)
    return list(members.values())


def revoke_role(
    session: Session, *, account: Account, organization: Organization, role: str
) -> bool:
    membership = session.scalar(
        select(Membership).where(
            Membership.account_id == account.id,
            Membership.organization_id == organization.id,
            Membership.role == role,
        )
    )
    if membership is None:
        return False
    session.delete(membership)
    session.flush()
    return True
