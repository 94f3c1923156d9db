"""ORM tables, one module per aggregate. Importing this package registers them all."""

from api.models.access import REQUEST_STATUSES, AccessGrant, AccessRequest
from api.models.attachment import Attachment
from api.models.audit import AuditEvent
from api.models.base import Base
from api.models.curation import (
    Collection,
    CollectionItem,
    EntryTransition,
    NotificationEvent,
    ReviewComment,
)
from api.models.entry import (
    ORGANIZATION_DISPLAYS,
    STATUSES,
    VISIBILITIES,
    Entry,
    EntryPartner,
    EntryReader,
    EntryRevision,
    IndicatorValue,
    PublishedRevisionIsImmutable,
)
from api.models.evidence import (
    EFFECTS,
    FOLLOW_UP_STATUSES,
    EvidenceRating,
    GapCell,
    GapReaders,
    RatingDispute,
    RecommendationFollowUp,
)
from api.models.federation import (
    FederatedAttachment,
    FederatedEntry,
    FederationDelivery,
    FederationEvent,
    OaiRecord,
    Peer,
    PeerOrganization,
)
from api.models.identity import ApiClient, IdentityProvider, WebSession
from api.models.organization import ROLES, Account, Membership, Organization
from api.models.outbox import SearchOutbox, SearchReindex, SearchReindexJournal
from api.models.safety import FINDING_STATUSES, SafetyFinding
from api.models.saved_search import SavedSearch, SavedSearchAlert
from api.models.shared_state import ClientAuthFailure, ConfigVersion
from api.models.vocabulary import VocabularyTerm

__all__ = [
    "EFFECTS",
    "FINDING_STATUSES",
    "FOLLOW_UP_STATUSES",
    "ORGANIZATION_DISPLAYS",
    "REQUEST_STATUSES",
    "ROLES",
    "STATUSES",
    "VISIBILITIES",
    "AccessGrant",
    "AccessRequest",
    "Account",
    "ApiClient",
    "Attachment",
    "AuditEvent",
    "Base",
    "ClientAuthFailure",
    "Collection",
    "CollectionItem",
    "ConfigVersion",
    "Entry",
    "EntryPartner",
    "EntryReader",
    "EntryRevision",
    "EntryTransition",
    "EvidenceRating",
    "FederatedAttachment",
    "FederatedEntry",
    "FederationDelivery",
    "FederationEvent",
    "GapCell",
    "GapReaders",
    "IdentityProvider",
    "IndicatorValue",
    "Membership",
    "NotificationEvent",
    "OaiRecord",
    "Organization",
    "Peer",
    "PeerOrganization",
    "PublishedRevisionIsImmutable",
    "RatingDispute",
    "RecommendationFollowUp",
    "ReviewComment",
    "SafetyFinding",
    "SavedSearch",
    "SavedSearchAlert",
    "SearchOutbox",
    "SearchReindex",
    "SearchReindexJournal",
    "VocabularyTerm",
    "WebSession",
]
