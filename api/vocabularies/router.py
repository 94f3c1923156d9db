"""`/v1/vocabularies`: the controlled lists, for forms, filters and error messages;
and, for curators, adding, renaming and deprecating terms (`management`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from sqlalchemy.orm import Session

from api.auth.dependencies import Curator
from api.db import WriteSession
from api.errors import NotFound, problem_responses
from api.vocabularies import management
from api.vocabularies.registry import UnknownVocabulary, VocabularyRegistry

router = APIRouter(prefix="/v1/vocabularies", tags=["vocabularies"])


def registry_of(request: Request) -> VocabularyRegistry:
    registry: VocabularyRegistry = request.app.state.vocabularies
    return registry


def _term(term: Any, registry: VocabularyRegistry) -> dict[str, Any]:
    item: dict[str, Any] = {"code": term.code, "label": term.label}
    for name in ("note", "unit", "level", "parent"):
        value = getattr(term, name)
        if value is not None:
            item[name] = value
    if term.deprecated:
        item["deprecated"] = True
        item["replaced_by"] = term.replaced_by
    if term.vocabulary == "region" and term.level == "country":
        item["ancestors"] = registry.ancestors(term.code)
    if term.aliases:
        item["aliases"] = list(term.aliases)
    return item


@router.get("", summary="List the vocabularies")
def list_vocabularies(request: Request) -> dict[str, Any]:
    registry = registry_of(request)
    return {
        "items": [
            {"name": name, "terms": len(registry.terms(name)), "href": f"/v1/vocabularies/{name}"}
            for name in registry.names()
        ]
    }


@router.get(
    "/{name}",
    summary="One vocabulary's terms (regions also as a tree)",
    responses={404: {"description": "No such vocabulary"}},
)
def get_vocabulary(name: str, request: Request) -> dict[str, Any]:
    registry = registry_of(request)
    try:
        terms = registry.terms(name)
    except UnknownVocabulary:
        raise NotFound(f"There is no vocabulary named {name!r}; see /v1/vocabularies.") from None
    body: dict[str, Any] = {"name": name, "terms": [_term(t, registry) for t in terms]}
    if name == "region":
        body["tree"] = registry.region_tree()
    return body


def _changed_term(request: Request, session: Session, name: str, code: str) -> dict[str, Any]:
    def install(registry: VocabularyRegistry) -> None:
        request.app.state.vocabularies = registry

    registry = management.install_registry_on_commit(
        session, install, request.app.state.session_factory
    )
    term = registry.get(name, code)
    assert term is not None  # just flushed in this transaction
    return _term(term, registry)


@router.post(
    "/{name}/terms",
    status_code=status.HTTP_201_CREATED,
    summary="Add a term (curators)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def add_term(
    name: str,
    data: management.TermCreate,
    request: Request,
    session: WriteSession,
    principal: Curator,
) -> dict[str, Any]:
    term = management.add_term(
        session, principal=principal, registry=registry_of(request), vocabulary=name, data=data
    )
    return _changed_term(request, session, name, term.code)


@router.patch(
    "/{name}/terms/{code}",
    summary="Rename a term's label (curators); its code never changes",
    responses=problem_responses(401, 403, 404, 422),
)
def rename_term(
    name: str,
    code: str,
    data: management.TermRename,
    request: Request,
    session: WriteSession,
    principal: Curator,
) -> dict[str, Any]:
    management.rename_term(
        session,
        principal=principal,
        registry=registry_of(request),
        vocabulary=name,
        code=code,
        data=data,
    )
    return _changed_term(request, session, name, code)


@router.put(
    "/{name}/terms/{code}/aliases",
    summary="Set a term's aliases: other names search treats as synonyms (curators)",
    responses=problem_responses(401, 403, 404, 422),
)
def set_aliases(
    name: str,
    code: str,
    data: management.TermAliases,
    request: Request,
    session: WriteSession,
    principal: Curator,
) -> dict[str, Any]:
    management.set_aliases(
        session,
        principal=principal,
        registry=registry_of(request),
        vocabulary=name,
        code=code,
        data=data,
    )
    return _changed_term(request, session, name, code)


@router.post(
    "/{name}/terms/{code}/deprecate",
    summary="Deprecate a term in favour of a current one (curators)",
    responses=problem_responses(401, 403, 404, 422),
)
def deprecate_term(
    name: str,
    code: str,
    data: management.TermDeprecate,
    request: Request,
    session: WriteSession,
    principal: Curator,
) -> dict[str, Any]:
    management.deprecate_term(
        session,
        principal=principal,
        registry=registry_of(request),
        vocabulary=name,
        code=code,
        data=data,
    )
    return _changed_term(request, session, name, code)
