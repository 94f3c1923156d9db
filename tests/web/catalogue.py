"""A small, known set of entries for the web tests, created through the JSON API."""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import make_org, member_token, published_entry, wait_indexed
from tests.web.site import Site

HIDDEN_ORG_NAME = "Quiet Harbour Collective"


@dataclass(frozen=True)
class Catalogue:
    mali_fr: str  # public, French, Mali, reintegration
    kenya_prison: str  # public, Kenya, prison rehabilitation
    kenya_reintegration: str  # public, Kenya, reintegration
    partners_only: str  # partners entry of `hidden-org` in New Zealand, shared with `partner-org`


def make_catalogue(site: Site) -> Catalogue:
    api = site.api
    publisher = member_token(site.app, "sahel-ngo", "publisher")
    mali_fr = published_entry(
        api,
        publisher,
        title="Réintégration communautaire des rapatriés au Mali",
        summary="Suivi de 120 rapatriés pendant deux ans dans trois communes.",
        body="## Résultats\n\nLes participants ont retrouvé un **emploi** plus souvent.",
        language="fr",
        regions=["ML"],
        program_types=["reintegration"],
        evidence_level="moderate",
        indicators=[
            {"code": "completion_rate", "value": 81.5},
            {"code": "follow_up_months", "value": 24},
            {"code": "participants_enrolled", "value": 120},
        ],
    )["id"]
    kenya_prison = published_entry(
        api,
        publisher,
        title="Prison rehabilitation for violent extremist offenders in Kenya",
        summary="A process evaluation of a prison-based program.",
        regions=["KE"],
        program_types=["prison_rehabilitation"],
        evidence_level="preliminary",
    )["id"]
    kenya_reintegration = published_entry(
        api,
        publisher,
        title="Reintegration of returnees in coastal Kenya",
        summary="Mentoring returnees after their return from conflict zones.",
        regions=["KE"],
        program_types=["reintegration", "mentoring"],
    )["id"]
    make_org(site.app, "partner-org")
    make_org(site.app, "hidden-org", HIDDEN_ORG_NAME)
    hidden = member_token(site.app, "hidden-org", "publisher", person="hana")
    partners_only = published_entry(
        api,
        hidden,
        title="Harbour reintegration pilot",
        summary="Shared with one partner organization only.",
        regions=["NZ"],
        program_types=["reintegration"],
        visibility="partners",
        shared_with=["partner-org"],
    )["id"]
    wait_indexed(site.app)
    return Catalogue(mali_fr, kenya_prison, kenya_reintegration, partners_only)
