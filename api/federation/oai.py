"""OAI-PMH 2.0 for outside harvesters: public entries of this node only, as
`oai_dc`, with `deletedRecord=persistent`, seconds granularity, sets per program
type, region and public collection, and resumption tokens that survive restarts.

A collection's set (`collection:<slug>`, named by its title) exists while the
collection is public: a collection made network-only disappears from ListSets and
from every header at once, even from deleted records stamped before.

The protocol (verbs, arguments, errors, resumption) is the `oaipmh` package's
server; this module is the repository behind it. Records come from `oai_record`,
which `api.feedlog` keeps in the same transaction as every change (never from the
search index): an entry that stops being public stays as a deleted record for
good. Every record shown with metadata is checked again against the rule at
serve time (`entry_access(ANONYMOUS, …).live`, origin none): if the check fails
the record is shown as deleted, so nothing the public may not read leaves here.

Resumption tokens are the `oaipmh` package's own: the request's arguments and an
offset, nothing kept on the server, so a token outlives a restart. Records are
ordered by (datestamp, id); a record changed during a harvest moves to the end
(a newer datestamp) and is seen again, which harvesters de-duplicate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import BatchingServer, oai_dc_writer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.access import ANONYMOUS, PUBLIC, entry_access, entry_facts, organization_shown
from api.config import Settings
from api.federation.xmltext import xml_text
from api.models import Collection, Entry, OaiRecord

OAI_DC = (
    "oai_dc",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc/",
)
SET_GROUPS = {
    "program_type": "Program types",
    "region": "Regions",
    "collection": "Collections",
}
COLLECTION_SET = "collection:"


def _public_collections(session: Session) -> dict[str, str]:
    """setSpec → title of every public collection."""
    rows = session.execute(
        select(Collection.slug, Collection.title).where(Collection.visibility == PUBLIC)
    )
    return {COLLECTION_SET + slug: title for slug, title in rows}


def _shown_sets(sets: list[str], collections: dict[str, str]) -> list[str]:
    return [s for s in sets if not s.startswith(COLLECTION_SET) or s in collections]


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


class OaiRepository:
    """The `IBatchingOAI` interface of the `oaipmh` server, over our database."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.namespace = urlsplit(settings.issuer).netloc

    # identifiers: oai:<host>:<entry id>
    def _identifier(self, entry_id: str) -> str:
        return f"oai:{self.namespace}:{entry_id}"

    def _entry_id(self, identifier: str) -> str:
        prefix = f"oai:{self.namespace}:"
        if not identifier.startswith(prefix):
            raise error.IdDoesNotExistError(f"Unknown identifier {identifier}")
        return identifier[len(prefix) :]

    def identify(self) -> common.Identify:
        with self.factory() as session:
            earliest = session.scalar(select(OaiRecord.datestamp).order_by(OaiRecord.datestamp))
        return common.Identify(
            repositoryName=self.settings.node_name,
            baseURL=f"{self.settings.issuer}/oai",
            protocolVersion="2.0",
            adminEmails=[self.settings.oai_admin_email],
            earliestDatestamp=_naive(earliest or datetime(2026, 1, 1, tzinfo=UTC)),
            deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
            toolkit_description=False,
        )

    def listMetadataFormats(self, identifier: str | None = None) -> list[tuple[str, str, str]]:
        if identifier is not None:
            with self.factory() as session:
                if session.get(OaiRecord, self._entry_id(identifier)) is None:
                    raise error.IdDoesNotExistError(f"Unknown identifier {identifier}")
        return [OAI_DC]

    def listSets(self, cursor: int = 0, batch_size: int = 10) -> list[tuple[str, str, str]]:
        with self.factory() as session:
            specs = {s for row in session.scalars(select(OaiRecord.sets)) for s in row or []}
            collections = _public_collections(session)
        groups = [(g, name, "") for g, name in SET_GROUPS.items()]
        members = [
            (s, xml_text(collections.get(s) or s.split(":", 1)[1]), "")
            for s in sorted(_shown_sets(sorted(specs), collections))
        ]
        return (groups + members)[cursor : cursor + batch_size]

    def _records(
        self,
        metadataPrefix: str,
        set: str | None,
        from_: datetime | None,
        until: datetime | None,
        cursor: int,
        batch_size: int,
    ) -> list[tuple[common.Header, common.Metadata | None, None]]:
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(f"Unknown metadata format {metadataPrefix}")
        query = select(OaiRecord).order_by(OaiRecord.datestamp, OaiRecord.entry_id)
        if from_ is not None:
            query = query.where(OaiRecord.datestamp >= _aware(from_))
        if until is not None:
            query = query.where(OaiRecord.datestamp <= _aware(until))
        with self.factory() as session:
            rows = list(session.scalars(query))
            collections = _public_collections(session)
            if set is not None:
                rows = [r for r in rows if set in (shown := _shown_sets(r.sets, collections))
                        or any(s.startswith(set + ":") for s in shown)]  # fmt: skip
            rows = rows[cursor : cursor + batch_size]
            entries = {
                e.id: e
                for e in session.scalars(
                    select(Entry).where(Entry.id.in_([r.entry_id for r in rows]))
                )
            }
            return [self._record(row, entries.get(row.entry_id), collections) for row in rows]

    def _readable(self, entry: Entry | None) -> bool:
        return (
            entry is not None
            and entry.origin_node is None
            and entry_access(ANONYMOUS, entry_facts(entry)).live
        )

    def _record(
        self, row: OaiRecord, entry: Entry | None, collections: dict[str, str]
    ) -> tuple[common.Header, common.Metadata | None, None]:
        deleted = row.deleted or not self._readable(entry)
        sets = _shown_sets(list(row.sets), collections)
        header = common.Header(
            None, self._identifier(row.entry_id), _naive(row.datestamp), sets, deleted
        )
        if deleted or entry is None:
            return header, None, None
        return header, common.Metadata(None, self._dublin_core(entry)), None

    def _dublin_core(self, entry: Entry) -> dict[str, list[str]]:
        organization = organization_shown(ANONYMOUS, entry)
        fields = {
            "title": [entry.title],
            "creator": list(entry.authors or []),
            "subject": list(entry.program_types or []),
            "description": [entry.summary] if entry.summary else [],
            "publisher": [organization.name if organization else self.settings.node_name],
            "date": [entry.published_at.date().isoformat()] if entry.published_at else [],
            "type": ["Text", entry.kind],
            "identifier": [f"{self.settings.issuer}/entries/{entry.id}"],
            "language": [entry.language],
            "coverage": list(entry.regions or []),
            "rights": [entry.license] if entry.license else [],
        }
        return {name: [xml_text(v) for v in values] for name, values in fields.items()}

    def listIdentifiers(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = 10,
    ) -> list[common.Header]:
        records = self._records(metadataPrefix, set, from_, until, cursor, batch_size)
        return [header for header, _, _ in records]

    def listRecords(
        self,
        metadataPrefix: str,
        set: str | None = None,
        from_: datetime | None = None,
        until: datetime | None = None,
        cursor: int = 0,
        batch_size: int = 10,
    ) -> list[tuple[common.Header, common.Metadata | None, None]]:
        return self._records(metadataPrefix, set, from_, until, cursor, batch_size)

    def getRecord(
        self,
        metadataPrefix: str,
        identifier: str,
    ) -> tuple[common.Header, common.Metadata | None, None]:
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(f"Unknown metadata format {metadataPrefix}")
        entry_id = self._entry_id(identifier)
        with self.factory() as session:
            row = session.get(OaiRecord, entry_id)
            if row is None:
                raise error.IdDoesNotExistError(f"Unknown identifier {identifier}")
            return self._record(row, session.get(Entry, entry_id), _public_collections(session))


def make_oai_server(factory: sessionmaker[Session], settings: Settings) -> Any:
    registry = MetadataRegistry()
    registry.registerWriter("oai_dc", oai_dc_writer)
    return BatchingServer(
        OaiRepository(factory, settings),
        metadata_registry=registry,
        resumption_batch_size=settings.oai_batch_size,
    )
