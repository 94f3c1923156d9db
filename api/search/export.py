"""Export a search result set as CSV, RIS or BibTeX (`GET /v1/search/export`).

Which entries: the hits of `api.search.service.search_entries` (the one visibility
filter, inside the engine query), capped per file (`Settings.export_max_rows`,
default `EXPORT_ROWS`; `page=N` gives the Nth file), then read
again through `api.access.live_clause` — an entry hidden or changed since it was
indexed is left out rather than written from a stale document. Which fields: the
live version's bibliographic fields only, through `api.access.redact` (protected
fields are never among them, and stay out if one is ever added here); the
organization through `api.access.organization_shown`, so an organization hidden
from the caller is written as nobody — never as author, publisher or
institution. Body, indicators, attachments, partners, notes and workflow state
are never exported.

Formats: CSV with the `csv` module (a cell starting with `= + - @`, tab or
carriage return is prefixed with `'` so a spreadsheet never runs it as a
formula); RIS written by `rispy`; BibTeX written by `bibtexparser`, LaTeX's
special characters escaped. Free text is folded onto one line and BibTeX braces become
parentheses first, so no field value can close its record or open another."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import rispy
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.model import Entry as BibEntry
from bibtexparser.model import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Principal, access_to, live_clause, organization_shown, redact
from api.models import Entry
from api.vocabularies.registry import VocabularyRegistry

ExportFormat = Literal["csv", "ris", "bibtex"]
EXPORT_ROWS = 1_000  # default rows per export file (`OFFRAMP_EXPORT_MAX_ROWS`)
_CHUNK = 900  # ids per IN list

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
EXTENSIONS = {"csv": "csv", "ris": "ris", "bibtex": "bib"}

CSV_COLUMNS = (
    "id", "url", "title", "kind", "organization", "authors", "year", "countries", "regions",
    "program_types", "evaluation_design", "evidence_level", "summary", "language", "license",
)  # fmt: skip
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RIS_TYPES = {"evaluation": "RPRT", "lessons_learned": "RPRT", "program_profile": "GEN",
             "policy_framework": "GOVDOC"}  # fmt: skip
BIBTEX_TYPES = {"evaluation": "techreport", "lessons_learned": "techreport"}  # else misc


@dataclass(frozen=True)
class ExportRecord:
    """One exported entry, as the caller may read it."""

    id: str
    url: str
    title: str
    kind: str
    organization: str | None  # None: the caller may not know it
    authors: tuple[str, ...]
    year: int | None
    countries: tuple[str, ...]
    regions: tuple[str, ...]  # region codes that are not countries
    program_types: tuple[str, ...]
    evaluation_design: str | None
    evidence_level: str | None
    summary: str
    language: str
    license: str | None


def export_records(
    session: Session,
    principal: Principal,
    registry: VocabularyRegistry,
    entry_ids: Sequence[str],
    *,
    public_url: str,
) -> list[ExportRecord]:
    """`entry_ids` (search hits, in their order) as the caller may read them."""
    rows: dict[str, Entry] = {}
    for start in range(0, len(entry_ids), _CHUNK):
        chunk = list(entry_ids[start : start + _CHUNK])
        query = select(Entry).where(Entry.id.in_(chunk), live_clause(principal))
        rows.update((row.id, row) for row in session.scalars(query))
    records = []
    for entry_id in entry_ids:
        entry = rows.get(entry_id)
        if entry is None:
            continue
        access = access_to(principal, entry)
        if not (access.owner or access.live):
            continue  # search shows the live version only; so does its export
        organization = organization_shown(principal, entry)
        fields = redact(_fields(entry), access)
        regions = tuple(fields["regions"])
        records.append(
            ExportRecord(
                id=entry.id,
                url=f"{public_url.rstrip('/')}/entries/{entry.id}",
                title=fields["title"],
                kind=fields["kind"],
                organization=organization.name if organization is not None else None,
                authors=tuple(fields["authors"]),
                year=entry.published_at.year if entry.published_at else None,
                countries=tuple(c for c in regions if registry.is_country(c)),
                regions=tuple(c for c in regions if not registry.is_country(c)),
                program_types=tuple(fields["program_types"]),
                evaluation_design=fields["evaluation_design"],
                evidence_level=fields["evidence_level"],
                summary=fields["summary"],
                language=fields["language"],
                license=fields["license"],
            )
        )
    return records


def _fields(entry: Entry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "kind": entry.kind,
        "authors": list(entry.authors or []),
        "regions": list(entry.regions or []),
        "program_types": list(entry.program_types or []),
        "evaluation_design": entry.evaluation_design,
        "evidence_level": entry.evidence_level,
        "summary": entry.summary or "",
        "language": entry.language,
        "license": entry.license,
    }


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) as one space: no value spans records."""
    return " ".join(text.split())


def _label(registry: VocabularyRegistry, vocabulary: str, code: str) -> str:
    term = registry.get(vocabulary, code)
    return term.label if term is not None else code


