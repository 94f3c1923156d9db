"""Request and response bodies of the evidence API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.entries.schemas import Code, OrganizationRef, ProfileRead, _NoNul

FollowUpStatus = Literal["planned", "in_progress", "done", "not_accepted"]
Effect = Literal["improved", "no_effect", "worsened", "mixed"]


class FollowUpIn(_NoNul):
    """The management response to one recommendation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Annotated[str, StringConstraints(max_length=2_000)] = ""
    responsible_unit: Annotated[str, StringConstraints(max_length=200)] = Field(
        default="", description="A unit or role, never a person's name"
    )
    due_date: date | None = None
    status: FollowUpStatus


class FollowUpRead(BaseModel):
    action: str
    responsible_unit: str
    due_date: date | None
    status: FollowUpStatus
    updated_at: datetime


class RecommendationRead(BaseModel):
    id: str
    text: str
    program_types: list[str]
    outcomes: list[str]
    follow_up: FollowUpRead | None


class RecommendationList(BaseModel):
    entry_id: str
    items: list[RecommendationRead]


class EntryRef(BaseModel):
    id: str
    title: str
    kind: str
    href: str
    organization: OrganizationRef


class TrackerRow(BaseModel):
    entry: EntryRef
    recommendation: RecommendationRead


class TrackerPage(BaseModel):
    items: list[TrackerRow]
    counts: dict[str, int] = Field(description="Recommendations per follow-up status, or `none`")


class RatingIn(_NoNul):
    """A curator's evidence label for one outcome (an indicator code) of the entry;
    it replaces the outcome's current rating, which stays in the history."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Code
    effect: Effect
    evaluation_design: Code
    evidence_level: Code
    reasoning: Annotated[str, StringConstraints(min_length=1, max_length=5_000)]


class RatingWithdrawal(_NoNul):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class DisputeIn(_NoNul):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: Annotated[str, StringConstraints(min_length=1, max_length=5_000)]


class DisputeRead(BaseModel):
    id: int
    text: str
    created_at: datetime


class RatingRead(BaseModel):
    id: int
    outcome: str
    outcome_label: str | None
    effect: Effect
    evaluation_design: str
    evidence_level: str
    reasoning: str
    rated_by: str = Field(default="A curator", description="Raters are never named")
    rated_at: datetime
    current: bool
    ended_at: datetime | None
    end_reason: Literal["changed", "withdrawn"] | None
    end_comment: str | None
    disputes: list[DisputeRead]


class RatingList(BaseModel):
    entry_id: str
    current: list[RatingRead] = Field(description="One per rated outcome")
    history: list[RatingRead] = Field(description="Changed and withdrawn ratings, newest first")


class IndicatorRow(BaseModel):
    entry: EntryRef
    program_types: list[str]
    regions: list[str]
    year: int | None = Field(description="End of the period reported, else its start, else "
                             "the year of publication")  # fmt: skip
    follow_up_months: float | None = Field(
        description="The entry's follow-up period, else the one the indicator names (12m…)"
    )
    evaluation_design: str | None
    evidence_level: str | None = Field(
        description="The current curator rating of this outcome, else the entry's own level"
    )
    evidence_source: Literal["rating", "entry"] | None
    effect: Effect | None = Field(description="From the current curator rating, if any")
    value: float | None = Field(description="null for a small cell (fewer than k people)")
    display: str
    suppressed: bool
    note: str | None


class IndicatorList(BaseModel):
    code: str
    label: str
    unit: str | None
    items: list[IndicatorRow]
    total: int
    page: int
    per_page: int


class ProfileRow(BaseModel):
    entry: EntryRef
    program_types: list[str]
    regions: list[str]
    year: int | None
    profile: ProfileRead


class ProfileList(BaseModel):
    items: list[ProfileRow]
    total: int


class GapAxis(BaseModel):
    code: str
    label: str
    href: str | None = Field(default=None, description="The map one level down (regions)")


class GapCell(BaseModel):
    region: str
    program_type: str
    total: int
    by_level: dict[str, int]
    search_href: str = Field(description="The search these evaluations come from")


class GapMapRead(BaseModel):
    region: str
    rows: list[GapAxis]
    columns: list[GapAxis]
    cells: list[GapCell] = Field(description="Every row x column, zeros included")


class TimelineValue(BaseModel):
    value: float | None
    display: str
    suppressed: bool


class TimelineItem(BaseModel):
    entry: EntryRef
    year: int | None
    evaluation_design: str | None
    evidence_level: str | None
    indicators: dict[str, TimelineValue] = Field(description="By indicator code")
    findings: list[str]
    recommendations: list[str]


class Timeline(BaseModel):
    program: EntryRef
    items: list[TimelineItem] = Field(description="Oldest first; only entries you may read")


class PolicyCell(BaseModel):
    impediment_type: str
    count: int = Field(description="Frameworks of this jurisdiction carrying the type")
    search_href: str = Field(description="The search these frameworks come from")


class PolicyRow(BaseModel):
    jurisdiction: str = Field(description="Country or M49 region code")
    label: str
    is_country: bool = Field(description="false: a region's (or World's) own frameworks")
    total: int = Field(description="Frameworks, each counted once")
    by_effect: dict[str, int] = Field(description="Frameworks by effect on civil society")
    cells: list[PolicyCell] = Field(description="One per column, zeros included")
    search_href: str


class PolicyByCountry(BaseModel):
    columns: list[GapAxis] = Field(description="Impediment types")
    effects: list[str]
    rows: list[PolicyRow] = Field(description="Jurisdictions with at least one framework")
    total: int = Field(description="Frameworks counted (each once)")
