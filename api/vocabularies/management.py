"""Coordinators changing the vocabularies: add a term, rename its label, set its
search aliases, deprecate it.

Owns the rules for changing the `vocabulary_term` table at run time: code shapes
(regions are ISO 3166-1 alpha-2 countries or 3-digit UN M49 areas; every other
vocabulary uses `[a-z0-9_]{1,64}`), a region's parent and an indicator's unit,
and what a deprecation may point to. It does not decide who may call it (the
router checks the curator role) nor how deprecated codes are treated on entries
(`api.entries.validation.check_codes`) or in search (`api.search.service`).

Invariants: codes are never removed, renamed or un-deprecated, so every code an
entry ever carried keeps resolving; a deprecation points to a live code of the
same vocabulary, never to itself, so replacement chains cannot form a cycle.
Every change writes an audit event in the caller's transaction.

Other processes: the running registry (`app.state.vocabularies`) is replaced at
commit in the API process that served the change (see `install_registry_on_commit`);
every other API process and indexer sees the change through the configuration
version (`api.shared_config`) within its poll interval (2 s)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

import structlog
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.access import Principal
from api.audit import record_event
from api.errors import Conflict, FieldError, NotFound, ValidationFailed
from api.models import Entry, VocabularyTerm
from api.outbox import mark_dirty
from api.vocabularies.loader import MAX_ALIAS_WORDS, REGION_LEVELS, clean_alias
from api.vocabularies.registry import COUNTRY_LEVEL, INDICATOR, REGION, VocabularyRegistry
from api.vocabularies.service import load_registry

log = structlog.get_logger("api.vocabularies")

SUBJECT = "vocabulary_term"
REGION_CODE = re.compile(r"[A-Z]{2}|[0-9]{3}")
CODE = re.compile(r"[a-z0-9_]{1,64}")
# The units `VocabularyRegistry.check_indicator_value` has a rule for; a unit it
# does not know would only get the finiteness check.
INDICATOR_UNITS = ("count", "percent", "score", "months", "currency_usd", "effect_size")
# The level a new area gets under a parent of the given level.
_CHILD_LEVEL = {"world": "region", "region": "subregion", "subregion": "intermediate"}

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
CodeIn = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class TermCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: CodeIn
    label: Label
    parent: CodeIn | None = None
    level: CodeIn | None = None
    unit: CodeIn | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2_000)] | None = None


class TermRename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label


Alias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class TermAliases(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aliases: Annotated[list[Alias], "other names for search"]


class TermDeprecate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replaced_by: CodeIn


class TermNotFound(NotFound):
    def __init__(self, vocabulary: str, code: str) -> None:
        super().__init__(
            f"Vocabulary {vocabulary!r} has no code {code!r}; see /v1/vocabularies/{vocabulary}."
        )


class VocabularyNotFound(NotFound):
    def __init__(self, vocabulary: str) -> None:
        super().__init__(f"There is no vocabulary named {vocabulary!r}; see /v1/vocabularies.")


def require_vocabulary(registry: VocabularyRegistry, vocabulary: str) -> None:
    if vocabulary not in registry.names():
        raise VocabularyNotFound(vocabulary)


def _row(session: Session, vocabulary: str, code: str) -> VocabularyTerm | None:
    # The table, not the cached registry, is the truth: another process may have
    # changed it since this one loaded its registry.
    return session.scalar(
        select(VocabularyTerm).where(
            VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code
        )
    )


def _code_errors(vocabulary: str, code: str) -> list[FieldError]:
    if vocabulary == REGION:
        if not REGION_CODE.fullmatch(code):
            return [
                FieldError(
                    "code",
                    "a region code is an ISO 3166-1 alpha-2 country code (e.g. KE) "
                    "or a 3-digit UN M49 area code (e.g. 014)",
                )
            ]
    elif not CODE.fullmatch(code):
        return [FieldError("code", "lowercase letters, digits and underscores, 1 to 64")]
    return []


def _region_placement(
    session: Session, data: TermCreate, errors: list[FieldError]
) -> tuple[str | None, str | None]:
    """The (parent, level) of a new region, appending problems to `errors`."""
    is_country = len(data.code) == 2
    parent_level: str | None = None
    if data.parent is not None:
        parent = _row(session, REGION, data.parent)
        if parent is None:
            errors.append(
                FieldError(
                    "parent",
                    f"{data.parent!r} is not a region code",
                    valid_codes="/v1/vocabularies/region",
                )
            )
        elif parent.deprecated:
            errors.append(FieldError("parent", f"{data.parent!r} is deprecated"))
        elif parent.level == COUNTRY_LEVEL:
            errors.append(FieldError("parent", "a country cannot contain other regions"))
        else:
            parent_level = parent.level
    level = data.level
    if level is None:
        level = (
            COUNTRY_LEVEL
            if is_country
            else _CHILD_LEVEL.get(parent_level or "world", "intermediate")
        )
    elif level not in REGION_LEVELS:
        errors.append(FieldError("level", f"one of {', '.join(REGION_LEVELS)}"))
    elif (level == COUNTRY_LEVEL) != is_country:
        errors.append(
            FieldError("level", "countries have 2-letter codes; areas have 3-digit M49 codes")
        )
    return data.parent, level


def add_term(
    session: Session,
    *,
    principal: Principal,
    registry: VocabularyRegistry,
    vocabulary: str,
    data: TermCreate,
) -> VocabularyTerm:
    require_vocabulary(registry, vocabulary)
    errors = _code_errors(vocabulary, data.code)
    parent: str | None = None
    level: str | None = None
    unit: str | None = None
    if vocabulary == REGION:
        parent, level = _region_placement(session, data, errors)
    else:
        if data.parent is not None:
            errors.append(FieldError("parent", "only regions have a parent"))
        if data.level is not None:
            errors.append(FieldError("level", "only regions have a level"))
    if vocabulary == INDICATOR:
        if data.unit is None:
            errors.append(
                FieldError("unit", f"required for indicators: one of {', '.join(INDICATOR_UNITS)}")
            )
        elif data.unit not in INDICATOR_UNITS:
            errors.append(FieldError("unit", f"one of {', '.join(INDICATOR_UNITS)}"))
        unit = data.unit
    elif data.unit is not None:
        errors.append(FieldError("unit", "only indicators have a unit"))
    if errors:
        raise ValidationFailed("The term has invalid fields.", errors=errors)
    if _row(session, vocabulary, data.code) is not None:
        raise Conflict(
            f"Vocabulary {vocabulary!r} already has code {data.code!r}; codes are never reused."
        )
    last = session.scalar(
        select(func.max(VocabularyTerm.sort_order)).where(VocabularyTerm.vocabulary == vocabulary)
    )
    term = VocabularyTerm(
        vocabulary=vocabulary,
        code=data.code,
        label=data.label,
        parent=parent,
        level=level,
        note=data.note,
        unit=unit,
        deprecated=False,
        sort_order=(last if last is not None else -1) + 1,
    )
    session.add(term)
    try:
        session.flush()
    except IntegrityError:
        # Two coordinators adding the same code at once: the unique constraint decides.
        raise Conflict(f"Vocabulary {vocabulary!r} already has code {data.code!r}.") from None
    record_event(
        session,
        principal=principal,
        action="vocabulary.term_added",
        subject_type=SUBJECT,
        subject_id=f"{vocabulary}:{data.code}",
        details={"label": data.label, "parent": parent, "level": level, "unit": unit},
    )
    return term


def rename_term(
    session: Session,
    *,
    principal: Principal,
    registry: VocabularyRegistry,
    vocabulary: str,
    code: str,
    data: TermRename,
) -> VocabularyTerm:
    require_vocabulary(registry, vocabulary)
    term = _row(session, vocabulary, code)
    if term is None:
        raise TermNotFound(vocabulary, code)
    previous = term.label
    if previous != data.label:
        term.label = data.label
        session.flush()
        reindex_tagged(session, registry, vocabulary, code)  # the label is searched too
        record_event(
            session,
            principal=principal,
            action="vocabulary.term_renamed",
            subject_type=SUBJECT,
            subject_id=f"{vocabulary}:{code}",
            details={"from": previous, "to": data.label},
        )
    return term


# The entry column holding each searchable vocabulary's codes (indexer.thesaurus).
_TAG_COLUMNS = {
    "program_type": Entry.program_types,
    "target_population": Entry.target_populations,
    "setting": Entry.settings,
    REGION: Entry.regions,
}


def reindex_tagged(
    session: Session, registry: VocabularyRegistry, vocabulary: str, code: str
) -> int:
    """Queue for re-indexing every entry tagged with `code` (for a region: with it
    or a place under it): their search documents carry the term's names.

    Reads the tag lists of all published entries (JSON lists, portable across
    SQLite and PostgreSQL); vocabulary changes are rare and a network holds
    thousands of entries, not millions."""
    if vocabulary == "impediment_type":  # inside policy frameworks' `policy` field
        policies = session.execute(
            select(Entry.id, Entry.policy).where(
                Entry.status == "published", Entry.policy.is_not(None)
            )
        ).all()
        marked = [i for i, p in policies if code in (p or {}).get("impediment_types", [])]
        mark_dirty(session, marked)
        return len(marked)
    column = _TAG_COLUMNS.get(vocabulary)
    if column is None:
        return 0
    rows = session.execute(select(Entry.id, column).where(Entry.status == "published")).all()
    tagged = [
        entry_id
        for entry_id, codes in rows
        if code in (registry.expand_regions(codes or []) if vocabulary == REGION else codes or [])
    ]
    mark_dirty(session, tagged)
    return len(tagged)


def set_aliases(
    session: Session,
    *,
    principal: Principal,
    registry: VocabularyRegistry,
    vocabulary: str,
    code: str,
    data: TermAliases,
) -> VocabularyTerm:
    """Replace a term's aliases (search synonyms). Each is a word or a phrase of at
    most MAX_ALIAS_WORDS words, not the label, not repeated (case-insensitive)."""
    require_vocabulary(registry, vocabulary)
    term = _row(session, vocabulary, code)
    if term is None:
        raise TermNotFound(vocabulary, code)
    aliases: list[str] = []
    seen = {term.label.casefold()}
    errors: list[FieldError] = []
    for i, alias in enumerate(data.aliases):
        cleaned = clean_alias(alias)
        if not cleaned:
            errors.append(FieldError(f"aliases.{i}", f"at most {MAX_ALIAS_WORDS} words"))
        elif cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            aliases.append(cleaned)
    if errors:
        raise ValidationFailed("Some aliases are invalid.", errors=errors)
    previous = list(term.aliases or [])
    if previous != aliases:
        term.aliases = aliases
        session.flush()
        reindexed = reindex_tagged(session, registry, vocabulary, code)
        record_event(
            session,
            principal=principal,
            action="vocabulary.term_aliases_set",
            subject_type=SUBJECT,
            subject_id=f"{vocabulary}:{code}",
            details={"from": previous, "to": aliases, "entries_reindexed": reindexed},
        )
    return term


def deprecate_term(
    session: Session,
    *,
    principal: Principal,
    registry: VocabularyRegistry,
    vocabulary: str,
    code: str,
    data: TermDeprecate,
) -> VocabularyTerm:
    """Deprecate `code` in favour of `data.replaced_by`.

    Deprecating again re-points the replacement (a coordinator may correct a
    mistake); the term stays deprecated either way."""
    require_vocabulary(registry, vocabulary)
    term = _row(session, vocabulary, code)
    if term is None:
        raise TermNotFound(vocabulary, code)
    target = _row(session, vocabulary, data.replaced_by)
    problem = None
    if data.replaced_by == code:
        problem = "a code cannot replace itself"
    elif target is None:
        problem = f"{data.replaced_by!r} is not a {vocabulary} code"
    elif target.deprecated:
        problem = f"{data.replaced_by!r} is itself deprecated (replaced by {target.replaced_by!r})"
    if problem:
        raise ValidationFailed(
            "The replacement is not a current code of this vocabulary.",
            errors=[
                FieldError(
                    "replaced_by",
                    problem,
                    code=data.replaced_by,
                    valid_codes=f"/v1/vocabularies/{vocabulary}",
                )
            ],
        )
    previous = term.replaced_by if term.deprecated else None
    term.deprecated = True
    term.replaced_by = data.replaced_by
    session.flush()
    record_event(
        session,
        principal=principal,
        action="vocabulary.term_deprecated",
        subject_type=SUBJECT,
        subject_id=f"{vocabulary}:{code}",
        details={"replaced_by": data.replaced_by, "previously_replaced_by": previous},
    )
    return term


def install_registry_on_commit(
    session: Session,
    install: Callable[[VocabularyRegistry], None],
    fresh_session: Callable[[], Session],
) -> VocabularyRegistry:
    """Install a registry that includes this change once the transaction commits.

    Installed only on commit, so a change that fails to commit never shows in
    this process; the commit happens before the response is sent (`WriteSession`),
    so the caller's next request sees it. The registry is re-read after the
    commit from a fresh session, so two changes committed concurrently by this
    process cannot leave the older snapshot installed; should that read fail,
    the snapshot taken inside the transaction (which has this change) is used.
    Returns that snapshot, for the response."""
    snapshot = load_registry(session)

    def after_commit(_session: Session) -> None:
        try:
            with fresh_session() as reader:
                install(load_registry(reader))
        except Exception:  # the change is committed; never turn that into an error
            log.warning("vocabulary registry reload failed; using the in-transaction copy")
            install(snapshot)

    event.listen(session, "after_commit", after_commit, once=True)
    return snapshot