def keywords(registry: VocabularyRegistry, record: ExportRecord) -> list[str]:
    """Program types, then countries and regions, by their labels."""
    return [
        *(_label(registry, "program_type", c) for c in record.program_types),
        *(_label(registry, "region", c) for c in (*record.countries, *record.regions)),
    ]


def notes(registry: VocabularyRegistry, record: ExportRecord) -> list[str]:
    out = [f"Kind: {_label(registry, 'kind', record.kind)}"]
    if record.evaluation_design:
        design = _label(registry, "evaluation_design", record.evaluation_design)
        out.append(f"Evaluation design: {design}")
    if record.evidence_level:
        out.append(f"Evidence level: {_label(registry, 'evidence_level', record.evidence_level)}")
    if record.license:
        out.append(f"License: {record.license}")
    return out


# -- CSV ---------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: formula-starting values get a `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(records: Sequence[ExportRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        cells = [
            r.id, r.url, r.title, r.kind, r.organization or "", LIST_SEPARATOR.join(r.authors),
            "" if r.year is None else str(r.year), LIST_SEPARATOR.join(r.countries),
            LIST_SEPARATOR.join(r.regions), LIST_SEPARATOR.join(r.program_types),
            r.evaluation_design or "", r.evidence_level or "", r.summary, r.language,
            r.license or "",
        ]  # fmt: skip
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


# -- RIS ---------------------------------------------------------------------------


def to_ris(records: Sequence[ExportRecord], registry: VocabularyRegistry) -> str:
    references: list[dict[str, Any]] = []
    for r in records:
        reference: dict[str, Any] = {
            "type_of_reference": RIS_TYPES.get(r.kind, "GEN"),
            "id": r.id,
            "title": one_line(r.title),
            "authors": [a for a in map(one_line, r.authors) if a],
            "abstract": one_line(r.summary),
            "keywords": [k for k in map(one_line, keywords(registry, r)) if k],
            "language": r.language,
            "urls": [r.url],
            "notes": notes(registry, r),
            "type_of_work": r.kind,
        }
        if r.year is not None:
            reference["year"] = str(r.year)
        if r.organization is not None:
            reference["publisher"] = one_line(r.organization)
        references.append({k: v for k, v in reference.items() if v not in ("", [])})
    text: str = rispy.dumps(references)
    return text


# -- BibTeX ------------------------------------------------------------------------


# LaTeX's special characters, escaped so a title with "&" or "%" compiles. Other
# characters stay UTF-8 (biber, Zotero, JabRef read it): pylatexenc's full encoding
# (bibtexparser's LatexEncodingMiddleware) took 15 s for 1,000 entries.
_LATEX_SPECIALS = str.maketrans({
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
})  # fmt: skip


def bibtex_text(value: str) -> str:
    """A value BibTeX cannot misread: one line, braces as parentheses (a lone brace
    would end the field early or swallow the next record in BibTeX itself), LaTeX
    specials escaped."""
    return one_line(value).replace("{", "(").replace("}", ")").translate(_LATEX_SPECIALS)


def to_bibtex(records: Sequence[ExportRecord], registry: VocabularyRegistry) -> str:
    library = Library()
    for r in records:
        values: Mapping[str, str | None] = {
            "title": r.title,
            "author": " and ".join(r.authors),
            "year": None if r.year is None else str(r.year),
            # The organization as publisher and institution, only if the caller may know it.
            "institution": r.organization,
            "publisher": r.organization,
            "abstract": r.summary,
            "keywords": ", ".join(keywords(registry, r)),
            "language": r.language,
            "url": r.url,
            "type": _label(registry, "kind", r.kind),
            "note": ". ".join(notes(registry, r)),
            "evaluation_design": r.evaluation_design,
            "evidence_level": r.evidence_level,
            "license": r.license,
        }
        written = {key: bibtex_text(value) for key, value in values.items() if value}
        written["url"] = one_line(r.url)  # verbatim in biblatex: never escaped
        fields = [Field(key, value) for key, value in written.items() if value]
        library.add(BibEntry(BIBTEX_TYPES.get(r.kind, "misc"), r.id, fields))
    # The library is ours alone: the writer may enclose values in place (no deep copy).
    text: str = write_string(library, unparse_stack=default_unparse_stack(True))
    return text


def render(
    format: ExportFormat, records: Sequence[ExportRecord], registry: VocabularyRegistry
) -> str:
    if format == "csv":
        return to_csv(records)
    if format == "ris":
        return to_ris(records, registry)
    return to_bibtex(records, registry)


_UNSAFE_NAME = re.compile(r"[^a-z0-9-]+")


def filename(format: ExportFormat, text: str) -> str:
    """`offramp-search[-words].ext`: ASCII only, so the header needs no encoding."""
    words = _UNSAFE_NAME.sub("-", text.lower()).strip("-")[:40].strip("-")
    return f"offramp-search{'-' + words if words else ''}.{EXTENSIONS[format]}"
