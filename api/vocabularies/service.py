"""The vocabulary table: seeding it from the shipped files and reading it back.

The database table is the source of truth at run time (coordinators will add
and deprecate terms); the shipped files only seed it. `sync_shipped_terms` is
idempotent: it inserts missing shipped terms and refreshes their labels, adds
shipped aliases (keeping those curators added), and never removes or
un-deprecates a term."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.models import VocabularyTerm
from api.vocabularies.loader import Term, load_shipped_terms
from api.vocabularies.registry import VocabularyRegistry


def sync_shipped_terms(session: Session) -> int:
    """Upsert the shipped terms; returns how many rows were inserted."""
    existing = {(row.vocabulary, row.code): row for row in session.scalars(select(VocabularyTerm))}
    inserted = 0
    for term in load_shipped_terms():
        row = existing.get((term.vocabulary, term.code))
        if row is None:
            session.add(
                VocabularyTerm(
                    vocabulary=term.vocabulary,
                    code=term.code,
                    label=term.label,
                    parent=term.parent,
                    level=term.level,
                    note=term.note,
                    unit=term.unit,
                    deprecated=False,
                    sort_order=term.sort_order,
                    aliases=list(term.aliases),
                )
            )
            inserted += 1
        else:
            row.label = term.label
            row.parent = term.parent
            row.level = term.level
            row.note = term.note
            row.unit = term.unit
            row.sort_order = term.sort_order
            # Curators' aliases are kept; shipped ones are added.
            merged = list(dict.fromkeys([*(row.aliases or []), *term.aliases]))
            if merged != row.aliases:
                row.aliases = merged
    session.flush()
    return inserted


def load_registry(session: Session) -> VocabularyRegistry:
    rows = session.scalars(select(VocabularyTerm)).all()
    return VocabularyRegistry(
        Term(
            vocabulary=row.vocabulary,
            code=row.code,
            label=row.label,
            parent=row.parent,
            level=row.level,
            note=row.note,
            unit=row.unit,
            deprecated=row.deprecated,
            replaced_by=row.replaced_by,
            sort_order=row.sort_order,
            aliases=tuple(row.aliases or ()),
        )
        for row in rows
    )


def load_registry_from(session_factory: sessionmaker[Session]) -> VocabularyRegistry:
    """The registry, read in a short session of its own."""
    with session_factory() as session:
        return load_registry(session)
