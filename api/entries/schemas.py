"""Request and response bodies of the entries API.

Structure and sizes are checked here; vocabulary codes, partners and indicator
units are checked by the service against the live vocabulary table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from api.safety import guidance

Visibility = Literal["public", "network", "partners", "private"]
OrganizationDisplay = Literal["named", "network", "partners"]

VISIBILITY_HELP = guidance.openapi(
    guidance.VISIBILITY, "Who will read the entry. " + guidance.text(guidance.WHAT_NOT_TO_INCLUDE)
)
SHARED_WITH_HELP = guidance.text(guidance.SHARED_WITH)
ORGANIZATION_DISPLAY_HELP = guidance.openapi(
    guidance.ORGANIZATION_DISPLAY, "Who learns which organization published the entry."
)
INTERNAL_NOTES_HELP = guidance.text(guidance.INTERNAL_NOTES)


def _no_nul(value: Any, path: str = "") -> list[str]:
    """Where in a parsed body a string holds a NUL character (no column can store it)."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _no_nul(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for n, v in enumerate(value) for p in _no_nul(v, f"{path}[{n}]")]
    return []


class _NoNul(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        found = _no_nul(data)
        if found:
            raise ValueError(f"{', '.join(found)}: contains a NUL character")
        return data


Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ShortText = Annotated[str, StringConstraints(max_length=300)]
CodeList = Annotated[list[Code], Field(max_length=30)]


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    value: float = Field(allow_inf_nan=False)
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,16}$")]


class EvidenceItem(BaseModel):
    """A finding, lesson or recommendation: a short text and what it concerns.

    `id` keeps a recommendation's follow-up attached to it across edits: send back
    the ids you read; new items without one get the next free `f1`, `l1`, `r1`…"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: ItemId | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
    program_types: CodeList = []
    outcomes: CodeList = Field(default=[], description="Indicator codes the item concerns")


EvidenceItems = Annotated[list[EvidenceItem], Field(max_length=50)]

Objective = Literal[
    "disengagement", "deradicalisation", "rehabilitation", "reintegration", "prevention"
]
EntryRoute = Literal["voluntary", "referral", "court_ordered", "amnesty_defection"]
ReportingRule = Literal[
    "never", "imminent_harm_only", "planned_offence", "any_offence", "all_disclosures"
]
ProfileText = Annotated[str, StringConstraints(max_length=2_000)]


ProgramRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
PROGRAM_HELP = (
    "The program profile (an entry of kind program_profile of your organization) this "
    "entry belongs to; its timeline lists them by year"
)

POLICY_HELP = (
    "A policy framework's jurisdiction, level, impediment types, effect on civil-society "
    "engagement, status and source (entries of kind policy_framework only; null clears it)"
)


class ProgramProfile(BaseModel):
    """What a practitioner compares before designing a program of their own.

    `reporting_rule`: when a participant is reported to the authorities —
    `never`; `imminent_harm_only` (a threat to life); `planned_offence`; `any_offence`
    (disclosed past offences too); `all_disclosures` (everything is shared);
    `reporting_detail` says by whom and how. `cohort_size` is people: below the
    node's small-cell threshold it is shown as "< k" to anyone but the owner."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    objectives: Annotated[list[Objective], Field(max_length=5)] = []
    entry_routes: Annotated[list[EntryRoute], Field(max_length=4)] = []
    disciplines: CodeList = Field(default=[], description="`actor` vocabulary codes")
    law_enforcement_role: ProfileText = ""
    reporting_rule: ReportingRule | None = None
    reporting_detail: ProfileText = ""
    legal_guarantees: ProfileText = ""
    aftercare: ProfileText = ""
    retribution_protection: ProfileText = ""
    community_involvement: ProfileText = ""
    duration_months: Annotated[int, Field(ge=0, le=600)] | None = None
    cohort_size: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    cost_per_participant_usd: Annotated[float, Field(ge=0, le=1e9, allow_inf_nan=False)] | None = (
        None
    )


PolicyLevel = Literal["global", "regional", "national", "local"]
PolicyStatus = Literal["in_force", "repealed", "proposed"]
PolicyEffect = Literal[
    "prohibits", "restricts", "requires_authorisation", "chilling_effect", "enables"
]
POLICY_KIND = "policy_framework"
POLICY_LEVELS: tuple[str, ...] = ("global", "regional", "national", "local")
POLICY_STATUSES: tuple[str, ...] = ("in_force", "repealed", "proposed")
POLICY_EFFECTS: tuple[str, ...] = (
    "prohibits", "restricts", "requires_authorisation", "chilling_effect", "enables"
)  # fmt: skip


