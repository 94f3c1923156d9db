"""Loading the generated demo dataset into a database (idempotent).

Entries are keyed by their deterministic ids, so loading twice — or loading a
larger size after a smaller one — adds only what is missing. Demo attachments
are rendered from the generator's paragraphs; since this code wrote those files
from known text, that text is stored as the extracted text directly instead of
running the sandboxed extractor (uploads through the API always run it)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from api.access import ANONYMOUS
from api.attachments.samples import make_docx, make_pdf
from api.attachments.storage import LocalStorage
from api.audit import record_event
from api.config import Settings
from api.db import make_session_factory
from api.demo.evidence import DemoEvidence, program_series
from api.demo.generator import (
    MEDIA_DOCX,
    MEDIA_PDF,
    DemoAttachment,
    DemoEntry,
    generate,
)
from api.entries.service import insert_entry
from api.housekeeping import refresh_planner_statistics
from api.models import (
    Attachment,
    Entry,
    EvidenceRating,
    Organization,
    RatingDispute,
    RecommendationFollowUp,
)

BATCH = 500


@dataclass
class DemoReport:
    organizations_added: int = 0
    entries_added: int = 0
    entries_skipped: int = 0


def _render(attachment: DemoAttachment) -> bytes:
    if attachment.media_type == MEDIA_PDF:
        return make_pdf(attachment.paragraphs, title=attachment.title)
    if attachment.media_type == MEDIA_DOCX:
        return make_docx(attachment.paragraphs, title=attachment.title)
    text = "\n\n".join([f"# {attachment.title}", *attachment.paragraphs])
    return text.encode("utf-8")


def _batches(entries: Iterator[DemoEntry], size: int) -> Iterator[list[DemoEntry]]:
    while batch := list(islice(entries, size)):
        yield batch


def _values(entry: DemoEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "language": entry.language,
        "authors": list(entry.authors),
        "program_types": list(entry.program_types),
        "regions": list(entry.regions),
        "settings": list(entry.settings),
        "target_populations": list(entry.target_populations),
        "actors": list(entry.actors),
        "evaluation_design": entry.evaluation_design,
        "evidence_level": entry.evidence_level,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "links": [{"url": url, "title": title} for url, title in entry.links],
        "license": entry.license,
        "visibility": entry.visibility,
        "findings": entry.evidence.findings if entry.evidence else [],
        "lessons": entry.evidence.lessons if entry.evidence else [],
        "recommendations": entry.evidence.recommendations if entry.evidence else [],
        "profile": entry.evidence.profile if entry.evidence else None,
        "policy": entry.policy,
    }


def load_demo(
    settings: Settings,
    engine: Engine,
    *,
    size: int,
    seed: int,
    progress: bool = False,
    program_series_too: bool = False,
) -> DemoReport:
    """`program_series_too`: also the program profiles with evaluations over the years
    (`api.demo.evidence.program_series`, 13 entries beyond `size`; `offramp demo`)."""
    dataset = generate(size, seed=seed)
    report = DemoReport()
    storage = LocalStorage(settings.data_dir / "attachments")
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        orgs = {o.slug: o for o in session.scalars(select(Organization))}
        for demo_org in dataset.organizations:
            if demo_org.slug not in orgs:
                org = Organization(slug=demo_org.slug, name=demo_org.name, country=demo_org.country)
                session.add(org)
                orgs[demo_org.slug] = org
                report.organizations_added += 1
        session.flush()
        org_ids = {slug: org.id for slug, org in orgs.items()}
    bar = tqdm(total=size, unit="entries", disable=not progress, desc="demo data")
    for batch in _batches(dataset.entries, BATCH):
        with factory() as session, session.begin():
            present = set(
                session.scalars(select(Entry.id).where(Entry.id.in_([e.id for e in batch])))
            )
            partners_by_slug = {o.slug: o for o in session.scalars(select(Organization))}
            for demo in batch:
                if demo.id in present:
                    report.entries_skipped += 1
                    continue
                _insert(session, demo, org_ids, partners_by_slug, storage)
                report.entries_added += 1
        bar.update(len(batch))
    bar.close()
    if program_series_too:
        with factory() as session, session.begin():
            _insert_series(session, org_ids, seed)
    with factory() as session, session.begin():
        record_event(
            session,
            principal=ANONYMOUS,
            action="demo.loaded",
            channel="cli",
            details={"size": size, "seed": seed, "entries_added": report.entries_added},
        )
        # A bulk load changes the data's shape at once: fresh SQLite planner
        # statistics now, not at the next sweep (the evidence queries pick their
        # indexes by them).
        refresh_planner_statistics(session.connection())
    return report


def _insert(
    session: Session,
    demo: DemoEntry,
    org_ids: dict[str, int],
    partners_by_slug: dict[str, Organization],
    storage: LocalStorage,
) -> None:
    published_at = datetime.combine(demo.published_at, time(9, 0), tzinfo=UTC)
    insert_entry(
        session,
        entry_id=demo.id,
        organization_id=org_ids[demo.organization],
        values=_values(demo),
        partners=[partners_by_slug[slug] for slug in demo.shared_with],
        indicators=[{"code": i.code, "value": i.value, "note": i.note} for i in demo.indicators],
        status=demo.status,
        published_at=published_at,
    )
    if demo.evidence is not None and demo.status == "published":
        _insert_evidence(session, demo.id, demo.evidence)
    for attachment in demo.attachments:
        content = _render(attachment)
        staged = storage.stage([content], max_bytes=len(content))
        key = (
            "demo-"
            + hashlib.sha256(demo.id.encode() + attachment.filename.encode()).hexdigest()[:32]
        )
        storage.commit(staged, key)
        session.add(
            Attachment(
                id=secrets.token_urlsafe(12),
                entry_id=demo.id,
                filename=attachment.filename,
                media_type=attachment.media_type,
                size_bytes=staged.size,
                sha256=staged.sha256,
                storage_key=key,
                extracted_text="\n".join([attachment.title, *attachment.paragraphs]),
                created_at=published_at,
            )
        )


def _insert_evidence(session: Session, entry_id: str, evidence: DemoEvidence) -> None:
    """Follow-ups and curator ratings of a published demo entry; a rating that was
    changed once keeps its earlier version as history, as the API does."""
    for f in evidence.follow_ups:
        session.add(RecommendationFollowUp(
            entry_id=entry_id, recommendation_id=f.recommendation_id, action=f.action,
            responsible_unit=f.responsible_unit, due_date=f.due_date, status=f.status,
            updated_at=datetime.combine(f.due_date or date.today(), time(9, 0), tzinfo=UTC)
            - timedelta(days=120),
        ))  # fmt: skip
    for r in evidence.ratings:
        rated_at = datetime.combine(r.rated_on, time(10, 0), tzinfo=UTC)
        if r.earlier is not None:
            effect, level, reasoning = r.earlier
            session.add(EvidenceRating(
                entry_id=entry_id, outcome=r.outcome, effect=effect,
                evaluation_design=r.evaluation_design, evidence_level=level, reasoning=reasoning,
                rated_at=rated_at - timedelta(days=365), ended_at=rated_at, end_reason="changed",
            ))  # fmt: skip
        current = EvidenceRating(
            entry_id=entry_id, outcome=r.outcome, effect=r.effect,
            evaluation_design=r.evaluation_design, evidence_level=r.evidence_level,
            reasoning=r.reasoning, rated_at=rated_at,
        )  # fmt: skip
        session.add(current)
        if r.dispute:
            session.flush()
            session.add(RatingDispute(rating_id=current.id, text=r.dispute,
                                      created_at=rated_at + timedelta(days=30)))  # fmt: skip


def _insert_series(session: Session, org_ids: dict[str, int], seed: int) -> None:
    """Program profiles with evaluations over the years (`program_id`): the timeline."""
    series = program_series(set(org_ids), seed)
    present = set(session.scalars(select(Entry.id).where(Entry.id.in_([e.id for e in series]))))
    for item in series:
        if item.id in present:
            continue
        published_at = datetime(item.year + 1, 3, 1, 9, 0, tzinfo=UTC)
        insert_entry(
            session,
            entry_id=item.id,
            organization_id=org_ids[item.organization],
            values={
                "kind": item.kind, "title": item.title, "summary": item.summary, "body": "",
                "language": "en", "authors": [], "program_types": item.program_types,
                "regions": [item.country], "settings": [], "target_populations": [],
                "actors": [], "evaluation_design": item.evaluation_design,
                "evidence_level": item.evidence_level,
                "period_start": date(item.year - 1, 1, 1), "period_end": date(item.year, 12, 31),
                "links": [], "license": "CC-BY-4.0", "visibility": "public",
                "findings": item.evidence.findings, "lessons": item.evidence.lessons,
                "recommendations": item.evidence.recommendations,
                "profile": item.evidence.profile, "program_id": item.program_id,
            },
            partners=[],
            indicators=[{"code": c, "value": v, "note": n} for c, v, n in item.indicators],
            status="published",
            published_at=published_at,
        )  # fmt: skip
        _insert_evidence(session, item.id, item.evidence)
