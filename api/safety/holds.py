"""Holding submissions that the sensitive-data guard flags.

Owns what is scanned when an entry is submitted or published beyond its
organization — the working revision's text fields, its indicators (small cells),
its attachments' extracted text and file names, and, when the organization
publishes with its name hidden, that name — and the `safety_finding` rows that
record the result: explanations by the owner, release by a curator, and the
withdrawal of a hold when the owner changes the entry.

It does not decide who may do any of this (the policy table: `explain_finding`,
`release_hold`, `return_hold`), nor move the workflow (`api.curation.workflow`
calls these functions), nor render findings for a caller.

Invariant: no identifier is stored or logged in clear. Rows keep the field,
detector, offsets and a masked snippet; audit details keep counts per detector.
A finding a curator released is remembered (by field, detector and masked
snippet) and does not hold the entry again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.access import Principal
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.models import Entry, SafetyFinding
from api.models.base import utcnow
from api.safety import repository
from api.safety.guard import ORGANIZATION_NAME, SMALL_CELL, Finding, scan_fields
from api.safety.small_cells import Indicator, small_cells
from api.vocabularies.registry import VocabularyRegistry

REVIEWED_VISIBILITIES = frozenset({"public", "network"})
Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class SubmissionGuard:
    """What a scan needs besides the entry: the small-cell threshold and indicator units."""

    small_cell_k: int
    unit_of: Callable[[str], str | None]


def guard_for(registry: VocabularyRegistry, *, small_cell_k: int) -> SubmissionGuard:
    def unit_of(code: str) -> str | None:
        term = registry.get("indicator", code)
        return term.unit if term else None

    return SubmissionGuard(small_cell_k, unit_of)


def hidden_terms(entry: Entry, display: str) -> list[str]:
    """The organization's name and slug when it publishes this entry hidden."""
    if display == "named":
        return []
    return [entry.organization.name, entry.organization.slug]


def _text_fields(content: Mapping[str, Any], *, wanted: str) -> dict[str, str | None]:
    fields: dict[str, str | None] = {
        "title": content.get("title"),
        "summary": content.get("summary"),
        "body": content.get("body"),
    }
    for n, author in enumerate(content.get("authors") or []):
        fields[f"authors[{n}]"] = author
    for n, link in enumerate(content.get("links") or []):
        fields[f"links[{n}].title"] = link.get("title")
    for n, item in enumerate(content.get("indicators") or []):
        fields[f"indicators[{n}].note"] = item.get("note")
    policy = content.get("policy") or {}
    if policy:  # a policy framework's own words about a law's effect and source
        fields["policy.effect_text"] = policy.get("effect_text")
        fields["policy.source.citation"] = (policy.get("source") or {}).get("citation")
    if wanted in REVIEWED_VISIBILITIES:
        # Internal notes go to the reviewing curators of other organizations.
        fields["internal_notes"] = content.get("internal_notes")
    return fields


def _small_cell_findings(content: Mapping[str, Any], guard: SubmissionGuard) -> list[Finding]:
    items = list(content.get("indicators") or [])
    indicators = [
        Indicator(i["code"], float(i["value"]), guard.unit_of(i["code"]), i.get("note"))
        for i in items
    ]
    k = guard.small_cell_k
    position: dict[str, int] = {}
    for n, item in enumerate(items):
        position.setdefault(item["code"], n)
    return [
        Finding(
            f"indicators[{position[cell.code]}]",
            SMALL_CELL,
            0,
            0,
            f"{cell.code}: computed on fewer than {k} people",
        )
        for cell in small_cells(indicators, k=k)
    ]


def scan_submission(
    session: Session,
    entry: Entry,
    content: Mapping[str, Any],
    guard: SubmissionGuard,
    *,
    wanted: str,
) -> list[Finding]:
    """Everything the guard finds in what a submission would show beyond the
    organization: `content` is the working revision's snapshot, `wanted` the
    visibility it asks for."""
    display = str(content.get("organization_display") or entry.organization_display)
    terms = hidden_terms(entry, display)
    fields = _text_fields(content, wanted=wanted)
    for attachment_id, filename, text in repository.attachment_texts(session, entry.id):
        fields[f"attachments[{attachment_id}]"] = text
        fields[f"attachments[{attachment_id}].filename"] = filename
    findings = scan_fields(fields, hidden_terms=terms)
    if terms:
        # Addresses are not scanned for people's identifiers (digits everywhere),
        # only for the hidden organization's name ("https://sahel-pathways.org/…").
        urls = {f"links[{n}].url": str(link.get("url") or "")
                for n, link in enumerate(content.get("links") or [])}  # fmt: skip
        findings += [
            f for f in scan_fields(urls, hidden_terms=terms) if f.detector == ORGANIZATION_NAME
        ]
    return findings + _small_cell_findings(content, guard)