class PolicySource(BaseModel):
    """Where the framework is written down, and when it was adopted and repealed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    citation: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    url: AnyHttpUrl | None = None
    adopted: date | None = Field(default=None, description="Adoption date (not when proposed)")
    repealed: date | None = Field(default=None, description="Repeal date (status repealed only)")


class PolicyFields(BaseModel):
    """A law, regulation or policy that shapes civil society's work with people
    leaving violent extremism (entries of kind `policy_framework` only).

    `jurisdiction`: an M49 region or country code (`region` vocabulary) matching
    `level` — `global` is World (001), `regional` an area, `national` and `local`
    a country (the locality goes in `effect_text` or the citation).
    `impediment_types`: `impediment_type` vocabulary codes. `effect` on
    civil-society engagement: `prohibits` (the activity is an offence),
    `restricts` (allowed within limits), `requires_authorisation` (a licence,
    permit or prior approval), `chilling_effect` (lawful, but organizations
    refrain for fear of sanctions, de-risking or stigma), `enables` (an
    exemption or safe harbour); `effect_text` says how, in a sentence or two."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    jurisdiction: Code = Field(description="M49 region or ISO country code (`region` vocabulary)")
    level: PolicyLevel
    impediment_types: Annotated[list[Code], Field(min_length=1, max_length=10)] = Field(
        description="`impediment_type` vocabulary codes"
    )
    effect: PolicyEffect
    effect_text: Annotated[str, StringConstraints(max_length=2_000)] = ""
    status: PolicyStatus
    source: PolicySource


