"""`/v1/vocabularies`: the controlled lists, for forms, filters and error messages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.errors import NotFound
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
