"""ORM tables, one module per aggregate. Importing this package registers them all."""

from api.models.attachment import Attachment
from api.models.audit import AuditEvent
from api.models.base import Base
from api.models.entry import (
    STATUSES,
    VISIBILITIES,
    Entry,
    EntryPartner,
    EntryReader,
    EntryRevision,
    IndicatorValue,
    PublishedRevisionIsImmutable,
)
from api.models.identity import ApiClient, IdentityProvider, WebSession
from api.models.organization import ROLES, Account, Membership, Organization
from api.models.outbox import SearchOutbox
from api.models.vocabulary import VocabularyTerm

__all__ = [
    "ROLES",
    "STATUSES",
    "VISIBILITIES",
    "Account",
    "ApiClient",
    "Attachment",
    "AuditEvent",
    "Base",
    "Entry",
    "EntryPartner",
    "EntryReader",
    "EntryRevision",
    "IdentityProvider",
    "IndicatorValue",
    "Membership",
    "Organization",
    "PublishedRevisionIsImmutable",
    "SearchOutbox",
    "VocabularyTerm",
    "WebSession",
]