class Link(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: AnyHttpUrl
    title: ShortText | None = None


class _EntryFields(_NoNul):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    summary: Annotated[str, StringConstraints(max_length=5_000)] = ""
    body: Annotated[str, StringConstraints(max_length=200_000)] = ""
    language: Code = "en"
    authors: Annotated[list[ShortText], Field(max_length=50)] = []
    program_types: CodeList = []
    regions: CodeList = []
    settings: CodeList = []
    target_populations: CodeList = []
    actors: CodeList = []
    evaluation_design: Code | None = None
    evidence_level: Code | None = None
    period_start: date | None = None
    period_end: date | None = None
    indicators: Annotated[list[IndicatorIn], Field(max_length=100)] = []
    links: Annotated[list[Link], Field(max_length=50)] = []
    license: Annotated[str, StringConstraints(max_length=64)] | None = None
    findings: EvidenceItems = []
    lessons: EvidenceItems = []
    recommendations: EvidenceItems = []
    profile: ProgramProfile | None = None
    policy: PolicyFields | None = Field(default=None, description=POLICY_HELP)
    program_id: ProgramRef | None = Field(default=None, description=PROGRAM_HELP)
    visibility: Visibility = Field(default="private", description=VISIBILITY_HELP)
    shared_with: Annotated[list[Code], Field(max_length=50, description=SHARED_WITH_HELP)] = []
    listed: bool = Field(
        default=False,
        description="Reveal that this restricted entry exists: its title, kind, organization, "
        "regions and program types become public, its content does not; readers may then "
        "ask you for access",
    )
    organization_display: OrganizationDisplay = Field(
        default="named", description=ORGANIZATION_DISPLAY_HELP
    )
    internal_notes: Annotated[str, StringConstraints(max_length=5_000)] = Field(
        default="", description=INTERNAL_NOTES_HELP
    )


class EntryCreate(_EntryFields):
    """A new entry, created as a draft of the caller's organization."""

    kind: Code
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _period_in_order(self) -> EntryCreate:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class EntryUpdate(_NoNul):
    """A partial update: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Code | None = None
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    summary: Annotated[str, StringConstraints(max_length=5_000)] | None = None
    body: Annotated[str, StringConstraints(max_length=200_000)] | None = None
    language: Code | None = None
    authors: Annotated[list[ShortText], Field(max_length=50)] | None = None
    program_types: CodeList | None = None
    regions: CodeList | None = None
    settings: CodeList | None = None
    target_populations: CodeList | None = None
    actors: CodeList | None = None
    evaluation_design: Code | None = None
    evidence_level: Code | None = None
    period_start: date | None = None
    period_end: date | None = None
    indicators: Annotated[list[IndicatorIn], Field(max_length=100)] | None = None
    links: Annotated[list[Link], Field(max_length=50)] | None = None
    license: Annotated[str, StringConstraints(max_length=64)] | None = None
    findings: EvidenceItems | None = None
    lessons: EvidenceItems | None = None
    recommendations: EvidenceItems | None = None
    profile: ProgramProfile | None = None
    policy: PolicyFields | None = Field(default=None, description=POLICY_HELP)
    program_id: ProgramRef | None = Field(default=None, description=PROGRAM_HELP)
    visibility: Visibility | None = Field(default=None, description=VISIBILITY_HELP)
    shared_with: Annotated[list[Code], Field(max_length=50)] | None = Field(
        default=None, description=SHARED_WITH_HELP
    )
    listed: bool | None = None
    organization_display: OrganizationDisplay | None = Field(
        default=None, description=ORGANIZATION_DISPLAY_HELP
    )
    internal_notes: Annotated[str, StringConstraints(max_length=5_000)] | None = Field(
        default=None, description=INTERNAL_NOTES_HELP
    )
    comment: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="What changed and why (your organization and reviewers only)"
    )

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> EntryUpdate:
        for name in ("kind", "title", "language", "visibility", "listed", "organization_display"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ProfileRead(ProgramProfile):
    model_config = ConfigDict(extra="forbid")

    cohort_size_display: str | None = Field(
        default=None, description='The cohort size as text, or "< k" for a small cohort'
    )


class OrganizationRef(BaseModel):
    """The organization behind an entry — or, to a caller who may not know it
    (`organization_display`), `{"slug": null, "name": "A member organization",
    "hidden": true}`."""

    slug: str | None
    name: str
    hidden: bool = False


class IndicatorRead(BaseModel):
    code: str
    label: str | None
    unit: str | None
    value: float | None = Field(
        description="null when computed on fewer people than the node's threshold "
        "(shown to the owner organization only)"
    )
    display: str = Field(description='The value as text, or "< k" for a small cell')
    suppressed: bool = False
    note: str | None


class AttachmentRead(BaseModel):
    id: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
    href: str
    removed_metadata: list[str] | None = Field(
        default=None,
        description=(
            "On the upload response only: identifying metadata removed from the file before "
            "it was stored (author, last_modified_by, comments, xmp, …); [] if there was none"
        ),
    )


class Origin(BaseModel):
    node: str
    id: str


class EntrySummary(BaseModel):
    id: str
    kind: str
    title: str
    summary: str
    organization: OrganizationRef
    language: str
    program_types: list[str]
    regions: list[str]
    visibility: Visibility
    organization_display: OrganizationDisplay = "named"
    status: str
    version: int
    published_at: datetime | None
    updated_at: datetime
    href: str
    listed: bool = False
    restricted: bool = Field(
        default=False,
        description="Only the public stub of a listed entry is shown: ask for access "
        "(access_requests_href) to read it",
    )
    access_requests_href: str | None = None


class EntryRead(EntrySummary):
    body: str = Field(description="Markdown exactly as written")
    body_html: str = Field(description="The body rendered to HTML and sanitised")
    authors: list[str]
    settings: list[str]
    target_populations: list[str]
    actors: list[str]
    evaluation_design: str | None
    evidence_level: str | None
    period_start: date | None
    period_end: date | None
    indicators: list[IndicatorRead]
    attachments: list[AttachmentRead]
    links: list[dict[str, Any]]
    license: str | None
    findings: list[EvidenceItem] = []
    lessons: list[EvidenceItem] = []
    recommendations: list[EvidenceItem] = []
    profile: ProfileRead | None = None
    policy: PolicyFields | None = Field(default=None, description=POLICY_HELP)
    program_id: str | None = Field(default=None, description=PROGRAM_HELP)
    shared_with: list[str] | None = Field(
        description="Partner organizations; shown to the owner organization only"
    )
    origin: Origin | None
    created_at: datetime
    pending_revision: int | None = Field(
        description="A saved, not yet published revision of a published entry (owner only)"
    )
    review_status: str | None = Field(
        description="Review state of the pending revision of a published entry "
        "(owner and reviewing curators only)"
    )
    requested_visibility: Visibility | None = Field(
        default=None,
        description="The visibility asked for while under review (owner and reviewers only)",
    )
    internal_notes: str | None = Field(
        default=None,
        description="Owner's notes for reviewers (owner and reviewers only). "
        + INTERNAL_NOTES_HELP,
    )
    tags: list[str] = Field(description="Curator tags")
    featured: bool
    retracted_at: datetime | None
    retraction_reason: str | None = Field(
        description="Why it was retracted (owner and curators only); for `safety`, the "
        "detail is for curators of other organizations only"
    )


class EntryPage(BaseModel):
    items: list[EntrySummary]
    total: int
    page: int
    per_page: int


class RevisionSummary(BaseModel):
    number: int
    created_at: datetime
    published_at: datetime | None
    comment: str | None
    href: str


class RevisionRead(RevisionSummary):
    content: dict[str, Any]


class RevisionList(BaseModel):
    items: list[RevisionSummary]