def sharing_findings(
    session: Session, entry: Entry, live: Mapping[str, Any], guard: SubmissionGuard
) -> list[Finding]:
    """What would hold the published content `live` if it were submitted to partners:
    sharing a published entry with organizations that could not read it before
    shows them that content at once, so it is scanned like a submission."""
    return not_released(session, entry, scan_submission(session, entry, live, guard,
                                                         wanted="partners"))  # fmt: skip


def _key(finding: Finding | SafetyFinding) -> Key:
    return (finding.field, finding.detector, finding.snippet)


def not_released(session: Session, entry: Entry, findings: Iterable[Finding]) -> list[Finding]:
    """The findings that hold the entry: all but those a curator released before."""
    released = repository.released_keys(session, entry.id)
    return [f for f in findings if _key(f) not in released]


def record_scan(
    session: Session, entry: Entry, revision: int, findings: Sequence[Finding]
) -> list[SafetyFinding]:
    """Store this scan's findings for `revision`; earlier unresolved ones are
    resolved — `fixed` if gone, `rescanned` if found again (their explanation
    carries over to the new row)."""
    now = utcnow()
    earlier = {
        _key(row): row
        for row in repository.findings_of(session, entry.id, statuses=repository.UNRESOLVED)
    }
    found = {_key(f) for f in findings}
    for key, row in earlier.items():
        row.status = "resolved"
        row.resolution = "rescanned" if key in found else "fixed"
        row.resolved_at = now
    rows = []
    for finding in findings:
        before = earlier.get(_key(finding))
        explained = before is not None and before.explanation is not None
        rows.append(
            SafetyFinding(
                entry_id=entry.id,
                revision=revision,
                field=finding.field,
                detector=finding.detector,
                span_start=finding.start,
                span_end=finding.end,
                snippet=finding.snippet,
                status="explained" if explained else "open",
                explanation=before.explanation if explained and before else None,
                explained_by_account_id=before.explained_by_account_id if before else None,
                explained_at=before.explained_at if before else None,
                created_at=now,
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def detector_counts(findings: Iterable[Finding | SafetyFinding]) -> dict[str, int]:
    """What an audit record or a log line may say about findings: how many of each kind."""
    return dict(sorted(Counter(f.detector for f in findings).items()))


def release(session: Session, entry: Entry, principal: Principal) -> list[SafetyFinding]:
    """A curator lets the held revision's findings through."""
    now = utcnow()
    rows = repository.findings_of(
        session, entry.id, revision=entry.working_revision, statuses=repository.UNRESOLVED
    )
    for row in rows:
        row.status = "resolved"
        row.resolution = "released"
        row.resolved_by_account_id = principal.account_id
        row.resolved_at = now
    session.flush()
    return rows


def explain(
    session: Session,
    entry: Entry,
    *,
    finding_id: int,
    principal: Principal,
    explanation: str,
) -> SafetyFinding:
    """The owner says why a finding may stay. The explanation is read by curators of
    other organizations, so it must not repeat an identifier (nor a hidden name)."""
    row = repository.get_finding(session, entry.id, finding_id)
    if row is None or row.revision != entry.working_revision:
        raise NotFound("No finding with this id on the revision held.")
    if row.status == "resolved":
        raise Conflict("This finding is resolved already.", allowed=[])
    repeated = scan_fields(
        {"explanation": explanation},
        hidden_terms=hidden_terms(entry, entry.organization_display),
    )
    if repeated:
        raise ValidationFailed(
            "The explanation itself contains what the guard looks for; say why without it.",
            errors=[FieldError("explanation", f.snippet, detector=f.detector) for f in repeated],
        )
    row.status = "explained"
    row.explanation = explanation
    row.explained_by_account_id = principal.account_id
    row.explained_at = utcnow()
    session.flush()
    return row


def withdraw(entry: Entry) -> bool:
    """A held entry the owner changes goes back to the owner's hands — a draft, or a
    pending revision of the published entry — and is scanned again when submitted.
    Returns whether there was a hold to withdraw."""
    if entry.status == "held":
        entry.status = "draft"
    elif entry.review_status == "held":
        entry.review_status = None
    else:
        return False
    entry.requested_visibility = None
    return True
